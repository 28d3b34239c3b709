//! `GET` and `POST /lti/register`: LTI Dynamic Registration 1.0 (`spec/lti.md` §10.1). The
//! admin pastes the URL into Moodle or Canvas; the platform opens it with
//! `openid_configuration` and `registration_token`. `GET` reads the configuration (with the
//! token as Bearer, which Canvas needs), checks it ([`registration::parse_configuration`]) and
//! shows what will be registered; a configuration host other than the issuer's must be
//! confirmed. `POST` (the admin's confirmation) reads the configuration again (nothing from the
//! form is trusted but its two parameters), posts the registration with the same token (single
//! use: the platform refuses a second one), stores the client id and the returned deployment in
//! the registration store, and answers a page whose `/lti/register-close.mjs` posts
//! `org.imsglobal.lti.close` to the platform. No session is needed; every page has the strict CSP.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use crate::AppState;
use crate::advantage::registration::{
    self, MAX_DOCUMENT_BYTES, PLACEMENTS, PlatformConfiguration, Registered, TOOL_SCOPES,
};
use crate::pages::error::ErrorPage;
use crate::pages::{csp, document, escape, html_response};
use crate::store::{DeploymentOrigin, StoreError};

/// The path of both routes.
pub const REGISTER_PATH: &str = "/lti/register";
/// At most this many registration requests (either method) per minute, per process: the URL
/// is public and each one makes Cairn call out.
pub const MAX_PER_MINUTE: usize = 30;

/// Whether one more request fits in the last minute's budget (and counts it).
fn within_rate_limit() -> bool {
    use std::collections::VecDeque;
    use std::sync::{Mutex, OnceLock};
    use std::time::{Duration, Instant};
    static RECENT: OnceLock<Mutex<VecDeque<Instant>>> = OnceLock::new();
    let mut recent = RECENT
        .get_or_init(|| Mutex::new(VecDeque::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = Instant::now();
    while recent
        .front()
        .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60))
    {
        recent.pop_front();
    }
    if recent.len() >= MAX_PER_MINUTE {
        return false;
    }
    recent.push_back(now);
    true
}

fn rate_limited() -> Response {
    refused(
        "registration_rate_limited",
        StatusCode::TOO_MANY_REQUESTS,
        "Too many registration attempts in the last minute; wait a minute and start again.",
    )
}

/// The platform's parameters (query on `GET`, form on `POST`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RegisterParams {
    /// The platform's OpenID configuration URL.
    pub openid_configuration: Option<String>,
    /// The single-use registration token (may be absent).
    pub registration_token: Option<String>,
    /// The admin confirmed a configuration host other than the issuer's.
    pub confirm_host: Option<String>,
}

fn refused(code: &str, status: StatusCode, what: &str) -> Response {
    tracing::warn!(code, what, "dynamic registration refused");
    ErrorPage {
        code,
        status,
        what_happened: what,
        what_to_tell_the_admin: "Start the registration again from the platform's tool \
            administration page; each registration link works once.",
    }
    .render()
}

/// Reads and checks the platform's configuration; the error is the answer to show.
async fn configuration(
    state: &AppState,
    params: &RegisterParams,
) -> Result<(String, PlatformConfiguration), Box<Response>> {
    let allow_http = state.is_http_tool();
    let Some(url) = params
        .openid_configuration
        .clone()
        .filter(|u| registration::secure_enough(u, allow_http))
    else {
        return Err(Box::new(refused(
            "registration_bad_configuration_url",
            StatusCode::BAD_REQUEST,
            "The registration link has no https openid_configuration URL.",
        )));
    };
    // The state's outbound client: Cairn's User-Agent on every call.
    let client = state.ags.http();
    let mut request = client.get(&url).header(header::ACCEPT, "application/json");
    if let Some(token) = &params.registration_token {
        request = request.bearer_auth(token);
    }
    let unreachable = |why: String| {
        Box::new(refused(
            "registration_configuration_unreachable",
            StatusCode::BAD_GATEWAY,
            &format!("Cairn could not read the platform's configuration at {url}: {why}"),
        ))
    };
    let response = request
        .send()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    if !status.is_success() {
        return Err(unreachable(format!("HTTP {status}")));
    }
    let body = &body[..body.len().min(MAX_DOCUMENT_BYTES + 1)];
    match registration::parse_configuration(body, allow_http) {
        Ok(config) => Ok((url, config)),
        Err(error) => Err(Box::new(refused(
            error.code(),
            StatusCode::BAD_GATEWAY,
            &error.to_string(),
        ))),
    }
}

/// `GET /lti/register`: what will be registered, and the confirmation form.
pub async fn start(
    State(state): State<AppState>,
    Query(params): Query<RegisterParams>,
) -> Response {
    if !within_rate_limit() {
        return rate_limited();
    }
    let (url, config) = match configuration(&state, &params).await {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    let public_url = &state.config.public_url;
    let mut rows = vec![
        ("Platform (issuer)", config.issuer.clone()),
        (
            "Product",
            format!(
                "{} {}",
                config.product_family_code.as_deref().unwrap_or("unknown"),
                config.version.as_deref().unwrap_or("")
            ),
        ),
        ("Configuration read from", url.clone()),
        ("Cairn's login URL", public_url.login_url()),
        ("Cairn's launch URL", public_url.launch_url()),
        ("Cairn's public keys", public_url.jwks_url()),
        ("Services asked for", TOOL_SCOPES.join("\n")),
    ];
    rows.push((
        "Placements",
        PLACEMENTS
            .iter()
            .map(|(p, m)| format!("{p} ({m})"))
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    let table: String = rows
        .iter()
        .map(|(k, v)| {
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                escape(k),
                escape(v).replace('\n', "<br>")
            )
        })
        .collect();
    let hidden = |name: &str, value: Option<&String>| {
        value
            .map(|v| {
                format!(
                    "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                    escape(v)
                )
            })
            .unwrap_or_default()
    };
    let host_check = if registration::host_differs(&url, &config.issuer) {
        format!(
            "<p class=\"warning\" id=\"host-differs\">The configuration comes from <code>{}</code> \
             but names the issuer <code>{}</code>.</p><label><input type=\"checkbox\" \
             name=\"confirm_host\" value=\"yes\" required> I trust this platform's issuer</label>",
            escape(
                url::Url::parse(&url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .as_deref()
                    .unwrap_or("")
            ),
            escape(&config.issuer)
        )
    } else {
        String::new()
    };
    let body = format!(
        "<section class=\"card\" aria-labelledby=\"reg-title\"><h1 id=\"reg-title\">Register \
         Cairn with your platform</h1><table class=\"registration\">{table}</table>\
         <form method=\"post\" action=\"{REGISTER_PATH}\" id=\"register-form\">{config}{token}\
         {host_check}<button type=\"submit\" id=\"register\">Register Cairn</button></form>\
         </section>",
        config = hidden("openid_configuration", Some(&url)),
        token = hidden("registration_token", params.registration_token.as_ref()),
    );
    html_response(
        StatusCode::OK,
        &csp(&[]),
        document("Register Cairn", &body, &[]),
    )
}

/// `POST /lti/register`: the admin confirmed.
pub async fn confirm(State(state): State<AppState>, body: Bytes) -> Response {
    if !within_rate_limit() {
        return rate_limited();
    }
    let params: RegisterParams = serde_urlencoded_params(&body);
    let (url, config) = match configuration(&state, &params).await {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    if registration::host_differs(&url, &config.issuer)
        && params.confirm_host.as_deref() != Some("yes")
    {
        return refused(
            "registration_host_not_confirmed",
            StatusCode::BAD_REQUEST,
            "The configuration's host differs from its issuer and the admin did not confirm it.",
        );
    }
    let registered =
        match post_registration(&state, &config, params.registration_token.as_deref()).await {
            Ok(registered) => registered,
            Err(answer) => return *answer,
        };
    match store(&state, &config, &registered).await {
        Ok(()) => {}
        Err(error) => {
            tracing::error!(error = %error, "dynamic registration: store");
            return crate::routes::login::internal_error_page();
        }
    }
    tracing::info!(issuer = %config.issuer, client_id = %registered.client_id, "dynamic registration");
    let pending = if config.family() == crate::store::PlatformFamily::Moodle {
        "<p>Moodle adds the tool as <strong>pending</strong>: an administrator activates it in \
         Manage tools before the first launch.</p>"
    } else {
        ""
    };
    let body = format!(
        "<section class=\"card\" aria-labelledby=\"done-title\" data-client-id=\"{client}\">\
         <h1 id=\"done-title\">Cairn is registered</h1><p>Client ID <code>{client}</code>{deployment}.\
         </p>{pending}<p>This window closes itself; if it stays open, close it.</p></section>",
        client = escape(&registered.client_id),
        deployment = registered
            .deployment_id
            .as_deref()
            .map(|d| format!(", deployment <code>{}</code>", escape(d)))
            .unwrap_or_default(),
    );
    html_response(
        StatusCode::OK,
        &csp(&[]),
        document("Cairn is registered", &body, &["/lti/register-close.mjs"]),
    )
}

fn serde_urlencoded_params(body: &[u8]) -> RegisterParams {
    let mut params = RegisterParams::default();
    for (name, value) in url::form_urlencoded::parse(body) {
        let slot = match name.as_ref() {
            "openid_configuration" => &mut params.openid_configuration,
            "registration_token" => &mut params.registration_token,
            "confirm_host" => &mut params.confirm_host,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.into_owned());
        }
    }
    params
}

/// POSTs the registration request with the token; the platform's answer, read.
async fn post_registration(
    state: &AppState,
    config: &PlatformConfiguration,
    token: Option<&str>,
) -> Result<Registered, Box<Response>> {
    // The state's outbound client: Cairn's User-Agent on every call.
    let client = state.ags.http();
    let mut request = client
        .post(&config.registration_endpoint)
        .header(header::ACCEPT, "application/json")
        .json(&registration::registration_request(
            &state.config.public_url,
        ));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let failed = |why: String| {
        Box::new(refused(
            "registration_refused",
            StatusCode::BAD_GATEWAY,
            &format!("The platform did not accept the registration: {why}"),
        ))
    };
    let response = request.send().await.map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| failed(e.to_string()))?;
    if !status.is_success() {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
        return Err(failed(format!("HTTP {status}: {text}")));
    }
    registration::parse_registered(&body[..body.len().min(MAX_DOCUMENT_BYTES + 1)])
        .map_err(|e| Box::new(refused(e.code(), StatusCode::BAD_GATEWAY, &e.to_string())))
}

/// Stores (or updates) the registration and the returned deployment.
async fn store(
    state: &AppState,
    config: &PlatformConfiguration,
    registered: &Registered,
) -> Result<(), StoreError> {
    let row = registration::new_registration(config, registered, state.is_http_tool());
    let now = state.now();
    let stored = match state.store.add_registration(&row, now).await {
        Ok(stored) => stored,
        Err(StoreError::AlreadyExists(_)) => state.store.update_registration(&row).await?,
        Err(other) => return Err(other),
    };
    if let Some(deployment) = &registered.deployment_id {
        match state
            .store
            .add_deployment(
                stored.id,
                deployment,
                DeploymentOrigin::DynamicRegistration,
                now,
            )
            .await
        {
            Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}
