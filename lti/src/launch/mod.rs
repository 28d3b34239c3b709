//! Launch validation, pure (`spec/lti.md` §3.1 and §4–6): this module does no I/O, reads no
//! clock and touches no store; `now` is always a parameter. The launch handler runs it in
//! three calls around its own I/O:
//!
//! 1. [`peek`]: checks 1–4 on the form and the unsigned JWS, and exposes the unverified
//!    `iss`/`aud` only so the handler can find the registration ([`select_registration`], 5).
//! 2. [`verify_token`]: checks 5b–12 and the nonce's presence, signature first; on
//!    [`LaunchError::UnknownKid`] the handler re-downloads the JWKS once and calls it again.
//!    The handler then consumes the nonce (13, an atomic insert kept until [`nonce_keep_until`]).
//! 3. [`verify_context`]: checks 14–16 against the deployment, the login state and the
//!    browser binding, answering accept, accept pending or relaunch.
//!
//! Login initiation parameters are parsed by [`login::LoginRequest::parse`].

#![warn(
    clippy::disallowed_methods,
    reason = "launch validation is pure: time comes in as `now`, nothing is read or written"
)]

pub mod checks;
pub mod claims;
pub mod error;
pub mod jwks;
pub mod login;
pub mod roles;

use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

pub use checks::Binding;
pub use claims::{LaunchClaims, MessageType};
pub use error::{LaunchError, LoginError};
pub use jwks::{JwkSet, JwksError};
pub use login::LoginRequest;
pub use roles::{ProductRole, Roles};

use crate::store::{LoginState, Registration, RegistrationId};

/// Clock skew allowed on `exp` and `iat`, in seconds.
pub const LEEWAY_SECONDS: i64 = 60;
/// The oldest `iat` accepted, in seconds before now.
pub const MAX_TOKEN_AGE_SECONDS: i64 = 600;
/// How long a login state may wait for its launch, in seconds.
pub const STATE_TTL_SECONDS: i64 = 600;
/// How long a used nonce is kept: the longest token lifetime (Canvas, 3600 s) plus the leeway.
pub const NONCE_KEEP_SECONDS: i64 = 3600 + LEEWAY_SECONDS;

/// When a nonce consumed at `now` may be forgotten (the store's `keep_until`).
pub fn nonce_keep_until(now: i64) -> i64 {
    now.saturating_add(NONCE_KEEP_SECONDS)
}

/// The launch POST's fields Cairn reads; every other field (`utf8`, `authenticity_token`, …)
/// is ignored. Deserializes from the urlencoded form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct LaunchForm {
    /// The platform's signed `id_token`.
    pub id_token: Option<String>,
    /// The `state` Cairn sent at login.
    pub state: Option<String>,
    /// Canvas's platform-storage frame name (`post_message_forwarding`).
    pub lti_storage_target: Option<String>,
}

impl LaunchForm {
    /// Builds the form from decoded `(name, value)` pairs; the first of a repeated name wins.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> LaunchForm {
        let mut form = LaunchForm::default();
        for (name, value) in pairs {
            let slot = match name {
                "id_token" => &mut form.id_token,
                "state" => &mut form.state,
                "lti_storage_target" => &mut form.lti_storage_target,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.to_owned());
            }
        }
        form
    }
}

/// A launch that passed checks 1–4: nothing in it is trusted yet. Its `iss`, `aud` and `azp`
/// serve only to find the registration and its keys.
#[derive(Clone, Debug)]
pub struct Unverified {
    state: String,
    kid: String,
    iss: Option<String>,
    aud: Vec<String>,
    azp: Option<String>,
    parts: checks::JwsParts,
}

impl Unverified {
    /// The form's `state`.
    pub fn state(&self) -> &str {
        &self.state
    }
    /// The header's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }
    /// The unverified `iss`, if it is a string.
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_deref()
    }
    /// The unverified `aud` entries (a string or the strings of an array).
    pub fn aud(&self) -> &[String] {
        &self.aud
    }
}

/// Checks 1–4: the form has `id_token` and `state`, the token is a compact JWS with JSON
/// header and payload, `alg` is RS256 and `kid` is present.
pub fn peek(form: &LaunchForm) -> Result<Unverified, LaunchError> {
    let (id_token, state) = checks::check_form(form)?;
    let parts = checks::check_jws(id_token)?;
    checks::check_alg(&parts.header)?;
    let kid = checks::check_kid(&parts.header)?.to_owned();
    Ok(Unverified {
        state: state.to_owned(),
        kid,
        iss: claims::string(&parts.payload, "iss"),
        aud: claims::audiences(&parts.payload),
        azp: claims::string(&parts.payload, "azp"),
        parts,
    })
}

/// Check 5: the registration named by the unverified `iss` and one of the `aud` entries
/// (tried in order), among `candidates` (the handler passes the registrations of `iss`).
pub fn select_registration<'a>(
    token: &Unverified,
    candidates: &'a [Registration],
) -> Result<&'a Registration, LaunchError> {
    let unknown = || LaunchError::UnknownRegistration {
        iss: token.iss.clone().unwrap_or_default(),
        aud: token.aud.clone(),
    };
    let iss = token.iss.as_deref().ok_or_else(unknown)?;
    token
        .aud
        .iter()
        .find_map(|aud| {
            candidates
                .iter()
                .find(|r| r.fields.issuer == iss && &r.fields.client_id == aud)
        })
        .ok_or_else(unknown)
}

/// A launch whose signature verified and whose claims passed checks 5b–12 (and carry a nonce).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedLaunch {
    /// The registration whose key verified it.
    pub registration_id: RegistrationId,
    /// The form's `state`.
    pub state: String,
    /// The claims Cairn reads.
    pub claims: LaunchClaims,
}

/// Checks 5b–12 and the nonce's presence, signature first: `registration` is the one
/// [`select_registration`] chose and `keys` its platform's JWKS. On
/// [`LaunchError::UnknownKid`] the handler re-downloads the JWKS once and calls again.
pub fn verify_token(
    token: &Unverified,
    registration: &Registration,
    keys: &JwkSet,
    now: i64,
) -> Result<VerifiedLaunch, LaunchError> {
    let client_id = registration.fields.client_id.as_str();
    let routed = token.iss.as_deref() == Some(registration.fields.issuer.as_str())
        && token.aud.iter().any(|a| a == client_id);
    if !routed {
        return Err(LaunchError::UnknownRegistration {
            iss: token.iss.clone().unwrap_or_default(),
            aud: token.aud.clone(),
        });
    }
    checks::check_azp(&token.aud, token.azp.as_deref(), client_id)?;
    let key = keys
        .get(&token.kid)
        .ok_or_else(|| LaunchError::UnknownKid {
            kid: token.kid.clone(),
        })?;
    checks::check_signature(&token.parts, key)?;
    // From here on the payload is the platform's word.
    let payload: &Map<String, Value> = &token.parts.payload;
    let (iat, exp) = checks::check_timestamps(payload, now)?;
    checks::check_version(payload)?;
    let message_type = checks::check_message_type(payload)?;
    let roles = checks::check_roles(payload)?;
    let sub = checks::check_sub(payload)?;
    let nonce = checks::check_nonce(payload)?;
    let required = claims::Required {
        sub,
        nonce,
        iat,
        exp,
        message_type,
        roles,
    };
    Ok(VerifiedLaunch {
        registration_id: registration.id,
        state: token.state.clone(),
        claims: LaunchClaims::read(payload, required),
    })
}

/// What [`verify_context`] needs besides the verified launch; the handler looks these up.
#[derive(Clone, Copy, Debug)]
pub struct LaunchContext<'a> {
    /// The registration [`verify_token`] used.
    pub registration: &'a Registration,
    /// Whether the claim's `deployment_id` is stored for this registration.
    pub deployment_known: bool,
    /// The login state row for the form's `state`, if any.
    pub login: Option<&'a LoginState>,
    /// The value of the `__Host-lti_state_<state>` cookie, if the browser sent it.
    pub cookie: Option<&'a str>,
    /// The launch form's `lti_storage_target`.
    pub lti_storage_target: Option<&'a str>,
    /// Cairn's launch URL (`<CAIRN_PUBLIC_URL>/lti/launch`).
    pub launch_url: &'a Url,
}

/// What the handler does with a launch that passed every check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaunchDecision {
    /// Accept (cookie), accept pending (platform storage) or relaunch (no session).
    pub binding: Binding,
    /// Whether the handler must record the deployment (auto-registration policy).
    pub create_deployment: bool,
}

/// Checks 14–16d: deployment, resource link, target link URI, deep linking settings, then
/// the login state (exists, fresh, same nonce, same registration and deployment) and the
/// browser binding.
pub fn verify_context(
    launch: &VerifiedLaunch,
    context: &LaunchContext<'_>,
    now: i64,
) -> Result<LaunchDecision, LaunchError> {
    let claims = &launch.claims;
    let create_deployment =
        checks::check_deployment(claims, context.deployment_known, context.registration)?;
    checks::check_resource_link(claims)?;
    checks::check_target_link_uri(claims, context.launch_url)?;
    checks::check_deep_linking_settings(claims)?;
    let login = checks::check_login_state(context.login, &launch.state, now)?;
    checks::check_nonce_matches(login, claims)?;
    checks::check_login_matches(login, context.registration, claims)?;
    let binding = checks::check_binding(context.cookie, &launch.state, context.lti_storage_target)?;
    Ok(LaunchDecision {
        binding,
        create_deployment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn unsigned(payload: &str) -> LaunchForm {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k"}"#);
        let payload = URL_SAFE_NO_PAD.encode(payload.as_bytes());
        LaunchForm::from_pairs([
            ("utf8", "✓"),
            ("id_token", format!("{header}.{payload}.AAAA").as_str()),
            ("state", "s"),
            ("state", "second"),
        ])
    }

    #[test]
    fn the_form_keeps_the_first_of_repeated_fields_and_ignores_others() {
        let form = unsigned("{}");
        assert_eq!(form.state.as_deref(), Some("s"));
        assert_eq!(form.lti_storage_target, None);
        assert_eq!(peek(&form).unwrap().state(), "s");
    }

    #[test]
    fn registration_is_found_by_any_aud_entry_and_never_by_iss_alone() {
        let regs = [
            Registration::example(1, "https://lms.test", "a"),
            Registration::example(2, "https://lms.test", "b"),
            Registration::example(3, "https://other.test", "c"),
        ];
        let token = peek(&unsigned(r#"{"iss":"https://lms.test","aud":["x","b"]}"#)).unwrap();
        assert_eq!(token.aud(), ["x", "b"]);
        assert_eq!(select_registration(&token, &regs).unwrap().id, 2);
        let foreign = peek(&unsigned(r#"{"iss":"https://lms.test","aud":"c"}"#)).unwrap();
        assert_eq!(
            select_registration(&foreign, &regs).unwrap_err().code(),
            "unknown_registration"
        );
        let no_iss = peek(&unsigned(r#"{"aud":"a"}"#)).unwrap();
        assert!(select_registration(&no_iss, &regs).is_err());
    }

    #[test]
    fn verify_token_refuses_a_registration_the_token_does_not_name() {
        let token = peek(&unsigned(r#"{"iss":"https://lms.test","aud":"a"}"#)).unwrap();
        let other = Registration::example(3, "https://other.test", "a");
        let keys = JwkSet::default();
        assert_eq!(
            verify_token(&token, &other, &keys, 0).unwrap_err().code(),
            "unknown_registration"
        );
        // The right registration but an empty key set: the handler's cue to re-download.
        let right = Registration::example(1, "https://lms.test", "a");
        assert_eq!(
            verify_token(&token, &right, &keys, 0).unwrap_err(),
            LaunchError::UnknownKid { kid: "k".into() }
        );
        assert_eq!(nonce_keep_until(100), 100 + 3660);
    }
}
