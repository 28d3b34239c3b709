//! Every case of `fixtures/lti/negative-cases.json` through the whole app, exactly as the
//! fixtures README's "Replaying a launch" says (see `lti_support::replay`): fresh tool state per
//! case on a real SQLite store, the platform's JWKS on a real loopback server, the tool's own
//! login, tower `oneshot` requests, and the answer, the error page's code and the stored rows
//! compared with `expected`. One test runs them all and names every failing case with what it
//! expected and what it got. Also: each claim set's `_fixture.expect` as a plain replay, cases
//! the catalogue does not pin (key rotation, known deployments, the TTL edge, roles, aud arrays,
//! login variants), and a login without `client_id` against one and two registrations.

mod lti_support;

use lti_support::replay::{Catalogue, World, claim_sets, run_case};
use lti_support::tool::{error_code, login};
use serde_json::{Value, json};

/// Runs `cases` one after another, each on its own fresh tool, and lists the failures.
async fn run_all(catalogue: &Catalogue, cases: Vec<Value>) -> Vec<String> {
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = run_case(catalogue, case).await {
            failures.push(format!(
                "{}: {why} (expected {})",
                case["id"].as_str().unwrap_or("?"),
                case["expected"]
            ));
        }
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalogue_case_gives_its_expected_outcome_through_the_app() {
    let catalogue = Catalogue::load();
    let cases = catalogue.cases();
    assert!(!cases.is_empty(), "the catalogue has cases");
    let total = cases.len();
    let failures = run_all(&catalogue, cases).await;
    assert!(
        failures.is_empty(),
        "{} of {total} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{total} catalogue cases passed through the app");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_claim_set_replays_as_its_fixture_expects() {
    let catalogue = Catalogue::load();
    let cases = claim_sets()
        .into_iter()
        .map(|name| {
            let (_, fixture) = lti_support::mutate::load_claims(&name);
            json!({"id": name, "stage": "launch", "base": name, "mutation": [], "expected": fixture["expect"]})
        })
        .collect();
    let failures = run_all(&catalogue, cases).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Cases the catalogue does not pin, in its own shape, for the ops it does not use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_outside_the_catalogue() {
    let catalogue = Catalogue::load();
    let lti = "https://purl.imsglobal.org/spec/lti/claim/";
    let rows = json!([
        ["rotated-key-after-one-download", "canvas-student",
            [{"op": "jwks_serves", "file": "keys/test-only-platform-after-rotation.jwks.json"}, {"op": "sign_with", "key": "platform-rotated"}],
            {"result": "accept", "roles": ["learner"], "observe": {"jwks_requests_during_launch": 1}}],
        ["known-kid-no-download", "moodle41-student",
            [{"op": "jwks_serves", "file": "keys/test-only-platform-after-rotation.jwks.json"}],
            {"result": "accept", "roles": ["learner"], "observe": {"jwks_requests_during_launch": 0}}],
        ["rotated-key-not-yet-published", "canvas-student",
            [{"op": "sign_with", "key": "platform-rotated"}],
            {"result": "reject", "error": "unknown_kid", "observe": {"jwks_requests_during_launch": 1}}],
        ["register-deployment-then-launch", "canvas-student",
            [{"op": "register_deployment", "deployment_id": "9:added"}, {"op": "set_login_param", "name": "lti_deployment_id", "value": "9:added"},
             {"op": "set_claim", "claim": format!("{lti}deployment_id"), "value": "9:added"}],
            {"result": "accept", "roles": ["learner"]}],
        ["state-at-ttl", "moodle41-teacher", [{"op": "advance_clock", "seconds": 600}], {"result": "accept", "roles": ["instructor"]}],
        ["login-by-get", "moodle41-student", [{"op": "login_method", "method": "GET"}], {"result": "accept", "roles": ["learner"]}],
        ["login-without-deployment", "canvas-teacher", [{"op": "remove_login_param", "name": "lti_deployment_id"}], {"result": "accept", "roles": ["instructor"]}],
        ["cookie-kept-with-storage-target", "canvas-student",
            [{"op": "binding", "cookie": "keep", "lti_storage_target": "post_message_forwarding"}], {"result": "accept", "roles": ["learner"]}],
        ["aud-array-client-id-second", "canvas-student",
            [{"op": "set_claim", "claim": "aud", "value": ["20000000000099", "10000000000002"]}, {"op": "set_claim", "claim": "azp", "value": "10000000000002"}],
            {"result": "accept", "roles": ["learner"]}],
        ["aud-array-no-azp", "moodle41-student",
            [{"op": "set_claim", "claim": "aud", "value": ["kX3pQ8rT2mN7vB1", "someone-else"]}], {"result": "reject", "error": "azp_mismatch"}],
        ["cookie-missing-moodle-get-login", "moodle41-teacher",
            [{"op": "login_method", "method": "GET"}, {"op": "binding", "cookie": "drop"}], {"result": "relaunch"}],
        ["typ-absent", "canvas-student", [{"op": "set_header", "typ": null}], {"result": "accept", "roles": ["learner"]}],
        ["nonce-not-the-logins", "canvas-student", [{"op": "set_claim", "claim": "nonce", "value": "another-nonce"}], {"result": "reject", "error": "nonce_mismatch"}],
        ["iss-trailing-slash", "moodle41-student", [{"op": "set_claim", "claim": "iss", "value": "https://moodle41.test/"}], {"result": "reject", "error": "unknown_registration"}],
        ["dl-message-without-settings", "canvas-teacher",
            [{"op": "set_claim", "claim": format!("{lti}message_type"), "value": "LtiDeepLinkingRequest"}], {"result": "reject", "error": "invalid_deep_linking_settings"}],
        ["exp-as-float", "canvas-student", [{"op": "set_claim", "claim": "exp", "value": 1.8e9}], {"result": "reject", "error": "invalid_timestamps"}],
        ["role-membership-administrator", "moodle41-student",
            [{"op": "set_claim", "claim": format!("{lti}roles"), "value": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"]}], {"result": "accept", "roles": ["instructor"]}],
        ["role-short-content-developer", "moodle41-student",
            [{"op": "set_claim", "claim": format!("{lti}roles"), "value": ["ContentDeveloper"]}], {"result": "accept", "roles": ["instructor"]}],
        ["role-mentor-only", "canvas-student",
            [{"op": "set_claim", "claim": format!("{lti}roles"), "value": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]}], {"result": "accept", "roles": []}],
        ["role-urn-institution-admin", "canvas-student",
            [{"op": "set_claim", "claim": format!("{lti}roles"), "value": ["urn:lti:instrole:ims/lis/Administrator"]}], {"result": "accept", "roles": ["admin"]}],
        ["role-system-administrator", "canvas-student",
            [{"op": "set_claim", "claim": format!("{lti}roles"), "value": ["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"]}], {"result": "accept", "roles": ["admin"]}],
        ["role-urn-sysrole-admin", "canvas-student",
            [{"op": "set_claim", "claim": format!("{lti}roles"), "value": ["urn:lti:sysrole:ims/lis/Administrator"]}], {"result": "accept", "roles": ["admin"]}],
        ["role-ta-only", "canvas-student",
            [{"op": "set_claim", "claim": format!("{lti}roles"), "value": ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"]}], {"result": "accept", "roles": ["instructor"]}],
        ["storage-target-empty-no-cookie", "moodle41-student",
            [{"op": "binding", "cookie": "drop"}, {"op": "set_form_field", "field": "lti_storage_target", "value": ""}], {"result": "relaunch"}],
        ["cookie-wrong-with-storage-target", "canvas-student",
            [{"op": "binding", "cookie": "wrong_value", "lti_storage_target": "post_message_forwarding"}], {"result": "reject", "error": "state_mismatch"}],
    ]);
    let cases = rows
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| json!({"id": r[0], "stage": "launch", "base": r[1], "mutation": r[2], "expected": r[3]}))
        .chain([
            json!({"id": "moodle-login-get", "stage": "login", "base": "login/moodle41.json",
                   "mutation": [{"op": "login_method", "method": "GET"}], "expected": {"result": "redirect"}}),
            json!({"id": "ri-login-get", "stage": "login", "base": "login/ri-get.json",
                   "mutation": [], "expected": {"result": "redirect"}}),
            json!({"id": "moodle-login-without-client-id", "stage": "login", "base": "login/moodle41.json",
                   "mutation": [{"op": "remove_login_param", "name": "client_id"}], "expected": {"result": "redirect"}}),
            json!({"id": "login-long-message-hint", "stage": "login", "base": "login/moodle41.json",
                   "mutation": [{"op": "set_login_param", "name": "lti_message_hint", "value": "h".repeat(3000)}], "expected": {"result": "redirect"}}),
            json!({"id": "login-without-message-hint", "stage": "login", "base": "login/canvas.json",
                   "mutation": [{"op": "remove_login_param", "name": "lti_message_hint"}], "expected": {"result": "redirect"}}),
            json!({"id": "login-empty-login-hint", "stage": "login", "base": "login/moodle41.json",
                   "mutation": [{"op": "set_login_param", "name": "login_hint", "value": ""}],
                   "expected": {"result": "reject", "error": "login_missing_param"}}),
            json!({"id": "login-foreign-origin-same-path", "stage": "login", "base": "login/moodle41.json",
                   "mutation": [{"op": "set_login_param", "name": "target_link_uri", "value": "https://tool.test.evil.test/lti/launch"}],
                   "expected": {"result": "reject", "error": "login_target_link_uri_foreign"}}),
        ])
        .collect();
    let failures = run_all(&catalogue, cases).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// §3.1: a login without `client_id` picks the issuer's only registration, and is refused as
/// `login_unknown_registration` once the issuer has two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_without_client_id_needs_a_single_registration() {
    let catalogue = Catalogue::load();
    let mut world = World::new(&catalogue).await;
    let params: Vec<(String, String)> = [
        ("iss", "https://moodle41.test"),
        ("login_hint", "3"),
        ("target_link_uri", catalogue.tool_launch_url.as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let auth = world.login(&params, true).await.expect("one registration");
    assert_eq!(auth.param("client_id"), Some("kX3pQ8rT2mN7vB1"));

    let jwks = catalogue.doc["config"]["platform_jwks"]
        .as_str()
        .expect("platform_jwks")
        .to_owned();
    world
        .register(
            "https://moodle41.test",
            "second-client",
            &["2"],
            &jwks,
            "moodle",
        )
        .await;
    let answer = login(&world.tool.state, &params, true).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        error_code(&answer.body).as_deref(),
        Some("login_unknown_registration")
    );
    let mut with_client = params.clone();
    with_client.push(("client_id".into(), "second-client".into()));
    let auth = world.login(&with_client, true).await.expect("named client");
    assert_eq!(auth.param("client_id"), Some("second-client"));
}
