//! CASE 1.1 competency framework import (`spec/mastery.md` §8): reads a `CFPackage`
//! (document, items, associations), builds the `isChildOf` tree in sibling order, keeps
//! every other association and every unread member, and refuses malformed or hostile
//! packages with typed errors. Pure: the host fetches the file; this never touches the
//! network, never recurses over input-controlled depth and never panics on bad input.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::ids::CompetencyId;

/// Size limits applied before and while reading a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Most `CFItems`.
    pub max_items: usize,
    /// Most `CFAssociations`.
    pub max_associations: usize,
    /// Deepest `isChildOf` tree (top-level items have depth 1).
    pub max_depth: usize,
}

impl Default for Limits {
    /// 16 MiB, 50,000 items, 200,000 associations, depth 32: far above published
    /// frameworks (a full state's standards is a few MiB and under 10 levels).
    fn default() -> Self {
        Limits {
            max_bytes: 16 * 1024 * 1024,
            max_items: 50_000,
            max_associations: 200_000,
            max_depth: 32,
        }
    }
}

/// How strictly the package is held to the CASE 1.1 `getCFPackage` schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Conformance {
    /// Strict identifiers when the document says `caseVersion: "1.1"`, lenient otherwise;
    /// other schema deviations are warnings.
    #[default]
    Auto,
    /// Every deviation from the CASE 1.1 schema is an error (`not_strict_v1p1`).
    Strict,
    /// Every deviation is a warning, whatever `caseVersion` says.
    Lenient,
}

/// Options of [`import_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Strict, lenient or by `caseVersion`.
    pub conformance: Conformance,
    /// Size limits.
    pub limits: Limits,
}

/// Why a package was refused. Each variant has a stable [`CaseError::code`] and a message
/// that says where the problem is and what to change.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaseError {
    /// The file is larger than the limit.
    #[error(
        "the package is {bytes} bytes, above the limit of {max}: split the framework or raise the limit"
    )]
    TooLarge {
        /// Size of the file.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The file is not JSON.
    #[error("the package is not valid JSON: {message}")]
    InvalidJson {
        /// serde's description, with line and column.
        message: String,
    },
    /// More items than the limit.
    #[error("the package has {count} CFItems, above the limit of {max}")]
    TooManyItems {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// More associations than the limit.
    #[error("the package has {count} CFAssociations, above the limit of {max}")]
    TooManyAssociations {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A required member is absent.
    #[error("{path} has no \"{field}\": CASE requires it")]
    MissingField {
        /// Where (`CFItems[3]`).
        path: String,
        /// The member.
        field: &'static str,
    },
    /// A member has the wrong JSON type or is empty.
    #[error("{path}.{field} must be {expected}")]
    InvalidField {
        /// Where.
        path: String,
        /// The member.
        field: String,
        /// What it must be.
        expected: &'static str,
    },
    /// An identifier that does not match the CASE 1.1 UUID pattern in a 1.1 package.
    #[error(
        "{path} has identifier \"{identifier}\", which is not a CASE 1.1 identifier \
         (lowercase UUID, variant 8, 9, a or b); fix it or import the package leniently"
    )]
    InvalidIdentifier {
        /// Where.
        path: String,
        /// The identifier.
        identifier: String,
    },
    /// Two objects share an identifier.
    #[error(
        "identifier \"{identifier}\" is used by both {first} and {second}: identifiers must be unique"
    )]
    DuplicateIdentifier {
        /// The identifier.
        identifier: String,
        /// The first holder.
        first: String,
        /// The second holder.
        second: String,
    },
    /// An association starts from a node that is not in the package.
    #[error(
        "{path} (association \"{association}\") starts from \"{origin}\", which is neither the \
         document nor an item of this package: add the item or remove the association"
    )]
    MissingOrigin {
        /// Where.
        path: String,
        /// The association's identifier.
        association: String,
        /// The missing origin's identifier.
        origin: String,
    },
    /// `isChildOf` associations form a cycle.
    #[error("isChildOf associations form a cycle through {}: an item cannot be its own ancestor", items.join(" → "))]
    ChildOfCycle {
        /// The items of the cycle (coding scheme or identifier), at most 10.
        items: Vec<String>,
    },
    /// The tree is deeper than the limit.
    #[error("item \"{item}\" is at depth {depth}, deeper than the limit of {max}")]
    TooDeep {
        /// The first item found too deep.
        item: String,
        /// Its depth.
        depth: usize,
        /// The limit.
        max: usize,
    },
    /// Strict mode and the package deviates from the CASE 1.1 schema.
    #[error("the package is not strict CASE 1.1: {}; import it leniently to accept it with warnings", reasons.join("; "))]
    NotStrictV1p1 {
        /// Each deviation, as in `strict_v1p1_errors`.
        reasons: Vec<String>,
    },
}

impl CaseError {
    /// The stable machine-readable code (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::TooLarge { .. } => "too_large",
            CaseError::InvalidJson { .. } => "invalid_json",
            CaseError::TooManyItems { .. } => "too_many_items",
            CaseError::TooManyAssociations { .. } => "too_many_associations",
            CaseError::MissingField { .. } => "missing_field",
            CaseError::InvalidField { .. } => "invalid_field",
            CaseError::InvalidIdentifier { .. } => "invalid_identifier",
            CaseError::DuplicateIdentifier { .. } => "duplicate_identifier",
            CaseError::MissingOrigin { .. } => "missing_origin",
            CaseError::ChildOfCycle { .. } => "child_of_cycle",
            CaseError::TooDeep { .. } => "too_deep",
            CaseError::NotStrictV1p1 { .. } => "not_strict_v1p1",
        }
    }
}

/// A finding that did not stop the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable code: `not_strict_v1p1`, `orphan_item`, `multiple_parents`, `external_parent`,
    /// `bad_sequence_number`, `document_is_child`.
    pub code: &'static str,
    /// What was found and what was done.
    pub message: String,
    /// How many objects it concerns.
    pub count: usize,
}

/// The framework's `CFDocument`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// `identifier`.
    pub identifier: String,
    /// `uri`.
    pub uri: String,
    /// `creator`.
    pub creator: String,
    /// `title`.
    pub title: String,
    /// `lastChangeDateTime`, as written.
    pub last_change_date_time: String,
    /// `caseVersion` (`"1.1"`, or absent in older packages).
    pub case_version: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `adoptionStatus`.
    pub adoption_status: Option<String>,
    /// `licenseURI` (a link object), verbatim.
    pub license_uri: Option<Value>,
    /// `language`.
    pub language: Option<String>,
    /// Every other member, verbatim.
    pub extra: BTreeMap<String, Value>,
}

/// One `CFItem`, placed in the tree. Its identifier is the competency id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// `identifier`, as a competency id.
    pub id: CompetencyId,
    /// `uri`.
    pub uri: String,
    /// `fullStatement`.
    pub full_statement: String,
    /// `humanCodingScheme`.
    pub human_coding_scheme: Option<String>,
    /// `abbreviatedStatement`.
    pub abbreviated_statement: Option<String>,
    /// `CFItemType`.
    pub item_type: Option<String>,
    /// `listEnumeration`.
    pub list_enumeration: Option<String>,
    /// `educationLevel` (a lone string in older packages becomes one element).
    pub education_level: Vec<String>,
    /// `notes`.
    pub notes: Option<String>,
    /// `language`.
    pub language: Option<String>,
    /// `lastChangeDateTime`, as written.
    pub last_change_date_time: String,
    /// The parent item; `None` for a top-level item (child of the document) or an orphan.
    pub parent: Option<CompetencyId>,
    /// 1 for top-level items.
    pub depth: usize,
    /// Every other member, verbatim.
    pub extra: BTreeMap<String, Value>,
}

/// What an association end points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// The package's document.
    Document,
    /// An item of the package.
    Item,
    /// Something outside the package: kept as an external link.
    External,
}

/// One end of an association (`originNodeURI`, `destinationNodeURI`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeRef {
    /// `identifier`.
    pub identifier: String,
    /// `uri`.
    pub uri: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// Inside or outside the package.
    pub kind: NodeKind,
}

/// One `CFAssociation`, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Association {
    /// `identifier`.
    pub identifier: String,
    /// `uri`.
    pub uri: String,
    /// `associationType` (`isChildOf`, `exactMatchOf`, …, `ext:…`).
    pub association_type: String,
    /// `originNodeURI`.
    pub origin: NodeRef,
    /// `destinationNodeURI`.
    pub destination: NodeRef,
    /// `sequenceNumber` (strings of digits in older packages are read as integers).
    pub sequence_number: Option<i64>,
    /// `lastChangeDateTime`, as written.
    pub last_change_date_time: String,
    /// Every other member, verbatim.
    pub extra: BTreeMap<String, Value>,
}

/// An imported competency framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Framework {
    /// The document.
    pub document: Document,
    /// Every item, in tree order (pre-order, siblings in CASE order), orphans last.
    pub items: Vec<Item>,
    /// Every association, in file order (`isChildOf` and all other types).
    pub associations: Vec<Association>,
    /// Indexes into `associations` of those whose destination is outside the package.
    pub external_links: Vec<usize>,
    /// What was accepted with a warning.
    pub warnings: Vec<Warning>,
    /// Every deviation from the CASE 1.1 schema (sorted, each once), empty when strict-valid.
    pub strict_v1p1_errors: Vec<String>,
}

impl Framework {
    /// The children of `parent` (`None` = top level) in sibling order.
    pub fn children_of(&self, parent: Option<&str>) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|i| i.parent.as_ref().map(|p| p.as_str()) == parent)
            .collect()
    }

    /// The deepest item's depth (0 without items).
    pub fn max_depth(&self) -> usize {
        self.items.iter().map(|i| i.depth).max().unwrap_or(0)
    }

    /// The item with this identifier.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id.as_str() == id)
    }
}

/// Imports a package with the default options ([`Conformance::Auto`], default [`Limits`]).
pub fn import(json: &str) -> Result<Framework, CaseError> {
    import_with(json, &ImportOptions::default())
}

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

/// Collects schema deviations (each reason once) and warnings while reading.
#[derive(Default)]
struct Findings {
    deviations: BTreeMap<String, usize>,
    warnings: BTreeMap<&'static str, (String, usize)>,
}

impl Findings {
    fn deviate(&mut self, reason: String) {
        *self.deviations.entry(reason).or_insert(0) += 1;
    }

    fn warn(&mut self, code: &'static str, first_message: impl FnOnce() -> String) {
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

/// One piece of a coding scheme for natural ordering: digit runs compare as numbers.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Chunk<'a> {
    /// Digits without leading zeros, compared by length then text (= numerically).
    Digits(usize, &'a str),
    /// Anything else, compared bytewise.
    Text(&'a str),
}

/// Splits a coding scheme into chunks; comparing the vectors is a total order in which
/// `L1.2 < L1.10`.
fn natural_key(code: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let bytes = code.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let digit = bytes[start].is_ascii_digit();
        let mut end = start;
        while end < bytes.len() && bytes[end].is_ascii_digit() == digit {
            end += 1;
        }
        // Digit runs are ASCII, so the boundaries are char boundaries.
        let run = code.get(start..end).unwrap_or("");
        if digit {
            let trimmed = run.trim_start_matches('0');
            chunks.push(Chunk::Digits(trimmed.len(), trimmed));
        } else {
            chunks.push(Chunk::Text(run));
        }
        start = end;
    }
    chunks
}

/// Sibling order of §8, as a key whose derived order is total: integer `sequenceNumber`
/// (absent last), natural order of the coding scheme (absent last), the scheme's text,
/// then the association's file position.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct SiblingKey<'a> {
    sequence_absent: bool,
    sequence: i64,
    code_absent: bool,
    natural: Vec<Chunk<'a>>,
    code: Option<&'a str>,
    position: usize,
}

fn sibling_key(sequence: Option<i64>, code: Option<&str>, position: usize) -> SiblingKey<'_> {
    SiblingKey {
        sequence_absent: sequence.is_none(),
        sequence: sequence.unwrap_or(0),
        code_absent: code.is_none(),
        natural: code.map(natural_key).unwrap_or_default(),
        code,
        position,
    }
}

fn label(item: &Item) -> String {
    item.human_coding_scheme
        .clone()
        .unwrap_or_else(|| item.id.to_string())
}

/// Finds a cycle among `isChildOf` edges (child → parent, item indexes), iteratively.
fn find_cycle(edges: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Color {
        White,
        Gray,
        Black,
    }
    let mut color = vec![Color::White; edges.len()];
    for start in 0..edges.len() {
        if color[start] != Color::White {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        color[start] = Color::Gray;
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            match edges[node].get(next) {
                Some(&to) => {
                    top.1 += 1;
                    match color[to] {
                        Color::White => {
                            color[to] = Color::Gray;
                            stack.push((to, 0));
                        }
                        Color::Gray => {
                            let from = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                            return Some(stack[from..].iter().map(|(n, _)| *n).collect());
                        }
                        Color::Black => {}
                    }
                }
                None => {
                    color[node] = Color::Black;
                    stack.pop();
                }
            }
        }
    }
    None
}

/// Imports a CASE `CFPackage` (`spec/mastery.md` §8) with the given options.
pub fn import_with(json: &str, options: &ImportOptions) -> Result<Framework, CaseError> {
    let limits = options.limits;
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
    let mut items = item_values
        .iter()
        .enumerate()
        .map(|(i, v)| read_item(i, v, &mut found))
        .collect::<Result<Vec<_>, _>>()?;
    let mut associations = association_values
        .iter()
        .enumerate()
        .map(|(i, v)| read_association(i, v, &mut found))
        .collect::<Result<Vec<_>, _>>()?;

    // Identifiers: unique, and in the CASE 1.1 pattern when the package claims 1.1.
    let strict_ids = match options.conformance {
        Conformance::Strict => true,
        Conformance::Lenient => false,
        Conformance::Auto => document.case_version.as_deref() == Some("1.1"),
    };
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

    // Resolve association ends.
    let index: BTreeMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.as_str(), i))
        .collect();
    let kind_of = |id: &str| {
        if id == document.identifier {
            NodeKind::Document
        } else if index.contains_key(id) {
            NodeKind::Item
        } else {
            NodeKind::External
        }
    };
    let mut external_links = Vec::new();
    for (i, a) in associations.iter_mut().enumerate() {
        a.origin.kind = kind_of(&a.origin.identifier);
        a.destination.kind = kind_of(&a.destination.identifier);
        if a.origin.kind == NodeKind::External {
            return Err(CaseError::MissingOrigin {
                path: format!("CFAssociations[{i}]"),
                association: a.identifier.clone(),
                origin: a.origin.identifier.clone(),
            });
        }
        if a.destination.kind == NodeKind::External {
            external_links.push(i);
        }
    }

    // isChildOf: no cycles, then one parent per item (the first in file order).
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    // Per item: (parent item or None for the document, association position).
    let mut placed: Vec<Option<(Option<usize>, usize)>> = vec![None; items.len()];
    let mut external_parent = vec![false; items.len()];
    for (pos, a) in associations.iter().enumerate() {
        if a.association_type != "isChildOf" {
            continue;
        }
        let Some(&child) = index.get(a.origin.identifier.as_str()) else {
            found.warn("document_is_child", || {
                format!(
                    "association {} makes the document a child: ignored for the tree",
                    a.identifier
                )
            });
            continue;
        };
        let parent = match a.destination.kind {
            NodeKind::Document => None,
            NodeKind::Item => index.get(a.destination.identifier.as_str()).copied(),
            NodeKind::External => {
                external_parent[child] = true;
                continue;
            }
        };
        if let Some(p) = parent {
            edges[child].push(p);
        }
        if placed[child].is_some() {
            found.warn("multiple_parents", || {
                format!(
                    "item {} has more than one isChildOf parent: the first in the file places it",
                    a.origin.identifier
                )
            });
        } else {
            placed[child] = Some((parent, pos));
        }
    }
    if let Some(cycle) = find_cycle(&edges) {
        return Err(CaseError::ChildOfCycle {
            items: cycle.iter().take(10).map(|&i| label(&items[i])).collect(),
        });
    }

    // Children lists in sibling order; roots are the document's children, then orphans.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut top: Vec<usize> = Vec::new();
    let mut orphans: Vec<usize> = Vec::new();
    for (i, p) in placed.iter().enumerate() {
        match p {
            Some((Some(parent), _)) => children[*parent].push(i),
            Some((None, _)) => top.push(i),
            None => {
                orphans.push(i);
                if external_parent[i] {
                    found.warn("external_parent", || {
                        format!(
                            "item {} is a child only of nodes outside the package: listed at top level",
                            label(&items[i])
                        )
                    });
                } else {
                    found.warn("orphan_item", || {
                        format!(
                            "item {} has no isChildOf parent: listed at top level",
                            label(&items[i])
                        )
                    });
                }
            }
        }
    }
    // Keys computed once per item, so sorting never re-splits a coding scheme.
    let keys: Vec<SiblingKey<'_>> = items
        .iter()
        .zip(&placed)
        .map(|(item, p)| {
            let position = p.map_or(usize::MAX, |(_, pos)| pos);
            let sequence = associations.get(position).and_then(|a| a.sequence_number);
            sibling_key(sequence, item.human_coding_scheme.as_deref(), position)
        })
        .collect();
    top.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
    for list in &mut children {
        list.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
    }
    drop(keys);

    // Pre-order walk with an explicit stack; depth checked on the way.
    let mut order: Vec<(usize, Option<usize>, usize)> = Vec::with_capacity(items.len());
    let mut stack: Vec<(usize, Option<usize>, usize)> = Vec::new();
    for root_list in [&top, &orphans] {
        stack.extend(root_list.iter().rev().map(|&i| (i, None, 1)));
        while let Some((i, parent, depth)) = stack.pop() {
            if depth > limits.max_depth {
                return Err(CaseError::TooDeep {
                    item: label(&items[i]),
                    depth,
                    max: limits.max_depth,
                });
            }
            order.push((i, parent, depth));
            stack.extend(children[i].iter().rev().map(|&c| (c, Some(i), depth + 1)));
        }
    }
    let ids: Vec<CompetencyId> = items.iter().map(|it| it.id.clone()).collect();
    let mut slots: Vec<Option<Item>> = items.drain(..).map(Some).collect();
    let mut ordered = Vec::with_capacity(slots.len());
    for (i, parent, depth) in order {
        if let Some(mut item) = slots.get_mut(i).and_then(Option::take) {
            item.parent = parent.map(|p| ids[p].clone());
            item.depth = depth;
            ordered.push(item);
        }
    }

    let strict_v1p1_errors: Vec<String> = found.deviations.keys().cloned().collect();
    if options.conformance == Conformance::Strict && !strict_v1p1_errors.is_empty() {
        return Err(CaseError::NotStrictV1p1 {
            reasons: strict_v1p1_errors,
        });
    }
    let mut warnings: Vec<Warning> = found
        .deviations
        .iter()
        .map(|(reason, count)| Warning {
            code: "not_strict_v1p1",
            message: format!("not strict CASE 1.1: {reason} ({count}×), accepted"),
            count: *count,
        })
        .collect();
    warnings.extend(
        found
            .warnings
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

    Ok(Framework {
        document,
        items: ordered,
        associations,
        external_links,
        warnings,
        strict_v1p1_errors,
    })
}

/// What a re-import of the same framework (same document identifier) changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct FrameworkChanges {
    /// Items only in the new package.
    pub added: Vec<CompetencyId>,
    /// Items only in the old package.
    pub removed: Vec<CompetencyId>,
    /// Items whose statement, coding scheme, parent or position changed.
    pub changed: Vec<CompetencyId>,
}

impl FrameworkChanges {
    /// Whether the re-import changes nothing (a no-op).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares two imports of a framework by item identifier: the host stores a new framework
/// version only when this is not empty.
pub fn changes(old: &Framework, new: &Framework) -> FrameworkChanges {
    fn index(f: &Framework) -> BTreeMap<CompetencyId, (usize, &Item)> {
        f.items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.clone(), (i, it)))
            .collect()
    }
    let (before, after) = (index(old), index(new));
    let ids: BTreeSet<&CompetencyId> = before.keys().chain(after.keys()).collect();
    let mut out = FrameworkChanges::default();
    for id in ids {
        match (before.get(id), after.get(id)) {
            (None, Some(_)) => out.added.push(id.clone()),
            (Some(_), None) => out.removed.push(id.clone()),
            (Some((pa, a)), Some((pb, b))) => {
                if a.full_statement != b.full_statement
                    || a.human_coding_scheme != b.human_coding_scheme
                    || a.parent != b.parent
                    || pa != pb
                {
                    out.changed.push(id.clone());
                }
            }
            (None, None) => {}
        }
    }
    out
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

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        let mut codes = vec!["L1.10", "L1.2", "L1.1", "L1.2a", "L1", "L01.3", "L2"];
        codes.sort_by_key(|c| sibling_key(None, Some(c), 0));
        assert_eq!(
            codes,
            ["L1", "L1.1", "L1.2", "L1.2a", "L01.3", "L1.10", "L2"]
        );
        let huge = "9".repeat(200);
        assert!(sibling_key(None, Some(&huge), 0) > sibling_key(None, Some("10"), 0));
    }

    #[test]
    fn sequence_numbers_come_first_then_codes_then_position() {
        assert!(sibling_key(Some(2), Some("B"), 5) < sibling_key(None, Some("A"), 0));
        assert!(sibling_key(Some(1), Some("B"), 5) < sibling_key(Some(2), Some("A"), 0));
        assert!(sibling_key(Some(-3), None, 5) < sibling_key(Some(0), Some("A"), 0));
        assert!(sibling_key(None, Some("A"), 5) < sibling_key(None, None, 0));
        assert!(sibling_key(None, None, 1) > sibling_key(None, None, 0));
    }

    #[test]
    fn cycles_are_found_without_recursion() {
        let n = 200_000;
        let mut edges: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        edges[n - 1] = vec![];
        assert_eq!(find_cycle(&edges), None);
        edges[n - 1] = vec![0];
        assert_eq!(find_cycle(&edges).map(|c| c.len()), Some(n));
        assert_eq!(find_cycle(&[vec![0]]), Some(vec![0]));
    }
}
