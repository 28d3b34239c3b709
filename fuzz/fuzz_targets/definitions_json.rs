//! Fuzz target: definitions JSON into `cairn::definition::parse_definitions`, then the fold.
//! A scenario file (`{"definitions": [...], "events": [...]}`) feeds both parsers, so the
//! fold runs on realistic input; a bare array is folded with no events. The same definitions
//! as a `Catalog` fold a two-learner roster (the events, and none), each learner's summary
//! equal to their own.
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
                .unwrap_or_default(),
            scenario
                .get("events")
                .map(Value::to_string)
                .unwrap_or_else(|| "[]".to_owned()),
        ),
        _ => (text.to_owned(), "[]".to_owned()),
    };
    let Ok(defs) = cairn::definition::parse_definitions(&definitions) else {
        return;
    };
    let Ok(events) = cairn::event::parse_events(&events) else {
        return;
    };
    let at = Timestamp::from_unix_seconds(4_102_444_800); // 2100-01-01T00:00:00Z
    let _ = cairn::record::fold(&defs, &events, at);
    let _ = cairn::record::fold(&defs, &[], at);
    let Ok(catalog) = cairn::record::Catalog::new(defs) else {
        return;
    };
    let logs = [events, Vec::new()].map(|events| cairn::record::LearnerLog {
        learner: cairn::ids::LearnerId::new("fuzz"),
        events,
    });
    if let Ok(summaries) = catalog.summarize_all(&logs, at) {
        for (log, summary) in logs.iter().zip(&summaries) {
            assert_eq!(catalog.summarize(&log.events, at).ok().as_ref(), Some(summary));
        }
        let _ = catalog.statuses_all(&logs, at);
    }
});
