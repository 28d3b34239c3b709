//! What every verifiable credential has, read the same way by the verifier, the status
//! checks and the exports: its `type` list, its issuer's id, its subjects and whom they
//! name, and the size cap.

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

/// Whether `credential` is issued to the learner `learner` (a `ClrSubject`, or any object
/// with `id` and/or `identifier`): the rule a CLR's nested credentials must meet.
///
/// Sound, never guessing: one of the credential's subjects must have
/// - the learner's `id`, or
/// - an `identifier` entry that is the same as one of the learner's: same `identityType`,
///   `hashed`, `identityHash` and `salt` (hashes are compared as issued: the same email
///   under two salts cannot be recognised, so a CLR copies an entry of its credentials), or
/// - when one of the two entries is plain text (`hashed: false`) and the other hashed, the
///   same `identityType` and the plain text hashed with the other's salt (§3) equal to it.
///
/// Entries of `identityType: "name"` never identify a learner: two people share names.
pub fn names_learner(learner: &Value, credential: &Value) -> bool {
    let learner_id = learner.get("id").and_then(Value::as_str);
    let learner_entries = identity_entries(learner);
    subjects(credential).into_iter().any(|subject| {
        let same_id =
            learner_id.is_some_and(|id| subject.get("id").and_then(Value::as_str) == Some(id));
        same_id
            || identity_entries(subject).into_iter().any(|theirs| {
                learner_entries
                    .iter()
                    .any(|ours| same_identity(ours, theirs))
            })
    })
}

/// `credentialSubject` as a list (one object or an array).
pub fn subjects(credential: &Value) -> Vec<&Value> {
    match credential.get("credentialSubject") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(subject @ Value::Object(_)) => vec![subject],
        _ => Vec::new(),
    }
}

fn identity_entries(subject: &Value) -> Vec<&Value> {
    let entries: Vec<&Value> = match subject.get("identifier") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(entry @ Value::Object(_)) => vec![entry],
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter(|e| {
            e.get("identityType")
                .and_then(Value::as_str)
                .is_some_and(|t| t != "name")
                && e.get("identityHash").and_then(Value::as_str).is_some()
        })
        .collect()
}

fn same_identity(ours: &Value, theirs: &Value) -> bool {
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    if field(ours, "identityType") != field(theirs, "identityType") {
        return false;
    }
    let hashed = |v: &Value| v.get("hashed").and_then(Value::as_bool) == Some(true);
    let hash = |v: &Value| {
        v.get("identityHash")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match (hashed(ours), hashed(theirs)) {
        (true, true) => {
            hash(ours).eq_ignore_ascii_case(&hash(theirs))
                && field(ours, "salt") == field(theirs, "salt")
        }
        (false, false) => hash(ours) == hash(theirs),
        (false, true) => {
            let salt = theirs
                .get("salt")
                .and_then(Value::as_str)
                .unwrap_or_default();
            super::verify::identity_hash(&hash(ours), salt).eq_ignore_ascii_case(&hash(theirs))
        }
        (true, false) => {
            let salt = ours.get("salt").and_then(Value::as_str).unwrap_or_default();
            super::verify::identity_hash(&hash(theirs), salt).eq_ignore_ascii_case(&hash(ours))
        }
    }
}
