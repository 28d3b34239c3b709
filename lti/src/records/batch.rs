//! Writing several learners' events all or nothing (a gradebook import's confirm): every
//! learner's log is read at the head the caller expects, folded with their new events by the
//! core (a refusal writes nothing), their due credentials planned, and everything committed
//! in one transaction that compares-and-sets every learner's head
//! ([`RecordStore::append_batch`](crate::store::records::RecordStore::append_batch)). A write
//! to any of them since the caller's read makes the whole batch [`BatchError::Moved`].

use cairn::event::{Event, EventKind};
use cairn::time::Timestamp;

use super::{Appended, MAX_WRITE_TRIES, WriteError, course_entry, log_issuance, plan_for};
use crate::AppState;
use crate::store::records::{
    AppendOutcome, Author, BatchOutcome, LearnerScope, LearnerWrite, NewEvent,
};

/// One learner's events in a batch, with the head the caller read (`None`: no event yet).
#[derive(Debug, Clone)]
pub struct LearnerEvents {
    /// The learner.
    pub scope: LearnerScope,
    /// The head the caller's preview was made at.
    pub expected_seq: Option<i64>,
    /// The events' kinds and metas, in order.
    pub events: Vec<(EventKind, serde_json::Value)>,
}

/// Why a batch wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Learners' logs moved since the caller's read (their `sub`s): nothing was written.
    #[error("the records of {0:?} changed since they were read; nothing was written")]
    Moved(Vec<String>),
    /// The core refused one learner's event, or the write failed: nothing was written.
    #[error("learner {learner:?}: {error}")]
    Write {
        /// Whose event.
        learner: String,
        /// Why.
        error: WriteError,
    },
}

/// Appends every learner's events at the server's now, all or nothing. Returns, per
/// learner, the last event written and the credentials committed with it.
pub async fn append_all(
    state: &AppState,
    author: &Author,
    learners: &[LearnerEvents],
) -> Result<Vec<Appended>, BatchError> {
    let now = state.now();
    let at = Timestamp::from_unix_seconds(now);
    let failed = |learner: &LearnerScope, error: WriteError| BatchError::Write {
        learner: learner.learner_sub.clone(),
        error,
    };
    // This server's writers of these learners wait (locks taken in one order: no deadlock).
    let mut order: Vec<&LearnerScope> = learners.iter().map(|l| &l.scope).collect();
    order.sort();
    order.dedup();
    let mut guards = Vec::with_capacity(order.len());
    for scope in order {
        guards.push(state.engine.lock_learner(scope).await);
    }
    for _ in 0..MAX_WRITE_TRIES {
        let mut moved = Vec::new();
        let mut prepared = Vec::with_capacity(learners.len());
        for learner in learners {
            let scope = &learner.scope;
            let context = course_entry(state, scope.registration_id, &scope.context_id)
                .await
                .map_err(|e| failed(scope, e))?;
            let (log, head) = state
                .records
                .learner_log(scope)
                .await
                .map_err(|e| failed(scope, e.into()))?;
            if head.map(|h| h.last_seq) != learner.expected_seq {
                moved.push(scope.learner_sub.clone());
                continue;
            }
            let mut events: Vec<Event> = log.into_iter().map(|e| e.event).collect();
            let first_new = events.len();
            events.extend(learner.events.iter().map(|(kind, _)| Event {
                at,
                kind: kind.clone(),
            }));
            // The learner's versions (REQ-LIFE-02), as a single write folds them.
            let course = context
                .for_learner(&events, at)
                .map_err(|e| failed(scope, e.into()))?;
            let folded = course.fold(&events, at);
            if let Some(rejected) = folded.errors.iter().find(|e| e.event >= first_new) {
                return Err(failed(
                    scope,
                    WriteError::Refused {
                        code: rejected.code.to_owned(),
                        message: rejected.message.clone(),
                    },
                ));
            }
            let (plan, _) = plan_for(state, &course, scope, &events, &folded, now, None)
                .await
                .map_err(|e| failed(scope, e.into()))?;
            let now_ms = state.clock.now_ms().max(now.saturating_mul(1000));
            let scores = crate::advantage::scores::queued(
                &course,
                &folded,
                at.unix_seconds().saturating_mul(1000),
                now_ms,
            );
            prepared.push((head, events.split_off(first_new), plan, scores));
        }
        if !moved.is_empty() {
            return Err(BatchError::Moved(moved));
        }
        let writes: Vec<LearnerWrite<'_>> = learners
            .iter()
            .zip(&prepared)
            .map(|(learner, (head, events, plan, scores))| LearnerWrite {
                scope: &learner.scope,
                expected: *head,
                events: events
                    .iter()
                    .zip(&learner.events)
                    .map(|(event, (_, meta))| NewEvent {
                        event,
                        meta,
                        author,
                    })
                    .collect(),
                credentials: &plan.credentials,
                scores,
            })
            .collect();
        // A store failure names no one learner: the whole batch failed.
        let outcome = state
            .records
            .append_batch(&writes, now)
            .await
            .map_err(|e| BatchError::Write {
                learner: String::new(),
                error: e.into(),
            })?;
        drop(writes);
        match outcome {
            BatchOutcome::Appended { seqs } => {
                let mut done = Vec::with_capacity(learners.len());
                let mut woke = false;
                for ((learner, (_, events, plan, scores)), seqs) in
                    learners.iter().zip(prepared).zip(seqs)
                {
                    // This server's cached log of them is stale: the next read folds afresh.
                    state.engine.forget_log(&learner.scope);
                    woke |= !scores.is_empty();
                    let (Some(seq), Some(event)) = (seqs.last().copied(), events.last()) else {
                        continue;
                    };
                    let issued = super::stored_rows(&learner.scope, seq, plan.credentials, now);
                    log_issuance(&learner.scope, &issued, &plan.failures);
                    done.push(Appended {
                        seq,
                        event: event.clone(),
                        issued,
                        issuance_failures: plan.failures,
                    });
                }
                if woke {
                    state.outbox_wake.notify_one();
                }
                return Ok(done);
            }
            BatchOutcome::Conflict {
                learner,
                outcome: AppendOutcome::HeadMoved,
            } => {
                let sub = learners
                    .get(learner)
                    .map(|l| l.scope.learner_sub.clone())
                    .unwrap_or_default();
                return Err(BatchError::Moved(vec![sub]));
            }
            // A drawn status index was taken, or a credential stored meanwhile: plan again.
            BatchOutcome::Conflict { .. } => {}
        }
    }
    Err(BatchError::Write {
        learner: learners
            .first()
            .map(|l| l.scope.learner_sub.clone())
            .unwrap_or_default(),
        error: WriteError::Busy,
    })
}
