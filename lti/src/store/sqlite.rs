//! The SQLite backend: one file (default `./data/cairn.sqlite3`, chosen by the caller) in WAL
//! mode with foreign keys on and a busy timeout, behind a small pool. Opening it creates the
//! folder and the file and runs `lti/migrations/sqlite/`. The statements live in `sql.rs`.
//! Appends to the event log go through one more connection, the group-commit writer
//! (`sqlite_writer.rs`), so concurrent appends share a transaction instead of queuing on
//! SQLite's write lock.
//!
//! `synchronous = NORMAL` with WAL: a commit is in the WAL file before it is answered, so a
//! crash of the process (SIGKILL included) loses nothing acknowledged; only a power cut or an
//! operating-system crash may lose the last commits (`FULL` would fsync each group, at a cost
//! in latency, for that case).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::StoreError;
use super::sqlite_writer::{WriteGate, Writer};

/// How long a writer waits for another writer's lock before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections in the pool. SQLite has one writer at a time; a few connections let reads run
/// beside it (WAL) without many writers queuing on the lock.
const MAX_CONNECTIONS: u32 = 8;

/// The store on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
    /// Appends go through it: one connection commits them in groups (`sqlite_writer.rs`);
    /// `None` for an in-memory database.
    writer: Option<Writer>,
    /// Held by the writer for each group and by the outbox's writes (`sqlite_writer.rs`).
    gate: WriteGate,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url_or_path`: a `sqlite:` URL
    /// (`sqlite://data/cairn.sqlite3`, `sqlite::memory:`) or a plain file path. Creates the
    /// file's folder, switches on WAL, foreign keys and the busy timeout, and runs the
    /// migrations.
    pub async fn open(url_or_path: &str) -> Result<SqliteStore, StoreError> {
        let options = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)?
        } else {
            SqliteConnectOptions::new().filename(url_or_path)
        };
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses no committed data on an application crash and is much faster.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let file = options.get_filename().to_path_buf();
        let file = file.as_path();
        let folder = file.parent().filter(|f| !f.as_os_str().is_empty());
        if let Some(folder) = folder.filter(|_| !is_memory(file)) {
            std::fs::create_dir_all(folder).map_err(|err| {
                StoreError::Database(sqlx::Error::Configuration(
                    format!(
                        "cannot create the database folder {}: {err}",
                        folder.display()
                    )
                    .into(),
                ))
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            // sqlx pings every connection it takes back (a hop to the connection's worker
            // thread); a second ping on acquire finds nothing new for a local file.
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let gate = WriteGate::default();
        let writer = if is_memory(file) {
            // Every connection to `:memory:` is a database of its own: the pool's one is used.
            None
        } else {
            let connection = sqlx::SqliteConnection::connect_with(&options).await?;
            Some(Writer::start(connection, pool.clone(), WriteGate::clone(&gate)).await?)
        };
        Ok(SqliteStore { pool, writer, gate })
    }

    /// The group-commit writer appends go through (`None` for an in-memory database).
    fn group_writer(&self) -> Option<&Writer> {
        self.writer.as_ref()
    }

    /// This process's turn to write outside the writer: its writes then never wait in
    /// SQLite's sleeping busy handler for the writer's groups (`sqlite_writer.rs`).
    async fn write_gate(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        Some(WriteGate::clone(&self.gate).lock_owned().await)
    }

    /// Closes every connection (after which the file can be removed).
    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// Whether the filename names an in-memory database rather than a file.
fn is_memory(file: &Path) -> bool {
    file.to_str()
        .is_some_and(|f| f.starts_with(":memory:") || f.starts_with("file:"))
}

super::sql::impl_store!(SqliteStore, sqlx::Sqlite, "sqlite");
super::sql_api::impl_api_store!(SqliteStore, sqlx::Sqlite);
super::sql_advantage::impl_advantage_store!(SqliteStore, sqlx::Sqlite);
super::sql_records_impl::impl_record_store!(SqliteStore, sqlx::Sqlite);
super::sql_outbox::impl_outbox_store!(
    SqliteStore,
    sqlx::Sqlite,
    crate::store::sql_outbox::CLAIM_SQLITE,
    true
);
