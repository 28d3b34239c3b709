//! `eddsa-rdfc-2022` Data Integrity proofs (`spec/badges.md` §5): signing a credential
//! (proof configuration, canonical hashes, Ed25519, `proof` as a one-element array, D7) and
//! checking a proof's signature. Key bytes and `created` are arguments; the core never
//! reads a clock or generates keys. Selecting, resolving and authorising the key is
//! [`super::verify()`]'s job.

use serde::Serialize;
use serde_json::{Map, Value};

use super::canon::{Canonical, canonicalize_value, canonicalize_without};
use super::error::CredentialError;
use super::jsonld::ContextSet;
use super::keys::IssuerKey;
use super::vc::MAX_CREDENTIAL_BYTES;
use crate::time::Timestamp;

/// The proof type.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The cryptosuite.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";
/// The proof purpose Cairn issues and accepts.
pub const PROOF_PURPOSE: &str = "assertionMethod";

/// A note that does not stop issuance or verification but that a person should see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable snake_case code.
    pub code: &'static str,
    /// Plain-language explanation.
    pub message: String,
}

/// Warning code: the canonical N-Quads differ when sorted by UTF-16 code unit (P14).
pub const SORT_ORDER_DIVERGENCE: &str = "sort_order_divergence";

/// A signed credential.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The credential with `proof: [ … ]`.
    pub credential: Value,
    /// The `proofValue` (`z` + base58btc of the 64-byte signature).
    pub proof_value: String,
    /// Interoperability notes (P14), recorded in the issuance log.
    pub warnings: Vec<Finding>,
}

/// The intermediate values of §5.1, for tests and diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashData {
    /// Canonical proof configuration.
    pub proof: Canonical,
    /// Canonical document.
    pub document: Canonical,
}

impl HashData {
    /// `SHA-256(canonProof) ‖ SHA-256(canonDoc)`: 64 bytes, proof hash first.
    pub fn bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.proof.hash);
        out[32..].copy_from_slice(&self.document.hash);
        out
    }

    fn warnings(&self) -> Vec<Finding> {
        if self.proof.utf16_order_differs || self.document.utf16_order_differs {
            vec![Finding {
                code: SORT_ORDER_DIVERGENCE,
                message: "the canonical N-Quads sort differently by UTF-16 code unit than by code point (text mixes characters U+E000–U+FFFF with characters above U+FFFF); JavaScript verifiers built on rdf-canonize 5 compute a different hash and will reject this signature (badges.md P14)".to_owned(),
            }]
        } else {
            Vec::new()
        }
    }
}

/// The proof configuration: the proof options (no `proofValue`) with the document's
/// `@context`.
pub(crate) fn proof_config(proof: &Map<String, Value>, context: &Value) -> Value {
    let mut cfg = proof.clone();
    cfg.remove("proofValue");
    cfg.insert("@context".to_owned(), context.clone());
    Value::Object(cfg)
}

/// Canonicalizes the document (a JSON object, its `proof` ignored) and the proof
/// configuration built from `proof_options` and the document's `@context`.
pub fn hash_data(
    doc: &Value,
    proof_options: &Map<String, Value>,
    contexts: &ContextSet,
) -> Result<HashData, CredentialError> {
    let context = doc
        .get("@context")
        .ok_or_else(|| CredentialError::malformed("the credential has no @context"))?;
    let document = canonicalize_without(doc, "proof", contexts)?;
    let proof = canonicalize_value(&proof_config(proof_options, context), contexts)?;
    Ok(HashData { proof, document })
}

/// Signs `unsigned` (a JSON object; an existing `proof` is dropped) with `eddsa-rdfc-2022`:
/// `DataIntegrityProof`, `proofPurpose: assertionMethod`, the given verification method and
/// `created`. Refuses what other stacks would refuse (undefined terms, U+FFFE/U+FFFF, unsafe
/// integers). The result carries `proof` as a one-element array (D7).
pub fn sign(
    unsigned: &Value,
    key: &IssuerKey,
    verification_method: &str,
    created: Timestamp,
) -> Result<Signed, CredentialError> {
    sign_with(
        unsigned,
        key,
        verification_method,
        created,
        ContextSet::pinned(),
    )
}

/// [`sign`] with an explicit context set (tests that read third-party contexts).
pub fn sign_with(
    unsigned: &Value,
    key: &IssuerKey,
    verification_method: &str,
    created: Timestamp,
    contexts: &ContextSet,
) -> Result<Signed, CredentialError> {
    let doc = unsigned
        .as_object()
        .ok_or_else(|| CredentialError::malformed("a credential must be a JSON object"))?;
    if verification_method.is_empty() || verification_method.chars().any(char::is_whitespace) {
        return Err(CredentialError::field(
            "verificationMethod",
            "the verification method must be a key id such as did:key:z6Mk…#z6Mk… or https://…#z6Mk…",
        ));
    }
    let mut options = Map::new();
    options.insert("type".to_owned(), Value::from(PROOF_TYPE));
    options.insert("cryptosuite".to_owned(), Value::from(CRYPTOSUITE));
    options.insert("created".to_owned(), Value::from(created.to_string()));
    options.insert(
        "verificationMethod".to_owned(),
        Value::from(verification_method),
    );
    options.insert("proofPurpose".to_owned(), Value::from(PROOF_PURPOSE));
    let data = hash_data(unsigned, &options, contexts)?;
    let signature = key.sign(&data.bytes());
    let proof_value = format!("z{}", bs58::encode(signature).into_string());
    let mut proof = options;
    proof.insert("proofValue".to_owned(), Value::from(proof_value.clone()));
    let mut credential = doc.clone();
    credential.insert("proof".to_owned(), Value::Array(vec![Value::Object(proof)]));
    let credential = Value::Object(credential);
    let size = credential.to_string().len();
    if size > MAX_CREDENTIAL_BYTES {
        return Err(CredentialError::TooLarge {
            reason: format!(
                "the signed credential is {size} bytes, over the {MAX_CREDENTIAL_BYTES}-byte cap verifiers apply"
            ),
        });
    }
    Ok(Signed {
        credential,
        proof_value,
        warnings: data.warnings(),
    })
}

/// Decodes a `proofValue`: `z` + base58btc of exactly 64 bytes.
pub fn decode_proof_value(text: &str) -> Option<[u8; 64]> {
    let body = text.strip_prefix('z')?;
    let bytes = bs58::decode(body).into_vec().ok()?;
    bytes.try_into().ok()
}
