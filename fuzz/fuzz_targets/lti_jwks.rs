//! Fuzz target: platform JWKS documents → `cairn_lti::launch::JwkSet::parse`. An accepted key
//! must satisfy `spec/lti.md` §6.1 (RSA, 2048–8192 bits, found by its kid); a refused document
//! is a typed error. Any panic is a crash.
#![no_main]

use cairn_lti::launch::JwkSet;
use cairn_lti::launch::jwks::{MAX_JWKS_BYTES, MAX_RSA_BITS, MIN_RSA_BITS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match JwkSet::parse(data) {
        Ok(set) => {
            assert!(data.len() <= MAX_JWKS_BYTES);
            for kid in set.kids() {
                let key = set.get(kid).expect("a listed kid is found");
                assert_eq!(key.kid, kid);
                assert!((MIN_RSA_BITS..=MAX_RSA_BITS).contains(&key.bits()));
                assert!(!key.exponent.is_empty());
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
