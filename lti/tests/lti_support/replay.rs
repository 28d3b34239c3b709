//! The replay procedure of `fixtures/lti/README.md` through the whole app: each case gets a
//! fresh [`Tool`] on SQLite, every claim set's registration plus `extra_registrations` with
//! their JWKS on a loopback [`PlatformServer`], a warm JWKS cache, a real login (so state,
//! nonce and cookie are the tool's), the case's ops, and a launch POST whose answer and stored
//! rows are compared with `expected`. [`run_case`] returns what differed, in words.

use std::collections::{BTreeMap, BTreeSet};

use cairn_lti::clock::Clock as _;
use cairn_lti::store::{DeploymentOrigin, NewRegistration, PlatformFamily, Registration};
use serde_json::Value;

use super::mutate::{build_launch, fixtures_dir, load_claims, read_json, standard_payload};
use super::tool::{
    Answer, AuthKind, AuthRequest, CookieJar, PlatformServer, Tool, auth_request, error_code,
    launch, login, script_json, unescape,
};

/// The clock of every case's tool at the login.
pub const LOGIN_AT: i64 = 1_767_225_600;

/// The catalogue and what the harness derives from it once.
pub struct Catalogue {
    /// `negative-cases.json`.
    pub doc: Value,
    /// `config.tool_launch_url`.
    pub tool_launch_url: String,
    /// The tool's public URL (the launch URL's origin).
    pub public_url: String,
    /// Error code → HTTP status, read from `spec/lti.md` §3.1 and §4.
    pub statuses: BTreeMap<String, u16>,
}

impl Catalogue {
    /// Loads the catalogue and the spec's status table.
    pub fn load() -> Catalogue {
        let doc = read_json("negative-cases.json");
        let tool_launch_url = doc["config"]["tool_launch_url"]
            .as_str()
            .expect("config.tool_launch_url")
            .to_owned();
        let public_url = url::Url::parse(&tool_launch_url)
            .expect("tool_launch_url is a URL")
            .origin()
            .ascii_serialization();
        Catalogue {
            doc,
            tool_launch_url,
            public_url,
            statuses: spec_statuses(),
        }
    }

    /// The cases, in file order.
    pub fn cases(&self) -> Vec<Value> {
        self.doc["cases"].as_array().cloned().unwrap_or_default()
    }
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The statuses of `spec/lti.md`: the §4 table (`code / code` pairs with `status / status`)
/// and the "Login errors (400, …)" line of §3.1.
pub fn spec_statuses() -> BTreeMap<String, u16> {
    let path = fixtures_dir().join("../../spec/lti.md");
    let spec = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut statuses = BTreeMap::new();
    let section = spec
        .split("\n## ")
        .find(|s| s.starts_with("4. "))
        .expect("spec/lti.md has a §4");
    for line in section.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 6 {
            continue;
        }
        let codes = backticked(cells[3]);
        let numbers: Vec<u16> = cells[4]
            .split('/')
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        for (i, code) in codes.into_iter().enumerate() {
            if let Some(status) = numbers.get(i).or(numbers.last()) {
                statuses.insert(code, *status);
            }
        }
    }
    let login = spec
        .lines()
        .find(|l| l.starts_with("Login errors ("))
        .expect("spec/lti.md names the login errors");
    let status: u16 = login["Login errors (".len()..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("login error status");
    for code in backticked(login) {
        statuses.insert(code, status);
    }
    assert!(statuses.len() >= 30, "spec table read: {statuses:?}");
    statuses
}

/// A registered platform.
#[derive(Clone, Debug)]
pub struct Platform {
    /// The stored row.
    pub row: Registration,
    /// Its path name on the [`PlatformServer`].
    pub jwks_name: String,
}

/// One case's world: the tool, the platform's JWKS server, the registrations, the browser.
pub struct World {
    /// The tool.
    pub tool: Tool,
    /// The platforms' JWKS endpoints.
    pub server: PlatformServer,
    /// Every registration, in registration order.
    pub platforms: Vec<Platform>,
    /// The browser's cookies.
    pub jar: CookieJar,
}

fn platform_family(name: &str) -> PlatformFamily {
    match name {
        "canvas" => PlatformFamily::Canvas,
        "moodle" => PlatformFamily::Moodle,
        _ => PlatformFamily::Other,
    }
}

/// The auth endpoint a `login/*.json` file records for `iss`, else `<iss>/auth` (an `iss` that
/// is no URL, like the RI's `imsorg`, gets one on `platform.test`).
fn auth_endpoint(iss: &str) -> String {
    let folder = fixtures_dir().join("login");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("fixtures/lti/login")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for file in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("login file"))
            .expect("JSON");
        let login_iss = doc["params"]["iss"]
            .as_str()
            .or(doc["resource_link"]["params"]["iss"].as_str());
        if login_iss == Some(iss)
            && let Some(endpoint) = doc["platform_auth_endpoint"].as_str()
        {
            return endpoint.to_owned();
        }
    }
    if url::Url::parse(iss).is_ok() {
        format!("{}/auth", iss.trim_end_matches('/'))
    } else {
        format!("https://platform.test/{iss}/auth")
    }
}

/// Every claim set's name, sorted.
pub fn claim_sets() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir().join("claims"))
        .expect("fixtures/lti/claims")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

impl World {
    /// Step 1 of the replay: a fresh tool, every registration, a warm JWKS cache.
    pub async fn new(catalogue: &Catalogue) -> World {
        let tool = Tool::on_sqlite(&catalogue.public_url, LOGIN_AT).await;
        assert_eq!(
            tool.state.launch_url().as_str(),
            catalogue.tool_launch_url,
            "the tool's launch URL is the catalogue's"
        );
        let mut world = World {
            tool,
            server: PlatformServer::start().await,
            platforms: Vec::new(),
            jar: CookieJar::default(),
        };
        let platform_jwks = catalogue.doc["config"]["platform_jwks"]
            .as_str()
            .expect("config.platform_jwks")
            .to_owned();
        for name in claim_sets() {
            let (_, fixture) = load_claims(&name);
            let reg = &fixture["registration"];
            world
                .register(
                    reg["iss"].as_str().expect("iss"),
                    reg["client_id"].as_str().expect("client_id"),
                    &[reg["deployment_id"].as_str().expect("deployment_id")],
                    &platform_jwks,
                    fixture["platform"].as_str().unwrap_or_default(),
                )
                .await;
        }
        for extra in catalogue.doc["extra_registrations"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let deployments: Vec<&str> = extra["deployment_ids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            world
                .register(
                    extra["iss"].as_str().expect("iss"),
                    extra["client_id"].as_str().expect("client_id"),
                    &deployments,
                    extra["jwks"].as_str().expect("jwks"),
                    extra["platform"].as_str().unwrap_or_default(),
                )
                .await;
        }
        world.warm().await;
        world
    }

    /// Registers `(iss, client_id)` (once) with `deployments`, its JWKS URL serving `jwks`.
    pub async fn register(
        &mut self,
        iss: &str,
        client_id: &str,
        deployments: &[&str],
        jwks: &str,
        family: &str,
    ) -> Registration {
        let store = &self.tool.state.store;
        let found = self
            .platforms
            .iter()
            .find(|p| p.row.fields.issuer == iss && p.row.fields.client_id == client_id);
        let row = match found {
            Some(platform) => platform.row.clone(),
            None => {
                let jwks_name = format!("platform{}", self.platforms.len() + 1);
                let row = store
                    .add_registration(
                        &NewRegistration {
                            issuer: iss.to_owned(),
                            client_id: client_id.to_owned(),
                            auth_endpoint: auth_endpoint(iss),
                            token_endpoint: format!("{}/token", iss.trim_end_matches('/')),
                            jwks_url: self.server.serve(&jwks_name, jwks),
                            client_assertion_audience: None,
                            platform_family: platform_family(family),
                            auto_register_deployments: false,
                            allow_http: iss.starts_with("http://"),
                        },
                        LOGIN_AT,
                    )
                    .await
                    .expect("register the platform");
                self.platforms.push(Platform {
                    row: row.clone(),
                    jwks_name,
                });
                row
            }
        };
        for deployment in deployments {
            store
                .add_deployment(row.id, deployment, DeploymentOrigin::Admin, LOGIN_AT)
                .await
                .expect("add the deployment");
        }
        row
    }

    /// Downloads every platform's JWKS into the tool's cache.
    pub async fn warm(&self) {
        for platform in &self.platforms {
            self.tool
                .state
                .jwks
                .key_set(&platform.row.fields.jwks_url)
                .await
                .expect("warm the JWKS cache");
        }
    }

    /// The platform `(iss, client_id)`.
    pub fn platform(&self, iss: &str, client_id: &str) -> Option<&Platform> {
        self.platforms
            .iter()
            .find(|p| p.row.fields.issuer == iss && p.row.fields.client_id == client_id)
    }

    /// A login; returns its auth request (state and nonce) after the jar took the cookie.
    pub async fn login(
        &mut self,
        params: &[(String, String)],
        post: bool,
    ) -> Result<AuthRequest, String> {
        let answer = login(&self.tool.state, params, post).await;
        self.jar.absorb(&answer.headers);
        auth_request(&answer)
    }
}

fn set_param(params: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    params.retain(|(k, _)| k != name);
    if let Some(value) = value {
        params.push((name.to_owned(), value.to_owned()));
    }
}

fn state_cookie(state: &str) -> String {
    format!("__Host-lti_state_{state}")
}

/// Row counts that a refused launch must leave as they were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rows {
    sessions: i64,
    deployments: i64,
    used_states: i64,
}

async fn rows(tool: &Tool) -> Rows {
    Rows {
        sessions: tool.count("SELECT COUNT(*) FROM sessions").await,
        deployments: tool.count("SELECT COUNT(*) FROM deployments").await,
        used_states: tool
            .count("SELECT COUNT(*) FROM login_states WHERE used = 1")
            .await,
    }
}

/// Runs one case of either stage; `Err` says what differed.
pub async fn run_case(catalogue: &Catalogue, case: &Value) -> Result<(), String> {
    match case["stage"].as_str() {
        Some("launch") => run_launch_case(catalogue, case).await,
        Some("login") => super::replay_login::run_login_case(catalogue, case).await,
        other => Err(format!("unknown stage {other:?}")),
    }
}

/// Steps 2–6 of the replay for a launch-stage case.
async fn run_launch_case(catalogue: &Catalogue, case: &Value) -> Result<(), String> {
    let mut world = World::new(catalogue).await;
    let base = case["base"].as_str().ok_or("case without base")?;
    let (claims, fixture) = load_claims(base);
    let ops: Vec<Value> = case["mutation"].as_array().cloned().unwrap_or_default();
    let reg = &fixture["registration"];
    let (iss, client_id) = (
        reg["iss"].as_str().unwrap_or_default(),
        reg["client_id"].as_str().unwrap_or_default(),
    );
    let platform = world
        .platform(iss, client_id)
        .cloned()
        .ok_or("the base registration is missing")?;
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("hint");
    let mut params: Vec<(String, String)> = vec![
        ("iss".into(), iss.into()),
        ("client_id".into(), client_id.into()),
        (
            "lti_deployment_id".into(),
            reg["deployment_id"].as_str().unwrap_or_default().into(),
        ),
        ("login_hint".into(), sub.into()),
        ("lti_message_hint".into(), "fixture".into()),
        ("target_link_uri".into(), catalogue.tool_launch_url.clone()),
    ];
    let (mut post, mut cookie_op, mut storage_target) = (true, "keep".to_owned(), None);
    let (mut replay, mut reuse_nonce, mut swap_state) = (false, false, false);
    let (mut advance, mut jwks_serves) = (0, None);
    let store = world.tool.state.store.clone();
    for op in &ops {
        match op["op"].as_str().unwrap_or_default() {
            "set_login_param" => set_param(
                &mut params,
                op["name"].as_str().unwrap_or_default(),
                op["value"].as_str(),
            ),
            "remove_login_param" => {
                set_param(&mut params, op["name"].as_str().unwrap_or_default(), None);
            }
            "login_method" => post = op["method"] != "GET",
            "binding" => {
                cookie_op = op["cookie"].as_str().unwrap_or("keep").to_owned();
                storage_target = op["lti_storage_target"].as_str().map(str::to_owned);
            }
            "registration_policy" => {
                let mut fields = platform.row.fields.clone();
                fields.auto_register_deployments =
                    op["auto_register_deployments"].as_bool().unwrap_or(false);
                store
                    .update_registration(&fields)
                    .await
                    .map_err(|e| format!("registration_policy: {e}"))?;
            }
            "register_deployment" => {
                let id = op["deployment_id"].as_str().unwrap_or_default();
                store
                    .add_deployment(platform.row.id, id, DeploymentOrigin::Admin, LOGIN_AT)
                    .await
                    .map_err(|e| format!("register_deployment: {e}"))?;
            }
            "advance_clock" => advance += op["seconds"].as_i64().unwrap_or(0),
            "jwks_serves" => jwks_serves = op["file"].as_str().map(str::to_owned),
            "replay" => replay = true,
            "reuse_nonce_from_previous_launch" => reuse_nonce = true,
            "swap_state" => swap_state = true,
            _ => {}
        }
    }
    if let Some(target) = &storage_target {
        set_param(&mut params, "lti_storage_target", Some(target));
    }
    let first = world
        .login(&params, post)
        .await
        .map_err(|e| format!("login: {e}"))?;
    let param = |auth: &AuthRequest, name: &str| {
        auth.param(name)
            .map(str::to_owned)
            .ok_or(format!("the auth request has no {name}"))
    };
    let (nonce, mut state) = (param(&first, "nonce")?, param(&first, "state")?);
    if reuse_nonce {
        let now = world.tool.clock.now();
        let payload = standard_payload(&claims, &fixture, now, &nonce, &catalogue.tool_launch_url);
        let built = build_launch(payload, &[], now, &state);
        let answer = launch(&world.tool.state, &built.form, &mut world.jar).await;
        if answer.status != 200 || script_json(&answer.body, "cairn-launch").is_none() {
            return Err(format!(
                "the previous launch was not accepted: {} {:?}",
                answer.status,
                error_code(&answer.body)
            ));
        }
    }
    if reuse_nonce || swap_state {
        let second = world
            .login(&params, post)
            .await
            .map_err(|e| format!("second login: {e}"))?;
        state = param(&second, "state")?;
    }
    world.tool.clock.advance(advance);
    if let Some(file) = &jwks_serves {
        world.server.serve(&platform.jwks_name, file);
    }
    let now = world.tool.clock.now();
    let payload = standard_payload(&claims, &fixture, now, &nonce, &catalogue.tool_launch_url);
    let mut built = build_launch(payload, &ops, now, &state);
    if let Some(target) = &storage_target {
        built
            .form
            .push(("lti_storage_target".into(), target.clone()));
    }
    let form_state = built.field("state").unwrap_or_default().to_owned();
    match cookie_op.as_str() {
        "drop" => {
            world.jar.0.remove(&state_cookie(&form_state));
        }
        "wrong_value" => {
            if let Some(value) = world.jar.0.get_mut(&state_cookie(&form_state)) {
                *value = format!("{value}-wrong");
            }
        }
        _ => {}
    }
    let expected = &case["expected"];
    if replay {
        let before = rows(&world.tool).await;
        let answer = launch(&world.tool.state, &built.form, &mut world.jar).await;
        let check = Check {
            world: &world,
            catalogue,
            form: &built.form,
            state: &form_state,
            registration: platform.row.id,
        };
        compare(&check, &expected["first_post"], &answer, before)
            .await
            .map_err(|e| format!("first post: {e}"))?;
    }
    let jwks_url = &platform.row.fields.jwks_url;
    let (downloads, hits) = (
        world.tool.state.jwks.downloads(jwks_url),
        world.server.hits(&platform.jwks_name),
    );
    let before = rows(&world.tool).await;
    let answer = launch(&world.tool.state, &built.form, &mut world.jar).await;
    let (downloads, hits) = (
        world.tool.state.jwks.downloads(jwks_url) - downloads,
        world.server.hits(&platform.jwks_name) - hits,
    );
    let check = Check {
        world: &world,
        catalogue,
        form: &built.form,
        state: &form_state,
        registration: platform.row.id,
    };
    compare(&check, expected, &answer, before).await?;
    if let Some(want) = expected["observe"]["jwks_requests_during_launch"].as_u64()
        && (downloads != want || hits != want)
    {
        return Err(format!(
            "{downloads} JWKS downloads counted by the cache and {hits} answered by the \
             platform during the launch, expected {want}"
        ));
    }
    Ok(())
}

fn got(answer: &Answer) -> String {
    match error_code(&answer.body) {
        Some(code) => format!("{} {code}", answer.status.as_u16()),
        None => format!("{} without an error code", answer.status.as_u16()),
    }
}

/// What a launch answer is checked against besides `expected`.
struct Check<'a> {
    world: &'a World,
    catalogue: &'a Catalogue,
    form: &'a [(String, String)],
    state: &'a str,
    registration: i64,
}

/// Compares one launch answer (and the rows it wrote since `before`) with an `expected` object.
async fn compare(
    check: &Check<'_>,
    expected: &Value,
    answer: &Answer,
    before: Rows,
) -> Result<(), String> {
    let after = rows(&check.world.tool).await;
    let result = expected["result"].as_str().unwrap_or_default();
    match result {
        "reject" => {
            let code = expected["error"].as_str().unwrap_or_default();
            let status = *check
                .catalogue
                .statuses
                .get(code)
                .ok_or(format!("spec/lti.md gives no status for {code}"))?;
            if answer.status.as_u16() != status || error_code(&answer.body).as_deref() != Some(code)
            {
                return Err(format!("got {}, expected {status} {code}", got(answer)));
            }
            if after != before {
                return Err(format!("a refusal wrote rows: {before:?} → {after:?}"));
            }
            Ok(())
        }
        "relaunch" => {
            if answer.status != 200 || !answer.body.contains("data-launch-result=\"relaunch\"") {
                return Err(format!("got {}, expected the relaunch page", got(answer)));
            }
            if after.sessions != before.sessions {
                return Err("the relaunch page created a session".into());
            }
            check_relaunch_link(check, &answer.body).await
        }
        "accept" | "accept_pending" => compare_accept(check, expected, answer, before, after).await,
        other => Err(format!("unknown expected result {other:?}")),
    }
}

/// The relaunch page's link is a login at the tool with the stored parameters minus
/// `lti_storage_target`, and following it (the new window) starts a login that redirects.
async fn check_relaunch_link(check: &Check<'_>, page: &str) -> Result<(), String> {
    let marker = "id=\"lti-relaunch\" href=\"";
    let start = page.find(marker).ok_or("the relaunch page has no link")? + marker.len();
    let end = start + page[start..].find('"').ok_or("unclosed href")?;
    let href = unescape(&page[start..end]);
    let link = url::Url::parse(&href).map_err(|e| format!("relaunch link {href}: {e}"))?;
    let login_url = format!("{}/lti/login", check.catalogue.public_url);
    if link.as_str().split('?').next() != Some(login_url.as_str()) {
        return Err(format!("the relaunch link goes to {href}"));
    }
    let params: Vec<(String, String)> = link.query_pairs().into_owned().collect();
    for name in ["iss", "login_hint", "target_link_uri"] {
        if !params.iter().any(|(k, _)| k == name) {
            return Err(format!("the relaunch link lacks {name}"));
        }
    }
    if params.iter().any(|(k, _)| k == "lti_storage_target") {
        return Err("the relaunch link forwards lti_storage_target".into());
    }
    let answer = login(&check.world.tool.state, &params, false).await;
    match auth_request(&answer)? {
        auth if auth.kind != AuthKind::PlatformStorage => Ok(()),
        _ => Err("the relaunch login answered the platform-storage page".into()),
    }
}

async fn compare_accept(
    check: &Check<'_>,
    expected: &Value,
    answer: &Answer,
    before: Rows,
    after: Rows,
) -> Result<(), String> {
    let Check {
        world,
        form,
        state,
        registration,
        ..
    } = *check;
    let pending = expected["result"] == "accept_pending";
    let launch_data = script_json(&answer.body, "cairn-launch")
        .filter(|_| answer.status == 200)
        .ok_or_else(|| format!("got {}, expected the tool page", got(answer)))?;
    if launch_data["pending"].as_bool() != Some(pending) {
        return Err(format!(
            "page pending = {}, expected {pending}",
            launch_data["pending"]
        ));
    }
    if pending && script_json(&answer.body, "lti-data").is_none_or(|d| d["mode"] != "confirm") {
        return Err("a pending launch page without the confirm step".into());
    }
    if let Some((_, id_token)) = form.iter().find(|(k, _)| k == "id_token")
        && answer.body.contains(id_token.as_str())
    {
        return Err("the id_token reached the page".into());
    }
    let token = launch_data["token"]
        .as_str()
        .ok_or("the page has no API token")?;
    let store = &world.tool.state.store;
    let session = store
        .session_by_token(&cairn_lti::random::token_hash(token))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no session for the page's token")?;
    if after.sessions != before.sessions + 1 || session.pending != pending {
        return Err(format!(
            "sessions {} → {}, pending {}",
            before.sessions, after.sessions, session.pending
        ));
    }
    if session.registration_id != registration {
        return Err("the session is another registration's".into());
    }
    let login = store.login_state(state).await.map_err(|e| e.to_string())?;
    if !login.is_some_and(|l| l.used) {
        return Err("the login state was not marked used".into());
    }
    if let Some(roles) = expected["roles"].as_array() {
        let want: BTreeSet<&str> = roles.iter().filter_map(Value::as_str).collect();
        let got: BTreeSet<&str> = session.roles.iter().map(String::as_str).collect();
        if want != got {
            return Err(format!("roles {got:?}, expected {want:?}"));
        }
    }
    let claims = &session.claims;
    if let Some(t) = expected["message_type"].as_str()
        && claims["message_type"] != t
    {
        return Err(format!(
            "message type {}, expected {t}",
            claims["message_type"]
        ));
    }
    for (name, present) in [
        ("ags", !claims["ags"].is_null()),
        ("nrps", !claims["nrps"].is_null()),
        ("test_user", claims["test_user"] == true),
    ] {
        if let Some(want) = expected[name].as_bool()
            && want != present
        {
            return Err(format!("{name} is {present}, expected {want}"));
        }
    }
    if expected.get("context") == Some(&Value::Null) && session.context_id.is_some() {
        return Err(format!("context {:?}, expected none", session.context_id));
    }
    if let Some(id) = expected["deployment_created"].as_str() {
        let row = store
            .deployment(registration, id)
            .await
            .map_err(|e| e.to_string())?;
        if !row.is_some_and(|d| d.origin == DeploymentOrigin::Launch)
            || session.deployment_id != id
            || after.deployments != before.deployments + 1
        {
            return Err(format!("deployment {id} was not created by the launch"));
        }
    } else if after.deployments != before.deployments {
        return Err("a deployment was created".into());
    }
    if let Some(data) = expected["deep_linking_data_echo"].as_str()
        && claims["deep_linking_data"] != data
    {
        return Err(format!("deep linking data {}", claims["deep_linking_data"]));
    }
    Ok(())
}
