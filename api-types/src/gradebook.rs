//! The gradebook import's request types: which LMS exported the file and which column is
//! attempts on which assessment. The CSV reader itself is the server's (`lti/src/api/gradebook.rs`).

use serde::{Deserialize, Serialize};

/// Which LMS exported the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GradebookFormat {
    /// Canvas "Export entire gradebook".
    Canvas,
    /// Moodle "Export grades to a plain text file" (CSV).
    Moodle,
}

impl GradebookFormat {
    /// The learner column of this shape unless the instructor names another.
    pub fn default_learner_column(self) -> &'static str {
        match self {
            GradebookFormat::Canvas => "ID",
            GradebookFormat::Moodle => "ID number",
        }
    }

    /// Guesses the shape from the header row.
    pub fn detect(header: &[String]) -> Option<GradebookFormat> {
        let has = |name: &str| header.iter().any(|h| h.trim() == name);
        if has("Student") && has("ID") {
            Some(GradebookFormat::Canvas)
        } else if has("First name") && has("Last name") {
            Some(GradebookFormat::Moodle)
        } else {
            None
        }
    }
}

/// A column the instructor maps to an assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// The column's header as in the file.
    pub column: String,
    /// The assessment its scores are attempts on.
    pub assessment: String,
}

cairn::read_object!(ColumnMapping { column, assessment });
