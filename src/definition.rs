//! Credential definitions: what a micro-credential asks of a learner (competencies,
//! assessments and their rubrics, attempt and PLAR policies, award criteria, validity,
//! renewal, equivalencies) and what its badge says (metadata, Critical Information
//! Summary). Definitions are versioned values; editing one makes a new version.
//!
//! This module reads the canonical JSON of `fixtures/scenarios/README.md` §3, checks that
//! a set of definitions can be folded ([`check`]) and reports the validator findings of
//! README §10 ([`validate`]). It never evaluates a learner: that is [`crate::record`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::criteria::Rule;
use crate::error::Error;
use crate::ids::{AssessmentId, CompetencyId, DefinitionId, EquivalencyId, PartId};
use crate::mastery::{MasteryError, Method};
use crate::number::Number;

/// A versioned credential definition (README §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Institution-defined kind; only `micro_credential` triggers rule V9.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Competency-based or outcome-based (rule V2).
    #[serde(default)]
    pub mode: Mode,
    /// Notional learner hours (descriptive, never used by mastery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Number>,
    /// Credits, if credit-bearing (descriptive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Number>,
    /// Continuing education units (descriptive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceu: Option<Number>,
    /// Whether the B.C. duration rule V6 applies.
    #[serde(default)]
    pub bc_micro_credential: bool,
    /// The competencies a learner shows.
    #[serde(default)]
    pub competencies: Vec<Competency>,
    /// The graded tasks aligned to the competencies.
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    /// Default policy of this definition's summative assessments.
    #[serde(default)]
    pub attempt_policy: AttemptPolicy,
    /// Deadline = enrolment + this many days; `None` = no deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_window_days: Option<u32>,
    /// The PLAR route, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plar: Option<PlarPolicy>,
    /// Child credentials that PLAR may grant as components.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// The award rule (README §4).
    pub criteria: Rule,
    /// Issued automatically when criteria hold, or on application.
    #[serde(default)]
    pub grant_mode: GrantMode,
    /// How long an issuance stays valid; `None` = never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<Validity>,
    /// Renewal by reassessment (README §7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<Renewal>,
    /// Course equivalencies a learner may claim (README §8).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equivalencies: Vec<Equivalency>,
    /// The curriculum map checked by rules V7, V8, V10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curriculum_map: Option<CurriculumMap>,
    /// Badge metadata beyond the domain fields (requirements.md META).
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

fn default_kind() -> String {
    "micro_credential".to_owned()
}

/// The issuing profile a definition names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerRef {
    /// The issuer's IRI (OB `issuer.id`).
    pub id: String,
    /// The institution's name.
    pub name: String,
}

/// Competency-based or outcome-based design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Learners show each competency (rule V2 warns on a single attempt).
    #[default]
    CompetencyBased,
    /// Learners meet course outcomes.
    OutcomeBased,
}

/// One competency (README §3.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Competency {
    /// Unique id.
    pub id: CompetencyId,
    /// What the learner can do (action, context, criteria).
    pub statement: String,
    /// The bar the competency's score must meet (inclusive, on the rounded value).
    pub threshold_percent: Number,
    /// Weight in the PLAR share (README §5.3).
    #[serde(default = "Number::one")]
    pub weight: Number,
    /// Calculation method: `kept_mean` (default) or a method of `spec/mastery.md` §3.
    #[serde(default = "default_method")]
    pub method: String,
    /// The method's integer parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub method_params: BTreeMap<String, serde_json::Value>,
    /// Where the competency comes from in an external framework (OB `alignment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Alignment>,
}

fn default_method() -> String {
    "kept_mean".to_owned()
}

/// How a competency's score is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompetencyMethod {
    /// README §5.2's default: weighted mean of kept item percents.
    KeptMean,
    /// A method of `spec/mastery.md` §3 over the evidence sequence.
    Calculated(Method),
}

impl Competency {
    /// The resolved calculation method, with defaults applied.
    pub fn resolved_method(&self) -> Result<CompetencyMethod, MasteryError> {
        if self.method == "kept_mean" {
            if let Some(name) = self.method_params.keys().next() {
                return Err(MasteryError::UnexpectedParam {
                    method: "kept_mean",
                    param: name.clone(),
                });
            }
            return Ok(CompetencyMethod::KeptMean);
        }
        Method::from_name(&self.method, &self.method_params).map(CompetencyMethod::Calculated)
    }
}

/// A link from a competency to an item of a published framework (CASE `CFItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alignment {
    /// The framework item's URL (OB `targetUrl`).
    pub target_url: String,
    /// The item's code, e.g. CASE `humanCodingScheme` (OB `targetCode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// The framework's name (OB `targetFramework`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_framework: Option<String>,
    /// OB `targetType`, e.g. `CFItem`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
}

/// Summative work reaches competencies and criteria; formative work never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    /// Counts toward mastery and the award.
    Summative,
    /// Practice: recorded, never counted.
    Formative,
}

/// A graded task (README §3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// Unique id.
    pub id: AssessmentId,
    /// Title shown to people.
    pub title: String,
    /// Summative or formative.
    pub kind: AssessmentKind,
    /// Maximum points; with parts, optional and equal to their sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<Number>,
    /// Pass mark in percent (required for summative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_percent: Option<Number>,
    /// Weight in each competency it feeds.
    #[serde(default = "Number::one")]
    pub weight: Number,
    /// Competencies the whole percent feeds (assessments without parts).
    #[serde(default)]
    pub competencies: Vec<CompetencyId>,
    /// Rubric criteria, each feeding one competency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Override of the definition's attempt policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_policy: Option<AttemptPolicy>,
    /// A rubric with performance levels, for graders and display (levels map to part points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric: Option<Rubric>,
}

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// Unique id.
    pub id: PartId,
    /// The one competency this criterion feeds.
    pub competency: CompetencyId,
    /// Maximum points of this criterion.
    pub max_points: Number,
}

/// Performance levels of a rubric: named levels with the points each gives per part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    /// Levels from lowest to highest.
    pub levels: Vec<RubricLevel>,
}

/// One performance level of a rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricLevel {
    /// The level's name, e.g. "Meets".
    pub name: String,
    /// Points per part at this level.
    pub points: BTreeMap<PartId, Number>,
}

/// How the kept result is chosen among scored attempts (README §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// The attempt policy (README §3.3). All keys are required when the object is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// A PLAR method (README §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlarMethod {
    // Declared in the alphabetical order of their names: `Ord` then sorts as the
    // `plar_methods_used` lists must (README §9, sorted strings).
    /// A challenge exam: an attempt on the same summative.
    ChallengeExam,
    /// Credit for a prior course: grants a competency or component.
    CourseBased,
    /// Credit bank: grants a competency or component.
    CreditBank,
    /// A direct assessment: an attempt on the same summative.
    DirectAssessment,
    /// A portfolio reviewed by an assessor: grants a competency or component.
    Portfolio,
}

impl PlarMethod {
    /// Whether this method is an attempt on an assessment (a challenge route).
    pub fn is_challenge(self) -> bool {
        matches!(
            self,
            PlarMethod::ChallengeExam | PlarMethod::DirectAssessment
        )
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlarMethod::ChallengeExam => "challenge_exam",
            PlarMethod::DirectAssessment => "direct_assessment",
            PlarMethod::Portfolio => "portfolio",
            PlarMethod::CourseBased => "course_based",
            PlarMethod::CreditBank => "credit_bank",
        }
    }
}

/// The PLAR policy (README §3.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlarPolicy {
    /// The methods this definition accepts.
    pub methods: Vec<PlarMethod>,
    /// Whether a challenge counts as an attempt.
    pub challenge_counts_as_attempt: bool,
    /// Cap on the granted share, in percent; `None` = no cap.
    pub max_share_percent: Option<Number>,
}

/// A child credential PLAR may grant, with its weight in the share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// The child credential.
    pub credential: DefinitionId,
    /// Credits or hours, as the institution decides.
    pub weight: Number,
}

/// Automatic issuance, or on the learner's application (README §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantMode {
    /// Issued the instant the criteria hold.
    #[default]
    Automatic,
    /// Issued on `credential_applied` when the criteria hold.
    OnApplication,
}

/// Validity of an issuance: days of 86,400 s or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renewal {
    /// The renewal assessment (feeds no competency and no criteria).
    pub assessment: AssessmentId,
    /// How many days before `valid_until` renewal attempts open.
    pub opens_days_before_expiry: u32,
}

/// A course equivalency a learner may claim (README §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// A curriculum map: the level each component reaches per competency (README §10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurriculumMap {
    /// Component (course) names, in program order.
    pub components: Vec<String>,
    /// Levels from lowest to highest.
    pub levels: Vec<String>,
    /// The level every competency must reach.
    pub target: String,
    /// Per competency, a level or `null` per component.
    pub rows: BTreeMap<CompetencyId, Vec<Option<String>>>,
}

/// Badge metadata that the domain rules never read (requirements.md META).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// OB `achievementType`, e.g. `MicroCredential`, `Badge`, `Certificate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achievement_type: Option<String>,
    /// The criteria narrative (Markdown) shown on the public criteria page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_narrative: Option<String>,
    /// The badge image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// Tags (OB `achievement.tag`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// A short code, e.g. a course code (OB `humanCode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_code: Option<String>,
    /// Language of the text (BCP 47, OB `inLanguage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The department that offers it (OB `achievement.creator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Department>,
    /// The Ontario and B.C. Critical Information Summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cis: Option<CriticalInformationSummary>,
    /// Privacy: whether issued credentials may carry the learner's display name in clear
    /// (`identityType: "name"`, badges.md §3). Off by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub show_recipient_name: bool,
}

impl Metadata {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Metadata::default()
    }
}

/// An image: an https URL or a `data:` URI, with a caption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// The image's URL or data URI.
    pub id: String,
    /// Alternative text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// The department offering a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// The department's IRI.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// The Critical Information Summary: Ontario's 15 items and B.C.'s 11 core and 5 optional
/// fields (`spec/badges.md` §2). Items with a native Open Badges field (title, provider,
/// dates, description, outcomes, credits) come from the definition itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticalInformationSummary {
    /// `onsite` | `online` | `hybrid`, optionally suffixed `-synchronous` | `-asynchronous`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<String>,
    /// The four parts of learner effort, in hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort_hours: Option<EffortHours>,
    /// Prerequisites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prerequisites: Option<String>,
    /// Learning resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning_resources: Option<String>,
    /// Type of assessment (Ontario item 11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_type: Option<String>,
    /// `competency` | `proficiency` (B.C. Assessment Method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_method: Option<String>,
    /// `unsupervised_no_id` | `supervised_no_id` | `supervised_online` | `onsite_with_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<String>,
    /// Quality assurance body and review cycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_assurance: Option<String>,
    /// Outcome for a successful learner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// `standalone` | `integrated` | `stackable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stackability: Option<String>,
    /// Learner pathways (stacking and laddering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pathways: Option<String>,
    /// Credit or other recognition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_recognition: Option<String>,
    /// `year1` … `year4` | `graduate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Instructor qualifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructor_qualifications: Option<String>,
    /// Further information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub further_information: Option<String>,
}

/// Learner effort in hours, four parts (B.C.): the total is the notional hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffortHours {
    /// Face-to-face or synchronous contact.
    pub contact: Number,
    /// Peer learning.
    pub peer: Number,
    /// Asynchronous self-study.
    pub asynchronous: Number,
    /// Assessment.
    pub assessment: Number,
}

impl EffortHours {
    /// The sum of the four parts.
    pub fn total(&self) -> Number {
        self.contact
            .add(&self.peer)
            .add(&self.asynchronous)
            .add(&self.assessment)
    }
}

const DELIVERY_MODES: [&str; 3] = ["onsite", "online", "hybrid"];
const SUPERVISION: [&str; 4] = [
    "unsupervised_no_id",
    "supervised_no_id",
    "supervised_online",
    "onsite_with_id",
];
const STACKABILITY: [&str; 3] = ["standalone", "integrated", "stackable"];
const ASSESSMENT_METHODS: [&str; 2] = ["competency", "proficiency"];
const LEVELS: [&str; 5] = ["year1", "year2", "year3", "year4", "graduate"];

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
/// they can be folded together ([`check`]).
pub fn parse_definitions(json: &str) -> Result<Vec<CredentialDefinition>, Error> {
    let definitions: Vec<CredentialDefinition> =
        serde_json::from_str(json).map_err(|e| Error::json("definitions", e))?;
    check(&definitions)?;
    Ok(definitions)
}

/// Checks the structural rules that the fold relies on: unique ids, references that
/// resolve, required values present, numbers in range, methods valid. Validator findings
/// that do not stop the fold (README §10) are [`validate`]'s.
pub fn check(definitions: &[CredentialDefinition]) -> Result<(), DefinitionError> {
    let mut ids: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut unique = |kind: &'static str, id: &str| -> Result<(), DefinitionError> {
        if ids.entry(kind).or_default().insert(id.to_owned()) {
            Ok(())
        } else {
            Err(DefinitionError::DuplicateId {
                kind,
                id: id.to_owned(),
            })
        }
    };
    for def in definitions {
        unique("definition", def.id.as_str())?;
        for c in &def.competencies {
            unique("competency", c.id.as_str())?;
        }
        for a in &def.assessments {
            unique("assessment", a.id.as_str())?;
            for p in &a.parts {
                unique("part", &format!("{}/{}", a.id, p.id))?;
            }
        }
        for e in &def.equivalencies {
            unique("equivalency", e.id.as_str())?;
        }
    }
    let competencies: BTreeSet<&str> = definitions
        .iter()
        .flat_map(|d| d.competencies.iter().map(|c| c.id.as_str()))
        .collect();
    let assessments: BTreeSet<&str> = definitions
        .iter()
        .flat_map(|d| d.assessments.iter().map(|a| a.id.as_str()))
        .collect();
    for def in definitions {
        check_definition(def, &competencies, &assessments)?;
    }
    Ok(())
}

fn check_definition(
    def: &CredentialDefinition,
    competencies: &BTreeSet<&str>,
    assessments: &BTreeSet<&str>,
) -> Result<(), DefinitionError> {
    let name = || def.id.to_string();
    let invalid = |field: String, problem: &str| DefinitionError::InvalidValue {
        definition: name(),
        field,
        problem: problem.to_owned(),
    };
    let own_competencies: BTreeSet<&str> = def.competencies.iter().map(|c| c.id.as_str()).collect();
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
    competencies: &BTreeSet<&str>,
    assessments: &BTreeSet<&str>,
) -> Result<(), DefinitionError> {
    let mut result = Ok(());
    rule.visit_leaves(&mut |leaf| {
        if result.is_err() {
            return;
        }
        let missing = match leaf {
            Rule::Competency(c) if !competencies.contains(c.as_str()) => {
                Some(("competency", c.to_string()))
            }
            Rule::Assessment(a) | Rule::Submitted(a) if !assessments.contains(a.as_str()) => {
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

/// The validator of README §10 (rules V1–V10) over every definition, in definition order.
pub fn validate(definitions: &[CredentialDefinition]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for def in definitions {
        validate_definition(def, &mut findings);
    }
    findings
}

/// What blocks publishing a definition beyond the fold's structural rules: the B.C.
/// Critical Information Summary's 11 core fields for a B.C. micro-credential
/// (requirements.md REQ-META-04; `spec/badges.md` §2.2), and a learner-facing minimum for
/// every micro-credential (REQ-META-02: at least one competency). Each finding names the
/// field to fill in; `code` is `publish_field_missing`.
pub fn publish_findings(def: &CredentialDefinition) -> Vec<Finding> {
    let mut missing: Vec<&'static str> = Vec::new();
    let blank = |s: &str| s.trim().is_empty();
    if def.kind == "micro_credential" && def.competencies.is_empty() {
        missing.push("competencies (learning outcomes)");
    }
    if def.bc_micro_credential {
        let none = CriticalInformationSummary::default();
        let cis = def.metadata.cis.as_ref().unwrap_or(&none);
        let text_missing = |v: &Option<String>| v.as_deref().is_none_or(blank);
        if blank(&def.issuer.name) {
            missing.push("issuer.name (Institution)");
        }
        if blank(&def.name) {
            missing.push("name (Title)");
        }
        if blank(&def.description) {
            missing.push("description (Description)");
        }
        if text_missing(&cis.delivery_mode) {
            missing.push("metadata.cis.delivery_mode (Delivery Mode)");
        }
        if cis.effort_hours.is_none() {
            missing.push("metadata.cis.effort_hours (Learner Effort, four parts)");
        }
        if text_missing(&cis.prerequisites) {
            missing.push("metadata.cis.prerequisites (Pre-requisites)");
        }
        if def.competencies.is_empty() && def.kind != "micro_credential" {
            missing.push("competencies (Learning Outcomes)");
        }
        if text_missing(&cis.assessment_method) {
            missing.push("metadata.cis.assessment_method (Assessment Method)");
        }
        if text_missing(&cis.credit_recognition) && def.credits.is_none() {
            missing.push("metadata.cis.credit_recognition or credits (Credit/Other recognition)");
        }
        if text_missing(&cis.pathways) {
            missing.push("metadata.cis.pathways (Learner Pathways)");
        }
        if text_missing(&cis.quality_assurance) {
            missing.push("metadata.cis.quality_assurance (Quality Assurance Statement)");
        }
    }
    missing
        .into_iter()
        .map(|field| Finding {
            code: "publish_field_missing",
            severity: Severity::Error,
            reference: def.id.to_string(),
            message: format!("\"{}\" cannot be published without {field}", def.id),
        })
        .collect()
}

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

fn validate_definition(def: &CredentialDefinition, out: &mut Vec<Finding>) {
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
    // V9
    if def.kind == "micro_credential" && !def.criteria.has_assessed_leaf() {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn an_empty_assessment_method_blocks_publishing() {
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

    #[test]
    fn cis_values_outside_their_lists_are_refused_with_the_choices() {
        let def = bc_definition(serde_json::json!({"supervision": "proctored"}));
        let err = check(&[def]).unwrap_err();
        assert_eq!(err.code(), "invalid_value");
        assert!(err.to_string().contains("onsite_with_id"), "{err}");
    }

    #[test]
    fn effort_hours_total_is_the_sum_of_the_four_parts() {
        let hours: EffortHours = serde_json::from_value(serde_json::json!({"contact": "12.5", "peer": "2", "asynchronous": "20", "assessment": "5.5"})).unwrap();
        assert_eq!(hours.total(), Number::from_integer(40));
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
}
