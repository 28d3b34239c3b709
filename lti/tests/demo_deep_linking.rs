//! The demo platform and the tool over real loopback HTTP (both servers on their own ports, as
//! `cargo xtask demo` runs them), played by a client that follows the pages as a browser
//! would: on the Moodle flavour the instructor's "Place an assessment" button runs an
//! `LtiDeepLinkingRequest`, Cairn's picker lists the published credential's assessment, the
//! signed answer is posted to the platform's `/deep_links`, which verifies it with the tool's
//! JWKS and places the link; the course page then offers the placed link and a learner's
//! launch of it opens that assessment. The platform's NRPS roster, read with a token from its
//! token endpoint, pages with `Link` and is stored by `sub`.

mod app_support;
mod demo_support;

use std::sync::Arc;

use app_support::TestDir;
use cairn::definition::CredentialDefinition;
use cairn_lti::advantage::roster;
use cairn_lti::demo::people::{Flavour, PEOPLE, is_course_member};
use cairn_lti::demo::run::serve_both;
use cairn_lti::demo::{DemoPlatform, DemoSettings, register_with_tool};
use cairn_lti::store::records::{DefinitionRow, DefinitionStatus};
use demo_support::{Browser, course_form, form_action, inputs, launch_data};
use serde_json::Value;

fn definition() -> CredentialDefinition {
    let scenario: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/fixtures/scenarios/spt-01-first-attempt-pass.json"
        ))
        .expect("scenario"),
    )
    .expect("JSON");
    cairn::definition::parse_definitions(&scenario["definitions"].to_string())
        .expect("definitions")
        .remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_placed_in_the_demo_platform_opens_for_a_learner() {
    let tool_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tool_url = format!(
        "http://localhost:{}",
        tool_listener.local_addr().unwrap().port()
    );
    let platform_url = format!("http://{}", platform_listener.local_addr().unwrap());
    let dir = TestDir::new();
    let state = dir.state_with(&tool_url, false).await;
    let state = state.with_clock(Arc::new(cairn_lti::clock::SystemClock));
    let kek = state.kek.clone().expect("KEK");
    cairn_lti::keys::ensure(state.store.as_ref(), &kek, state.now())
        .await
        .expect("tool keys");
    let platform = DemoPlatform::new(DemoSettings {
        platform_url: platform_url.clone(),
        tool_url: tool_url.clone(),
    })
    .expect("demo platform");
    let rows = register_with_tool(state.store.as_ref(), &platform, state.now())
        .await
        .expect("register");
    let moodle = rows
        .iter()
        .find(|(r, _)| r.fields.client_id == Flavour::Moodle.client_id())
        .expect("Moodle registration")
        .0
        .clone();
    let body = definition();
    state
        .records
        .insert_definition(&DefinitionRow {
            registration_id: moodle.id,
            context_id: "2".into(),
            definition_id: body.id.as_str().into(),
            version: body.version.clone(),
            body: body.clone(),
            status: DefinitionStatus::Draft,
            created_by: "teacher".into(),
            created_at: 1,
            published_at: None,
            archived_at: None,
        })
        .await
        .expect("insert");
    state
        .records
        .publish_definition(moodle.id, "2", body.id.as_str(), &body.version, 2)
        .await
        .expect("publish");
    tokio::spawn(serve_both(
        tool_listener,
        cairn_lti::app(state.clone()),
        platform_listener,
        platform.clone(),
        std::future::pending(),
    ));
    let browser = Browser {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap(),
    };
    let course = format!("{platform_url}/?flavour=moodle");
    let login_url = format!("{tool_url}/lti/login");

    let page = browser
        .text(browser.client.get(&course).send().await.unwrap())
        .await;
    let picker = browser
        .launch(&login_url, &course_form(&page, "Place an assessment"))
        .await;
    assert!(picker.contains("id=\"deep-linking\""), "{picker}");
    let fields = inputs(&picker);
    let token = fields
        .iter()
        .find(|(n, _)| n == "token")
        .expect("token")
        .1
        .clone();
    let demo_item = fields
        .iter()
        .find(|(n, v)| n == "item" && v.contains("SPT-DEMO"))
        .expect("the summative is placeable")
        .1
        .clone();
    let answer = browser
        .client
        .post(format!("{tool_url}/lti/deep-linking/response"))
        .form(&[
            ("token", token.as_str()),
            ("item", &demo_item),
            ("action", "place"),
        ])
        .send()
        .await
        .unwrap();
    let answer = browser.text(answer).await;
    assert_eq!(form_action(&answer), format!("{platform_url}/deep_links"));
    let placed = browser
        .client
        .post(form_action(&answer))
        .form(&inputs(&answer))
        .send()
        .await
        .unwrap();
    let placed = browser.text(placed).await;
    assert!(placed.contains("data-placed=\"1\""), "{placed}");

    // The course page now offers the placed link; a learner opens it.
    let page = browser
        .text(browser.client.get(&course).send().await.unwrap())
        .await;
    let learner = &PEOPLE[1];
    let label = format!("as {}", learner.label());
    let item = page
        .split("<li>")
        .find(|piece| piece.contains("Open ") && piece.contains(&label))
        .expect("a placed link button for the learner");
    let tool_page = browser.launch(&login_url, &inputs(item)).await;
    let launch = launch_data(&tool_page);
    assert_eq!(launch["placement"]["assessment_id"], "SPT-DEMO", "{launch}");
    assert_eq!(launch["placement"]["definition_id"], body.id.as_str());
    assert_eq!(launch["roles"], serde_json::json!(["learner"]));

    // The platform's roster through the tool's token client (client assertion verified by the
    // platform), paged, stored by sub.
    let source = roster::RosterSource {
        registration: moodle.clone(),
        context_id: "2".into(),
        memberships_url: format!(
            "{platform_url}/moodle/mod/lti/services.php/CourseSection/2/bindings/1/memberships"
        ),
        rlid: None,
    };
    let change = roster::refresh(&state, &source).await.expect("roster");
    // The course's instructor and learners; the LMS admin is not enrolled.
    let enrolled = PEOPLE.iter().filter(|p| is_course_member(p)).count();
    assert_eq!(enrolled, PEOPLE.len() - 1);
    assert_eq!(change.listed as usize, enrolled);
    let (_, members) = state
        .store
        .advantage()
        .roster(moodle.id, "2")
        .await
        .expect("stored roster");
    assert_eq!(members.len(), enrolled);
    let sam = members
        .iter()
        .find(|m| m.user_sub == learner.sub(Flavour::Moodle))
        .expect("the learner is listed");
    assert_eq!(sam.roles, ["learner"]);
    assert_eq!(sam.name.as_deref(), Some(learner.name));
    // Without a token of its own, the platform refuses.
    let refused = roster::fetch(&browser.client, "forged", &source.memberships_url, None).await;
    assert_eq!(refused.unwrap_err().code(), "nrps_status");
}
