//! `GET /api/session`: who the page is talking for — the launched person's roles, course and
//! registration scope, from the caller's own session only (no id in the request to tamper with).

use axum::Json;
use serde_json::{Value, json};

use crate::session::{Launched, Require};

/// The caller's session, as the page needs it (never the token or its hash).
#[utoipa::path(get, path = "/api/session", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn current(caller: Require<Launched>) -> Json<Value> {
    let session = &caller.caller().session;
    Json(json!({
        "registration_id": session.registration_id,
        "deployment_id": session.deployment_id,
        "context_id": session.context_id,
        "user_sub": session.user_sub,
        "roles": session.roles,
        "name": session.claims.get("name"),
        "context": session.claims.get("context"),
        "message_type": session.claims.get("message_type"),
        "test_user": session.claims.get("test_user"),
        "placement": session.claims.get("placement"),
        "expires_at": session.token_expires_at,
    }))
}
