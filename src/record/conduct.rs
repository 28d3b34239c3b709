//! Who assessed, how and on what evidence, as the fold keeps it (REQ-ASSESS-08..10,
//! REQ-ATTEMPT-04, REQ-ATTEMPT-12, REQ-PLAR-09/13): the checks on an event's assessor,
//! attestation and evidence, and the side tables the record shows (per attempt its
//! assessor, attestation, evidence and overrides; per assessment its feedback; per
//! competency the evidence segments mapped to it and the assessor of a PLAR grant). None of
//! this changes a score: it is kept apart from the kept-result state.

use serde::Serialize;

use super::learner::Learner;
use crate::definition::RubricRef;
use crate::event::{AttemptProvenance, FeedbackNote, PlarDecision, Route};
use crate::ids::AssessmentId;
use crate::policy::PolicyError;
use crate::provenance::{self, Assessor, EvidenceRef, EvidenceType};
use crate::time::Timestamp;

/// What an `attempt_submitted` or `attempt_scored` says beyond its score.
#[derive(Debug, Clone, Copy)]
pub(super) struct Conduct<'e> {
    pub(super) route: Route,
    pub(super) assessor: Option<&'e Assessor>,
    pub(super) attested_by: Option<&'e str>,
    pub(super) evidence: &'e [EvidenceRef],
    pub(super) rubric: Option<&'e RubricRef>,
}

impl<'e> Conduct<'e> {
    /// An attempt's conduct: its route and the members `given` with it.
    pub(super) fn new(route: Route, given: &'e AttemptProvenance) -> Self {
        Conduct {
            route,
            assessor: given.assessor.as_ref(),
            attested_by: given.attested_by.as_deref(),
            evidence: &given.evidence,
            rubric: given.rubric.as_ref(),
        }
    }

    /// Whether it names no assessor, evidence or rubric (the usual self-submitted attempt).
    fn is_bare(&self) -> bool {
        self.assessor.is_none() && self.evidence.is_empty() && self.rubric.is_none()
    }
}

/// An attempt's provenance, as the record's attempt shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct AttemptConduct {
    pub(super) assessor: Option<Assessor>,
    pub(super) attested_by: Option<String>,
    pub(super) evidence: Vec<EvidenceRef>,
    pub(super) overrides: Vec<OverrideRecord>,
    pub(super) rubric: Option<RubricRef>,
}

/// An accepted `score_overridden` (REQ-ATTEMPT-12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideRecord {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// Feedback released on an assessment, with the attempt it concerns (REQ-ATTEMPT-04).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackRecord {
    /// The latest counted attempt when it was released, if there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    /// When it was released (the event's `at`).
    pub at: Timestamp,
    /// The feedback text, when the event gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Who wrote it, when the event named them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

/// A time range of a recording mapped to a competency (REQ-ASSESS-08, REQ-PLAR-13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceLink {
    /// The recording's reference.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Its instrument type.
    #[serde(rename = "type")]
    pub kind: EvidenceType,
    /// Start, in seconds.
    pub start_seconds: u32,
    /// End, in seconds.
    pub end_seconds: u32,
    /// The assessment and attempt number it was submitted with.
    pub assessment: AssessmentId,
    /// The attempt number.
    pub attempt: u32,
}

/// The side tables, keyed by flat indices. Plain lists (most logs have few entries; a map
/// per table would cost the wasm bundle more than the lookups cost here).
#[derive(Debug, Clone, Default)]
pub(super) struct ConductLog {
    /// ((assessment, attempt list index), provenance), in the order first given.
    attempts: Vec<((usize, usize), AttemptConduct)>,
    /// (assessment, feedback released on it), oldest first.
    feedback: Vec<(usize, FeedbackRecord)>,
    /// (competency, assessor of its PLAR grant).
    grant_assessors: Vec<(usize, Assessor)>,
    /// (competency, rubric version of its PLAR grant).
    grant_rubrics: Vec<(usize, RubricRef)>,
}

impl ConductLog {
    pub(super) fn clear(&mut self) {
        self.attempts.clear();
        self.feedback.clear();
        self.grant_assessors.clear();
        self.grant_rubrics.clear();
    }

    fn attempt_entry(&mut self, key: (usize, usize)) -> &mut AttemptConduct {
        let at = match self.attempts.iter().position(|e| e.0 == key) {
            Some(at) => at,
            None => {
                self.attempts.push((key, AttemptConduct::default()));
                self.attempts.len() - 1
            }
        };
        &mut self.attempts[at].1
    }

    /// The provenance of attempt `i` of assessment `a`.
    pub(super) fn attempt(&self, a: usize, i: usize) -> Option<&AttemptConduct> {
        self.attempts.iter().find(|e| e.0 == (a, i)).map(|e| &e.1)
    }

    /// The feedback released on assessment `a`, oldest first.
    pub(super) fn feedback(&self, a: usize) -> Vec<FeedbackRecord> {
        let of_a = self.feedback.iter().filter(|e| e.0 == a);
        of_a.map(|e| e.1.clone()).collect()
    }

    /// The rubric version of competency `c`'s PLAR grant (REQ-PLAR-09).
    pub(super) fn grant_rubric(&self, c: usize) -> Option<&RubricRef> {
        self.grant_rubrics.iter().find(|e| e.0 == c).map(|e| &e.1)
    }

    /// The assessor of competency `c`'s PLAR grant.
    pub(super) fn grant_assessor(&self, c: usize) -> Option<&Assessor> {
        self.grant_assessors.iter().find(|e| e.0 == c).map(|e| &e.1)
    }
}

/// Refuses a PLAR decision by a peer or the learner (REQ-ASSESS-09: a decision is summative).
pub(super) fn check_plar_assessor(decision: &PlarDecision) -> Result<(), PolicyError> {
    provenance::check_assessor(decision.assessor.as_ref(), true, || {
        format!("the PLAR decision on \"{}\"", decision.credential)
    })
}

impl Learner<'_, '_> {
    /// Keeps the assessor of an accepted competency grant (REQ-PLAR-09: visible to auditors).
    pub(super) fn keep_grant_assessor(&mut self, grant: &PlarDecision) {
        if !self.keeps_conduct {
            return;
        }
        let Some(&ci) =
            (grant.competency.as_ref()).and_then(|c| self.course.comp_by_id.get(c.as_str()))
        else {
            return;
        };
        if let Some(assessor) = &grant.assessor {
            self.conduct.grant_assessors.retain(|e| e.0 != ci);
            self.conduct.grant_assessors.push((ci, assessor.clone()));
        }
        if let Some(rubric) = &grant.rubric {
            self.conduct.grant_rubrics.retain(|e| e.0 != ci);
            self.conduct.grant_rubrics.push((ci, rubric.clone()));
        }
    }

    /// Refuses a peer or self assessor on a summative (`assessor_not_allowed`), evidence
    /// that is malformed or maps to a competency outside the assessment's definition, and
    /// a rubric version that is not declared or not of the assessment's rubric
    /// (`unknown_reference`, REQ-ASSESS-06).
    pub(super) fn check_conduct(&self, a: usize, conduct: &Conduct<'_>) -> Result<(), PolicyError> {
        if conduct.is_bare() {
            return Ok(()); // no rubric, evidence or assessor to check
        }
        let info = &self.course.asmts[a];
        self.check_rubric(conduct.rubric)?;
        if let (Some(given), Some(own)) = (conduct.rubric, &info.rubric_ref)
            && given.id != own.id
        {
            return Err(PolicyError::UnknownReference {
                kind: "rubric of this assessment",
                id: given.to_string(),
            });
        }
        provenance::check_evidence(conduct.evidence, |c| {
            self.course
                .comp_by_id
                .get(c.as_str())
                .is_some_and(|&ci| self.course.comps[ci].def == info.def)
        })?;
        provenance::check_assessor(conduct.assessor, info.summative, || {
            format!("summative assessment \"{}\"", info.id)
        })
    }

    /// Whether a score on `a` may stand: not a supervised summative, or attested.
    pub(super) fn attested(&self, a: usize, conduct: &Conduct<'_>) -> bool {
        let info = &self.course.asmts[a];
        !(info.summative && info.supervision.is_supervised())
            || conduct.attested_by.is_some_and(|s| !s.trim().is_empty())
    }

    /// Keeps what an accepted submission or grading of attempt `i` said.
    pub(super) fn keep_conduct(&mut self, a: usize, i: usize, conduct: &Conduct<'_>) {
        if !self.keeps_conduct || (conduct.is_bare() && conduct.attested_by.is_none()) {
            return;
        }
        let entry = self.conduct.attempt_entry((a, i));
        if let Some(assessor) = conduct.assessor {
            entry.assessor = Some(assessor.clone());
        }
        if let Some(by) = conduct.attested_by {
            entry.attested_by = Some(by.to_owned());
        }
        entry.evidence.extend(conduct.evidence.iter().cloned());
        if let Some(rubric) = conduct.rubric {
            entry.rubric = Some(rubric.clone());
        }
    }

    /// Keeps an accepted override's author and reason.
    pub(super) fn keep_override(
        &mut self,
        a: usize,
        i: usize,
        at: Timestamp,
        by: &str,
        reason: &str,
    ) {
        if !self.keeps_conduct {
            return;
        }
        let entry = self.conduct.attempt_entry((a, i));
        entry.overrides.push(OverrideRecord {
            at,
            by: by.to_owned(),
            reason: reason.to_owned(),
        });
    }

    /// Keeps released feedback, on the latest counted attempt of the current cycle.
    pub(super) fn keep_feedback(&mut self, a: usize, at: Timestamp, note: Option<&FeedbackNote>) {
        if !self.keeps_conduct {
            return;
        }
        let (text, author) = note.map_or((None, None), |n| (n.text.clone(), n.author.clone()));
        let state = &self.asmts[a];
        let attempt = state.counted.2.map(|i| state.attempts[i].number);
        self.conduct.feedback.push((
            a,
            FeedbackRecord {
                attempt,
                at,
                text,
                author,
            },
        ));
    }

    /// The evidence segments mapped to competency `c`, in submission order.
    pub(super) fn evidence_links(&self, c: usize) -> Vec<EvidenceLink> {
        let comp = &self.course.comps[c];
        let mut links = Vec::new();
        for &((a, i), ref conduct) in &self.conduct.attempts {
            if self.course.asmts[a].def != comp.def {
                continue;
            }
            let attempt = &self.asmts[a].attempts[i];
            for item in &conduct.evidence {
                for s in item
                    .segments
                    .iter()
                    .filter(|s| s.competencies.contains(&comp.id))
                {
                    links.push((
                        attempt.position,
                        EvidenceLink {
                            reference: item.reference.clone(),
                            kind: item.kind,
                            start_seconds: s.start_seconds,
                            end_seconds: s.end_seconds,
                            assessment: self.course.asmts[a].id.clone(),
                            attempt: attempt.number,
                        },
                    ));
                }
            }
        }
        links.sort_by_key(|l| l.0);
        links.into_iter().map(|l| l.1).collect()
    }
}
