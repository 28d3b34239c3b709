//! The API's one way to write an event: through the engine's write path
//! ([`crate::records::append`]), which folds the learner's log plus the event at the server's
//! now, refuses what the core rejects (409 with the core's code and message here) and issues
//! what the event completes in the same transaction. The answer names the event's seq and
//! the credentials it issued.

use axum::http::StatusCode;
use cairn::event::EventKind;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::error::ApiError;
use crate::records::{self, ReadError, WriteError};
use crate::store::records::{Author, CredentialRow, LearnerScope};

/// The answer to a write: the stored event and what it issued.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written {
    /// The event's place in the log.
    pub seq: i64,
    /// The event as stored (canonical JSON, `at` = the server's now).
    #[schema(value_type = Object)]
    pub event: Value,
    /// The credentials this event completed, signed and stored with it.
    pub issued: Vec<IssuedCredential>,
}

/// A credential issued by a write.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedCredential {
    /// Its id (the UUID in the credential's URL).
    pub id: String,
    /// The definition.
    pub definition_id: String,
    /// The definition's version.
    pub version: String,
    /// The renewal cycle.
    pub cycle: i64,
    /// When it was issued (Unix s).
    pub issued_at: i64,
    /// End of validity (Unix s), if any.
    pub valid_until: Option<i64>,
}

impl From<&CredentialRow> for IssuedCredential {
    fn from(row: &CredentialRow) -> IssuedCredential {
        IssuedCredential {
            id: row.id.clone(),
            definition_id: row.definition_id.clone(),
            version: row.version.clone(),
            cycle: row.cycle,
            issued_at: row.issued_at,
            valid_until: row.valid_until,
        }
    }
}

/// Appends `kind` (with `meta`) to the learner's log: 201 with [`Written`], or the core's
/// refusal as 409.
pub async fn append(
    state: &AppState,
    scope: &LearnerScope,
    author: &Author,
    kind: EventKind,
    meta: Value,
) -> Result<(StatusCode, axum::Json<Written>), ApiError> {
    let appended = records::append(state, scope, author, kind, meta)
        .await
        .map_err(write_error)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Written {
            seq: appended.seq,
            event: serde_json::to_value(&appended.event).map_err(ApiError::internal)?,
            issued: appended.issued.iter().map(IssuedCredential::from).collect(),
        }),
    ))
}

/// The API answer for a refused or failed write: the core's refusal is 409 with its code
/// and message; contention is 503 `contended` (nothing was stored: try again).
pub fn write_error(error: WriteError) -> ApiError {
    match error {
        WriteError::Refused { code, message } => ApiError::refused(code, message),
        WriteError::Busy => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "contended",
            error.to_string(),
        ),
        other => ApiError::internal(other),
    }
}

/// The API answer for a failed read.
pub fn read_error(error: ReadError) -> ApiError {
    ApiError::internal(error)
}
