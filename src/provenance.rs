//! Who assessed a result, how the assessment was supervised and the evidence a result
//! rests on (REQ-ASSESS-08, -09, -10, REQ-PLAR-13): the members events and definitions carry
//! for them (`docs/format.md` §3.2, §5) and their checks. Evidence is stored by reference only: a URL or a content hash, never the bytes.

use serde::Serialize;

use crate::ids::CompetencyId;
use crate::policy::PolicyError;

/// The kind of person or system that scored a result or decided a PLAR case (REQ-ASSESS-09).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessorType {
    /// The course instructor.
    Instructor,
    /// A subject-matter expert other than the instructor.
    ContentExpert,
    /// An assessor at the learner's workplace.
    WorkplaceAssessor,
    /// Another learner: formative work only.
    Peer,
    /// The learner: formative work only.
    SelfAssessment,
    /// A machine-scored instrument.
    Automated,
}

crate::unit_names::unit_names!(AssessorType { Instructor => "instructor", ContentExpert => "content_expert", WorkplaceAssessor => "workplace_assessor", Peer => "peer", SelfAssessment => "self", Automated => "automated" });

impl AssessorType {
    /// An assessor of this type with `id` (a platform user id, or a system's name).
    pub fn assessor(self, id: impl Into<String>) -> Assessor {
        Assessor {
            kind: self,
            id: id.into(),
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssessorType::Instructor => "instructor",
            AssessorType::ContentExpert => "content_expert",
            AssessorType::WorkplaceAssessor => "workplace_assessor",
            AssessorType::Peer => "peer",
            AssessorType::SelfAssessment => "self",
            AssessorType::Automated => "automated",
        }
    }

    /// Whether this assessor may score a summative (peer and self may not).
    pub fn may_score_summative(self) -> bool {
        !matches!(self, AssessorType::Peer | AssessorType::SelfAssessment)
    }
}

/// Who assessed: a type and an id (a platform user id, or a system's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessor {
    /// The assessor type.
    #[serde(rename = "type")]
    pub kind: AssessorType,
    /// The assessor's id.
    pub id: String,
}

crate::read_object!(Assessor { kind as "type", id });

/// How a summative is supervised and the candidate identified (REQ-ASSESS-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SupervisionMode {
    /// No supervision, no identity check (the default).
    #[default]
    UnsupervisedNoId,
    /// Supervised, identity not checked.
    SupervisedNoId,
    /// Supervised online (remote proctoring).
    SupervisedOnline,
    /// On site, with an identity check.
    OnsiteWithId,
}

crate::unit_names::unit_names!(SupervisionMode { UnsupervisedNoId => "unsupervised_no_id", SupervisedNoId => "supervised_no_id", SupervisedOnline => "supervised_online", OnsiteWithId => "onsite_with_id" });

impl SupervisionMode {
    /// Whether a score needs the assessor's attestation.
    pub fn is_supervised(self) -> bool {
        self != SupervisionMode::UnsupervisedNoId
    }

    /// Whether this is the default (not serialized then).
    pub fn is_default(&self) -> bool {
        *self == SupervisionMode::UnsupervisedNoId
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SupervisionMode::UnsupervisedNoId => "unsupervised_no_id",
            SupervisionMode::SupervisedNoId => "supervised_no_id",
            SupervisionMode::SupervisedOnline => "supervised_online",
            SupervisionMode::OnsiteWithId => "onsite_with_id",
        }
    }
}

/// The instrument type of a piece of evidence (REQ-ASSESS-08, REQ-PLAR-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceType {
    /// A project.
    Project,
    /// A scenario.
    Scenario,
    /// A video recording.
    Video,
    /// An audio recording.
    Audio,
    /// Written work.
    Written,
    /// A portfolio.
    Portfolio,
    /// An observation at the workplace.
    WorkplaceObservation,
    /// A structured dialogue or interview.
    Dialogue,
    /// An oral examination.
    Oral,
    /// A quiz.
    Quiz,
    /// A simulation.
    Simulation,
}

crate::unit_names::unit_names!(EvidenceType { Project => "project", Scenario => "scenario", Video => "video", Audio => "audio", Written => "written", Portfolio => "portfolio", WorkplaceObservation => "workplace_observation", Dialogue => "dialogue", Oral => "oral", Quiz => "quiz", Simulation => "simulation" });

/// One piece of evidence, by reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRef {
    /// An `https://` or `http://` URL, or a content hash `sha256:<64 lowercase hex>`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The instrument type.
    #[serde(rename = "type")]
    pub kind: EvidenceType,
    /// Time ranges of one recording, each mapped to competencies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
}

crate::read_object!(EvidenceRef { reference as "ref", kind as "type", segments = default() });

/// A time range of a recording, in whole seconds from its start, mapped to competencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Start, inclusive.
    pub start_seconds: u32,
    /// End, exclusive; greater than the start.
    pub end_seconds: u32,
    /// The competencies shown in this range (at least one).
    pub competencies: Vec<CompetencyId>,
}

crate::read_object!(Segment {
    start_seconds,
    end_seconds,
    competencies
});

/// Checks that a reference is a URL or a content hash.
pub fn check_reference(reference: &str) -> Result<(), String> {
    if let Some(hex) = reference.strip_prefix("sha256:") {
        let ok = hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        return if ok {
            Ok(())
        } else {
            Err(format!(
                "evidence ref \"{reference}\": a sha256 hash is 64 lowercase hex digits"
            ))
        };
    }
    let rest = reference
        .strip_prefix("https://")
        .or_else(|| reference.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !reference.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(format!(
            "evidence ref \"{reference}\" is neither an http(s) URL nor sha256:<hex>"
        )),
    }
}

/// Checks a list of evidence: references well formed, ranges non-empty, each mapped to at
/// least one competency that `known` accepts (else `unknown_reference`).
pub fn check_evidence(
    evidence: &[EvidenceRef],
    known: impl Fn(&CompetencyId) -> bool,
) -> Result<(), PolicyError> {
    for item in evidence {
        check_reference(&item.reference)
            .map_err(|problem| PolicyError::InvalidEvent { problem })?;
        for s in &item.segments {
            if s.end_seconds <= s.start_seconds || s.competencies.is_empty() {
                return Err(PolicyError::InvalidEvent {
                    problem: format!(
                        "evidence segment {}–{} s of \"{}\" needs end > start and at least one competency",
                        s.start_seconds, s.end_seconds, item.reference
                    ),
                });
            }
            if let Some(c) = s.competencies.iter().find(|c| !known(c)) {
                return Err(PolicyError::UnknownReference {
                    kind: "competency of the assessment's definition",
                    id: c.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Refuses a peer or self assessor on a summative decision; `target` names it for the
/// message (`summative assessment "FINAL"`, `the PLAR decision on "spt"`).
pub fn check_assessor(
    assessor: Option<&Assessor>,
    summative: bool,
    target: impl FnOnce() -> String,
) -> Result<(), PolicyError> {
    match assessor {
        Some(a) if summative && !a.kind.may_score_summative() => {
            Err(PolicyError::AssessorNotAllowed {
                assessor: a.kind.as_str(),
                target: target(),
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_urls_or_hashes() {
        assert!(check_reference("https://media.example.edu/v/42").is_ok());
        assert!(check_reference(&format!("sha256:{}", "a".repeat(64))).is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "sha256:abc",
            "https://a b",
            "my video",
        ] {
            assert!(check_reference(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn peer_and_self_may_not_score_summatives() {
        let peer = Assessor {
            kind: AssessorType::Peer,
            id: "u2".into(),
        };
        assert_eq!(
            check_assessor(Some(&peer), true, || "Q".into())
                .unwrap_err()
                .code(),
            "assessor_not_allowed"
        );
        assert!(check_assessor(Some(&peer), false, || "Q".into()).is_ok());
        let json: Assessor = serde_json::from_str(r#"{"type":"self","id":"me"}"#).unwrap();
        assert_eq!(json.kind, AssessorType::SelfAssessment);
    }

    #[test]
    fn evidence_reads_its_renamed_members_and_segments() {
        let json = r#"{"ref": "https://v.test/1", "type": "video",
            "segments": [{"start_seconds": 0, "end_seconds": 30, "competencies": ["C1"]}]}"#;
        let evidence: EvidenceRef = serde_json::from_str(json).unwrap();
        assert_eq!(evidence.reference, "https://v.test/1");
        assert_eq!(evidence.segments[0].competencies.len(), 1);
        let again: EvidenceRef =
            serde_json::from_str(&serde_json::to_string(&evidence).unwrap()).unwrap();
        assert_eq!(again, evidence);
        let message =
            serde_json::from_str::<EvidenceRef>(&json.replace("\"ref\"", "\"reference\""))
                .unwrap_err()
                .to_string();
        assert!(
            message.starts_with("unknown field `reference`"),
            "{message}"
        );
        let message =
            serde_json::from_str::<Segment>(r#"{"start_seconds": 0, "competencies": []}"#)
                .unwrap_err()
                .to_string();
        assert!(
            message.starts_with("missing field `end_seconds`"),
            "{message}"
        );
    }
}
