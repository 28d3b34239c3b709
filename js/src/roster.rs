//! Roster-wide folding for the page's mastery grid and "what if" across a class: a thin
//! `Roster` class over the core's `Course::summarize`. No domain logic here.

use cairn::Timestamp;
use cairn::definition::{self, CredentialDefinition};
use cairn::error::Error;
use cairn::record::{Course, CredentialStatus, LearnerLog};
use wasm_bindgen::prelude::*;

use crate::{JsCoreError, to_js};

/// Definitions and many learners' logs, parsed once, folded on demand.
#[wasm_bindgen]
pub struct Roster {
    definitions: Vec<CredentialDefinition>,
    logs: Vec<LearnerLog>,
}

#[wasm_bindgen]
impl Roster {
    /// Reads definitions (JSON text) and learners' logs (UTF-8 JSON bytes of
    /// `[{"learner": id, "events": [...]}, …]`; bytes avoid a UTF-16 copy of a large roster).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
        #[wasm_bindgen(js_name = logsJson)] logs_json: &[u8],
    ) -> Result<Roster, JsCoreError> {
        let definitions = definition::parse_definitions(definitions_json)?;
        // Text, as every other input is read, so the wasm module carries one JSON reader.
        let text = std::str::from_utf8(logs_json).map_err(|e| Error::Json {
            context: "learner logs",
            message: format!("not UTF-8: {e}"),
        })?;
        let logs: Vec<LearnerLog> =
            serde_json::from_str(text).map_err(|e| Error::json("learner logs", e))?;
        Ok(Roster { definitions, logs })
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

    /// Folds every learner as of `at` and returns their compact summaries (competencies,
    /// assessments, credentials in the course's order) as plain objects.
    pub fn summarize(&self, at: &str) -> Result<JsValue, JsCoreError> {
        let (course, at) = self.course(at)?;
        let summaries: Vec<_> = self
            .logs
            .iter()
            .map(|l| course.summarize(&l.events, at))
            .collect();
        to_js(&summaries)
    }

    /// Folds every learner as of `at` and counts those holding a valid credential of the
    /// first definition: the whole fold without building JS objects (for benchmarks).
    #[wasm_bindgen(js_name = countValid)]
    pub fn count_valid(&self, at: &str) -> Result<usize, JsCoreError> {
        let (course, at) = self.course(at)?;
        Ok(self
            .logs
            .iter()
            .filter(|l| {
                let summary = course.summarize(&l.events, at);
                summary
                    .credentials
                    .first()
                    .is_some_and(|c| c.status == CredentialStatus::Valid)
            })
            .count())
    }

    fn course(&self, at: &str) -> Result<(Course<'_>, Timestamp), JsCoreError> {
        let at = Timestamp::parse(at).map_err(Error::from)?;
        let course = Course::new(&self.definitions).map_err(Error::from)?;
        Ok((course, at))
    }
}
