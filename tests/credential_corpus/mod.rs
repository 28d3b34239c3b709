//! The corpus of credentials built from every scenario definition (`../shared/fixtures/
//! scenarios/`): each issuance the fixtures' records produce, built from the record folded
//! at its issue time, plus one variant per definition (names in many scripts, credits,
//! metadata, dates, evidence, the display name where the definition allows it), signed
//! with three keys. Shared by the build, schema and OB 2.0 validator tests. Test-only.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

use std::path::{Path, PathBuf};

use cairn::Timestamp;
use cairn::credential::build::{
    BuildInput, CompetencyResult, EvidenceItem, IssuerProfile, Recipient, issue,
};
use cairn::credential::keys::IssuerKey;
use cairn::credential::proof::SORT_ORDER_DIVERGENCE;
use cairn::definition::{CredentialDefinition, parse_definitions};
use cairn::event::parse_events;
use cairn::number::Number;
use cairn::record::fold;
use serde_json::Value;

/// Parses a timestamp.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("timestamp")
}

/// One scenario file's definitions and events.
pub struct Scenario {
    /// File stem.
    pub name: String,
    /// Its definitions.
    pub definitions: Vec<CredentialDefinition>,
    /// Its events, as JSON text.
    pub events: String,
}

/// Every scenario of `<shared>/fixtures/scenarios`, in file-name order.
pub fn scenarios(shared: &Path) -> Vec<Scenario> {
    let dir = shared.join("fixtures").join("scenarios");
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

/// The issuer profile the tests use for a definition's issuer.
pub fn profile(def: &CredentialDefinition) -> IssuerProfile {
    IssuerProfile {
        id: def.issuer.id.clone(),
        name: def.issuer.name.clone(),
        url: Some("https://college.example".to_owned()),
        email: Some("badges@college.example".to_owned()),
        description: Some(format!("{}, continuing education", def.issuer.name)),
        image: None,
    }
}

/// The `n`th test UUID.
pub fn uuid(n: usize) -> String {
    format!("6c1f4b0e-1d1a-4c8e-9f00-{n:012x}")
}

/// A plain input for `def`: a hashed-email recipient, an https tool, a fixed issue time, no
/// status entry, results or evidence; tests change the fields they are about.
pub fn simple_input<'a>(
    def: &'a CredentialDefinition,
    issuer: &'a IssuerProfile,
) -> BuildInput<'a> {
    BuildInput {
        definition: def,
        related: &[],
        issuer,
        recipient: Recipient::HashedEmail {
            email: "a@example.com".into(),
            salt: "Kosher".into(),
        },
        recipient_name: None,
        credential_uuid: uuid(1),
        base_url: "https://tool.example".into(),
        issued_at: at("2026-03-02T15:04:05Z"),
        awarded_at: None,
        valid_until: None,
        status: None,
        suspension: None,
        activity: None,
        results: Vec::new(),
        level: None,
        plar_route: Vec::new(),
        evidence: Vec::new(),
    }
}

/// A fixed salt.
pub const SALT: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// Text variants: accents, right-to-left scripts, emoji, CJK, combining marks (NFC),
/// quotes and newlines. No character in U+E000–U+FFFF is mixed with one above U+FFFF
/// (the P14 divergence is tested on its own in credential_oracle.rs).
pub const NAMES: &[&str] = &[
    "Sécurité des médicaments",
    "السلامة الدوائية — الأساسيات",
    "בטיחות תרופתית",
    "🎓 Medication Safety 💊",
    "薬の安全性の基礎",
    "Cafe\u{301} \"quoted\" and\nnew line",
    "Zoë O'Brien-Łukasiewicz",
    "Ελληνικά και Кириллица",
];

/// The four recipient forms of badges.md §3, by `i % 4`.
pub fn recipient(i: usize) -> Recipient {
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

/// One built and signed credential of the corpus.
pub struct Built {
    /// What it is (scenario, definition, issuance or variant).
    pub name: String,
    /// The signed credential.
    pub credential: Value,
    /// An instant at which it is valid.
    pub now: Timestamp,
}

/// Every issuance the fixtures' records produce, plus a variant per definition, built and
/// signed (more than 100 credentials).
pub fn corpus(shared: &Path) -> Vec<Built> {
    let keys = [
        IssuerKey::from_seed(&[1u8; 32]),
        IssuerKey::from_seed(&[2u8; 32]),
        IssuerKey::from_seed(&[3u8; 32]),
    ];
    let mut out = Vec::new();
    let mut n = 0usize;
    for sc in scenarios(shared) {
        let events = parse_events(&sc.events).expect("events");
        let record = fold(&sc.definitions, &events, at("2031-01-01T00:00:00Z")).expect("fold");
        for def in &sc.definitions {
            let Some(cr) = record.credentials.get(&def.id) else {
                continue;
            };
            for issuance in &cr.issuances {
                n += 1;
                // The record as of the issue time: no results from after it.
                let then = fold(&sc.definitions, &events, issuance.issued_at).expect("fold");
                let issuer = profile(def);
                let mut input = BuildInput::from_record(
                    def,
                    issuance,
                    &then,
                    &issuer,
                    recipient(n),
                    uuid(n),
                    "https://tool.example",
                )
                .expect("input from record");
                input.related = &sc.definitions;
                input.status = Some(("https://tool.example/status/1".to_owned(), n * 7));
                let key = &keys[n % keys.len()];
                let signed = issue(&input, key).unwrap_or_else(|e| panic!("{}: {e}", sc.name));
                out.push(Built {
                    name: format!("{} {} #{}", sc.name, def.id, issuance.cycle),
                    credential: signed.credential,
                    now: issuance.issued_at.plus_seconds(3600),
                });
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
            variant.metadata.show_recipient_name = n.is_multiple_of(2);
            let issuer = profile(&variant);
            let issued = at("2026-01-15T09:30:00Z").plus_days((n * 13) as i64);
            let input = BuildInput {
                definition: &variant,
                related: &sc.definitions,
                issuer: &issuer,
                recipient: recipient(n),
                recipient_name: Some(NAMES[(n + 6) % NAMES.len()].replace('\n', " ")),
                credential_uuid: uuid(n),
                base_url: "https://tool.example/lti/".to_owned(),
                issued_at: issued,
                awarded_at: Some(issued.plus_days(-30)),
                valid_until: Some(issued.plus_months(12 + (n % 24) as i64)),
                status: None,
                suspension: None,
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
                level: None,
                plar_route: Vec::new(),
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
            out.push(Built {
                name: format!("{} {} variant", sc.name, def.id),
                credential: signed.credential,
                now: issued.plus_days(1),
            });
        }
    }
    out
}
