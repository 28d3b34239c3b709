//! Open Badges 3.0 credentials (`spec/badges.md`): pinned contexts, strict JSON-LD
//! canonicalization, `eddsa-rdfc-2022` signing and verification, building, baking, status
//! and exports. Pure: keys, times, ids, salts and status lists are arguments; nothing is
//! fetched, no clock is read, no randomness is drawn.
//!
//! | entry point | does |
//! |---|---|
//! | [`build()`] / [`issue`] | an `OpenBadgeCredential` from a definition, issuance, issuer profile and recipient (§1–§3); `issue` also signs |
//! | [`endorse`] | an `EndorsementCredential` a partner signs, and embedding one in a credential before it is signed (REQ-ISSUE-07) |
//! | [`image`] | the default badge image (SVG data URI) of a definition without one |
//! | [`linkedin`] | LinkedIn's "Add to Profile" URL for a credential |
//! | [`sign`] | `DataIntegrityProof` / `eddsa-rdfc-2022` over any credential, `proof` as a one-element array (§5.1, D7) |
//! | [`verify()`] / [`verify::verify_image`] | checks V1–V14 (§6) of JSON text or a baked image into a serializable [`VerificationReport`] |
//! | [`canonicalize`] / [`canonicalize_value`] | RDFC-1.0 canonical N-Quads, SHA-256 and the P14 sort-order flag |
//! | [`keys`] | [`Multikey`], [`IssuerKey`] (from a seed), `did:key`, key ids and key resolution |
//! | [`contexts`] | the pinned context documents and the CIS inline context |
//! | [`ContextSet`] | the loader with processed contexts cached across calls |
//! | [`vc`] | what every credential has: types, issuer id, subjects and the learner they name, the size cap |
//!
//! Errors are [`CredentialError`] (stable `code()`); verification outcomes are never errors.
//! `issuer` may be a `Profile` object or a URI string (`ProfileRef`); `name` and
//! `description` are strings, and language-tagged value objects in them are refused,
//! because the OB 3.0 JSON Schema types those fields as strings (see `verify`'s shape stage).
//! The JSON-LD processor is Cairn's own strict profile ([`jsonld`]), checked against
//! `oxjsonld` in the tests; RDFC-1.0 is `oxrdf`'s, with a first-degree shortcut ([`canon`]).

pub mod bake;
pub mod build;
pub mod canon;
pub mod contexts;
mod crc32;
pub mod endorse;
pub mod error;
/// Exports: an Open Badges 2.0 hosted assertion and a CLR 2.0 bundle of credentials.
pub mod export;
pub mod image;
pub mod jsonld;
pub mod keys;
pub mod linkedin;
pub mod proof;
pub mod status;
pub mod vc;
pub mod verify;

pub use build::{BuildInput, IssuerProfile, Recipient, build, issue};
pub use canon::{Canonical, canonicalize, canonicalize_value};
pub use error::CredentialError;
pub use jsonld::ContextSet;
pub use keys::{IssuerKey, Multikey};
pub use proof::{Finding, Signed, sign};
pub use verify::{VerificationReport, VerifyMode, VerifyOptions, verify};
