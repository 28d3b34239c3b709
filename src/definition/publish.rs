//! What blocks publishing a definition beyond the fold's structural rules
//! ([`publish_findings`], [`publish_findings_in`]): the B.C. Critical Information
//! Summary's 11 core fields for a B.C. micro-credential (REQ-META-04; `spec/badges.md`
//! §2.2), a learner-facing minimum for every micro-credential (REQ-META-02), and, where the
//! institution asks for it, every item of REQ-DEF-02 with the completion window its kind
//! configuration requires. Each finding names the field to fill in. An assessment-only PLAR
//! route the institution turned off blocks it too (REQ-PLAR-12).

use super::institution::InstitutionConfig;
use super::plar::plar_route_findings;
use super::validate::{Finding, Severity};
use super::{CredentialDefinition, CriticalInformationSummary};

/// The code of every publish finding.
pub const PUBLISH_FIELD_MISSING: &str = "publish_field_missing";

/// [`publish_findings_in`] with the README's defaults ([`InstitutionConfig::default`]).
pub fn publish_findings(def: &CredentialDefinition) -> Vec<Finding> {
    publish_findings_in(def, &InstitutionConfig::default())
}

/// What blocks publishing `def` at an institution: one `publish_field_missing` error per
/// missing field, each named once, in the order of the requirement's list.
pub fn publish_findings_in(def: &CredentialDefinition, config: &InstitutionConfig) -> Vec<Finding> {
    let mut missing: Vec<String> = Vec::new();
    let mut need = |field: &str| {
        if !missing.iter().any(|m| m == field) {
            missing.push(field.to_owned());
        }
    };
    let blank = |s: &str| s.trim().is_empty();
    let none = CriticalInformationSummary::default();
    let cis = def.metadata.cis.as_ref().unwrap_or(&none);
    let text_missing = |v: &Option<String>| v.as_deref().is_none_or(blank);
    let micro = config.counts_as_micro_credential(&def.kind);
    if micro && def.competencies.is_empty() {
        need("competencies (learning outcomes)");
    }
    if def.bc_micro_credential {
        if blank(&def.issuer.name) {
            need("issuer.name (Institution)");
        }
        if blank(&def.name) {
            need("name (Title)");
        }
        if blank(&def.description) {
            need("description (Description)");
        }
        if text_missing(&cis.delivery_mode) {
            need("metadata.cis.delivery_mode (Delivery Mode)");
        }
        if cis.effort_hours.is_none() {
            need("metadata.cis.effort_hours (Learner Effort, four parts)");
        }
        if text_missing(&cis.prerequisites) {
            need("metadata.cis.prerequisites (Pre-requisites)");
        }
        if def.competencies.is_empty() && !micro {
            need("competencies (Learning Outcomes)");
        }
        if text_missing(&cis.assessment_method) {
            need("metadata.cis.assessment_method (Assessment Method)");
        }
        if text_missing(&cis.credit_recognition) && def.credits.is_none() {
            need("metadata.cis.credit_recognition or credits (Credit/Other recognition)");
        }
        if text_missing(&cis.pathways) {
            need("metadata.cis.pathways (Learner Pathways)");
        }
        if text_missing(&cis.quality_assurance) {
            need("metadata.cis.quality_assurance (Quality Assurance Statement)");
        }
    }
    let kind = config.kind(&def.kind);
    if config.full_publish_check {
        if blank(&def.name) {
            need("name (Title)");
        }
        if blank(&def.description) {
            need("description (Description)");
        }
        if blank(&def.issuer.name) {
            need("issuer.name (Institution)");
        }
        if def.competencies.is_empty() && !micro {
            need("competencies (Learning Outcomes)");
        }
        if text_missing(&cis.assessment_method) && text_missing(&cis.assessment_type) {
            need("metadata.cis.assessment_method (Assessment Method)");
        }
        match (&cis.effort_hours, &def.hours) {
            (None, _) => need("metadata.cis.effort_hours (Learner Effort, four parts)"),
            (Some(_), None) => need("hours (total learner hours)"),
            (Some(e), Some(h)) if e.total() != *h => need(&format!(
                "hours equal to the sum of the four effort counts ({}, not {h})",
                e.total()
            )),
            _ => {}
        }
        match def.credit_bearing.or(kind.map(|k| k.credit_bearing)) {
            None => need("credit_bearing (Credit flag)"),
            Some(true) if def.credits.is_none() => need("credits (of a credit-bearing definition)"),
            _ => {}
        }
        if text_missing(&cis.delivery_mode) {
            need("metadata.cis.delivery_mode (Delivery Mode)");
        }
        if text_missing(&cis.prerequisites) {
            need("metadata.cis.prerequisites (Pre-requisites)");
        }
        if text_missing(&cis.quality_assurance) {
            need("metadata.cis.quality_assurance (Quality Assurance Statement)");
        }
        if text_missing(&cis.pathways) && text_missing(&cis.stackability) {
            need("metadata.cis.pathways or stackability (Pathway/stackability)");
        }
    }
    if kind.is_some_and(|k| k.completion_window_required) && def.completion_window_days.is_none() {
        need("completion_window_days (Completion window)");
    }
    missing
        .into_iter()
        .map(|field| Finding {
            code: PUBLISH_FIELD_MISSING,
            severity: Severity::Error,
            reference: def.id.to_string(),
            message: format!("\"{}\" cannot be published without {field}", def.id),
        })
        .chain(plar_route_findings(def, config))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::bc_definition;
    use super::*;

    #[test]
    fn req_meta_04_an_empty_assessment_method_blocks_publishing() {
        let complete = serde_json::json!({
            "delivery_mode": "onsite-synchronous",
            "effort_hours": {"contact": "120", "peer": "20", "asynchronous": "30", "assessment": "10"},
            "prerequisites": "None", "assessment_method": "competency", "credit_recognition": "Non-credit",
            "pathways": "Ladders into the Facilities Technician certificate",
            "quality_assurance": "Reviewed by the program advisory committee every three years"
        });
        assert!(publish_findings(&bc_definition(complete.clone())).is_empty());
        let mut without = complete;
        without["assessment_method"] = serde_json::json!("");
        let findings = publish_findings(&bc_definition(without));
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].message.contains("Assessment Method"),
            "{}",
            findings[0].message
        );
    }
}
