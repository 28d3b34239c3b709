//! Fuzz target: NRPS membership pages and `Link` headers → `cairn_lti::advantage::nrps`
//! (`parse_page`, `next_link`). An accepted page's members have a non-empty `user_id` and
//! product roles only; a next link is a substring of the header. Any panic is a crash.
#![no_main]

use cairn_lti::advantage::nrps::{next_link, parse_page};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse_page(data) {
        Ok(members) => {
            for member in members {
                assert!(!member.user_id.is_empty());
                assert!(member
                    .roles
                    .iter()
                    .all(|r| ["instructor", "learner", "admin"].contains(&r.as_str())));
            }
        }
        Err(error) => assert!(!error.code().is_empty()),
    }
    if let Ok(header) = std::str::from_utf8(data)
        && let Some(next) = next_link(header)
    {
        assert!(header.contains(&next));
    }
});
