//! What an edit of a definition changes (REQ-LIFE-02; `docs/format.md` §3.10). Changing
//! competencies, outcomes, assessments, thresholds or credit status (and the award rule,
//! the PLAR route and equivalencies, which change what a learner must do just as much) is
//! *material*: it makes a new version under review, and a change of credit status also needs
//! the credit route's approval. Anything else (wording, badge metadata, descriptive hours,
//! validity) is not. [`changes`] compares two versions and names each changed part;
//! [`super::Lifecycle::revise`] turns the comparison into a new version or an edit in place.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Assessment, Competency, CredentialDefinition};

/// A part of a definition whose change is material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangedPart {
    /// A competency added, removed, or its statement, method, weight or alignment changed.
    Competencies,
    /// The design mode (competency- or outcome-based) or the curriculum map of outcomes.
    Outcomes,
    /// An assessment added, removed or changed (other than its pass mark), the default
    /// attempt policy, the groups of alternatives, the shared rubrics.
    Assessments,
    /// A competency's `threshold_percent` or an assessment's `pass_percent`.
    Thresholds,
    /// `credit_bearing` or `credits` (REQ-DEF-08): needs the credit route's approval.
    CreditStatus,
    /// The award rule.
    Criteria,
    /// The PLAR policy or the components PLAR may grant.
    Plar,
    /// The course equivalencies.
    Equivalencies,
}

impl ChangedPart {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangedPart::Competencies => "competencies",
            ChangedPart::Outcomes => "outcomes",
            ChangedPart::Assessments => "assessments",
            ChangedPart::Thresholds => "thresholds",
            ChangedPart::CreditStatus => "credit_status",
            ChangedPart::Criteria => "criteria",
            ChangedPart::Plar => "plar",
            ChangedPart::Equivalencies => "equivalencies",
        }
    }
}

/// One material change, with what changed in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The part.
    pub part: ChangedPart,
    /// What changed (`competency "C3" added`).
    pub detail: String,
}

/// The material changes from one version to another, in part order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct VersionChanges {
    /// Each change; empty when the edit is not material.
    pub changes: Vec<Change>,
}

impl VersionChanges {
    /// Whether the edit needs a new version under review.
    pub fn is_material(&self) -> bool {
        !self.changes.is_empty()
    }

    /// Whether the new version also needs the credit route's approval (credit status changed).
    pub fn needs_credit_route_approval(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.part == ChangedPart::CreditStatus)
    }

    /// The changed parts, each once, in part order.
    pub fn parts(&self) -> Vec<ChangedPart> {
        let mut parts: Vec<ChangedPart> = self.changes.iter().map(|c| c.part).collect();
        parts.sort();
        parts.dedup();
        parts
    }

    fn push(&mut self, part: ChangedPart, detail: String) {
        self.changes.push(Change { part, detail });
    }
}

/// The material changes from `old` to `new` (REQ-LIFE-02). Pure; the versions' `id` and
/// `version` strings are not compared.
pub fn changes(old: &CredentialDefinition, new: &CredentialDefinition) -> VersionChanges {
    let mut out = VersionChanges::default();
    compare_competencies(old, new, &mut out);
    if old.mode != new.mode {
        out.push(ChangedPart::Outcomes, "the design mode changed".to_owned());
    }
    if old.curriculum_map != new.curriculum_map {
        out.push(
            ChangedPart::Outcomes,
            "the curriculum map changed".to_owned(),
        );
    }
    compare_assessments(old, new, &mut out);
    if old.attempt_policy != new.attempt_policy {
        out.push(
            ChangedPart::Assessments,
            "the attempt policy changed".to_owned(),
        );
    }
    if old.alternatives != new.alternatives {
        out.push(
            ChangedPart::Assessments,
            "the groups of alternatives changed".to_owned(),
        );
    }
    if old.rubrics != new.rubrics {
        out.push(
            ChangedPart::Assessments,
            "the shared rubrics changed".to_owned(),
        );
    }
    if old.credit_bearing != new.credit_bearing {
        out.push(
            ChangedPart::CreditStatus,
            "credit_bearing changed".to_owned(),
        );
    }
    if old.credits != new.credits {
        out.push(ChangedPart::CreditStatus, "credits changed".to_owned());
    }
    if old.criteria != new.criteria {
        out.push(ChangedPart::Criteria, "the award rule changed".to_owned());
    }
    if old.plar != new.plar || old.components != new.components {
        out.push(ChangedPart::Plar, "the PLAR route changed".to_owned());
    }
    if old.equivalencies != new.equivalencies {
        out.push(
            ChangedPart::Equivalencies,
            "the equivalencies changed".to_owned(),
        );
    }
    out.changes.sort_by_key(|c| c.part);
    out
}

fn compare_competencies(
    old: &CredentialDefinition,
    new: &CredentialDefinition,
    out: &mut VersionChanges,
) {
    let before: BTreeMap<&str, &Competency> = old
        .competencies
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let after: BTreeMap<&str, &Competency> = new
        .competencies
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    for (id, c) in &after {
        match before.get(id) {
            None => out.push(
                ChangedPart::Competencies,
                format!("competency \"{id}\" added"),
            ),
            Some(was) => {
                if was.threshold_percent != c.threshold_percent {
                    out.push(
                        ChangedPart::Thresholds,
                        format!(
                            "competency \"{id}\" threshold {} → {}",
                            was.threshold_percent, c.threshold_percent
                        ),
                    );
                }
                let mut same_bar = (*was).clone();
                same_bar.threshold_percent = c.threshold_percent.clone();
                if same_bar != **c {
                    out.push(
                        ChangedPart::Competencies,
                        format!("competency \"{id}\" changed"),
                    );
                }
            }
        }
    }
    for id in before.keys().filter(|id| !after.contains_key(*id)) {
        out.push(
            ChangedPart::Competencies,
            format!("competency \"{id}\" removed"),
        );
    }
}

fn compare_assessments(
    old: &CredentialDefinition,
    new: &CredentialDefinition,
    out: &mut VersionChanges,
) {
    let before: BTreeMap<&str, &Assessment> =
        old.assessments.iter().map(|a| (a.id.as_str(), a)).collect();
    for a in &new.assessments {
        let id = a.id.as_str();
        match before.get(id) {
            None => out.push(
                ChangedPart::Assessments,
                format!("assessment \"{id}\" added"),
            ),
            Some(was) => {
                if was.pass_percent != a.pass_percent {
                    out.push(
                        ChangedPart::Thresholds,
                        format!("assessment \"{id}\" pass mark changed"),
                    );
                }
                let mut same_bar = (*was).clone();
                same_bar.pass_percent = a.pass_percent.clone();
                if same_bar != *a {
                    out.push(
                        ChangedPart::Assessments,
                        format!("assessment \"{id}\" changed"),
                    );
                }
            }
        }
    }
    for a in &old.assessments {
        if !new.assessments.iter().any(|n| n.id == a.id) {
            out.push(
                ChangedPart::Assessments,
                format!("assessment \"{}\" removed", a.id),
            );
        }
    }
}
