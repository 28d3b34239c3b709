//! The types of Cairn's JSON API, defined once: the server (`cairn-lti`) reads its request
//! bodies and writes its errors with them, and the page's client (`cairn-wasm`) checks and
//! writes the same bodies and reads the same errors, so the two cannot drift. Serde only;
//! the OpenAPI derives are behind the `openapi` feature, which the server turns on. Holds no
//! rule: the core's types (decimals, ids, instants) parse the values.

pub mod bodies;
pub mod error;
pub mod gradebook;
pub mod item_set;
#[cfg(feature = "openapi")]
pub mod schema_enums;

pub use bodies::*;
pub use error::ErrorBody;
pub use gradebook::{ColumnMapping, GradebookFormat};
pub use item_set::Answer;
