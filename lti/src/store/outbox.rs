//! Rows of Assignment and Grade Services (`spec/lti.md` §2, §8; migration 0006): the AGS
//! endpoint claim kept from launches, the line item of each assessment, and the score outbox.
//!
//! Outbox rows are written by [`RecordStore::append_scored`](super::records::RecordStore::append_scored)
//! in the event's transaction; a row is unique per `(registration, context, learner, assessment,
//! state_key)`, the state being the (attempt, kept result) the score describes, so a state is
//! never queued twice. A new row supersedes the unsent (`pending`) rows of its key, and its
//! `timestamp_ms` is `max(now, the key's last + 1)`: strictly increasing per key. Workers
//! claim due rows ([`OutboxStore::claim_scores`]: `FOR UPDATE SKIP LOCKED` on PostgreSQL; one
//! `UPDATE … RETURNING` on SQLite, whose writes are serialized) under a lease, oldest first,
//! never a row while an older row of its key is unsent; a crashed worker's lease expires and
//! the row is claimed again.

use async_trait::async_trait;
use serde::Serialize;

use super::{RegistrationId, StoreError};

/// Waiting to be sent (at `next_try_ms`).
pub const STATUS_PENDING: &str = "pending";
/// Claimed by a worker until `lease_until_ms`.
pub const STATUS_SENDING: &str = "sending";
/// Accepted by the platform.
pub const STATUS_SENT: &str = "sent";
/// A newer state of the same key was queued, or the platform holds a newer score.
pub const STATUS_SUPERSEDED: &str = "superseded";
/// Stopped with a reason an admin can read and replay.
pub const STATUS_PARKED: &str = "parked";

/// A launch's AGS endpoint claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgsEndpointRow {
    /// The registration.
    pub registration_id: RegistrationId,
    /// The deployment.
    pub deployment_id: String,
    /// The context.
    pub context_id: String,
    /// The resource link (empty when the launch had none).
    pub resource_link_id: String,
    /// The line item container URL.
    pub lineitems: Option<String>,
    /// The launch's own line item URL.
    pub lineitem: Option<String>,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// When a launch last carried it.
    pub updated_at: i64,
}

/// A score to queue with an event (built from the core's record by the caller).
#[derive(Clone, Debug, PartialEq)]
pub struct NewScore {
    /// The assessment (the line item's `resourceId`).
    pub assessment_id: String,
    /// The (attempt, kept result) state this score describes.
    pub state_key: String,
    /// What to send: the score and the line item to find or create (JSON).
    pub payload: serde_json::Value,
    /// Now, in Unix milliseconds (the timestamp's floor).
    pub now_ms: i64,
}

/// One outbox row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutboxRow {
    /// Its id.
    pub id: i64,
    /// The registration.
    pub registration_id: RegistrationId,
    /// The context.
    pub context_id: String,
    /// The learner (`userId`).
    pub learner_sub: String,
    /// The assessment.
    pub assessment_id: String,
    /// The state it describes.
    pub state_key: String,
    /// The event that produced it.
    pub event_seq: i64,
    /// The score and line item (JSON).
    pub payload: serde_json::Value,
    /// The score's timestamp (Unix ms).
    pub timestamp_ms: i64,
    /// `pending`, `sending`, `sent`, `superseded` or `parked`.
    pub status: String,
    /// Sends tried.
    pub tries: i64,
    /// When it is due (Unix ms).
    pub next_try_ms: i64,
    /// Why it is parked or superseded, a stable code.
    pub reason: Option<String>,
    /// The platform's answer or the error, for people.
    pub detail: Option<String>,
    /// When it was queued (Unix seconds).
    pub created_at: i64,
    /// When the platform accepted it (Unix seconds).
    pub sent_at: Option<i64>,
}

/// How a claimed row ends (each applies only while the row is still `sending`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finish {
    /// The platform accepted it.
    Sent {
        /// Now (Unix seconds).
        now: i64,
    },
    /// Try again at `next_try_ms`.
    Retry {
        /// When (Unix ms).
        next_try_ms: i64,
        /// The failure.
        detail: String,
    },
    /// Try again at `next_try_ms` with a newer timestamp.
    Bump {
        /// The new timestamp (Unix ms).
        timestamp_ms: i64,
        /// When (Unix ms).
        next_try_ms: i64,
        /// The failure.
        detail: String,
    },
    /// Stop, with a reason an admin sees.
    Park {
        /// A stable code.
        reason: String,
        /// The platform's answer or the error.
        detail: String,
    },
    /// Stop: the platform holds a newer score.
    Superseded {
        /// A stable code.
        reason: String,
        /// The platform's answer.
        detail: String,
    },
}

/// The outbox's counts for `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Rows `pending` or `sending`.
    pub depth: i64,
    /// Rows `parked`.
    pub parked: i64,
    /// The oldest unsent row's `created_at` (Unix seconds), if any.
    pub oldest_pending_created_at: Option<i64>,
}

/// The AGS rows, on the same pool as the [`Store`](super::Store).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Keeps a launch's AGS endpoint claim (insert or update).
    async fn put_ags_endpoint(&self, row: &AgsEndpointRow) -> Result<(), StoreError>;
    /// The most recently launched AGS endpoint of a context that has a line item container.
    async fn ags_endpoint(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
    ) -> Result<Option<AgsEndpointRow>, StoreError>;
    /// The line item URL of an assessment in a context.
    async fn line_item(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        assessment_id: &str,
    ) -> Result<Option<String>, StoreError>;
    /// Keeps (or replaces) the line item URL of an assessment.
    async fn put_line_item(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        assessment_id: &str,
        lineitem: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Forgets the line item of an assessment (the platform answered 404).
    async fn forget_line_item(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        assessment_id: &str,
    ) -> Result<(), StoreError>;
    /// Claims up to `limit` due rows until `lease_until_ms`, oldest timestamp first.
    async fn claim_scores(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StoreError>;
    /// Ends a claimed row; false if it was no longer `sending` (its lease ran out and
    /// another worker took it).
    async fn finish_score(&self, id: i64, finish: &Finish) -> Result<bool, StoreError>;
    /// Ends claimed rows in one transaction, each as [`OutboxStore::finish_score`] would;
    /// answers in order.
    async fn finish_scores(&self, done: &[(i64, Finish)]) -> Result<Vec<bool>, StoreError>;
    /// Parked rows, oldest first, after id `after`, at most `limit`.
    async fn parked_scores(&self, after: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError>;
    /// Puts a parked row back to `pending`, due now; false if it is not parked.
    async fn replay_score(&self, id: i64, now_ms: i64) -> Result<bool, StoreError>;
    /// Puts the context's rows parked for `reason` back to `pending`, due at `now_ms`, in one
    /// transaction; a parked row whose key has a newer row is `superseded` instead (only the
    /// latest state is worth sending). Answers how many rows were re-queued.
    async fn requeue_parked(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        reason: &str,
        now_ms: i64,
    ) -> Result<u64, StoreError>;
    /// One row.
    async fn score_row(&self, id: i64) -> Result<Option<OutboxRow>, StoreError>;
    /// Every row of a learner's assessment, by id (tests, the admin's view).
    async fn learner_scores(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        learner_sub: &str,
    ) -> Result<Vec<OutboxRow>, StoreError>;
    /// Depth, parked rows and the oldest unsent row.
    async fn outbox_stats(&self) -> Result<OutboxStats, StoreError>;
}
