//! The JSON of every error answer of the API: `{code, message, details}`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The JSON of every error answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A stable snake_case code (`invalid_body`, `not_found`, a core code such as
    /// `attempt_limit_reached`, …).
    pub code: String,
    /// What happened, for a person.
    pub message: String,
    /// Extra data, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: Value,
}
