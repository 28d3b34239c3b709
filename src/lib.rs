//! Cairn's pure core: attempts, second attempts and PLAR, competency mastery, award
//! criteria and stacking, and Open Badges 3.0 credentials.
//!
//! # Purity contract
//!
//! This crate does **no I/O, reads no clock, draws no randomness and knows nothing of
//! WebAssembly or async**. Time (`now`, `at`), keys and data are arguments; the same
//! inputs give the same bytes, natively on the server (the authority) and compiled to
//! wasm in the tool page. Clippy enforces it: `clippy.toml` lists the clock, environment,
//! filesystem and network calls, and `HashMap`/`HashSet` (unstable iteration order), and
//! this file turns those lints on for the core alone.
//!
//! # Map
//!
//! | module | owns |
//! |---|---|
//! | [`number`] | exact decimal arithmetic and the one rounding rule |
//! | [`time`] | instants, days and calendar months |
//! | [`ids`] | typed identifiers |
//! | [`definition`] | versioned credential definitions and their validation |
//! | [`event`] | the append-only event log's events |
//! | [`policy`] | attempt and PLAR checks: which attempts count and when the next opens |
//! | [`provenance`] | who assessed a result, how it was supervised, the evidence it rests on |
//! | [`mastery`] | the calculation methods of `spec/mastery.md`, parent roll-up, mastery status |
//! | [`criteria`] | award rules (all, any, at least k, points): one evaluator for answers and explanations |
//! | [`record`] | the fold: `record = fold(definitions, events, at)`; course, learner, kept results, competencies, output |
//! | [`case`] | CASE 1.1 competency framework import |
//! | [`credential`] | Open Badges 3.0: build, sign, verify, bake, status |
//! | [`error`] | the umbrella error with stable codes |
//!
//! # From events to a verified badge
//!
//! Fold a learner's events, build the credential the issuance calls for, sign it with the
//! issuer's key and verify it, as the server does (the page only verifies):
//!
//! ```
//! use cairn::credential::{self, BuildInput, IssuerKey, IssuerProfile, Recipient, VerifyOptions};
//! use cairn::{Timestamp, definition::parse_definitions, event::parse_events, record::fold};
//!
//! let definitions = parse_definitions(r#"[{
//!     "id": "first-aid", "version": "1.0.0", "name": "Workplace First Aid",
//!     "description": "Responds to a workplace injury until help arrives.",
//!     "issuer": {"id": "https://college.example/issuers/ce", "name": "Example College"},
//!     "kind": "micro_credential", "mode": "competency_based",
//!     "competencies": [{"id": "C1", "statement": "Assess a casualty", "threshold_percent": "80"}],
//!     "assessments": [{"id": "EXAM", "title": "Practical exam", "kind": "summative",
//!                      "max_points": "20", "pass_percent": "80", "competencies": ["C1"]}],
//!     "attempt_policy": {"max_attempts": 2, "scoring": "latest",
//!                        "feedback_required_before_retry": true,
//!                        "min_days_between_attempts": 0, "resit_cap_percent": null,
//!                        "retry_after_pass": false},
//!     "criteria": {"all": [{"assessment": "EXAM"}, {"all_competencies": true}]},
//!     "grant_mode": "automatic"
//! }]"#)?;
//! let events = parse_events(r#"[
//!     {"at": "2026-03-02T09:00:00Z", "type": "enrolled", "credential": "first-aid"},
//!     {"at": "2026-03-09T10:00:00Z", "type": "attempt_submitted", "assessment": "EXAM",
//!      "score": "17"}
//! ]"#)?;
//! let now = Timestamp::parse("2026-03-10T00:00:00Z")?;
//! let record = fold(&definitions, &events, now)?;
//! let issuance = &record.credentials["first-aid"].issuances[0];
//!
//! // The credential carries the record as of its issue time, never a later one.
//! let at_issue = fold(&definitions, &events, issuance.issued_at)?;
//! let key = IssuerKey::from_seed(&[7; 32]);
//! let issuer = IssuerProfile {
//!     id: "https://college.example/issuers/ce".into(),
//!     name: "Example College".into(),
//!     url: Some("https://college.example".into()),
//!     email: None,
//!     description: None,
//!     image: None,
//! };
//! let recipient = Recipient::HashedEmail {
//!     email: "ana@example.com".into(),
//!     salt: "0123456789abcdef0123456789abcdef".into(),
//! };
//! let input = BuildInput::from_record(
//!     &definitions[0], issuance, &at_issue, &issuer, recipient,
//!     "0b7e2f4a-91c3-4d58-b6a0-000000000001", "https://college.example",
//! )?;
//! let signed = credential::issue(&input, &key)?;
//!
//! let report = credential::verify(&signed.credential.to_string(), &VerifyOptions::at(now));
//! assert!(report.verified, "{:?}", report.errors);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the core is pure: no clock, environment, filesystem, network or unstable iteration order"
)]
#![warn(
    clippy::unwrap_used,
    reason = "the core answers bad input with typed errors: an unwrap outside tests must say why it cannot fail (use `expect`)"
)]

pub mod case;
pub mod credential;
pub mod criteria;
pub mod definition;
pub mod error;
pub mod event;
pub mod ids;
pub mod mastery;
pub mod number;
pub mod offering;
pub mod policy;
pub mod provenance;
pub mod record;
pub mod report;
mod sorted_map;
pub mod time;
mod unit_names;

pub use number::Number;
pub use sorted_map::SortedMap;
pub use time::Timestamp;
