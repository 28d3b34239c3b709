//! What the HTTP tests share: a throwaway `www/` folder and database folder per test, an
//! [`AppState`] over a real SQLite store in it, and one-call request helpers for tower's
//! `oneshot`. Removes its folder when dropped.

#![allow(dead_code, reason = "each test file uses a part")]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use std::sync::Arc;

use cairn_lti::clock::ManualClock;
use cairn_lti::config::{AdminToken, PublicUrl, ServerConfig};
use cairn_lti::{AppState, app};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The admin token the tests configure.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
/// The fixed `now` of the tests.
pub const NOW: i64 = 1_767_225_600;

/// A temporary folder with a small tool page (`www/`) and room for a SQLite file.
pub struct TestDir(pub PathBuf);

impl TestDir {
    /// A fresh folder with `www/index.html`, a module, a stylesheet and a wasm file.
    pub fn new() -> TestDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cairn-lti-test-{}-{n}", std::process::id()));
        let www = dir.join("www");
        std::fs::create_dir_all(www.join("pkg")).expect("create temp www");
        std::fs::write(
            www.join("index.html"),
            "<!doctype html><title>Cairn</title>",
        )
        .expect("write index.html");
        std::fs::write(www.join("app.mjs"), "export const ok = true;\n").expect("write app.mjs");
        std::fs::write(www.join("style.css"), "body { margin: 0 }\n").expect("write style.css");
        std::fs::write(
            www.join("favicon.svg"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .expect("write favicon.svg");
        // The 8-byte header of an empty WebAssembly module.
        std::fs::write(www.join("pkg").join("core_bg.wasm"), b"\0asm\x01\0\0\0")
            .expect("write wasm");
        TestDir(dir)
    }

    /// The SQLite URL of this folder's database.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.0.join("cairn.sqlite3").display())
    }

    /// A state over a fresh SQLite store, public URL `public_url`, admin API on or off.
    pub async fn state_with(&self, public_url: &str, admin: bool) -> AppState {
        let store = cairn_lti::store::open(&self.database_url())
            .await
            .expect("open the test SQLite store");
        let config = ServerConfig {
            public_url: PublicUrl::parse(public_url).expect("test public URL"),
            www_dir: self.0.join("www"),
            admin_token: admin.then(|| AdminToken::new(ADMIN_TOKEN).expect("long token")),
        };
        let kek = cairn_lti::keys::KeyEncryptionKey::from_secret(&[7; 32]).expect("test KEK");
        AppState::new(config, store)
            .with_clock(Arc::new(ManualClock::new(NOW)))
            .with_kek(Arc::new(kek))
    }

    /// A state for `https://tool.test` with the admin API on.
    pub async fn state(&self) -> AppState {
        self.state_with("https://tool.test", true).await
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Sends one request through the whole app.
pub async fn send(state: &AppState, request: Request<Body>) -> Response {
    app(state.clone())
        .oneshot(request)
        .await
        .expect("infallible router")
}

/// `GET path`.
pub async fn get(state: &AppState, path: &str) -> Response {
    send(
        state,
        Request::get(path).body(Body::empty()).expect("request"),
    )
    .await
}

/// A header's value as text, empty when absent.
pub fn header_of(response: &Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The body as bytes.
pub async fn body_bytes(response: Response) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

/// The status and the JSON body.
pub async fn json_of(response: Response) -> (StatusCode, serde_json::Value) {
    let status = response.status();
    let bytes = body_bytes(response).await;
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|err| {
        panic!(
            "{status}: body is not JSON ({err}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, json)
}
