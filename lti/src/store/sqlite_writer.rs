//! Group commit of SQLite appends ([`Writer`]): SQLite has one writer at a time, so rather
//! than many pool connections queuing on its lock (each waiting in SQLite's sleeping busy
//! handler), one task owns one connection and commits the appends that arrived meanwhile in
//! one transaction. The task runs on a thread of its own (a one-thread runtime), so the
//! handlers' fold and signing work on the server's workers never delays it between two
//! statements of a group.
//!
//! - Each append with an event is one round trip ([`super::sqlite_writer_trip`]): its
//!   event inserted only at the head it folded (so a lost race writes nothing), its head
//!   moved, its credentials inserted and its scores queued, all in one query of several
//!   statements (each statement sent is a hand-off to the connection's thread and back,
//!   which under load costs more than the statement). An append with more than its event runs
//!   after a `SAVEPOINT` in that query: a conflict (the head moved, the issuance key or a
//!   status index taken) or a failed statement rolls back to it, so that append alone is
//!   refused and the others go on. A lone append, or one without an event (the sweep), runs
//!   [`append_in_tx!`]'s statements one at a time.
//! - Every caller is answered only after the `COMMIT` that holds its rows: acknowledged is
//!   committed. When the group as a whole fails (its `COMMIT`, or a failure that ended the
//!   transaction), nothing of it was committed and each append is run again alone, in its own
//!   transaction, and answered with its own outcome: one bad append never fails the others.
//! - One learner's appends stay in order: the engine holds the learner's lock until its
//!   append is answered, and the head's compare-and-set still guards against other servers.
//!
//! The writer holds the store's [`WriteGate`] for each group's transaction, and the pool's
//! bulk writers (the score outbox's claims and row endings) take it too: this process's writers
//! queue on an async mutex that wakes the next one at once, instead of meeting in SQLite's
//! busy handler, which sleeps (1 to 100 ms a time) however soon the lock is released. (That
//! was the tail after a burst: the outbox draining its backlog, one write per score, made the
//! writer's `BEGIN IMMEDIATE` sleep up to half a second.) Another process still meets the
//! busy handler.
//!
//! Durability is the pool's: WAL with `synchronous = NORMAL` ([`super::sqlite`]). The writer
//! never checkpoints (its `wal_autocheckpoint` is off, so no group waits for a checkpoint's
//! copy and fsync): a task checkpoints the WAL from a pool connection every
//! [`CHECKPOINT_EVERY`], `PASSIVE`, beside the writer.

use serde_json::Value;
use sqlx::{Connection as _, Row as _, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use cairn::event::Event;

use super::outbox::NewScore;
use super::records::{AppendOutcome, Author, LearnerHead, LearnerScope, NewCredential, NewEvent};
use super::sqlite_writer_trip::Trips;
use super::{StoreError, sql, sql_records as q};

/// Most appends committed in one transaction (a bound on the time one group holds the lock).
pub const MAX_GROUP: usize = 128;

/// How often the WAL is checkpointed into the database file.
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Appends waiting for the writer at most; senders wait beyond (back-pressure).
const QUEUE: usize = 1024;

/// Serializes this process's writes to one SQLite file (see the module docs).
pub type WriteGate = std::sync::Arc<tokio::sync::Mutex<()>>;

/// What an append answers.
type Answer = Result<AppendOutcome, StoreError>;

/// An event to append, owned so it can wait in the queue.
struct OwnedEvent {
    event: Event,
    meta: Value,
    author: Author,
}

impl OwnedEvent {
    /// The event as the statements take it.
    fn borrowed(&self) -> NewEvent<'_> {
        NewEvent {
            event: &self.event,
            meta: &self.meta,
            author: &self.author,
        }
    }
}

/// One append waiting for the writer.
struct Job {
    scope: LearnerScope,
    expected: Option<LearnerHead>,
    event: Option<OwnedEvent>,
    credentials: Vec<NewCredential>,
    scores: Vec<NewScore>,
    now: i64,
    reply: oneshot::Sender<Answer>,
}

enum Message {
    Append(Box<Job>),
    /// Commit what is queued, close the connection, answer.
    Close(oneshot::Sender<()>),
}

/// The handle of the writer task: cheap to clone, one per store.
#[derive(Clone, Debug)]
pub struct Writer {
    queue: mpsc::Sender<Message>,
}

/// The answer when the writer is gone (the store was closed).
fn closed() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

impl Writer {
    /// Starts the writer on `connection`, on a thread of its own, holding `gate` for each
    /// group, and the checkpoints on `pool` (on the current tokio runtime); both end when the
    /// store closes or is dropped.
    pub async fn start(
        mut connection: SqliteConnection,
        pool: sqlx::SqlitePool,
        gate: WriteGate,
    ) -> Result<Writer, StoreError> {
        sqlx::query("PRAGMA wal_autocheckpoint = 0")
            .execute(&mut connection)
            .await?;
        // A group's savepoints keep the pages they change in a sub-journal, which SQLite
        // spills to a temporary file past 64 KiB (created, written and deleted per group);
        // in memory it is a copy. It only undoes a savepoint: nothing durable lives there.
        sqlx::query("PRAGMA temp_store = MEMORY")
            .execute(&mut connection)
            .await?;
        let (queue, receiver) = mpsc::channel(QUEUE);
        // The writer holds `ended` while it runs: its end (the store closed or dropped)
        // ends the checkpoints, so they never keep a dropped store's pool open.
        let (ended, writer_ended) = oneshot::channel::<()>();
        // Its own thread and runtime: each statement's answer from the connection's thread
        // resumes the writer at once, not after the handlers' fold and signing work queued
        // on the server's few workers (that wait, once per statement of a group, was most
        // of a paced pass's tail).
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| StoreError::Database(sqlx::Error::Io(err)))?;
        std::thread::Builder::new()
            .name("cairn-sqlite-writer".to_owned())
            .spawn(move || {
                runtime.block_on(run(connection, receiver, gate));
                drop(ended);
            })
            .map_err(|err| StoreError::Database(sqlx::Error::Io(err)))?;
        tokio::spawn(checkpoints(pool, writer_ended));
        Ok(Writer { queue })
    }

    /// [`RecordStore::append_scored`](super::records::RecordStore::append_scored) through
    /// the writer: answered after the commit that holds it.
    pub async fn append(
        &self,
        scope: &LearnerScope,
        expected: Option<LearnerHead>,
        event: Option<NewEvent<'_>>,
        credentials: &[NewCredential],
        scores: &[NewScore],
        now: i64,
    ) -> Answer {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            scope: scope.clone(),
            expected,
            event: event.map(|e| OwnedEvent {
                event: e.event.clone(),
                meta: e.meta.clone(),
                author: e.author.clone(),
            }),
            credentials: credentials.to_vec(),
            scores: scores.to_vec(),
            now,
            reply,
        };
        self.queue
            .send(Message::Append(Box::new(job)))
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// Commits what is queued and closes the writer's connection.
    pub async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.queue.send(Message::Close(done)).await.is_ok() {
            let _ = closed.await;
        }
    }
}

/// The writer task: takes what is queued (up to [`MAX_GROUP`]) and commits it as a group.
async fn run(
    mut connection: SqliteConnection,
    mut receiver: mpsc::Receiver<Message>,
    gate: WriteGate,
) {
    let mut closing = None;
    let mut trips = Trips::default();
    while closing.is_none() {
        let Some(first) = receiver.recv().await else {
            break;
        };
        let mut jobs = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Append(job) => jobs.push(*job),
                Message::Close(done) => {
                    closing = Some(done);
                    break;
                }
            }
            if jobs.len() < MAX_GROUP {
                next = receiver.try_recv().ok();
            }
        }
        if !jobs.is_empty() {
            let _held = gate.lock().await;
            commit_group(&mut connection, &mut trips, jobs).await;
        }
    }
    receiver.close();
    // Appends that raced the close: answered as a closed store.
    while let Ok(message) = receiver.try_recv() {
        if let Message::Close(done) = message {
            let _ = done.send(());
        }
    }
    let _ = connection.close().await;
    if let Some(done) = closing {
        let _ = done.send(());
    }
}

/// Checkpoints the WAL every [`CHECKPOINT_EVERY`] until the writer ends or the pool closes.
/// `PASSIVE` waits for no reader or writer; a failure is logged and tried again at the next
/// tick.
async fn checkpoints(pool: sqlx::SqlitePool, mut writer_ended: oneshot::Receiver<()>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = &mut writer_ended => return,
        }
        if pool.is_closed() {
            return;
        }
        let started = std::time::Instant::now();
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await
        {
            // `log`: frames in the WAL; `checkpointed`: of them, in the database file now.
            Ok(row) => tracing::debug!(
                code = "checkpoint",
                log = row.try_get::<i64, _>(1).unwrap_or(-1),
                checkpointed = row.try_get::<i64, _>(2).unwrap_or(-1),
                ms = started.elapsed().as_secs_f64() * 1000.0,
                "WAL checkpoint"
            ),
            Err(err) => {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(code = "checkpoint_failed", error = %err, "a WAL checkpoint failed");
            }
        }
    }
}

/// Commits `jobs` and answers each one.
async fn commit_group(connection: &mut SqliteConnection, trips: &mut Trips, jobs: Vec<Job>) {
    if jobs.len() > 1 {
        match grouped(connection, trips, &jobs).await {
            Ok(answers) => {
                for (job, answer) in jobs.into_iter().zip(answers) {
                    let _ = job.reply.send(answer);
                }
                return;
            }
            Err(err) => {
                rollback(connection).await;
                tracing::warn!(
                    code = "group_commit_failed",
                    appends = jobs.len(),
                    error = %err,
                    "a group of appends failed as a whole; each is tried again alone"
                );
            }
        }
    }
    for job in jobs {
        let answer = alone(connection, &job).await;
        let _ = job.reply.send(answer);
    }
}

/// One transaction for all `jobs`; the answers in order. An `Err` means nothing was
/// committed (the caller rolls back).
///
/// Each job with an event is one round trip ([`Trips::run`]). A job whose only write is its
/// event and head needs no savepoint: its guarded insert writes nothing when the head moved,
/// and a failure after it fails the group. A job with more (credentials, whose unique keys
/// may refuse it after its event is in; scores, written whatever the head) runs behind a
/// savepoint that a conflict rolls back to.
async fn grouped(
    connection: &mut SqliteConnection,
    trips: &mut Trips,
    jobs: &[Job],
) -> Result<Vec<Answer>, StoreError> {
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *connection)
        .await?;
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let (savepoint, done) = match &job.event {
            Some(e) => {
                let event = e.borrowed();
                let savepoint = Trips::needs_savepoint(&job.credentials, &job.scores);
                let done = trips
                    .run(
                        connection,
                        &job.scope,
                        job.expected,
                        event,
                        &job.credentials,
                        &job.scores,
                        job.now,
                    )
                    .await;
                (savepoint, done)
            }
            // An issuance without an event (the sweep): the lone statements.
            None => {
                let savepoint = !job.credentials.is_empty();
                if savepoint {
                    sqlx::query("SAVEPOINT append")
                        .execute(&mut *connection)
                        .await?;
                }
                (savepoint, in_tx(connection, job).await)
            }
        };
        let answer = match done {
            Ok(Ok(seq)) => Ok(AppendOutcome::Appended { seq }),
            Ok(Err(AppendOutcome::HeadMoved)) if !savepoint => Ok(AppendOutcome::HeadMoved),
            // Without a savepoint a failure may leave part of the job: the group fails.
            Ok(Err(_)) | Err(_) if !savepoint => {
                return Err(StoreError::Corrupt(
                    "an append failed inside a group".to_owned(),
                ));
            }
            Ok(Err(conflict)) => Ok(conflict),
            Err(err) => Err(err),
        };
        if savepoint && !matches!(answer, Ok(AppendOutcome::Appended { .. })) {
            sqlx::query("ROLLBACK TO append")
                .execute(&mut *connection)
                .await?;
        }
        answers.push(answer);
    }
    sqlx::query("COMMIT").execute(&mut *connection).await?;
    Ok(answers)
}

/// One job in its own transaction.
async fn alone(connection: &mut SqliteConnection, job: &Job) -> Answer {
    let done = async {
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *connection)
            .await?;
        match in_tx(connection, job).await? {
            Ok(seq) => {
                sqlx::query("COMMIT").execute(&mut *connection).await?;
                Ok(AppendOutcome::Appended { seq })
            }
            Err(conflict) => {
                sqlx::query("ROLLBACK").execute(&mut *connection).await?;
                Ok(conflict)
            }
        }
    }
    .await;
    if done.is_err() {
        rollback(connection).await;
    }
    done
}

/// Ends a failed transaction (its error, "no transaction is active", is ignored when SQLite
/// ended it already or it never began).
async fn rollback(connection: &mut SqliteConnection) {
    let _ = sqlx::query("ROLLBACK").execute(&mut *connection).await;
}

/// The append's statements in the open transaction: its seq, or the conflict.
async fn in_tx(
    connection: &mut SqliteConnection,
    job: &Job,
) -> Result<Result<i64, AppendOutcome>, StoreError> {
    let event = job.event.as_ref().map(OwnedEvent::borrowed);
    let tx = connection;
    Ok(super::sql_records_append::append_in_tx!(
        tx,
        &job.scope,
        job.expected,
        event,
        &job.credentials,
        &job.scores,
        job.now,
        true
    ))
}
