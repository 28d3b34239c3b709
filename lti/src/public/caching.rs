//! Caching headers of the public routes: a strong `ETag` from the body's SHA-256, answers of
//! `304 Not Modified` to a matching `If-None-Match`, and the `Cache-Control` policy of each
//! kind of document. Credential pages and status lists change when a status changes, so they
//! may be kept only briefly; a baked image of a credential never changes (the signed
//! credential is never rewritten), so it is immutable.

use axum::body::Body;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Credential pages (HTML): the status on them changes on revocation or suspension.
pub const PAGE: &str = "public, max-age=60, must-revalidate";
/// Status lists: re-signed on every revocation or suspension; verifiers must see that soon.
pub const STATUS_LIST: &str = "public, max-age=60, must-revalidate";
/// The signed credential as JSON and the OB 2.0 documents: the credential never changes, but
/// the hosted OB 2.0 assertion turns into its revoked form, so it is kept briefly too.
pub const DOCUMENT: &str = "public, max-age=300, must-revalidate";
/// Issuer profiles: a key rotation adds a key; verifiers re-read within minutes.
pub const ISSUER: &str = "public, max-age=300, must-revalidate";
/// Baked images of a credential: the credential and its image never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Answers that belong to one person (the CLR export, the issuance log) and errors.
pub const PRIVATE: &str = "no-store";

/// The strong entity tag of a body: `"` + the first 32 hex digits of its SHA-256 + `"`.
pub fn etag(body: &[u8]) -> String {
    let hash = cairn::credential::canon::hex(&cairn::credential::canon::sha256(body));
    format!("\"{}\"", &hash[..32])
}

/// Whether `If-None-Match` names `etag` (or is `*`): the client's copy is current. Weak
/// validators (`W/"…"`) match too, as RFC 9110 asks for `If-None-Match`.
pub fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// A cacheable answer: `body` with its media type, `ETag` and `Cache-Control`, or `304` with
/// the same validators when the request's `If-None-Match` already names it. `vary_accept`
/// adds `Vary: Accept` (a URL whose body depends on content negotiation).
pub fn cached(
    request: &HeaderMap,
    content_type: &str,
    cache_control: &'static str,
    vary_accept: bool,
    body: Vec<u8>,
) -> Response {
    let tag = etag(&body);
    let mut response = if matches(request, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Response::new(Body::from(body));
        if let Ok(value) = HeaderValue::from_str(content_type) {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
        response
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    if vary_accept {
        headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_if_none_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    #[test]
    fn etag_follows_the_body() {
        let a = etag(b"one");
        assert_eq!(a, etag(b"one"));
        assert_ne!(a, etag(b"two"));
        assert_eq!(a.len(), 34);
        assert!(a.starts_with('"') && a.ends_with('"'));
    }

    #[test]
    fn if_none_match_gives_304_with_the_validators() {
        let body = b"hello".to_vec();
        let tag = etag(&body);
        let fresh = cached(&HeaderMap::new(), "text/plain", PAGE, true, body.clone());
        assert_eq!(fresh.status(), StatusCode::OK);
        assert_eq!(fresh.headers()[header::ETAG], tag.as_str());
        assert_eq!(fresh.headers()[header::VARY], "Accept");
        for value in [tag.clone(), format!("\"x\", W/{tag}"), "*".to_owned()] {
            let again = cached(
                &with_if_none_match(&value),
                "text/plain",
                PAGE,
                false,
                body.clone(),
            );
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{value}");
            assert_eq!(again.headers()[header::CACHE_CONTROL], PAGE);
            assert!(again.headers().get(header::CONTENT_TYPE).is_none());
        }
        let stale = cached(
            &with_if_none_match("\"other\""),
            "text/plain",
            PAGE,
            false,
            body,
        );
        assert_eq!(stale.status(), StatusCode::OK);
    }
}
