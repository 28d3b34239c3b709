//! An independent platform launches a learner and an instructor into the real `cairn-lti serve`
//! binary: PyPI's `lti1p3platform` 0.1.8 (pinned with its dependencies in
//! `independent_platform/requirements.txt`, installed by this test into a virtual environment
//! under `target/independent-platform/`) runs in `independent_platform/platform.py`, which
//! generates its key, serves its JWKS and OIDC auth endpoint on loopback and plays the browser.
//! The server runs on a free loopback port with a temporary data folder and SQLite; the platform
//! is registered through the admin API. The script's `requests.Session` is the browser's cookie
//! jar: it keeps the `__Host-` state cookie but, like Python's cookie jar always, does not send a
//! `Secure` cookie over `http://`; it sends the plain `lti_state_<state>` cookie an `http://`
//! loopback tool also sets (the report lists both). A missing Python or a failed install is a failure with
//! a message, never a skip. Deep Linking: the instructor publishes a credential through the API,
//! places its assessment from an `LtiDeepLinkingRequest`, lti1p3platform's
//! `validate_deeplinking_resp` (signature checked against the tool's JWKS) accepts the returned
//! item, and a learner's launch of the placed link opens that assessment. Grades: the launches
//! carry the AGS claim (the placed link's with the line item the platform made from the item's
//! `lineItem`); the learner enrols and answers the assessment through Cairn's API, and Cairn's
//! score outbox, with a token from the platform's token endpoint (lti1p3platform checks the
//! signed assertion against Cairn's JWKS; the script checks iss, sub, aud, jti and exp), posts
//! the score, which arrives once in the platform's score service with its values.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ADMIN_TOKEN: &str = "independent-platform-admin-token";
const CLIENT_ID: &str = "cairn-independent";
const DEPLOYMENT_ID: &str = "independent-deployment-1";

/// The workspace's target folder (honours `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

fn script_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent_platform")
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{what}: cannot run {cmd:?}: {e} (Python 3 with venv and pip is needed)")
    });
    assert!(
        out.status.success(),
        "{what} failed ({cmd:?}):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The venv's python with `requirements.txt` installed: once, under a lock directory that
/// serialises concurrent test runs, redone when the requirements change.
fn platform_python() -> PathBuf {
    let root = target_dir().join("independent-platform");
    let python = root.join("venv/bin/python");
    let stamp = root.join(".cairn-installed");
    let requirements = script_dir().join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("read requirements.txt");
    let ready = || std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && python.is_file();
    if ready() {
        return python;
    }
    std::fs::create_dir_all(&root).expect("create target/independent-platform");
    let lock = root.join(".install-lock");
    let mut waited = 0;
    while std::fs::create_dir(&lock).is_err() {
        std::thread::sleep(Duration::from_millis(250));
        waited += 1;
        assert!(waited < 2400, "timed out waiting for {}", lock.display());
        if ready() {
            return python;
        }
    }
    let installed = std::panic::catch_unwind(|| {
        let venv = root.join("venv");
        if venv.exists() {
            std::fs::remove_dir_all(&venv).expect("remove the old venv");
        }
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "creating the platform's virtual environment",
        );
        run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
                .arg("-r")
                .arg(&requirements),
            "installing lti1p3platform from PyPI",
        );
        std::fs::write(&stamp, &wanted).expect("write the install stamp");
    });
    let _ = std::fs::remove_dir(&lock);
    if let Err(e) = installed {
        std::panic::resume_unwind(e);
    }
    python
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The running server; killed (and its data folder removed) on drop.
struct Server {
    child: Child,
    data: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

impl Server {
    /// The server's output so far, for failure messages (it is killed first).
    fn output(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut text = String::new();
        if let Some(out) = self.child.stderr.as_mut() {
            let _ = out.read_to_string(&mut text);
        }
        text
    }
}

fn start_server(port: u16) -> Server {
    let data = std::env::temp_dir().join(format!("cairn-independent-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).expect("create the data folder");
    let child = Command::new(env!("CARGO_BIN_EXE_cairn-lti"))
        .arg("serve")
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(&data)
        .arg("--www")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www"))
        .env("CAIRN_PUBLIC_URL", format!("http://localhost:{port}"))
        .env("CAIRN_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cairn-lti serve");
    Server { child, data }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lti1p3platform_launches_a_learner_and_an_instructor() {
    let python = tokio::task::spawn_blocking(platform_python)
        .await
        .expect("install");
    let tool_port = free_port();
    let platform_port = (0..10)
        .map(|_| free_port())
        .find(|&p| p != tool_port)
        .expect("a second free port");
    let mut server = start_server(tool_port);
    let tool = format!("http://localhost:{tool_port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");

    let started = Instant::now();
    loop {
        if let Ok(answer) = client.get(format!("{tool}/health")).send().await
            && answer.status().is_success()
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            panic!(
                "cairn-lti serve did not answer /health:\n{}",
                server.output()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let issuer = format!("http://127.0.0.1:{platform_port}");
    let admin = |path: &str, body: Value| {
        client
            .post(format!("{tool}/api/admin/{path}"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
    };
    let added = admin(
        "registrations",
        json!({
            "issuer": issuer,
            "client_id": CLIENT_ID,
            "auth_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_url": format!("{issuer}/jwks"),
            "allow_http": true,
        }),
    )
    .await
    .expect("register the platform");
    assert_eq!(added.status(), reqwest::StatusCode::CREATED);
    let added = admin(
        "deployments",
        json!({"issuer": issuer, "client_id": CLIENT_ID, "deployment_id": DEPLOYMENT_ID}),
    )
    .await
    .expect("add the deployment");
    assert_eq!(added.status(), reqwest::StatusCode::CREATED);

    let definition = server.data.with_extension("definition.json");
    std::fs::write(&definition, definition_json().to_string()).expect("write the definition");
    let definition_arg = definition.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script_dir().join("platform.py"))
            .args(["--tool", &tool, "--port", &platform_port.to_string()])
            .args(["--client-id", CLIENT_ID, "--deployment-id", DEPLOYMENT_ID])
            .arg("--definition")
            .arg(&definition_arg)
            .output()
            .expect("run platform.py")
    })
    .await
    .expect("platform");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "platform.py failed:\n{stdout}\n{stderr}\nserver:\n{}",
        server.output()
    );
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("platform.py printed no JSON report ({e}):\n{stdout}\n{stderr}")
    });
    let _ = std::fs::remove_file(&definition);
    let launches = report["launches"].as_array().expect("launches");
    assert_eq!(launches.len(), 2, "{report:#}");
    for (launch, (user, role, name)) in launches.iter().zip([
        ("learner-1", "learner", "Lee Learner"),
        ("instructor-1", "instructor", "Ida Instructor"),
    ]) {
        assert_eq!(launch["user"], user, "{report:#}");
        assert_eq!(launch["login_status"], 302, "{report:#}");
        assert_eq!(launch["auth_status"], 200, "{report:#}");
        assert_eq!(launch["launch_status"], 200, "{report:#}");
        assert_eq!(launch["launch_role"], role, "{report:#}");
        assert_eq!(launch["launch_name"], name, "{report:#}");
        assert_eq!(launch["id_token_on_page"], false, "{report:#}");
        let names = |key: &str| -> Vec<String> {
            launch[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(
            names("state_cookies_set")
                .iter()
                .any(|n| n.starts_with("__Host-lti_state_")),
            "the login sets the __Host- state cookie: {report:#}"
        );
        assert!(
            !names("launch_cookies_sent").is_empty(),
            "the browser session kept a state cookie for the launch: {report:#}"
        );
        assert_eq!(
            launch["launch_url"],
            format!("http://localhost:{tool_port}/lti/launch")
        );
    }

    // Deep Linking, judged by the independent platform.
    let dl = &report["deep_linking"];
    assert_eq!(dl["definition_status"], 201, "{report:#}");
    assert_eq!(dl["publish_status"], 200, "{report:#}");
    assert_eq!(dl["request"]["launch_status"], 200, "{report:#}");
    assert_eq!(
        dl["picker_items"], 2,
        "the exam and the progress page: {report:#}"
    );
    assert_eq!(dl["response_status"], 200, "{report:#}");
    assert_eq!(
        dl["return_url"],
        format!("{issuer}/deep_links"),
        "{report:#}"
    );
    assert_eq!(dl["return_status"], 200, "{report:#}");
    assert_eq!(
        dl["accepted"], true,
        "lti1p3platform accepts the response: {report:#}"
    );
    let items = dl["content_items"].as_array().expect("content items");
    assert_eq!(items.len(), 1, "{report:#}");
    assert_eq!(items[0]["type"], "ltiResourceLink");
    assert_eq!(items[0]["lineItem"]["scoreMaximum"], 10.0);
    assert_eq!(items[0]["lineItem"]["resourceId"], "EXAM");
    assert_eq!(items[0]["custom"]["cairn_assessment"], "EXAM");
    assert_eq!(dl["placed_launch"]["launch_status"], 200, "{report:#}");
    assert_eq!(dl["placed_launch"]["launch_role"], "learner", "{report:#}");
    assert_eq!(dl["placement"]["assessment_id"], "EXAM", "{report:#}");
    assert_eq!(dl["placement"]["definition_id"], "first-aid", "{report:#}");

    // Grades: the learner's qualifying attempt through Cairn's API reaches the platform's
    // score service, on the line item the platform made for the placed link.
    let grades = &dl["grades"];
    assert_eq!(grades["item_set_status"], 200, "{report:#}");
    assert_eq!(grades["enrol_status"], 201, "{report:#}");
    assert_eq!(grades["answer_status"], 201, "{report:#}");
    let lineitem = dl["placed_lineitem"]
        .as_str()
        .expect("the platform made a line item");
    assert_eq!(lineitem, format!("{issuer}/lineitems/1"));
    let line_items = grades["line_items"].as_array().expect("line items");
    assert_eq!(
        line_items.len(),
        1,
        "Cairn used the placed link's line item, it made none: {report:#}"
    );
    assert_eq!(line_items[0]["resourceId"], "EXAM");
    let tokens = grades["token_requests"].as_array().expect("token requests");
    assert!(!tokens.is_empty(), "{report:#}");
    for check in tokens {
        assert_eq!(check["grant_type"], "client_credentials", "{report:#}");
        assert_eq!(
            check["assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
        for key in [
            "signature_ok",
            "iss_ok",
            "sub_ok",
            "aud_ok",
            "jti",
            "exp_ok",
        ] {
            assert_eq!(check[key], true, "token request {key}: {report:#}");
        }
        assert!(
            check["scope"]
                .as_str()
                .is_some_and(|s| s.contains("https://purl.imsglobal.org/spec/lti-ags/scope/score")),
            "{report:#}"
        );
    }
    let scores = grades["scores"][lineitem].as_array().expect("scores");
    assert_eq!(scores.len(), 1, "one score, sent once: {report:#}");
    let score = &scores[0];
    assert_eq!(score["userId"], "learner-1", "{report:#}");
    assert_eq!(score["scoreGiven"], 8, "{report:#}");
    assert_eq!(score["scoreMaximum"], 10, "{report:#}");
    assert_eq!(score["activityProgress"], "Completed", "{report:#}");
    assert_eq!(score["gradingProgress"], "FullyGraded", "{report:#}");
    let timestamp = score["timestamp"].as_str().expect("timestamp");
    assert!(
        cairn::time::parse_datetime(timestamp).is_some() && score["_timestamp_ok"] == true,
        "an RFC 3339 timestamp: {timestamp}"
    );
    assert!(
        score["_user_agent"]
            .as_str()
            .is_some_and(|ua| ua.starts_with("Cairn")),
        "the score request carries Cairn's User-Agent: {report:#}"
    );
}

/// The credential the instructor publishes and places (the API story's).
fn definition_json() -> Value {
    json!({
        "id": "first-aid", "version": "1.0.0", "name": "Workplace First Aid",
        "description": "Responds to a workplace injury until help arrives.",
        "issuer": {"id": "https://college.example/issuers/ce", "name": "Example College"},
        "competencies": [
            {"id": "C1", "statement": "Assess a casualty", "threshold_percent": "60"},
            {"id": "C2", "statement": "Give first aid", "threshold_percent": "60"}
        ],
        "assessments": [{"id": "EXAM", "title": "First aid exam", "kind": "summative",
                         "max_points": "10", "pass_percent": "60", "competencies": ["C1", "C2"]}],
        "attempt_policy": {"max_attempts": 2, "scoring": "latest",
                           "feedback_required_before_retry": true,
                           "min_days_between_attempts": 0, "resit_cap_percent": null,
                           "retry_after_pass": false},
        "plar": {"methods": ["portfolio"], "challenge_counts_as_attempt": false,
                 "max_share_percent": null},
        "criteria": {"all_competencies": true},
        "grant_mode": "automatic"
    })
}
