//! Typed identifiers. Each kind of id is its own type, so a competency id can never be
//! passed where an assessment id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
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
                $name(s.to_owned())
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
