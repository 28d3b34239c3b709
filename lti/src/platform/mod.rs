//! Cairn as a client of the platform: the outbound HTTP client every call to an LMS uses
//! (`User-Agent: Cairn/<version> (+<public base URL>)`, which Canvas requires) and the
//! platform JWKS cache ([`jwks_cache`]). The LTI Advantage service clients (token, AGS, the
//! score outbox) are in [`crate::advantage`] and use this client.

pub mod jwks_cache;

use std::time::Duration;

/// How long connecting to a platform may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How many redirects an outbound call follows.
const MAX_REDIRECTS: usize = 3;

/// The `User-Agent` of every outbound call: `Cairn/<version> (+<public base URL>)`.
pub fn user_agent(public_url: &str) -> String {
    format!(
        "Cairn/{} (+{})",
        crate::VERSION,
        public_url.trim_end_matches('/')
    )
}

/// The outbound client's settings, for callers that add their own (tests add `no_proxy`).
pub fn http_client_builder(public_url: &str) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(user_agent(public_url))
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
}

/// An error and its causes on one line (reqwest's own message says little).
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The outbound client. Fails only if `public_url` cannot appear in a header.
pub fn http_client(public_url: &str) -> Result<reqwest::Client, reqwest::Error> {
    http_client_builder(public_url).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_the_version_and_the_public_url() {
        assert_eq!(
            user_agent("https://cairn.example.edu/"),
            format!("Cairn/{} (+https://cairn.example.edu)", crate::VERSION)
        );
        assert!(http_client("https://cairn.example.edu").is_ok());
        assert!(http_client("https://bad\nheader").is_err());
    }
}
