//! One append of the SQLite group writer as one round trip: its savepoint, event, head move,
//! credentials and scores are one query of several statements ([`Trips::run`]). Each
//! statement sent is a hand-off to the connection's thread and back, which under load costs
//! more than the statement itself, so a passing submission's four hand-offs become one.
//!
//! The statements are those of [`append_in_tx!`](super::sql_records_append::append_in_tx)
//! (the event inserted only at the folded head, the head's compare-and-set, the issuance
//! key and status entries' unique indexes, a score superseding the unsent ones of its key),
//! with one difference: the credentials and scores take the event's seq from the learner's
//! head, which the head move just set. When the head was not the one folded, the event and
//! the head are not written but the statements after them run: the caller rolls back to the
//! job's savepoint, which every job with more than its event has.
//!
//! Every comparison with a parameter is written `= +$n` (see `INSERT_EVENT_MOVING_HEAD` in
//! `sql_records.rs`: so SQLite compiles each statement once, not at every run).
//!
//! In every statement `$1`–`$3` are the learner's scope; the statement's own parameters
//! follow, numbered on from the statements before it (sqlx names one argument list by
//! number across all statements of a query). The queries are made from the constants below
//! only, and kept: one per shape (first event or not, how many credentials and scores), so
//! each is prepared once per connection.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::{AssertSqlSafe, Row as _, SqliteConnection};

use super::outbox::NewScore;
use super::records::{AppendOutcome, LearnerHead, LearnerScope, NewCredential, NewEvent};
use super::{StoreError, sql, sql_records as q};

/// The learner's head, which the event's head move just set to the event's seq.
macro_rules! head_seq {
    () => {
        "(SELECT last_seq FROM learner_heads WHERE registration_id = +$1 AND context_id = +$2 \
         AND learner_sub = +$3)"
    };
}

/// A credential: own parameters `$4`–`$17`.
const INSERT_CREDENTIAL: &str = concat!(
    "INSERT INTO credentials (id, registration_id, context_id, learner_sub, definition_id, \
     version, cycle, issuer, key_id, issued_at, valid_until, body, event_seq, status_list_id, \
     status_index, created_at, suspension_list_id, suspension_index) \
     VALUES ($4, $1, $2, $3, $5, $6, $7, $8, $9, $10, $11, $12, ",
    head_seq!(),
    ", $13, $14, $15, $16, $17)"
);
/// Own parameters of [`INSERT_CREDENTIAL`].
const CREDENTIAL_PARAMS: usize = 14;

/// A score ([`super::sql_outbox::INSERT_SCORE_SUPERSEDING`] with the seq from the head): own
/// parameters `$4`–`$8`.
const INSERT_SCORE: &str = concat!(
    "INSERT INTO score_outbox (registration_id, context_id, learner_sub, assessment_id, \
     state_key, event_seq, score, timestamp_ms, status, tries, next_try_ms, created_at) \
     SELECT $1, $2, $3, $4, $5, ",
    head_seq!(),
    ", $6, MAX($7, COALESCE(( \
     SELECT MAX(timestamp_ms) + 1 FROM score_outbox WHERE registration_id = +$1 \
     AND context_id = +$2 AND assessment_id = +$4 AND learner_sub = +$3), $7)), 'pending', \
     0, $7, $8 WHERE TRUE ON CONFLICT (registration_id, context_id, learner_sub, assessment_id, \
     state_key) DO NOTHING; \
     UPDATE score_outbox SET status = 'superseded', reason = 'newer_state' \
     WHERE registration_id = +$1 AND context_id = +$2 AND assessment_id = +$4 \
     AND learner_sub = +$3 AND status = 'pending' AND id <> last_insert_rowid() AND changes() = 1"
);
/// Own parameters of [`INSERT_SCORE`].
const SCORE_PARAMS: usize = 5;

/// The learner's scope: `$1`–`$3` in every statement.
const SCOPE_PARAMS: usize = 3;

/// Own parameters of [`q::INSERT_EVENT_MOVING_HEAD`] (`$4`–`$13`, the folded head last) and
/// of [`q::INSERT_FIRST_EVENT_AND_HEAD`] (`$4`–`$12`).
const EVENT_PARAMS: usize = 10;
/// See [`EVENT_PARAMS`].
const FIRST_EVENT_PARAMS: usize = 9;

/// A query's shape: first event or not, credentials, scores.
type Shape = (bool, usize, usize);

/// The writer's queries, one per [`Shape`] met.
#[derive(Default)]
pub(super) struct Trips {
    queries: HashMap<Shape, Arc<str>>,
}

impl Trips {
    /// Whether `event`'s job has more than its event, so it needs a savepoint to undo the
    /// rest when the head was not the one folded ([`Trips::run`]).
    pub(super) fn needs_savepoint(credentials: &[NewCredential], scores: &[NewScore]) -> bool {
        !credentials.is_empty() || !scores.is_empty()
    }

    /// Runs one job's statements in the open transaction, after a `SAVEPOINT append` when
    /// [`Trips::needs_savepoint`]: its seq, or the conflict (the caller then rolls back to
    /// the savepoint). A store error may leave part of the job written (the caller rolls back
    /// to the savepoint, or fails the group).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn run(
        &mut self,
        connection: &mut SqliteConnection,
        scope: &LearnerScope,
        expected: Option<LearnerHead>,
        event: NewEvent<'_>,
        credentials: &[NewCredential],
        scores: &[NewScore],
        now: i64,
    ) -> Result<Result<i64, AppendOutcome>, StoreError> {
        let shape = (expected.is_none(), credentials.len(), scores.len());
        let sql = Arc::clone(
            self.queries
                .entry(shape)
                .or_insert_with(|| compose(shape, Trips::needs_savepoint(credentials, scores))),
        );
        let body = serde_json::to_value(event.event)
            .map_err(|err| StoreError::Corrupt(format!("cannot write the event: {err}")))?;
        let mut query =
            q::bind_new_event!(sqlx::query(AssertSqlSafe(sql)), scope, event, body, now);
        if let Some(head) = expected {
            query = query.bind(head.last_seq);
        }
        for c in credentials {
            query = query
                .bind(&c.id)
                .bind(&c.definition_id)
                .bind(&c.version)
                .bind(c.cycle)
                .bind(&c.issuer)
                .bind(&c.key_id)
                .bind(c.issued_at)
                .bind(c.valid_until)
                .bind(c.body.to_string())
                .bind(&c.status_list_id)
                .bind(c.status_index)
                .bind(now)
                .bind(c.suspension.as_ref().map(|(list, _)| list))
                .bind(c.suspension.as_ref().map(|(_, index)| *index));
        }
        for score in scores {
            query = query
                .bind(&score.assessment_id)
                .bind(&score.state_key)
                .bind(score.payload.to_string())
                .bind(score.now_ms)
                .bind(now);
        }
        let rows = match query.fetch_all(&mut *connection).await {
            Ok(rows) => rows,
            Err(err) if !credentials.is_empty() && q::is_status_index_violation(&err) => {
                return Ok(Err(AppendOutcome::StatusIndexTaken));
            }
            Err(err) if !credentials.is_empty() && q::is_unique_violation(&err) => {
                return Ok(Err(AppendOutcome::AlreadyIssued));
            }
            Err(err) => {
                let name = || format!("registration {}", scope.registration_id);
                return Err(sql::classify(err, name, name));
            }
        };
        // No row: the head was not the one folded; two with one seq: the event and its head.
        match rows.as_slice() {
            [] => Ok(Err(AppendOutcome::HeadMoved)),
            [event, head]
                if event.try_get::<i64, _>("seq")? == head.try_get::<i64, _>("seq")? =>
            {
                Ok(Ok(event.try_get::<i64, _>("seq")?))
            }
            _ => Err(StoreError::Corrupt(format!(
                "the head of {} did not move with its event inside the writer's transaction",
                q::learner_name(scope)
            ))),
        }
    }
}

/// The query of a shape: the statements with each one's own parameters numbered on.
fn compose((first, credentials, scores): Shape, savepoint: bool) -> Arc<str> {
    let mut sql = String::new();
    if savepoint {
        // One name for every savepoint: `ROLLBACK TO` takes the most recent, this job's.
        sql.push_str("SAVEPOINT append; ");
    }
    let (event, mut taken) = if first {
        (q::INSERT_FIRST_EVENT_AND_HEAD, FIRST_EVENT_PARAMS)
    } else {
        (q::INSERT_EVENT_MOVING_HEAD, EVENT_PARAMS)
    };
    sql.push_str(event);
    for _ in 0..credentials {
        sql.push_str("; ");
        push_shifted(&mut sql, INSERT_CREDENTIAL, SCOPE_PARAMS, taken);
        taken += CREDENTIAL_PARAMS;
    }
    for _ in 0..scores {
        sql.push_str("; ");
        push_shifted(&mut sql, INSERT_SCORE, SCOPE_PARAMS, taken);
        taken += SCORE_PARAMS;
    }
    sql.into()
}

/// Appends `statement` with each parameter above `$keep` moved up by `by` (the writer keeps
/// `$1`–`$3`, the scope); answers the highest parameter it named before the move, so the
/// next statement's can follow.
pub(super) fn push_shifted(sql: &mut String, statement: &str, keep: usize, by: usize) -> usize {
    let mut rest = statement;
    let mut highest = 0;
    while let Some(at) = rest.find('$') {
        sql.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = rest[..digits].parse().unwrap_or(0);
        highest = highest.max(n);
        let n = if n > keep { n + by } else { n };
        sql.push_str(&n.to_string());
        rest = &rest[digits..];
    }
    sql.push_str(rest);
    highest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_parameters_are_numbered_on_and_the_scope_stays() {
        let mut sql = String::new();
        let highest = push_shifted(&mut sql, "VALUES ($1, $3, $4, $12)", SCOPE_PARAMS, 10);
        assert_eq!(sql, "VALUES ($1, $3, $14, $22)");
        assert_eq!(highest, 12);
    }

    #[test]
    fn every_parameter_of_a_shape_is_named_once_in_order() {
        let sql = compose((false, 1, 2), true);
        assert!(sql.starts_with("SAVEPOINT append; "));
        let mut named: Vec<usize> = sql
            .split('$')
            .skip(1)
            .map(|s| {
                s[..s.bytes().take_while(u8::is_ascii_digit).count()]
                    .parse()
                    .unwrap()
            })
            .collect();
        named.sort_unstable();
        named.dedup();
        let total = 3 + EVENT_PARAMS + CREDENTIAL_PARAMS + 2 * SCORE_PARAMS;
        assert_eq!(named, (1..=total).collect::<Vec<_>>());
    }
}
