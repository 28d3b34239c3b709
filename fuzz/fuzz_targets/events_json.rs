//! Fuzz target: events JSON into `cairn::event::parse_events`, then the fold. A scenario
//! file (`{"definitions": [...], "events": [...]}`) feeds both parsers; a bare array of
//! events is folded against no definitions (every reference unknown).
#![no_main]

use cairn::Timestamp;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (definitions, events) = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(scenario)) => (
            scenario
                .get("definitions")
                .map(Value::to_string)
                .unwrap_or_else(|| "[]".to_owned()),
            scenario
                .get("events")
                .map(Value::to_string)
                .unwrap_or_default(),
        ),
        _ => ("[]".to_owned(), text.to_owned()),
    };
    let Ok(events) = cairn::event::parse_events(&events) else {
        return;
    };
    let Ok(defs) = cairn::definition::parse_definitions(&definitions) else {
        return;
    };
    // Fold as of several instants: before, during and long after the events.
    for seconds in [0, 1_735_689_600, 1_767_225_600, 4_102_444_800] {
        let _ = cairn::record::fold(&defs, &events, Timestamp::from_unix_seconds(seconds));
    }
});
