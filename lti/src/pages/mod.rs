//! The server's own HTML: the launch error page, the login and launch pages of the three
//! browser-binding modes (`spec/lti.md` §3.3), the auto-submitting form and the tool page after
//! a launch (its template cached by [`index_file`]). Every value is escaped here ([`escape`]) or serialized as JSON that cannot close its
//! `<script>` element ([`json_for_script`]); no page carries inline script, so the strict
//! Content-Security-Policy holds. Each page gets its own policy from [`csp`].

pub mod binding;
pub mod error;
pub mod index_file;
pub mod tool;

use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Text made safe for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// JSON for a `<script type="application/json">` element: `<`, `>` and `&` are written as
/// `\u003c`, `\u003e`, `\u0026`, so no value can end the element or open a comment.
pub fn json_for_script(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The Content-Security-Policy of a server-rendered page: scripts only from this origin (and
/// wasm), no inline code, forms only to `form_targets` (besides this origin), no plugins, no `<base>`.
pub fn csp(form_targets: &[&str]) -> String {
    let mut form_action = String::from("'self'");
    for target in form_targets {
        form_action.push(' ');
        form_action.push_str(&csp_source(target));
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action {form_action}"
    )
}

/// A URL as a CSP source: scheme, host and port of it, path kept (CSP matches path prefixes);
/// characters that would end the directive are dropped.
fn csp_source(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or("");
    without_query
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ';' && *c != ',' && *c != '\'')
        .collect()
}

/// A complete HTML document in Cairn's look: `title`, then `body` (already escaped HTML).
/// `scripts` are module paths on this origin.
pub fn document(title: &str, body: &str, scripts: &[&str]) -> String {
    let mut head_scripts = String::new();
    for script in scripts {
        head_scripts.push_str(&format!(
            "  <script type=\"module\" src=\"{}\"></script>\n",
            escape(script)
        ));
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  \
         <title>{title} — Cairn</title>\n  <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n  \
         <link rel=\"stylesheet\" href=\"/style.css\">\n{head_scripts}</head>\n<body>\n\
         <header class=\"site-header\"><p class=\"brand\"><span class=\"brand-mark\" aria-hidden=\"true\">▲</span> Cairn</p></header>\n\
         <main id=\"main\">\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
    )
}

/// An HTML answer with its own Content-Security-Policy and `Cache-Control: no-store`
/// (these pages carry one-time values).
pub fn html_response(status: StatusCode, policy: &str, html: String) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(policy) = HeaderValue::from_str(policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    (status, headers, html).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn json_cannot_close_its_script_element() {
        let value = serde_json::json!({"name": "</script><script>alert(1)</script>", "a": "x&y"});
        let text = json_for_script(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn csp_allows_forms_only_to_the_given_targets() {
        let policy = csp(&["https://sso.canvaslms.com/api/lti/authorize_redirect?x=1"]);
        assert!(
            policy.contains(
                "form-action 'self' https://sso.canvaslms.com/api/lti/authorize_redirect"
            )
        );
        assert!(!policy.contains("x=1"));
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'"));
        let hostile = csp(&["https://a.test; script-src *"]);
        assert!(!hostile.contains("; script-src *"));
    }
}
