//! The sweep: issuance that time alone makes due (a renewal window opening, a deadline
//! passing, an issuance that an earlier write could not build). [`run`] is the periodic task
//! `cairn-lti serve` starts; [`sweep_once`] folds every learner of every context at `now`
//! and commits each issuance the core says is due and not stored, with the same planning
//! as the write path and no new event (the head's compare-and-set still guards it).

use std::time::Duration;

use cairn::event::Event;
use cairn::time::Timestamp;

use super::{MAX_WRITE_TRIES, cached_log, course_entry, log_issuance, plan_for, stored_rows};
use crate::AppState;
use crate::store::StoreError;
use crate::store::records::{AppendOutcome, CredentialRow, LearnerScope};

/// How often `serve` sweeps.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(300);

/// Learners read per page.
const PAGE: i64 = 500;

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Learners folded.
    pub learners: usize,
    /// Credentials committed.
    pub issued: usize,
    /// Due issuances that could not be built.
    pub failures: usize,
}

/// Sweeps every [`SWEEP_INTERVAL`] until the task is dropped; failures are logged.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(SWEEP_INTERVAL);
    loop {
        tick.tick().await;
        match sweep_once(&state, state.now()).await {
            Ok(report) if report.issued > 0 || report.failures > 0 => {
                tracing::info!(?report, "sweep issued credentials due by time");
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "the sweep failed; it runs again at the next tick")
            }
        }
    }
}

/// Folds every learner at `now` and commits what is due.
pub async fn sweep_once(state: &AppState, now: i64) -> Result<SweepReport, StoreError> {
    let mut report = SweepReport::default();
    for (registration_id, context_id) in state.records.contexts_with_learners().await? {
        let mut after: Option<String> = None;
        loop {
            let page = state
                .records
                .learners(registration_id, &context_id, after.as_deref(), PAGE)
                .await?;
            for entry in &page {
                let scope = LearnerScope {
                    registration_id,
                    context_id: context_id.clone(),
                    learner_sub: entry.learner_sub.clone(),
                };
                report.learners += 1;
                match settle(state, &scope, now).await {
                    Ok((issued, failures)) => {
                        report.issued += issued.len();
                        report.failures += failures;
                    }
                    Err(error) => {
                        report.failures += 1;
                        tracing::warn!(%error, registration_id, context_id = %context_id, "sweep of a learner failed");
                    }
                }
            }
            if i64::try_from(page.len()).unwrap_or(i64::MAX) < PAGE {
                break;
            }
            after = page.last().map(|l| l.learner_sub.clone());
        }
    }
    Ok(report)
}

/// Commits the issuances due to one learner at `now` and not stored; returns them and how
/// many could not be built.
pub async fn settle(
    state: &AppState,
    scope: &LearnerScope,
    now: i64,
) -> Result<(Vec<CredentialRow>, usize), super::WriteError> {
    let _serial = state.engine.lock_learner(scope).await;
    for _ in 0..MAX_WRITE_TRIES {
        let context = course_entry(state, scope.registration_id, &scope.context_id).await?;
        let log = cached_log(state, scope, true).await?;
        if log.head.is_none() {
            return Ok((Vec::new(), 0));
        }
        let events: Vec<Event> = log.events.iter().map(|e| e.event.clone()).collect();
        let at = Timestamp::from_unix_seconds(now);
        let course = context.for_learner(&events, at)?;
        let folded = course.fold(&events, at);
        let (plan, _) = plan_for(state, &course, scope, &events, &folded, now, None).await?;
        if plan.credentials.is_empty() {
            log_issuance(scope, &[], &plan.failures);
            return Ok((Vec::new(), plan.failures.len()));
        }
        match state
            .records
            .append(scope, log.head, None, &plan.credentials, now)
            .await?
        {
            AppendOutcome::Appended { seq } => {
                // The cached log's issuance keys lack these: read afresh next time.
                state.engine.forget_log(scope);
                let issued = stored_rows(scope, seq, plan.credentials, now);
                log_issuance(scope, &issued, &plan.failures);
                return Ok((issued, plan.failures.len()));
            }
            AppendOutcome::HeadMoved
            | AppendOutcome::AlreadyIssued
            | AppendOutcome::StatusIndexTaken => state.engine.forget_log(scope),
        }
    }
    Err(super::WriteError::Busy)
}
