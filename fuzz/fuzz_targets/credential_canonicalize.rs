//! Fuzz target: arbitrary bytes, read as UTF-8 (lossily), into `credential::canonicalize`.
//! Whenever a document canonicalizes, the result must be well formed (sorted, unique
//! `… .\n` lines, the hash of exactly those bytes, the P14 flag equal to a UTF-16 re-sort
//! differing), the same after a JSON re-serialization, and equal to `oxrdf`'s complete
//! RDFC-1.0 without Cairn's first-degree shortcut. Any panic or mismatch is a crash.
#![no_main]

use cairn::credential::canon::{canonicalize_value_full_rdfc, sha256, utf16_sorted};
use cairn::credential::{ContextSet, canonicalize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(canonical) = canonicalize(&text) else {
        return;
    };
    assert_eq!(canonical.hash, sha256(canonical.nquads.as_bytes()));
    let lines: Vec<&str> = canonical.nquads.split_inclusive('\n').collect();
    for line in &lines {
        assert!(line.ends_with(" .\n"), "not an N-Quad line: {line:?}");
    }
    for pair in lines.windows(2) {
        assert!(pair[0] < pair[1], "lines not sorted and unique: {pair:?}");
    }
    assert_eq!(
        canonical.utf16_order_differs,
        utf16_sorted(&canonical.nquads) != canonical.nquads
    );

    let doc: serde_json::Value = serde_json::from_str(&text).expect("canonicalized, so JSON");
    let again = canonicalize(&doc.to_string()).expect("the re-serialized document canonicalizes");
    assert_eq!(again, canonical);
    let full = canonicalize_value_full_rdfc(&doc, ContextSet::pinned())
        .expect("the complete algorithm accepts what the shortcut accepted");
    assert_eq!(
        full.nquads, canonical.nquads,
        "first-degree shortcut differs from RDFC-1.0"
    );
});
