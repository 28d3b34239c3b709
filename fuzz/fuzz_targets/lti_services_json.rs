//! Fuzz target: what an LMS answers to the tool's service calls (`spec/lti.md` §8):
//! token answers → `cairn_lti::advantage::token::parse_token_response`, line item and result
//! containers → the AGS types, `Link` headers → `next_link`, and line item URLs →
//! `service_url`. An accepted token is usable (non-empty, positive lifetime); a next link is a
//! substring of the header; a service URL keeps the line item's query. Any panic is a crash.
#![no_main]

use cairn_lti::advantage::ags_types::{LineItem, ResultItem, next_link, service_url};
use cairn_lti::advantage::token::parse_token_response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let scope = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
    match parse_token_response(data, &[scope], 1_000) {
        Ok(token) => {
            assert!(!token.secret().is_empty());
            assert!(token.expires_at > 1_000);
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    let _ = serde_json::from_slice::<Vec<LineItem>>(data);
    let _ = serde_json::from_slice::<Vec<ResultItem>>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(next) = next_link(text) {
            assert!(text.contains(&next));
        }
        let url = service_url(text, "scores");
        if let Some((_, query)) = text.split_once('#').map_or(text, |(u, _)| u).split_once('?') {
            assert!(url.contains(query));
        }
    }
});
