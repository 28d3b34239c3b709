//! The status stage (V11): a credential's Bitstring Status List entry checked against the
//! list the host supplied.

use serde_json::Value;

use super::report::{CheckId, Reporter};
use super::{VerifyMode, VerifyOptions, proof, verify_at_depth};
use crate::credential::keys;
use crate::credential::status;
use crate::credential::vc::{has_type, issuer_id, types_of};

pub(super) fn check_status(
    r: &mut Reporter,
    credential: &Value,
    options: &VerifyOptions<'_>,
    depth: usize,
) {
    let Some(status) = credential.get("credentialStatus") else {
        r.skip(CheckId::V11, "no credentialStatus");
        return;
    };
    let entries: Vec<&Value> = match status {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let bitstring = entries
        .iter()
        .any(|e| has_type(e, "BitstringStatusListEntry"));
    if !bitstring {
        let kinds: Vec<&str> = entries.iter().flat_map(|e| types_of(e)).collect();
        r.warn(
            CheckId::V11,
            "status_unchecked",
            format!("status type {} is not checked offline", kinds.join(", ")),
        );
        return;
    }
    let Some(list_text) = options.status_list else {
        r.warn(CheckId::V11, "status_unchecked", "the credential has a status list entry but no status list was supplied, so revocation was not checked");
        return;
    };
    if depth > 0 {
        r.warn(
            CheckId::V11,
            "status_unchecked",
            "status of nested credentials is not checked",
        );
        return;
    }
    let Some(list) = trusted_list(r, credential, list_text, options, depth) else {
        return;
    };
    match status::check_credential(credential, &list) {
        Ok(checks) => {
            if let Some(c) = checks
                .iter()
                .find_map(|c| c.code().map(|code| (code, c.index)))
            {
                let (code, index) = c;
                let what = if code == "revoked" {
                    "revoked"
                } else {
                    "suspended"
                };
                r.fail(CheckId::V11, code, format!("the issuer has {what} this credential (bit {index} of its status list is set)"));
            } else if checks.iter().any(|c| !c.list_id_matches) {
                r.warn(
                    CheckId::V11,
                    "status_list_id_mismatch",
                    "not revoked, but the status list's id is not the URL the entry names",
                );
            } else {
                r.pass(CheckId::V11, "not revoked or suspended");
            }
        }
        // A list of this issuer that does not cover the entry (another list URL and purpose):
        // as if none was supplied.
        Err(e @ status::StatusError::EntryMissing { .. }) => r.warn(
            CheckId::V11,
            "status_unchecked",
            format!("the status list does not apply: {e}; revocation was not checked"),
        ),
        Err(e) => r.fail(
            CheckId::V11,
            e.code(),
            format!("{e}: status could not be established"),
        ),
    }
}

/// The supplied list, when it verifies (signature, `assertionMethod`) and is signed by the
/// credential's own issuer; else a failed V11 and `None`. Only the credential's issuer may
/// change its status, so a list anyone else signed, or one altered after signing, fails the
/// check rather than being ignored: ignoring it would let whoever serves the list hide a
/// real revocation behind a warning.
fn trusted_list(
    r: &mut Reporter,
    credential: &Value,
    list_text: &str,
    options: &VerifyOptions<'_>,
    depth: usize,
) -> Option<Value> {
    let list_report = verify_at_depth(
        list_text,
        &VerifyOptions {
            mode: VerifyMode::ProofOnly,
            status_list: None,
            recipient: None,
            ..options.clone()
        },
        depth + 1,
    );
    if !list_report.verified {
        let why = list_report
            .errors
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        r.fail(
            CheckId::V11,
            "status_list_invalid",
            format!(
                "the supplied status list does not verify ({}: {why}); it was changed after signing or its proof is broken, so status could not be established",
                list_report.error_codes().join(", ")
            ),
        );
        return None;
    }
    // Parsed by the verification above; a failure here cannot happen, but is no panic.
    let list: Value = serde_json::from_str(list_text).ok()?;
    let signer = proof::chosen_method(&list)
        .and_then(|vm| keys::resolve(vm, &options.controllers, !options.no_fragment_key).ok())
        .map(|k| k.controller);
    let issuer = issuer_id(credential);
    if signer.is_none() || signer.as_deref() != issuer || issuer_id(&list) != issuer {
        r.fail(
            CheckId::V11,
            "status_issuer_mismatch",
            format!(
                "the supplied status list is signed by {} and issued by {}, not by the credential's issuer {}: only the credential's issuer may change its status, so status could not be established",
                signer.as_deref().unwrap_or("an unknown key"),
                issuer_id(&list).unwrap_or("no one"),
                issuer.unwrap_or("(none)")
            ),
        );
        return None;
    }
    Some(list)
}
