//! Expansion of a document to RDF quads under the strict profile.

use super::*;

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

pub(super) struct Expander<'a> {
    pub(super) set: &'a ContextSet,
    pub(super) quads: Vec<Quad>,
    pub(super) labels: BTreeMap<String, BlankNode>,
    pub(super) blanks: usize,
    pub(super) limits: Limits,
    pub(super) skip_root_key: Option<&'a str>,
}

pub(super) enum Object {
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
    pub(super) fn fresh(&mut self) -> Result<BlankNode, CredentialError> {
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

    pub(super) fn labelled(&mut self, label: &str) -> Result<BlankNode, CredentialError> {
        if let Some(b) = self.labels.get(label) {
            return Ok(b.clone());
        }
        let b = self.fresh()?;
        self.labels.insert(label.to_owned(), b.clone());
        Ok(b)
    }

    pub(super) fn named(&self, iri: &str, path: &Path<'_>) -> Result<NamedNode, CredentialError> {
        NamedNode::new(iri).map_err(|_| CredentialError::InvalidIri {
            value: iri.to_owned(),
            path: path.render(),
        })
    }

    /// An IRI or blank node from an `@id`-like string (document-relative expansion).
    pub(super) fn node_ref(
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

    pub(super) fn emit(&mut self, s: &NamedOrBlankNode, p: &NamedNode, o: Term, g: &GraphName) {
        self.quads
            .push(Quad::new(s.clone(), p.clone(), o, g.clone()));
    }

    /// Expands one node object; returns its subject.
    pub(super) fn node(
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
    pub(super) fn property(
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
    pub(super) fn values(
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
    pub(super) fn list(
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

    pub(super) fn is_value_object(&self, ctx: &ActiveContext, o: &Map<String, Value>) -> bool {
        o.keys().any(|k| ctx.is_keyword_key(k, "@value"))
    }

    /// One value (not an array): a node, a node reference or a literal. `None` = dropped
    /// (a null `@value`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn item(
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

    pub(super) fn number_literal(
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

    pub(super) fn value_object(
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

pub(super) fn has_scalar(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(has_scalar),
        Value::Object(_) | Value::Null => false,
        _ => true,
    }
}
