//! Endorsements (REQ-ISSUE-07, REQ-ISSUE-09; issue 11 item 7): a partner builds and signs an
//! OB 3.0 `EndorsementCredential`; Cairn's verifier and the JS oracle both verify it, on
//! its own and embedded (before signing) under the achievement and the issuer profile; an
//! endorsement of an issued credential leaves that credential's proof valid.

mod credential_corpus;
mod credential_support;

use cairn::credential::build::{IssuerProfile, build, issue};
use cairn::credential::endorse::{EndorsementInput, attach, endorse};
use cairn::credential::keys::IssuerKey;
use cairn::credential::{VerifyOptions, sign, verify};
use cairn::definition::CredentialDefinition;
use credential_corpus::{at, profile, simple_input, uuid};
use credential_support::{oracle_verify, shared};
use serde_json::{Value, json};

fn food_safety() -> CredentialDefinition {
    let path = shared().join("fixtures/scenarios/cross-issuer-food-safety.json");
    let s: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let defs = cairn::definition::parse_definitions(&s["definitions"].to_string()).unwrap();
    defs.into_iter()
        .find(|d| d.id.as_str() == "fsm-cert")
        .unwrap()
}

fn partner() -> IssuerProfile {
    IssuerProfile {
        id: "https://bcit.example/issuers/bcit".into(),
        name: "BCIT (partner)".into(),
        url: Some("https://bcit.example".into()),
        email: None,
        description: Some("Co-delivers the Food Safety micro-certificate".into()),
        image: None,
    }
}

fn partner_key() -> IssuerKey {
    IssuerKey::from_seed(&[21u8; 32])
}

fn endorsement_of(subject_id: &str) -> EndorsementInput<'static> {
    let endorser: &'static IssuerProfile = Box::leak(Box::new(partner()));
    EndorsementInput {
        endorser,
        subject_id: subject_id.into(),
        comment: "BCIT co-delivers core course 3 and elective B and endorses this program.".into(),
        name: "Endorsement by BCIT".into(),
        credential_uuid: uuid(40),
        issued_at: at("2026-01-05T00:00:00Z"),
        valid_until: None,
    }
}

fn assert_both_verify(credential: &Value, now: &str) {
    let text = credential.to_string();
    let report = verify(&text, &VerifyOptions::at(at(now)));
    assert!(report.verified, "{:#?}", report.errors);
    let oracle = oracle_verify(&text, &["--now", now]);
    assert!(oracle.verified, "{}", oracle.raw);
}

#[test]
fn req_issue_09_a_partner_co_signs_the_designated_issuers_program_by_endorsement() {
    let def = food_safety();
    // The designated issuer is the definition's; the partner is another institution.
    assert_eq!(def.issuer.id, "https://example.ca/ubcv/issuer");
    let issuer = profile(&def);
    let built = build(&simple_input(&def, &issuer)).unwrap().credential;
    let achievement_id = built["credentialSubject"]["achievement"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let signed = endorse(&endorsement_of(&achievement_id), &partner_key()).unwrap();
    let e = &signed.credential;
    assert_eq!(
        e["type"],
        json!(["VerifiableCredential", "EndorsementCredential"])
    );
    assert_eq!(e["issuer"]["id"], "https://bcit.example/issuers/bcit");
    assert_eq!(e["credentialSubject"]["id"], json!(achievement_id));
    assert_eq!(
        e["credentialSubject"]["type"],
        json!(["EndorsementSubject"])
    );
    assert_both_verify(e, "2026-06-01T00:00:00Z");
    // Tampering with the comment breaks the partner's signature.
    let mut forged = e.clone();
    forged["credentialSubject"]["endorsementComment"] = json!("BCIT issues this program.");
    assert!(
        !verify(
            &forged.to_string(),
            &VerifyOptions::at(at("2026-06-01T00:00:00Z"))
        )
        .verified
    );
}

#[test]
fn req_issue_07_endorsements_embed_under_the_achievement_and_the_issuer_before_signing() {
    let def = food_safety();
    let issuer = profile(&def);
    let input = simple_input(&def, &issuer);
    let mut unsigned = build(&input).unwrap().credential;
    let achievement_id = unsigned["credentialSubject"]["achievement"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let on_achievement = endorse(&endorsement_of(&achievement_id), &partner_key()).unwrap();
    let mut of_issuer_input = endorsement_of(&def.issuer.id);
    of_issuer_input.credential_uuid = uuid(41);
    let on_issuer = endorse(&of_issuer_input, &partner_key()).unwrap();
    attach(&mut unsigned, &on_achievement).unwrap();
    attach(&mut unsigned, &on_issuer).unwrap();
    assert_eq!(
        unsigned["credentialSubject"]["achievement"]["endorsement"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        unsigned["issuer"]["endorsement"].as_array().unwrap().len(),
        1
    );
    let key = IssuerKey::from_seed(&[1u8; 32]);
    let signed = sign(
        &unsigned,
        &key,
        &cairn::credential::build::key_id(&issuer.id, &key),
        input.issued_at,
    )
    .unwrap();
    assert_both_verify(&signed.credential, "2026-06-01T00:00:00Z");
    let report = verify(
        &signed.credential.to_string(),
        &VerifyOptions::at(at("2026-06-01T00:00:00Z")),
    );
    let text = serde_json::to_string(&report).unwrap();
    assert!(text.contains("2 endorsement(s) verified"), "{text}");
    // Embedding into a signed credential is refused: it would break the proof.
    let mut already = signed.credential.clone();
    let err = attach(&mut already, &on_achievement).unwrap_err();
    assert!(err.to_string().contains("breaks the proof"), "{err}");
    // An endorsement of something else has no place in this credential.
    let other = endorse(
        &endorsement_of("https://elsewhere.example/achievements/x"),
        &partner_key(),
    )
    .unwrap();
    let mut fresh = build(&input).unwrap().credential;
    assert!(attach(&mut fresh, &other).is_err());
}

#[test]
fn req_issue_07_endorsing_an_issued_credential_leaves_its_proof_valid() {
    let def = food_safety();
    let issuer = profile(&def);
    let key = IssuerKey::from_seed(&[1u8; 32]);
    let issued = issue(&simple_input(&def, &issuer), &key)
        .unwrap()
        .credential;
    let before = issued.to_string();
    let credential_id = issued["id"].as_str().unwrap().to_owned();
    let mut later = endorsement_of(&credential_id);
    later.issued_at = at("2026-04-01T00:00:00Z");
    let endorsement = endorse(&later, &partner_key()).unwrap();
    assert_eq!(
        endorsement.credential["credentialSubject"]["id"],
        json!(credential_id)
    );
    // The credential is untouched and still verifies; the endorsement verifies on its own.
    assert_eq!(issued.to_string(), before);
    assert_both_verify(&issued, "2026-06-01T00:00:00Z");
    assert_both_verify(&endorsement.credential, "2026-06-01T00:00:00Z");
    // And it cannot be embedded into the signed credential.
    let mut copy = issued.clone();
    assert!(attach(&mut copy, &endorsement).is_err());
}

#[test]
fn endorsement_inputs_are_checked() {
    let base = endorsement_of("https://example.ca/ubcv/issuer");
    let key = partner_key();
    let mut blank = base.clone();
    blank.comment = " ".into();
    assert_eq!(endorse(&blank, &key).unwrap_err().code(), "field_invalid");
    let mut relative = base.clone();
    relative.subject_id = "achievements/x".into();
    assert!(endorse(&relative, &key).is_err());
    let mut own = base.clone();
    own.subject_id = partner().id;
    assert!(endorse(&own, &key).is_err());
    let mut backwards = base;
    backwards.valid_until = Some(at("2025-01-01T00:00:00Z"));
    assert!(endorse(&backwards, &key).is_err());
}
