//! Tenant isolation and roles, walked over the OpenAPI document: every session-authenticated
//! operation is called as the wrong tenant (another registration, same context id), the wrong
//! context (same registration) and the wrong role (the role each operation's `security` names
//! missing). Each answers 403 or 404 when it names a resource of the first tenant, no answer
//! carries any of that tenant's data, and the first tenant's rows are unchanged afterwards.
//! Operations that name nothing (lists, creates) act in the caller's own scope: they may
//! answer 2xx, but never with the first tenant's data.

mod api_support;

use api_support::{Api, Backend};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

/// A definition with one competency and one scored assessment, for the first tenant.
fn definition() -> Value {
    json!({
        "id": "walk-def-a", "version": "1.0.0", "name": "Walk secret A",
        "description": "Only tenant A may see this.",
        "issuer": {"id": "https://a.example/issuers/1", "name": "Tenant A"},
        "competencies": [{"id": "WALK-C1", "statement": "Walks", "threshold_percent": "50"}],
        "assessments": [{"id": "WALK-EXAM", "title": "Exam", "kind": "summative",
                         "max_points": "10", "pass_percent": "50", "competencies": ["WALK-C1"]}],
        "attempt_policy": {"max_attempts": 2, "scoring": "latest",
                           "feedback_required_before_retry": true,
                           "min_days_between_attempts": 0, "resit_cap_percent": null,
                           "retry_after_pass": false},
        "criteria": {"all": [{"assessment": "WALK-EXAM"}]}
    })
}

/// A body each write operation accepts (so a handler that forgot its scope would act).
fn sample_body(method: &str, path: &str) -> Option<Value> {
    let body = match (method, path) {
        ("post", "/api/definitions") => {
            // The wrong callers' own definition, so what they create never shadows A's.
            let mut def = definition();
            def["id"] = json!("mallory-def");
            def
        }
        ("put", "/api/definitions/{definition_id}/{version}") => definition(),
        ("post", p) if p.ends_with("/publish") || p.ends_with("/archive") => return None,
        ("post", p) if p.ends_with("/enrolments") => json!({"credential": "mallory-def"}),
        ("post", p) if p.ends_with("/results") => {
            json!({"assessment": "WALK-EXAM", "score": "3", "assessor_type": "instructor"})
        }
        ("post", p) if p.ends_with("/gradings") => {
            json!({"assessment": "WALK-EXAM", "attempt": 1, "score": "3"})
        }
        ("post", p) if p.ends_with("/feedback-releases") => json!({"assessment": "WALK-EXAM"}),
        ("post", p) if p.ends_with("/overrides") => {
            json!({"assessment": "WALK-EXAM", "attempt": 1, "score": "9", "reason": "walk"})
        }
        ("post", p) if p.ends_with("/plar-decisions") => json!({"decision": "granted",
            "credential": "mallory-def", "method": "portfolio", "competency": "WALK-C1"}),
        ("post", p) if p.ends_with("/presented-credentials") => json!({"credential": "other",
            "issuer": "https://b.example", "issued_at": "2025-01-01T00:00:00Z", "verified": true}),
        ("post", p) if p.ends_with("/applications") => json!({"credential": "mallory-def"}),
        ("post", p) if p.ends_with("/withdrawals") => json!({"credential": "mallory-def"}),
        ("post", p) if p.ends_with("/equivalency-claims") => json!({"equivalency": "EQ"}),
        ("post", p) if p.ends_with("/expiries") => json!({"credential": "mallory-def",
            "issued_before": "2030-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"}),
        ("put", "/api/item-sets/{assessment}") => item_set(),
        ("post", "/api/me/item-sets/{assessment}/answers") => json!({"answers": {"q1": "a"}}),
        ("post", "/api/me/submissions") => {
            json!({"assessment": "WALK-EXAM", "evidence": [{"url": "https://b.example/x"}]})
        }
        ("post", "/api/me/plar-requests") => json!({"credential": "mallory-def",
            "method": "portfolio", "competency": "WALK-C1",
            "evidence": [{"url": "https://b.example/x"}]}),
        ("post", "/api/imports") => json!({"csv": "Student,ID,Exam\nA,alice,3\n",
            "columns": [{"column": "Exam", "assessment": "WALK-EXAM"}]}),
        ("post", "/api/imports/{id}/confirm") => return None,
        // Reads the platform's roster: no body (the session names the service).
        ("post", "/api/roster/refresh") => return None,
        // Credential status changes (public branch): a reason is all they take.
        ("post", p) if p.starts_with("/api/credentials/") => json!({"reason": "walk"}),
        ("post", "/api/me/evidence-files") => return None,
        ("post", "/api/me/presented-credentials") => json!({"credential": "mallory-def",
            "document": {"issuer": "did:web:b.example", "validFrom": "2025-01-01T00:00:00Z"}}),
        (m, p) => panic!("no sample body for {m} {p}: add one"),
    };
    Some(body)
}

fn item_set() -> Value {
    json!({"items": [{"id": "q1", "prompt": "Pick a", "points": "10",
        "choices": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
        "key": {"type": "single_choice", "choice": "a"}}]})
}

async fn walk(backend: Backend) {
    let Some(api) = Api::new(backend, "walk").await else {
        return;
    };
    // Tenant A, course-1: a published definition, an item set, alice's events, evidence, a
    // PLAR request and an import preview.
    let a = api.registration("tenant-a").await;
    let b = api.registration("tenant-b").await;
    let teacher = api
        .session(a, "course-1", "teacher-a", &["instructor"])
        .await;
    let alice = api.session(a, "course-1", "alice", &["learner"]).await;
    let (s, _) = api.post("/api/definitions", &teacher, &definition()).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = api
        .post(
            "/api/definitions/walk-def-a/1.0.0/publish",
            &teacher,
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api
        .put("/api/item-sets/WALK-EXAM", &teacher, &item_set())
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api
        .post(
            "/api/me/enrolments",
            &alice,
            &json!({"credential": "walk-def-a"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let upload = Request::post("/api/me/evidence-files")
        .header(header::AUTHORIZATION, format!("Bearer {alice}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("alice's secret evidence"))
        .expect("request");
    let (s, file) = api.raw(upload).await;
    assert_eq!(s, StatusCode::CREATED, "{file}");
    let sha = file["sha256"].as_str().expect("sha").to_owned();
    // Alice passes: a credential of tenant A.
    let (s, passed) = api
        .post(
            "/api/me/item-sets/WALK-EXAM/answers",
            &alice,
            &json!({"answers": {"q1": "a"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{passed}");
    let credential_id = passed["issued"][0]["id"]
        .as_str()
        .expect("a credential")
        .to_owned();
    let (s, v) = api
        .post(
            "/api/me/plar-requests",
            &alice,
            &json!({"credential": "walk-def-a", "method": "portfolio", "competency": "WALK-C1",
                    "evidence": [{"file": sha}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, preview) = api
        .post(
            "/api/imports",
            &teacher,
            &json!({"csv": "Student,ID,Exam\nAlice,alice,3\n",
                    "columns": [{"column": "Exam", "assessment": "WALK-EXAM"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{preview}");
    let import_id = preview["id"].as_str().expect("import id").to_owned();
    let (_, history_before) = api.get("/api/learners/alice/history", &teacher).await;
    let (_, defs_before) = api.get("/api/definitions", &teacher).await;
    let markers = [
        "walk-def-a",
        "Walk secret A",
        "alice",
        sha.as_str(),
        import_id.as_str(),
        credential_id.as_str(),
        "teacher-a",
    ];

    // The wrong callers. Another tenant with the same context id, another context of the
    // same tenant: both with every role, so only the scope is wrong.
    let other_tenant = api
        .session(b, "course-1", "mallory", &["instructor", "learner"])
        .await;
    let other_context = api
        .session(a, "course-2", "mallory", &["instructor", "learner"])
        .await;

    let (_, doc) = api.call(Method::GET, "/api/openapi.json", None, None).await;
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Some(roles) = op["security"]
                .as_array()
                .and_then(|s| s.iter().find_map(|r| r.get("bearer")))
                .and_then(Value::as_array)
            else {
                continue; // the admin API and the document itself: no session
            };
            let role = roles.first().and_then(Value::as_str);
            let concrete = path
                .replace("{sub}", "alice")
                .replace("{definition_id}", "walk-def-a")
                .replace("{version}", "1.0.0")
                .replace("{assessment}", "WALK-EXAM")
                .replace("{sha256}", &sha)
                .replace(
                    "{id}",
                    if path.starts_with("/api/credentials") {
                        &credential_id
                    } else {
                        &import_id
                    },
                );
            assert!(!concrete.contains('{'), "unfilled parameter in {path}");
            let names_a_resource = path.contains('{');
            let body = if method == "get" || method == "delete" {
                None
            } else {
                sample_body(method, path)
            };
            let method_v = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let mut callers = vec![
                ("wrong tenant", other_tenant.clone()),
                ("wrong context", other_context.clone()),
            ];
            // The wrong role: the learner for an instructor's route, the instructor for a
            // learner's.
            match role {
                Some("instructor") => callers.push(("wrong role", alice.clone())),
                Some("learner") => callers.push(("wrong role", teacher.clone())),
                _ => {}
            }
            for (who, token) in &callers {
                let (status, answer) = api
                    .call(method_v.clone(), &concrete, Some(token), body.as_ref())
                    .await;
                let text = answer.to_string();
                if *who == "wrong role" {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{who} {method} {path}: {text}"
                    );
                    assert_eq!(answer["code"], "forbidden_role", "{who} {method} {path}");
                } else if names_a_resource {
                    assert!(
                        status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                        "{who} {method} {path}: {status} {text}"
                    );
                } else {
                    assert!(
                        status != StatusCode::INTERNAL_SERVER_ERROR,
                        "{who} {method} {path}: {text}"
                    );
                }
                let sent = format!(
                    "{concrete} {}",
                    body.as_ref().map(Value::to_string).unwrap_or_default()
                );
                for marker in markers {
                    // What the caller sent may come back (an error naming the id asked for,
                    // a create echoing its body): only what it did not send is a leak.
                    assert!(
                        sent.contains(marker) || !text.contains(marker),
                        "{who} {method} {path} leaked {marker:?}: {text}"
                    );
                }
                walked += 1;
            }
        }
    }
    assert!(walked > 100, "walked {walked} calls");
    // Nothing of tenant A changed.
    let (_, history_after) = api.get("/api/learners/alice/history", &teacher).await;
    assert_eq!(history_before, history_after);
    let (_, defs_after) = api.get("/api/definitions", &teacher).await;
    assert_eq!(defs_before, defs_after);
    api.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tenant_context_and_role_reach_nothing_on_sqlite() {
    walk(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tenant_context_and_role_reach_nothing_on_postgres() {
    walk(Backend::Postgres).await;
}
