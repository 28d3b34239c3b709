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

use super::vc::MAX_CREDENTIAL_BYTES;
/// Most blank nodes one document may produce after expansion (V1, P10).
pub const MAX_BLANK_NODES: usize = 64;

/// Most credentials one document may nest (a CLR bundle) when scaling the blank node cap.
pub const MAX_NESTED_CREDENTIALS: usize = 32;

/// The V1 blank node cap of a document: [`MAX_BLANK_NODES`] for it and as many again for
/// each nested credential (objects below the root carrying a `proof`, as in a CLR's
/// `verifiableCredential[]`), counting at most [`MAX_NESTED_CREDENTIALS`] of them (§9).
pub fn blank_node_cap(doc: &Value) -> usize {
    fn nested(v: &Value, root: bool) -> usize {
        match v {
            Value::Object(m) => {
                let own = usize::from(!root && m.contains_key("proof"));
                own + m.values().map(|x| nested(x, false)).sum::<usize>()
            }
            Value::Array(a) => a.iter().map(|x| nested(x, false)).sum(),
            _ => 0,
        }
    }
    MAX_BLANK_NODES * (1 + nested(doc, true).min(MAX_NESTED_CREDENTIALS))
}

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
    Ok(canonicalize_quads(strict_quads(doc, contexts)?))
}

/// The P2/P15 scalar checks, then strict expansion (P1) to quads under the V1 blank node cap.
fn strict_quads(doc: &Value, contexts: &ContextSet) -> Result<Vec<oxrdf::Quad>, CredentialError> {
    jsonld::check_scalars(doc, &Path::ROOT)?;
    jsonld::to_quads(
        contexts,
        doc,
        Limits {
            max_blank_nodes: blank_node_cap(doc),
        },
    )
}

/// [`canonicalize_value`] with `oxrdf`'s complete RDFC-1.0 only (no first-degree shortcut),
/// for checking the shortcut.
pub fn canonicalize_value_full_rdfc(
    doc: &Value,
    contexts: &ContextSet,
) -> Result<Canonical, CredentialError> {
    Ok(canonicalize_quads_oxrdf(strict_quads(doc, contexts)?))
}

/// [`canonicalize_value`] of `doc` without one top-level key (the unsecured document).
pub(crate) fn canonicalize_without(
    doc: &Value,
    skip_root_key: &str,
    contexts: &ContextSet,
) -> Result<Canonical, CredentialError> {
    jsonld::check_scalars(doc, &Path::ROOT)?;
    let quads = jsonld::to_quads_without(
        contexts,
        doc,
        Some(skip_root_key),
        Limits {
            max_blank_nodes: blank_node_cap(doc),
        },
    )?;
    Ok(canonicalize_quads(quads))
}

/// RDFC-1.0 (SHA-256) of quads, serialized and sorted.
///
/// When every blank node has a distinct first-degree hash (RDFC-1.0 §4.6) — the usual case
/// for credentials — the canonical labels follow from sorting those hashes and the
/// algorithm ends there; this is computed directly on serialized terms. Any other dataset
/// (blank nodes that need the N-degree hash) goes through `oxrdf`'s full implementation.
/// The tests check both paths against each other.
pub(crate) fn canonicalize_quads(quads: Vec<oxrdf::Quad>) -> Canonical {
    match first_degree_only(&quads) {
        Some(lines) => finish(lines),
        None => canonicalize_quads_oxrdf(quads),
    }
}

/// The full RDFC-1.0 of `oxrdf` (N-degree hashing included).
pub fn canonicalize_quads_oxrdf(quads: Vec<oxrdf::Quad>) -> Canonical {
    let mut dataset: Dataset = quads.into_iter().collect();
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    finish(lines)
}

fn finish(mut lines: Vec<String>) -> Canonical {
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

/// A term serialized as in canonical N-Quads, blank nodes kept apart by index.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum T {
    Text(String),
    Blank(usize),
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Q {
    s: T,
    p: String,
    o: T,
    g: Option<T>,
}

impl Q {
    fn terms(&self) -> impl Iterator<Item = &T> {
        [Some(&self.s), Some(&self.o), self.g.as_ref()]
            .into_iter()
            .flatten()
    }

    /// `s p o [g] .\n` with `labels[i]` for blank node `i`.
    fn line(&self, labels: &[&str]) -> String {
        let term = |t: &T| -> usize {
            match t {
                T::Text(s) => s.len(),
                T::Blank(i) => labels.get(*i).map_or(0, |l| l.len()),
            }
        };
        let len =
            term(&self.s) + self.p.len() + term(&self.o) + self.g.as_ref().map_or(0, term) + 6;
        let mut out = String::with_capacity(len);
        let push = |out: &mut String, t: &T| match t {
            T::Text(s) => out.push_str(s),
            T::Blank(i) => out.push_str(labels.get(*i).copied().unwrap_or("")),
        };
        push(&mut out, &self.s);
        out.push(' ');
        out.push_str(&self.p);
        out.push(' ');
        push(&mut out, &self.o);
        if let Some(g) = &self.g {
            out.push(' ');
            push(&mut out, g);
        }
        out.push_str(" .\n");
        out
    }
}

/// `<iri>` (a parsed IRI has nothing N-Quads escapes).
fn iri_text(iri: &str) -> String {
    let mut out = String::with_capacity(iri.len() + 2);
    out.push('<');
    out.push_str(iri);
    out.push('>');
    out
}

/// A literal in canonical N-Quads, as `oxrdf` prints it: `"…"`, `"…"@lang` or
/// `"…"^^<datatype>` (no datatype for xsd:string), with `\b \t \n \f \r \" \\` and
/// `\uXXXX` for other controls, U+007F, U+FFFE and U+FFFF.
fn literal_text(l: &oxrdf::Literal) -> String {
    let value = l.value();
    let mut out = String::with_capacity(value.len() + 48);
    out.push('"');
    let needs_escape = |c: char| {
        c < '\u{20}' || c == '"' || c == '\\' || c == '\u{7F}' || c == '\u{FFFE}' || c == '\u{FFFF}'
    };
    if value.contains(needs_escape) {
        for c in value.chars() {
            match c {
                '\u{8}' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\u{C}' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
                c => out.push(c),
            }
        }
    } else {
        out.push_str(value);
    }
    out.push('"');
    if let Some(lang) = l.language() {
        out.push('@');
        out.push_str(lang);
    } else if l.datatype().as_str() != "http://www.w3.org/2001/XMLSchema#string" {
        out.push_str("^^<");
        out.push_str(l.datatype().as_str());
        out.push('>');
    }
    out
}

/// RDFC-1.0 when the first-degree hashes alone give every blank node its label; `None`
/// when two blank nodes share a first-degree hash.
fn first_degree_only<'q>(quads: &'q [oxrdf::Quad]) -> Option<Vec<String>> {
    use oxrdf::{GraphName, NamedOrBlankNode, Term};
    let mut ids: std::collections::BTreeMap<&'q str, usize> = std::collections::BTreeMap::new();
    let mut blank = |b: &'q oxrdf::BlankNode| -> usize {
        let n = ids.len();
        *ids.entry(b.as_str()).or_insert(n)
    };
    let mut qs: Vec<Q> = Vec::with_capacity(quads.len());
    for q in quads {
        let s = match &q.subject {
            NamedOrBlankNode::NamedNode(n) => T::Text(iri_text(n.as_str())),
            NamedOrBlankNode::BlankNode(b) => T::Blank(blank(b)),
        };
        let o = match &q.object {
            Term::NamedNode(n) => T::Text(iri_text(n.as_str())),
            Term::BlankNode(b) => T::Blank(blank(b)),
            Term::Literal(l) => T::Text(literal_text(l)),
        };
        let g = match &q.graph_name {
            GraphName::DefaultGraph => None,
            GraphName::NamedNode(n) => Some(T::Text(iri_text(n.as_str()))),
            GraphName::BlankNode(b) => Some(T::Blank(blank(b))),
        };
        qs.push(Q {
            s,
            p: iri_text(q.predicate.as_str()),
            o,
            g,
        });
    }
    let count = ids.len();
    qs.sort_unstable();
    qs.dedup();
    if count == 0 {
        return Some(qs.iter().map(|q| q.line(&[])).collect());
    }
    // First-degree hash: the quads mentioning the node, itself as _:a, others as _:z.
    let mut mentions: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, q) in qs.iter().enumerate() {
        let mut seen: Vec<usize> = Vec::with_capacity(3);
        for t in q.terms() {
            if let T::Blank(b) = t
                && !seen.contains(b)
            {
                seen.push(*b);
                mentions[*b].push(i);
            }
        }
    }
    let mut hashes: Vec<([u8; 32], usize)> = Vec::with_capacity(count);
    let mut labels: Vec<&str> = vec!["_:z"; count];
    for (b, quad_indexes) in mentions.iter().enumerate() {
        labels[b] = "_:a";
        let mut lines: Vec<String> = quad_indexes.iter().map(|&i| qs[i].line(&labels)).collect();
        labels[b] = "_:z";
        lines.sort_unstable();
        let mut hasher = Sha256::new();
        for l in &lines {
            hasher.update(l.as_bytes());
        }
        hashes.push((hasher.finalize().into(), b));
    }
    // Hex order of SHA-256 digests is byte order.
    hashes.sort_unstable();
    if hashes.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let mut canonical: Vec<String> = vec![String::new(); count];
    for (n, (_, b)) in hashes.iter().enumerate() {
        canonical[*b] = format!("_:c14n{n}");
    }
    let labels: Vec<&str> = canonical.iter().map(String::as_str).collect();
    Some(qs.iter().map(|q| q.line(&labels)).collect())
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
