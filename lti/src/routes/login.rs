//! `GET` and `POST /lti/login`: OIDC third-party initiated login (`spec/lti.md` §3). Checks the
//! parameters, picks the registration, stores a fresh login state (state and nonce from the
//! CSPRNG), sets the partitioned state cookie, and sends the browser to the platform's auth
//! endpoint: a 302, an auto-submitting form when the query is over 2 KB, or, when the login
//! carried `lti_storage_target`, the platform-storage page that stores state and nonce first.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::AppState;
use crate::launch::{LoginError, LoginRequest, STATE_TTL_SECONDS};
use crate::pages::binding;
use crate::pages::error::ErrorPage;
use crate::routes::cookie;
use crate::store::{BindingMode, LoginState, Registration};

/// Longest auth request sent as a redirect; longer ones go as a form (§3.2).
pub const MAX_REDIRECT_QUERY: usize = 2048;

/// `GET /lti/login`: the parameters are in the query.
pub async fn login_get(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    login(&state, query.as_bytes()).await
}

/// `POST /lti/login`: the parameters are an urlencoded form.
pub async fn login_post(State(state): State<AppState>, body: Bytes) -> Response {
    login(&state, &body).await
}

async fn login(state: &AppState, encoded: &[u8]) -> Response {
    match start_login(state, encoded).await {
        Ok(response) => response,
        Err(Refusal::Login(error)) => {
            tracing::warn!(code = error.code(), %error, "login refused");
            state
                .metrics
                .record_launch("login_reject", Some(error.code()));
            ErrorPage {
                code: error.code(),
                status: error.status(),
                what_happened: error.what_happened(),
                what_to_tell_the_admin: error.what_to_tell_the_admin(),
            }
            .render()
        }
        Err(Refusal::Internal(why)) => {
            tracing::error!(code = "internal_error", error = %why, "login failed");
            state
                .metrics
                .record_launch("login_reject", Some("internal_error"));
            internal_error_page()
        }
    }
}

/// Why a login got no auth request.
enum Refusal {
    /// The platform sent something §3.1 refuses.
    Login(LoginError),
    /// Cairn could not do its part (store or CSPRNG).
    Internal(String),
}

impl From<LoginError> for Refusal {
    fn from(error: LoginError) -> Refusal {
        Refusal::Login(error)
    }
}

async fn start_login(state: &AppState, encoded: &[u8]) -> Result<Response, Refusal> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(encoded).into_owned().collect();
    let request = LoginRequest::parse(
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        state.public_url(),
    )?;
    let candidates = state
        .store
        .registrations_for_issuer(&request.iss)
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    let registration = request.select_registration(&candidates)?;

    let now = state.now();
    let login_state = crate::random::token().map_err(|e| Refusal::Internal(e.to_string()))?;
    let nonce = crate::random::token().map_err(|e| Refusal::Internal(e.to_string()))?;
    let binding = match request.lti_storage_target {
        Some(_) => BindingMode::PlatformStorage,
        None => BindingMode::Cookie,
    };
    let row = LoginState {
        state: login_state.clone(),
        nonce: nonce.clone(),
        registration_id: registration.id,
        deployment_id: request.lti_deployment_id.clone(),
        target_link_uri: request.target_link_uri.clone(),
        login_hint: request.login_hint.clone(),
        lti_message_hint: request.lti_message_hint.clone(),
        client_id: request.client_id.clone(),
        binding,
        created_at: now,
        used: false,
    };
    state
        .store
        .put_login_state(&row)
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?;

    let params = auth_params(state, registration, &request, &login_state, &nonce);
    let cookies = cookie::set_state_cookies(&login_state, STATE_TTL_SECONDS, state.is_http_tool());
    let mut response = match &request.lti_storage_target {
        Some(target) => {
            let data = serde_json::json!({
                "mode": "login",
                "target": target,
                "platform_origin": origin_of(&registration.fields.auth_endpoint),
                "state": login_state,
                "nonce": nonce,
            });
            binding::storage_login(&registration.fields.auth_endpoint, &params, &data)
        }
        None => redirect_or_form(&registration.fields.auth_endpoint, &params),
    };
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    state.metrics.record_launch("login", None);
    Ok(response)
}

/// The auth request's parameters, in the order of §3.2.
fn auth_params(
    state: &AppState,
    registration: &Registration,
    request: &LoginRequest,
    login_state: &str,
    nonce: &str,
) -> Vec<(String, String)> {
    let mut params = vec![
        ("scope".to_owned(), "openid".to_owned()),
        ("response_type".to_owned(), "id_token".to_owned()),
        ("response_mode".to_owned(), "form_post".to_owned()),
        ("prompt".to_owned(), "none".to_owned()),
        (
            "client_id".to_owned(),
            registration.fields.client_id.clone(),
        ),
        (
            "redirect_uri".to_owned(),
            state.config.public_url.launch_url(),
        ),
        ("login_hint".to_owned(), request.login_hint.clone()),
    ];
    if let Some(hint) = &request.lti_message_hint {
        params.push(("lti_message_hint".to_owned(), hint.clone()));
    }
    params.push(("state".to_owned(), login_state.to_owned()));
    params.push(("nonce".to_owned(), nonce.to_owned()));
    params
}

/// A 302 to the auth endpoint with the parameters in the query (kept after any query the
/// endpoint already has), or the auto-submitting form when that URL would be over 2 KB.
fn redirect_or_form(auth_endpoint: &str, params: &[(String, String)]) -> Response {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .finish();
    if query.len() > MAX_REDIRECT_QUERY {
        return binding::auto_submit(auth_endpoint, params);
    }
    let separator = if auth_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = format!("{auth_endpoint}{separator}{query}");
    let mut headers = HeaderMap::new();
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            headers.insert(header::LOCATION, value);
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            (StatusCode::FOUND, headers).into_response()
        }
        Err(_) => binding::auto_submit(auth_endpoint, params),
    }
}

/// The origin (`scheme://host[:port]`) of a URL, for postMessage's target origin.
pub fn origin_of(url: &str) -> String {
    Url::parse(url).map_or_else(|_| String::new(), |u| u.origin().ascii_serialization())
}

/// The page for a failure on Cairn's side.
pub fn internal_error_page() -> Response {
    ErrorPage {
        code: "internal_error",
        status: StatusCode::INTERNAL_SERVER_ERROR,
        what_happened: "Cairn could not complete the sign-in because of a problem on its side.",
        what_to_tell_the_admin: "Try again in a minute. If it keeps happening, tell your LMS admin \
            the error code and the time; Cairn's log has the details.",
    }
    .render()
}
