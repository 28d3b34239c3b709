//! `GET /health`: liveness for load balancers and the demo, with the database backend and
//! whether it answers. 200 when it does, 503 when it does not (so a balancer drops the node).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;

/// `{"status": "ok"|"degraded", "version", "database": {"backend", "ok"}}`.
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let answered = state.store.ping().await;
    if let Err(error) = &answered {
        tracing::warn!(%error, "health: the database does not answer");
    }
    let ok = answered.is_ok();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ok { "ok" } else { "degraded" },
        "version": crate::VERSION,
        "database": { "backend": state.store.backend(), "ok": ok }
    });
    (status, Json(body))
}
