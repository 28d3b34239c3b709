//! Replays every scenario of `../shared/fixtures/scenarios/` through the fold and checks
//! the record against the scenario's `expect` (README §9): errors as a set, listed ids and
//! keys only, numbers as exact rationals, checkpoints, validation findings as a set.

mod scenario_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cairn::Timestamp;
use cairn::definition::CredentialDefinition;
use cairn::event::Event;
use cairn::number::Number;
use cairn::record::{Record, fold};
use serde_json::Value;

/// Every scenario file, by name.
fn scenario_files() -> Vec<PathBuf> {
    scenario_support::scenario_files(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn exact(v: &Value) -> Option<Number> {
    match v {
        Value::Null => None,
        Value::String(s) => {
            Some(Number::parse_exact(s).unwrap_or_else(|e| panic!("bad expected number {s}: {e}")))
        }
        other => panic!("expected a number string or null, got {other}"),
    }
}

fn record_value(record: &Record) -> Value {
    serde_json::to_value(record).unwrap()
}

/// Compares one expected value with the record's, numbers as exact rationals.
fn same(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(e), Value::String(a)) => {
            match (Number::parse_exact(e), Number::parse_exact(a)) {
                (Ok(x), Ok(y)) => x == y,
                _ => e == a,
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| same(x, y))
        }
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| same(v, av))),
        _ => expected == actual,
    }
}

fn check_state(
    name: &str,
    label: &str,
    expect: &Value,
    actual: &Value,
    failures: &mut Vec<String>,
) {
    for section in ["competencies", "assessments", "credentials"] {
        let Some(map) = expect.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (id, want) in map {
            let got = &actual[section][id];
            for (key, want_value) in want.as_object().unwrap() {
                let got_value = got.get(key).unwrap_or(&Value::Null);
                let ok = if key == "issuances" {
                    // Issuances compare on the listed keys of each entry.
                    same(want_value, got_value)
                } else if want_value.is_string() || want_value.is_null() {
                    match (want_value, got_value) {
                        (Value::Null, Value::Null) => true,
                        (Value::String(w), Value::String(g)) => {
                            match (Number::parse_exact(w), Number::parse_exact(g)) {
                                (Ok(x), Ok(y)) => x == y,
                                _ => w == g,
                            }
                        }
                        _ => exact(want_value).is_none() && got_value.is_null(),
                    }
                } else {
                    same(want_value, got_value)
                };
                if !ok {
                    failures.push(format!("{name} {label}: {section}.{id}.{key}: expected {want_value}, got {got_value}"));
                }
            }
        }
    }
    if let Some(map) = expect.get("equivalencies").and_then(Value::as_object) {
        for (id, want) in map {
            let got = &actual["equivalencies"][id]["status"];
            if got != want {
                failures.push(format!(
                    "{name} {label}: equivalencies.{id}: expected {want}, got {got}"
                ));
            }
        }
    }
}

struct Scenario {
    name: String,
    /// The evaluation instant (README §9), from the shared helper.
    at: Timestamp,
    definitions: Vec<CredentialDefinition>,
    events: Vec<Event>,
    expect: Value,
}

fn load(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let name = file["id"].as_str().unwrap().to_owned();
    let definitions: Vec<CredentialDefinition> =
        serde_json::from_value(file["definitions"].clone())
            .unwrap_or_else(|e| panic!("{name}: definitions do not parse: {e}"));
    let events: Vec<Event> = serde_json::from_value(file["events"].clone())
        .unwrap_or_else(|e| panic!("{name}: events do not parse: {e}"));
    let at = scenario_support::evaluation_instant(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
    Scenario {
        name,
        at,
        definitions,
        events,
        expect: file["expect"].clone(),
    }
}

fn check_scenario(s: &Scenario) -> Vec<String> {
    let mut failures = Vec::new();
    let at = s.at;
    let record = fold(&s.definitions, &s.events, at)
        .unwrap_or_else(|e| panic!("{}: definitions refused: {e}", s.name));
    let actual = record_value(&record);

    let want_errors: BTreeSet<(u64, String)> = s.expect["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["event"].as_u64().unwrap(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let got_errors: BTreeSet<(u64, String)> = record
        .errors
        .iter()
        .map(|e| (e.event as u64, e.code.to_owned()))
        .collect();
    if want_errors != got_errors {
        failures.push(format!(
            "{}: errors: expected {want_errors:?}, got {got_errors:?} ({:?})",
            s.name, record.errors
        ));
    }
    if let Some(want) = s.expect.get("validation").and_then(Value::as_array) {
        let want: BTreeSet<(String, String, String)> = want
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().into(),
                    f["severity"].as_str().unwrap().into(),
                    f["ref"].as_str().unwrap().into(),
                )
            })
            .collect();
        let got: BTreeSet<(String, String, String)> = actual["validation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().into(),
                    f["severity"].as_str().unwrap().into(),
                    f["ref"].as_str().unwrap().into(),
                )
            })
            .collect();
        if want != got {
            failures.push(format!(
                "{}: validation: expected {want:?}, got {got:?}",
                s.name
            ));
        }
    }
    check_state(
        &s.name,
        &format!("at {at}"),
        &s.expect,
        &actual,
        &mut failures,
    );
    for checkpoint in s
        .expect
        .get("checkpoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let cp_at = Timestamp::parse(checkpoint["at"].as_str().unwrap()).unwrap();
        let record = fold(&s.definitions, &s.events, cp_at).unwrap();
        check_state(
            &s.name,
            &format!("checkpoint {cp_at}"),
            checkpoint,
            &record_value(&record),
            &mut failures,
        );
    }
    failures
}

#[test]
fn every_scenario_replays_to_its_expected_record() {
    let files = scenario_files();
    assert!(
        files.len() >= 30,
        "expected the scenario fixtures, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        failures.extend(check_scenario(&load(path)));
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_evaluation_instant_is_the_latest_at_not_the_last_event() {
    let file = |events: Value, expect: Value| serde_json::json!({"id": "t", "events": events, "expect": expect});
    let event = |at: &str| serde_json::json!({"at": at, "type": "enrolled", "credential": "x"});
    let t = |s: &str| Timestamp::parse(s).unwrap();
    let later_first =
        serde_json::json!([event("2025-03-01T00:00:00Z"), event("2025-01-01T00:00:00Z")]);
    assert_eq!(
        scenario_support::evaluation_instant(&file(later_first.clone(), serde_json::json!({}))),
        Ok(t("2025-03-01T00:00:00Z"))
    );
    assert_eq!(
        scenario_support::evaluation_instant(&file(
            later_first,
            serde_json::json!({"at": "2026-01-01T00:00:00Z"})
        )),
        Ok(t("2026-01-01T00:00:00Z"))
    );
    assert_eq!(
        scenario_support::evaluation_instant(&file(serde_json::json!([]), serde_json::json!({}))),
        Ok(scenario_support::NO_EVENTS_AT)
    );
    assert!(
        scenario_support::evaluation_instant(&file(
            serde_json::json!([event("0000-01-01T00:00:00Z")]),
            serde_json::json!({})
        ))
        .is_err()
    );
}

#[test]
fn a_rejected_event_changes_nothing_but_errors() {
    // Removing each rejected event from the log gives the same record, less that error.
    for path in scenario_files() {
        let s = load(&path);
        let at = s.at;
        let record = fold(&s.definitions, &s.events, at).unwrap();
        for rejected in &record.errors {
            let events: Vec<Event> = s
                .events
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != rejected.event)
                .map(|(_, e)| e.clone())
                .collect();
            let without = fold(&s.definitions, &events, at).unwrap();
            let mut a = record_value(&record);
            let mut b = record_value(&without);
            a.as_object_mut().unwrap().remove("errors");
            b.as_object_mut().unwrap().remove("errors");
            assert_eq!(
                a, b,
                "{}: rejected event {} changed the record",
                s.name, rejected.event
            );
        }
    }
}
