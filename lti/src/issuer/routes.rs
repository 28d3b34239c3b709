//! The admin API of a registration's issuer, under `/api/admin/issuer` behind the admin token
//! (the same functions as `cairn-lti issuer …`): `GET` shows the profile and public keys,
//! `PUT` creates the issuer if needed and replaces its profile, `POST …/rotate-key` gives it
//! a new signing key (the old one stays published). Answers never carry a secret.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{IssuerError, Profile};
use crate::AppState;
use crate::error::AppError;
use crate::store::Registration;

/// `?issuer=&client_id=`: the registration whose issuer is meant.
#[derive(Debug, Deserialize)]
pub struct RegistrationQuery {
    /// The platform's `iss`.
    pub issuer: String,
    /// The client id.
    pub client_id: String,
}

impl From<IssuerError> for AppError {
    fn from(error: IssuerError) -> AppError {
        match error {
            IssuerError::Store(err) => AppError::from(err),
            IssuerError::Profile(message) => {
                AppError::new(StatusCode::BAD_REQUEST, "invalid_profile", message)
            }
            IssuerError::NoRegistration(id) => AppError::not_found(format!("registration {id}")),
            other => AppError::internal(other),
        }
    }
}

async fn registration(
    state: &AppState,
    query: Result<Query<RegistrationQuery>, QueryRejection>,
) -> Result<Registration, AppError> {
    let Query(key) = query.map_err(|rejection| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    })?;
    state
        .store
        .registration(&key.issuer, &key.client_id)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "registration (issuer {:?}, client_id {:?})",
                key.issuer, key.client_id
            ))
        })
}

/// `GET /api/admin/issuer?issuer=&client_id=`: the issuer's profile and public keys.
#[utoipa::path(get, path = "/api/admin/issuer", tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    query: Result<Query<RegistrationQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    let registration = registration(&state, query).await?;
    let issuer = state
        .records
        .issuer_for_registration(registration.id)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "an issuer for registration {} (the first credential or PUT creates it)",
                registration.id
            ))
        })?;
    Ok(Json(
        super::public_view(state.records.as_ref(), &issuer).await?,
    ))
}

/// `PUT /api/admin/issuer?issuer=&client_id=` with the whole profile (`name`, `url`, `email`,
/// `image`, `description`): creates the issuer if needed, checks and stores the profile.
#[utoipa::path(put, path = "/api/admin/issuer", tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn set(
    State(state): State<AppState>,
    query: Result<Query<RegistrationQuery>, QueryRejection>,
    body: Result<Json<Profile>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let registration = registration(&state, query).await?;
    let Json(profile) = body.map_err(|rejection| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            rejection.body_text(),
        )
    })?;
    let issuer = super::ensure(&state, registration.id).await?;
    let issuer = super::set_profile(state.records.as_ref(), &issuer, &profile, state.now()).await?;
    state.engine.forget_signer(registration.id);
    Ok(Json(
        super::public_view(state.records.as_ref(), &issuer).await?,
    ))
}

/// `POST /api/admin/issuer/rotate-key?issuer=&client_id=`: a new signing key; the old one
/// stays published so that the credentials it signed keep verifying.
#[utoipa::path(post, path = "/api/admin/issuer/rotate-key", tag = "admin", security(("admin_token" = [])),
    responses((status = 200), (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn rotate_key(
    State(state): State<AppState>,
    query: Result<Query<RegistrationQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    let registration = registration(&state, query).await?;
    let key_id = super::rotate(&state, registration.id).await?;
    Ok(Json(json!({ "key_id": key_id })))
}
