//! OB 2.0 exports pass 1EdTech's Open Badges 2.0 validator (PyPI `openbadges` 1.1.2, the
//! openbadges-validator-core), which this test installs itself into a virtual environment
//! under `target/ob2-validator/` and runs through `tests/ob2_validator/validate.py`: every
//! URL the validator fetches (assertion, badge class, issuer, image, the OB 2.0 context) is
//! answered from local data, anything else fails, and its clock is pinned. Cases: hashed
//! and plain email recipients, https and `data:` images. The validator's report must be
//! valid with no errors, every task it queued must have run, and two negative controls
//! (a pinned clock after expiry, a wrong recipient) must fail, so a validator that did not
//! really run cannot pass. A missing Python or a failed install is a test failure with a
//! message, never a skip.

mod credential_corpus;
mod credential_support;

use std::path::PathBuf;
use std::process::Command;

use cairn::Timestamp;
use cairn::credential::build::{BuildInput, IssuerProfile, Recipient, issue};
use cairn::credential::export::{Ob2Hosting, ob2_export};
use cairn::credential::image::{SVG_DATA_URI_PREFIX, default_badge_svg};
use cairn::credential::keys::IssuerKey;
use cairn::definition::{CredentialDefinition, Image};
use credential_corpus::{at, profile, scenarios};
use credential_support::{install_once, repo, shared, target_dir};
use serde_json::{Value, json};

/// The validator and what it needs on Python 3.10+: its own pins (installed with it), then
/// a pycryptodome that Python 3 can import (the pinned 3.6.6 has Python 2 literals) and
/// `responses` to answer its HTTP requests locally.
const VALIDATOR: &str = "openbadges==1.1.2";
const OVERRIDES: &[&str] = &["pycryptodome==3.23.0"];
const HELPERS: &[&str] = &["responses==0.26.0"];

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e} (Python 3 with venv and pip is needed for the OB 2.0 validator test)"));
    assert!(
        out.status.success(),
        "{what} failed ({cmd:?}):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The venv's python, installing the validator first if needed (once; a lock directory
/// serialises concurrent test runs).
fn validator_python() -> PathBuf {
    let root = target_dir().join("ob2-validator");
    let python = root.join("venv").join("bin").join("python");
    let stamp = root.join(".cairn-installed");
    let wanted = format!(
        "{VALIDATOR} {} {}\n",
        OVERRIDES.join(" "),
        HELPERS.join(" ")
    );
    let ready = || std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && python.is_file();
    install_once(&root, ready, || {
        let venv = root.join("venv");
        if venv.exists() {
            std::fs::remove_dir_all(&venv).expect("remove the old venv");
        }
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "creating the validator's virtual environment",
        );
        let pip = |args: &[&str], what: &str| {
            run(
                Command::new(&python)
                    .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
                    .args(args),
                what,
            );
        };
        let mut first = vec![VALIDATOR];
        first.extend(HELPERS);
        pip(&first, "installing the OB 2.0 validator from PyPI");
        let mut second = vec!["--no-deps"];
        second.extend(OVERRIDES);
        pip(&second, "installing the validator's Python 3 fixes");
        std::fs::write(&stamp, &wanted).expect("stamp");
    });
    python
}

/// Runs the validator on a bundle; returns its JSON answer.
fn validate(bundle: &Value) -> Value {
    let python = validator_python();
    let dir = target_dir().join("ob2-validator").join("scratch");
    std::fs::create_dir_all(&dir).expect("scratch");
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let file = dir.join(format!(
        "bundle-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&file, bundle.to_string()).expect("write bundle");
    let script = repo()
        .join("tests")
        .join("ob2_validator")
        .join("validate.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&file)
        .output()
        .expect("run the validator");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "the validator crashed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("the validator's answer is not JSON ({e}): {stdout}"))
}

const ORIGIN: &str = "https://tool.example";
const HTTPS_IMAGE: &str = "https://tool.example/badges/spt.svg";

fn hosting(n: usize) -> Ob2Hosting {
    Ob2Hosting {
        assertion_url: format!("{ORIGIN}/ob2/assertions/{n}"),
        badge_class_url: format!("{ORIGIN}/ob2/badges/spt"),
        issuer_url: format!("{ORIGIN}/ob2/issuers/ce"),
    }
}

fn spt() -> CredentialDefinition {
    scenarios(&shared())
        .into_iter()
        .find(|s| s.name == "spt-02-second-attempt-boundary")
        .expect("spt-02")
        .definitions
        .remove(0)
}

struct Case {
    what: &'static str,
    recipient: Recipient,
    email: &'static str,
    https_image: bool,
}

/// Builds, signs and exports one credential; returns the bundle of hosted documents.
fn bundle(n: usize, case: &Case, def: &CredentialDefinition, issued: Timestamp) -> Value {
    let mut def = def.clone();
    if case.https_image {
        def.metadata.image = Some(Image {
            id: HTTPS_IMAGE.into(),
            caption: Some("Safe Patient Transfer".into()),
        });
    }
    let issuer: IssuerProfile = profile(&def);
    let input = BuildInput {
        definition: &def,
        related: &[],
        issuer: &issuer,
        recipient: case.recipient.clone(),
        recipient_name: None,
        credential_uuid: credential_corpus::uuid(900 + n),
        base_url: ORIGIN.into(),
        issued_at: issued,
        awarded_at: None,
        valid_until: None,
        status: None,
        suspension: None,
        activity: None,
        results: Vec::new(),
        level: None,
        plar_route: Vec::new(),
        evidence: Vec::new(),
    };
    let signed = issue(&input, &IssuerKey::from_seed(&[4u8; 32]))
        .expect("issue")
        .credential;
    let image = signed["credentialSubject"]["achievement"]["image"]["id"]
        .as_str()
        .expect("image")
        .to_owned();
    assert_eq!(
        image.starts_with(SVG_DATA_URI_PREFIX),
        !case.https_image,
        "{}: {image:.60}",
        case.what
    );
    let hosting = hosting(n);
    let export = ob2_export(&signed, &hosting).expect("OB 2.0 export");
    let ld = |v: &Value| json!({"contentType": "application/ld+json", "body": v.to_string()});
    let mut documents = json!({
        hosting.assertion_url.clone(): ld(&export.assertion),
        hosting.badge_class_url.clone(): ld(&export.badge_class),
        hosting.issuer_url.clone(): ld(&export.profile),
    });
    if case.https_image {
        documents[HTTPS_IMAGE] = json!({
            "contentType": "image/svg+xml",
            "body": default_badge_svg(&def.name, Some("SPT"), def.id.as_str()),
        });
    }
    json!({
        "now": issued.plus_days(1).to_string(),
        "assertion": hosting.assertion_url,
        "recipient": {"email": case.email},
        "documents": documents,
    })
}

fn assert_valid(what: &str, answer: &Value, expected_urls: &[&str]) {
    let report = &answer["report"]["report"];
    assert_eq!(
        (report["valid"].as_bool(), report["errorCount"].as_u64()),
        (Some(true), Some(0)),
        "{what}: {:#}",
        answer["report"]["report"]
    );
    assert_eq!(report["warningCount"], json!(0), "{what}: {report:#}");
    let tasks = &answer["tasks"];
    assert!(
        tasks["total"].as_u64().unwrap_or(0) >= 10,
        "{what}: the validator ran only {} tasks",
        tasks["total"]
    );
    assert_eq!(
        tasks["incomplete"],
        json!([]),
        "{what}: tasks left: {tasks:#}"
    );
    assert_eq!(
        tasks["failed"],
        json!([]),
        "{what}: failed tasks: {tasks:#}"
    );
    let graph_types: Vec<&str> = answer["report"]["graph"]
        .as_array()
        .map(|g| g.iter().filter_map(|n| n["type"].as_str()).collect())
        .unwrap_or_default();
    for t in ["Assertion", "BadgeClass", "Issuer"] {
        assert!(
            graph_types.contains(&t),
            "{what}: no {t} in {graph_types:?}"
        );
    }
    let fetched: Vec<&str> = answer["fetched"]
        .as_array()
        .map(|f| f.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    println!(
        "{what}: valid, {} validator tasks run, fetched {fetched:?}",
        tasks["total"]
    );
    for url in expected_urls {
        assert!(
            fetched.contains(url),
            "{what}: {url} was not fetched: {fetched:?}"
        );
    }
}

#[test]
fn ob2_exports_pass_the_1edtech_ob2_validator() {
    let def = spt();
    let issued = at("2026-03-02T15:04:05Z");
    let cases = [
        Case {
            what: "hashed email, data: image",
            recipient: Recipient::HashedEmail {
                email: "Learner@Example.edu".into(),
                salt: credential_corpus::SALT.into(),
            },
            email: "learner@example.edu",
            https_image: false,
        },
        Case {
            what: "plain email, https image",
            recipient: Recipient::PlainEmail {
                email: "learner@example.edu".into(),
            },
            email: "learner@example.edu",
            https_image: true,
        },
        Case {
            what: "hashed email, https image",
            recipient: Recipient::HashedEmail {
                email: "learner@example.edu".into(),
                salt: "Kosher".into(),
            },
            email: "learner@example.edu",
            https_image: true,
        },
        Case {
            what: "plain email, data: image",
            recipient: Recipient::PlainEmail {
                email: "learner@example.edu".into(),
            },
            email: "learner@example.edu",
            https_image: false,
        },
    ];
    for (n, case) in cases.iter().enumerate() {
        let b = bundle(n, case, &def, issued);
        let h = hosting(n);
        let mut urls = vec![
            h.assertion_url.as_str(),
            h.badge_class_url.as_str(),
            h.issuer_url.as_str(),
        ];
        if case.https_image {
            urls.push(HTTPS_IMAGE);
        }
        assert_valid(case.what, &validate(&b), &urls);
    }

    // Negative controls: the pinned clock after expiry (spt is valid 24 months), and a
    // recipient the assertion is not for. Both must fail in the validator.
    let b = bundle(0, &cases[0], &def, issued);
    let mut expired = b.clone();
    expired["now"] = json!("2030-01-01T00:00:00Z");
    let answer = validate(&expired);
    assert_eq!(
        answer["report"]["report"]["valid"],
        json!(false),
        "expired: {:#}",
        answer["report"]["report"]
    );
    assert!(
        answer["report"]["report"].to_string().contains("expired"),
        "{:#}",
        answer["report"]["report"]
    );
    let mut stranger = b;
    stranger["recipient"] = json!({"email": "someone.else@example.edu"});
    let answer = validate(&stranger);
    assert_eq!(
        answer["report"]["report"]["valid"],
        json!(false),
        "wrong recipient: {:#}",
        answer["report"]["report"]
    );
}
