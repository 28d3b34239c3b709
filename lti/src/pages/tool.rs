//! The tool page after a launch: today's page (`www/index.html`) with the launched person's
//! name, role and course shown by the server, and the launch handed to the page's scripts in
//! `<script type="application/json" id="cairn-launch">`: the short-lived API bearer token,
//! the person's product roles and the launch's locale. The id_token never reaches the page. In platform-storage mode
//! the page also carries `#lti-data` and `/lti/storage.mjs`, which confirms the pending session.

use axum::http::StatusCode;
use axum::response::Response;

use super::{csp, escape, html_response, json_for_script};

/// What the page is told about the launch.
#[derive(Clone, Debug, PartialEq)]
pub struct LaunchView {
    /// The person's name, when the platform shared it.
    pub name: Option<String>,
    /// Product roles (`instructor`, `learner`, `admin`); empty is the read-only landing.
    pub roles: Vec<String>,
    /// The course title or label, when launched in a course.
    pub context_title: Option<String>,
    /// The API bearer token.
    pub token: String,
    /// When the token stops working (Unix seconds).
    pub token_expires_at: i64,
    /// The LTI message type.
    pub message_type: String,
    /// `launch_presentation.locale` (the page's strings follow it), when the platform sent one.
    pub locale: Option<String>,
    /// Platform-storage mode: the session waits for the page's confirmation.
    pub pending: Option<PendingLaunch>,
}

/// What a pending (platform-storage) launch page needs.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingLaunch {
    /// The `#lti-data` of the confirm step.
    pub data: serde_json::Value,
    /// The login URL (stored login parameters, without `lti_storage_target`) for the new window
    /// offered when the confirmation fails.
    pub relaunch_url: String,
}

/// Plain words for the roles, for the banner.
fn role_words(roles: &[String]) -> String {
    if roles.is_empty() {
        return "no course role (read only)".to_owned();
    }
    roles.join(" and ")
}

/// `index_html` with the launch injected (see the module docs).
pub fn render(index_html: &str, launch: &LaunchView) -> Response {
    let data = serde_json::json!({
        "token": launch.token,
        "token_expires_at": launch.token_expires_at,
        "roles": launch.roles,
        "name": launch.name,
        "context_title": launch.context_title,
        "message_type": launch.message_type,
        "locale": launch.locale,
        "pending": launch.pending.is_some(),
    });
    let mut head = format!(
        "  <script type=\"application/json\" id=\"cairn-launch\">{}</script>\n",
        json_for_script(&data)
    );
    if let Some(pending) = &launch.pending {
        head.push_str(&format!(
            "  <script type=\"application/json\" id=\"lti-data\">{}</script>\n  \
             <script type=\"module\" src=\"/lti/storage.mjs\"></script>\n",
            json_for_script(&pending.data)
        ));
    }
    let who = launch
        .name
        .as_deref()
        .unwrap_or("a person whose name was not shared");
    let mut banner = format!(
        "<section class=\"launch-banner\" aria-label=\"Signed in\" data-roles=\"{roles_attr}\">\
         <p>Signed in as <strong id=\"launch-name\">{who}</strong> · \
         <span id=\"launch-role\">{roles}</span>",
        roles_attr = escape(&launch.roles.join(" ")),
        who = escape(who),
        roles = escape(&role_words(&launch.roles)),
    );
    if let Some(title) = &launch.context_title {
        banner.push_str(&format!(
            " · <span id=\"launch-context\">{}</span>",
            escape(title)
        ));
    }
    banner.push_str("</p>");
    if let Some(pending) = &launch.pending {
        banner.push_str(&format!(
            "<p class=\"launch-pending\" role=\"status\">Confirming this sign-in with your \
             learning platform…</p><p class=\"launch-relaunch\">This browser could not confirm \
             the sign-in here. <a id=\"lti-relaunch\" href=\"{}\" target=\"_blank\" \
             rel=\"opener\">Open Cairn in a new window</a></p>",
            escape(&pending.relaunch_url)
        ));
    }
    banner.push_str("</section>\n");

    let with_head = inject(index_html, "</head>", &head, true);
    let html = inject(&with_head, "<main id=\"main\">", &banner, false);
    html_response(StatusCode::OK, &csp(&[]), html)
}

/// Inserts `insert` before (`before = true`) or after the first `marker`; at the end if absent.
fn inject(html: &str, marker: &str, insert: &str, before: bool) -> String {
    match html.find(marker) {
        Some(at) => {
            let split = if before { at } else { at + marker.len() };
            format!("{}{}{}", &html[..split], insert, &html[split..])
        }
        None => format!("{html}{insert}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    const INDEX: &str =
        "<html><head><title>t</title></head><body><main id=\"main\"><p>x</p></main></body></html>";

    fn view(pending: Option<PendingLaunch>) -> LaunchView {
        LaunchView {
            name: Some("Ada <Lovelace>".into()),
            roles: vec!["instructor".into()],
            context_title: Some("Welding 101".into()),
            token: "tok".into(),
            token_expires_at: 10,
            message_type: "LtiResourceLinkRequest".into(),
            locale: Some("fr-CA".into()),
            pending,
        }
    }

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
    async fn shows_who_and_hands_over_the_token_only() {
        let html = text(render(INDEX, &view(None))).await;
        assert!(
            html.contains("Signed in as <strong id=\"launch-name\">Ada &lt;Lovelace&gt;</strong>")
        );
        assert!(html.contains("<span id=\"launch-role\">instructor</span>"));
        assert!(html.contains("\"token\":\"tok\""));
        assert!(html.contains("\"locale\":\"fr-CA\""));
        assert!(!html.contains("lti-data"));
        assert!(html.find("cairn-launch") < html.find("</head>"));
    }

    #[tokio::test]
    async fn pending_launch_loads_the_storage_module() {
        let html = text(render(
            INDEX,
            &view(Some(PendingLaunch {
                data: serde_json::json!({"mode": "confirm"}),
                relaunch_url: "/lti/login?iss=a&b=c".into(),
            })),
        ))
        .await;
        assert!(html.contains("id=\"lti-data\">{\"mode\":\"confirm\"}"));
        assert!(html.contains("src=\"/lti/storage.mjs\""));
        assert!(html.contains("\"pending\":true"));
        assert!(html.contains("href=\"/lti/login?iss=a&amp;b=c\""));
    }
}
