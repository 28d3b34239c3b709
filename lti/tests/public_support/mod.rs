//! The world of the public-route tests: an app over a real store (SQLite or PostgreSQL,
//! from `store_support/backends.rs`), on a manual clock, with a key-encryption key; two
//! tenants with an issuer each; sessions (bearer tokens) for any role; and credentials
//! issued through the engine's real write path (a published definition and a passing
//! attempt), never hand-written.

#![allow(dead_code, reason = "each test file uses a part")]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use cairn::definition::parse_definitions;
use cairn::event::Event;
use cairn_lti::clock::ManualClock;
use cairn_lti::config::{PublicUrl, ServerConfig};
use cairn_lti::keys::KeyEncryptionKey;
use cairn_lti::store::records::{
    Author, CredentialRow, DefinitionRow, DefinitionStatus, IssuerRow, LearnerScope,
};
use cairn_lti::store::{
    BindingMode, DeploymentOrigin, LoginState, NewRegistration, PlatformFamily, RegistrationId,
    Session, Store,
};
use cairn_lti::{AppState, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The public URL of the tests.
pub const PUBLIC_URL: &str = "https://tool.test";
/// The fixed start of the clock.
pub const NOW: i64 = 1_767_225_600;
/// The course of the tests.
pub const COURSE: &str = "course-1";
/// The definition's hostile name: it must stay text on every page.
pub const HOSTILE_NAME: &str = "<script>alert(1)</script> Hazards & \"Risks\"";
/// The learner's email (only its hash may appear in a credential or page).
pub const ANA_EMAIL: &str = "ana@example.com";

/// The definition the tests publish: one competency, one auto-scored quiz, awarded on a pass.
pub fn definition_json(name: &str) -> Value {
    json!({
        "id": "haz", "version": "1.0.0", "name": name,
        "description": "Identify and report common workplace hazards.",
        "issuer": {"id": "https://example.edu/issuers/ce", "name": "Example Polytechnic"},
        "competencies": [{"id": "H1", "statement": "Identify hazards <and> name controls", "threshold_percent": "80"}],
        "assessments": [{"id": "HAZ-QUIZ", "title": "Hazard quiz", "kind": "summative", "max_points": "23",
            "pass_percent": "80", "competencies": ["H1"]}],
        "criteria": {"assessment": "HAZ-QUIZ"}
    })
}

/// A tenant: its registration and issuer.
#[derive(Clone, Debug)]
pub struct Tenant {
    /// The registration.
    pub registration_id: RegistrationId,
    /// Its issuer.
    pub issuer: IssuerRow,
}

/// The app over one store.
pub struct World {
    /// The state handed to the router.
    pub state: AppState,
    /// The clock the state reads.
    pub clock: Arc<ManualClock>,
    /// Two tenants.
    pub a: Tenant,
    /// The other tenant.
    pub b: Tenant,
}

fn registration(issuer: &str) -> NewRegistration {
    NewRegistration {
        issuer: issuer.to_owned(),
        client_id: "client".to_owned(),
        auth_endpoint: format!("{issuer}/auth"),
        token_endpoint: format!("{issuer}/token"),
        jwks_url: format!("{issuer}/jwks"),
        client_assertion_audience: None,
        platform_family: PlatformFamily::Canvas,
        auto_register_deployments: false,
        allow_http: false,
    }
}

impl World {
    /// Two tenants with an issuer each (profile with an email, so OB 2.0 applies), and the
    /// test definition published in `COURSE` of both.
    pub async fn new(store: Arc<dyn Store>) -> World {
        let config = ServerConfig {
            public_url: PublicUrl::parse(PUBLIC_URL).expect("public URL"),
            www_dir: std::env::temp_dir().join("cairn-public-tests-www"),
            admin_token: None,
        };
        let clock = Arc::new(ManualClock::new(NOW));
        let kek = KeyEncryptionKey::from_secret(&[7u8; 32]).expect("kek");
        let state = AppState::new(config, store)
            .with_clock(clock.clone())
            .with_kek(Arc::new(kek));
        let mut tenants = Vec::new();
        for platform in ["https://canvas.a.example", "https://moodle.b.example"] {
            let reg = state
                .store
                .add_registration(&registration(platform), NOW)
                .await
                .expect("registration");
            state
                .store
                .add_deployment(reg.id, "1", DeploymentOrigin::Admin, NOW)
                .await
                .expect("deployment");
            let issuer = cairn_lti::issuer::ensure(&state, reg.id)
                .await
                .expect("issuer");
            let profile = json!({"name": format!("College of {platform}"), "url": platform,
                "email": "badges@college.example", "description": "Continuing education"});
            let issuer = state
                .records
                .update_issuer_profile(&issuer.id, &profile, NOW)
                .await
                .expect("profile");
            let defs = parse_definitions(&json!([definition_json(HOSTILE_NAME)]).to_string())
                .expect("definition");
            state
                .records
                .insert_definition(&DefinitionRow {
                    registration_id: reg.id,
                    context_id: COURSE.to_owned(),
                    definition_id: "haz".to_owned(),
                    version: "1.0.0".to_owned(),
                    body: defs[0].clone(),
                    status: DefinitionStatus::Published,
                    created_by: "teacher".to_owned(),
                    created_at: NOW,
                    published_at: Some(NOW),
                    archived_at: None,
                })
                .await
                .expect("definition");
            tenants.push(Tenant {
                registration_id: reg.id,
                issuer,
            });
        }
        let b = tenants.pop().expect("b");
        let a = tenants.pop().expect("a");
        World { state, clock, a, b }
    }

    /// A bearer token for `sub` with `roles` in `context` of `tenant`.
    pub async fn token(&self, tenant: &Tenant, context: &str, sub: &str, roles: &[&str]) -> String {
        let token = cairn_lti::random::token().expect("token");
        let id = cairn_lti::random::token().expect("id");
        let state = cairn_lti::random::token().expect("state");
        let now = self.state.now();
        self.state
            .store
            .put_login_state(&LoginState {
                state: state.clone(),
                nonce: id.clone(),
                registration_id: tenant.registration_id,
                deployment_id: Some("1".into()),
                target_link_uri: format!("{PUBLIC_URL}/lti/launch"),
                login_hint: "hint".into(),
                lti_message_hint: None,
                client_id: Some("client".into()),
                binding: BindingMode::Cookie,
                created_at: now,
                used: false,
            })
            .await
            .expect("login state");
        let email = if sub == "ana" { Some(ANA_EMAIL) } else { None };
        self.state
            .store
            .start_session(
                &state,
                &Session {
                    id,
                    token_hash: cairn_lti::random::token_hash(&token),
                    token_expires_at: now + 3600,
                    registration_id: tenant.registration_id,
                    deployment_id: "1".into(),
                    context_id: Some(context.to_owned()),
                    user_sub: sub.to_owned(),
                    roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                    claims: json!({"name": format!("Learner {sub}"), "email": email}),
                    pending: false,
                    created_at: now,
                    expires_at: now + 8 * 3600,
                },
            )
            .await
            .expect("session");
        token
    }

    /// Issues `sub` a credential in `COURSE` of `tenant` through the engine: a passing
    /// attempt on the published definition.
    pub async fn issue(&self, tenant: &Tenant, sub: &str) -> CredentialRow {
        // The learner has launched once (the engine reads their email from the session).
        self.token(tenant, COURSE, sub, &["learner"]).await;
        let scope = LearnerScope {
            registration_id: tenant.registration_id,
            context_id: COURSE.to_owned(),
            learner_sub: sub.to_owned(),
        };
        let event: Event = serde_json::from_value(json!({"at": "2026-01-01T00:00:00Z",
            "type": "attempt_submitted", "assessment": "HAZ-QUIZ", "score": "21"}))
        .expect("event");
        let author = Author {
            sub: sub.to_owned(),
            role: "learner".to_owned(),
            deployment_id: "1".to_owned(),
            request_id: None,
        };
        let appended =
            cairn_lti::records::append(&self.state, &scope, &author, event.kind, json!({}))
                .await
                .expect("append");
        assert!(
            appended.issuance_failures.is_empty(),
            "{:?}",
            appended.issuance_failures
        );
        assert_eq!(appended.issued.len(), 1, "a pass issues one credential");
        appended.issued[0].clone()
    }

    /// Sends a request through the whole app.
    pub async fn send(&self, request: Request<Body>) -> Response {
        app(self.state.clone())
            .oneshot(request)
            .await
            .expect("infallible router")
    }

    /// `GET path` with `Accept: accept`.
    pub async fn get(&self, path: &str, accept: &str) -> Response {
        self.send(
            Request::get(path)
                .header(header::ACCEPT, accept)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// `POST path` with a bearer token and a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.send(
            Request::post(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
    }

    /// `GET path` with a bearer token.
    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.send(
            Request::get(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }
}

/// A header as text ("" when absent).
pub fn header_of(response: &Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The body's bytes.
pub async fn bytes_of(response: Response) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

/// Status and body as text.
pub async fn text_of(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let bytes = bytes_of(response).await;
    (status, String::from_utf8(bytes).expect("UTF-8 body"))
}

/// Status and body as JSON.
pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let (status, text) = text_of(response).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}
