//! `verify()` against the expectations of `../shared/vectors/README.md`, the tampering
//! kinds of the issue (each failing with its own code), the expiry boundary (REQ-LIFE-05),
//! revocation through a signed Bitstring status list, the recipient check and the report
//! shape. The evaluation time is pinned in every test (the project vectors expire in 2029).

mod credential_support;

use cairn::credential::keys::IssuerKey;
use cairn::credential::proof::sign;
use cairn::credential::status::{self, StatusList, StatusPurpose};
use cairn::credential::verify::{Outcome, RecipientClaim, VerifyMode};
use cairn::credential::{VerifyOptions, verify};
use credential_support::{
    NOW, assert_fails_with, assert_verified, at, contexts_with_examples, now, project_key, run,
    vector_json, vector_text,
};
use serde_json::{Value, json};

// ------------------------------------------------------------------------------------
// The vectors README table
// ------------------------------------------------------------------------------------

#[test]
fn w3c_signed_vector_verifies_in_proof_only_mode() {
    let set = contexts_with_examples();
    let text = vector_text("w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json");
    let report = verify(
        &text,
        &VerifyOptions {
            contexts: Some(&set),
            ..VerifyOptions::at(now())
        },
    );
    assert_verified(&report, "W3C");
    assert_eq!(report.mode, VerifyMode::ProofOnly);
    // Under the Open Badges rules it is refused at V2: its second context is not an OB one.
    let ob = verify(
        &text,
        &VerifyOptions {
            contexts: Some(&set),
            mode: VerifyMode::OpenBadge,
            ..VerifyOptions::at(now())
        },
    );
    assert_fails_with(&ob, "context_invalid", "W3C vector as an Open Badge");
}

#[test]
fn onedtech_impl_guide_signed_verifies_by_fragment_and_by_controller_document() {
    let text = vector_text("1edtech-ob3/impl-guide/signed.json");
    let report = run(&text);
    assert_verified(&report, "fragment key");
    assert_eq!(report.mode, VerifyMode::OpenBadge);
    let doc = vector_json("1edtech-ob3/impl-guide/issuer-controller-document.json");
    let with_doc = VerifyOptions {
        controllers: vec![doc],
        no_fragment_key: true,
        ..VerifyOptions::at(now())
    };
    let report = verify(&text, &with_doc);
    assert_verified(&report, "controller document");
    assert!(
        report.checks[6].reason.contains("controller document"),
        "{}",
        report.checks[6].reason
    );
    // Without the shortcut and without the document, the key cannot be found.
    let none = VerifyOptions {
        no_fragment_key: true,
        ..VerifyOptions::at(now())
    };
    assert_fails_with(&verify(&text, &none), "key_unresolvable", "no key source");
}

#[test]
fn validator_fixtures() {
    let f = |name: &str| vector_text(&format!("1edtech-ob3/validator-fixtures/{name}"));
    assert_verified(&run(&f("simple.json")), "simple.json");
    assert_fails_with(
        &run(&f("simple-err-proof-value.json")),
        "signature_invalid",
        "bad proof value",
    );
    assert_fails_with(&run(&f("simple-err-expired.json")), "expired", "expired");
    // Bare did:key method (P6): resolvable with a warning, but its controller is not the
    // issuer (urn:uuid:…), so it fails here as in the oracle.
    let bare = run(&f("simple-did-key-method.json"));
    assert_fails_with(&bare, "controller_mismatch", "bare did:key");
    assert!(
        bare.warning_codes().contains(&"bare_did_key"),
        "{:?}",
        bare.warnings
    );
}

#[test]
fn bitstring_fixture_is_revoked_with_its_list_and_unchecked_without() {
    let credential =
        vector_text("1edtech-ob3/validator-fixtures/bitstring-credential-status-revoked.json");
    let list = vector_text("1edtech-ob3/validator-fixtures/bitstring-testlist.json");
    let with_list = VerifyOptions {
        status_list: Some(&list),
        ..VerifyOptions::at(now())
    };
    assert_fails_with(&verify(&credential, &with_list), "revoked", "bit 23 set");
    let without = run(&credential);
    assert_verified(&without, "no list");
    assert!(
        without.warning_codes().contains(&"status_unchecked"),
        "{:?}",
        without.warnings
    );
}

#[test]
fn project_vectors_verify_until_valid_until() {
    for name in ["ob3-mastery", "ob3-mastery-https-issuer", "ob3-cis"] {
        let text = vector_text(&format!("project/{name}-signed.json"));
        assert_verified(&run(&text), name);
        let later = verify(&text, &VerifyOptions::at(at("2029-03-02T15:04:06Z")));
        assert_fails_with(&later, "expired", name);
    }
}

/// Expiry boundary: valid at exactly `validUntil`, expired one second later (REQ-LIFE-05);
/// not yet valid one second before `validFrom`, valid at it.
#[test]
fn validity_boundaries() {
    let text = vector_text("project/ob3-mastery-signed.json");
    let until = at("2029-03-02T15:04:05Z");
    assert_verified(&verify(&text, &VerifyOptions::at(until)), "at validUntil");
    assert_fails_with(
        &verify(&text, &VerifyOptions::at(until.plus_seconds(1))),
        "expired",
        "+1 s",
    );
    let from = at("2026-03-02T15:04:05Z");
    assert_verified(&verify(&text, &VerifyOptions::at(from)), "at validFrom");
    assert_fails_with(
        &verify(&text, &VerifyOptions::at(from.plus_seconds(-1))),
        "not_yet_valid",
        "-1 s",
    );
}

// ------------------------------------------------------------------------------------
// Tampering: each kind fails with its own code
// ------------------------------------------------------------------------------------

fn signed_project() -> Value {
    vector_json("project/ob3-mastery-signed.json")
}

fn resign(doc: &Value) -> String {
    let key = project_key();
    let signed = sign(
        doc,
        &key,
        &key.public().did_key_method(),
        at("2026-03-02T15:04:05Z"),
    )
    .unwrap_or_else(|e| panic!("sign: {e}"));
    signed.credential.to_string()
}

#[test]
fn tampering_changed_field() {
    let mut doc = signed_project();
    doc["credentialSubject"]["result"][0]["value"] = json!("96");
    assert_fails_with(
        &run(&doc.to_string()),
        "signature_invalid",
        "changed result value",
    );
    let mut doc = signed_project();
    doc["credentialSubject"]["achievement"]["name"] = json!("Medication Safety Fundamentals!");
    assert_fails_with(
        &run(&doc.to_string()),
        "signature_invalid",
        "changed achievement name",
    );
}

#[test]
fn tampering_added_undefined_term() {
    let mut doc = signed_project();
    doc["credentialSubject"]["myCustomField"] = json!("x");
    let report = run(&doc.to_string());
    assert_fails_with(&report, "undefined_term", "myCustomField");
    assert!(
        report.errors[0]
            .message
            .contains("credentialSubject.myCustomField"),
        "{}",
        report.errors[0].message
    );
    // A term of another type's scoped context is undefined here too (type-scoped, P1):
    // `caption` belongs to Image, not to the achievement.
    let mut doc = signed_project();
    doc["credentialSubject"]["achievement"]["caption"] = json!("x");
    assert_fails_with(
        &run(&doc.to_string()),
        "undefined_term",
        "caption outside Image",
    );
    // And signing refuses it as well.
    let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
    unsigned["credentialSubject"]["myCustomField"] = json!("x");
    let key = project_key();
    let err = sign(&unsigned, &key, &key.public().did_key_method(), now()).expect_err("undefined");
    assert_eq!(err.code(), "undefined_term");
}

#[test]
fn tampering_swapped_context() {
    let mut doc = signed_project();
    let ctx = doc["@context"].as_array_mut().expect("contexts");
    ctx.swap(1, 2);
    assert_fails_with(
        &run(&doc.to_string()),
        "context_invalid",
        "swapped contexts",
    );
    // An older pinned OB context in place of 3.0.3 still parses, but lacks awardedDate.
    let mut doc = signed_project();
    doc["@context"][1] = json!("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json");
    assert_fails_with(&run(&doc.to_string()), "undefined_term", "context 3.0.2");
}

#[test]
fn tampering_unknown_context() {
    let mut doc = signed_project();
    doc["@context"]
        .as_array_mut()
        .expect("contexts")
        .push(json!("https://evil.example/context.json"));
    let report = run(&doc.to_string());
    assert_fails_with(&report, "context_unknown", "unknown context");
    assert!(report.errors[0].message.contains("evil.example"));
}

#[test]
fn tampering_wrong_key() {
    // Signed by another key but claiming the project key id.
    let other = IssuerKey::from_seed(&[7u8; 32]);
    let unsigned = vector_json("project/ob3-mastery-unsigned.json");
    let vm = project_key().public().did_key_method();
    let forged = sign(&unsigned, &other, &vm, at("2026-03-02T15:04:05Z")).expect("sign");
    assert_fails_with(
        &run(&forged.credential.to_string()),
        "signature_invalid",
        "wrong key",
    );
}

#[test]
fn tampering_wrong_verification_method() {
    // Validly signed by a key that is not the issuer's.
    let other = IssuerKey::from_seed(&[7u8; 32]);
    let unsigned = vector_json("project/ob3-mastery-unsigned.json");
    let signed = sign(&unsigned, &other, &other.public().did_key_method(), now()).expect("sign");
    assert_fails_with(
        &run(&signed.credential.to_string()),
        "controller_mismatch",
        "other did:key",
    );
    // An https issuer whose key id names another host.
    let mut doc = vector_json("project/ob3-mastery-https-issuer-signed.json");
    let vm = project_key()
        .public()
        .https_method("https://other.example/issuer");
    doc["proof"][0]["verificationMethod"] = json!(vm);
    let report = run(&doc.to_string());
    assert_fails_with(&report, "controller_mismatch", "other https controller");
    // The signature covers the verification method too.
    assert!(
        report.error_codes().contains(&"signature_invalid"),
        "{:?}",
        report.error_codes()
    );
}

#[test]
fn tampering_expired_and_not_yet_valid() {
    let text = signed_project().to_string();
    assert_fails_with(
        &verify(&text, &VerifyOptions::at(at("2030-01-01T00:00:00Z"))),
        "expired",
        "2030",
    );
    assert_fails_with(
        &verify(&text, &VerifyOptions::at(at("2025-01-01T00:00:00Z"))),
        "not_yet_valid",
        "2025",
    );
}

fn revocation_fixture(set_bit: bool) -> (String, String) {
    let key = project_key();
    let issuer = key.public().did_key();
    let list_url = "https://college.example/lti/status/1";
    let mut list = StatusList::new(status::MIN_LIST_BITS).expect("list");
    if set_bit {
        list.set(4242, true).expect("set");
    }
    let list_vc = status::status_list_credential(
        list_url,
        &issuer,
        at("2026-03-01T00:00:00Z"),
        StatusPurpose::Revocation,
        &list,
    );
    let list_signed = sign(
        &list_vc,
        &key,
        &key.public().did_key_method(),
        at("2026-03-01T00:00:00Z"),
    )
    .expect("sign list");
    let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
    unsigned["credentialStatus"] = status::status_entry(list_url, 4242, StatusPurpose::Revocation);
    (resign(&unsigned), list_signed.credential.to_string())
}

#[test]
fn tampering_revoked() {
    let (credential, list) = revocation_fixture(true);
    let options = VerifyOptions {
        status_list: Some(&list),
        ..VerifyOptions::at(now())
    };
    let report = verify(&credential, &options);
    assert_fails_with(&report, "revoked", "bit set");
    assert!(report.errors[0].message.contains("4242"));
    let (credential, list) = revocation_fixture(false);
    let options = VerifyOptions {
        status_list: Some(&list),
        ..VerifyOptions::at(now())
    };
    let report = verify(&credential, &options);
    assert_verified(&report, "bit clear");
    assert_eq!(
        report.checks[10].outcome,
        Outcome::Passed,
        "{:?}",
        report.checks[10]
    );
    // A list the credential's issuer did not sign fails the status check: only the
    // issuer may change a credential's status.
    let (credential, _) = revocation_fixture(true);
    let other = IssuerKey::from_seed(&[9u8; 32]);
    let list = StatusList::new(status::MIN_LIST_BITS).expect("list");
    let vc = status::status_list_credential(
        "https://college.example/lti/status/1",
        &project_key().public().did_key(),
        now(),
        StatusPurpose::Revocation,
        &list,
    );
    let fake = sign(&vc, &other, &other.public().did_key_method(), now())
        .expect("sign")
        .credential
        .to_string();
    let report = verify(
        &credential,
        &VerifyOptions {
            status_list: Some(&fake),
            ..VerifyOptions::at(now())
        },
    );
    assert_fails_with(
        &report,
        "status_issuer_mismatch",
        "list signed by another key",
    );
    assert!(
        report.errors[0]
            .message
            .contains("status could not be established"),
        "{:?}",
        report.errors
    );

    // A list issued and signed by someone else, correctly, is not the issuer's word either.
    let vc = status::status_list_credential(
        "https://college.example/lti/status/1",
        &other.public().did_key(),
        now(),
        StatusPurpose::Revocation,
        &list,
    );
    let foreign = sign(&vc, &other, &other.public().did_key_method(), now())
        .expect("sign")
        .credential
        .to_string();
    let report = verify(
        &credential,
        &VerifyOptions {
            status_list: Some(&foreign),
            ..VerifyOptions::at(now())
        },
    );
    assert_fails_with(&report, "status_issuer_mismatch", "another issuer's list");
    assert_eq!(report.checks[10].outcome, Outcome::Failed);

    // No list at all stays a warning: the status is unknown, not contradicted.
    let report = verify(&credential, &VerifyOptions::at(now()));
    assert_verified(&report, "no list");
    assert_eq!(report.checks[10].code, Some("status_unchecked"));
}

/// `list` (a signed status list credential) with bit 4242 flipped and the proof kept.
fn flip_bit(list: &str) -> String {
    let mut doc: Value = serde_json::from_str(list).expect("list JSON");
    let encoded = doc["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encodedList");
    let mut bits = StatusList::decode(encoded).expect("decodes");
    let was = bits.get(4242).expect("bit");
    bits.set(4242, !was).expect("set");
    doc["credentialSubject"]["encodedList"] = json!(bits.encode());
    doc.to_string()
}

/// A list changed after signing fails the status check, whichever way the change goes:
/// an attacker serving the list can neither clear a revocation nor fake one, and a broken
/// proof is no better than none.
#[test]
fn altered_status_lists_fail_the_status_check() {
    for (set_bit, what) in [(true, "revocation cleared"), (false, "revocation faked")] {
        let (credential, list) = revocation_fixture(set_bit);
        let altered = flip_bit(&list);
        let report = verify(
            &credential,
            &VerifyOptions {
                status_list: Some(&altered),
                ..VerifyOptions::at(now())
            },
        );
        assert_fails_with(&report, "status_list_invalid", what);
        assert_eq!(report.checks[10].outcome, Outcome::Failed, "{what}");
        assert!(
            report.errors[0]
                .message
                .contains("status could not be established"),
            "{what}: {:?}",
            report.errors
        );
        assert!(
            !report.warning_codes().contains(&"status_unchecked"),
            "{what}"
        );
    }
    let (credential, list) = revocation_fixture(false);
    let mut broken: Value = serde_json::from_str(&list).expect("JSON");
    let proof_value = broken["proof"][0]["proofValue"].as_str().expect("pv");
    let mut chars: Vec<char> = proof_value.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    broken["proof"][0]["proofValue"] = json!(chars.into_iter().collect::<String>());
    let mut without_proof = broken.clone();
    without_proof
        .as_object_mut()
        .expect("object")
        .remove("proof");
    for (bad, what) in [
        (broken.to_string(), "broken proof"),
        (without_proof.to_string(), "no proof"),
        ("not JSON".to_owned(), "not JSON"),
    ] {
        let report = verify(
            &credential,
            &VerifyOptions {
                status_list: Some(&bad),
                ..VerifyOptions::at(now())
            },
        );
        assert_fails_with(&report, "status_list_invalid", what);
    }
}

#[test]
fn tampering_unicode_noncharacters() {
    for nc in ['\u{FFFE}', '\u{FFFF}'] {
        let mut doc = signed_project();
        doc["name"] = json!(format!("Medication{nc}Safety"));
        assert_fails_with(&run(&doc.to_string()), "noncharacter", "noncharacter");
        let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
        unsigned["name"] = json!(format!("x{nc}"));
        let key = project_key();
        let err =
            sign(&unsigned, &key, &key.public().did_key_method(), now()).expect_err("refused");
        assert_eq!(err.code(), "noncharacter");
    }
}

#[test]
fn tampering_altered_proof() {
    let mut doc = signed_project();
    let pv = doc["proof"][0]["proofValue"]
        .as_str()
        .expect("pv")
        .to_owned();
    let flipped: String = pv
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 10 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    doc["proof"][0]["proofValue"] = json!(flipped);
    assert_fails_with(
        &run(&doc.to_string()),
        "signature_invalid",
        "flipped proofValue",
    );
    let mut doc = signed_project();
    doc["proof"][0]["created"] = json!("2026-03-02T15:04:06Z");
    assert_fails_with(
        &run(&doc.to_string()),
        "signature_invalid",
        "changed created",
    );
    let mut doc = signed_project();
    doc["proof"][0]["cryptosuite"] = json!("eddsa-jcs-2022");
    assert_fails_with(
        &run(&doc.to_string()),
        "proof_unsupported",
        "other cryptosuite",
    );
    let mut doc = signed_project();
    doc.as_object_mut().expect("object").remove("proof");
    assert_fails_with(&run(&doc.to_string()), "proof_missing", "no proof");
    let mut doc = signed_project();
    doc["proof"][0]["proofValue"] = json!("z111");
    assert_fails_with(
        &run(&doc.to_string()),
        "signature_invalid",
        "short proofValue",
    );
}

#[test]
fn tampering_unsafe_integer_and_type() {
    let mut doc = signed_project();
    doc["credentialSubject"]["creditsEarned"] = json!(9_007_199_254_740_993u64);
    assert_fails_with(&run(&doc.to_string()), "unsafe_number", "2^53 + 1");
    // Without VerifiableCredential its scoped terms (credentialSchema, …) are undefined
    // (V3 comes first), and the type check fails too.
    let mut doc = signed_project();
    doc["type"] = json!(["OpenBadgeCredential"]);
    let report = run(&doc.to_string());
    assert_fails_with(&report, "undefined_term", "no VerifiableCredential");
    assert!(
        report.error_codes().contains(&"type_invalid"),
        "{:?}",
        report.error_codes()
    );
    // An endorsement type on a badge-shaped credential: wrong shape, and the signature
    // no longer matches.
    let mut doc = signed_project();
    doc["type"][1] = json!("EndorsementCredential");
    let report = run(&doc.to_string());
    assert_fails_with(
        &report,
        "field_missing",
        "type swapped: an endorsement subject needs an id",
    );
    assert!(
        report.error_codes().contains(&"signature_invalid"),
        "{:?}",
        report.error_codes()
    );
}

#[test]
fn missing_required_fields() {
    let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
    unsigned["credentialSubject"]["achievement"]
        .as_object_mut()
        .expect("a")
        .remove("criteria");
    let report = run(&resign(&unsigned));
    assert_fails_with(&report, "field_missing", "no criteria");
    assert!(report.errors[0].message.contains("criteria"));
}

#[test]
fn malformed_and_oversized_inputs() {
    assert_fails_with(&run("not json"), "malformed", "text");
    assert_fails_with(&run("[1,2]"), "malformed", "array");
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(300 * 1024));
    assert_fails_with(&run(&big), "too_large", "300 KiB");
    // Deep nesting is refused by the parser, not by a stack overflow.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_fails_with(&run(&deep), "malformed", "deep");
    // Too many blank nodes (P10): 70 alignment objects without ids.
    let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
    let one = unsigned["credentialSubject"]["achievement"]["alignment"][0].clone();
    unsigned["credentialSubject"]["achievement"]["alignment"] = Value::Array(vec![one; 70]);
    let key = project_key();
    let err =
        sign(&unsigned, &key, &key.public().did_key_method(), now()).expect_err("blank nodes");
    assert_eq!(err.code(), "too_large");
}

#[test]
fn recipient_check() {
    let text = vector_text("project/ob3-mastery-signed.json");
    let claim = |t: &str, v: &str| VerifyOptions {
        recipient: Some(RecipientClaim {
            identity_type: t.to_owned(),
            value: v.to_owned(),
        }),
        ..VerifyOptions::at(now())
    };
    // The identifier hashes a@example.com with salt "Kosher" (badges.md §3 check vector).
    assert_verified(
        &verify(&text, &claim("emailAddress", " A@Example.com ")),
        "email",
    );
    assert_fails_with(
        &verify(&text, &claim("emailAddress", "b@example.com")),
        "recipient_mismatch",
        "other email",
    );
    assert_fails_with(
        &verify(&text, &claim("ltiUserId", "a@example.com")),
        "recipient_mismatch",
        "other type",
    );
    assert_eq!(
        cairn::credential::verify::identity_hash("a@example.com", "Kosher"),
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    );
}

#[test]
fn report_lists_every_check_in_order_and_serializes() {
    let report = run(&vector_text("project/ob3-cis-signed.json"));
    assert_verified(&report, "cis");
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    let want: Vec<String> = (1..=14).map(|i| format!("V{i}")).collect();
    assert_eq!(ids, want.iter().map(String::as_str).collect::<Vec<_>>());
    let json = serde_json::to_value(&report).expect("serialize");
    assert_eq!(json["verified"], json!(true));
    assert_eq!(json["mode"], json!("open_badge"));
    assert_eq!(json["checks"][8]["name"], json!("signature"));
    assert_eq!(json["checks"][8]["outcome"], json!("passed"));
    assert!(
        json["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .all(|c| !c["reason"].as_str().unwrap_or("").is_empty())
    );
    let failed = run("{}");
    let json = serde_json::to_value(&failed).expect("serialize");
    assert_eq!(json["verified"], json!(false));
    assert_eq!(json["errors"][0]["code"], json!("context_invalid"));
}

#[test]
fn offset_and_fractional_dates_are_read() {
    use cairn::time::parse_datetime;
    assert_eq!(
        parse_datetime("2022-11-10T07:38:00-08:00").map(|t| t.0),
        Some(at("2022-11-10T15:38:00Z"))
    );
    assert_eq!(
        parse_datetime("2022-11-10T07:38:00.500Z"),
        Some((at("2022-11-10T07:38:00Z"), true))
    );
    assert_eq!(parse_datetime("2022-11-10T07:38:00"), None);
    assert_eq!(parse_datetime("2022-11-10 07:38:00Z"), None);
}

/// OB 3.0 `ProfileRef`: `issuer` as a URI string binds the key exactly as `issuer.id` does.
#[test]
fn issuer_may_be_a_uri_string() {
    let key = project_key();
    let keys = vector_json("project/keys.json");
    let https_issuer = keys["httpsIssuerId"].as_str().expect("issuer");
    for (issuer, method) in [
        (key.public().did_key(), key.public().did_key_method()),
        (
            https_issuer.to_owned(),
            key.public().https_method(https_issuer),
        ),
    ] {
        let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
        unsigned["issuer"] = json!(issuer);
        let text = sign(&unsigned, &key, &method, now())
            .expect("signs")
            .credential
            .to_string();
        let report = run(&text);
        assert_verified(&report, &issuer);
        assert_eq!(report.checks[7].outcome, Outcome::Passed, "{issuer}: V8");
        assert!(report.checks[7].reason.contains(&issuer), "{issuer}");
        let oracle = credential_support::oracle_verify(&text, &["--now", NOW]);
        assert!(oracle.verified, "{issuer}: oracle says {}", oracle.raw);
    }

    // The key must still belong to that issuer.
    let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
    unsigned["issuer"] = json!("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
    let text = sign(&unsigned, &key, &key.public().did_key_method(), now())
        .expect("signs")
        .credential
        .to_string();
    assert_fails_with(&run(&text), "controller_mismatch", "another issuer's URI");

    // A string that is not a URI is no ProfileRef (nor does it expand: no base IRI).
    let mut doc: Value = serde_json::from_str(&text).expect("JSON");
    doc["issuer"] = json!("Example College");
    let report = run(&doc.to_string());
    assert!(
        report.error_codes().contains(&"field_invalid"),
        "{:?}",
        report.errors
    );
}

/// Language-tagged values in `name`/`description` stay refused: the OB 3.0 JSON Schema
/// types those fields as strings.
#[test]
fn language_tagged_names_are_refused() {
    let tagged = json!({"@value": "Sécurité des médicaments", "@language": "fr"});
    for path in [
        &["name"][..],
        &["credentialSubject", "achievement", "name"][..],
        &["credentialSubject", "achievement", "description"][..],
    ] {
        let mut doc = signed_project();
        let mut at = &mut doc;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = tagged.clone();
        let report = run(&doc.to_string());
        assert!(
            report.error_codes().contains(&"jsonld_unsupported"),
            "{path:?}: {:?}",
            report.errors
        );
        let key = project_key();
        let mut unsigned = doc.clone();
        unsigned.as_object_mut().expect("object").remove("proof");
        let err = sign(&unsigned, &key, &key.public().did_key_method(), now())
            .expect_err("signing refuses it too");
        assert_eq!(err.code(), "jsonld_unsupported", "{path:?}");
    }
}
