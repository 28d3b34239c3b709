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
                start_session_uses_state_once,
                session_by_token_and_activation,
                key_rotation_order,
                tool_keys_inserted_as_they_are,
                purge_expired_removes_only_the_expired,
                tenants_are_isolated,
            ]);
    };
}

all_stories!(sqlite, |story: &'static str| async move {
    Some(SqliteDb::new(story).await)
});
all_stories!(postgres, |story: &'static str| PostgresDb::new(story));
