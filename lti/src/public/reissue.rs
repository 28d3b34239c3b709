//! `POST /api/credentials/{id}/reissue` with `{"reason": "…"}` (REQ-ISSUE-06, `docs/format.md`
//! §5.7): an instructor of the credential's context, or an admin of its registration,
//! replaces a revoked credential. The core decides: the route appends its
//! `credential_reissued` through [`crate::records::append`], and the issuance the core then
//! derives (a new cycle, `reissue_of` naming the revoked one's) is signed and stored in the
//! same transaction as the event, by the same planning as every write. The credential must be
//! revoked first (`POST /api/credentials/{id}/revoke`, which re-signs the status list and
//! writes `credential_revoked`), so the status list never says less than the record; and it
//! must be the learner's latest of its definition, the one the core's event replaces.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use cairn::event::{EventKind, Reissue};
use cairn::ids::DefinitionId;
use cairn::record::Record;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::manage::{CredentialSummary, author_of, authorized_row, conflict, reason_of, summary};
use crate::AppState;
use crate::api::caller::RequestId;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::write::write_error;
use crate::records::WriteError;
use crate::session::{Launched, Require};

/// The answer of a reissue: the revoked credential, its replacement and the record's event.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reissued {
    /// The revoked credential the reissue replaces.
    pub replaces: CredentialSummary,
    /// The new credential; absent when it could not be signed now (a configuration
    /// problem, logged): the event stands and the sweep signs it later.
    pub credential: Option<CredentialSummary>,
    /// The seq of the `credential_reissued` event on the learner's record.
    pub event_seq: i64,
}

/// `POST /api/credentials/{id}/reissue` with `{"reason": "…"}`: reissues a revoked
/// credential (instructors of its context, admins). 404 for an unknown id or another
/// tenant's, 409 `not_revoked` or `not_latest`, or the core's code when it refuses
/// (`criteria_not_met`: a correction that removes the grounds is a plain revocation).
#[utoipa::path(post, path = "/api/credentials/{id}/reissue", tag = "credentials",
    security(("bearer" = ["instructor"])),
    params(("id" = String, Path)), request_body = super::manage::StatusChangeBody,
    responses((status = 201, body = Reissued), (status = "4XX", body = ErrorBody)))]
pub async fn reissue(
    State(state): State<AppState>,
    caller: Require<Launched>,
    request_id: RequestId,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(axum::http::StatusCode, Json<Reissued>), ApiError> {
    let row = authorized_row(&state, caller.caller(), &id).await?;
    let reason = reason_of(&body, true)?.unwrap_or_default();
    if row.revoked_at.is_none() {
        return Err(conflict(
            "not_revoked",
            "revoke this credential first (POST /api/credentials/{id}/revoke); a reissue replaces a revoked credential",
        )
        .into());
    }
    // The core's event replaces the definition's latest issuance: an older one is not it.
    let stored = state.records.learner_credentials(&row.scope).await?;
    let latest = stored
        .iter()
        .filter(|r| r.definition_id == row.definition_id)
        .max_by_key(|r| (r.issued_at, r.cycle));
    if latest.map(|r| r.id.as_str()) != Some(row.id.as_str()) {
        return Err(conflict(
            "not_latest",
            "a later credential of this definition replaced this one; reissue the latest",
        )
        .into());
    }
    let author = author_of(caller.caller(), request_id.0);
    let kind = EventKind::CredentialReissued(Box::new(Reissue {
        credential: DefinitionId::new(&row.definition_id),
        reason: Some(reason),
        by: Some(author.sub.clone()),
    }));
    let meta = json!({"credential_id": row.id, "via": "reissue"});
    let (definition, cycle) = (row.definition_id.clone(), row.cycle);
    let check = move |record: &Record| replaces(record, &definition, cycle);
    let appended = crate::records::append_checked(&state, &row.scope, &author, kind, meta, &check)
        .await
        .map_err(write_error)?;
    let now = state.now();
    let credential = appended
        .issued
        .iter()
        .find(|c| c.definition_id == row.definition_id)
        .map(|c| summary(&state, c, now));
    Ok((
        axum::http::StatusCode::CREATED,
        Json(Reissued {
            replaces: summary(&state, &row, now),
            credential,
            event_seq: appended.seq,
        }),
    ))
}

/// The reissue's precondition on the record folded with its event: the new issuance of
/// `definition` replaces cycle `cycle`, the revoked credential's. Another reissue committed
/// since the route's check would make the core replace (and revoke, in the record only)
/// that one's replacement instead: refused `not_latest`, nothing stored.
pub fn replaces(record: &Record, definition: &str, cycle: i64) -> Result<(), WriteError> {
    let replaced = record
        .credentials
        .get(definition)
        .and_then(|c| c.issuances.last())
        .and_then(|i| i.reissue_of);
    if replaced.map(i64::from) == Some(cycle) {
        return Ok(());
    }
    Err(WriteError::Refused {
        code: "not_latest".to_owned(),
        message: "a later credential of this definition replaced this one; reissue the latest"
            .to_owned(),
    })
}
