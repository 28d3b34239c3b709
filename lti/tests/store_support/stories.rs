//! The store's stories, written once against `&dyn Store` and run on every backend by
//! `lti/tests/store.rs`. Each starts from an empty store and moves time by hand.

use std::sync::Arc;

pub use super::advantage_stories::placements_and_rosters_round_trip;

use cairn_lti::launch::STATE_TTL_SECONDS;

use cairn_lti::store::{
    BindingMode, DeploymentOrigin, KeyStatus, LoginState, NewRegistration, PlatformFamily,
    Registration, RegistrationId, Session, Store, StoreError, ToolKey,
};

const CANVAS: &str = "https://canvas.instructure.com";
const MOODLE: &str = "https://moodle.example.edu";

fn new_registration(issuer: &str, client_id: &str) -> NewRegistration {
    NewRegistration {
        issuer: issuer.to_owned(),
        client_id: client_id.to_owned(),
        auth_endpoint: format!("{issuer}/auth"),
        token_endpoint: format!("{issuer}/token"),
        jwks_url: format!("{issuer}/jwks/{client_id}"),
        client_assertion_audience: None,
        platform_family: if issuer == CANVAS {
            PlatformFamily::Canvas
        } else {
            PlatformFamily::Moodle
        },
        auto_register_deployments: false,
        allow_http: false,
    }
}

async fn add(store: &dyn Store, issuer: &str, client_id: &str) -> Registration {
    store
        .add_registration(&new_registration(issuer, client_id), 1_000)
        .await
        .expect("add registration")
}

fn login(state: &str, nonce: &str, registration_id: RegistrationId, now: i64) -> LoginState {
    LoginState {
        state: state.to_owned(),
        nonce: nonce.to_owned(),
        registration_id,
        deployment_id: Some("1".to_owned()),
        target_link_uri: "https://cairn.example/lti/launch".to_owned(),
        login_hint: "hint-7".to_owned(),
        lti_message_hint: Some(r#"{"cmid":1,"launchid":"ltilaunch1_x"}"#.to_owned()),
        client_id: Some("client".to_owned()),
        binding: BindingMode::Cookie,
        created_at: now,
        used: false,
    }
}

fn session(id: &str, registration_id: RegistrationId, deployment_id: &str, now: i64) -> Session {
    Session {
        id: id.to_owned(),
        token_hash: format!("hash-of-{id}"),
        token_expires_at: now + 900,
        registration_id,
        deployment_id: deployment_id.to_owned(),
        context_id: Some(format!("course-of-{id}")),
        user_sub: format!("sub-of-{id}"),
        roles: vec!["instructor".to_owned(), "admin".to_owned()],
        claims: serde_json::json!({"name": format!("Name of {id}"), "n": [1, 2]}),
        pending: false,
        created_at: now,
        expires_at: now + 8 * 3600,
    }
}

fn key(kid: &str, status: KeyStatus, created_at: i64) -> ToolKey {
    ToolKey {
        kid: kid.to_owned(),
        status,
        sealed_private_key: format!("sealed {kid}").into_bytes(),
        public_jwk: format!(r#"{{"kid":"{kid}","kty":"RSA"}}"#),
        created_at,
        status_since: created_at,
    }
}

/// Registrations: added, listed by id, found by key and by issuer, refused twice, updated,
/// and removed with every row scoped to them.
pub async fn registrations_add_list_duplicate_remove_cascades(store: &dyn Store) {
    let a = add(store, CANVAS, "a").await;
    let b = add(store, CANVAS, "b").await;
    let c = add(store, MOODLE, "a").await;
    assert_eq!(a.fields, new_registration(CANVAS, "a"));
    assert_eq!(a.created_at, 1_000);
    assert!(a.id < b.id && b.id < c.id, "ids grow: {a:?} {b:?} {c:?}");
    assert_eq!(
        store.registrations().await.unwrap(),
        [a.clone(), b.clone(), c.clone()]
    );
    assert_eq!(
        store.registrations_for_issuer(CANVAS).await.unwrap(),
        [a.clone(), b.clone()]
    );
    assert_eq!(
        store.registration(CANVAS, "b").await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(store.registration(MOODLE, "b").await.unwrap(), None);
    assert_eq!(
        store.registration_by_id(c.id).await.unwrap(),
        Some(c.clone())
    );
    assert_eq!(store.registration_by_id(c.id + 100).await.unwrap(), None);

    let again = store
        .add_registration(&new_registration(CANVAS, "a"), 2_000)
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "{again:?}"
    );

    let mut changed = new_registration(CANVAS, "a");
    changed.auto_register_deployments = true;
    changed.client_assertion_audience =
        Some("https://canvas.instructure.com/login/oauth2/token".into());
    changed.platform_family = PlatformFamily::Other;
    let updated = store.update_registration(&changed).await.unwrap();
    assert_eq!((updated.id, updated.created_at), (a.id, a.created_at));
    assert_eq!(updated.fields, changed);
    assert_eq!(
        store.registration(CANVAS, "a").await.unwrap(),
        Some(updated)
    );
    let missing = store
        .update_registration(&new_registration(MOODLE, "zz"))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );

    // Rows of `a` and of `b`; removing `a` takes all of its own and none of `b`'s.
    for reg in [&a, &b] {
        store
            .add_deployment(reg.id, "1", DeploymentOrigin::Admin, 1_000)
            .await
            .unwrap();
        let state = format!("state-{}", reg.id);
        store
            .put_login_state(&login(&state, "n", reg.id, 1_000))
            .await
            .unwrap();
        store
            .start_session(
                &state,
                &session(&format!("s-{}", reg.id), reg.id, "1", 1_000),
            )
            .await
            .unwrap();
        assert!(store.use_nonce(reg.id, "n", 5_000).await.unwrap());
    }
    assert!(store.remove_registration(CANVAS, "a").await.unwrap());
    assert!(!store.remove_registration(CANVAS, "a").await.unwrap());
    assert_eq!(store.registration(CANVAS, "a").await.unwrap(), None);
    assert!(store.deployments(a.id).await.unwrap().is_empty());
    assert_eq!(
        store.login_state(&format!("state-{}", a.id)).await.unwrap(),
        None
    );
    assert_eq!(store.session(&format!("s-{}", a.id)).await.unwrap(), None);
    assert_eq!(
        store
            .session_by_token(&format!("hash-of-s-{}", a.id))
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.registrations().await.unwrap(), [b.clone(), c]);
    assert_eq!(store.deployments(b.id).await.unwrap().len(), 1);
    assert!(
        store
            .login_state(&format!("state-{}", b.id))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session(&format!("s-{}", b.id))
            .await
            .unwrap()
            .is_some()
    );
    assert!(!store.use_nonce(b.id, "n", 5_000).await.unwrap());
}

/// Deployments: added once (a second add keeps the first origin and time), listed in order,
/// removed once, and refused for an unknown registration.
pub async fn deployments_are_added_once_and_removed(store: &dyn Store) {
    let reg = add(store, CANVAS, "a").await;
    let first = store
        .add_deployment(reg.id, "7:abc", DeploymentOrigin::Admin, 1_000)
        .await
        .unwrap();
    assert_eq!(first.deployment_id, "7:abc");
    assert_eq!(first.origin, DeploymentOrigin::Admin);
    let again = store
        .add_deployment(reg.id, "7:abc", DeploymentOrigin::Launch, 2_000)
        .await
        .unwrap();
    assert_eq!(again, first);
    let other = store
        .add_deployment(
            reg.id,
            "5:def",
            DeploymentOrigin::DynamicRegistration,
            3_000,
        )
        .await
        .unwrap();
    assert_eq!(other.origin, DeploymentOrigin::DynamicRegistration);
    assert_eq!(other.created_at, 3_000);
    assert_eq!(
        store.deployments(reg.id).await.unwrap(),
        [other.clone(), first.clone()]
    );
    assert_eq!(
        store.deployment(reg.id, "7:abc").await.unwrap(),
        Some(first)
    );
    assert_eq!(store.deployment(reg.id, "9").await.unwrap(), None);
    assert!(store.remove_deployment(reg.id, "7:abc").await.unwrap());
    assert!(!store.remove_deployment(reg.id, "7:abc").await.unwrap());
    assert_eq!(store.deployments(reg.id).await.unwrap(), [other]);

    let orphan = store
        .add_deployment(reg.id + 1_000, "1", DeploymentOrigin::Launch, 1_000)
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound(_))), "{orphan:?}");
}

/// A login state reads back exactly as written, with and without its optional fields.
pub async fn login_state_round_trips(store: &dyn Store) {
    let reg = add(store, MOODLE, "a").await;
    let full = LoginState {
        binding: BindingMode::PlatformStorage,
        ..login("s1-AAAAAAAAAAAAAAAAAAAAAA", "n1", reg.id, 1_234)
    };
    store.put_login_state(&full).await.unwrap();
    let bare = LoginState {
        deployment_id: None,
        lti_message_hint: None,
        client_id: None,
        ..login("s2", "n2", reg.id, 1_235)
    };
    store.put_login_state(&bare).await.unwrap();
    assert_eq!(
        store.login_state(&full.state).await.unwrap(),
        Some(full.clone())
    );
    assert_eq!(store.login_state("s2").await.unwrap(), Some(bare));
    assert_eq!(store.login_state("s3").await.unwrap(), None);
    let twice = store.put_login_state(&full).await;
    assert!(
        matches!(twice, Err(StoreError::AlreadyExists(_))),
        "{twice:?}"
    );
    let orphan = store
        .put_login_state(&login("s4", "n", reg.id + 1_000, 1_000))
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound(_))), "{orphan:?}");
}

/// A nonce is accepted once per registration.
pub async fn nonce_is_used_once(store: &dyn Store) {
    let reg = add(store, CANVAS, "a").await;
    assert!(store.use_nonce(reg.id, "nonce-1", 4_660).await.unwrap());
    assert!(!store.use_nonce(reg.id, "nonce-1", 4_660).await.unwrap());
    assert!(!store.use_nonce(reg.id, "nonce-1", 9_999).await.unwrap());
    assert!(store.use_nonce(reg.id, "nonce-2", 4_660).await.unwrap());
}

/// The nonce and the login state in one call: the state is read only for a fresh nonce.
pub async fn nonce_and_state_in_one_call(store: &dyn Store) {
    let reg = add(store, CANVAS, "a").await;
    let state = login("state-1", "n", reg.id, 1_000);
    store.put_login_state(&state).await.unwrap();
    let first = store
        .use_nonce_and_read_state(reg.id, "nonce-1", 4_660, "state-1")
        .await
        .unwrap();
    assert_eq!(first, (true, Some(state)));
    let again = store
        .use_nonce_and_read_state(reg.id, "nonce-1", 4_660, "state-1")
        .await
        .unwrap();
    assert_eq!(again, (false, None), "a used nonce reads no state");
    assert!(!store.use_nonce(reg.id, "nonce-1", 4_660).await.unwrap());
    let unknown = store
        .use_nonce_and_read_state(reg.id, "nonce-2", 4_660, "no-such-state")
        .await
        .unwrap();
    assert_eq!(unknown, (true, None));
    let orphan = store
        .use_nonce_and_read_state(reg.id + 1_000, "nonce-3", 4_660, "state-1")
        .await;
    assert!(orphan.is_err(), "{orphan:?}");
}

/// Starting a session marks its login state used in the same transaction; a second start
/// with that state is refused and writes nothing; a failed insert leaves the state unused.
pub async fn start_session_uses_state_once(store: &dyn Store) {
    let reg = add(store, CANVAS, "a").await;
    store
        .add_deployment(reg.id, "1", DeploymentOrigin::Admin, 1_000)
        .await
        .unwrap();
    store
        .put_login_state(&login("state", "n", reg.id, 1_000))
        .await
        .unwrap();
    let first = session("s1", reg.id, "1", 1_010);
    store.start_session("state", &first).await.unwrap();
    assert!(store.login_state("state").await.unwrap().unwrap().used);
    assert_eq!(store.session("s1").await.unwrap(), Some(first));

    let second = session("s2", reg.id, "1", 1_020);
    let refused = store.start_session("state", &second).await;
    assert!(
        matches!(refused, Err(StoreError::AlreadyExists(_))),
        "{refused:?}"
    );
    assert_eq!(store.session("s2").await.unwrap(), None);
    assert_eq!(store.session_by_token("hash-of-s2").await.unwrap(), None);

    let unknown = store.start_session("no-such-state", &second).await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    assert_eq!(store.session("s2").await.unwrap(), None);

    // The session insert fails (unknown deployment): the state must stay unused.
    store
        .put_login_state(&login("state-2", "n2", reg.id, 1_000))
        .await
        .unwrap();
    let stray = session("s3", reg.id, "no-such-deployment", 1_030);
    let failed = store.start_session("state-2", &stray).await;
    assert!(matches!(failed, Err(StoreError::NotFound(_))), "{failed:?}");
    assert!(!store.login_state("state-2").await.unwrap().unwrap().used);
    assert_eq!(store.session("s3").await.unwrap(), None);
}

/// A session is found by its token hash; a pending one is activated once.
pub async fn session_by_token_and_activation(store: &dyn Store) {
    let reg = add(store, CANVAS, "a").await;
    store
        .add_deployment(reg.id, "1", DeploymentOrigin::Admin, 1_000)
        .await
        .unwrap();
    store
        .put_login_state(&login("state", "n", reg.id, 1_000))
        .await
        .unwrap();
    let pending = Session {
        pending: true,
        context_id: None,
        roles: Vec::new(),
        ..session("s1", reg.id, "1", 1_000)
    };
    store.start_session("state", &pending).await.unwrap();
    assert_eq!(
        store.session_by_token("hash-of-s1").await.unwrap(),
        Some(pending.clone())
    );
    assert_eq!(store.session_by_token("hash-of-s2").await.unwrap(), None);
    assert!(store.activate_session("s1").await.unwrap());
    let active = store.session("s1").await.unwrap().unwrap();
    assert!(!active.pending);
    assert_eq!(
        active,
        Session {
            pending: false,
            ..pending
        }
    );
    assert!(!store.activate_session("s1").await.unwrap());
    assert!(!store.activate_session("s2").await.unwrap());
}

/// Rotation moves next → current → previous in one step, adds the new next, and drops
/// previous keys retired before the cut-off; keys list newest first.
pub async fn key_rotation_order(store: &dyn Store) {
    assert!(store.tool_keys().await.unwrap().is_empty());
    // With no keys, the new key is stored as next.
    store
        .rotate_tool_keys(&key("k1", KeyStatus::Next, 100), 100, 0)
        .await
        .unwrap();
    let status = |keys: Vec<ToolKey>| -> Vec<(String, KeyStatus, i64)> {
        keys.into_iter()
            .map(|k| (k.kid, k.status, k.status_since))
            .collect()
    };
    assert_eq!(
        status(store.tool_keys().await.unwrap()),
        [("k1".to_owned(), KeyStatus::Next, 100)]
    );
    store
        .rotate_tool_keys(&key("k2", KeyStatus::Next, 200), 200, 0)
        .await
        .unwrap();
    store
        .rotate_tool_keys(&key("k3", KeyStatus::Next, 300), 300, 0)
        .await
        .unwrap();
    let keys = store.tool_keys().await.unwrap();
    assert_eq!(
        status(keys.clone()),
        [
            ("k3".to_owned(), KeyStatus::Next, 300),
            ("k2".to_owned(), KeyStatus::Current, 300),
            ("k1".to_owned(), KeyStatus::Previous, 300),
        ]
    );
    assert_eq!(keys[1].sealed_private_key, b"sealed k2");
    assert_eq!(keys[1].public_jwk, r#"{"kid":"k2","kty":"RSA"}"#);
    assert_eq!(keys[1].created_at, 200);

    // k1 was retired at 300, before the cut-off 400: it goes; k2, retired now, stays.
    store
        .rotate_tool_keys(&key("k4", KeyStatus::Next, 1_000), 1_000, 400)
        .await
        .unwrap();
    assert_eq!(
        status(store.tool_keys().await.unwrap()),
        [
            ("k4".to_owned(), KeyStatus::Next, 1_000),
            ("k3".to_owned(), KeyStatus::Current, 1_000),
            ("k2".to_owned(), KeyStatus::Previous, 1_000),
        ]
    );

    // A rotation that fails at its last step (a kid in use) changes nothing, not even the
    // drop of k2 and the moves it made first.
    let failed = store
        .rotate_tool_keys(&key("k3", KeyStatus::Next, 2_000), 2_000, 5_000)
        .await;
    assert!(
        matches!(failed, Err(StoreError::AlreadyExists(_))),
        "{failed:?}"
    );
    assert_eq!(
        status(store.tool_keys().await.unwrap()),
        [
            ("k4".to_owned(), KeyStatus::Next, 1_000),
            ("k3".to_owned(), KeyStatus::Current, 1_000),
            ("k2".to_owned(), KeyStatus::Previous, 1_000),
        ]
    );
    let duplicate = store.insert_tool_key(&key("k3", KeyStatus::Next, 1)).await;
    assert!(
        matches!(duplicate, Err(StoreError::AlreadyExists(_))),
        "{duplicate:?}"
    );
}

/// First start: keys inserted as they are keep their status and times.
pub async fn tool_keys_inserted_as_they_are(store: &dyn Store) {
    let current = key("c", KeyStatus::Current, 10);
    let next = ToolKey {
        status_since: 11,
        ..key("n", KeyStatus::Next, 10)
    };
    store.insert_tool_key(&current).await.unwrap();
    store.insert_tool_key(&next).await.unwrap();
    // Same `created_at`: newest first falls back to the kid, descending.
    assert_eq!(
        store.tool_keys().await.unwrap(),
        [next.clone(), current.clone()]
    );
    // A second current or next key (two instances' first starts racing) is refused.
    for status in [KeyStatus::Current, KeyStatus::Next] {
        let second = key(&format!("second-{}", status.as_str()), status, 12);
        assert!(
            matches!(
                store.insert_tool_key(&second).await,
                Err(StoreError::AlreadyExists(_))
            ),
            "a second {} key must be refused",
            status.as_str()
        );
    }
    // Previous keys may be many.
    store
        .insert_tool_key(&key("p1", KeyStatus::Previous, 1))
        .await
        .unwrap();
    store
        .insert_tool_key(&key("p2", KeyStatus::Previous, 2))
        .await
        .unwrap();
    assert_eq!(store.tool_keys().await.unwrap().len(), 4);
}

/// Purging removes exactly the expired login states, nonces and sessions.
pub async fn purge_expired_removes_only_the_expired(store: &dyn Store) {
    let reg = add(store, CANVAS, "a").await;
    store
        .add_deployment(reg.id, "1", DeploymentOrigin::Admin, 1_000)
        .await
        .unwrap();
    let now = 100_000;
    // Login states: one past its TTL, one just inside it, one used (session below) and old.
    store
        .put_login_state(&login("old", "n", reg.id, now - STATE_TTL_SECONDS - 1))
        .await
        .unwrap();
    store
        .put_login_state(&login("fresh", "n", reg.id, now - STATE_TTL_SECONDS + 1))
        .await
        .unwrap();
    store
        .put_login_state(&login("used", "n", reg.id, now - 10_000))
        .await
        .unwrap();
    // Nonces: one whose keep time has passed, one still kept.
    assert!(store.use_nonce(reg.id, "gone", now - 1).await.unwrap());
    assert!(store.use_nonce(reg.id, "kept", now + 1).await.unwrap());
    // Sessions: one ended, one live (its token may have expired; the session has not).
    let ended = Session {
        expires_at: now - 1,
        ..session("ended", reg.id, "1", now - 30_000)
    };
    store.start_session("used", &ended).await.unwrap();
    store
        .put_login_state(&login("live-state", "n", reg.id, now))
        .await
        .unwrap();
    let live = Session {
        token_expires_at: now - 1,
        expires_at: now + 1,
        ..session("live", reg.id, "1", now - 100)
    };
    store.start_session("live-state", &live).await.unwrap();

    assert_eq!(store.purge_expired(now).await.unwrap(), 4);
    assert_eq!(store.login_state("old").await.unwrap(), None);
    assert_eq!(store.login_state("used").await.unwrap(), None);
    assert!(store.login_state("fresh").await.unwrap().is_some());
    assert!(store.login_state("live-state").await.unwrap().is_some());
    assert!(store.use_nonce(reg.id, "gone", now + 10).await.unwrap());
    assert!(!store.use_nonce(reg.id, "kept", now + 10).await.unwrap());
    assert_eq!(store.session("ended").await.unwrap(), None);
    assert_eq!(store.session("live").await.unwrap(), Some(live));
    assert_eq!(store.purge_expired(now).await.unwrap(), 0);
}

/// Two registrations of one issuer with the same deployment id, nonce and context: nothing
/// of one is returned, used up or removed through the other.
pub async fn tenants_are_isolated(store: &dyn Store) {
    let a = add(store, CANVAS, "a").await;
    let b = add(store, CANVAS, "b").await;
    for reg in [&a, &b] {
        store
            .add_deployment(reg.id, "1", DeploymentOrigin::Admin, 1_000)
            .await
            .unwrap();
        store
            .add_deployment(
                reg.id,
                &format!("only-{}", reg.id),
                DeploymentOrigin::Launch,
                1_000,
            )
            .await
            .unwrap();
    }
    let ids = |deployments: Vec<cairn_lti::store::Deployment>| -> Vec<(RegistrationId, String)> {
        deployments
            .into_iter()
            .map(|d| (d.registration_id, d.deployment_id))
            .collect()
    };
    assert_eq!(
        ids(store.deployments(a.id).await.unwrap()),
        [(a.id, "1".to_owned()), (a.id, format!("only-{}", a.id))]
    );
    assert_eq!(
        store
            .deployment(a.id, &format!("only-{}", b.id))
            .await
            .unwrap(),
        None
    );

    // One nonce, once per registration.
    assert!(store.use_nonce(a.id, "same", 5_000).await.unwrap());
    assert!(store.use_nonce(b.id, "same", 5_000).await.unwrap());
    assert!(!store.use_nonce(a.id, "same", 5_000).await.unwrap());

    // Sessions with the same deployment id, context and user: each token finds its own.
    for reg in [&a, &b] {
        let state = format!("state-{}", reg.id);
        store
            .put_login_state(&login(&state, "n", reg.id, 1_000))
            .await
            .unwrap();
        let s = Session {
            context_id: Some("course-1".to_owned()),
            user_sub: "same-sub".to_owned(),
            ..session(&format!("s-{}", reg.id), reg.id, "1", 1_000)
        };
        store.start_session(&state, &s).await.unwrap();
    }
    let found = store
        .session_by_token(&format!("hash-of-s-{}", b.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.registration_id, found.id),
        (b.id, format!("s-{}", b.id))
    );

    // A session cannot point at another registration's deployment.
    store
        .put_login_state(&login("cross", "n", a.id, 1_000))
        .await
        .unwrap();
    let cross = store
        .start_session(
            "cross",
            &session("x", a.id, &format!("only-{}", b.id), 1_000),
        )
        .await;
    assert!(matches!(cross, Err(StoreError::NotFound(_))), "{cross:?}");

    // Removing a's deployment "1" leaves b's, and b's session.
    assert!(store.remove_deployment(a.id, "1").await.unwrap());
    assert_eq!(store.session(&format!("s-{}", a.id)).await.unwrap(), None);
    assert!(store.deployment(b.id, "1").await.unwrap().is_some());
    assert!(
        store
            .session(&format!("s-{}", b.id))
            .await
            .unwrap()
            .is_some()
    );
}

/// How many tasks race for one nonce.
pub const RACERS: usize = 200;

/// 200 tasks on a multi-thread runtime use one nonce at once: exactly one wins.
pub async fn nonce_once_under_concurrency(store: Arc<dyn Store>) {
    let reg = add(&*store, CANVAS, "a").await;
    let start = Arc::new(tokio::sync::Barrier::new(RACERS));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..RACERS {
        let store = Arc::clone(&store);
        let start = Arc::clone(&start);
        tasks.spawn(async move {
            start.wait().await;
            store.use_nonce(reg.id, "replayed", 9_999).await
        });
    }
    let mut accepted = 0;
    let mut refused = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined.expect("task ran").expect("use_nonce answered") {
            true => accepted += 1,
            false => refused += 1,
        }
    }
    assert_eq!((accepted, refused), (1, RACERS - 1));
}
