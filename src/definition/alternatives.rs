//! Alternative summatives (REQ-ASSESS-11) and PLAR direct-assessment instruments
//! (REQ-PLAR-03): groups of assessments of one definition of which passing any one
//! satisfies the competencies they feed. In README §5.2 a group counts as one item (the
//! fold's `record::competency`). This file owns the group's JSON (`docs/format.md` §3.5),
//! its structural checks and its validator findings.

use serde::Serialize;

use super::{AssessmentKind, CredentialDefinition, DefinitionError, fed_competencies, is_renewal};
use super::{Finding, Severity};
use crate::ids::AssessmentId;
use crate::sorted_map::StrSet;

/// What a group of alternatives is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlternativeKind {
    /// The learner chooses one option (REQ-ASSESS-11).
    #[default]
    LearnerChoice,
    /// A separate instrument for PLAR direct assessment (REQ-PLAR-03).
    PlarDirectAssessment,
}

crate::unit_names::unit_names!(AlternativeKind { LearnerChoice => "learner_choice", PlarDirectAssessment => "plar_direct_assessment" });

/// A group of alternative summatives: passing any one satisfies the competencies they feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlternativeGroup {
    /// Unique id among groups.
    pub id: String,
    /// What the group is for.
    pub kind: AlternativeKind,
    /// Two or more summative, non-renewal assessments of this definition, in order of
    /// preference (ties go to the earlier).
    pub assessments: Vec<AssessmentId>,
}

crate::read_object!(AlternativeGroup { id, kind = default(), assessments });

/// The structural rules the fold relies on: every member is a summative, non-renewal
/// assessment of the same definition, named once, in one group only; a group has two or
/// more members and a unique id.
pub(super) fn check_alternatives(def: &CredentialDefinition) -> Result<(), DefinitionError> {
    let mut ids = StrSet::new();
    let mut members = StrSet::new();
    for g in &def.alternatives {
        let field = format!("alternatives[{}]", g.id);
        let invalid = |problem: String| DefinitionError::InvalidValue {
            definition: def.id.to_string(),
            field: field.clone(),
            problem,
        };
        if !ids.insert(g.id.as_str()) {
            return Err(DefinitionError::DuplicateId {
                kind: "alternative group",
                id: g.id.clone(),
            });
        }
        if g.assessments.len() < 2 {
            return Err(invalid("must name at least two assessments".into()));
        }
        for a in &g.assessments {
            let Some(found) = def.assessments.iter().find(|x| x.id == *a) else {
                return Err(DefinitionError::UnknownReference {
                    definition: def.id.to_string(),
                    field: format!("{field}.assessments"),
                    kind: "assessment of this definition",
                    id: a.to_string(),
                });
            };
            if found.kind != AssessmentKind::Summative || is_renewal(def, a) {
                return Err(invalid(format!(
                    "names \"{a}\", which is not a summative, non-renewal assessment"
                )));
            }
            if !members.insert(a.as_str()) {
                return Err(invalid(format!(
                    "names \"{a}\", which is already an alternative (an assessment belongs to one group, once)"
                )));
            }
        }
    }
    Ok(())
}

/// Validator findings: the members of a group must feed exactly the same competencies
/// (`alternative_competencies_differ`, or `plar_instrument_competencies_differ` for a PLAR
/// instrument), and a PLAR instrument needs a PLAR policy with `direct_assessment`
/// (`plar_instrument_not_allowed`). All are errors.
pub(super) fn validate_alternatives(def: &CredentialDefinition, out: &mut Vec<Finding>) {
    for g in &def.alternatives {
        let sets: Vec<(&AssessmentId, StrSet)> = g
            .assessments
            .iter()
            .filter_map(|id| def.assessments.iter().find(|a| a.id == *id))
            .map(|a| {
                let set = fed_competencies(a)
                    .into_iter()
                    .map(|c| c.as_str())
                    .collect();
                (&a.id, set)
            })
            .collect();
        let plar = g.kind == AlternativeKind::PlarDirectAssessment;
        if let Some((first, first_set)) = sets.first()
            && let Some((other, _)) = sets.iter().find(|(_, s)| s != first_set)
        {
            out.push(Finding {
                code: if plar {
                    "plar_instrument_competencies_differ"
                } else {
                    "alternative_competencies_differ"
                },
                severity: Severity::Error,
                reference: g.id.clone(),
                message: format!(
                    "alternatives \"{first}\" and \"{other}\" feed different competencies; every member of group \"{}\" must feed exactly the same ones",
                    g.id
                ),
            });
        }
        let allowed = def
            .plar
            .as_ref()
            .is_some_and(|p| p.methods.contains(&super::PlarMethod::DirectAssessment));
        if plar && !allowed {
            out.push(Finding {
                code: "plar_instrument_not_allowed",
                severity: Severity::Error,
                reference: g.id.clone(),
                message: format!(
                    "group \"{}\" is a PLAR direct-assessment instrument, but the definition's PLAR policy does not list direct_assessment",
                    g.id
                ),
            });
        }
    }
}
