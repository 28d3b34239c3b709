//! The acceptance "200 concurrent launches reusing one nonce give exactly one success", through
//! the whole app on SQLite and on PostgreSQL: one login, one signed id_token, and the same form
//! (with the same state cookie) posted by 200 tasks released together on a multi-thread
//! runtime. Exactly one gets the tool page and a session; every other one is refused as
//! `nonce_reused` (the nonce insert of check 13 lost) or `state_unknown` (the state was used by
//! the winner first). The PostgreSQL run needs `CAIRN_TEST_POSTGRES_URL` (see
//! `store_support/backends.rs`; `cargo xtask postgres -- cargo test -p cairn-lti --test
//! nonce_race` starts a throwaway cluster).

#[path = "store_support/backends.rs"]
mod backends;
mod lti_support;

use std::collections::BTreeMap;
use std::sync::Arc;

use backends::{PostgresDb, SqliteDb};
use cairn_lti::store::{DeploymentOrigin, NewRegistration, PlatformFamily, Store};
use lti_support::mutate::{build_launch, load_claims, standard_payload};
use lti_support::tool::{
    CookieJar, PlatformServer, Tool, auth_request, error_code, launch, login, script_json,
};

const NOW: i64 = 1_767_225_600;
const LAUNCHES: usize = 200;

/// Races [`LAUNCHES`] posts of one launch form on `store`; returns the refusal codes seen.
async fn race(store: Arc<dyn Store>) -> BTreeMap<String, usize> {
    let tool = Tool::on_store(store, "https://tool.test", NOW);
    let state = tool.state.clone();
    let platform = PlatformServer::start().await;
    let (claims, fixture) = load_claims("canvas-student");
    let reg = &fixture["registration"];
    let text = |v: &serde_json::Value| v.as_str().expect("fixture string").to_owned();
    let row = state
        .store
        .add_registration(
            &NewRegistration {
                issuer: text(&reg["iss"]),
                client_id: text(&reg["client_id"]),
                auth_endpoint: "https://canvas.test/api/lti/authorize_redirect".into(),
                token_endpoint: "https://canvas.test/login/oauth2/token".into(),
                jwks_url: platform.serve("canvas", "keys/test-only-platform.jwks.json"),
                client_assertion_audience: None,
                platform_family: PlatformFamily::Canvas,
                auto_register_deployments: false,
                allow_http: false,
            },
            NOW,
        )
        .await
        .expect("register");
    state
        .store
        .add_deployment(
            row.id,
            &text(&reg["deployment_id"]),
            DeploymentOrigin::Admin,
            NOW,
        )
        .await
        .expect("deployment");
    state
        .jwks
        .key_set(&row.fields.jwks_url)
        .await
        .expect("warm the JWKS cache");

    let params: Vec<(String, String)> = vec![
        ("iss".into(), text(&reg["iss"])),
        ("client_id".into(), text(&reg["client_id"])),
        ("lti_deployment_id".into(), text(&reg["deployment_id"])),
        ("login_hint".into(), text(&claims["sub"])),
        ("lti_message_hint".into(), "fixture".into()),
        (
            "target_link_uri".into(),
            "https://tool.test/lti/launch".into(),
        ),
    ];
    let answer = login(&state, &params, true).await;
    let mut jar = CookieJar::default();
    jar.absorb(&answer.headers);
    let auth = auth_request(&answer).expect("the login answers an auth request");
    let (login_state, nonce) = (
        auth.param("state").expect("state").to_owned(),
        auth.param("nonce").expect("nonce").to_owned(),
    );
    let payload = standard_payload(
        &claims,
        &fixture,
        NOW,
        &nonce,
        "https://tool.test/lti/launch",
    );
    let form = Arc::new(build_launch(payload, &[], NOW, &login_state).form);

    let barrier = Arc::new(tokio::sync::Barrier::new(LAUNCHES));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..LAUNCHES {
        let (state, form, barrier, mut jar) =
            (state.clone(), form.clone(), barrier.clone(), jar.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            launch(&state, &form, &mut jar).await
        });
    }
    let mut accepted = Vec::new();
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(answer) = tasks.join_next().await {
        let answer = answer.expect("the launch task ran");
        match script_json(&answer.body, "cairn-launch") {
            Some(data) if answer.status == 200 => accepted.push(data),
            _ => {
                let code = error_code(&answer.body).unwrap_or_else(|| "no code".into());
                *refusals
                    .entry(format!("{} {code}", answer.status.as_u16()))
                    .or_default() += 1;
            }
        }
    }
    assert_eq!(
        accepted.len(),
        1,
        "exactly one launch succeeds; refusals: {refusals:?}"
    );
    let token = accepted[0]["token"].as_str().expect("API token");
    let session = state
        .store
        .session_by_token(&cairn_lti::random::token_hash(token))
        .await
        .expect("read the session")
        .expect("the winner's session is stored");
    assert_eq!(session.registration_id, row.id);
    assert!(
        state
            .store
            .login_state(&login_state)
            .await
            .expect("read the login state")
            .is_some_and(|l| l.used),
        "the winner used the state"
    );
    let refused: usize = refusals.values().sum();
    assert_eq!(refused, LAUNCHES - 1);
    for code in refusals.keys() {
        assert!(
            code == "401 nonce_reused" || code == "401 state_unknown",
            "every refusal is nonce_reused or state_unknown: {refusals:?}"
        );
    }
    assert_eq!(
        state.jwks.downloads(&row.fields.jwks_url),
        1,
        "the warm cache served every launch"
    );
    drop(tool);
    refusals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_launches_of_one_nonce_give_one_session_on_sqlite() {
    let db = SqliteDb::new("nonce_race").await;
    let refusals = race(db.store.clone()).await;
    println!("SQLite refusals: {refusals:?}");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_launches_of_one_nonce_give_one_session_on_postgres() {
    let Some(db) = PostgresDb::new("nonce_race").await else {
        return;
    };
    let refusals = race(db.store.clone()).await;
    println!("PostgreSQL refusals: {refusals:?}");
    db.finish().await;
}
