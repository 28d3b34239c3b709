//! What the score outbox queues for a learner, read from the core's record (`spec/lti.md`
//! §8.3): per assessment with a kept result or an attempt awaiting a grader, one score whose
//! values are the record's (kept points, the assessment's maximum, pending attempts) and the
//! line item it belongs to. No rule is decided here: the kept result, the attempt policy and
//! what is pending are the core's. The state key names the (attempt, kept result) state, so
//! the outbox queues each state once.

use cairn::definition::AssessmentKind;
use cairn::number::Number;
use cairn::record::{AssessmentRecord, Course, Record};
use serde::{Deserialize, Serialize};

use super::ags_types::{ActivityProgress, GradingProgress, LineItem, Score};
use crate::store::outbox::NewScore;

/// What an outbox row holds besides its key: the score without `userId` and `timestamp`
/// (added when sending), the line item to find or create, and the submission instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// The score (its `user_id` and `timestamp` are filled at send time).
    pub score: Score,
    /// The line item of the assessment (`resourceId` = assessment id).
    pub line_item: LineItem,
    /// The latest attempt's submission instant (Unix ms), for Canvas's submission extension.
    pub submitted_at_ms: Option<i64>,
    /// Whether the event that queued it was a new attempt (Canvas `new_submission`).
    pub new_submission: bool,
}

/// The scores of `record` to queue after an event at `event_at_ms`, queued at `now_ms`.
pub fn queued(
    course: &Course<'_>,
    record: &Record,
    event_at_ms: i64,
    now_ms: i64,
) -> Vec<NewScore> {
    let mut scores = Vec::new();
    for (id, assessment) in &record.assessments {
        let Some(definition) = course
            .definitions()
            .iter()
            .find(|d| d.id == assessment.definition)
            .and_then(|d| d.assessments.iter().find(|a| &a.id == id))
        else {
            continue;
        };
        let pending = assessment.attempts.iter().filter(|a| a.pending).count();
        if assessment.kept_points.is_none() && pending == 0 {
            continue;
        }
        let maximum = definition.total_max();
        let latest_ms = assessment
            .attempts
            .iter()
            .map(|a| a.at.unix_seconds().saturating_mul(1000))
            .max();
        let payload = Payload {
            score: score_of(assessment, &maximum),
            line_item: LineItem {
                id: None,
                score_maximum: json_number(&maximum),
                label: definition.title.clone(),
                resource_id: Some(id.as_str().to_owned()),
                tag: Some(
                    match definition.kind {
                        AssessmentKind::Summative => "summative",
                        AssessmentKind::Formative => "formative",
                    }
                    .to_owned(),
                ),
                resource_link_id: None,
            },
            submitted_at_ms: latest_ms,
            new_submission: latest_ms == Some(event_at_ms),
        };
        let Ok(payload) = serde_json::to_value(&payload) else {
            continue;
        };
        scores.push(NewScore {
            assessment_id: id.as_str().to_owned(),
            state_key: state_key(assessment, pending),
            payload,
            now_ms,
        });
    }
    scores
}

/// The (attempt, kept result) state: accepted attempts, overrides, pending attempts and the
/// kept points, exact. An override back to an earlier value is a new state (more overrides).
fn state_key(assessment: &AssessmentRecord, pending: usize) -> String {
    let overrides: usize = assessment.attempts.iter().map(|a| a.overrides.len()).sum();
    let kept = assessment
        .kept_points
        .as_ref()
        .map_or_else(|| "-".to_owned(), Number::to_exact_string);
    format!(
        "attempts={};overrides={overrides};pending={pending};cycle={};kept={kept}",
        assessment.attempts.len(),
        assessment.cycle
    )
}

/// The score of the record's kept result; awaiting a grader with none kept: `Submitted` /
/// `PendingManual` without points.
fn score_of(assessment: &AssessmentRecord, maximum: &Number) -> Score {
    let (given, activity, grading, comment) = match &assessment.kept_points {
        Some(points) => (
            Some(json_number(points)),
            ActivityProgress::Completed,
            GradingProgress::FullyGraded,
            assessment.kept_reported.as_ref().map(|percent| {
                format!(
                    "Kept result {percent} % after {} counted attempt(s).",
                    assessment.attempts_counted
                )
            }),
        ),
        None => (
            None,
            ActivityProgress::Submitted,
            GradingProgress::PendingManual,
            None,
        ),
    };
    Score {
        user_id: String::new(),
        score_maximum: given.as_ref().map(|_| json_number(maximum)),
        score_given: given,
        comment,
        activity_progress: activity,
        grading_progress: grading,
        timestamp: String::new(),
        canvas_submission: None,
    }
}

/// A core number as JSON: an integer when it is one, else its value rounded to 2 decimals.
pub fn json_number(number: &Number) -> serde_json::Number {
    match number.to_i64() {
        Some(whole) => serde_json::Number::from(whole),
        None => serde_json::Number::from_f64(number.round2().to_f64_for_display())
            .unwrap_or_else(|| serde_json::Number::from(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_integers_when_whole() {
        assert_eq!(json_number(&Number::from_integer(83)).to_string(), "83");
        assert_eq!(json_number(&Number::ratio(1, 3)).to_string(), "0.33");
    }
}
