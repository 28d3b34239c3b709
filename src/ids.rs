//! Typed identifiers. Each kind of id is its own type, so a competency id can never be
//! passed where an assessment id is expected. Short ids (up to 23 bytes, the common
//! case) are stored inline, so a log of events holds no heap string per id.

use std::fmt;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(SmolStr);

        impl $name {
            /// An id from its text.
            pub fn new(text: impl AsRef<str>) -> Self {
                $name(SmolStr::new(text))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(SmolStr::from(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(SmolStr::new(s))
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// A credential definition's id (stable across versions).
    DefinitionId
);
id_type!(
    /// A competency's id, unique within its definition's file.
    CompetencyId
);
id_type!(
    /// An assessment's id.
    AssessmentId
);
id_type!(
    /// A rubric part's (criterion's) id within an assessment.
    PartId
);
id_type!(
    /// An equivalency's id.
    EquivalencyId
);
id_type!(
    /// A learner's id, as the host knows them (LTI `sub` scoped by the platform).
    LearnerId
);
