//! The login state cookie of `spec/lti.md` §3.3: one `__Host-lti_state_<state>` cookie per
//! login (so parallel tabs work), partitioned, `SameSite=None; Secure; HttpOnly`, 600 s.

use axum::http::HeaderMap;
use axum::http::header;

/// The cookie name for a state.
pub fn state_cookie_name(state: &str) -> String {
    format!("__Host-lti_state_{state}")
}

/// The `Set-Cookie` value binding this browser to `state`.
pub fn set_state_cookie(state: &str, max_age_seconds: i64) -> String {
    format!(
        "{}={state}; Path=/; Secure; HttpOnly; SameSite=None; Partitioned; Max-Age={max_age_seconds}",
        state_cookie_name(state)
    )
}

/// The `Set-Cookie` value that removes the state cookie after its launch.
pub fn clear_state_cookie(state: &str) -> String {
    format!(
        "{}=; Path=/; Secure; HttpOnly; SameSite=None; Partitioned; Max-Age=0",
        state_cookie_name(state)
    )
}

/// The value of the state cookie for `state` in the request's `Cookie` headers, if any.
pub fn state_cookie(headers: &HeaderMap, state: &str) -> Option<String> {
    let name = state_cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
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
        assert_eq!(state_cookie(&headers, "s1").as_deref(), Some("s1"));
        assert_eq!(state_cookie(&headers, "s2").as_deref(), Some("x"));
        assert_eq!(state_cookie(&headers, "s3"), None);
    }

    #[test]
    fn the_cookie_is_host_only_partitioned_and_short() {
        let set = set_state_cookie("abc", 600);
        assert!(set.starts_with("__Host-lti_state_abc=abc; Path=/; Secure; HttpOnly"));
        assert!(set.contains("SameSite=None; Partitioned; Max-Age=600"));
        assert!(clear_state_cookie("abc").ends_with("Max-Age=0"));
    }
}
