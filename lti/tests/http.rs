//! HTTP tests of `cairn_lti::app` through tower's `oneshot` (no port): health, the page's
//! security headers and the media types of the wasm and module files. Each test serves its own
//! small temporary `www/` folder.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cairn_lti::{AppState, app};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A throwaway `www/` folder with a page, a module, a stylesheet and a wasm file.
struct Www(PathBuf);

impl Www {
    fn new() -> Www {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cairn-lti-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).expect("create temp www");
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>Cairn</title>",
        )
        .expect("write index.html");
        std::fs::write(dir.join("app.mjs"), "export const ok = true;\n").expect("write app.mjs");
        std::fs::write(dir.join("style.css"), "body { margin: 0 }\n").expect("write style.css");
        // The 8-byte header of an empty WebAssembly module.
        std::fs::write(dir.join("pkg").join("core_bg.wasm"), b"\0asm\x01\0\0\0")
            .expect("write wasm");
        Www(dir)
    }

    fn state(&self) -> AppState {
        AppState {
            www_dir: self.0.clone(),
        }
    }
}

impl Drop for Www {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn get(www: &Www, path: &str) -> axum::response::Response {
    let request = Request::get(path).body(Body::empty()).expect("request");
    app(www.state())
        .oneshot(request)
        .await
        .expect("infallible router")
}

fn header_of(response: &axum::response::Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn health_reports_ok_and_version() {
    let www = Www::new();
    let response = get(&www, "/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header_of(&response, header::CONTENT_TYPE).starts_with("application/json"));
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).expect("health is JSON");
    assert_eq!(json["status"], "ok");
    assert_eq!(json["version"], cairn_lti::VERSION);
}

#[tokio::test]
async fn page_is_served_with_a_strict_csp() {
    let www = Www::new();
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
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("<title>Cairn</title>"));
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let www = Www::new();
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
    let www = Www::new();
    let wasm = get(&www, "/pkg/core_bg.wasm").await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(header_of(&wasm, header::CONTENT_TYPE), "application/wasm");
    let body = wasm.into_body().collect().await.expect("body").to_bytes();
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
    let www = Www::new();
    assert_eq!(
        get(&www, "/missing.html").await.status(),
        StatusCode::NOT_FOUND
    );
    let escape = get(&www, "/../Cargo.toml").await;
    assert_ne!(escape.status(), StatusCode::OK);
    let encoded = get(&www, "/%2e%2e/%2e%2e/etc/passwd").await;
    assert_ne!(encoded.status(), StatusCode::OK);
}
