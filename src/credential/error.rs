//! The typed error of the credential layer: every way building, canonicalizing, signing
//! or reading a credential can fail, each with a stable snake_case [`CredentialError::code`]
//! taken from `spec/badges.md` §6 where the table names one. Never used for the outcome of
//! a verification (that is a [`super::VerificationReport`]); only for inputs that cannot be
//! processed at all.

/// Why a credential (or a key, or a context) could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// Not JSON, not a JSON object, or a value of the wrong JSON type where the shape is fixed.
    #[error("the credential is malformed: {reason}")]
    Malformed {
        /// What is wrong, with the JSON path where known.
        reason: String,
    },
    /// Over one of the V1 caps (size, blank nodes).
    #[error("the credential is too large: {reason}")]
    TooLarge {
        /// Which cap was exceeded, and by how much.
        reason: String,
    },
    /// `@context` breaks the rules of `spec/badges.md` §1.1 or JSON-LD context processing.
    #[error("invalid @context: {reason}")]
    ContextInvalid {
        /// What is wrong.
        reason: String,
    },
    /// A context URL that is not one of the pinned documents; it is never fetched.
    #[error(
        "the context \"{url}\" is not one of the pinned contexts; Cairn never fetches contexts, so it cannot read this credential"
    )]
    ContextUnknown {
        /// The refused URL.
        url: String,
    },
    /// A key that is neither a JSON-LD keyword nor a term of the active contexts, or a
    /// relative IRI where an absolute one is needed (pitfall P1).
    #[error(
        "\"{term}\" at {path} is not defined by the credential's contexts; other verifiers reject it (JSON-LD safe mode), so remove it or use a defined term"
    )]
    UndefinedTerm {
        /// The offending key or value.
        term: String,
        /// Where it is (JSON path).
        path: String,
    },
    /// A string holding U+FFFE or U+FFFF (pitfall P2).
    #[error(
        "the text at {path} contains the Unicode noncharacter {character}; canonicalizers disagree on it, so remove it"
    )]
    Noncharacter {
        /// Where it is (JSON path).
        path: String,
        /// `U+FFFE` or `U+FFFF`.
        character: String,
    },
    /// A JSON integer beyond ±2^53 (pitfall P15), which JavaScript stacks round.
    #[error(
        "the number {value} at {path} is beyond ±2^53; JavaScript verifiers round it, so send it as a string"
    )]
    UnsafeNumber {
        /// The number as written.
        value: String,
        /// Where it is (JSON path).
        path: String,
    },
    /// A JSON-LD construct outside the strict profile Cairn signs and verifies.
    #[error(
        "{feature} at {path} is a JSON-LD feature outside the strict profile Cairn signs and verifies"
    )]
    JsonLdUnsupported {
        /// The construct (`@language`, `@reverse`, …).
        feature: String,
        /// Where it is (JSON path).
        path: String,
    },
    /// An IRI that does not parse.
    #[error("\"{value}\" at {path} is not a valid IRI")]
    InvalidIri {
        /// The text.
        value: String,
        /// Where it is (JSON path).
        path: String,
    },
    /// A key or key text that cannot be used (wrong length, wrong multicodec prefix, …).
    #[error("invalid key: {reason}")]
    KeyInvalid {
        /// What is wrong.
        reason: String,
    },
    /// A value the credential builder or signer refuses (missing issuer id, bad date, …).
    #[error("{field}: {reason}")]
    FieldInvalid {
        /// The field (JSON path or input name).
        field: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A field the builder needs is absent (`spec/badges.md` §6 `field_missing`), for
    /// example an issuer profile without `url`.
    #[error("{field} is missing: {reason}")]
    FieldMissing {
        /// The field (JSON path or input name).
        field: String,
        /// Why it is needed and where it comes from.
        reason: String,
    },
    /// The record a credential is built from was folded after the issue time, so its
    /// results could include attempts the credential must not show.
    #[error(
        "the record is as of {record_at}, after the issue time {issued_at}: fold the events at the issue time and build from that record"
    )]
    RecordAfterIssuance {
        /// The record's evaluation instant.
        record_at: String,
        /// The issuance's time (`validFrom`).
        issued_at: String,
    },
}

impl CredentialError {
    /// The stable machine-readable code (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            CredentialError::Malformed { .. } => "malformed",
            CredentialError::TooLarge { .. } => "too_large",
            CredentialError::ContextInvalid { .. } => "context_invalid",
            CredentialError::ContextUnknown { .. } => "context_unknown",
            CredentialError::UndefinedTerm { .. } => "undefined_term",
            CredentialError::Noncharacter { .. } => "noncharacter",
            CredentialError::UnsafeNumber { .. } => "unsafe_number",
            CredentialError::JsonLdUnsupported { .. } => "jsonld_unsupported",
            CredentialError::InvalidIri { .. } => "invalid_iri",
            CredentialError::KeyInvalid { .. } => "key_invalid",
            CredentialError::FieldInvalid { .. } => "field_invalid",
            CredentialError::FieldMissing { .. } => "field_missing",
            CredentialError::RecordAfterIssuance { .. } => "record_after_issuance",
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        CredentialError::Malformed {
            reason: reason.into(),
        }
    }

    pub(crate) fn context_invalid(reason: impl Into<String>) -> Self {
        CredentialError::ContextInvalid {
            reason: reason.into(),
        }
    }

    pub(crate) fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CredentialError::FieldInvalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
