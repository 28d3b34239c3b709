//! Dynamic Registration replayed against a loopback "Moodle 4.1" that serves the recorded
//! exchange (`registration/moodle41-dynamic-registration.json`, endpoints moved to the
//! loopback origin): `GET /lti/register` reads the configuration with the token as Bearer and
//! shows what will be registered; `POST /lti/register` posts the registration (JSON, Bearer,
//! User-Agent, every field Moodle requires), stores the client id and Moodle's deployment, and
//! closes with `/lti/register-close.mjs`; the token's second use is refused by the platform
//! and shown; a configuration host that differs from the issuer needs the admin's confirmation.

mod app_support;
mod lti_support;

use std::sync::{Arc, Mutex};

use app_support::{TestDir, body_bytes, header_of, send};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_lti::AppState;
use cairn_lti::store::DeploymentOrigin;
use lti_support::mutate::read_json;
use serde_json::Value;

const TOKEN: &str = "registration-token-1";

#[derive(Clone, Default)]
struct Moodle {
    origin: Arc<Mutex<String>>,
    issuer_host: Arc<Mutex<Option<String>>>,
    config_auth: Arc<Mutex<Vec<Option<String>>>>,
    registrations: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
}

fn localise(value: &Value, origin: &str) -> Value {
    serde_json::from_str(&value.to_string().replace("https://moodle41.test", origin)).unwrap()
}

async fn configuration(State(moodle): State<Moodle>, headers: HeaderMap) -> Json<Value> {
    moodle.config_auth.lock().unwrap().push(
        headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap().to_owned()),
    );
    let doc = read_json("registration/moodle41-dynamic-registration.json");
    let origin = moodle.origin.lock().unwrap().clone();
    let mut body = localise(&doc["openid_configuration"]["response"]["body"], &origin);
    if let Some(host) = moodle.issuer_host.lock().unwrap().clone() {
        body["issuer"] = Value::String(origin.replace("127.0.0.1", &host));
    }
    Json(body)
}

async fn register(State(moodle): State<Moodle>, headers: HeaderMap, body: Bytes) -> Response {
    let doc = read_json("registration/moodle41-dynamic-registration.json");
    let mut registrations = moodle.registrations.lock().unwrap();
    let first = registrations.is_empty();
    registrations.push((
        headers.clone(),
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    ));
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return (StatusCode::UNAUTHORIZED, "no token").into_response();
    }
    if !first {
        return (StatusCode::UNAUTHORIZED, "token_already_used").into_response();
    }
    Json(doc["registration_response"]["body"].clone()).into_response()
}

async fn moodle() -> (String, Moodle) {
    let moodle = Moodle::default();
    let router = axum::Router::new()
        .route(
            "/mod/lti/openid-configuration.php",
            axum::routing::get(configuration),
        )
        .route(
            "/mod/lti/openid-registration.php",
            axum::routing::post(register),
        )
        .with_state(moodle.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    *moodle.origin.lock().unwrap() = origin.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (origin, moodle)
}

async fn page(state: &AppState, request: Request<Body>) -> (StatusCode, String, String) {
    let response = send(state, request).await;
    let status = response.status();
    let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
    let body = String::from_utf8_lossy(&body_bytes(response).await).into_owned();
    (status, csp, body)
}

fn start_request(configuration: &str) -> Request<Body> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("openid_configuration", configuration)
        .append_pair("registration_token", TOKEN)
        .finish();
    Request::get(format!("/lti/register?{query}"))
        .body(Body::empty())
        .unwrap()
}

fn confirm_request(configuration: &str, confirm_host: bool) -> Request<Body> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("openid_configuration", configuration)
        .append_pair("registration_token", TOKEN);
    if confirm_host {
        form.append_pair("confirm_host", "yes");
    }
    Request::post("/lti/register")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.finish()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moodle_registration_is_shown_posted_stored_and_closed() {
    let doc = read_json("registration/moodle41-dynamic-registration.json");
    let (origin, moodle) = moodle().await;
    let dir = TestDir::new();
    let state = dir.state_with("http://localhost:8080", false).await;
    let configuration = format!("{origin}/mod/lti/openid-configuration.php");

    let (status, csp, shown) = page(&state, start_request(&configuration)).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert!(!csp.contains("unsafe-inline"));
    assert!(shown.contains(&origin), "the issuer is shown");
    assert!(
        shown.contains("contextmembership.readonly"),
        "the scopes are shown"
    );
    assert!(!shown.contains("host-differs"));
    assert!(shown.contains("name=\"registration_token\""));
    assert_eq!(
        moodle.config_auth.lock().unwrap().as_slice(),
        [Some(format!("Bearer {TOKEN}"))],
        "the configuration GET carries the token"
    );

    let (status, _, done) = page(&state, confirm_request(&configuration, false)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done.contains("src=\"/lti/register-close.mjs\""));
    let client_id = doc["registration_response"]["body"]["client_id"]
        .as_str()
        .unwrap();
    assert!(done.contains(&format!("data-client-id=\"{client_id}\"")));
    assert!(
        done.contains("pending"),
        "Moodle's pending tool type is explained"
    );

    let (headers, body) = moodle.registrations.lock().unwrap()[0].clone();
    assert_eq!(
        headers[header::AUTHORIZATION],
        format!("Bearer {TOKEN}").as_str()
    );
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        headers[header::USER_AGENT]
            .to_str()
            .unwrap()
            .starts_with("Cairn/")
    );
    let config = &body["https://purl.imsglobal.org/spec/lti-tool-configuration"];
    assert!(
        body["response_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "id_token")
    );
    assert_eq!(
        body["initiate_login_uri"],
        "http://localhost:8080/lti/login"
    );
    assert_eq!(body["redirect_uris"][0], "http://localhost:8080/lti/launch");
    assert_eq!(
        body["jwks_uri"],
        "http://localhost:8080/.well-known/jwks.json"
    );
    assert_eq!(body["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(body["client_name"], "Cairn");
    assert_eq!(config["domain"], "localhost:8080");
    assert_eq!(
        config["target_link_uri"],
        "http://localhost:8080/lti/launch"
    );

    let stored = state
        .store
        .registration(&origin, client_id)
        .await
        .unwrap()
        .expect("the registration is stored");
    assert_eq!(
        stored.fields.token_endpoint,
        format!("{origin}/mod/lti/token.php")
    );
    assert_eq!(
        stored.fields.jwks_url,
        format!("{origin}/mod/lti/certs.php")
    );
    assert!(!stored.fields.auto_register_deployments);
    let deployment = state
        .store
        .deployment(stored.id, "1")
        .await
        .unwrap()
        .expect("Moodle's deployment is stored");
    assert_eq!(deployment.origin, DeploymentOrigin::DynamicRegistration);

    // The token works once: the platform refuses the second post, and the admin sees why.
    let (status, _, refused) = page(&state, confirm_request(&configuration, false)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(refused.contains("token_already_used"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_issuer_host_needs_the_admins_confirmation() {
    let (origin, moodle) = moodle().await;
    *moodle.issuer_host.lock().unwrap() = Some("localhost".into());
    let dir = TestDir::new();
    let state = dir.state_with("http://localhost:8080", false).await;
    let configuration = format!("{origin}/mod/lti/openid-configuration.php");
    let (status, _, shown) = page(&state, start_request(&configuration)).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert!(shown.contains("id=\"host-differs\""));
    let (status, _, refused) = page(&state, confirm_request(&configuration, false)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(
        moodle.registrations.lock().unwrap().is_empty(),
        "nothing was posted"
    );
    let (status, _, done) = page(&state, confirm_request(&configuration, true)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insecure_or_missing_configuration_url_is_refused() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let (status, _, _) = page(
        &state,
        Request::get("/lti/register").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // An https tool never reads an http configuration.
    let (status, _, body) = page(&state, start_request("http://127.0.0.1:9/config")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
