//! The service token client (`spec/lti.md` §8.1) against a loopback token endpoint that
//! answers as `../shared/fixtures/lti/services/token.json` records: the request's shape
//! (form body, headers, the client assertion's header and claims, verified with the fixture's
//! tool public key), the cache per (endpoint, client, sorted scopes) until `expires_in − 60 s`,
//! single flight, and the typed refusals of its `errors`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use cairn_lti::advantage::token::{
    CLIENT_ASSERTION_TYPE, SCOPE_LINEITEM, SCOPE_SCORE, TokenClient, TokenEndpoint, TokenError,
};
use cairn_lti::clock::ManualClock;
use cairn_lti::keys::ToolSigningKey;
use cairn_lti::platform;
use serde_json::Value;

const PUBLIC_URL: &str = "https://tool.test";
const T0: i64 = 1_763_828_600;

fn shared(path: &str) -> Vec<u8> {
    let path = format!("{}/../../shared/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn fixture() -> Value {
    serde_json::from_slice(&shared("fixtures/lti/services/token.json")).unwrap()
}

/// What the loopback endpoint saw and what it answers.
struct Endpoint {
    seen: Mutex<Vec<(HeaderMap, BTreeMap<String, String>)>>,
    answer: Mutex<(StatusCode, Value)>,
    delay: Duration,
    hits: AtomicU64,
}

async fn token(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    endpoint.hits.fetch_add(1, Ordering::SeqCst);
    endpoint.seen.lock().unwrap().push((headers, form));
    tokio::time::sleep(endpoint.delay).await;
    let (status, body) = endpoint.answer.lock().unwrap().clone();
    (status, Json(body)).into_response()
}

async fn start(answer: (StatusCode, Value), delay: Duration) -> (Arc<Endpoint>, String) {
    let endpoint = Arc::new(Endpoint {
        seen: Mutex::new(Vec::new()),
        answer: Mutex::new(answer),
        delay,
        hits: AtomicU64::new(0),
    });
    let app = Router::new()
        .route("/mod/lti/token.php", post(token))
        .with_state(Arc::clone(&endpoint));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/mod/lti/token.php",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (endpoint, url)
}

fn client(clock: Arc<ManualClock>) -> TokenClient {
    let http = platform::http_client_builder(PUBLIC_URL)
        .no_proxy()
        .build()
        .unwrap();
    let key = ToolSigningKey::from_pem(
        "test-only-tool-1",
        &shared("fixtures/lti/keys/test-only-tool.private.pem"),
    )
    .unwrap();
    TokenClient::new(http, clock, Arc::new(key))
}

fn endpoint_for(url: &str, client_id: &str) -> TokenEndpoint {
    TokenEndpoint {
        url: url.to_owned(),
        client_id: client_id.to_owned(),
        audience: None,
    }
}

fn decode_assertion(assertion: &str) -> (jsonwebtoken::Header, Value) {
    let public = shared("fixtures/lti/keys/test-only-tool.public.pem");
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(&public).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Value>(assertion, &key, &validation).unwrap();
    (data.header, data.claims)
}

#[tokio::test]
async fn the_request_has_the_recorded_shape_and_the_answer_is_cached() {
    let fixture = fixture();
    let (endpoint, url) = start(
        (StatusCode::OK, fixture["response"]["body"].clone()),
        Duration::ZERO,
    )
    .await;
    let clock = Arc::new(ManualClock::new(T0));
    let client = client(Arc::clone(&clock));
    let client_id = fixture["client_assertion"]["claims"]["iss"]
        .as_str()
        .unwrap();
    let target = endpoint_for(&url, client_id);

    let token = client.token(&target, &[SCOPE_SCORE]).await.unwrap();
    assert_eq!(
        token.secret(),
        fixture["response"]["body"]["access_token"]
            .as_str()
            .unwrap()
    );
    assert_eq!(token.expires_at, T0 + 3600);
    assert!(token.grants(SCOPE_SCORE));

    let (headers, form) = endpoint.seen.lock().unwrap()[0].clone();
    let request = &fixture["request"];
    assert_eq!(
        headers[header::CONTENT_TYPE],
        request["headers"]["Content-Type"].as_str().unwrap()
    );
    assert_eq!(
        headers[header::ACCEPT],
        request["headers"]["Accept"].as_str().unwrap()
    );
    let agent = request["headers"]["User-Agent"]
        .as_str()
        .unwrap()
        .replace("<version>", cairn_lti::VERSION);
    assert_eq!(headers[header::USER_AGENT], agent.as_str());
    let form_keys: Vec<&String> = form.keys().collect();
    let mut expected_keys: Vec<&String> = request["form"].as_object().unwrap().keys().collect();
    expected_keys.sort();
    assert_eq!(form_keys, expected_keys);
    for name in ["grant_type", "client_assertion_type", "scope"] {
        assert_eq!(
            form[name],
            request["form"][name].as_str().unwrap(),
            "{name}"
        );
    }
    assert_eq!(form["client_assertion_type"], CLIENT_ASSERTION_TYPE);

    let (header, claims) = decode_assertion(&form["client_assertion"]);
    let expected_header = &fixture["client_assertion"]["header"];
    assert_eq!(header.kid.as_deref(), expected_header["kid"].as_str());
    assert_eq!(header.typ.as_deref(), expected_header["typ"].as_str());
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let expected = &fixture["client_assertion"]["claims"];
    assert_eq!(claims["iss"], expected["iss"]);
    assert_eq!(claims["sub"], expected["sub"]);
    assert_eq!(claims["aud"].as_str(), Some(url.as_str()));
    assert_eq!(claims["iat"], T0);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        expected["exp"].as_i64().unwrap() - expected["iat"].as_i64().unwrap()
    );
    let jti = claims["jti"].as_str().unwrap();
    assert!(jti.len() >= 22, "jti of at least 128 bits: {jti}");

    // Cached until expires_in − 60 s, for the same scopes in any order.
    clock.advance(3600 - 61);
    client
        .token(&target, &[SCOPE_SCORE, SCOPE_SCORE])
        .await
        .unwrap();
    assert_eq!(endpoint.hits.load(Ordering::SeqCst), 1);
    clock.advance(1);
    client.token(&target, &[SCOPE_SCORE]).await.unwrap();
    assert_eq!(endpoint.hits.load(Ordering::SeqCst), 2);
    let second = endpoint.seen.lock().unwrap()[1].1["client_assertion"].clone();
    assert_ne!(
        decode_assertion(&second).1["jti"].as_str(),
        Some(jti),
        "jti reused"
    );

    // Another client id is another key; forget() drops the cached token.
    client
        .token(&endpoint_for(&url, "other-client"), &[SCOPE_SCORE])
        .await
        .unwrap();
    assert_eq!(endpoint.hits.load(Ordering::SeqCst), 3);
    client.forget(&target, &[SCOPE_SCORE]);
    client.token(&target, &[SCOPE_SCORE]).await.unwrap();
    assert_eq!(endpoint.hits.load(Ordering::SeqCst), 4);
    assert_eq!(client.requests(), 4);
}

#[tokio::test]
async fn a_configured_audience_is_the_assertion_aud() {
    let fixture = fixture();
    let (endpoint, url) = start(
        (StatusCode::OK, fixture["response"]["body"].clone()),
        Duration::ZERO,
    )
    .await;
    let client = client(Arc::new(ManualClock::new(T0)));
    let mut target = endpoint_for(&url, "c");
    target.audience = Some("https://canvas.instructure.com/login/oauth2/token".into());
    client.token(&target, &[SCOPE_SCORE]).await.unwrap();
    let form = endpoint.seen.lock().unwrap()[0].1.clone();
    assert_eq!(
        decode_assertion(&form["client_assertion"]).1["aud"],
        "https://canvas.instructure.com/login/oauth2/token"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_request() {
    let fixture = fixture();
    let (endpoint, url) = start(
        (StatusCode::OK, fixture["response"]["body"].clone()),
        Duration::from_millis(200),
    )
    .await;
    let client = Arc::new(client(Arc::new(ManualClock::new(T0))));
    let target = endpoint_for(&url, "c");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = Arc::clone(&client);
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            client.token(&target, &[SCOPE_SCORE]).await.unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(endpoint.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_recorded_refusals_are_typed() {
    let fixture = fixture();
    let clock = Arc::new(ManualClock::new(T0));
    for case in fixture["errors"].as_array().unwrap() {
        let status = StatusCode::from_u16(case["status"].as_u64().unwrap() as u16).unwrap();
        let (_, url) = start((status, case["body"].clone()), Duration::ZERO).await;
        let client = client(Arc::clone(&clock));
        let target = endpoint_for(&url, "c");
        let result = client.token(&target, &[SCOPE_LINEITEM, SCOPE_SCORE]).await;
        let name = case["case"].as_str().unwrap();
        if status.is_success() {
            // Narrowed grant: the token is refused for an operation that needs both scopes,
            // and the error names what is missing.
            match result {
                Err(TokenError::ScopeNotGranted { scope, granted, .. }) => {
                    assert_eq!(scope, SCOPE_LINEITEM, "{name}");
                    assert_eq!(granted, case["body"]["scope"].as_str().unwrap(), "{name}");
                }
                other => panic!("{name}: {other:?}"),
            }
            // The narrowed scope alone is granted.
            assert!(
                client.token(&target, &[SCOPE_SCORE]).await.is_ok(),
                "{name}"
            );
        } else {
            match result {
                Err(err @ TokenError::Refused { .. }) => {
                    let TokenError::Refused {
                        status: got,
                        ref error,
                        ..
                    } = err
                    else {
                        unreachable!()
                    };
                    assert_eq!(got, status.as_u16(), "{name}");
                    assert_eq!(error.as_deref(), case["body"]["error"].as_str(), "{name}");
                    assert!(!err.is_transient(), "{name}");
                    assert!(err.to_string().contains(&url), "{name}: {err}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn outages_are_transient_errors() {
    let (_, url) = start(
        (StatusCode::SERVICE_UNAVAILABLE, Value::Null),
        Duration::ZERO,
    )
    .await;
    let client = client(Arc::new(ManualClock::new(T0)));
    let err = client
        .token(&endpoint_for(&url, "c"), &[SCOPE_SCORE])
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    // Nothing listens on port 9 of loopback (discard): a network error, also transient.
    let err = client
        .token(
            &endpoint_for("http://127.0.0.1:9/token", "c"),
            &[SCOPE_SCORE],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::Network { .. }), "{err:?}");
    assert!(err.is_transient());
}
