//! The login state cookie of `spec/lti.md` §3.3: one `__Host-lti_state_<state>` cookie per
//! login (so parallel tabs work), partitioned, `SameSite=None; Secure; HttpOnly`, 600 s.
//!
//! On a development public URL over `http://` (loopback only, see `config::PublicUrl`) a second,
//! plain `lti_state_<state>` cookie (`SameSite=Lax`, not `Secure`) goes with it: browsers treat
//! loopback as secure, but other clients (Python's `requests` driving the Moodle kit) and Safari
//! never send a `Secure` cookie over http, and the kit's Moodle on `127.0.0.1` is the same site
//! as the tool, so a Lax cookie binds the launch there. It is never set for an https tool.

use axum::http::HeaderMap;
use axum::http::header;

/// The cookie name for a state.
pub fn state_cookie_name(state: &str) -> String {
    format!("__Host-lti_state_{state}")
}

/// The name of the development cookie (an `http://` loopback tool only).
pub fn plain_state_cookie_name(state: &str) -> String {
    format!("lti_state_{state}")
}

/// The `Set-Cookie` values binding this browser to `state`: the `__Host-` cookie, and the
/// plain development cookie too when the tool's public URL is `http://`.
pub fn set_state_cookies(state: &str, max_age_seconds: i64, http_tool: bool) -> Vec<String> {
    let mut cookies = vec![format!(
        "{}={state}; Path=/; Secure; HttpOnly; SameSite=None; Partitioned; Max-Age={max_age_seconds}",
        state_cookie_name(state)
    )];
    if http_tool {
        cookies.push(format!(
            "{}={state}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}",
            plain_state_cookie_name(state)
        ));
    }
    cookies
}

/// The `Set-Cookie` values that remove the state cookies after their launch.
pub fn clear_state_cookies(state: &str, http_tool: bool) -> Vec<String> {
    let mut cookies = vec![format!(
        "{}=; Path=/; Secure; HttpOnly; SameSite=None; Partitioned; Max-Age=0",
        state_cookie_name(state)
    )];
    if http_tool {
        cookies.push(format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
            plain_state_cookie_name(state)
        ));
    }
    cookies
}

/// The value of the state cookie for `state` in the request's `Cookie` headers, if any: the
/// `__Host-` cookie, else (an `http://` tool only) the development cookie.
pub fn state_cookie(headers: &HeaderMap, state: &str, http_tool: bool) -> Option<String> {
    let pairs: Vec<(&str, &str)> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .collect();
    let find = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    };
    find(&state_cookie_name(state)).or_else(|| {
        http_tool
            .then(|| find(&plain_state_cookie_name(state)))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_only_the_cookie_of_this_state() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; __Host-lti_state_s1=s1; __Host-lti_state_s2=x"),
        );
        assert_eq!(state_cookie(&headers, "s1", false).as_deref(), Some("s1"));
        assert_eq!(state_cookie(&headers, "s2", false).as_deref(), Some("x"));
        assert_eq!(state_cookie(&headers, "s3", false), None);
    }

    #[test]
    fn the_plain_cookie_counts_only_for_an_http_tool() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("lti_state_s1=s1"));
        assert_eq!(state_cookie(&headers, "s1", false), None);
        assert_eq!(state_cookie(&headers, "s1", true).as_deref(), Some("s1"));
    }

    #[test]
    fn the_cookie_is_host_only_partitioned_and_short() {
        let https = set_state_cookies("abc", 600, false);
        assert_eq!(https.len(), 1, "no development cookie for an https tool");
        assert!(https[0].starts_with("__Host-lti_state_abc=abc; Path=/; Secure; HttpOnly"));
        assert!(https[0].contains("SameSite=None; Partitioned; Max-Age=600"));
        let http = set_state_cookies("abc", 600, true);
        assert_eq!(
            http[1],
            "lti_state_abc=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=600"
        );
        assert!(
            clear_state_cookies("abc", true)
                .iter()
                .all(|c| c.ends_with("Max-Age=0"))
        );
    }
}
