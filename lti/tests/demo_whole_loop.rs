//! The whole loop of `cargo xtask demo` over real HTTP: the `cairn-lti demo --sample-course`
//! binary (what the xtask runs) in a temporary folder on free ports, played by a client that
//! follows the pages as a browser would. The Moodle flavour's instructor places the sample's
//! exam by Deep Linking; the learner launches the placed link (the launch names the exam),
//! enrols and answers the exam through the API as the learner view does; Cairn's score
//! outbox posts the score to the demo platform's AGS endpoints, and the demo gradebook (its
//! JSON and the page the course links to) shows it. Also: the sample is put in each course once.

mod app_support;
mod demo_support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cairn_lti::demo::people::{CourseRole, Flavour, PEOPLE};
use cairn_lti::demo::sample;
use cairn_lti::demo::{DemoPlatform, DemoSettings, register_with_tool};
use demo_support::{Browser, course_form, form_action, inputs, launch_data};
use serde_json::{Value, json};

/// The running demo; killed (and its folder removed) on drop.
struct Demo {
    child: Child,
    dir: PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts the binary as `cargo xtask demo` does (free ports, its own folder); the course URL.
fn start_demo() -> (Demo, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("demo-whole-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the demo folder");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn-lti"))
        .args([
            "demo",
            "--tool-port",
            "0",
            "--platform-port",
            "0",
            "--sample-course",
        ])
        .arg("--www")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www"))
        .arg("--database-url")
        .arg(dir.join("demo.sqlite3"))
        .env("RUST_LOG", "warn")
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cairn-lti demo");
    let stdout = child.stdout.take().expect("stdout");
    let (found, url) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("Demo course: ") {
                let _ = found.send(rest.split_whitespace().next().unwrap_or("").to_owned());
            }
        }
    });
    let demo = Demo { child, dir };
    let url = url
        .recv_timeout(Duration::from_secs(60))
        .expect("`cairn-lti demo` printed the course URL");
    (demo, url)
}

fn attribute(page: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let start = page.find(&marker).expect(name) + marker.len();
    let end = start + page[start..].find('"').expect("end");
    page[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_places_an_exam_a_learner_answers_it_and_the_gradebook_shows_the_score() {
    let (_demo, course_url) = start_demo();
    let platform_url = course_url.trim_end_matches('/').to_owned();
    let browser = Browser::new();
    let course = format!("{platform_url}/?flavour=moodle");
    let page = browser
        .text(browser.client.get(&course).send().await.unwrap())
        .await;
    let tool_url = attribute(&page, "data-tool-origin");
    assert!(
        page.contains("href=\"/gradebook\"") && page.contains("id=\"whole-loop\""),
        "the course links its gradebook and says how to walk the loop"
    );
    let login_url = format!("{tool_url}/lti/login");

    // The instructor places the sample's exam with the LMS's picker.
    let picker = browser
        .launch(&login_url, &course_form(&page, "Place an assessment"))
        .await;
    let fields = inputs(&picker);
    let field = |name: &str, containing: &str| {
        fields
            .iter()
            .find(|(n, v)| n == name && v.contains(containing))
            .unwrap_or_else(|| panic!("no {name} with {containing:?} in the picker: {picker}"))
            .1
            .clone()
    };
    let token = field("token", "");
    let exam = field("item", "\"EXAM\"");
    let answer = browser
        .client
        .post(format!("{tool_url}/lti/deep-linking/response"))
        .form(&[
            ("token", token.as_str()),
            ("item", &exam),
            ("action", "place"),
        ])
        .send()
        .await
        .unwrap();
    let answer = browser.text(answer).await;
    let placed = browser
        .client
        .post(form_action(&answer))
        .form(&inputs(&answer))
        .send()
        .await
        .unwrap();
    let placed = browser.text(placed).await;
    assert!(placed.contains("data-placed=\"1\""), "{placed}");

    // A learner launches the placed link: it opens the exam.
    let learner = PEOPLE
        .iter()
        .find(|p| p.role == CourseRole::Learner)
        .expect("a learner");
    let page = browser
        .text(browser.client.get(&course).send().await.unwrap())
        .await;
    let label = format!("as {}", learner.label());
    let button = page
        .split("<li>")
        .find(|piece| piece.contains("Open ") && piece.contains(&label))
        .expect("the placed link's button for the learner");
    let tool_page = browser.launch(&login_url, &inputs(button)).await;
    let launch = launch_data(&tool_page);
    assert_eq!(launch["placement"]["assessment_id"], "EXAM", "{launch}");
    assert_eq!(launch["placement"]["definition_id"], "demo-first-aid");
    let token = launch["token"].as_str().expect("the page's API token");

    // The learner view's calls: the items (no key), enrol, answer (4 of 5 right).
    let api = |method: reqwest::Method, path: &str| {
        browser
            .client
            .request(method, format!("{tool_url}{path}"))
            .bearer_auth(token)
    };
    let items: Value = api(reqwest::Method::GET, "/api/item-sets/EXAM")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(items["items"].as_array().map(Vec::len), Some(5), "{items}");
    assert!(
        !items.to_string().contains("\"key\""),
        "no answer key: {items}"
    );
    let enrolled = api(reqwest::Method::POST, "/api/me/enrolments")
        .json(&json!({"credential": "demo-first-aid"}))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), reqwest::StatusCode::CREATED);
    let answers = json!({"answers": {"q1": "a", "q2": "a", "q3": "a", "q4": "a", "q5": "b"}});
    let started = Instant::now();
    let answered = api(reqwest::Method::POST, "/api/me/item-sets/EXAM/answers")
        .json(&answers)
        .send()
        .await
        .unwrap();
    let status = answered.status();
    assert_eq!(
        status,
        reqwest::StatusCode::CREATED,
        "{}",
        answered.text().await.unwrap_or_default()
    );

    // The score lands in the demo gradebook (the time it took is printed, not asserted).
    let user = learner.sub(Flavour::Moodle);
    let book = loop {
        let book: Value = browser
            .client
            .get(format!("{platform_url}/gradebook.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let landed = book["scores"]
            .as_array()
            .is_some_and(|rows| rows.iter().any(|r| r["user_id"] == user));
        if landed {
            println!(
                "demo loop: answer posted to score in the gradebook in {} ms (polled every 100 ms)",
                started.elapsed().as_millis()
            );
            break book;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no score in the gradebook after 30 s: {book:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let row = book["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == user)
        .unwrap();
    let scores = row["scores"].as_array().expect("scores");
    assert_eq!(scores.len(), 1, "{book:#}");
    assert_eq!(scores[0]["scoreGiven"], 8);
    assert_eq!(scores[0]["scoreMaximum"], 10);
    assert_eq!(scores[0]["activityProgress"], "Completed");
    assert_eq!(scores[0]["gradingProgress"], "FullyGraded");
    let item = book["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == row["line_item"])
        .expect("the score's line item");
    assert_eq!(item["item"]["resourceId"], "EXAM");
    assert_eq!(item["item"]["label"], "First aid exam");
    let shown = browser
        .text(
            browser
                .client
                .get(format!("{platform_url}/gradebook"))
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert!(
        shown.contains("First aid exam (Moodle 4.1)") && shown.contains("8 / 10"),
        "{shown}"
    );
}

#[tokio::test]
async fn the_sample_is_put_in_each_demo_course_once() {
    let dir = app_support::TestDir::new();
    let state = dir.state().await;
    let platform = DemoPlatform::new(DemoSettings {
        platform_url: "http://127.0.0.1:48081".to_owned(),
        tool_url: "http://localhost:48080".to_owned(),
    })
    .expect("demo platform");
    let rows = register_with_tool(state.store.as_ref(), &platform, 10)
        .await
        .expect("register");
    let registrations: Vec<_> = rows.into_iter().map(|(r, _)| r).collect();
    let seeded = sample::seed(state.store.as_ref(), &registrations, 20)
        .await
        .expect("seed");
    assert_eq!(seeded, 2);
    assert_eq!(
        sample::seed(state.store.as_ref(), &registrations, 30)
            .await
            .expect("seed again"),
        0,
        "a course that has the sample keeps it"
    );
    for registration in &registrations {
        let flavour = Flavour::by_client_id(&registration.fields.client_id).unwrap();
        let published = state
            .store
            .records()
            .published_definitions(registration.id, flavour.context_id())
            .await
            .unwrap();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].definition_id, "demo-first-aid");
        let set = state
            .store
            .api_rows()
            .item_set(registration.id, flavour.context_id(), "EXAM")
            .await
            .unwrap()
            .expect("the exam's item set");
        assert_eq!(set.body["items"].as_array().map(Vec::len), Some(5));
    }
}
