//! The status stage (V11): a credential's Bitstring Status List entry checked against the
//! list the host supplied.

use serde_json::Value;

use super::report::{CheckId, Reporter};
use super::{VerifyMode, VerifyOptions, verify_at_depth};
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
    // The list's own proof: signature, assertionMethod, and its key controller = its issuer.
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
    let list: Value = match serde_json::from_str(list_text) {
        Ok(v) => v,
        Err(e) => {
            r.warn(
                CheckId::V11,
                "status_unchecked",
                format!("the status list is not JSON ({e}); revocation was not checked"),
            );
            return;
        }
    };
    if !list_report.verified {
        r.warn(
            CheckId::V11,
            "status_unchecked",
            format!(
                "the status list does not verify ({}); revocation was not checked",
                list_report.error_codes().join(", ")
            ),
        );
        return;
    }
    let list_vm = list
        .get("proof")
        .and_then(|p| match p {
            Value::Array(a) => a.first(),
            other => Some(other),
        })
        .and_then(|p| p.get("verificationMethod"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let list_controller = keys::resolve(list_vm, &options.controllers, !options.no_fragment_key)
        .ok()
        .map(|k| k.controller);
    let list_issuer = issuer_id(&list);
    if list_controller.as_deref() != list_issuer {
        r.warn(
            CheckId::V11,
            "status_unchecked",
            "the status list is not signed by its own issuer; revocation was not checked",
        );
        return;
    }
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
        Err(e) => r.warn(
            CheckId::V11,
            "status_unchecked",
            format!("the status list does not apply: {e}"),
        ),
    }
}
