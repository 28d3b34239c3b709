//! Open Badges 3.0 credentials (`spec/badges.md`): pinned contexts, strict JSON-LD
//! canonicalization, `eddsa-rdfc-2022` signing and verification, baking and status.
//! Pure: keys, times, ids and status lists are arguments; nothing is fetched, no clock
//! is read, no randomness is drawn.

/// Baking: embed a credential into PNG and SVG badge images and extract it again.
pub mod bake;
pub mod build;
pub mod canon;
pub mod contexts;
pub mod error;
/// Exports: an Open Badges 2.0 hosted assertion and a CLR 2.0 bundle of credentials.
pub mod export;
pub mod jsonld;
pub mod keys;
pub mod proof;
/// Revocation and suspension: W3C Bitstring Status Lists and their entries.
pub mod status;
pub mod verify;

pub use build::{BuildInput, IssuerProfile, Recipient, build, issue};
pub use canon::{Canonical, canonicalize, canonicalize_value};
pub use error::CredentialError;
pub use jsonld::ContextSet;
pub use keys::{IssuerKey, Multikey};
pub use proof::{Finding, Signed, sign};
pub use verify::{VerificationReport, VerifyMode, VerifyOptions, verify};
