//! The API's writes one by one, through HTTP on SQLite and PostgreSQL: body limits and
//! malformed bodies, definitions' findings and publish refusals, evidence uploads and
//! pending attempts graded later, recorded results with assessor type and supervision mode,
//! overrides that need a reason, PLAR requests and decisions, and the CSV import (preview
//! with the core's codes, nothing written before confirm, confirm once, a stale preview
//! refused, a confirm writing every learner or none).

mod api_support;

use api_support::{Api, Backend};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

fn definition(id: &str) -> Value {
    json!({
        "id": id, "version": "1.0.0", "name": "Safe lifting",
        "description": "Lifts loads safely.",
        "issuer": {"id": "https://college.example/issuers/ce", "name": "Example College"},
        "competencies": [{"id": "L1", "statement": "Plans a lift", "threshold_percent": "50"}],
        "assessments": [
            {"id": "DEMO", "title": "Lift demonstration", "kind": "summative",
             "max_points": "10", "pass_percent": "80", "competencies": ["L1"]}
        ],
        "attempt_policy": {"max_attempts": 2, "scoring": "latest",
                           "feedback_required_before_retry": false,
                           "min_days_between_attempts": 0, "resit_cap_percent": null,
                           "retry_after_pass": false},
        "plar": {"methods": ["portfolio"], "challenge_counts_as_attempt": false,
                 "max_share_percent": null},
        "criteria": {"all": [{"assessment": "DEMO"}]}
    })
}

struct Course {
    api: Api,
    teacher: String,
    ana: String,
    ben: String,
}

impl Course {
    /// The teacher confirms the previewed import `id`.
    async fn confirm_import(&self, id: &str) -> (StatusCode, Value) {
        self.api
            .post(
                &format!("/api/imports/{id}/confirm"),
                &self.teacher,
                &json!(null),
            )
            .await
    }
}

async fn course(backend: Backend, story: &str) -> Option<Course> {
    let api = Api::new(backend, story).await?;
    let reg = api.registration("college").await;
    let teacher = api.session(reg, "course", "teacher", &["instructor"]).await;
    let ana = api.session(reg, "course", "ana", &["learner"]).await;
    let ben = api.session(reg, "course", "ben", &["learner"]).await;
    let (s, v) = api
        .post("/api/definitions", &teacher, &definition("lift"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = api
        .post(
            "/api/definitions/lift/1.0.0/publish",
            &teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    Some(Course {
        api,
        teacher,
        ana,
        ben,
    })
}

async fn bodies_and_definitions(backend: Backend) {
    let Some(c) = course(backend, "bodies").await else {
        return;
    };
    let api = &c.api;
    // Over the limit: 413 before anything is read.
    let big = json!({"credential": "x".repeat(70 * 1024)});
    let (s, v) = api
        .post("/api/learners/ana/enrolments", &c.teacher, &big)
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["code"], "body_too_large");
    // An unknown member: 400 naming it.
    let (s, v) = api
        .post(
            "/api/learners/ana/enrolments",
            &c.teacher,
            &json!({"credential": "lift", "note": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "invalid_body");
    assert_eq!(v["details"]["path"], "note");
    // A JSON float where a decimal is expected is refused by the core's reader.
    let (s, v) = api
        .post(
            "/api/learners/ana/results",
            &c.teacher,
            &json!({"assessment": "DEMO", "score": 7.5, "assessor_type": "instructor"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["details"]["path"], "score");
    // Not JSON.
    let request = Request::post("/api/me/enrolments")
        .header(header::AUTHORIZATION, format!("Bearer {}", c.ana))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("credential=lift"))
        .expect("request");
    let (s, v) = api.raw(request).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");

    // A definition whose competency nothing assesses: an error finding blocks publishing.
    let mut broken = definition("broken");
    broken["competencies"]
        .as_array_mut()
        .expect("competencies")
        .push(json!({"id": "L2", "statement": "Never assessed", "threshold_percent": "50"}));
    let (s, _) = api.post("/api/definitions", &c.teacher, &broken).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, findings) = api
        .get("/api/definitions/broken/1.0.0/findings", &c.teacher)
        .await;
    assert_eq!(findings["publishable"], false, "{findings}");
    assert!(
        findings["validation"]
            .as_array()
            .expect("validation")
            .iter()
            .any(|f| f["code"] == "competency_not_assessed" && f["ref"] == "L2"),
        "{findings}"
    );
    let (s, v) = api
        .post(
            "/api/definitions/broken/1.0.0/publish",
            &c.teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "publish_blocked");
    assert!(v["details"]["validation"].is_array());
    // A draft can be replaced; archiving takes a version out, once.
    let (s, v) = api
        .put(
            "/api/definitions/broken/1.0.0",
            &c.teacher,
            &definition("broken"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api
        .post(
            "/api/definitions/broken/1.0.0/archive",
            &c.teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "archived");
    let (s, v) = api
        .post(
            "/api/definitions/broken/1.0.0/archive",
            &c.teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = api
        .post("/api/definitions", &c.teacher, &definition("lift"))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a version is created once: {v}");
    c.api.finish().await;
}

async fn evidence_results_overrides_plar(backend: Backend) {
    let Some(c) = course(backend, "evidence").await else {
        return;
    };
    let api = &c.api;
    // Ana uploads a file and submits it with a link: a pending attempt.
    let upload = |token: &str, bytes: &'static [u8]| {
        Request::post("/api/me/evidence-files")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "video/mp4")
            .body(Body::from(bytes))
            .expect("request")
    };
    let (s, file) = api.raw(upload(&c.ana, b"a video of the lift")).await;
    assert_eq!(s, StatusCode::CREATED, "{file}");
    let sha = file["sha256"].as_str().expect("sha").to_owned();
    assert_eq!(sha.len(), 64);
    assert_eq!(file["size"], 19);
    let (s, again) = api.raw(upload(&c.ana, b"a video of the lift")).await;
    assert_eq!(
        (s, &again["sha256"]),
        (StatusCode::CREATED, &file["sha256"])
    );
    let (s, v) = api
        .post(
            "/api/me/submissions",
            &c.ben,
            &json!({"assessment": "DEMO", "evidence": [{"file": sha}]}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "ben cannot name ana's file: {v}");
    let (s, v) = api
        .post(
            "/api/me/submissions",
            &c.ana,
            &json!({"assessment": "DEMO", "evidence": [{"file": sha}, {"url": "https://video.example/1"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["event"].get("score").is_none(), "pending: {v}");
    let (s, v) = api
        .post(
            "/api/me/submissions",
            &c.ana,
            &json!({"assessment": "DEMO", "evidence": [{"url": "javascript:alert(1)"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // The instructor downloads it and grades the pending attempt: it passes and issues.
    let download = Request::get(format!("/api/learners/ana/evidence-files/{sha}"))
        .header(header::AUTHORIZATION, format!("Bearer {}", c.teacher))
        .body(Body::empty())
        .expect("request");
    let (s, body) = api.raw(download).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, json!("a video of the lift"));
    let (s, v) = api
        .post(
            "/api/learners/ana/gradings",
            &c.teacher,
            &json!({"assessment": "DEMO", "attempt": 1, "score": "9", "feedback": "Good"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["grader"], "teacher");
    assert_eq!(v["issued"].as_array().map(Vec::len), Some(1), "{v}");
    // Ana presents that credential in another course that builds on it: the server verifies
    // the document itself; a tampered copy is refused with the core's code.
    let credential_id = v["issued"][0]["id"].as_str().expect("id").to_owned();
    let document = api
        .state
        .records
        .credential(&credential_id)
        .await
        .expect("store")
        .expect("row")
        .body;
    let reg = api.state.store.registrations().await.expect("regs")[0].id;
    let teacher2 = api
        .session(reg, "course-2", "teacher", &["instructor"])
        .await;
    let ana2 = api.session(reg, "course-2", "ana", &["learner"]).await;
    let mut ladder = definition("ladder");
    ladder["criteria"] = json!({"all": [{"credential": "lift"}, {"assessment": "DEMO"}]});
    let (s, v) = api.post("/api/definitions", &teacher2, &ladder).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = api
        .post(
            "/api/definitions/ladder/1.0.0/publish",
            &teacher2,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut tampered = document.clone();
    tampered["name"] = json!("Something else");
    let (s, v) = api
        .post(
            "/api/me/presented-credentials",
            &ana2,
            &json!({"document": tampered}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "credential_not_verified");
    assert!(
        !v["details"]["verifier_errors"]
            .as_array()
            .expect("errors")
            .is_empty()
    );
    let (s, v) = api
        .post(
            "/api/me/presented-credentials",
            &ana2,
            &json!({"document": document}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["credential"], "lift");
    assert_eq!(v["event"]["verified"], true);
    let (_, history) = api.get("/api/me/history", &ana2).await;
    assert_eq!(
        history[0]["meta"]["verification"]["status_checked"], true,
        "{history}"
    );
    assert_eq!(history[0]["meta"]["recipient_checked"], true, "{history}");
    // Ben cannot present Ana's credential as his.
    let ben2 = api.session(reg, "course-2", "ben", &["learner"]).await;
    let (s, v) = api
        .post(
            "/api/me/presented-credentials",
            &ben2,
            &json!({"document": document}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "credential_not_verified");

    // Overrides need a reason; with one, the score changes and `by` is the caller.
    let (s, v) = api
        .post(
            "/api/learners/ana/overrides",
            &c.teacher,
            &json!({"assessment": "DEMO", "attempt": 1, "score": "10", "reason": "  "}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = api
        .post(
            "/api/learners/ana/overrides",
            &c.teacher,
            &json!({"assessment": "DEMO", "attempt": 1, "score": "10", "reason": "rubric misread"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["by"], "teacher");
    // A recorded result carries its assessor and attestation in the core event, and keeps
    // the recorder's supervision mode in the history's meta.
    let (s, v) = api
        .post(
            "/api/learners/ben/results",
            &c.teacher,
            &json!({"assessment": "DEMO", "score": "5", "assessor_type": "workplace_assessor",
                    "assessor": "Site supervisor", "supervision_mode": "onsite_with_id",
                    "attested": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, history) = api.get("/api/learners/ben/history", &c.teacher).await;
    let meta = &history[0]["meta"];
    assert_eq!(meta["assessor_type"], "workplace_assessor");
    assert_eq!(meta["supervision_mode"], "onsite_with_id");
    assert_eq!(
        history[0]["event"]["assessor"],
        json!({"type": "workplace_assessor", "id": "Site supervisor"})
    );
    assert_eq!(history[0]["event"]["attested_by"], "teacher");
    assert_eq!(history[0]["author_sub"], "teacher");
    // Ben asks for PLAR with evidence; the instructor sees it and denies it, naming it.
    let (s, request) = api
        .post(
            "/api/me/plar-requests",
            &c.ben,
            &json!({"credential": "lift", "method": "portfolio", "competency": "L1",
                    "evidence": [{"url": "https://portfolio.example/ben"}],
                    "statement": "Ten years in a warehouse"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{request}");
    let (_, all) = api.get("/api/plar-requests", &c.teacher).await;
    assert_eq!(all[0]["id"], request["id"]);
    let (_, own) = api.get("/api/me/plar-requests", &c.ana).await;
    assert_eq!(own, json!([]), "ana sees only her own requests");
    let (s, v) = api
        .post(
            "/api/learners/ben/plar-decisions",
            &c.teacher,
            &json!({"decision": "denied", "credential": "lift", "method": "portfolio",
                    "competency": "L1", "reason": "not enough evidence",
                    "request": request["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["type"], "plar_denied");
    // A learner nobody launched is not found.
    let (s, v) = api
        .post(
            "/api/learners/zoe/enrolments",
            &c.teacher,
            &json!({"credential": "lift"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["code"], "learner_not_found");
    c.api.finish().await;
}

async fn csv_import(backend: Backend) {
    let Some(c) = course(backend, "import").await else {
        return;
    };
    let api = &c.api;
    // Ben has used both attempts: his row is over the limit.
    for score in ["2", "3"] {
        let (s, v) = api
            .post(
                "/api/learners/ben/results",
                &c.teacher,
                &json!({"assessment": "DEMO", "score": score, "assessor_type": "instructor"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let csv = "Student,ID,SIS User ID,SIS Login ID,Section,Lift demo (77)\n\
               \"    Points Possible\",,,,,10\n\
               \"Ana A\",ana,1,ana,S,9\n\
               \"Ben B\",ben,2,ben,S,8\n";
    let body = |csv: &str| {
        json!({"csv": csv, "format": "canvas",
               "columns": [{"column": "Lift demo (77)", "assessment": "DEMO"}]})
    };
    let (s, preview) = api.post("/api/imports", &c.teacher, &body(csv)).await;
    assert_eq!(s, StatusCode::CREATED, "{preview}");
    assert_eq!(preview["ok"], false);
    let ben_row = &preview["learners"][1];
    assert_eq!(ben_row["learner"], "ben");
    assert_eq!(
        ben_row["attempts"][0]["refused"], "attempt_limit_reached",
        "{preview}"
    );
    assert_eq!(
        preview["learners"][0]["attempts"][0]["refused"],
        Value::Null
    );
    let id = preview["id"].as_str().expect("id");
    let (s, v) = c.confirm_import(id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "import_has_errors");
    let (_, ana_history) = api.get("/api/learners/ana/history", &c.teacher).await;
    assert_eq!(ana_history, json!([]), "nothing is written before confirm");

    // Ana alone: a clean preview; a write to her log makes it stale.
    let ana_only =
        "Student,ID,SIS User ID,SIS Login ID,Section,Lift demo (77)\n\"Ana A\",ana,1,ana,S,9\n";
    let (_, stale) = api.post("/api/imports", &c.teacher, &body(ana_only)).await;
    assert_eq!(stale["ok"], true, "{stale}");
    let (s, _) = api
        .post("/api/me/enrolments", &c.ana, &json!({"credential": "lift"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let stale_id = stale["id"].as_str().expect("id");
    let (s, v) = c.confirm_import(stale_id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "import_stale");
    assert_eq!(v["details"]["learners"], json!(["ana"]));
    // Preview again and confirm: written once, with the import named in the meta.
    let (_, fresh) = api.post("/api/imports", &c.teacher, &body(ana_only)).await;
    let fresh_id = fresh["id"].as_str().expect("id");
    let (s, done) = c.confirm_import(fresh_id).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["written"], 1);
    assert_eq!(done["issued"].as_array().map(Vec::len), Some(1), "{done}");
    let (s, v) = c.confirm_import(fresh_id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "import_confirmed");
    let (_, history) = api.get("/api/learners/ana/history", &c.teacher).await;
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    assert_eq!(history[1]["meta"]["import"], fresh_id);
    assert_eq!(history[1]["event"]["score"], "9");
    assert_eq!(
        history[1]["event"]["assessor"],
        json!({"type": "instructor", "id": "teacher"})
    );
    let (s, got) = api
        .get(&format!("/api/imports/{fresh_id}"), &c.teacher)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(got["confirmed_at"].is_i64(), "{got}");
    // A file-level problem is one typed error.
    let (s, v) = api
        .post("/api/imports", &c.teacher, &body("Student,ID,Other\n"))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "csv_unknown_column");
    c.api.finish().await;
}

/// A confirm writes every learner or none: a write to one learner after the preview makes
/// the confirm write nothing for the others either.
async fn import_is_all_or_nothing(backend: Backend) {
    let Some(c) = course(backend, "import-atomic").await else {
        return;
    };
    let api = &c.api;
    let both = "Student,ID,SIS User ID,SIS Login ID,Section,Lift demo (77)\n\
                \"Ana A\",ana,1,ana,S,9\n\
                \"Ben B\",ben,2,ben,S,4\n";
    let body = json!({"csv": both, "format": "canvas",
                      "columns": [{"column": "Lift demo (77)", "assessment": "DEMO"}]});
    // Imported as a peer's results, the summative's rows show the core's refusal.
    let mut as_peer = body.clone();
    as_peer["assessor_type"] = json!("peer");
    let (s, refused) = api.post("/api/imports", &c.teacher, &as_peer).await;
    assert_eq!(s, StatusCode::CREATED, "{refused}");
    assert_eq!(refused["ok"], false);
    assert_eq!(
        refused["learners"][0]["attempts"][0]["refused"],
        "assessor_not_allowed"
    );
    let (s, preview) = api.post("/api/imports", &c.teacher, &body).await;
    assert_eq!(s, StatusCode::CREATED, "{preview}");
    assert_eq!(preview["ok"], true, "{preview}");
    // Ben writes after the preview; Ana's row alone would still apply.
    let (s, _) = api
        .post("/api/me/enrolments", &c.ben, &json!({"credential": "lift"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = preview["id"].as_str().expect("id");
    let (s, v) = c.confirm_import(id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "import_stale");
    assert_eq!(v["details"]["learners"], json!(["ben"]));
    assert_eq!(v["details"]["written"], 0);
    assert!(
        v["message"].as_str().is_some_and(|m| m.contains("preview")),
        "{v}"
    );
    let (_, ana_history) = api.get("/api/learners/ana/history", &c.teacher).await;
    assert_eq!(ana_history, json!([]), "nothing of Ana's row was written");
    let (_, ben_history) = api.get("/api/learners/ben/history", &c.teacher).await;
    assert_eq!(
        ben_history.as_array().map(Vec::len),
        Some(1),
        "only Ben's own write"
    );
    let (_, own) = api.get("/api/me/record", &c.ana).await;
    assert_eq!(own["credentials"], json!([]), "{own}");
    // Previewed again, the same file writes both learners in one confirm.
    let (_, fresh) = api.post("/api/imports", &c.teacher, &body).await;
    let fresh_id = fresh["id"].as_str().expect("id");
    let (s, done) = c.confirm_import(fresh_id).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["written"], 2);
    assert_eq!(
        done["issued"].as_array().map(Vec::len),
        Some(1),
        "Ana passes: {done}"
    );
    let (_, ben_history) = api.get("/api/learners/ben/history", &c.teacher).await;
    assert_eq!(ben_history.as_array().map(Vec::len), Some(2));
    assert_eq!(ben_history[1]["meta"]["import"], fresh_id);
    c.api.finish().await;
}

on_both_backends!(bodies_and_definitions);
on_both_backends!(import_is_all_or_nothing);
on_both_backends!(evidence_results_overrides_plar);
on_both_backends!(csv_import);
