//! The pages of the browser-binding modes (`spec/lti.md` §3.3): the auth request as a form
//! (platform-storage login, or a query over 2 KB), and the "open in a new window" relaunch.
//! Forms submit through `/lti/autosubmit.mjs` or `/lti/storage.mjs`, never inline script, and
//! each has a visible button for a browser without scripts.

use axum::http::StatusCode;
use axum::response::Response;

use super::{csp, document, escape, html_response, json_for_script};

/// Hidden inputs for `params`.
fn hidden_inputs(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect()
}

/// The auth request as a GET form that submits itself (used when the query is over 2 KB).
pub fn auto_submit(action: &str, params: &[(String, String)]) -> Response {
    let body = format!(
        "<form id=\"lti-auth\" method=\"get\" action=\"{action}\" data-autosubmit>\n{inputs}\
         <p>Taking you to your learning platform to sign in…</p>\n\
         <button type=\"submit\">Continue</button>\n</form>",
        action = escape(action),
        inputs = hidden_inputs(params),
    );
    html_response(
        StatusCode::OK,
        &csp(&[action]),
        document("Signing in", &body, &["/lti/autosubmit.mjs"]),
    )
}

/// The platform-storage login page: `#lti-data` tells `/lti/storage.mjs` to store the state
/// and nonce in the platform's frame, then it submits `#lti-auth` to the auth endpoint.
pub fn storage_login(
    action: &str,
    params: &[(String, String)],
    data: &serde_json::Value,
) -> Response {
    let body = format!(
        "<script type=\"application/json\" id=\"lti-data\">{data}</script>\n\
         <form id=\"lti-auth\" method=\"get\" action=\"{action}\">\n{inputs}\
         <p>Taking you to your learning platform to sign in…</p>\n\
         <noscript><button type=\"submit\">Continue</button></noscript>\n</form>",
        data = json_for_script(data),
        action = escape(action),
        inputs = hidden_inputs(params),
    );
    html_response(
        StatusCode::OK,
        &csp(&[action]),
        document("Signing in", &body, &["/lti/storage.mjs"]),
    )
}

/// No cookie came back and the platform offers no storage (Moodle in Safari): the launch
/// cannot be bound in this frame, so offer a new window that starts the login again.
pub fn relaunch(login_url: &str) -> Response {
    let body = format!(
        "<section class=\"card\" aria-labelledby=\"relaunch-title\" data-launch-result=\"relaunch\">\n\
         <h1 id=\"relaunch-title\">Open Cairn in a new window</h1>\n\
         <p>Your browser keeps Cairn from remembering this sign-in inside the course page. \
         Opening Cairn in its own window fixes that; nothing is lost.</p>\n\
         <p><a class=\"button\" id=\"lti-relaunch\" href=\"{url}\" target=\"_blank\" rel=\"opener\">Open Cairn in a new window</a></p>\n\
         </section>",
        url = escape(login_url),
    );
    html_response(
        StatusCode::OK,
        &csp(&[]),
        document("Open Cairn in a new window", &body, &[]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn text(response: Response) -> String {
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        String::from_utf8_lossy(&body).into_owned()
    }

    #[tokio::test]
    async fn storage_login_escapes_and_allows_only_the_auth_endpoint() {
        let params = vec![("login_hint".to_owned(), "\"><script>".to_owned())];
        let data = serde_json::json!({"mode": "login", "state": "</script>"});
        let response = storage_login("https://sso.test/auth", &params, &data);
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(policy.contains("form-action 'self' https://sso.test/auth"));
        let html = text(response).await;
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;\""));
        assert!(!html.contains("</script></script>"));
        assert!(html.contains("src=\"/lti/storage.mjs\""));
    }

    #[tokio::test]
    async fn relaunch_links_to_a_new_window() {
        let html = text(relaunch("https://tool.test/lti/login?iss=a&login_hint=b")).await;
        assert!(html.contains("href=\"https://tool.test/lti/login?iss=a&amp;login_hint=b\""));
        assert!(html.contains("target=\"_blank\""));
    }
}
