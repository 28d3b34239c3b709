//! What a re-import of a framework changes ([`changes`]), so the host stores a new
//! framework version only when something did.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Framework, Item};
use crate::ids::CompetencyId;

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
