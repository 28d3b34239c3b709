//! Fuzz target: OIDC login initiation parameters → `cairn_lti::launch::LoginRequest::parse`.
//! The bytes are read as an `application/x-www-form-urlencoded` body (or query string); an
//! accepted request must carry its three required parameters and a `target_link_uri` on the
//! tool's origin, and must route to a registration only by its own `iss`. Any panic is a crash.
#![no_main]

use cairn_lti::launch::LoginRequest;
use cairn_lti::store::Registration;
use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let public_url = Url::parse("https://tool.test").expect("base URL");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(data)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let Ok(request) =
        LoginRequest::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), &public_url)
    else {
        return;
    };
    assert!(!request.iss.is_empty() && !request.login_hint.is_empty());
    let target = Url::parse(&request.target_link_uri).expect("an accepted target parses");
    assert_eq!(target.origin(), public_url.origin());
    let registrations = [
        Registration::example(1, "https://lms.test", "a"),
        Registration::example(2, "https://lms.test", "b"),
        Registration::example(3, "https://other.test", "a"),
    ];
    if let Ok(found) = request.select_registration(&registrations) {
        assert_eq!(found.fields.issuer, request.iss);
        if let Some(client_id) = &request.client_id {
            assert_eq!(&found.fields.client_id, client_id);
        }
    }
});
