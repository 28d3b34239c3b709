//! Roster-wide folding for the page's mastery grid and "what if" across a class: a thin
//! `Roster` class over the core's `Course::summarize_all`. No domain logic here: the
//! summaries are only laid out by column (one flat array per member, learner-major), so a
//! 2,000-learner roster crosses to JavaScript as a few flat arrays instead of ~70,000 objects.
//! `reports` returns the core's reports of one definition (`cairn::report`), so the page
//! shows the figures the server does. The what-if panel's compact statuses are
//! `statuses.rs`'s.

use cairn::error::Error;
use cairn::ids::{AssessmentId, CompetencyId, DefinitionId, LearnerId};
use cairn::record::{Course, IssuanceStatus, LearnerLog, LearnerSummary, MasteryStatus, Record};
use cairn::report::{self, LearnerData};
use cairn::{Number, Timestamp};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{JsCoreError, to_js};

/// A course (definitions checked once) and many learners' logs, read once, folded on demand.
#[wasm_bindgen]
pub struct Roster {
    pub(crate) course: Course<'static>,
    pub(crate) logs: Vec<LearnerLog>,
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
    /// summaries by column (`RosterSummaries`): the learner ids in roster order, then per
    /// competency, assessment and credential the ids in the course's order and one flat array
    /// per member, where learner `i`'s entry for id `j` is at `i * ids.length + j`. Throws an
    /// `Error` with code `invalid_timestamp` for a malformed instant.
    #[wasm_bindgen(unchecked_return_type = "RosterSummaries")]
    pub fn summarize(&self, at: &str) -> Result<JsValue, JsCoreError> {
        let at = Timestamp::parse(at).map_err(Error::from)?;
        let summaries = self.course.summarize_all(&self.logs, at);
        to_js(&Columns::new(&self.course, &self.logs, &summaries))
    }
    /// Folds the same learners under other definitions (JSON text: the what-if's edited
    /// course) as of `at`, without reading their logs again; the same layout as
    /// [`Roster::summarize`]. Throws an `Error` with a `code` when the definitions cannot be
    /// read or the instant is malformed.
    #[wasm_bindgen(js_name = summarizeWith, unchecked_return_type = "RosterSummaries")]
    pub fn summarize_with(
        &self,
        #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
        at: &str,
    ) -> Result<JsValue, JsCoreError> {
        let course = Course::from_json(definitions_json)?;
        let at = Timestamp::parse(at).map_err(Error::from)?;
        let summaries = course.summarize_all(&self.logs, at);
        to_js(&Columns::new(&course, &self.logs, &summaries))
    }

    /// The reports of one definition over every learner as of `at` (`CourseReports`):
    /// completion funnel (with the offering's `seats`, if any), completion rates, problematic
    /// areas and equivalency uptake. Throws `invalid_timestamp` for a malformed instant and
    /// `invalid_json` for a definition id the course lacks.
    #[wasm_bindgen(unchecked_return_type = "CourseReports")]
    pub fn reports(
        &self,
        #[wasm_bindgen(js_name = definitionId)] definition_id: &str,
        at: &str,
        seats: Option<u32>,
    ) -> Result<JsValue, JsCoreError> {
        let at = Timestamp::parse(at).map_err(Error::from)?;
        let def = self
            .course
            .definitions()
            .iter()
            .find(|d| d.id.as_str() == definition_id)
            .ok_or_else(|| Error::Json {
                context: "reports",
                message: format!("the course has no definition \"{definition_id}\""),
            })?;
        let records: Vec<Record> = self
            .logs
            .iter()
            .map(|l| self.course.fold(&l.events, at))
            .collect();
        let roster: Vec<LearnerData<'_>> = self
            .logs
            .iter()
            .zip(&records)
            .map(|(l, record)| LearnerData {
                learner: l.learner.as_str(),
                events: &l.events,
                record,
            })
            .collect();
        to_js(&Reports {
            funnel: report::funnel(def, seats, &roster),
            completion: report::completion(def, &roster),
            problems: report::problems(def, &roster),
            uptake: report::uptake(def, &roster),
        })
    }
}

/// The reports of one definition, by the core's names.
#[derive(Serialize)]
struct Reports {
    funnel: report::Funnel,
    completion: report::CompletionReport,
    problems: Vec<report::Problem>,
    uptake: Vec<report::EquivalencyUptake>,
}

/// The summaries laid out by column, with the core's member names.
#[derive(Serialize)]
struct Columns<'a> {
    learners: Vec<&'a LearnerId>,
    rejected: Vec<usize>,
    competencies: CompetencyColumns<'a>,
    assessments: AssessmentColumns<'a>,
    credentials: CredentialColumns<'a>,
}

#[derive(Serialize)]
struct CompetencyColumns<'a> {
    ids: Vec<&'a CompetencyId>,
    status: Vec<MasteryStatus>,
    score: Vec<&'a Option<Number>>,
    /// The core's reported score (2 decimals), so the page never rounds.
    reported: Vec<Option<String>>,
}

#[derive(Serialize)]
struct AssessmentColumns<'a> {
    ids: Vec<&'a AssessmentId>,
    attempts_counted: Vec<u32>,
    kept_percent: Vec<&'a Option<Number>>,
    /// The core's reported kept percent (2 decimals).
    kept_reported: Vec<Option<String>>,
    passed: Vec<bool>,
}

#[derive(Serialize)]
struct CredentialColumns<'a> {
    ids: Vec<&'a DefinitionId>,
    status: Vec<IssuanceStatus>,
    issued_at: Vec<&'a Option<Timestamp>>,
}

impl<'a> Columns<'a> {
    fn new(course: &'a Course<'_>, logs: &'a [LearnerLog], sums: &'a [LearnerSummary]) -> Self {
        let comps = sums.iter().flat_map(|s| &s.competencies);
        let asmts = sums.iter().flat_map(|s| &s.assessments);
        let creds = sums.iter().flat_map(|s| &s.credentials);
        Columns {
            learners: logs.iter().map(|l| &l.learner).collect(),
            rejected: sums.iter().map(|s| s.rejected).collect(),
            competencies: CompetencyColumns {
                ids: course.competency_ids(),
                status: comps.clone().map(|c| c.status).collect(),
                score: comps.clone().map(|c| &c.score).collect(),
                reported: comps.map(|c| reported(&c.score)).collect(),
            },
            assessments: AssessmentColumns {
                ids: course.assessment_ids(),
                attempts_counted: asmts.clone().map(|a| a.attempts_counted).collect(),
                kept_percent: asmts.clone().map(|a| &a.kept_percent).collect(),
                kept_reported: asmts.clone().map(|a| reported(&a.kept_percent)).collect(),
                passed: asmts.map(|a| a.passed).collect(),
            },
            credentials: CredentialColumns {
                ids: course.definition_ids(),
                status: creds.clone().map(|c| c.status).collect(),
                issued_at: creds.map(|c| &c.issued_at).collect(),
            },
        }
    }
}

/// A value as the core reports it (2 decimals, rounded once by the core).
fn reported(value: &Option<Number>) -> Option<String> {
    value.as_ref().map(Number::to_reported_string)
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
