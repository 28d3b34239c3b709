//! Fuzz target: arbitrary bytes into the CASE package importer, strict and lenient. Any
//! panic, overflow or broken tree invariant is a crash, and so is an accepted package whose
//! export (REQ-LMS-09) does not import back to the same framework.
#![no_main]

use cairn::case::{Conformance, ImportOptions, import, import_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for conformance in [Conformance::Auto, Conformance::Lenient, Conformance::Strict] {
        let options = ImportOptions {
            conformance,
            ..ImportOptions::default()
        };
        let Ok(framework) = import_with(text, &options) else {
            continue;
        };
        // Tree invariants: parents come first, depth is parent depth + 1.
        for (pos, item) in framework.items.iter().enumerate() {
            match &item.parent {
                None => assert_eq!(item.depth, 1),
                Some(parent) => {
                    let ppos = framework.items.iter().position(|i| i.id == *parent);
                    let ppos = ppos.expect("a parent is an imported item");
                    assert!(ppos < pos, "parent listed after its child");
                    assert_eq!(item.depth, framework.items[ppos].depth + 1);
                }
            }
        }
        serde_json::to_string(&framework).expect("a framework serializes");
        let lenient = ImportOptions {
            conformance: Conformance::Lenient,
            ..options
        };
        let again = import_with(&cairn::case::export(&framework).to_string(), &lenient)
            .expect("an exported framework imports");
        assert_eq!(again.items, framework.items, "export round trip: items");
        assert_eq!(again.associations, framework.associations, "export round trip");
    }
    // The default entry point agrees with Auto.
    let _ = import(text);
});
