//! What every public HTML page shares: escaping of text and attribute values, the check that
//! a URL from a credential may become a link, and the Content-Security-Policies of the public
//! routes. Pure.

/// The policy of the credential page: its module script and stylesheet from this origin (no
/// inline code or style), `'wasm-unsafe-eval'` for the verifier compiled from `/pkg/`, fetches
/// to this origin only (the credential and its status list), images from this origin or
/// `data:`, no plugins, no `<base>`, no forms, and no framing.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

/// The policy of documents that are data (JSON, JSON-LD, baked images): nothing runs, even
/// if a browser opens an SVG whose definition image carried a script (`sandbox`).
pub const DATA_CSP: &str =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

/// `text` escaped for HTML text and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a URL taken from a credential may be a link: absolute `https://` (or `http://`)
/// only, so a `javascript:` or `data:` value stays text.
pub fn linkable(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(escape("Ünïcode ✓"), "Ünïcode ✓");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert!(linkable("https://college.example/"));
        assert!(linkable("http://localhost:8080/x"));
        assert!(!linkable("javascript:alert(1)"));
        assert!(!linkable("JaVaScRiPt:alert(1)"));
        assert!(!linkable("data:text/html,<b>"));
        assert!(!linkable("https://a.example/\nx"));
        assert!(!linkable("/relative"));
    }

    #[test]
    fn page_policy_runs_no_inline_code() {
        assert!(PAGE_CSP.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(!PAGE_CSP.contains("unsafe-inline"));
        assert!(DATA_CSP.contains("sandbox"));
    }
}
