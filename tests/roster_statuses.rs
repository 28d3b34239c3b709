//! `Course::statuses_all` (the what-if panel's statuses-only fold) against
//! `Course::summarize_all`: for every scenario, a roster of learners holding each prefix of
//! the scenario's events (so one learner's memory is reused after logs of every length) gets
//! exactly the summaries' competency and credential statuses.

mod scenario_support;

use std::path::Path;

use cairn::record::{Course, IssuanceStatus, MasteryStatus};
use serde_json::Value;

#[test]
fn statuses_equal_the_summaries_statuses_for_every_scenario_prefix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut mastered, mut valid, mut folded) = (0, 0, 0);
    for path in scenario_support::scenario_files(root).unwrap() {
        let scenario = scenario_support::read(&path).unwrap();
        let id = scenario_support::id(&scenario).unwrap();
        let text = |key: &str| scenario.get(key).map_or("[]".to_owned(), Value::to_string);
        let Ok(course) = Course::from_json(&text("definitions")) else {
            continue; // a scenario about definitions that cannot be folded
        };
        let events = cairn::event::parse_events(&text("events")).unwrap();
        let at = scenario_support::evaluation_instant(&scenario).unwrap();
        let logs = scenario_support::prefix_roster(id, &events);
        let summaries = course.summarize_all(&logs, at);
        let statuses = course.statuses_all(&logs, at);
        let want_comps: Vec<MasteryStatus> = summaries
            .iter()
            .flat_map(|s| s.competencies.iter().map(|c| c.status))
            .collect();
        let want_creds: Vec<IssuanceStatus> = summaries
            .iter()
            .flat_map(|s| s.credentials.iter().map(|c| c.status))
            .collect();
        assert_eq!(
            statuses.competencies, want_comps,
            "{id}: competency statuses"
        );
        assert_eq!(
            statuses.credentials, want_creds,
            "{id}: credential statuses"
        );
        assert_eq!(
            statuses.competencies_per_learner,
            course.competency_ids().len()
        );
        assert_eq!(
            statuses.credentials_per_learner,
            course.definition_ids().len()
        );
        mastered += want_comps
            .iter()
            .filter(|s| **s == MasteryStatus::Mastered)
            .count();
        valid += want_creds
            .iter()
            .filter(|s| **s == IssuanceStatus::Valid)
            .count();
        folded += 1;
    }
    // Not vacuous: the scenarios reach the statuses the what-if panel counts.
    assert!(folded > 10, "only {folded} scenarios folded");
    assert!(
        mastered > 0 && valid > 0,
        "mastered {mastered}, valid {valid}"
    );
}

#[test]
fn an_empty_roster_has_no_statuses() {
    let course = Course::from_json("[]").unwrap();
    let statuses = course.statuses_all(&[], cairn::Timestamp::from_unix_seconds(0));
    assert!(statuses.competencies.is_empty() && statuses.credentials.is_empty());
}
