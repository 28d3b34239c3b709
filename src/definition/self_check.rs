//! The optional pre-assessment self-check of a PLAR route (REQ-PLAR-12; `docs/format.md`
//! §5.6): 15 to 30 questions, each rating how ready the learner is to show one competency,
//! recommend the course or the direct (assessment-only) route. It is advice and nothing
//! more: no event carries a self-check, so it is never a fold input and never affects
//! mastery. The direct route is recommended only where the definition offers it and the
//! institution allows it ([`super::InstitutionConfig::assessment_only_routes`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::institution::InstitutionConfig;
use super::plar::PlarMethod;
use super::{AlternativeKind, CredentialDefinition};
use crate::ids::CompetencyId;

/// Fewest questions a self-check asks.
pub const SELF_CHECK_MIN_QUESTIONS: usize = 15;
/// Most questions a self-check asks.
pub const SELF_CHECK_MAX_QUESTIONS: usize = 30;
/// Highest rating: "I could show this to an assessor today".
pub const SELF_CHECK_MAX_RATING: u8 = 4;
/// The mean rating every competency needs for the direct route to be recommended.
pub const SELF_CHECK_READY_RATING: u8 = 3;

/// One answered question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfCheckAnswer {
    /// The competency the question is about.
    pub competency: CompetencyId,
    /// 0 (never done it) to 4 (could show it to an assessor today).
    pub rating: u8,
}

crate::read_object!(SelfCheckAnswer { competency, rating });

/// The route a self-check recommends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecommendedRoute {
    /// Take the course.
    Course,
    /// Go straight to the direct assessment.
    DirectAssessment,
}

crate::unit_names::unit_names!(RecommendedRoute { Course => "course", DirectAssessment => "direct_assessment" });

/// What a self-check recommends, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfCheckAdvice {
    /// The recommended route.
    pub route: RecommendedRoute,
    /// Competencies whose mean rating is below [`SELF_CHECK_READY_RATING`] or that no
    /// question asked about, in definition order.
    pub not_ready: Vec<CompetencyId>,
    /// Why, in words, for the learner.
    pub reason: String,
}

/// Why a self-check cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelfCheckError {
    /// Too few or too many questions.
    #[error("a self-check has 15 to 30 questions, not {0}")]
    Length(usize),
    /// A question about a competency the definition does not have.
    #[error(
        "question {question} is about \"{competency}\", which is not a competency of the definition"
    )]
    UnknownCompetency {
        /// The question's position (from 1).
        question: usize,
        /// The competency named.
        competency: String,
    },
    /// A rating above the scale.
    #[error("question {question} is rated {rating}; ratings go from 0 to 4")]
    Rating {
        /// The question's position (from 1).
        question: usize,
        /// The rating given.
        rating: u8,
    },
}

impl SelfCheckError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            SelfCheckError::Length(_) => "self_check_length",
            SelfCheckError::UnknownCompetency { .. } => "unknown_reference",
            SelfCheckError::Rating { .. } => "invalid_value",
        }
    }
}

/// Whether `def` offers an assessment-only (direct assessment) PLAR route.
pub fn offers_direct_route(def: &CredentialDefinition) -> bool {
    def.plar
        .as_ref()
        .is_some_and(|p| p.methods.contains(&PlarMethod::DirectAssessment))
        || def
            .alternatives
            .iter()
            .any(|g| g.kind == AlternativeKind::PlarDirectAssessment)
}

/// The route a learner's self-check recommends for `def` (REQ-PLAR-12): the direct route
/// when it is offered and allowed and every competency's mean rating is at least
/// [`SELF_CHECK_READY_RATING`], else the course.
pub fn self_check(
    def: &CredentialDefinition,
    config: &InstitutionConfig,
    answers: &[SelfCheckAnswer],
) -> Result<SelfCheckAdvice, SelfCheckError> {
    if !(SELF_CHECK_MIN_QUESTIONS..=SELF_CHECK_MAX_QUESTIONS).contains(&answers.len()) {
        return Err(SelfCheckError::Length(answers.len()));
    }
    let mut sums: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for (i, a) in answers.iter().enumerate() {
        if !def.competencies.iter().any(|c| c.id == a.competency) {
            return Err(SelfCheckError::UnknownCompetency {
                question: i + 1,
                competency: a.competency.to_string(),
            });
        }
        if a.rating > SELF_CHECK_MAX_RATING {
            return Err(SelfCheckError::Rating {
                question: i + 1,
                rating: a.rating,
            });
        }
        let entry = sums.entry(a.competency.as_str()).or_default();
        entry.0 += u32::from(a.rating);
        entry.1 += 1;
    }
    let not_ready: Vec<CompetencyId> = def
        .competencies
        .iter()
        .filter(|c| {
            sums.get(c.id.as_str()).is_none_or(|&(sum, n)| {
                // mean < ready  ⇔  sum < ready × n (no rounding).
                sum < u32::from(SELF_CHECK_READY_RATING) * n
            })
        })
        .map(|c| c.id.clone())
        .collect();
    let offered = offers_direct_route(def);
    let (route, reason) = if !offered {
        (
            RecommendedRoute::Course,
            "this credential has no assessment-only route: take the course".to_owned(),
        )
    } else if !config.assessment_only_routes {
        (
            RecommendedRoute::Course,
            "the institution does not offer assessment-only routes: take the course".to_owned(),
        )
    } else if not_ready.is_empty() {
        (
            RecommendedRoute::DirectAssessment,
            "you rated yourself ready on every competency: the direct assessment may suit you"
                .to_owned(),
        )
    } else {
        (
            RecommendedRoute::Course,
            format!(
                "the course is recommended: you are not yet ready on {}",
                not_ready
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    };
    Ok(SelfCheckAdvice {
        route,
        not_ready,
        reason,
    })
}
