//! The course's id tables for the ids every event names (assessments, definitions): an id
//! of at most 16 bytes is packed, with its length, into one integer key, so a lookup is one
//! multiply-shift hash and one integer comparison, with no byte loop and no `memcmp`.
//! Longer ids go to the general [`IdIndex`]. Only lookups: never iterated, so the table's
//! order never reaches output.

use crate::ids::IdIndex;

/// Longest id packed into a key; longer ones are looked up in the general index.
const PACKED: usize = 16;

/// Id text to a dense index.
#[derive(Debug, Clone, Default)]
pub(super) struct IdTable {
    /// Open addressing, linear probing; the length is a power of two (or zero when empty).
    slots: Vec<Slot>,
    /// `64 - log2(slots.len())`: the hash's top bits pick the slot.
    shift: u32,
    /// Ids longer than [`PACKED`] bytes.
    long: IdIndex,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The id's bytes, little-endian, zero-padded.
    key: u128,
    /// The id's length + 1; 0 marks an empty slot (so the empty id is a key too).
    tag: u8,
    index: u32,
}

/// The id's bytes as a key, if it is short enough: with the length, which the slot's tag
/// holds, the key determines the bytes. Loads that may overlap, no copy loop.
#[inline]
fn pack(id: &[u8]) -> Option<u128> {
    let n = id.len();
    let word = |at: usize| u64::from_le_bytes(id[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |at: usize| u32::from_le_bytes(id[at..at + 4].try_into().unwrap_or([0; 4]));
    let (lo, hi) = match n {
        0 => (0, 0),
        1..=3 => (
            u64::from(id[0]) | u64::from(id[n / 2]) << 8 | u64::from(id[n - 1]) << 16,
            0,
        ),
        4..=7 => (u64::from(half(0)) | u64::from(half(n - 4)) << 32, 0),
        8..=PACKED => (word(0), word(n - 8)),
        _ => return None,
    };
    Some(u128::from(lo) | u128::from(hi) << 64)
}

/// Fibonacci hashing of the key folded to 64 bits (no 128-bit multiply: a libcall in wasm).
#[inline]
fn hash(key: u128, tag: u8) -> u64 {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(31) ^ u64::from(tag);
    folded.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl IdTable {
    /// Builds the table. Later duplicates of an id are ignored (callers check uniqueness).
    pub(super) fn new<'a>(ids: impl IntoIterator<Item = (&'a str, usize)>) -> Self {
        let (mut short, mut long) = (Vec::new(), Vec::new());
        for (id, index) in ids {
            let side = if id.len() <= PACKED {
                &mut short
            } else {
                &mut long
            };
            side.push((id, index));
        }
        let capacity = (short.len() * 2).next_power_of_two().max(8);
        let mut table = IdTable {
            slots: vec![Slot::default(); capacity],
            shift: 64 - capacity.trailing_zeros(),
            long: IdIndex::new(long),
        };
        for (id, index) in short {
            let (Some(key), Ok(index)) = (pack(id.as_bytes()), u32::try_from(index)) else {
                continue; // a course never holds 2^32 ids
            };
            let tag = id.len() as u8 + 1;
            let mask = capacity - 1;
            let mut i = (hash(key, tag) >> table.shift) as usize;
            loop {
                let slot = &mut table.slots[i];
                if slot.tag == 0 {
                    *slot = Slot { key, tag, index };
                    break;
                }
                if slot.tag == tag && slot.key == key {
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        table
    }

    /// The index of `id`, if it is in the table.
    #[inline]
    pub(super) fn get(&self, id: &str) -> Option<usize> {
        let Some(key) = pack(id.as_bytes()) else {
            return self.long.get(id);
        };
        let mask = self.slots.len().checked_sub(1)?;
        let tag = id.len() as u8 + 1;
        let mut i = (hash(key, tag) >> self.shift) as usize & mask;
        loop {
            let slot = &self.slots[i];
            if slot.tag == 0 {
                return None;
            }
            if slot.tag == tag && slot.key == key {
                return Some(slot.index as usize);
            }
            i = (i + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn finds_each_id_and_nothing_else() {
        let ids = [
            "A1",
            "A10",
            "",
            "exam-final",
            "0123456789abcdef",
            "0123456789abcdefg",
        ];
        let table = IdTable::new(ids.iter().enumerate().map(|(i, id)| (*id, i)));
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(table.get(id), Some(i), "{id:?}");
        }
        for absent in [
            "A",
            "A100",
            "a1",
            "A1\0",
            "0123456789abcde",
            "0123456789abcdefgh",
        ] {
            assert_eq!(table.get(absent), None, "{absent:?}");
        }
        assert_eq!(IdTable::default().get("A1"), None);
    }

    proptest! {
        /// The table answers as a sorted map does, for ids either side of the packed length,
        /// with trailing NULs (the padding) and first-wins duplicates.
        #[test]
        fn agrees_with_a_map(
            ids in prop::collection::vec("[a-c\\x00]{0,18}", 0..40),
            probes in prop::collection::vec("[a-c\\x00]{0,18}", 0..40),
        ) {
            let mut map = BTreeMap::new();
            for (i, id) in ids.iter().enumerate() {
                map.entry(id.as_str()).or_insert(i);
            }
            let table = IdTable::new(ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)));
            for id in ids.iter().chain(&probes) {
                prop_assert_eq!(table.get(id), map.get(id.as_str()).copied(), "{:?}", id);
            }
        }
    }
}
