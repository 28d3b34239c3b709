//! The holder-facing stages: validity period (V12) and the recipient claim (V13).

use serde_json::{Map, Value};

use super::RecipientClaim;
use super::report::{CheckId, Reporter};
use crate::credential::canon::{hex, sha256};
use crate::time::{Timestamp, parse_datetime};

pub(super) fn check_dates(r: &mut Reporter, doc: &Map<String, Value>, now: Timestamp) {
    let from = doc
        .get("validFrom")
        .and_then(Value::as_str)
        .and_then(parse_datetime);
    let until = doc
        .get("validUntil")
        .and_then(Value::as_str)
        .and_then(parse_datetime);
    if let Some((f, frac)) = from
        && (now < f || (now == f && frac))
    {
        r.fail(
            CheckId::V12,
            "not_yet_valid",
            format!(
                "the credential is valid only from {}; it is now {now}",
                doc["validFrom"].as_str().unwrap_or_default()
            ),
        );
        return;
    }
    if let Some((u, _)) = until
        && now > u
    {
        r.fail(
            CheckId::V12,
            "expired",
            format!(
                "the credential expired at {}; it is now {now}",
                doc["validUntil"].as_str().unwrap_or_default()
            ),
        );
        return;
    }
    match (from, until) {
        (None, _) => r.skip(CheckId::V12, "no readable validFrom (see V5)"),
        (Some(_), Some(_)) => r.pass(
            CheckId::V12,
            format!("valid at {now} (within validFrom … validUntil)"),
        ),
        (Some(_), None) => r.pass(CheckId::V12, format!("valid at {now} (no expiry)")),
    }
}

/// The §3 hash: `sha256$` + lowercase hex of SHA-256(value ‖ salt).
pub fn identity_hash(value: &str, salt: &str) -> String {
    format!(
        "sha256${}",
        hex(&sha256(format!("{value}{salt}").as_bytes()))
    )
}

pub(super) fn check_recipient(
    r: &mut Reporter,
    doc: &Map<String, Value>,
    claim: Option<&RecipientClaim>,
) {
    let Some(claim) = claim else {
        r.skip(CheckId::V13, "no recipient claim to check");
        return;
    };
    let subjects: Vec<&Value> = match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    let value = if claim.identity_type == "emailAddress" {
        // Trim and lowercase as issuance does; NFC is the host's (see RecipientClaim).
        claim.value.trim().to_lowercase()
    } else {
        claim.value.clone()
    };
    let matched = subjects.iter().any(|s| {
        if claim.identity_type == "id" {
            return s.get("id").and_then(Value::as_str) == Some(claim.value.as_str());
        }
        let ids: Vec<&Value> = match s.get("identifier") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(o @ Value::Object(_)) => vec![o],
            _ => Vec::new(),
        };
        ids.iter().any(|i| {
            if i.get("identityType").and_then(Value::as_str) != Some(claim.identity_type.as_str()) {
                return false;
            }
            let stored = i
                .get("identityHash")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if i.get("hashed").and_then(Value::as_bool) == Some(true) {
                let salt = i.get("salt").and_then(Value::as_str).unwrap_or_default();
                stored.eq_ignore_ascii_case(&identity_hash(&value, salt))
            } else {
                stored == value
            }
        })
    });
    if matched {
        r.pass(
            CheckId::V13,
            format!("issued to the claimed {}", claim.identity_type),
        );
    } else {
        r.fail(
            CheckId::V13,
            "recipient_mismatch",
            format!(
                "the credential was not issued to this {}",
                claim.identity_type
            ),
        );
    }
}
