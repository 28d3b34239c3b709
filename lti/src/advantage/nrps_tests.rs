//! Unit tests of the NRPS page reader and Link parser against `services/nrps-pages.json`.

use super::*;

const PAGES: &str = include_str!("../../../../shared/fixtures/lti/services/nrps-pages.json");

fn fixture() -> Value {
    serde_json::from_str(PAGES).unwrap()
}

#[test]
fn the_recorded_pages_give_the_expected_roster() {
    let doc = fixture();
    let mut members = Vec::new();
    for page in doc["pages"].as_array().unwrap() {
        let body = page["response"]["body"].to_string();
        members.extend(parse_page(body.as_bytes()).unwrap());
    }
    let expected = doc["expected_roster"].as_array().unwrap();
    assert_eq!(members.len(), expected.len());
    for (member, want) in members.iter().zip(expected) {
        assert_eq!(member.user_id, want["user_id"].as_str().unwrap());
        let roles: Vec<&str> = want["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(member.roles, roles, "{}", member.user_id);
        assert_eq!(member.active(), want["active"].as_bool().unwrap());
        assert_eq!(
            member.test_user,
            want["test_user"].as_bool().unwrap_or(false)
        );
    }
}

#[test]
fn the_next_link_is_followed_verbatim_and_the_last_page_has_none() {
    let doc = fixture();
    let pages = doc["pages"].as_array().unwrap();
    let link = pages[0]["response"]["headers"]["Link"].as_str().unwrap();
    assert_eq!(
        next_link(link).as_deref(),
        pages[1]["request"]["url"].as_str(),
        "mixed case kept, first link skipped"
    );
    assert_eq!(pages[1]["response"]["headers"].get("Link"), None);
}

#[test]
fn link_parsing_follows_rfc_8288() {
    // rel among several relation types, quoted or not, in any order of link-values.
    assert_eq!(
        next_link("<https://a.test/p?x=1,2>; rel=\"prev\", <https://a.test/N>; title=\"a, b\"; rel=\"last next\"")
            .as_deref(),
        Some("https://a.test/N")
    );
    assert_eq!(
        next_link("<https://a.test/n>; rel=next").as_deref(),
        Some("https://a.test/n")
    );
    assert_eq!(next_link("<https://a.test/f>; rel=\"first\""), None);
    assert_eq!(next_link(""), None);
    assert_eq!(next_link("<broken"), None);
}

#[test]
fn rlid_is_added_once_and_the_url_is_otherwise_kept() {
    let doc = fixture();
    let first = doc["pages"][0]["request"]["url"].as_str().unwrap();
    assert_eq!(first_url(first, Some("Ab9")), first, "already names rlid");
    assert_eq!(
        first_url(
            "https://lms.test/api/LTI/Courses/3/Names_And_Roles",
            Some("a b")
        ),
        "https://lms.test/api/LTI/Courses/3/Names_And_Roles?rlid=a+b"
    );
    assert_eq!(
        first_url(
            "https://m.test/mod/lti/services.php/2/memberships?type_id=1",
            Some("7")
        ),
        "https://m.test/mod/lti/services.php/2/memberships?type_id=1&rlid=7"
    );
    assert_eq!(first_url("https://x.test/m", None), "https://x.test/m");
}

#[test]
fn malformed_pages_are_typed_errors() {
    assert_eq!(parse_page(b"[]").unwrap_err().code(), "nrps_malformed_page");
    let no_id = br#"{"members":[{"name":"x"}]}"#;
    assert!(
        matches!(parse_page(no_id), Err(NrpsError::Malformed { reason }) if reason.contains("members[0]"))
    );
}

#[test]
fn the_cached_roster_is_refreshed_after_its_age_limit() {
    assert!(needs_refresh(None, 0));
    assert!(!needs_refresh(
        Some(1_000),
        1_000 + REFRESH_AFTER_SECONDS - 1
    ));
    assert!(needs_refresh(Some(1_000), 1_000 + REFRESH_AFTER_SECONDS));
}
