//! The Open Badges 2.0 hosted documents of a credential (`spec/badges.md` §9), for older
//! backpacks: the `Assertion` at `/ob2/assertions/{id}`, its `BadgeClass` at
//! `/ob2/assertions/{id}/badge`, and the issuer `Profile` at `/ob2/issuers/{issuer}`, all on
//! this server's origin as hosted verification requires. The core derives them from the
//! signed OB 3.0 credential (`cairn::credential::export::ob2_export`). A revoked credential's
//! assertion answers `410 Gone` with the core's revoked form; so does a suspended one while
//! the suspension lasts (OB 2.0 has no suspension).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap};
use axum::response::{IntoResponse, Response};
use cairn::credential::export::{OB2_CONTEXT, ob2_export, ob2_revoked_assertion};
use serde_json::{Value, json};

use super::caching::{self, cached};
use super::credential::{lookup, not_found, ob2_hosting, set};
use super::html::DATA_CSP;
use crate::AppState;

const MEDIA: &str = "application/ld+json";

fn document(request: &HeaderMap, value: &Value) -> Response {
    let mut response = cached(
        request,
        MEDIA,
        caching::DOCUMENT,
        false,
        value.to_string().into_bytes(),
    );
    set(&mut response, header::CONTENT_SECURITY_POLICY, DATA_CSP);
    response
}

/// `GET /ob2/assertions/{id}` and `GET /ob2/assertions/{id}/badge`.
pub async fn assertion(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    hosted(&state, &id, false, &request).await
}

/// `GET /ob2/assertions/{id}/badge`: the BadgeClass.
pub async fn badge_class(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    hosted(&state, &id, true, &request).await
}

async fn hosted(state: &AppState, id: &str, badge: bool, request: &HeaderMap) -> Response {
    let row = match lookup(state, id).await {
        Ok(Some(row)) => row,
        Ok(None) => return not_found("assertion"),
        Err(response) => return response,
    };
    let hosting = ob2_hosting(state, &row);
    let Ok(export) = ob2_export(&row.body, &hosting) else {
        // The credential has no OB 2.0 form (no hashed email, no issuer email…).
        return not_found("Open Badges 2.0 assertion");
    };
    if badge {
        return document(request, &export.badge_class);
    }
    let withdrawn = match (&row.revoked_at, &row.suspended_at) {
        (Some(_), _) => Some(row.revoked_reason.clone()),
        (None, Some(_)) => Some(Some(match &row.suspended_reason {
            Some(reason) => format!("suspended: {reason}"),
            None => "suspended".to_owned(),
        })),
        (None, None) => None,
    };
    match withdrawn {
        None => document(request, &export.assertion),
        Some(reason) => {
            let body = ob2_revoked_assertion(&hosting.assertion_url, reason.as_deref());
            let mut response = (
                StatusCode::GONE,
                [(header::CONTENT_TYPE, MEDIA)],
                body.to_string(),
            )
                .into_response();
            set(&mut response, header::CACHE_CONTROL, caching::STATUS_LIST);
            set(&mut response, header::CONTENT_SECURITY_POLICY, DATA_CSP);
            response
        }
    }
}

/// The OB 2.0 issuer `Profile` of an issuer row's profile (name, url, email, description,
/// image), at `url`.
pub fn ob2_profile(url: &str, profile: &Value) -> Value {
    let mut out = json!({"@context": OB2_CONTEXT, "type": "Issuer", "id": url});
    for key in ["name", "url", "email", "description"] {
        if let Some(value) = profile.get(key).filter(|v| v.is_string()) {
            out[key] = value.clone();
        }
    }
    let image = match profile.get("image") {
        Some(Value::String(image)) => Some(image.clone()),
        Some(other) => other.get("id").and_then(Value::as_str).map(str::to_owned),
        None => None,
    };
    if let Some(image) = image {
        out["image"] = Value::String(image);
    }
    out
}

/// `GET /ob2/issuers/{id}`: the issuer profile OB 2.0 badge classes name.
pub async fn issuer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    let row = match state.records.issuer(&id).await {
        Ok(Some(row)) => row,
        Ok(None) => return not_found("issuer"),
        Err(error) => return crate::error::AppError::internal(error).into_response(),
    };
    let url = state
        .config
        .public_url
        .join(&format!("/ob2/issuers/{}", row.id));
    document(&request, &ob2_profile(&url, &row.profile))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_keeps_only_the_ob2_fields() {
        let profile = json!({"name": "College", "url": "https://c.example", "email": "a@c.example",
            "image": {"id": "https://c.example/logo.png", "type": "Image"}, "secret": "x"});
        let out = ob2_profile("https://tool.test/ob2/issuers/i1", &profile);
        assert_eq!(out["type"], "Issuer");
        assert_eq!(out["image"], "https://c.example/logo.png");
        assert_eq!(out["email"], "a@c.example");
        assert!(out.get("secret").is_none());
    }
}
