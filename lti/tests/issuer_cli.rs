//! `cairn-lti issuer show|set|rotate-key` on the real binary over a SQLite file: `set`
//! creates the registration's issuer under the public URL with the given profile and a key
//! sealed with the data folder's key-encryption key, `show` prints public keys only, and
//! `rotate-key` adds a current key and keeps the old one.

use std::path::Path;
use std::process::Command;

fn run(data: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_cairn-lti"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("CAIRN_KEY_ENCRYPTION_KEY")
        .env_remove("CAIRN_DATABASE_URL")
        .env_remove("CAIRN_PUBLIC_URL")
        .output()
        .expect("run cairn-lti");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "cairn-lti {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

const REGISTRATION: [&str; 4] = [
    "--issuer",
    "https://moodle.example.edu",
    "--client-id",
    "c1",
];

#[test]
fn set_show_and_rotate_the_issuer() {
    let data = std::env::temp_dir().join(format!("cairn-issuer-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).expect("data folder");
    let mut add = vec!["registration", "add"];
    add.extend(REGISTRATION);
    add.extend([
        "--auth-endpoint",
        "https://moodle.example.edu/auth",
        "--token-endpoint",
        "https://moodle.example.edu/token",
        "--jwks-url",
        "https://moodle.example.edu/jwks",
    ]);
    run(&data, &add);
    let mut show = vec!["issuer", "show"];
    show.extend(REGISTRATION);
    assert!(run(&data, &show).contains("has no issuer yet"));

    let mut set = vec!["issuer", "set"];
    set.extend(REGISTRATION);
    set.extend([
        "--public-url",
        "https://cairn.example.edu",
        "--name",
        "Example College",
        "--url",
        "https://example.edu",
    ]);
    let shown: serde_json::Value = serde_json::from_str(&run(&data, &set)).expect("JSON");
    let issuer_id = shown["issuer_id"].as_str().expect("issuer id").to_owned();
    assert!(
        issuer_id.starts_with("https://cairn.example.edu/issuers/"),
        "{issuer_id}"
    );
    assert_eq!(shown["profile"]["name"], "Example College");
    assert_eq!(shown["profile"]["url"], "https://example.edu");
    assert!(
        data.join("key-encryption.key").is_file(),
        "the KEK file was created"
    );

    let mut rotate = vec!["issuer", "rotate-key"];
    rotate.extend(REGISTRATION);
    rotate.extend(["--public-url", "https://cairn.example.edu"]);
    assert!(run(&data, &rotate).contains(&format!("now signs with {issuer_id}#z6Mk")));
    let text = run(&data, &show);
    assert!(!text.contains("sealed"), "no secret printed: {text}");
    let shown: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let statuses: Vec<_> = shown["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [serde_json::json!("current"), serde_json::json!("previous")]
    );
    assert_eq!(
        shown["profile"]["name"], "Example College",
        "the profile is kept"
    );
    let _ = std::fs::remove_dir_all(&data);
}
