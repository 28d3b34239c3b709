//! The registration and deployment cache ([`CachedStore`]) over a real SQLite file, with a
//! second, uncached handle on the same file playing another process (the CLI while `serve`
//! runs, or another instance): its changes are seen once the TTL has passed, this store's own
//! writes at once, and rows that were not found are never kept. The same for bearer-token
//! sessions: ended here, refused at once; ended by another process, refused once the TTL has
//! passed; a pending session is never kept, so its activation is seen at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cairn_lti::store::{
    BindingMode, CachedStore, DeploymentOrigin, LoginState, NewRegistration, PlatformFamily,
    RegistrationId, Session, SqliteStore, Store,
};

const ISSUER: &str = "https://lms.test";
const TTL: Duration = Duration::from_secs(2);

/// A cached store and another handle on the same new file.
async fn two_handles(name: &str) -> (CachedStore, SqliteStore, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("store-cache-tests");
    std::fs::create_dir_all(&dir).expect("temp folder");
    let file = dir.join(format!("{name}-{}.sqlite3", std::process::id()));
    remove(&file);
    let url = format!("sqlite://{}", file.display());
    let cached = SqliteStore::open(&url).await.expect("open");
    let other = SqliteStore::open(&url).await.expect("open again");
    (CachedStore::with_ttl(Arc::new(cached), TTL), other, file)
}

fn remove(file: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn registration(client_id: &str) -> NewRegistration {
    NewRegistration {
        issuer: ISSUER.to_owned(),
        client_id: client_id.to_owned(),
        auth_endpoint: format!("{ISSUER}/auth"),
        token_endpoint: format!("{ISSUER}/token"),
        jwks_url: format!("{ISSUER}/jwks"),
        client_assertion_audience: None,
        platform_family: PlatformFamily::Other,
        auto_register_deployments: false,
        allow_http: false,
    }
}

#[tokio::test]
async fn another_process_removal_is_seen_once_the_ttl_has_passed() {
    let (cached, other, file) = two_handles("ttl").await;
    let added = other.add_registration(&registration("a"), 1).await.unwrap();
    other
        .add_deployment(added.id, "1", DeploymentOrigin::Admin, 1)
        .await
        .unwrap();
    assert_eq!(
        cached.registrations_for_issuer(ISSUER).await.unwrap().len(),
        1
    );
    assert!(cached.deployment(added.id, "1").await.unwrap().is_some());

    assert!(other.remove_registration(ISSUER, "a").await.unwrap());
    // Within the TTL the rows come from memory…
    assert_eq!(
        cached.registrations_for_issuer(ISSUER).await.unwrap().len(),
        1
    );
    assert!(cached.deployment(added.id, "1").await.unwrap().is_some());
    // …but the launch cannot complete: the nonce's registration is gone.
    assert!(
        cached.use_nonce(added.id, "n-1", 100).await.is_err(),
        "a nonce of a removed registration must not be stored"
    );
    tokio::time::sleep(TTL + Duration::from_millis(300)).await;
    assert!(
        cached
            .registrations_for_issuer(ISSUER)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(cached.deployment(added.id, "1").await.unwrap().is_none());
    remove(&file);
}

#[tokio::test]
async fn this_store_sees_its_own_writes_at_once() {
    let (cached, _other, file) = two_handles("local").await;
    let added = cached
        .add_registration(&registration("a"), 1)
        .await
        .unwrap();
    cached
        .add_deployment(added.id, "1", DeploymentOrigin::Admin, 1)
        .await
        .unwrap();
    assert_eq!(
        cached.registrations_for_issuer(ISSUER).await.unwrap().len(),
        1
    );
    assert!(cached.deployment(added.id, "1").await.unwrap().is_some());

    assert!(cached.remove_deployment(added.id, "1").await.unwrap());
    assert!(cached.deployment(added.id, "1").await.unwrap().is_none());
    cached
        .add_registration(&registration("b"), 2)
        .await
        .unwrap();
    assert_eq!(
        cached.registrations_for_issuer(ISSUER).await.unwrap().len(),
        2
    );
    let mut changed = registration("b");
    changed.jwks_url = format!("{ISSUER}/other-jwks");
    cached.update_registration(&changed).await.unwrap();
    let found = cached.registrations_for_issuer(ISSUER).await.unwrap();
    assert_eq!(found[1].fields.jwks_url, changed.jwks_url);
    assert!(cached.remove_registration(ISSUER, "a").await.unwrap());
    assert!(cached.remove_registration(ISSUER, "b").await.unwrap());
    assert!(
        cached
            .registrations_for_issuer(ISSUER)
            .await
            .unwrap()
            .is_empty()
    );
    remove(&file);
}

#[tokio::test]
async fn rows_that_were_not_found_are_never_kept() {
    let (cached, other, file) = two_handles("misses").await;
    assert!(
        cached
            .registrations_for_issuer(ISSUER)
            .await
            .unwrap()
            .is_empty()
    );
    let added = other.add_registration(&registration("a"), 1).await.unwrap();
    assert_eq!(
        cached.registrations_for_issuer(ISSUER).await.unwrap().len(),
        1
    );
    assert!(cached.deployment(added.id, "7").await.unwrap().is_none());
    other
        .add_deployment(added.id, "7", DeploymentOrigin::Admin, 1)
        .await
        .unwrap();
    assert!(cached.deployment(added.id, "7").await.unwrap().is_some());
    remove(&file);
}

/// A registration with deployment "1" and a session of `token` on it, written through `store`.
async fn with_session(store: &dyn Store, token: &str, pending: bool) -> RegistrationId {
    let added = store.add_registration(&registration("a"), 1).await.unwrap();
    store
        .add_deployment(added.id, "1", DeploymentOrigin::Admin, 1)
        .await
        .unwrap();
    let state = format!("state-{token}");
    store
        .put_login_state(&LoginState {
            state: state.clone(),
            nonce: format!("nonce-{token}"),
            registration_id: added.id,
            deployment_id: Some("1".into()),
            target_link_uri: "https://tool.test/lti/launch".into(),
            login_hint: "u".into(),
            lti_message_hint: None,
            client_id: Some("a".into()),
            binding: BindingMode::Cookie,
            created_at: 1,
            used: false,
        })
        .await
        .unwrap();
    store
        .start_session(
            &state,
            &Session {
                id: format!("session-{token}"),
                token_hash: token_hash(token),
                token_expires_at: i64::MAX / 2,
                registration_id: added.id,
                deployment_id: "1".into(),
                context_id: Some("c".into()),
                user_sub: "u".into(),
                roles: vec!["instructor".into()],
                claims: serde_json::json!({}),
                pending,
                created_at: 1,
                expires_at: i64::MAX / 2,
            },
        )
        .await
        .unwrap();
    added.id
}

fn token_hash(token: &str) -> String {
    cairn_lti::random::token_hash(token)
}

/// Whether `store` answers the bearer `token` with a session.
async fn serves(store: &dyn Store, token: &str) -> bool {
    store
        .session_by_token(&token_hash(token))
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn a_session_ended_here_is_refused_at_once() {
    let (cached, _other, file) = two_handles("session-local").await;
    let registration_id = with_session(&cached, "t-1", false).await;
    let found = cached.session_by_token(&token_hash("t-1")).await.unwrap();
    assert_eq!(found.map(|s| s.id), Some("session-t-1".to_owned()));
    // Removing the deployment deletes its sessions (ON DELETE CASCADE).
    assert!(
        cached
            .remove_deployment(registration_id, "1")
            .await
            .unwrap()
    );
    assert!(
        !serves(&cached, "t-1").await,
        "a session this process ended must not be served from memory"
    );
    remove(&file);
}

#[tokio::test]
async fn a_session_ended_by_another_process_is_refused_once_the_ttl_has_passed() {
    let (cached, other, file) = two_handles("session-ttl").await;
    let registration_id = with_session(&other, "t-2", false).await;
    assert!(serves(&cached, "t-2").await);
    assert!(other.remove_deployment(registration_id, "1").await.unwrap());
    assert!(!serves(&other, "t-2").await);
    // Within the TTL this process still holds it (the documented bound)…
    assert!(serves(&cached, "t-2").await);
    tokio::time::sleep(TTL + Duration::from_millis(300)).await;
    // …and after it, the database's answer.
    assert!(!serves(&cached, "t-2").await);
    remove(&file);
}

#[tokio::test]
async fn a_pending_session_is_never_kept() {
    let (cached, other, file) = two_handles("session-pending").await;
    with_session(&other, "t-3", true).await;
    let pending = cached.session_by_token(&token_hash("t-3")).await.unwrap();
    assert_eq!(pending.map(|s| s.pending), Some(true));
    assert!(other.activate_session("session-t-3").await.unwrap());
    let active = cached.session_by_token(&token_hash("t-3")).await.unwrap();
    assert_eq!(active.map(|s| s.pending), Some(false));
    // Unknown tokens are asked every time, never kept as absent.
    assert!(!serves(&cached, "t-unknown").await);
    remove(&file);
}
