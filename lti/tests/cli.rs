//! The `cairn-lti` command line: flags parse into a validated configuration, `CAIRN_*`
//! variables stand in for flags (checked on the real binary, whose environment a test can
//! set), and the `registration`/`deployment` subcommands change a real SQLite store.

mod app_support;

use std::process::Command as Process;

use app_support::{NOW, TestDir};
use cairn_lti::cli::{Cli, Command, FamilyArg, RegistrationCommand, run_admin};
use cairn_lti::config::{ConfigError, LogFormat};
use cairn_lti::store::PlatformFamily;
use clap::Parser;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("cairn-lti").chain(args.iter().copied()))
}

fn serve_config(args: &[&str]) -> Result<cairn_lti::config::ServeConfig, ConfigError> {
    match parse(args).expect("parses").command {
        Command::Serve(serve) => serve.into_config(None),
        other => panic!("not serve: {other:?}"),
    }
}

#[test]
fn serve_defaults_are_the_local_demo() {
    let config = serve_config(&["serve"]).expect("valid");
    assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(config.server.public_url.as_str(), "http://localhost:8080");
    assert_eq!(config.database_url, "sqlite://data/cairn.sqlite3");
    assert_eq!(config.data_dir.to_str(), Some("data"));
    assert_eq!(config.server.www_dir.to_str(), Some("www"));
    assert_eq!(config.log_format, LogFormat::Text);
    assert!(config.server.admin_token.is_none());
}

#[test]
fn serve_flags_are_read_and_checked() {
    let config = serve_config(&[
        "serve",
        "--addr",
        "0.0.0.0:9000",
        "--public-url",
        "https://cairn.example.edu/",
        "--data-dir",
        "/var/lib/cairn",
        "--admin-token",
        "a-token-of-enough-length",
        "--log-format",
        "json",
        "--www",
        "site",
    ])
    .expect("valid");
    assert_eq!(
        config.server.public_url.launch_url(),
        "https://cairn.example.edu/lti/launch"
    );
    assert_eq!(config.database_url, "sqlite:///var/lib/cairn/cairn.sqlite3");
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(
        config
            .server
            .admin_token
            .as_ref()
            .is_some_and(|t| t.matches("a-token-of-enough-length"))
    );

    assert!(matches!(
        serve_config(&["serve", "--addr", "0.0.0.0:9000"]),
        Err(ConfigError::PublicUrlRequired { .. })
    ));
    assert!(matches!(
        serve_config(&["serve", "--admin-token", "short"]),
        Err(ConfigError::AdminTokenTooShort { .. })
    ));
    assert!(matches!(
        serve_config(&["serve", "--public-url", "http://cairn.example.edu"]),
        Err(ConfigError::PublicUrl { .. })
    ));
    assert!(parse(&["serve", "--log-format", "yaml"]).is_err());
    assert!(parse(&["serve", "--addr", "nowhere"]).is_err());
}

#[test]
fn registration_add_takes_the_spec_fields() {
    let cli = parse(&[
        "registration",
        "add",
        "--issuer",
        "https://canvas.instructure.com",
        "--client-id",
        "10000000000001",
        "--auth-endpoint",
        "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "--token-endpoint",
        "https://sso.canvaslms.com/login/oauth2/token",
        "--jwks-url",
        "https://sso.canvaslms.com/api/lti/security/jwks",
        "--family",
        "canvas",
        "--auto-register-deployments",
    ])
    .expect("parses");
    let Command::Registration(RegistrationCommand::Add(args)) = cli.command else {
        panic!("not registration add");
    };
    assert_eq!(args.family, FamilyArg::Canvas);
    let registration = args.registration();
    assert_eq!(registration.platform_family, PlatformFamily::Canvas);
    assert!(registration.auto_register_deployments);
    assert!(!registration.allow_http);
    assert_eq!(registration.client_assertion_audience, None);
    assert!(
        parse(&["registration", "add", "--issuer", "x"]).is_err(),
        "required flags"
    );
    assert!(parse(&["registration", "list", "--json"]).is_ok());
    assert!(parse(&["deployment", "list", "--issuer", "i", "--client-id", "c"]).is_ok());
    assert!(parse(&["deployment", "add", "--issuer", "i", "--client-id", "c"]).is_err());
}

#[tokio::test]
async fn admin_subcommands_change_the_store() {
    let dir = TestDir::new();
    let store = cairn_lti::store::open(&dir.database_url())
        .await
        .expect("store");
    let db = dir.database_url();
    let run = |args: Vec<&str>| {
        let mut full = args;
        full.extend(["--database-url", db.as_str()]);
        parse(&full).expect("parses").command
    };
    let add = run(vec![
        "registration",
        "add",
        "--issuer",
        "http://127.0.0.1:8081",
        "--client-id",
        "moodle-client",
        "--auth-endpoint",
        "http://127.0.0.1:8081/mod/lti/auth.php",
        "--token-endpoint",
        "http://127.0.0.1:8081/mod/lti/token.php",
        "--jwks-url",
        "http://127.0.0.1:8081/mod/lti/certs.php",
        "--family",
        "moodle",
    ]);
    let mut out = Vec::new();
    let refused = run_admin(&add, store.as_ref(), NOW, &mut out).await;
    assert!(
        matches!(
            refused,
            Err(cairn_lti::admin::AdminError::InvalidUrl { .. })
        ),
        "http without --allow-http: {refused:?}"
    );
    let Command::Registration(RegistrationCommand::Add(mut args)) = add else {
        panic!("add");
    };
    args.allow_http = true;
    let add = Command::Registration(RegistrationCommand::Add(args));
    run_admin(&add, store.as_ref(), NOW, &mut out)
        .await
        .expect("added");

    let deployment = run(vec![
        "deployment",
        "add",
        "--issuer",
        "http://127.0.0.1:8081",
        "--client-id",
        "moodle-client",
        "--deployment-id",
        "1",
    ]);
    run_admin(&deployment, store.as_ref(), NOW, &mut out)
        .await
        .expect("deployment");

    let mut table = Vec::new();
    run_admin(
        &run(vec!["registration", "list"]),
        store.as_ref(),
        NOW,
        &mut table,
    )
    .await
    .expect("list");
    let table = String::from_utf8(table).expect("utf-8");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("id  issuer"), "{table}");
    assert!(
        lines[1].contains("moodle-client") && lines[1].contains("moodle"),
        "{table}"
    );

    let mut json = Vec::new();
    let list = run(vec![
        "deployment",
        "list",
        "--issuer",
        "http://127.0.0.1:8081",
        "--client-id",
        "moodle-client",
        "--json",
    ]);
    run_admin(&list, store.as_ref(), NOW, &mut json)
        .await
        .expect("list");
    let json: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(json[0]["deployment_id"], "1");

    let remove = run(vec![
        "registration",
        "remove",
        "--issuer",
        "http://127.0.0.1:8081",
        "--client-id",
        "moodle-client",
    ]);
    run_admin(&remove, store.as_ref(), NOW, &mut out)
        .await
        .expect("removed");
    assert!(store.registrations().await.expect("list").is_empty());
}

#[test]
fn the_binary_reads_cairn_variables_and_redacts_secrets() {
    let dir = TestDir::new();
    let output = Process::new(env!("CARGO_BIN_EXE_cairn-lti"))
        .args(["serve", "--check-config"])
        .env("CAIRN_ADDR", "0.0.0.0:8443")
        .env("CAIRN_PUBLIC_URL", "https://cairn.example.edu")
        .env(
            "CAIRN_DATABASE_URL",
            "postgres://cairn:db-password@127.0.0.1/cairn",
        )
        .env("CAIRN_DATA_DIR", &dir.0)
        .env("CAIRN_ADMIN_TOKEN", "admin-secret-0123456789")
        .env("CAIRN_LOG_FORMAT", "json")
        .env("CAIRN_KEY_ENCRYPTION_KEY", "kek-secret-material")
        .output()
        .expect("run cairn-lti");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "0.0.0.0:8443",
        "https://cairn.example.edu",
        "Json",
        "127.0.0.1/cairn",
    ] {
        assert!(stdout.contains(expected), "{expected} missing:\n{stdout}");
    }
    for secret in [
        "db-password",
        "admin-secret-0123456789",
        "kek-secret-material",
    ] {
        assert!(!stdout.contains(secret), "{secret} printed:\n{stdout}");
    }

    let refused = Process::new(env!("CARGO_BIN_EXE_cairn-lti"))
        .args(["serve", "--check-config"])
        .env("CAIRN_ADDR", "0.0.0.0:8443")
        .env_remove("CAIRN_PUBLIC_URL")
        .output()
        .expect("run cairn-lti");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("CAIRN_PUBLIC_URL"));
}

#[tokio::test]
async fn keys_rotate_promotes_the_next_key() {
    use cairn_lti::cli::{KeysCommand, rotate_keys};
    use cairn_lti::keys::{self, KeyEncryptionKey, KeyError, MIN_NEXT_PUBLISHED_SECONDS};
    use cairn_lti::store::KeyStatus;

    let dir = TestDir::new();
    let store = cairn_lti::store::open(&dir.database_url())
        .await
        .expect("store");
    let kek = KeyEncryptionKey::parse(&"ab".repeat(32)).expect("a 32-byte hex key");
    keys::ensure(store.as_ref(), &kek, NOW)
        .await
        .expect("first start");
    let kid_of = |keys: &[cairn_lti::store::ToolKey], status| {
        keys.iter()
            .find(|key| key.status == status)
            .map(|key| key.kid.clone())
    };
    let before = store.tool_keys().await.expect("keys");
    let next = kid_of(&before, KeyStatus::Next).expect("a next key");
    let current = kid_of(&before, KeyStatus::Current).expect("a current key");

    let cli = parse(&["keys", "rotate", "--data-dir", "somewhere"]).expect("parses");
    let Command::Keys(KeysCommand::Rotate { store: args, force }) = &cli.command else {
        panic!("keys rotate");
    };
    assert!(!force);
    assert!(args.kek_path().ends_with("somewhere/key-encryption.key"));

    let mut out = Vec::new();
    let early = rotate_keys(store.as_ref(), &kek, false, NOW + 10, &mut out).await;
    assert!(
        matches!(early, Err(KeyError::NextKeyTooNew { .. })),
        "{early:?}"
    );
    let later = NOW + MIN_NEXT_PUBLISHED_SECONDS;
    rotate_keys(store.as_ref(), &kek, false, later, &mut out)
        .await
        .expect("rotated after the wait");
    let after = store.tool_keys().await.expect("keys");
    assert_eq!(kid_of(&after, KeyStatus::Current), Some(next.clone()));
    assert_eq!(kid_of(&after, KeyStatus::Previous), Some(current));
    assert!(String::from_utf8_lossy(&out).contains(&next));

    let forced = parse(&["keys", "rotate", "--force"]).expect("parses");
    assert!(matches!(
        forced.command,
        Command::Keys(KeysCommand::Rotate { force: true, .. })
    ));
    rotate_keys(store.as_ref(), &kek, true, later + 1, &mut out)
        .await
        .expect("forced rotation needs no wait");
}

#[test]
fn demo_takes_two_ports_and_its_own_store() {
    let Command::Demo(args) = parse(&["demo", "--tool-port", "9000"])
        .expect("parses")
        .command
    else {
        panic!("not demo");
    };
    assert_eq!(args.tool_port, 9000);
    assert_eq!(args.platform_port, 8081);
    assert_eq!(args.database_url, "data/demo.sqlite3");
    assert!(parse(&["demo", "--tool-port", "70000"]).is_err());
}
