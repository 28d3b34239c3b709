//! The score outbox in the admin API (behind the admin token, like `routes/admin.rs`):
//! `GET /api/admin/outbox/parked` lists parked scores with their reason and the platform's
//! answer; `POST /api/admin/outbox/{id}/replay` puts one back in the queue, due now.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::error::AppError;

/// The most rows one page lists.
pub const MAX_PAGE: i64 = 500;

/// `?after=&limit=`: keyset paging by row id.
#[derive(Debug, Default, Deserialize)]
pub struct ParkedQuery {
    /// List rows with a larger id (default 0).
    pub after: Option<i64>,
    /// At most this many (default and cap [`MAX_PAGE`]).
    pub limit: Option<i64>,
}

/// `GET /api/admin/outbox/parked`: `{rows: [...], next}`, oldest first.
#[utoipa::path(get, path = "/api/admin/outbox/parked", tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn parked(
    State(state): State<AppState>,
    page: Result<Query<ParkedQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(page) = page.map_err(|rejection| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    })?;
    let limit = page.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let rows = state
        .store
        .outbox()
        .parked_scores(page.after.unwrap_or(0), limit)
        .await
        .map_err(AppError::from)?;
    let next = (i64::try_from(rows.len()).unwrap_or(i64::MAX) >= limit)
        .then(|| rows.last().map(|row| row.id))
        .flatten();
    let listed: Vec<_> = rows
        .iter()
        .map(|row| {
            json!({
                "id": row.id,
                "registration_id": row.registration_id,
                "context_id": row.context_id,
                "learner_sub": row.learner_sub,
                "assessment_id": row.assessment_id,
                "state": row.state_key,
                "reason": row.reason,
                "detail": row.detail,
                "tries": row.tries,
                "timestamp": crate::advantage::ags_types::rfc3339_millis(row.timestamp_ms),
                "created_at": row.created_at,
            })
        })
        .collect();
    Ok(Json(json!({ "rows": listed, "next": next })).into_response())
}

/// `POST /api/admin/outbox/{id}/replay`: 200 when the parked row is queued again, 404 when
/// no parked row has that id.
#[utoipa::path(post, path = "/api/admin/outbox/{id}/replay", tag = "admin", security(("admin_token" = [])),
    params(("id" = i64, Path, description = "the outbox row")),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn replay(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let replayed = state
        .store
        .outbox()
        .replay_score(id, state.clock.now_ms())
        .await
        .map_err(AppError::from)?;
    if !replayed {
        return Err(AppError::not_found(format!("no parked score has id {id}")));
    }
    state.outbox_wake.notify_one();
    Ok(Json(json!({ "id": id, "status": "pending" })).into_response())
}
