//! Embedded credentials (V14): endorsements, each verified on its own.

use serde_json::{Map, Value};

use super::report::{CheckId, Reporter};
use super::{VerifyMode, VerifyOptions, verify_at_depth};
use crate::credential::vc::has_type;

pub(super) fn check_endorsements<'d>(
    r: &mut Reporter,
    doc: &'d Map<String, Value>,
    options: &VerifyOptions<'_>,
    depth: usize,
) {
    let mut found: Vec<(&'static str, &'d Value)> = Vec::new();
    let mut collect = |place: &'static str, v: Option<&'d Value>| match v {
        Some(Value::Array(a)) => found.extend(a.iter().map(|e| (place, e))),
        Some(o @ Value::Object(_)) => found.push((place, o)),
        _ => {}
    };
    collect("endorsement", doc.get("endorsement"));
    collect(
        "issuer.endorsement",
        doc.get("issuer").and_then(|i| i.get("endorsement")),
    );
    collect(
        "credentialSubject.achievement.endorsement",
        doc.get("credentialSubject")
            .and_then(|s| s.get("achievement"))
            .and_then(|a| a.get("endorsement")),
    );
    if found.is_empty() {
        r.skip(CheckId::V14, "no embedded endorsements");
        return;
    }
    if depth > 0 {
        r.skip(
            CheckId::V14,
            "endorsements of nested credentials are not checked",
        );
        return;
    }
    let mut bad = Vec::new();
    for (i, (place, e)) in found.iter().enumerate() {
        let nested = verify_at_depth(
            &e.to_string(),
            &VerifyOptions {
                mode: VerifyMode::OpenBadge,
                status_list: None,
                recipient: None,
                ..options.clone()
            },
            depth + 1,
        );
        if !nested.verified || !has_type(e, "EndorsementCredential") {
            bad.push(format!(
                "{place}[{i}]: {}",
                if nested.verified {
                    "not an EndorsementCredential".to_owned()
                } else {
                    nested.error_codes().join(", ")
                }
            ));
        }
    }
    if bad.is_empty() {
        r.pass(
            CheckId::V14,
            format!("{} endorsement(s) verified", found.len()),
        );
    } else {
        r.warn(
            CheckId::V14,
            "endorsement_invalid",
            format!(
                "endorsements that do not verify (the badge itself is unaffected): {}",
                bad.join("; ")
            ),
        );
    }
}
