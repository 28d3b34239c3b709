//! NRPS over real loopback HTTP: the recorded pages of `services/nrps-pages.json` are served
//! at their recorded paths and queries (the next URL must be requested exactly as the `Link`
//! header gave it, mixed case kept); the fetch sends the membership media type and the bearer
//! token, makes exactly the recorded number of requests and gives the expected roster, which
//! is stored by `(registration, sub)`; a later fetch that no longer lists a member marks them
//! left, and `/api/roster/members` and the learner grid show it.

mod app_support;
mod lti_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use app_support::{NOW, TestDir};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_lti::advantage::{nrps, roster};
use cairn_lti::api::members::Enrolment;
use cairn_lti::store::{NewRegistration, PlatformFamily};
use lti_support::mutate::read_json;
use serde_json::Value;

const TOKEN: &str = "nrps-test-token";

#[derive(Clone)]
struct Recorded {
    pages: Arc<Vec<Value>>,
    /// Members dropped from the last page (a later fetch).
    drop_last: Arc<AtomicUsize>,
    hits: Arc<AtomicUsize>,
}

async fn serve_page(
    State(recorded): State<Recorded>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    recorded.hits.fetch_add(1, Ordering::SeqCst);
    if headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) != Some(nrps::MEDIA_TYPE) {
        return (StatusCode::NOT_ACCEPTABLE, "wrong Accept").into_response();
    }
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return (StatusCode::UNAUTHORIZED, "no token").into_response();
    }
    let asked = uri.to_string();
    let count = recorded.pages.len();
    for (at, page) in recorded.pages.iter().enumerate() {
        let url = url::Url::parse(page["request"]["url"].as_str().unwrap()).unwrap();
        let recorded_path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        if recorded_path != asked {
            continue;
        }
        let response = &page["response"];
        let mut body = response["body"].clone();
        if at + 1 == count {
            let members = body["members"].as_array_mut().unwrap();
            let keep = members.len() - recorded.drop_last.load(Ordering::SeqCst);
            members.truncate(keep);
        }
        let mut answer =
            ([(header::CONTENT_TYPE, nrps::MEDIA_TYPE)], body.to_string()).into_response();
        if let Some(link) = response["headers"]["Link"].as_str() {
            // Point the recorded host at this server, path and query untouched.
            let local = link.replace("https://lms.test", &recorded_origin(&headers));
            answer
                .headers_mut()
                .insert(header::LINK, local.parse().unwrap());
        }
        return answer;
    }
    (StatusCode::NOT_FOUND, format!("not recorded: {asked}")).into_response()
}

fn recorded_origin(headers: &HeaderMap) -> String {
    format!(
        "http://{}",
        headers.get(header::HOST).unwrap().to_str().unwrap()
    )
}

async fn platform() -> (String, Recorded) {
    let doc = read_json("services/nrps-pages.json");
    let recorded = Recorded {
        pages: Arc::new(doc["pages"].as_array().unwrap().clone()),
        drop_last: Arc::new(AtomicUsize::new(0)),
        hits: Arc::new(AtomicUsize::new(0)),
    };
    let router = axum::Router::new()
        .fallback(serve_page)
        .with_state(recorded.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}"), recorded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recorded_pages_are_followed_and_stored_and_leavers_are_marked() {
    let doc = read_json("services/nrps-pages.json");
    let (origin, recorded) = platform().await;
    let first = doc["pages"][0]["request"]["url"]
        .as_str()
        .unwrap()
        .replace("https://lms.test", &origin);
    // The first URL already names rlid: it is not added twice.
    let memberships = first.split('?').next().unwrap().to_owned();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    let members = roster::fetch(&client, TOKEN, &first, Some("Ab9"))
        .await
        .unwrap();
    assert_eq!(
        recorded.hits.load(Ordering::SeqCst),
        doc["expected_requests"].as_u64().unwrap() as usize
    );
    let expected = doc["expected_roster"].as_array().unwrap();
    let ids: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
    let want: Vec<&str> = expected
        .iter()
        .map(|m| m["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, want);

    let dir = TestDir::new();
    let state = dir.state().await;
    let registration = state
        .store
        .add_registration(
            &NewRegistration::example("https://lms.test", "nrps-client", PlatformFamily::Canvas),
            NOW,
        )
        .await
        .unwrap();
    let context = doc["pages"][0]["response"]["body"]["context"]["id"]
        .as_str()
        .unwrap();
    let change = roster::store_roster(
        state.store.as_ref(),
        registration.id,
        context,
        &memberships,
        &members,
        NOW,
    )
    .await
    .unwrap();
    assert_eq!((change.listed, change.left), (4, 0));
    let (fetch, stored) = state
        .store
        .advantage()
        .roster(registration.id, context)
        .await
        .unwrap();
    assert_eq!(fetch.unwrap().fetched_at, NOW);
    for want in expected {
        let member = stored
            .iter()
            .find(|m| m.user_sub == want["user_id"].as_str().unwrap())
            .unwrap();
        assert_eq!(member.is_current(), want["active"].as_bool().unwrap());
        assert_eq!(
            Enrolment::of(member),
            if want["active"].as_bool().unwrap() {
                Enrolment::Active
            } else {
                Enrolment::Inactive
            }
        );
    }

    // Later the platform no longer lists the last member of the last page.
    recorded.drop_last.store(1, Ordering::SeqCst);
    let later = roster::fetch(&client, TOKEN, &first, None).await.unwrap();
    assert_eq!(later.len(), 3);
    let change = roster::store_roster(
        state.store.as_ref(),
        registration.id,
        context,
        &memberships,
        &later,
        NOW + 3600,
    )
    .await
    .unwrap();
    assert_eq!((change.listed, change.left), (3, 1));
    let (_, stored) = state
        .store
        .advantage()
        .roster(registration.id, context)
        .await
        .unwrap();
    assert_eq!(stored.len(), 4, "a leaver is kept");
    let gone = stored.iter().find(|m| m.user_sub == "5").unwrap();
    assert_eq!(gone.left_at, Some(NOW + 3600));
    assert_eq!(Enrolment::of(gone), Enrolment::Left);
    let student = stored.iter().find(|m| m.user_sub == "3").unwrap();
    assert_eq!(student.first_seen_at, NOW);
    assert_eq!(student.last_seen_at, NOW + 3600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_page_is_a_typed_error() {
    let (origin, _) = platform().await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{origin}/api/LTI/Courses/3/Names_And_Roles?rlid=Ab9&limit=2");
    let error = roster::fetch(&client, "wrong", &url, None)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "nrps_status");
    let error = roster::fetch(&client, TOKEN, &format!("{origin}/nothing"), None)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("404"), "{error}");
}
