//! Achievement levels above pass (REQ-ASSESS-12; `docs/format.md` §3.7): named levels such
//! as "Merit" and "Distinction", each with the reported percent it starts at, on an
//! assessment (compared with a passing attempt's or kept result's percent) or on a
//! definition (compared with the credential's score at issue time, the weighted mean of its
//! competencies' scores). The record shows the level reached; the credential carries the
//! definition's level in its `result`.

use serde::Serialize;

use super::CredentialDefinition;
use super::validate::{Finding, Severity};
use crate::number::Number;

/// One achievement level above pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AchievementLevel {
    /// The level's name, e.g. "Distinction".
    pub name: String,
    /// The reported percent (2 decimals, inclusive) from which it is reached.
    pub min_percent: Number,
}

crate::read_object!(AchievementLevel { name, min_percent });

/// The highest level whose `min_percent` the reported value of `percent` reaches, if any.
/// Callers ask only for results that pass.
pub fn level_reached<'l>(levels: &'l [AchievementLevel], percent: &Number) -> Option<&'l str> {
    levels
        .iter()
        .filter(|l| percent.meets(&l.min_percent))
        .max_by(|x, y| x.min_percent.cmp(&y.min_percent))
        .map(|l| l.name.as_str())
}

/// Findings L1 (`level_not_above_pass`: a level starts at or below the pass mark, or, on a
/// definition, at or below a competency's threshold) and L2 (`level_invalid`: a name given
/// twice or blank, or a start above 100).
pub(super) fn validate_levels(def: &CredentialDefinition, findings: &mut Vec<Finding>) {
    let hundred = Number::from_integer(100);
    let mut check = |reference: &str, levels: &[AchievementLevel], floor: Option<&Number>| {
        for (i, l) in levels.iter().enumerate() {
            let twice = levels[..i].iter().any(|x| x.name == l.name);
            if twice || l.name.trim().is_empty() || l.min_percent > hundred {
                findings.push(Finding {
                    code: "level_invalid",
                    severity: Severity::Error,
                    reference: reference.to_owned(),
                    message: format!(
                        "level \"{}\" must have a unique, non-blank name and start at 100 % or less",
                        l.name
                    ),
                });
            }
            if let Some(floor) = floor.filter(|f| l.min_percent <= **f) {
                findings.push(Finding {
                    code: "level_not_above_pass",
                    severity: Severity::Error,
                    reference: reference.to_owned(),
                    message: format!(
                        "level \"{}\" starts at {} %, not above the pass mark {} %",
                        l.name,
                        l.min_percent.to_exact_string(),
                        floor.to_exact_string()
                    ),
                });
            }
        }
    };
    for a in &def.assessments {
        check(a.id.as_str(), &a.levels, a.pass_percent.as_ref());
    }
    let highest_threshold = def.competencies.iter().map(|c| &c.threshold_percent).max();
    check(def.id.as_str(), &def.levels, highest_threshold);
}
