//! The admin API under `/api/admin`, behind `Authorization: Bearer <admin token>`: list, add
//! and remove registrations and deployments. Off (404) when no admin token is configured;
//! 401 for a missing or wrong token. Bodies are JSON of at most [`MAX_BODY_BYTES`]. The work
//! itself is [`crate::admin`]'s, shared with the CLI.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::admin::{self, AdminError, RegistrationInput};
use crate::error::AppError;

/// The largest admin request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Middleware: the admin API exists only with a token, and answers only to it.
pub async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(token) = &state.config.admin_token else {
        return AppError::not_found(
            "the admin API is off: start the server with --admin-token or CAIRN_ADMIN_TOKEN",
        )
        .into_response();
    };
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        // The scheme name is case-insensitive (RFC 9110 §11.1).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token);
    match presented {
        Some(presented) if token.matches(presented.trim()) => next.run(request).await,
        _ => {
            let mut response = AppError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send the admin token as `Authorization: Bearer <token>`",
            )
            .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            response
        }
    }
}

impl From<AdminError> for AppError {
    fn from(error: AdminError) -> AppError {
        let message = error.to_string();
        let code = error.code();
        match error {
            AdminError::InvalidField { field, value } => {
                AppError::new(StatusCode::BAD_REQUEST, code, message)
                    .with_details(json!({ "field": field, "value": value }))
            }
            AdminError::InvalidUrl {
                field,
                value,
                reason,
            } => AppError::new(StatusCode::BAD_REQUEST, code, message)
                .with_details(json!({ "field": field, "value": value, "reason": reason })),
            AdminError::RegistrationExists { issuer, client_id } => {
                AppError::new(StatusCode::CONFLICT, code, message)
                    .with_details(json!({ "issuer": issuer, "client_id": client_id }))
            }
            AdminError::UnknownRegistration { issuer, client_id } => {
                AppError::new(StatusCode::NOT_FOUND, code, message)
                    .with_details(json!({ "issuer": issuer, "client_id": client_id }))
            }
            AdminError::UnknownDeployment {
                issuer,
                client_id,
                deployment_id,
            } => AppError::new(StatusCode::NOT_FOUND, code, message).with_details(
                json!({ "issuer": issuer, "client_id": client_id, "deployment_id": deployment_id }),
            ),
            AdminError::Store(error) => AppError::from(error),
        }
    }
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    body.map(|Json(value)| value).map_err(|rejection| {
        AppError::new(rejection.status(), "invalid_body", rejection.body_text())
    })
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, AppError> {
    query.map(|Query(value)| value).map_err(|rejection| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    })
}

/// `?issuer=&client_id=`: one registration.
#[derive(Debug, Deserialize)]
pub struct RegistrationKey {
    /// The platform's `iss`.
    pub issuer: String,
    /// The client id.
    pub client_id: String,
}

/// `?issuer=&client_id=&deployment_id=` or the same as a JSON body: one deployment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentKey {
    /// The platform's `iss`.
    pub issuer: String,
    /// The client id.
    pub client_id: String,
    /// The deployment id.
    pub deployment_id: String,
}

/// `GET /api/admin/registrations`: every registration.
#[utoipa::path(get, path = "/api/admin/registrations", tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn list_registrations(State(state): State<AppState>) -> Result<Response, AppError> {
    let registrations = admin::registrations(state.store.as_ref()).await?;
    Ok(Json(registrations).into_response())
}

/// `POST /api/admin/registrations`: 201 with the stored registration.
#[utoipa::path(post, path = "/api/admin/registrations", request_body = Object, tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn add_registration(
    State(state): State<AppState>,
    input: Result<Json<RegistrationInput>, JsonRejection>,
) -> Result<Response, AppError> {
    let input = body(input)?;
    let added =
        admin::add_registration(state.store.as_ref(), input.into(), state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// `DELETE /api/admin/registrations?issuer=&client_id=`: 204.
#[utoipa::path(delete, path = "/api/admin/registrations", tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn remove_registration(
    State(state): State<AppState>,
    key: Result<Query<RegistrationKey>, QueryRejection>,
) -> Result<Response, AppError> {
    let key = query(key)?;
    admin::remove_registration(state.store.as_ref(), &key.issuer, &key.client_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/admin/deployments?issuer=&client_id=`: the registration's deployments.
#[utoipa::path(get, path = "/api/admin/deployments", tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn list_deployments(
    State(state): State<AppState>,
    key: Result<Query<RegistrationKey>, QueryRejection>,
) -> Result<Response, AppError> {
    let key = query(key)?;
    let deployments = admin::deployments(state.store.as_ref(), &key.issuer, &key.client_id).await?;
    Ok(Json(deployments).into_response())
}

/// `POST /api/admin/deployments` with `{issuer, client_id, deployment_id}`: 201.
#[utoipa::path(post, path = "/api/admin/deployments", request_body = Object, tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn add_deployment(
    State(state): State<AppState>,
    input: Result<Json<DeploymentKey>, JsonRejection>,
) -> Result<Response, AppError> {
    let key = body(input)?;
    let added = admin::add_deployment(
        state.store.as_ref(),
        &key.issuer,
        &key.client_id,
        &key.deployment_id,
        state.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// `DELETE /api/admin/deployments?issuer=&client_id=&deployment_id=`: 204.
#[utoipa::path(delete, path = "/api/admin/deployments", tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn remove_deployment(
    State(state): State<AppState>,
    key: Result<Query<DeploymentKey>, QueryRejection>,
) -> Result<Response, AppError> {
    let key = query(key)?;
    admin::remove_deployment(
        state.store.as_ref(),
        &key.issuer,
        &key.client_id,
        &key.deployment_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
