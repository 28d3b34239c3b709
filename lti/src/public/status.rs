//! `GET /status/{id}`: a status list's signed `BitstringStatusListCredential`, as stored by
//! [`crate::status_lists::regenerate`] after the last revocation or suspension (signed on the
//! first read when the list was never generated). Kept only briefly by caches: verifiers must
//! see a revocation soon.

use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::caching::{self, cached};
use super::credential::{not_found, set};
use super::html::DATA_CSP;
use super::negotiate::{Representation, negotiate};
use crate::AppState;
use crate::error::AppError;
use crate::status_lists::regenerate;

/// `GET /status/{id}`.
pub async fn status_list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    let now = state.now();
    let list = match state.records.status_list(&id).await {
        Ok(Some(list)) => list,
        Ok(None) => return not_found("status list"),
        Err(error) => return AppError::internal(error).into_response(),
    };
    let credential = match list.credential {
        Some(credential) => credential,
        None => match regenerate(&state, &id, now).await {
            Ok(credential) => credential,
            Err(error) => return AppError::internal(error).into_response(),
        },
    };
    let accept = request.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let media = match negotiate(accept) {
        Representation::Json(media) => media,
        Representation::Html => "application/vc+ld+json",
    };
    let mut response = cached(
        &request,
        media,
        caching::STATUS_LIST,
        true,
        credential.to_string().into_bytes(),
    );
    set(&mut response, header::CONTENT_SECURITY_POLICY, DATA_CSP);
    response
}
