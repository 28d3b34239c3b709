//! Embedded credentials (V14): endorsements and a CLR's nested credentials, each verified
//! on its own. A failed endorsement is a warning on the parent (§6); a nested credential
//! of a CLR that does not verify, or that names another learner than the CLR's subject,
//! fails the CLR: a transcript is only as good as each credential in it.

use serde_json::Value;

use super::report::{CheckId, Reporter};
use super::{VerificationReport, VerifyMode, VerifyOptions, verify_at_depth};
use crate::credential::vc::{has_type, names_learner, subjects};

/// Errors of a nested credential that do not make a CLR fail: an expired badge is still
/// part of the learner's record (the reason says so).
const TOLERATED_IN_CLR: [&str; 1] = ["expired"];

pub(super) fn check_embedded(
    r: &mut Reporter,
    credential: &Value,
    types: &[&str],
    options: &VerifyOptions<'_>,
    depth: usize,
) {
    let endorsements = endorsements(credential);
    let clr = types.contains(&"ClrCredential");
    let nested: Vec<&Value> = if clr {
        subjects(credential)
            .into_iter()
            .flat_map(|s| match s.get("verifiableCredential") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(o @ Value::Object(_)) => vec![o],
                _ => Vec::new(),
            })
            .collect()
    } else {
        Vec::new()
    };
    if endorsements.is_empty() && nested.is_empty() {
        r.skip(CheckId::V14, "no embedded endorsements or credentials");
        return;
    }
    if depth > 0 {
        r.skip(
            CheckId::V14,
            "credentials embedded in nested credentials are not checked",
        );
        return;
    }

    // A CLR's nested credentials: each verifies and names the CLR's learner.
    let mut invalid = Vec::new();
    let mut other_learner = Vec::new();
    let mut expired = 0;
    let clr_subjects = subjects(credential);
    for (i, inner) in nested.iter().enumerate() {
        let report = verify_embedded(inner, options, depth);
        let codes: Vec<&str> = report
            .error_codes()
            .into_iter()
            .filter(|c| !TOLERATED_IN_CLR.contains(c))
            .collect();
        if !codes.is_empty() {
            invalid.push(format!("verifiableCredential[{i}]: {}", codes.join(", ")));
        } else if !report.verified {
            expired += 1;
        }
        if !clr_subjects.iter().any(|s| names_learner(s, inner)) {
            other_learner.push(format!("verifiableCredential[{i}]"));
        }
    }
    if !invalid.is_empty() {
        r.fail(
            CheckId::V14,
            "nested_credential_invalid",
            format!(
                "credentials inside the CLR do not verify (changed after signing, or not valid Open Badges): {}",
                invalid.join("; ")
            ),
        );
        return;
    }
    if !other_learner.is_empty() {
        r.fail(
            CheckId::V14,
            "clr_learner_mismatch",
            format!(
                "credentials inside the CLR are issued to someone other than its subject (no matching id or identifier): {}",
                other_learner.join(", ")
            ),
        );
        return;
    }

    let mut bad = Vec::new();
    for (i, (place, e)) in endorsements.iter().enumerate() {
        let report = verify_embedded(e, options, depth);
        if !report.verified || !has_type(e, "EndorsementCredential") {
            bad.push(format!(
                "{place}[{i}]: {}",
                if report.verified {
                    "not an EndorsementCredential".to_owned()
                } else {
                    report.error_codes().join(", ")
                }
            ));
        }
    }
    let mut done = Vec::new();
    if !nested.is_empty() {
        let mut s = format!(
            "{} nested credential(s) verified, all issued to the CLR's subject",
            nested.len()
        );
        if expired > 0 {
            s.push_str(&format!(" ({expired} of them expired since)"));
        }
        done.push(s);
    }
    if bad.is_empty() {
        if !endorsements.is_empty() {
            done.push(format!("{} endorsement(s) verified", endorsements.len()));
        }
        r.pass(CheckId::V14, done.join("; "));
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

fn endorsements<'d>(doc: &'d Value) -> Vec<(&'static str, &'d Value)> {
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
    found
}

/// Verifies an embedded credential with every Open Badges rule, without the parent's
/// status list or recipient claim (they are the parent's).
fn verify_embedded(
    credential: &Value,
    options: &VerifyOptions<'_>,
    depth: usize,
) -> VerificationReport {
    verify_at_depth(
        &credential.to_string(),
        &VerifyOptions {
            mode: VerifyMode::OpenBadge,
            status_list: None,
            recipient: None,
            ..options.clone()
        },
        depth + 1,
    )
}
