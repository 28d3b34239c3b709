//! The PostgreSQL backend, for several `cairn-lti` instances behind a load balancer: a pool
//! on `postgres://` or `postgresql://`, migrations from `lti/migrations/postgres/` run at
//! connect (under sqlx's advisory lock, so instances starting together do not race). The
//! statements live in `sql.rs`.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;

use super::StoreError;

/// Connections in the pool, per server instance.
const MAX_CONNECTIONS: u32 = 16;

/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection idle longer than this is pinged before it is handed out (one that was just in
/// use was pinged when sqlx took it back, so pinging it again would be a wasted round trip).
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// The store on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: sqlx::PgPool,
}

impl PostgresStore {
    /// No gate: PostgreSQL locks rows, not the database, and wakes its waiters itself.
    async fn write_gate(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        None
    }

    /// Connects to `url` (`postgres://user@host:port/db`) and runs the migrations.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // sqlx pings every connection it takes back; on acquire, ping only a connection
            // that sat idle (the server may have dropped it since), not one used a moment ago.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > PING_IF_IDLE_FOR {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// Appends commit per request on PostgreSQL (its row locks let writers run side by side).
    fn group_writer(&self) -> Option<&super::sqlite_writer::Writer> {
        None
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

super::sql::impl_store!(PostgresStore, sqlx::Postgres, "postgres");
super::sql_api::impl_api_store!(PostgresStore, sqlx::Postgres);
super::sql_advantage::impl_advantage_store!(PostgresStore, sqlx::Postgres);
super::sql_records_impl::impl_record_store!(PostgresStore, sqlx::Postgres);
super::sql_outbox::impl_outbox_store!(
    PostgresStore,
    sqlx::Postgres,
    crate::store::sql_outbox::CLAIM_POSTGRES,
    false
);
