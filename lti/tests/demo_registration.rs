//! The demo platform registers itself with the tool's real store (SQLite in a temp file): one
//! registration per flavour with its one admin deployment, http allowed, URLs on the platform;
//! a restart on other ports updates the same rows instead of adding more.

use std::path::{Path, PathBuf};

use cairn_lti::demo::people::{FLAVOURS, Flavour};
use cairn_lti::demo::{DemoPlatform, DemoSettings, register_with_tool};
use cairn_lti::store::{DeploymentOrigin, PlatformFamily};

fn platform(port: u16) -> DemoPlatform {
    DemoPlatform::new(DemoSettings {
        platform_url: format!("http://127.0.0.1:{port}"),
        tool_url: "http://localhost:48080".to_owned(),
    })
    .expect("demo platform")
}

fn remove_db(file: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

#[tokio::test]
async fn the_platform_registers_both_flavours_and_a_restart_updates_them() {
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("demo-tests")
        .join(format!("registration-{}.sqlite3", std::process::id()));
    remove_db(&file);
    let store = cairn_lti::store::open(file.to_str().expect("UTF-8 temp path"))
        .await
        .expect("open SQLite");

    let first = register_with_tool(store.as_ref(), &platform(48081), 1_000)
        .await
        .expect("first registration");
    assert_eq!(first.len(), 2);
    for ((registration, deployment), flavour) in first.iter().zip(FLAVOURS) {
        assert_eq!(registration.fields.issuer, flavour.issuer());
        assert_eq!(registration.fields.client_id, flavour.client_id());
        assert_eq!(
            registration.fields.auth_endpoint,
            "http://127.0.0.1:48081/auth"
        );
        assert_eq!(registration.fields.jwks_url, "http://127.0.0.1:48081/jwks");
        assert!(registration.fields.allow_http);
        assert!(!registration.fields.auto_register_deployments);
        assert_eq!(deployment.deployment_id, flavour.deployment_id());
        assert_eq!(deployment.origin, DeploymentOrigin::Admin);
        assert_eq!(deployment.registration_id, registration.id);
    }
    assert_eq!(first[0].0.fields.platform_family, PlatformFamily::Canvas);
    assert_eq!(first[1].0.fields.platform_family, PlatformFamily::Moodle);

    // A restart: another port, another key; same rows, new URLs.
    let second = register_with_tool(store.as_ref(), &platform(48091), 2_000)
        .await
        .expect("second registration");
    let all = store.registrations().await.expect("list");
    assert_eq!(all.len(), 2, "no duplicate registrations");
    for (registration, _) in &second {
        assert_eq!(registration.fields.jwks_url, "http://127.0.0.1:48091/jwks");
        let stored = store
            .registration(&registration.fields.issuer, &registration.fields.client_id)
            .await
            .expect("lookup")
            .expect("stored");
        assert_eq!(stored.fields.auth_endpoint, "http://127.0.0.1:48091/auth");
        assert_eq!(stored.id, registration.id);
        let deployments = store.deployments(stored.id).await.expect("deployments");
        assert_eq!(deployments.len(), 1);
    }
    let moodle = store
        .registration(Flavour::Moodle.issuer(), Flavour::Moodle.client_id())
        .await
        .expect("lookup")
        .expect("stored");
    assert_eq!(moodle.created_at, 1_000, "updated, not re-created");
    drop(store);
    remove_db(&file);
}
