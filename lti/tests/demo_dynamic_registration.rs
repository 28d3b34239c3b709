//! The demo platform's Dynamic Registration start against the tool, both on loopback as
//! `cargo xtask demo` runs them, played by a client that follows the pages: the platform's
//! `/registration` page (linked from the course) opens the tool's `/lti/register` with its
//! configuration URL and a fresh registration token; the tool shows what it will register, the
//! admin confirms, the tool posts its registration with the token and closes; the platform
//! lists the tool under the client id it gave, and the tool's store holds the registration with
//! the platform's deployment. The token's second use is refused by the platform and shown by
//! the tool; a forged token cannot read the configuration.

mod app_support;
mod demo_support;

use app_support::TestDir;
use cairn_lti::demo::run::serve_both;
use cairn_lti::demo::{DemoPlatform, DemoSettings};
use cairn_lti::store::DeploymentOrigin;
use demo_support::{Browser, form_action, inputs};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_registers_cairn_from_the_demo_platform_with_one_url() {
    let tool_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tool_url = format!(
        "http://localhost:{}",
        tool_listener.local_addr().unwrap().port()
    );
    let platform_url = format!("http://{}", platform_listener.local_addr().unwrap());
    let dir = TestDir::new();
    let state = dir.state_with(&tool_url, false).await;
    let platform = DemoPlatform::new(DemoSettings {
        platform_url: platform_url.clone(),
        tool_url: tool_url.clone(),
    })
    .expect("demo platform");
    tokio::spawn(serve_both(
        tool_listener,
        cairn_lti::app(state.clone()),
        platform_listener,
        platform.clone(),
        std::future::pending(),
    ));
    let browser = Browser::new();
    let get = |url: String| browser.client.get(url).send();

    let course = browser
        .text(get(format!("{platform_url}/")).await.unwrap())
        .await;
    assert!(
        course.contains("href=\"/registration\""),
        "the course links the start"
    );
    let start = browser
        .text(get(format!("{platform_url}/registration")).await.unwrap())
        .await;
    assert!(start.contains("No tool registered yet."), "{start}");
    let action = form_action(&start);
    assert_eq!(action, format!("{tool_url}/lti/register"));
    let fields = inputs(&start);
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1
            .clone()
    };
    let configuration = value("openid_configuration");
    let token = value("registration_token");
    assert_eq!(
        configuration,
        format!("{platform_url}/registration/openid-configuration")
    );

    // A forged token cannot read the configuration; the issued one can (and is not used up).
    let forged = browser
        .client
        .get(&configuration)
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), reqwest::StatusCode::UNAUTHORIZED);

    // The tool shows what it will register.
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    let shown = browser
        .client
        .get(format!("{action}?{query}"))
        .send()
        .await
        .unwrap();
    let shown = browser.text(shown).await;
    assert!(
        shown.contains("Register Cairn with your platform"),
        "{shown}"
    );
    assert!(
        shown.contains("cairn-demo-platform"),
        "the product is shown: {shown}"
    );
    assert!(
        !shown.contains("id=\"host-differs\""),
        "the issuer is the platform's origin"
    );
    let confirm = inputs(&shown);
    assert_eq!(form_action(&shown), "/lti/register");

    // The admin confirms: the registration is posted with the token, stored, and closed.
    let done = browser
        .client
        .post(format!("{tool_url}/lti/register"))
        .form(&confirm)
        .send()
        .await
        .unwrap();
    let done = browser.text(done).await;
    assert!(
        done.contains("data-client-id=\"cairn-demo-dr-1\""),
        "{done}"
    );
    assert!(done.contains("dr-deployment-1"), "{done}");
    assert!(done.contains("/lti/register-close.mjs"));

    let listed: Value = get(format!("{platform_url}/registration.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tools = listed["tools"].as_array().expect("tools");
    assert_eq!(tools.len(), 1, "{listed:#}");
    let tool = &tools[0];
    assert_eq!(tool["client_id"], "cairn-demo-dr-1");
    assert_eq!(tool["client_name"], "Cairn");
    assert_eq!(tool["initiate_login_uri"], format!("{tool_url}/lti/login"));
    assert_eq!(
        tool["redirect_uris"],
        serde_json::json!([format!("{tool_url}/lti/launch")])
    );
    assert_eq!(
        tool["jwks_uri"],
        format!("{tool_url}/.well-known/jwks.json")
    );
    assert!(
        tool["messages"]
            .as_array()
            .unwrap()
            .contains(&Value::from("LtiDeepLinkingRequest")),
        "{listed:#}"
    );
    assert!(
        tool["scope"]
            .as_str()
            .unwrap()
            .contains("https://purl.imsglobal.org/spec/lti-ags/scope/score")
    );

    // The tool keeps the registration, issuer the platform's origin, with its deployment.
    let stored = state
        .store
        .registrations_for_issuer(&platform_url)
        .await
        .expect("registrations");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].fields.client_id, "cairn-demo-dr-1");
    assert_eq!(
        stored[0].fields.auth_endpoint,
        format!("{platform_url}/auth")
    );
    let deployments = state
        .store
        .deployments(stored[0].id)
        .await
        .expect("deployments");
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0].deployment_id, "dr-deployment-1");
    assert_eq!(deployments[0].origin, DeploymentOrigin::DynamicRegistration);

    // The same token again: the platform refuses it and the tool says so.
    let again = browser
        .client
        .post(format!("{tool_url}/lti/register"))
        .form(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), reqwest::StatusCode::BAD_GATEWAY);
    let again = again.text().await.unwrap();
    assert!(again.contains("token_already_used"), "{again}");
    assert_eq!(platform.registrations().registered().len(), 1);

    // The platform's page lists the tool and offers a fresh token.
    let start = browser
        .text(get(format!("{platform_url}/registration")).await.unwrap())
        .await;
    assert!(start.contains("cairn-demo-dr-1"), "{start}");
    let fresh = inputs(&start)
        .into_iter()
        .find(|(n, _)| n == "registration_token")
        .unwrap()
        .1;
    assert_ne!(fresh, token);
}
