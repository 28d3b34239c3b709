//! Shared helpers of the credential tests: where `../shared` is, reading vectors, the
//! independent `oxjsonld` reference canonicalization, and the JS oracle
//! (`../shared/oracle`) installed by the tests themselves. Test-only: reads files, runs
//! `npm` and `node`.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::Dataset;
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use serde_json::Value;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared`, relative to the repository root.
pub fn shared() -> PathBuf {
    repo().join("..").join("shared")
}

/// `../shared/vectors/<rel>`.
pub fn vector_path(rel: &str) -> PathBuf {
    shared().join("vectors").join(rel)
}

/// Text of `../shared/vectors/<rel>`.
pub fn vector_text(rel: &str) -> String {
    let p = vector_path(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// JSON of `../shared/vectors/<rel>`.
pub fn vector_json(rel: &str) -> Value {
    serde_json::from_str(&vector_text(rel)).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

/// Decodes lowercase or uppercase hex.
pub fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A 32-byte seed from hex.
pub fn seed(hex: &str) -> [u8; 32] {
    unhex(hex).try_into().expect("a 32-byte seed")
}

/// The W3C examples context, which the W3C vector uses and Cairn does not pin.
pub const EXAMPLES_URL: &str = "https://www.w3.org/ns/credentials/examples/v2";

/// The pinned contexts plus the W3C examples context (for the W3C vector only).
pub fn contexts_with_examples() -> cairn::credential::ContextSet {
    let text = vector_text("contexts/credentials-examples-v2.jsonld");
    cairn::credential::ContextSet::with_extra([(EXAMPLES_URL, text.as_str())])
        .expect("examples context")
}

/// Reference canonicalization with `oxjsonld` 0.2.7 (an independent JSON-LD processor)
/// reading the contexts from `../shared/vectors/contexts/index.json`. Slow (it processes
/// every context on every call); the tests use it to check Cairn's expander.
pub fn reference_nquads(doc: &Value) -> String {
    let index: Value = vector_json("contexts/index.json");
    let mut docs = std::collections::BTreeMap::new();
    for (url, file) in index.as_object().expect("index") {
        let text = vector_text(&format!("contexts/{}", file.as_str().expect("file")));
        docs.insert(url.clone(), text.into_bytes());
    }
    let docs = Arc::new(docs);
    let bytes = serde_json::to_vec(doc).expect("serialize");
    let mut dataset = Dataset::new();
    for quad in JsonLdParser::new()
        .for_slice(&bytes)
        .with_load_document_callback(move |url, _| {
            docs.get(url)
                .map(|d| JsonLdRemoteDocument {
                    document: d.clone(),
                    document_url: url.to_owned(),
                })
                .ok_or_else(|| format!("unknown context {url}").into())
        })
    {
        dataset.insert(&quad.expect("oxjsonld parses the document"));
    }
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort();
    lines.concat()
}

// ---------------------------------------------------------------------------------------
// The JS oracle
// ---------------------------------------------------------------------------------------

/// The target directory (honours `CARGO_TARGET_DIR`).
/// Cargo's target folder (where the tests install what they run).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from)
}

/// The oracle folder, ready to run.
///
/// Contract: if `CAIRN_ORACLE_DIR` is set (the xtask installs the oracle first), it must
/// hold an installed oracle (`verify.mjs` and `node_modules/`), else the test fails. When it
/// is unset, the oracle is installed here: `../shared/oracle` and `../shared/vectors` are
/// copied side by side into `<target>/shared-oracle/` and `npm ci` runs there (once; a lock
/// directory serialises concurrent test binaries). A missing `node`/`npm` is a failure,
/// never a skip.
pub fn oracle_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAIRN_ORACLE_DIR") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("verify.mjs").is_file() && dir.join("node_modules").is_dir(),
            "CAIRN_ORACLE_DIR={} does not hold an installed oracle (verify.mjs + node_modules)",
            dir.display()
        );
        return dir;
    }
    let root = target_dir().join("shared-oracle");
    let oracle = root.join("oracle");
    let stamp = oracle.join("node_modules").join(".cairn-installed");
    install_once(
        &root,
        || stamp.is_file() && same_lock(&oracle),
        || install_oracle(&root),
    );
    oracle
}

/// Runs `install` once under `root` across concurrent test binaries: returns at once when
/// `ready()`; otherwise takes the lock directory `root/.install-lock` (waiting at most ten
/// minutes, and returning as soon as another binary made it ready), installs, and lets the
/// lock go even when the install panics.
pub fn install_once(root: &Path, ready: impl Fn() -> bool, install: impl FnOnce()) {
    if ready() {
        return;
    }
    std::fs::create_dir_all(root).expect("create the install folder under target/");
    let lock = root.join(".install-lock");
    let mut waited = 0;
    while std::fs::create_dir(&lock).is_err() {
        std::thread::sleep(std::time::Duration::from_millis(250));
        waited += 1;
        assert!(waited < 2400, "timed out waiting for {}", lock.display());
        if ready() {
            return;
        }
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(install));
    let _ = std::fs::remove_dir(&lock);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// Installs the oracle under `root` (`root/oracle`, `root/vectors`).
pub fn install_oracle(root: &Path) {
    for name in ["oracle", "vectors"] {
        let dst = root.join(name);
        if dst.exists() {
            make_writable(&dst);
            std::fs::remove_dir_all(&dst).expect("remove the old copy");
        }
        copy_dir(&shared().join(name), &dst);
    }
    let oracle = root.join("oracle");
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&oracle)
        .output()
        .expect("npm must be installed to run the oracle cross-check (Node 20 + npm)");
    assert!(
        out.status.success(),
        "npm ci in {} failed: {}",
        oracle.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        oracle.join("node_modules").join(".cairn-installed"),
        b"ok\n",
    )
    .expect("stamp");
}

/// The copied lock file equals `../shared/oracle/package-lock.json`.
fn same_lock(oracle: &Path) -> bool {
    let a = std::fs::read(oracle.join("package-lock.json"));
    let b = std::fs::read(shared().join("oracle").join("package-lock.json"));
    matches!((a, b), (Ok(a), Ok(b)) if a == b)
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for entry in std::fs::read_dir(src).expect("read_dir") {
        let entry = entry.expect("entry");
        let path = entry.path();
        let to = dst.join(entry.file_name());
        if path.is_dir() {
            if entry.file_name() == "node_modules" {
                continue;
            }
            copy_dir(&path, &to);
        } else {
            std::fs::copy(&path, &to).expect("copy");
            make_writable(&to);
        }
    }
}

fn make_writable(p: &Path) {
    if let Ok(meta) = std::fs::metadata(p) {
        let mut perms = meta.permissions();
        #[allow(
            clippy::permissions_set_readonly_false,
            reason = "copies of read-only files"
        )]
        perms.set_readonly(false);
        let _ = std::fs::set_permissions(p, perms);
    }
    if p.is_dir()
        && let Ok(rd) = std::fs::read_dir(p)
    {
        for e in rd.flatten() {
            make_writable(&e.path());
        }
    }
}

/// The oracle's one-line JSON answer.
#[derive(Debug, Clone)]
pub struct OracleVerdict {
    /// `verified`.
    pub verified: bool,
    /// The whole answer.
    pub raw: Value,
}

/// Runs `node verify.mjs <file> [args]` on a credential text.
pub fn oracle_verify(credential_json: &str, args: &[&str]) -> OracleVerdict {
    let dir = oracle_dir();
    let file = scratch_file("verify", credential_json);
    let out = Command::new("node")
        .arg(dir.join("verify.mjs"))
        .arg(&file)
        .args(args)
        .output()
        .expect("node must be installed to run the oracle cross-check");
    let _ = std::fs::remove_file(&file);
    let line = String::from_utf8_lossy(&out.stdout);
    let raw: Value = serde_json::from_str(line.trim()).unwrap_or_else(|e| {
        panic!(
            "oracle output is not JSON ({e}): {line} / {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let verified = raw["verified"] == Value::Bool(true);
    assert_eq!(
        out.status.code(),
        Some(if verified { 0 } else { 1 }),
        "oracle exit code: {raw}"
    );
    OracleVerdict { verified, raw }
}

/// Runs `node verify.mjs <file> --status-list <list file> [args]`: the oracle verifies the
/// list's own proof, then applies the entry's bit.
pub fn oracle_verify_with_status_list(
    credential_json: &str,
    list_json: &str,
    args: &[&str],
) -> OracleVerdict {
    let list = scratch_file("status-list", list_json);
    let list_arg = list.to_str().expect("UTF-8 path").to_owned();
    let mut all = vec!["--status-list", list_arg.as_str()];
    all.extend_from_slice(args);
    let verdict = oracle_verify(credential_json, &all);
    let _ = std::fs::remove_file(&list);
    verdict
}

/// The oracle's verdict on a CLR: `verify.mjs` checks the outer proof only, so each nested
/// credential of `credentialSubject.verifiableCredential` is verified by it on its own too.
/// Verified when all are. (The oracle has no rule tying nested subjects to the CLR's.)
pub fn oracle_verify_clr(clr_json: &str, args: &[&str]) -> OracleVerdict {
    let outer = oracle_verify(clr_json, args);
    let clr: Value = serde_json::from_str(clr_json).expect("CLR JSON");
    let nested: Vec<OracleVerdict> = clr["credentialSubject"]["verifiableCredential"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| oracle_verify(&c.to_string(), args))
                .collect()
        })
        .unwrap_or_default();
    let verified = outer.verified && nested.iter().all(|v| v.verified);
    let raw = serde_json::json!({
        "verified": verified,
        "outer": outer.raw,
        "nested": nested.iter().map(|v| v.raw.clone()).collect::<Vec<_>>(),
    });
    OracleVerdict { verified, raw }
}

/// `n` credentials of the project vectors' learner (its hashed email), each for its own
/// achievement, signed with `key` as a did:key issuer.
pub fn learner_credentials(key: &cairn::credential::IssuerKey, n: usize) -> Vec<Value> {
    let created = cairn::Timestamp::parse("2026-03-02T15:04:05Z").expect("time");
    (0..n)
        .map(|i| {
            let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
            unsigned["id"] = serde_json::json!(format!("urn:uuid:3f0c9a2e-5b1d-4e7f-8a6c-{i:012}"));
            unsigned["credentialSubject"]["achievement"]["id"] =
                serde_json::json!(format!("https://college.example/lti/achievements/c{i}"));
            cairn::credential::sign(&unsigned, key, &key.public().did_key_method(), created)
                .expect("signs")
                .credential
        })
        .collect()
}

/// A CLR of `credentials` whose subject is `learner`, built as given (no learner check, so
/// tests can make bundles `clr_credential` refuses) and signed by `key` as a did:key issuer.
pub fn signed_clr(
    key: &cairn::credential::IssuerKey,
    credentials: &[Value],
    learner: &Value,
) -> Value {
    let mut subject = serde_json::json!({"type": ["ClrSubject"]});
    for k in ["id", "identifier"] {
        if let Some(v) = learner.get(k) {
            subject[k] = v.clone();
        }
    }
    subject["verifiableCredential"] = Value::Array(credentials.to_vec());
    subject["achievement"] = Value::Array(
        credentials
            .iter()
            .map(|c| c["credentialSubject"]["achievement"].clone())
            .collect(),
    );
    let unsigned = serde_json::json!({
        "@context": cairn::credential::export::CLR_CONTEXTS,
        "id": "urn:uuid:7d0c5b1e-2f3a-4b6c-9d8e-1a2b3c4d5e6f",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": key.public().did_key(), "type": ["Profile"], "name": "Example College"},
        "name": "Comprehensive Learner Record",
        "validFrom": "2026-05-01T00:00:00Z",
        "credentialSubject": subject,
    });
    let created = cairn::Timestamp::parse("2026-05-01T00:00:00Z").expect("time");
    cairn::credential::sign(&unsigned, key, &key.public().did_key_method(), created)
        .expect("the CLR signs")
        .credential
}

/// Runs `node sign.mjs <file> <seed-hex> [args]`; returns the signed credential text.
pub fn oracle_sign(unsigned_json: &str, seed_hex: &str, args: &[&str]) -> String {
    let dir = oracle_dir();
    let file = scratch_file("sign", unsigned_json);
    let out = Command::new("node")
        .arg(dir.join("sign.mjs"))
        .arg(&file)
        .arg(seed_hex)
        .args(args)
        .output()
        .expect("node must be installed to run the oracle cross-check");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "oracle sign failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs `node canon.mjs <file>`; returns its JSON answer.
pub fn oracle_canon(json: &str) -> Value {
    let dir = oracle_dir();
    let file = scratch_file("canon", json);
    let out = Command::new("node")
        .arg(dir.join("canon.mjs"))
        .arg(&file)
        .output()
        .expect("node must be installed to run the oracle cross-check");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "oracle canon failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("canon.mjs prints JSON")
}

fn scratch_file(kind: &str, text: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = target_dir().join("shared-oracle").join("scratch");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let n = N.fetch_add(1, Ordering::Relaxed);
    let p = dir.join(format!("{kind}-{}-{n}.json", std::process::id()));
    std::fs::write(&p, text).expect("write scratch file");
    p
}

/// The instant the verify tests evaluate at (the project vectors expire in 2029).
pub const NOW: &str = "2026-06-01T00:00:00Z";

/// [`NOW`] as a timestamp.
pub fn now() -> cairn::Timestamp {
    at(NOW)
}

/// A timestamp from its text.
pub fn at(text: &str) -> cairn::Timestamp {
    cairn::Timestamp::parse(text).expect("timestamp")
}

/// The project vectors' issuer key (`../shared/vectors/project/keys.json`).
pub fn project_key() -> cairn::credential::IssuerKey {
    cairn::credential::IssuerKey::from_seed(&seed(
        vector_json("project/keys.json")["seedHex"]
            .as_str()
            .expect("seed"),
    ))
}

/// Verifies credential JSON at [`NOW`].
pub fn run(json: &str) -> cairn::credential::VerificationReport {
    cairn::credential::verify(json, &cairn::credential::VerifyOptions::at(now()))
}

/// The report says verified, with no error.
pub fn assert_verified(report: &cairn::credential::VerificationReport, what: &str) {
    assert!(report.verified, "{what}: {:#?}", report.errors);
    assert!(report.errors.is_empty());
}

/// The report fails, and its first error has `code`.
pub fn assert_fails_with(report: &cairn::credential::VerificationReport, code: &str, what: &str) {
    assert!(!report.verified, "{what}: expected {code}, but it verified");
    assert_eq!(
        report.error_codes().first().copied(),
        Some(code),
        "{what}: {:#?}",
        report.errors
    );
}
