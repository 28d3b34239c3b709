//! PLAR requests: a learner asks for prior learning to be recognised, with evidence (URLs or
//! their uploaded files); the request is kept (it is not a core event) until an instructor
//! decides with `POST /api/learners/{sub}/plar-decisions` (naming the request), which writes
//! the core's `plar_granted` or `plar_denied`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::bodies::PlarRequestBody;
use crate::api::caller::{Tenant, own_scope};
use crate::api::error::{ApiError, Body, ErrorBody};
use crate::api::events::check_text;
use crate::api::submissions::check_evidence;
use crate::session::{Instructor, Learner, Require};
use crate::store::api_rows::PlarRequestRow;

/// A stored PLAR request.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlarRequestView {
    /// Its id (name it in the decision).
    pub id: String,
    /// The learner.
    pub learner_sub: String,
    /// What was asked.
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// When (Unix s).
    pub created_at: i64,
}

impl From<PlarRequestRow> for PlarRequestView {
    fn from(row: PlarRequestRow) -> PlarRequestView {
        PlarRequestView {
            id: row.id,
            learner_sub: row.learner_sub,
            request: row.body,
            created_at: row.created_at,
        }
    }
}

/// The learner asks for PLAR, with evidence.
#[utoipa::path(post, path = "/api/me/plar-requests", tag = "me", security(("bearer" = ["learner"])), request_body = PlarRequestBody,
    responses((status = 201, body = PlarRequestView), (status = "4XX", body = ErrorBody)))]
pub async fn request(
    caller: Require<Learner>,
    State(state): State<AppState>,
    Body(body): Body<PlarRequestBody>,
) -> Result<(StatusCode, Json<PlarRequestView>), ApiError> {
    let scope = own_scope(caller.caller())?;
    if let Some(statement) = &body.statement {
        check_text("statement", statement)?;
    }
    if body.competency.is_some() == body.component.is_some() {
        return Err(ApiError::invalid_input(
            "name either a competency or a component",
        ));
    }
    check_evidence(&state, &scope, &body.evidence).await?;
    let row = PlarRequestRow {
        id: crate::random::token().map_err(ApiError::internal)?,
        learner_sub: scope.learner_sub.clone(),
        body: serde_json::to_value(&body).map_err(ApiError::internal)?,
        created_at: state.now(),
    };
    state
        .store
        .api_rows()
        .insert_plar_request(scope.registration_id, &scope.context_id, &row)
        .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// The learner's own PLAR requests.
#[utoipa::path(get, path = "/api/me/plar-requests", tag = "me", security(("bearer" = ["learner"])),
    responses((status = 200, body = Vec<PlarRequestView>), (status = "4XX", body = ErrorBody)))]
pub async fn own_requests(
    caller: Require<Learner>,
    State(state): State<AppState>,
) -> Result<Json<Vec<PlarRequestView>>, ApiError> {
    let scope = own_scope(caller.caller())?;
    let rows = state
        .store
        .api_rows()
        .plar_requests(
            scope.registration_id,
            &scope.context_id,
            Some(&scope.learner_sub),
        )
        .await?;
    Ok(Json(rows.into_iter().map(PlarRequestView::from).collect()))
}

/// Every PLAR request of the context (instructors).
#[utoipa::path(get, path = "/api/plar-requests", tag = "learners", security(("bearer" = ["instructor"])),
    responses((status = 200, body = Vec<PlarRequestView>), (status = "4XX", body = ErrorBody)))]
pub async fn all_requests(
    caller: Require<Instructor>,
    State(state): State<AppState>,
) -> Result<Json<Vec<PlarRequestView>>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let rows = state
        .store
        .api_rows()
        .plar_requests(tenant.registration_id, &tenant.context_id, None)
        .await?;
    Ok(Json(rows.into_iter().map(PlarRequestView::from).collect()))
}
