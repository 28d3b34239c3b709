//! Why a CASE package was refused: [`CaseError`], one variant per problem, each with a
//! stable code and a message that says where the problem is and what to change.

/// Why a package was refused. Each variant has a stable [`CaseError::code`] and a message
/// that says where the problem is and what to change.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaseError {
    /// The file is larger than the limit.
    #[error(
        "the package is {bytes} bytes, above the limit of {max}: split the framework or raise the limit"
    )]
    TooLarge {
        /// Size of the file.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The file is not JSON.
    #[error("the package is not valid JSON: {message}")]
    InvalidJson {
        /// serde's description, with line and column.
        message: String,
    },
    /// More items than the limit.
    #[error("the package has {count} CFItems, above the limit of {max}")]
    TooManyItems {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// More associations than the limit.
    #[error("the package has {count} CFAssociations, above the limit of {max}")]
    TooManyAssociations {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A required member is absent.
    #[error("{path} has no \"{field}\": CASE requires it")]
    MissingField {
        /// Where (`CFItems[3]`).
        path: String,
        /// The member.
        field: &'static str,
    },
    /// A member has the wrong JSON type or is empty.
    #[error("{path}.{field} must be {expected}")]
    InvalidField {
        /// Where.
        path: String,
        /// The member.
        field: String,
        /// What it must be.
        expected: &'static str,
    },
    /// An identifier that does not match the CASE 1.1 UUID pattern in a 1.1 package.
    #[error(
        "{path} has identifier \"{identifier}\", which is not a CASE 1.1 identifier \
         (lowercase UUID, variant 8, 9, a or b); fix it or import the package leniently"
    )]
    InvalidIdentifier {
        /// Where.
        path: String,
        /// The identifier.
        identifier: String,
    },
    /// Two objects share an identifier.
    #[error(
        "identifier \"{identifier}\" is used by both {first} and {second}: identifiers must be unique"
    )]
    DuplicateIdentifier {
        /// The identifier.
        identifier: String,
        /// The first holder.
        first: String,
        /// The second holder.
        second: String,
    },
    /// An association starts from a node that is not in the package.
    #[error(
        "{path} (association \"{association}\") starts from \"{origin}\", which is neither the \
         document nor an item of this package: add the item or remove the association"
    )]
    MissingOrigin {
        /// Where.
        path: String,
        /// The association's identifier.
        association: String,
        /// The missing origin's identifier.
        origin: String,
    },
    /// `isChildOf` associations form a cycle.
    #[error("isChildOf associations form a cycle through {}: an item cannot be its own ancestor", items.join(" → "))]
    ChildOfCycle {
        /// The items of the cycle (coding scheme or identifier), at most 10.
        items: Vec<String>,
    },
    /// The tree is deeper than the limit.
    #[error("item \"{item}\" is at depth {depth}, deeper than the limit of {max}")]
    TooDeep {
        /// The first item found too deep.
        item: String,
        /// Its depth.
        depth: usize,
        /// The limit.
        max: usize,
    },
    /// Strict mode and the package deviates from the CASE 1.1 schema.
    #[error("the package is not strict CASE 1.1: {}; import it leniently to accept it with warnings", reasons.join("; "))]
    NotStrictV1p1 {
        /// Each deviation, as in `strict_v1p1_errors`.
        reasons: Vec<String>,
    },
}

impl CaseError {
    /// The stable machine-readable code (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::TooLarge { .. } => "too_large",
            CaseError::InvalidJson { .. } => "invalid_json",
            CaseError::TooManyItems { .. } => "too_many_items",
            CaseError::TooManyAssociations { .. } => "too_many_associations",
            CaseError::MissingField { .. } => "missing_field",
            CaseError::InvalidField { .. } => "invalid_field",
            CaseError::InvalidIdentifier { .. } => "invalid_identifier",
            CaseError::DuplicateIdentifier { .. } => "duplicate_identifier",
            CaseError::MissingOrigin { .. } => "missing_origin",
            CaseError::ChildOfCycle { .. } => "child_of_cycle",
            CaseError::TooDeep { .. } => "too_deep",
            CaseError::NotStrictV1p1 { .. } => "not_strict_v1p1",
        }
    }
}
