//! `GET /.well-known/jwks.json`: the tool's public keys, next, current and previous
//! (`spec/lti.md` §6.2), cacheable for 300 s. Never a private key.

use axum::Json;
use axum::extract::State;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::AppError;

/// The tool's JWKS.
pub async fn tool_jwks(State(state): State<AppState>) -> Response {
    match crate::keys::jwks(state.store.as_ref()).await {
        Ok(document) => {
            let mut response = Json(document).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("max-age=300"),
            );
            response
        }
        Err(error) => AppError::internal(error).into_response(),
    }
}
