//! Grading after submission and score overrides (README §5.4), which no scenario fixture
//! covers yet: pending attempts, `attempt_scored`, `score_overridden`, their checks, and
//! evidence that follows submission order rather than grading time.

use cairn::Timestamp;
use cairn::definition::CredentialDefinition;
use cairn::event::Event;
use cairn::ids::{AssessmentId, CompetencyId};
use cairn::number::Number;
use cairn::record::{Record, fold};
use serde_json::json;

fn definitions() -> Vec<CredentialDefinition> {
    serde_json::from_value(json!([{
        "id": "D", "version": "2", "name": "Graded by a person", "description": "Essay marked by an instructor",
        "issuer": {"id": "https://example.edu/issuers/p", "name": "P"},
        "competencies": [{"id": "C", "statement": "write", "threshold_percent": "70", "method": "latest"}],
        "assessments": [{"id": "E", "title": "Essay", "kind": "summative", "max_points": "20", "pass_percent": "70",
                         "competencies": ["C"]},
                        {"id": "P", "title": "Project", "kind": "summative", "max_points": "20", "pass_percent": "70",
                         "competencies": ["C"]}],
        "attempt_policy": {"max_attempts": 3, "scoring": "highest", "feedback_required_before_retry": false,
                           "min_days_between_attempts": 0, "resit_cap_percent": "70", "retry_after_pass": false},
        "criteria": {"assessment": "E"}
    }]))
    .unwrap()
}

fn run(events: serde_json::Value) -> Record {
    let events: Vec<Event> = serde_json::from_value(events).unwrap();
    let at = events.iter().map(|e| e.at).max().unwrap();
    fold(&definitions(), &events, at).unwrap()
}

fn codes(record: &Record) -> Vec<(usize, &str)> {
    record.errors.iter().map(|e| (e.event, e.code)).collect()
}

fn n(s: &str) -> Number {
    Number::parse_exact(s).unwrap()
}

#[test]
fn a_pending_attempt_counts_and_blocks_the_next_until_scored() {
    let record = run(json!([
        {"at": "2025-03-01T10:00:00Z", "type": "attempt_submitted", "assessment": "E"},
        {"at": "2025-03-02T10:00:00Z", "type": "attempt_submitted", "assessment": "E", "score": "10"},
        {"at": "2025-03-03T10:00:00Z", "type": "attempt_scored", "assessment": "E", "attempt": 1, "score": "12", "grader": "i1"},
        {"at": "2025-03-04T10:00:00Z", "type": "attempt_submitted", "assessment": "E", "score": "18"}
    ]));
    assert_eq!(codes(&record), vec![(1, "attempt_pending")]);
    let e = &record.assessments[&AssessmentId::from("E")];
    assert_eq!(e.attempts_counted, 2);
    // The second attempt is a re-sit: capped at 70 % of 20 = 14 points.
    assert_eq!(e.kept_percent, Some(n("70")));
    assert!(e.passed);
    assert_eq!(
        record.credentials[&cairn::ids::DefinitionId::from("D")].issued_at,
        Some(Timestamp::parse("2025-03-04T10:00:00Z").unwrap())
    );
}

#[test]
fn scoring_checks_run_in_readme_order() {
    let record = run(json!([
        {"at": "2025-03-01T10:00:00Z", "type": "attempt_submitted", "assessment": "E"},
        {"at": "2025-03-02T10:00:00Z", "type": "attempt_scored", "assessment": "E", "attempt": 2, "score": "12"},
        {"at": "2025-03-02T11:00:00Z", "type": "attempt_scored", "assessment": "E", "attempt": 1, "score": "21"},
        {"at": "2025-03-02T12:00:00Z", "type": "score_overridden", "assessment": "E", "attempt": 1, "score": "5", "reason": "typo", "by": "i1"},
        {"at": "2025-03-03T10:00:00Z", "type": "attempt_scored", "assessment": "E", "attempt": 1, "score": "12"},
        {"at": "2025-03-03T11:00:00Z", "type": "attempt_scored", "assessment": "E", "attempt": 1, "score": "13"},
        {"at": "2025-03-03T12:00:00Z", "type": "score_overridden", "assessment": "E", "attempt": 1, "score": "13", "reason": " ", "by": "i1"},
        {"at": "2025-03-03T13:00:00Z", "type": "score_overridden", "assessment": "E", "attempt": 1, "score": "25", "reason": "recount", "by": "i1"}
    ]));
    assert_eq!(
        codes(&record),
        vec![
            (1, "unknown_reference"),
            (2, "score_out_of_range"),
            (3, "attempt_not_scored"),
            (5, "already_scored"),
            (6, "invalid_event"),
            (7, "score_out_of_range")
        ]
    );
    assert_eq!(
        record.assessments[&AssessmentId::from("E")].kept_percent,
        Some(n("60"))
    );
}

#[test]
fn an_override_replaces_the_score_for_every_rule() {
    let record = run(json!([
        {"at": "2025-03-01T10:00:00Z", "type": "attempt_submitted", "assessment": "E", "score": "10"},
        {"at": "2025-03-02T10:00:00Z", "type": "attempt_submitted", "assessment": "E", "score": "12"},
        {"at": "2025-03-05T10:00:00Z", "type": "score_overridden", "assessment": "E", "attempt": 2, "score": "19",
         "reason": "second marker", "by": "chair"}
    ]));
    assert!(record.errors.is_empty(), "{:?}", record.errors);
    let e = &record.assessments[&AssessmentId::from("E")];
    // The re-sit cap still applies to the overridden score: 19 → 14 of 20.
    assert_eq!(e.kept_percent, Some(n("70")));
    assert!(e.passed);
    // Issued when the override made the kept result pass.
    assert_eq!(
        record.credentials[&cairn::ids::DefinitionId::from("D")].issued_at,
        Some(Timestamp::parse("2025-03-05T10:00:00Z").unwrap())
    );
}

#[test]
fn evidence_follows_submission_order_not_grading_time() {
    // The essay is submitted first and graded last; the project comes between. `latest`
    // must take the project's percent (65), not the essay's (40), graded later.
    let record = run(json!([
        {"at": "2025-03-01T10:00:00Z", "type": "attempt_submitted", "assessment": "E"},
        {"at": "2025-03-02T10:00:00Z", "type": "attempt_submitted", "assessment": "P", "score": "13"},
        {"at": "2025-03-04T10:00:00Z", "type": "attempt_scored", "assessment": "E", "attempt": 1, "score": "8"}
    ]));
    assert!(record.errors.is_empty(), "{:?}", record.errors);
    assert_eq!(
        record.competencies[&CompetencyId::from("C")].score,
        Some(n("65"))
    );
}
