//! `Catalog` (REQ-LIFE-02, `docs/format.md` §5.8): a roster folded with each learner on the
//! versions their enrolment pinned gives, learner by learner, what folding that learner alone
//! on their chosen versions gives (laid out in the latest course's order), for summaries and
//! for the what-if's statuses; with one version per definition it is the course's fold.

mod scenario_support;

use std::path::Path;

use cairn::Timestamp;
use cairn::definition::CredentialDefinition;
use cairn::event::{Event, parse_events};
use cairn::ids::LearnerId;
use cairn::record::{
    Catalog, Course, EarlierVersion, IssuanceStatus, LearnerLog, LearnerSummary, MasteryStatus,
    summary_onto, versions_for,
};
use serde_json::{Value, json};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// `fa` v1.0.0 (FA1, FA2) and v2.0.0 (adds FA3 and its practical), oldest first.
fn fa_versions() -> Vec<CredentialDefinition> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios/life-02-enrolled-learner-stays-on-v1.json");
    let scenario = scenario_support::read(&path).unwrap();
    cairn::definition::parse_definitions(&scenario["definitions"].to_string()).unwrap()
}

/// A learner who passes FA-P1 and FA-P2, enrolled on `version` (none: no pin).
fn learner(name: &str, version: Option<&str>) -> LearnerLog {
    let mut enrolled =
        json!({"at": "2026-02-02T09:00:00Z", "type": "enrolled", "credential": "fa"});
    if let Some(version) = version {
        enrolled["version"] = json!(version);
    }
    let events = json!([
        enrolled,
        {"at": "2026-02-10T10:00:00Z", "type": "attempt_submitted", "assessment": "FA-P1", "score": "82"},
        {"at": "2026-02-17T10:00:00Z", "type": "attempt_submitted", "assessment": "FA-P2", "score": "75"}
    ]);
    LearnerLog {
        learner: LearnerId::new(name),
        events: parse_events(&events.to_string()).unwrap(),
    }
}

/// What folding one learner alone gives: their chosen versions' course, laid out in the
/// latest course's order.
fn alone(versions: &[CredentialDefinition], events: &[Event], now: Timestamp) -> LearnerSummary {
    let latest = Catalog::new(versions.to_vec()).unwrap();
    let own = Course::new(versions_for(versions, events, now).unwrap()).unwrap();
    summary_onto(&own.summarize(events, now), &own, latest.latest())
}

fn statuses_of(summaries: &[LearnerSummary]) -> (Vec<MasteryStatus>, Vec<IssuanceStatus>) {
    (
        summaries
            .iter()
            .flat_map(|s| s.competencies.iter().map(|c| c.status))
            .collect(),
        summaries
            .iter()
            .flat_map(|s| s.credentials.iter().map(|c| c.status))
            .collect(),
    )
}

#[test]
fn a_roster_with_learners_pinned_to_v1_folds_each_as_alone_on_their_versions() {
    let versions = fa_versions();
    let catalog = Catalog::new(versions.clone()).unwrap();
    let now = at("2026-03-01T00:00:00Z");
    // Pinned and unpinned learners interleaved, so roster order is not group order.
    let logs = vec![
        learner("ada", Some("1.0.0")),
        learner("bo", None),
        learner("cy", Some("1.0.0")),
        learner("di", Some("2.0.0")),
        learner("ed", Some("9.9.9")), // a version not given: folded on the latest
    ];
    let summaries = catalog.summarize_all(&logs, now).unwrap();
    let want: Vec<LearnerSummary> = logs
        .iter()
        .map(|l| alone(&versions, &l.events, now))
        .collect();
    assert_eq!(summaries, want);
    for (log, summary) in logs.iter().zip(&summaries) {
        assert_eq!(catalog.summarize(&log.events, now).unwrap(), *summary);
    }
    // The columns are v2's; v1 learners hold fa (issued on v1), FA3 reads not started.
    let ids: Vec<&str> = catalog
        .latest()
        .competency_ids()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(ids, ["FA1", "FA2", "FA3"]);
    let fa: Vec<IssuanceStatus> = summaries.iter().map(|s| s.credentials[0].status).collect();
    use IssuanceStatus::{NotIssued, Valid};
    assert_eq!(fa, [Valid, NotIssued, Valid, NotIssued, NotIssued]);
    assert_eq!(
        summaries[0].competencies[2].status,
        MasteryStatus::NotStarted
    );
    assert_eq!(summaries[0].assessments.len(), 3);
    // The what-if's statuses are the summaries' statuses.
    let statuses = catalog.statuses_all(&logs, now).unwrap();
    let (comps, creds) = statuses_of(&summaries);
    assert_eq!(statuses.competencies, comps);
    assert_eq!(statuses.credentials, creds);
    assert_eq!(statuses.competencies_per_learner, 3);
    assert_eq!(statuses.credentials_per_learner, 1);
    // The records too.
    for log in &logs {
        let own = Course::new(versions_for(&versions, &log.events, now).unwrap()).unwrap();
        assert_eq!(
            catalog.fold(&log.events, now).unwrap(),
            own.fold(&log.events, now)
        );
    }
    // Two learners stay on 1.0.0.
    assert_eq!(
        catalog.earlier_versions(&logs, now),
        [EarlierVersion {
            definition: versions[0].id.clone(),
            version: "1.0.0".into(),
            learners: 2,
        }]
    );
    // Before the pins, everyone is on the latest.
    assert!(
        catalog
            .earlier_versions(&logs, at("2026-01-01T00:00:00Z"))
            .is_empty()
    );
}

#[test]
fn one_course_per_choice_is_made_once_and_the_latest_is_the_catalogs() {
    let catalog = Catalog::new(fa_versions()).unwrap();
    let now = at("2026-03-01T00:00:00Z");
    let v1 = learner("ada", Some("1.0.0"));
    let first = catalog.for_learner(&v1.events, now).unwrap();
    let again = catalog.for_learner(&v1.events, now).unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &again));
    assert!(!catalog.is_latest(&first));
    assert_eq!(first.definitions()[0].version, "1.0.0");
    let unpinned = catalog
        .for_learner(&learner("bo", None).events, now)
        .unwrap();
    assert!(catalog.is_latest(&unpinned));
}

#[test]
fn a_change_to_the_latest_leaves_learners_pinned_to_an_earlier_version_as_they_were() {
    let versions = fa_versions();
    let catalog = Catalog::new(versions.clone()).unwrap();
    let now = at("2026-03-01T00:00:00Z");
    // A learner on v1 and one on v2, both with 82 and 75 on FA-P1 and FA-P2.
    let logs = vec![learner("ada", Some("1.0.0")), learner("bo", Some("2.0.0"))];
    let before = catalog.statuses_all(&logs, now).unwrap();
    // What if every threshold of the latest were 80: FA2 (75) is no longer mastered.
    let mut edited = vec![versions[1].clone()];
    for c in &mut edited[0].competencies {
        c.threshold_percent = "80".parse().unwrap();
    }
    let what_if = catalog.with_latest(edited).unwrap();
    let after = what_if.statuses_all(&logs, now).unwrap();
    // ada (v1) is unchanged; bo's FA2 moves from mastered to not yet.
    assert_eq!(after.competencies[..3], before.competencies[..3]);
    assert_eq!(before.competencies[4], MasteryStatus::Mastered);
    assert_eq!(after.competencies[4], MasteryStatus::NotYet);
    assert_eq!(what_if.earlier_versions(&logs, now).len(), 1);
    // The edited latest is the what-if's latest.
    assert_eq!(
        what_if.latest().definitions()[0].competencies[0]
            .threshold_percent
            .to_string(),
        "80"
    );
}

#[test]
fn one_id_and_version_given_twice_is_refused() {
    let versions = fa_versions();
    let twice = vec![versions[0].clone(), versions[0].clone()];
    let err = Catalog::new(twice).unwrap_err();
    assert!(err.to_string().contains("fa 1.0.0"), "{err}");
}

/// Every scenario, as a roster of each prefix of its events: the catalog's summaries and
/// statuses are each learner's alone on their versions; with one version per definition,
/// exactly the course's own roster fold.
#[test]
fn every_scenario_prefix_folds_as_alone_and_single_versions_are_unchanged() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut multi, mut single) = (0, 0);
    for path in scenario_support::scenario_files(root).unwrap() {
        let scenario = scenario_support::read(&path).unwrap();
        let id = scenario_support::id(&scenario).unwrap();
        let text = |key: &str| scenario.get(key).map_or("[]".to_owned(), Value::to_string);
        let Ok(catalog) = Catalog::from_json(&text("definitions")) else {
            continue; // a scenario about definitions that cannot be folded
        };
        let events = parse_events(&text("events")).unwrap();
        let now = scenario_support::evaluation_instant(&scenario).unwrap();
        let logs = scenario_support::prefix_roster(id, &events);
        let Ok(summaries) = catalog.summarize_all(&logs, now) else {
            continue; // a pinned version that does not make a course with the others
        };
        let versions = catalog.versions();
        let want: Vec<LearnerSummary> = logs
            .iter()
            .map(|l| alone(versions, &l.events, now))
            .collect();
        assert_eq!(summaries, want, "{id}");
        let statuses = catalog.statuses_all(&logs, now).unwrap();
        let (comps, creds) = statuses_of(&summaries);
        assert_eq!(statuses.competencies, comps, "{id}");
        assert_eq!(statuses.credentials, creds, "{id}");
        if versions.len() == catalog.latest().definitions().len() {
            let course = Course::new(versions.to_vec()).unwrap();
            assert_eq!(summaries, course.summarize_all(&logs, now), "{id}");
            assert_eq!(statuses, course.statuses_all(&logs, now), "{id}");
            single += 1;
        } else {
            multi += 1;
        }
    }
    assert!(
        multi >= 2,
        "the life-02 scenarios have two versions: {multi}"
    );
    assert!(single > 20, "{single} single-version scenarios");
}

/// `aa`: one version, its own competency and practical (ids apart from `fa`'s).
fn aa() -> CredentialDefinition {
    let mut def = serde_json::to_value(&fa_versions()[0]).unwrap();
    def["id"] = json!("aa");
    def["competencies"] = json!([{"id": "AA1", "statement": "Aa", "threshold_percent": "70"}]);
    def["assessments"] = json!([{"id": "AA-P1", "title": "Aa practical", "kind": "summative",
        "max_points": "100", "pass_percent": "70", "competencies": ["AA1"]}]);
    serde_json::from_value(def).unwrap()
}

#[test]
fn an_edited_latest_keeps_the_columns_in_order_when_only_some_ids_have_earlier_versions() {
    let fa = fa_versions();
    let catalog = Catalog::new(vec![aa(), fa[0].clone(), fa[1].clone()]).unwrap();
    let ids = |c: &Catalog| -> Vec<String> {
        let latest = c.latest();
        let mut out: Vec<String> = latest
            .definition_ids()
            .iter()
            .map(|d| d.to_string())
            .collect();
        out.extend(latest.competency_ids().iter().map(|d| d.to_string()));
        out
    };
    assert_eq!(ids(&catalog), ["aa", "fa", "AA1", "FA1", "FA2", "FA3"]);
    let edited = catalog.with_latest(vec![aa(), fa[1].clone()]).unwrap();
    assert_eq!(ids(&edited), ids(&catalog));
    assert_eq!(edited.versions().len(), 3, "fa 1.0.0 is kept");
    // The same roster's statuses line up column for column.
    let now = at("2026-03-01T00:00:00Z");
    let logs = vec![learner("ada", Some("1.0.0")), learner("bo", None)];
    assert_eq!(
        edited.statuses_all(&logs, now).unwrap(),
        catalog.statuses_all(&logs, now).unwrap()
    );
}
