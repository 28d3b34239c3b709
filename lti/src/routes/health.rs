//! `GET /health`: liveness for load balancers and the demo, with the database backend and
//! whether it answers. 200 when it does, 503 when it does not (so a balancer drops the node).
//! `GET /metrics`: [`crate::metrics::Metrics`] as Prometheus text, with the pool and the score
//! outbox read now.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
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

/// The metrics exposition text.
pub async fn metrics(
    State(state): State<AppState>,
) -> ([(header::HeaderName, &'static str); 1], String) {
    // The outbox gauges are read now; a failed read leaves their last values.
    match state.store.outbox().outbox_stats().await {
        Ok(stats) => state.metrics.set_outbox(&stats, state.now()),
        Err(err) => tracing::warn!(code = "outbox_stats_failed", error = %err, "metrics"),
    }
    let text = state.metrics.render(&state.store.pool_state());
    ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text)
}
