//! Runs every `attempts` and `criteria` vector of `../shared/fixtures/mastery/vectors.json`
//! (README §4–6 rules) through the fold and the criteria evaluator.

use std::collections::BTreeSet;
use std::path::Path;

use cairn::Timestamp;
use cairn::criteria::{FactsInput, evaluate_facts};
use cairn::definition::CredentialDefinition;
use cairn::event::Event;
use cairn::number::Number;
use cairn::record::fold;
use serde_json::{Value, json};

fn vectors(kind: &str) -> Vec<Value> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/mastery/vectors.json");
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(path).expect("../shared beside the checkout"),
    )
    .unwrap();
    file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == kind)
        .cloned()
        .collect()
}

fn exact(v: &Value) -> Option<Number> {
    v.as_str().map(|s| Number::parse_exact(s).unwrap())
}

/// The one-assessment definition an `attempts` vector describes.
fn definition_of(input: &Value) -> CredentialDefinition {
    let mut assessment = input["assessment"].clone();
    let competencies: Vec<Value> = match input.get("competencies").and_then(Value::as_object) {
        Some(map) => map.iter().map(|(id, c)| json!({"id": id, "statement": format!("competency {id}"), "threshold_percent": c["threshold_percent"]})).collect(),
        None => Vec::new(),
    };
    assessment["title"] = json!("Assessment A1");
    if assessment.get("parts").is_none() {
        assessment["competencies"] = json!([]);
    }
    let definition = json!({
        "id": "D1", "version": "1", "name": "Vector", "description": "One assessment",
        "issuer": {"id": "https://example.edu/issuers/test", "name": "Test"},
        "competencies": competencies,
        "assessments": [assessment],
        "plar": input["plar"],
        "completion_window_days": input["completion_window_days"],
        "criteria": {"assessment": "A1"}
    });
    serde_json::from_value(definition).unwrap()
}

#[test]
fn every_attempts_vector_gives_its_errors_and_kept_result() {
    let all = vectors("attempts");
    assert!(all.len() >= 30, "found {} attempts vectors", all.len());
    let mut failures = Vec::new();
    for v in &all {
        let id = v["id"].as_str().unwrap();
        let definitions = vec![definition_of(&v["input"])];
        let events: Vec<Event> = serde_json::from_value(v["input"]["events"].clone()).unwrap();
        let at = events
            .iter()
            .map(|e| e.at)
            .max()
            .unwrap_or(Timestamp::from_unix_seconds(0));
        let record = fold(&definitions, &events, at).unwrap_or_else(|e| panic!("{id}: {e}"));
        let want = &v["expected"];
        let want_errors: BTreeSet<(usize, String)> = want["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["event"].as_u64().unwrap() as usize,
                    e["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let got_errors: BTreeSet<(usize, String)> = record
            .errors
            .iter()
            .map(|e| (e.event, e.code.to_owned()))
            .collect();
        let a = &record.assessments[&cairn::ids::AssessmentId::from("A1")];
        if want_errors != got_errors {
            failures.push(format!("{id}: errors {want_errors:?} != {got_errors:?}"));
        }
        if want["attempts_counted"].as_u64() != Some(u64::from(a.attempts_counted)) {
            failures.push(format!(
                "{id}: attempts_counted {} != {}",
                want["attempts_counted"], a.attempts_counted
            ));
        }
        if exact(&want["kept_percent"]) != a.kept_percent {
            failures.push(format!(
                "{id}: kept_percent {} != {:?}",
                want["kept_percent"], a.kept_percent
            ));
        }
        if want["kept_reported"].as_str() != a.kept_reported.as_deref() {
            failures.push(format!(
                "{id}: kept_reported {} != {:?}",
                want["kept_reported"], a.kept_reported
            ));
        }
        if want["passed"].as_bool() != Some(a.passed) {
            failures.push(format!("{id}: passed {} != {}", want["passed"], a.passed));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_criteria_vector_gives_its_outcome_and_progress() {
    let all = vectors("criteria");
    assert!(all.len() >= 20, "found {} criteria vectors", all.len());
    let mut failures = Vec::new();
    for v in &all {
        let id = v["id"].as_str().unwrap();
        let input: FactsInput =
            serde_json::from_value(v["input"].clone()).unwrap_or_else(|e| panic!("{id}: {e}"));
        let outcome = evaluate_facts(&input);
        let want = &v["expected"];
        if want["satisfied"].as_bool() != Some(outcome.satisfied) {
            failures.push(format!(
                "{id}: satisfied {} != {}",
                want["satisfied"], outcome.satisfied
            ));
        }
        let (s, of) = (
            exact(&want["progress"]["satisfied"]).unwrap(),
            exact(&want["progress"]["of"]).unwrap(),
        );
        if s != outcome.progress.satisfied || of != outcome.progress.of {
            failures.push(format!(
                "{id}: progress {} != {:?}",
                want["progress"], outcome.progress
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
