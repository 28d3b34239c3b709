//! Attempt and PLAR policy: which attempts count, when the next one opens, and why an
//! event is rejected (README §5.1, §5.3, §5.4). Each rule is a small check with a typed
//! error that names the rule and the numbers.
//!
//! Pure: no storage, no clock. The fold ([`crate::record`]) gathers the state an
//! assessment is in and asks these checks in README order.

use serde::Serialize;

use crate::definition::AttemptPolicy;
use crate::number::Number;
use crate::time::Timestamp;

/// Why an event was rejected. `code()` is the stable code of README §11 (and §5.4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The event names an id that does not exist.
    #[error("{kind} \"{id}\" does not exist")]
    UnknownReference {
        /// What kind of thing.
        kind: &'static str,
        /// The id named.
        id: String,
    },
    /// The event's fields do not fit the assessment.
    #[error("invalid event: {problem}")]
    InvalidEvent {
        /// What is wrong.
        problem: String,
    },
    /// A score above its maximum.
    #[error("{what} is {score} but the maximum is {max}")]
    ScoreOutOfRange {
        /// The score or part.
        what: String,
        /// The score given, exact.
        score: String,
        /// The maximum, exact.
        max: String,
    },
    /// A second enrolment in the same definition.
    #[error("already enrolled in \"{credential}\" since {since}")]
    AlreadyEnrolled {
        /// The definition.
        credential: String,
        /// The first enrolment.
        since: Timestamp,
    },
    /// The PLAR route or method is not offered.
    #[error("PLAR method {method} is not offered by \"{credential}\"")]
    PlarMethodNotAllowed {
        /// The method.
        method: &'static str,
        /// The governing definition.
        credential: String,
    },
    /// A challenge after a course attempt.
    #[error(
        "a challenge must come before any course attempt, and {course_attempts} course attempt(s) exist"
    )]
    ChallengeAfterCourseAttempt {
        /// Course attempts already made.
        course_attempts: u32,
    },
    /// A second challenge.
    #[error("only one challenge is allowed per assessment")]
    ChallengeLimitReached,
    /// A renewal attempt outside the renewal window.
    #[error("renewal is not open: {why}")]
    RenewalNotOpen {
        /// Why, with the dates.
        why: String,
    },
    /// An attempt after the completion window.
    #[error("the completion window closed at {deadline}")]
    DeadlinePassed {
        /// The deadline.
        deadline: Timestamp,
    },
    /// A retry after a pass.
    #[error("the assessment is already passed and the policy does not allow a retry after a pass")]
    AlreadyPassed,
    /// No counted attempt left.
    #[error("no attempt left: {counted} of {max} counted attempts used")]
    AttemptLimitReached {
        /// Counted attempts so far.
        counted: u32,
        /// The limit.
        max: u32,
    },
    /// The latest counted attempt is not graded yet.
    #[error("attempt {number} is still waiting for a grade")]
    AttemptPending {
        /// The pending attempt's number.
        number: u32,
    },
    /// A retry before feedback on the latest attempt.
    #[error("feedback on attempt {number} must be released before another attempt")]
    FeedbackNotReleased {
        /// The latest counted attempt's number.
        number: u32,
    },
    /// A retry before the waiting time is over.
    #[error("the next attempt opens at {opens_at} ({days} day(s) after the latest attempt)")]
    RetryTooSoon {
        /// When the next attempt opens.
        opens_at: Timestamp,
        /// The waiting time in days.
        days: u32,
    },
    /// A PLAR grant for something already granted.
    #[error("\"{target}\" is already granted by PLAR")]
    AlreadyGranted {
        /// The competency or component.
        target: String,
    },
    /// A PLAR grant over the share cap.
    #[error("PLAR would cover {share}% of \"{credential}\", over the cap of {cap}%")]
    PlarLimitExceeded {
        /// The definition.
        credential: String,
        /// The share after the grant, rounded to 2 decimals.
        share: String,
        /// The cap, exact.
        cap: String,
    },
    /// A presented credential the verifier rejected.
    #[error("the presented credential \"{credential}\" did not verify")]
    CredentialNotVerified {
        /// The credential.
        credential: String,
    },
    /// An application while the criteria do not hold.
    #[error("the criteria of \"{credential}\" are not met yet")]
    CriteriaNotMet {
        /// The definition.
        credential: String,
    },
    /// An application for a credential already issued.
    #[error("\"{credential}\" was already issued at {issued_at}")]
    AlreadyIssued {
        /// The definition.
        credential: String,
        /// The issue time.
        issued_at: Timestamp,
    },
    /// A claim for an equivalency whose requirements do not hold.
    #[error("equivalency \"{equivalency}\" is not open: its requirements are not met")]
    EquivalencyNotEligible {
        /// The equivalency.
        equivalency: String,
    },
    /// A second claim.
    #[error("equivalency \"{equivalency}\" is already claimed")]
    AlreadyClaimed {
        /// The equivalency.
        equivalency: String,
    },
    /// Scoring an attempt that already has a score.
    #[error("attempt {number} already has a score; use an override with a reason to change it")]
    AlreadyScored {
        /// The attempt.
        number: u32,
    },
    /// Overriding an attempt that has no score yet.
    #[error("attempt {number} has no score to override; score it first")]
    AttemptNotScored {
        /// The attempt.
        number: u32,
    },
    /// A peer or self assessment scoring a summative (REQ-ASSESS-09).
    #[error(
        "a {assessor} assessor cannot decide {target}; peer and self results are formative only"
    )]
    AssessorNotAllowed {
        /// The assessor type.
        assessor: &'static str,
        /// What was to be decided, e.g. `summative assessment "FINAL"`.
        target: String,
    },
    /// Scoring a supervised summative without the assessor's attestation (REQ-ASSESS-10).
    #[error(
        "assessment \"{assessment}\" is supervised ({mode}): a score needs the assessor's attestation (`attested_by`)"
    )]
    AttestationRequired {
        /// The assessment.
        assessment: String,
        /// Its supervision mode.
        mode: &'static str,
    },
    /// Enrolling in a cancelled (no-go) offering (REQ-DEF-12).
    #[error("offering \"{offering}\" is cancelled (no-go): nobody may enrol in it")]
    OfferingNotRunning {
        /// The offering.
        offering: String,
    },
    /// A summative attempt before the cohort's release date (REQ-ATTEMPT-09).
    #[error("this assessment opens at {opens_at} for the learner's cohort")]
    NotYetReleased {
        /// When it opens.
        opens_at: Timestamp,
    },
    /// An attempt or a second withdrawal after the learner withdrew (REQ-COMP-10).
    #[error("the learner withdrew from \"{credential}\" at {since}")]
    LearnerWithdrawn {
        /// The definition.
        credential: String,
        /// When they withdrew.
        since: Timestamp,
    },
    /// An advisor assessing or deciding a PLAR case (REQ-PLAR-08).
    #[error("an advisor cannot {action} a PLAR case; an assessor or a decision maker must")]
    PlarNotAuthorized {
        /// `assess` or `decide`.
        action: &'static str,
    },
    /// A decision on a case that lacks its independent assessments (REQ-PLAR-08).
    #[error(
        "PLAR case \"{case}\" needs {required} independent assessor(s) before a decision; it has {have}"
    )]
    PlarCaseNotAssessed {
        /// The case.
        case: String,
        /// Assessors the definition requires.
        required: u32,
        /// Distinct assessors so far.
        have: u32,
    },
    /// An assessment or decision on a case already decided.
    #[error("PLAR case \"{case}\" is already decided")]
    PlarCaseDecided {
        /// The case.
        case: String,
    },
    /// A credit-bank completion outside the agreement's window (REQ-PLAR-10, -11).
    #[error(
        "{what} at {completed_at} is outside the window {from} .. {until}; it is not granted automatically"
    )]
    OutsideCreditWindow {
        /// What was completed or approved.
        what: String,
        /// When.
        completed_at: Timestamp,
        /// Window start.
        from: Timestamp,
        /// Window end (inclusive).
        until: Timestamp,
    },
}

impl PolicyError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::UnknownReference { .. } => "unknown_reference",
            PolicyError::InvalidEvent { .. } => "invalid_event",
            PolicyError::ScoreOutOfRange { .. } => "score_out_of_range",
            PolicyError::AlreadyEnrolled { .. } => "already_enrolled",
            PolicyError::PlarMethodNotAllowed { .. } => "plar_method_not_allowed",
            PolicyError::ChallengeAfterCourseAttempt { .. } => "challenge_after_course_attempt",
            PolicyError::ChallengeLimitReached => "challenge_limit_reached",
            PolicyError::RenewalNotOpen { .. } => "renewal_not_open",
            PolicyError::DeadlinePassed { .. } => "deadline_passed",
            PolicyError::AlreadyPassed => "already_passed",
            PolicyError::AttemptLimitReached { .. } => "attempt_limit_reached",
            PolicyError::AttemptPending { .. } => "attempt_pending",
            PolicyError::FeedbackNotReleased { .. } => "feedback_not_released",
            PolicyError::RetryTooSoon { .. } => "retry_too_soon",
            PolicyError::AlreadyGranted { .. } => "already_granted",
            PolicyError::PlarLimitExceeded { .. } => "plar_limit_exceeded",
            PolicyError::CredentialNotVerified { .. } => "credential_not_verified",
            PolicyError::CriteriaNotMet { .. } => "criteria_not_met",
            PolicyError::AlreadyIssued { .. } => "already_issued",
            PolicyError::EquivalencyNotEligible { .. } => "equivalency_not_eligible",
            PolicyError::AlreadyClaimed { .. } => "already_claimed",
            PolicyError::AlreadyScored { .. } => "already_scored",
            PolicyError::AttemptNotScored { .. } => "attempt_not_scored",
            PolicyError::AssessorNotAllowed { .. } => "assessor_not_allowed",
            PolicyError::AttestationRequired { .. } => "attestation_required",
            PolicyError::OfferingNotRunning { .. } => "offering_not_running",
            PolicyError::NotYetReleased { .. } => "not_yet_released",
            PolicyError::LearnerWithdrawn { .. } => "learner_withdrawn",
            PolicyError::PlarNotAuthorized { .. } => "plar_not_authorized",
            PolicyError::PlarCaseNotAssessed { .. } => "plar_case_not_assessed",
            PolicyError::PlarCaseDecided { .. } => "plar_case_decided",
            PolicyError::OutsideCreditWindow { .. } => "outside_credit_window",
        }
    }
}

/// Where an assessment stands for its counted attempts (in the current renewal cycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountedState {
    /// Counted attempts so far.
    pub counted: u32,
    /// Number and time of the latest counted attempt.
    pub latest: Option<(u32, Timestamp)>,
    /// Whether the latest counted attempt still waits for a score.
    pub latest_pending: bool,
    /// Whether feedback was released after the latest counted attempt.
    pub feedback_after_latest: bool,
    /// Whether the kept result passes.
    pub kept_passes: bool,
}

/// README §5.1 step 5, for a counted attempt at `at`: `already_passed`,
/// `attempt_limit_reached`, `attempt_pending`, `feedback_not_released`, `retry_too_soon`,
/// in that order.
pub fn check_counted_attempt(
    policy: &AttemptPolicy,
    state: &CountedState,
    at: Timestamp,
) -> Result<(), PolicyError> {
    if state.kept_passes && !policy.retry_after_pass {
        return Err(PolicyError::AlreadyPassed);
    }
    if let Some(max) = policy.max_attempts
        && state.counted >= max
    {
        return Err(PolicyError::AttemptLimitReached {
            counted: state.counted,
            max,
        });
    }
    let Some((number, latest_at)) = state.latest else {
        return Ok(());
    };
    if state.latest_pending {
        return Err(PolicyError::AttemptPending { number });
    }
    if policy.feedback_required_before_retry && !state.kept_passes && !state.feedback_after_latest {
        return Err(PolicyError::FeedbackNotReleased { number });
    }
    let opens_at = latest_at.plus_days(i64::from(policy.min_days_between_attempts));
    if at < opens_at {
        return Err(PolicyError::RetryTooSoon {
            opens_at,
            days: policy.min_days_between_attempts,
        });
    }
    Ok(())
}

/// What the learner can do next on an assessment, and when: the explanation of why a
/// retry is or is not open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum NextStep {
    /// An attempt is open now or from `opens_at`.
    Attempt {
        /// When it opens (now, if not later).
        opens_at: Timestamp,
        /// Counted attempts left after this one is used; `None` = unlimited.
        attempts_left: Option<u32>,
        /// The completion deadline, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        deadline: Option<Timestamp>,
    },
    /// Feedback on the latest attempt must be released first.
    WaitForFeedback {
        /// The attempt waiting for feedback.
        attempt: u32,
    },
    /// The latest attempt waits for a grader.
    WaitForGrading {
        /// The pending attempt.
        attempt: u32,
    },
    /// No attempt is left.
    NoAttemptLeft {
        /// The limit.
        max: u32,
    },
    /// The completion window closed.
    DeadlinePassed {
        /// The deadline.
        deadline: Timestamp,
    },
    /// The assessment is passed.
    Passed,
}

/// The next step for a counted attempt at `at`, from the same checks the fold applies.
pub fn next_step(
    policy: &AttemptPolicy,
    state: &CountedState,
    deadline: Option<Timestamp>,
    at: Timestamp,
) -> NextStep {
    if let Some(d) = deadline
        && at > d
    {
        return NextStep::DeadlinePassed { deadline: d };
    }
    let attempts_left = policy
        .max_attempts
        .map(|max| max.saturating_sub(state.counted + 1));
    match check_counted_attempt(policy, state, at) {
        Ok(()) => NextStep::Attempt {
            opens_at: at,
            attempts_left,
            deadline,
        },
        Err(PolicyError::AlreadyPassed) => NextStep::Passed,
        Err(PolicyError::AttemptLimitReached { max, .. }) => NextStep::NoAttemptLeft { max },
        Err(PolicyError::AttemptPending { number }) => NextStep::WaitForGrading { attempt: number },
        Err(PolicyError::FeedbackNotReleased { number }) => {
            NextStep::WaitForFeedback { attempt: number }
        }
        Err(PolicyError::RetryTooSoon { opens_at, .. }) => match deadline {
            Some(d) if opens_at > d => NextStep::DeadlinePassed { deadline: d },
            _ => NextStep::Attempt {
                opens_at,
                attempts_left,
                deadline,
            },
        },
        Err(_) => NextStep::Attempt {
            opens_at: at,
            attempts_left,
            deadline,
        },
    }
}

/// README §5.3 share cap: whether granting `adding` on top of `granted`, out of `total`,
/// stays within `cap` (rounded share, exactly equal allowed). Returns the rounded share.
pub fn check_plar_share(
    granted: &Number,
    adding: &Number,
    total: &Number,
    cap: Option<&Number>,
    credential: &str,
) -> Result<Number, PolicyError> {
    let share = granted
        .add(adding)
        .mul(&Number::from_integer(100))
        .div(total)
        .reported();
    match cap {
        Some(cap) if share > *cap => Err(PolicyError::PlarLimitExceeded {
            credential: credential.to_owned(),
            share: share.to_reported_string(),
            cap: cap.to_exact_string(),
        }),
        _ => Ok(share),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn after_one_fail() -> CountedState {
        CountedState {
            counted: 1,
            latest: Some((1, t("2025-01-01T10:00:00Z"))),
            latest_pending: false,
            feedback_after_latest: false,
            kept_passes: false,
        }
    }

    #[test]
    fn second_attempt_opens_after_feedback() {
        let policy = AttemptPolicy::default();
        let state = after_one_fail();
        assert!(matches!(
            check_counted_attempt(&policy, &state, t("2025-01-02T10:00:00Z")),
            Err(PolicyError::FeedbackNotReleased { number: 1 })
        ));
        let state = CountedState {
            feedback_after_latest: true,
            ..state
        };
        assert_eq!(
            check_counted_attempt(&policy, &state, t("2025-01-02T10:00:00Z")),
            Ok(())
        );
    }

    #[test]
    fn third_attempt_over_a_limit_of_two_is_refused() {
        let policy = AttemptPolicy::default();
        let state = CountedState {
            counted: 2,
            feedback_after_latest: true,
            ..after_one_fail()
        };
        let err = check_counted_attempt(&policy, &state, t("2025-02-01T00:00:00Z")).unwrap_err();
        assert_eq!(err.code(), "attempt_limit_reached");
        assert_eq!(
            err.to_string(),
            "no attempt left: 2 of 2 counted attempts used"
        );
    }

    #[test]
    fn waiting_time_is_inclusive_and_explained() {
        let policy = AttemptPolicy {
            min_days_between_attempts: 7,
            feedback_required_before_retry: false,
            ..AttemptPolicy::default()
        };
        let state = after_one_fail();
        assert!(check_counted_attempt(&policy, &state, t("2025-01-08T09:59:59Z")).is_err());
        assert_eq!(
            check_counted_attempt(&policy, &state, t("2025-01-08T10:00:00Z")),
            Ok(())
        );
        let next = next_step(&policy, &state, None, t("2025-01-03T00:00:00Z"));
        assert_eq!(
            next,
            NextStep::Attempt {
                opens_at: t("2025-01-08T10:00:00Z"),
                attempts_left: Some(0),
                deadline: None
            }
        );
    }

    #[test]
    fn share_equal_to_the_cap_is_allowed() {
        let n = |s: &str| Number::parse_decimal(s).unwrap();
        assert!(check_plar_share(&n("1"), &n("1"), &n("4"), Some(&n("50")), "d").is_ok());
        assert_eq!(
            check_plar_share(&n("2"), &n("1"), &n("4"), Some(&n("50")), "d")
                .unwrap_err()
                .code(),
            "plar_limit_exceeded"
        );
    }
}
