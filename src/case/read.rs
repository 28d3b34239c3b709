//! Reading a `CFPackage`: size limits, JSON, the document, items and associations with
//! located errors, the identifier rules, and the schema deviations and warnings collected
//! on the way ([`Findings`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    Association, CaseError, Conformance, Document, Item, Limits, NodeKind, NodeRef, Warning,
};
use crate::ids::CompetencyId;

const PACKAGE_MEMBERS: &[&str] = &[
    "CFDocument",
    "CFItems",
    "CFAssociations",
    "CFDefinitions",
    "CFRubrics",
    "extensions",
];
const DOCUMENT_MEMBERS: &[&str] = &[
    "identifier",
    "uri",
    "frameworkType",
    "caseVersion",
    "creator",
    "title",
    "lastChangeDateTime",
    "officialSourceURL",
    "publisher",
    "description",
    "subject",
    "subjectURI",
    "language",
    "version",
    "adoptionStatus",
    "statusStartDate",
    "statusEndDate",
    "licenseURI",
    "notes",
    "extensions",
];
const ITEM_MEMBERS: &[&str] = &[
    "identifier",
    "fullStatement",
    "alternativeLabel",
    "CFItemType",
    "uri",
    "humanCodingScheme",
    "listEnumeration",
    "abbreviatedStatement",
    "conceptKeywords",
    "conceptKeywordsURI",
    "notes",
    "subject",
    "subjectURI",
    "language",
    "educationLevel",
    "CFItemTypeURI",
    "licenseURI",
    "statusStartDate",
    "statusEndDate",
    "lastChangeDateTime",
    "extensions",
];
const ASSOCIATION_MEMBERS: &[&str] = &[
    "identifier",
    "associationType",
    "sequenceNumber",
    "uri",
    "originNodeURI",
    "destinationNodeURI",
    "CFAssociationGroupingURI",
    "lastChangeDateTime",
    "notes",
    "extensions",
];
const LINK_MEMBERS: &[&str] = &["title", "identifier", "uri", "targetType"];
const ASSOCIATION_TYPES: &[&str] = &[
    "isChildOf",
    "isPeerOf",
    "isPartOf",
    "exactMatchOf",
    "precedes",
    "isRelatedTo",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
    "isTranslationOf",
];

/// Whether `id` matches `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`.
pub fn is_v1p1_identifier(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}

/// The package's three parts, read but not yet placed in a tree.
pub(super) struct Package {
    pub(super) document: Document,
    pub(super) items: Vec<Item>,
    pub(super) associations: Vec<Association>,
}

/// Step 1: the size limits, the JSON, then the document, items and associations (in that
/// order, so the first problem in the file is the one reported).
pub(super) fn read_package(json: &str, limits: &Limits) -> Result<(Package, Findings), CaseError> {
    if json.len() > limits.max_bytes {
        return Err(CaseError::TooLarge {
            bytes: json.len(),
            max: limits.max_bytes,
        });
    }
    let root: Value = serde_json::from_str(json).map_err(|e| CaseError::InvalidJson {
        message: e.to_string(),
    })?;
    let root = root.as_object().ok_or_else(|| CaseError::InvalidField {
        path: "the package".to_owned(),
        field: "(root)".to_owned(),
        expected: "a JSON object with CFDocument, CFItems and CFAssociations",
    })?;
    let item_values = array(root, "CFItems")?;
    if item_values.len() > limits.max_items {
        return Err(CaseError::TooManyItems {
            count: item_values.len(),
            max: limits.max_items,
        });
    }
    let association_values = array(root, "CFAssociations")?;
    if association_values.len() > limits.max_associations {
        return Err(CaseError::TooManyAssociations {
            count: association_values.len(),
            max: limits.max_associations,
        });
    }

    let mut found = Findings::default();
    found.extras("CFPackage", root, PACKAGE_MEMBERS);
    let document_value =
        root.get("CFDocument")
            .filter(|v| !v.is_null())
            .ok_or(CaseError::MissingField {
                path: "the package".to_owned(),
                field: "CFDocument",
            })?;
    let document = read_document(document_value, &mut found)?;
    let items = item_values
        .iter()
        .enumerate()
        .map(|(i, v)| read_item(i, v, &mut found))
        .collect::<Result<Vec<_>, _>>()?;
    let associations = association_values
        .iter()
        .enumerate()
        .map(|(i, v)| read_association(i, v, &mut found))
        .collect::<Result<Vec<_>, _>>()?;
    let package = Package {
        document,
        items,
        associations,
    };
    Ok((package, found))
}

/// Step 2: identifiers are unique, and in the CASE 1.1 pattern when `strict_ids` (else a
/// pattern miss is a deviation).
pub(super) fn check_identifiers(
    document: &Document,
    items: &[Item],
    associations: &[Association],
    strict_ids: bool,
    found: &mut Findings,
) -> Result<(), CaseError> {
    let mut holders: BTreeMap<&str, String> = BTreeMap::new();
    let named = std::iter::once((
        "CFDocument",
        "CFDocument".to_owned(),
        document.identifier.as_str(),
    ))
    .chain(
        items
            .iter()
            .enumerate()
            .map(|(i, it)| ("CFItem", format!("CFItems[{i}]"), it.id.as_str())),
    )
    .chain(associations.iter().enumerate().map(|(i, a)| {
        (
            "CFAssociation",
            format!("CFAssociations[{i}]"),
            a.identifier.as_str(),
        )
    }));
    for (class, path, id) in named {
        if !is_v1p1_identifier(id) {
            if strict_ids {
                return Err(CaseError::InvalidIdentifier {
                    path,
                    identifier: id.to_owned(),
                });
            }
            found.deviate(format!("{class} identifier not a CASE 1.1 UUID"));
        }
        if let Some(first) = holders.get(id) {
            return Err(CaseError::DuplicateIdentifier {
                identifier: id.to_owned(),
                first: first.clone(),
                second: path,
            });
        }
        holders.insert(id, path);
    }
    Ok(())
}

/// Collects schema deviations (each reason once) and warnings while reading.
#[derive(Default)]
pub(super) struct Findings {
    deviations: BTreeMap<String, usize>,
    warnings: BTreeMap<&'static str, (String, usize)>,
}

impl Findings {
    pub(super) fn deviate(&mut self, reason: String) {
        *self.deviations.entry(reason).or_insert(0) += 1;
    }

    pub(super) fn warn(&mut self, code: &'static str, first_message: impl FnOnce() -> String) {
        self.warnings
            .entry(code)
            .or_insert_with(|| (first_message(), 0))
            .1 += 1;
    }

    fn extras(&mut self, class: &str, object: &Map<String, Value>, known: &[&str]) {
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                self.deviate(format!("{class} extra {key}"));
            }
        }
    }
    /// Last step: the deviations (an error in strict mode) and the warnings, each code
    /// once with its count.
    pub(super) fn into_report(
        self,
        conformance: Conformance,
    ) -> Result<(Vec<Warning>, Vec<String>), CaseError> {
        let strict_v1p1_errors: Vec<String> = self.deviations.keys().cloned().collect();
        if conformance == Conformance::Strict && !strict_v1p1_errors.is_empty() {
            return Err(CaseError::NotStrictV1p1 {
                reasons: strict_v1p1_errors,
            });
        }
        let mut warnings: Vec<Warning> = self
            .deviations
            .iter()
            .map(|(reason, count)| Warning {
                code: "not_strict_v1p1",
                message: format!("not strict CASE 1.1: {reason} ({count}×), accepted"),
                count: *count,
            })
            .collect();
        warnings.extend(
            self.warnings
                .into_iter()
                .map(|(code, (message, count))| Warning {
                    code,
                    message: if count > 1 {
                        format!("{message} (and {} more)", count - 1)
                    } else {
                        message
                    },
                    count,
                }),
        );
        Ok((warnings, strict_v1p1_errors))
    }
}

/// A JSON object with its path, for reading members with located errors.
struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    fn new(path: String, value: &'a Value) -> Result<Self, CaseError> {
        match value.as_object() {
            Some(map) => Ok(Obj { path, map }),
            None => {
                let (parent, field) = match path.rsplit_once('.') {
                    Some((p, f)) => (p.to_owned(), f.to_owned()),
                    None => ("the package".to_owned(), path.clone()),
                };
                Err(CaseError::InvalidField {
                    path: parent,
                    field,
                    expected: "a JSON object",
                })
            }
        }
    }

    fn required(&self, field: &'static str) -> Result<&'a str, CaseError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Err(CaseError::MissingField {
                path: self.path.clone(),
                field,
            }),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(self.invalid(field, "a non-empty string")),
        }
    }

    fn optional(&self, field: &'static str) -> Result<Option<&'a str>, CaseError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.invalid(field, "a string")),
        }
    }

    fn invalid(&self, field: &str, expected: &'static str) -> CaseError {
        CaseError::InvalidField {
            path: self.path.clone(),
            field: field.to_owned(),
            expected,
        }
    }

    fn extra(&self, read: &[&str]) -> BTreeMap<String, Value> {
        self.map
            .iter()
            .filter(|(k, _)| !read.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn read_document(value: &Value, found: &mut Findings) -> Result<Document, CaseError> {
    let o = Obj::new("CFDocument".to_owned(), value)?;
    found.extras("CFDocument", o.map, DOCUMENT_MEMBERS);
    let case_version = owned(o.optional("caseVersion")?);
    if case_version.as_deref().is_some_and(|v| v != "1.1") {
        found.deviate("caseVersion not 1.1".to_owned());
    }
    const READ: &[&str] = &[
        "identifier",
        "uri",
        "creator",
        "title",
        "lastChangeDateTime",
        "caseVersion",
        "version",
        "adoptionStatus",
        "licenseURI",
        "language",
    ];
    Ok(Document {
        identifier: o.required("identifier")?.to_owned(),
        uri: o.required("uri")?.to_owned(),
        creator: o.required("creator")?.to_owned(),
        title: o.required("title")?.to_owned(),
        last_change_date_time: o.required("lastChangeDateTime")?.to_owned(),
        case_version,
        version: owned(o.optional("version")?),
        adoption_status: owned(o.optional("adoptionStatus")?),
        license_uri: o.map.get("licenseURI").filter(|v| !v.is_null()).cloned(),
        language: owned(o.optional("language")?),
        extra: o.extra(READ),
    })
}

fn read_item(index: usize, value: &Value, found: &mut Findings) -> Result<Item, CaseError> {
    let o = Obj::new(format!("CFItems[{index}]"), value)?;
    found.extras("CFItem", o.map, ITEM_MEMBERS);
    let education_level = match o.map.get("educationLevel") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => {
            found.deviate("CFItem educationLevel not array".to_owned());
            vec![s.clone()]
        }
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| o.invalid("educationLevel", "an array of strings"))?,
        Some(_) => return Err(o.invalid("educationLevel", "an array of strings")),
    };
    const READ: &[&str] = &[
        "identifier",
        "uri",
        "fullStatement",
        "humanCodingScheme",
        "abbreviatedStatement",
        "CFItemType",
        "listEnumeration",
        "educationLevel",
        "notes",
        "language",
        "lastChangeDateTime",
    ];
    Ok(Item {
        id: CompetencyId::from(o.required("identifier")?),
        uri: o.required("uri")?.to_owned(),
        full_statement: o.required("fullStatement")?.to_owned(),
        human_coding_scheme: owned(o.optional("humanCodingScheme")?),
        abbreviated_statement: owned(o.optional("abbreviatedStatement")?),
        item_type: owned(o.optional("CFItemType")?),
        list_enumeration: owned(o.optional("listEnumeration")?),
        education_level,
        notes: owned(o.optional("notes")?),
        language: owned(o.optional("language")?),
        last_change_date_time: o.required("lastChangeDateTime")?.to_owned(),
        parent: None,
        depth: 0,
        extra: o.extra(READ),
    })
}

fn read_link(
    parent: &Obj<'_>,
    field: &'static str,
    found: &mut Findings,
) -> Result<NodeRef, CaseError> {
    let value = parent
        .map
        .get(field)
        .filter(|v| !v.is_null())
        .ok_or_else(|| CaseError::MissingField {
            path: parent.path.clone(),
            field,
        })?;
    let o = Obj::new(format!("{}.{field}", parent.path), value)?;
    found.extras(&format!("CFAssociation {field}"), o.map, LINK_MEMBERS);
    let uri = owned(o.optional("uri")?);
    let title = owned(o.optional("title")?);
    if uri.is_none() || title.is_none() {
        found.deviate(format!("CFAssociation {field} missing title or uri"));
    }
    Ok(NodeRef {
        identifier: o.required("identifier")?.to_owned(),
        uri,
        title,
        kind: NodeKind::External,
    })
}

fn read_association(
    index: usize,
    value: &Value,
    found: &mut Findings,
) -> Result<Association, CaseError> {
    let o = Obj::new(format!("CFAssociations[{index}]"), value)?;
    found.extras("CFAssociation", o.map, ASSOCIATION_MEMBERS);
    let association_type = o.required("associationType")?.to_owned();
    let is_ext = association_type.strip_prefix("ext:").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    });
    if !ASSOCIATION_TYPES.contains(&association_type.as_str()) && !is_ext {
        found.deviate("associationType not in the CASE 1.1 vocabulary".to_owned());
    }
    let sequence_number = match o.map.get("sequenceNumber") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(other) => {
            found.deviate("sequenceNumber not integer".to_owned());
            let parsed = other.as_str().and_then(|s| s.trim().parse::<i64>().ok());
            if parsed.is_none() {
                found.warn("bad_sequence_number", || {
                    format!(
                        "{}.sequenceNumber {other} is not a whole number: ignored",
                        o.path
                    )
                });
            }
            parsed
        }
    };
    const READ: &[&str] = &[
        "identifier",
        "uri",
        "associationType",
        "originNodeURI",
        "destinationNodeURI",
        "sequenceNumber",
        "lastChangeDateTime",
    ];
    Ok(Association {
        identifier: o.required("identifier")?.to_owned(),
        uri: o.required("uri")?.to_owned(),
        origin: read_link(&o, "originNodeURI", found)?,
        destination: read_link(&o, "destinationNodeURI", found)?,
        association_type,
        sequence_number,
        last_change_date_time: o.required("lastChangeDateTime")?.to_owned(),
        extra: o.extra(READ),
    })
}

fn array<'a>(root: &'a Map<String, Value>, field: &'static str) -> Result<&'a [Value], CaseError> {
    match root.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(list)) => Ok(list),
        Some(_) => Err(CaseError::InvalidField {
            path: "the package".to_owned(),
            field: field.to_owned(),
            expected: "an array",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_pattern_is_anchored_lowercase_with_variant() {
        assert!(is_v1p1_identifier("c5fe3c1e-3b7a-4d4e-9a51-2f0d8c6b1a01"));
        assert!(!is_v1p1_identifier("C5FE3C1E-3B7A-4D4E-9A51-2F0D8C6B1A01"));
        assert!(!is_v1p1_identifier("d0000000-0000-0000-0000-000000000000"));
        assert!(!is_v1p1_identifier("xc5fe3c1e-3b7a-4d4e-9a51-2f0d8c6b1a01"));
        assert!(!is_v1p1_identifier("c5fe3c1e-3b7a-4d4e-9a51-2f0d8c6b1a0"));
        assert!(!is_v1p1_identifier(""));
    }
}
