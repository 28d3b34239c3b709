//! The validator of `fixtures/scenarios/README.md` §10 (rules V1–V10, [`validate`]), with
//! an institution's configuration ([`validate_in`]: which kinds are micro-credentials, the
//! credit flag of REQ-DEF-08, the hour bands of REQ-DEF-06). Findings never stop the fold.

use serde::Serialize;

use super::institution::InstitutionConfig;
use super::{
    AssessmentKind, CredentialDefinition, Mode, Scoring, Validity, fed_competencies, is_renewal,
};
use crate::number::Number;

/// How serious a validator finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks publishing.
    Error,
    /// Worth a look; does not block.
    Warning,
}

/// A validator finding (README §10).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// The rule's stable code.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The id of the definition, competency or assessment concerned.
    #[serde(rename = "ref")]
    pub reference: String,
    /// A sentence saying what to change.
    pub message: String,
}

/// The validator of README §10 (rules V1–V10) over every definition, in definition order,
/// with the README's defaults ([`InstitutionConfig::default`]).
pub fn validate(definitions: &[CredentialDefinition]) -> Vec<Finding> {
    validate_in(definitions, &InstitutionConfig::default())
}

/// The validator with an institution's configuration: V9 for every kind the institution
/// counts as a micro-credential (REQ-DEF-03), credits on a non-credit definition
/// (`credits_not_allowed`, REQ-DEF-08) and hours outside the kind's band
/// (`hours_outside_band`, REQ-DEF-06).
pub fn validate_in(
    definitions: &[CredentialDefinition],
    config: &InstitutionConfig,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for def in definitions {
        validate_definition(def, config, &mut findings);
        super::alternatives::validate_alternatives(def, &mut findings);
        super::levels::validate_levels(def, &mut findings);
        institution_rules(def, config, &mut findings);
    }
    super::rubrics::validate_rubrics(definitions, &mut findings);
    findings
}

/// REQ-DEF-08 and REQ-DEF-06 for one definition.
fn institution_rules(
    def: &CredentialDefinition,
    config: &InstitutionConfig,
    out: &mut Vec<Finding>,
) {
    let kind = config.kind(&def.kind);
    let credit_bearing = def.credit_bearing.or(kind.map(|k| k.credit_bearing));
    if credit_bearing == Some(false)
        && let Some(credits) = def.credits.as_ref().filter(|c| **c > Number::zero())
    {
        out.push(Finding {
            code: "credits_not_allowed",
            severity: Severity::Error,
            reference: def.id.to_string(),
            message: format!(
                "\"{}\" is not credit-bearing but carries {credits} credits: remove them or make it credit-bearing",
                def.id
            ),
        });
    }
    if let (Some(hours), Some(k)) = (&def.hours, kind)
        && let Some(band) = k.hours.as_ref().filter(|b| !b.contains(hours))
    {
        out.push(Finding {
            code: "hours_outside_band",
            severity: Severity::Warning,
            reference: def.id.to_string(),
            message: format!(
                "\"{}\" has {hours} hours, outside the band of a {} ({})",
                def.id,
                k.local_name,
                band.describe()
            ),
        });
    }
}

fn validate_definition(
    def: &CredentialDefinition,
    config: &InstitutionConfig,
    out: &mut Vec<Finding>,
) {
    let mut push = |code: &'static str, severity: Severity, reference: &str, message: String| {
        out.push(Finding {
            code,
            severity,
            reference: reference.to_owned(),
            message,
        });
    };
    // V1
    for c in &def.competencies {
        let assessed = def.assessments.iter().any(|a| {
            a.kind == AssessmentKind::Summative
                && !is_renewal(def, &a.id)
                && fed_competencies(a).contains(&&c.id)
        });
        if !assessed {
            push(
                "competency_not_assessed",
                Severity::Error,
                c.id.as_str(),
                format!(
                    "competency \"{}\" is not fed by any summative assessment: align an assessment or a rubric part to it",
                    c.id
                ),
            );
        }
    }
    // V2
    if def.mode == Mode::CompetencyBased && def.attempt_policy.max_attempts == Some(1) {
        push(
            "single_attempt_competency_based",
            Severity::Warning,
            def.id.as_str(),
            format!(
                "\"{}\" is competency-based but allows one attempt: learners get no second attempt after feedback",
                def.id
            ),
        );
    }
    for a in def
        .assessments
        .iter()
        .filter(|a| a.kind == AssessmentKind::Summative)
    {
        let policy = a.attempt_policy.as_ref().unwrap_or(&def.attempt_policy);
        // V3
        if policy.scoring == Scoring::First && policy.max_attempts != Some(1) {
            push(
                "first_scoring_with_retries",
                Severity::Warning,
                a.id.as_str(),
                format!(
                    "assessment \"{}\" keeps the first attempt yet allows retries: later attempts can never change the result",
                    a.id
                ),
            );
        }
        if let Some(cap) = &policy.resit_cap_percent {
            // V4
            if !a.parts.is_empty() {
                push(
                    "resit_cap_with_parts",
                    Severity::Error,
                    a.id.as_str(),
                    format!(
                        "assessment \"{}\" has rubric parts and a re-sit cap: a cap applies only to assessments without parts",
                        a.id
                    ),
                );
            }
            // V5
            if let Some(pass) = &a.pass_percent
                && cap < pass
            {
                push(
                    "resit_cap_below_pass",
                    Severity::Warning,
                    a.id.as_str(),
                    format!(
                        "assessment \"{}\" caps re-sits at {cap}% but passes at {pass}%: a re-sit can never pass",
                        a.id
                    ),
                );
            }
        }
    }
    // V6
    if def.bc_micro_credential
        && let Some(hours) = &def.hours
        && *hours >= Number::from_integer(288)
    {
        push(
            "bc_duration_exceeded",
            Severity::Error,
            def.id.as_str(),
            format!(
                "\"{}\" is a B.C. micro-credential of {hours} hours: it must total fewer than 288",
                def.id
            ),
        );
    }
    // V7, V8, V10
    if let Some(map) = &def.curriculum_map {
        let rank = |level: &str| map.levels.iter().position(|l| l == level).unwrap_or(0);
        let target = rank(&map.target);
        for (c, row) in &map.rows {
            let levels: Vec<usize> = row.iter().flatten().map(|l| rank(l)).collect();
            if levels.iter().max().is_none_or(|&m| m < target) {
                push(
                    "map_target_not_reached",
                    Severity::Error,
                    c.as_str(),
                    format!(
                        "competency \"{c}\" never reaches the target level \"{}\" in the curriculum map",
                        map.target
                    ),
                );
            }
            if levels
                .iter()
                .enumerate()
                .any(|(i, &l)| levels[..i].iter().any(|&e| l < e))
            {
                push(
                    "map_regression",
                    Severity::Warning,
                    c.as_str(),
                    format!(
                        "competency \"{c}\" drops to a lower level in a later component of the curriculum map"
                    ),
                );
            }
            if let Some(Some(first)) = row.first()
                && rank(first) > 0
            {
                push(
                    "map_prerequisite_implied",
                    Severity::Warning,
                    c.as_str(),
                    format!(
                        "competency \"{c}\" starts above the lowest level in the first component: it implies a prerequisite"
                    ),
                );
            }
        }
    }
    // README §11: every instant stays within years 0001–9999.
    if let Some(v) = def.validity
        && !fits_the_calendar(v)
    {
        let (n, unit, max) = match v {
            Validity::Days(n) => (n, "days", MAX_VALIDITY_DAYS),
            Validity::Months(n) => (n, "months", MAX_VALIDITY_MONTHS),
        };
        push(
            "validity_out_of_range",
            Severity::Error,
            def.id.as_str(),
            format!(
                "\"{}\" is valid for {n} {unit}: an issuance would stay valid past 9999-12-31, the last day the core represents; use at most {max} {unit}",
                def.id
            ),
        );
    }
    // V9
    if config.counts_as_micro_credential(&def.kind) && !def.criteria.has_assessed_leaf() {
        push(
            "participation_only_micro_credential",
            Severity::Error,
            def.id.as_str(),
            format!(
                "\"{}\" is a micro-credential whose criteria ask for no assessment, competency or credential: micro-credentials must be formally assessed",
                def.id
            ),
        );
    }
}

/// The longest validity in days that keeps an issuance made on 0001-01-01 within 9999-12-31
/// (README §11); a longer one cannot fit the calendar wherever the issuance falls.
pub const MAX_VALIDITY_DAYS: u32 = 3_652_058;
/// The same in calendar months: 0001-01-01 + 119,987 months = 9999-12-01.
pub const MAX_VALIDITY_MONTHS: u32 = 119_987;

/// Whether some issuance can stay within years 0001–9999 with this validity.
fn fits_the_calendar(validity: Validity) -> bool {
    match validity {
        Validity::Days(n) => n <= MAX_VALIDITY_DAYS,
        Validity::Months(n) => n <= MAX_VALIDITY_MONTHS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validity_longer_than_the_calendar_is_an_error() {
        use crate::Timestamp;
        let first = Timestamp::parse("0001-01-01T00:00:00Z").unwrap();
        // The bounds are the longest validities that fit: one more does not.
        assert_eq!(
            first.plus_days(i64::from(MAX_VALIDITY_DAYS)).to_string(),
            "9999-12-31T00:00:00Z"
        );
        assert_eq!(
            first
                .plus_months(i64::from(MAX_VALIDITY_MONTHS))
                .to_string(),
            "9999-12-01T00:00:00Z"
        );
        assert_eq!(
            first.plus_months(i64::from(MAX_VALIDITY_MONTHS) + 1),
            Timestamp::MAX
        );
        let with = |validity: serde_json::Value| {
            let mut def = super::super::bc_definition(serde_json::json!({}));
            def.validity = serde_json::from_value(validity).unwrap();
            validate(&[def])
                .into_iter()
                .filter(|f| f.code == "validity_out_of_range")
                .collect::<Vec<_>>()
        };
        assert!(with(serde_json::json!({"days": MAX_VALIDITY_DAYS})).is_empty());
        assert!(with(serde_json::json!({"months": MAX_VALIDITY_MONTHS})).is_empty());
        let found = with(serde_json::json!({"days": u32::MAX}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Error);
        assert!(
            found[0].message.contains("9999-12-31"),
            "{}",
            found[0].message
        );
        assert_eq!(
            with(serde_json::json!({"months": MAX_VALIDITY_MONTHS + 1})).len(),
            1
        );
    }
}
