//! The PLAR case workflow (REQ-PLAR-08; `docs/format.md` §5.6) and the credit bank
//! (REQ-PLAR-10, -11). A case moves requested → assessing → decided: `plar_requested` opens
//! it, each `plar_assessed` adds one independent assessment, and a `plar_granted` or
//! `plar_denied` naming the case decides it. A definition whose PLAR policy requires two
//! assessors refuses a decision until two distinct assessors assessed the case (and a
//! decision outside any case). Advisors may neither assess nor decide. A credit-bank
//! application grants an entry's competencies and components when the completion (formal
//! agreement) or the request (reused individual review) falls inside the entry's window.

use serde::Serialize;

use super::learner::Learner;
use crate::definition::{PlarMethod, RubricRef, is_declared};
use crate::event::{PlarAssessment, PlarDecision, PlarRecommendation, PlarRequest, PlarRole};
use crate::ids::{CompetencyId, DefinitionId};
use crate::policy::PolicyError;
use crate::provenance::{self, Assessor};
use crate::time::Timestamp;

/// A PLAR case as the record shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlarCase {
    /// The case id.
    pub case: String,
    /// The governing definition.
    pub credential: DefinitionId,
    /// The method requested.
    pub method: PlarMethod,
    /// The competency requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub competency: Option<CompetencyId>,
    /// The component requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<DefinitionId>,
    /// `requested`, `assessing` or `decided`.
    pub state: CaseState,
    /// When it was opened.
    pub requested_at: Timestamp,
    /// Independent assessments, in order.
    pub assessments: Vec<CaseAssessment>,
    /// The decision, once made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<CaseDecision>,
}

/// Where a PLAR case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Opened; nobody has assessed it.
    Requested,
    /// At least one assessment; no decision.
    Assessing,
    /// Granted or denied.
    Decided,
}

/// One assessor's assessment of a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseAssessment {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub assessor: Assessor,
    /// What they recommend.
    pub recommendation: PlarRecommendation,
    /// The rubric version they used (REQ-PLAR-09).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rubric: Option<RubricRef>,
}

/// The decision on a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDecision {
    /// When.
    pub at: Timestamp,
    /// Whether the request was granted.
    pub granted: bool,
    /// Who decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessor: Option<Assessor>,
    /// The rubric version the decision was made with (REQ-PLAR-09).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rubric: Option<RubricRef>,
    /// Why it was denied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Learner<'_, '_> {
    fn case_index(&self, case: &str) -> Result<usize, PolicyError> {
        let found = self.cases.iter().position(|c| c.case == case);
        found.ok_or_else(|| PolicyError::UnknownReference {
            kind: "PLAR case",
            id: case.to_owned(),
        })
    }

    /// A rubric an event names must be one some definition declares.
    pub(super) fn check_rubric(&self, rubric: Option<&RubricRef>) -> Result<(), PolicyError> {
        match rubric {
            Some(r) if !is_declared(&self.course.defs, r) => Err(PolicyError::UnknownReference {
                kind: "rubric version",
                id: r.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// `plar_requested`: a new case id, a target of the definition, a grant method the
    /// definition accepts.
    pub(super) fn request_case(
        &mut self,
        request: &PlarRequest,
        t: Timestamp,
    ) -> Result<(), PolicyError> {
        let d = self.def_index(&request.credential)?;
        self.plar_target(d, request.competency.as_ref(), request.component.as_ref())?;
        if self.cases.iter().any(|c| c.case == request.case) {
            return Err(PolicyError::InvalidEvent {
                problem: format!("PLAR case \"{}\" is already open", request.case),
            });
        }
        let def = &self.course.defs[d];
        let allowed = def
            .plar
            .as_ref()
            .is_some_and(|p| p.methods.contains(&request.method) && !request.method.is_challenge());
        if !allowed {
            return Err(PolicyError::PlarMethodNotAllowed {
                method: request.method.as_str(),
                credential: def.id.to_string(),
            });
        }
        self.cases.push(PlarCase {
            case: request.case.clone(),
            credential: request.credential.clone(),
            method: request.method,
            competency: request.competency.clone(),
            component: request.component.clone(),
            state: CaseState::Requested,
            requested_at: t,
            assessments: Vec::new(),
            decision: None,
        });
        Ok(())
    }

    /// `plar_assessed`: on an open case, by an assessor who is neither an advisor nor a
    /// peer or the learner.
    pub(super) fn assess_case(
        &mut self,
        assessment: &PlarAssessment,
        t: Timestamp,
    ) -> Result<(), PolicyError> {
        let k = self.case_index(&assessment.case)?;
        if self.cases[k].decision.is_some() {
            return Err(PolicyError::PlarCaseDecided {
                case: assessment.case.clone(),
            });
        }
        if assessment.role == Some(PlarRole::Advisor) {
            return Err(PolicyError::PlarNotAuthorized { action: "assess" });
        }
        provenance::check_assessor(Some(&assessment.assessor), true, || {
            format!("PLAR case \"{}\"", assessment.case)
        })?;
        self.check_rubric(assessment.rubric.as_ref())?;
        let case = &mut self.cases[k];
        case.state = CaseState::Assessing;
        case.assessments.push(CaseAssessment {
            at: t,
            assessor: assessment.assessor.clone(),
            recommendation: assessment.recommendation,
            rubric: assessment.rubric.clone(),
        });
        Ok(())
    }

    /// The workflow checks of a `plar_granted` or `plar_denied` on definition `d`: not an
    /// advisor; a declared rubric; the case, when named, open and for this very request;
    /// and as many distinct assessors as the definition requires.
    pub(super) fn check_decision(
        &self,
        decision: &PlarDecision,
        d: usize,
    ) -> Result<(), PolicyError> {
        if decision.role == Some(PlarRole::Advisor) {
            return Err(PolicyError::PlarNotAuthorized { action: "decide" });
        }
        self.check_rubric(decision.rubric.as_ref())?;
        let required = self.course.defs[d]
            .plar
            .as_ref()
            .map_or(1, |p| p.assessors_required);
        let Some(name) = &decision.case else {
            return match required {
                0 | 1 => Ok(()),
                _ => Err(PolicyError::PlarCaseNotAssessed {
                    case: "(none named)".into(),
                    required,
                    have: 0,
                }),
            };
        };
        let case = &self.cases[self.case_index(name)?];
        if case.decision.is_some() {
            return Err(PolicyError::PlarCaseDecided { case: name.clone() });
        }
        let same = case.credential == decision.credential
            && case.method == decision.method
            && case.competency == decision.competency
            && case.component == decision.component;
        if !same {
            return Err(PolicyError::InvalidEvent {
                problem: format!(
                    "the decision does not match PLAR case \"{name}\" (definition, method and target)"
                ),
            });
        }
        let mut assessors: Vec<&str> = case
            .assessments
            .iter()
            .map(|x| x.assessor.id.as_str())
            .collect();
        assessors.sort_unstable();
        assessors.dedup();
        let have = assessors.len() as u32;
        if have < required {
            return Err(PolicyError::PlarCaseNotAssessed {
                case: name.clone(),
                required,
                have,
            });
        }
        Ok(())
    }

    /// Records an accepted decision on its case, if it names one.
    pub(super) fn decide_case(&mut self, decision: &PlarDecision, granted: bool, t: Timestamp) {
        let Some(name) = &decision.case else { return };
        if let Some(case) = self.cases.iter_mut().find(|c| c.case == *name) {
            case.state = CaseState::Decided;
            case.decision = Some(CaseDecision {
                at: t,
                granted,
                assessor: decision.assessor.clone(),
                rubric: decision.rubric.clone(),
                reason: decision.reason.clone(),
            });
        }
    }

    /// `credit_bank_applied`: grants every competency and component of the entry by the
    /// `credit_bank` method, all or nothing, when the completion (formal agreement, both
    /// ends inclusive) or the request (a reused review: from its approval to approval +
    /// `reuse_window_months`) is inside the window; else `outside_credit_window`.
    pub(super) fn apply_credit(
        &mut self,
        credential: &DefinitionId,
        entry: &str,
        completed_at: Option<Timestamp>,
        t: Timestamp,
    ) -> Result<(), PolicyError> {
        let d = self.def_index(credential)?;
        let plar = self.course.defs[d].plar.as_ref();
        let found = plar.and_then(|p| p.credit_bank.iter().find(|e| e.id == entry));
        let (Some(plar), Some(found)) = (plar, found) else {
            return Err(PolicyError::UnknownReference {
                kind: "credit-bank entry",
                id: entry.to_owned(),
            });
        };
        let (when, from, until) = match (&found.agreement, found.approved_at) {
            (Some(w), None) => {
                let when = completed_at.ok_or_else(|| PolicyError::InvalidEvent {
                    problem: format!("entry \"{entry}\" is an agreement: give `completed_at`"),
                })?;
                (when, w.from, w.until)
            }
            (None, Some(approved)) => (
                t,
                approved,
                approved.plus_months(i64::from(plar.reuse_window_months)),
            ),
            _ => {
                return Err(PolicyError::InvalidEvent {
                    problem: format!(
                        "entry \"{entry}\" needs exactly one of `agreement` and `approved_at`"
                    ),
                });
            }
        };
        if when < from || when > until {
            return Err(PolicyError::OutsideCreditWindow {
                what: format!("\"{}\" ({})", found.program, found.provider),
                completed_at: when,
                from,
                until,
            });
        }
        let (competencies, components) = (found.competencies.clone(), found.components.clone());
        let before = (self.granted_comps.clone(), self.granted_components[d].len());
        let method = PlarMethod::CreditBank;
        let result = competencies
            .iter()
            .try_for_each(|c| self.grant(credential, method, Some(c), None, t))
            .and_then(|()| {
                components
                    .iter()
                    .try_for_each(|k| self.grant(credential, method, None, Some(k), t))
            });
        if result.is_err() {
            // All or nothing: undo the grants this entry made before the refusal.
            self.granted_comps = before.0;
            self.granted_components[d].truncate(before.1);
            let cache = self.comp_cache.get_mut();
            cache.iter_mut().for_each(|c| *c = Default::default());
        }
        result
    }
}
