//! Roster-wide folding for the page's mastery grid and "what if" across a class: a thin
//! `Roster` class over the core's `Catalog` (every published version; each learner folded on
//! the versions their enrolment pinned, as the server folds them). No domain logic here: the
//! summaries are only laid out by column (one flat array per member, learner-major), so a
//! 2,000-learner roster crosses to JavaScript as a few flat arrays instead of ~70,000 objects.
//! `reports` returns the core's reports of one definition (`cairn::report`), so the page
//! shows the figures the server does. The what-if panel's compact statuses are
//! `statuses.rs`'s.

use cairn::definition::CredentialDefinition;
use cairn::error::Error;
use cairn::ids::{AssessmentId, CompetencyId, DefinitionId, LearnerId};
use cairn::record::{
    Catalog, Course, IssuanceStatus, LearnerLog, LearnerSummary, MasteryStatus, Record,
};
use cairn::report::{self, LearnerData};
use cairn::{Number, Timestamp};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{JsCoreError, from_json, to_js};

/// A catalog (every version of the definitions, checked once per choice of versions) and
/// many learners' logs, read once, folded on demand.
#[wasm_bindgen]
pub struct Roster {
    pub(crate) catalog: Catalog,
    pub(crate) logs: Vec<LearnerLog>,
}

#[wasm_bindgen]
impl Roster {
    /// Reads definitions (JSON text: every published version, per definition id oldest
    /// first, as the fold takes them; REQ-LIFE-02) and learners' logs (UTF-8 JSON bytes of
    /// `[{"learner": id, "events": [...]}, …]`; bytes avoid a UTF-16 copy of a large roster).
    /// Each learner is folded on the versions their enrolment pinned, else the latest; the
    /// results are laid out in the latest versions' order. Throws an `Error` with a `code`
    /// when either cannot be read.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
        #[wasm_bindgen(js_name = logsJson)] logs_json: &[u8],
    ) -> Result<Roster, JsCoreError> {
        let catalog = Catalog::from_json(definitions_json)?;
        let logs = read_logs(logs_json)?;
        Ok(Roster { catalog, logs })
    }

    /// The catalog with edited latest versions (JSON text: the what-if's edited course, one
    /// version per id): learners pinned to an earlier version stay on it.
    pub(crate) fn edited(&self, definitions_json: &str) -> Result<Catalog, JsCoreError> {
        let latest: Vec<CredentialDefinition> = from_json("definitions", definitions_json)?;
        Ok(self.catalog.with_latest(latest).map_err(Error::from)?)
    }

    /// Per definition and earlier version, how many learners are folded on it as of `at`
    /// rather than on the latest (`EarlierVersion[]`, empty when every learner is on the
    /// latest): a what-if changes the latest only. Throws `invalid_timestamp` for a
    /// malformed instant.
    #[wasm_bindgen(js_name = earlierVersions, unchecked_return_type = "EarlierVersion[]")]
    pub fn earlier_versions(&self, at: &str) -> Result<JsValue, JsCoreError> {
        let at = Timestamp::parse(at).map_err(Error::from)?;
        to_js(&self.catalog.earlier_versions(&self.logs, at))
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
        let summaries = self
            .catalog
            .summarize_all(&self.logs, at)
            .map_err(Error::from)?;
        to_js(&Columns::new(self.catalog.latest(), &self.logs, &summaries))
    }

    /// Folds the same learners under other latest definitions (JSON text: the what-if's
    /// edited course) as of `at`, without reading their logs again; learners pinned to an
    /// earlier version stay on it. The same layout as [`Roster::summarize`]. Throws an
    /// `Error` with a `code` when the definitions cannot be read or the instant is malformed.
    #[wasm_bindgen(js_name = summarizeWith, unchecked_return_type = "RosterSummaries")]
    pub fn summarize_with(
        &self,
        #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
        at: &str,
    ) -> Result<JsValue, JsCoreError> {
        let catalog = self.edited(definitions_json)?;
        let at = Timestamp::parse(at).map_err(Error::from)?;
        let summaries = catalog.summarize_all(&self.logs, at).map_err(Error::from)?;
        to_js(&Columns::new(catalog.latest(), &self.logs, &summaries))
    }

    /// The reports of one definition (its latest version) over every learner as of `at`,
    /// each folded on their versions (`CourseReports`):
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
            .catalog
            .latest()
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
            .map(|l| self.catalog.fold(&l.events, at))
            .collect::<Result<_, _>>()
            .map_err(Error::from)?;
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
    score: Texts<'a>,
    /// The core's reported score (2 decimals), so the page never rounds.
    reported: Texts<'a>,
}

#[derive(Serialize)]
struct AssessmentColumns<'a> {
    ids: Vec<&'a AssessmentId>,
    attempts_counted: Vec<u32>,
    kept_percent: Texts<'a>,
    /// The core's reported kept percent (2 decimals).
    kept_reported: Texts<'a>,
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
                score: Texts::exact(comps.clone().map(|c| &c.score)),
                reported: Texts::reported(comps.map(|c| &c.score)),
            },
            assessments: AssessmentColumns {
                ids: course.assessment_ids(),
                attempts_counted: asmts.clone().map(|a| a.attempts_counted).collect(),
                kept_percent: Texts::exact(asmts.clone().map(|a| &a.kept_percent)),
                kept_reported: Texts::reported(asmts.clone().map(|a| &a.kept_percent)),
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

/// A column of optional numbers written as text (`null` for none): exact
/// ([`Number::to_exact_string`]) or as the core reports them (2 decimals, rounded once by the
/// core, so the page never rounds). Each value is written through one reused buffer: a roster
/// of 2,000 learners writes over 100,000 of them.
struct Texts<'a> {
    values: Vec<&'a Option<Number>>,
    reported: bool,
}

impl<'a> Texts<'a> {
    fn exact(values: impl Iterator<Item = &'a Option<Number>>) -> Self {
        Texts {
            values: values.collect(),
            reported: false,
        }
    }

    fn reported(values: impl Iterator<Item = &'a Option<Number>>) -> Self {
        Texts {
            values: values.collect(),
            reported: true,
        }
    }
}

impl Serialize for Texts<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.values.len()))?;
        let mut text = String::new();
        for value in &self.values {
            match value {
                None => seq.serialize_element(&())?,
                Some(number) => {
                    text.clear();
                    if self.reported {
                        number.write_reported(&mut text);
                    } else {
                        number.write_exact(&mut text);
                    }
                    seq.serialize_element(text.as_str())?;
                }
            }
        }
        seq.end()
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
