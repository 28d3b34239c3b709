//! The records engine (`cairn_lti::records`) on SQLite and PostgreSQL: every scenario file of
//! `../shared/fixtures/scenarios/` replayed one event at a time through `records::append`
//! (the server's clock set to each event's `at`) gives the core's refusals and exactly the
//! core's issuances, signed so that the core's verifier accepts them; 50 parallel completions
//! of one learner, on one server or split across two servers sharing one database, give
//! exactly one credential; issuer keys rotate with old credentials still verifying.

#[path = "store_support/backends.rs"]
mod backends;

use std::collections::BTreeSet;
use std::sync::Arc;

use cairn::credential::verify::{VerifyOptions, verify};
use cairn::definition::CredentialDefinition;
use cairn::event::Event;
use cairn::record::Course;
use cairn::time::Timestamp;
use cairn_lti::AppState;
use cairn_lti::clock::{Clock as _, ManualClock};
use cairn_lti::config::{PublicUrl, ServerConfig};
use cairn_lti::keys::KeyEncryptionKey;
use cairn_lti::records::{self, WriteError};
use cairn_lti::store::records::{Author, DefinitionRow, DefinitionStatus, LearnerScope};
use cairn_lti::store::{NewRegistration, PlatformFamily, Store};

backends::stories!(
    every_scenario_replays_to_the_cores_refusals_and_issuances,
    fifty_parallel_completions_issue_one_credential,
    two_servers_racing_on_one_learner_issue_one_credential,
    rotated_issuer_keys_keep_old_credentials_verifying,
    the_sweep_issues_what_a_write_could_not,
    a_credential_another_server_stored_meanwhile_is_not_issued_again,
    scored_attempts_queue_the_cores_kept_result,
);

const SCENARIOS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/scenarios"
);

/// A server's state over `store`, on a clock the test moves.
fn server(store: &Arc<dyn Store>, clock: &Arc<ManualClock>) -> AppState {
    let config = ServerConfig {
        public_url: PublicUrl::parse("https://cairn.test").expect("public URL"),
        www_dir: std::path::PathBuf::from("www"),
        admin_token: None,
    };
    let kek = KeyEncryptionKey::from_secret(&[7; 32]).expect("KEK");
    let clock: Arc<dyn cairn_lti::clock::Clock> = Arc::<ManualClock>::clone(clock);
    AppState::new(config, Arc::clone(store))
        .with_clock(clock)
        .with_kek(Arc::new(kek))
}

async fn registration(store: &dyn Store) -> i64 {
    store
        .add_registration(
            &NewRegistration::example("https://canvas.example", "cairn", PlatformFamily::Canvas),
            1,
        )
        .await
        .expect("add a registration")
        .id
}

/// Publishes `definitions` in `context`.
async fn publish(
    state: &AppState,
    registration_id: i64,
    context: &str,
    definitions: &[CredentialDefinition],
) {
    for body in definitions {
        let row = DefinitionRow {
            registration_id,
            context_id: context.into(),
            definition_id: body.id.as_str().into(),
            version: body.version.clone(),
            body: body.clone(),
            status: DefinitionStatus::Draft,
            created_by: "teacher".into(),
            created_at: 1,
            published_at: None,
            archived_at: None,
        };
        state.records.insert_definition(&row).await.expect("insert");
        state
            .records
            .publish_definition(registration_id, context, body.id.as_str(), &body.version, 2)
            .await
            .expect("publish");
    }
    records::invalidate_course(state, registration_id, context);
}

fn author() -> Author {
    Author {
        sub: "teacher".into(),
        role: "instructor".into(),
        deployment_id: "d1".into(),
        request_id: None,
    }
}

fn scope(registration_id: i64, context: &str, sub: &str) -> LearnerScope {
    LearnerScope {
        registration_id,
        context_id: context.into(),
        learner_sub: sub.into(),
    }
}

/// Asserts that the core's verifier accepts a stored credential (signature, issuer, dates;
/// the status list is served by the public pages and not checked here).
fn assert_verifies(body: &serde_json::Value, at: i64) {
    let report = verify(
        &body.to_string(),
        &VerifyOptions::at(Timestamp::from_unix_seconds(at)),
    );
    let errors: Vec<_> = report
        .errors
        .iter()
        .filter(|f| !f.code.contains("status"))
        .collect();
    assert!(
        errors.is_empty(),
        "the credential does not verify: {errors:?}\n{body:#}"
    );
}

async fn every_scenario_replays_to_the_cores_refusals_and_issuances(store: &Arc<dyn Store>) {
    let clock = Arc::new(ManualClock::new(0));
    let state = server(store, &clock);
    let registration_id = registration(store.as_ref()).await;
    let mut files: Vec<_> = std::fs::read_dir(SCENARIOS)
        .expect("the shared scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "scenarios found: {}", files.len());
    let mut replayed = 0;
    for file in files {
        let name = file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&file).expect("read the scenario");
        let scenario: serde_json::Value = serde_json::from_str(&text).expect("scenario JSON");
        let definitions: Vec<CredentialDefinition> =
            serde_json::from_value(scenario["definitions"].clone()).expect("definitions");
        let events: Vec<Event> =
            serde_json::from_value(scenario["events"].clone()).expect("events");
        let Ok(course) = Course::new(definitions.clone()) else {
            continue; // definitions the core refuses are never published
        };
        let context = format!("ctx-{name}");
        publish(&state, registration_id, &context, &definitions).await;
        let learner = scope(registration_id, &context, "learner");
        let mut refused = BTreeSet::new();
        for (index, event) in events.iter().enumerate() {
            clock.set(event.at.unix_seconds());
            match records::append(
                &state,
                &learner,
                &author(),
                event.kind.clone(),
                serde_json::json!({}),
            )
            .await
            {
                Ok(appended) => assert!(
                    appended.issuance_failures.is_empty(),
                    "{name}: {:?}",
                    appended.issuance_failures
                ),
                Err(WriteError::Refused { code, .. }) => {
                    refused.insert((index, code));
                }
                Err(other) => panic!("{name} event {index}: {other}"),
            }
        }
        let at = scenario["expect"]["at"]
            .as_str()
            .map(|t| t.parse::<Timestamp>().expect("expect.at"))
            .or_else(|| events.iter().map(|e| e.at).max())
            .map_or(0, Timestamp::unix_seconds);
        clock.set(at);
        records::sweep::settle(&state, &learner, at)
            .await
            .expect("sweep");
        let expected_errors: BTreeSet<(usize, String)> = scenario["expect"]["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let index = e["event"].as_u64().expect("event index");
                (
                    usize::try_from(index).expect("small"),
                    e["code"].as_str().expect("code").to_owned(),
                )
            })
            .collect();
        assert_eq!(refused, expected_errors, "{name}: refusals");
        // The server's credentials are the core's issuances of the same file, one each.
        let folded = course.fold(&events, Timestamp::from_unix_seconds(at));
        let expected: BTreeSet<(String, String, i64, i64)> = folded
            .credentials
            .values()
            .flat_map(|c| c.issuances.iter())
            .map(|i| {
                (
                    i.definition.to_string(),
                    i.version.clone(),
                    i64::from(i.cycle),
                    i.issued_at.unix_seconds(),
                )
            })
            .collect();
        let stored = state
            .records
            .learner_credentials(&learner)
            .await
            .expect("credentials");
        let got: BTreeSet<(String, String, i64, i64)> = stored
            .iter()
            .map(|c| {
                (
                    c.definition_id.clone(),
                    c.version.clone(),
                    c.cycle,
                    c.issued_at,
                )
            })
            .collect();
        assert_eq!(got, expected, "{name}: issuances");
        assert_eq!(got.len(), stored.len(), "{name}: a credential stored twice");
        for credential in &stored {
            assert_verifies(&credential.body, credential.issued_at);
        }
        // The server's record equals the core's fold of what it stored.
        let record = records::record(&state, &learner, at).await.expect("record");
        assert_eq!(record.credentials, folded.credentials, "{name}: record");
        replayed += 1;
    }
    assert!(replayed >= 20, "replayed {replayed}");
}

/// spt-01's definition and the passing attempt.
/// Appends `events` one by one at their instants through a server that cannot sign: every
/// write commits and issues nothing. Returns the issuance failures the writes reported.
async fn append_unsigned(
    unsigned: &AppState,
    clock: &ManualClock,
    learner: &LearnerScope,
    events: &[Event],
) -> Vec<String> {
    let mut failures = Vec::new();
    for event in events {
        clock.set(event.at.unix_seconds());
        let appended = records::append(
            unsigned,
            learner,
            &author(),
            event.kind.clone(),
            serde_json::json!({}),
        )
        .await
        .expect("the write commits without signing");
        assert!(appended.issued.is_empty());
        failures.extend(appended.issuance_failures);
    }
    failures
}

fn spt() -> (Vec<CredentialDefinition>, Vec<Event>) {
    let text = std::fs::read_to_string(format!("{SCENARIOS}/spt-01-first-attempt-pass.json"))
        .expect("spt-01");
    let scenario: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    (
        serde_json::from_value(scenario["definitions"].clone()).expect("definitions"),
        serde_json::from_value(scenario["events"].clone()).expect("events"),
    )
}

/// Runs `n` completions of one learner's criteria spread over `servers` and checks that
/// exactly one credential results.
async fn race(servers: &[AppState], clock: &Arc<ManualClock>, n: usize) {
    let (definitions, events) = spt();
    let registration_id = registration(servers[0].store.as_ref()).await;
    publish(&servers[0], registration_id, "course", &definitions).await;
    let learner = scope(registration_id, "course", "ana");
    let (first, rest) = events.split_first().expect("events");
    clock.set(first.at.unix_seconds());
    records::append(
        &servers[0],
        &learner,
        &author(),
        first.kind.clone(),
        serde_json::json!({}),
    )
    .await
    .expect("enrol");
    let completing = rest.last().expect("the passing attempt").clone();
    clock.set(completing.at.unix_seconds());
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let state = servers[i % servers.len()].clone();
            let learner = learner.clone();
            let kind = completing.kind.clone();
            tokio::spawn(async move {
                records::append(
                    &state,
                    &learner,
                    &author(),
                    kind,
                    serde_json::json!({ "try": i }),
                )
                .await
            })
        })
        .collect();
    let (mut accepted, mut issued) = (0, 0);
    for task in tasks {
        match task.await.expect("the task ends") {
            Ok(appended) => {
                accepted += 1;
                issued += appended.issued.len();
            }
            Err(WriteError::Refused { .. }) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    let stored = servers[0]
        .records
        .learner_credentials(&learner)
        .await
        .expect("credentials");
    assert_eq!(stored.len(), 1, "exactly one credential: {stored:?}");
    assert_eq!(issued, 1, "one write reported the issuance");
    let (log, _) = servers[0].records.learner_log(&learner).await.expect("log");
    assert_eq!(
        log.len(),
        1 + accepted,
        "every accepted write is stored once"
    );
    assert!(accepted <= 2, "the attempt limit holds: {accepted}");
    assert_verifies(&stored[0].body, stored[0].issued_at);
}

async fn fifty_parallel_completions_issue_one_credential(store: &Arc<dyn Store>) {
    let clock = Arc::new(ManualClock::new(0));
    race(&[server(store, &clock)], &clock, 50).await;
}

async fn two_servers_racing_on_one_learner_issue_one_credential(store: &Arc<dyn Store>) {
    let clock = Arc::new(ManualClock::new(0));
    // Two states: two engines with their own caches and locks, one database.
    race(&[server(store, &clock), server(store, &clock)], &clock, 50).await;
}

async fn rotated_issuer_keys_keep_old_credentials_verifying(store: &Arc<dyn Store>) {
    let clock = Arc::new(ManualClock::new(0));
    let state = server(store, &clock);
    let (definitions, events) = spt();
    let registration_id = registration(store.as_ref()).await;
    publish(&state, registration_id, "course", &definitions).await;
    let mut key_ids = Vec::new();
    for sub in ["ana", "bo"] {
        let learner = scope(registration_id, "course", sub);
        for event in &events {
            clock.set(event.at.unix_seconds());
            records::append(
                &state,
                &learner,
                &author(),
                event.kind.clone(),
                serde_json::json!({}),
            )
            .await
            .expect("append");
        }
        let stored = state
            .records
            .learner_credentials(&learner)
            .await
            .expect("credentials");
        assert_eq!(stored.len(), 1);
        key_ids.push(stored[0].key_id.clone());
        let issuer = state
            .records
            .issuer_for_registration(registration_id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            issuer.issuer_id.starts_with("https://cairn.test/issuers/"),
            "{}",
            issuer.issuer_id
        );
        assert_eq!(stored[0].body["issuer"]["id"], issuer.issuer_id.as_str());
        cairn_lti::issuer::rotate(&state, registration_id)
            .await
            .expect("rotate");
    }
    assert_ne!(
        key_ids[0], key_ids[1],
        "the second credential is signed with the new key"
    );
    let issuer = state
        .records
        .issuer_for_registration(registration_id)
        .await
        .unwrap()
        .unwrap();
    let keys = state.records.issuer_keys(&issuer.id).await.unwrap();
    assert_eq!(keys.len(), 3, "old keys stay");
    for sub in ["ana", "bo"] {
        let stored = state
            .records
            .learner_credentials(&scope(registration_id, "course", sub))
            .await
            .unwrap();
        assert_verifies(&stored[0].body, stored[0].issued_at);
        assert!(keys.iter().any(|k| k.key_id == stored[0].key_id));
    }
}

async fn the_sweep_issues_what_a_write_could_not(store: &Arc<dyn Store>) {
    let clock = Arc::new(ManualClock::new(0));
    let signing = server(store, &clock);
    // A server started without a key-encryption key cannot sign: the event still commits.
    let mut unsigned = server(store, &clock);
    unsigned.kek = None;
    let (definitions, events) = spt();
    let registration_id = registration(store.as_ref()).await;
    publish(&signing, registration_id, "course", &definitions).await;
    let learner = scope(registration_id, "course", "ana");
    let failures = append_unsigned(&unsigned, &clock, &learner, &events).await;
    assert_eq!(
        failures.len(),
        1,
        "the pass's issuance failed once: {failures:?}"
    );
    assert!(
        failures[0].contains("key-encryption key"),
        "{}",
        failures[0]
    );
    assert!(state_credentials(&signing, &learner).await.is_empty());
    clock.advance(60);
    let report = records::sweep::sweep_once(&signing, clock.now())
        .await
        .expect("sweep");
    assert_eq!(
        (report.learners, report.issued, report.failures),
        (1, 1, 0),
        "{report:?}"
    );
    let stored = state_credentials(&signing, &learner).await;
    assert_eq!(stored.len(), 1);
    let passed_at = events.last().expect("events").at.unix_seconds();
    assert_eq!(
        stored[0].issued_at, passed_at,
        "issued at the instant the core derived"
    );
    let (log, head) = signing.records.learner_log(&learner).await.expect("log");
    assert_eq!(log.len(), events.len(), "the sweep wrote no event");
    assert_eq!(stored[0].event_seq, head.expect("head").last_seq);
    assert_verifies(&stored[0].body, stored[0].issued_at);
    let again = records::sweep::sweep_once(&signing, clock.now())
        .await
        .expect("sweep");
    assert_eq!(again.issued, 0, "nothing is issued twice");
}

/// A server keeps the issuance keys of a learner's stored credentials with its cached log
/// (a learner it saw with no event has none). Another server's sweep storing a credential
/// moves no head, so this server's keys go stale: its next write plans the same issuance,
/// the unique issuance key refuses it, and the write reads the stored credentials and
/// commits without issuing again.
async fn a_credential_another_server_stored_meanwhile_is_not_issued_again(store: &Arc<dyn Store>) {
    let clock = Arc::new(ManualClock::new(0));
    let other = server(store, &clock);
    let mut unsigned = server(store, &clock);
    unsigned.kek = None;
    let (definitions, events) = spt();
    let registration_id = registration(store.as_ref()).await;
    publish(&other, registration_id, "course", &definitions).await;
    let learner = scope(registration_id, "course", "ana");
    append_unsigned(&unsigned, &clock, &learner, &events).await;
    let cached = unsigned.engine.cached_log(&learner).expect("a cached log");
    assert_eq!(
        cached.issued.as_deref(),
        Some(&[][..]),
        "no credential known"
    );
    clock.advance(60);
    let report = records::sweep::sweep_once(&other, clock.now())
        .await
        .expect("sweep");
    assert_eq!(report.issued, 1, "{report:?}");
    // The same engine (same caches), now able to sign.
    let mut signing = unsigned.clone();
    signing.kek = other.kek.clone();
    let appended = records::append(
        &signing,
        &learner,
        &author(),
        cairn::event::EventKind::FeedbackReleased {
            assessment: "SPT-DEMO".into(),
            note: cairn::event::FeedbackNote::boxed(None, Some("teacher".into())),
        },
        serde_json::json!({}),
    )
    .await
    .expect("the write commits");
    assert!(
        appended.issued.is_empty(),
        "issued again: {:?}",
        appended.issued
    );
    assert_eq!(state_credentials(&other, &learner).await.len(), 1);
    let cached = signing.engine.cached_log(&learner).expect("a cached log");
    assert_eq!(
        cached.issued.as_ref().map(Vec::len),
        Some(1),
        "the keys were read again"
    );
}

async fn state_credentials(
    state: &AppState,
    learner: &LearnerScope,
) -> Vec<cairn_lti::store::records::CredentialRow> {
    state
        .records
        .learner_credentials(learner)
        .await
        .expect("credentials")
}

/// Every write queues the gradebook score of the core's record in its transaction (issue 13):
/// the latest row per assessment carries the core's kept points and the assessment's maximum,
/// earlier states are superseded, timestamps increase, and a write that changes no state
/// queues nothing.
async fn scored_attempts_queue_the_cores_kept_result(store: &Arc<dyn Store>) {
    let clock = Arc::new(ManualClock::new(0));
    let state = server(store, &clock);
    let (definitions, events) = spt();
    let registration_id = registration(store.as_ref()).await;
    publish(&state, registration_id, "course", &definitions).await;
    let learner = scope(registration_id, "course", "ana");
    for event in &events {
        clock.set(event.at.unix_seconds());
        records::append(
            &state,
            &learner,
            &author(),
            event.kind.clone(),
            serde_json::json!({}),
        )
        .await
        .expect("append");
    }
    let rows = state
        .store
        .outbox()
        .learner_scores(registration_id, "course", "ana")
        .await
        .expect("outbox rows");
    let course = Course::new(definitions.clone()).expect("course");
    let at = events.last().expect("events").at;
    let record = course.fold(&events, at);
    let mut checked = 0;
    for (id, assessment) in &record.assessments {
        let Some(points) = &assessment.kept_points else {
            continue;
        };
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r.assessment_id == id.as_str())
            .collect();
        let latest = mine.last().expect("a row for a kept result");
        assert_eq!(latest.status, "pending");
        let score = &latest.payload["score"];
        let expected = cairn_lti::advantage::scores::json_number(points);
        assert_eq!(score["scoreGiven"], serde_json::Value::Number(expected));
        let maximum = definitions
            .iter()
            .flat_map(|d| &d.assessments)
            .find(|a| &a.id == id)
            .expect("the assessment")
            .total_max();
        let maximum = cairn_lti::advantage::scores::json_number(&maximum);
        assert_eq!(score["scoreMaximum"], serde_json::Value::Number(maximum));
        assert_eq!(score["gradingProgress"], "FullyGraded");
        assert_eq!(latest.payload["line_item"]["resourceId"], id.as_str());
        assert!(
            mine[..mine.len() - 1]
                .iter()
                .all(|r| r.status == "superseded")
        );
        assert!(
            mine.windows(2)
                .all(|w| w[0].timestamp_ms < w[1].timestamp_ms)
        );
        checked += 1;
    }
    assert!(checked > 0, "the scenario has a kept result");
    // Writing an event that changes no assessment's state (accepted or refused) queues
    // nothing new.
    let before = rows.len();
    clock.advance(10);
    let enrolment = events
        .iter()
        .find(|e| matches!(e.kind, cairn::event::EventKind::Enrolled { .. }));
    if let Some(enrolment) = enrolment {
        let _ = records::append(
            &state,
            &learner,
            &author(),
            enrolment.kind.clone(),
            serde_json::json!({}),
        )
        .await;
        let after = state
            .store
            .outbox()
            .learner_scores(registration_id, "course", "ana")
            .await
            .expect("rows");
        assert_eq!(after.len(), before, "no new state, no new row");
    }
}
