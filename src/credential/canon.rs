//! Canonicalization for `eddsa-rdfc-2022` (`spec/badges.md` §5): strict JSON-LD → RDF
//! ([`super::jsonld`]), RDFC-1.0 with SHA-256 (`oxrdf`), canonical N-Quads sorted by code
//! point, and their SHA-256. Also computes the order rdf-canonize 5 (the JS stack) uses,
//! by UTF-16 code unit, and reports when the two differ (pitfall P14). Pure: no I/O.

use oxrdf::Dataset;
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::CredentialError;
use super::jsonld::{self, ContextSet, Limits, Path};

/// Largest credential text accepted (V1).
pub const MAX_CREDENTIAL_BYTES: usize = 256 * 1024;
/// Most blank nodes one document may produce after expansion (V1, P10).
pub const MAX_BLANK_NODES: usize = 64;

/// A document's canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// RDFC-1.0 canonical N-Quads, one `s p o [g] .\n` line each, sorted by code point.
    pub nquads: String,
    /// SHA-256 of `nquads`.
    pub hash: [u8; 32],
    /// Whether sorting the same lines by UTF-16 code unit (as rdf-canonize 5 does) gives a
    /// different text, so JavaScript stacks would hash something else (P14).
    pub utf16_order_differs: bool,
}

impl Canonical {
    /// The hash as lowercase hex.
    pub fn hash_hex(&self) -> String {
        hex(&self.hash)
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Canonicalizes a JSON-LD document given as text, with the pinned contexts.
pub fn canonicalize(json: &str) -> Result<Canonical, CredentialError> {
    if json.len() > MAX_CREDENTIAL_BYTES {
        return Err(CredentialError::TooLarge {
            reason: format!(
                "{} bytes, more than the {MAX_CREDENTIAL_BYTES}-byte cap",
                json.len()
            ),
        });
    }
    let doc: Value = serde_json::from_str(json)
        .map_err(|e| CredentialError::malformed(format!("not JSON: {e}")))?;
    canonicalize_value(&doc, ContextSet::pinned())
}

/// Canonicalizes a parsed JSON-LD document with the given contexts. Runs the P2/P15
/// checks, the strict expansion (P1) and RDFC-1.0.
pub fn canonicalize_value(
    doc: &Value,
    contexts: &ContextSet,
) -> Result<Canonical, CredentialError> {
    jsonld::check_scalars(doc, &Path::ROOT)?;
    let quads = jsonld::to_quads(
        contexts,
        doc,
        Limits {
            max_blank_nodes: MAX_BLANK_NODES,
        },
    )?;
    Ok(canonicalize_quads(quads))
}

/// RDFC-1.0 (SHA-256) of quads, serialized and sorted.
pub(crate) fn canonicalize_quads(quads: Vec<oxrdf::Quad>) -> Canonical {
    let mut dataset: Dataset = quads.into_iter().collect();
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort_unstable();
    lines.dedup();
    let utf16_order_differs = needs_utf16_check(&lines) && {
        let mut by_utf16: Vec<&String> = lines.iter().collect();
        by_utf16.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
        by_utf16.iter().zip(lines.iter()).any(|(a, b)| *a != b)
    };
    let nquads = lines.concat();
    let hash = sha256(nquads.as_bytes());
    Canonical {
        nquads,
        hash,
        utf16_order_differs,
    }
}

/// The orders can differ only when some line holds a character at or above U+E000
/// (UTF-8 lead bytes 0xEE, 0xEF and 0xF0–0xF4).
fn needs_utf16_check(lines: &[String]) -> bool {
    lines.iter().any(|l| l.bytes().any(|b| b >= 0xEE))
}

/// The canonical lines sorted by UTF-16 code unit: what rdf-canonize 5 would output for
/// the same quads (P14). For tests and diagnostics.
pub fn utf16_sorted(nquads: &str) -> String {
    let mut lines: Vec<&str> = nquads.split_inclusive('\n').collect();
    lines.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    lines.concat()
}
