//! What the crash test (`lti/tests/crash.rs`) and the issuance benchmark
//! (`lti/examples/bench_issue.rs`) share: a database seeded as launches and an instructor
//! would leave it (a registration and deployment, spt-01's definition published in one
//! context, an instructor session and learner sessions with known bearer tokens), a real
//! `cairn-lti serve` process on loopback over that database with an https public URL (the
//! core signs only for https issuers), and the attempt submissions they send through the
//! API (`POST /api/learners/{sub}/results`). Only loopback traffic.

#![allow(dead_code, reason = "the test and the benchmark each use a part")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn::definition::CredentialDefinition;
use cairn_lti::store::records::{DefinitionRow, DefinitionStatus};
use cairn_lti::store::{
    BindingMode, DeploymentOrigin, LoginState, NewRegistration, PlatformFamily, Session, Store,
};
use serde_json::{Value, json};

/// The course every submission goes to.
pub const CONTEXT: &str = "bench-course";
/// The instructor's bearer token.
pub const INSTRUCTOR_TOKEN: &str = "instructor-token-0123456789abcdef";
/// The formative quiz of spt-01 (never refused).
pub const QUIZ: &str = "F-QUIZ";
/// The summative demonstration of spt-01 (a pass issues the credential).
pub const DEMO: &str = "SPT-DEMO";
/// The public URL the server is told (https, so credentials can be signed; never fetched).
pub const PUBLIC_URL: &str = "https://cairn.test";
/// The key-encryption key the server is given (hex, test only).
pub const KEK_HEX: &str = "0707070707070707070707070707070707070707070707070707070707070707";
/// Sessions last until 9999.
const FAR_FUTURE: i64 = 253_402_300_799;

/// spt-01's definitions, from the shared scenarios folder.
pub fn definitions(scenarios: &Path) -> Vec<CredentialDefinition> {
    let path = scenarios.join("spt-01-first-attempt-pass.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let scenario: Value = serde_json::from_str(&text).expect("scenario JSON");
    serde_json::from_value(scenario["definitions"].clone()).expect("core definitions")
}

/// The learner `n`'s `sub`.
pub fn learner(n: usize) -> String {
    format!("learner-{n:05}")
}

/// Learner `n`'s bearer token (unused by the instructor routes; kept for learner routes).
pub fn learner_token(n: usize) -> String {
    format!("learner-token-{n:05}-0123456789abcdef")
}

/// Seeds `store`: registration, deployment, the published definition, an instructor session
/// and `learners` learner sessions (with an email, so credentials carry a hashed email).
/// Returns the registration id.
pub async fn seed(store: &dyn Store, scenarios: &Path, learners: usize, now: i64) -> i64 {
    let registration = store
        .add_registration(
            &NewRegistration::example("https://lms.example.edu", "cairn", PlatformFamily::Canvas),
            now,
        )
        .await
        .expect("registration")
        .id;
    store
        .add_deployment(registration, "d1", DeploymentOrigin::Admin, now)
        .await
        .expect("deployment");
    let records = store.records();
    for body in definitions(scenarios) {
        let row = DefinitionRow {
            registration_id: registration,
            context_id: CONTEXT.into(),
            definition_id: body.id.as_str().into(),
            version: body.version.clone(),
            body: body.clone(),
            status: DefinitionStatus::Draft,
            created_by: "teacher".into(),
            created_at: now,
            published_at: None,
            archived_at: None,
        };
        records.insert_definition(&row).await.expect("definition");
        records
            .publish_definition(registration, CONTEXT, &row.definition_id, &row.version, now)
            .await
            .expect("publish");
    }
    session(
        store,
        registration,
        "teacher",
        "instructor",
        INSTRUCTOR_TOKEN,
        json!({}),
        now,
    )
    .await;
    for n in 0..learners {
        let sub = learner(n);
        let claims =
            json!({ "email": format!("{sub}@example.edu"), "name": format!("Learner {n}") });
        session(
            store,
            registration,
            &sub,
            "learner",
            &learner_token(n),
            claims,
            now,
        )
        .await;
    }
    registration
}

/// A session as a launch leaves it (a used login state, then the session).
async fn session(
    store: &dyn Store,
    registration_id: i64,
    sub: &str,
    role: &str,
    token: &str,
    claims: Value,
    now: i64,
) {
    let state = format!("state-{sub}");
    store
        .put_login_state(&LoginState {
            state: state.clone(),
            nonce: format!("nonce-{sub}"),
            registration_id,
            deployment_id: Some("d1".into()),
            target_link_uri: format!("{PUBLIC_URL}/lti/launch"),
            login_hint: sub.into(),
            lti_message_hint: None,
            client_id: Some("cairn".into()),
            binding: BindingMode::Cookie,
            created_at: now,
            used: false,
        })
        .await
        .expect("login state");
    store
        .start_session(
            &state,
            &Session {
                id: format!("session-{sub}"),
                token_hash: cairn_lti::random::token_hash(token),
                token_expires_at: FAR_FUTURE,
                registration_id,
                deployment_id: "d1".into(),
                context_id: Some(CONTEXT.into()),
                user_sub: sub.into(),
                roles: vec![role.into()],
                claims,
                pending: false,
                created_at: now,
                expires_at: FAR_FUTURE,
            },
        )
        .await
        .expect("session");
}

/// A running `cairn-lti serve`; killed (SIGKILL) when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Server {
    /// Starts `binary` on a free loopback port over `database_url`, with `data` as its data
    /// folder (KEK and a `www/` with an index page are created there), and waits for
    /// `/health` (at most 60 s).
    pub async fn start(binary: &Path, database_url: &str, data: &Path) -> Server {
        let www = data.join("www");
        std::fs::create_dir_all(www.join("pkg")).expect("www");
        std::fs::write(
            www.join("index.html"),
            "<!doctype html><title>Cairn</title>",
        )
        .expect("index");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.join("server.log"))
            .expect("server log");
        let child = Command::new(binary)
            .arg("serve")
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--public-url")
            .arg(PUBLIC_URL)
            .arg("--data-dir")
            .arg(data)
            .arg("--www")
            .arg(&www)
            .arg("--database-url")
            .arg(database_url)
            .env("CAIRN_KEY_ENCRYPTION_KEY", KEK_HEX)
            .env_remove("CAIRN_ADMIN_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(answer) = client.get(format!("{}/health", server.url)).send().await
                && answer.status().is_success()
            {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not answer /health; see {}",
                data.join("server.log").display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends SIGKILL and reaps the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One attempt submission: the body of `POST /api/learners/{sub}/results`. `passing` sends
/// a pass of the demonstration (issues the credential); otherwise a quiz attempt. `marker`
/// is the assessor's id, written into the core event's `assessor.id`, to find the event again.
pub fn submission(passing: bool, marker: &str) -> Value {
    if passing {
        json!({
            "assessment": DEMO,
            "part_scores": { "K1": "60", "K2": "60", "K3": "120", "K4": "60" },
            "assessor_type": "instructor",
            "assessor": marker,
        })
    } else {
        json!({ "assessment": QUIZ, "score": "7", "assessor_type": "instructor", "assessor": marker })
    }
}

/// What a submission got back.
#[derive(Debug, Clone)]
pub enum Answer {
    /// 2xx: the stored event's seq and the credentials it issued.
    Stored {
        /// The event's seq.
        seq: i64,
        /// Ids of the credentials issued with it.
        issued: Vec<String>,
    },
    /// Another status, with the body.
    Status(u16, String),
    /// No answer (connection closed: the server died).
    Lost(String),
}

/// Sends one submission.
pub async fn submit(client: &reqwest::Client, server: &str, sub: &str, body: &Value) -> Answer {
    let sent = client
        .post(format!("{server}/api/learners/{sub}/results"))
        .bearer_auth(INSTRUCTOR_TOKEN)
        .json(body)
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(err) => return Answer::Lost(err.to_string()),
    };
    let status = response.status();
    let text = match response.text().await {
        Ok(text) => text,
        Err(err) => return Answer::Lost(err.to_string()),
    };
    if !status.is_success() {
        return Answer::Status(status.as_u16(), text);
    }
    let Ok(answer) = serde_json::from_str::<Value>(&text) else {
        return Answer::Status(status.as_u16(), text);
    };
    let issued = answer["issued"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    match answer["seq"].as_i64() {
        Some(seq) => Answer::Stored { seq, issued },
        None => Answer::Status(status.as_u16(), text),
    }
}

/// A scratch folder under the target dir (removed by the caller).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A client for many concurrent loopback requests.
pub fn client(connections: usize) -> Arc<reqwest::Client> {
    Arc::new(
        reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(connections)
            .build()
            .expect("HTTP client"),
    )
}
