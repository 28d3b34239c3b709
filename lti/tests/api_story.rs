//! The acceptance story of issue 10 through the HTTP API, on SQLite and PostgreSQL: an
//! instructor publishes a definition with two competencies and a second-attempt policy; a
//! learner fails an item set scored on the server, is refused a retry until the instructor
//! releases feedback, then passes; another learner is granted PLAR for both competencies.
//! Each receives exactly one credential with no further action, which the independent
//! oracle verifies; the audit history shows who did what; a third attempt is refused with
//! the core's code. The learner reads the definitions their record is folded with and each
//! credential's sharing links. The credential's public page and status list serve with no login, and a
//! revocation flips its status in the list (the oracle then refuses it). A suspension sets the
//! credential's bit in its suspension list (both verifiers refuse it) until it is lifted.

mod api_support;

use api_support::status::{status_entry, status_list, status_list_path, verify_with_list};
use api_support::{Api, Backend, oracle};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
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
        "attempt_policy": {"max_attempts": 2, "scoring": "latest",
                           "feedback_required_before_retry": true,
                           "min_days_between_attempts": 0, "resit_cap_percent": null,
                           "retry_after_pass": false},
        "plar": {"methods": ["portfolio"], "challenge_counts_as_attempt": false,
                 "max_share_percent": null},
        "criteria": {"all_competencies": true},
        "grant_mode": "automatic"
    })
}

fn item_set() -> Value {
    let items: Vec<Value> = (1..=5)
        .map(|i| {
            json!({"id": format!("q{i}"), "prompt": format!("Question {i}"), "points": "2",
                   "choices": [{"id": "right", "text": "Right"}, {"id": "wrong", "text": "Wrong"}],
                   "key": {"type": "single_choice", "choice": "right"}})
        })
        .collect();
    json!({ "items": items })
}

fn answers(right: usize) -> Value {
    let answers: serde_json::Map<String, Value> = (1..=5)
        .map(|i| {
            let choice = if i <= right { "right" } else { "wrong" };
            (format!("q{i}"), json!(choice))
        })
        .collect();
    json!({ "answers": answers })
}

async fn story(backend: Backend) {
    let Some(api) = Api::new(backend, "story").await else {
        return;
    };
    let reg = api.registration("college").await;
    let teacher = api.session(reg, "course", "teacher", &["instructor"]).await;
    let ana = api.session(reg, "course", "ana", &["learner"]).await;
    let ben = api.session(reg, "course", "ben", &["learner"]).await;

    // The instructor publishes the definition and the exam's item set.
    let (s, v) = api.post("/api/definitions", &teacher, &definition()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "draft");
    let (s, findings) = api
        .get("/api/definitions/first-aid/1.0.0/findings", &teacher)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(findings["publishable"], true, "{findings}");
    let (s, v) = api
        .post(
            "/api/definitions/first-aid/1.0.0/publish",
            &teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "published");
    let (s, v) = api
        .put("/api/definitions/first-aid/1.0.0", &teacher, &definition())
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a published version never changes");
    assert_eq!(v["code"], "definition_immutable");
    let (s, v) = api.put("/api/item-sets/EXAM", &teacher, &item_set()).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Ana sees the items without their key, fails, is held until feedback, then passes.
    let (s, items) = api.get("/api/item-sets/EXAM", &ana).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!items.to_string().contains("key"), "{items}");
    api.at(api_support::NOW + 3600);
    let (s, first) = api
        .post("/api/me/item-sets/EXAM/answers", &ana, &answers(2))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["event"]["score"], "4");
    assert_eq!(first["issued"], json!([]));
    api.at(api_support::NOW + 7200);
    let (s, held) = api
        .post("/api/me/item-sets/EXAM/answers", &ana, &answers(5))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{held}");
    assert_eq!(held["code"], "feedback_not_released");
    let (s, v) = api
        .post(
            "/api/learners/ana/feedback-releases",
            &teacher,
            &json!({"assessment": "EXAM", "feedback": "Review the recovery position."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    api.at(api_support::NOW + 86_400);
    let (s, passed) = api
        .post("/api/me/item-sets/EXAM/answers", &ana, &answers(5))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{passed}");
    let issued = passed["issued"].as_array().expect("issued");
    assert_eq!(issued.len(), 1, "the passing attempt issues: {passed}");
    assert_eq!(issued[0]["definition_id"], "first-aid");
    let (s, third) = api
        .post("/api/me/item-sets/EXAM/answers", &ana, &answers(5))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{third}");
    assert!(
        third["code"] == "already_passed" || third["code"] == "attempt_limit_reached",
        "{third}"
    );

    // Ben is granted PLAR for both competencies; the second grant issues.
    for (i, competency) in ["C1", "C2"].iter().enumerate() {
        let (s, v) = api
            .post(
                "/api/learners/ben/plar-decisions",
                &teacher,
                &json!({"decision": "granted", "credential": "first-aid", "method": "portfolio",
                        "competency": competency, "evidence": ["portfolio reviewed"]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["issued"].as_array().map(Vec::len), Some(i), "{v}");
    }

    // Exactly one credential each, in their records; each verifies in the oracle.
    for (learner, token) in [("ana", &ana), ("ben", &ben)] {
        let (s, own) = api.get("/api/me/record", token).await;
        assert_eq!(s, StatusCode::OK, "{own}");
        let credentials = own["credentials"].as_array().expect("credentials");
        assert_eq!(credentials.len(), 1, "{learner}: {own}");
        assert_eq!(
            own["record"]["credentials"]["first-aid"]["status"], "valid",
            "{own}"
        );
        let (s, seen) = api
            .get(&format!("/api/learners/{learner}/record"), &teacher)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(seen["credentials"], own["credentials"]);
        let id = credentials[0]["id"].as_str().expect("id");
        let row = api
            .state
            .records
            .credential(id)
            .await
            .expect("store")
            .expect("the credential row");
        let verdict = oracle::verify(&row.body, &["--mode", "ob"]);
        assert_eq!(verdict["verified"], true, "{learner}: {verdict}");
    }

    // The page folds the same record: the definitions it is folded with are the learner's to
    // read, and each credential carries its sharing links.
    let (s, definitions) = api.get("/api/me/definitions", &ana).await;
    assert_eq!(s, StatusCode::OK, "{definitions}");
    assert_eq!(
        definitions.as_array().map(Vec::len),
        Some(1),
        "{definitions}"
    );
    assert_eq!(definitions[0]["id"], "first-aid");
    let (s, refused) = api.get("/api/me/definitions", &teacher).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{refused}");
    let (_, own) = api.get("/api/me/record", &ana).await;
    let links = &own["credentials"][0]["links"];
    let id = own["credentials"][0]["id"].as_str().expect("id");
    assert_eq!(links["png"], format!("/credentials/{id}.png"));
    assert_eq!(links["json"], format!("/credentials/{id}.json"));
    assert!(
        links["linkedin"]
            .as_str()
            .is_some_and(|l| l.starts_with("https://www.linkedin.com/profile/add?")),
        "{links}"
    );

    // Ana's credential: its public page (HTML and JSON) and its status list serve with no
    // login; the oracle verifies it against the list; a revocation flips the list's bit.
    let (_, own) = api.get("/api/me/record", &ana).await;
    let id = own["credentials"][0]["id"].as_str().expect("id").to_owned();
    let row = api
        .state
        .records
        .credential(&id)
        .await
        .expect("store")
        .expect("row");
    let page = Request::get(format!("/credentials/{id}"))
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .expect("request");
    let (s, html) = api.raw(page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.as_str()
            .unwrap_or_default()
            .contains("Workplace First Aid"),
        "{html}"
    );
    let json_page = Request::get(format!("/credentials/{id}"))
        .header(header::ACCEPT, "application/vc+ld+json")
        .body(Body::empty())
        .expect("request");
    let (s, served) = api.raw(json_page).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(served, row.body, "the page serves the signed credential");
    let list_path = status_list_path(&row.body, "revocation");
    let before = status_list(&api, &list_path).await;
    let list_file = std::env::temp_dir().join(format!(
        "cairn-api-story-list-{}-{id}.json",
        std::process::id()
    ));
    std::fs::write(&list_file, before.to_string()).expect("write list");
    let verdict = oracle::verify(
        &row.body,
        &[
            "--mode",
            "ob",
            "--status-list",
            list_file.to_str().expect("path"),
        ],
    );
    assert_eq!(verdict["verified"], true, "with its status list: {verdict}");
    let (s, v) = api
        .post(
            &format!("/api/credentials/{id}/revoke"),
            &teacher,
            &json!({"reason": "issued in error"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = status_list(&api, &list_path).await;
    assert_ne!(after, before, "the status list changed");
    std::fs::write(&list_file, after.to_string()).expect("write list");
    let verdict = oracle::verify(
        &row.body,
        &[
            "--mode",
            "ob",
            "--status-list",
            list_file.to_str().expect("path"),
        ],
    );
    let _ = std::fs::remove_file(&list_file);
    assert_eq!(verdict["verified"], false, "revoked: {verdict}");
    let page = Request::get(format!("/credentials/{id}"))
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .expect("request");
    let (_, html) = api.raw(page).await;
    assert!(
        html.as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("revoked"),
        "{html}"
    );
    let (_, own) = api.get("/api/me/record", &ana).await;
    assert!(own["credentials"][0]["revoked_at"].is_i64(), "{own}");

    // Ben's credential carries a suspension entry too: suspending it sets its bit in the
    // suspension list, so the credential fails in the core's verifier and in the oracle with
    // that list; lifting the suspension clears the bit and it verifies again.
    let (_, own) = api.get("/api/me/record", &ben).await;
    let ben_id = own["credentials"][0]["id"].as_str().expect("id").to_owned();
    let ben_row = api
        .state
        .records
        .credential(&ben_id)
        .await
        .expect("store")
        .expect("row");
    let suspension_path = status_list_path(&ben_row.body, "suspension");
    assert_ne!(
        suspension_path,
        status_list_path(&ben_row.body, "revocation")
    );
    assert_eq!(
        ben_row.suspension_index.map(|i| i.to_string()),
        status_entry(&ben_row.body, "suspension")["statusListIndex"]
            .as_str()
            .map(str::to_owned),
        "the stored entry is the one the credential carries"
    );
    let (core, oracle) =
        verify_with_list(&ben_row.body, &status_list(&api, &suspension_path).await);
    assert!(core.is_empty(), "not suspended yet: {core:?}");
    assert_eq!(oracle["verified"], true, "not suspended yet: {oracle}");
    let (s, v) = api
        .post(
            &format!("/api/credentials/{ben_id}/suspend"),
            &teacher,
            &json!({"reason": "under review"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let suspended = status_list(&api, &suspension_path).await;
    let (core, oracle) = verify_with_list(&ben_row.body, &suspended);
    assert!(core.contains(&"suspended".to_owned()), "{core:?}");
    assert_eq!(oracle["verified"], false, "suspended: {oracle}");
    let (s, v) = api
        .post(
            &format!("/api/credentials/{ben_id}/unsuspend"),
            &teacher,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let lifted = status_list(&api, &suspension_path).await;
    assert_ne!(lifted, suspended, "the suspension list was re-signed");
    let (core, oracle) = verify_with_list(&ben_row.body, &lifted);
    assert!(core.is_empty(), "unsuspended: {core:?}");
    assert_eq!(oracle["verified"], true, "unsuspended: {oracle}");

    // The audit history: who, as which role, with the request id and meta.
    let (s, history) = api.get("/api/learners/ana/history", &teacher).await;
    assert_eq!(s, StatusCode::OK);
    let history = history.as_array().expect("history");
    assert_eq!(
        history.len(),
        4,
        "two attempts, the feedback and the revocation: {history:?}"
    );
    // The revocation is on the record too (the core's event, by the instructor, with why).
    assert_eq!(history[3]["event"]["type"], "credential_revoked");
    assert_eq!(history[3]["event"]["reason"], "issued in error");
    assert_eq!(history[3]["author_sub"], "teacher");
    assert_eq!(history[0]["author_role"], "learner");
    assert_eq!(history[0]["meta"]["assessor_type"], "automated");
    assert_eq!(
        history[0]["event"]["assessor"],
        json!({"type": "automated", "id": "cairn-item-set"})
    );
    assert_eq!(history[1]["author_sub"], "teacher");
    // The feedback's text and author are the core event's (ATTEMPT-04): the caller wrote it.
    assert_eq!(history[1]["event"]["text"], "Review the recovery position.");
    assert_eq!(history[1]["event"]["author"], "teacher");
    assert!(history.iter().all(|e| e["request_id"].is_string()));
    let (s, _) = api.get("/api/learners/ben/history", &ana).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "a learner reads no one else's history"
    );

    // The roster pages through both learners.
    let (s, page) = api.get("/api/learners?page_size=1", &teacher).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["learners"][0]["learner"], "ana");
    let after = page["next"].as_str().expect("a next page").to_owned();
    let (_, page) = api
        .get(
            &format!("/api/learners?page_size=1&after={after}"),
            &teacher,
        )
        .await;
    assert_eq!(page["learners"][0]["learner"], "ben");
    assert_eq!(page["next"], Value::Null);
    let (s, v) = api.get("/api/learners?page_size=lots", &teacher).await;
    assert_eq!(
        (s, &v["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_query"))
    );
    let (s, v) = api.get("/api/learners?page_size=0", &teacher).await;
    assert_eq!(
        (s, &v["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_input"))
    );
    api.finish().await;
}

on_both_backends!(story);
