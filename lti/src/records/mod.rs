//! The records engine (issue 10): the event log is the truth, records are folds of it, and a
//! credential is signed the moment the core says it is due.
//!
//! - [`append`] writes one event: it folds the learner's log plus the new event at the
//!   server's `now` with the core, refuses what the core rejects
//!   ([`WriteError::Refused`], nothing stored), plans every issuance the new record has that
//!   is not stored ([`issuance`]), and commits the event and those credentials in one
//!   transaction that compares-and-sets the learner's head. One learner's writes are
//!   serialized in this process by a keyed mutex ([`engine::Engine`]) and across servers by
//!   that compare-and-set; a lost race folds again, a bounded number of times.
//! - [`record`], [`summaries`] and [`history`] read: folds at an instant the caller passes.
//! - [`course`] is a context's published definitions as a core `Course`, cached.
//! - [`sweep`] issues what time alone makes due (no new event).
//!
//! No rule is written here: acceptance, issuance instants, versions and cycles are the core's.

pub mod batch;
pub mod engine;
pub mod issuance;
pub mod sweep;

use std::sync::Arc;

use cairn::definition::DefinitionError;
use cairn::event::{Event, EventKind};
use cairn::record::{Course, LearnerSummary, Record};
use cairn::time::Timestamp;

pub use engine::{CachedLog, CourseEntry, Engine, IssuedKey};

use crate::AppState;
use crate::store::records::{
    AppendOutcome, Author, CredentialRow, LearnerHead, LearnerScope, NewEvent, StoredEvent,
};
use crate::store::{RegistrationId, StoreError};

/// How many times a write folds and commits again after losing a race (another write moved
/// the head, a drawn status index was taken, or a credential was stored meanwhile).
pub const MAX_WRITE_TRIES: usize = 16;

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The core rejected the event: nothing was stored. `code` is the core's stable rule code.
    #[error("{message}")]
    Refused {
        /// The core's code (`attempt_limit_reached`, `feedback_not_released`, …).
        code: String,
        /// The core's sentence, with the numbers.
        message: String,
    },
    /// Other writes to this learner kept winning; nothing was stored. Retry later.
    #[error("the learner's record kept changing during this write; nothing was stored, try again")]
    Busy,
    /// The context's published definitions cannot be folded.
    #[error("the published definitions cannot be used: {0}")]
    Definitions(#[from] DefinitionError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a read failed: the same type as a write's (reads never answer `Refused` or `Busy`),
/// so one conversion to an HTTP answer serves both.
pub type ReadError = WriteError;

/// A committed write.
#[derive(Debug, Clone)]
pub struct Appended {
    /// The event's seq.
    pub seq: i64,
    /// The event as stored (`at` = the server's now).
    pub event: Event,
    /// The credentials committed with it.
    pub issued: Vec<CredentialRow>,
    /// Issuances that are due but could not be built (a configuration problem, logged): the
    /// sweep tries again.
    pub issuance_failures: Vec<String>,
}

/// Appends `kind` to the learner's log at the server's now, with the credentials it
/// completes, in one transaction. See the module doc.
pub async fn append(
    state: &AppState,
    scope: &LearnerScope,
    author: &Author,
    kind: EventKind,
    meta: serde_json::Value,
) -> Result<Appended, WriteError> {
    append_checked(state, scope, author, kind, meta, &|_| Ok(())).await
}

/// [`append`], refused with `check`'s error when the record folded with the new event
/// fails it: a route's precondition on the record, held under the learner's lock and
/// re-checked on every try, so a concurrent write cannot slip between check and append.
pub async fn append_checked(
    state: &AppState,
    scope: &LearnerScope,
    author: &Author,
    kind: EventKind,
    meta: serde_json::Value,
    check: &(dyn Fn(&Record) -> Result<(), WriteError> + Sync),
) -> Result<Appended, WriteError> {
    let now = state.now();
    let event = Event {
        at: Timestamp::from_unix_seconds(now),
        kind,
    };
    let _serial = state.engine.lock_learner(scope).await;
    let event = pin_enrolment(
        event,
        &*course_entry(state, scope.registration_id, &scope.context_id).await?,
    );
    for _ in 0..MAX_WRITE_TRIES {
        let context = course_entry(state, scope.registration_id, &scope.context_id).await?;
        let log = cached_log(state, scope, false).await?;
        let mut events: Vec<Event> = log.events.iter().map(|e| e.event.clone()).collect();
        events.push(event.clone());
        let new_index = events.len() - 1;
        let course = context.for_learner(&events, event.at)?;
        let folded = course.fold(&events, event.at);
        if let Some(rejected) = folded.errors.iter().find(|e| e.event == new_index) {
            return Err(WriteError::Refused {
                code: rejected.code.to_owned(),
                message: rejected.message.clone(),
            });
        }
        check(&folded)?;
        let (plan, issued_before) = plan_for(
            state,
            &course,
            scope,
            &events,
            &folded,
            now,
            log.issued.as_deref(),
        )
        .await?;
        // The gradebook's scores, from the core's record, queued with the event.
        let now_ms = state.clock.now_ms().max(now.saturating_mul(1000));
        let event_ms = event.at.unix_seconds().saturating_mul(1000);
        let scores = crate::advantage::scores::queued(&course, &folded, event_ms, now_ms);
        let new = NewEvent {
            event: &event,
            meta: &meta,
            author,
        };
        match state
            .records
            .append_scored(scope, log.head, Some(new), &plan.credentials, &scores, now)
            .await?
        {
            AppendOutcome::Appended { seq } => {
                if !scores.is_empty() {
                    state.outbox_wake.notify_one();
                }
                let issued_now = issued_before.map(|mut keys| {
                    keys.extend(plan.credentials.iter().map(issued_key));
                    keys
                });
                let new = NewEvent {
                    event: &event,
                    meta: &meta,
                    author,
                };
                remember_append(state, scope, &log, seq, new, issued_now, now);
                let issued = stored_rows(scope, seq, plan.credentials, now);
                log_issuance(scope, &issued, &plan.failures);
                return Ok(Appended {
                    seq,
                    event,
                    issued,
                    issuance_failures: plan.failures,
                });
            }
            AppendOutcome::HeadMoved
            | AppendOutcome::AlreadyIssued
            | AppendOutcome::StatusIndexTaken => state.engine.forget_log(scope),
        }
    }
    Err(WriteError::Busy)
}

/// The learner's record: the core's fold of their log at `at`.
pub async fn record(state: &AppState, scope: &LearnerScope, at: i64) -> Result<Record, ReadError> {
    let context = course_entry(state, scope.registration_id, &scope.context_id).await?;
    let log = cached_log(state, scope, true).await?;
    let events: Vec<Event> = log.events.iter().map(|e| e.event.clone()).collect();
    let at = Timestamp::from_unix_seconds(at);
    Ok(context.for_learner(&events, at)?.fold(&events, at))
}

/// The definitions `scope`'s learner is folded with at `at`: per definition id, the version
/// their enrolment pinned, else the latest published (REQ-LIFE-02).
pub async fn learner_definitions(
    state: &AppState,
    scope: &LearnerScope,
    at: i64,
) -> Result<Vec<cairn::definition::CredentialDefinition>, ReadError> {
    let context = course_entry(state, scope.registration_id, &scope.context_id).await?;
    let log = cached_log(state, scope, true).await?;
    let events: Vec<Event> = log.events.iter().map(|e| e.event.clone()).collect();
    let course = context.for_learner(&events, Timestamp::from_unix_seconds(at))?;
    Ok(course.definitions().to_vec())
}

/// An enrolment that names no version (nor an offering, which names its own) pins the
/// version published now, so the learner stays on it when a new one is published
/// (REQ-LIFE-02). A definition not published here is left for the core to refuse.
fn pin_enrolment(mut event: Event, course: &CourseEntry) -> Event {
    if let EventKind::Enrolled {
        credential,
        offering: None,
        version: version @ None,
    } = &mut event.kind
    {
        *version = course.latest_version(credential).map(str::to_owned);
    }
    event
}

/// A learner's summary at `at`, folded on their versions and laid out in the context's
/// latest course (the roster's columns, REQ-LIFE-02; [`cairn::record::Catalog::summarize`]).
pub fn summary_in(
    context: &CourseEntry,
    events: &[Event],
    at: Timestamp,
) -> Result<LearnerSummary, ReadError> {
    Ok(context.catalog.summarize(events, at)?)
}

/// One page of a context's roster summaries.
#[derive(Debug, Clone)]
pub struct SummaryPage {
    /// Each learner's `sub` and the core's summary at the instant asked.
    pub learners: Vec<(String, LearnerSummary)>,
    /// The `after` of the next page, when there may be one.
    pub next: Option<String>,
}

/// Roster summaries of a context at `at`, `limit` learners after `after` (by `sub`).
pub async fn summaries(
    state: &AppState,
    registration_id: RegistrationId,
    context_id: &str,
    after: Option<&str>,
    limit: i64,
    at: i64,
) -> Result<SummaryPage, ReadError> {
    let course = course_entry(state, registration_id, context_id).await?;
    let page = state
        .records
        .learners(registration_id, context_id, after, limit)
        .await?;
    let mut learners = Vec::with_capacity(page.len());
    for entry in &page {
        let scope = LearnerScope {
            registration_id,
            context_id: context_id.to_owned(),
            learner_sub: entry.learner_sub.clone(),
        };
        let log = cached_log(state, &scope, true).await?;
        let events: Vec<Event> = log.events.iter().map(|e| e.event.clone()).collect();
        let summary = summary_in(&course, &events, Timestamp::from_unix_seconds(at))?;
        learners.push((entry.learner_sub.clone(), summary));
    }
    let full = i64::try_from(page.len()).unwrap_or(i64::MAX) >= limit && limit > 0;
    let next = full
        .then(|| page.last().map(|l| l.learner_sub.clone()))
        .flatten();
    Ok(SummaryPage { learners, next })
}

/// The learner's whole event log with who wrote what, when and why (the audit view).
pub async fn history(
    state: &AppState,
    scope: &LearnerScope,
) -> Result<Vec<StoredEvent>, ReadError> {
    Ok(cached_log(state, scope, true).await?.events.clone())
}

/// A context's published definitions as a core course (cached for
/// [`engine::COURSE_TTL`]; [`invalidate_course`] after a publish or archive).
pub async fn course(
    state: &AppState,
    registration_id: RegistrationId,
    context_id: &str,
) -> Result<Arc<Course<'static>>, ReadError> {
    Ok(Arc::clone(
        course_entry(state, registration_id, context_id)
            .await?
            .course(),
    ))
}

/// Forgets this server's cached course of a context: call after publishing or archiving.
pub fn invalidate_course(state: &AppState, registration_id: RegistrationId, context_id: &str) {
    state.engine.forget_course(registration_id, context_id);
}

/// The cached course entry, or one read now. Per definition id, the most recently
/// published version is the one the fold uses, except for a learner whose enrolment pinned
/// an earlier one ([`CourseEntry::for_learner`], REQ-LIFE-02).
pub async fn course_entry(
    state: &AppState,
    registration_id: RegistrationId,
    context_id: &str,
) -> Result<Arc<CourseEntry>, ReadError> {
    if let Some(entry) = state.engine.cached_course(registration_id, context_id) {
        return Ok(entry);
    }
    // One request reads the course again; while it does, the others use the expired entry
    // (another server's publish is seen within `COURSE_TTL` and one read; this server's
    // removed the entry, so there is none and they wait).
    let load = state.engine.course_load(registration_id, context_id);
    let _one = match state.engine.expired_course(registration_id, context_id) {
        Some(expired) => match load.try_lock_owned() {
            Ok(held) => held,
            Err(_) => return Ok(expired),
        },
        None => load.lock_owned().await,
    };
    if let Some(entry) = state.engine.cached_course(registration_id, context_id) {
        return Ok(entry);
    }
    let rows = state
        .records
        .published_definitions(registration_id, context_id)
        .await?;
    // Per id oldest first (the core takes the last version of an id as the latest), the ids
    // in order: the latest course's columns are by definition id. The page orders them so.
    let mut versions = rows;
    versions.sort_by(|a, b| {
        (&a.definition_id, a.published_at, &a.version).cmp(&(
            &b.definition_id,
            b.published_at,
            &b.version,
        ))
    });
    let entry = CourseEntry::new(&versions)?;
    Ok(state
        .engine
        .cache_course(registration_id, context_id, entry))
}

/// The learner's log: the cached one when `check_head` is false (a write: the head's
/// compare-and-set catches a stale cache) or when the stored head equals the cached one.
pub(crate) async fn cached_log(
    state: &AppState,
    scope: &LearnerScope,
    check_head: bool,
) -> Result<Arc<CachedLog>, StoreError> {
    if let Some(cached) = state.engine.cached_log(scope)
        && (!check_head || state.records.learner_head(scope).await? == cached.head)
    {
        return Ok(cached);
    }
    let (events, head) = state.records.learner_log(scope).await?;
    // No event, no credential (each is stored with an event's seq): nothing to read.
    let issued = head.is_none().then(Vec::new);
    let log = Arc::new(CachedLog {
        head,
        events,
        issued,
    });
    state.engine.cache_log(scope, Arc::clone(&log));
    Ok(log)
}

/// Plans the issuances the folded record is owed, given the issuance keys of the stored
/// credentials when `known` (the cached log's), else reading them, only when the record has
/// issuances at all. Returns the plan and the keys it compared with (`None`: not read).
pub(crate) async fn plan_for(
    state: &AppState,
    course: &Course<'_>,
    scope: &LearnerScope,
    events: &[Event],
    folded: &Record,
    now: i64,
    known: Option<&[IssuedKey]>,
) -> Result<(issuance::Plan, Option<Vec<IssuedKey>>), StoreError> {
    if !issuance::has_issuances(folded) {
        return Ok((issuance::Plan::default(), known.map(<[IssuedKey]>::to_vec)));
    }
    let stored = match known {
        Some(keys) => keys.to_vec(),
        None => state
            .records
            .learner_credentials(scope)
            .await?
            .iter()
            .map(|c| (c.definition_id.clone(), c.cycle))
            .collect(),
    };
    let due = issuance::missing(folded, &stored);
    let plan = issuance::plan(state, course, scope, events, &due, now).await?;
    Ok((plan, Some(stored)))
}

/// The issuance key of a credential about to be stored.
fn issued_key(credential: &crate::store::records::NewCredential) -> IssuedKey {
    (credential.definition_id.clone(), credential.cycle)
}

/// Updates the log cache after this server appended `new` at `seq`, with the issuance keys
/// stored now (`None`: not known).
fn remember_append(
    state: &AppState,
    scope: &LearnerScope,
    log: &CachedLog,
    seq: i64,
    new: NewEvent<'_>,
    issued: Option<Vec<IssuedKey>>,
    now: i64,
) {
    let mut events = log.events.clone();
    events.push(StoredEvent {
        seq,
        scope: scope.clone(),
        event: new.event.clone(),
        meta: new.meta.clone(),
        author: new.author.clone(),
        recorded_at: now,
    });
    let head = Some(LearnerHead {
        last_seq: seq,
        event_count: log.head.map_or(0, |h| h.event_count) + 1,
    });
    state.engine.cache_log(
        scope,
        Arc::new(CachedLog {
            head,
            events,
            issued,
        }),
    );
}

/// The rows just committed, as the store holds them.
pub(crate) fn stored_rows(
    scope: &LearnerScope,
    seq: i64,
    credentials: Vec<crate::store::records::NewCredential>,
    now: i64,
) -> Vec<CredentialRow> {
    credentials
        .into_iter()
        .map(|c| CredentialRow {
            id: c.id,
            scope: scope.clone(),
            definition_id: c.definition_id,
            version: c.version,
            cycle: c.cycle,
            issuer: c.issuer,
            key_id: c.key_id,
            issued_at: c.issued_at,
            valid_until: c.valid_until,
            body: c.body,
            event_seq: seq,
            status_list_id: c.status_list_id,
            status_index: c.status_index,
            suspension_index: c.suspension.as_ref().map(|(_, index)| *index),
            suspension_list_id: c.suspension.map(|(list, _)| list),
            revoked_at: None,
            revoked_reason: None,
            revoked_by: None,
            suspended_at: None,
            suspended_reason: None,
            suspended_by: None,
            created_at: now,
        })
        .collect()
}

/// Logs what a commit issued and what it could not.
pub(crate) fn log_issuance(scope: &LearnerScope, issued: &[CredentialRow], failures: &[String]) {
    for credential in issued {
        tracing::info!(
            registration_id = scope.registration_id,
            context_id = %scope.context_id,
            credential = %credential.id,
            definition = %credential.definition_id,
            version = %credential.version,
            cycle = credential.cycle,
            "credential issued"
        );
    }
    for failure in failures {
        tracing::error!(
            registration_id = scope.registration_id,
            context_id = %scope.context_id,
            code = "issuance_failed",
            %failure,
            "a due credential could not be issued; the sweep will try again"
        );
    }
}
