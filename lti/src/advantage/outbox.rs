//! The score outbox's worker (`spec/lti.md` §8.4): claims due rows
//! ([`OutboxStore::claim_scores`]), finds or creates each assessment's line item, posts the
//! score with the row's timestamp, and ends the row: `sent`; retried with exponential backoff
//! and jitter (network, 429, 5xx; `Retry-After` honoured); the line item found or created again
//! (404); sent once more with a newer timestamp, then `superseded`, when the platform holds a
//! newer one; or `parked` with a reason (user not gradable, attempt limit, other refusals, no
//! AGS endpoint) for an admin to read and replay. Nothing runs inside a request: the write
//! path only queues and wakes the worker.
//!
//! A score for a context no launch has yet brought an AGS endpoint for (a learner submits
//! through the API before anyone launched with the claim, or the platform's link had grades
//! off) is parked [`NO_AGS_ENDPOINT`]. Those rows heal themselves: the first launch into the
//! context that carries a line item container re-queues them
//! ([`OutboxStore::requeue_parked`](crate::store::outbox::OutboxStore::requeue_parked), only
//! the latest state per learner and assessment; older ones become `superseded`) and wakes the
//! worker, so they do not pile up waiting for an admin. Until then they stay listed with their
//! reason in the admin's parked rows and counted in `/metrics`.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;

use super::ags::{AgsClient, AgsError, Failure};
use super::ags_types::{LineItem, rfc3339_millis};
use super::scores::Payload;
use super::token::TokenEndpoint;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::store::outbox::{Finish, OutboxRow, STATUS_PENDING, STATUS_SENDING};
use crate::store::{PlatformFamily, Registration, Store, StoreError};

/// Logs a row's parking (nothing for other endings).
fn log_parked(row: &OutboxRow, finish: &Finish) {
    if let Finish::Park { reason, detail } = finish {
        tracing::warn!(
            code = "score_parked",
            row = row.id,
            registration_id = row.registration_id,
            context_id = %row.context_id,
            assessment = %row.assessment_id,
            %reason,
            %detail,
            "a score was parked"
        );
    }
}

/// What a claimed batch's rows need from the store, read once per batch rather than once per
/// row (a burst of scores is mostly one context): each registration, and each context's
/// AGS endpoint (`None`: not found).
#[derive(Debug, Default)]
struct Lookups {
    registrations: HashMap<i64, Option<Registration>>,
    endpoints: HashMap<(i64, String), Option<crate::store::outbox::AgsEndpointRow>>,
}

impl Lookups {
    async fn read(store: &dyn Store, rows: &[OutboxRow]) -> Result<Lookups, StoreError> {
        let mut lookups = Lookups::default();
        for row in rows {
            if let Entry::Vacant(slot) = lookups.registrations.entry(row.registration_id) {
                slot.insert(store.registration_by_id(row.registration_id).await?);
            }
            let key = (row.registration_id, row.context_id.clone());
            if let Entry::Vacant(slot) = lookups.endpoints.entry(key) {
                let outbox = store.outbox();
                slot.insert(
                    outbox
                        .ags_endpoint(row.registration_id, &row.context_id)
                        .await?,
                );
            }
        }
        Ok(lookups)
    }
}

/// Where a row goes, when the batch's lookups find it somewhere to go.
struct Target<'l> {
    payload: Payload,
    registration: &'l Registration,
    lineitems: &'l str,
}

impl<'l> Target<'l> {
    /// The row's target, or the ending it gets without asking the platform (parked: an
    /// unreadable row, its registration removed, no AGS endpoint in its context).
    fn of(row: &OutboxRow, lookups: &'l Lookups) -> Result<Target<'l>, Finish> {
        let park = |reason: &str, detail: String| Finish::Park {
            reason: reason.to_owned(),
            detail,
        };
        let payload: Payload = serde_json::from_value(row.payload.clone())
            .map_err(|err| park("unreadable_row", err.to_string()))?;
        let registration = lookups
            .registrations
            .get(&row.registration_id)
            .and_then(Option::as_ref)
            .ok_or_else(|| park("no_registration", "the registration was removed".into()))?;
        let endpoint = lookups
            .endpoints
            .get(&(row.registration_id, row.context_id.clone()))
            .and_then(Option::as_ref)
            .ok_or_else(|| {
                park(
                    NO_AGS_ENDPOINT,
                    "no launch into this context carried an AGS endpoint with a line item \
                     container; replay after a launch that does"
                        .into(),
                )
            })?;
        let lineitems = endpoint
            .lineitems
            .as_deref()
            .ok_or_else(|| park(NO_AGS_ENDPOINT, "no line item container".into()))?;
        Ok(Target {
            payload,
            registration,
            lineitems,
        })
    }
}

/// How the worker paces itself.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Rows claimed at once (and sent concurrently).
    pub batch: i64,
    /// How long a claim holds a row (a crashed worker's rows return after it).
    pub lease: Duration,
    /// How long the worker sleeps when nothing is due and nobody wakes it.
    pub idle_poll: Duration,
    /// How long the worker lets rows gather after a batch that was not full, before it
    /// claims again: under a steady stream of writes it then claims and ends rows tens of
    /// times a second rather than once or twice per score, and each claim and ending takes
    /// SQLite's write gate from the event writer (`store/sqlite_writer.rs`).
    pub gather: Duration,
    /// The first retry's delay; each retry doubles it.
    pub backoff_base: Duration,
    /// The longest delay between retries.
    pub backoff_cap: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            batch: 32,
            lease: Duration::from_secs(120),
            idle_poll: Duration::from_millis(500),
            gather: Duration::from_millis(20),
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(3600),
        }
    }
}

/// (registration, context, assessment): one line item each.
type LineItemKey = (i64, String, String);

/// The park reason of a score whose context has no known AGS line item container; a launch
/// that brings one re-queues these rows.
pub const NO_AGS_ENDPOINT: &str = "no_ags_endpoint";

/// How many times a 404 may send the worker to find or create the line item again.
const MAX_LINE_ITEM_RETRIES: i64 = 3;

/// The worker: store, AGS client, clock and metrics.
#[derive(Clone)]
pub struct OutboxWorker {
    store: Arc<dyn Store>,
    ags: AgsClient,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    config: WorkerConfig,
    /// One line item lookup or creation at a time per (registration, context, assessment).
    line_item_locks: Arc<Mutex<BTreeMap<LineItemKey, Arc<tokio::sync::Mutex<()>>>>>,
}

impl std::fmt::Debug for OutboxWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxWorker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What happened to one claimed row, for metrics and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendResult {
    /// Accepted.
    Sent,
    /// Will be tried again.
    Retry,
    /// Stopped: the platform holds a newer score.
    Superseded,
    /// Stopped with a reason.
    Parked,
    /// Another worker took it over (the lease ran out).
    Lost,
}

impl SendResult {
    /// The metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            SendResult::Sent => "sent",
            SendResult::Retry => "retry",
            SendResult::Superseded => "superseded",
            SendResult::Parked => "parked",
            SendResult::Lost => "lost",
        }
    }
}

impl OutboxWorker {
    /// A worker over `store`, sending with `ags`.
    pub fn new(
        store: Arc<dyn Store>,
        ags: AgsClient,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
        config: WorkerConfig,
    ) -> OutboxWorker {
        OutboxWorker {
            store,
            ags,
            clock,
            metrics,
            config,
            line_item_locks: Arc::default(),
        }
    }

    /// Runs until the task is dropped: a batch whenever rows are due, else a sleep of
    /// `idle_poll` cut short by `wake` (the write path's signal). After a batch that was not
    /// full it waits `gather` before claiming again (a full one means a backlog: no wait).
    pub async fn run(self, wake: Arc<Notify>) {
        loop {
            match self.run_once().await {
                Ok(0) => {
                    let _ = tokio::time::timeout(self.config.idle_poll, wake.notified()).await;
                }
                Ok(claimed) if i64::try_from(claimed).unwrap_or(i64::MAX) < self.config.batch => {
                    tokio::time::sleep(self.config.gather).await;
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::error!(code = "outbox_store_failed", error = %err, "score outbox");
                    tokio::time::sleep(self.config.idle_poll).await;
                }
            }
        }
    }

    /// Claims one batch and sends it (rows concurrently); answers how many rows it claimed.
    pub async fn run_once(&self) -> Result<usize, StoreError> {
        let now_ms = self.clock.now_ms();
        let lease_ms = i64::try_from(self.config.lease.as_millis()).unwrap_or(i64::MAX);
        let rows = self
            .store
            .outbox()
            .claim_scores(now_ms, now_ms.saturating_add(lease_ms), self.config.batch)
            .await?;
        let claimed = rows.len();
        let lookups = Arc::new(Lookups::read(self.store.as_ref(), &rows).await?);
        // Rows with nowhere to go are parked together, in one transaction.
        let (mut parked, mut sending) = (Vec::new(), Vec::new());
        for row in rows {
            match Target::of(&row, &lookups) {
                Ok(_) => sending.push(row),
                Err(finish) => parked.push((row, finish)),
            }
        }
        if !parked.is_empty() {
            self.park_all(parked).await?;
        }
        let mut tasks = tokio::task::JoinSet::new();
        for row in sending {
            let worker = self.clone();
            let lookups = Arc::clone(&lookups);
            tasks.spawn(async move { worker.send_with(row, &lookups).await });
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(result)) => self.metrics.record_score_send(result.as_str()),
                Ok(Err(err)) => {
                    tracing::error!(code = "outbox_store_failed", error = %err, "score outbox");
                }
                Err(err) => tracing::error!(code = "outbox_task_failed", error = %err),
            }
        }
        Ok(claimed)
    }

    /// Ends rows that were decided without the platform, in one transaction.
    async fn park_all(&self, parked: Vec<(OutboxRow, Finish)>) -> Result<(), StoreError> {
        for (row, finish) in &parked {
            log_parked(row, finish);
        }
        let done: Vec<(i64, Finish)> = parked.into_iter().map(|(row, f)| (row.id, f)).collect();
        let ended = self.store.outbox().finish_scores(&done).await?;
        for (ended, (_, finish)) in ended.into_iter().zip(&done) {
            let result = match finish {
                _ if !ended => SendResult::Lost,
                Finish::Superseded { .. } => SendResult::Superseded,
                _ => SendResult::Parked,
            };
            self.metrics.record_score_send(result.as_str());
        }
        Ok(())
    }

    /// Sends one claimed row and ends it.
    pub async fn send(&self, row: OutboxRow) -> Result<SendResult, StoreError> {
        let lookups = Lookups::read(self.store.as_ref(), std::slice::from_ref(&row)).await?;
        self.send_with(row, &lookups).await
    }

    /// [`Worker::send`] with the batch's registrations and endpoints read already.
    async fn send_with(&self, row: OutboxRow, lookups: &Lookups) -> Result<SendResult, StoreError> {
        let outbox = self.store.outbox();
        let finish = self.attempt(&row, lookups).await?;
        let result = match &finish {
            Finish::Sent { .. } => SendResult::Sent,
            Finish::Retry { .. } | Finish::Bump { .. } => SendResult::Retry,
            Finish::Superseded { .. } => SendResult::Superseded,
            Finish::Park { .. } => SendResult::Parked,
        };
        log_parked(&row, &finish);
        if outbox.finish_score(row.id, &finish).await? {
            Ok(result)
        } else {
            Ok(SendResult::Lost)
        }
    }

    /// Everything up to the platform's answer, as the row's ending.
    async fn attempt(&self, row: &OutboxRow, lookups: &Lookups) -> Result<Finish, StoreError> {
        let park = |reason: &str, detail: String| Finish::Park {
            reason: reason.to_owned(),
            detail,
        };
        let Target {
            payload,
            registration,
            lineitems,
        } = match Target::of(row, lookups) {
            Ok(target) => target,
            Err(finish) => return Ok(finish),
        };
        let token_endpoint = TokenEndpoint::of(registration);
        let family = registration.fields.platform_family;
        let lineitem = match self
            .line_item(row, &token_endpoint, lineitems, &payload.line_item)
            .await
        {
            Ok(Some(url)) => url,
            Ok(None) => return Ok(park("no_line_item", "the line item was not created".into())),
            Err(Lookup::Store(err)) => return Err(err),
            Err(Lookup::Ags(err)) => return self.failed(row, &err, family, false).await,
        };
        let score = score_for(row, &payload, registration);
        match self
            .ags
            .post_score(&token_endpoint, &lineitem, &score)
            .await
        {
            Ok(()) => Ok(Finish::Sent {
                now: self.clock.now(),
            }),
            Err(err) => {
                match err.failure(family) {
                    Failure::MissingLineItem => {
                        self.store
                            .outbox()
                            .forget_line_item(
                                row.registration_id,
                                &row.context_id,
                                &row.assessment_id,
                            )
                            .await?;
                    }
                    // Refused as older: if the platform already holds this very score (sent
                    // before a crash kept the row from being marked), it is sent.
                    Failure::OlderTimestamp
                        if self
                            .already_landed(&token_endpoint, &lineitem, &score)
                            .await =>
                    {
                        return Ok(Finish::Sent {
                            now: self.clock.now(),
                        });
                    }
                    _ => {}
                }
                self.failed(row, &err, family, true).await
            }
        }
    }

    /// The ending of a failed call.
    async fn failed(
        &self,
        row: &OutboxRow,
        err: &AgsError,
        family: PlatformFamily,
        posting: bool,
    ) -> Result<Finish, StoreError> {
        let detail = err.to_string();
        let now_ms = self.clock.now_ms();
        let failure = err.failure(family);
        Ok(match failure {
            Failure::Transient(retry_after) => Finish::Retry {
                next_try_ms: now_ms.saturating_add(self.backoff_ms(row.tries, retry_after)),
                detail,
            },
            Failure::MissingLineItem if posting && row.tries <= MAX_LINE_ITEM_RETRIES => {
                Finish::Retry {
                    next_try_ms: now_ms,
                    detail,
                }
            }
            Failure::OlderTimestamp if posting => {
                // A newer state of this key is queued: it will land; this one is moot.
                // Otherwise the platform holds a newer score from elsewhere: send once more
                // with a newer timestamp, then give up (`spec/lti.md` §8.4: superseded).
                let rows = self
                    .store
                    .outbox()
                    .learner_scores(row.registration_id, &row.context_id, &row.learner_sub)
                    .await?;
                let newer = rows.iter().any(|other| {
                    other.assessment_id == row.assessment_id
                        && other.timestamp_ms > row.timestamp_ms
                        && [STATUS_PENDING, STATUS_SENDING].contains(&other.status.as_str())
                });
                if newer || row.detail.as_deref().is_some_and(|d| d.starts_with(BUMPED)) {
                    Finish::Superseded {
                        reason: failure.code().to_owned(),
                        detail,
                    }
                } else {
                    Finish::Bump {
                        timestamp_ms: now_ms.max(row.timestamp_ms + 1),
                        next_try_ms: now_ms,
                        detail: format!("{BUMPED}{detail}"),
                    }
                }
            }
            other => Finish::Park {
                reason: other.code().to_owned(),
                detail,
            },
        })
    }

    /// Whether the platform's result for the score's user (read back, `result.readonly`)
    /// already equals the score; false when it cannot be read.
    async fn already_landed(
        &self,
        endpoint: &TokenEndpoint,
        lineitem: &str,
        score: &super::ags_types::Score,
    ) -> bool {
        let Ok(results) = self
            .ags
            .results(endpoint, lineitem, Some(&score.user_id))
            .await
        else {
            return false;
        };
        let given = score
            .score_given
            .as_ref()
            .and_then(serde_json::Number::as_f64);
        let maximum = score
            .score_maximum
            .as_ref()
            .and_then(serde_json::Number::as_f64);
        results.iter().any(|result| {
            result.user_id == score.user_id
                && result.result_score == given
                && (given.is_none() || result.result_maximum == maximum)
        })
    }

    /// `base × 2^(tries−1)`, capped, with jitter (half fixed, half random); at least
    /// `Retry-After` when the platform gave one.
    fn backoff_ms(&self, tries: i64, retry_after: Option<u64>) -> i64 {
        let base = i64::try_from(self.config.backoff_base.as_millis()).unwrap_or(i64::MAX);
        let cap = i64::try_from(self.config.backoff_cap.as_millis()).unwrap_or(i64::MAX);
        let exponent = u32::try_from(tries.saturating_sub(1).clamp(0, 40)).unwrap_or(40);
        let delay = base.saturating_mul(1i64 << exponent.min(40)).min(cap);
        let mut random = [0u8; 8];
        let jitter = if aws_lc_rs::rand::fill(&mut random).is_ok() {
            i64::try_from(u64::from_le_bytes(random) % u64::try_from(delay / 2 + 1).unwrap_or(1))
                .unwrap_or(0)
        } else {
            0
        };
        let floor = retry_after.map_or(0, |s| {
            i64::try_from(s.min(3600))
                .unwrap_or(3600)
                .saturating_mul(1000)
        });
        (delay - delay / 2 + jitter).max(floor)
    }

    /// The assessment's line item: the stored URL, else one found by `resource_id`, else a
    /// new one (one lookup at a time per assessment).
    async fn line_item(
        &self,
        row: &OutboxRow,
        endpoint: &TokenEndpoint,
        lineitems: &str,
        wanted: &LineItem,
    ) -> Result<Option<String>, Lookup> {
        let outbox = self.store.outbox();
        let key = (
            row.registration_id,
            row.context_id.clone(),
            row.assessment_id.clone(),
        );
        let lock = {
            let mut locks = self
                .line_item_locks
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Arc::clone(locks.entry(key).or_default())
        };
        let _guard = lock.lock().await;
        let (reg, context, assessment) = (row.registration_id, &row.context_id, &row.assessment_id);
        if let Some(url) = outbox.line_item(reg, context, assessment).await? {
            return Ok(Some(url));
        }
        let found = self
            .ags
            .line_items(endpoint, lineitems, Some(assessment), None)
            .await?;
        let existing = found
            .into_iter()
            .find(|item| item.resource_id.as_deref() == Some(assessment.as_str()))
            .and_then(|item| item.id);
        let url = match existing {
            Some(url) => url,
            None => {
                let created = self
                    .ags
                    .create_line_item(endpoint, lineitems, wanted)
                    .await?;
                match created.id {
                    Some(url) => url,
                    None => return Ok(None),
                }
            }
        };
        outbox
            .put_line_item(reg, context, assessment, &url, self.clock.now())
            .await?;
        Ok(Some(url))
    }
}

/// The prefix of a bumped row's detail: it was sent once more with a newer timestamp.
const BUMPED: &str = "resent with a newer timestamp after: ";

/// Why a line item could not be had.
enum Lookup {
    Store(StoreError),
    Ags(AgsError),
}

impl From<StoreError> for Lookup {
    fn from(err: StoreError) -> Self {
        Lookup::Store(err)
    }
}

impl From<AgsError> for Lookup {
    fn from(err: AgsError) -> Self {
        Lookup::Ags(err)
    }
}

/// The score to post: the row's score with the learner, the row's timestamp and, on Canvas,
/// the submission extension.
fn score_for(
    row: &OutboxRow,
    payload: &Payload,
    registration: &Registration,
) -> super::ags_types::Score {
    let mut score = payload.score.clone();
    score.user_id = row.learner_sub.clone();
    score.timestamp = rfc3339_millis(row.timestamp_ms);
    if registration.fields.platform_family == PlatformFamily::Canvas
        && let Some(submitted) = payload.submitted_at_ms
    {
        score.canvas_submission = Some(serde_json::json!({
            "new_submission": payload.new_submission,
            "submission_type": "basic_lti_launch",
            "submitted_at": rfc3339_millis(submitted),
        }));
    }
    score
}
