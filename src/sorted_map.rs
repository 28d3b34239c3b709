//! [`SortedMap`]: a map kept as a vector of its entries sorted by key, for maps that are
//! built once and then only read, looked up and written: a definition's JSON objects (a
//! rubric level's points per part, a curriculum map's rows) and the record's per-id maps
//! (built in one go from the course's lists). A `BTreeMap` read and wrote them the same way,
//! but each of its key and value types brought its own copy of the tree's code (insert,
//! split, search, iterate, clone, drop: ~6.5 KiB of wasm each) into the page's modules, and
//! each insert walked and split nodes; these maps hold a few to a few dozen entries, for
//! which a sorted vector is as fast to search and cheaper to build.

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};

/// Entries sorted by key, each key once: read from a JSON object or collected from an
/// iterator (a repeated key keeps its last value, as `BTreeMap` did), written as a JSON
/// object in key order. Its read methods have `BTreeMap`'s names and meanings.
#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key`'s value (replacing the one it had).
    pub fn insert(&mut self, key: K, value: V) {
        match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(at) => self.0[at].1 = value,
            Err(at) => self.0.insert(at, (key, value)),
        }
    }

    /// The value of `key`, if it has one.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let at = self.position(key)?;
        Some(&self.0[at].1)
    }

    /// The value of `key`, if it has one, to change in place.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let at = self.position(key)?;
        Some(&mut self.0[at].1)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(key).is_some()
    }

    fn position<Q>(&self, key: &Q) -> Option<usize>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key)).ok()
    }
}

impl<K, V> SortedMap<K, V> {
    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    /// The values in key order, to change in place.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has no entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<K: Ord + Borrow<str>, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// Collects the entries (nothing more to do when they come in key order, as the record's
    /// maps do); a repeated key keeps its last value, as `BTreeMap`'s `collect` did.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        Self::from_entries(entries.into_iter().collect())
    }
}

impl<K: Ord + Borrow<str>, V> SortedMap<K, V> {
    /// The map of `entries` in any order, a repeated key keeping its last value: in
    /// O(n log n), whatever the order (a map read from outside may come in any order, and
    /// inserting entry by entry would move O(n²) of them). The keys are sorted as `&str`, the
    /// one sort the page's modules carry anyway: a sort of each entry type was ~3.5 KiB of
    /// wasm per map type.
    fn from_entries(entries: Vec<(K, V)>) -> Self {
        if entries.is_sorted_by(|a, b| a.0 < b.0) {
            return SortedMap(entries);
        }
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.borrow()).collect();
        let order = last_of_each_key(&keys);
        let mut entries: Vec<Option<(K, V)>> = entries.into_iter().map(Some).collect();
        SortedMap(order.iter().filter_map(|&at| entries[at].take()).collect())
    }
}

/// The positions of the entries whose keys are `keys`, in key order, only the last one of
/// a repeated key. Not generic: one copy for every map type.
fn last_of_each_key(keys: &[&str]) -> Vec<usize> {
    // Each distinct key once, in order; then the last entry of each takes its key's place.
    let distinct: StrSet = keys.iter().copied().collect();
    let mut order = vec![0; distinct.len()];
    for (at, key) in keys.iter().enumerate() {
        if let Some(place) = distinct.place(key) {
            order[place] = at;
        }
    }
    order
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;

    /// The value of `key`; panics when it has none, as `BTreeMap`'s index does.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, K: Ord + Borrow<str> + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de>
    for SortedMap<K, V>
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

struct MapVisitor<K, V>(PhantomData<(K, V)>);

impl<'de, K: Ord + Borrow<str> + Deserialize<'de>, V: Deserialize<'de>> Visitor<'de>
    for MapVisitor<K, V>
{
    type Value = SortedMap<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // BTreeMap's words, so a message reads as it did.
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(SortedMap::from_entries(entries))
    }
}

/// A set of borrowed strings kept sorted: the definition checks' sets of ids. One type for
/// every such set (a `BTreeSet` per element type brought its own tree code, ~4 KiB of wasm
/// each), and its sort is the one of `&str` the module has anyway.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StrSet<'a>(Vec<&'a str>);

impl<'a> StrSet<'a> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `text`; `false` when it was there already (the set is unchanged), as
    /// `BTreeSet::insert`.
    pub fn insert(&mut self, text: &'a str) -> bool {
        match self.0.binary_search(&text) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, text);
                true
            }
        }
    }

    /// Whether `text` is in the set.
    pub fn contains(&self, text: &str) -> bool {
        self.0.binary_search(&text).is_ok()
    }

    /// Where `text` is among the set's strings in order (`0..len`), if it is one of them.
    pub fn place(&self, text: &str) -> Option<usize> {
        self.0.binary_search(&text).ok()
    }

    /// The number of strings.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'a> FromIterator<&'a str> for StrSet<'a> {
    /// Collects, sorts once and drops repeats.
    fn from_iter<I: IntoIterator<Item = &'a str>>(texts: I) -> Self {
        let mut texts: Vec<&'a str> = texts.into_iter().collect();
        texts.sort_unstable();
        texts.dedup();
        StrSet(texts)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::SortedMap;

    #[test]
    fn reads_and_writes_what_a_btree_map_did() {
        let json = r#"{"b": 2, "a": 1, "c": 3, "a": 4}"#;
        let map: SortedMap<String, u32> = serde_json::from_str(json).unwrap();
        let tree: BTreeMap<String, u32> = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            serde_json::to_string(&tree).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            r#"{"a":4,"b":2,"c":3}"#
        );
        assert_eq!(format!("{map:?}"), format!("{tree:?}"));
        assert_eq!(
            (map.get("a"), map.get("c"), map.get("d")),
            (Some(&4), Some(&3), None)
        );
        assert_eq!(map.len(), 3);
        let keys: Vec<&str> = map.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn collects_and_reads_as_a_btree_map_does() {
        // Unsorted, sorted, and with repeated keys (the last value wins in both).
        let inputs: [&[(&str, u32)]; 4] = [
            &[("c", 3), ("a", 1), ("b", 2)],
            &[("a", 1), ("b", 2), ("c", 3)],
            &[("b", 1), ("a", 2), ("b", 3), ("a", 4), ("b", 5)],
            &[("a", 1), ("a", 2), ("b", 3)],
        ];
        for input in inputs {
            let mut map: SortedMap<String, u32> =
                input.iter().map(|&(k, v)| (k.to_owned(), v)).collect();
            let mut tree: BTreeMap<String, u32> =
                input.iter().map(|&(k, v)| (k.to_owned(), v)).collect();
            assert_eq!(format!("{map:?}"), format!("{tree:?}"), "{input:?}");
            assert!(map.keys().eq(tree.keys()));
            assert!(map.values().eq(tree.values()));
            assert_eq!(map.len(), tree.len());
            for key in ["a", "b", "c", "d"] {
                assert_eq!(map.contains_key(key), tree.contains_key(key));
                assert_eq!(map.get(key), tree.get(key));
                if let (Some(m), Some(t)) = (map.get_mut(key), tree.get_mut(key)) {
                    *m += 10;
                    *t += 10;
                }
            }
            for (m, t) in map.values_mut().zip(tree.values_mut()) {
                *m *= 2;
                *t *= 2;
            }
            assert_eq!(map["a"], tree["a"]);
            assert!(map.clone().into_iter().eq(tree.clone()));
            assert_eq!(
                serde_json::to_string(&map).unwrap(),
                serde_json::to_string(&tree).unwrap()
            );
        }
    }

    #[test]
    fn a_large_map_in_any_order_reads_as_a_btree_map_does() {
        // Reversed, and shuffled with repeats (a 64-bit LCG): the path a map from outside
        // takes, which sorts positions instead of inserting entry by entry.
        let reversed: Vec<(String, u32)> = (0..5_000u32)
            .rev()
            .map(|i| (format!("k{i:05}"), i))
            .collect();
        let mut state = 0x5eed_u64;
        let shuffled: Vec<(String, u32)> = (0..5_000u32)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (format!("k{}", (state >> 33) % 1_500), i)
            })
            .collect();
        for entries in [reversed, shuffled] {
            let map: SortedMap<String, u32> = entries.iter().cloned().collect();
            let tree: BTreeMap<String, u32> = entries.iter().cloned().collect();
            assert!(map.clone().into_iter().eq(tree.clone()));
            let json = format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("\"{k}\": {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let read: SortedMap<String, u32> = serde_json::from_str(&json).unwrap();
            assert!(read.into_iter().eq(tree));
        }
    }

    #[test]
    fn refuses_what_a_btree_map_refused_with_its_words() {
        for json in [r#"[1, 2]"#, r#"{"a": "x"}"#, "null"] {
            let map = serde_json::from_str::<SortedMap<String, u32>>(json).unwrap_err();
            let tree = serde_json::from_str::<BTreeMap<String, u32>>(json).unwrap_err();
            assert_eq!(map.to_string(), tree.to_string());
        }
        let empty: SortedMap<String, u32> = serde_json::from_str("{}").unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn a_string_set_holds_each_string_once_as_a_btree_set_does() {
        use std::collections::BTreeSet;

        use super::StrSet;

        let texts = ["b", "a", "c", "a", "", "b"];
        let set: StrSet = texts.iter().copied().collect();
        let tree: BTreeSet<&str> = texts.iter().copied().collect();
        assert_eq!(set.len(), tree.len());
        let mut grown = StrSet::new();
        let mut grown_tree = BTreeSet::new();
        for text in texts {
            assert_eq!(grown.insert(text), grown_tree.insert(text), "{text}");
        }
        assert_eq!(grown, set);
        for text in ["a", "b", "c", "", "d", "aa"] {
            assert_eq!(set.contains(text), tree.contains(text), "{text}");
            assert_eq!(
                set.place(text),
                tree.iter().position(|t| *t == text),
                "{text}"
            );
        }
        assert_eq!(StrSet::new().len(), 0);
    }
}
