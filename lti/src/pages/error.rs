//! The page a person sees when a login or launch is refused: what happened, what to tell the
//! admin, and the error code to quote (the same code the log line carries).

use axum::http::StatusCode;
use axum::response::Response;

use super::{csp, document, escape, html_response};
use crate::launch::{LaunchError, LoginError};

/// What the error page says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorPage<'a> {
    /// The stable error code (`spec/lti.md` §4), e.g. `nonce_reused`.
    pub code: &'a str,
    /// The HTTP status.
    pub status: StatusCode,
    /// One or two plain sentences: what happened.
    pub what_happened: &'a str,
    /// What the person should tell their LMS admin (or do themselves).
    pub what_to_tell_the_admin: &'a str,
}

impl ErrorPage<'_> {
    /// The HTML answer, with the status and a strict policy.
    pub fn render(&self) -> Response {
        let body = format!(
            "<section class=\"card\" aria-labelledby=\"error-title\" data-error-code=\"{code}\">\n\
             <h1 id=\"error-title\">Cairn could not open</h1>\n\
             <p>{what}</p>\n<h2>What to do</h2>\n<p>{tell}</p>\n\
             <p class=\"muted\">Error code: <code id=\"error-code\">{code}</code> (HTTP {status})</p>\n\
             </section>",
            code = escape(self.code),
            what = escape(self.what_happened),
            tell = escape(self.what_to_tell_the_admin),
            status = self.status.as_u16(),
        );
        html_response(
            self.status,
            &csp(&[]),
            document("Cairn could not open", &body, &[]),
        )
    }
}

impl<'a> From<&'a LaunchError> for ErrorPage<'a> {
    /// The page for a refused launch: its §4 code, status and texts.
    fn from(error: &'a LaunchError) -> ErrorPage<'a> {
        ErrorPage {
            code: error.code(),
            status: error.status(),
            what_happened: error.what_happened(),
            what_to_tell_the_admin: error.what_to_tell_the_admin(),
        }
    }
}

impl<'a> From<&'a LoginError> for ErrorPage<'a> {
    /// The page for a refused login: its §3.1 code, status and texts.
    fn from(error: &'a LoginError) -> ErrorPage<'a> {
        ErrorPage {
            code: error.code(),
            status: error.status(),
            what_happened: error.what_happened(),
            what_to_tell_the_admin: error.what_to_tell_the_admin(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn names_the_code_and_escapes_the_texts() {
        let page = ErrorPage {
            code: "nonce_reused",
            status: StatusCode::UNAUTHORIZED,
            what_happened: "This launch was already used <once>.",
            what_to_tell_the_admin: "Open the link again from the course.",
        };
        let response = page.render();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .is_ok_and(|p| p.contains("default-src 'self'"))
        );
    }

    #[tokio::test]
    async fn body_carries_the_code() {
        use http_body_util::BodyExt;
        let page = ErrorPage {
            code: "nonce_reused",
            status: StatusCode::UNAUTHORIZED,
            what_happened: "Used <once>.",
            what_to_tell_the_admin: "Again.",
        };
        let body = page
            .render()
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("<code id=\"error-code\">nonce_reused</code>"));
        assert!(text.contains("Used &lt;once&gt;."));
    }
}
