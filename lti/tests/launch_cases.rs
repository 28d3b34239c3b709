//! The launch- and login-stage cases of `fixtures/lti/negative-cases.json`, applied
//! mechanically at the pure level: each claim set is re-signed with the TEST-ONLY keys, mutated
//! by `lti_support::mutate`, and run through `peek` → `select_registration` → `verify_token` →
//! nonce → `verify_context`, with the login, nonce and deployment rows kept in memory by a
//! small harness that does what the handler's I/O will do. Also a pass and a fail per check
//! that the catalogue does not pin.

mod lti_support;

use std::collections::{BTreeMap, BTreeSet};

use cairn_lti::launch::{
    Binding, JwkSet, LaunchContext, LaunchError, LaunchForm, LoginRequest, STATE_TTL_SECONDS,
    VerifiedLaunch, peek, select_registration, verify_context, verify_token,
};
use cairn_lti::store::{
    BindingMode, LoginState, NewRegistration, PlatformFamily, Registration, RegistrationId,
};
use lti_support::mutate::{
    BuiltLaunch, advance_seconds, build_launch, load_claims, read_fixture, read_json,
    standard_payload,
};
use serde_json::{Map, Value, json};
use url::Url;

const LOGIN_AT: i64 = 1_800_000_000;
const CLAIM_SETS: [&str; 9] = [
    "canvas-admin",
    "canvas-student",
    "canvas-student-no-services",
    "canvas-teacher",
    "moodle311-instructor",
    "moodle41-deep-linking",
    "moodle41-student",
    "moodle41-teacher",
    "ri-deep-linking",
];

/// What the harness keeps between calls: the rows the store and JWKS cache would hold.
struct World {
    registrations: Vec<Registration>,
    jwks_file: BTreeMap<RegistrationId, String>,
    deployments: BTreeSet<(RegistrationId, String)>,
    logins: BTreeMap<String, LoginState>,
    nonces: BTreeSet<(RegistrationId, String)>,
    /// `jwks_serves`: what the JWKS URL serves after the cache was warmed.
    jwks_serves: Option<String>,
    jwks_requests: u32,
    launch_url: Url,
}

/// What one launch POST came to.
#[derive(Debug)]
enum Outcome {
    Reject(LaunchError),
    Accept {
        launch: Box<VerifiedLaunch>,
        binding: Binding,
        deployment_created: Option<String>,
    },
}

impl World {
    fn new() -> World {
        let cases = read_json("negative-cases.json");
        let launch_url = Url::parse(cases["config"]["tool_launch_url"].as_str().unwrap()).unwrap();
        let mut world = World {
            registrations: Vec::new(),
            jwks_file: BTreeMap::new(),
            deployments: BTreeSet::new(),
            logins: BTreeMap::new(),
            nonces: BTreeSet::new(),
            jwks_serves: None,
            jwks_requests: 0,
            launch_url,
        };
        for name in CLAIM_SETS {
            let (_, fixture) = load_claims(name);
            let reg = &fixture["registration"];
            world.register(
                reg["iss"].as_str().unwrap(),
                reg["client_id"].as_str().unwrap(),
                reg["deployment_id"].as_str().unwrap(),
                "keys/test-only-platform.jwks.json",
            );
        }
        for extra in cases["extra_registrations"].as_array().unwrap() {
            for deployment in extra["deployment_ids"].as_array().unwrap() {
                world.register(
                    extra["iss"].as_str().unwrap(),
                    extra["client_id"].as_str().unwrap(),
                    deployment.as_str().unwrap(),
                    extra["jwks"].as_str().unwrap(),
                );
            }
        }
        world
    }

    fn register(&mut self, iss: &str, client_id: &str, deployment: &str, jwks: &str) {
        let found = self
            .registrations
            .iter()
            .find(|r| r.fields.issuer == iss && r.fields.client_id == client_id)
            .map(|r| r.id);
        let id = found.unwrap_or_else(|| {
            let id = self.registrations.len() as i64 + 1;
            self.registrations.push(Registration {
                id,
                fields: NewRegistration {
                    issuer: iss.into(),
                    client_id: client_id.into(),
                    auth_endpoint: format!("{iss}/auth"),
                    token_endpoint: format!("{iss}/token"),
                    jwks_url: format!("{iss}/jwks"),
                    client_assertion_audience: None,
                    platform_family: PlatformFamily::Other,
                    auto_register_deployments: false,
                    allow_http: iss.starts_with("http://"),
                },
                created_at: 0,
            });
            self.jwks_file.insert(id, jwks.to_owned());
            id
        });
        self.deployments.insert((id, deployment.to_owned()));
    }

    fn registration_mut(&mut self, iss: &str, client_id: &str) -> &mut Registration {
        self.registrations
            .iter_mut()
            .find(|r| r.fields.issuer == iss && r.fields.client_id == client_id)
            .unwrap()
    }

    /// The login initiation: parsed and routed by the real code, then stored as a state row.
    fn login(&mut self, params: &[(String, String)], state: &str, nonce: &str) {
        let base = Url::parse(self.launch_url.origin().ascii_serialization().as_str()).unwrap();
        let request =
            LoginRequest::parse(params.iter().map(|(k, v)| (k.as_str(), v.as_str())), &base)
                .expect("login parses");
        let registration = request
            .select_registration(&self.registrations)
            .expect("login routes");
        let binding = match request.lti_storage_target {
            Some(_) => BindingMode::PlatformStorage,
            None => BindingMode::Cookie,
        };
        let row = LoginState {
            state: state.into(),
            nonce: nonce.into(),
            registration_id: registration.id,
            deployment_id: request.lti_deployment_id.clone(),
            target_link_uri: request.target_link_uri.clone(),
            login_hint: request.login_hint.clone(),
            lti_message_hint: request.lti_message_hint.clone(),
            client_id: request.client_id.clone(),
            binding,
            created_at: LOGIN_AT,
            used: false,
        };
        self.logins.insert(state.into(), row);
    }

    fn jwks(&mut self, registration: RegistrationId, refetch: bool) -> JwkSet {
        let file = match (&self.jwks_serves, refetch) {
            (Some(served), true) => served.clone(),
            _ => self.jwks_file[&registration].clone(),
        };
        if refetch {
            self.jwks_requests += 1;
        }
        JwkSet::parse(read_fixture(&file).as_bytes()).expect("fixture JWKS parses")
    }

    /// What the launch handler will do, around the pure calls.
    fn launch(&mut self, form: &[(String, String)], cookie: Option<&str>, now: i64) -> Outcome {
        match self.try_launch(form, cookie, now) {
            Ok(outcome) => outcome,
            Err(error) => Outcome::Reject(error),
        }
    }

    fn try_launch(
        &mut self,
        form: &[(String, String)],
        cookie: Option<&str>,
        now: i64,
    ) -> Result<Outcome, LaunchError> {
        let form = LaunchForm::from_pairs(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let token = peek(&form)?;
        let candidates: Vec<Registration> = self
            .registrations
            .iter()
            .filter(|r| Some(r.fields.issuer.as_str()) == token.iss())
            .cloned()
            .collect();
        let registration = select_registration(&token, &candidates)?.clone();
        let keys = self.jwks(registration.id, false);
        let launch = match verify_token(&token, &registration, &keys, now) {
            Err(LaunchError::UnknownKid { .. }) => {
                let keys = self.jwks(registration.id, true);
                verify_token(&token, &registration, &keys, now)?
            }
            other => other?,
        };
        if !self
            .nonces
            .insert((registration.id, launch.claims.nonce.clone()))
        {
            return Err(LaunchError::NonceReused);
        }
        let deployment = launch.claims.deployment_id.clone().unwrap_or_default();
        let known = self
            .deployments
            .contains(&(registration.id, deployment.clone()));
        let login = self.logins.get(token.state()).cloned();
        let context = LaunchContext {
            registration: &registration,
            deployment_known: known,
            login: login.as_ref(),
            cookie,
            lti_storage_target: form.lti_storage_target.as_deref(),
            launch_url: &self.launch_url,
        };
        let decision = verify_context(&launch, &context, now)?;
        if decision.binding != Binding::Relaunch
            && let Some(row) = self.logins.get_mut(token.state())
        {
            row.used = true;
        }
        let deployment_created = decision.create_deployment.then(|| {
            self.deployments
                .insert((registration.id, deployment.clone()));
            deployment
        });
        Ok(Outcome::Accept {
            launch: Box::new(launch),
            binding: decision.binding,
            deployment_created,
        })
    }
}

fn login_params(fixture: &Value, sub: &str, tool_launch_url: &str) -> Vec<(String, String)> {
    let reg = &fixture["registration"];
    vec![
        ("iss".into(), reg["iss"].as_str().unwrap().into()),
        (
            "client_id".into(),
            reg["client_id"].as_str().unwrap().into(),
        ),
        (
            "lti_deployment_id".into(),
            reg["deployment_id"].as_str().unwrap().into(),
        ),
        ("login_hint".into(), sub.into()),
        ("lti_message_hint".into(), "fixture".into()),
        ("target_link_uri".into(), tool_launch_url.into()),
    ]
}

fn set_param(params: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    params.retain(|(k, _)| k != name);
    if let Some(value) = value {
        params.push((name.into(), value.into()));
    }
}

/// Runs one launch-stage case; returns a description of the mismatch, if any.
fn run_launch_case(case: &Value, tool_launch_url: &str) -> Result<(), String> {
    let mut world = World::new();
    let base = case["base"].as_str().unwrap();
    let (claims, fixture) = load_claims(base);
    let ops = case["mutation"].as_array().cloned().unwrap_or_default();
    let now = LOGIN_AT + advance_seconds(&ops);
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or("hint")
        .to_owned();
    let mut params = login_params(&fixture, &sub, tool_launch_url);
    // Harness ops that act before the login.
    let mut cookie = Some("state-A".to_owned());
    let mut storage_target: Option<String> = None;
    let mut reuse_nonce = false;
    let mut swap_state = false;
    let mut replay = false;
    for op in &ops {
        match op["op"].as_str().unwrap() {
            "set_login_param" => set_param(
                &mut params,
                op["name"].as_str().unwrap(),
                op["value"].as_str(),
            ),
            "remove_login_param" => set_param(&mut params, op["name"].as_str().unwrap(), None),
            "registration_policy" => {
                let reg = &fixture["registration"];
                world
                    .registration_mut(
                        reg["iss"].as_str().unwrap(),
                        reg["client_id"].as_str().unwrap(),
                    )
                    .fields
                    .auto_register_deployments = op["auto_register_deployments"].as_bool().unwrap();
            }
            "register_deployment" => {
                let reg = &fixture["registration"];
                let id = world
                    .registration_mut(
                        reg["iss"].as_str().unwrap(),
                        reg["client_id"].as_str().unwrap(),
                    )
                    .id;
                world
                    .deployments
                    .insert((id, op["deployment_id"].as_str().unwrap().into()));
            }
            "binding" => {
                match op["cookie"].as_str().unwrap() {
                    "drop" => cookie = None,
                    "wrong_value" => cookie = Some("not-the-state".into()),
                    _ => {}
                }
                storage_target = op["lti_storage_target"].as_str().map(str::to_owned);
            }
            "jwks_serves" => world.jwks_serves = Some(op["file"].as_str().unwrap().into()),
            "reuse_nonce_from_previous_launch" => reuse_nonce = true,
            "swap_state" => swap_state = true,
            "replay" => replay = true,
            // Same parameters either way at this level; the clock was moved above.
            "login_method" | "advance_clock" => {}
            _ => {}
        }
    }
    if let Some(target) = &storage_target {
        set_param(&mut params, "lti_storage_target", Some(target));
    }
    world.login(&params, "state-A", "nonce-A");
    let (mut state, nonce) = ("state-A", "nonce-A");
    if reuse_nonce {
        // A complete valid launch first, then a new login B whose token reuses A's nonce.
        let payload = standard_payload(&claims, &fixture, now, "nonce-A", tool_launch_url);
        let first = build_launch(payload, &[], now, "state-A");
        let outcome = world.launch(&first.form, Some("state-A"), now);
        if !matches!(outcome, Outcome::Accept { .. }) {
            return Err(format!("the first launch was not accepted: {outcome:?}"));
        }
        world.login(&params, "state-B", "nonce-B");
        state = "state-B";
        cookie = Some("state-B".into());
    }
    if swap_state {
        world.login(&params, "state-B", "nonce-B");
        state = "state-B";
        cookie = Some("state-B".into());
    }
    let payload = standard_payload(&claims, &fixture, now, nonce, tool_launch_url);
    let mut built: BuiltLaunch = build_launch(payload, &ops, now, state);
    if let Some(target) = &storage_target {
        built
            .form
            .push(("lti_storage_target".into(), target.clone()));
    }
    // The cookie jar holds one cookie per state; the launch reads the one its form names.
    let form_state = built.field("state").unwrap_or_default().to_owned();
    let cookie = cookie.filter(|_| world.logins.contains_key(&form_state) || form_state.is_empty());
    world.jwks_requests = 0;
    let expected = &case["expected"];
    if replay {
        let first = world.launch(&built.form, cookie.as_deref(), now);
        compare(&first, &expected["first_post"], &claims_of(&built), None)
            .map_err(|e| format!("first post: {e}"))?;
    }
    let outcome = world.launch(&built.form, cookie.as_deref(), now);
    compare(
        &outcome,
        expected,
        &claims_of(&built),
        Some(world.jwks_requests),
    )
}

fn claims_of(built: &BuiltLaunch) -> Map<String, Value> {
    built
        .payload
        .as_ref()
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn compare(
    outcome: &Outcome,
    expected: &Value,
    payload: &Map<String, Value>,
    jwks_requests: Option<u32>,
) -> Result<(), String> {
    let result = expected["result"].as_str().unwrap();
    match (result, outcome) {
        ("reject", Outcome::Reject(error)) => {
            if error.code() != expected["error"].as_str().unwrap() {
                return Err(format!("rejected with {} ({error})", error.code()));
            }
        }
        (
            "accept" | "accept_pending" | "relaunch",
            Outcome::Accept {
                launch,
                binding,
                deployment_created,
            },
        ) => {
            let want = match result {
                "accept" => Binding::Cookie,
                "accept_pending" => Binding::PlatformStorage,
                _ => Binding::Relaunch,
            };
            if *binding != want {
                return Err(format!("binding {binding:?}, expected {want:?}"));
            }
            let claims = &launch.claims;
            if let Some(roles) = expected["roles"].as_array() {
                let want: BTreeSet<&str> = roles.iter().filter_map(Value::as_str).collect();
                let got: BTreeSet<&str> = claims.roles.product.iter().map(|r| r.as_str()).collect();
                if want != got {
                    return Err(format!("roles {got:?}, expected {want:?}"));
                }
            }
            if let Some(t) = expected["message_type"].as_str()
                && claims.message_type.as_str() != t
            {
                return Err(format!("message type {:?}", claims.message_type));
            }
            let flags = [
                ("ags", claims.ags.is_some()),
                ("nrps", claims.nrps.is_some()),
                ("test_user", claims.roles.test_user),
            ];
            for (name, got) in flags {
                if let Some(want) = expected[name].as_bool()
                    && want != got
                {
                    return Err(format!("{name} is {got}, expected {want}"));
                }
            }
            if expected.get("context") == Some(&Value::Null) && claims.context.is_some() {
                return Err("a context, expected none".into());
            }
            if let Some(d) = expected["deployment_created"].as_str()
                && deployment_created.as_deref() != Some(d)
            {
                return Err(format!(
                    "deployment created {deployment_created:?}, expected {d}"
                ));
            }
            if let Some(data) = expected["deep_linking_data_echo"].as_str() {
                let got = claims
                    .deep_linking_settings
                    .as_ref()
                    .and_then(|s| s.data.as_deref());
                if got != Some(data) {
                    return Err(format!("deep linking data {got:?}"));
                }
            }
            let _ = payload;
        }
        (_, other) => return Err(format!("got {other:?}")),
    }
    if let (Some(want), Some(got)) = (
        expected["observe"]["jwks_requests_during_launch"].as_u64(),
        jwks_requests,
    ) && u64::from(got) != want
    {
        return Err(format!(
            "{got} JWKS requests during the launch, expected {want}"
        ));
    }
    Ok(())
}

/// Runs one login-stage case through the real parser and router.
fn run_login_case(case: &Value, tool_launch_url: &str) -> Result<(), String> {
    let world = World::new();
    let file = case["base"].as_str().unwrap();
    let doc = read_json(file);
    let params = doc.get("params").unwrap_or(&doc["resource_link"]["params"]);
    let mut pairs: Vec<(String, String)> = params
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    set_param(&mut pairs, "target_link_uri", Some(tool_launch_url));
    // The harness registers the login's platform first.
    let mut world = world;
    let iss = params["iss"].as_str().unwrap();
    let client_id = params["client_id"].as_str().unwrap();
    let deployment = params["lti_deployment_id"].as_str().unwrap_or("1");
    world.register(
        iss,
        client_id,
        deployment,
        "keys/test-only-platform.jwks.json",
    );
    for op in case["mutation"].as_array().into_iter().flatten() {
        match op["op"].as_str().unwrap() {
            "set_login_param" => set_param(
                &mut pairs,
                op["name"].as_str().unwrap(),
                op["value"].as_str(),
            ),
            "remove_login_param" => set_param(&mut pairs, op["name"].as_str().unwrap(), None),
            _ => {}
        }
    }
    let base = Url::parse(
        Url::parse(tool_launch_url)
            .unwrap()
            .origin()
            .ascii_serialization()
            .as_str(),
    )
    .unwrap();
    let result = LoginRequest::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), &base)
        .and_then(|request| {
            request
                .select_registration(&world.registrations)
                .map(|_| request)
        });
    let expected = &case["expected"];
    match (expected["result"].as_str().unwrap(), result) {
        ("redirect", Ok(request)) => {
            let want = params["lti_message_hint"].as_str();
            if request.lti_message_hint.as_deref() != want {
                return Err("lti_message_hint changed".into());
            }
            Ok(())
        }
        ("reject", Err(error)) if Some(error.code()) == expected["error"].as_str() => Ok(()),
        (_, other) => Err(format!("got {other:?}")),
    }
}

#[test]
fn every_catalogue_case_gives_its_expected_outcome() {
    let cases = read_json("negative-cases.json");
    let tool_launch_url = cases["config"]["tool_launch_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let outcome = match case["stage"].as_str().unwrap() {
            "launch" => run_launch_case(case, &tool_launch_url),
            "login" => run_login_case(case, &tool_launch_url),
            other => Err(format!("unknown stage {other}")),
        };
        ran += 1;
        if let Err(why) = outcome {
            failures.push(format!("{id}: {why}"));
        }
    }
    assert!(ran >= 95, "only {ran} cases ran");
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_claim_set_replays_as_its_fixture_expects() {
    let cases = read_json("negative-cases.json");
    let tool_launch_url = cases["config"]["tool_launch_url"]
        .as_str()
        .unwrap()
        .to_owned();
    for name in CLAIM_SETS {
        let (_, fixture) = load_claims(name);
        let case = json!({"id": name, "stage": "launch", "base": name, "mutation": [], "expected": fixture["expect"]});
        run_launch_case(&case, &tool_launch_url).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Cases the catalogue does not pin, in the catalogue's own shape: a pass or a fail for each
/// check's edge.
#[test]
fn edges_of_each_check_outside_the_catalogue() {
    let cases = read_json("negative-cases.json");
    let tool_launch_url = cases["config"]["tool_launch_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let lti = "https://purl.imsglobal.org/spec/lti/claim/";
    let dl = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
    let long = "x".repeat(256);
    let extra = json!([
        ["form-empty-state", "canvas-student", [{"op": "set_form_field", "field": "state", "value": ""}], {"result": "reject", "error": "malformed_request"}],
        ["jwt-four-parts", "canvas-student", [{"op": "raw_id_token", "value": "a.b.c.d"}], {"result": "reject", "error": "malformed_jwt"}],
        ["jwt-header-array", "canvas-student", [{"op": "raw_id_token", "value": "W10.e30.AA"}], {"result": "reject", "error": "malformed_jwt"}],
        ["alg-rs512", "canvas-student", [{"op": "set_header", "alg": "RS512"}], {"result": "reject", "error": "unsupported_alg"}],
        ["alg-missing", "canvas-student", [{"op": "set_header", "alg": null}], {"result": "reject", "error": "unsupported_alg"}],
        ["kid-empty", "canvas-student", [{"op": "set_header", "kid": ""}], {"result": "reject", "error": "missing_kid"}],
        ["kid-rotated-after-refetch", "canvas-student", [{"op": "jwks_serves", "file": "keys/test-only-platform-after-rotation.jwks.json"}, {"op": "sign_with", "key": "platform-rotated"}],
            {"result": "accept", "roles": ["learner"], "observe": {"jwks_requests_during_launch": 1}}],
        ["iat-at-max-age", "canvas-student", [{"op": "set_claim", "claim": "iat", "expr": "now-600"}], {"result": "accept"}],
        ["exp-inside-leeway", "moodle41-student", [{"op": "set_claim", "claim": "iat", "expr": "now-100"}, {"op": "set_claim", "claim": "exp", "expr": "now-30"}], {"result": "accept"}],
        ["iat-as-float", "canvas-student", [{"op": "set_claim", "claim": "iat", "value": 1.5}], {"result": "reject", "error": "invalid_timestamps"}],
        ["version-number", "canvas-student", [{"op": "set_claim", "claim": format!("{lti}version"), "value": 1.3}], {"result": "reject", "error": "wrong_version"}],
        ["roles-string", "canvas-student", [{"op": "set_claim", "claim": format!("{lti}roles"), "value": "Learner"}], {"result": "reject", "error": "missing_roles"}],
        ["sub-too-long", "canvas-student", [{"op": "set_claim", "claim": "sub", "value": long}], {"result": "reject", "error": "missing_sub"}],
        ["sub-number", "canvas-student", [{"op": "set_claim", "claim": "sub", "value": 42}], {"result": "reject", "error": "missing_sub"}],
        ["nonce-empty", "canvas-student", [{"op": "set_claim", "claim": "nonce", "value": ""}], {"result": "reject", "error": "missing_nonce"}],
        ["deployment-too-long", "canvas-student", [{"op": "set_claim", "claim": format!("{lti}deployment_id"), "value": long}], {"result": "reject", "error": "missing_deployment_id"}],
        ["resource-link-id-empty", "canvas-student", [{"op": "set_claim", "claim": format!("{lti}resource_link"), "path": ["id"], "value": ""}], {"result": "reject", "error": "missing_resource_link_id"}],
        ["target-link-uri-query-ignored", "canvas-student", [{"op": "set_claim", "claim": format!("{lti}target_link_uri"), "value": "https://tool.test/lti/launch?a=1#f"}], {"result": "accept"}],
        ["target-link-uri-other-path", "canvas-student", [{"op": "set_claim", "claim": format!("{lti}target_link_uri"), "value": "https://tool.test/other"}], {"result": "reject", "error": "target_link_uri_mismatch"}],
        ["dl-return-url-javascript", "moodle41-deep-linking", [{"op": "set_claim", "claim": dl, "path": ["deep_link_return_url"], "value": "javascript:alert(1)"}], {"result": "reject", "error": "invalid_deep_linking_settings"}],
        ["dl-targets-missing", "moodle41-deep-linking", [{"op": "remove_claim", "claim": dl, "path": ["accept_presentation_document_targets"]}], {"result": "reject", "error": "invalid_deep_linking_settings"}],
        ["register-deployment-known", "canvas-student", [{"op": "register_deployment", "deployment_id": "9:added"}, {"op": "set_login_param", "name": "lti_deployment_id", "value": "9:added"}, {"op": "set_claim", "claim": format!("{lti}deployment_id"), "value": "9:added"}], {"result": "accept"}],
        ["login-deployment-differs", "canvas-student", [{"op": "set_login_param", "name": "lti_deployment_id", "value": "5:d3a2504bba5184799a38f141e8df2335cfa8206d"}], {"result": "reject", "error": "login_mismatch"}],
        ["state-at-ttl", "canvas-student", [{"op": "advance_clock", "seconds": STATE_TTL_SECONDS}], {"result": "accept"}],
    ]);
    let mut failures = Vec::new();
    for row in extra.as_array().unwrap() {
        let case = json!({"id": row[0], "stage": "launch", "base": row[1], "mutation": row[2], "expected": row[3]});
        if let Err(why) = run_launch_case(&case, &tool_launch_url) {
            failures.push(format!("{}: {why}", row[0]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_used_state_is_unknown_and_a_cookie_mismatch_is_refused() {
    let cases = read_json("negative-cases.json");
    let tool_launch_url = cases["config"]["tool_launch_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut world = World::new();
    let (claims, fixture) = load_claims("moodle41-student");
    world.login(&login_params(&fixture, "3", &tool_launch_url), "s1", "n1");
    let payload = standard_payload(&claims, &fixture, LOGIN_AT, "n1", &tool_launch_url);
    let built = build_launch(payload, &[], LOGIN_AT, "s1");
    assert!(matches!(
        world.launch(&built.form, Some("s1"), LOGIN_AT),
        Outcome::Accept {
            binding: Binding::Cookie,
            ..
        }
    ));
    // Same state again with a fresh nonce: the row is used.
    let payload = standard_payload(&claims, &fixture, LOGIN_AT, "n2", &tool_launch_url);
    let again = build_launch(payload, &[], LOGIN_AT, "s1");
    match world.launch(&again.form, Some("s1"), LOGIN_AT) {
        Outcome::Reject(e) => assert_eq!(e, LaunchError::StateUnknown),
        other => panic!("{other:?}"),
    }
    world.login(&login_params(&fixture, "3", &tool_launch_url), "s3", "n3");
    let payload = standard_payload(&claims, &fixture, LOGIN_AT, "n3", &tool_launch_url);
    let third = build_launch(payload, &[], LOGIN_AT, "s3");
    match world.launch(&third.form, Some("s1"), LOGIN_AT) {
        Outcome::Reject(e) => assert_eq!(e.code(), "state_mismatch"),
        other => panic!("{other:?}"),
    }
}
