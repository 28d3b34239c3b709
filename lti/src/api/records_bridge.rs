//! A stand-in for the engine's write path (`crate::records`, branch `engine`) until it
//! lands: the same names (`append`, `course`, `invalidate_course`, `WriteError`,
//! `Appended`), folding the learner's log plus the new event with the core and appending it
//! by compare-and-set on the learner's head. It issues nothing; the engine's does.

use std::sync::Arc;

use cairn::event::{Event, EventKind};
use cairn::record::Course;
use cairn::time::Timestamp;

use crate::AppState;
use crate::store::StoreError;
use crate::store::records::{AppendOutcome, Author, CredentialRow, LearnerScope, NewEvent};

/// How many times a write folds again after another write moved the head.
const MAX_TRIES: usize = 8;

/// A write that went through.
#[derive(Debug)]
pub struct Appended {
    /// The event's seq.
    pub seq: i64,
    /// The event as stored.
    pub event: Event,
    /// The credentials it issued.
    pub issued: Vec<CredentialRow>,
}

/// Why a write did not go through.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The core rejected the event.
    #[error("{code}: {message}")]
    Refused {
        /// The core's code.
        code: String,
        /// The core's message.
        message: String,
    },
    /// The published definitions do not fold.
    #[error("the course's definitions do not fold: {0}")]
    Definitions(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Other writes kept moving the head.
    #[error("the learner's record kept changing; try again")]
    Busy,
}

/// The course of a context: its published definitions, checked by the core.
pub async fn course(
    state: &AppState,
    registration: crate::store::RegistrationId,
    context: &str,
) -> Result<Arc<Course<'static>>, WriteError> {
    let defs: Vec<_> = state
        .records
        .published_definitions(registration, context)
        .await?
        .into_iter()
        .map(|row| row.body)
        .collect();
    Course::new(defs)
        .map(Arc::new)
        .map_err(|err| WriteError::Definitions(err.to_string()))
}

/// Forgets a context's cached course (nothing is cached here).
pub fn invalidate_course(_state: &AppState, _registration: i64, _context: &str) {}

/// Folds the learner's log plus `kind` at now; refuses what the core rejects; appends.
pub async fn append(
    state: &AppState,
    scope: &LearnerScope,
    author: &Author,
    kind: EventKind,
    meta: serde_json::Value,
) -> Result<Appended, WriteError> {
    let now = state.now();
    let at = Timestamp::from_unix_seconds(now);
    let event = Event { at, kind };
    let course = course(state, scope.registration_id, &scope.context_id).await?;
    for _ in 0..MAX_TRIES {
        let (log, head) = state.records.learner_log(scope).await?;
        let mut events: Vec<Event> = log.into_iter().map(|e| e.event).collect();
        events.push(event.clone());
        let record = course.fold(&events, at);
        if let Some(rejected) = record.errors.iter().find(|e| e.event == events.len() - 1) {
            return Err(WriteError::Refused {
                code: rejected.code.to_owned(),
                message: rejected.message.clone(),
            });
        }
        let outcome = state
            .records
            .append(
                scope,
                head,
                Some(NewEvent {
                    event: &event,
                    meta: &meta,
                    author,
                }),
                &[],
                now,
            )
            .await?;
        if let AppendOutcome::Appended { seq } = outcome {
            return Ok(Appended {
                seq,
                event,
                issued: Vec::new(),
            });
        }
    }
    Err(WriteError::Busy)
}
