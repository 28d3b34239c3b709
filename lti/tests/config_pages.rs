//! The registration helpers of `spec/lti.md` §10.2–10.3 through `oneshot`: the Canvas
//! developer-key JSON has the fixture's structure and values for the fixture's public URL,
//! every URL follows the configured public URL (never `Host`), and the Moodle page lists
//! §10.3's values, escaped, as HTML and as JSON.

mod app_support;

use std::collections::BTreeSet;

use app_support::{TestDir, body_bytes, get, header_of, json_of, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

const CANVAS_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/lti/registration/canvas-developer-key.json"
);

fn fixture() -> Value {
    let text = std::fs::read_to_string(CANVAS_FIXTURE).expect("read the Canvas fixture");
    let mut json: Value = serde_json::from_str(&text).expect("fixture is JSON");
    if let Some(object) = json.as_object_mut() {
        object.remove("_fixture");
    }
    json
}

/// Fails where `served` differs from `expected` in structure: object key sets, array
/// lengths, value kinds; and, when `values` is set, in scalar values too.
fn compare(path: &str, expected: &Value, served: &Value, values: bool, skip: &[&str]) {
    if skip.contains(&path) {
        return;
    }
    match (expected, served) {
        (Value::Object(e), Value::Object(s)) => {
            let ek: BTreeSet<_> = e.keys().collect();
            let sk: BTreeSet<_> = s.keys().collect();
            assert_eq!(ek, sk, "keys at {path}");
            for (key, value) in e {
                compare(&format!("{path}/{key}"), value, &s[key], values, skip);
            }
        }
        (Value::Array(e), Value::Array(s)) => {
            assert_eq!(e.len(), s.len(), "length at {path}");
            for (i, (e, s)) in e.iter().zip(s).enumerate() {
                compare(&format!("{path}/{i}"), e, s, values, skip);
            }
        }
        (e, s) => {
            assert_eq!(
                std::mem::discriminant(e),
                std::mem::discriminant(s),
                "kind at {path}: {e} vs {s}"
            );
            if values {
                assert_eq!(e, s, "value at {path}");
            }
        }
    }
}

#[tokio::test]
async fn canvas_json_matches_the_fixture_for_its_public_url() {
    let dir = TestDir::new();
    let state = dir.state_with("https://tool.test", false).await;
    let response = get(&state, "/lti/config/canvas.json").await;
    assert!(header_of(&response, header::CONTENT_TYPE).starts_with("application/json"));
    let (status, served) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    // The icon is the page's own favicon (the fixture's icon.png is not a file Cairn has).
    let icon = "/extensions/0/settings/icon_url";
    compare("", &fixture(), &served, true, &[icon]);
    assert_eq!(
        served["extensions"][0]["settings"]["icon_url"],
        "https://tool.test/favicon.svg"
    );
    let favicon = get(&state, "/favicon.svg").await;
    assert_eq!(favicon.status(), StatusCode::OK, "the icon URL is served");
}

#[tokio::test]
async fn canvas_urls_follow_the_public_url_not_the_host_header() {
    let dir = TestDir::new();
    let state = dir
        .state_with("https://lms-tools.example.edu:8443/cairn", false)
        .await;
    let request = Request::get("/lti/config/canvas.json")
        .header(header::HOST, "evil.test")
        .body(Body::empty())
        .expect("request");
    let (_, served) = json_of(send(&state, request).await).await;
    compare("", &fixture(), &served, false, &[]);
    let base = "https://lms-tools.example.edu:8443/cairn";
    assert_eq!(served["oidc_initiation_url"], format!("{base}/lti/login"));
    assert_eq!(served["target_link_uri"], format!("{base}/lti/launch"));
    assert_eq!(
        served["public_jwk_url"],
        format!("{base}/.well-known/jwks.json")
    );
    assert_eq!(
        served["extensions"][0]["domain"],
        "lms-tools.example.edu:8443"
    );
    assert!(!served.to_string().contains("evil.test"));
    assert!(!served.to_string().contains("tool.test"));
}

#[tokio::test]
async fn moodle_page_lists_the_manual_values_escaped() {
    let dir = TestDir::new();
    let state = dir.state_with("https://tool.test/a&b", false).await;
    let response = get(&state, "/lti/config/moodle").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert!(!header_of(&response, header::CONTENT_SECURITY_POLICY).is_empty());
    let page = String::from_utf8(body_bytes(response).await).expect("utf-8 page");
    for (field, value) in [
        ("Tool URL", "https://tool.test/a&amp;b/lti/launch"),
        (
            "Public keyset",
            "https://tool.test/a&amp;b/.well-known/jwks.json",
        ),
        ("Initiate login URL", "https://tool.test/a&amp;b/lti/login"),
        ("Redirection URI(s)", "https://tool.test/a&amp;b/lti/launch"),
        ("LTI version", "LTI 1.3"),
        ("Public key type", "Keyset URL"),
        ("Default launch container", "Embed, without blocks"),
    ] {
        let row = format!("<th scope=\"row\">{field}</th><td><code>{value}</code></td>");
        assert!(page.contains(&row), "missing row {row}\n{page}");
    }
    assert!(!page.contains("a&b"), "an unescaped & reached the page");
    assert!(!page.contains("<script"), "the page has no script");
}

#[tokio::test]
async fn moodle_json_gives_the_same_values() {
    let dir = TestDir::new();
    let state = dir.state_with("https://tool.test", false).await;
    let (status, json) = json_of(get(&state, "/lti/config/moodle?format=json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["tool_url"], "https://tool.test/lti/launch");
    assert_eq!(json["initiate_login_url"], "https://tool.test/lti/login");
    assert_eq!(
        json["public_keyset_url"],
        "https://tool.test/.well-known/jwks.json"
    );
    assert_eq!(json["redirection_uris"][0], "https://tool.test/lti/launch");
    let fields = json["fields"].as_array().expect("fields");
    let content_selection = fields
        .iter()
        .find(|f| f["field"] == "Content Selection URL")
        .expect("a Content Selection URL row");
    assert_eq!(content_selection["value"], "https://tool.test/lti/launch");
}
