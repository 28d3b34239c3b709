//! What the API tests share: an app over a fresh store (SQLite file or PostgreSQL database of
//! its own, from `store_support/backends.rs`) on a settable clock, launched sessions for any
//! (registration, context, sub, roles) created through the store as a launch creates them
//! (login state, then the session with the SHA-256 of its bearer token), and one-call JSON
//! requests through tower's `oneshot`.

#![allow(dead_code, reason = "each test file uses a part")]

pub mod oracle;
pub mod status;

#[path = "../store_support/backends.rs"]
pub mod backends;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use cairn_lti::clock::ManualClock;
use cairn_lti::config::{PublicUrl, ServerConfig};
use cairn_lti::store::{
    BindingMode, DeploymentOrigin, LoginState, NewRegistration, PlatformFamily, RegistrationId,
    Session, Store,
};
use cairn_lti::{AppState, app};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use backends::{PostgresDb, SqliteDb};

/// The end of every test session (year 9999): scenarios set the clock to their own dates.
pub const FAR_FUTURE: i64 = 253_402_300_799;

/// The tests' starting `now` (2026-01-01T00:00:00Z).
pub const NOW: i64 = 1_767_225_600;

/// A database of either backend.
pub enum Db {
    /// SQLite.
    Sqlite(SqliteDb),
    /// PostgreSQL.
    Postgres(PostgresDb),
}

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL database (skipped outside CI without a cluster).
    Postgres,
}

/// An app over a fresh store.
pub struct Api {
    /// The app's state.
    pub state: AppState,
    /// The clock the app reads.
    pub clock: Arc<ManualClock>,
    db: Option<Db>,
    www: std::path::PathBuf,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl Api {
    /// A fresh app on `backend`; `None` when PostgreSQL is not available outside CI.
    pub async fn new(backend: Backend, story: &str) -> Option<Api> {
        let db = match backend {
            Backend::Sqlite => Db::Sqlite(SqliteDb::new(story).await),
            Backend::Postgres => Db::Postgres(PostgresDb::new(story).await?),
        };
        let store: Arc<dyn Store> = match &db {
            Db::Sqlite(db) => Arc::clone(&db.store),
            Db::Postgres(db) => Arc::clone(&db.store),
        };
        let www = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "api-www-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&www).expect("create www");
        std::fs::write(
            www.join("index.html"),
            "<!doctype html><title>Cairn</title>",
        )
        .expect("write index.html");
        let config = ServerConfig {
            public_url: PublicUrl::parse("https://tool.test").expect("public URL"),
            www_dir: www.clone(),
            admin_token: None,
        };
        let clock = Arc::new(ManualClock::new(NOW));
        let kek = cairn_lti::keys::KeyEncryptionKey::from_secret(&[7; 32]).expect("test KEK");
        let state = AppState::new(config, store)
            .with_clock(Arc::clone(&clock) as Arc<dyn cairn_lti::clock::Clock>)
            .with_kek(Arc::new(kek));
        Some(Api {
            state,
            clock,
            db: Some(db),
            www,
        })
    }

    /// Closes and removes the database.
    pub async fn finish(mut self) {
        match self.db.take() {
            Some(Db::Sqlite(db)) => db.finish().await,
            Some(Db::Postgres(db)) => db.finish().await,
            None => {}
        }
        let _ = std::fs::remove_dir_all(&self.www);
    }

    /// A registration (tenant) with deployment `1`.
    pub async fn registration(&self, client_id: &str) -> RegistrationId {
        let store = &self.state.store;
        let reg = store
            .add_registration(
                &NewRegistration {
                    issuer: "https://lms.example.edu".into(),
                    client_id: client_id.into(),
                    auth_endpoint: "https://lms.example.edu/auth".into(),
                    token_endpoint: "https://lms.example.edu/token".into(),
                    jwks_url: "https://lms.example.edu/jwks".into(),
                    client_assertion_audience: None,
                    platform_family: PlatformFamily::Canvas,
                    auto_register_deployments: false,
                    allow_http: false,
                },
                NOW,
            )
            .await
            .expect("add registration");
        store
            .add_deployment(reg.id, "1", DeploymentOrigin::Admin, NOW)
            .await
            .expect("add deployment");
        reg.id
    }

    /// A launched session of `sub` with `roles` in `context` of `registration`: its bearer
    /// token, valid whatever the clock says (scenarios move it across years).
    pub async fn session(
        &self,
        registration: RegistrationId,
        context: &str,
        sub: &str,
        roles: &[&str],
    ) -> String {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let state = format!("state-{n}-{}", std::process::id());
        let token = format!("token-{n}-{sub}-{}", std::process::id());
        let store = &self.state.store;
        store
            .put_login_state(&LoginState {
                state: state.clone(),
                nonce: format!("nonce-{n}"),
                registration_id: registration,
                deployment_id: Some("1".into()),
                target_link_uri: "https://tool.test/lti/launch".into(),
                login_hint: sub.into(),
                lti_message_hint: None,
                client_id: None,
                binding: BindingMode::Cookie,
                created_at: NOW,
                used: false,
            })
            .await
            .expect("login state");
        store
            .start_session(
                &state,
                &Session {
                    id: format!("session-{n}"),
                    token_hash: cairn_lti::random::token_hash(&token),
                    token_expires_at: FAR_FUTURE,
                    registration_id: registration,
                    deployment_id: "1".into(),
                    context_id: Some(context.into()),
                    user_sub: sub.into(),
                    roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                    claims: serde_json::json!({}),
                    pending: false,
                    created_at: NOW,
                    expires_at: FAR_FUTURE,
                },
            )
            .await
            .expect("session");
        token
    }

    /// Sends a request; JSON body when `body` is some. Answers the status and the JSON body
    /// (`Value::Null` for an empty body; a non-JSON body as a string).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .expect("request");
        self.raw(request).await
    }

    /// Sends a built request through the whole app.
    pub async fn raw(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = app(self.state.clone())
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, json)
    }

    /// `GET` as `token`.
    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// `POST` JSON as `token`.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// `PUT` JSON as `token`.
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    /// Sets the clock.
    pub fn at(&self, now: i64) {
        self.clock.set(now);
    }
}

/// Runs `$body` (an async fn taking `Backend`) as one test per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::api_support::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::api_support::Backend::Postgres).await;
            }
        }
    };
}
