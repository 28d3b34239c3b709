//! What every verifiable credential has, read the same way by the verifier, the status
//! checks and the exports: its `type` list, its issuer's id, and the size cap.

use serde_json::Value;

/// The largest credential text Cairn signs, bakes, canonicalizes or verifies (256 KiB).
pub const MAX_CREDENTIAL_BYTES: usize = 256 * 1024;

/// The `type` of a JSON-LD node: one string or an array of strings (others are ignored).
pub fn types_of(value: &Value) -> Vec<&str> {
    match value.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a node's `type` names `wanted`.
pub fn has_type(value: &Value, wanted: &str) -> bool {
    match value.get("type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(wanted)),
        _ => false,
    }
}

/// The id of a credential's `issuer`, given as a URI string (OB 3.0 `ProfileRef`) or as a
/// `Profile` object with an `id`.
pub fn issuer_id(credential: &Value) -> Option<&str> {
    credential.get("issuer").and_then(profile_id)
}

/// The id of an issuer value: the URI string itself (`ProfileRef`) or a `Profile`'s `id`.
pub fn profile_id(issuer: &Value) -> Option<&str> {
    match issuer {
        Value::String(id) => Some(id),
        Value::Object(profile) => profile.get("id")?.as_str(),
        _ => None,
    }
}
