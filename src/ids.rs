//! Typed identifiers. Each kind of id is its own type, so a competency id can never be
//! passed where an assessment id is expected. Short ids (up to 23 bytes, the common
//! case) are stored inline, so a log of events holds no heap string per id.

use std::fmt;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(SmolStr);

        impl $name {
            /// An id from its text.
            pub fn new(text: impl AsRef<str>) -> Self {
                $name(SmolStr::new(text))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(SmolStr::from(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(SmolStr::new(s))
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// A credential definition's id (stable across versions).
    DefinitionId
);
id_type!(
    /// A competency's id, unique within its definition's file.
    CompetencyId
);
id_type!(
    /// An assessment's id.
    AssessmentId
);
id_type!(
    /// A rubric part's (criterion's) id within an assessment.
    PartId
);
id_type!(
    /// An equivalency's id.
    EquivalencyId
);
id_type!(
    /// A learner's id, as the host knows them (LTI `sub` scoped by the platform).
    LearnerId
);

/// A lookup table from id text to a dense index, built once per set of definitions.
///
/// The fold resolves every event's ids; a sorted map costs several string comparisons per
/// lookup, this open-addressing table one hash of a short string and usually one
/// comparison. Only lookups: it is never iterated, so its order never reaches output.
#[derive(Debug, Clone, Default)]
pub struct IdIndex {
    /// Slots of (id, index); `None` is empty. The length is a power of two.
    slots: Vec<Option<(SmolStr, usize)>>,
}

impl IdIndex {
    /// Builds the table. Later duplicates of an id are ignored (callers check uniqueness).
    pub fn new<'a>(ids: impl IntoIterator<Item = (&'a str, usize)>) -> Self {
        let entries: Vec<(&str, usize)> = ids.into_iter().collect();
        let capacity = (entries.len() * 2).next_power_of_two().max(8);
        let mut index = IdIndex {
            slots: vec![None; capacity],
        };
        for (id, value) in entries {
            let mask = capacity - 1;
            let mut slot = fnv1a(id) & mask;
            loop {
                match &index.slots[slot] {
                    None => {
                        index.slots[slot] = Some((SmolStr::new(id), value));
                        break;
                    }
                    Some((existing, _)) if existing == id => break,
                    Some(_) => slot = (slot + 1) & mask,
                }
            }
        }
        index
    }

    /// The index of `id`, if it is in the table.
    pub fn get(&self, id: &str) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = fnv1a(id) & mask;
        loop {
            match &self.slots[slot] {
                None => return None,
                Some((existing, value)) if existing == id => return Some(*value),
                Some(_) => slot = (slot + 1) & mask,
            }
        }
    }
}

/// FNV-1a over the id's bytes: fast for short keys, deterministic on every platform.
fn fnv1a(text: &str) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_finds_every_id_and_nothing_else() {
        let ids: Vec<String> = (0..500).map(|i| format!("A{i}")).collect();
        let index = IdIndex::new(ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)));
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id), Some(i));
        }
        assert_eq!(index.get("A500"), None);
        assert_eq!(index.get(""), None);
        assert_eq!(IdIndex::default().get("A1"), None);
    }
}
