//! Fuzz target: bytes as a gradebook CSV → `cairn_lti::api::gradebook::parse`, detected,
//! as Canvas and as Moodle, mapping the columns of the header's first line. A file that
//! reads gives rows with distinct non-empty learners on increasing lines, and every error
//! names a line the file has. Any panic is a crash.
#![no_main]

use cairn_lti::api::gradebook::{ColumnMapping, GradebookFormat, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let header: Vec<&str> = text.lines().next().unwrap_or_default().split(',').collect();
    let mapping: Vec<ColumnMapping> = header
        .iter()
        .skip(2)
        .take(4)
        .map(|c| ColumnMapping {
            column: c.trim().trim_matches('"').to_owned(),
            assessment: "A".to_owned(),
        })
        .collect();
    let lines = text.split('\n').count();
    for format in [None, Some(GradebookFormat::Canvas), Some(GradebookFormat::Moodle)] {
        let learner = header.get(1).map(|h| h.trim().trim_matches('"'));
        for learner_column in [None, learner] {
            let Ok(book) = parse(text, format, learner_column, &mapping) else {
                continue;
            };
            let mut last = 0;
            for (i, row) in book.rows.iter().enumerate() {
                assert!(!row.learner.is_empty());
                assert!(row.line > last && row.line <= lines);
                last = row.line;
                assert!(book.rows[..i].iter().all(|r| r.learner != row.learner));
                assert!(row.scores.len() <= mapping.len());
            }
            assert!(book.errors.iter().all(|e| e.line >= 1 && e.line <= lines));
        }
    }
});
