//! Fuzz target: arbitrary bytes into PNG extraction, as given and with every chunk CRC
//! repaired (so mutations reach the chunk and iTXt parsers). Whenever the image walks,
//! baking a credential into it and extracting must give that credential back exactly.
//! Any panic or broken round trip is a crash.
#![no_main]

use cairn::credential::bake::{BakeError, MAX_CREDENTIAL_BYTES, bake_png, extract_png};
use libfuzzer_sys::fuzz_target;

const CREDENTIAL: &str =
    r#"{"type":["VerifiableCredential","OpenBadgeCredential"],"name":"Fuzz ]]> ✓"}"#;

/// Rewrites the CRC of every complete chunk after the 8-byte signature.
fn repair_crcs(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let mut pos = 8;
    while pos + 12 <= out.len() {
        let len = u32::from_be_bytes([out[pos], out[pos + 1], out[pos + 2], out[pos + 3]]) as usize;
        let Some(crc_at) = pos.checked_add(8).and_then(|p| p.checked_add(len)) else {
            break;
        };
        if crc_at + 4 > out.len() {
            break;
        }
        let crc = crc32fast::hash(&out[pos + 4..crc_at]);
        out[crc_at..crc_at + 4].copy_from_slice(&crc.to_be_bytes());
        pos = crc_at + 4;
    }
    out
}

fn check(image: &[u8]) {
    match extract_png(image) {
        Ok(found) => assert!(found.text.len() <= MAX_CREDENTIAL_BYTES),
        Err(BakeError::NoCredential) => {}
        Err(_) => {
            // Refused for its structure or for its old credential: baking may still work
            // (it drops the old credential); if it does, the new one must read back.
            if let Ok(baked) = bake_png(image, CREDENTIAL) {
                assert_eq!(
                    extract_png(&baked).expect("baked image reads").text,
                    CREDENTIAL
                );
            }
            return;
        }
    }
    match bake_png(image, CREDENTIAL) {
        Ok(baked) => {
            let read = extract_png(&baked).expect("a baked image reads back");
            assert_eq!(read.text, CREDENTIAL);
        }
        Err(BakeError::ImageTooLarge { .. }) => {}
        Err(err) => panic!("an image that extracts must bake: {err:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    check(&repair_crcs(data));
});
