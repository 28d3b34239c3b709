//! The umbrella error of the core: every layer's typed error, each with a stable
//! snake_case `code` taken from the spec tables, for hosts (the server, the wasm binding)
//! that need one type.

use crate::case::CaseError;
use crate::credential::CredentialError;
use crate::credential::bake::BakeError;
use crate::credential::export::ExportError;
use crate::credential::status::StatusError;
use crate::definition::DefinitionError;
use crate::mastery::MasteryError;
use crate::number::NumberError;
use crate::time::TimestampError;

/// Any error the core returns, with a stable [`Error::code`] and a sentence a person
/// can act on as its `Display`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input JSON does not have the shape the core reads.
    #[error("{context}: {message}")]
    Json {
        /// What was being read (`definitions`, `events`, …).
        context: &'static str,
        /// serde's description, with line and column.
        message: String,
    },
    /// An event with a member the core does not read (README §11: refused, so typos
    /// surface instead of being ignored).
    #[error("{context}: invalid event: {message}")]
    InvalidEvent {
        /// What was being read (`events`, …).
        context: &'static str,
        /// serde's description, naming the member, with line and column.
        message: String,
    },
    /// A malformed number.
    #[error(transparent)]
    Number(#[from] NumberError),
    /// A malformed instant.
    #[error(transparent)]
    Timestamp(#[from] TimestampError),
    /// Definitions that cannot be folded.
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    /// A refused calculation method, evidence row or roll-up rule.
    #[error(transparent)]
    Mastery(#[from] MasteryError),
    /// A credential, key or context that cannot be processed (`spec/badges.md`).
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// A badge image that cannot be baked, or whose credential cannot be extracted.
    #[error(transparent)]
    Bake(#[from] BakeError),
    /// A status list or status entry that cannot be built, read or checked.
    #[error(transparent)]
    Status(#[from] StatusError),
    /// A credential that cannot be exported to OB 2.0 or bundled into a CLR.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A refused CASE framework package.
    #[error(transparent)]
    Case(#[from] CaseError),
}

impl Error {
    /// Wraps a serde_json error with what was being read.
    pub fn json(context: &'static str, err: serde_json::Error) -> Self {
        Error::Json {
            context,
            message: err.to_string(),
        }
    }

    /// The stable machine-readable code (snake_case), for branching in hosts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Json { .. } => "invalid_json",
            Error::InvalidEvent { .. } => "invalid_event",
            Error::Number(_) => "invalid_number",
            Error::Timestamp(_) => "invalid_timestamp",
            Error::Definition(e) => e.code(),
            Error::Mastery(e) => e.code(),
            Error::Credential(e) => e.code(),
            Error::Bake(e) => e.code(),
            Error::Status(e) => e.code(),
            Error::Export(e) => e.code(),
            Error::Case(e) => e.code(),
        }
    }
}
