//! Every scenario file of `fixtures/scenarios/` replayed through the HTTP API: its
//! definitions created and published by an instructor, then its events written one request
//! at a time with the server's clock set to each event's `at` (a revocation through the
//! stored credential's revoke route). Each event the core's fold of
//! the file rejects is refused with the same code (409); every other one is stored. At the
//! end the server's record of the learner equals the core's fold of the file at the same
//! instant (with the assessor and feedback author the server writes from the caller), and
//! the credentials the server issued are the core's issuances.

mod api_support;

use api_support::{Api, Backend};
use axum::http::StatusCode;
use cairn::definition::CredentialDefinition;
use cairn::event::{Event, EventKind};
use cairn::provenance::{Assessor, AssessorType};
use cairn::record::Course;
use cairn::time::Timestamp;
use serde_json::{Value, json};

const SCENARIOS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/scenarios"
);

const LEARNER: &str = "learner-1";

/// The route and body that write `event` (as instructor, or as the learner when `true`).
fn request_for(event: &EventKind) -> (String, Value, bool) {
    let on = |what: &str| format!("/api/learners/{LEARNER}/{what}");
    let mut body = serde_json::to_value(event).expect("event JSON");
    let object = body.as_object_mut().expect("object");
    object.remove("type");
    match event {
        EventKind::Enrolled { .. } => (on("enrolments"), body, false),
        EventKind::AttemptSubmitted { .. } => {
            object.insert("assessor_type".into(), json!("instructor"));
            (on("results"), body, false)
        }
        EventKind::FeedbackReleased { .. } => (on("feedback-releases"), body, false),
        EventKind::AttemptScored(_) => {
            object.remove("grader");
            (on("gradings"), body, false)
        }
        EventKind::ScoreOverridden(_) => {
            object.remove("by");
            object.entry("reason").or_insert(json!(""));
            (on("overrides"), body, false)
        }
        EventKind::PlarGranted(_) | EventKind::PlarDenied(_) => {
            let decision = if matches!(event, EventKind::PlarGranted(_)) {
                "granted"
            } else {
                "denied"
            };
            object.insert("decision".into(), json!(decision));
            (on("plar-decisions"), body, false)
        }
        EventKind::CredentialPresented { .. } => (on("presented-credentials"), body, false),
        EventKind::CredentialApplied { .. } => ("/api/me/applications".into(), body, true),
        EventKind::CredentialRevoked { .. } => {
            unreachable!("revocations go through the stored credential: see `revoke`")
        }
        EventKind::ExpiryImposed { .. } => (on("expiries"), body, false),
        EventKind::EquivalencyClaimed { .. } => ("/api/me/equivalency-claims".into(), body, true),
        other => unreachable!("the shared scenarios use README events only: {other:?}"),
    }
}

/// A record's JSON without what legitimately differs: `errors` (the server never stores a
/// rejected event, so its fold has none) and the order of `validation`.
fn comparable(record: &Value) -> Value {
    let mut record = record.clone();
    let object = record.as_object_mut().expect("record object");
    object.remove("errors");
    if let Some(Value::Array(findings)) = object.get_mut("validation") {
        findings.sort_by_key(|f| f.to_string());
    }
    record
}

async fn replay_all(backend: Backend) {
    let mut files: Vec<_> = std::fs::read_dir(SCENARIOS)
        .expect("the scenarios folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() > 20, "{} scenario files", files.len());
    let mut replayed = 0;
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).expect("scenario");
        let scenario: Value = serde_json::from_str(&text).expect("scenario JSON");
        let events: Vec<Event> =
            serde_json::from_value(scenario["events"].clone()).expect("events");
        if events.is_empty() {
            continue;
        }
        let Some(api) = Api::new(backend, &name).await else {
            return;
        };
        replay(&api, &name, &scenario, &events).await;
        api.finish().await;
        replayed += 1;
    }
    assert!(replayed > 20, "replayed {replayed}");
}

/// A definition of a file made publishable: what `publish_findings` asks for that the fold
/// never reads (the B.C. summary's descriptive fields; `kind` of a micro-credential made of
/// other credentials, with no competencies of its own). The replay checks these changes leave
/// every result of the file's fold unchanged.
fn publishable(mut def: Value) -> Value {
    let object = def.as_object_mut().expect("definition object");
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("micro_credential");
    let no_competencies = object
        .get("competencies")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if kind == "micro_credential" && no_competencies {
        object.insert("kind".into(), json!("certificate"));
    }
    if object.get("bc_micro_credential") == Some(&json!(true)) {
        let metadata = object.entry("metadata").or_insert(json!({}));
        let cis = metadata
            .as_object_mut()
            .expect("metadata object")
            .entry("cis")
            .or_insert(json!({}));
        let cis = cis.as_object_mut().expect("cis object");
        for field in [
            "delivery_mode",
            "prerequisites",
            "assessment_method",
            "credit_recognition",
            "pathways",
            "quality_assurance",
        ] {
            let value = match field {
                "delivery_mode" => "online",
                "assessment_method" => "competency",
                _ => "stated",
            };
            cis.entry(field).or_insert(json!(value));
        }
        cis.entry("effort_hours").or_insert(
            json!({"contact": "0", "peer": "0", "asynchronous": "0", "assessment": "0"}),
        );
    }
    def
}

/// The file's events as the API writes them: the members the server fills by rule from the
/// caller (the instructor `teacher`), which the core keeps in the record: the assessor of a
/// result, grading or PLAR decision (`{type: instructor, id}`) and the feedback's author.
fn as_the_api_writes(events: &[Event]) -> Vec<Event> {
    let teacher = || {
        Some(Assessor {
            kind: AssessorType::Instructor,
            id: "teacher".to_owned(),
        })
    };
    events
        .iter()
        .cloned()
        .map(|mut event| {
            match &mut event.kind {
                EventKind::AttemptSubmitted { provenance, .. } => {
                    let given = provenance.get_or_insert_with(Box::default);
                    given
                        .assessor
                        .get_or_insert_with(|| teacher().expect("assessor"));
                }
                EventKind::AttemptScored(grading) => grading.provenance.assessor = teacher(),
                EventKind::PlarGranted(decision) | EventKind::PlarDenied(decision) => {
                    decision.assessor = teacher();
                }
                EventKind::FeedbackReleased { note, .. } => {
                    note.get_or_insert_with(Box::default).author = Some("teacher".to_owned());
                }
                _ => {}
            }
            event
        })
        .collect()
}

async fn replay(api: &Api, name: &str, scenario: &Value, filed: &[Event]) {
    let written = as_the_api_writes(filed);
    let events = written.as_slice();
    let original: Vec<CredentialDefinition> =
        serde_json::from_value(scenario["definitions"].clone()).expect("definitions");
    let definitions: Vec<CredentialDefinition> = original
        .iter()
        .map(|d| {
            serde_json::from_value(publishable(serde_json::to_value(d).expect("JSON")))
                .expect("a publishable definition reads")
        })
        .collect();
    let course = Course::new(definitions.clone()).expect("the file's definitions fold");
    let last = events.iter().map(|e| e.at).max().expect("events");
    let at = scenario["expect"]["at"]
        .as_str()
        .map(|t| Timestamp::parse(t).expect("expect.at"))
        .unwrap_or(last);
    let expected = course.fold(events, at);
    let mut as_filed = serde_json::to_value(
        Course::new(original)
            .expect("the file folds")
            .fold(events, at),
    )
    .expect("JSON");
    let mut as_published = serde_json::to_value(&expected).expect("JSON");
    as_filed
        .as_object_mut()
        .expect("record")
        .remove("validation");
    as_published
        .as_object_mut()
        .expect("record")
        .remove("validation");
    assert_eq!(
        as_filed, as_published,
        "{name}: making it publishable changed a result"
    );

    let reg = api.registration(&format!("client-{name}")).await;
    let teacher = api.session(reg, "course", "teacher", &["instructor"]).await;
    let learner = api.session(reg, "course", LEARNER, &["learner"]).await;
    api.at(events[0].at.unix_seconds() - 86_400);
    for def in &definitions {
        let body = serde_json::to_value(def).expect("definition JSON");
        let (status, created) = api.post("/api/definitions", &teacher, &body).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{name}: create {}: {created}",
            def.id
        );
    }
    // A definition may name another's assessments or credentials: publish in rounds until
    // each is in (at most one round per definition).
    let mut pending: Vec<&CredentialDefinition> = definitions.iter().collect();
    for _round in 0..definitions.len() {
        let mut refused = Vec::new();
        for def in pending {
            let path = format!("/api/definitions/{}/{}/publish", def.id, def.version);
            let (status, answer) = api.post(&path, &teacher, &json!(null)).await;
            if status != StatusCode::OK {
                refused.push((def, answer));
            }
        }
        if refused.is_empty() {
            pending = Vec::new();
            break;
        }
        assert!(
            refused.iter().all(|(_, a)| a["code"] == "publish_blocked"),
            "{name}: {refused:?}"
        );
        pending = refused.into_iter().map(|(d, _)| d).collect();
    }
    assert!(pending.is_empty(), "{name}: never published: {pending:?}");
    // Requests are made of the file's events: the server adds what it fills from the caller.
    for (i, event) in filed.iter().enumerate() {
        api.at(event.at.unix_seconds());
        let rejected = expected.errors.iter().find(|e| e.event == i);
        if let EventKind::CredentialRevoked { credential, reason } = &event.kind {
            revoke(
                api,
                name,
                &teacher,
                credential.as_str(),
                reason.as_deref(),
                rejected.is_some(),
            )
            .await;
            continue;
        }
        let (path, body, as_learner) = request_for(&event.kind);
        let token = if as_learner { &learner } else { &teacher };
        let (status, answer) = api.post(&path, token, &body).await;
        match rejected {
            Some(rejected) => {
                assert_eq!(status, StatusCode::CONFLICT, "{name} event {i}: {answer}");
                assert_eq!(answer["code"], rejected.code, "{name} event {i}: {answer}");
            }
            None => assert_eq!(status, StatusCode::CREATED, "{name} event {i}: {answer}"),
        }
    }
    api.at(at.unix_seconds());
    let (status, view) = api
        .get(&format!("/api/learners/{LEARNER}/record"), &teacher)
        .await;
    assert_eq!(status, StatusCode::OK, "{name}: {view}");
    let want = serde_json::to_value(&expected).expect("record JSON");
    assert_eq!(
        comparable(&view["record"]),
        comparable(&want),
        "{name}: the server's record differs from the core's fold"
    );
    let (_, history) = api
        .get(&format!("/api/learners/{LEARNER}/history"), &teacher)
        .await;
    assert_eq!(
        history.as_array().map(Vec::len),
        Some(events.len() - expected.errors.len()),
        "{name}: stored events"
    );
    // Issuances: the server's stored credentials are the core's, key by key.
    let mut want_issued: Vec<(String, String, u32, i64)> = expected
        .credentials
        .values()
        .flat_map(|c| c.issuances.iter())
        .map(|i| {
            (
                i.definition.to_string(),
                i.version.clone(),
                i.cycle,
                i.issued_at.unix_seconds(),
            )
        })
        .collect();
    want_issued.sort();
    let mut got_issued: Vec<(String, String, u32, i64)> = view["credentials"]
        .as_array()
        .expect("credentials")
        .iter()
        .map(|c| {
            (
                c["definition_id"].as_str().unwrap_or_default().to_owned(),
                c["version"].as_str().unwrap_or_default().to_owned(),
                u32::try_from(c["cycle"].as_i64().unwrap_or(-1)).unwrap_or(u32::MAX),
                c["issued_at"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    got_issued.sort();
    assert_eq!(got_issued, want_issued, "{name}: issuances");
}

/// A `credential_revoked` event as an instructor makes it: revoking the learner's latest
/// stored credential of the definition (`POST /api/credentials/{id}/revoke`), which changes
/// its status list and writes the core's event on the record.
async fn revoke(
    api: &Api,
    name: &str,
    teacher: &str,
    definition: &str,
    reason: Option<&str>,
    refused: bool,
) {
    let (_, view) = api
        .get(&format!("/api/learners/{LEARNER}/record"), teacher)
        .await;
    let latest = view["credentials"]
        .as_array()
        .expect("credentials")
        .iter()
        .filter(|c| c["definition_id"] == definition)
        .max_by_key(|c| c["issued_at"].as_i64());
    let Some(latest) = latest else {
        assert!(refused, "{name}: nothing of {definition} to revoke");
        return;
    };
    let id = latest["id"].as_str().expect("id");
    let (status, answer) = api
        .post(
            &format!("/api/credentials/{id}/revoke"),
            teacher,
            &json!({"reason": reason.unwrap_or("replayed")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{name}: revoke {id}: {answer}");
    assert_eq!(answer["event_seq"].is_i64(), !refused, "{name}: {answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_replays_through_http_on_sqlite() {
    replay_all(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_replays_through_http_on_postgres() {
    replay_all(Backend::Postgres).await;
}
