//! The shape stages: contexts (V2), types (V4) and required fields (V5).
//!
//! What OB 3.0 allows, as its JSON Schema types it (`../vectors/1edtech-ob3/schema/`):
//! - `issuer` is a `Profile` object or a URI string (`ProfileRef`); either way its id is the
//!   issuer the signing key must belong to (V8) and the status list must come from (V11).
//! - `name` and `description` are strings. Language-tagged value objects
//!   (`{"@value", "@language"}`) stay refused, although JSON-LD could express them: the
//!   schema types those fields as strings, so other verifiers and wallets would reject or
//!   misread them, and the strict expander does not process `@language` (V3).

use serde_json::{Map, Value};

use super::report::{CheckId, Reporter};
use super::{OB_TYPES, VerifyMode};
use crate::credential::contexts::{CLR_V2P0_2_0_1, OB_V3P0_3_0_3, VC_V2};
use crate::credential::error::CredentialError;
use crate::credential::jsonld::ContextSet;
use crate::credential::vc::has_type;
use crate::time::parse_datetime;

fn ob_context_url(url: &str, family: &str, major: char) -> bool {
    let prefix = format!("https://purl.imsglobal.org/spec/{family}/context");
    let Some(middle) = url
        .strip_prefix(&prefix)
        .and_then(|m| m.strip_suffix(".json"))
    else {
        return false;
    };
    let b = middle.as_bytes();
    b.len().is_multiple_of(6)
        && b.chunks(6).all(|c| {
            c[0] == b'-'
                && char::from(c[1]) == major
                && c[2] == b'.'
                && c[3].is_ascii_digit()
                && c[4] == b'.'
                && c[5].is_ascii_digit()
        })
}

pub(super) fn check_contexts(
    doc: &Map<String, Value>,
    types: &[&str],
    mode: VerifyMode,
    contexts: &ContextSet,
) -> Result<(), CredentialError> {
    let ctx = doc
        .get("@context")
        .ok_or_else(|| CredentialError::context_invalid("the credential has no @context"))?;
    let items: Vec<&Value> = match ctx {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    if items.first().and_then(|v| v.as_str()) == Some("https://www.w3.org/2018/credentials/v1") {
        return Err(CredentialError::ContextUnknown {
            url: "https://www.w3.org/2018/credentials/v1 (VC 1.1 credentials are out of scope)"
                .to_owned(),
        });
    }
    if items.first().and_then(|v| v.as_str()) != Some(VC_V2) {
        return Err(CredentialError::context_invalid(format!(
            "the first context must be {VC_V2}"
        )));
    }
    if mode == VerifyMode::OpenBadge {
        if !ctx.is_array() {
            return Err(CredentialError::context_invalid(
                "@context must be an array",
            ));
        }
        let second = items.get(1).and_then(|v| v.as_str()).unwrap_or("");
        let clr = types.contains(&"ClrCredential");
        let ok = if clr {
            ob_context_url(second, "clr/v2p0", '2')
        } else {
            ob_context_url(second, "ob/v3p0", '3')
        };
        if !ok {
            let want = if clr { CLR_V2P0_2_0_1 } else { OB_V3P0_3_0_3 };
            return Err(CredentialError::context_invalid(format!(
                "the second context must be an Open Badges context such as {want}, not \"{second}\""
            )));
        }
    }
    for item in &items {
        match item {
            Value::String(url) if !contexts.knows(url) => {
                return Err(CredentialError::ContextUnknown { url: url.clone() });
            }
            Value::String(_) | Value::Object(_) => {}
            _ => {
                return Err(CredentialError::context_invalid(
                    "each context must be a URL or an object",
                ));
            }
        }
    }
    Ok(())
}

pub(super) fn check_types(r: &mut Reporter, types: &[&str]) {
    if !types.contains(&"VerifiableCredential") {
        r.fail(
            CheckId::V4,
            "type_invalid",
            "type must include VerifiableCredential",
        );
    } else if !types.iter().any(|t| OB_TYPES.contains(t)) {
        r.fail(CheckId::V4, "type_invalid", "type must include OpenBadgeCredential (or AchievementCredential, EndorsementCredential, ClrCredential)");
    } else {
        r.pass(CheckId::V4, format!("types {}", types.join(", ")));
    }
}

pub(super) fn nonempty_str(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| !s.is_empty())
}

pub(super) fn check_required(r: &mut Reporter, doc: &Map<String, Value>, types: &[&str]) {
    let mut missing: Vec<String> = Vec::new();
    let mut invalid: Vec<String> = Vec::new();
    if !nonempty_str(doc.get("id")) {
        missing.push("id".to_owned());
    }
    match doc.get("issuer") {
        Some(Value::Object(p)) => {
            if !nonempty_str(p.get("id")) {
                missing.push("issuer.id".to_owned());
            }
            if !has_type(&Value::Object(p.clone()), "Profile") {
                invalid.push("issuer.type must include Profile".to_owned());
            }
        }
        // A ProfileRef: the issuer's id as a URI; key binding (V8) uses it as it uses `id`.
        Some(Value::String(uri)) if is_uri(uri) => {}
        Some(Value::String(uri)) => invalid.push(format!(
            "issuer \"{uri}\" must be a URI (a ProfileRef) or a Profile object with id and type"
        )),
        _ => missing.push("issuer".to_owned()),
    }
    match doc.get("validFrom").and_then(Value::as_str) {
        None => missing.push("validFrom".to_owned()),
        Some(s) if parse_datetime(s).is_none() => {
            invalid.push(format!("validFrom \"{s}\" is not an xsd:dateTime"))
        }
        Some(_) => {}
    }
    if let Some(v) = doc.get("validUntil")
        && v.as_str().and_then(parse_datetime).is_none()
    {
        invalid.push(format!("validUntil {v} is not an xsd:dateTime"));
    }
    let subjects: Vec<&Value> = match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => {
            missing.push("credentialSubject".to_owned());
            Vec::new()
        }
    };
    let achievement_credential = types
        .iter()
        .any(|t| *t == "OpenBadgeCredential" || *t == "AchievementCredential");
    for s in subjects {
        if achievement_credential {
            if !has_type(s, "AchievementSubject") {
                invalid.push("credentialSubject.type must include AchievementSubject".to_owned());
            }
            let has_identifier = s.get("identifier").is_some_and(|i| match i {
                Value::Array(a) => !a.is_empty(),
                Value::Object(_) => true,
                _ => false,
            });
            if !nonempty_str(s.get("id")) && !has_identifier {
                missing.push("credentialSubject.id or credentialSubject.identifier".to_owned());
            }
            match s.get("achievement") {
                Some(a @ Value::Object(_)) => {
                    for f in ["id", "name", "description"] {
                        if !nonempty_str(a.get(f)) {
                            missing.push(format!("credentialSubject.achievement.{f}"));
                        }
                    }
                    if !has_type(a, "Achievement") {
                        invalid.push(
                            "credentialSubject.achievement.type must include Achievement"
                                .to_owned(),
                        );
                    }
                    match a.get("criteria") {
                        Some(c)
                            if nonempty_str(c.get("id")) || nonempty_str(c.get("narrative")) => {}
                        _ => missing.push(
                            "credentialSubject.achievement.criteria (id or narrative)".to_owned(),
                        ),
                    }
                }
                _ => missing.push("credentialSubject.achievement".to_owned()),
            }
        } else if types.contains(&"EndorsementCredential") && !nonempty_str(s.get("id")) {
            missing.push("credentialSubject.id".to_owned());
        } else if types.contains(&"ClrCredential") && !has_type(s, "ClrSubject") {
            invalid.push("credentialSubject.type must include ClrSubject".to_owned());
        }
    }
    if !missing.is_empty() {
        r.fail(
            CheckId::V5,
            "field_missing",
            format!("missing required fields: {}", missing.join(", ")),
        );
    } else if !invalid.is_empty() {
        r.fail(CheckId::V5, "field_invalid", invalid.join("; "));
    } else {
        r.pass(
            CheckId::V5,
            "every required Open Badges 3.0 field is present",
        );
    }
}

/// A URI as RFC 3986 starts: a scheme (a letter, then letters, digits, `+`, `-`, `.`), a
/// colon, and something after it.
fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}
