//! The admin API through tower's `oneshot` over a real SQLite store: off (404) without a
//! token, 401 JSON for a missing or wrong one, registrations and deployments added, listed
//! and removed, URL validation, duplicates, unknown keys, malformed and oversized bodies.

mod app_support;

use app_support::{ADMIN_TOKEN, NOW, TestDir, header_of, json_of, send};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use cairn_lti::AppState;
use serde_json::{Value, json};

fn request(method: Method, uri: &str, token: Option<&str>, body: Option<&Value>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("request")
}

async fn admin(
    state: &AppState,
    method: Method,
    uri: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let response = send(state, request(method, uri, Some(ADMIN_TOKEN), body)).await;
    let status = response.status();
    if status == StatusCode::NO_CONTENT {
        return (status, Value::Null);
    }
    json_of(response).await
}

fn moodle() -> Value {
    json!({
        "issuer": "http://127.0.0.1:8081",
        "client_id": "KHmHZrDc0hjDAzA",
        "auth_endpoint": "http://127.0.0.1:8081/mod/lti/auth.php",
        "token_endpoint": "http://127.0.0.1:8081/mod/lti/token.php",
        "jwks_url": "http://127.0.0.1:8081/mod/lti/certs.php",
        "platform_family": "moodle",
        "allow_http": true
    })
}

fn assert_error_shape(json: &Value, code: &str) {
    assert_eq!(json["code"], code, "{json}");
    assert!(
        json["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{json}"
    );
    assert!(json.get("details").is_some(), "{json}");
}

#[tokio::test]
async fn admin_api_is_not_found_without_a_configured_token() {
    let dir = TestDir::new();
    let state = dir.state_with("https://tool.test", false).await;
    let response = send(
        &state,
        request(
            Method::GET,
            "/api/admin/registrations",
            Some(ADMIN_TOKEN),
            None,
        ),
    )
    .await;
    let (status, json) = json_of(response).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&json, "not_found");
}

#[tokio::test]
async fn missing_or_wrong_token_is_401_json() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let wrong = format!("{ADMIN_TOKEN}x");
    for token in [None, Some("nope"), Some(wrong.as_str()), Some("")] {
        for (method, uri) in [
            (Method::GET, "/api/admin/registrations"),
            (Method::POST, "/api/admin/registrations"),
            (
                Method::DELETE,
                "/api/admin/deployments?issuer=a&client_id=b&deployment_id=c",
            ),
        ] {
            let response = send(&state, request(method.clone(), uri, token, Some(&moodle()))).await;
            assert_eq!(header_of(&response, header::WWW_AUTHENTICATE), "Bearer");
            let (status, json) = json_of(response).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} with {token:?}"
            );
            assert_error_shape(&json, "unauthorized");
        }
    }
    // Nothing was written by the refused POSTs.
    let (_, list) = admin(&state, Method::GET, "/api/admin/registrations", None).await;
    assert_eq!(list, json!([]));
    // A token in another scheme is not a bearer token.
    let basic = Request::get("/api/admin/registrations")
        .header(header::AUTHORIZATION, format!("Basic {ADMIN_TOKEN}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&state, basic).await.status(), StatusCode::UNAUTHORIZED);
    // The scheme name is case-insensitive.
    let lower = Request::get("/api/admin/registrations")
        .header(header::AUTHORIZATION, format!("bearer {ADMIN_TOKEN}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&state, lower).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn registrations_are_added_listed_and_removed() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let (status, added) = admin(
        &state,
        Method::POST,
        "/api/admin/registrations",
        Some(&moodle()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["issuer"], "http://127.0.0.1:8081");
    assert_eq!(added["platform_family"], "moodle");
    assert_eq!(added["auto_register_deployments"], false);
    assert_eq!(added["created_at"], NOW);

    let (status, again) = admin(
        &state,
        Method::POST,
        "/api/admin/registrations",
        Some(&moodle()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error_shape(&again, "registration_exists");
    assert_eq!(again["details"]["client_id"], "KHmHZrDc0hjDAzA");

    let (status, list) = admin(&state, Method::GET, "/api/admin/registrations", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["client_id"], "KHmHZrDc0hjDAzA");

    let remove =
        "/api/admin/registrations?issuer=http%3A%2F%2F127.0.0.1%3A8081&client_id=KHmHZrDc0hjDAzA";
    let (status, _) = admin(&state, Method::DELETE, remove, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, gone) = admin(&state, Method::DELETE, remove, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&gone, "unknown_registration");
    let (_, list) = admin(&state, Method::GET, "/api/admin/registrations", None).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn urls_must_be_https_unless_http_is_allowed() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let mut body = moodle();
    body["allow_http"] = json!(false);
    let (status, json) = admin(
        &state,
        Method::POST,
        "/api/admin/registrations",
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&json, "invalid_url");
    assert_eq!(json["details"]["field"], "issuer");

    let mut body = moodle();
    body["jwks_url"] = json!("not a url");
    let (status, json) = admin(
        &state,
        Method::POST,
        "/api/admin/registrations",
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["details"]["field"], "jwks_url");

    let (_, list) = admin(&state, Method::GET, "/api/admin/registrations", None).await;
    assert_eq!(list, json!([]), "refused registrations are not stored");
}

#[tokio::test]
async fn malformed_unknown_and_oversized_bodies_are_json_errors() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let raw = |body: Vec<u8>| {
        Request::post("/api/admin/registrations")
            .header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request")
    };
    let (status, json) = json_of(send(&state, raw(b"{not json".to_vec())).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&json, "invalid_body");

    let mut unknown = moodle();
    unknown["surprise"] = json!(true);
    let (status, json) = json_of(send(&state, raw(unknown.to_string().into_bytes())).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error_shape(&json, "invalid_body");

    let mut huge = moodle();
    huge["client_id"] = json!("x".repeat(100 * 1024));
    let (status, json) = json_of(send(&state, raw(huge.to_string().into_bytes())).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_shape(&json, "invalid_body");

    let (status, json) = admin(
        &state,
        Method::DELETE,
        "/api/admin/registrations?issuer=x",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&json, "invalid_query");
}

#[tokio::test]
async fn deployments_belong_to_one_registration() {
    let dir = TestDir::new();
    let state = dir.state().await;
    admin(
        &state,
        Method::POST,
        "/api/admin/registrations",
        Some(&moodle()),
    )
    .await;
    let mut other = moodle();
    other["client_id"] = json!("other-client");
    admin(
        &state,
        Method::POST,
        "/api/admin/registrations",
        Some(&other),
    )
    .await;

    let deployment = json!({"issuer": "http://127.0.0.1:8081", "client_id": "KHmHZrDc0hjDAzA", "deployment_id": "1"});
    let (status, added) = admin(
        &state,
        Method::POST,
        "/api/admin/deployments",
        Some(&deployment),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["deployment_id"], "1");
    assert_eq!(added["origin"], "admin");

    let list_uri = |client: &str| {
        format!("/api/admin/deployments?issuer=http%3A%2F%2F127.0.0.1%3A8081&client_id={client}")
    };
    let (_, mine) = admin(&state, Method::GET, &list_uri("KHmHZrDc0hjDAzA"), None).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    let (status, theirs) = admin(&state, Method::GET, &list_uri("other-client"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs, json!([]), "another registration sees none of them");
    let (status, unknown) = admin(&state, Method::GET, &list_uri("nobody"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&unknown, "unknown_registration");

    let remove = format!("{}&deployment_id=1", list_uri("other-client"));
    let (status, json) = admin(&state, Method::DELETE, &remove, None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "not removable through another registration"
    );
    assert_error_shape(&json, "unknown_deployment");
    let remove = format!("{}&deployment_id=1", list_uri("KHmHZrDc0hjDAzA"));
    assert_eq!(
        admin(&state, Method::DELETE, &remove, None).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, mine) = admin(&state, Method::GET, &list_uri("KHmHZrDc0hjDAzA"), None).await;
    assert_eq!(mine, json!([]));
}

/// The score outbox's parked rows: listed with their reason behind the admin token, replayed
/// once (a second replay, or an unknown id, is 404), and counted in `/metrics`.
#[tokio::test]
async fn parked_scores_are_listed_and_replayed() {
    use cairn_lti::store::outbox::{Finish, NewScore};
    use cairn_lti::store::records::{Author, LearnerScope, NewEvent};
    let dir = TestDir::new();
    let state = dir.state().await;
    let (status, added) = admin(
        &state,
        Method::POST,
        "/api/admin/registrations",
        Some(&moodle()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let scope = LearnerScope {
        registration_id: added["id"].as_i64().expect("id"),
        context_id: "c1".into(),
        learner_sub: "3".into(),
    };
    let event = cairn::event::Event {
        at: cairn::time::Timestamp::from_unix_seconds(NOW),
        kind: cairn::event::EventKind::Enrolled {
            credential: cairn::ids::DefinitionId::new("spt"),
            offering: None,
            version: None,
        },
    };
    let author = Author {
        sub: "t".into(),
        role: "instructor".into(),
        deployment_id: "1".into(),
        request_id: None,
    };
    let meta = json!({});
    let new = NewEvent {
        event: &event,
        meta: &meta,
        author: &author,
    };
    let score = NewScore {
        assessment_id: "a1".into(),
        state_key: "k".into(),
        payload: json!({}),
        now_ms: NOW * 1000,
    };
    let outbox = state.store.outbox();
    state
        .records
        .append_scored(&scope, None, Some(new), &[], &[score], NOW)
        .await
        .expect("append");
    let claimed = outbox
        .claim_scores(NOW * 1000, NOW * 1000 + 1000, 10)
        .await
        .expect("claim");
    let park = Finish::Park {
        reason: "not_gradable_user".into(),
        detail: "HTTP 400: Incorrect score received".into(),
    };
    assert!(
        outbox
            .finish_score(claimed[0].id, &park)
            .await
            .expect("park")
    );

    let response = send(
        &state,
        request(Method::GET, "/api/admin/outbox/parked", None, None),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, listed) = admin(&state, Method::GET, "/api/admin/outbox/parked", None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let row = &listed["rows"][0];
    assert_eq!(row["reason"], "not_gradable_user");
    assert_eq!(row["learner_sub"], "3");
    assert_eq!(row["assessment_id"], "a1");
    assert!(
        row["detail"]
            .as_str()
            .expect("detail")
            .contains("Incorrect score")
    );
    let metrics = send(&state, request(Method::GET, "/metrics", None, None)).await;
    let text = String::from_utf8(
        http_body_util::BodyExt::collect(metrics.into_body())
            .await
            .expect("body")
            .to_bytes()
            .to_vec(),
    )
    .expect("text");
    assert!(text.contains("cairn_ags_outbox_parked 1\n"), "{text}");

    let uri = format!("/api/admin/outbox/{}/replay", row["id"]);
    let (status, replayed) = admin(&state, Method::POST, &uri, None).await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["status"], "pending");
    let (status, again) = admin(&state, Method::POST, &uri, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{again}");
    let (_, listed) = admin(&state, Method::GET, "/api/admin/outbox/parked", None).await;
    assert_eq!(listed["rows"], json!([]));
}
