//! The AGS client (`spec/lti.md` §8.2–8.3) replaying `../shared/fixtures/lti/services/`
//! `ags-lineitems.json` and `ags-scores.json` against a loopback platform that answers as
//! recorded: the requests' method, path and query (the fixture's host swapped for the
//! loopback one), media types, `User-Agent` and bearer token, the line item and score JSON,
//! the `/scores` and `/results` URL vectors, Link paging, and the classification of every
//! recorded refusal into what the outbox does.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use cairn_lti::advantage::ags::{AgsClient, Failure};
use cairn_lti::advantage::ags_types::{LineItem, Score, service_url};
use cairn_lti::advantage::token::{TokenClient, TokenEndpoint};
use cairn_lti::clock::ManualClock;
use cairn_lti::keys::ToolSigningKey;
use cairn_lti::platform;
use cairn_lti::store::PlatformFamily;
use serde_json::{Value, json};

const PUBLIC_URL: &str = "https://tool.test";

fn shared(path: &str) -> Vec<u8> {
    let path = format!("{}/../../shared/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn fixture(name: &str) -> Value {
    serde_json::from_slice(&shared(&format!("fixtures/lti/services/{name}"))).unwrap()
}

/// One recorded request.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path_and_query: String,
    headers: HeaderMap,
    body: Bytes,
}

/// A recorded answer: status, headers, body.
type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// A loopback platform: answers by `METHOD path?query`, records every request.
#[derive(Default)]
struct Platform {
    answers: Mutex<BTreeMap<String, Answer>>,
    seen: Mutex<Vec<Seen>>,
}

impl Platform {
    fn answer(
        &self,
        method: &str,
        path_and_query: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &Value,
    ) {
        let headers = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let body = if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(body).unwrap()
        };
        self.answers.lock().unwrap().insert(
            format!("{method} {path_and_query}"),
            (status, headers, body),
        );
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn handle(
    State(platform): State<Arc<Platform>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path_and_query = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    platform.seen.lock().unwrap().push(Seen {
        method: method.clone(),
        path_and_query: path_and_query.clone(),
        headers,
        body: body.clone(),
    });
    if path_and_query == "/token" {
        // The recorded answer, granting the scope asked for (the client asks per operation).
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        let mut token = fixture("token.json")["response"]["body"].clone();
        token["scope"] = json!(form.get("scope").cloned().unwrap_or_default());
        return Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(serde_json::to_vec(&token).unwrap()))
            .unwrap();
    }
    let key = format!("{method} {path_and_query}");
    let answer = platform.answers.lock().unwrap().get(&key).cloned();
    let (status, headers, body) = answer.unwrap_or((404, Vec::new(), b"no such answer".to_vec()));
    let mut response = Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (name, value) in headers {
        response = response.header(name, value);
    }
    response.body(Body::from(body)).unwrap()
}

/// The platform on loopback and its origin (`http://127.0.0.1:port`).
async fn start() -> (Arc<Platform>, String) {
    let platform = Arc::new(Platform::default());
    let app = Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&platform));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (platform, origin)
}

fn client() -> AgsClient {
    let http = platform::http_client_builder(PUBLIC_URL)
        .no_proxy()
        .build()
        .unwrap();
    let key = ToolSigningKey::from_pem(
        "test-only-tool-1",
        &shared("fixtures/lti/keys/test-only-tool.private.pem"),
    )
    .unwrap();
    let tokens = TokenClient::new(
        http.clone(),
        Arc::new(ManualClock::new(1_800_000_000)),
        Arc::new(key),
    );
    AgsClient::new(http, Arc::new(tokens))
}

fn token_endpoint(origin: &str) -> TokenEndpoint {
    TokenEndpoint {
        url: format!("{origin}/token"),
        client_id: "cairn".into(),
        audience: None,
    }
}

/// The fixture URL's path and query, and the same URL on the loopback origin.
fn relocate(url: &str, origin: &str) -> (String, String) {
    let parsed = url::Url::parse(url).unwrap();
    let start = parsed.as_str().find(parsed.path()).unwrap();
    let path_and_query = parsed.as_str()[start..].to_owned();
    (path_and_query.clone(), format!("{origin}{path_and_query}"))
}

fn check_common(seen: &Seen, recorded: &Value) {
    let agent = seen.headers[header::USER_AGENT].to_str().unwrap();
    assert_eq!(
        agent,
        format!("Cairn/{} (+{PUBLIC_URL})", cairn_lti::VERSION)
    );
    let bearer = fixture("token.json")["response"]["body"]["access_token"].clone();
    assert_eq!(
        seen.headers[header::AUTHORIZATION].to_str().unwrap(),
        format!("Bearer {}", bearer.as_str().unwrap())
    );
    for (name, value) in recorded["headers"].as_object().unwrap() {
        if ["Authorization", "User-Agent"].contains(&name.as_str()) {
            continue;
        }
        assert_eq!(
            seen.headers[name.as_str()].to_str().unwrap(),
            value.as_str().unwrap(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn line_items_are_listed_found_and_created_as_recorded() {
    let recorded = fixture("ags-lineitems.json");
    let (platform, origin) = start().await;
    let ags = client();
    let endpoint = token_endpoint(&origin);

    // Moodle: the container URL keeps its ?type_id=1; resource_id is appended.
    let moodle = &recorded["moodle41"];
    let (path, _) = relocate(moodle["request"]["url"].as_str().unwrap(), &origin);
    platform.answer("GET", &path, 200, &[], &moodle["response"]["body"]);
    let (_, container) = relocate(
        "https://moodle41.test/mod/lti/services.php/2/lineitems?type_id=1",
        &origin,
    );
    let items = ags
        .line_items(&endpoint, &container, Some("a-456"), None)
        .await
        .unwrap();
    let seen = platform.seen();
    let get = seen.iter().find(|s| s.method == Method::GET).unwrap();
    assert_eq!(get.path_and_query, path);
    check_common(get, &moodle["request"]);
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].id.as_deref(),
        moodle["response"]["body"][0]["id"].as_str(),
        "kept verbatim"
    );
    assert_eq!(items[0].resource_id.as_deref(), Some("a-456"));
    assert_eq!(items[0].score_maximum.to_string(), "50");

    // Canvas: resource_link_id filter, Link header with no next page, extension members ignored.
    let canvas = &recorded["canvas"];
    let (path, _) = relocate(canvas["request"]["url"].as_str().unwrap(), &origin);
    let link = canvas["response"]["headers"]["Link"].as_str().unwrap();
    platform.answer(
        "GET",
        &path,
        200,
        &[("link", link)],
        &canvas["response"]["body"],
    );
    let (_, container) = relocate(
        "https://canvas.home.russfeld.me/api/lti/courses/3/line_items",
        &origin,
    );
    let rlid = "8aa641d1-b4d4-4fea-8a9b-e9fedfb62b1e";
    let items = ags
        .line_items(&endpoint, &container, None, Some(rlid))
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].resource_link_id.as_deref(), Some(rlid));
    let get = platform
        .seen()
        .into_iter()
        .filter(|s| s.method == Method::GET)
        .last()
        .unwrap();
    assert_eq!(get.path_and_query, path);
    check_common(&get, &canvas["request"]);

    // Create: the body is the recorded one, with the line item media type.
    let create = &recorded["create"];
    let (path, url) = relocate(create["request"]["url"].as_str().unwrap(), &origin);
    let mut answer = create["request"]["body"].clone();
    answer["id"] = json!(format!("{origin}/api/lti/courses/3/line_items/9"));
    platform.answer("POST", &path, 200, &[], &answer);
    let wanted: LineItem = serde_json::from_value(create["request"]["body"].clone()).unwrap();
    let created = ags
        .create_line_item(&endpoint, &url, &wanted)
        .await
        .unwrap();
    assert_eq!(created.id, answer["id"].as_str().map(str::to_owned));
    let post = platform
        .seen()
        .into_iter()
        .filter(|s| s.method == Method::POST && s.path_and_query == path)
        .last()
        .unwrap();
    check_common(&post, &create["request"]);
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(body, create["request"]["body"]);
}

#[tokio::test]
async fn link_paging_follows_next_verbatim() {
    let (platform, origin) = start().await;
    let ags = client();
    let item = |n: u32| json!({"id": format!("{origin}/li/{n}"), "scoreMaximum": 10, "label": "L", "resourceId": "a"});
    let next = format!(
        "<{origin}/Items?Page=2&per_page=1>; rel=\"next\", <{origin}/Items?page=1>; rel=\"first\""
    );
    platform.answer(
        "GET",
        "/items?resource_id=a",
        200,
        &[("link", &next)],
        &json!([item(1)]),
    );
    platform.answer(
        "GET",
        "/Items?Page=2&per_page=1",
        200,
        &[],
        &json!([item(2)]),
    );
    let items = ags
        .line_items(
            &token_endpoint(&origin),
            &format!("{origin}/items"),
            Some("a"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        items
            .iter()
            .filter_map(|i| i.id.clone())
            .collect::<Vec<_>>(),
        [format!("{origin}/li/1"), format!("{origin}/li/2")]
    );
}

#[test]
fn score_and_result_urls_follow_the_recorded_vectors() {
    let recorded = fixture("ags-scores.json");
    for vector in recorded["score_url_vectors"].as_array().unwrap() {
        let lineitem = vector["lineitem"].as_str().unwrap();
        assert_eq!(
            service_url(lineitem, "scores"),
            vector["scores"].as_str().unwrap()
        );
        assert_eq!(
            service_url(lineitem, "results"),
            vector["results"].as_str().unwrap()
        );
    }
}

#[tokio::test]
async fn scores_are_posted_as_recorded_and_results_read_back() {
    let recorded = fixture("ags-scores.json");
    let (platform, origin) = start().await;
    let ags = client();
    let endpoint = token_endpoint(&origin);
    for post in recorded["posts"].as_array().unwrap() {
        let Some(request) = post.get("request") else {
            continue;
        };
        let (path, _) = relocate(request["url"].as_str().unwrap(), &origin);
        // The line item URL the scores URL came from (the recorded vectors' inverse).
        let lineitem = recorded["score_url_vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["scores"] == request["url"])
            .map(|v| v["lineitem"].as_str().unwrap().to_owned())
            .unwrap();
        let (_, lineitem) = relocate(&lineitem, &origin);
        platform.answer(
            "POST",
            &path,
            post["response"]["status"].as_u64().unwrap() as u16,
            &[],
            &json!({"resultUrl": "r"}),
        );
        let score: Score = serde_json::from_value(request["body"].clone()).unwrap();
        ags.post_score(&endpoint, &lineitem, &score).await.unwrap();
        let seen = platform
            .seen()
            .into_iter()
            .filter(|s| s.path_and_query == path)
            .last()
            .unwrap();
        check_common(&seen, request);
        let body: Value = serde_json::from_slice(&seen.body).unwrap();
        assert_eq!(body, request["body"], "{}", post["case"]);
    }
    // The PLAR body (no scoreGiven, no scoreMaximum) round-trips exactly too.
    let pending = recorded["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["case"] == "awaiting assessor review (PLAR)")
        .unwrap();
    let score: Score = serde_json::from_value(pending["body"].clone()).unwrap();
    assert_eq!(serde_json::to_value(&score).unwrap(), pending["body"]);

    // Results, Moodle: the user filter appended after type_id.
    let results = &recorded["results_moodle41"];
    let (path, _) = relocate(results["request"]["url"].as_str().unwrap(), &origin);
    platform.answer("GET", &path, 200, &[], &results["response"]["body"]);
    let (_, lineitem) = relocate(
        "https://moodle41.test/mod/lti/services.php/2/lineitems/11/lineitem?type_id=1",
        &origin,
    );
    let read = ags.results(&endpoint, &lineitem, Some("3")).await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(
        (
            read[0].user_id.as_str(),
            read[0].result_score,
            read[0].result_maximum
        ),
        ("3", Some(42.0), Some(50.0))
    );
    let seen = platform
        .seen()
        .into_iter()
        .filter(|s| s.path_and_query == path)
        .last()
        .unwrap();
    check_common(&seen, &results["request"]);
}

#[tokio::test]
async fn recorded_refusals_are_classified_as_the_fixture_handles_them() {
    let recorded = fixture("ags-scores.json");
    let (platform, origin) = start().await;
    let ags = client();
    let endpoint = token_endpoint(&origin);
    let score: Score = serde_json::from_value(json!({
        "userId": "3", "scoreGiven": 1, "scoreMaximum": 2, "activityProgress": "Completed",
        "gradingProgress": "FullyGraded", "timestamp": "2026-11-22T19:00:00.000+00:00"
    }))
    .unwrap();
    let mut checked = 0;
    for (i, post) in recorded["posts"].as_array().unwrap().iter().enumerate() {
        let Some(handling) = post["handling"].as_str() else {
            continue;
        };
        let status = post["response"]["status"].as_u64().unwrap() as u16;
        let body = post["response"]
            .get("body_contains")
            .map(|text| json!({"errors": [{"message": text}]}))
            .or_else(|| post["response"].get("body").cloned())
            .unwrap_or(Value::Null);
        let path = format!("/li/{i}/scores");
        platform.answer("POST", &path, status, &[], &body);
        let family = match post["platform"].as_str().unwrap() {
            "canvas" => PlatformFamily::Canvas,
            "moodle" => PlatformFamily::Moodle,
            _ => PlatformFamily::Other,
        };
        let err = ags
            .post_score(&endpoint, &format!("{origin}/li/{i}"), &score)
            .await
            .unwrap_err();
        let failure = err.failure(family);
        let expected = if handling.contains("superseded") {
            Failure::OlderTimestamp
        } else if handling.starts_with("bug") {
            Failure::Permanent
        } else if handling.starts_with("policy conflict") {
            Failure::AttemptLimit
        } else {
            Failure::NotGradable
        };
        assert_eq!(failure, expected, "{}: {err}", post["case"]);
        checked += 1;
    }
    assert_eq!(checked, 6);
    // A 401 drops the token and tries once more with a new one.
    platform.answer("POST", "/expired/scores", 401, &[], &Value::Null);
    let before = platform
        .seen()
        .iter()
        .filter(|s| s.path_and_query == "/token")
        .count();
    let err = ags
        .post_score(&endpoint, &format!("{origin}/expired"), &score)
        .await
        .unwrap_err();
    assert_eq!(err.failure(PlatformFamily::Moodle), Failure::Permanent);
    let seen = platform.seen();
    assert_eq!(
        seen.iter()
            .filter(|s| s.path_and_query == "/expired/scores")
            .count(),
        2
    );
    assert_eq!(
        seen.iter().filter(|s| s.path_and_query == "/token").count(),
        before + 1
    );
}
