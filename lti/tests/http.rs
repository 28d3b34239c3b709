//! HTTP tests of `cairn_lti::app` through tower's `oneshot` (no port): health (with the
//! database), the request id, the page's security headers and the media types of the wasm
//! and module files. Each test serves its own small temporary `www/` folder and SQLite file.

mod app_support;

use app_support::{TestDir, body_bytes, get, header_of, json_of, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

#[tokio::test]
async fn health_reports_ok_and_version() {
    let dir = TestDir::new();
    let www = dir.state().await;
    let response = get(&www, "/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header_of(&response, header::CONTENT_TYPE).starts_with("application/json"));
    let (_, json) = json_of(response).await;
    assert_eq!(json["status"], "ok");
    assert_eq!(json["version"], cairn_lti::VERSION);
    assert_eq!(json["database"]["backend"], "sqlite");
    assert_eq!(json["database"]["ok"], true);
}

#[tokio::test]
async fn page_is_served_with_a_strict_csp() {
    let dir = TestDir::new();
    let www = dir.state().await;
    let response = get(&www, "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(csp.contains("object-src 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline"),
        "no inline script or style: {csp}"
    );
    assert_eq!(
        header_of(&response, header::X_CONTENT_TYPE_OPTIONS),
        "nosniff"
    );
    let body = body_bytes(response).await;
    assert!(String::from_utf8_lossy(&body).contains("<title>Cairn</title>"));
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let dir = TestDir::new();
    let www = dir.state().await;
    for path in ["/health", "/app.mjs", "/missing.html"] {
        let response = get(&www, path).await;
        assert!(
            !header_of(&response, header::CONTENT_SECURITY_POLICY).is_empty(),
            "no CSP on {path}"
        );
        assert_eq!(
            header_of(&response, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
    }
}

#[tokio::test]
async fn wasm_and_modules_have_exact_media_types() {
    let dir = TestDir::new();
    let www = dir.state().await;
    let wasm = get(&www, "/pkg/core_bg.wasm").await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(header_of(&wasm, header::CONTENT_TYPE), "application/wasm");
    let body = body_bytes(wasm).await;
    assert_eq!(&body[..4], b"\0asm");

    let module = get(&www, "/app.mjs").await;
    assert_eq!(module.status(), StatusCode::OK);
    assert_eq!(
        header_of(&module, header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );

    let css = get(&www, "/style.css").await;
    assert!(header_of(&css, header::CONTENT_TYPE).starts_with("text/css"));
}

#[tokio::test]
async fn missing_files_are_not_found_and_paths_cannot_escape() {
    let dir = TestDir::new();
    let www = dir.state().await;
    assert_eq!(
        get(&www, "/missing.html").await.status(),
        StatusCode::NOT_FOUND
    );
    let escape = get(&www, "/../Cargo.toml").await;
    assert_ne!(escape.status(), StatusCode::OK);
    let encoded = get(&www, "/%2e%2e/%2e%2e/etc/passwd").await;
    assert_ne!(encoded.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let generated = get(&state, "/health").await;
    let id = header_of(&generated, "x-request-id".parse().expect("name"));
    assert_eq!(id.len(), 22, "a fresh 128-bit base64url id: {id:?}");
    let other = header_of(
        &get(&state, "/missing.html").await,
        "x-request-id".parse().expect("name"),
    );
    assert_ne!(id, other);

    let request = Request::get("/health")
        .header("x-request-id", "lb-42.a")
        .body(Body::empty())
        .expect("request");
    let echoed = send(&state, request).await;
    assert_eq!(
        header_of(&echoed, "x-request-id".parse().expect("name")),
        "lb-42.a"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_never_by_raw_path() {
    let dir = TestDir::new();
    let state = dir.state().await;
    get(&state, "/health").await;
    get(&state, "/no-such-file-7f3a.html").await;
    let response = get(&state, "/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header_of(&response, header::CONTENT_TYPE).starts_with("application/openmetrics-text"));
    let text = String::from_utf8(body_bytes(response).await).expect("utf-8");
    assert!(
        text.lines()
            .any(|l| l.contains("route=\"/health\"") && l.contains("status=\"2xx\"")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("route=\"static\"") && l.contains("status=\"4xx\"")),
        "{text}"
    );
    assert!(
        !text.contains("no-such-file"),
        "a raw path became a label:\n{text}"
    );
}
