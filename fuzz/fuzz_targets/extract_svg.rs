//! Fuzz target: arbitrary bytes into SVG extraction. Whenever the document scans, baking a
//! credential into it and extracting must give that credential back exactly (or be refused
//! with a namespace error). Any panic or broken round trip is a crash.
#![no_main]

use cairn::credential::bake::{BakeError, MAX_CREDENTIAL_BYTES, bake_svg, extract_svg};
use libfuzzer_sys::fuzz_target;

const CREDENTIAL: &str =
    r#"{"name":"Fuzz ]]> &amp; <svg> ]]]]> ✓","type":["VerifiableCredential"]}"#;

fuzz_target!(|data: &[u8]| {
    match extract_svg(data) {
        Ok(found) => assert!(found.text.len() <= MAX_CREDENTIAL_BYTES),
        Err(BakeError::NoCredential) => {}
        Err(_) => return,
    }
    match bake_svg(data, CREDENTIAL) {
        Ok(baked) => {
            let read = extract_svg(&baked).expect("a baked image reads back");
            assert_eq!(read.text, CREDENTIAL);
            // Baking is idempotent in what it reads back.
            let again = bake_svg(&baked, CREDENTIAL).expect("a baked image re-bakes");
            assert_eq!(extract_svg(&again).expect("reads back").text, CREDENTIAL);
        }
        Err(
            BakeError::ImageTooLarge { .. }
            | BakeError::SvgPrefixTaken { .. }
            | BakeError::SvgNamespaceConflict,
        ) => {}
        Err(err) => panic!("a document that extracts must bake: {err:?}"),
    }
});
