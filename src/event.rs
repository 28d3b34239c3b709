//! The events of a learner's append-only log (README §5), in their canonical JSON:
//! enrolments, attempts and their grading, feedback, PLAR decisions, credentials
//! presented, applied for and revoked, imposed expiries and equivalency claims.
//!
//! Events are facts as recorded; whether each is accepted is decided by the fold
//! ([`crate::record`]), never here.

use serde::{Deserialize, Serialize};

use crate::definition::{PlarMethod, RubricRef};
use crate::error::Error;
use crate::ids::{AssessmentId, CompetencyId, DefinitionId, EquivalencyId, PartId};
use crate::number::Number;
use crate::offering::Offering;
use crate::provenance::{Assessor, EvidenceRef};
use crate::time::Timestamp;

mod read;

pub use read::read_events;

/// One event: when it happened and what happened. Read by a hand-written reader
/// (`event/read.rs`: the same members, refusals and messages as a derive, without serde's
/// buffering).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// When it happened (UTC, whole seconds).
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The route of an attempt: the course, or a PLAR challenge on the same summative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Route {
    /// An ordinary attempt.
    #[default]
    Course,
    /// A PLAR challenge exam.
    ChallengeExam,
    /// A PLAR direct assessment.
    DirectAssessment,
}

crate::unit_names::unit_names!(Route { Course => "course", ChallengeExam => "challenge_exam", DirectAssessment => "direct_assessment" });

impl Route {
    /// The PLAR method a challenge route is, if it is one.
    pub fn plar_method(self) -> Option<PlarMethod> {
        match self {
            Route::Course => None,
            Route::ChallengeExam => Some(PlarMethod::ChallengeExam),
            Route::DirectAssessment => Some(PlarMethod::DirectAssessment),
        }
    }
}

/// What happened (README §5 table). Field names are the JSON's. Read only as part of an
/// [`Event`] (the `type` member beside `at`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The learner enrolled: starts the completion window.
    Enrolled {
        /// The definition.
        credential: DefinitionId,
        /// The offering (intake) joined, as it stood at enrolment (REQ-DEF-12;
        /// `docs/format.md` §5.5). Absent: self-paced, no release dates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offering: Option<Box<Offering>>,
        /// The definition version the learner enrols on and stays on (REQ-LIFE-02;
        /// `docs/format.md` §5.8). Absent: the offering's version, else the latest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<String>,
    },
    /// An attempt was submitted, scored now or pending a grader.
    AttemptSubmitted {
        /// The assessment.
        assessment: AssessmentId,
        /// Points, for an assessment without parts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        score: Option<Number>,
        /// Points per part, for an assessment with parts (all parts, no others).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        part_scores: Option<PartScores>,
        /// The route.
        #[serde(default)]
        route: Route,
        /// Who scored it, its attestation, evidence and rubric: members most attempts
        /// lack, kept apart so that a plain attempt stays small (`None`: none given; see
        /// [`AttemptProvenance::boxed`]). Written as members of the event itself.
        #[serde(flatten)]
        provenance: Option<Box<AttemptProvenance>>,
    },
    /// Feedback on the latest counted attempt was released.
    FeedbackReleased {
        /// The assessment.
        assessment: AssessmentId,
        /// The feedback's text and author, if given (`None`: neither; see
        /// [`FeedbackNote::boxed`]). Written as members of the event itself.
        #[serde(flatten)]
        note: Option<Box<FeedbackNote>>,
    },
    /// A pending attempt was scored (README §5.4).
    AttemptScored(Box<Grading>),
    /// A scored attempt's score was replaced, with a reason (README §5.4).
    ScoreOverridden(Box<Override>),
    /// PLAR granted a competency or a component (README §5.3).
    PlarGranted(Box<PlarDecision>),
    /// PLAR was denied: recorded, no effect on results.
    PlarDenied(Box<PlarDecision>),
    /// The learner presented a credential, checked by the verifier.
    CredentialPresented(Box<PresentedCredential>),
    /// The learner applied to receive a credential (README §6).
    CredentialApplied {
        /// The definition.
        credential: DefinitionId,
    },
    /// The latest issuance of a definition was revoked.
    CredentialRevoked {
        /// The definition.
        credential: DefinitionId,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An expiry was imposed on issuances made before a cutoff.
    ExpiryImposed {
        /// The definition.
        credential: DefinitionId,
        /// Issuances with `issued_at` before this are affected.
        issued_before: Timestamp,
        /// Their new latest end of validity.
        valid_until: Timestamp,
    },
    /// The learner claimed an equivalency (README §8).
    EquivalencyClaimed {
        /// The equivalency.
        equivalency: EquivalencyId,
    },
    /// A correction: the latest issuance is revoked and a new one issued in its place,
    /// referencing it (REQ-ISSUE-06; `docs/format.md` §5.7).
    CredentialReissued(Box<Reissue>),
    /// The learner withdrew from a definition (REQ-COMP-10; `docs/format.md` §5.5).
    Withdrawn {
        /// The definition.
        credential: DefinitionId,
        /// Why, if given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A PLAR case was opened (REQ-PLAR-08; `docs/format.md` §5.6).
    PlarRequested(Box<PlarRequest>),
    /// An assessor assessed a PLAR case's evidence (REQ-PLAR-08).
    PlarAssessed(Box<PlarAssessment>),
    /// The learner asks for a credit-bank entry's grants (REQ-PLAR-10, -11).
    CreditBankApplied {
        /// The governing definition.
        credential: DefinitionId,
        /// The entry's id.
        entry: String,
        /// When the learner completed the prior program (formal agreements).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        completed_at: Option<Timestamp>,
    },
}

/// The fields of `plar_requested`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlarRequest {
    /// The case id, unique in the log.
    pub case: String,
    /// The governing definition.
    pub credential: DefinitionId,
    /// The method requested.
    pub method: PlarMethod,
    /// The competency requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competency: Option<CompetencyId>,
    /// The component requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<DefinitionId>,
}

/// The fields of `plar_assessed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlarAssessment {
    /// The case.
    pub case: String,
    /// Who assessed (peer and self refused).
    pub assessor: Assessor,
    /// `grant` or `deny`.
    pub recommendation: PlarRecommendation,
    /// The rubric version used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric: Option<RubricRef>,
    /// The assessor's role; an `advisor` may not assess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<PlarRole>,
}

/// An assessor's recommendation on a PLAR case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlarRecommendation {
    /// Grant the request.
    Grant,
    /// Deny it.
    Deny,
}

crate::unit_names::unit_names!(PlarRecommendation { Grant => "grant", Deny => "deny" });

/// Who scored an attempt, the attestation, the evidence and the rubric: members of
/// `attempt_scored`, and of `attempt_submitted`, where most attempts lack them, so there they
/// are held behind one box, present only when one of them is.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct AttemptProvenance {
    /// Who scored it (REQ-ASSESS-09); peer and self are refused on a summative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessor: Option<Assessor>,
    /// Who attests a supervised attempt (REQ-ASSESS-10); without it a score on a
    /// supervised summative leaves the attempt pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attested_by: Option<String>,
    /// Evidence by reference (REQ-ASSESS-08).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRef>,
    /// The shared rubric version it was scored with (REQ-ASSESS-06).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric: Option<RubricRef>,
}

/// No provenance: what an attempt without any of its members reads as.
static NO_PROVENANCE: AttemptProvenance = AttemptProvenance {
    assessor: None,
    attested_by: None,
    evidence: Vec::new(),
    rubric: None,
};

impl AttemptProvenance {
    /// The event field for these members: `None` when none is given, so that an attempt
    /// without them costs no allocation and equal events compare equal.
    #[inline]
    pub fn boxed(self) -> Option<Box<AttemptProvenance>> {
        let none = self.assessor.is_none()
            && self.attested_by.is_none()
            && self.evidence.is_empty()
            && self.rubric.is_none();
        (!none).then(|| Box::new(self))
    }

    /// The members of an event's field (all absent for `None`).
    pub fn of(field: &Option<Box<AttemptProvenance>>) -> &AttemptProvenance {
        field.as_deref().unwrap_or(&NO_PROVENANCE)
    }
}

/// The optional members of `feedback_released`, held behind one box.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FeedbackNote {
    /// The feedback text (REQ-ATTEMPT-04).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

impl FeedbackNote {
    /// The event field for a text and an author: `None` when neither is given.
    #[inline]
    pub fn boxed(text: Option<String>, author: Option<String>) -> Option<Box<FeedbackNote>> {
        (text.is_some() || author.is_some()).then(|| Box::new(FeedbackNote { text, author }))
    }
}

/// The fields of `credential_presented`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PresentedCredential {
    /// The credential's definition id.
    pub credential: DefinitionId,
    /// Who issued it.
    pub issuer: String,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// End of its validity.
    #[serde(default)]
    pub valid_until: Option<Timestamp>,
    /// Whether the verifier accepted it.
    pub verified: bool,
}

/// The fields of `credential_reissued`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reissue {
    /// The definition.
    pub credential: DefinitionId,
    /// Why (required, non-empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// The fields of `attempt_scored`. (Rare events are boxed so that a log of mostly
/// attempts stays small in memory.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grading {
    /// The assessment.
    pub assessment: AssessmentId,
    /// 1-based number among the learner's attempts on it, all routes, in event order.
    pub attempt: u32,
    /// Points, without parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Number>,
    /// Points per part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_scores: Option<PartScores>,
    /// Who graded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grader: Option<String>,
    /// Who scored it, its attestation (required on a supervised summative), evidence and
    /// rubric. Written as members of the event itself.
    #[serde(flatten)]
    pub provenance: AttemptProvenance,
}

/// The fields of `score_overridden`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The assessment.
    pub assessment: AssessmentId,
    /// The attempt's number.
    pub attempt: u32,
    /// New points, without parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Number>,
    /// New points per part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_scores: Option<PartScores>,
    /// Why (required, non-empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who overrode it (required, non-empty: REQ-ATTEMPT-12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// The fields of `plar_granted` and `plar_denied`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlarDecision {
    /// The governing definition.
    pub credential: DefinitionId,
    /// How prior learning was assessed.
    pub method: PlarMethod,
    /// The competency granted or requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competency: Option<CompetencyId>,
    /// The component credential granted or requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<DefinitionId>,
    /// Informative evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Value>,
    /// Why it was denied (denials only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who decided, with the assessor type (REQ-ASSESS-09, REQ-PLAR-09).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessor: Option<Assessor>,
    /// The shared rubric version the decision was made with (REQ-PLAR-09).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric: Option<RubricRef>,
    /// The PLAR case it decides (REQ-PLAR-08; `docs/format.md` §5.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The decider's role; an `advisor` may not decide (REQ-PLAR-08).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<PlarRole>,
}

/// The role of a person in a PLAR case (REQ-PLAR-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlarRole {
    /// Guides the learner; may not assess or decide.
    Advisor,
    /// Assesses the evidence.
    Assessor,
    /// Authorised to decide.
    DecisionMaker,
}

crate::unit_names::unit_names!(PlarRole { Advisor => "advisor", Assessor => "assessor", DecisionMaker => "decision_maker" });

/// Points per rubric part, as a JSON object `{part id: decimal}`. Kept as a small list in
/// the order given (a log holds many; a map per event would cost far more memory), behind
/// one pointer so that an attempt without parts pays a word for the field.
/// A part named twice is refused when read.
#[derive(Debug, Clone, PartialEq)]
pub struct PartScores(Box<Box<[(PartId, Number)]>>);

impl Default for PartScores {
    fn default() -> Self {
        PartScores::new(Vec::new())
    }
}

impl PartScores {
    /// Scores from (part, points) pairs.
    pub fn new(pairs: Vec<(PartId, Number)>) -> Self {
        PartScores(Box::new(pairs.into_boxed_slice()))
    }

    /// The points given for a part.
    pub fn get(&self, part: &PartId) -> Option<&Number> {
        self.0.iter().find(|(p, _)| p == part).map(|(_, n)| n)
    }

    /// The points of the `i`-th part named (in the order given).
    pub fn points_at(&self, i: usize) -> Option<&Number> {
        self.0.get(i).map(|(_, n)| n)
    }

    /// Whether a part has points.
    pub fn contains_key(&self, part: &PartId) -> bool {
        self.get(part).is_some()
    }

    /// The parts named.
    pub fn keys(&self) -> impl Iterator<Item = &PartId> {
        self.0.iter().map(|(p, _)| p)
    }

    /// How many parts are named.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no part is named.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for PartScores {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (part, points) in self.0.iter() {
            map.serialize_entry(part, points)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PartScores {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PartScores;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of part ids to decimal strings, such as {\"K1\": \"40\"}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PartScores, A::Error> {
                let mut pairs: Vec<(PartId, Number)> =
                    Vec::with_capacity(map.size_hint().unwrap_or(4).min(64));
                while let Some((part, points)) = map.next_entry::<PartId, Number>()? {
                    if pairs.iter().any(|(p, _)| *p == part) {
                        return Err(serde::de::Error::custom(format!(
                            "part \"{part}\" is named twice"
                        )));
                    }
                    pairs.push((part, points));
                }
                Ok(PartScores::new(pairs))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Reads a JSON array of events. An event with an unknown member is refused
/// `invalid_event` (README §11); other malformed JSON is `invalid_json`.
pub fn parse_events(json: &str) -> Result<Vec<Event>, Error> {
    let mut reader = serde_json::Deserializer::from_str(json);
    read_events(&mut reader)
        .and_then(|events| reader.end().map(|()| events))
        .map_err(|e| read_error("events", e))
}

/// Classifies a serde error met while reading events: an unknown member (serde's
/// `unknown_field`, raised by the event reader (`event/read.rs`) and by `deny_unknown_fields`
/// on the shapes inside an event) is `invalid_event`; anything else is `invalid_json`.
pub fn read_error(context: &'static str, err: serde_json::Error) -> Error {
    // serde_json's error exposes no kind beyond "data"; serde's `unknown_field` message
    // always starts this way.
    if err.is_data() && err.to_string().starts_with("unknown field") {
        Error::InvalidEvent {
            context,
            message: err.to_string(),
        }
    } else {
        Error::json(context, err)
    }
}

// A log holds hundreds of thousands of events: the common ones (an attempt with a plain
// score, feedback, an enrolment) stay inline in this many bytes, the rare members behind
// one box per variant (216 bytes natively before issue 7). A build that grows it fails.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Event>() <= 80);
#[cfg(target_pointer_width = "32")]
const _: () = assert!(std::mem::size_of::<Event>() <= 72);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_and_its_common_members_stay_small() {
        use std::mem::size_of;
        let bound = if cfg!(target_pointer_width = "64") {
            80
        } else {
            72
        };
        assert!(size_of::<Event>() <= bound, "{} bytes", size_of::<Event>());
        // What keeps it there: optional members cost one word each when absent.
        assert_eq!(size_of::<Option<PartScores>>(), size_of::<usize>());
        assert_eq!(
            size_of::<Option<Box<AttemptProvenance>>>(),
            size_of::<usize>()
        );
        assert_eq!(size_of::<Option<Box<FeedbackNote>>>(), size_of::<usize>());
    }

    #[test]
    fn absent_optional_members_take_no_box() {
        let events = parse_events(
            r#"[{"at":"2025-01-20T09:00:00Z","type":"attempt_submitted","assessment":"A","score":"4","evidence":[]},
                {"at":"2025-01-20T09:00:00Z","type":"feedback_released","assessment":"A"},
                {"at":"2025-01-20T09:00:00Z","type":"attempt_submitted","assessment":"A","attested_by":"p"}]"#,
        )
        .unwrap();
        assert!(matches!(
            &events[0].kind,
            EventKind::AttemptSubmitted {
                provenance: None,
                ..
            }
        ));
        assert!(matches!(
            &events[1].kind,
            EventKind::FeedbackReleased { note: None, .. }
        ));
        let EventKind::AttemptSubmitted { provenance, .. } = &events[2].kind else {
            panic!("{:?}", events[2]);
        };
        assert_eq!(
            AttemptProvenance::of(provenance).attested_by.as_deref(),
            Some("p")
        );
        // Built in code, an empty set of members is no box either, so equal events compare
        // equal however they were made.
        assert_eq!(AttemptProvenance::default().boxed(), None);
        assert_eq!(FeedbackNote::boxed(None, None), None);
    }

    #[test]
    fn boxed_members_are_written_in_their_place() {
        // Member for member and in the same order as before they moved behind boxes: the
        // text a server stores and a page shows does not change.
        let json = r#"[{"at":"2025-01-20T09:00:00Z","type":"attempt_submitted","assessment":"A","score":"4","part_scores":{"K1":"1.5"},"route":"challenge_exam","assessor":{"type":"instructor","id":"i"},"attested_by":"p","evidence":[{"ref":"https://e.example/1","type":"written"}],"rubric":{"id":"r","version":"1"}},{"at":"2025-01-20T09:00:00Z","type":"attempt_submitted","assessment":"A","score":"4","route":"course"},{"at":"2025-01-20T09:00:00Z","type":"feedback_released","assessment":"A","text":"t","author":"i"},{"at":"2025-01-20T09:00:00Z","type":"credential_presented","credential":"x","issuer":"https://i.example","issued_at":"2024-01-01T00:00:00Z","valid_until":null,"verified":true},{"at":"2025-01-20T09:00:00Z","type":"credential_reissued","credential":"spt","reason":"r","by":"b"}]"#;
        let events = parse_events(json).unwrap();
        assert_eq!(serde_json::to_string(&events).unwrap(), json);
    }

    #[test]
    fn a_read_log_holds_no_spare_capacity() {
        let one = r#"{"at":"2025-01-20T09:00:00Z","type":"feedback_released","assessment":"A"}"#;
        for n in [1, 5, 17, 100] {
            let json = format!("[{}]", vec![one; n].join(","));
            let events = parse_events(&json).unwrap();
            assert_eq!((events.len(), events.capacity()), (n, n));
            let log: crate::record::LearnerLog =
                serde_json::from_str(&format!(r#"{{"learner":"L","events":{json}}}"#)).unwrap();
            assert_eq!((log.events.len(), log.events.capacity()), (n, n));
        }
    }

    #[test]
    fn events_read_their_canonical_json() {
        let events = parse_events(
            r#"[{"at":"2025-01-20T09:00:00Z","type":"enrolled","credential":"spt"},
                {"at":"2025-02-14T15:30:00Z","type":"attempt_submitted","assessment":"A","part_scores":{"K1":"40"}},
                {"at":"2025-02-15T15:30:00Z","type":"attempt_submitted","assessment":"A","score":"4","route":"challenge_exam"}]"#,
        )
        .unwrap();
        assert_eq!(events.len(), 3);
        assert!(
            matches!(&events[1].kind, EventKind::AttemptSubmitted { route: Route::Course, part_scores: Some(p), .. } if p.len() == 1)
        );
        assert!(matches!(
            &events[2].kind,
            EventKind::AttemptSubmitted {
                route: Route::ChallengeExam,
                ..
            }
        ));
    }

    #[test]
    fn unknown_members_are_refused() {
        for event in [
            r#"{"at":"2025-01-20T09:00:00Z","type":"enrolled","credential":"spt","note":"x"}"#,
            r#"{"at":"2025-01-20T09:00:00Z","type":"attempt_scored","assessment":"A","attempt":1,"score":"1","note":"x"}"#,
            r#"{"at":"2025-01-20T09:00:00Z","type":"score_overridden","assessment":"A","attempt":1,"score":"1","reason":"r","note":"x"}"#,
            r#"{"at":"2025-01-20T09:00:00Z","type":"plar_granted","credential":"spt","method":"portfolio","competency":"C","note":"x"}"#,
        ] {
            let err = parse_events(&format!("[{event}]")).unwrap_err();
            assert_eq!(err.code(), "invalid_event", "{err}");
            assert!(err.to_string().contains("note"), "{err}");
        }
        let ok = r#"[{"at":"2025-01-20T09:00:00Z","type":"plar_granted","credential":"spt","method":"portfolio","competency":"C"},
            {"at":"2025-01-20T09:00:00Z","type":"attempt_scored","assessment":"A","attempt":1,"score":"1","grader":"g"}]"#;
        assert_eq!(parse_events(ok).unwrap().len(), 2);
    }

    #[test]
    fn unknown_event_types_are_refused_with_a_reason() {
        let err = parse_events(
            r#"[{"at":"2025-01-20T09:00:00Z","type":"graduated","credential":"spt"}]"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_json");
        assert!(err.to_string().contains("graduated"), "{err}");
    }
}
