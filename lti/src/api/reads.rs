//! Reads: a learner's record (the core's fold of their log at the server's now) and their
//! issued credentials, the roster's summaries for instructors with keyset paging
//! (`?page_size=&after=`), the definitions a learner's record is folded with, and the audit history of one learner (each event with who wrote
//! it, their role, when, the request id and the meta). A learner reads only their own.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use cairn::definition::CredentialDefinition;
use cairn::event::Event;
use cairn::record::{LearnerSummary, Record};
use cairn::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::caller::{Tenant, own_scope};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::members::MemberView;
use crate::api::write::{IssuedCredential, read_error};
use crate::records;
use crate::session::{Instructor, Learner, Require};
use crate::store::advantage_rows::RosterMember;
use crate::store::records::{LearnerScope, StoredEvent};

/// The largest roster page.
pub const MAX_PAGE_SIZE: u32 = 200;
/// The roster page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// A learner's record.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordView {
    /// The learner's `sub`.
    pub learner: String,
    /// The instant it was folded at (Unix s, the server's now).
    pub at: i64,
    /// The core's record.
    #[schema(value_type = Object)]
    pub record: Record,
    /// The credentials issued to the learner in this context.
    pub credentials: Vec<CredentialView>,
}

/// An issued credential, with its public page and status.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialView {
    /// What was issued.
    #[serde(flatten)]
    pub issued: IssuedCredential,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
    /// When it was suspended, if it is.
    pub suspended_at: Option<i64>,
    /// Its public page, JSON, baked PNG and LinkedIn add-to-profile link.
    pub links: crate::public::credential::SharingLinks,
}

/// One event of the audit history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// Its place in the log.
    pub seq: i64,
    /// The core event.
    #[schema(value_type = Object)]
    pub event: Event,
    /// Assessor type, supervision, evidence, feedback, import…
    #[schema(value_type = Object)]
    pub meta: serde_json::Value,
    /// Who wrote it.
    pub author_sub: String,
    /// As which role.
    pub author_role: String,
    /// Through which deployment.
    pub deployment_id: String,
    /// The request's id.
    pub request_id: Option<String>,
    /// When it was stored (Unix s).
    pub recorded_at: i64,
}

impl From<StoredEvent> for HistoryEntry {
    fn from(e: StoredEvent) -> HistoryEntry {
        HistoryEntry {
            seq: e.seq,
            event: e.event,
            meta: e.meta,
            author_sub: e.author.sub,
            author_role: e.author.role,
            deployment_id: e.author.deployment_id,
            request_id: e.author.request_id,
            recorded_at: e.recorded_at,
        }
    }
}

/// Roster paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// Learners per page (1–200, default 50).
    pub page_size: Option<u32>,
    /// The last `sub` of the previous page.
    pub after: Option<String>,
}

/// One roster page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Roster {
    /// The learners, by `sub`.
    pub learners: Vec<RosterEntry>,
    /// Pass as `after` for the next page; `null` on the last.
    pub next: Option<String>,
}

/// A learner's summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntry {
    /// The learner's `sub`.
    pub learner: String,
    /// How many events their log holds.
    pub event_count: i64,
    /// Their name and enrolment from the NRPS roster (`null` before the first fetch or when
    /// the platform does not list them).
    pub member: Option<MemberView>,
    /// The core's summary at the server's now.
    #[schema(value_type = Object)]
    pub summary: LearnerSummary,
}

/// The caller's own record.
#[utoipa::path(get, path = "/api/me/record", tag = "me", security(("bearer" = ["learner"])),
    responses((status = 200, body = RecordView), (status = "4XX", body = ErrorBody)))]
pub async fn own_record(
    caller: Require<Learner>,
    State(state): State<AppState>,
) -> Result<Json<RecordView>, ApiError> {
    let scope = own_scope(caller.caller())?;
    Ok(Json(record_of(&state, &scope).await?))
}

/// The definitions the caller's record is folded with (per definition id, the version their
/// enrolment pinned, else the latest published in the context, REQ-LIFE-02), so the page
/// can fold the same record in the browser.
#[utoipa::path(get, path = "/api/me/definitions", tag = "me", security(("bearer" = ["learner"])),
    responses((status = 200, body = Vec<Object>), (status = "4XX", body = ErrorBody)))]
pub async fn own_definitions(
    caller: Require<Learner>,
    State(state): State<AppState>,
) -> Result<Json<Vec<CredentialDefinition>>, ApiError> {
    let scope = own_scope(caller.caller())?;
    Ok(Json(
        records::learner_definitions(&state, &scope, state.now())
            .await
            .map_err(read_error)?,
    ))
}

/// The caller's own audit history.
#[utoipa::path(get, path = "/api/me/history", tag = "me", security(("bearer" = ["learner"])),
    responses((status = 200, body = Vec<HistoryEntry>), (status = "4XX", body = ErrorBody)))]
pub async fn own_history(
    caller: Require<Learner>,
    State(state): State<AppState>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let scope = own_scope(caller.caller())?;
    Ok(Json(history_of(&state, &scope).await?))
}

/// A learner's record (instructors of the context).
#[utoipa::path(get, path = "/api/learners/{sub}/record", tag = "learners", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)),
    responses((status = 200, body = RecordView), (status = "4XX", body = ErrorBody)))]
pub async fn learner_record(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path(sub): Path<String>,
) -> Result<Json<RecordView>, ApiError> {
    let scope = Tenant::of(caller.caller())?
        .known_learner(&state, &sub)
        .await?;
    Ok(Json(record_of(&state, &scope).await?))
}

/// A learner's full audit history (instructors of the context).
#[utoipa::path(get, path = "/api/learners/{sub}/history", tag = "learners", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = "4XX", body = ErrorBody)))]
pub async fn learner_history(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path(sub): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let scope = Tenant::of(caller.caller())?
        .known_learner(&state, &sub)
        .await?;
    Ok(Json(history_of(&state, &scope).await?))
}

/// The roster's summaries, a page at a time.
#[utoipa::path(get, path = "/api/learners", tag = "learners", security(("bearer" = ["instructor"])), params(Page),
    responses((status = 200, body = Roster), (status = "4XX", body = ErrorBody)))]
pub async fn roster(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    page: Result<Query<Page>, QueryRejection>,
) -> Result<Json<Roster>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let Query(page) = page.map_err(|rejection| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    })?;
    let size = page.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(ApiError::invalid_input(format!(
            "page_size is 1 to {MAX_PAGE_SIZE}"
        )));
    }
    let now = state.now();
    let context = records::course_entry(&state, tenant.registration_id, &tenant.context_id)
        .await
        .map_err(read_error)?;
    // One more than asked tells whether another page follows.
    let mut entries = state
        .records
        .learners(
            tenant.registration_id,
            &tenant.context_id,
            page.after.as_deref(),
            i64::from(size) + 1,
        )
        .await?;
    let more = entries.len() > size as usize;
    entries.truncate(size as usize);
    let (_, members) = state
        .store
        .advantage()
        .roster(tenant.registration_id, &tenant.context_id)
        .await?;
    let mut members: std::collections::BTreeMap<String, RosterMember> = members
        .into_iter()
        .map(|m| (m.user_sub.clone(), m))
        .collect();
    let mut learners = Vec::with_capacity(entries.len());
    for entry in entries {
        let scope = tenant.learner(&entry.learner_sub)?;
        let log = records::history(&state, &scope).await.map_err(read_error)?;
        let events: Vec<Event> = log.into_iter().map(|e| e.event).collect();
        let summary = records::summary_in(&context, &events, Timestamp::from_unix_seconds(now))
            .map_err(read_error)?;
        learners.push(RosterEntry {
            summary,
            member: members
                .remove(&entry.learner_sub)
                .as_ref()
                .map(MemberView::from),
            learner: entry.learner_sub,
            event_count: entry.head.event_count,
        });
    }
    let next = more
        .then(|| learners.last().map(|l| l.learner.clone()))
        .flatten();
    Ok(Json(Roster { learners, next }))
}

/// The fold of a learner's log at the server's now, with their credentials.
async fn record_of(state: &AppState, scope: &LearnerScope) -> Result<RecordView, ApiError> {
    let now = state.now();
    let record = records::record(state, scope, now)
        .await
        .map_err(read_error)?;
    let credentials = state
        .records
        .learner_credentials(scope)
        .await?
        .iter()
        .map(|row| CredentialView {
            issued: IssuedCredential::from(row),
            revoked_at: row.revoked_at,
            suspended_at: row.suspended_at,
            links: crate::public::credential::sharing_links(state, row),
        })
        .collect();
    Ok(RecordView {
        learner: scope.learner_sub.clone(),
        at: now,
        record,
        credentials,
    })
}

async fn history_of(state: &AppState, scope: &LearnerScope) -> Result<Vec<HistoryEntry>, ApiError> {
    let log = records::history(state, scope).await.map_err(read_error)?;
    Ok(log.into_iter().map(HistoryEntry::from).collect())
}
