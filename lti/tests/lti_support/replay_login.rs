//! Login-stage cases of `fixtures/lti/negative-cases.json` through the whole app: the `login/*.json`
//! parameter set (its `target_link_uri` replaced by the tool's launch URL) after registering that
//! platform, the case's login ops, then the answer against `expected`: a refusal with its code and
//! status, or an auth request matching the file's `expected_auth_request` (fixed values, the
//! registration's client id and redirect URI, echoed parameters byte for byte, fresh state and
//! nonce, parameters never forwarded), as the platform-storage page when the login carried
//! `lti_storage_target`.

use serde_json::Value;

use super::mutate::read_json;
use super::replay::{Catalogue, World};
use super::tool::{AuthKind, AuthRequest, error_code, login};

fn set_param(params: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    params.retain(|(k, _)| k != name);
    if let Some(value) = value {
        params.push((name.to_owned(), value.to_owned()));
    }
}

/// A fresh value: at least 128 bits of base64url.
fn fresh(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        v.len() >= 22
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Runs one login-stage case; `Err` says what differed.
pub async fn run_login_case(catalogue: &Catalogue, case: &Value) -> Result<(), String> {
    let mut world = World::new(catalogue).await;
    let doc = read_json(case["base"].as_str().ok_or("case without base")?);
    let set = if doc.get("params").is_some() {
        &doc
    } else {
        &doc["resource_link"]
    };
    let mut params: Vec<(String, String)> = set["params"]
        .as_object()
        .ok_or("login file without params")?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    set_param(
        &mut params,
        "target_link_uri",
        Some(&catalogue.tool_launch_url),
    );
    let mut post = set["method"] != "GET";
    let iss = set["params"]["iss"].as_str().unwrap_or_default();
    let client_id = set["params"]["client_id"].as_str().unwrap_or_default();
    let deployments: Vec<&str> = set["params"]["lti_deployment_id"]
        .as_str()
        .into_iter()
        .collect();
    let platform = doc["_fixture"]["platform"].as_str().unwrap_or_default();
    let platform_jwks = catalogue.doc["config"]["platform_jwks"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let registration = world
        .register(iss, client_id, &deployments, &platform_jwks, platform)
        .await;
    for op in case["mutation"].as_array().into_iter().flatten() {
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
                if let Some(target) = op["lti_storage_target"].as_str() {
                    set_param(&mut params, "lti_storage_target", Some(target));
                }
            }
            other => return Err(format!("op {other} does not apply to a login")),
        }
    }
    let answer = login(&world.tool.state, &params, post).await;
    let expected = &case["expected"];
    match expected["result"].as_str().unwrap_or_default() {
        "reject" => {
            let code = expected["error"].as_str().unwrap_or_default();
            let status = catalogue
                .statuses
                .get(code)
                .ok_or(format!("spec/lti.md gives no status for {code}"))?;
            if answer.status.as_u16() != *status
                || error_code(&answer.body).as_deref() != Some(code)
            {
                return Err(format!(
                    "got {} {:?}, expected {status} {code}",
                    answer.status.as_u16(),
                    error_code(&answer.body)
                ));
            }
            let stored = world.tool.count("SELECT COUNT(*) FROM login_states").await;
            if stored != 0 {
                return Err("a refused login stored a state".into());
            }
            Ok(())
        }
        "redirect" => {
            world.jar.absorb(&answer.headers);
            let auth = super::tool::auth_request(&answer)?;
            check_auth_request(
                &world,
                catalogue,
                &doc,
                &params,
                &registration.fields.client_id,
                &auth,
            )
            .await?;
            // Fresh means fresh: the same login again gets another state and nonce.
            let again = super::tool::auth_request(&login(&world.tool.state, &params, post).await)?;
            if again.param("state") == auth.param("state")
                || again.param("nonce") == auth.param("nonce")
            {
                return Err("a second login reused the state or nonce".into());
            }
            Ok(())
        }
        other => Err(format!("unknown expected result {other:?} for a login")),
    }
}

async fn check_auth_request(
    world: &World,
    catalogue: &Catalogue,
    doc: &Value,
    params: &[(String, String)],
    client_id: &str,
    auth: &AuthRequest,
) -> Result<(), String> {
    let want = &doc["expected_auth_request"];
    let sent = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let registration = world
        .platforms
        .iter()
        .find(|p| p.row.fields.client_id == client_id)
        .ok_or("no registration")?;
    match sent("lti_storage_target") {
        Some(target) => {
            if auth.kind != AuthKind::PlatformStorage {
                return Err(format!(
                    "{:?}, expected the platform-storage page",
                    auth.kind
                ));
            }
            let data = auth.lti_data.as_ref().ok_or("no #lti-data")?;
            let origin = url::Url::parse(&registration.row.fields.auth_endpoint)
                .map_err(|e| e.to_string())?
                .origin()
                .ascii_serialization();
            if data["target"] != target
                || data["platform_origin"] != origin.as_str()
                || data["state"].as_str() != auth.param("state")
                || data["nonce"].as_str() != auth.param("nonce")
            {
                return Err(format!("#lti-data {data} does not match the auth request"));
            }
        }
        None if auth.kind == AuthKind::PlatformStorage => {
            return Err("the platform-storage page without lti_storage_target".into());
        }
        None => {}
    }
    if auth.endpoint != registration.row.fields.auth_endpoint {
        return Err(format!("auth request to {}", auth.endpoint));
    }
    for (name, value) in want["fixed"].as_object().into_iter().flatten() {
        if auth.param(name) != value.as_str() {
            return Err(format!("{name} = {:?}, expected {value}", auth.param(name)));
        }
    }
    if auth.param("client_id") != Some(client_id) {
        return Err(format!("client_id {:?}", auth.param("client_id")));
    }
    if auth.param("redirect_uri") != Some(catalogue.tool_launch_url.as_str()) {
        return Err(format!("redirect_uri {:?}", auth.param("redirect_uri")));
    }
    for name in want["echo_unchanged"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if auth.param(name) != sent(name) {
            return Err(format!(
                "{name} {:?}, sent {:?}",
                auth.param(name),
                sent(name)
            ));
        }
    }
    for name in want["fresh"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        if !fresh(auth.param(name)) {
            return Err(format!(
                "{name} {:?} is not 128-bit base64url",
                auth.param(name)
            ));
        }
    }
    let (state, nonce) = (
        auth.param("state").unwrap_or_default(),
        auth.param("nonce").unwrap_or_default(),
    );
    if state == nonce {
        return Err("state equals nonce".into());
    }
    for name in want["must_not_send"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if auth.param(name).is_some() {
            return Err(format!("{name} was forwarded"));
        }
    }
    let stored = world
        .tool
        .state
        .store
        .login_state(state)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the state was not stored")?;
    if stored.nonce != nonce || stored.used {
        return Err("the stored login state differs".into());
    }
    if world
        .jar
        .0
        .get(&format!("__Host-lti_state_{state}"))
        .map(String::as_str)
        != Some(state)
    {
        return Err("no state cookie".into());
    }
    Ok(())
}
