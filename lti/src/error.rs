//! [`AppError`]: the one error a JSON handler returns, answered as `{code, message, details}`
//! with its HTTP status. Internal failures (storage) reach the client only as `internal_error`;
//! their cause rides in a response extension ([`InternalCause`]) that the request middleware
//! logs once, with the request id.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::store::StoreError;

/// An error answer of the JSON API.
#[derive(Debug)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable snake_case code clients branch on.
    pub code: &'static str,
    /// A sentence for a person.
    pub message: String,
    /// Extra data (which field, which value); `null` when there is none.
    pub details: Value,
    /// For 5xx: what went wrong inside, logged and never sent.
    internal: Option<String>,
}

/// The hidden cause of a 5xx answer, for the request log line.
#[derive(Clone, Debug)]
pub struct InternalCause(pub String);

impl AppError {
    /// An error answer with no details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            details: Value::Null,
            internal: None,
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: Value) -> AppError {
        self.details = details;
        self
    }

    /// A 500 whose cause is logged, not shown.
    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        let mut error = AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to answer; the administrator can find the cause in the log by the x-request-id",
        );
        error.internal = Some(cause.to_string());
        error
    }

    /// 404 with code `not_found`.
    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::AlreadyExists(what) => AppError::new(
                StatusCode::CONFLICT,
                "already_exists",
                format!("{what} already exists"),
            ),
            StoreError::NotFound(what) => AppError::not_found(format!("{what} not found")),
            StoreError::InUse(what) => AppError::new(StatusCode::CONFLICT, "in_use", what),
            other => AppError::internal(other),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = json!({ "code": self.code, "message": self.message, "details": self.details });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(cause) = self.internal {
            response.extensions_mut().insert(InternalCause(cause));
        }
        response
    }
}
