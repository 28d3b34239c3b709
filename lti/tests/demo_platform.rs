//! The demo platform on its own, through tower's `oneshot` (no port): the course page's login
//! forms, the auth endpoint's refusals (wrong redirect_uri, missing nonce, wrong
//! response_type, forged hints) and the id_token it posts, verified with jsonwebtoken against
//! the platform's own `/jwks` and checked for the flavour's claims, the nonce and the state.
//! The tool is played by this test: it sends the auth request a tool would send.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cairn_lti::demo::people::Flavour;
use cairn_lti::demo::{DemoPlatform, DemoSettings, platform_app};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use lti_support::tool::{Answer, send_to};
use serde_json::Value;

mod lti_support;

const PLATFORM: &str = "http://127.0.0.1:48081";
const TOOL: &str = "http://localhost:48080";
const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
const LIS: &str = "http://purl.imsglobal.org/vocab/lis/v2/";

fn platform() -> DemoPlatform {
    DemoPlatform::new(DemoSettings {
        platform_url: PLATFORM.to_owned(),
        tool_url: TOOL.to_owned(),
    })
    .expect("demo platform")
}

async fn send(platform: &DemoPlatform, request: Request<Body>) -> Answer {
    send_to(platform_app(platform.clone()), request).await
}

async fn get(platform: &DemoPlatform, uri: &str) -> Answer {
    send(
        platform,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn post_form(platform: &DemoPlatform, uri: &str, pairs: &[(String, String)]) -> Answer {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(encode_pairs(pairs)))
        .expect("request");
    send(platform, request).await
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of `name="…"` inside one tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// Each `<form>` of a page: its opening tag and its hidden inputs in order.
fn forms(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    html.split("<form ")
        .skip(1)
        .map(|chunk| {
            let form = &chunk[..chunk.find("</form>").expect("closed form")];
            let tag = format!(" {}", &form[..form.find('>').expect("tag end")]);
            let inputs = form
                .split("<input ")
                .skip(1)
                .map(|input| {
                    let tag = format!(" {}", &input[..input.find('>').expect("input end")]);
                    (
                        attribute(&tag, "name").expect("input name"),
                        attribute(&tag, "value").expect("input value"),
                    )
                })
                .collect();
            (tag, inputs)
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The login initiation of button `index` on the course page of `flavour`.
async fn login(platform: &DemoPlatform, flavour: Flavour, index: usize) -> Vec<(String, String)> {
    let page = get(platform, &format!("/?flavour={}", flavour.as_str())).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut all = forms(&page.body);
    assert_eq!(
        all.len(),
        cairn_lti::demo::people::PEOPLE.len() + 1,
        "one form per person, then the instructor's Deep Linking launch"
    );
    all.swap_remove(index).1
}

fn random(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buffer).expect("random");
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The auth request a correct tool sends for `login`, with fresh state and nonce.
fn auth_request(login: &[(String, String)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = [
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for name in ["client_id", "login_hint", "lti_message_hint"] {
        let value = field(login, name).expect("login parameter");
        pairs.push((name.to_owned(), value.to_owned()));
    }
    pairs.push(("redirect_uri".to_owned(), format!("{TOOL}/lti/launch")));
    pairs.push(("state".to_owned(), random(16)));
    pairs.push(("nonce".to_owned(), random(16)));
    pairs
}

fn with(
    mut pairs: Vec<(String, String)>,
    name: &str,
    value: Option<&str>,
) -> Vec<(String, String)> {
    pairs.retain(|(key, _)| key != name);
    if let Some(value) = value {
        pairs.push((name.to_owned(), value.to_owned()));
    }
    pairs
}

/// Verifies `token` with the key the platform's `/jwks` publishes, as a tool would.
async fn verify(platform: &DemoPlatform, token: &str, flavour: Flavour) -> Value {
    let jwks = get(platform, "/jwks").await;
    assert_eq!(jwks.status, StatusCode::OK);
    assert!(
        jwks.header(header::CONTENT_TYPE)
            .starts_with("application/json")
    );
    let set: JwkSet = serde_json::from_str(&jwks.body).expect("a JWKS");
    let header = decode_header(token).expect("a JWS header");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("kid in the header");
    let jwk = set.find(&kid).expect("the kid is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[flavour.client_id()]);
    validation.set_issuer(&[flavour.issuer()]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    decode::<Value>(
        token,
        &DecodingKey::from_jwk(jwk).expect("RSA JWK"),
        &validation,
    )
    .expect("the id_token verifies against /jwks")
    .claims
}

#[tokio::test]
async fn the_course_page_offers_a_launch_per_person_into_the_cross_site_frame() {
    let platform = platform();
    for flavour in [Flavour::Canvas, Flavour::Moodle] {
        let page = get(&platform, &format!("/?flavour={}", flavour.as_str())).await;
        assert_eq!(page.status, StatusCode::OK);
        let csp = page.header(header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains(&format!("frame-src 'self' {TOOL}")), "{csp}");
        assert!(csp.contains(&format!("form-action 'self' {TOOL}")), "{csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert!(page.body.contains("<iframe name=\"cairn\""));
        assert!(
            page.body
                .contains("allow=\"geolocation *; microphone *; camera *")
        );
        assert!(page.body.contains("Demo course"));
        assert!(page.body.contains(flavour.label()));
        for name in [
            "Priya Natarajan (instructor)",
            "Sam Okafor (learner)",
            "Jonas Berg (learner)",
            "Ines Duarte (admin)",
        ] {
            assert!(page.body.contains(&format!("Launch as {name}")), "{name}");
        }
        for (tag, fields) in forms(&page.body) {
            assert_eq!(
                attribute(&tag, "action").as_deref(),
                Some(&*format!("{TOOL}/lti/login"))
            );
            assert_eq!(attribute(&tag, "target").as_deref(), Some("cairn"));
            assert_eq!(attribute(&tag, "method").as_deref(), Some("post"));
            assert_eq!(field(&fields, "iss"), Some(flavour.issuer()));
            assert_eq!(field(&fields, "client_id"), Some(flavour.client_id()));
            assert_eq!(
                field(&fields, "lti_deployment_id"),
                Some(flavour.deployment_id())
            );
            assert_eq!(
                field(&fields, "target_link_uri"),
                Some(&*format!("{TOOL}/lti/launch"))
            );
            assert!(field(&fields, "login_hint").is_some_and(|v| !v.is_empty()));
            let storage = field(&fields, "lti_storage_target");
            match flavour {
                Flavour::Canvas => assert_eq!(storage, Some("post_message_forwarding")),
                Flavour::Moodle => assert_eq!(storage, None),
            }
        }
    }
    // The é of "Léa" survives, and the name is on the Moodle page too.
    assert!(
        get(&platform, "/?flavour=moodle")
            .await
            .body
            .contains("Léa Martin")
    );
}

#[tokio::test]
async fn a_canvas_instructor_launch_posts_a_verifiable_id_token_with_nonce_and_state() {
    let platform = platform();
    let login = login(&platform, Flavour::Canvas, 0).await;
    let request = auth_request(&login);
    let answer = get(&platform, &format!("/auth?{}", encode_pairs(&request))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.header(header::CACHE_CONTROL), "no-store");
    assert!(
        answer
            .header(header::CONTENT_SECURITY_POLICY)
            .contains(&format!("form-action {TOOL}"))
    );
    let (tag, fields) = forms(&answer.body).remove(0);
    assert_eq!(
        attribute(&tag, "action").as_deref(),
        Some(&*format!("{TOOL}/lti/launch"))
    );
    assert_eq!(attribute(&tag, "method").as_deref(), Some("post"));
    assert_eq!(field(&fields, "state"), field(&request, "state"));
    assert_eq!(
        field(&fields, "lti_storage_target"),
        Some("post_message_forwarding")
    );
    assert!(
        field(&fields, "authenticity_token").is_some(),
        "Canvas's extra field"
    );

    let claims = verify(
        &platform,
        field(&fields, "id_token").expect("id_token"),
        Flavour::Canvas,
    )
    .await;
    assert_eq!(claims["nonce"].as_str(), field(&request, "nonce"));
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 3600);
    assert_eq!(claims["azp"], Flavour::Canvas.client_id());
    assert_eq!(claims["name"], "Priya Natarajan");
    assert_eq!(
        claims[format!("{LTI}deployment_id")],
        Flavour::Canvas.deployment_id()
    );
    assert_eq!(
        claims[format!("{LTI}message_type")],
        "LtiResourceLinkRequest"
    );
    assert_eq!(claims[format!("{LTI}version")], "1.3.0");
    assert_eq!(
        claims[format!("{LTI}target_link_uri")],
        format!("{TOOL}/lti/launch")
    );
    assert_eq!(claims[format!("{LTI}context")]["title"], "Demo course");
    assert_eq!(
        claims[format!("{LTI}tool_platform")]["product_family_code"],
        "canvas"
    );
    let roles: Vec<&str> = claims[format!("{LTI}roles")]
        .as_array()
        .expect("roles array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(roles.contains(&&*format!("{LIS}membership#Instructor")));
    assert!(roles.contains(&&*format!("{LIS}institution/person#Instructor")));
    let ags = &claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"];
    assert!(ags["lineitems"].as_str().unwrap().starts_with(PLATFORM));
    let nrps = &claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"];
    assert!(
        nrps["context_memberships_url"]
            .as_str()
            .unwrap()
            .starts_with(PLATFORM)
    );
}

#[tokio::test]
async fn a_moodle_learner_launch_by_post_has_moodle_claims() {
    let platform = platform();
    let login = login(&platform, Flavour::Moodle, 1).await;
    let hint: Value = serde_json::from_str(field(&login, "lti_message_hint").unwrap())
        .expect("Moodle's hint is JSON text");
    assert_eq!(hint["cmid"], 1);
    let request = auth_request(&login);
    let answer = post_form(&platform, "/auth", &request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let (_, fields) = forms(&answer.body).remove(0);
    assert_eq!(
        field(&fields, "lti_storage_target"),
        None,
        "Moodle has no platform storage"
    );
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["id_token", "state"]);
    let claims = verify(
        &platform,
        field(&fields, "id_token").unwrap(),
        Flavour::Moodle,
    )
    .await;
    assert_eq!(claims["nonce"].as_str(), field(&request, "nonce"));
    assert_eq!(field(&fields, "state"), field(&request, "state"));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    assert_eq!(claims["sub"], "3");
    assert!(claims.get("azp").is_none());
    assert_eq!(
        claims[format!("{LTI}roles")],
        serde_json::json!([format!("{LIS}membership#Learner")])
    );
    assert_eq!(
        claims[format!("{LTI}context")]["type"],
        serde_json::json!(["CourseSection"])
    );
    assert_eq!(claims[format!("{LTI}custom")]["username"], "sokafor");
    let ags = &claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"];
    assert!(ags["lineitem"].as_str().unwrap().ends_with("?type_id=1"));
}

#[tokio::test]
async fn a_wrong_redirect_uri_is_an_error_page_and_nothing_is_posted() {
    let platform = platform();
    let login = login(&platform, Flavour::Moodle, 0).await;
    for wrong in [
        format!("{TOOL}/lti/launch/"),
        format!("{TOOL}/lti/launch?x=1"),
        "https://attacker.test/lti/launch".to_owned(),
    ] {
        let request = with(auth_request(&login), "redirect_uri", Some(&wrong));
        let answer = post_form(&platform, "/auth", &request).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{wrong}");
        assert!(answer.body.contains("invalidrequest"));
        assert!(forms(&answer.body).is_empty(), "no form to follow");
        assert!(!answer.body.contains("id_token"));
        assert!(
            answer
                .header(header::CONTENT_SECURITY_POLICY)
                .contains("form-action 'none'")
        );
    }
}

#[tokio::test]
async fn faults_are_posted_back_as_oidc_errors_without_an_id_token() {
    let platform = platform();
    let login = login(&platform, Flavour::Canvas, 2).await;
    let person_hint = |i: usize| cairn_lti::demo::people::PEOPLE[i].login_hint(Flavour::Canvas);
    let cases: [(&str, Option<&str>, &str); 8] = [
        ("nonce", None, "invalid_request"),
        ("nonce", Some(""), "invalid_request"),
        ("response_type", Some("code"), "unsupported_response_type"),
        ("scope", Some("profile"), "invalid_scope"),
        ("prompt", Some("login"), "invalid_request"),
        ("response_mode", Some("query"), "invalid_request"),
        (
            "lti_message_hint",
            Some("eyJhbGciOiJIUzI1NiJ9.e30.forged"),
            "invalid_request",
        ),
        ("login_hint", Some(person_hint(1)), "access_denied"),
    ];
    for (name, value, code) in cases {
        let request = with(auth_request(&login), name, value);
        let answer = post_form(&platform, "/auth", &request).await;
        assert_eq!(answer.status, StatusCode::OK, "{name}");
        let (tag, fields) = forms(&answer.body).remove(0);
        assert_eq!(
            attribute(&tag, "action").as_deref(),
            Some(&*format!("{TOOL}/lti/launch"))
        );
        assert_eq!(field(&fields, "error"), Some(code), "{name} = {value:?}");
        assert_eq!(field(&fields, "state"), field(&request, "state"));
        assert_eq!(field(&fields, "id_token"), None, "{name}");
    }
    // A forwarded login parameter is refused too.
    let request = with(
        auth_request(&login),
        "lti_storage_target",
        Some("post_message_forwarding"),
    );
    let answer = post_form(&platform, "/auth", &request).await;
    assert_eq!(
        field(&forms(&answer.body).remove(0).1, "error"),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn a_hint_of_one_flavour_does_not_launch_the_other() {
    let platform = platform();
    let moodle = login(&platform, Flavour::Moodle, 1).await;
    let canvas = login(&platform, Flavour::Canvas, 1).await;
    let request = with(
        auth_request(&canvas),
        "lti_message_hint",
        field(&moodle, "lti_message_hint"),
    );
    let answer = post_form(&platform, "/auth", &request).await;
    assert_eq!(
        field(&forms(&answer.body).remove(0).1, "error"),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn the_storage_frame_script_and_services_are_served_safely() {
    let platform = platform();
    let frame = get(&platform, "/post_message_forwarding").await;
    assert_eq!(frame.status, StatusCode::OK);
    assert!(frame.body.contains(&format!("data-tool-origin=\"{TOOL}\"")));
    assert!(frame.body.contains("data-page=\"storage\""));
    assert!(
        frame
            .header(header::CONTENT_SECURITY_POLICY)
            .contains("frame-ancestors 'self'")
    );

    let script = get(&platform, "/static/platform.js").await;
    assert_eq!(
        script.header(header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(script.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    for subject in [
        "lti.capabilities",
        "lti.put_data",
        "lti.get_data",
        "event.origin !== toolOrigin",
    ] {
        assert!(script.body.contains(subject), "{subject}");
    }

    // NRPS is served, to a bearer only.
    let answer = get(
        &platform,
        "/moodle/mod/lti/services.php/CourseSection/2/bindings/1/memberships",
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // The AGS endpoints are real: without a bearer token they refuse.
    for uri in [
        "/canvas/api/lti/courses/1/line_items",
        "/moodle/mod/lti/services.php/2/lineitems?type_id=1",
    ] {
        let answer = get(&platform, uri).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert!(answer.body.contains("invalid_token"), "{uri}");
    }
    assert_eq!(
        get(&platform, "/nothing-here").await.status,
        StatusCode::NOT_FOUND
    );
}

/// The whole flow at the pure level, with the tool's real code: the course page's login is
/// parsed by `launch::LoginRequest`, the auth answer's form goes through `peek`,
/// `select_registration`, `verify_token` (keys from the platform's `/jwks` via
/// `launch::JwkSet`) and `verify_context`. Only the HTTP handlers of the tool are missing.
#[tokio::test]
async fn the_tools_launch_validation_accepts_every_demo_launch() {
    use cairn_lti::launch::{
        self, Binding, JwkSet, LaunchContext, LaunchForm, LoginRequest, ProductRole,
    };
    use cairn_lti::store::{BindingMode, LoginState, Registration};

    let platform = platform();
    let tool_url = url::Url::parse(TOOL).unwrap();
    let launch_url = url::Url::parse(&format!("{TOOL}/lti/launch")).unwrap();
    let registrations: Vec<Registration> = [Flavour::Canvas, Flavour::Moodle]
        .into_iter()
        .enumerate()
        .map(|(i, flavour)| Registration {
            id: i as i64 + 1,
            fields: platform.registration(flavour),
            created_at: 0,
        })
        .collect();
    let keys = JwkSet::parse(get(&platform, "/jwks").await.body.as_bytes()).expect("JWKS parses");
    assert_eq!(keys.len(), 1);

    for flavour in [Flavour::Canvas, Flavour::Moodle] {
        for (index, person) in cairn_lti::demo::people::PEOPLE.iter().enumerate() {
            let fields = login(&platform, flavour, index).await;
            let login_request = LoginRequest::parse(
                fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                &tool_url,
            )
            .expect("the tool accepts the login");
            let registration = login_request
                .select_registration(&registrations)
                .expect("the login names a registration");
            assert_eq!(
                login_request.lti_storage_target.is_some(),
                flavour == Flavour::Canvas
            );
            let request = auth_request(&fields);
            let answer = get(&platform, &format!("/auth?{}", encode_pairs(&request))).await;
            let (_, posted) = forms(&answer.body).remove(0);

            let form = LaunchForm::from_pairs(posted.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let token = launch::peek(&form).expect("checks 1-4");
            let chosen = launch::select_registration(&token, &registrations).expect("check 5");
            assert_eq!(chosen.id, registration.id);
            let now = cairn_lti::clock::Clock::now(&cairn_lti::clock::SystemClock);
            let verified = launch::verify_token(&token, chosen, &keys, now).expect("checks 5b-12");
            let state = LoginState {
                state: field(&request, "state").unwrap().to_owned(),
                nonce: field(&request, "nonce").unwrap().to_owned(),
                registration_id: registration.id,
                deployment_id: login_request.lti_deployment_id.clone(),
                target_link_uri: login_request.target_link_uri.clone(),
                login_hint: login_request.login_hint.clone(),
                lti_message_hint: login_request.lti_message_hint.clone(),
                client_id: login_request.client_id.clone(),
                binding: BindingMode::Cookie,
                created_at: now,
                used: false,
            };
            let decision = launch::verify_context(
                &verified,
                &LaunchContext {
                    registration: chosen,
                    deployment_known: true,
                    login: Some(&state),
                    cookie: Some(&state.state),
                    lti_storage_target: form.lti_storage_target.as_deref(),
                    launch_url: &launch_url,
                },
                now,
            )
            .expect("checks 14-16");
            assert_eq!(decision.binding, Binding::Cookie);
            assert!(!decision.create_deployment);
            let claims = &verified.claims;
            assert_eq!(claims.name.as_deref(), Some(person.name));
            use cairn_lti::demo::people::CourseRole;
            // A Moodle site admin also holds the course's Instructor role; a Canvas account
            // admin holds no course role.
            let expected: &[ProductRole] = match (person.role, flavour) {
                (CourseRole::Instructor, _) => &[ProductRole::Instructor],
                (CourseRole::Learner, _) => &[ProductRole::Learner],
                (CourseRole::Admin, Flavour::Canvas) => &[ProductRole::Admin],
                (CourseRole::Admin, Flavour::Moodle) => {
                    &[ProductRole::Instructor, ProductRole::Admin]
                }
            };
            for role in expected {
                assert!(claims.roles.has(*role), "{flavour:?} {}", person.name);
            }
            assert_eq!(
                claims.roles.product.len(),
                expected.len(),
                "{flavour:?} {}",
                person.name
            );
        }
    }
}

#[tokio::test]
async fn tokens_carry_the_platforms_clock_and_old_hints_stop_working() {
    use cairn_lti::clock::ManualClock;
    use cairn_lti::demo::launches::HINT_LIFETIME;
    use std::sync::Arc;

    let clock = Arc::new(ManualClock::new(1_900_000_000));
    let platform = DemoPlatform::with_clock(
        DemoSettings {
            platform_url: PLATFORM.to_owned(),
            tool_url: TOOL.to_owned(),
        },
        clock.clone(),
    )
    .expect("demo platform");
    let login = login(&platform, Flavour::Moodle, 3).await;
    clock.advance(HINT_LIFETIME - 1);
    let answer = post_form(&platform, "/auth", &auth_request(&login)).await;
    let token = field(&forms(&answer.body).remove(0).1, "id_token")
        .expect("an id_token while the hint lives")
        .to_owned();
    let payload = token.split('.').nth(1).expect("payload segment");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["iat"], 1_900_000_000 + HINT_LIFETIME - 1);
    assert_eq!(claims["sub"], "5");

    clock.advance(1);
    let answer = post_form(&platform, "/auth", &auth_request(&login)).await;
    let (_, fields) = forms(&answer.body).remove(0);
    assert_eq!(field(&fields, "error"), Some("invalid_request"));
    assert_eq!(field(&fields, "id_token"), None);
}
