//! Fuzz target: JSON `[item set, answers]` → `cairn_lti::api::scoring`: an item set that
//! reads is checked against a 20-point assessment with and without parts; a set that passes
//! its check scores any answers within 0 and its maximum (per part with parts), and the
//! learner's view never carries the key. Any panic is a crash.
#![no_main]

use cairn::SortedMap;
use cairn::definition::Assessment;
use cairn::number::Number;
use cairn_lti::api::scoring::{Answer, ItemSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((set, answers)) = serde_json::from_slice::<(ItemSet, SortedMap<String, Answer>)>(data)
    else {
        return;
    };
    let plain: Assessment = serde_json::from_str(
        r#"{"id":"A","title":"t","kind":"summative","max_points":"20","pass_percent":"50"}"#,
    )
    .expect("assessment");
    let parts: Assessment = serde_json::from_str(
        r#"{"id":"A","title":"t","kind":"summative","pass_percent":"50",
            "parts":[{"id":"P1","competency":"C","max_points":"10"},{"id":"P2","competency":"C","max_points":"10"}]}"#,
    )
    .expect("assessment");
    let view = serde_json::to_string(&set.for_learner()).expect("view");
    assert!(!view.contains("\"key\""));
    for assessment in [&plain, &parts] {
        if set.check(assessment).is_err() {
            continue;
        }
        let Ok(scored) = set.score(&answers) else {
            continue;
        };
        let max = assessment.total_max();
        if let Some(score) = &scored.score {
            assert!(!score.is_negative() && *score <= max);
        }
        if let Some(part_scores) = &scored.part_scores {
            for part in &assessment.parts {
                let got = part_scores
                    .get(&part.id)
                    .cloned()
                    .unwrap_or_else(Number::zero);
                assert!(!got.is_negative() && got <= part.max_points);
            }
        }
        assert!(scored.correct <= set.items.len());
    }
});
