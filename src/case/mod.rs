//! CASE 1.1 competency framework import (`spec/mastery.md` §8): reads a `CFPackage`
//! (document, items, associations), builds the `isChildOf` tree in sibling order, keeps
//! every other association and every unread member, and refuses malformed or hostile
//! packages with typed errors. Pure: the host fetches the file; this never touches the
//! network, never recurses over input-controlled depth and never panics on bad input.
//!
//! This file holds the imported types and [`import_with`], a chain of named steps: `read`
//! (limits, JSON, members, identifiers), `tree` (association ends, `isChildOf` placement,
//! sibling order, the depth-checked walk) and `diff` (what a re-import changes). Errors
//! are in `error`. `export` writes a framework back as a package the import reads into the
//! same framework (REQ-LMS-09).

mod diff;
mod error;
mod export;
mod read;
mod tree;

pub use diff::{FrameworkChanges, changes};
pub use error::CaseError;
pub use export::export;
pub use read::is_v1p1_identifier;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

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

/// Imports a CASE `CFPackage` (`spec/mastery.md` §8) with the given options.
pub fn import_with(json: &str, options: &ImportOptions) -> Result<Framework, CaseError> {
    let (package, mut found) = read::read_package(json, &options.limits)?;
    let read::Package {
        document,
        items,
        mut associations,
    } = package;
    let strict_ids = match options.conformance {
        Conformance::Strict => true,
        Conformance::Lenient => false,
        Conformance::Auto => document.case_version.as_deref() == Some("1.1"),
    };
    read::check_identifiers(&document, &items, &associations, strict_ids, &mut found)?;
    let index = tree::item_index(&items);
    let external_links = tree::resolve_ends(&document, &index, &mut associations)?;
    let placement = tree::place_items(&items, &associations, &index, &mut found)?;
    let siblings = tree::sibling_lists(&items, &associations, &placement, &mut found);
    let items = tree::walk(items, &siblings, options.limits.max_depth)?;
    let (warnings, strict_v1p1_errors) = found.into_report(options.conformance)?;
    Ok(Framework {
        document,
        items,
        associations,
        external_links,
        warnings,
        strict_v1p1_errors,
    })
}
