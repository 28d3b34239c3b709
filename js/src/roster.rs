//! Roster-wide folding for the page's mastery grid and "what if" across a class: a thin
//! `Roster` class over the core's `Course::summarize_all`. No domain logic here.

use cairn::Timestamp;
use cairn::error::Error;
use cairn::record::{Course, LearnerLog};
use wasm_bindgen::prelude::*;

use crate::{JsCoreError, to_js};

/// A course (definitions checked once) and many learners' logs, read once, folded on demand.
#[wasm_bindgen]
pub struct Roster {
    course: Course<'static>,
    logs: Vec<LearnerLog>,
}

#[wasm_bindgen]
impl Roster {
    /// Reads definitions (JSON text) and learners' logs (UTF-8 JSON bytes of
    /// `[{"learner": id, "events": [...]}, …]`; bytes avoid a UTF-16 copy of a large roster).
    /// Throws an `Error` with a `code` when either cannot be read.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
        #[wasm_bindgen(js_name = logsJson)] logs_json: &[u8],
    ) -> Result<Roster, JsCoreError> {
        let course = Course::from_json(definitions_json)?;
        let logs = read_logs(logs_json)?;
        Ok(Roster { course, logs })
    }

    /// How many learners the roster holds.
    #[wasm_bindgen(js_name = learnerCount)]
    pub fn learner_count(&self) -> usize {
        self.logs.len()
    }

    /// How many events the roster holds.
    #[wasm_bindgen(js_name = eventCount)]
    pub fn event_count(&self) -> usize {
        self.logs.iter().map(|l| l.events.len()).sum()
    }

    /// Folds every learner as of `at` (`YYYY-MM-DDTHH:MM:SSZ`) and returns their compact
    /// summaries (competencies, assessments, credentials in the course's order), one per
    /// learner in roster order. Throws an `Error` with code `invalid_timestamp` for a
    /// malformed instant.
    #[wasm_bindgen(unchecked_return_type = "LearnerSummary[]")]
    pub fn summarize(&self, at: &str) -> Result<JsValue, JsCoreError> {
        let at = Timestamp::parse(at).map_err(Error::from)?;
        to_js(&self.course.summarize_all(&self.logs, at))
    }
}

/// Reads learners' logs from UTF-8 JSON bytes.
fn read_logs(logs_json: &[u8]) -> Result<Vec<LearnerLog>, Error> {
    // Text, as every other input is read, so the wasm module carries one JSON reader.
    let text = std::str::from_utf8(logs_json).map_err(|e| Error::Json {
        context: "learner logs",
        message: format!("not UTF-8: {e}"),
    })?;
    serde_json::from_str(text).map_err(|e| Error::json("learner logs", e))
}
