//! The review data pack of one definition version (REQ-REPORT-07): its alignment matrix,
//! attempt statistics per summative, the problematic areas, PLAR statistics, the completion
//! rates and the sign-offs of its approval chain, built from one offering's learners.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CompletionReport, LearnerData, Problem, Rate, completion, problems, summatives};
use crate::definition::{Approval, CredentialDefinition, Lifecycle};
use crate::event::{EventKind, Route};
use crate::number::Number;

/// One cell of the alignment matrix: an assessment (or one of its criteria) feeding a
/// competency, with the assessment's weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlignmentCell {
    /// The competency.
    pub competency: String,
    /// The summative assessment.
    pub assessment: String,
    /// The rubric criterion, when the assessment has parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The assessment's weight in the competency.
    pub weight: Number,
}

/// Attempt statistics of one summative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentStats {
    /// The assessment.
    pub assessment: String,
    /// Learners with at least one attempt.
    pub learners: u64,
    /// Attempts in all (every route).
    pub attempts: u64,
    /// Attempts per learner who attempted (exact).
    pub mean_attempts: Option<Number>,
    /// Learners whose first attempt with a result passed (a failed challenge has a
    /// percent but is not a scored attempt of the course), of learners with a result.
    pub first_attempt_pass: Rate,
    /// Learners whose kept result passes, of learners who attempted.
    pub passed: Rate,
}

/// PLAR statistics: decisions by method, and challenge attempts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PlarStats {
    /// Grants per method name.
    pub granted: BTreeMap<&'static str, u64>,
    /// Denials per method name.
    pub denied: BTreeMap<&'static str, u64>,
    /// Challenge attempts (challenge exam or direct assessment).
    pub challenge_attempts: u64,
}

/// The review data pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewPack {
    /// The definition.
    pub definition: String,
    /// The version reviewed.
    pub version: String,
    /// Which summative feeds which competency.
    pub alignment: Vec<AlignmentCell>,
    /// Per summative.
    pub attempts: Vec<AssessmentStats>,
    /// Worst first (REQ-REPORT-04).
    pub problems: Vec<Problem>,
    /// PLAR decisions and challenges.
    pub plar: PlarStats,
    /// Completion rates (REQ-REPORT-03).
    pub completion: CompletionReport,
    /// The approvals recorded for this version.
    pub sign_offs: Vec<Approval>,
}

/// The pack of `def` (one version) over one offering's roster, with the version's
/// lifecycle for its sign-offs.
pub fn review_pack(
    def: &CredentialDefinition,
    roster: &[LearnerData<'_>],
    lifecycle: Option<&Lifecycle>,
) -> ReviewPack {
    let mut alignment = Vec::new();
    for a in summatives(def) {
        if a.parts.is_empty() {
            for c in &a.competencies {
                alignment.push(AlignmentCell {
                    competency: c.to_string(),
                    assessment: a.id.to_string(),
                    part: None,
                    weight: a.weight.clone(),
                });
            }
        } else {
            for p in &a.parts {
                alignment.push(AlignmentCell {
                    competency: p.competency.to_string(),
                    assessment: a.id.to_string(),
                    part: Some(p.id.to_string()),
                    weight: a.weight.clone(),
                });
            }
        }
    }
    let attempts = summatives(def)
        .map(|a| {
            let (mut learners, mut total, mut scored, mut first_pass, mut passed) = (0, 0, 0, 0, 0);
            let pass = a.pass_percent.clone().unwrap_or_else(Number::zero);
            for l in roster {
                let Some(r) = l.record.assessments.get(&a.id) else {
                    continue;
                };
                if r.attempts.is_empty() {
                    continue;
                }
                learners += 1;
                total += r.attempts.len() as u64;
                if r.passed {
                    passed += 1;
                }
                if let Some(first) = r.attempts.iter().find(|t| t.percent.is_some()) {
                    scored += 1;
                    if first.percent.as_ref().is_some_and(|p| p.meets(&pass)) {
                        first_pass += 1;
                    }
                }
            }
            AssessmentStats {
                assessment: a.id.to_string(),
                learners,
                attempts: total,
                mean_attempts: (learners > 0).then(|| {
                    Number::from_integer(i64::try_from(total).unwrap_or(i64::MAX)).div(
                        &Number::from_integer(i64::try_from(learners).unwrap_or(i64::MAX)),
                    )
                }),
                first_attempt_pass: Rate::new(first_pass, scored),
                passed: Rate::new(passed, learners),
            }
        })
        .collect();
    let mut plar = PlarStats::default();
    for l in roster {
        for (_, e) in l.accepted() {
            match &e.kind {
                EventKind::PlarGranted(d) if d.credential == def.id => {
                    *plar.granted.entry(d.method.as_str()).or_default() += 1;
                }
                EventKind::PlarDenied(d) if d.credential == def.id => {
                    *plar.denied.entry(d.method.as_str()).or_default() += 1;
                }
                EventKind::AttemptSubmitted {
                    assessment, route, ..
                } if *route != Route::Course
                    && def.assessments.iter().any(|a| a.id == *assessment) =>
                {
                    plar.challenge_attempts += 1;
                }
                _ => {}
            }
        }
    }
    ReviewPack {
        definition: def.id.to_string(),
        version: def.version.clone(),
        alignment,
        attempts,
        problems: problems(def, roster),
        plar,
        completion: completion(def, roster),
        sign_offs: lifecycle.map(|l| l.approvals.clone()).unwrap_or_default(),
    }
}
