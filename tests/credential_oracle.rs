//! Cross-check with the independent JS oracle (`../shared/oracle`, Digital Bazaar stack,
//! jsonld.js safe mode), which the tests install themselves (see
//! `credential_support::oracle_dir` for the `CAIRN_ORACLE_DIR` contract): Cairn-signed
//! credentials verify in `verify.mjs`; oracle-signed ones verify in Cairn with the same
//! `proofValue`; tampering fails in both; numbers canonicalize as jsonld.js writes them
//! (P9); altered status lists and altered nested CLR credentials are refused by both; and
//! the differences (P14's N-Quad sort order, the signer of a status list, the learner of a
//! CLR) are shown, not hidden.

mod credential_support;

use cairn::Timestamp;
use cairn::credential::canon::{canonicalize_value, utf16_sorted};
use cairn::credential::keys::IssuerKey;
use cairn::credential::proof::{SORT_ORDER_DIVERGENCE, sign};
use cairn::credential::{ContextSet, VerifyOptions, verify};
use credential_support::{
    learner_credentials, oracle_canon, oracle_sign, oracle_verify, oracle_verify_clr,
    oracle_verify_with_status_list, seed, signed_clr, vector_json,
};
use serde_json::{Value, json};

const NOW: &str = "2026-06-01T00:00:00Z";
const CREATED: &str = "2026-03-02T15:04:05Z";

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("timestamp")
}

fn seed_hex() -> String {
    vector_json("project/keys.json")["seedHex"]
        .as_str()
        .expect("seed")
        .to_owned()
}

fn key() -> IssuerKey {
    IssuerKey::from_seed(&seed(&seed_hex()))
}

fn cairn_verified(text: &str) -> cairn::credential::VerificationReport {
    verify(text, &VerifyOptions::at(at(NOW)))
}

#[test]
fn cairn_signed_credentials_verify_in_the_oracle() {
    let key = key();
    for (name, vm) in [
        ("ob3-mastery", key.public().did_key_method()),
        ("ob3-cis", key.public().did_key_method()),
        (
            "ob3-mastery-https-issuer",
            key.public()
                .https_method("https://college.example/lti/issuer"),
        ),
    ] {
        let mut unsigned = vector_json(&format!("project/{name}-unsigned.json"));
        // Something the published vectors do not already contain.
        unsigned["id"] = json!("urn:uuid:6c1f4b0e-1d1a-4c8e-9f00-0000000000aa");
        let signed = sign(&unsigned, &key, &vm, at("2026-04-01T08:00:00Z")).expect("sign");
        let text = signed.credential.to_string();
        let verdict = oracle_verify(&text, &["--now", NOW]);
        assert!(verdict.verified, "{name}: oracle says {}", verdict.raw);
        assert!(cairn_verified(&text).verified, "{name}");
    }
}

#[test]
fn oracle_signed_credentials_verify_in_cairn_with_the_same_proof_value() {
    let key = key();
    for (name, extra) in [
        ("ob3-mastery", vec![]),
        ("ob3-cis", vec![]),
        (
            "ob3-mastery-https-issuer",
            vec!["--controller", "https://college.example/lti/issuer"],
        ),
    ] {
        let mut unsigned = vector_json(&format!("project/{name}-unsigned.json"));
        unsigned["name"] = json!("Sécurité des médicaments — الأساسيات 🎓");
        let created = "2026-05-05T05:05:05Z";
        let mut args = vec!["--created", created];
        args.extend(extra.iter().copied());
        let text = oracle_sign(&unsigned.to_string(), &seed_hex(), &args);
        let report = cairn_verified(&text);
        assert!(report.verified, "{name}: {:#?}", report.errors);
        let oracle_doc: Value = serde_json::from_str(&text).expect("json");
        let vm = oracle_doc["proof"][0]["verificationMethod"]
            .as_str()
            .expect("vm")
            .to_owned();
        let ours = sign(&unsigned, &key, &vm, at(created)).expect("sign");
        assert_eq!(
            ours.credential, oracle_doc,
            "{name}: same credential from both signers"
        );
    }
}

/// Each tampering kind fails in both stacks (Cairn with its own code).
#[test]
fn tampering_fails_in_both_stacks() {
    let key = key();
    let signed = vector_json("project/ob3-mastery-signed.json");
    let other = IssuerKey::from_seed(&[7u8; 32]);
    let unsigned = vector_json("project/ob3-mastery-unsigned.json");
    let mut cases: Vec<(&str, &str, Value)> = Vec::new();
    let mut d = signed.clone();
    d["credentialSubject"]["result"][0]["value"] = json!("96");
    cases.push(("changed field", "signature_invalid", d));
    let mut d = signed.clone();
    d["credentialSubject"]["myCustomField"] = json!("x");
    cases.push(("undefined term", "undefined_term", d));
    let mut d = signed.clone();
    d["@context"].as_array_mut().expect("ctx").swap(1, 2);
    cases.push(("swapped context", "context_invalid", d));
    let mut d = signed.clone();
    d["@context"]
        .as_array_mut()
        .expect("ctx")
        .push(json!("https://evil.example/ctx.json"));
    cases.push(("unknown context", "context_unknown", d));
    let forged = sign(
        &unsigned,
        &other,
        &key.public().did_key_method(),
        at(CREATED),
    )
    .expect("sign");
    cases.push(("wrong key", "signature_invalid", forged.credential));
    let foreign = sign(
        &unsigned,
        &other,
        &other.public().did_key_method(),
        at(CREATED),
    )
    .expect("sign");
    cases.push((
        "wrong verification method",
        "controller_mismatch",
        foreign.credential,
    ));
    let mut d = signed.clone();
    d["name"] = json!("Medication\u{FFFF}Safety");
    cases.push(("noncharacter", "noncharacter", d));
    let mut d = signed.clone();
    d["proof"][0]["created"] = json!("2026-03-02T15:04:06Z");
    cases.push(("altered proof", "signature_invalid", d));
    for (what, code, doc) in &cases {
        let text = doc.to_string();
        let ours = cairn_verified(&text);
        assert_eq!(
            ours.error_codes().first().copied(),
            Some(*code),
            "{what}: {:#?}",
            ours.errors
        );
        let theirs = oracle_verify(&text, &["--now", NOW]);
        // The oracle only warns on U+FFFF (its canonicalizer escapes nothing), so the
        // signature check is what fails there: the signed text was changed.
        assert!(
            !theirs.verified,
            "{what}: the oracle accepted it: {}",
            theirs.raw
        );
    }
    // Dates: expired and not yet valid, with the same pinned instants in both.
    let text = signed.to_string();
    for now in ["2030-01-01T00:00:00Z", "2025-01-01T00:00:00Z"] {
        assert!(!oracle_verify(&text, &["--now", now]).verified, "{now}");
        assert!(
            !verify(&text, &VerifyOptions::at(at(now))).verified,
            "{now}"
        );
    }
    // Boundary. Cairn follows badges.md §1.1 / REQ-LIFE-05: valid at exactly validUntil.
    // The oracle's @digitalbazaar/vc 7.3.0 compareTime() with maxClockSkew 0 returns
    // "after" for equal instants, so it already rejects at validUntil; one second earlier
    // both accept, one second later both reject. This boundary disagreement is deliberate.
    let until = "2029-03-02T15:04:05Z";
    assert!(verify(&text, &VerifyOptions::at(at(until))).verified);
    let theirs = oracle_verify(&text, &["--now", until]);
    assert!(
        !theirs.verified && theirs.raw.to_string().contains("is after"),
        "{}",
        theirs.raw
    );
    for (now, ok) in [
        ("2029-03-02T15:04:04Z", true),
        ("2029-03-02T15:04:06Z", false),
    ] {
        assert_eq!(oracle_verify(&text, &["--now", now]).verified, ok, "{now}");
        assert_eq!(
            verify(&text, &VerifyOptions::at(at(now))).verified,
            ok,
            "{now}"
        );
    }
}

/// Revocation agrees: the 1EdTech fixture with its list fails in both, and passes (with a
/// warning) without it.
#[test]
fn revocation_agrees_with_the_oracle() {
    let dir = credential_support::vector_path("1edtech-ob3/validator-fixtures");
    let cred = std::fs::read_to_string(dir.join("bitstring-credential-status-revoked.json"))
        .expect("read");
    let list_path = dir.join("bitstring-testlist.json");
    let list = std::fs::read_to_string(&list_path).expect("read");
    let theirs = oracle_verify(
        &cred,
        &[
            "--now",
            NOW,
            "--status-list",
            list_path.to_str().expect("path"),
        ],
    );
    assert!(!theirs.verified, "{}", theirs.raw);
    let ours = verify(
        &cred,
        &VerifyOptions {
            status_list: Some(&list),
            ..VerifyOptions::at(at(NOW))
        },
    );
    assert_eq!(ours.error_codes(), vec!["revoked"]);
    assert!(oracle_verify(&cred, &["--now", NOW]).verified);
    assert!(cairn_verified(&cred).verified);
}

/// A credential of the project's did:key issuer with a revocation entry at bit 4242, and
/// that issuer's signed list with the bit set or clear.
fn revocable(set_bit: bool) -> (String, String) {
    use cairn::credential::status::{
        MIN_LIST_BITS, StatusList, StatusPurpose, signed_status_list_credential, status_entry,
    };
    let key = key();
    let issuer = key.public().did_key();
    let url = "https://college.example/lti/status/1";
    let mut list = StatusList::new(MIN_LIST_BITS).expect("list");
    list.set(4242, set_bit).expect("set");
    let list = signed_status_list_credential(
        url,
        &issuer,
        StatusPurpose::Revocation,
        &list,
        &key,
        at(CREATED),
    )
    .expect("signs");
    let mut unsigned = vector_json("project/ob3-mastery-unsigned.json");
    unsigned["credentialStatus"] = status_entry(url, 4242, StatusPurpose::Revocation);
    let credential = sign(&unsigned, &key, &key.public().did_key_method(), at(CREATED))
        .expect("signs")
        .credential;
    (credential.to_string(), list.to_string())
}

/// `list` with bit 4242 flipped after signing (the proof kept).
fn flipped(list: &str) -> String {
    use cairn::credential::status::StatusList;
    let mut doc: Value = serde_json::from_str(list).expect("JSON");
    let mut bits = StatusList::decode(
        doc["credentialSubject"]["encodedList"]
            .as_str()
            .expect("encodedList"),
    )
    .expect("decodes");
    let was = bits.get(4242).expect("bit");
    bits.set(4242, !was).expect("set");
    doc["credentialSubject"]["encodedList"] = json!(bits.encode());
    doc.to_string()
}

fn cairn_with_list(credential: &str, list: &str) -> cairn::credential::VerificationReport {
    verify(
        credential,
        &VerifyOptions {
            status_list: Some(list),
            ..VerifyOptions::at(at(NOW))
        },
    )
}

/// A status list altered after signing is refused by both stacks, whether the alteration
/// clears a revocation or fakes one, and so is a list whose proof is broken. The intact
/// lists are applied by both (revoked with the bit set, verified with it clear).
#[test]
fn altered_status_lists_are_refused_by_both_stacks() {
    for set_bit in [true, false] {
        let (credential, list) = revocable(set_bit);
        let ours = cairn_with_list(&credential, &list);
        let theirs = oracle_verify_with_status_list(&credential, &list, &["--now", NOW]);
        assert_eq!(
            ours.verified, !set_bit,
            "intact list, bit {set_bit}: {:?}",
            ours.errors
        );
        assert_eq!(
            theirs.verified, !set_bit,
            "intact list, bit {set_bit}: {}",
            theirs.raw
        );

        let altered = flipped(&list);
        let what = if set_bit {
            "revocation cleared"
        } else {
            "revocation faked"
        };
        let ours = cairn_with_list(&credential, &altered);
        assert_eq!(ours.error_codes(), vec!["status_list_invalid"], "{what}");
        let theirs = oracle_verify_with_status_list(&credential, &altered, &["--now", NOW]);
        assert!(!theirs.verified, "{what}: the oracle says {}", theirs.raw);
    }
    let (credential, list) = revocable(false);
    let mut broken: Value = serde_json::from_str(&list).expect("JSON");
    broken["proof"][0]["proofValue"] = json!(
        "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKdNeTUYbrLMxhBbCq"
    );
    let broken = broken.to_string();
    assert_eq!(
        cairn_with_list(&credential, &broken).error_codes(),
        vec!["status_list_invalid"]
    );
    let theirs = oracle_verify_with_status_list(&credential, &broken, &["--now", NOW]);
    assert!(
        !theirs.verified,
        "broken proof: the oracle says {}",
        theirs.raw
    );
}

/// A list validly signed by another key is refused by Cairn ("status could not be
/// established"): only the credential's issuer may change its status. The oracle verifies
/// the list's proof but does not compare its signer with the credential's issuer, so it
/// applies such a list: a known difference, shown here rather than hidden.
#[test]
fn a_list_from_another_signer_is_refused_by_cairn_and_applied_by_the_oracle() {
    use cairn::credential::status::{
        MIN_LIST_BITS, StatusList, StatusPurpose, signed_status_list_credential,
    };
    let (credential, _) = revocable(true);
    let other = IssuerKey::from_seed(&[9u8; 32]);
    let list = signed_status_list_credential(
        "https://college.example/lti/status/1",
        &other.public().did_key(),
        StatusPurpose::Revocation,
        &StatusList::new(MIN_LIST_BITS).expect("list"),
        &other,
        at(CREATED),
    )
    .expect("signs")
    .to_string();
    let ours = cairn_with_list(&credential, &list);
    assert_eq!(ours.error_codes(), vec!["status_issuer_mismatch"]);
    assert!(
        ours.errors[0]
            .message
            .contains("status could not be established")
    );
    let theirs = oracle_verify_with_status_list(&credential, &list, &["--now", NOW]);
    assert!(
        theirs.verified,
        "the oracle now refuses it too: {}",
        theirs.raw
    );
}

/// CLR 2.0: a nested credential changed and the CLR re-signed over it is refused by both
/// stacks. `verify.mjs` checks only the outer proof (it verifies), so the oracle's verdict
/// on a CLR verifies each nested credential with it as well
/// (`credential_support::oracle_verify_clr`). A CLR bundling another learner's badge is
/// refused by Cairn; the oracle has no such rule (each part verifies), which is shown.
#[test]
fn nested_clr_credentials_are_checked_by_both_stacks() {
    let key = key();
    let credentials = learner_credentials(&key, 2);
    let learner = json!({"identifier": credentials[0]["credentialSubject"]["identifier"]});
    let good = signed_clr(&key, &credentials, &learner).to_string();
    assert!(cairn_verified(&good).verified);
    let theirs = oracle_verify_clr(&good, &["--now", NOW]);
    assert!(theirs.verified, "{}", theirs.raw);

    let mut altered = credentials.clone();
    altered[1]["credentialSubject"]["result"][0]["value"] = json!("100");
    let forged = signed_clr(&key, &altered, &learner).to_string();
    assert_eq!(
        cairn_verified(&forged).error_codes(),
        vec!["nested_credential_invalid"]
    );
    assert!(
        oracle_verify(&forged, &["--now", NOW]).verified,
        "the outer proof alone is valid"
    );
    let theirs = oracle_verify_clr(&forged, &["--now", NOW]);
    assert!(!theirs.verified, "{}", theirs.raw);
    assert!(
        !theirs.raw["nested"][1]["verified"]
            .as_bool()
            .unwrap_or(true)
    );

    let someone_else =
        signed_clr(&key, &credentials, &json!({"id": "did:example:someone"})).to_string();
    assert_eq!(
        cairn_verified(&someone_else).error_codes(),
        vec!["clr_learner_mismatch"]
    );
    let theirs = oracle_verify_clr(&someone_else, &["--now", NOW]);
    assert!(
        theirs.verified,
        "the oracle now checks learners too: {}",
        theirs.raw
    );
}

/// P9: JSON numbers canonicalize exactly as jsonld.js writes them (integral credits as
/// `"3"^^xsd:float`, fractional as `toExponential(15)` trimmed, including values such as
/// 8.2 whose shortest form is not what JavaScript prints), and control characters are
/// escaped the same way.
#[test]
fn numbers_and_escapes_canonicalize_like_jsonld_js() {
    let base = vector_json("project/ob3-mastery-unsigned.json");
    let values = [
        0.0, 3.0, 3.5, 0.5, 0.25, 8.2, 0.07, 1.1, 12.75, 100.0, 1e-7, 1.5e-7, 123456.789,
    ];
    for v in values {
        let mut doc = base.clone();
        doc["credentialSubject"]["creditsEarned"] = json!(v);
        doc["credentialSubject"]["achievement"]["creditsAvailable"] = json!(v * 2.0);
        let ours = canonicalize_value(&doc, ContextSet::pinned()).expect("canonicalize");
        let theirs = oracle_canon(&doc.to_string());
        assert_eq!(
            Some(ours.nquads.as_str()),
            theirs["canonicalDocument"].as_str(),
            "credits {v}"
        );
    }
    // Integers written without a fraction, and text with control characters and quotes.
    let mut doc = base.clone();
    doc["credentialSubject"]["creditsEarned"] = json!(2);
    doc["description"] = json!("tab\tnewline\nreturn\rquote\"backslash\\bell\u{7}del\u{7f}");
    let ours = canonicalize_value(&doc, ContextSet::pinned()).expect("canonicalize");
    let theirs = oracle_canon(&doc.to_string());
    assert_eq!(
        Some(ours.nquads.as_str()),
        theirs["canonicalDocument"].as_str()
    );
}

/// P14: tags whose first differing characters are in U+E000–U+FFFF on one side and above
/// U+FFFF on the other sort differently by code point (RDFC-1.0, Cairn) and by UTF-16 code
/// unit (rdf-canonize 5, the oracle). Cairn warns at signing; each stack rejects the
/// other's signature; the oracle's canonical text is exactly Cairn's lines re-sorted by
/// UTF-16.
#[test]
fn sort_order_divergence_is_detected_and_shown() {
    let mut doc = vector_json("project/ob3-mastery-unsigned.json");
    doc["credentialSubject"]["achievement"]["tag"] = json!(["\u{FF2C}evel", "\u{1F393}level"]);
    let ours = canonicalize_value(&doc, ContextSet::pinned()).expect("canonicalize");
    assert!(ours.utf16_order_differs);
    let theirs = oracle_canon(&doc.to_string());
    let js = theirs["canonicalDocument"]
        .as_str()
        .expect("canonicalDocument");
    assert_ne!(ours.nquads, js, "the two orders differ");
    assert_eq!(utf16_sorted(&ours.nquads), js, "same lines, UTF-16 order");

    let key = key();
    let signed = sign(&doc, &key, &key.public().did_key_method(), at(CREATED)).expect("sign");
    assert_eq!(
        signed.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        vec![SORT_ORDER_DIVERGENCE]
    );
    let text = signed.credential.to_string();
    assert!(
        cairn_verified(&text).verified,
        "Cairn verifies its own (spec) signature"
    );
    assert!(
        !oracle_verify(&text, &["--now", NOW]).verified,
        "the oracle hashes the UTF-16 order"
    );

    let js_signed = oracle_sign(&doc.to_string(), &seed_hex(), &["--created", CREATED]);
    assert!(oracle_verify(&js_signed, &["--now", NOW]).verified);
    let report = cairn_verified(&js_signed);
    assert_eq!(report.error_codes(), vec!["signature_invalid"]);
    assert!(
        report.warning_codes().contains(&SORT_ORDER_DIVERGENCE),
        "{:?}",
        report.warnings
    );

    // Without such characters nothing diverges.
    let plain = canonicalize_value(
        &vector_json("project/ob3-cis-unsigned.json"),
        ContextSet::pinned(),
    )
    .expect("canon");
    assert!(!plain.utf16_order_differs);
}
