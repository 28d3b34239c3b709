//! REQ-LIFE-02 through the HTTP API, on SQLite and PostgreSQL: an instructor publishes v1 of
//! a definition; a learner enrols (the server pins the version published then) and starts;
//! the instructor publishes v2, which adds a competency. The learner in progress is still
//! assessed and issued on v1 (the credential names v1, and v2's new assessment is refused),
//! while a learner who enrols after v2 is assessed on v2. A gradebook import folds the
//! learner in progress on v1 too, in its preview and its confirm.

mod api_support;

use api_support::{Api, Backend};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn competency(id: &str) -> Value {
    json!({"id": id, "statement": format!("Competency {id}"), "threshold_percent": "60"})
}

fn practical(id: &str, competency: &str) -> Value {
    json!({"id": id, "title": format!("Practical {id}"), "kind": "summative",
           "max_points": "10", "pass_percent": "60", "competencies": [competency]})
}

/// v1.0.0 has C1 and C2; v1.1.0 adds C3 and its practical P3.
fn definition(version: &str) -> Value {
    let mut competencies = vec![competency("C1"), competency("C2")];
    let mut assessments = vec![practical("P1", "C1"), practical("P2", "C2")];
    if version != "1.0.0" {
        competencies.push(competency("C3"));
        assessments.push(practical("P3", "C3"));
    }
    json!({
        "id": "first-aid", "version": version, "name": "Workplace First Aid",
        "description": "Responds to a workplace injury until help arrives.",
        "issuer": {"id": "https://college.example/issuers/ce", "name": "Example College"},
        "competencies": competencies,
        "assessments": assessments,
        "criteria": {"all_competencies": true},
        "grant_mode": "automatic"
    })
}

async fn publish(api: &Api, teacher: &str, version: &str) {
    let (s, v) = api
        .post("/api/definitions", teacher, &definition(version))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = api
        .post(
            &format!("/api/definitions/first-aid/{version}/publish"),
            teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn pass(api: &Api, teacher: &str, learner: &str, assessment: &str) -> (StatusCode, Value) {
    api.post(
        &format!("/api/learners/{learner}/results"),
        teacher,
        &json!({"assessment": assessment, "score": "8", "assessor_type": "instructor"}),
    )
    .await
}

/// The teacher enrols `learner` in first-aid (the server pins the latest published version);
/// the answer, checked 201.
async fn enrol(api: &Api, teacher: &str, learner: &str) -> Value {
    let (s, v) = api
        .post(
            &format!("/api/learners/{learner}/enrolments"),
            teacher,
            &json!({"credential": "first-aid"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// The version the stored credential's achievement names.
async fn credential_version(api: &Api, issued: &Value) -> String {
    let id = issued["id"].as_str().expect("credential id");
    let row = api
        .state
        .records
        .credential(id)
        .await
        .expect("store")
        .expect("the credential row");
    let achievement = row.body["credentialSubject"]["achievement"]["id"]
        .as_str()
        .expect("achievement id")
        .to_owned();
    achievement
        .rsplit_once("/versions/")
        .map(|(_, v)| v.to_owned())
        .unwrap_or(achievement)
}

async fn req_life_02_learner_in_progress_stays_on_v1(backend: Backend) {
    let Some(api) = Api::new(backend, "versions").await else {
        return;
    };
    let reg = api.registration("college").await;
    let teacher = api.session(reg, "course", "teacher", &["instructor"]).await;
    let ana = api.session(reg, "course", "ana", &["learner"]).await;
    let ben = api.session(reg, "course", "ben", &["learner"]).await;

    publish(&api, &teacher, "1.0.0").await;
    // Ana enrols: the server pins the version published now, and she starts.
    api.at(api_support::NOW + 3600);
    let v = enrol(&api, &teacher, "ana").await;
    assert_eq!(v["event"]["version"], "1.0.0", "{v}");
    let (s, v) = pass(&api, &teacher, "ana", "P1").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // v1.1.0 adds a competency.
    api.at(api_support::NOW + 7200);
    publish(&api, &teacher, "1.1.0").await;

    // Ana is still assessed on v1: v2's practical is not hers, and passing P2 issues v1.
    api.at(api_support::NOW + 10_800);
    let (s, v) = pass(&api, &teacher, "ana", "P3").await;
    assert!(s.is_client_error(), "{s} {v}");
    assert_eq!(v["code"], "unknown_reference", "{v}");
    let (s, v) = pass(&api, &teacher, "ana", "P2").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let issued = v["issued"].as_array().expect("issued");
    assert_eq!(issued.len(), 1, "{v}");
    assert_eq!(credential_version(&api, &issued[0]).await, "1.0.0");
    let (s, own) = api.get("/api/me/record", &ana).await;
    assert_eq!(s, StatusCode::OK, "{own}");
    let fa = &own["record"]["credentials"]["first-aid"];
    assert_eq!(fa["status"], "valid", "{own}");
    assert_eq!(fa["issuances"][0]["version"], "1.0.0", "{own}");
    assert!(own["record"]["competencies"].get("C3").is_none(), "{own}");
    // The page folds with the same definitions: Ana's are v1.
    let (s, definitions) = api.get("/api/me/definitions", &ana).await;
    assert_eq!(s, StatusCode::OK, "{definitions}");
    assert_eq!(definitions[0]["version"], "1.0.0", "{definitions}");

    // Ben enrols after v2 is published: he is assessed on v2 and needs C3.
    let v = enrol(&api, &teacher, "ben").await;
    assert_eq!(v["event"]["version"], "1.1.0", "{v}");
    for assessment in ["P1", "P2"] {
        let (s, v) = pass(&api, &teacher, "ben", assessment).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["issued"], json!([]), "C3 is still due: {v}");
    }
    let (s, v) = pass(&api, &teacher, "ben", "P3").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let issued = v["issued"].as_array().expect("issued");
    assert_eq!(issued.len(), 1, "{v}");
    assert_eq!(credential_version(&api, &issued[0]).await, "1.1.0");
    let (s, definitions) = api.get("/api/me/definitions", &ben).await;
    assert_eq!(s, StatusCode::OK, "{definitions}");
    assert_eq!(definitions[0]["version"], "1.1.0", "{definitions}");

    // The instructor sees each learner's own version.
    let (s, seen) = api.get("/api/learners/ana/record", &teacher).await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert_eq!(
        seen["record"]["credentials"]["first-aid"]["issuances"][0]["version"], "1.0.0",
        "{seen}"
    );
    // The roster lays every learner out in the latest version's columns (C1, C2, C3): Ana,
    // folded on v1, holds her credential and shows C3 as not started.
    let (s, roster) = api.get("/api/learners", &teacher).await;
    assert_eq!(s, StatusCode::OK, "{roster}");
    let summary = |sub: &str| {
        roster["learners"]
            .as_array()
            .expect("learners")
            .iter()
            .find(|l| l["learner"] == sub)
            .map(|l| l["summary"].clone())
            .expect("in the roster")
    };
    let ana_summary = summary("ana");
    assert_eq!(ana_summary["credentials"][0]["status"], "valid", "{roster}");
    let statuses: Vec<&str> = ana_summary["competencies"]
        .as_array()
        .expect("competencies")
        .iter()
        .map(|c| c["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        statuses,
        ["mastered", "mastered", "not_started"],
        "{roster}"
    );
    assert_eq!(
        summary("ben")["credentials"][0]["status"],
        "valid",
        "{roster}"
    );
    api.finish().await;
}

on_both_backends!(req_life_02_learner_in_progress_stays_on_v1);

/// The canvas CSV of one score of `learner` for the column mapped to `assessment`.
fn import_body(learner: &str, assessment: &str) -> Value {
    let csv = format!(
        "Student,ID,SIS User ID,SIS Login ID,Section,Practical\n\"A\",{learner},1,{learner},S,8\n"
    );
    json!({"csv": csv, "format": "canvas",
           "columns": [{"column": "Practical", "assessment": assessment}]})
}

async fn req_life_02_an_import_folds_the_learner_on_their_version(backend: Backend) {
    let Some(api) = Api::new(backend, "versions-import").await else {
        return;
    };
    let reg = api.registration("college").await;
    let teacher = api.session(reg, "course", "teacher", &["instructor"]).await;
    let _ana = api.session(reg, "course", "ana", &["learner"]).await;
    publish(&api, &teacher, "1.0.0").await;
    api.at(api_support::NOW + 3600);
    enrol(&api, &teacher, "ana").await;
    let (s, v) = pass(&api, &teacher, "ana", "P1").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    api.at(api_support::NOW + 7200);
    publish(&api, &teacher, "1.1.0").await;

    // v2's practical is not Ana's: the preview refuses it as her own write would.
    api.at(api_support::NOW + 10_800);
    let (s, preview) = api
        .post("/api/imports", &teacher, &import_body("ana", "P3"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{preview}");
    assert_eq!(preview["ok"], false, "{preview}");
    assert_eq!(
        preview["learners"][0]["attempts"][0]["refused"], "unknown_reference",
        "{preview}"
    );
    // P2 completes v1: the confirm issues it, on v1.
    let (s, preview) = api
        .post("/api/imports", &teacher, &import_body("ana", "P2"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{preview}");
    assert_eq!(preview["ok"], true, "{preview}");
    let id = preview["id"].as_str().expect("id");
    let (s, done) = api
        .post(
            &format!("/api/imports/{id}/confirm"),
            &teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    let issued = done["issued"].as_array().expect("issued");
    assert_eq!(issued.len(), 1, "{done}");
    assert_eq!(credential_version(&api, &issued[0]).await, "1.0.0");
    api.finish().await;
}

on_both_backends!(req_life_02_an_import_folds_the_learner_on_their_version);
