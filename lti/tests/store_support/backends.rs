//! A fresh, empty store per test: SQLite in its own file under cargo's test temp folder, and
//! PostgreSQL in its own database of the cluster `CAIRN_TEST_POSTGRES_URL` names (so tests run
//! in parallel). Without that variable the PostgreSQL tests fail under `CI` and otherwise say
//! how to run them and pass.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use cairn_lti::store::{PostgresStore, SqliteStore, Store};
use sqlx::Connection as _;

/// The variable naming the PostgreSQL cluster the tests may create databases in.
pub const POSTGRES_URL_VAR: &str = "CAIRN_TEST_POSTGRES_URL";

/// Tells tests apart within one process.
static NEXT: AtomicU32 = AtomicU32::new(0);

/// A database or file name for `story`, unique in this process and across processes, and
/// within PostgreSQL's 63-byte identifier limit.
fn unique_name(story: &str) -> String {
    let story: String = story.chars().take(30).collect();
    format!(
        "cairn_test_{story}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store in a SQLite file of its own, removed by [`SqliteDb::finish`].
pub struct SqliteDb {
    /// The store under test.
    pub store: Arc<dyn Store>,
    inner: SqliteStore,
    file: PathBuf,
}

impl SqliteDb {
    /// Opens a new file for `story` through [`cairn_lti::store::open`], as the server does.
    pub async fn new(story: &str) -> SqliteDb {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("store-tests");
        let file = dir.join(format!("{}.sqlite3", unique_name(story)));
        remove_sqlite_files(&file);
        let path = file.to_str().expect("the temp path is UTF-8");
        // Through `open` once, for the scheme dispatch and the folder creation…
        let store = cairn_lti::store::open(path).await.expect("open SQLite");
        assert_eq!(store.backend(), "sqlite");
        // …and a second handle on the same file, to close it at the end.
        let inner = SqliteStore::open(&format!("sqlite://{path}"))
            .await
            .expect("reopen SQLite");
        SqliteDb { store, inner, file }
    }

    /// Closes the pool and removes the file.
    pub async fn finish(self) {
        self.inner.close().await;
        drop(self.store);
        remove_sqlite_files(&self.file);
    }
}

fn remove_sqlite_files(file: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// A store in a PostgreSQL database of its own, dropped by [`PostgresDb::finish`].
pub struct PostgresDb {
    /// The store under test.
    pub store: Arc<dyn Store>,
    inner: PostgresStore,
    admin_url: String,
    database: String,
}

impl PostgresDb {
    /// Creates a database for `story` in the cluster of [`POSTGRES_URL_VAR`]; `None` (after
    /// saying how to run them) when the variable is unset outside CI.
    pub async fn new(story: &str) -> Option<PostgresDb> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "{POSTGRES_URL_VAR} is not set, and CI never skips the PostgreSQL store tests: \
                 run them through `cargo xtask ci` or `cargo xtask postgres -- cargo test …`"
            );
            println!(
                "store test {story} on PostgreSQL skipped: {POSTGRES_URL_VAR} is unset. Run \
                 `cargo xtask postgres -- cargo test -p cairn-lti --test store` (or `cargo xtask \
                 ci`) to start a throwaway cluster and run them."
            );
            return None;
        };
        let database = unique_name(story);
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to the test cluster");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE \"{database}\""
        )))
        .execute(&mut admin)
        .await
        .expect("create the test database");
        admin.close().await.expect("close the admin connection");
        let mut url = url::Url::parse(&admin_url).expect("the test cluster URL parses");
        url.set_path(&format!("/{database}"));
        let store = cairn_lti::store::open(url.as_str())
            .await
            .expect("open PostgreSQL");
        assert_eq!(store.backend(), "postgres");
        let inner = PostgresStore::connect(url.as_str())
            .await
            .expect("reconnect to PostgreSQL");
        Some(PostgresDb {
            store,
            inner,
            admin_url,
            database,
        })
    }

    /// Closes the pool and drops the database.
    pub async fn finish(self) {
        self.inner.close().await;
        drop(self.store);
        let mut admin = sqlx::PgConnection::connect(&self.admin_url)
            .await
            .expect("connect to the test cluster");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE \"{}\" WITH (FORCE)",
            self.database
        )))
        .execute(&mut admin)
        .await
        .expect("drop the test database");
        admin.close().await.expect("close the admin connection");
    }
}

/// Runs each story on SQLite and PostgreSQL: `backends::stories!(story_a, story_b)` at a test
/// file's root makes `sqlite::story_a` and `postgres::story_a`, each calling
/// `story_a(&db.store)` on a fresh store.
#[allow(unused_macros, reason = "only the story suites use it")]
macro_rules! stories {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $story() {
                    let db = super::backends::SqliteDb::new(stringify!($story)).await;
                    super::$story(&db.store).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $story() {
                    let Some(db) = super::backends::PostgresDb::new(stringify!($story)).await
                    else { return };
                    super::$story(&db.store).await;
                    db.finish().await;
                }
            )*
        }
    };
}
#[allow(unused_imports, reason = "only the story suites use it")]
pub(crate) use stories;
