//! The API writes the core's own members, through HTTP on SQLite and PostgreSQL: a recorded
//! result carries its assessor `{type, id}` (ASSESS-09) and, when the caller attests it,
//! `attested_by` (ASSESS-10), so a supervised summative stays pending without attestation;
//! a peer assessor on a summative is refused with the core's code; released feedback's text
//! and author reach the learner's record (ATTEMPT-04); an override's author is the caller
//! (ATTEMPT-12); PLAR decisions carry their assessor; evidence goes into the event by
//! reference; withdrawals and enrolments in an offering have their routes. Every author is
//! the session's user, whatever the body says.

mod api_support;

use api_support::{Api, Backend};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn definition() -> Value {
    json!({
        "id": "weld", "version": "1.0.0", "name": "Safe welding",
        "description": "Welds safely.",
        "issuer": {"id": "https://college.example/issuers/ce", "name": "Example College"},
        "competencies": [{"id": "W1", "statement": "Welds a joint", "threshold_percent": "50"}],
        "assessments": [
            {"id": "PRACTICAL", "title": "Practical", "kind": "summative",
             "max_points": "10", "pass_percent": "60", "competencies": ["W1"],
             "supervision": "onsite_with_id"},
            {"id": "PORTFOLIO", "title": "Portfolio", "kind": "summative",
             "max_points": "10", "pass_percent": "60", "competencies": ["W1"]},
            {"id": "CHECK", "title": "Peer check", "kind": "formative",
             "max_points": "10", "pass_percent": "60", "competencies": ["W1"]}
        ],
        "attempt_policy": {"max_attempts": 3, "scoring": "latest",
                           "feedback_required_before_retry": false,
                           "min_days_between_attempts": 0, "resit_cap_percent": null,
                           "retry_after_pass": true},
        "plar": {"methods": ["portfolio"], "challenge_counts_as_attempt": false,
                 "max_share_percent": null},
        "criteria": {"all": [{"assessment": "PRACTICAL"}]}
    })
}

async fn provenance(backend: Backend) {
    let Some(api) = Api::new(backend, "provenance").await else {
        return;
    };
    let reg = api.registration("college").await;
    let teacher = api.session(reg, "course", "teacher", &["instructor"]).await;
    api.session(reg, "course", "ana", &["learner"]).await;
    let ben = api.session(reg, "course", "ben", &["learner"]).await;
    let (s, v) = api.post("/api/definitions", &teacher, &definition()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = api
        .post(
            "/api/definitions/weld/1.0.0/publish",
            &teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // A supervised summative: without attestation the score stays pending, and a grading
    // without it is refused with the core's code; attested by the caller it stands. The
    // assessor is `{type, id}` in the core event.
    let (s, v) = api
        .post(
            "/api/learners/ana/results",
            &teacher,
            &json!({"assessment": "PRACTICAL", "score": "8",
                    "assessor_type": "workplace_assessor", "assessor": "assessor-7",
                    "supervision_mode": "onsite_with_id"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["event"]["assessor"],
        json!({"type": "workplace_assessor", "id": "assessor-7"})
    );
    assert_eq!(v["event"].get("attested_by"), None, "{v}");
    assert_eq!(v["issued"], json!([]), "a pending score issues nothing");
    let (_, record) = api.get("/api/learners/ana/record", &teacher).await;
    let attempts = &record["record"]["assessments"]["PRACTICAL"]["attempts"];
    assert_eq!(attempts[0]["pending"], true, "{record}");
    assert_eq!(attempts[0]["supervision"], "onsite_with_id");
    let grading = |attested: bool| {
        json!({"assessment": "PRACTICAL", "attempt": 1, "score": "8",
               "assessor_type": "workplace_assessor", "attested": attested})
    };
    let (s, v) = api
        .post("/api/learners/ana/gradings", &teacher, &grading(false))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "attestation_required");
    let (s, v) = api
        .post("/api/learners/ana/gradings", &teacher, &grading(true))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["attested_by"], "teacher", "the caller attests");
    assert_eq!(
        v["event"]["assessor"],
        json!({"type": "workplace_assessor", "id": "teacher"})
    );
    assert_eq!(v["issued"].as_array().map(Vec::len), Some(1), "{v}");
    let (_, record) = api.get("/api/learners/ana/record", &teacher).await;
    let attempts = &record["record"]["assessments"]["PRACTICAL"]["attempts"];
    assert_eq!(attempts[0]["pending"], false, "{record}");
    assert_eq!(attempts[0]["attested_by"], "teacher");

    // A peer may not score a summative (the core's code), but may score a formative.
    let (s, v) = api
        .post(
            "/api/learners/ben/results",
            &teacher,
            &json!({"assessment": "PORTFOLIO", "score": "9", "assessor_type": "peer",
                    "assessor": "ana"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "assessor_not_allowed");
    let (s, v) = api
        .post(
            "/api/learners/ben/results",
            &teacher,
            &json!({"assessment": "CHECK", "score": "9", "assessor_type": "peer",
                    "assessor": "ana"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["assessor"], json!({"type": "peer", "id": "ana"}));

    // Released feedback's text and author reach the learner's own record.
    let (s, v) = api
        .post(
            "/api/learners/ben/feedback-releases",
            &teacher,
            &json!({"assessment": "CHECK", "feedback": "Check the bead's width."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["text"], "Check the bead's width.");
    assert_eq!(v["event"]["author"], "teacher");
    let (s, own) = api.get("/api/me/record", &ben).await;
    assert_eq!(s, StatusCode::OK, "{own}");
    let feedback = &own["record"]["assessments"]["CHECK"]["feedback"][0];
    assert_eq!(feedback["text"], "Check the bead's width.", "{own}");
    assert_eq!(feedback["author"], "teacher");

    // An override's author is the caller; a body naming another is refused as unknown.
    let (s, v) = api
        .post(
            "/api/learners/ben/overrides",
            &teacher,
            &json!({"assessment": "CHECK", "attempt": 1, "score": "7",
                    "reason": "marked twice", "by": "someone-else"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = api
        .post(
            "/api/learners/ben/overrides",
            &teacher,
            &json!({"assessment": "CHECK", "attempt": 1, "score": "7",
                    "reason": "marked twice"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["by"], "teacher");
    let (_, own) = api.get("/api/me/record", &ben).await;
    let overrides = &own["record"]["assessments"]["CHECK"]["attempts"][0]["overrides"];
    assert_eq!(overrides[0]["by"], "teacher", "{own}");

    // A PLAR decision carries its assessor: the caller, with the type given.
    let (s, v) = api
        .post(
            "/api/learners/ben/plar-decisions",
            &teacher,
            &json!({"decision": "denied", "credential": "weld", "method": "portfolio",
                    "competency": "W1", "reason": "not enough evidence",
                    "assessor_type": "content_expert"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["event"]["assessor"],
        json!({"type": "content_expert", "id": "teacher"})
    );

    // Evidence goes into the core event by reference.
    let (s, v) = api
        .post(
            "/api/me/submissions",
            &ben,
            &json!({"assessment": "PORTFOLIO", "evidence": [{"url": "https://example.org/p.pdf"}],
                    "evidence_type": "portfolio"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["event"]["evidence"],
        json!([{"ref": "https://example.org/p.pdf", "type": "portfolio"}])
    );

    // Enrolment in an offering (instructors only) and withdrawal have their routes.
    let offering = json!({"id": "2026-fall", "definition": "weld", "version": "1.0.0",
                          "mode": "self_paced", "status": "go"});
    let (s, v) = api
        .post(
            "/api/me/enrolments",
            &ben,
            &json!({"credential": "weld", "offering": offering}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = api
        .post(
            "/api/learners/ben/enrolments",
            &teacher,
            &json!({"credential": "weld", "offering": offering}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["offering"]["id"], "2026-fall");
    let (s, v) = api
        .post(
            "/api/me/withdrawals",
            &ben,
            &json!({"credential": "weld", "reason": "moving away"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["type"], "withdrawn");
    let (s, v) = api
        .post(
            "/api/learners/ben/withdrawals",
            &teacher,
            &json!({"credential": "weld"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a second withdrawal: {v}");
    assert_eq!(v["code"], "learner_withdrawn");
    let (_, own) = api.get("/api/me/record", &ben).await;
    assert!(
        own["record"]["credentials"]["weld"]["withdrawn_at"].is_string(),
        "{own}"
    );
    api.finish().await;
}

on_both_backends!(provenance);
