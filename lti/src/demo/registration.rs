//! The demo platform's Dynamic Registration start (LTI Dynamic Registration 1.0, `spec/lti.md`
//! §10.1), what an LMS admin sees when installing a tool from one URL: `/registration` offers
//! "Register Cairn by Dynamic Registration", which opens the tool's registration URL
//! (`<tool>/lti/register`) in a frame with `openid_configuration` (this platform's
//! configuration, its issuer its own origin) and a fresh single-use `registration_token`
//! (random, valid an hour). The tool reads the configuration (the token as Bearer, as Canvas
//! requires), posts its registration to the endpoint with the token; the platform checks the
//! request (the members an LMS needs: login and redirect URIs, JWKS, `private_key_jwt`, the
//! grant and response types, the tool configuration's `target_link_uri`), answers with a new
//! client id and a deployment id, and refuses the token's second use (401, as Moodle). A tool
//! registered here is listed, not launched: the demo's launches stay its two flavours'. The
//! page then lists the registered tools (`/registration.json` too); the tool's
//! `org.imsglobal.lti.close` makes the page reload. The registered tools are kept in memory.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::{Value, json};

use super::DemoPlatform;
use super::pages::escape_html;
use crate::advantage::registration::{PLATFORM_CONFIGURATION, TOOL_CONFIGURATION};
use crate::random::token;

/// The admin's page.
pub const PAGE_PATH: &str = "/registration";
/// The platform's OpenID configuration.
pub const CONFIGURATION_PATH: &str = "/registration/openid-configuration";
/// Where tools post their registration.
pub const ENDPOINT_PATH: &str = "/registration/tools";
/// The registered tools as JSON.
pub const LIST_PATH: &str = "/registration.json";
/// How long a registration token is good for (seconds; Moodle's hour).
pub const TOKEN_LIFETIME: i64 = 3600;
/// The frame the tool's registration page opens in.
const FRAME: &str = "registration";

/// A tool registered here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegisteredTool {
    /// The client id this platform gave it.
    pub client_id: String,
    /// Its one deployment.
    pub deployment_id: String,
    /// `client_name`.
    pub client_name: String,
    /// `initiate_login_uri`.
    pub initiate_login_uri: String,
    /// `redirect_uris`.
    pub redirect_uris: Vec<String>,
    /// `jwks_uri`.
    pub jwks_uri: String,
    /// `scope`, space separated.
    pub scope: String,
    /// The tool configuration's `target_link_uri`.
    pub target_link_uri: String,
    /// The message types it asked for.
    pub messages: Vec<String>,
    /// When (Unix seconds).
    pub registered_at: i64,
}

/// Issued tokens (expiry, used) and registered tools, in memory.
#[derive(Debug, Default)]
pub struct DynamicRegistrations(Mutex<Book>);

#[derive(Debug, Default)]
struct Book {
    tokens: BTreeMap<String, (i64, bool)>,
    tools: Vec<RegisteredTool>,
}

/// Why a registration post was refused: the status and the OAuth-style error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// `invalid_token`, `token_already_used`, `invalid_client_metadata`.
    pub error: &'static str,
    /// For people.
    pub description: String,
}

impl Refusal {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Refusal {
        Refusal {
            status,
            error,
            description: description.into(),
        }
    }
}

impl DynamicRegistrations {
    fn book(&self) -> MutexGuard<'_, Book> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh single-use registration token, valid [`TOKEN_LIFETIME`] from `now`.
    pub fn issue_token(&self, now: i64) -> Option<String> {
        let value = token().ok()?;
        let mut book = self.book();
        // Expired tokens are forgotten as new ones are issued.
        book.tokens.retain(|_, (expires, _)| *expires > now);
        book.tokens
            .insert(value.clone(), (now + TOKEN_LIFETIME, false));
        Some(value)
    }

    /// Whether `value` was issued here and has not expired. The configuration read neither
    /// needs an unused token nor uses it up: the registration post is where a second use is
    /// refused (as Moodle does).
    pub fn token_is_known(&self, value: &str, now: i64) -> bool {
        self.book()
            .tokens
            .get(value)
            .is_some_and(|(expires, _)| *expires > now)
    }

    /// Checks a registration request and, when it is good, uses the token up and keeps the
    /// tool under a new client id; the platform's answer (the request echoed with it).
    pub fn register(
        &self,
        bearer: Option<&str>,
        request: &Value,
        now: i64,
    ) -> Result<Value, Refusal> {
        let tool = checked_request(request, now)?;
        let mut book = self.book();
        let Some(entry) = bearer.and_then(|b| book.tokens.get_mut(b)) else {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "no registration token, or one this platform did not issue",
            ));
        };
        if entry.1 {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "token_already_used",
                "this registration token was used already; start again",
            ));
        }
        if entry.0 <= now {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "this registration token has expired; start again",
            ));
        }
        entry.1 = true;
        let number = book.tools.len() + 1;
        let client_id = format!("cairn-demo-dr-{number}");
        let deployment_id = format!("dr-deployment-{number}");
        let mut answer = request.clone();
        if let Some(map) = answer.as_object_mut() {
            map.insert("client_id".into(), json!(client_id));
            if let Some(config) = map
                .get_mut(TOOL_CONFIGURATION)
                .and_then(Value::as_object_mut)
            {
                config.insert("deployment_id".into(), json!(deployment_id));
            }
        }
        book.tools.push(RegisteredTool {
            client_id,
            deployment_id,
            ..tool
        });
        Ok(answer)
    }

    /// The registered tools, oldest first.
    pub fn registered(&self) -> Vec<RegisteredTool> {
        self.book().tools.clone()
    }
}

/// The request's members an LMS needs, checked; the tool without its ids yet.
fn checked_request(request: &Value, now: i64) -> Result<RegisteredTool, Refusal> {
    let bad = |what: String| Refusal::new(StatusCode::BAD_REQUEST, "invalid_client_metadata", what);
    let text = |value: &Value, name: &str| -> Result<String, Refusal> {
        value
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| bad(format!("{name} is missing")))
    };
    let strings = |value: &Value, name: &str| -> Vec<String> {
        value
            .get(name)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    if !request.is_object() {
        return Err(bad("the registration is not a JSON object".into()));
    }
    let grants = strings(request, "grant_types");
    for grant in ["implicit", "client_credentials"] {
        if !grants.iter().any(|g| g == grant) {
            return Err(bad(format!("grant_types must include {grant}")));
        }
    }
    if strings(request, "response_types") != ["id_token"] {
        return Err(bad("response_types must be [\"id_token\"]".into()));
    }
    if text(request, "token_endpoint_auth_method")? != "private_key_jwt" {
        return Err(bad(
            "token_endpoint_auth_method must be private_key_jwt".into()
        ));
    }
    let redirect_uris = strings(request, "redirect_uris");
    if redirect_uris.is_empty() {
        return Err(bad("redirect_uris is missing".into()));
    }
    let config = request
        .get(TOOL_CONFIGURATION)
        .filter(|c| c.is_object())
        .ok_or_else(|| bad(format!("{TOOL_CONFIGURATION} is missing")))?;
    let target_link_uri = text(config, "target_link_uri")?;
    text(config, "domain")?;
    let messages = config
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("type").and_then(Value::as_str).map(str::to_owned))
        .collect();
    Ok(RegisteredTool {
        client_id: String::new(),
        deployment_id: String::new(),
        client_name: text(request, "client_name")?,
        initiate_login_uri: text(request, "initiate_login_uri")?,
        redirect_uris,
        jwks_uri: text(request, "jwks_uri")?,
        scope: request
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        target_link_uri,
        messages,
        registered_at: now,
    })
}

/// The platform's OpenID configuration (`openid_configuration`): its issuer is its origin.
pub fn configuration(platform: &DemoPlatform) -> Value {
    let base = platform.platform_url();
    json!({
        "issuer": base,
        "authorization_endpoint": platform.auth_endpoint(),
        // The demo's token endpoint knows the flavours' client ids only: a tool registered
        // here is listed, not launched (the demo's launches stay those of its two flavours).
        "token_endpoint": platform.token_endpoint(super::people::Flavour::Moodle),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": platform.jwks_url(),
        "registration_endpoint": format!("{base}{ENDPOINT_PATH}"),
        "scopes_supported": ["openid"],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
        PLATFORM_CONFIGURATION: {
            "product_family_code": "cairn-demo-platform",
            "version": crate::VERSION,
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest", "placements": ["ContentArea"]},
            ],
        },
    })
}

/// The routes of this file, to merge into the platform's router.
pub fn routes() -> Router<DemoPlatform> {
    Router::new()
        .route(PAGE_PATH, get(page))
        .route(CONFIGURATION_PATH, get(openid_configuration))
        .route(ENDPOINT_PATH, axum::routing::post(register))
        .route(LIST_PATH, get(list))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The configuration; a Bearer token, when sent (Canvas requires one), must be one issued here
/// and not expired.
async fn openid_configuration(
    State(platform): State<DemoPlatform>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = bearer(&headers)
        && !platform
            .registrations()
            .token_is_known(token, platform.now())
    {
        return refusal(&Refusal::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the registration token is unknown or expired",
        ));
    }
    Json(configuration(&platform)).into_response()
}

async fn register(
    State(platform): State<DemoPlatform>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(err) => {
            return refusal(&Refusal::new(
                StatusCode::BAD_REQUEST,
                "invalid_client_metadata",
                format!("the registration is not JSON: {err}"),
            ));
        }
    };
    match platform
        .registrations()
        .register(bearer(&headers), &request, platform.now())
    {
        Ok(answer) => Json(answer).into_response(),
        Err(refused) => refusal(&refused),
    }
}

fn refusal(refused: &Refusal) -> Response {
    (
        refused.status,
        Json(json!({"error": refused.error, "error_description": refused.description})),
    )
        .into_response()
}

async fn list(State(platform): State<DemoPlatform>) -> Response {
    Json(json!({"tools": platform.registrations().registered()})).into_response()
}

async fn page(State(platform): State<DemoPlatform>) -> Response {
    let Some(token) = platform.registrations().issue_token(platform.now()) else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no random source").into_response();
    };
    let register_url = format!("{}/lti/register", platform.tool_url());
    let configuration_url = format!("{}{CONFIGURATION_PATH}", platform.platform_url());
    let tools = platform.registrations().registered();
    let mut listed = String::new();
    for tool in &tools {
        listed.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td>\
             <td>{}</td></tr>\n",
            escape_html(&tool.client_name),
            escape_html(&tool.client_id),
            escape_html(&tool.deployment_id),
            escape_html(&tool.initiate_login_uri),
            escape_html(&tool.messages.join(", ")),
        ));
    }
    if listed.is_empty() {
        listed.push_str("<tr><td colspan=\"5\">No tool registered yet.</td></tr>\n");
    }
    let body = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Dynamic Registration · Cairn demo platform</title>\n\
         <link rel=\"stylesheet\" href=\"/static/platform.css\">\n\
         <script src=\"/static/platform.js\" defer></script>\n</head>\n\
         <body data-page=\"registration\" data-tool-origin=\"{origin}\">\n<main>\n\
         <h1>Register a tool by Dynamic Registration</h1>\n<p><a href=\"/\">Back to the \
         course</a></p>\n<p>An admin pastes the tool's registration URL; the platform opens it \
         with its configuration URL and a registration token that works once, for an hour. \
         The tool shows what it will register, posts its registration, and closes.</p>\n\
         <form method=\"get\" action=\"{action}\" target=\"{FRAME}\" id=\"start-registration\">\n\
         <input type=\"hidden\" name=\"openid_configuration\" value=\"{config}\">\n\
         <input type=\"hidden\" name=\"registration_token\" value=\"{token}\">\n\
         <p>Tool's registration URL: <code>{action}</code></p>\n\
         <button type=\"submit\">Register Cairn by Dynamic Registration</button>\n</form>\n\
         <iframe name=\"{FRAME}\" title=\"The tool's registration\"></iframe>\n\
         <h2>Registered tools</h2>\n<table>\n<thead><tr><th>Tool</th><th>Client ID</th>\
         <th>Deployment</th><th>Login URL</th><th>Messages</th></tr></thead>\n<tbody>\n\
         {listed}</tbody>\n</table>\n</main>\n</body>\n</html>\n",
        origin = escape_html(platform.tool_origin()),
        action = escape_html(&register_url),
        config = escape_html(&configuration_url),
        token = escape_html(&token),
    );
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; frame-src {origin}; \
         form-action {origin}; frame-ancestors 'none'; base-uri 'none'",
        origin = platform.tool_origin()
    );
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if let Ok(value) = header::HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Value {
        json!({
            "application_type": "web",
            "client_name": "Tool",
            "grant_types": ["client_credentials", "implicit"],
            "response_types": ["id_token"],
            "initiate_login_uri": "https://tool.test/login",
            "redirect_uris": ["https://tool.test/launch"],
            "jwks_uri": "https://tool.test/jwks",
            "token_endpoint_auth_method": "private_key_jwt",
            "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            TOOL_CONFIGURATION: {
                "domain": "tool.test",
                "target_link_uri": "https://tool.test/launch",
                "messages": [{"type": "LtiDeepLinkingRequest"}],
            },
        })
    }

    #[test]
    fn a_token_registers_one_tool_once() {
        let book = DynamicRegistrations::default();
        let token = book.issue_token(100).unwrap();
        assert!(book.token_is_known(&token, 100));
        let answer = book.register(Some(&token), &request(), 110).unwrap();
        assert_eq!(answer["client_id"], "cairn-demo-dr-1");
        assert_eq!(
            answer[TOOL_CONFIGURATION]["deployment_id"],
            "dr-deployment-1"
        );
        let again = book.register(Some(&token), &request(), 120).unwrap_err();
        assert_eq!(
            (again.status, again.error),
            (StatusCode::UNAUTHORIZED, "token_already_used")
        );
        assert!(book.token_is_known(&token, 120), "known, though used up");
        assert!(!book.token_is_known(&token, 100 + TOKEN_LIFETIME));
        assert!(!book.token_is_known("forged", 120));
        let tools = book.registered();
        assert_eq!(tools.len(), 1);
        assert_eq!(tools[0].messages, ["LtiDeepLinkingRequest"]);
    }

    #[test]
    fn unknown_expired_tokens_and_incomplete_requests_are_refused() {
        let book = DynamicRegistrations::default();
        let token = book.issue_token(100).unwrap();
        let refused = book.register(Some("forged"), &request(), 110).unwrap_err();
        assert_eq!(refused.error, "invalid_token");
        let refused = book.register(None, &request(), 110).unwrap_err();
        assert_eq!(refused.error, "invalid_token");
        let late = book
            .register(Some(&token), &request(), 100 + TOKEN_LIFETIME)
            .unwrap_err();
        assert_eq!(late.error, "invalid_token");
        let fresh = book.issue_token(200).unwrap();
        for (member, value) in [
            ("grant_types", json!(["implicit"])),
            ("response_types", json!(["code"])),
            ("token_endpoint_auth_method", json!("client_secret_basic")),
            ("redirect_uris", json!([])),
            ("jwks_uri", Value::Null),
            (TOOL_CONFIGURATION, json!({"domain": "tool.test"})),
        ] {
            let mut wrong = request();
            wrong[member] = value;
            let refused = book.register(Some(&fresh), &wrong, 210).unwrap_err();
            assert_eq!(
                (refused.status, refused.error),
                (StatusCode::BAD_REQUEST, "invalid_client_metadata"),
                "{member}"
            );
        }
        // A refused request does not use the token up.
        assert!(book.registered().is_empty());
        assert!(book.register(Some(&fresh), &request(), 220).is_ok());
    }
}
