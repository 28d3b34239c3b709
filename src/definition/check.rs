//! The structural rules the fold relies on ([`check`]): unique ids, references that
//! resolve, required values present, numbers in range, methods valid, CIS values in their
//! vocabularies. Validator findings that do not stop the fold are `validate`'s.

use std::collections::{BTreeMap, BTreeSet};

use super::metadata::{ASSESSMENT_METHODS, DELIVERY_MODES, LEVELS, STACKABILITY, SUPERVISION};
use super::{
    AssessmentKind, AttemptPolicy, CredentialDefinition, CriticalInformationSummary, Validity,
};
use crate::criteria::{Leaf, Rule};
use crate::error::Error;
use crate::mastery::MasteryError;
use crate::number::Number;
use crate::sorted_map::StrSet;

/// Why a set of definitions cannot be folded. Each names the definition and the field
/// to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionError {
    /// Two things of one kind share an id within the set.
    #[error(
        "duplicate {kind} id \"{id}\": ids must be unique across all definitions read together"
    )]
    DuplicateId {
        /// What kind of id (`definition`, `competency`, …).
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A field refers to an id that no definition declares.
    #[error("definition \"{definition}\": {field} names {kind} \"{id}\", which is not defined")]
    UnknownReference {
        /// The definition.
        definition: String,
        /// Where the reference is.
        field: String,
        /// The kind of thing referred to.
        kind: &'static str,
        /// The missing id.
        id: String,
    },
    /// A required value is missing.
    #[error("definition \"{definition}\": {field} is required")]
    MissingValue {
        /// The definition.
        definition: String,
        /// The missing field.
        field: String,
    },
    /// A value is outside what the rule allows.
    #[error("definition \"{definition}\": {field} {problem}")]
    InvalidValue {
        /// The definition.
        definition: String,
        /// The field.
        field: String,
        /// What is wrong, as a sentence fragment.
        problem: String,
    },
    /// A competency's calculation method is invalid (`spec/mastery.md` §3).
    #[error("definition \"{definition}\", competency \"{competency}\": {source}")]
    Method {
        /// The definition.
        definition: String,
        /// The competency.
        competency: String,
        /// The method error.
        source: MasteryError,
    },
}

impl DefinitionError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            DefinitionError::DuplicateId { .. } => "duplicate_id",
            DefinitionError::UnknownReference { .. } => "unknown_reference",
            DefinitionError::MissingValue { .. } => "missing_value",
            DefinitionError::InvalidValue { .. } => "invalid_value",
            DefinitionError::Method { source, .. } => source.code(),
        }
    }
}

/// Reads a JSON array of definitions (the scenario `definitions` format) and checks that
/// they can be folded together ([`check_versions`]: several versions of one id may be given).
pub fn parse_definitions(json: &str) -> Result<Vec<CredentialDefinition>, Error> {
    let definitions: Vec<CredentialDefinition> =
        serde_json::from_str(json).map_err(|e| Error::json("definitions", e))?;
    check_versions(&definitions)?;
    Ok(definitions)
}

/// [`check`] for a list that may hold several versions of one definition id, oldest first
/// (REQ-LIFE-02; a learner is folded on one version of each, `crate::record::versions_for`):
/// one id and version given twice is `duplicate_id`, and every version is checked beside
/// the latest version of every other id.
pub fn check_versions(definitions: &[CredentialDefinition]) -> Result<(), DefinitionError> {
    let mut latest: BTreeMap<&str, usize> = BTreeMap::new();
    let mut versions: BTreeSet<(&str, &str)> = BTreeSet::new();
    for (i, def) in definitions.iter().enumerate() {
        if !versions.insert((def.id.as_str(), def.version.as_str())) {
            return Err(DefinitionError::DuplicateId {
                kind: "definition version",
                id: format!("{} {}", def.id, def.version),
            });
        }
        latest.insert(def.id.as_str(), i);
    }
    if latest.len() == definitions.len() {
        return check(definitions);
    }
    for (i, def) in definitions.iter().enumerate() {
        let set: Vec<CredentialDefinition> = latest
            .iter()
            .map(|(id, &l)| {
                if *id == def.id.as_str() {
                    definitions[i].clone()
                } else {
                    definitions[l].clone()
                }
            })
            .collect();
        check(&set)?;
    }
    Ok(())
}

/// Checks the structural rules that the fold relies on: unique ids, references that
/// resolve, required values present, numbers in range, methods valid. Validator findings
/// that do not stop the fold (README §10) are [`validate`](super::validate())'s.
pub fn check(definitions: &[CredentialDefinition]) -> Result<(), DefinitionError> {
    // One list of "kind\0id" keys, in the order of the definitions: sorted once, and only
    // when one repeats walked again to name the first repeat (a `BTreeSet<String>` was one
    // more tree type in the page's modules).
    let mut keys: Vec<(&'static str, String)> = Vec::new();
    for def in definitions {
        keys.push(("definition", format!("definition\0{}", def.id)));
        for c in &def.competencies {
            keys.push(("competency", format!("competency\0{}", c.id)));
        }
        for a in &def.assessments {
            keys.push(("assessment", format!("assessment\0{}", a.id)));
            for p in &a.parts {
                keys.push(("part", format!("part\0{}/{}", a.id, p.id)));
            }
        }
        for e in &def.equivalencies {
            keys.push(("equivalency", format!("equivalency\0{}", e.id)));
        }
    }
    let distinct: StrSet = keys.iter().map(|(_, key)| key.as_str()).collect();
    if distinct.len() < keys.len() {
        // Each distinct key's place in `distinct` marks it seen: linear after the sort,
        // whatever the order (inserting into a sorted set moves O(n²) entries).
        let mut seen = vec![false; distinct.len()];
        for (kind, key) in &keys {
            let place = distinct.place(key);
            if place.is_some_and(|p| std::mem::replace(&mut seen[p], true)) {
                return Err(DefinitionError::DuplicateId {
                    kind,
                    id: key[kind.len() + 1..].to_owned(),
                });
            }
        }
    }
    let competencies: StrSet = definitions
        .iter()
        .flat_map(|d| d.competencies.iter().map(|c| c.id.as_str()))
        .collect();
    let assessments: StrSet = definitions
        .iter()
        .flat_map(|d| d.assessments.iter().map(|a| a.id.as_str()))
        .collect();
    for def in definitions {
        check_definition(def, &competencies, &assessments)?;
        super::alternatives::check_alternatives(def)?;
    }
    Ok(())
}

fn check_definition(
    def: &CredentialDefinition,
    competencies: &StrSet,
    assessments: &StrSet,
) -> Result<(), DefinitionError> {
    let name = || def.id.to_string();
    let invalid = |field: String, problem: &str| DefinitionError::InvalidValue {
        definition: name(),
        field,
        problem: problem.to_owned(),
    };
    let own_competencies: StrSet = def.competencies.iter().map(|c| c.id.as_str()).collect();
    let hundred = Number::from_integer(100);
    for c in &def.competencies {
        let field = format!("competencies[{}]", c.id);
        if c.threshold_percent > hundred {
            return Err(invalid(
                format!("{field}.threshold_percent"),
                "must be at most 100",
            ));
        }
        if c.weight.is_zero() {
            return Err(invalid(format!("{field}.weight"), "must be greater than 0"));
        }
        if c.statement.trim().is_empty() {
            return Err(DefinitionError::MissingValue {
                definition: name(),
                field: format!("{field}.statement"),
            });
        }
        c.resolved_method()
            .map_err(|source| DefinitionError::Method {
                definition: name(),
                competency: c.id.to_string(),
                source,
            })?;
    }
    for a in &def.assessments {
        let field = format!("assessments[{}]", a.id);
        if a.kind == AssessmentKind::Summative && a.pass_percent.is_none() {
            return Err(DefinitionError::MissingValue {
                definition: name(),
                field: format!("{field}.pass_percent"),
            });
        }
        if let Some(p) = &a.pass_percent
            && *p > hundred
        {
            return Err(invalid(
                format!("{field}.pass_percent"),
                "must be at most 100",
            ));
        }
        if a.weight.is_zero() {
            return Err(invalid(format!("{field}.weight"), "must be greater than 0"));
        }
        if a.parts.is_empty() {
            match &a.max_points {
                None => {
                    return Err(DefinitionError::MissingValue {
                        definition: name(),
                        field: format!("{field}.max_points"),
                    });
                }
                Some(m) if m.is_zero() => {
                    return Err(invalid(
                        format!("{field}.max_points"),
                        "must be greater than 0",
                    ));
                }
                Some(_) => {}
            }
        } else {
            if !a.competencies.is_empty() {
                return Err(invalid(
                    format!("{field}.competencies"),
                    "must be omitted when the assessment has parts (each part names its competency)",
                ));
            }
            let sum = a
                .parts
                .iter()
                .fold(Number::zero(), |acc, p| acc.add(&p.max_points));
            if let Some(m) = &a.max_points
                && *m != sum
            {
                return Err(invalid(
                    format!("{field}.max_points"),
                    &format!("is {m} but the parts' maxima add up to {sum}"),
                ));
            }
            if sum.is_zero() {
                return Err(invalid(
                    format!("{field}.parts"),
                    "must have a maximum greater than 0 in total",
                ));
            }
            for p in &a.parts {
                if !own_competencies.contains(p.competency.as_str()) {
                    return Err(DefinitionError::UnknownReference {
                        definition: name(),
                        field: format!("{field}.parts[{}].competency", p.id),
                        kind: "competency",
                        id: p.competency.to_string(),
                    });
                }
            }
        }
        for c in &a.competencies {
            if !own_competencies.contains(c.as_str()) {
                return Err(DefinitionError::UnknownReference {
                    definition: name(),
                    field: format!("{field}.competencies"),
                    kind: "competency",
                    id: c.to_string(),
                });
            }
        }
        if let Some(policy) = &a.attempt_policy {
            check_policy(policy, &format!("{field}.attempt_policy"), &invalid)?;
        }
    }
    check_policy(&def.attempt_policy, "attempt_policy", &invalid)?;
    if let Some(plar) = &def.plar
        && let Some(cap) = &plar.max_share_percent
        && *cap > hundred
    {
        return Err(invalid(
            "plar.max_share_percent".into(),
            "must be at most 100",
        ));
    }
    for (i, c) in def.components.iter().enumerate() {
        if c.weight.is_zero() {
            return Err(invalid(
                format!("components[{i}].weight"),
                "must be greater than 0",
            ));
        }
    }
    if let Some(v) = def.validity
        && matches!(v, Validity::Days(0) | Validity::Months(0))
    {
        return Err(invalid(
            "validity".into(),
            "must be at least 1 day or 1 month",
        ));
    }
    if let Some(r) = &def.renewal {
        if !def
            .assessments
            .iter()
            .any(|a| a.id == r.assessment && a.kind == AssessmentKind::Summative)
        {
            return Err(DefinitionError::UnknownReference {
                definition: name(),
                field: "renewal.assessment".into(),
                kind: "summative assessment of this definition",
                id: r.assessment.to_string(),
            });
        }
        if def.validity.is_none() {
            return Err(invalid(
                "renewal".into(),
                "needs a validity: a credential that never expires cannot be renewed",
            ));
        }
    }
    check_rule_references(
        &def.criteria,
        &name(),
        "criteria",
        competencies,
        assessments,
    )?;
    for e in &def.equivalencies {
        check_rule_references(
            &e.requires,
            &name(),
            &format!("equivalencies[{}].requires", e.id),
            competencies,
            assessments,
        )?;
    }
    if let Some(map) = &def.curriculum_map {
        if !map.levels.contains(&map.target) {
            return Err(invalid(
                "curriculum_map.target".into(),
                &format!("\"{}\" is not one of the levels", map.target),
            ));
        }
        for (c, row) in &map.rows {
            if row.len() != map.components.len() {
                return Err(invalid(
                    format!("curriculum_map.rows[{c}]"),
                    &format!(
                        "has {} cells for {} components",
                        row.len(),
                        map.components.len()
                    ),
                ));
            }
            if let Some(level) = row.iter().flatten().find(|l| !map.levels.contains(l)) {
                return Err(invalid(
                    format!("curriculum_map.rows[{c}]"),
                    &format!("uses \"{level}\", which is not one of the levels"),
                ));
            }
        }
    }
    if let Some(cis) = def.metadata.cis.as_ref() {
        check_cis(cis, &invalid)?;
    }
    Ok(())
}

fn check_policy(
    policy: &AttemptPolicy,
    field: &str,
    invalid: &dyn Fn(String, &str) -> DefinitionError,
) -> Result<(), DefinitionError> {
    if policy.max_attempts == Some(0) {
        return Err(invalid(
            format!("{field}.max_attempts"),
            "must be at least 1, or null for unlimited",
        ));
    }
    if let Some(cap) = &policy.resit_cap_percent
        && *cap > Number::from_integer(100)
    {
        return Err(invalid(
            format!("{field}.resit_cap_percent"),
            "must be at most 100",
        ));
    }
    Ok(())
}

fn check_cis(
    cis: &CriticalInformationSummary,
    invalid: &dyn Fn(String, &str) -> DefinitionError,
) -> Result<(), DefinitionError> {
    let one_of =
        |field: &str, value: &Option<String>, allowed: &[&str]| -> Result<(), DefinitionError> {
            match value {
                Some(v) if !allowed.contains(&v.as_str()) => Err(invalid(
                    format!("metadata.cis.{field}"),
                    &format!("is \"{v}\"; use one of: {}", allowed.join(", ")),
                )),
                _ => Ok(()),
            }
        };
    if let Some(mode) = &cis.delivery_mode {
        let base = mode
            .strip_suffix("-synchronous")
            .or_else(|| mode.strip_suffix("-asynchronous"))
            .unwrap_or(mode);
        if !DELIVERY_MODES.contains(&base) {
            return Err(invalid(
                "metadata.cis.delivery_mode".into(),
                &format!(
                    "is \"{mode}\"; use onsite, online or hybrid, optionally with -synchronous or -asynchronous"
                ),
            ));
        }
    }
    one_of("supervision", &cis.supervision, &SUPERVISION)?;
    one_of("stackability", &cis.stackability, &STACKABILITY)?;
    one_of(
        "assessment_method",
        &cis.assessment_method,
        &ASSESSMENT_METHODS,
    )?;
    one_of("level", &cis.level, &LEVELS)?;
    Ok(())
}

fn check_rule_references(
    rule: &Rule,
    definition: &str,
    field: &str,
    competencies: &StrSet,
    assessments: &StrSet,
) -> Result<(), DefinitionError> {
    let mut result = Ok(());
    rule.visit_leaves(&mut |leaf| {
        if result.is_err() {
            return;
        }
        let missing = match leaf {
            Leaf::Competency(c) if !competencies.contains(c.as_str()) => {
                Some(("competency", c.to_string()))
            }
            Leaf::Assessment(a) | Leaf::Submitted(a) if !assessments.contains(a.as_str()) => {
                Some(("assessment", a.to_string()))
            }
            _ => None,
        };
        if let Some((kind, id)) = missing {
            result = Err(DefinitionError::UnknownReference {
                definition: definition.to_owned(),
                field: field.to_owned(),
                kind,
                id,
            });
        }
    });
    result
}

#[cfg(test)]
mod tests {
    use super::super::bc_definition;
    use super::*;

    #[test]
    fn cis_values_outside_their_lists_are_refused_with_the_choices() {
        let def = bc_definition(serde_json::json!({"supervision": "proctored"}));
        let err = check(&[def]).unwrap_err();
        assert_eq!(err.code(), "invalid_value");
        assert!(err.to_string().contains("onsite_with_id"), "{err}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = parse_definitions(r#"[{"id": "x", "version": "1", "name": "n", "issuer": {"id": "i", "name": "n"}, "criteria": {"all": []}}]"#).unwrap_err();
        assert_eq!(err.code(), "invalid_json");
        assert!(err.to_string().contains("description"), "{err}");
        let err = parse_definitions(r#"[{"id": "x", "version": "1", "name": "n", "description": "d", "issuer": {"id": "i", "name": "n"}, "criteria": {"all": []},
            "assessments": [{"id": "A", "title": "t", "kind": "summative", "max_points": "10", "competencies": []}]}]"#).unwrap_err();
        assert_eq!(err.code(), "missing_value");
        assert!(
            err.to_string().contains("assessments[A].pass_percent"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fields_are_refused_so_typos_surface() {
        let err = parse_definitions(r#"[{"id": "x", "version": "1", "name": "n", "description": "d", "issuer": {"id": "i", "name": "n"}, "criteria": {"all": []}, "pass_precent": "80"}]"#).unwrap_err();
        assert!(err.to_string().contains("pass_precent"), "{err}");
    }

    #[test]
    fn the_first_id_repeated_in_the_definitions_order_is_named() {
        let def = bc_definition(serde_json::json!({}));
        check(std::slice::from_ref(&def)).unwrap();
        let first_competency = def.competencies[0].id.to_string();
        // The same definition twice: its id repeats before anything it holds.
        let err = check(&[def.clone(), def.clone()]).unwrap_err();
        assert_eq!(
            err,
            DefinitionError::DuplicateId {
                kind: "definition",
                id: def.id.to_string()
            }
        );
        // Another id holding the same competencies: the first of them is named.
        let mut other = def.clone();
        other.id = "OTHER".into();
        let err = check(&[def.clone(), other]).unwrap_err();
        assert_eq!(
            err,
            DefinitionError::DuplicateId {
                kind: "competency",
                id: first_competency
            }
        );
    }
}
