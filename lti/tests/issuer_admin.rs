//! The issuer admin API (`/api/admin/issuer`, behind the admin token) through the whole app:
//! a registration's issuer is created with its profile, shown with public keys only, refused
//! a profile the core could not sign with, and rotated with the old key kept.

mod app_support;

use app_support::{ADMIN_TOKEN, TestDir, json_of, send};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use cairn_lti::store::{NewRegistration, PlatformFamily};
use serde_json::{Value, json};

const QUERY: &str = "issuer=https%3A%2F%2Fcanvas.example.edu&client_id=cairn";

fn request(method: Method, path: &str, token: &str, body: Option<Value>) -> Request<Body> {
    let builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("request")
}

#[tokio::test]
async fn the_issuer_is_created_shown_checked_and_rotated() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let issuer_url = format!("/api/admin/issuer?{QUERY}");
    // No registration yet.
    let (status, _) =
        json_of(send(&state, request(Method::GET, &issuer_url, ADMIN_TOKEN, None)).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    state
        .store
        .add_registration(
            &NewRegistration::example(
                "https://canvas.example.edu",
                "cairn",
                PlatformFamily::Canvas,
            ),
            1,
        )
        .await
        .expect("registration");
    let (status, body) =
        json_of(send(&state, request(Method::GET, &issuer_url, ADMIN_TOKEN, None)).await).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no issuer before the first credential: {body}"
    );

    let wrong = json_of(
        send(
            &state,
            request(Method::GET, &issuer_url, "not-the-token-0123456789", None),
        )
        .await,
    )
    .await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);

    let profile = json!({ "name": "Example Polytechnic", "url": "https://example.edu", "email": "registrar@example.edu" });
    let (status, shown) = json_of(
        send(
            &state,
            request(Method::PUT, &issuer_url, ADMIN_TOKEN, Some(profile.clone())),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["profile"], profile);
    let issuer_id = shown["issuer_id"].as_str().expect("issuer id").to_owned();
    assert!(
        issuer_id.starts_with("https://tool.test/issuers/"),
        "{issuer_id}"
    );
    let keys = shown["keys"].as_array().expect("keys").clone();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["status"], "current");
    let first_key = keys[0]["key_id"].as_str().expect("key id").to_owned();
    assert_eq!(
        first_key,
        format!(
            "{issuer_id}#{}",
            keys[0]["public_key_multibase"].as_str().expect("multibase")
        )
    );
    assert!(
        !shown.to_string().contains("sealed"),
        "no secret in the answer: {shown}"
    );

    let bad = json!({ "name": "Example Polytechnic", "url": "ftp://example.edu" });
    let (status, refused) = json_of(
        send(
            &state,
            request(Method::PUT, &issuer_url, ADMIN_TOKEN, Some(bad)),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_profile")),
        "{refused}"
    );
    let unknown = json!({ "name": "X", "colour": "blue" });
    let (status, _) = json_of(
        send(
            &state,
            request(Method::PUT, &issuer_url, ADMIN_TOKEN, Some(unknown)),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let rotate_url = format!("/api/admin/issuer/rotate-key?{QUERY}");
    let (status, rotated) = json_of(
        send(
            &state,
            request(Method::POST, &rotate_url, ADMIN_TOKEN, None),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_key = rotated["key_id"].as_str().expect("key id");
    assert_ne!(new_key, first_key);
    let (_, shown) =
        json_of(send(&state, request(Method::GET, &issuer_url, ADMIN_TOKEN, None)).await).await;
    let keys = shown["keys"].as_array().expect("keys");
    let status_of = |id: &str| {
        keys.iter()
            .find(|k| k["key_id"] == id)
            .map(|k| k["status"].clone())
    };
    assert_eq!(status_of(new_key), Some(json!("current")));
    assert_eq!(
        status_of(&first_key),
        Some(json!("previous")),
        "the old key stays published"
    );
    assert_eq!(
        shown["issuer_id"],
        issuer_id.as_str(),
        "the issuer keeps its id"
    );
    assert_eq!(
        shown["profile"], profile,
        "the refused PUTs changed nothing"
    );
}
