//! Status lists in the API tests: a credential's `BitstringStatusListEntry` of a purpose, the
//! list served by the tool, and the credential checked against a list by the core's verifier
//! and by the oracle.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

use super::{Api, NOW, oracle};

/// The signed status list the tool serves at `path`.
pub async fn status_list(api: &Api, path: &str) -> Value {
    let request = Request::get(path)
        .header(header::ACCEPT, "application/vc+ld+json")
        .body(Body::empty())
        .expect("request");
    let (s, list) = api.raw(request).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list
}

/// The credential's `BitstringStatusListEntry` of `purpose`.
pub fn status_entry<'a>(credential: &'a Value, purpose: &str) -> &'a Value {
    credential["credentialStatus"]
        .as_array()
        .expect("two status entries")
        .iter()
        .find(|e| e["statusPurpose"] == purpose)
        .unwrap_or_else(|| panic!("no {purpose} entry in {credential}"))
}

/// The path of the credential's status list of `purpose` on the tool.
pub fn status_list_path(credential: &Value, purpose: &str) -> String {
    status_entry(credential, purpose)["statusListCredential"]
        .as_str()
        .expect("a status list URL")
        .strip_prefix("https://tool.test")
        .expect("the list is on the tool's public URL")
        .to_owned()
}

/// The credential checked against `list` ten days after the tests' now, by the core's
/// verifier (its error codes) and by the oracle (its verdict).
pub fn verify_with_list(credential: &Value, list: &Value) -> (Vec<String>, Value) {
    let list_text = list.to_string();
    let now = cairn::Timestamp::from_unix_seconds(NOW + 10 * 86_400);
    let report = cairn::credential::verify(
        &credential.to_string(),
        &cairn::credential::VerifyOptions {
            status_list: Some(&list_text),
            ..cairn::credential::VerifyOptions::at(now)
        },
    );
    let codes = report
        .error_codes()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let file = std::env::temp_dir().join(format!(
        "cairn-api-status-list-{}-{}.json",
        std::process::id(),
        credential["id"]
            .as_str()
            .unwrap_or("x")
            .replace([':', '/'], "_")
    ));
    std::fs::write(&file, &list_text).expect("write list");
    let verdict = oracle::verify(
        credential,
        &[
            "--mode",
            "ob",
            "--status-list",
            file.to_str().expect("path"),
        ],
    );
    let _ = std::fs::remove_file(&file);
    (codes, verdict)
}
