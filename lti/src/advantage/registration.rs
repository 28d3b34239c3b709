//! LTI Dynamic Registration 1.0 (`spec/lti.md` §10.1), pure: the platform's
//! `openid_configuration` read and checked (https unless the tool itself runs on http,
//! `private_key_jwt`, RS256, `messages_supported` as strings or objects), the registration
//! request Cairn posts (its scopes and placements are the Canvas developer key's:
//! [`TOOL_SCOPES`], [`PLACEMENTS`]), and the platform's answer read into the client id and,
//! when Moodle returns one, the deployment id. The HTTP exchange is `routes/register.rs`.

use serde_json::{Map, Value, json};

use crate::config::PublicUrl;
use crate::store::{NewRegistration, PlatformFamily};

/// The scopes Cairn asks for, everywhere it registers (Dynamic Registration and the Canvas
/// developer key): AGS line items, results and scores, and the NRPS roster.
pub const TOOL_SCOPES: [&str; 5] = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
];

/// Where Cairn appears in a course, and with which message (Canvas placement names).
pub const PLACEMENTS: [(&str, &str); 3] = [
    ("course_navigation", "LtiResourceLinkRequest"),
    ("assignment_selection", "LtiDeepLinkingRequest"),
    ("link_selection", "LtiDeepLinkingRequest"),
];

/// `lti-platform-configuration`.
pub const PLATFORM_CONFIGURATION: &str =
    "https://purl.imsglobal.org/spec/lti-platform-configuration";
/// `lti-tool-configuration`.
pub const TOOL_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-tool-configuration";
/// The largest configuration or registration answer read (bytes).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// Why a configuration or registration answer was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// Not a JSON object, or too large.
    #[error("the platform's {what} is not a JSON object: {reason}")]
    Malformed {
        /// Which document.
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A required member is missing or not a string.
    #[error("the platform's {what} has no {member}")]
    Missing {
        /// Which document.
        what: &'static str,
        /// The member.
        member: &'static str,
    },
    /// A URL is not https (http only when the tool itself runs on http, in tests).
    #[error("{member} must be an https URL, not {url:?}")]
    NotHttps {
        /// The member.
        member: &'static str,
        /// Its value.
        url: String,
    },
    /// The platform does not offer what LTI 1.3 needs.
    #[error("the platform does not support {what}")]
    Unsupported {
        /// What is missing (`private_key_jwt`, `RS256`).
        what: &'static str,
    },
}

impl RegistrationError {
    /// The stable code the page and logs show.
    pub fn code(&self) -> &'static str {
        match self {
            RegistrationError::Malformed { .. } => "registration_malformed",
            RegistrationError::Missing { .. } => "registration_missing_member",
            RegistrationError::NotHttps { .. } => "registration_not_https",
            RegistrationError::Unsupported { .. } => "registration_unsupported",
        }
    }
}

/// A message type the platform supports, with its placements when it names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportedMessage {
    /// `LtiResourceLinkRequest`, `LtiDeepLinkingRequest`, …
    pub r#type: String,
    /// Placements (`ContentArea`, …), empty when not given.
    pub placements: Vec<String>,
}

/// The platform's OpenID configuration, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformConfiguration {
    /// `issuer`.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `jwks_uri`.
    pub jwks_uri: String,
    /// `registration_endpoint`.
    pub registration_endpoint: String,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
    /// `lti-platform-configuration.product_family_code`.
    pub product_family_code: Option<String>,
    /// `lti-platform-configuration.version`.
    pub version: Option<String>,
    /// `lti-platform-configuration.messages_supported`.
    pub messages_supported: Vec<SupportedMessage>,
}

impl PlatformConfiguration {
    /// The platform family Cairn keys its quirks on.
    pub fn family(&self) -> PlatformFamily {
        match self.product_family_code.as_deref() {
            Some("canvas") => PlatformFamily::Canvas,
            Some("moodle") => PlatformFamily::Moodle,
            _ => PlatformFamily::Other,
        }
    }
}

fn object(body: &[u8], what: &'static str) -> Result<Map<String, Value>, RegistrationError> {
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(RegistrationError::Malformed {
            what,
            reason: format!("over {MAX_DOCUMENT_BYTES} bytes"),
        });
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(RegistrationError::Malformed {
            what,
            reason: "not an object".into(),
        }),
        Err(e) => Err(RegistrationError::Malformed {
            what,
            reason: e.to_string(),
        }),
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Whether `url` is https, or http when `allow_http` (a tool on http, in tests and the demo).
pub fn secure_enough(url: &str, allow_http: bool) -> bool {
    match url::Url::parse(url) {
        Ok(parsed) => parsed.scheme() == "https" || (allow_http && parsed.scheme() == "http"),
        Err(_) => false,
    }
}

/// Reads and checks the `openid_configuration` answer.
pub fn parse_configuration(
    body: &[u8],
    allow_http: bool,
) -> Result<PlatformConfiguration, RegistrationError> {
    const WHAT: &str = "openid configuration";
    let map = object(body, WHAT)?;
    let url = |member: &'static str| -> Result<String, RegistrationError> {
        let value = map
            .get(member)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or(RegistrationError::Missing { what: WHAT, member })?;
        if !secure_enough(value, allow_http) {
            return Err(RegistrationError::NotHttps {
                member,
                url: value.to_owned(),
            });
        }
        Ok(value.to_owned())
    };
    let issuer = url("issuer")?;
    let authorization_endpoint = url("authorization_endpoint")?;
    let token_endpoint = url("token_endpoint")?;
    let jwks_uri = url("jwks_uri")?;
    let registration_endpoint = url("registration_endpoint")?;
    if !strings(map.get("token_endpoint_auth_methods_supported"))
        .iter()
        .any(|m| m == "private_key_jwt")
    {
        return Err(RegistrationError::Unsupported {
            what: "private_key_jwt at the token endpoint",
        });
    }
    if !strings(map.get("id_token_signing_alg_values_supported"))
        .iter()
        .any(|a| a == "RS256")
    {
        return Err(RegistrationError::Unsupported {
            what: "RS256 id_tokens",
        });
    }
    let platform = map.get(PLATFORM_CONFIGURATION).and_then(Value::as_object);
    let text = |name: &str| {
        platform
            .and_then(|p| p.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let messages_supported = platform
        .and_then(|p| p.get("messages_supported"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| match m {
            Value::String(t) => Some(SupportedMessage {
                r#type: t.clone(),
                placements: Vec::new(),
            }),
            Value::Object(o) => Some(SupportedMessage {
                r#type: o.get("type")?.as_str()?.to_owned(),
                placements: strings(o.get("placements")),
            }),
            _ => None,
        })
        .collect();
    Ok(PlatformConfiguration {
        issuer,
        authorization_endpoint,
        token_endpoint,
        jwks_uri,
        registration_endpoint,
        scopes_supported: strings(map.get("scopes_supported")),
        product_family_code: text("product_family_code"),
        version: text("version"),
        messages_supported,
    })
}

/// Whether the configuration URL's host differs from the issuer's (the admin must confirm:
/// hosted Canvas's issuer is `canvas.instructure.com`).
pub fn host_differs(configuration_url: &str, issuer: &str) -> bool {
    let host = |u: &str| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
    };
    host(configuration_url) != host(issuer)
}

/// The registration request body (`fixtures/lti/registration/moodle41-dynamic-registration.json`
/// `registration_request.body`), with Cairn's scopes and placements.
pub fn registration_request(public_url: &PublicUrl) -> Value {
    let launch = public_url.launch_url();
    let placements_of = |message: &str| -> Vec<&str> {
        PLACEMENTS
            .iter()
            .filter(|(_, m)| *m == message)
            .map(|(p, _)| *p)
            .collect()
    };
    json!({
        "application_type": "web",
        "client_name": crate::routes::TOOL_TITLE,
        "client_uri": public_url.as_str(),
        "logo_uri": public_url.join("/favicon.svg"),
        "grant_types": ["client_credentials", "implicit"],
        "response_types": ["id_token"],
        "initiate_login_uri": public_url.login_url(),
        "redirect_uris": [launch],
        "jwks_uri": public_url.jwks_url(),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": TOOL_SCOPES.join(" "),
        TOOL_CONFIGURATION: {
            "domain": public_url.domain(),
            "target_link_uri": launch,
            "description": crate::routes::TOOL_DESCRIPTION,
            "custom_parameters": {"username": "$User.username"},
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {
                    "type": "LtiResourceLinkRequest",
                    "target_link_uri": launch,
                    "label": crate::routes::TOOL_TITLE,
                    "placements": placements_of("LtiResourceLinkRequest"),
                },
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": launch,
                    "label": "Add a Cairn assessment",
                    "placements": placements_of("LtiDeepLinkingRequest"),
                }
            ]
        }
    })
}

/// What the platform's registration answer gives Cairn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// `client_id`.
    pub client_id: String,
    /// `lti-tool-configuration.deployment_id` (Moodle; Canvas gives deployments at install).
    pub deployment_id: Option<String>,
    /// The echoed `scope` (over-reports on Moodle: informative only).
    pub scope: Option<String>,
}

/// Reads the registration answer.
pub fn parse_registered(body: &[u8]) -> Result<Registered, RegistrationError> {
    const WHAT: &str = "registration answer";
    let map = object(body, WHAT)?;
    let client_id = map
        .get("client_id")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .ok_or(RegistrationError::Missing {
            what: WHAT,
            member: "client_id",
        })?
        .to_owned();
    let deployment_id = map
        .get(TOOL_CONFIGURATION)
        .and_then(|t| t.get("deployment_id"))
        .and_then(|d| match d {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    Ok(Registered {
        client_id,
        deployment_id,
        scope: map.get("scope").and_then(Value::as_str).map(str::to_owned),
    })
}

/// The registration row for a checked configuration and the platform's answer: deployments
/// are auto-registered at launch only when the platform returned none (Canvas).
pub fn new_registration(
    configuration: &PlatformConfiguration,
    registered: &Registered,
    allow_http: bool,
) -> NewRegistration {
    NewRegistration {
        issuer: configuration.issuer.clone(),
        client_id: registered.client_id.clone(),
        auth_endpoint: configuration.authorization_endpoint.clone(),
        token_endpoint: configuration.token_endpoint.clone(),
        jwks_url: configuration.jwks_uri.clone(),
        client_assertion_audience: None,
        platform_family: configuration.family(),
        auto_register_deployments: registered.deployment_id.is_none(),
        allow_http: allow_http && configuration.issuer.starts_with("http://"),
    }
}

#[cfg(test)]
#[path = "registration_tests.rs"]
mod tests;
