//! Response headers every answer carries: the Content-Security-Policy of the tool page,
//! `X-Content-Type-Options`, `Referrer-Policy`, and the exact media types of `.wasm` and
//! JavaScript modules. Sets headers only; never reads or changes a body.

use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The page's policy: scripts and styles only from this origin (no inline code),
/// `'wasm-unsafe-eval'` so the core can be compiled from `www/pkg/`, no plugins, no `<base>`.
/// `frame-ancestors` is left to the LTI launch, which knows the platform that embeds the tool.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// The media type for a request path's file extension, where a browser is strict about it
/// (`WebAssembly.instantiateStreaming` and module scripts); `None` leaves the guess as is.
pub fn media_type_for(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.').map(|(_, ext)| ext)?;
    match ext {
        "wasm" => Some("application/wasm"),
        "mjs" | "js" => Some("text/javascript; charset=utf-8"),
        "json" => Some("application/json"),
        "css" => Some("text/css; charset=utf-8"),
        "html" => Some("text/html; charset=utf-8"),
        "svg" => Some("image/svg+xml"),
        _ => None,
    }
}

/// Middleware adding the security headers and the exact media types.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let media_type = media_type_for(request.uri().path());
    let mut response = next.run(request).await;
    let is_success = response.status().is_success();
    let headers = response.headers_mut();
    // A page the server renders itself sets its own policy (e.g. a form to the platform).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some(media_type) = media_type
        && is_success
    {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    } else if headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == "text/html")
    {
        // A folder's index.html: say the charset instead of leaving it to sniffing.
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::media_type_for;

    #[test]
    fn wasm_and_modules_get_exact_media_types() {
        assert_eq!(
            media_type_for("/pkg/cairn_wasm_bg.wasm"),
            Some("application/wasm")
        );
        assert_eq!(
            media_type_for("/app.mjs"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(
            media_type_for("/pkg/cairn_wasm.js"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(media_type_for("/"), None);
        assert_eq!(media_type_for("/health"), None);
    }
}
