//! Active contexts: term definitions, IRI expansion and the term builder of the strict profile.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Container {
    None,
    Set,
    List,
    Graph,
}

#[derive(Clone, Debug)]
pub(super) struct Scoped {
    pub(super) value: Arc<Value>,
    pub(super) key: Arc<str>,
}

#[derive(Clone, Debug)]
pub(super) struct TermDef {
    /// `None` = the term is mapped to null (explicitly undefined).
    pub(super) iri: Option<String>,
    /// The IRI as a node, when it is an absolute IRI (not a keyword or blank node).
    pub(super) node: Option<NamedNode>,
    pub(super) prefix: bool,
    pub(super) protected: bool,
    pub(super) type_mapping: Option<String>,
    pub(super) container: Container,
    pub(super) context: Option<Scoped>,
}

impl TermDef {
    /// Equal in everything but `@protected` (the JSON-LD redefinition rule).
    pub(super) fn same_as(&self, other: &TermDef) -> bool {
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
    pub(super) id: u64,
    pub(super) terms: BTreeMap<String, Arc<TermDef>>,
    pub(super) vocab: Option<String>,
    pub(super) previous: Option<Arc<ActiveContext>>,
}

impl ActiveContext {
    pub(super) fn empty() -> Self {
        ActiveContext {
            id: next_context_id(),
            terms: BTreeMap::new(),
            vocab: None,
            previous: None,
        }
    }

    pub(super) fn derive(&self) -> Self {
        ActiveContext {
            id: next_context_id(),
            terms: self.terms.clone(),
            vocab: self.vocab.clone(),
            previous: self.previous.clone(),
        }
    }

    /// Whether `key` is `keyword` or an alias of it.
    pub(super) fn is_keyword_key(&self, key: &str, keyword: &str) -> bool {
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
pub(super) enum Iri {
    Null,
    Keyword(String),
    Absolute(String),
    Blank(String),
    Relative(String),
}

pub(super) const KEYWORDS: &[&str] = &[
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

pub(super) fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// `@` followed by one or more ASCII letters: reserved, ignored by JSON-LD.
pub(super) fn has_keyword_form(s: &str) -> bool {
    s.len() > 1 && s.starts_with('@') && s[1..].bytes().all(|b| b.is_ascii_alphabetic())
}

/// An absolute IRI as jsonld.js decides it: `scheme:` then no whitespace.
pub(super) fn is_absolute_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut bytes = scheme.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    first_ok
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        && !rest.chars().any(char::is_whitespace)
}

pub(super) fn ends_with_gen_delim(s: &str) -> bool {
    s.ends_with([':', '/', '?', '#', '[', ']', '@'])
}

/// Expands `value` against a finished context (no on-demand term creation).
pub(super) fn expand_iri(
    ctx: &ActiveContext,
    value: &str,
    vocab: bool,
    document_relative: bool,
) -> Iri {
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
pub(super) struct TermBuilder<'a> {
    pub(super) ctx: &'a mut ActiveContext,
    pub(super) local: &'a Map<String, Value>,
    pub(super) defined: BTreeMap<String, bool>,
    pub(super) protected_default: bool,
    pub(super) override_protected: bool,
}

pub(super) const CONTEXT_KEYS: &[&str] = &[
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
    pub(super) fn expand(&mut self, value: &str, vocab: bool) -> Result<Iri, CredentialError> {
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

    pub(super) fn create(&mut self, term: &str) -> Result<(), CredentialError> {
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
