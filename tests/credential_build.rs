//! Building credentials (`spec/badges.md` §1–§3) from the scenario fixtures' definitions
//! and records: field rules, recipients, CIS, NFC, version, and the cross-check of more than
//! 50 built credentials (varied recipients, non-ASCII, right-to-left and emoji text, dates,
//! credits, alignments, keys) with the JS oracle, which must verify every one.

mod credential_support;

use std::path::PathBuf;

use cairn::Timestamp;
use cairn::credential::build::{
    BuildInput, CompetencyResult, EvidenceItem, IssuerProfile, NUMBER_FORM_DIVERGENCE, Recipient,
    build, issue, key_id,
};
use cairn::credential::keys::IssuerKey;
use cairn::credential::proof::SORT_ORDER_DIVERGENCE;
use cairn::credential::{VerifyOptions, verify};
use cairn::definition::{CredentialDefinition, parse_definitions};
use cairn::event::parse_events;
use cairn::number::Number;
use cairn::record::fold;
use credential_support::{oracle_verify, shared};
use serde_json::{Value, json};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("timestamp")
}

struct Scenario {
    name: String,
    definitions: Vec<CredentialDefinition>,
    events: String,
}

fn scenarios() -> Vec<Scenario> {
    let dir = shared().join("fixtures").join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let v: Value =
                serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
            let definitions =
                parse_definitions(&v["definitions"].to_string()).expect("definitions");
            Scenario {
                name: p
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("?")
                    .to_owned(),
                definitions,
                events: v["events"].to_string(),
            }
        })
        .collect()
}

fn profile(def: &CredentialDefinition) -> IssuerProfile {
    IssuerProfile {
        id: def.issuer.id.clone(),
        name: def.issuer.name.clone(),
        url: Some("https://college.example".to_owned()),
        email: Some("badges@college.example".to_owned()),
        description: Some(format!("{}, continuing education", def.issuer.name)),
        image: None,
    }
}

fn uuid(n: usize) -> String {
    format!("urn:uuid:6c1f4b0e-1d1a-4c8e-9f00-{n:012x}")
}

const SALT: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// Text variants: accents, right-to-left scripts, emoji, CJK, combining marks (NFC),
/// quotes and newlines. No character in U+E000–U+FFFF is mixed with one above U+FFFF
/// (the P14 divergence is tested on its own in credential_oracle.rs).
const NAMES: &[&str] = &[
    "Sécurité des médicaments",
    "السلامة الدوائية — الأساسيات",
    "בטיחות תרופתית",
    "🎓 Medication Safety 💊",
    "薬の安全性の基礎",
    "Cafe\u{301} \"quoted\" and\nnew line",
    "Zoë O'Brien-Łukasiewicz",
    "Ελληνικά και Кириллица",
];

fn recipient(i: usize) -> Recipient {
    let learner = IssuerKey::from_seed(&[(i % 200) as u8 + 20; 32]);
    match i % 4 {
        0 => Recipient::HashedEmail {
            email: format!("  Learner{i}@Example.EDU "),
            salt: SALT.to_owned(),
        },
        1 => Recipient::PlainEmail {
            email: format!("learner{i}@example.edu"),
        },
        2 => Recipient::HashedLtiUser {
            sub: format!("a6d5c9e2-{i:04}"),
            salt: SALT.to_owned(),
            platform: Some("https://canvas.example.edu".to_owned()),
        },
        _ => Recipient::Did {
            did: learner.public().did_key(),
            email: Some((format!("learner{i}@example.edu"), SALT.to_owned())),
        },
    }
}

const CREDITS: &[&str] = &["0.5", "1", "1.5", "3", "0.25", "8.2", "12.75"];

/// Every issuance the fixtures' records produce, plus variants per definition, built and
/// signed: at least 50 credentials.
fn corpus() -> Vec<(String, Value, Timestamp)> {
    let keys = [
        IssuerKey::from_seed(&[1u8; 32]),
        IssuerKey::from_seed(&[2u8; 32]),
        IssuerKey::from_seed(&[3u8; 32]),
    ];
    let mut out = Vec::new();
    let mut n = 0usize;
    for sc in scenarios() {
        let events = parse_events(&sc.events).expect("events");
        let record = fold(&sc.definitions, &events, at("2031-01-01T00:00:00Z")).expect("fold");
        for def in &sc.definitions {
            let Some(cr) = record.credentials.get(&def.id) else {
                continue;
            };
            for issuance in &cr.issuances {
                n += 1;
                let issuer = profile(def);
                let mut input = BuildInput::from_record(
                    def,
                    issuance,
                    &record,
                    &issuer,
                    recipient(n),
                    uuid(n),
                    "https://tool.example",
                )
                .expect("input from record");
                input.status = Some(("https://tool.example/status/1".to_owned(), n * 7));
                let key = &keys[n % keys.len()];
                let signed = issue(&input, key).unwrap_or_else(|e| panic!("{}: {e}", sc.name));
                let now = issuance.issued_at.plus_seconds(3600);
                out.push((
                    format!("{} {} #{}", sc.name, def.id, issuance.cycle),
                    signed.credential,
                    now,
                ));
            }
            // Variants of the definition: names, credits, metadata, dates.
            let mut variant = def.clone();
            n += 1;
            variant.name = format!("{} — {}", NAMES[n % NAMES.len()], def.name);
            variant.description = format!("{} {}", def.description, NAMES[(n + 3) % NAMES.len()]);
            variant.credits =
                Some(Number::parse_decimal(CREDITS[n % CREDITS.len()]).expect("credits"));
            variant.metadata.tags = vec!["ontario".into(), NAMES[(n + 1) % NAMES.len()].into()];
            variant.metadata.human_code = Some(format!("CE-{n:03}"));
            variant.metadata.language = Some(["en", "fr", "ar"][n % 3].to_owned());
            let issuer = profile(&variant);
            let issued = at("2026-01-15T09:30:00Z").plus_days((n * 13) as i64);
            let input = BuildInput {
                definition: &variant,
                issuer: &issuer,
                recipient: recipient(n),
                credential_id: uuid(n),
                base_url: "https://tool.example/lti/".to_owned(),
                issued_at: issued,
                awarded_at: Some(issued.plus_days(-30)),
                valid_until: Some(issued.plus_months(12 + (n % 24) as i64)),
                status: None,
                activity: Some((issued.plus_days(-60), issued)),
                results: variant
                    .competencies
                    .iter()
                    .take(2)
                    .map(|c| CompetencyResult {
                        competency: c.id.to_string(),
                        value: "86.67".into(),
                    })
                    .collect(),
                evidence: vec![EvidenceItem {
                    id: format!("https://tool.example/evidence/{n}"),
                    name: format!("Exam — {}", NAMES[n % NAMES.len()]),
                    narrative: Some("Kept result on the second attempt.".into()),
                    genre: Some("Exam".into()),
                }],
            };
            let key = &keys[(n + 1) % keys.len()];
            let signed = issue(&input, key).unwrap_or_else(|e| panic!("{} variant: {e}", sc.name));
            assert!(
                !signed
                    .warnings
                    .iter()
                    .any(|w| w.code == SORT_ORDER_DIVERGENCE),
                "the corpus excludes P14 inputs"
            );
            out.push((
                format!("{} {} variant", sc.name, def.id),
                signed.credential,
                issued.plus_days(1),
            ));
        }
    }
    out
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

fn input<'a>(def: &'a CredentialDefinition, issuer: &'a IssuerProfile) -> BuildInput<'a> {
    BuildInput {
        definition: def,
        issuer,
        recipient: Recipient::HashedEmail {
            email: "a@example.com".into(),
            salt: "Kosher".into(),
        },
        credential_id: uuid(1),
        base_url: "https://tool.example".into(),
        issued_at: at("2026-03-02T15:04:05Z"),
        awarded_at: None,
        valid_until: None,
        status: Some(("https://tool.example/status/1".into(), 42)),
        activity: None,
        results: Vec::new(),
        evidence: Vec::new(),
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
    inp.credential_id = "urn:uuid:not-a-uuid".into();
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
