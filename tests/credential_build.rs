//! Building credentials (`spec/badges.md` §1–§3) from the scenario fixtures' definitions
//! and records: field rules, recipients, CIS, NFC, version, and the cross-check of more than
//! 50 built credentials (varied recipients, non-ASCII, right-to-left and emoji text, dates,
//! credits, alignments, keys) with the JS oracle, which must verify every one.

mod credential_corpus;
mod credential_support;

use cairn::Timestamp;
use cairn::credential::build::{
    BuildInput, CompetencyResult, IssuerProfile, NUMBER_FORM_DIVERGENCE, Recipient, build, issue,
    key_id,
};
use cairn::credential::keys::IssuerKey;
use cairn::credential::{VerifyOptions, verify};
use cairn::definition::CredentialDefinition;
use cairn::number::Number;
use credential_corpus::{Scenario, at, profile};
use credential_support::{oracle_verify, shared};
use serde_json::{Value, json};

fn scenarios() -> Vec<Scenario> {
    credential_corpus::scenarios(&shared())
}

fn corpus() -> Vec<(String, Value, Timestamp)> {
    credential_corpus::corpus(&shared())
        .into_iter()
        .map(|b| (b.name, b.credential, b.now))
        .collect()
}

#[test]
fn scenario_credentials_verify_in_cairn_and_in_the_oracle() {
    let corpus = corpus();
    assert!(corpus.len() >= 50, "only {} credentials", corpus.len());
    println!(
        "cross-checking {} credentials built from the scenario fixtures",
        corpus.len()
    );
    for (name, credential, now) in &corpus {
        let report = verify(&credential.to_string(), &VerifyOptions::at(*now));
        assert!(report.verified, "{name}: {:#?}", report.errors);
    }
    // The oracle, a few processes at a time.
    let failures = std::sync::Mutex::new(Vec::new());
    let chunks: Vec<&[(String, Value, Timestamp)]> =
        corpus.chunks(corpus.len().div_ceil(3)).collect();
    std::thread::scope(|s| {
        for chunk in chunks {
            let failures = &failures;
            s.spawn(move || {
                for (name, credential, now) in chunk {
                    let verdict =
                        oracle_verify(&credential.to_string(), &["--now", &now.to_string()]);
                    if !verdict.verified {
                        failures
                            .lock()
                            .expect("lock")
                            .push(format!("{name}: {}", verdict.raw));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().expect("lock");
    assert!(
        failures.is_empty(),
        "the oracle rejected {} of {}: {failures:#?}",
        failures.len(),
        corpus.len()
    );
}

fn spt() -> CredentialDefinition {
    scenarios()
        .into_iter()
        .find(|s| s.name == "spt-02-second-attempt-boundary")
        .expect("spt-02")
        .definitions
        .remove(0)
}

/// The corpus's plain input with a status entry, so built credentials show one.
fn input<'a>(def: &'a CredentialDefinition, issuer: &'a IssuerProfile) -> BuildInput<'a> {
    BuildInput {
        status: Some(("https://tool.example/status/1".into(), 42)),
        suspension: None,
        ..credential_corpus::simple_input(def, issuer)
    }
}

#[test]
fn built_credential_has_the_fields_of_section_1() {
    let def = spt();
    let issuer = profile(&def);
    let built = build(&input(&def, &issuer)).expect("build");
    let c = &built.credential;
    assert_eq!(
        c["@context"][0],
        json!("https://www.w3.org/ns/credentials/v2")
    );
    assert_eq!(
        c["@context"][1],
        json!("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
    );
    assert_eq!(
        c["@context"][2],
        json!("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    );
    assert_eq!(
        c["@context"].as_array().map(Vec::len),
        Some(3),
        "no CIS context without cis items"
    );
    assert_eq!(
        c["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(c["issuer"]["id"], json!(def.issuer.id));
    assert_eq!(c["issuer"]["type"], json!(["Profile"]));
    assert_eq!(c["validFrom"], json!("2026-03-02T15:04:05Z"));
    assert_eq!(c["awardedDate"], c["validFrom"]);
    // spt: 24-month validity from the definition.
    assert_eq!(c["validUntil"], json!("2028-03-02T15:04:05Z"));
    let a = &c["credentialSubject"]["achievement"];
    assert_eq!(a["version"], json!(def.version));
    assert!(
        a["id"]
            .as_str()
            .expect("id")
            .ends_with(&format!("/versions/{}", def.version))
    );
    for f in ["name", "description"] {
        assert_eq!(a[f], json!(def.get_str(f)));
        assert_eq!(c[f], a[f]);
    }
    assert!(
        a["criteria"]["narrative"]
            .as_str()
            .expect("narrative")
            .contains('%')
    );
    assert_eq!(
        a["alignment"].as_array().map(Vec::len),
        Some(def.competencies.len())
    );
    assert_eq!(a["resultDescription"][0]["valueMax"], json!("100"));
    assert!(a["resultDescription"][0]["requiredValue"].is_string());
    // §3 check vector.
    assert_eq!(
        c["credentialSubject"]["identifier"][0]["identityHash"],
        json!("sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399")
    );
    assert_eq!(c["credentialStatus"]["statusListIndex"], json!("42"));
    assert_eq!(
        c["credentialSchema"][0]["type"],
        json!("1EdTechJsonSchemaValidator2019")
    );
    assert!(c.get("proof").is_none());
    // Credits as JSON numbers, on the achievement and the subject.
    assert_eq!(a["creditsAvailable"], json!(1));
    assert_eq!(c["credentialSubject"]["creditsEarned"], json!(1));
}

trait GetStr {
    fn get_str(&self, f: &str) -> String;
}

impl GetStr for CredentialDefinition {
    fn get_str(&self, f: &str) -> String {
        match f {
            "name" => self.name.clone(),
            _ => self.description.clone(),
        }
    }
}

#[test]
fn cis_items_and_department_are_emitted_with_the_inline_context() {
    let mut def = spt();
    let cis: Value = json!({
        "delivery_mode": "online-asynchronous",
        "effort_hours": {"contact": "0", "peer": "4", "asynchronous": "12.5", "assessment": "4"},
        "supervision": "supervised_online",
        "stackability": "stackable",
        "level": "year1",
        "assessment_method": "competency"
    });
    def.metadata.cis = Some(serde_json::from_value(cis).expect("cis"));
    def.metadata.department = Some(serde_json::from_value(json!({"id": "https://college.example/departments/nursing", "name": "School of Nursing"})).expect("dept"));
    def.ceu = Some(Number::parse_decimal("2.0").expect("ceu"));
    let issuer = profile(&def);
    let key = IssuerKey::from_seed(&[1u8; 32]);
    let signed = issue(&input(&def, &issuer), &key).expect("issue");
    let c = &signed.credential;
    let ctx = c["@context"].as_array().expect("contexts");
    assert_eq!(ctx.len(), 4);
    let cis_ctx: Value =
        serde_json::from_str(cairn::credential::contexts::CIS_CONTEXT_JSON).expect("cis ctx");
    assert_eq!(ctx[3], cis_ctx);
    let a = &c["credentialSubject"]["achievement"];
    assert_eq!(a["cisDeliveryMode"], json!("online-asynchronous"));
    assert_eq!(a["cisEffortHoursAsync"], json!("12.5"));
    assert_eq!(a["cisContinuingEducationUnits"], json!("2"));
    assert_eq!(a["creator"]["parentOrg"]["id"], json!(def.issuer.id));
    let report = verify(
        &c.to_string(),
        &VerifyOptions::at(at("2026-06-01T00:00:00Z")),
    );
    assert!(report.verified, "{:#?}", report.errors);
    assert!(oracle_verify(&c.to_string(), &["--now", "2026-06-01T00:00:00Z"]).verified);
}

#[test]
fn text_is_nfc_normalised_and_emails_lowercased() {
    let mut def = spt();
    def.name = "Cafe\u{301} Fundamentals".into();
    let issuer = profile(&def);
    let mut inp = input(&def, &issuer);
    inp.recipient = Recipient::PlainEmail {
        email: "  Zoe\u{308}@Example.com ".into(),
    };
    let built = build(&inp).expect("build");
    assert_eq!(built.credential["name"], json!("Caf\u{e9} Fundamentals"));
    assert_eq!(
        built.credential["credentialSubject"]["identifier"][0]["identityHash"],
        json!("zo\u{eb}@example.com")
    );
}

#[test]
fn a_hashed_email_matches_its_claim_in_any_unicode_form() {
    let def = spt();
    let issuer = profile(&def);
    let mut inp = input(&def, &issuer);
    // Issued from the decomposed form (e + combining diaeresis).
    inp.recipient = Recipient::HashedEmail {
        email: "Zoe\u{308}@Example.com".into(),
        salt: "0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
    };
    let key = IssuerKey::from_seed(&[1u8; 32]);
    let signed = issue(&inp, &key).expect("issue");
    let text = signed.credential.to_string();
    // A native host normalises the claim with the issuer's own function.
    let claim = |value: &str| VerifyOptions {
        recipient: Some(cairn::credential::verify::RecipientClaim {
            identity_type: "emailAddress".to_owned(),
            value: cairn::credential::build::normalized_email(value),
        }),
        ..VerifyOptions::at(at("2026-06-01T00:00:00Z"))
    };
    for form in ["zo\u{eb}@example.com", " Zoe\u{308}@EXAMPLE.com"] {
        let report = verify(&text, &claim(form));
        assert!(report.verified, "{form:?}: {:#?}", report.errors);
    }
    assert!(!verify(&text, &claim("zoe@example.com")).verified);
}

#[test]
fn recipients_of_section_3() {
    let def = spt();
    let issuer = profile(&def);
    let mut inp = input(&def, &issuer);
    let learner = IssuerKey::from_seed(&[5u8; 32]).public().did_key();
    inp.recipient = Recipient::Did {
        did: learner.clone(),
        email: None,
    };
    let c = build(&inp).expect("did").credential;
    assert_eq!(c["credentialSubject"]["id"], json!(learner));
    assert!(c["credentialSubject"].get("identifier").is_none());
    inp.recipient = Recipient::HashedLtiUser {
        sub: "u-1".into(),
        salt: "s".into(),
        platform: Some("https://lms.example".into()),
    };
    let c = build(&inp).expect("lti").credential;
    let ids = &c["credentialSubject"]["identifier"];
    assert_eq!(ids[0]["identityType"], json!("ltiUserId"));
    assert_eq!(
        ids[0]["identityHash"],
        json!(cairn::credential::verify::identity_hash("u-1", "s"))
    );
    assert_eq!(ids[1]["identityType"], json!("ltiPlatformId"));
    assert_eq!(ids[1]["hashed"], json!(false));
}

#[test]
fn refuses_bad_inputs_with_field_errors() {
    let def = spt();
    let issuer = profile(&def);
    let mut inp = input(&def, &issuer);
    inp.credential_uuid = "urn:uuid:not-a-uuid".into();
    assert_eq!(
        build(&inp).map(|_| ()).map_err(|e| e.code()),
        Err("field_invalid")
    );
    let other = IssuerProfile {
        id: "https://other.example/issuer".into(),
        ..profile(&def)
    };
    let inp = input(&def, &other);
    let err = build(&inp).expect_err("issuer mismatch");
    assert!(err.to_string().contains("names the issuer"), "{err}");
    let mut inp = input(&def, &issuer);
    inp.results = vec![CompetencyResult {
        competency: "nope".into(),
        value: "1".into(),
    }];
    assert!(build(&inp).is_err());
    let mut inp = input(&def, &issuer);
    inp.valid_until = Some(at("2020-01-01T00:00:00Z"));
    assert!(build(&inp).is_err());
    let mut def2 = def.clone();
    def2.name = "bad\u{FFFF}".into();
    let key = IssuerKey::from_seed(&[1u8; 32]);
    let err = issue(&input(&def2, &issuer), &key).expect_err("noncharacter");
    assert_eq!(err.code(), "noncharacter");
}

#[test]
fn credits_that_javascript_writes_differently_warn() {
    let mut def = spt();
    def.credits = Some(Number::parse_decimal("8.2").expect("8.2"));
    let issuer = profile(&def);
    let built = build(&input(&def, &issuer)).expect("build");
    assert_eq!(
        built.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        vec![NUMBER_FORM_DIVERGENCE]
    );
    def.credits = Some(Number::parse_decimal("0.5").expect("0.5"));
    assert!(
        build(&input(&def, &issuer))
            .expect("build")
            .warnings
            .is_empty()
    );
}

#[test]
fn key_ids_follow_d3() {
    let key = IssuerKey::from_seed(&[1u8; 32]);
    let mb = key.public().to_multibase();
    assert_eq!(
        key_id("https://tool.example/issuers/ce", &key),
        format!("https://tool.example/issuers/ce#{mb}")
    );
    assert_eq!(
        key_id(&key.public().did_key(), &key),
        key.public().did_key_method()
    );
}
