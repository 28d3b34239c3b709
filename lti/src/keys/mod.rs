//! The tool's own RSA keys (`spec/lti.md` §6.2): the key-encryption key that seals them at
//! rest ([`KeyEncryptionKey`]), generation and public JWKs ([`generate`]), and the rotation
//! kept in the [`Store`](crate::store::Store) ([`ensure`], [`rotate`], [`jwks`],
//! [`signing_key`]). Private keys and the key-encryption key never reach a log, a `Debug`
//! print or a response: only public JWKs and kids leave this module.

mod generate;
mod kek;
mod tool_keys;

use std::path::PathBuf;

use crate::store::StoreError;

pub use generate::{GeneratedKey, generate, jwk_thumbprint};
pub use kek::{KEK_ENV, KekOrigin, KeyEncryptionKey, OpenedKey};
pub use tool_keys::{
    EnsureOutcome, MIN_NEXT_PUBLISHED_SECONDS, PREVIOUS_KEPT_SECONDS, ToolSigningKey, ensure, jwks,
    rotate, rotate_unchecked, signing_key,
};

/// What went wrong with the tool's keys or the key-encryption key. Messages name what to
/// fix and never include key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// `CAIRN_KEY_ENCRYPTION_KEY` is set but empty.
    #[error(
        "{KEK_ENV} is set but empty: give 32 bytes as base64url (43 characters) or hex \
         (64 characters), or unset it to use the key file"
    )]
    KekEnvEmpty,
    /// `CAIRN_KEY_ENCRYPTION_KEY` is not 32 bytes in base64url or hex.
    #[error(
        "{KEK_ENV} is not a 32-byte key: {reason}; give base64url (43 characters, e.g. \
         `openssl rand 32 | basenc --base64url`) or hex (64 characters, `openssl rand -hex 32`)"
    )]
    KekEnvFormat {
        /// What is wrong (lengths only, never the value).
        reason: String,
    },
    /// The key file could not be read, created or checked.
    #[error("key-encryption key file {path}: {source}")]
    KekFileAccess {
        /// The file.
        path: PathBuf,
        /// The operating system's answer.
        source: std::io::Error,
    },
    /// The key file is readable or writable by group or others.
    #[error(
        "key-encryption key file {path} has mode {mode:04o}: group and others must have no \
         access; run `chmod 600 {path}` (and check who may have read it)"
    )]
    KekFileTooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file does not hold exactly 32 bytes.
    #[error(
        "key-encryption key file {path} holds {len} bytes, not 32: restore the original file \
         (the sealed tool keys cannot be opened without it)"
    )]
    KekFileFormat {
        /// The file.
        path: PathBuf,
        /// How many bytes it holds.
        len: u64,
    },
    /// A sealed private key does not open with this key-encryption key.
    #[error(
        "the sealed private key of kid {kid} does not open with this key-encryption key: \
         the key is not the one that sealed it (check {KEK_ENV} or the key file), or the row \
         was altered"
    )]
    WrongKek {
        /// The key's kid.
        kid: String,
    },
    /// A sealed private key is too short or from an unknown format version.
    #[error("the sealed private key of kid {kid} is not in a format this version reads")]
    SealedFormat {
        /// The key's kid.
        kid: String,
    },
    /// The stored row of a key cannot be read (its public JWK or its opened private key).
    #[error("tool key {kid} is unreadable: {reason}")]
    Corrupt {
        /// The key's kid.
        kid: String,
        /// What is wrong.
        reason: String,
    },
    /// A cryptographic primitive failed (key generation, sealing, randomness).
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),
    /// There is no current key: [`ensure`] has not run.
    #[error("the tool has no current signing key: start the server once (it creates the keys)")]
    NoCurrentKey,
    /// There is no next key to promote: [`ensure`] has not completed the keys.
    #[error("the tool has no next key to rotate to: start the server once (it completes the keys)")]
    NoNextKey,
    /// Rotating now would sign with a key platforms may not have fetched yet.
    #[error(
        "the next key {kid} has been published for {published_seconds} s, less than the \
         {needed_seconds} s platforms may cache the tool's JWKS: rotate later, or force the \
         rotation (launch services may fail until platforms refetch)"
    )]
    NextKeyTooNew {
        /// The next key's kid.
        kid: String,
        /// How long it has been published.
        published_seconds: i64,
        /// How long it must be published first.
        needed_seconds: i64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// jsonwebtoken could not sign.
    #[error("signing a JWT failed: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
}
