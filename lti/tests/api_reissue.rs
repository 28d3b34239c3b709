//! `POST /api/credentials/{id}/reissue` (REQ-ISSUE-06) on SQLite and PostgreSQL: a learner's
//! credential is issued; a reissue before its revocation is refused `not_revoked`; once
//! revoked (its bit set in the status list), another tenant, another context and a learner
//! cannot reissue it; the instructor reissues it with a reason: the new credential verifies
//! in the core and in the oracle against the same list while the revoked one does not, the
//! learner's record shows both issuances with `reissue_of` and the reason, a sweep issues
//! nothing more, and the revoked one cannot be reissued again (`not_latest`), not even by a
//! write that raced past the route's check (the record's precondition is held under the lock).

mod api_support;

use api_support::status::{status_list, status_list_path, verify_with_list};
use api_support::{Api, Backend};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn definition() -> Value {
    json!({
        "id": "first-aid", "version": "1.0.0", "name": "Workplace First Aid",
        "description": "Responds to a workplace injury until help arrives.",
        "issuer": {"id": "https://college.example/issuers/ce", "name": "Example College"},
        "competencies": [
            {"id": "C1", "statement": "Assess a casualty", "threshold_percent": "60"},
            {"id": "C2", "statement": "Give first aid", "threshold_percent": "60"}
        ],
        "assessments": [{"id": "EXAM", "title": "First aid exam", "kind": "summative",
                         "max_points": "10", "pass_percent": "60", "competencies": ["C1", "C2"]}],
        "plar": {"methods": ["portfolio"], "challenge_counts_as_attempt": false,
                 "max_share_percent": null},
        "criteria": {"all_competencies": true},
        "grant_mode": "automatic"
    })
}

async fn reissue(backend: Backend) {
    let Some(api) = Api::new(backend, "reissue").await else {
        return;
    };
    let reg = api.registration("college").await;
    let teacher = api.session(reg, "course", "teacher", &["instructor"]).await;
    let ben = api.session(reg, "course", "ben", &["learner"]).await;
    let elsewhere = api
        .session(reg, "other-course", "teacher", &["instructor"])
        .await;
    let other_reg = api.registration("other-college").await;
    let stranger = api
        .session(other_reg, "course", "teacher", &["instructor"])
        .await;

    // Ben is granted PLAR for both competencies: one credential.
    let (s, v) = api.post("/api/definitions", &teacher, &definition()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = api
        .post(
            "/api/definitions/first-aid/1.0.0/publish",
            &teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut issued = Vec::new();
    for competency in ["C1", "C2"] {
        let (s, v) = api
            .post(
                "/api/learners/ben/plar-decisions",
                &teacher,
                &json!({"decision": "granted", "credential": "first-aid", "method": "portfolio",
                        "competency": competency, "evidence": ["portfolio reviewed"]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        issued.extend(v["issued"].as_array().cloned().unwrap_or_default());
    }
    assert_eq!(issued.len(), 1, "{issued:?}");
    let old_id = issued[0]["id"].as_str().expect("id").to_owned();
    let reissue_path = format!("/api/credentials/{old_id}/reissue");
    let reason = json!({"reason": "the learner's name was misspelt"});

    // Not revoked yet; no reason.
    let (s, v) = api.post(&reissue_path, &teacher, &reason).await;
    assert_eq!(
        (s, &v["code"]),
        (StatusCode::CONFLICT, &json!("not_revoked"))
    );
    let (s, v) = api.post(&reissue_path, &teacher, &json!({})).await;
    assert_eq!(
        (s, &v["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_body"))
    );

    // Revoked: its bit is set in the list.
    api.at(api_support::NOW + 3600);
    let (s, v) = api
        .post(
            &format!("/api/credentials/{old_id}/revoke"),
            &teacher,
            &json!({"reason": "misspelt name"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Another tenant and another context see no such credential; a learner has no role.
    for token in [&stranger, &elsewhere] {
        let (s, v) = api.post(&reissue_path, token, &reason).await;
        assert_eq!(
            (s, &v["code"]),
            (StatusCode::NOT_FOUND, &json!("not_found"))
        );
    }
    let (s, v) = api.post(&reissue_path, &ben, &reason).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    // The reissue: a new credential of the next cycle, in the same answer as the event.
    api.at(api_support::NOW + 7200);
    let (s, v) = api.post(&reissue_path, &teacher, &reason).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["replaces"]["id"], old_id.as_str());
    assert_eq!(v["replaces"]["status"], "revoked");
    assert!(v["event_seq"].is_i64(), "{v}");
    let new_id = v["credential"]["id"].as_str().expect("a new credential");
    assert_ne!(new_id, old_id);
    assert_eq!(v["credential"]["cycle"], 1);
    assert_eq!(v["credential"]["status"], "valid");
    assert_eq!(v["credential"]["issued_at"], api_support::NOW + 7200);

    // Against the one revocation list both use: the old one fails, the new one verifies,
    // in the core and in the oracle.
    let old = stored(&api, &old_id).await;
    let new = stored(&api, new_id).await;
    let list = status_list(&api, &status_list_path(&old, "revocation")).await;
    assert_eq!(
        status_list_path(&new, "revocation"),
        status_list_path(&old, "revocation")
    );
    let (core, verdict) = verify_with_list(&old, &list);
    assert!(core.contains(&"revoked".to_owned()), "{core:?}");
    assert_eq!(verdict["verified"], false, "revoked: {verdict}");
    let (core, verdict) = verify_with_list(&new, &list);
    assert!(core.is_empty(), "the reissue: {core:?}");
    assert_eq!(verdict["verified"], true, "the reissue: {verdict}");
    // The correction keeps the first award time.
    assert_eq!(new["awardedDate"], old["awardedDate"], "{new}");

    // The record shows both: the revoked one and the reissue naming it, with the reason.
    let (s, seen) = api.get("/api/learners/ben/record", &teacher).await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert_eq!(
        seen["credentials"].as_array().map(Vec::len),
        Some(2),
        "{seen}"
    );
    let issuances = &seen["record"]["credentials"]["first-aid"]["issuances"];
    assert_eq!(issuances.as_array().map(Vec::len), Some(2), "{seen}");
    assert!(issuances[0]["revoked_at"].is_string(), "{issuances}");
    assert_eq!(issuances[1]["reissue_of"], 0, "{issuances}");
    assert_eq!(
        issuances[1]["reissue_reason"],
        "the learner's name was misspelt"
    );
    assert_eq!(
        seen["record"]["credentials"]["first-aid"]["status"],
        "valid"
    );
    let (_, history) = api.get("/api/learners/ben/history", &teacher).await;
    let last = history.as_array().and_then(|h| h.last()).expect("events");
    assert_eq!(last["event"]["type"], "credential_reissued", "{last}");
    assert_eq!(last["event"]["by"], "teacher");
    assert_eq!(last["author_role"], "instructor");
    assert_eq!(
        last["meta"]["credential_id"],
        old_id.as_str(),
        "the audit log links the revoked id"
    );

    // Automatic issuance stays once per key: a sweep issues nothing more.
    let report = cairn_lti::records::sweep::sweep_once(&api.state, api_support::NOW + 10_800)
        .await
        .expect("sweep");
    assert_eq!(report.issued, 0, "{report:?}");
    assert_eq!(report.failures, 0, "{report:?}");

    // A reissue racing this one (its route's check passed before this one committed) is
    // refused under the learner's lock, before the core could revoke the replacement.
    let scope = api
        .state
        .records
        .credential(&old_id)
        .await
        .expect("store")
        .expect("row")
        .scope;
    let author = cairn_lti::store::records::Author {
        sub: "teacher".to_owned(),
        role: "instructor".to_owned(),
        deployment_id: "deployment".to_owned(),
        request_id: None,
    };
    let raced = cairn_lti::records::append_checked(
        &api.state,
        &scope,
        &author,
        cairn::event::EventKind::CredentialReissued(Box::new(cairn::event::Reissue {
            credential: cairn::ids::DefinitionId::new("first-aid"),
            reason: Some("a second click".to_owned()),
            by: Some("teacher".to_owned()),
        })),
        json!({}),
        &|record| cairn_lti::public::reissue::replaces(record, "first-aid", 0),
    )
    .await;
    match raced {
        Err(cairn_lti::records::WriteError::Refused { code, .. }) => {
            assert_eq!(code, "not_latest");
        }
        other => panic!("the raced reissue was not refused: {other:?}"),
    }

    // The revoked one is no longer the latest: it cannot be reissued twice.
    let (s, v) = api.post(&reissue_path, &teacher, &reason).await;
    assert_eq!(
        (s, &v["code"]),
        (StatusCode::CONFLICT, &json!("not_latest"))
    );
    let (_, seen) = api.get("/api/learners/ben/record", &teacher).await;
    assert_eq!(seen["credentials"].as_array().map(Vec::len), Some(2));
    let issuances = &seen["record"]["credentials"]["first-aid"]["issuances"];
    assert_eq!(
        issuances.as_array().map(Vec::len),
        Some(2),
        "nothing stored"
    );
    assert!(issuances[1]["revoked_at"].is_null(), "{issuances}");
    api.finish().await;
}

on_both_backends!(reissue);

/// The signed credential `id` as stored.
async fn stored(api: &Api, id: &str) -> Value {
    api.state
        .records
        .credential(id)
        .await
        .expect("store")
        .expect("the credential row")
        .body
}
