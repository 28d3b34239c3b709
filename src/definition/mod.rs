//! Credential definitions: what a micro-credential asks of a learner (competencies,
//! assessments and their rubrics, attempt and PLAR policies, award criteria, validity,
//! renewal, equivalencies). Definitions are versioned values; editing one makes a new version.
//!
//! This module holds the types of the canonical JSON of `fixtures/scenarios/README.md` §3.
//! Its parts: `metadata` (what the badge says: Critical Information Summary, effort,
//! curriculum map, vocabularies), `check` (the structural rules the fold relies on,
//! [`check()`]), `alternatives` (groups of alternative summatives), `validate` (the validator findings of README §10, [`validate()`]),
//! `publish` (what blocks publishing, [`publish_findings`]), `institution` (how an
//! institution configures kinds, hour bands and approvals, [`InstitutionConfig`]) and
//! `lifecycle` (draft → approved → published → retired, [`Lifecycle`]) with `revision`
//! (what an edit changes, [`changes`]), `plar` and `self_check` (the PLAR policy and the
//! pre-assessment self-check, [`self_check()`]); `read` is the reader of every object's
//! members ([`crate::read_object!`]). It never evaluates
//! a learner: that is [`crate::record`].

mod alternatives;
mod check;
mod institution;
mod levels;
mod lifecycle;
mod metadata;
mod plar;
mod publish;
pub mod read;
mod revision;
mod rubrics;
mod self_check;
mod validate;

pub use crate::sorted_map::SortedMap;
pub use alternatives::{AlternativeGroup, AlternativeKind};
pub use check::{DefinitionError, check, check_versions, parse_definitions};
pub use institution::{HourBand, InstitutionConfig, KindConfig, Rigour, band_findings};
pub use levels::{AchievementLevel, level_reached};
pub use lifecycle::{
    Approval, Lifecycle, LifecycleAction, LifecycleError, LifecycleState, Review, Revision,
    review_alerts,
};
pub use metadata::{
    CriticalInformationSummary, CurriculumMap, Department, EffortHours, Image, Metadata,
};
pub use plar::{
    AgreementWindow, Component, CreditBankEntry, CreditType, PlarMethod, PlarPolicy,
    plar_route_findings,
};
pub use publish::{publish_findings, publish_findings_in};
pub use revision::{Change, ChangedPart, VersionChanges, changes};
pub use rubrics::{RubricCriterion, RubricRef, SharedRubric, declared_rubrics, is_declared};
pub use self_check::{
    RecommendedRoute, SELF_CHECK_MAX_QUESTIONS, SELF_CHECK_MAX_RATING, SELF_CHECK_MIN_QUESTIONS,
    SELF_CHECK_READY_RATING, SelfCheckAdvice, SelfCheckAnswer, SelfCheckError, offers_direct_route,
    self_check,
};
pub use validate::{Finding, Severity, validate, validate_in};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::criteria::Rule;
use crate::ids::{AssessmentId, CompetencyId, DefinitionId, EquivalencyId, PartId};
use crate::mastery::{MasteryError, Method};
use crate::number::Number;
use crate::provenance::SupervisionMode;

/// A versioned credential definition (README §3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialDefinition {
    /// Stable id across versions.
    pub id: DefinitionId,
    /// The version an issued credential names (REQ-LIFE-03).
    pub version: String,
    /// The credential's name (OB `achievement.name`).
    pub name: String,
    /// One-paragraph description (OB `achievement.description`).
    pub description: String,
    /// The issuing profile.
    pub issuer: IssuerRef,
    /// Institution-defined kind; which kinds are micro-credentials (rule V9) is the
    /// institution's configuration ([`InstitutionConfig`]), by default only `micro_credential`.
    pub kind: String,
    /// Competency-based or outcome-based (rule V2).
    pub mode: Mode,
    /// Notional learner hours (descriptive, never used by mastery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<Number>,
    /// Credits, if credit-bearing (descriptive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits: Option<Number>,
    /// Whether it is credit-bearing (REQ-DEF-08); `None` = as its kind's configuration says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_bearing: Option<bool>,
    /// Continuing education units (descriptive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ceu: Option<Number>,
    /// Whether the B.C. duration rule V6 applies.
    pub bc_micro_credential: bool,
    /// The competencies a learner shows.
    pub competencies: Vec<Competency>,
    /// The graded tasks aligned to the competencies.
    pub assessments: Vec<Assessment>,
    /// Default policy of this definition's summative assessments.
    pub attempt_policy: AttemptPolicy,
    /// Deadline = enrolment + this many days; `None` = no deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_window_days: Option<u32>,
    /// The PLAR route, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plar: Option<PlarPolicy>,
    /// Child credentials that PLAR may grant as components.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// The award rule (README §4).
    pub criteria: Rule,
    /// Issued automatically when criteria hold, or on application.
    pub grant_mode: GrantMode,
    /// How long an issuance stays valid; `None` = never expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validity: Option<Validity>,
    /// Renewal by reassessment (README §7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal: Option<Renewal>,
    /// Course equivalencies a learner may claim (README §8).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub equivalencies: Vec<Equivalency>,
    /// Groups of alternative summatives (REQ-ASSESS-11, REQ-PLAR-03; `docs/format.md` §3.5).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<AlternativeGroup>,
    /// The curriculum map checked by rules V7, V8, V10.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curriculum_map: Option<CurriculumMap>,
    /// Versioned shared rubrics any assessment of the course may name (REQ-ASSESS-06;
    /// `docs/format.md` §3.6).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rubrics: Vec<SharedRubric>,
    /// Achievement levels above pass of the credential (REQ-ASSESS-12; `docs/format.md` §3.7).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<AchievementLevel>,
    /// Badge metadata beyond the domain fields (requirements.md META).
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

crate::read_object!(CredentialDefinition {
    id, version, name, description, issuer, kind = default_kind(), mode = default(),
    hours = default(), credits = default(), credit_bearing = default(), ceu = default(),
    bc_micro_credential = default(), competencies = default(), assessments = default(),
    attempt_policy = default(), completion_window_days = default(), plar = default(),
    components = default(), criteria, grant_mode = default(), validity = default(),
    renewal = default(), equivalencies = default(), alternatives = default(),
    curriculum_map = default(), rubrics = default(), levels = default(), metadata = default(),
});

fn default_kind() -> String {
    "micro_credential".to_owned()
}

/// The issuing profile a definition names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuerRef {
    /// The issuer's IRI (OB `issuer.id`).
    pub id: String,
    /// The institution's name.
    pub name: String,
}

crate::read_object!(IssuerRef { id, name });

/// Competency-based or outcome-based design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Learners show each competency (rule V2 warns on a single attempt).
    #[default]
    CompetencyBased,
    /// Learners meet course outcomes.
    OutcomeBased,
}

crate::unit_names::unit_names!(Mode { CompetencyBased => "competency_based", OutcomeBased => "outcome_based" });

/// One competency (README §3.1). Its `method` and `method_params` are resolved once, when
/// the JSON is read ([`Competency::resolved_method`]); a refused method is kept with its
/// reason so that [`check()`] reports it with the definition and competency it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "CompetencyJson", into = "CompetencyJson")]
pub struct Competency {
    /// Unique id.
    pub id: CompetencyId,
    /// What the learner can do (action, context, criteria).
    pub statement: String,
    /// The bar the competency's score must meet (inclusive, on the rounded value).
    pub threshold_percent: Number,
    /// Weight in the PLAR share (README §5.3).
    pub weight: Number,
    /// The calculation method, as read from `method` and `method_params`.
    method: ReadMethod,
    /// Where the competency comes from in an external framework (OB `alignment`).
    pub alignment: Option<Alignment>,
}

/// A competency's method as read: resolved, or refused with the JSON it came from.
#[derive(Debug, Clone, PartialEq)]
enum ReadMethod {
    Resolved(CompetencyMethod),
    Refused {
        method: String,
        method_params: BTreeMap<String, serde_json::Value>,
        error: MasteryError,
    },
}

/// The JSON shape of a competency (README §3.1).
#[derive(Clone, Serialize)]
struct CompetencyJson {
    id: CompetencyId,
    statement: String,
    threshold_percent: Number,
    weight: Number,
    /// `kept_mean` (default) or a method of `spec/mastery.md` §3.
    method: String,
    /// The method's integer parameters.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    method_params: BTreeMap<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alignment: Option<Alignment>,
}

crate::read_object!(CompetencyJson {
    id, statement, threshold_percent, weight = Number::one(), method = default_method(),
    method_params = default(), alignment = default(),
});

fn default_method() -> String {
    KEPT_MEAN.to_owned()
}

/// The name of README §5.2's default rule; every other name is in the method table of
/// [`crate::mastery`].
pub const KEPT_MEAN: &str = "kept_mean";

impl From<CompetencyJson> for Competency {
    fn from(json: CompetencyJson) -> Self {
        let method = match CompetencyMethod::from_name(&json.method, &json.method_params) {
            Ok(resolved) => ReadMethod::Resolved(resolved),
            Err(error) => ReadMethod::Refused {
                method: json.method,
                method_params: json.method_params,
                error,
            },
        };
        Competency {
            id: json.id,
            statement: json.statement,
            threshold_percent: json.threshold_percent,
            weight: json.weight,
            method,
            alignment: json.alignment,
        }
    }
}

impl From<Competency> for CompetencyJson {
    /// Writes a resolved method by name, with its parameter only when it is not the
    /// default (the fixtures' form); a refused one as it was read.
    fn from(c: Competency) -> Self {
        let (method, method_params) = match c.method {
            ReadMethod::Resolved(m) => (m.name().to_owned(), m.non_default_params()),
            ReadMethod::Refused {
                method,
                method_params,
                ..
            } => (method, method_params),
        };
        CompetencyJson {
            id: c.id,
            statement: c.statement,
            threshold_percent: c.threshold_percent,
            weight: c.weight,
            method,
            method_params,
            alignment: c.alignment,
        }
    }
}

/// How a competency's score is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompetencyMethod {
    /// README §5.2's default: weighted mean of kept item percents.
    KeptMean,
    /// A method of `spec/mastery.md` §3 over the evidence sequence.
    Calculated(Method),
}

impl CompetencyMethod {
    /// Resolves `method` and `method_params` (README §3.1): `kept_mean`, which takes no
    /// parameter, or a method of the table of [`crate::mastery`], defaults applied.
    pub fn from_name(
        name: &str,
        params: &BTreeMap<String, serde_json::Value>,
    ) -> Result<CompetencyMethod, MasteryError> {
        if name != KEPT_MEAN {
            return Method::from_name(name, params).map(CompetencyMethod::Calculated);
        }
        match params.keys().next() {
            Some(param) => Err(MasteryError::UnexpectedParam {
                method: KEPT_MEAN,
                param: param.clone(),
            }),
            None => Ok(CompetencyMethod::KeptMean),
        }
    }

    /// The name as written in `method`.
    pub fn name(&self) -> &'static str {
        match self {
            CompetencyMethod::KeptMean => KEPT_MEAN,
            CompetencyMethod::Calculated(m) => m.name(),
        }
    }

    /// `method_params` with only the parameters that differ from their default.
    fn non_default_params(&self) -> BTreeMap<String, serde_json::Value> {
        let param = match self {
            CompetencyMethod::KeptMean => None,
            CompetencyMethod::Calculated(m) => m.param(),
        };
        param
            .filter(|(spec, value)| *value != spec.default)
            .map(|(spec, value)| (spec.name.to_owned(), serde_json::Value::from(value)))
            .into_iter()
            .collect()
    }
}

impl Competency {
    /// The calculation method, resolved when the JSON was read, or why it was refused.
    pub fn resolved_method(&self) -> Result<CompetencyMethod, MasteryError> {
        match &self.method {
            ReadMethod::Resolved(m) => Ok(*m),
            ReadMethod::Refused { error, .. } => Err(error.clone()),
        }
    }
}

/// A link from a competency to an item of a published framework (CASE `CFItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alignment {
    /// The framework item's URL (OB `targetUrl`).
    pub target_url: String,
    /// The item's code, e.g. CASE `humanCodingScheme` (OB `targetCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// The framework's name (OB `targetFramework`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_framework: Option<String>,
    /// OB `targetType`, e.g. `CFItem`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
}

crate::read_object!(Alignment {
    target_url, target_code = default(), target_framework = default(), target_type = default(),
});

/// Summative work reaches competencies and criteria; formative work never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentKind {
    /// Counts toward mastery and the award.
    Summative,
    /// Practice: recorded, never counted.
    Formative,
}

crate::unit_names::unit_names!(AssessmentKind { Summative => "summative", Formative => "formative" });

/// A graded task (README §3.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Unique id.
    pub id: AssessmentId,
    /// Title shown to people.
    pub title: String,
    /// Summative or formative.
    pub kind: AssessmentKind,
    /// Maximum points; with parts, optional and equal to their sum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_points: Option<Number>,
    /// Pass mark in percent (required for summative).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_percent: Option<Number>,
    /// Weight in each competency it feeds.
    pub weight: Number,
    /// Competencies the whole percent feeds (assessments without parts).
    pub competencies: Vec<CompetencyId>,
    /// Rubric criteria, each feeding one competency.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Override of the definition's attempt policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_policy: Option<AttemptPolicy>,
    /// A rubric with performance levels, for graders and display (levels map to part points).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rubric: Option<Rubric>,
    /// How a summative is supervised (REQ-ASSESS-10); a supervised one needs attestation.
    #[serde(skip_serializing_if = "SupervisionMode::is_default")]
    pub supervision: SupervisionMode,
    /// The shared rubric version it is scored with (REQ-ASSESS-06; `docs/format.md` §3.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rubric_ref: Option<RubricRef>,
    /// Achievement levels above pass (REQ-ASSESS-12; `docs/format.md` §3.7).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<AchievementLevel>,
}

crate::read_object!(Assessment {
    id, title, kind, max_points = default(), pass_percent = default(), weight = Number::one(),
    competencies = default(), parts = default(), attempt_policy = default(), rubric = default(),
    supervision = default(), rubric_ref = default(), levels = default(),
});

impl Assessment {
    /// The maximum points: `max_points`, or the sum of the parts' maxima.
    pub fn total_max(&self) -> Number {
        match &self.max_points {
            Some(m) => m.clone(),
            None => self
                .parts
                .iter()
                .fold(Number::zero(), |acc, p| acc.add(&p.max_points)),
        }
    }
}

/// A rubric criterion of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// Unique id.
    pub id: PartId,
    /// The one competency this criterion feeds.
    pub competency: CompetencyId,
    /// Maximum points of this criterion.
    pub max_points: Number,
}

crate::read_object!(Part {
    id,
    competency,
    max_points
});

/// Performance levels of a rubric: named levels with the points each gives per part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rubric {
    /// Levels from lowest to highest.
    pub levels: Vec<RubricLevel>,
}

crate::read_object!(Rubric { levels });

/// One performance level of a rubric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricLevel {
    /// The level's name, e.g. "Meets".
    pub name: String,
    /// Points per part at this level.
    pub points: SortedMap<PartId, Number>,
}

crate::read_object!(RubricLevel { name, points });

/// How the kept result is chosen among scored attempts (README §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scoring {
    /// Greatest total, ties to the earliest.
    #[default]
    Highest,
    /// The last scored attempt.
    Latest,
    /// The first scored attempt.
    First,
    /// Mean of totals (and of each part's points).
    Average,
}

crate::unit_names::unit_names!(Scoring { Highest => "highest", Latest => "latest", First => "first", Average => "average" });

/// The attempt policy (README §3.3). All keys are required when the object is given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptPolicy {
    /// Counted attempts allowed; `None` = unlimited.
    pub max_attempts: Option<u32>,
    /// Kept-result rule.
    pub scoring: Scoring,
    /// Feedback on the latest counted attempt must be released before a retry.
    pub feedback_required_before_retry: bool,
    /// Minimum whole days between counted attempts.
    pub min_days_between_attempts: u32,
    /// Cap on every scored attempt but the first, in percent of the maximum.
    pub resit_cap_percent: Option<Number>,
    /// Whether a learner who passed may try again.
    pub retry_after_pass: bool,
}

// Every key is required, `null` included (README §3.3): an omitted `max_attempts` would
// otherwise read as unlimited while an omitted policy defaults to two attempts.
crate::read_object!(AttemptPolicy {
    max_attempts,
    scoring,
    feedback_required_before_retry,
    min_days_between_attempts,
    resit_cap_percent,
    retry_after_pass,
});

impl Default for AttemptPolicy {
    fn default() -> Self {
        AttemptPolicy {
            max_attempts: Some(2),
            scoring: Scoring::Highest,
            feedback_required_before_retry: true,
            min_days_between_attempts: 0,
            resit_cap_percent: None,
            retry_after_pass: false,
        }
    }
}

/// Automatic issuance, or on the learner's application (README §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GrantMode {
    /// Issued the instant the criteria hold.
    #[default]
    Automatic,
    /// Issued on `credential_applied` when the criteria hold.
    OnApplication,
}

crate::unit_names::unit_names!(GrantMode { Automatic => "automatic", OnApplication => "on_application" });

/// Validity of an issuance: days of 86,400 s or calendar months, written `{"days": n}` or
/// `{"months": n}` (its reader is in `read.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// `n` days.
    Days(u32),
    /// `n` calendar months (month end clamps).
    Months(u32),
}

impl Validity {
    /// The end of validity of an issuance made at `issued_at`.
    pub fn valid_until(self, issued_at: crate::Timestamp) -> crate::Timestamp {
        match self {
            Validity::Days(d) => issued_at.plus_days(i64::from(d)),
            Validity::Months(m) => issued_at.plus_months(i64::from(m)),
        }
    }
}

/// Renewal by reassessment (README §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renewal {
    /// The renewal assessment (feeds no competency and no criteria).
    pub assessment: AssessmentId,
    /// How many days before `valid_until` renewal attempts open.
    pub opens_days_before_expiry: u32,
}

crate::read_object!(Renewal {
    assessment,
    opens_days_before_expiry
});

/// A course equivalency a learner may claim (README §8).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Equivalency {
    /// Unique id.
    pub id: EquivalencyId,
    /// The course it stands for.
    pub title: String,
    /// Credits granted.
    pub credits: Number,
    /// What must hold to claim it.
    pub requires: Rule,
}

crate::read_object!(Equivalency {
    id,
    title,
    credits,
    requires
});

/// Whether an assessment is the definition's renewal assessment.
pub fn is_renewal(def: &CredentialDefinition, assessment: &AssessmentId) -> bool {
    def.renewal
        .as_ref()
        .is_some_and(|r| r.assessment == *assessment)
}

/// The competencies an assessment feeds: its list, or its parts' competencies.
pub fn fed_competencies(assessment: &Assessment) -> Vec<&CompetencyId> {
    if assessment.parts.is_empty() {
        assessment.competencies.iter().collect()
    } else {
        let mut seen = Vec::new();
        for p in &assessment.parts {
            if !seen.contains(&&p.competency) {
                seen.push(&p.competency);
            }
        }
        seen
    }
}

#[cfg(test)]
/// A B.C. micro-credential with the given Critical Information Summary (tests of the parts).
fn bc_definition(cis: serde_json::Value) -> CredentialDefinition {
    serde_json::from_value(serde_json::json!({
        "id": "bc", "version": "1", "name": "Facilities maintenance", "description": "Hands-on tasks",
        "issuer": {"id": "https://example.edu/issuers/bc", "name": "Example College"},
        "bc_micro_credential": true, "hours": "180",
        "competencies": [{"id": "T1", "statement": "Replace a faucet cartridge", "threshold_percent": "80"}],
        "assessments": [{"id": "P1", "title": "Practical", "kind": "summative", "max_points": "10", "pass_percent": "80", "competencies": ["T1"]}],
        "criteria": {"all_competencies": true},
        "metadata": {"cis": cis}
    }))
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn competency(extra: serde_json::Value) -> Competency {
        let mut json = serde_json::json!({"id": "C1", "statement": "s", "threshold_percent": "80"});
        if let (Some(o), Some(e)) = (json.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_method_is_resolved_when_read_and_written_back_as_read() {
        let c = competency(serde_json::json!({}));
        assert_eq!(c.resolved_method(), Ok(CompetencyMethod::KeptMean));
        assert_eq!(serde_json::to_value(&c).unwrap()["method"], "kept_mean");
        let c = competency(
            serde_json::json!({"method": "decaying_average", "method_params": {"rate_pct": 80}}),
        );
        assert_eq!(
            c.resolved_method(),
            Ok(CompetencyMethod::Calculated(Method::DecayingAverage {
                rate_pct: 80
            }))
        );
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["method_params"], serde_json::json!({"rate_pct": 80}));
        let c = competency(serde_json::json!({"method": "n_mastery"}));
        assert!(
            serde_json::to_value(&c)
                .unwrap()
                .get("method_params")
                .is_none()
        );
        let refused = serde_json::json!({"method": "median", "method_params": {"k": 1}});
        let c = competency(refused.clone());
        assert_eq!(c.resolved_method().unwrap_err().code(), "unknown_method");
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(
            (&back["method"], &back["method_params"]),
            (&refused["method"], &refused["method_params"])
        );
        let c =
            competency(serde_json::json!({"method": "kept_mean", "method_params": {"n": null}}));
        assert_eq!(c.resolved_method().unwrap_err().code(), "unexpected_param");
    }

    #[test]
    fn plar_methods_sort_as_their_names() {
        let methods = [
            PlarMethod::Portfolio,
            PlarMethod::DirectAssessment,
            PlarMethod::CreditBank,
            PlarMethod::CourseBased,
            PlarMethod::ChallengeExam,
        ];
        let mut by_order = methods;
        by_order.sort();
        let mut by_name = methods;
        by_name.sort_by_key(|m| m.as_str());
        assert_eq!(by_order, by_name);
    }
}
