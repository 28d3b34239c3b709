//! The store story suite: every story of `store_support/stories.rs` on SQLite (a file of its
//! own per test) and on PostgreSQL (a database of its own per test in the cluster named by
//! `CAIRN_TEST_POSTGRES_URL`; `cargo xtask ci` and `cargo xtask postgres -- …` start one).
//! Tests run on a multi-thread runtime so the concurrency story races for real.

mod store_support;

/// Runs each named story on one backend: `$open` makes the fresh database (an `Option` for
/// PostgreSQL, `None` when it is not available outside CI).
macro_rules! stories_on {
    ($backend:ident, $open:expr; shared: [$($shared:ident),* $(,)?]; by_ref: [$($story:ident),* $(,)?]) => {
        mod $backend {
            use super::store_support::stories;
            #[allow(unused_imports)]
            use super::store_support::backends::{PostgresDb, SqliteDb};

            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $story() {
                    let open = $open;
                    let Some(db) = open(stringify!($story)).await else { return };
                    stories::$story(&*db.store).await;
                    db.finish().await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $shared() {
                    let open = $open;
                    let Some(db) = open(stringify!($shared)).await else { return };
                    stories::$shared(std::sync::Arc::clone(&db.store)).await;
                    db.finish().await;
                }
            )*
        }
    };
}

macro_rules! all_stories {
    ($backend:ident, $open:expr) => {
        stories_on!($backend, $open;
            shared: [nonce_once_under_concurrency];
            by_ref: [
                registrations_add_list_duplicate_remove_cascades,
                deployments_are_added_once_and_removed,
                login_state_round_trips,
                nonce_is_used_once,
                nonce_and_state_in_one_call,
                start_session_uses_state_once,
                session_by_token_and_activation,
                key_rotation_order,
                tool_keys_inserted_as_they_are,
                purge_expired_removes_only_the_expired,
                tenants_are_isolated,
                placements_and_rosters_round_trip,
            ]);
    };
}

all_stories!(sqlite, |story: &'static str| async move {
    Some(SqliteDb::new(story).await)
});
all_stories!(postgres, |story: &'static str| PostgresDb::new(story));

/// `open` makes the SQLite file's folder, and a second open of the same file (as a
/// `sqlite://` URL) sees the first one's rows and reruns no migration.
#[tokio::test]
async fn open_creates_the_sqlite_folder_and_reopens_the_file() {
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("store-tests")
        .join(format!("open-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let file = root.join("nested").join("cairn.sqlite3");
    let path = file.to_str().expect("the temp path is UTF-8");
    let first = cairn_lti::store::open(path).await.expect("open a new file");
    assert!(file.is_file(), "{} was not created", file.display());
    let registration = cairn_lti::store::NewRegistration {
        issuer: "https://moodle.example.edu".into(),
        client_id: "c".into(),
        auth_endpoint: "https://moodle.example.edu/auth".into(),
        token_endpoint: "https://moodle.example.edu/token".into(),
        jwks_url: "https://moodle.example.edu/jwks".into(),
        client_assertion_audience: None,
        platform_family: cairn_lti::store::PlatformFamily::Moodle,
        auto_register_deployments: false,
        allow_http: false,
    };
    let added = first.add_registration(&registration, 5).await.unwrap();
    let state = first.pool_state();
    assert!(state.size >= 1 && state.idle <= state.size, "{state:?}");
    let second = cairn_lti::store::open(&format!("sqlite://{path}"))
        .await
        .expect("reopen the file");
    assert_eq!(second.registrations().await.unwrap(), [added]);
    drop((first, second));
    let _ = std::fs::remove_dir_all(&root);
}

/// A URL of another database is refused with its scheme named, not taken for a file path.
#[tokio::test]
async fn open_refuses_an_unknown_scheme() {
    let refused = cairn_lti::store::open("mysql://root@127.0.0.1/cairn").await;
    match refused {
        Err(cairn_lti::store::StoreError::Database(err)) => {
            let text = err.to_string();
            assert!(text.contains("\"mysql\""), "{text}");
            assert!(!text.contains("root@"), "the URL's user leaked: {text}");
        }
        Err(other) => panic!("wrong error: {other:?}"),
        Ok(store) => panic!("opened {}", store.backend()),
    }
}
