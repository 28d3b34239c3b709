//! What the fold produces: the [`Record`] (with explanations, attempt lists and messages)
//! and the compact [`LearnerSummary`] of roster-wide views, and how a learner's state
//! becomes each.

use serde::Serialize;
use smol_str::SmolStr;

use super::cases::PlarCase;
use super::conduct::{EvidenceLink, FeedbackRecord, OverrideRecord};
use super::learner::{Issuance, Learner};
use crate::criteria::{Explanation, Progress};
use crate::definition::{AssessmentKind, Finding, PlarMethod, RubricRef, level_reached};
use crate::event::Route;
use crate::ids::{AssessmentId, CompetencyId, DefinitionId, EquivalencyId};
use crate::mastery::MasteryStatus;
use crate::number::Number;
use crate::policy::NextStep;
use crate::provenance::SupervisionMode;
use crate::provenance::{Assessor, EvidenceRef};
use crate::sorted_map::SortedMap;
use crate::time::Timestamp;

// ---------------------------------------------------------------------------------------
// The record

/// A learner's record as of an instant: the fold's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// The evaluation instant.
    pub at: Timestamp,
    /// Rejected events, in log order of processing.
    pub errors: Vec<RejectedEvent>,
    /// Per competency.
    pub competencies: SortedMap<CompetencyId, CompetencyRecord>,
    /// Per assessment.
    pub assessments: SortedMap<AssessmentId, AssessmentRecord>,
    /// Per credential definition.
    pub credentials: SortedMap<DefinitionId, CredentialRecord>,
    /// Per equivalency.
    pub equivalencies: SortedMap<EquivalencyId, EquivalencyRecord>,
    /// The definitions' validator findings.
    pub validation: Vec<Finding>,
    /// PLAR cases, in request order (REQ-PLAR-08).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plar_cases: Vec<PlarCase>,
}

/// A rejected event: its 0-based index in the log as given, the rule's code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedEvent {
    /// Index in the log as given.
    pub event: usize,
    /// The rule's stable code.
    pub code: &'static str,
    /// What happened, with the numbers.
    pub message: String,
}

/// One competency in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetencyRecord {
    /// The owning definition.
    pub definition: DefinitionId,
    /// Status.
    pub status: MasteryStatus,
    /// The exact score, or `None` when there is no value.
    pub score: Option<Number>,
    /// The reported score (2 decimals), what decisions compare.
    pub reported: Option<SmolStr>,
    /// The competency's threshold.
    pub threshold_percent: Number,
    /// `plar` or `assessment`, when mastered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    /// The PLAR method that granted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plar_method: Option<PlarMethod>,
    /// Who decided the PLAR grant (REQ-ASSESS-09, REQ-PLAR-09).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<Assessor>,
    /// The rubric version the PLAR grant was decided with (REQ-PLAR-09).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_rubric: Option<RubricRef>,
    /// Time ranges of recordings mapped to it (REQ-ASSESS-08, REQ-PLAR-13).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceLink>,
}

/// One attempt in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptRecord {
    /// 1-based number among the learner's attempts on the assessment.
    pub number: u32,
    /// Submission time.
    pub at: Timestamp,
    /// Route.
    pub route: Route,
    /// Whether it counts toward `max_attempts`.
    pub counted: bool,
    /// Renewal cycle it belongs to (0 for ordinary assessments).
    pub cycle: u32,
    /// Whether it waits for a grader.
    pub pending: bool,
    /// Whether it is a scored attempt (enters the kept result).
    pub scored: bool,
    /// Its percent before any re-sit cap.
    pub percent: Option<Number>,
    /// That percent as reported (2 decimals), for display.
    pub reported: Option<SmolStr>,
    /// The assessment's supervision mode (REQ-ASSESS-10); written when supervised.
    #[serde(skip_serializing_if = "SupervisionMode::is_default")]
    pub supervision: SupervisionMode,
    /// Who scored it (REQ-ASSESS-09).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessor: Option<Assessor>,
    /// Who attested it (supervised assessments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested_by: Option<String>,
    /// Evidence by reference (REQ-ASSESS-08).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRef>,
    /// Accepted overrides of its score, oldest first (REQ-ATTEMPT-12).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<OverrideRecord>,
    /// The shared rubric version it was scored with (REQ-ASSESS-06): the event's, else,
    /// once scored, the assessment's current one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rubric: Option<RubricRef>,
}

/// One assessment in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRecord {
    /// The owning definition.
    pub definition: DefinitionId,
    /// Summative or formative.
    pub kind: AssessmentKind,
    /// Counted attempts in the current cycle (formative: accepted attempts).
    pub attempts_counted: u32,
    /// The kept result's exact percent.
    pub kept_percent: Option<Number>,
    /// The kept percent as reported (2 decimals).
    pub kept_reported: Option<SmolStr>,
    /// The kept result's points (after any re-sit cap).
    pub kept_points: Option<Number>,
    /// Whether the kept result passes.
    pub passed: bool,
    /// The achievement level above pass the kept result reaches (REQ-ASSESS-12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The current renewal cycle (0 for ordinary assessments).
    pub cycle: u32,
    /// Every accepted attempt.
    pub attempts: Vec<AttemptRecord>,
    /// Feedback released, oldest first (REQ-ATTEMPT-04).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub feedback: Vec<FeedbackRecord>,
    /// What the learner can do next, for summative assessments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextStep>,
}

/// Status of an issuance at an instant (README §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuanceStatus {
    /// Never issued.
    NotIssued,
    /// Valid.
    Valid,
    /// After `valid_until`.
    Expired,
    /// Revoked at or before the instant.
    Revoked,
}

/// One issuance: the server stores one signed credential per (definition, version, cycle).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuanceRecord {
    /// The definition.
    pub definition: DefinitionId,
    /// The definition version it was earned under.
    pub version: String,
    /// Renewal cycle: 0 for the first issuance, then one per renewal.
    pub cycle: u32,
    /// Issue time.
    pub issued_at: Timestamp,
    /// End of validity.
    pub valid_until: Option<Timestamp>,
    /// Revocation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// Status at the record's instant.
    pub status: IssuanceStatus,
    /// PLAR methods in effect at issue time (internal, never badge content).
    pub plar_methods_used: Vec<PlarMethod>,
    /// The definition's achievement level reached at issue time (REQ-ASSESS-12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// A correction: the `cycle` of the issuance it replaces (REQ-ISSUE-06).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reissue_of: Option<u32>,
    /// Why it was reissued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reissue_reason: Option<String>,
    /// The first award time, when a correction carries it over (`awardedDate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awarded_at: Option<Timestamp>,
}

/// One credential definition in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialRecord {
    /// The definition's version.
    pub version: String,
    /// Status of the latest issuance.
    pub status: IssuanceStatus,
    /// Latest issue time.
    pub issued_at: Option<Timestamp>,
    /// Latest end of validity.
    pub valid_until: Option<Timestamp>,
    /// PLAR methods of the latest issuance.
    pub plar_methods_used: Vec<PlarMethod>,
    /// Whether the criteria hold at the record's instant.
    pub criteria_met: bool,
    /// Progress of the top rule.
    pub progress: Progress,
    /// Every issuance, in issue order.
    pub issuances: Vec<IssuanceRecord>,
    /// The offering joined at enrolment (REQ-DEF-12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offering: Option<String>,
    /// When the learner withdrew (REQ-COMP-10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<Timestamp>,
    /// What is met, what is missing, and what the learner can do next.
    pub explanation: Explanation,
}

/// Status of an equivalency (README §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EquivalencyStatus {
    /// Claimed.
    Claimed,
    /// May be claimed.
    Eligible,
    /// Requirements not met.
    NotEligible,
}

/// One equivalency in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EquivalencyRecord {
    /// The owning definition.
    pub definition: DefinitionId,
    /// Status.
    pub status: EquivalencyStatus,
    /// Credits it grants.
    pub credits: Number,
}

/// A learner's results in compact form, for roster-wide views.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearnerSummary {
    /// Per competency, in [`Course::competency_ids`] order.
    pub competencies: Vec<CompetencySummary>,
    /// Per assessment, in [`Course::assessment_ids`] order.
    pub assessments: Vec<AssessmentSummary>,
    /// Per definition, in [`Course::definition_ids`] order.
    pub credentials: Vec<CredentialSummary>,
    /// How many events were rejected.
    pub rejected: usize,
}

/// One competency of a [`LearnerSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetencySummary {
    /// Status.
    pub status: MasteryStatus,
    /// Exact score.
    pub score: Option<Number>,
}

/// One assessment of a [`LearnerSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentSummary {
    /// Counted attempts (current cycle).
    pub attempts_counted: u32,
    /// Kept percent, exact.
    pub kept_percent: Option<Number>,
    /// Whether the kept result passes.
    pub passed: bool,
}

/// One credential of a [`LearnerSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialSummary {
    /// Status of the latest issuance.
    pub status: IssuanceStatus,
    /// Latest issue time.
    pub issued_at: Option<Timestamp>,
}

impl Learner<'_, '_> {
    pub(super) fn summary(&self, at: Timestamp) -> LearnerSummary {
        let course = self.course;
        LearnerSummary {
            competencies: (0..course.comps.len())
                .map(|c| {
                    let r = self.competency(c);
                    CompetencySummary {
                        status: r.status,
                        score: r.score,
                    }
                })
                .collect(),
            assessments: (0..course.asmts.len())
                .map(|a| {
                    let counted = self.attempts_counted(a);
                    let kept = &self.kept[a];
                    AssessmentSummary {
                        attempts_counted: counted as u32,
                        kept_percent: self.kept_scores(a).map(|k| k.percent.clone()),
                        passed: kept.as_ref().is_some_and(|k| k.passes),
                    }
                })
                .collect(),
            credentials: self
                .issuances
                .iter()
                .map(|list| CredentialSummary {
                    status: list
                        .last()
                        .map_or(IssuanceStatus::NotIssued, |i| issuance_status(i, at)),
                    issued_at: list.last().map(|i| i.issued_at),
                })
                .collect(),
            rejected: self.errors.len(),
        }
    }

    pub(super) fn record(&mut self, at: Timestamp) -> Record {
        let course = self.course;
        // Each map is collected from the course's entries taken in id order, one per id
        // (`Course`'s id indexes), so `SortedMap`'s `collect` finds them sorted: no insert
        // per entry, no sort per record.
        let competencies = course.comp_by_id.values().map(|&c| {
            let comp = &course.comps[c];
            let result = self.competency(c);
            let source = (result.status == MasteryStatus::Mastered).then(|| {
                if self.granted_comps[c].is_some() {
                    "plar"
                } else {
                    "assessment"
                }
            });
            (
                comp.id.clone(),
                CompetencyRecord {
                    definition: course.defs[comp.def].id.clone(),
                    status: result.status,
                    reported: result.score.as_ref().map(Number::to_reported_text),
                    score: result.score,
                    threshold_percent: comp.threshold.clone(),
                    source,
                    plar_method: self.granted_comps[c].map(|g| g.0),
                    granted_by: self.conduct.grant_assessor(c).cloned(),
                    granted_rubric: self.conduct.grant_rubric(c).cloned(),
                    evidence: self.evidence_links(c),
                },
            )
        });
        let competencies = competencies.collect();
        let assessments = course.asmt_order.iter().map(|&a| {
            let info = &course.asmts[a];
            let cycle = self.cycle(a);
            let kept = &self.kept[a];
            let attempts = self.asmts[a]
                .attempts
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let conduct = self.conduct.attempt(a, i).cloned().unwrap_or_default();
                    AttemptRecord {
                        number: x.number,
                        at: x.at,
                        route: x.route,
                        counted: x.counted,
                        cycle: x.cycle,
                        pending: x.scores.is_none(),
                        // The current cycle's as the kept result takes them in
                        // ([`Learner::for_each_scored`]); an earlier cycle's if scored.
                        scored: if x.cycle == cycle {
                            x.taken_scores().is_some()
                        } else {
                            x.scores.is_some()
                        },
                        percent: x.scores.as_ref().map(|s| s.percent.clone()),
                        reported: x.scores.as_ref().map(|s| s.percent.to_reported_text()),
                        supervision: info.supervision,
                        assessor: conduct.assessor,
                        attested_by: conduct.attested_by,
                        evidence: conduct.evidence,
                        overrides: conduct.overrides,
                        rubric: conduct
                            .rubric
                            .or_else(|| x.scores.as_ref().and(info.rubric_ref.clone())),
                    }
                })
                .collect();
            let counted = self.attempts_counted(a);
            (
                info.id.clone(),
                AssessmentRecord {
                    definition: course.defs[info.def].id.clone(),
                    kind: info.kind,
                    attempts_counted: counted as u32,
                    kept_percent: self.kept_scores(a).map(|k| k.percent.clone()),
                    kept_reported: self.kept_scores(a).map(|k| k.percent.to_reported_text()),
                    kept_points: self.kept_scores(a).map(|k| k.total.clone()),
                    passed: kept.as_ref().is_some_and(|k| k.passes),
                    level: self
                        .kept_scores(a)
                        .filter(|_| kept.as_ref().is_some_and(|k| k.passes))
                        .and_then(|k| level_reached(&info.levels, &k.percent))
                        .map(str::to_owned),
                    cycle,
                    attempts,
                    feedback: self.conduct.feedback(a),
                    next: self.next_step(a, at),
                },
            )
        });
        let assessments = assessments.collect();
        let credentials = course.def_by_id.values().map(|&d| {
            let def = &course.defs[d];
            let explanation = course.def_info[d].criteria.explain(&self.view(d, at));
            let issuances: Vec<IssuanceRecord> = self.issuances[d]
                .iter()
                .enumerate()
                .map(|(cycle, i)| IssuanceRecord {
                    definition: def.id.clone(),
                    version: def.version.clone(),
                    cycle: cycle as u32,
                    issued_at: i.issued_at,
                    valid_until: i.valid_until,
                    revoked_at: i.revoked_at,
                    status: issuance_status(i, at),
                    plar_methods_used: i.plar_methods_used.clone(),
                    level: i.level.clone(),
                    reissue_of: i.reissue_of.as_ref().map(|r| r.0),
                    reissue_reason: i.reissue_of.as_ref().map(|r| r.1.clone()),
                    awarded_at: Some(i.awarded_at).filter(|&w| w != i.issued_at),
                })
                .collect();
            let latest = issuances.last();
            (
                def.id.clone(),
                CredentialRecord {
                    version: def.version.clone(),
                    status: latest.map_or(IssuanceStatus::NotIssued, |i| i.status),
                    issued_at: latest.map(|i| i.issued_at),
                    valid_until: latest.and_then(|i| i.valid_until),
                    plar_methods_used: latest
                        .map(|i| i.plar_methods_used.clone())
                        .unwrap_or_default(),
                    criteria_met: explanation.satisfied,
                    progress: explanation.progress.clone(),
                    explanation,
                    issuances,
                    offering: self.offerings[d].as_ref().map(|o| o.id.clone()),
                    withdrawn_at: self.withdrawn_at[d],
                },
            )
        });
        let credentials = credentials.collect();
        let equivalencies = course.equiv_by_id.values().map(|&(d, e)| {
            let def = &course.defs[d];
            let eq = &def.equivalencies[e];
            let status = if self.claimed.contains(&(d, e)) {
                EquivalencyStatus::Claimed
            } else if self.holds(&course.def_info[d].equivalencies[e], d, at) {
                EquivalencyStatus::Eligible
            } else {
                EquivalencyStatus::NotEligible
            };
            (
                eq.id.clone(),
                EquivalencyRecord {
                    definition: def.id.clone(),
                    status,
                    credits: eq.credits.clone(),
                },
            )
        });
        let equivalencies = equivalencies.collect();
        Record {
            at,
            errors: std::mem::take(&mut self.errors),
            competencies,
            assessments,
            credentials,
            equivalencies,
            validation: course.validation.clone(),
            plar_cases: std::mem::take(&mut self.cases),
        }
    }
}

pub(super) fn issuance_status(i: &Issuance, at: Timestamp) -> IssuanceStatus {
    if i.revoked_at.is_some_and(|r| r <= at) {
        IssuanceStatus::Revoked
    } else if i.valid_until.is_some_and(|v| at > v) {
        IssuanceStatus::Expired
    } else {
        IssuanceStatus::Valid
    }
}
