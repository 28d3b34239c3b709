//! Fuzz target: arbitrary JSON into `cairn::mastery::calculate_evidence` (the evidence-row
//! function an LMS import calls). A vectors file (`{"vectors": [...]}`) runs each input.
#![no_main]

use cairn::mastery::{CalculationInput, calculate_evidence};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn run(input: Value) {
    let Ok(input) = serde_json::from_value::<CalculationInput>(input) else {
        return;
    };
    let Ok(outcome) = calculate_evidence(&input) else {
        return;
    };
    // A value and its exact form come together, and only without a reason.
    assert_eq!(outcome.value.is_some(), outcome.exact.is_some());
    assert_eq!(outcome.value.is_some(), outcome.mastered.is_some());
    assert_eq!(outcome.value.is_some(), outcome.reason.is_none());
    serde_json::to_string(&outcome).expect("an outcome serializes");
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    match value.get("vectors").and_then(Value::as_array) {
        Some(vectors) => {
            for v in vectors {
                if v.get("kind").and_then(Value::as_str) == Some("method") {
                    run(v.get("input").cloned().unwrap_or(Value::Null));
                }
            }
        }
        None => run(value),
    }
});
