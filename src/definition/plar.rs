//! The PLAR policy of a definition (README §3.4, `docs/format.md` §3.4): the methods it
//! accepts, the challenge and share rules, the components PLAR may grant, the assessors a
//! case needs (REQ-PLAR-08) and the credit bank of recognised prior credits with its reuse
//! window (REQ-PLAR-10, -11).

use serde::Serialize;

use crate::ids::{CompetencyId, DefinitionId};
use crate::number::Number;

/// A PLAR method (README §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

crate::unit_names::unit_names!(PlarMethod { ChallengeExam => "challenge_exam", CourseBased => "course_based", CreditBank => "credit_bank", DirectAssessment => "direct_assessment", Portfolio => "portfolio" });

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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlarPolicy {
    /// The methods this definition accepts.
    pub methods: Vec<PlarMethod>,
    /// Whether a challenge counts as an attempt.
    pub challenge_counts_as_attempt: bool,
    /// Cap on the granted share, in percent; `None` = no cap.
    pub max_share_percent: Option<Number>,
    /// Independent assessors a PLAR case needs before its decision: 1 (default) or 2
    /// (REQ-PLAR-08; `docs/format.md` §3.4).
    #[serde(skip_serializing_if = "is_one")]
    pub assessors_required: u32,
    /// How long an approved individual review may be reused for an identical request, in
    /// months (REQ-PLAR-11; default 36).
    #[serde(skip_serializing_if = "is_default_reuse")]
    pub reuse_window_months: u32,
    /// Recognised prior credits (REQ-PLAR-10, -11).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credit_bank: Vec<CreditBankEntry>,
}

crate::read_object!(PlarPolicy {
    methods, challenge_counts_as_attempt, max_share_percent = None,
    assessors_required = one_assessor(), reuse_window_months = default_reuse_months(),
    credit_bank = default(),
});

fn one_assessor() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// REQ-PLAR-11: an approved review may be reused within 3 years.
const DEFAULT_REUSE_MONTHS: u32 = 36;

fn default_reuse_months() -> u32 {
    DEFAULT_REUSE_MONTHS
}

fn is_default_reuse(n: &u32) -> bool {
    *n == DEFAULT_REUSE_MONTHS
}

/// A credit-bank entry: prior learning recognised once, granted to every learner who
/// completed it inside its window (REQ-PLAR-10), or an approved individual review reused
/// for identical requests within `reuse_window_months` (REQ-PLAR-11).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditBankEntry {
    /// Unique among the definition's entries.
    pub id: String,
    /// Who delivered the prior learning.
    pub provider: String,
    /// The program completed.
    pub program: String,
    /// Its curriculum version.
    pub curriculum_version: String,
    /// Credits recognised.
    pub credits: Number,
    /// Level, as the agreement states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// What kind of recognition.
    #[serde(rename = "type")]
    pub kind: CreditType,
    /// A formal agreement: completions from `from` to `until` (inclusive) are granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<AgreementWindow>,
    /// An individual review approved at this instant; reusable within the reuse window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<crate::Timestamp>,
    /// Competencies of this definition it grants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub competencies: Vec<CompetencyId>,
    /// Components of this definition it grants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<DefinitionId>,
}

crate::read_object!(CreditBankEntry {
    id, provider, program, curriculum_version, credits, level = default(), kind as "type",
    agreement = default(), approved_at = default(), competencies = default(),
    components = default(),
});

/// The kind of a credit-bank entry (REQ-PLAR-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditType {
    /// A block of credit.
    Block,
    /// Equivalent to a named course.
    CourseEquivalent,
    /// Applied study.
    AppliedStudy,
    /// An individual review, reused (REQ-PLAR-11).
    IndividualReview,
}

crate::unit_names::unit_names!(CreditType { Block => "block", CourseEquivalent => "course_equivalent", AppliedStudy => "applied_study", IndividualReview => "individual_review" });

/// The window of a credit-bank agreement, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgreementWindow {
    /// First completion instant covered.
    pub from: crate::Timestamp,
    /// Last completion instant covered.
    pub until: crate::Timestamp,
}

crate::read_object!(AgreementWindow { from, until });

/// A child credential PLAR may grant, with its weight in the share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// The child credential.
    pub credential: DefinitionId,
    /// Credits or hours, as the institution decides.
    pub weight: Number,
}

crate::read_object!(Component { credential, weight });

/// Finding P1 (`assessment_only_route_disabled`, error, blocks publishing): the institution
/// turned assessment-only routes off (REQ-PLAR-12) and the definition offers one, a
/// `direct_assessment` method or a `plar_direct_assessment` group of alternatives. The
/// toggle is the institution's ([`super::InstitutionConfig::assessment_only_routes`],
/// default on); [`super::publish_findings_in`] includes these findings. With it on there is
/// none.
pub fn plar_route_findings(
    def: &super::CredentialDefinition,
    config: &super::InstitutionConfig,
) -> Vec<super::Finding> {
    let assessment_only_routes = config.assessment_only_routes;
    if assessment_only_routes || !super::self_check::offers_direct_route(def) {
        return Vec::new();
    }
    vec![super::Finding {
        code: "assessment_only_route_disabled",
        severity: super::Severity::Error,
        reference: def.id.to_string(),
        message: format!(
            "\"{}\" offers an assessment-only (direct assessment) PLAR route, which this institution has turned off; remove `direct_assessment` from `plar.methods` and any `plar_direct_assessment` group",
            def.id
        ),
    }]
}
