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

// ---------------------------------------------------------------------------------------
// JSON paths for messages
// ---------------------------------------------------------------------------------------

/// A JSON path, built on the stack while walking and rendered only for messages.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Index(index),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(p) = cur {
            segs.push(p.seg);
            cur = p.parent;
        }
        let mut out = String::from("$");
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Scalar checks (P2, P15)
// ---------------------------------------------------------------------------------------

/// Refuses U+FFFE/U+FFFF in any key or string (P2) and integers beyond ±2^53 (P15).
pub(crate) fn check_scalars(value: &Value, path: &Path<'_>) -> Result<(), CredentialError> {
    match value {
        Value::String(s) => check_text(s, path),
        Value::Number(n) => check_number(n, path),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_scalars(item, &path.index(i))?;
            }
            Ok(())
        }
        Value::Object(map) => {
            for (k, v) in map {
                let p = path.key(k);
                check_text(k, &p)?;
                check_scalars(v, &p)?;
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) => Ok(()),
    }
}

fn check_text(s: &str, path: &Path<'_>) -> Result<(), CredentialError> {
    // U+FFFE and U+FFFF are EF BF BE / EF BF BF in UTF-8: look for the lead byte first.
    if !s.as_bytes().contains(&0xEF) {
        return Ok(());
    }
    if let Some(c) = s.chars().find(|&c| c == '\u{FFFE}' || c == '\u{FFFF}') {
        return Err(CredentialError::Noncharacter {
            path: path.render(),
            character: format!("U+{:04X}", u32::from(c)),
        });
    }
    Ok(())
}

fn check_number(n: &Number, path: &Path<'_>) -> Result<(), CredentialError> {
    let unsafe_int = match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => u > MAX_SAFE_INTEGER,
        (None, Some(i)) => i.unsigned_abs() > MAX_SAFE_INTEGER,
        (None, None) => false,
    };
    if unsafe_int {
        return Err(CredentialError::UnsafeNumber {
            value: n.to_string(),
            path: path.render(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Numbers as jsonld.js writes them
// ---------------------------------------------------------------------------------------

/// The RDF lexical form jsonld.js 9 gives a JSON number, and whether it is a double:
/// `toExponential(15)` with trailing zeros trimmed when the number prints with a `.` (or is
/// ≥ 1e21, or the datatype is `xsd:double`), else `toFixed(0)`.
pub(crate) fn js_number_lexical(v: f64, force_double: bool) -> (String, bool) {
    if force_double || js_is_double(v) {
        (js_to_exponential_15(v), true)
    } else if v == 0.0 {
        ("0".to_owned(), false)
    } else if v.fract() != 0.0 {
        // Only tiny one-digit values such as 1e-7 get here: toFixed(0) gives 0 or -0.
        (if v < 0.0 { "-0" } else { "0" }.to_owned(), false)
    } else {
        (format!("{v:.0}"), false)
    }
}

/// `String(v)` contains a `.`, or `|v| ≥ 1e21` (jsonld.js `types.isDouble`).
fn js_is_double(v: f64) -> bool {
    if v.abs() >= 1e21 {
        return true;
    }
    if v.fract() == 0.0 {
        return false;
    }
    if v.abs() >= 1e-6 {
        return true;
    }
    // Exponential notation: a `.` only with two or more significant digits.
    let shortest = format!("{v:e}");
    let mantissa = shortest.split('e').next().unwrap_or("");
    mantissa.chars().filter(char::is_ascii_digit).count() > 1
}

/// `v.toExponential(15).replace(/(\d)0*e\+?/, '$1E')`, with JavaScript's rounding (ties
/// away from zero; Rust's formatter rounds ties to even).
fn js_to_exponential_15(v: f64) -> String {
    let (negative, mut digits, mut exp) = split_exponential(&format!("{v:.15e}"));
    let (_, d17, e17) = split_exponential(&format!("{v:.16e}"));
    if d17.len() == 17 && d17[16] == b'5' {
        let (_, exact, _) = split_exponential(&format!("{v:.767e}"));
        if exact.iter().skip(17).all(|&d| d == b'0') {
            // An exact tie at the 16th digit: round the magnitude up.
            digits = d17[..16].to_vec();
            exp = e17;
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    digits.truncate(16);
                    exp += 1;
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
    }
    let mut fraction: &[u8] = digits.get(1..).unwrap_or(&[]);
    while fraction.len() > 1 && fraction.last() == Some(&b'0') {
        fraction = &fraction[..fraction.len() - 1];
    }
    let mut out = String::with_capacity(24);
    if negative {
        out.push('-');
    }
    out.push(char::from(*digits.first().unwrap_or(&b'0')));
    out.push('.');
    if fraction.is_empty() {
        out.push('0');
    } else {
        out.extend(fraction.iter().map(|&d| char::from(d)));
    }
    out.push('E');
    out.push_str(&exp.to_string());
    out
}

/// Splits Rust's `d.ddde±x` into (negative, digits, exponent).
fn split_exponential(s: &str) -> (bool, Vec<u8>, i32) {
    let (negative, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (mantissa, exp) = rest.split_once('e').unwrap_or((rest, "0"));
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    (negative, digits, exp.parse().unwrap_or(0))
}

// ---------------------------------------------------------------------------------------
// Active contexts
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Container {
    None,
    Set,
    List,
    Graph,
}

#[derive(Clone, Debug)]
struct Scoped {
    value: Arc<Value>,
    key: Arc<str>,
}

#[derive(Clone, Debug)]
struct TermDef {
    /// `None` = the term is mapped to null (explicitly undefined).
    iri: Option<String>,
    /// The IRI as a node, when it is an absolute IRI (not a keyword or blank node).
    node: Option<NamedNode>,
    prefix: bool,
    protected: bool,
    type_mapping: Option<String>,
    container: Container,
    context: Option<Scoped>,
}

impl TermDef {
    /// Equal in everything but `@protected` (the JSON-LD redefinition rule).
    fn same_as(&self, other: &TermDef) -> bool {
        self.iri == other.iri
            && self.prefix == other.prefix
            && self.type_mapping == other.type_mapping
            && self.container == other.container
            && self.context.as_ref().map(|c| &c.key) == other.context.as_ref().map(|c| &c.key)
    }
}

/// A processed JSON-LD context. Immutable and shared; derived contexts are cached.
#[derive(Debug)]
pub(crate) struct ActiveContext {
    id: u64,
    terms: BTreeMap<String, Arc<TermDef>>,
    vocab: Option<String>,
    previous: Option<Arc<ActiveContext>>,
}

impl ActiveContext {
    fn empty() -> Self {
        ActiveContext {
            id: next_context_id(),
            terms: BTreeMap::new(),
            vocab: None,
            previous: None,
        }
    }

    fn derive(&self) -> Self {
        ActiveContext {
            id: next_context_id(),
            terms: self.terms.clone(),
            vocab: self.vocab.clone(),
            previous: self.previous.clone(),
        }
    }

    /// Whether `key` is `keyword` or an alias of it.
    fn is_keyword_key(&self, key: &str, keyword: &str) -> bool {
        key == keyword
            || self
                .terms
                .get(key)
                .and_then(|t| t.iri.as_deref())
                .is_some_and(|i| i == keyword)
    }
}

/// The result of IRI expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Iri {
    Null,
    Keyword(String),
    Absolute(String),
    Blank(String),
    Relative(String),
}

const KEYWORDS: &[&str] = &[
    "@base",
    "@container",
    "@context",
    "@direction",
    "@graph",
    "@id",
    "@import",
    "@included",
    "@index",
    "@json",
    "@language",
    "@list",
    "@nest",
    "@none",
    "@prefix",
    "@propagate",
    "@protected",
    "@reverse",
    "@set",
    "@type",
    "@value",
    "@version",
    "@vocab",
];

fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// `@` followed by one or more ASCII letters: reserved, ignored by JSON-LD.
fn has_keyword_form(s: &str) -> bool {
    s.len() > 1 && s.starts_with('@') && s[1..].bytes().all(|b| b.is_ascii_alphabetic())
}

/// An absolute IRI as jsonld.js decides it: `scheme:` then no whitespace.
fn is_absolute_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut bytes = scheme.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    first_ok
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        && !rest.chars().any(char::is_whitespace)
}

fn ends_with_gen_delim(s: &str) -> bool {
    s.ends_with([':', '/', '?', '#', '[', ']', '@'])
}

/// Expands `value` against a finished context (no on-demand term creation).
fn expand_iri(ctx: &ActiveContext, value: &str, vocab: bool, document_relative: bool) -> Iri {
    if is_keyword(value) {
        return Iri::Keyword(value.to_owned());
    }
    if has_keyword_form(value) {
        return Iri::Null;
    }
    if let Some(def) = ctx.terms.get(value) {
        match def.iri.as_deref() {
            Some(k) if is_keyword(k) => return Iri::Keyword(k.to_owned()),
            _ => {}
        }
        if vocab {
            return match &def.iri {
                None => Iri::Null,
                Some(i) if i.starts_with("_:") => Iri::Blank(i.clone()),
                Some(i) => Iri::Absolute(i.clone()),
            };
        }
    }
    if let Some(pos) = value.find(':').filter(|&p| p > 0) {
        let (prefix, suffix) = (&value[..pos], &value[pos + 1..]);
        if prefix == "_" {
            return Iri::Blank(value.to_owned());
        }
        if suffix.starts_with("//") {
            return if is_absolute_iri(value) {
                Iri::Absolute(value.to_owned())
            } else {
                Iri::Relative(value.to_owned())
            };
        }
        if let Some(def) = ctx.terms.get(prefix)
            && def.prefix
            && let Some(iri) = &def.iri
        {
            return Iri::Absolute(format!("{iri}{suffix}"));
        }
        if is_absolute_iri(value) {
            return Iri::Absolute(value.to_owned());
        }
    }
    if vocab && let Some(v) = &ctx.vocab {
        return Iri::Absolute(format!("{v}{value}"));
    }
    let _ = document_relative; // no base IRI: a relative reference stays relative
    Iri::Relative(value.to_owned())
}

/// Term creation for one local context object (JSON-LD 1.1 Create Term Definition).
struct TermBuilder<'a> {
    ctx: &'a mut ActiveContext,
    local: &'a Map<String, Value>,
    defined: BTreeMap<String, bool>,
    protected_default: bool,
    override_protected: bool,
}

const CONTEXT_KEYS: &[&str] = &[
    "@base",
    "@direction",
    "@import",
    "@language",
    "@propagate",
    "@protected",
    "@version",
    "@vocab",
];

impl TermBuilder<'_> {
    fn expand(&mut self, value: &str, vocab: bool) -> Result<Iri, CredentialError> {
        if is_keyword(value) {
            return Ok(Iri::Keyword(value.to_owned()));
        }
        if has_keyword_form(value) {
            return Ok(Iri::Null);
        }
        if self.local.contains_key(value) && self.defined.get(value) != Some(&true) {
            self.create(value)?;
        }
        if let Some(pos) = value.find(':').filter(|&p| p > 0) {
            let prefix = &value[..pos];
            let suffix = &value[pos + 1..];
            if prefix != "_"
                && !suffix.starts_with("//")
                && self.local.contains_key(prefix)
                && self.defined.get(prefix) != Some(&true)
            {
                self.create(prefix)?;
            }
        }
        Ok(expand_iri(self.ctx, value, vocab, true))
    }

    fn create(&mut self, term: &str) -> Result<(), CredentialError> {
        match self.defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => {
                return Err(CredentialError::context_invalid(format!(
                    "cyclic IRI mapping for the term \"{term}\""
                )));
            }
            None => {}
        }
        if term.is_empty() {
            return Err(CredentialError::context_invalid(
                "a term definition for the empty string",
            ));
        }
        self.defined.insert(term.to_owned(), false);
        let value = self.local.get(term).cloned().unwrap_or(Value::Null);
        if term == "@type" {
            // JSON-LD 1.1 allows only {"@container": "@set", "@protected": …} here.
            let ok = value.as_object().is_some_and(|m| {
                !m.is_empty()
                    && m.iter().all(|(k, v)| {
                        (k == "@container" && v == "@set") || (k == "@protected" && v.is_boolean())
                    })
            });
            if !ok {
                return Err(CredentialError::context_invalid(
                    "keyword redefinition of @type",
                ));
            }
            self.defined.insert(term.to_owned(), true);
            return Ok(());
        }
        if is_keyword(term) {
            return Err(CredentialError::context_invalid(format!(
                "keyword redefinition of {term}"
            )));
        }
        if has_keyword_form(term) {
            self.defined.insert(term.to_owned(), true);
            return Ok(());
        }
        let previous = self.ctx.terms.remove(term);
        let (map, simple_term) = match &value {
            Value::Null => {
                let mut m = Map::new();
                m.insert("@id".to_owned(), Value::Null);
                (m, false)
            }
            Value::String(s) => {
                let mut m = Map::new();
                m.insert("@id".to_owned(), Value::String(s.clone()));
                (m, true)
            }
            Value::Object(m) => (m.clone(), false),
            _ => {
                return Err(CredentialError::context_invalid(format!(
                    "the definition of \"{term}\" must be a string, an object or null"
                )));
            }
        };
        let unsupported = |feature: &str| CredentialError::JsonLdUnsupported {
            feature: feature.to_owned(),
            path: format!("@context term \"{term}\""),
        };
        for key in map.keys() {
            match key.as_str() {
                "@id" | "@type" | "@container" | "@context" | "@protected" | "@prefix" => {}
                "@reverse" | "@index" | "@language" | "@direction" | "@nest" => {
                    return Err(unsupported(key));
                }
                other => {
                    return Err(CredentialError::context_invalid(format!(
                        "invalid term definition for \"{term}\": unknown key \"{other}\""
                    )));
                }
            }
        }
        let protected = match map.get("@protected") {
            None => self.protected_default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(CredentialError::context_invalid(format!(
                    "@protected of \"{term}\" must be true or false"
                )));
            }
        };
        let type_mapping = match map.get("@type") {
            None => None,
            Some(Value::String(t)) => match self.expand(t, true)? {
                Iri::Keyword(k) if k == "@id" || k == "@vocab" || k == "@none" || k == "@json" => {
                    Some(k)
                }
                Iri::Absolute(i) => Some(i),
                _ => {
                    return Err(CredentialError::context_invalid(format!(
                        "invalid type mapping \"{t}\" for \"{term}\""
                    )));
                }
            },
            Some(_) => {
                return Err(CredentialError::context_invalid(format!(
                    "the @type of \"{term}\" must be a string"
                )));
            }
        };
        let mut prefix = false;
        let iri: Option<String> = match map.get("@id") {
            Some(id) if id.as_str() != Some(term) => match id {
                Value::Null => None,
                Value::String(s) => {
                    if !is_keyword(s) && has_keyword_form(s) {
                        self.defined.insert(term.to_owned(), true);
                        if let Some(p) = previous {
                            self.ctx.terms.insert(term.to_owned(), p);
                        }
                        return Ok(());
                    }
                    let iri = match self.expand(s, true)? {
                        Iri::Keyword(k) if k == "@context" => {
                            return Err(CredentialError::context_invalid(
                                "invalid keyword alias @context",
                            ));
                        }
                        Iri::Keyword(k) => k,
                        Iri::Absolute(i) | Iri::Blank(i) => i,
                        Iri::Null | Iri::Relative(_) => {
                            return Err(CredentialError::context_invalid(format!(
                                "invalid IRI mapping \"{s}\" for \"{term}\""
                            )));
                        }
                    };
                    let inner_colon = term.find(':').is_some_and(|p| p > 0 && p + 1 < term.len());
                    if inner_colon || term.contains('/') {
                        self.defined.insert(term.to_owned(), true);
                        let as_iri = self.expand(term, true)?;
                        let same = matches!(&as_iri, Iri::Absolute(i) | Iri::Blank(i) if *i == iri);
                        if !same {
                            return Err(CredentialError::context_invalid(format!(
                                "the term \"{term}\" looks like an IRI other than its mapping"
                            )));
                        }
                    }
                    if !term.contains(':') && !term.contains('/') && simple_term {
                        prefix = ends_with_gen_delim(&iri) || iri.starts_with("_:");
                    }
                    Some(iri)
                }
                _ => {
                    return Err(CredentialError::context_invalid(format!(
                        "the @id of \"{term}\" must be a string or null"
                    )));
                }
            },
            _ => {
                if let Some(pos) = term.find(':').filter(|&p| p > 0) {
                    let (pfx, suffix) = (&term[..pos], &term[pos + 1..]);
                    if self.local.contains_key(pfx) {
                        self.create(pfx)?;
                    }
                    match self.ctx.terms.get(pfx).and_then(|d| d.iri.clone()) {
                        Some(base) if pfx != "_" && !suffix.starts_with("//") => {
                            Some(format!("{base}{suffix}"))
                        }
                        _ => Some(term.to_owned()),
                    }
                } else if term.contains('/') {
                    return Err(unsupported("a relative-IRI term"));
                } else if let Some(v) = &self.ctx.vocab {
                    Some(format!("{v}{term}"))
                } else {
                    return Err(CredentialError::context_invalid(format!(
                        "the term \"{term}\" has no @id and the context has no @vocab"
                    )));
                }
            }
        };
        let container = match map.get("@container") {
            None => Container::None,
            Some(c) => {
                let mut items: Vec<&str> = match c {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                items.sort_unstable();
                match items.as_slice() {
                    ["@set"] => Container::Set,
                    ["@list"] => Container::List,
                    ["@graph"] | ["@graph", "@set"] => Container::Graph,
                    _ => return Err(unsupported("this @container")),
                }
            }
        };
        if let Some(p) = map.get("@prefix") {
            match p {
                Value::Bool(b) if !term.contains(':') && !term.contains('/') => prefix = *b,
                _ => {
                    return Err(CredentialError::context_invalid(format!(
                        "invalid @prefix for \"{term}\""
                    )));
                }
            }
        }
        let context = map.get("@context").map(|c| Scoped {
            key: Arc::from(c.to_string()),
            value: Arc::new(c.clone()),
        });
        let node = iri
            .as_deref()
            .filter(|i| !i.starts_with('@') && !i.starts_with("_:"))
            .and_then(|i| NamedNode::new(i).ok());
        let def = TermDef {
            iri,
            node,
            prefix,
            protected,
            type_mapping,
            container,
            context,
        };
        let def = match previous {
            Some(prev) if prev.protected && !self.override_protected => {
                if !def.same_as(&prev) {
                    return Err(CredentialError::context_invalid(format!(
                        "protected term redefinition: \"{term}\" is protected by an earlier context and cannot be redefined"
                    )));
                }
                prev
            }
            _ => Arc::new(def),
        };
        self.ctx.terms.insert(term.to_owned(), def);
        self.defined.insert(term.to_owned(), true);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The context set and its cache
// ---------------------------------------------------------------------------------------

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct CacheKey {
    parent: u64,
    local: Arc<str>,
    override_protected: bool,
    propagate: bool,
}

/// The documents a processor may load, by URL, with the processed contexts derived from
/// them cached across calls (the speed of `sign`/`verify` depends on it).
pub struct ContextSet {
    documents: BTreeMap<String, Arc<Value>>,
    empty: Arc<ActiveContext>,
    cache: Mutex<BTreeMap<CacheKey, Arc<ActiveContext>>>,
}

impl std::fmt::Debug for ContextSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextSet")
            .field("documents", &self.documents.keys())
            .finish()
    }
}

impl ContextSet {
    /// The pinned contexts of [`super::contexts::PINNED`], shared by every call.
    pub fn pinned() -> &'static ContextSet {
        static SET: OnceLock<ContextSet> = OnceLock::new();
        SET.get_or_init(|| ContextSet::build(std::iter::empty()))
    }

    /// The pinned contexts plus caller-supplied `(url, JSON text)` documents, for reading
    /// third-party data such as the W3C test vector's examples context. Refuses a document
    /// that is not a JSON object with `@context`, or one that replaces a pinned URL.
    pub fn with_extra<'a>(
        extra: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<ContextSet, CredentialError> {
        let mut docs = Vec::new();
        for (url, text) in extra {
            if super::contexts::pinned(url).is_some() {
                return Err(CredentialError::context_invalid(format!(
                    "\"{url}\" is pinned and cannot be replaced"
                )));
            }
            let value: Value = serde_json::from_str(text).map_err(|e| {
                CredentialError::context_invalid(format!(
                    "the document for \"{url}\" is not JSON: {e}"
                ))
            })?;
            if value.get("@context").is_none() {
                return Err(CredentialError::context_invalid(format!(
                    "the document for \"{url}\" has no @context"
                )));
            }
            docs.push((url.to_owned(), value));
        }
        Ok(ContextSet::build(docs))
    }

    fn build(extra: impl IntoIterator<Item = (String, Value)>) -> ContextSet {
        let mut documents = BTreeMap::new();
        for c in PINNED {
            if let Ok(v) = serde_json::from_str::<Value>(c.text) {
                documents.insert(c.url.to_owned(), Arc::new(v));
            }
        }
        for (url, v) in extra {
            documents.insert(url, Arc::new(v));
        }
        ContextSet {
            documents,
            empty: Arc::new(ActiveContext::empty()),
            cache: Mutex::new(BTreeMap::new()),
        }
    }

    /// Whether `url` names a document of this set.
    pub fn knows(&self, url: &str) -> bool {
        self.documents.contains_key(url)
    }

    fn cached(&self, key: &CacheKey) -> Option<Arc<ActiveContext>> {
        self.cache.lock().ok().and_then(|c| c.get(key).cloned())
    }

    fn remember(&self, key: CacheKey, ctx: &Arc<ActiveContext>) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED_CONTEXTS {
                cache.clear();
            }
            cache.insert(key, ctx.clone());
        }
    }

    /// JSON-LD 1.1 Context Processing, one cached step per context item.
    fn process(
        &self,
        active: &Arc<ActiveContext>,
        local: &Value,
        scoped_key: Option<&Arc<str>>,
        override_protected: bool,
        propagate: bool,
        depth: usize,
    ) -> Result<Arc<ActiveContext>, CredentialError> {
        let mut propagate = propagate;
        if let Value::Object(m) = local
            && let Some(p) = m.get("@propagate")
        {
            propagate = p.as_bool().ok_or_else(|| {
                CredentialError::context_invalid("@propagate must be true or false")
            })?;
        }
        if let Some(key) = scoped_key {
            // A scoped context: one cache entry for the whole value.
            let ck = CacheKey {
                parent: active.id,
                local: key.clone(),
                override_protected,
                propagate,
            };
            if let Some(hit) = self.cached(&ck) {
                return Ok(hit);
            }
            let out = self.process_items(active, local, override_protected, propagate, depth)?;
            self.remember(ck, &out);
            return Ok(out);
        }
        self.process_items(active, local, override_protected, propagate, depth)
    }

    fn process_items(
        &self,
        active: &Arc<ActiveContext>,
        local: &Value,
        override_protected: bool,
        propagate: bool,
        depth: usize,
    ) -> Result<Arc<ActiveContext>, CredentialError> {
        let items = match local {
            Value::Array(a) => a.as_slice(),
            other => std::slice::from_ref(other),
        };
        let mut result = active.clone();
        for item in items {
            let local_key: Arc<str> = match item {
                Value::String(url) => Arc::from(url.as_str()),
                other => Arc::from(other.to_string()),
            };
            let ck = CacheKey {
                parent: result.id,
                local: local_key,
                override_protected,
                propagate,
            };
            if let Some(hit) = self.cached(&ck) {
                result = hit;
                continue;
            }
            let next = self.process_item(&result, item, override_protected, propagate, depth)?;
            self.remember(ck, &next);
            result = next;
        }
        Ok(result)
    }

    fn process_item(
        &self,
        result: &Arc<ActiveContext>,
        item: &Value,
        override_protected: bool,
        propagate: bool,
        depth: usize,
    ) -> Result<Arc<ActiveContext>, CredentialError> {
        let previous_for = |ctx: &mut ActiveContext| {
            if !propagate && ctx.previous.is_none() {
                ctx.previous = Some(result.clone());
            }
        };
        match item {
            Value::Null => {
                if !override_protected && result.terms.values().any(|t| t.protected) {
                    return Err(CredentialError::context_invalid(
                        "a null context cannot clear protected terms",
                    ));
                }
                let mut ctx = ActiveContext::empty();
                if !propagate {
                    ctx.previous = Some(result.clone());
                }
                Ok(Arc::new(ctx))
            }
            Value::String(url) => {
                let doc = self
                    .documents
                    .get(url.as_str())
                    .ok_or_else(|| CredentialError::ContextUnknown { url: url.clone() })?;
                if depth >= MAX_CONTEXT_DEPTH {
                    return Err(CredentialError::context_invalid(
                        "context recursion is too deep",
                    ));
                }
                let inner = doc.get("@context").ok_or_else(|| {
                    CredentialError::context_invalid(format!(
                        "the document for \"{url}\" has no @context"
                    ))
                })?;
                let loaded = self.process(result, inner, None, false, true, depth + 1)?;
                if !propagate && loaded.previous.is_none() {
                    let mut ctx = loaded.derive();
                    previous_for(&mut ctx);
                    return Ok(Arc::new(ctx));
                }
                Ok(loaded)
            }
            Value::Object(map) => {
                let mut ctx = result.derive();
                previous_for(&mut ctx);
                self.define_terms(&mut ctx, map, override_protected)?;
                Ok(Arc::new(ctx))
            }
            _ => Err(CredentialError::context_invalid(
                "a context must be a URL, an object or null",
            )),
        }
    }

    fn define_terms(
        &self,
        ctx: &mut ActiveContext,
        map: &Map<String, Value>,
        override_protected: bool,
    ) -> Result<(), CredentialError> {
        let unsupported = |feature: &str| CredentialError::JsonLdUnsupported {
            feature: feature.to_owned(),
            path: "@context".to_owned(),
        };
        if let Some(v) = map.get("@version")
            && v.as_f64() != Some(1.1)
        {
            return Err(CredentialError::context_invalid("@version must be 1.1"));
        }
        if map.contains_key("@import") {
            return Err(unsupported("@import"));
        }
        if map.contains_key("@base") {
            return Err(unsupported("@base"));
        }
        for k in ["@language", "@direction"] {
            if map.get(k).is_some_and(|v| !v.is_null()) {
                return Err(unsupported(k));
            }
        }
        if let Some(v) = map.get("@vocab") {
            ctx.vocab = match v {
                Value::Null => None,
                Value::String(s) => match expand_iri(ctx, s, true, true) {
                    Iri::Absolute(i) | Iri::Blank(i) => Some(i),
                    _ => return Err(unsupported("a relative @vocab")),
                },
                _ => {
                    return Err(CredentialError::context_invalid(
                        "@vocab must be a string or null",
                    ));
                }
            };
        }
        let protected_default = match map.get("@protected") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(CredentialError::context_invalid(
                    "@protected must be true or false",
                ));
            }
        };
        let mut builder = TermBuilder {
            ctx,
            local: map,
            defined: BTreeMap::new(),
            protected_default,
            override_protected,
        };
        for key in map.keys() {
            if CONTEXT_KEYS.contains(&key.as_str()) {
                continue;
            }
            builder.create(key)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Expansion to quads
// ---------------------------------------------------------------------------------------

/// Caps applied while expanding (V1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Most blank nodes a document may produce.
    pub max_blank_nodes: usize,
}

/// Expands a JSON-LD document (a JSON object with `@context`) to RDF quads under the strict
/// profile. The caller has already run [`check_scalars`].
pub(crate) fn to_quads(
    set: &ContextSet,
    doc: &Value,
    limits: Limits,
) -> Result<Vec<Quad>, CredentialError> {
    to_quads_without(set, doc, None, limits)
}

/// [`to_quads`] ignoring one top-level key (`proof`: the unsecured document without a copy).
pub(crate) fn to_quads_without(
    set: &ContextSet,
    doc: &Value,
    skip_root_key: Option<&str>,
    limits: Limits,
) -> Result<Vec<Quad>, CredentialError> {
    let obj = doc
        .as_object()
        .ok_or_else(|| CredentialError::malformed("a JSON-LD document must be a JSON object"))?;
    let mut ex = Expander {
        set,
        quads: Vec::new(),
        labels: BTreeMap::new(),
        blanks: 0,
        limits,
        skip_root_key,
    };
    let root = set.empty.clone();
    ex.node(&root, obj, &GraphName::DefaultGraph, None, &Path::ROOT)?;
    Ok(ex.quads)
}

struct Expander<'a> {
    set: &'a ContextSet,
    quads: Vec<Quad>,
    labels: BTreeMap<String, BlankNode>,
    blanks: usize,
    limits: Limits,
    skip_root_key: Option<&'a str>,
}

enum Object {
    Node(NamedOrBlankNode),
    Literal(Literal),
}

impl From<Object> for Term {
    fn from(o: Object) -> Term {
        match o {
            Object::Node(NamedOrBlankNode::NamedNode(n)) => Term::NamedNode(n),
            Object::Node(NamedOrBlankNode::BlankNode(b)) => Term::BlankNode(b),
            Object::Literal(l) => Term::Literal(l),
        }
    }
}

impl Expander<'_> {
    fn fresh(&mut self) -> Result<BlankNode, CredentialError> {
        self.blanks += 1;
        if self.blanks > self.limits.max_blank_nodes {
            return Err(CredentialError::TooLarge {
                reason: format!(
                    "more than {} blank nodes after expansion (canonicalization cost grows exponentially with them)",
                    self.limits.max_blank_nodes
                ),
            });
        }
        Ok(BlankNode::new_from_unique_id(self.blanks as u128))
    }

    fn labelled(&mut self, label: &str) -> Result<BlankNode, CredentialError> {
        if let Some(b) = self.labels.get(label) {
            return Ok(b.clone());
        }
        let b = self.fresh()?;
        self.labels.insert(label.to_owned(), b.clone());
        Ok(b)
    }

    fn named(&self, iri: &str, path: &Path<'_>) -> Result<NamedNode, CredentialError> {
        NamedNode::new(iri).map_err(|_| CredentialError::InvalidIri {
            value: iri.to_owned(),
            path: path.render(),
        })
    }

    /// An IRI or blank node from an `@id`-like string (document-relative expansion).
    fn node_ref(
        &mut self,
        ctx: &ActiveContext,
        value: &str,
        vocab: bool,
        path: &Path<'_>,
    ) -> Result<NamedOrBlankNode, CredentialError> {
        match expand_iri(ctx, value, vocab, true) {
            Iri::Absolute(i) => Ok(self.named(&i, path)?.into()),
            Iri::Blank(b) => Ok(self.labelled(&b)?.into()),
            Iri::Relative(_) | Iri::Null | Iri::Keyword(_) => Err(CredentialError::UndefinedTerm {
                term: value.to_owned(),
                path: format!(
                    "{} (a relative IRI reference: no base IRI to resolve it)",
                    path.render()
                ),
            }),
        }
    }

    fn emit(&mut self, s: &NamedOrBlankNode, p: &NamedNode, o: Term, g: &GraphName) {
        self.quads
            .push(Quad::new(s.clone(), p.clone(), o, g.clone()));
    }

    /// Expands one node object; returns its subject.
    fn node(
        &mut self,
        active: &Arc<ActiveContext>,
        obj: &Map<String, Value>,
        graph: &GraphName,
        property_scoped: Option<&Scoped>,
        path: &Path<'_>,
    ) -> Result<NamedOrBlankNode, CredentialError> {
        let mut ctx = active.clone();
        if let Some(prev) = &ctx.previous {
            let only_id = obj.len() == 1 && obj.keys().all(|k| ctx.is_keyword_key(k, "@id"));
            if !only_id {
                ctx = prev.clone();
            }
        }
        if let Some(sc) = property_scoped {
            ctx = self
                .set
                .process(&ctx, &sc.value, Some(&sc.key), true, true, 0)?;
        }
        if let Some(local) = obj.get("@context") {
            ctx = self.set.process(&ctx, local, None, false, true, 0)?;
        }
        let type_scoped = ctx.clone();

        // Type-scoped contexts, in lexicographic order of the type terms.
        let mut type_values: Vec<(&str, &str)> = Vec::new();
        for (k, v) in obj {
            if type_scoped.is_keyword_key(k, "@type") {
                match v {
                    Value::String(s) => type_values.push((k, s)),
                    Value::Array(items) => {
                        for item in items {
                            let s = item.as_str().ok_or_else(|| {
                                CredentialError::malformed(format!(
                                    "{}: every type must be a string",
                                    path.key(k).render()
                                ))
                            })?;
                            type_values.push((k, s));
                        }
                    }
                    _ => {
                        return Err(CredentialError::malformed(format!(
                            "{}: a type must be a string or an array of strings",
                            path.key(k).render()
                        )));
                    }
                }
            }
        }
        let mut sorted: Vec<&str> = type_values.iter().map(|(_, t)| *t).collect();
        sorted.sort_unstable();
        sorted.dedup();
        for t in &sorted {
            if let Some(sc) = type_scoped.terms.get(*t).and_then(|d| d.context.clone()) {
                ctx = self
                    .set
                    .process(&ctx, &sc.value, Some(&sc.key), false, false, 0)?;
            }
        }

        // The subject.
        let mut subject = None;
        for (k, v) in obj {
            if ctx.is_keyword_key(k, "@id") {
                if subject.is_some() {
                    return Err(CredentialError::malformed(format!(
                        "{}: more than one @id",
                        path.render()
                    )));
                }
                let id = v.as_str().ok_or_else(|| {
                    CredentialError::malformed(format!(
                        "{}: an id must be a string",
                        path.key(k).render()
                    ))
                })?;
                subject = Some(self.node_ref(&ctx, id, false, &path.key(k))?);
            }
        }
        let subject = match subject {
            Some(s) => s,
            None => self.fresh()?.into(),
        };

        // Types (expanded with the context before the type-scoped ones).
        let rdf_type = NamedNode::new_unchecked(RDF_TYPE);
        for (k, t) in &type_values {
            let p = path.key(k);
            if let Some(node) = type_scoped.terms.get(*t).and_then(|d| d.node.clone()) {
                self.emit(&subject, &rdf_type, node.into(), graph);
                continue;
            }
            match expand_iri(&type_scoped, t, true, true) {
                Iri::Absolute(i) => {
                    let o = self.named(&i, &p)?;
                    self.emit(&subject, &rdf_type, o.into(), graph);
                }
                Iri::Blank(_) => {
                    return Err(CredentialError::JsonLdUnsupported {
                        feature: "a blank node type".to_owned(),
                        path: p.render(),
                    });
                }
                _ => {
                    return Err(CredentialError::UndefinedTerm {
                        term: (*t).to_owned(),
                        path: format!(
                            "{} (a type that is not defined by the contexts)",
                            p.render()
                        ),
                    });
                }
            }
        }

        let is_root = path.parent.is_none();
        for (k, v) in obj {
            if k == "@context" || (is_root && self.skip_root_key == Some(k.as_str())) {
                continue;
            }
            let p = path.key(k);
            // A defined term with an absolute IRI: its node is prebuilt.
            if let Some(def) = ctx.terms.get(k.as_str())
                && let Some(predicate) = &def.node
            {
                let def = def.clone();
                let predicate = predicate.clone();
                self.property(&ctx, &subject, k, &predicate, Some(&def), v, graph, &p)?;
                continue;
            }
            match expand_iri(&ctx, k, true, false) {
                Iri::Keyword(kw) => match kw.as_str() {
                    "@id" | "@type" => {}
                    "@value" | "@list" | "@set" => {
                        return Err(CredentialError::malformed(format!(
                            "{}: {kw} cannot appear in a node object",
                            p.render()
                        )));
                    }
                    _ => {
                        return Err(CredentialError::JsonLdUnsupported {
                            feature: kw,
                            path: p.render(),
                        });
                    }
                },
                Iri::Absolute(iri) => {
                    let def = ctx.terms.get(k.as_str()).cloned();
                    let predicate = match def.as_ref().and_then(|d| d.node.clone()) {
                        Some(n) => n,
                        None => self.named(&iri, &p)?,
                    };
                    self.property(&ctx, &subject, k, &predicate, def.as_deref(), v, graph, &p)?;
                }
                Iri::Blank(_) => {
                    return Err(CredentialError::JsonLdUnsupported {
                        feature: "a blank node property".to_owned(),
                        path: p.render(),
                    });
                }
                Iri::Null | Iri::Relative(_) => {
                    return Err(CredentialError::UndefinedTerm {
                        term: k.clone(),
                        path: p.render(),
                    });
                }
            }
        }
        Ok(subject)
    }

    #[allow(clippy::too_many_arguments)]
    fn property(
        &mut self,
        ctx: &Arc<ActiveContext>,
        subject: &NamedOrBlankNode,
        key: &str,
        predicate: &NamedNode,
        def: Option<&TermDef>,
        value: &Value,
        graph: &GraphName,
        path: &Path<'_>,
    ) -> Result<(), CredentialError> {
        if def.and_then(|d| d.type_mapping.as_deref()) == Some("@json") {
            return Err(CredentialError::JsonLdUnsupported {
                feature: format!("the JSON literal term \"{key}\""),
                path: path.render(),
            });
        }
        let container = def.map_or(Container::None, |d| d.container);
        let scoped = def.and_then(|d| d.context.as_ref());
        // Scalars see the property-scoped context directly (no revert).
        let (value_ctx, value_def): (Arc<ActiveContext>, Option<Arc<TermDef>>) = match scoped {
            Some(sc) if has_scalar(value) => {
                let c = self
                    .set
                    .process(ctx, &sc.value, Some(&sc.key), false, true, 0)?;
                let d = c.terms.get(key).cloned();
                (c, d)
            }
            _ => (ctx.clone(), ctx.terms.get(key).cloned()),
        };
        match container {
            Container::List => {
                let items: &[Value] = match value {
                    Value::Array(a) => a,
                    Value::Null => return Ok(()),
                    other => std::slice::from_ref(other),
                };
                let head = self.list(
                    ctx,
                    &value_ctx,
                    value_def.as_deref(),
                    scoped,
                    items,
                    graph,
                    path,
                )?;
                self.emit(subject, predicate, head, graph);
            }
            Container::Graph => {
                let items: &[Value] = match value {
                    Value::Array(a) => a,
                    Value::Null => return Ok(()),
                    other => std::slice::from_ref(other),
                };
                for (i, item) in items.iter().enumerate() {
                    let ip = if matches!(value, Value::Array(_)) {
                        path.index(i)
                    } else {
                        *path
                    };
                    let g = self.fresh()?;
                    let gname = GraphName::BlankNode(g.clone());
                    match item {
                        Value::Object(o) if !self.is_value_object(ctx, o) => {
                            self.node(ctx, o, &gname, scoped, &ip)?;
                        }
                        Value::Null => continue,
                        Value::String(s)
                            if value_def.as_ref().and_then(|d| d.type_mapping.as_deref())
                                == Some("@id") =>
                        {
                            // A node reference alone in a graph: no triples inside it.
                            self.node_ref(&value_ctx, s, false, &ip)?;
                        }
                        _ => {
                            return Err(CredentialError::JsonLdUnsupported {
                                feature: "a value in a @graph container".to_owned(),
                                path: ip.render(),
                            });
                        }
                    }
                    self.emit(subject, predicate, Term::BlankNode(g), graph);
                }
            }
            Container::None | Container::Set => {
                self.values(
                    ctx,
                    &value_ctx,
                    value_def.as_deref(),
                    scoped,
                    subject,
                    predicate,
                    value,
                    graph,
                    path,
                )?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn values(
        &mut self,
        ctx: &Arc<ActiveContext>,
        value_ctx: &Arc<ActiveContext>,
        value_def: Option<&TermDef>,
        scoped: Option<&Scoped>,
        subject: &NamedOrBlankNode,
        predicate: &NamedNode,
        value: &Value,
        graph: &GraphName,
        path: &Path<'_>,
    ) -> Result<(), CredentialError> {
        match value {
            Value::Null => Ok(()),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.values(
                        ctx,
                        value_ctx,
                        value_def,
                        scoped,
                        subject,
                        predicate,
                        item,
                        graph,
                        &path.index(i),
                    )?;
                }
                Ok(())
            }
            other => {
                if let Some(o) = self.item(ctx, value_ctx, value_def, scoped, other, graph, path)? {
                    self.emit(subject, predicate, o.into(), graph);
                }
                Ok(())
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn list(
        &mut self,
        ctx: &Arc<ActiveContext>,
        value_ctx: &Arc<ActiveContext>,
        value_def: Option<&TermDef>,
        scoped: Option<&Scoped>,
        items: &[Value],
        graph: &GraphName,
        path: &Path<'_>,
    ) -> Result<Term, CredentialError> {
        let mut objects = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let ip = path.index(i);
            if item.is_array() {
                return Err(CredentialError::JsonLdUnsupported {
                    feature: "a list of lists".to_owned(),
                    path: ip.render(),
                });
            }
            if let Some(o) = self.item(ctx, value_ctx, value_def, scoped, item, graph, &ip)? {
                objects.push(Term::from(o));
            }
        }
        let nil = Term::NamedNode(NamedNode::new_unchecked(RDF_NIL));
        if objects.is_empty() {
            return Ok(nil);
        }
        let first = NamedNode::new_unchecked(RDF_FIRST);
        let rest = NamedNode::new_unchecked(RDF_REST);
        let mut nodes = Vec::with_capacity(objects.len());
        for _ in 0..objects.len() {
            nodes.push(self.fresh()?);
        }
        for (i, o) in objects.into_iter().enumerate() {
            let s: NamedOrBlankNode = nodes[i].clone().into();
            self.emit(&s, &first, o, graph);
            let next = match nodes.get(i + 1) {
                Some(b) => Term::BlankNode(b.clone()),
                None => nil.clone(),
            };
            self.emit(&s, &rest, next, graph);
        }
        Ok(Term::BlankNode(nodes[0].clone()))
    }

    fn is_value_object(&self, ctx: &ActiveContext, o: &Map<String, Value>) -> bool {
        o.keys().any(|k| ctx.is_keyword_key(k, "@value"))
    }

    /// One value (not an array): a node, a node reference or a literal. `None` = dropped
    /// (a null `@value`).
    #[allow(clippy::too_many_arguments)]
    fn item(
        &mut self,
        ctx: &Arc<ActiveContext>,
        value_ctx: &Arc<ActiveContext>,
        value_def: Option<&TermDef>,
        scoped: Option<&Scoped>,
        value: &Value,
        graph: &GraphName,
        path: &Path<'_>,
    ) -> Result<Option<Object>, CredentialError> {
        let type_mapping = value_def.and_then(|d| d.type_mapping.as_deref());
        match value {
            Value::Null => Ok(None),
            Value::Array(_) => Err(CredentialError::JsonLdUnsupported {
                feature: "a nested array".to_owned(),
                path: path.render(),
            }),
            Value::Object(o) => {
                if self.is_value_object(ctx, o) {
                    return self.value_object(ctx, o, path);
                }
                for k in o.keys() {
                    if ctx.is_keyword_key(k, "@list") || ctx.is_keyword_key(k, "@set") {
                        return Err(CredentialError::JsonLdUnsupported {
                            feature: format!("{k} object"),
                            path: path.render(),
                        });
                    }
                }
                Ok(Some(Object::Node(self.node(ctx, o, graph, scoped, path)?)))
            }
            Value::String(s) => match type_mapping {
                Some("@id") => Ok(Some(Object::Node(
                    self.node_ref(value_ctx, s, false, path)?,
                ))),
                Some("@vocab") => Ok(Some(Object::Node(self.node_ref(value_ctx, s, true, path)?))),
                Some(dt) if dt != "@none" => {
                    if dt == XSD_DOUBLE {
                        return Err(CredentialError::JsonLdUnsupported {
                            feature: "a string typed xsd:double".to_owned(),
                            path: path.render(),
                        });
                    }
                    let dt = self.named(dt, path)?;
                    Ok(Some(Object::Literal(Literal::new_typed_literal(
                        s.as_str(),
                        dt,
                    ))))
                }
                _ => Ok(Some(Object::Literal(Literal::new_simple_literal(
                    s.as_str(),
                )))),
            },
            Value::Number(n) => {
                let dt = type_mapping.filter(|t| !t.starts_with('@'));
                Ok(Some(Object::Literal(self.number_literal(n, dt, path)?)))
            }
            Value::Bool(b) => {
                let dt = type_mapping
                    .filter(|t| !t.starts_with('@'))
                    .unwrap_or(XSD_BOOLEAN);
                let dt = self.named(dt, path)?;
                Ok(Some(Object::Literal(Literal::new_typed_literal(
                    if *b { "true" } else { "false" },
                    dt,
                ))))
            }
        }
    }

    fn number_literal(
        &self,
        n: &Number,
        datatype: Option<&str>,
        path: &Path<'_>,
    ) -> Result<Literal, CredentialError> {
        let v = n.as_f64().ok_or_else(|| {
            CredentialError::malformed(format!("{}: not a finite number", path.render()))
        })?;
        let (lexical, is_double) = js_number_lexical(v, datatype == Some(XSD_DOUBLE));
        let dt = datatype.unwrap_or(if is_double { XSD_DOUBLE } else { XSD_INTEGER });
        Ok(Literal::new_typed_literal(lexical, self.named(dt, path)?))
    }

    fn value_object(
        &mut self,
        ctx: &ActiveContext,
        o: &Map<String, Value>,
        path: &Path<'_>,
    ) -> Result<Option<Object>, CredentialError> {
        let mut value = None;
        let mut datatype = None;
        for (k, v) in o {
            let p = path.key(k);
            if ctx.is_keyword_key(k, "@value") {
                value = Some(v);
            } else if ctx.is_keyword_key(k, "@type") {
                let t = v.as_str().ok_or_else(|| {
                    CredentialError::malformed(format!(
                        "{}: a value type must be a string",
                        p.render()
                    ))
                })?;
                match expand_iri(ctx, t, true, true) {
                    Iri::Absolute(i) => datatype = Some(i),
                    Iri::Keyword(kw) if kw == "@json" => {
                        return Err(CredentialError::JsonLdUnsupported {
                            feature: kw,
                            path: p.render(),
                        });
                    }
                    _ => {
                        return Err(CredentialError::UndefinedTerm {
                            term: t.to_owned(),
                            path: format!(
                                "{} (a value type that is not an absolute IRI)",
                                p.render()
                            ),
                        });
                    }
                }
            } else {
                let feature = match expand_iri(ctx, k, true, false) {
                    Iri::Keyword(kw) => kw,
                    _ => k.clone(),
                };
                return Err(CredentialError::JsonLdUnsupported {
                    feature: format!("{feature} in a value object"),
                    path: p.render(),
                });
            }
        }
        let lit = match value {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => match &datatype {
                Some(dt) if dt == XSD_DOUBLE => {
                    return Err(CredentialError::JsonLdUnsupported {
                        feature: "a string typed xsd:double".to_owned(),
                        path: path.render(),
                    });
                }
                Some(dt) => Literal::new_typed_literal(s.as_str(), self.named(dt, path)?),
                None => Literal::new_simple_literal(s.as_str()),
            },
            Some(Value::Number(n)) => self.number_literal(n, datatype.as_deref(), path)?,
            Some(Value::Bool(b)) => {
                let dt = datatype.as_deref().unwrap_or(XSD_BOOLEAN);
                Literal::new_typed_literal(if *b { "true" } else { "false" }, self.named(dt, path)?)
            }
            Some(_) => {
                return Err(CredentialError::malformed(format!(
                    "{}: @value must be a string, number, boolean or null",
                    path.render()
                )));
            }
        };
        Ok(Some(Object::Literal(lit)))
    }
}

fn has_scalar(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(has_scalar),
        Value::Object(_) | Value::Null => false,
        _ => true,
    }
}

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
