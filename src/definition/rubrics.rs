//! Rubrics as versioned shared objects (REQ-ASSESS-06, REQ-PLAR-09; `docs/format.md` §3.6):
//! a definition may declare rubrics, each with an id and a version, and any assessment of
//! the course may name one by id and version (`rubric_ref`). Editing a rubric makes a new
//! version; results and PLAR decisions keep the version they were scored with (the fold
//! records it from the event). The validator reports a reference to no declared rubric
//! version and a version declared twice with different content.

use serde::Serialize;

use super::CredentialDefinition;
use super::validate::{Finding, Severity};

/// A shared rubric, at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedRubric {
    /// Stable id across versions.
    pub id: String,
    /// This version's label; a new version for every edit.
    pub version: String,
    /// Title shown to graders and learners.
    pub title: String,
    /// The criteria graders score, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<RubricCriterion>,
    /// Performance level names, lowest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
}

crate::read_object!(SharedRubric {
    id, version, title, criteria = default(), levels = default(),
});

/// One criterion of a shared rubric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RubricCriterion {
    /// Unique within the rubric.
    pub id: String,
    /// What is looked for.
    pub description: String,
}

crate::read_object!(RubricCriterion { id, description });

/// A reference to one version of a shared rubric.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RubricRef {
    /// The rubric's id.
    pub id: String,
    /// The version.
    pub version: String,
}

crate::read_object!(RubricRef { id, version });

impl std::fmt::Display for RubricRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} v{}", self.id, self.version)
    }
}

/// Every rubric version declared by the definitions, in declaration order.
pub fn declared_rubrics(definitions: &[CredentialDefinition]) -> Vec<&SharedRubric> {
    definitions.iter().flat_map(|d| &d.rubrics).collect()
}

/// Whether `r` names a rubric version some definition declares.
pub fn is_declared(definitions: &[CredentialDefinition], r: &RubricRef) -> bool {
    declared_rubrics(definitions)
        .iter()
        .any(|x| x.id == r.id && x.version == r.version)
}

/// Findings R1 (`unknown_rubric`: an assessment names a rubric version no definition
/// declares) and R2 (`rubric_version_conflict`: one id and version declared twice with
/// different content: an edit must make a new version).
pub(super) fn validate_rubrics(definitions: &[CredentialDefinition], findings: &mut Vec<Finding>) {
    let declared = declared_rubrics(definitions);
    for (i, r) in declared.iter().enumerate() {
        let conflict = declared[..i]
            .iter()
            .any(|x| x.id == r.id && x.version == r.version && *x != *r);
        if conflict {
            findings.push(Finding {
                code: "rubric_version_conflict",
                severity: Severity::Error,
                reference: r.id.clone(),
                message: format!(
                    "rubric \"{}\" version \"{}\" is declared twice with different content; give the edited rubric a new version",
                    r.id, r.version
                ),
            });
        }
    }
    for def in definitions {
        for a in &def.assessments {
            let Some(r) = &a.rubric_ref else { continue };
            if !is_declared(definitions, r) {
                findings.push(Finding {
                    code: "unknown_rubric",
                    severity: Severity::Error,
                    reference: a.id.to_string(),
                    message: format!(
                        "assessment \"{}\" names rubric {r}, which no definition declares",
                        a.id
                    ),
                });
            }
        }
    }
}
