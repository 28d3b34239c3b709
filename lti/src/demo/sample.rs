//! The demo course's sample credential (`cairn-lti demo --sample-course`, which `cargo xtask
//! demo` passes): a published credential with one auto-scored exam (`sample_course.json`), put
//! in each flavour's demo course, so a person can walk the whole loop on a fresh clone: the
//! instructor places the exam by Deep Linking, a learner launches the placed link, answers it,
//! and the score lands in the demo gradebook. Written through the store as the API would
//! (the item set checked against its assessment by [`ItemSet::check`]); a course that already
//! has the sample keeps it as it is.

use cairn::definition::CredentialDefinition;
use serde::Deserialize;
use std::collections::BTreeMap;

use super::people::Flavour;
use crate::api::scoring::ItemSet;
use crate::store::api_rows::ItemSetRow;
use crate::store::records::{DefinitionRow, DefinitionStatus};
use crate::store::{Registration, Store, StoreError};

/// The sample, as shipped.
const SAMPLE: &str = include_str!("sample_course.json");

/// Who the sample's rows say wrote them.
const AUTHOR: &str = "cairn-demo";

#[derive(Deserialize)]
struct Sample {
    definition: serde_json::Value,
    item_sets: BTreeMap<String, ItemSet>,
}

/// Why the sample could not be put in place.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The shipped sample does not parse or does not pass the core's checks (a build bug).
    #[error("the demo's sample credential is invalid: {0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The sample's definition and item sets, checked by the core and [`ItemSet::check`].
pub fn sample() -> Result<(CredentialDefinition, BTreeMap<String, ItemSet>), SampleError> {
    let sample: Sample =
        serde_json::from_str(SAMPLE).map_err(|err| SampleError::Invalid(err.to_string()))?;
    let mut definitions = cairn::definition::parse_definitions(&format!("[{}]", sample.definition))
        .map_err(|err| SampleError::Invalid(err.to_string()))?;
    let definition = definitions.remove(0);
    for (assessment, set) in &sample.item_sets {
        let found = definition
            .assessments
            .iter()
            .find(|a| a.id.as_str() == assessment)
            .ok_or_else(|| SampleError::Invalid(format!("no assessment {assessment:?}")))?;
        set.check(found)
            .map_err(|err| SampleError::Invalid(err.to_string()))?;
    }
    Ok((definition, sample.item_sets))
}

/// Puts the sample, published with its item sets, in the demo course of each of the demo's
/// `registrations` (the flavour told by the client id) that does not have it yet; answers how
/// many courses got it.
pub async fn seed(
    store: &dyn Store,
    registrations: &[Registration],
    now: i64,
) -> Result<usize, SampleError> {
    let (definition, item_sets) = sample()?;
    let records = store.records();
    let mut seeded = 0;
    for registration in registrations {
        let Some(flavour) = Flavour::by_client_id(&registration.fields.client_id) else {
            continue;
        };
        let context = flavour.context_id();
        let (id, version) = (definition.id.as_str(), definition.version.as_str());
        if records
            .definition(registration.id, context, id, version)
            .await?
            .is_some()
        {
            continue;
        }
        records
            .insert_definition(&DefinitionRow {
                registration_id: registration.id,
                context_id: context.to_owned(),
                definition_id: id.to_owned(),
                version: version.to_owned(),
                body: definition.clone(),
                status: DefinitionStatus::Draft,
                created_by: AUTHOR.to_owned(),
                created_at: now,
                published_at: None,
                archived_at: None,
            })
            .await?;
        records
            .publish_definition(registration.id, context, id, version, now)
            .await?;
        for (assessment, set) in &item_sets {
            let body =
                serde_json::to_value(set).map_err(|err| SampleError::Invalid(err.to_string()))?;
            store
                .api_rows()
                .put_item_set(
                    registration.id,
                    context,
                    &ItemSetRow {
                        assessment_id: assessment.clone(),
                        body,
                        updated_by: AUTHOR.to_owned(),
                        updated_at: now,
                    },
                )
                .await?;
        }
        seeded += 1;
    }
    Ok(seeded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_sample_passes_the_core_and_the_item_set_checks() {
        let (definition, sets) = sample().expect("valid sample");
        assert_eq!(definition.assessments.len(), 1);
        assert_eq!(sets["EXAM"].items.len(), 5);
    }
}
