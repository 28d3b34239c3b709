//! Strict JSON-LD 1.1 → RDF for the credentials Cairn signs and verifies: a context
//! processor over the pinned documents whose processed contexts are cached across calls,
//! and a one-pass expansion of a document to quads that **refuses** what other stacks
//! would reject instead of silently dropping it (pitfall P1: every key must be a keyword
//! or a term of the active contexts, honouring `@protected`, type-scoped and
//! property-scoped contexts), refuses U+FFFE/U+FFFF (P2) and integers beyond ±2^53 (P15),
//! and writes numbers exactly as jsonld.js does (P8, P9).
//!
//! Never fetches a context (unknown URLs are `context_unknown`), never reads a clock,
//! never draws randomness: blank node labels are counters, and canonicalization
//! relabels them anyway.
//!
//! The profile is the subset of JSON-LD the Open Badges, VC 2.0, Data Integrity, CLR,
//! DID and Multikey contexts use: simple and expanded term definitions with `@id`,
//! `@type` (`@id`, `@vocab`, datatype IRIs), `@container` `@set`/`@list`/`@graph`,
//! `@protected`, `@vocab`, type- and property-scoped contexts, compact IRIs, and value
//! objects with `@value`/`@type`. Anything else (`@language`, `@reverse`, `@nest`,
//! `@index`, `@json`, `@base`, `@import`, …) is `jsonld_unsupported`, never guessed.
//! The test suite checks the output against `oxjsonld`, an independent implementation.
//!
//! Hand-written on purpose: no JSON-LD crate offers strict expansion (undefined terms
//! refused rather than dropped) with processed contexts cached across calls, at a size the
//! wasm bundle can carry. General processors such as `oxjsonld` follow the JSON-LD
//! algorithm, which silently drops undefined terms; `oxjsonld` stays a dev-dependency,
//! to check this processor's output.
//!
//! | module | owns |
//! |---|---|
//! | `path` | JSON paths for messages; the scalar checks (P2, P15) |
//! | `js_number` | numbers as jsonld.js writes them (P8, P9) |
//! | `context` | active contexts, term definitions, IRI expansion |
//! | `context_set` | [`ContextSet`]: the loadable documents and the cache of processed contexts |
//! | `expand` | one-pass expansion of a document to quads |

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use oxrdf::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use serde_json::{Map, Number, Value};

use super::contexts::PINNED;
use super::error::CredentialError;

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// The largest JSON integer (in absolute value) JavaScript represents exactly (P15).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// Remote context nesting cap (`oxjsonld` and jsonld.js use similar caps).
const MAX_CONTEXT_DEPTH: usize = 8;
/// Derived contexts kept in a cache before it is emptied (bounds memory on hostile input).
const MAX_CACHED_CONTEXTS: usize = 4096;

static NEXT_CONTEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_context_id() -> u64 {
    NEXT_CONTEXT_ID.fetch_add(1, Ordering::Relaxed)
}

mod context;
mod context_set;
mod expand;
mod js_number;
mod path;

use context::*;
pub use context_set::ContextSet;
pub(crate) use expand::{Limits, to_quads, to_quads_without};
pub(crate) use js_number::js_number_lexical;
pub(crate) use path::{Path, check_scalars};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_numbers_match_jsonld_js() {
        // Expected values printed by node 20: v.toExponential(15).replace(/(\d)0*e\+?/, '$1E')
        // and v.toFixed(0), the two branches of jsonld.js toRdf.
        let cases: &[(f64, &str, bool)] = &[
            (0.5, "5.0E-1", true),
            (3.5, "3.5E0", true),
            (3.0, "3", false),
            (8.2, "8.199999999999999E0", true),
            (9.7e-18, "9.699999999999999E-18", true),
            (1e-7, "0", false),
            (-1e-7, "-0", false),
            (1.5e-7, "1.5E-7", true),
            (1e21, "1.0E21", true),
            (1e20, "100000000000000000000", false),
            (-0.0, "0", false),
            (1234567890123456.5, "1.234567890123457E15", true),
            (1125899906842624.5, "1.125899906842625E15", true),
            (0.30000000000000004, "3.0E-1", true),
            (-2.25, "-2.25E0", true),
        ];
        for (v, want, dbl) in cases {
            assert_eq!(
                js_number_lexical(*v, false),
                ((*want).to_owned(), *dbl),
                "{v}"
            );
        }
        assert_eq!(js_number_lexical(3.0, true).0, "3.0E0");
    }

    #[test]
    fn absolute_iri_rule() {
        assert!(is_absolute_iri("xsd:dateTime"));
        assert!(is_absolute_iri("did:key:z6Mk#z6Mk"));
        assert!(!is_absolute_iri("myCustomField"));
        assert!(!is_absolute_iri("1a:b"));
        assert!(!is_absolute_iri("https://a b"));
    }
}
