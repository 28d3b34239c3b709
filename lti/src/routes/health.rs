//! `GET /health`: a liveness answer for load balancers and the demo. Touches no storage yet.

use axum::Json;
use serde_json::{Value, json};

/// `{"status": "ok", "version": "<server version>"}`.
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": crate::VERSION }))
}
