//! The what-if panel's roster result: the core's `Catalog::statuses_all` (competency and
//! credential statuses only, no scores) laid out as one `Uint8Array` per kind, one byte per
//! learner and id, with the table of status names the bytes index. A what-if over 2,000
//! learners then crosses to JavaScript as two typed arrays of a few kilobytes instead of a
//! megabyte of JSON summaries; the page counts and compares bytes. No domain logic: the
//! bytes are positions in the name tables below.

use cairn::Timestamp;
use cairn::error::Error;
use cairn::ids::{CompetencyId, DefinitionId, LearnerId};
use cairn::record::{IssuanceStatus, MasteryStatus};
use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::roster::Roster;
use crate::{JsCoreError, to_js};

/// Competency statuses in byte order.
const MASTERY: [MasteryStatus; 4] = [
    MasteryStatus::NotStarted,
    MasteryStatus::InProgress,
    MasteryStatus::NotYet,
    MasteryStatus::Mastered,
];

/// Issuance statuses in byte order.
const ISSUANCE: [IssuanceStatus; 4] = [
    IssuanceStatus::NotIssued,
    IssuanceStatus::Valid,
    IssuanceStatus::Expired,
    IssuanceStatus::Revoked,
];

/// A competency status's byte: its position in [`MASTERY`] (exhaustive, so a new status
/// fails to compile here until the table has it).
fn mastery_byte(status: MasteryStatus) -> u8 {
    match status {
        MasteryStatus::NotStarted => 0,
        MasteryStatus::InProgress => 1,
        MasteryStatus::NotYet => 2,
        MasteryStatus::Mastered => 3,
    }
}

/// An issuance status's byte: its position in [`ISSUANCE`].
fn issuance_byte(status: IssuanceStatus) -> u8 {
    match status {
        IssuanceStatus::NotIssued => 0,
        IssuanceStatus::Valid => 1,
        IssuanceStatus::Expired => 2,
        IssuanceStatus::Revoked => 3,
    }
}

#[wasm_bindgen]
impl Roster {
    /// Folds every learner as of `at` under other latest definitions (JSON text: the
    /// what-if's edited course; learners pinned to an earlier version stay on it), or under
    /// the roster's own when `definitionsJson` is `null`, and returns only the statuses
    /// (`RosterStatuses`, in the latest versions' order): the same statuses as
    /// [`Roster::summarize`], without scores, as bytes into name tables. Throws an `Error`
    /// with a `code` when the definitions cannot be read or the instant is malformed.
    #[wasm_bindgen(js_name = statusesWith, unchecked_return_type = "RosterStatuses")]
    pub fn statuses_with(
        &self,
        #[wasm_bindgen(js_name = definitionsJson)] definitions_json: Option<String>,
        at: &str,
    ) -> Result<JsValue, JsCoreError> {
        let at = Timestamp::parse(at).map_err(Error::from)?;
        let edited;
        let catalog = match definitions_json {
            Some(json) => {
                edited = self.edited(&json)?;
                &edited
            }
            None => &self.catalog,
        };
        let statuses = catalog.statuses_all(&self.logs, at).map_err(Error::from)?;
        let course = catalog.latest();
        let competencies: Vec<u8> = statuses
            .competencies
            .iter()
            .map(|s| mastery_byte(*s))
            .collect();
        let credentials: Vec<u8> = statuses
            .credentials
            .iter()
            .map(|s| issuance_byte(*s))
            .collect();
        let out = to_js(&Tables {
            learners: self.logs.iter().map(|l| &l.learner).collect(),
            competencies: Table {
                ids: course.competency_ids(),
                names: MASTERY,
            },
            credentials: Table {
                ids: course.definition_ids(),
                names: ISSUANCE,
            },
        })?;
        set_status(&out, "competencies", &competencies)?;
        set_status(&out, "credentials", &credentials)?;
        Ok(out)
    }
}

/// Everything of `RosterStatuses` but the bytes, written as JSON.
#[derive(Serialize)]
struct Tables<'a> {
    learners: Vec<&'a LearnerId>,
    competencies: Table<&'a CompetencyId, MasteryStatus>,
    credentials: Table<&'a DefinitionId, IssuanceStatus>,
}

#[derive(Serialize)]
struct Table<I, S> {
    ids: Vec<I>,
    names: [S; 4],
}

/// Sets `out[member].status` to a copy of `bytes` in a JS `Uint8Array`.
fn set_status(out: &JsValue, member: &str, bytes: &[u8]) -> Result<(), JsCoreError> {
    let failed = |e: JsValue| {
        JsCoreError(Error::Json {
            context: "the result for JavaScript",
            message: format!("{e:?}"),
        })
    };
    let table = Reflect::get(out, &JsValue::from_str(member)).map_err(failed)?;
    let array = Uint8Array::from(bytes);
    Reflect::set(&table, &JsValue::from_str("status"), &array).map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_byte_is_its_position_in_the_name_table() {
        for (i, status) in MASTERY.iter().enumerate() {
            assert_eq!(usize::from(mastery_byte(*status)), i, "{status:?}");
        }
        for (i, status) in ISSUANCE.iter().enumerate() {
            assert_eq!(usize::from(issuance_byte(*status)), i, "{status:?}");
        }
    }
}
