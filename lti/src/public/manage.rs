//! The credential routes of the JSON API that public owns: `POST
//! /api/credentials/{id}/revoke|suspend|unsuspend` (an instructor of the credential's
//! context, or an admin of its registration, with a reason), which change the status columns
//! through `RecordStore::set_credential_status` and re-sign the affected status list in the
//! same request, so the page and `/status/{list}` say so at once; and `GET /api/credentials`,
//! the context's issuance log for instructors, paged. A credential of another registration or
//! context is a 404 with no data, the same answer as an unknown id.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use cairn::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::credential::{is_uuid, page_url};
use super::view::{StatusColumns, standing};
use crate::AppState;
use crate::api::error::ErrorBody;
use crate::error::AppError;
use crate::launch::ProductRole;
use crate::session::{Caller, Instructor, Launched, Require};
use crate::status_lists::{allocate_suspension, list_url, regenerate};
use crate::store::StoreError;
use crate::store::records::{Author, CredentialRow, StatusChange};
use cairn::event::EventKind;
use cairn::ids::DefinitionId;
use serde_json::json;

/// Largest accepted body of a status change (a reason of a few sentences).
pub const MAX_BODY_BYTES: usize = 8 * 1024;
/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 1000;
/// Default and largest page of the issuance log.
pub const PAGE_DEFAULT: i64 = 50;
/// The largest page of the issuance log.
pub const PAGE_MAX: i64 = 200;
/// Attempts at drawing a free suspension index before giving up.
const SUSPEND_TRIES: usize = 5;

/// The body of a status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeBody {
    /// Why (required to revoke or suspend; optional to lift a suspension).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A credential as the API lists it (never the learner's identifiers).
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialSummary {
    /// The UUID.
    pub id: String,
    /// The public page.
    pub url: String,
    /// The learner's `sub`.
    pub learner_sub: String,
    /// The definition.
    pub definition_id: String,
    /// Its version.
    pub version: String,
    /// Renewal cycle.
    pub cycle: i64,
    /// Issue time (Unix seconds).
    pub issued_at: i64,
    /// End of validity.
    pub valid_until: Option<i64>,
    /// `valid`, `not_yet_valid`, `expired`, `revoked` or `suspended` at the server's now.
    pub status: &'static str,
    /// Revocation time, reason and author.
    pub revoked_at: Option<i64>,
    /// Why it was revoked.
    pub revoked_reason: Option<String>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// Suspension time, reason and author (while suspended).
    pub suspended_at: Option<i64>,
    /// Why it is suspended.
    pub suspended_reason: Option<String>,
    /// Who suspended it.
    pub suspended_by: Option<String>,
    /// The revocation list's URL.
    pub status_list: String,
}

/// The answer of a revocation: the credential, and the seq of the `credential_revoked`
/// event written on the learner's record (absent when the record was not changed: the
/// credential is not the learner's latest issuance of its definition, or the core refused).
#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    /// The credential after the change.
    #[serde(flatten)]
    pub credential: CredentialSummary,
    /// The record's event.
    pub event_seq: Option<i64>,
}

/// A page of the issuance log.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialPage {
    /// The credentials, ordered by id.
    pub items: Vec<CredentialSummary>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// The query of `GET /api/credentials`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The last id of the previous page.
    pub after: Option<String>,
    /// Page size (1–200, default 50).
    pub limit: Option<i64>,
}

/// The summary of a row at `now`.
pub fn summary(state: &AppState, row: &CredentialRow, now: i64) -> CredentialSummary {
    let columns = StatusColumns {
        revoked: row.revoked_at.map(|at| (at, row.revoked_reason.clone())),
        suspended: row
            .suspended_at
            .map(|at| (at, row.suspended_reason.clone())),
    };
    let status = standing(&row.body, &columns, Timestamp::from_unix_seconds(now)).code();
    CredentialSummary {
        id: row.id.clone(),
        url: page_url(state, row),
        learner_sub: row.scope.learner_sub.clone(),
        definition_id: row.definition_id.clone(),
        version: row.version.clone(),
        cycle: row.cycle,
        issued_at: row.issued_at,
        valid_until: row.valid_until,
        status,
        revoked_at: row.revoked_at,
        revoked_reason: row.revoked_reason.clone(),
        revoked_by: row.revoked_by.clone(),
        suspended_at: row.suspended_at,
        suspended_reason: row.suspended_reason.clone(),
        suspended_by: row.suspended_by.clone(),
        status_list: list_url(state, &row.status_list_id),
    }
}

/// The row of `id` if `caller` may change it: an admin of its registration, or an instructor
/// of its context. Another registration's or context's credential is `not_found`, like an
/// unknown id; a caller with neither role gets `forbidden_role` before any lookup.
pub(super) async fn authorized_row(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<CredentialRow, AppError> {
    let unknown = || AppError::not_found("no credential of yours to manage has this id");
    // A learner never may: say so before looking anything up.
    if !caller.has(ProductRole::Admin) && !caller.has(ProductRole::Instructor) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden_role",
            "revoking, suspending or reissuing a credential needs the instructor or admin role",
        ));
    }
    if !is_uuid(id) {
        return Err(unknown());
    }
    let row = state.records.credential(id).await?.ok_or_else(unknown)?;
    let session = &caller.session;
    if session.registration_id != row.scope.registration_id {
        return Err(unknown());
    }
    if caller.has(ProductRole::Admin) {
        return Ok(row);
    }
    if session.context_id.as_deref() != Some(row.scope.context_id.as_str()) {
        return Err(unknown());
    }
    Ok(row)
}

/// The trimmed reason of a status change's body; `required` refuses none (400 `invalid_body`).
pub(super) fn reason_of(body: &Bytes, required: bool) -> Result<Option<String>, AppError> {
    let invalid = |message: String| AppError::new(StatusCode::BAD_REQUEST, "invalid_body", message);
    let parsed: StatusChangeBody = if body.is_empty() {
        StatusChangeBody { reason: None }
    } else {
        // The API's one body reader: 400 `invalid_body` with the JSON path.
        crate::api::error::parse_body(body).map_err(|e| {
            AppError::new(StatusCode::BAD_REQUEST, "invalid_body", e.message)
                .with_details(e.details)
        })?
    };
    let reason = parsed
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    match &reason {
        None if required => Err(invalid("give a reason: {\"reason\": \"…\"}".to_owned())),
        Some(r) if r.chars().count() > MAX_REASON_CHARS => Err(invalid(format!(
            "the reason is longer than {MAX_REASON_CHARS} characters"
        ))),
        Some(r) if r.chars().any(|c| c.is_control() && c != '\n') => {
            Err(invalid("the reason contains control characters".to_owned()))
        }
        _ => Ok(reason),
    }
}

/// A 409 with `code`.
pub(super) fn conflict(code: &'static str, message: &str) -> AppError {
    AppError::new(StatusCode::CONFLICT, code, message.to_owned())
}

async fn regenerated(state: &AppState, list_id: &str, now: i64) -> Result<(), AppError> {
    regenerate(state, list_id, now)
        .await
        .map(|_| ())
        .map_err(AppError::internal)
}

/// `POST /api/credentials/{id}/revoke` with `{"reason": "…"}`: revokes for good and
/// re-signs the revocation list (instructors of the credential's context, admins).
#[utoipa::path(post, path = "/api/credentials/{id}/revoke", tag = "credentials",
    security(("bearer" = ["instructor"])),
    params(("id" = String, Path)), request_body = StatusChangeBody,
    responses((status = 200, body = Revoked), (status = "4XX", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Require<Launched>,
    request_id: crate::api::caller::RequestId,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Revoked>, AppError> {
    let now = state.now();
    let row = authorized_row(&state, caller.caller(), &id).await?;
    let reason = reason_of(&body, true)?.unwrap_or_default();
    if row.revoked_at.is_some() {
        return Err(conflict(
            "already_revoked",
            "this credential is revoked already",
        ));
    }
    let change = StatusChange::Revoke {
        reason: reason.clone(),
        by: caller.caller().session.user_sub.clone(),
    };
    let row = state
        .records
        .set_credential_status(&id, &change, now)
        .await?;
    regenerated(&state, &row.status_list_id, now).await?;
    let event_seq = record_revocation(&state, caller.caller(), &row, reason, request_id.0).await;
    Ok(Json(Revoked {
        credential: summary(&state, &row, now),
        event_seq,
    }))
}

/// Writes the core's `credential_revoked` on the learner's record, so the fold agrees with
/// the status list (a revoked credential no longer counts toward a stack). The event names
/// the definition and the core revokes its latest issuance, so it is written only when the
/// revoked credential is that one. The status change stands either way; a refusal is logged.
async fn record_revocation(
    state: &AppState,
    caller: &Caller,
    row: &CredentialRow,
    reason: String,
    request_id: Option<String>,
) -> Option<i64> {
    let credentials = match state.records.learner_credentials(&row.scope).await {
        Ok(rows) => rows,
        Err(error) => {
            tracing::warn!(credential = %row.id, %error, "revocation not written on the record");
            return None;
        }
    };
    let latest = credentials
        .iter()
        .filter(|r| r.definition_id == row.definition_id)
        .max_by_key(|r| (r.issued_at, r.cycle))?;
    if latest.id != row.id {
        tracing::info!(credential = %row.id, "an earlier issuance was revoked: the record keeps the latest");
        return None;
    }
    let author = author_of(caller, request_id);
    let kind = EventKind::CredentialRevoked {
        credential: DefinitionId::new(&row.definition_id),
        reason: Some(reason),
    };
    let meta = json!({"credential_id": row.id, "via": "status_change"});
    match crate::records::append(state, &row.scope, &author, kind, meta).await {
        Ok(appended) => Some(appended.seq),
        Err(error) => {
            tracing::warn!(credential = %row.id, %error, "revocation not written on the record");
            None
        }
    }
}

/// The author of a record event written by a credential route: the caller, as instructor
/// when they are one, else as admin.
pub(super) fn author_of(caller: &Caller, request_id: Option<String>) -> Author {
    let session = &caller.session;
    let role = if caller.has(ProductRole::Instructor) {
        "instructor"
    } else {
        "admin"
    };
    Author {
        sub: session.user_sub.clone(),
        role: role.to_owned(),
        deployment_id: session.deployment_id.clone(),
        request_id,
    }
}

/// `POST /api/credentials/{id}/suspend` with `{"reason": "…"}`: suspends and re-signs the
/// suspension list (instructors of the credential's context, admins).
#[utoipa::path(post, path = "/api/credentials/{id}/suspend", tag = "credentials",
    security(("bearer" = ["instructor"])),
    params(("id" = String, Path)), request_body = StatusChangeBody,
    responses((status = 200, body = CredentialSummary), (status = "4XX", body = ErrorBody)))]
pub async fn suspend(
    State(state): State<AppState>,
    caller: Require<Launched>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CredentialSummary>, AppError> {
    let now = state.now();
    let row = authorized_row(&state, caller.caller(), &id).await?;
    let reason = reason_of(&body, true)?.unwrap_or_default();
    if row.revoked_at.is_some() {
        return Err(conflict(
            "credential_revoked",
            "a revoked credential cannot be suspended",
        ));
    }
    if row.suspended_at.is_some() {
        return Err(conflict(
            "already_suspended",
            "this credential is suspended already",
        ));
    }
    let by = caller.caller().session.user_sub.clone();
    let mut changed = None;
    for _ in 0..SUSPEND_TRIES {
        // The entry the credential was signed with (its second `credentialStatus`); one
        // signed before suspension entries existed gets one drawn here, kept on the server.
        let (list_id, index) = match (&row.suspension_list_id, row.suspension_index) {
            (Some(list), Some(index)) => (list.clone(), index),
            _ => allocate_suspension(&state, &row.issuer, now)
                .await
                .map_err(AppError::internal)?,
        };
        let change = StatusChange::Suspend {
            reason: reason.clone(),
            by: by.clone(),
            list_id,
            index,
        };
        match state.records.set_credential_status(&id, &change, now).await {
            Ok(row) => {
                changed = Some(row);
                break;
            }
            // Another suspension drew the same index meanwhile: draw again.
            Err(StoreError::AlreadyExists(_)) if row.suspension_list_id.is_none() => continue,
            Err(error) => return Err(error.into()),
        }
    }
    let row =
        changed.ok_or_else(|| AppError::internal("no free suspension index after retries"))?;
    if let Some(list) = &row.suspension_list_id {
        regenerated(&state, list, now).await?;
    }
    Ok(Json(summary(&state, &row, now)))
}

/// `POST /api/credentials/{id}/unsuspend` (reason optional): lifts a suspension.
#[utoipa::path(post, path = "/api/credentials/{id}/unsuspend", tag = "credentials",
    security(("bearer" = ["instructor"])),
    params(("id" = String, Path)), request_body = StatusChangeBody,
    responses((status = 200, body = CredentialSummary), (status = "4XX", body = ErrorBody)))]
pub async fn unsuspend(
    State(state): State<AppState>,
    caller: Require<Launched>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CredentialSummary>, AppError> {
    let now = state.now();
    let row = authorized_row(&state, caller.caller(), &id).await?;
    reason_of(&body, false)?;
    if row.suspended_at.is_none() {
        return Err(conflict(
            "not_suspended",
            "this credential is not suspended",
        ));
    }
    let row = state
        .records
        .set_credential_status(&id, &StatusChange::Unsuspend, now)
        .await?;
    if let Some(list) = &row.suspension_list_id {
        regenerated(&state, list, now).await?;
    }
    Ok(Json(summary(&state, &row, now)))
}

/// `GET /api/credentials?after=&limit=`: the caller's context's credentials, for instructors.
#[utoipa::path(get, path = "/api/credentials", tag = "credentials",
    security(("bearer" = ["instructor"])), params(PageQuery),
    responses((status = 200, body = CredentialPage), (status = "4XX", body = ErrorBody)))]
pub async fn issuance_log(
    State(state): State<AppState>,
    caller: Require<Instructor>,
    Query(query): Query<PageQuery>,
) -> Result<Json<CredentialPage>, AppError> {
    let now = state.now();
    let session = &caller.caller().session;
    let context = session.context_id.as_deref().ok_or_else(|| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "no_context",
            "this launch has no course context; launch Cairn from a course",
        )
    })?;
    let limit = query.limit.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_limit",
            format!("limit must be between 1 and {PAGE_MAX}"),
        ));
    }
    let rows = state
        .records
        .context_credentials(
            session.registration_id,
            context,
            query.after.as_deref(),
            limit + 1,
        )
        .await?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::new();
    for row in rows.iter().take(limit as usize) {
        items.push(summary(&state, row, now));
    }
    let next = if more {
        items.last().map(|i| i.id.clone())
    } else {
        None
    };
    Ok(Json(CredentialPage { items, next }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_bounded_and_trimmed() {
        let ok = reason_of(&Bytes::from_static(b"{\"reason\": \"  fraud \"}"), true).expect("ok");
        assert_eq!(ok.as_deref(), Some("fraud"));
        for bad in [
            &b""[..],
            b"{}",
            b"{\"reason\": \"  \"}",
            b"{\"reason\": 3}",
            b"{\"why\": \"x\"}",
            b"not json",
        ] {
            let error = reason_of(&Bytes::copy_from_slice(bad), true).expect_err("refused");
            assert_eq!(error.code, "invalid_body");
        }
        assert_eq!(reason_of(&Bytes::new(), false).expect("optional"), None);
        let long = format!("{{\"reason\": \"{}\"}}", "x".repeat(MAX_REASON_CHARS + 1));
        assert!(reason_of(&Bytes::from(long), true).is_err());
    }
}
