//! The manual-registration helpers of `spec/lti.md` §10.2–10.3: `GET /lti/config/canvas.json`
//! (the Canvas developer-key JSON, shaped like `fixtures/lti/registration/canvas-developer-key.json`)
//! and `GET /lti/config/moodle` (the values to type into Moodle's "configure a tool manually"
//! form, as an escaped HTML table, or JSON with `?format=json`). Every URL comes from the
//! configured public URL; nothing from the request's `Host`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::advantage::registration::{PLACEMENTS, TOOL_SCOPES};
use crate::config::PublicUrl;
use crate::{AppState, pages};

/// The tool's name as platforms show it.
pub const TOOL_TITLE: &str = "Cairn";
/// The one-line description on the developer key.
pub const TOOL_DESCRIPTION: &str = "Attempts, competency mastery and Open Badges 3.0 credentials";

/// The Canvas developer-key JSON for this public URL (§10.2).
pub fn canvas_developer_key(public_url: &PublicUrl) -> Value {
    let launch = public_url.launch_url();
    // The placements and scopes are Dynamic Registration's (`advantage::registration`).
    let placements: Vec<Value> = PLACEMENTS
        .iter()
        .map(|(placement, message)| match *message {
            "LtiDeepLinkingRequest" => json!({
                "placement": placement,
                "message_type": message,
                "target_link_uri": launch,
                "selection_height": 600,
                "selection_width": 800
            }),
            _ => json!({
                "placement": placement,
                "message_type": message,
                "target_link_uri": public_url.join(&format!("/lti/launch?placement={placement}")),
                "text": TOOL_TITLE
            }),
        })
        .collect();
    json!({
        "title": TOOL_TITLE,
        "description": TOOL_DESCRIPTION,
        "oidc_initiation_url": public_url.login_url(),
        "target_link_uri": launch,
        "public_jwk_url": public_url.jwks_url(),
        "scopes": TOOL_SCOPES,
        "extensions": [{
            "domain": public_url.domain(),
            "tool_id": "cairn",
            "platform": "canvas.instructure.com",
            "privacy_level": "public",
            "settings": {
                "text": TOOL_TITLE,
                // The page's own icon (www/favicon.svg), so the link never dangles.
                "icon_url": public_url.join("/favicon.svg"),
                "placements": placements
            }
        }],
        "custom_fields": {
            "canvas_user_id": "$Canvas.user.id",
            "context_id_history": "$Context.id.history"
        }
    })
}

/// The rows of Moodle's manual tool form (§10.3): `(field label, value)`.
pub fn moodle_values(public_url: &PublicUrl) -> Vec<(&'static str, String)> {
    let launch = public_url.launch_url();
    vec![
        ("Tool name", TOOL_TITLE.to_owned()),
        ("Tool URL", launch.clone()),
        ("Tool description", TOOL_DESCRIPTION.to_owned()),
        ("LTI version", "LTI 1.3".to_owned()),
        ("Public key type", "Keyset URL".to_owned()),
        ("Public keyset", public_url.jwks_url()),
        ("Initiate login URL", public_url.login_url()),
        ("Redirection URI(s)", launch.clone()),
        ("Custom parameters", "username=$User.username".to_owned()),
        (
            "Default launch container",
            "Embed, without blocks".to_owned(),
        ),
        (
            "Supports Deep Linking (Content-Item Message)",
            "ticked".to_owned(),
        ),
        ("Content Selection URL", launch),
        (
            "IMS LTI Assignment and Grade Services",
            "Use this service for grade sync and column management".to_owned(),
        ),
        (
            "IMS LTI Names and Role Provisioning",
            "Use this service to retrieve members' information as per privacy settings".to_owned(),
        ),
        ("Share launcher's name with tool", "Always".to_owned()),
        ("Share launcher's email with tool", "Always".to_owned()),
        ("Accept grades from the tool", "Always".to_owned()),
    ]
}

/// `GET /lti/config/canvas.json`.
pub async fn canvas(State(state): State<AppState>) -> Json<Value> {
    Json(canvas_developer_key(&state.config.public_url))
}

/// `?format=json` on the Moodle page.
#[derive(Debug, Deserialize)]
pub struct FormatQuery {
    /// `json` for JSON; anything else (or nothing) gives the HTML page.
    pub format: Option<String>,
}

/// `GET /lti/config/moodle[?format=json]`.
pub async fn moodle(
    State(state): State<AppState>,
    format: Result<Query<FormatQuery>, QueryRejection>,
) -> Response {
    let rows = moodle_values(&state.config.public_url);
    let wants_json = format.is_ok_and(|Query(q)| q.format.as_deref() == Some("json"));
    if wants_json {
        let fields: Vec<Value> = rows
            .iter()
            .map(|(field, value)| json!({ "field": field, "value": value }))
            .collect();
        return Json(json!({
            "tool_url": state.config.public_url.launch_url(),
            "public_keyset_url": state.config.public_url.jwks_url(),
            "initiate_login_url": state.config.public_url.login_url(),
            "redirection_uris": [state.config.public_url.launch_url()],
            "fields": fields
        }))
        .into_response();
    }
    let mut table = String::new();
    for (field, value) in &rows {
        table.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td><code>{}</code></td></tr>\n",
            pages::escape(field),
            pages::escape(value)
        ));
    }
    let body = format!(
        "<h1>Register Cairn in Moodle</h1>\n\
<p>Site administration → Plugins → External tool → Manage tools → <em>configure a tool manually</em>. \
Enter these values, save, then give Cairn's administrator the values under <em>View configuration details</em> \
(Platform ID, Client ID, Deployment ID, Public keyset URL, Access token URL, Authentication request URL).</p>\n\
<table>\n<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>\n{table}</tbody>\n</table>\n\
<p>The same values as JSON: <a href=\"?format=json\">?format=json</a>. \
Moodle refuses keyset URLs on private addresses and non-standard ports unless its HTTP security settings allow them.</p>"
    );
    pages::html_response(
        StatusCode::OK,
        &pages::csp(&[]),
        pages::document("Moodle registration values", &body, &[]),
    )
}
