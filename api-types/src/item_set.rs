//! A learner's answer to an auto-scored item (the body of
//! `POST /api/me/item-sets/{assessment}/answers`). The item sets and their scoring are the
//! server's (`lti/src/api/scoring.rs`): the answer key never reaches a browser.

use serde::{Deserialize, Serialize};

/// A learner's answer to one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    /// A choice id, a text or a decimal string.
    One(String),
    /// Choice ids (multiple choice).
    Many(Vec<String>),
}
