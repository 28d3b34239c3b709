//! Deep Linking 2.0 end to end through the whole app (tower `oneshot`, a real SQLite store, the
//! platform JWKS on a real loopback HTTP server), with the 1EdTech RI's recorded request
//! (`claims/ri-deep-linking.json`, given a course Instructor role): the instructor's launch shows
//! the picker of the course's published items; posting a choice answers a form to
//! `deep_link_return_url` whose `JWT` verifies with the tool's published JWKS and carries the
//! claims of `spec/lti.md` §7 (data echoed); a later learner launch of the placed link opens
//! that assessment (by its custom parameter, then by its resource link alone). Cancel sends no
//! items; a learner's session cannot answer.

mod app_support;
mod lti_support;

use app_support::{NOW, TestDir, body_bytes, header_of, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cairn::definition::CredentialDefinition;
use cairn_lti::AppState;
use cairn_lti::store::records::{DefinitionRow, DefinitionStatus};
use cairn_lti::store::{DeploymentOrigin, NewRegistration, PlatformFamily, RegistrationId};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use lti_support::mutate::{build_launch, load_claims, standard_payload};
use lti_support::tool::{script_json, serve_platform_jwks, unescape};
use serde_json::{Value, json};

const LAUNCH_URL: &str = "https://tool.test/lti/launch";
const DL: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/";
const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";
const LINE_ITEMS: &str = "https://platform.test/lineitems?type_id=1";
const PLACED_LINE_ITEM: &str = "https://platform.test/lineitems/5/lineitem?type_id=1";
const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

/// The RI world: registration, deployment, the tool's keys and one published credential in
/// the RI's course.
struct World {
    state: AppState,
    registration_id: RegistrationId,
    context: String,
    fixture: Value,
    claims: serde_json::Map<String, Value>,
    _dir: TestDir,
}

impl World {
    async fn new() -> World {
        let dir = TestDir::new();
        let state = dir.state().await;
        let (claims, fixture) = load_claims("ri-deep-linking");
        let registration = &fixture["registration"];
        let row = state
            .store
            .add_registration(
                &NewRegistration {
                    issuer: registration["iss"].as_str().expect("iss").to_owned(),
                    client_id: registration["client_id"]
                        .as_str()
                        .expect("client")
                        .to_owned(),
                    auth_endpoint: "https://lti-ri.imsglobal.org/platforms/5387/authorizations/new"
                        .into(),
                    token_endpoint: "https://lti-ri.imsglobal.org/platforms/5387/access_tokens"
                        .into(),
                    jwks_url: serve_platform_jwks().await,
                    client_assertion_audience: None,
                    platform_family: PlatformFamily::Other,
                    auto_register_deployments: false,
                    allow_http: false,
                },
                NOW,
            )
            .await
            .expect("register");
        state
            .store
            .add_deployment(
                row.id,
                registration["deployment_id"].as_str().expect("deployment"),
                DeploymentOrigin::Admin,
                NOW,
            )
            .await
            .expect("deployment");
        let kek = state.kek.clone().expect("the test state has a KEK");
        cairn_lti::keys::ensure(state.store.as_ref(), &kek, NOW)
            .await
            .expect("tool keys");
        let context = claims[&format!("{LTI}context")]["id"]
            .as_str()
            .expect("context id")
            .to_owned();
        publish(&state, row.id, &context).await;
        World {
            state,
            registration_id: row.id,
            context,
            fixture,
            claims,
            _dir: dir,
        }
    }

    /// Login then launch with `payload_edit` applied to the recorded claims; the page.
    async fn launch(&self, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
        let registration = &self.fixture["registration"];
        let sub = self.claims["sub"].as_str().expect("sub");
        let params = [
            ("iss", registration["iss"].as_str().expect("iss")),
            ("client_id", registration["client_id"].as_str().expect("c")),
            (
                "lti_deployment_id",
                registration["deployment_id"].as_str().expect("d"),
            ),
            ("login_hint", sub),
            ("lti_message_hint", "fixture"),
            ("target_link_uri", LAUNCH_URL),
        ];
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let response = send(
            &self.state,
            Request::post("/lti/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = url::Url::parse(&header_of(&response, header::LOCATION)).expect("URL");
        let query = |name: &str| {
            location
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .expect("auth request parameter")
        };
        let (state_value, nonce) = (query("state"), query("nonce"));
        let mut claims = self.claims.clone();
        edit(&mut claims);
        let payload = standard_payload(&claims, &self.fixture, NOW, &nonce, LAUNCH_URL);
        let built = build_launch(payload, &[], NOW, &state_value);
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&built.form)
            .finish();
        let response = send(
            &self.state,
            Request::post("/lti/launch")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(
                    header::COOKIE,
                    format!("__Host-lti_state_{state_value}={state_value}"),
                )
                .body(Body::from(form))
                .expect("request"),
        )
        .await;
        let status = response.status();
        let page = String::from_utf8_lossy(&body_bytes(response).await).into_owned();
        assert_eq!(status, StatusCode::OK, "{page}");
        page
    }

    /// Posts the picker form; the status, CSP and body.
    async fn respond(&self, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let response = send(
            &self.state,
            Request::post("/lti/deep-linking/response")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await;
        let status = response.status();
        let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
        let page = String::from_utf8_lossy(&body_bytes(response).await).into_owned();
        (status, csp, page)
    }

    /// The response JWT's claims, verified with the key the tool's JWKS publishes for its kid.
    async fn verify(&self, jwt: &str) -> Value {
        let response = send(
            &self.state,
            Request::get("/.well-known/jwks.json")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        let jwks: JwkSet = serde_json::from_slice(&body_bytes(response).await).expect("JWKS");
        let header = decode_header(jwt).expect("JWS header");
        assert_eq!(header.alg, Algorithm::RS256);
        let kid = header.kid.expect("the response names its kid");
        let jwk = jwks.find(&kid).expect("the kid is in the tool's JWKS");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[self.fixture["registration"]["iss"].as_str().expect("iss")]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        // The test clock is fixed in the past: the signature and claims are what is checked.
        validation.validate_exp = false;
        decode::<Value>(
            jwt,
            &DecodingKey::from_jwk(jwk).expect("RSA key"),
            &validation,
        )
        .expect("the response verifies with the tool's JWKS")
        .claims
    }
}

async fn publish(state: &AppState, registration_id: RegistrationId, context: &str) {
    let scenario: Value = serde_json::from_str(
        &std::fs::read_to_string(
            lti_support::mutate::fixtures_dir().join("../scenarios/spt-01-first-attempt-pass.json"),
        )
        .expect("scenario"),
    )
    .expect("JSON");
    let definitions: Vec<CredentialDefinition> =
        cairn::definition::parse_definitions(&scenario["definitions"].to_string())
            .expect("definitions");
    for body in definitions {
        let row = DefinitionRow {
            registration_id,
            context_id: context.into(),
            definition_id: body.id.as_str().into(),
            version: body.version.clone(),
            body: body.clone(),
            status: DefinitionStatus::Draft,
            created_by: "teacher".into(),
            created_at: NOW,
            published_at: None,
            archived_at: None,
        };
        state.records.insert_definition(&row).await.expect("insert");
        state
            .records
            .publish_definition(
                registration_id,
                context,
                body.id.as_str(),
                &body.version,
                NOW,
            )
            .await
            .expect("publish");
    }
}

fn as_instructor(claims: &mut serde_json::Map<String, Value>) {
    claims.insert(format!("{LTI}roles"), json!([INSTRUCTOR]));
}

/// `name="…" value="…"` inputs of `name` in a page, unescaped.
fn input_values(page: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    page.match_indices(&marker)
        .map(|(at, _)| {
            let start = at + marker.len();
            let end = start + page[start..].find('"').expect("value end");
            unescape(&page[start..end])
        })
        .collect()
}

fn form_action(page: &str) -> String {
    let start = page.find("action=\"").expect("form action") + "action=\"".len();
    let end = start + page[start..].find('"').expect("end");
    unescape(&page[start..end])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instructor_places_an_assessment_and_a_learner_launch_opens_it() {
    let world = World::new().await;
    let page = world.launch(as_instructor).await;
    assert!(page.contains("id=\"deep-linking\""), "the picker is shown");
    let token = input_values(&page, "token")
        .pop()
        .expect("the picker's token");
    let items = input_values(&page, "item");
    // spt has two assessments and a progress page.
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(
        page.contains("type=\"checkbox\""),
        "the RI accepts multiple"
    );
    let demo = items
        .iter()
        .find(|v| v.contains("SPT-DEMO"))
        .expect("SPT-DEMO is placeable")
        .clone();

    let (status, csp, answer) = world
        .respond(&[("token", &token), ("item", &demo), ("action", "place")])
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let return_url = world.claims[&format!("{DL}deep_linking_settings")]["deep_link_return_url"]
        .as_str()
        .expect("return URL")
        .to_owned();
    assert_eq!(form_action(&answer), return_url);
    assert!(
        csp.contains(&format!("form-action 'self' {return_url}")),
        "{csp}"
    );
    assert!(answer.contains("src=\"/lti/autosubmit.mjs\""));
    assert!(!answer.contains("<script>"), "no inline script");
    let jwt = input_values(&answer, "JWT").pop().expect("the JWT field");
    let claims = world.verify(&jwt).await;

    let registration = &world.fixture["registration"];
    assert_eq!(claims["iss"], registration["client_id"]);
    assert_eq!(claims["aud"], registration["iss"]);
    assert_eq!(
        claims["exp"].as_i64(),
        claims["iat"].as_i64().map(|i| i + 600)
    );
    assert!(claims["nonce"].as_str().is_some_and(|n| n.len() >= 16));
    assert_eq!(
        claims[&format!("{LTI}message_type")],
        "LtiDeepLinkingResponse"
    );
    assert_eq!(claims[&format!("{LTI}version")], "1.3.0");
    assert_eq!(
        claims[&format!("{LTI}deployment_id")],
        registration["deployment_id"]
    );
    assert_eq!(
        claims[&format!("{DL}data")],
        world.claims[&format!("{DL}deep_linking_settings")]["data"]
    );
    let content = claims[&format!("{DL}content_items")]
        .as_array()
        .expect("content items");
    assert_eq!(content.len(), 1);
    let item = &content[0];
    assert_eq!(item["type"], "ltiResourceLink");
    assert_eq!(item["url"], LAUNCH_URL);
    assert_eq!(item["lineItem"]["scoreMaximum"], 300.0);
    assert_eq!(item["lineItem"]["resourceId"], "SPT-DEMO");
    assert_eq!(item["lineItem"]["tag"], "summative");
    let custom = item["custom"].clone();
    assert_eq!(custom["cairn_assessment"], "SPT-DEMO");
    let placement_id = custom["cairn_placement"]
        .as_str()
        .expect("placement")
        .to_owned();

    // The platform creates the link and a learner launches it with the custom parameters.
    let link = json!({"id": "ri-link-1", "title": "Transfer demo"});
    let custom_for_launch = custom.clone();
    let page = world
        .launch(|claims| {
            claims.insert(
                format!("{LTI}message_type"),
                json!("LtiResourceLinkRequest"),
            );
            claims.remove(&format!("{DL}deep_linking_settings"));
            claims.insert(format!("{LTI}roles"), json!([LEARNER]));
            claims.insert(format!("{LTI}resource_link"), link.clone());
            claims.insert(format!("{LTI}custom"), custom_for_launch);
        })
        .await;
    let launch = script_json(&page, "cairn-launch").expect("#cairn-launch");
    assert_eq!(launch["placement"]["id"], placement_id.as_str());
    assert_eq!(launch["placement"]["assessment_id"], "SPT-DEMO");
    assert_eq!(launch["placement"]["view"], "assessment");
    assert!(
        !page.contains("id=\"deep-linking\""),
        "no picker for a learner"
    );

    // Cairn created a column for the assessment before the link was placed (a score sent
    // earlier); the placed link's own line item (the column the platform made from the item's
    // `lineItem`, as Moodle 4.1 does per activity) replaces it when the link is launched.
    let outbox = world.state.store.outbox();
    outbox
        .put_line_item(
            world.registration_id,
            &world.context,
            "SPT-DEMO",
            "https://platform.test/lineitems/3/lineitem?type_id=1",
            NOW,
        )
        .await
        .expect("the line item Cairn created");

    // A later launch without the custom parameters finds it by the bound resource link.
    let page = world
        .launch(|claims| {
            claims.insert(
                format!("{LTI}message_type"),
                json!("LtiResourceLinkRequest"),
            );
            claims.remove(&format!("{DL}deep_linking_settings"));
            claims.insert(format!("{LTI}roles"), json!([LEARNER]));
            claims.insert(format!("{LTI}resource_link"), link);
            claims.insert(
                "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint".into(),
                json!({"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                       "lineitems": LINE_ITEMS, "lineitem": PLACED_LINE_ITEM}),
            );
        })
        .await;
    let launch = script_json(&page, "cairn-launch").expect("#cairn-launch");
    assert_eq!(launch["placement"]["assessment_id"], "SPT-DEMO");
    let stored = outbox
        .line_item(world.registration_id, &world.context, "SPT-DEMO")
        .await
        .expect("line item read");
    assert_eq!(stored.as_deref(), Some(PLACED_LINE_ITEM));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_sends_no_items_and_single_choice_requests_refuse_two() {
    let world = World::new().await;
    let page = world.launch(as_instructor).await;
    let token = input_values(&page, "token").pop().expect("token");
    let (status, _, answer) = world
        .respond(&[("token", &token), ("action", "cancel")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let claims = world
        .verify(&input_values(&answer, "JWT").pop().expect("JWT"))
        .await;
    assert_eq!(claims[&format!("{DL}content_items")], json!([]));

    // accept_multiple false: radios, and two items are answered with errormsg.
    let page = world
        .launch(|claims| {
            as_instructor(claims);
            claims[&format!("{DL}deep_linking_settings")]["accept_multiple"] = json!(false);
        })
        .await;
    assert!(page.contains("type=\"radio\""));
    let token = input_values(&page, "token").pop().expect("token");
    let items = input_values(&page, "item");
    let (status, _, answer) = world
        .respond(&[
            ("token", &token),
            ("item", &items[0]),
            ("item", &items[1]),
            ("action", "place"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    let claims = world
        .verify(&input_values(&answer, "JWT").pop().expect("JWT"))
        .await;
    assert_eq!(claims[&format!("{DL}content_items")], json!([]));
    assert!(claims[&format!("{DL}errormsg")].as_str().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_instructors_deep_linking_session_can_answer() {
    let world = World::new().await;
    // The recorded RI user has an institution role only: the read-only page, no picker.
    let page = world.launch(|_| {}).await;
    assert!(!page.contains("id=\"deep-linking\""));
    let launch = script_json(&page, "cairn-launch").expect("#cairn-launch");
    let token = launch["token"].as_str().expect("token").to_owned();
    let (status, _, answer) = world
        .respond(&[("token", &token), ("action", "cancel")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(answer.contains("not_a_deep_linking_launch"));
    let (status, _, _) = world
        .respond(&[("token", "forged"), ("action", "cancel")])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
