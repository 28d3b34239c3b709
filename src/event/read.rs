//! The reader of one event's JSON object (README §5): one pass over its members into a slot
//! per member any event may have, then the `type` picks the variant, which takes its members
//! and refuses the others. Serde's derive of the internally tagged [`EventKind`] buffered
//! every event through its private `Content` tree and instantiated every member's reader a
//! second time for it; this reader instantiates each member's reader once per JSON reader
//! (the learner page's module lost a seventh of its code, a tenth of its gzip size). The
//! messages are serde's own: `unknown field` (classified `invalid_event` by
//! [`read_error`](super::read_error)), `missing field`, `duplicate field`, `unknown variant`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{
    AttemptProvenance, Event, EventKind, FeedbackNote, Grading, Override, PartScores,
    PlarAssessment, PlarDecision, PlarRecommendation, PlarRequest, PlarRole, PresentedCredential,
    Reissue, Route,
};
use crate::definition::{PlarMethod, RubricRef};
use crate::ids::{AssessmentId, CompetencyId, DefinitionId, EquivalencyId};
use crate::number::Number;
use crate::offering::Offering;
use crate::provenance::{Assessor, EvidenceRef};
use crate::time::Timestamp;

/// Every member an event may have, in the order of [`Members`]' slots (the bit of a member
/// in `Members::seen` is its index here).
const MEMBERS: &[&str] = &[
    "at",
    "type",
    "credential",
    "offering",
    "version",
    "assessment",
    "score",
    "part_scores",
    "route",
    "assessor",
    "attested_by",
    "evidence",
    "rubric",
    "text",
    "author",
    "attempt",
    "grader",
    "reason",
    "by",
    "method",
    "competency",
    "component",
    "role",
    "case",
    "recommendation",
    "issuer",
    "issued_at",
    "valid_until",
    "verified",
    "issued_before",
    "equivalency",
    "entry",
    "completed_at",
];

/// The event types (the `type` member), in [`EventKind`]'s order.
const TYPES: &[&str] = &[
    "enrolled",
    "attempt_submitted",
    "feedback_released",
    "attempt_scored",
    "score_overridden",
    "plar_granted",
    "plar_denied",
    "credential_presented",
    "credential_applied",
    "credential_revoked",
    "expiry_imposed",
    "equivalency_claimed",
    "credential_reissued",
    "withdrawn",
    "plar_requested",
    "plar_assessed",
    "credit_bank_applied",
];

/// The members each type takes besides `at` and `type`, indexed like [`TYPES`] (the list an
/// `unknown field` message offers).
const TAKES: &[&[&str]] = &[
    &["credential", "offering", "version"],
    &[
        "assessment",
        "score",
        "part_scores",
        "route",
        "assessor",
        "attested_by",
        "evidence",
        "rubric",
    ],
    &["assessment", "text", "author"],
    &[
        "assessment",
        "attempt",
        "score",
        "part_scores",
        "grader",
        "assessor",
        "attested_by",
        "evidence",
        "rubric",
    ],
    &[
        "assessment",
        "attempt",
        "score",
        "part_scores",
        "reason",
        "by",
    ],
    DECISION,
    DECISION,
    &[
        "credential",
        "issuer",
        "issued_at",
        "valid_until",
        "verified",
    ],
    &["credential"],
    &["credential", "reason"],
    &["credential", "issued_before", "valid_until"],
    &["equivalency"],
    &["credential", "reason", "by"],
    &["credential", "reason"],
    &["case", "credential", "method", "competency", "component"],
    &["case", "assessor", "recommendation", "rubric", "role"],
    &["credential", "entry", "completed_at"],
];

/// The members of `plar_granted` and `plar_denied`.
const DECISION: &[&str] = &[
    "credential",
    "method",
    "competency",
    "component",
    "evidence",
    "reason",
    "assessor",
    "rubric",
    "case",
    "role",
];

/// A member name: one of [`MEMBERS`] (its index), or another (kept for the message).
enum Key {
    Known(usize),
    Stray(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event member name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match MEMBERS.iter().position(|m| *m == v) {
                    Some(i) => Key::Known(i),
                    None => Key::Stray(v.to_owned()),
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// The members read so far. A member whose JSON may be `null` where it is optional reads
/// `null` as absent, as serde's `Option` does.
#[derive(Default)]
struct Members {
    /// Bit `i`: member `MEMBERS[i]` was given.
    seen: u64,
    /// The first member no event has.
    stray: Option<String>,
    at: Option<Timestamp>,
    kind: Option<String>,
    credential: Option<DefinitionId>,
    offering: Option<Box<Offering>>,
    version: Option<String>,
    assessment: Option<AssessmentId>,
    score: Option<Number>,
    part_scores: Option<PartScores>,
    route: Option<Route>,
    assessor: Option<Assessor>,
    attested_by: Option<String>,
    /// Attempts' evidence references, or a PLAR decision's informative evidence (any JSON):
    /// which one is known only once the `type` is.
    evidence: Option<serde_json::Value>,
    rubric: Option<RubricRef>,
    text: Option<String>,
    author: Option<String>,
    attempt: Option<u32>,
    grader: Option<String>,
    reason: Option<String>,
    by: Option<String>,
    method: Option<PlarMethod>,
    competency: Option<CompetencyId>,
    component: Option<DefinitionId>,
    role: Option<PlarRole>,
    case: Option<String>,
    recommendation: Option<PlarRecommendation>,
    issuer: Option<String>,
    issued_at: Option<Timestamp>,
    valid_until: Option<Timestamp>,
    verified: Option<bool>,
    issued_before: Option<Timestamp>,
    equivalency: Option<EquivalencyId>,
    entry: Option<String>,
    completed_at: Option<Timestamp>,
}

impl Members {
    /// Reads the value of member `MEMBERS[index]` into its slot.
    fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error> {
        match index {
            0 => self.at = Some(map.next_value()?),
            1 => self.kind = Some(map.next_value()?),
            2 => self.credential = Some(map.next_value()?),
            3 => self.offering = map.next_value()?,
            4 => self.version = map.next_value()?,
            5 => self.assessment = Some(map.next_value()?),
            6 => self.score = map.next_value()?,
            7 => self.part_scores = map.next_value()?,
            8 => self.route = Some(map.next_value()?),
            9 => self.assessor = map.next_value()?,
            10 => self.attested_by = map.next_value()?,
            11 => self.evidence = Some(map.next_value()?),
            12 => self.rubric = map.next_value()?,
            13 => self.text = map.next_value()?,
            14 => self.author = map.next_value()?,
            15 => self.attempt = Some(map.next_value()?),
            16 => self.grader = map.next_value()?,
            17 => self.reason = map.next_value()?,
            18 => self.by = map.next_value()?,
            19 => self.method = Some(map.next_value()?),
            20 => self.competency = map.next_value()?,
            21 => self.component = map.next_value()?,
            22 => self.role = map.next_value()?,
            23 => self.case = map.next_value()?,
            24 => self.recommendation = Some(map.next_value()?),
            25 => self.issuer = Some(map.next_value()?),
            26 => self.issued_at = Some(map.next_value()?),
            27 => self.valid_until = map.next_value()?,
            28 => self.verified = Some(map.next_value()?),
            29 => self.issued_before = Some(map.next_value()?),
            30 => self.equivalency = Some(map.next_value()?),
            31 => self.entry = Some(map.next_value()?),
            _ => self.completed_at = map.next_value()?,
        }
        Ok(())
    }

    /// The event these members make: the `type` chooses the variant; a member the variant
    /// does not take is an `unknown field`, one it needs and lacks a `missing field`.
    fn event<E: de::Error>(mut self) -> Result<Event, E> {
        let at = self.at.take().ok_or_else(|| E::missing_field("at"))?;
        let kind = self.kind.take().ok_or_else(|| E::missing_field("type"))?;
        let Some(variant) = TYPES.iter().position(|t| *t == kind) else {
            return Err(E::unknown_variant(&kind, TYPES));
        };
        let takes = TAKES[variant];
        if let Some(stray) = &self.stray {
            return Err(E::unknown_field(stray, takes));
        }
        // `at` and `type` (bits 0 and 1) belong to every event.
        if let Some(other) =
            (2..MEMBERS.len()).find(|&i| self.seen & (1 << i) != 0 && !takes.contains(&MEMBERS[i]))
        {
            return Err(E::unknown_field(MEMBERS[other], takes));
        }
        let kind = self.kind_of(variant)?;
        Ok(Event { at, kind })
    }

    /// The first member variant `TYPES[variant]` needs that is absent, in the order the
    /// variant names them.
    fn first_missing(&self, variant: usize) -> Option<&'static str> {
        let needs: &[(bool, &'static str)] = match variant {
            0 | 8 | 9 | 12 | 13 => &[(self.credential.is_some(), "credential")],
            1 | 2 => &[(self.assessment.is_some(), "assessment")],
            3 | 4 => &[
                (self.assessment.is_some(), "assessment"),
                (self.attempt.is_some(), "attempt"),
            ],
            5 | 6 => &[
                (self.credential.is_some(), "credential"),
                (self.method.is_some(), "method"),
            ],
            7 => &[
                (self.credential.is_some(), "credential"),
                (self.issuer.is_some(), "issuer"),
                (self.issued_at.is_some(), "issued_at"),
                (self.verified.is_some(), "verified"),
            ],
            10 => &[
                (self.credential.is_some(), "credential"),
                (self.issued_before.is_some(), "issued_before"),
                (self.valid_until.is_some(), "valid_until"),
            ],
            11 => &[(self.equivalency.is_some(), "equivalency")],
            14 => &[
                (self.case.is_some(), "case"),
                (self.credential.is_some(), "credential"),
                (self.method.is_some(), "method"),
            ],
            15 => &[
                (self.case.is_some(), "case"),
                (self.assessor.is_some(), "assessor"),
                (self.recommendation.is_some(), "recommendation"),
            ],
            _ => &[
                (self.credential.is_some(), "credential"),
                (self.entry.is_some(), "entry"),
            ],
        };
        needs
            .iter()
            .find(|(given, _)| !given)
            .map(|(_, name)| *name)
    }

    /// The variant `TYPES[variant]` from the members (already checked to be its own). What
    /// can fail is checked before any member is moved out: a failure between two moves made
    /// the compiler drop the rest of the members at each one (a seventh of this reader's wasm).
    fn kind_of<E: de::Error>(mut self, variant: usize) -> Result<EventKind, E> {
        if let Some(member) = self.first_missing(variant) {
            return Err(E::missing_field(member));
        }
        let evidence = match variant {
            1 | 3 => evidence_refs(self.evidence.take())?,
            _ => Vec::new(),
        };
        macro_rules! need {
            ($member:ident) => {
                match self.$member {
                    Some(value) => value,
                    None => unreachable!("`first_missing` checked it"),
                }
            };
        }
        Ok(match variant {
            0 => EventKind::Enrolled {
                credential: need!(credential),
                offering: self.offering,
                version: self.version,
            },
            1 => EventKind::AttemptSubmitted {
                assessment: need!(assessment),
                score: self.score,
                part_scores: self.part_scores,
                route: self.route.unwrap_or_default(),
                provenance: AttemptProvenance {
                    assessor: self.assessor,
                    attested_by: self.attested_by,
                    evidence,
                    rubric: self.rubric,
                }
                .boxed(),
            },
            2 => EventKind::FeedbackReleased {
                assessment: need!(assessment),
                note: FeedbackNote::boxed(self.text, self.author),
            },
            3 => EventKind::AttemptScored(Box::new(Grading {
                assessment: need!(assessment),
                attempt: need!(attempt),
                score: self.score,
                part_scores: self.part_scores,
                grader: self.grader,
                provenance: AttemptProvenance {
                    assessor: self.assessor,
                    attested_by: self.attested_by,
                    evidence,
                    rubric: self.rubric,
                },
            })),
            4 => EventKind::ScoreOverridden(Box::new(Override {
                assessment: need!(assessment),
                attempt: need!(attempt),
                score: self.score,
                part_scores: self.part_scores,
                reason: self.reason,
                by: self.by,
            })),
            5 | 6 => {
                let decision = Box::new(PlarDecision {
                    credential: need!(credential),
                    method: need!(method),
                    competency: self.competency,
                    component: self.component,
                    evidence: self.evidence.filter(|v| !v.is_null()),
                    reason: self.reason,
                    assessor: self.assessor,
                    rubric: self.rubric,
                    case: self.case,
                    role: self.role,
                });
                if variant == 5 {
                    EventKind::PlarGranted(decision)
                } else {
                    EventKind::PlarDenied(decision)
                }
            }
            7 => EventKind::CredentialPresented(Box::new(PresentedCredential {
                credential: need!(credential),
                issuer: need!(issuer),
                issued_at: need!(issued_at),
                valid_until: self.valid_until,
                verified: need!(verified),
            })),
            8 => EventKind::CredentialApplied {
                credential: need!(credential),
            },
            9 => EventKind::CredentialRevoked {
                credential: need!(credential),
                reason: self.reason,
            },
            10 => EventKind::ExpiryImposed {
                credential: need!(credential),
                issued_before: need!(issued_before),
                valid_until: need!(valid_until),
            },
            11 => EventKind::EquivalencyClaimed {
                equivalency: need!(equivalency),
            },
            12 => EventKind::CredentialReissued(Box::new(Reissue {
                credential: need!(credential),
                reason: self.reason,
                by: self.by,
            })),
            13 => EventKind::Withdrawn {
                credential: need!(credential),
                reason: self.reason,
            },
            14 => EventKind::PlarRequested(Box::new(PlarRequest {
                case: need!(case),
                credential: need!(credential),
                method: need!(method),
                competency: self.competency,
                component: self.component,
            })),
            15 => EventKind::PlarAssessed(Box::new(PlarAssessment {
                case: need!(case),
                assessor: need!(assessor),
                recommendation: need!(recommendation),
                rubric: self.rubric,
                role: self.role,
            })),
            _ => EventKind::CreditBankApplied {
                credential: need!(credential),
                entry: need!(entry),
                completed_at: self.completed_at,
            },
        })
    }
}

/// Reads a JSON array of events into a list of exactly their number (the reader of
/// [`parse_events`](super::parse_events) and of a learner log's `events`): a log holds many
/// events, and a list grown by doubling keeps up to half of its room unused.
pub fn read_events<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Event>, D::Error> {
    struct EventsVisitor;
    impl<'de> Visitor<'de> for EventsVisitor {
        type Value = Vec<Event>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            // serde's own word for a list, as before.
            f.write_str("a sequence")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Event>, A::Error> {
            // JSON states no length: grow, then give back the spare room.
            let mut events = Vec::new();
            while let Some(event) = seq.next_element()? {
                events.push(event);
            }
            events.shrink_to_fit();
            Ok(events)
        }
    }
    deserializer.deserialize_seq(EventsVisitor)
}

/// An attempt's `evidence`: an array of references (absent: none).
fn evidence_refs<E: de::Error>(json: Option<serde_json::Value>) -> Result<Vec<EvidenceRef>, E> {
    match json {
        None => Ok(Vec::new()),
        Some(json) => Vec::<EvidenceRef>::deserialize(json)
            // serde's message as is: an unknown member of a reference stays `invalid_event`.
            .map_err(E::custom),
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EventVisitor;
        impl<'de> Visitor<'de> for EventVisitor {
            type Value = Event;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event object with `at` and `type`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
                let mut members = Members::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Known(index) => {
                            if members.seen & (1 << index) != 0 {
                                return Err(de::Error::duplicate_field(MEMBERS[index]));
                            }
                            members.seen |= 1 << index;
                            members.read(index, &mut map)?;
                        }
                        Key::Stray(name) => {
                            map.next_value::<IgnoredAny>()?;
                            members.stray.get_or_insert(name);
                        }
                    }
                }
                members.event()
            }
        }
        deserializer.deserialize_map(EventVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EventKind, parse_events};
    use super::{Event, TAKES, TYPES};

    /// One event of every type, each member given (in canonical order).
    const EVERY_TYPE: &str = r#"[
        {"at":"2025-01-20T09:00:00Z","type":"enrolled","credential":"spt","version":"2"},
        {"at":"2025-01-20T09:00:00Z","type":"attempt_submitted","assessment":"A","score":"4","route":"challenge_exam","assessor":{"type":"instructor","id":"i"},"attested_by":"p","evidence":[{"ref":"https://e.example/1","type":"written"}],"rubric":{"id":"r","version":"1"}},
        {"at":"2025-01-20T09:00:00Z","type":"feedback_released","assessment":"A","text":"t","author":"i"},
        {"at":"2025-01-20T09:00:00Z","type":"attempt_scored","assessment":"A","attempt":1,"part_scores":{"K1":"40"},"grader":"g","attested_by":"p"},
        {"at":"2025-01-20T09:00:00Z","type":"score_overridden","assessment":"A","attempt":1,"score":"3","reason":"r","by":"b"},
        {"at":"2025-01-20T09:00:00Z","type":"plar_granted","credential":"spt","method":"portfolio","competency":"C","evidence":{"any":["json",1]},"case":"c1","role":"decision_maker"},
        {"at":"2025-01-20T09:00:00Z","type":"plar_denied","credential":"spt","method":"challenge_exam","component":"x","reason":"r"},
        {"at":"2025-01-20T09:00:00Z","type":"credential_presented","credential":"x","issuer":"https://i.example","issued_at":"2024-01-01T00:00:00Z","valid_until":null,"verified":true},
        {"at":"2025-01-20T09:00:00Z","type":"credential_applied","credential":"spt"},
        {"at":"2025-01-20T09:00:00Z","type":"credential_revoked","credential":"spt","reason":"r"},
        {"at":"2025-01-20T09:00:00Z","type":"expiry_imposed","credential":"spt","issued_before":"2025-01-01T00:00:00Z","valid_until":"2026-01-01T00:00:00Z"},
        {"at":"2025-01-20T09:00:00Z","type":"equivalency_claimed","equivalency":"eq"},
        {"at":"2025-01-20T09:00:00Z","type":"credential_reissued","credential":"spt","reason":"r","by":"b"},
        {"at":"2025-01-20T09:00:00Z","type":"withdrawn","credential":"spt"},
        {"at":"2025-01-20T09:00:00Z","type":"plar_requested","case":"c1","credential":"spt","method":"portfolio","competency":"C"},
        {"at":"2025-01-20T09:00:00Z","type":"plar_assessed","case":"c1","assessor":{"type":"content_expert","id":"e"},"recommendation":"grant","role":"assessor"},
        {"at":"2025-01-20T09:00:00Z","type":"credit_bank_applied","credential":"spt","entry":"e1","completed_at":"2024-06-01T00:00:00Z"}
    ]"#;

    #[test]
    fn every_type_reads_and_writes_back_the_same_json() {
        let events = parse_events(EVERY_TYPE).expect("every type reads");
        assert_eq!(events.len(), TYPES.len());
        let written = serde_json::to_value(&events).unwrap();
        let mut given: serde_json::Value = serde_json::from_str(EVERY_TYPE).unwrap();
        // `valid_until: null` is written as absent; every other member comes back as given.
        given[7]
            .as_object_mut()
            .unwrap()
            .insert("valid_until".into(), serde_json::Value::Null);
        let mut written = written;
        written[7]
            .as_object_mut()
            .unwrap()
            .entry("valid_until")
            .or_insert(serde_json::Value::Null);
        assert_eq!(written, given);
        // Through `serde_json::Value` (the server's stored rows) it reads the same.
        let through_value: Vec<Event> = serde_json::from_value(given).unwrap();
        assert_eq!(through_value, events);
    }

    #[test]
    fn members_may_come_in_any_order() {
        let canonical = parse_events(
            r#"[{"at":"2025-01-20T09:00:00Z","type":"attempt_scored","assessment":"A","attempt":2,"score":"1"}]"#,
        )
        .unwrap();
        let shuffled = parse_events(
            r#"[{"score":"1","attempt":2,"type":"attempt_scored","assessment":"A","at":"2025-01-20T09:00:00Z"}]"#,
        )
        .unwrap();
        assert_eq!(canonical, shuffled);
    }

    #[test]
    fn a_member_of_another_type_is_an_unknown_member_of_this_one() {
        let err = parse_events(
            r#"[{"at":"2025-01-20T09:00:00Z","type":"enrolled","credential":"spt","attempt":1}]"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_event", "{err}");
        let message = err.to_string();
        assert!(message.contains("unknown field `attempt`"), "{message}");
        assert!(
            message.contains("`credential`, `offering`, `version`"),
            "{message}"
        );
        // A member inside an evidence reference is refused the same way.
        let err = parse_events(
            r#"[{"at":"2025-01-20T09:00:00Z","type":"attempt_submitted","assessment":"A","evidence":[{"ref":"https://e.example","type":"written","size":1}]}]"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_event", "{err}");
        assert!(err.to_string().contains("size"), "{err}");
    }

    #[test]
    fn a_missing_or_repeated_member_is_named() {
        for (event, words) in [
            (
                r#"{"at":"2025-01-20T09:00:00Z","type":"credential_applied"}"#,
                "missing field `credential`",
            ),
            (
                r#"{"type":"credential_applied","credential":"spt"}"#,
                "missing field `at`",
            ),
            (
                r#"{"at":"2025-01-20T09:00:00Z","credential":"spt"}"#,
                "missing field `type`",
            ),
            (
                r#"{"at":"2025-01-20T09:00:00Z","type":"attempt_scored","assessment":"A","attempt":1,"score":"1","score":"2"}"#,
                "duplicate field `score`",
            ),
            (
                r#"{"at":"2025-01-20T09:00:00Z","type":"expiry_imposed","credential":"spt","issued_before":"2025-01-01T00:00:00Z"}"#,
                "missing field `valid_until`",
            ),
            (r#"["2025-01-20T09:00:00Z","withdrawn"]"#, "an event object"),
        ] {
            let err = parse_events(&format!("[{event}]")).unwrap_err();
            assert_eq!(err.code(), "invalid_json", "{err}");
            assert!(err.to_string().contains(words), "{err} should say {words}");
        }
    }

    #[test]
    fn a_plar_decision_keeps_any_evidence_and_reads_null_as_none() {
        let events = parse_events(
            r#"[{"at":"2025-01-20T09:00:00Z","type":"plar_granted","credential":"spt","method":"portfolio","evidence":null},
                {"at":"2025-01-20T09:00:00Z","type":"plar_denied","credential":"spt","method":"portfolio","evidence":"a note"}]"#,
        )
        .unwrap();
        let EventKind::PlarGranted(granted) = &events[0].kind else {
            panic!("{:?}", events[0]);
        };
        assert_eq!(granted.evidence, None);
        let EventKind::PlarDenied(denied) = &events[1].kind else {
            panic!("{:?}", events[1]);
        };
        assert_eq!(denied.evidence, Some(serde_json::json!("a note")));
    }

    #[test]
    fn every_type_has_its_member_list() {
        assert_eq!(TAKES.len(), TYPES.len());
    }
}
