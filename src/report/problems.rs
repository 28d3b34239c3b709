//! "Problematic areas" (REQ-REPORT-04): how often a competency, and each rubric criterion,
//! is *not yet* met on learners' first attempts, worst first. A first attempt is the
//! learner's earliest accepted attempt on a summative, as first scored (at submission, or
//! by the `attempt_scored` of attempt 1); later overrides are not first results. A
//! criterion is not yet met when its points fall below its competency's threshold; a
//! competency when the attempt's percent for it (its parts, or the whole percent) does.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{LearnerData, Rate, summatives};
use crate::definition::{Assessment, CredentialDefinition};
use crate::event::{EventKind, PartScores};
use crate::number::Number;

/// What a problem line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A competency.
    Competency,
    /// A rubric criterion (part) of an assessment.
    Criterion,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Competency or criterion.
    pub kind: ProblemKind,
    /// The competency or part id.
    pub id: String,
    /// The assessment, for a criterion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
    /// First attempts that did not meet it, of first attempts that assessed it.
    pub not_yet: Rate,
}

/// A first attempt's points: the whole score or the parts' points.
enum FirstScore<'e> {
    Whole(&'e Number),
    Parts(&'e PartScores),
}

/// The learner's first scored result on `a`, if any.
fn first_score<'e>(l: &LearnerData<'e>, a: &Assessment) -> Option<FirstScore<'e>> {
    let accepted = l.accepted();
    let mut submitted = false;
    for (_, e) in accepted {
        match &e.kind {
            EventKind::AttemptSubmitted {
                assessment,
                score,
                part_scores,
                ..
            } if *assessment == a.id && !submitted => {
                submitted = true;
                match (score, part_scores) {
                    (Some(s), _) => return Some(FirstScore::Whole(s)),
                    (None, Some(p)) => return Some(FirstScore::Parts(p)),
                    (None, None) => {}
                }
            }
            EventKind::AttemptScored(g) if g.assessment == a.id && g.attempt == 1 => {
                match (&g.score, &g.part_scores) {
                    (Some(s), _) => return Some(FirstScore::Whole(s)),
                    (None, Some(p)) => return Some(FirstScore::Parts(p)),
                    (None, None) => {}
                }
            }
            _ => {}
        }
    }
    None
}

/// The problem lines of `def` over the roster: most not-yet first attempts first, then the
/// higher rate, then competencies before criteria, then by id.
pub fn problems(def: &CredentialDefinition, roster: &[LearnerData<'_>]) -> Vec<Problem> {
    // (kind, id, assessment) → (not yet, observed)
    let mut tally: BTreeMap<(ProblemKind, String, Option<String>), (u64, u64)> = BTreeMap::new();
    let threshold = |c: &crate::ids::CompetencyId| {
        def.competencies
            .iter()
            .find(|x| x.id == *c)
            .map(|x| x.threshold_percent.clone())
    };
    let mut note = |key: (ProblemKind, String, Option<String>), met: bool| {
        let t = tally.entry(key).or_default();
        t.1 += 1;
        if !met {
            t.0 += 1;
        }
    };
    for l in roster {
        for a in summatives(def) {
            let Some(first) = first_score(l, a) else {
                continue;
            };
            match first {
                FirstScore::Whole(score) => {
                    let max = a.total_max();
                    if max.is_zero() {
                        continue;
                    }
                    let percent = score.percent_of(&max);
                    for c in &a.competencies {
                        if let Some(t) = threshold(c) {
                            note(
                                (ProblemKind::Competency, c.to_string(), None),
                                percent.meets(&t),
                            );
                        }
                    }
                }
                FirstScore::Parts(points) => {
                    let mut per_competency: BTreeMap<String, (Number, Number)> = BTreeMap::new();
                    for p in &a.parts {
                        let got = points.get(&p.id).cloned().unwrap_or_else(Number::zero);
                        let Some(t) = threshold(&p.competency) else {
                            continue;
                        };
                        if !p.max_points.is_zero() {
                            let met = got.percent_of(&p.max_points).meets(&t);
                            note(
                                (
                                    ProblemKind::Criterion,
                                    p.id.to_string(),
                                    Some(a.id.to_string()),
                                ),
                                met,
                            );
                        }
                        let sum = per_competency
                            .entry(p.competency.to_string())
                            .or_insert((Number::zero(), Number::zero()));
                        *sum = (sum.0.add(&got), sum.1.add(&p.max_points));
                    }
                    for (c, (got, max)) in per_competency {
                        let t = threshold(&c.as_str().into());
                        if let (Some(t), false) = (t, max.is_zero()) {
                            note(
                                (ProblemKind::Competency, c, None),
                                got.percent_of(&max).meets(&t),
                            );
                        }
                    }
                }
            }
        }
    }
    let mut lines: Vec<Problem> = tally
        .into_iter()
        .map(|((kind, id, assessment), (not_yet, of))| Problem {
            kind,
            id,
            assessment,
            not_yet: Rate::new(not_yet, of),
        })
        .collect();
    lines.sort_by(|x, y| {
        y.not_yet
            .count
            .cmp(&x.not_yet.count)
            .then_with(|| y.not_yet.percent.cmp(&x.not_yet.percent))
            .then_with(|| x.kind.cmp(&y.kind))
            .then_with(|| x.id.cmp(&y.id))
    });
    lines
}
