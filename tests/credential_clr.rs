//! CLR 2.0 bundles under `verify()`: the blank-node cap per nested credential (badges.md
//! section 9), every nested credential's proof checked, and nested credentials tied to the
//! CLR's learner. The evaluation time is pinned in every test.

mod credential_support;

use cairn::credential::proof::sign;
use cairn::credential::verify::Outcome;
use cairn::credential::{VerifyOptions, verify};
use credential_support::{assert_fails_with, assert_verified, at, project_key, run, vector_json};
use serde_json::{Value, json};

/// V1 caps per nested credential (§9): a CLR bundling 12 signed badges (more than 64 blank
/// nodes in all) signs and verifies; a single credential keeps the plain cap.
#[test]
fn clr_bundles_get_the_blank_node_cap_per_nested_credential() {
    use cairn::credential::canon::{MAX_BLANK_NODES, blank_node_cap};
    use cairn::credential::export::{ClrInput, clr_credential};
    let key = project_key();
    let mut credentials = Vec::new();
    for i in 0..12 {
        let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
        unsigned["id"] = json!(format!("urn:uuid:0b7e2f4a-91c3-4d58-b6a0-{i:012}"));
        unsigned["credentialSubject"]["achievement"]["id"] =
            json!(format!("https://college.example/lti/achievements/a{i}"));
        let signed = sign(
            &unsigned,
            &key,
            &key.public().did_key_method(),
            at("2026-03-02T15:04:05Z"),
        )
        .expect("sign");
        credentials.push(signed.credential);
    }
    let issuer =
        json!({"id": key.public().did_key(), "type": ["Profile"], "name": "Example College"});
    let learner = json!({"identifier": credentials[0]["credentialSubject"]["identifier"]});
    let clr = clr_credential(&ClrInput {
        id: "urn:uuid:7d0c5b1e-2f3a-4b6c-9d8e-1a2b3c4d5e6f",
        name: "Comprehensive Learner Record",
        issuer: &issuer,
        valid_from: at("2026-05-01T00:00:00Z"),
        learner: &learner,
        credentials: &credentials,
        stacking: &[],
    })
    .expect("clr");
    assert_eq!(blank_node_cap(&clr), MAX_BLANK_NODES * 13);
    assert_eq!(blank_node_cap(&credentials[0]), MAX_BLANK_NODES);
    // Nested proofs are named graphs: the RDFC shortcut and the complete algorithm agree.
    use cairn::credential::canon::{canonicalize_value, canonicalize_value_full_rdfc};
    let set = cairn::credential::ContextSet::pinned();
    let fast = canonicalize_value(&clr, set).expect("canonicalize");
    assert!(
        fast.nquads
            .lines()
            .any(|l| l.matches("_:c14n").count() >= 2 && l.split(' ').count() == 5)
    );
    assert_eq!(fast, canonicalize_value_full_rdfc(&clr, set).expect("full"));
    let signed = sign(
        &clr,
        &key,
        &key.public().did_key_method(),
        at("2026-05-01T00:00:00Z"),
    )
    .expect("sign the CLR");
    let report = run(&signed.credential.to_string());
    assert_verified(&report, "CLR of 12");
}

// ------------------------------------------------------------------------------------
// CLR 2.0: nested credentials
// ------------------------------------------------------------------------------------

fn learner_of(credential: &Value) -> Value {
    json!({"identifier": credential["credentialSubject"]["identifier"]})
}

/// Every nested credential of a CLR is verified: one changed and the CLR re-signed over it
/// fails, although the outer proof is valid.
#[test]
fn clr_nested_credentials_are_verified() {
    use credential_support::{learner_credentials, signed_clr};
    let key = project_key();
    let credentials = learner_credentials(&key, 3);
    let learner = learner_of(&credentials[0]);
    let good = signed_clr(&key, &credentials, &learner);
    let report = run(&good.to_string());
    assert_verified(&report, "CLR");
    assert_eq!(report.checks[13].outcome, Outcome::Passed);
    assert!(
        report.checks[13].reason.contains("3 nested credential(s)"),
        "{}",
        report.checks[13].reason
    );

    let mut altered = credentials.clone();
    altered[1]["credentialSubject"]["result"][0]["value"] = json!("100");
    let forged = signed_clr(&key, &altered, &learner);
    let report = run(&forged.to_string());
    assert_eq!(report.checks[8].outcome, Outcome::Passed, "outer proof");
    assert_fails_with(&report, "nested_credential_invalid", "altered nested");
    assert!(
        report.errors[0]
            .message
            .contains("verifiableCredential[1]: signature_invalid"),
        "{:?}",
        report.errors
    );

    // A nested credential that expired since stays part of the record.
    let report = verify(
        &good.to_string(),
        &VerifyOptions::at(at("2029-03-02T15:04:06Z")),
    );
    assert_verified(&report, "nested credentials expired since");
    assert!(report.checks[13].reason.contains("expired since"));
}

/// A CLR whose nested credentials name another learner than its subject fails.
#[test]
fn clr_of_another_learner_fails() {
    use credential_support::{learner_credentials, signed_clr};
    let key = project_key();
    let mut credentials = learner_credentials(&key, 2);
    let learner = learner_of(&credentials[0]);
    let mut stranger = vector_json("project/ob3-mastery-unsigned.json");
    stranger["id"] = json!("urn:uuid:3f0c9a2e-5b1d-4e7f-8a6c-0000000000ff");
    stranger["credentialSubject"]["identifier"][0]["identityHash"] = json!(
        cairn::credential::verify::identity_hash("mallory@example.com", "Kosher")
    );
    credentials.push(
        sign(
            &stranger,
            &key,
            &key.public().did_key_method(),
            at("2026-03-02T15:04:05Z"),
        )
        .expect("sign")
        .credential,
    );
    let report = run(&signed_clr(&key, &credentials, &learner).to_string());
    assert_fails_with(&report, "clr_learner_mismatch", "stranger's badge");
    assert!(report.errors[0].message.contains("verifiableCredential[2]"));

    let report = run(&signed_clr(
        &key,
        &credentials[..2],
        &json!({"id": "did:example:someone"}),
    )
    .to_string());
    assert_fails_with(&report, "clr_learner_mismatch", "CLR subject by id");
}

/// The learner rule of `vc::names_learner`, case by case.
#[test]
fn learner_matching_rule() {
    use cairn::credential::vc::names_learner;
    use cairn::credential::verify::identity_hash;
    let hashed = |email: &str, salt: &str| {
        json!({"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
               "identityHash": identity_hash(email, salt), "salt": salt})
    };
    let credential = |subject: Value| json!({"credentialSubject": subject});
    let a_salt1 = credential(json!({"identifier": [hashed("a@example.com", "s1")]}));
    // Same entry as issued.
    assert!(names_learner(
        &json!({"identifier": [hashed("a@example.com", "s1")]}),
        &a_salt1
    ));
    // Another learner, or the same email under another salt (not recognisable).
    assert!(!names_learner(
        &json!({"identifier": [hashed("b@example.com", "s1")]}),
        &a_salt1
    ));
    assert!(!names_learner(
        &json!({"identifier": [hashed("a@example.com", "s2")]}),
        &a_salt1
    ));
    // A plain entry is hashed with the credential's salt, and the other way round.
    let plain =
        json!({"identityType": "emailAddress", "hashed": false, "identityHash": "a@example.com"});
    assert!(names_learner(
        &json!({"identifier": [plain.clone()]}),
        &a_salt1
    ));
    assert!(names_learner(
        &json!({"identifier": [hashed("a@example.com", "s1")]}),
        &credential(json!({"identifier": [plain.clone()]}))
    ));
    let other_type =
        json!({"identityType": "ltiUserId", "hashed": false, "identityHash": "a@example.com"});
    assert!(!names_learner(
        &json!({"identifier": [other_type]}),
        &a_salt1
    ));
    // Subject ids.
    assert!(names_learner(
        &json!({"id": "did:example:a"}),
        &credential(json!({"id": "did:example:a"}))
    ));
    assert!(!names_learner(
        &json!({"id": "did:example:a"}),
        &credential(json!({"id": "did:example:b"}))
    ));
    // A display name never identifies anyone.
    let name = json!({"identityType": "name", "hashed": false, "identityHash": "Ada Lovelace"});
    assert!(!names_learner(
        &json!({"identifier": [name.clone()]}),
        &credential(json!({"identifier": [name]}))
    ));
    assert!(!names_learner(&json!({}), &a_salt1));
}
