//! Requirement tests for the reports (REQ-REPORT-02/03/04/07/08/09), with the numbers of
//! each requirement's acceptance column. Rosters are built from the shared scenarios: each
//! learner's log is a scenario's log or a variation of it, folded by the core.

mod scenario_support;

use std::path::Path;

use cairn::Timestamp;
use cairn::definition::{CredentialDefinition, Lifecycle};
use cairn::event::Event;
use cairn::record::Record;
use cairn::report::{self, LearnerData, ProblemKind};
use serde_json::{Value, json};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shared_scenario(name: &str) -> Value {
    let path = repo().join(format!("../shared/fixtures/scenarios/{name}.json"));
    scenario_support::read(&path).unwrap()
}

/// A roster: definitions, and per learner (id, events, record).
struct Roster {
    definitions: Vec<CredentialDefinition>,
    learners: Vec<(String, Vec<Event>, Record)>,
}

impl Roster {
    fn new(definitions: &Value) -> Roster {
        Roster {
            definitions: cairn::definition::parse_definitions(&definitions.to_string()).unwrap(),
            learners: Vec::new(),
        }
    }

    /// Adds a learner with these events, folded at `at`.
    fn add(&mut self, events: Value, at: &str) {
        let events = cairn::event::parse_events(&events.to_string()).unwrap();
        let record =
            cairn::record::fold(&self.definitions, &events, Timestamp::parse(at).unwrap()).unwrap();
        let id = format!("L{:03}", self.learners.len() + 1);
        self.learners.push((id, events, record));
    }

    fn data(&self) -> Vec<LearnerData<'_>> {
        self.learners
            .iter()
            .map(|(learner, events, record)| LearnerData {
                learner,
                events,
                record,
            })
            .collect()
    }

    fn def(&self, id: &str) -> &CredentialDefinition {
        self.definitions
            .iter()
            .find(|d| d.id.as_str() == id)
            .unwrap()
    }
}

#[test]
fn req_report_02_nic_funnel_six_registered_six_attempted_six_completed_none_failed() {
    let s = shared_scenario("nic-facilities-maintenance");
    let mut roster = Roster::new(&s["definitions"]);
    for _ in 0..6 {
        roster.add(s["events"].clone(), "2023-05-15T00:00:00Z");
    }
    let f = report::funnel(roster.def("nic-fm"), Some(6), &roster.data());
    assert_eq!(
        (
            f.seats,
            f.registered,
            f.attempted_all,
            f.completed,
            f.failed_summative
        ),
        (Some(6), 6, 6, 6, 0)
    );
    // One more learner who fails both attempts is registered, attempted, failed.
    let mut fail = s["events"].clone();
    let low = json!({"P-FM1": "1", "P-FM2": "1", "P-FM3": "1", "P-FM4": "1", "P-FM5": "1", "P-FM6": "1", "P-FM7": "1"});
    fail[1]["part_scores"] = low.clone();
    fail[3]["part_scores"] = low;
    roster.add(fail, "2023-05-15T00:00:00Z");
    let f = report::funnel(roster.def("nic-fm"), Some(6), &roster.data());
    assert_eq!(
        (
            f.registered,
            f.attempted_all,
            f.completed,
            f.failed_summative
        ),
        (7, 7, 6, 1)
    );
}

const PASS: &str = r#"{"K1": "40", "K2": "60", "K3": "120", "K4": "40"}"#;
const FAIL: &str = r#"{"K1": "20", "K2": "20", "K3": "40", "K4": "20"}"#;

fn parts(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// The Safe Patient Transfer course (spt-06's definition, which allows a challenge exam)
/// with 40 registered learners: 34 on the course (24 pass on attempt 1, 5 on attempt 2, 3
/// fail twice, 2 withdraw before any attempt) and 6 by challenge (4 pass, 2 fail).
fn spt_roster() -> Roster {
    let s = shared_scenario("spt-06-plar-challenge-pass");
    let mut roster = Roster::new(&s["definitions"]);
    let enrol = json!({"at": "2025-01-20T09:00:00Z", "type": "enrolled", "credential": "spt"});
    let attempt = |at: &str, scores: &str, route: &str| json!({"at": at, "type": "attempt_submitted", "assessment": "SPT-DEMO", "route": route, "part_scores": parts(scores)});
    let feedback = json!({"at": "2025-02-15T09:00:00Z", "type": "feedback_released", "assessment": "SPT-DEMO"});
    let end = "2025-04-01T00:00:00Z";
    for _ in 0..24 {
        roster.add(
            json!([enrol, attempt("2025-02-14T15:30:00Z", PASS, "course")]),
            end,
        );
    }
    // A failed first attempt, feedback, then a second that passes (5) or fails (3).
    for (n, second) in [(5, PASS), (3, FAIL)] {
        for _ in 0..n {
            roster.add(
                json!([
                    enrol,
                    attempt("2025-02-14T15:30:00Z", FAIL, "course"),
                    feedback,
                    attempt("2025-03-01T10:00:00Z", second, "course")
                ]),
                end,
            );
        }
    }
    let withdrawn = json!({"at": "2025-02-01T09:00:00Z", "type": "withdrawn", "credential": "spt"});
    for _ in 0..2 {
        roster.add(json!([enrol, withdrawn]), end);
    }
    for i in 0..6 {
        let scores = if i < 4 { PASS } else { FAIL };
        roster.add(
            json!([
                enrol,
                attempt("2025-03-03T14:00:00Z", scores, "challenge_exam")
            ]),
            end,
        );
    }
    roster
}

#[test]
fn req_report_03_completion_rate_by_route_and_attempt_with_withdrawals_counted() {
    let roster = spt_roster();
    let r = report::completion(roster.def("spt"), &roster.data());
    // 40 registered, 33 awarded → 82.5 %.
    assert_eq!((r.overall.count, r.overall.of), (33, 40));
    assert_eq!(r.overall.reported.as_deref(), Some("82.50"));
    assert_eq!(r.withdrawn, 2, "the withdrawn learners are in the 40");
    // 24 of 34 course learners on attempt 1 → 70.6 %.
    let first = &r.by_attempt[&1];
    assert_eq!((first.count, first.of), (24, 34));
    assert_eq!(first.reported.as_deref(), Some("70.59"));
    assert_eq!((r.by_attempt[&2].count, r.by_attempt[&2].of), (5, 34));
    assert_eq!(
        (r.by_route["course"].count, r.by_route["course"].of),
        (29, 34)
    );
    assert_eq!((r.by_route["plar"].count, r.by_route["plar"].of), (4, 6));
}

#[test]
fn req_report_04_the_criterion_with_most_first_attempt_fails_comes_first() {
    let s = shared_scenario("spt-01-first-attempt-pass");
    let mut roster = Roster::new(&s["definitions"]);
    let enrol = json!({"at": "2025-01-20T09:00:00Z", "type": "enrolled", "credential": "spt"});
    let first = |scores: &str| json!({"at": "2025-02-14T15:30:00Z", "type": "attempt_submitted", "assessment": "SPT-DEMO", "part_scores": parts(scores)});
    let feedback = json!({"at": "2025-02-15T09:00:00Z", "type": "feedback_released", "assessment": "SPT-DEMO"});
    let retry = json!({"at": "2025-03-01T10:00:00Z", "type": "attempt_submitted", "assessment": "SPT-DEMO", "part_scores": parts(PASS)});
    // K3 fails on three first attempts, K1 on one; the retries all pass and change nothing.
    let end = "2025-04-01T00:00:00Z";
    roster.add(
        json!([
            enrol,
            first(r#"{"K1": "40", "K2": "60", "K3": "0", "K4": "40"}"#),
            feedback,
            retry
        ]),
        end,
    );
    roster.add(
        json!([
            enrol,
            first(r#"{"K1": "20", "K2": "60", "K3": "40", "K4": "40"}"#),
            feedback,
            retry
        ]),
        end,
    );
    roster.add(
        json!([
            enrol,
            first(r#"{"K1": "40", "K2": "60", "K3": "40", "K4": "40"}"#),
            feedback,
            retry
        ]),
        end,
    );
    roster.add(json!([enrol, first(PASS)]), end);
    let lines = report::problems(roster.def("spt"), &roster.data());
    let criteria: Vec<(&str, u64, u64)> = lines
        .iter()
        .filter(|p| p.kind == ProblemKind::Criterion)
        .map(|p| (p.id.as_str(), p.not_yet.count, p.not_yet.of))
        .collect();
    assert_eq!(criteria[0], ("K3", 3, 4));
    assert_eq!(criteria[1], ("K1", 1, 4));
    assert_eq!(lines[0].id, "C3", "its competency leads the whole list");
    assert_eq!(lines[0].not_yet.reported.as_deref(), Some("75.00"));
}

#[test]
fn req_report_07_review_pack_built_from_one_offerings_log() {
    let roster = spt_roster();
    let def = roster.def("spt");
    let lifecycle: Lifecycle = serde_json::from_value(json!({
        "state": "published",
        "approvals": [
            {"body": "department", "person": "R. Singh", "at": "2024-11-01T00:00:00Z"},
            {"body": "senate", "person": "M. Roy", "at": "2024-12-01T00:00:00Z"}
        ]
    }))
    .unwrap();
    let pack = report::review_pack(def, &roster.data(), Some(&lifecycle));
    assert_eq!(
        (pack.definition.as_str(), pack.version.as_str()),
        ("spt", def.version.as_str())
    );
    // Alignment: the four rubric criteria, each to its competency.
    let cells: Vec<(&str, &str)> = pack
        .alignment
        .iter()
        .map(|c| (c.part.as_deref().unwrap(), c.competency.as_str()))
        .collect();
    assert_eq!(
        cells,
        [("K1", "C1"), ("K2", "C2"), ("K3", "C3"), ("K4", "C4")]
    );
    // Attempts: 38 learners attempted (2 withdrew): 24 + 5×2 + 3×2 + 6 = 46 attempts.
    let demo = &pack.attempts[0];
    assert_eq!((demo.learners, demo.attempts), (38, 46));
    assert_eq!(
        (demo.first_attempt_pass.count, demo.first_attempt_pass.of),
        (28, 38)
    );
    assert_eq!((demo.passed.count, demo.passed.of), (33, 38));
    assert_eq!(pack.plar.challenge_attempts, 6);
    assert_eq!(pack.completion.overall.count, 33);
    assert!(!pack.problems.is_empty());
    assert_eq!(pack.sign_offs.len(), 2);
    assert_eq!(pack.sign_offs[1].body, "senate");
}

#[test]
fn req_report_08_registrar_export_matches_its_golden_files() {
    let dir = repo().join(scenario_support::REPORTS_DIR);
    let files = scenario_support::registrar_golden(repo()).unwrap();
    for (name, text) in &files {
        let golden = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (run `cargo xtask golden`)"));
        assert!(
            golden == *text,
            "{name} differs: review, then run `cargo xtask golden`"
        );
    }
    // The rows say what the registrar needs: spt-01's learner, credit-bearing, by course.
    let json: Value = serde_json::from_str(&files[1].1).unwrap();
    let row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["learner"] == "spt-01-first-attempt-pass")
        .unwrap();
    assert_eq!(
        (
            &row["credential"],
            &row["version"],
            &row["issued_at"],
            &row["credits"],
            &row["route"],
            &row["transcriptable"]
        ),
        (
            &json!("spt"),
            &json!("1.0.0"),
            &json!("2025-02-14T15:30:00Z"),
            &json!("1"),
            &json!("course"),
            &json!(true)
        )
    );
    let challenge = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["learner"] == "spt-06-plar-challenge-pass")
        .unwrap();
    assert_eq!(challenge["route"], "challenge_exam");
    assert!(
        files[0]
            .1
            .starts_with("learner,credential,name,version,issued_at")
    );
}

#[test]
fn req_report_09_eighty_eligible_forty_claimed_is_fifty_percent() {
    let s = shared_scenario("ufv-digital-marketing");
    let mut roster = Roster::new(&s["definitions"]);
    let end = "2025-07-01T00:00:00Z";
    let unclaimed: Vec<Value> = s["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] != "equivalency_claimed")
        .cloned()
        .collect();
    for _ in 0..40 {
        roster.add(s["events"].clone(), end);
        roster.add(json!(unclaimed), end);
    }
    // Learners who never became eligible are not in the denominator.
    for _ in 0..5 {
        roster.add(json!([s["events"][0]]), end);
    }
    let uptake = report::uptake(roster.def("ufv-dm"), &roster.data());
    assert_eq!(uptake.len(), 1);
    let gd = &uptake[0];
    assert_eq!(gd.equivalency, "GD157");
    assert_eq!((gd.claimed.count, gd.claimed.of), (40, 80));
    assert_eq!(gd.claimed.reported.as_deref(), Some("50.00"));
}

/// `ds` of `tests/scenarios/def-12-self-paced-offering.json`, declaring 45 notional hours.
fn data_skills() -> Roster {
    let path = repo().join("tests/scenarios/def-12-self-paced-offering.json");
    let mut s = scenario_support::read(&path).unwrap();
    s["definitions"][0]["hours"] = json!("45");
    Roster::new(&s["definitions"])
}

fn enrolled_in(offering: &str) -> Value {
    json!({"at": "2026-01-12T09:00:00Z", "type": "enrolled", "credential": "ds",
        "offering": {"id": offering, "definition": "ds", "version": "1.0.0", "mode": "self_paced"}})
}

#[test]
fn req_report_09_registrations_are_attributed_to_offerings_in_fte() {
    let mut roster = data_skills();
    let end = "2026-06-01T00:00:00Z";
    for i in 0..30 {
        let mut events = vec![enrolled_in("2026-winter")];
        if i < 6 {
            events.push(
                json!({"at": "2026-02-01T09:00:00Z", "type": "withdrawn", "credential": "ds"}),
            );
        }
        roster.add(json!(events), end);
    }
    for _ in 0..12 {
        roster.add(json!([enrolled_in("2026-spring")]), end);
    }
    // Registered by an attempt, without an offering.
    for _ in 0..3 {
        roster.add(
            json!([{"at": "2026-03-01T09:00:00Z", "type": "attempt_submitted", "assessment": "D-FINAL", "score": "40"}]),
            end,
        );
    }
    // Not registered: a rejected enrolment in a cancelled offering.
    let mut no_go = enrolled_in("2026-summer");
    no_go["offering"]["status"] = json!("no_go");
    roster.add(json!([no_go]), end);

    // 900 hours make one FTE: 30 × 45 / 900 = 1.5, 12 × 45 / 900 = 0.6, 3 × 45 / 900 = 0.15.
    let fte_hours = cairn::number::Number::from_integer(900);
    let rows = report::registrations(roster.def("ds"), &roster.data(), &fte_hours);
    type Row<'a> = (Option<&'a str>, u64, u64, Option<String>, Option<&'a str>);
    let shape: Vec<Row<'_>> = rows
        .iter()
        .map(|r| {
            (
                r.offering.as_deref(),
                r.registered,
                r.withdrawn,
                r.learner_hours.as_ref().map(|h| h.to_reported_string()),
                r.fte_reported.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (
                Some("2026-spring"),
                12,
                0,
                Some("540.00".into()),
                Some("0.60")
            ),
            (
                Some("2026-winter"),
                30,
                6,
                Some("1350.00".into()),
                Some("1.50")
            ),
            (None, 3, 0, Some("135.00".into()), Some("0.15")),
        ]
    );
    // Without declared hours there is no FTE, only the counts.
    let mut bare = roster.def("ds").clone();
    bare.hours = None;
    let rows = report::registrations(&bare, &roster.data(), &fte_hours);
    assert!(
        rows.iter()
            .all(|r| r.fte.is_none() && r.learner_hours.is_none())
    );
    assert_eq!(rows.iter().map(|r| r.registered).sum::<u64>(), 45);
}

#[test]
fn req_report_09_credentials_accepted_elsewhere() {
    let mut roster = data_skills();
    let end = "2026-06-01T00:00:00Z";
    let attempt = |score: &str| json!([{"at": "2026-03-01T09:00:00Z", "type": "attempt_submitted", "assessment": "D-FINAL", "score": score}]);
    for _ in 0..10 {
        roster.add(attempt("80"), end); // L001..L010 awarded
    }
    for _ in 0..5 {
        roster.add(attempt("40"), end); // L011..L015 not awarded
    }
    let accept = |learner: &str, credential: &str, by: &str| report::Acceptance {
        learner: learner.into(),
        credential: cairn::ids::DefinitionId::new(credential),
        accepted_by: by.into(),
        at: Timestamp::parse("2026-05-01T00:00:00Z").unwrap(),
    };
    let acceptances = [
        accept("L001", "ds", "Camosun College"),
        accept("L002", "ds", "Camosun College"),
        accept("L003", "ds", "Camosun College"),
        accept("L004", "ds", "Camosun College"),
        accept("L004", "ds", "BCIT"),
        accept("L005", "ds", "BCIT"),
        // Not awarded: not counted.
        accept("L012", "ds", "BCIT"),
        // Another credential: not counted.
        accept("L006", "other", "BCIT"),
    ];
    let report = report::accepted_elsewhere(roster.def("ds"), &roster.data(), &acceptances);
    assert_eq!((report.accepted.count, report.accepted.of), (5, 10));
    assert_eq!(report.accepted.reported.as_deref(), Some("50.00"));
    assert_eq!(
        report.by_institution,
        [("BCIT".to_owned(), 2), ("Camosun College".to_owned(), 4)]
    );
}
