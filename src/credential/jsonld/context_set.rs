//! The context set: pinned documents by URL and the processed contexts cached across calls.

use super::*;

#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct CacheKey {
    pub(super) parent: u64,
    pub(super) local: Arc<str>,
    pub(super) override_protected: bool,
    pub(super) propagate: bool,
}

/// The documents a processor may load, by URL, with the processed contexts derived from
/// them cached across calls (the speed of `sign`/`verify` depends on it).
pub struct ContextSet {
    pub(super) documents: BTreeMap<String, Arc<Value>>,
    pub(super) empty: Arc<ActiveContext>,
    pub(super) cache: Mutex<BTreeMap<CacheKey, Arc<ActiveContext>>>,
}

impl std::fmt::Debug for ContextSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextSet")
            .field("documents", &self.documents.keys())
            .finish()
    }
}

impl ContextSet {
    /// The pinned contexts of [`crate::credential::contexts::PINNED`], shared by every call.
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
            if crate::credential::contexts::pinned(url).is_some() {
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

    pub(super) fn build(extra: impl IntoIterator<Item = (String, Value)>) -> ContextSet {
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

    pub(super) fn cached(&self, key: &CacheKey) -> Option<Arc<ActiveContext>> {
        self.cache.lock().ok().and_then(|c| c.get(key).cloned())
    }

    pub(super) fn remember(&self, key: CacheKey, ctx: &Arc<ActiveContext>) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED_CONTEXTS {
                cache.clear();
            }
            cache.insert(key, ctx.clone());
        }
    }

    /// JSON-LD 1.1 Context Processing, one cached step per context item.
    pub(super) fn process(
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

    pub(super) fn process_items(
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

    pub(super) fn process_item(
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

    pub(super) fn define_terms(
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
