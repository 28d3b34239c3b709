//! The request middleware: gives every request an id (`x-request-id`, taken from the client
//! when it is a short token, generated otherwise), runs the request inside a `request` span
//! carrying that id, echoes it in the answer, and writes one log line per request with the
//! status and duration, plus the hidden cause of a 5xx ([`crate::error::InternalCause`]).
//! The duration also goes to the latency histogram, labelled by the matched route template
//! (never the raw path).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use tracing::Instrument;

use crate::AppState;
use crate::error::InternalCause;

/// The header carrying the request id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The client's request id if it is 1–128 characters of `[A-Za-z0-9._:-]` (so it is safe in a
/// log line), else a fresh random one (128 bits, base64url).
pub fn request_id(presented: Option<&HeaderValue>) -> String {
    let usable = presented.and_then(|v| v.to_str().ok()).filter(|id| {
        !id.is_empty()
            && id.len() <= 128
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    });
    match usable {
        Some(id) => id.to_owned(),
        None => {
            let mut bytes = [0u8; 16];
            // The system generator failing is not recoverable; a zero id still logs the request.
            let _ = aws_lc_rs::rand::fill(&mut bytes);
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        }
    }
}

/// Middleware: request id, span, one log line.
pub async fn log_requests(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let id = request_id(request.headers().get(REQUEST_ID_HEADER));
    if let Ok(value) = HeaderValue::from_str(&id) {
        request.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    // Files of the page share one label, so a scan of random paths cannot grow the metrics.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "static".to_owned(), |m| m.as_str().to_owned());
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let millis = seconds * 1000.0;
    let status = response.status().as_u16();
    state.metrics.observe_request(&route, status, seconds);
    span.in_scope(|| {
        if let Some(InternalCause(cause)) = response.extensions().get::<InternalCause>() {
            tracing::error!(status, millis, cause = %cause, "request failed");
        } else {
            tracing::info!(status, millis, "request");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_safe_client_id_is_kept_and_anything_else_replaced() {
        let kept = HeaderValue::from_static("abc-123.x");
        assert_eq!(request_id(Some(&kept)), "abc-123.x");
        let injected = HeaderValue::from_static("a b\" level=error");
        let fresh = request_id(Some(&injected));
        assert_ne!(fresh, "a b\" level=error");
        assert_eq!(fresh.len(), 22);
        assert_ne!(request_id(None), request_id(None));
    }
}
