//! The launch checks of `spec/lti.md` §4, one function per rule, in the table's order. Each
//! returns what it proved or the [`LaunchError`] of its row. Pure: values in, values out.
//! Until [`check_signature`] passes, only [`super::peek`]'s routing fields are read.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};
use url::Url;

use super::claims::{
    CLAIM_MESSAGE_TYPE, CLAIM_ROLES, CLAIM_VERSION, DeepLinkingSettings, LaunchClaims, MessageType,
};
use super::jwks::{MIN_RSA_BITS, PlatformKey};
use super::roles::Roles;
use super::{LEEWAY_SECONDS, LaunchForm, MAX_TOKEN_AGE_SECONDS, STATE_TTL_SECONDS};
use crate::launch::error::LaunchError;
use crate::store::{LoginState, Registration};

/// The longest `id_token` accepted, in bytes (real ones are 2–6 KB).
pub const MAX_ID_TOKEN_BYTES: usize = 64 * 1024;
/// The longest `sub` and `deployment_id`, in characters.
pub const MAX_ID_CHARS: usize = 255;

/// base64url, padding optional (platforms differ).
const B64: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// 1: the form carries a non-empty `id_token` and `state`.
pub fn check_form(form: &LaunchForm) -> Result<(&str, &str), LaunchError> {
    let Some(id_token) = present(form.id_token.as_deref()) else {
        return Err(LaunchError::MalformedRequest { field: "id_token" });
    };
    let Some(state) = present(form.state.as_deref()) else {
        return Err(LaunchError::MalformedRequest { field: "state" });
    };
    Ok((id_token, state))
}

/// A compact JWS split into its parts; nothing in it is trusted yet.
#[derive(Clone, Debug)]
pub struct JwsParts {
    /// The decoded header.
    pub header: Map<String, Value>,
    /// The decoded payload (unverified).
    pub payload: Map<String, Value>,
    /// `<header>.<payload>` exactly as sent: the signed bytes.
    pub signing_input: String,
    /// The signature segment, base64url as sent.
    pub signature: String,
}

fn json_object(segment: &str, what: &'static str) -> Result<Map<String, Value>, LaunchError> {
    let bytes = B64
        .decode(segment)
        .map_err(|_| LaunchError::MalformedJwt { reason: what })?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(LaunchError::MalformedJwt { reason: what }),
    }
}

/// 2: a compact JWS of three segments whose header and payload are base64url JSON objects.
pub fn check_jws(id_token: &str) -> Result<JwsParts, LaunchError> {
    if id_token.len() > MAX_ID_TOKEN_BYTES {
        return Err(LaunchError::MalformedJwt {
            reason: "longer than 64 KB",
        });
    }
    let mut segments = id_token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(LaunchError::MalformedJwt {
            reason: "not three dot-separated segments",
        });
    };
    let header_map = json_object(header, "the header is not base64url JSON object")?;
    let payload_map = json_object(payload, "the payload is not a base64url JSON object")?;
    Ok(JwsParts {
        header: header_map,
        payload: payload_map,
        signing_input: format!("{header}.{payload}"),
        signature: signature.to_owned(),
    })
}

/// 3: the header's `alg` is exactly `RS256` (the token never chooses the algorithm).
pub fn check_alg(header: &Map<String, Value>) -> Result<(), LaunchError> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "RS256" => Ok(()),
        Some(Value::String(alg)) => Err(LaunchError::UnsupportedAlg { alg: alg.clone() }),
        Some(other) => Err(LaunchError::UnsupportedAlg {
            alg: other.to_string(),
        }),
        None => Err(LaunchError::UnsupportedAlg { alg: String::new() }),
    }
}

/// 4: the header carries a non-empty string `kid`.
pub fn check_kid(header: &Map<String, Value>) -> Result<&str, LaunchError> {
    present(header.get("kid").and_then(Value::as_str)).ok_or(LaunchError::MissingKid)
}

/// 5b: `azp`, when present, is the client id; several audiences need an `azp`.
pub fn check_azp(aud: &[String], azp: Option<&str>, client_id: &str) -> Result<(), LaunchError> {
    match azp {
        Some(azp) if azp != client_id => Err(LaunchError::AzpMismatch),
        None if aud.len() > 1 => Err(LaunchError::AzpMismatch),
        _ => Ok(()),
    }
}

/// 7: the RS256 signature over `<header>.<payload>` verifies with `key` (an RSA key of at
/// least 2048 bits), through jsonwebtoken's aws-lc-rs backend.
pub fn check_signature(parts: &JwsParts, key: &PlatformKey) -> Result<(), LaunchError> {
    let bad = || LaunchError::BadSignature {
        kid: key.kid.clone(),
    };
    if key.bits() < MIN_RSA_BITS {
        return Err(bad());
    }
    let decoding = DecodingKey::from_rsa_raw_components(&key.modulus, &key.exponent);
    match jsonwebtoken::crypto::verify(
        &parts.signature,
        parts.signing_input.as_bytes(),
        &decoding,
        Algorithm::RS256,
    ) {
        Ok(true) => Ok(()),
        _ => Err(bad()),
    }
}

/// 8–8d: `exp` and `iat` are integers, `exp` not past, `iat` not ahead, the token not too old
/// (all with [`LEEWAY_SECONDS`] of skew). Returns `(iat, exp)`.
pub fn check_timestamps(payload: &Map<String, Value>, now: i64) -> Result<(i64, i64), LaunchError> {
    let (Some(exp), Some(iat)) = (
        payload.get("exp").and_then(Value::as_i64),
        payload.get("iat").and_then(Value::as_i64),
    ) else {
        return Err(LaunchError::InvalidTimestamps);
    };
    if exp <= now.saturating_sub(LEEWAY_SECONDS) {
        return Err(LaunchError::Expired { exp, now });
    }
    if iat > now.saturating_add(LEEWAY_SECONDS) {
        return Err(LaunchError::IatInFuture { iat, now });
    }
    if now.saturating_sub(iat) > MAX_TOKEN_AGE_SECONDS {
        return Err(LaunchError::TokenTooOld { iat, now });
    }
    Ok((iat, exp))
}

/// 9: `lti:version` is `1.3.0`.
pub fn check_version(payload: &Map<String, Value>) -> Result<(), LaunchError> {
    match payload.get(CLAIM_VERSION) {
        None => Err(LaunchError::MissingVersion),
        Some(Value::String(v)) if v == "1.3.0" => Ok(()),
        Some(Value::String(v)) => Err(LaunchError::WrongVersion { found: v.clone() }),
        Some(other) => Err(LaunchError::WrongVersion {
            found: other.to_string(),
        }),
    }
}

/// 10: `lti:message_type` is a resource link or deep linking request.
pub fn check_message_type(payload: &Map<String, Value>) -> Result<MessageType, LaunchError> {
    match payload.get(CLAIM_MESSAGE_TYPE) {
        None => Err(LaunchError::MissingMessageType),
        Some(Value::String(t)) => MessageType::parse(t)
            .ok_or_else(|| LaunchError::UnsupportedMessageType { found: t.clone() }),
        Some(other) => Err(LaunchError::UnsupportedMessageType {
            found: other.to_string(),
        }),
    }
}

/// 11: `lti:roles` is an array (maybe empty); its string entries are parsed.
pub fn check_roles(payload: &Map<String, Value>) -> Result<Roles, LaunchError> {
    let entries = payload
        .get(CLAIM_ROLES)
        .and_then(Value::as_array)
        .ok_or(LaunchError::MissingRoles)?;
    Ok(Roles::parse(entries.iter().filter_map(Value::as_str)))
}

/// 12: `sub` is a non-empty string of at most 255 characters (no anonymous launches).
pub fn check_sub(payload: &Map<String, Value>) -> Result<String, LaunchError> {
    match payload.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() && sub.chars().count() <= MAX_ID_CHARS => Ok(sub.to_owned()),
        _ => Err(LaunchError::MissingSub),
    }
}

/// 13 (first half): `nonce` is a non-empty string. Its single use is the handler's insert.
pub fn check_nonce(payload: &Map<String, Value>) -> Result<String, LaunchError> {
    present(payload.get("nonce").and_then(Value::as_str))
        .map(str::to_owned)
        .ok_or(LaunchError::MissingNonce)
}

/// 14: `lti:deployment_id` is present (≤255 characters) and known for the registration, or
/// the registration auto-registers deployments. Returns whether the handler must create it.
pub fn check_deployment(
    claims: &LaunchClaims,
    deployment_known: bool,
    registration: &Registration,
) -> Result<bool, LaunchError> {
    let Some(deployment_id) = claims
        .deployment_id
        .as_deref()
        .filter(|d| !d.is_empty() && d.chars().count() <= MAX_ID_CHARS)
    else {
        return Err(LaunchError::MissingDeploymentId);
    };
    if deployment_known {
        Ok(false)
    } else if registration.fields.auto_register_deployments {
        Ok(true)
    } else {
        Err(LaunchError::UnknownDeployment {
            deployment_id: deployment_id.to_owned(),
        })
    }
}

/// 15: a resource link launch names its resource link (`lti:resource_link.id`, non-empty).
pub fn check_resource_link(claims: &LaunchClaims) -> Result<(), LaunchError> {
    if claims.message_type != MessageType::LtiResourceLinkRequest {
        return Ok(());
    }
    match claims.resource_link.as_ref().and_then(|l| l.id.as_deref()) {
        Some(id) if !id.is_empty() => Ok(()),
        _ => Err(LaunchError::MissingResourceLinkId),
    }
}

/// 15b: `lti:target_link_uri` has the origin and path of `launch_url` (query and fragment
/// ignored).
pub fn check_target_link_uri(claims: &LaunchClaims, launch_url: &Url) -> Result<(), LaunchError> {
    let Some(target) = claims.target_link_uri.as_deref() else {
        return Err(LaunchError::MissingTargetLinkUri);
    };
    let same = Url::parse(target)
        .is_ok_and(|t| t.origin() == launch_url.origin() && t.path() == launch_url.path());
    if same {
        Ok(())
    } else {
        Err(LaunchError::TargetLinkUriMismatch {
            found: target.to_owned(),
        })
    }
}

/// 15c: a deep linking request carries settings with an absolute http(s)
/// `deep_link_return_url` and the two `accept_*` arrays.
pub fn check_deep_linking_settings(claims: &LaunchClaims) -> Result<(), LaunchError> {
    if claims.message_type != MessageType::LtiDeepLinkingRequest {
        return Ok(());
    }
    let invalid = |reason| Err(LaunchError::InvalidDeepLinkingSettings { reason });
    let Some(DeepLinkingSettings {
        deep_link_return_url,
        accept_types,
        accept_presentation_document_targets,
        ..
    }) = &claims.deep_linking_settings
    else {
        return invalid("the deep_linking_settings claim is missing");
    };
    // The return URL becomes a form action: only an absolute http(s) URL will do.
    let url_ok = deep_link_return_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .is_some_and(|u| matches!(u.scheme(), "https" | "http"));
    if !url_ok {
        return invalid("deep_link_return_url is not an absolute http(s) URL");
    }
    if accept_types.is_none() {
        return invalid("accept_types is not an array");
    }
    if accept_presentation_document_targets.is_none() {
        return invalid("accept_presentation_document_targets is not an array");
    }
    Ok(())
}

/// 16: the login state exists, is unused and is younger than [`STATE_TTL_SECONDS`].
pub fn check_login_state<'a>(
    login: Option<&'a LoginState>,
    state: &str,
    now: i64,
) -> Result<&'a LoginState, LaunchError> {
    let login = login
        .filter(|l| l.state == state && !l.used)
        .ok_or(LaunchError::StateUnknown)?;
    if now.saturating_sub(login.created_at) > STATE_TTL_SECONDS {
        return Err(LaunchError::StateExpired);
    }
    Ok(login)
}

/// 16b: the token's nonce is the one this login sent.
pub fn check_nonce_matches(login: &LoginState, claims: &LaunchClaims) -> Result<(), LaunchError> {
    if login.nonce == claims.nonce {
        Ok(())
    } else {
        Err(LaunchError::NonceMismatch)
    }
}

/// 16c: the login was for this registration, and for this deployment when it named one.
pub fn check_login_matches(
    login: &LoginState,
    registration: &Registration,
    claims: &LaunchClaims,
) -> Result<(), LaunchError> {
    let deployment_ok = match &login.deployment_id {
        Some(d) => claims.deployment_id.as_deref() == Some(d.as_str()),
        None => true,
    };
    if login.registration_id == registration.id && deployment_ok {
        Ok(())
    } else {
        Err(LaunchError::LoginMismatch)
    }
}

/// How the browser proved it started the login (`spec/lti.md` §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// The state cookie came back with the state: accept.
    Cookie,
    /// No cookie, but the platform offers storage: accept pending until the page confirms.
    PlatformStorage,
    /// No cookie and no storage: show "open in a new window", create no session.
    Relaunch,
}

/// 16d: the state cookie equals the state; a missing cookie falls back to platform storage
/// (when the launch form carries `lti_storage_target`) or to the relaunch page.
pub fn check_binding(
    cookie: Option<&str>,
    state: &str,
    lti_storage_target: Option<&str>,
) -> Result<Binding, LaunchError> {
    match cookie {
        Some(value) if value == state => Ok(Binding::Cookie),
        Some(_) => Err(LaunchError::StateMismatch),
        None if present(lti_storage_target).is_some() => Ok(Binding::PlatformStorage),
        None => Ok(Binding::Relaunch),
    }
}
