//! Fuzz target: the id_token launch checks. The bytes run twice through `peek`,
//! `select_registration` and `verify_token` (one registration, the TEST-ONLY platform JWKS, a
//! fixed instant): once as the whole `id_token` (UTF-8, lossy), once base64url-wrapped as the
//! payload of a token with a well-formed RS256 header. Seeds include tokens really signed with
//! the TEST-ONLY platform key, so mutations reach the claim checks. Any panic is a crash.
#![no_main]

use cairn_lti::launch::{JwkSet, LaunchForm, peek, select_registration, verify_token};
use cairn_lti::store::Registration;
use libfuzzer_sys::fuzz_target;

const JWKS: &str = include_str!("../../../shared/fixtures/lti/keys/test-only-platform.jwks.json");
const NOW: i64 = 1_800_000_000;

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn run(id_token: String, keys: &JwkSet, registrations: &[Registration]) {
    let form = LaunchForm {
        id_token: Some(id_token),
        state: Some("state".into()),
        lti_storage_target: None,
    };
    let Ok(token) = peek(&form) else {
        return;
    };
    let Ok(registration) = select_registration(&token, registrations) else {
        return;
    };
    if let Ok(launch) = verify_token(&token, registration, keys, NOW) {
        // Only a real platform signature gets here; the fuzzer cannot forge one.
        assert!(!launch.claims.sub.is_empty());
        assert!(!launch.claims.nonce.is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    let keys = JwkSet::parse(JWKS.as_bytes()).expect("fixture JWKS");
    let registrations = [Registration::example(1, "https://lms.test", "client")];
    // As given: an arbitrary id_token string.
    run(String::from_utf8_lossy(data).into_owned(), &keys, &registrations);
    // As a payload: a well-formed RS256 header around the bytes, so the later checks see them.
    let header = base64url(br#"{"alg":"RS256","typ":"JWT","kid":"test-only-platform-1"}"#);
    run(format!("{header}.{}.AAAA", base64url(data)), &keys, &registrations);
});
