//! The demo platform's OIDC authentication endpoint, as a pure check of the tool's auth
//! request (`spec/lti.md` §3.2, `fixtures/lti/login/*.json` `expected_auth_request`), strict
//! the way Moodle's `mod/lti/auth.php` is: a `redirect_uri` that is not exactly the registered
//! one is an error page and nothing is posted anywhere; any other fault is an OIDC error
//! response posted back to the tool. No I/O: the minted hints come in as a lookup.

use super::launches::PendingLaunch;
use super::people::{Flavour, Person, person};

/// Parameters a tool must not forward from the login (`expected_auth_request.must_not_send`).
pub const MUST_NOT_SEND: [&str; 5] = [
    "lti_storage_target",
    "canvas_region",
    "canvas_environment",
    "target_link_uri",
    "iss",
];

/// Fewest base64url characters of a fresh `state` or `nonce` (128 bits).
const MIN_RANDOM_CHARS: usize = 22;

/// An accepted auth request: whom to sign an id_token for, and where to post it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthGrant {
    /// The flavour of the client id.
    pub flavour: Flavour,
    /// The person launching.
    pub person: &'static Person,
    /// The tool's `nonce`, to echo in the id_token.
    pub nonce: String,
    /// The tool's `state`, to post back beside the id_token.
    pub state: String,
    /// Where to post (exactly the registered redirect URI).
    pub redirect_uri: String,
    /// The message the button asked for.
    pub kind: super::launches::LaunchKind,
}

/// A refused auth request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthRefusal {
    /// No trustworthy `redirect_uri` (unknown client or a URI not registered): shown as an
    /// error page, like Moodle's `invalidrequest` exception; nothing is posted.
    Page {
        /// `invalidrequest`.
        code: &'static str,
        /// What was wrong, for the person.
        reason: String,
    },
    /// An OIDC error response (`error`, `error_description`, `state`) posted to the
    /// registered redirect URI.
    Redirect {
        /// The OAuth error code (`invalid_request`, `invalid_scope`,
        /// `unsupported_response_type`, `access_denied`).
        error: &'static str,
        /// What was wrong.
        description: String,
        /// The registered redirect URI.
        redirect_uri: String,
        /// The tool's `state`, if it sent one.
        state: Option<String>,
    },
}

impl AuthRefusal {
    /// The error code, either kind.
    pub fn code(&self) -> &'static str {
        match self {
            AuthRefusal::Page { code, .. } => code,
            AuthRefusal::Redirect { error, .. } => error,
        }
    }
}

/// Checks one auth request. `params` are the query (GET) or form (POST) pairs as sent;
/// `redirect_uri` is the tool's registered launch URL; `find_hint` answers which launch an
/// `lti_message_hint` was minted for (expiry already applied).
pub fn check_auth_request(
    params: &[(String, String)],
    redirect_uri: &str,
    find_hint: impl Fn(&str) -> Option<PendingLaunch>,
) -> Result<AuthGrant, AuthRefusal> {
    let one = |name: &str| -> Vec<&str> {
        params
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    };
    let single = |name: &str| -> Option<&str> {
        match one(name).as_slice() {
            [value] => Some(*value),
            _ => None,
        }
    };
    let page = |reason: String| AuthRefusal::Page {
        code: "invalidrequest",
        reason,
    };

    // Without a known client and its exact redirect URI there is nowhere safe to answer.
    let client_id = single("client_id").unwrap_or_default();
    let Some(flavour) = Flavour::by_client_id(client_id) else {
        return Err(page(format!(
            "client_id {client_id:?} is not a tool registered on this platform"
        )));
    };
    let sent_redirect = single("redirect_uri").unwrap_or_default();
    if sent_redirect != redirect_uri {
        return Err(page(format!(
            "redirect_uri {sent_redirect:?} is not exactly the registered redirection URI {redirect_uri:?}"
        )));
    }

    let state = single("state").map(str::to_owned);
    let refuse = |error: &'static str, description: String| AuthRefusal::Redirect {
        error,
        description,
        redirect_uri: redirect_uri.to_owned(),
        state: state.clone(),
    };

    if let Some((name, _)) = params
        .iter()
        .find(|(name, _)| params.iter().filter(|(other, _)| other == name).count() > 1)
    {
        return Err(refuse(
            "invalid_request",
            format!("{name} is sent more than once"),
        ));
    }
    for name in [
        "scope",
        "response_type",
        "response_mode",
        "prompt",
        "login_hint",
        "lti_message_hint",
        "state",
        "nonce",
    ] {
        if single(name).is_none_or(str::is_empty) {
            return Err(refuse("invalid_request", format!("{name} is missing")));
        }
    }
    let value = |name: &str| single(name).unwrap_or_default();
    if value("scope") != "openid" {
        return Err(refuse(
            "invalid_scope",
            format!("scope is {:?}, not \"openid\"", value("scope")),
        ));
    }
    if value("response_type") != "id_token" {
        return Err(refuse(
            "unsupported_response_type",
            format!(
                "response_type is {:?}, not \"id_token\"",
                value("response_type")
            ),
        ));
    }
    if value("response_mode") != "form_post" {
        return Err(refuse(
            "invalid_request",
            format!(
                "response_mode is {:?}, not \"form_post\"",
                value("response_mode")
            ),
        ));
    }
    if value("prompt") != "none" {
        return Err(refuse(
            "invalid_request",
            format!("prompt is {:?}, not \"none\"", value("prompt")),
        ));
    }
    if let Some(name) = MUST_NOT_SEND.iter().find(|name| !one(name).is_empty()) {
        return Err(refuse(
            "invalid_request",
            format!("{name} belongs to the login initiation and must not be forwarded"),
        ));
    }
    for name in ["state", "nonce"] {
        if !is_fresh_random(value(name)) {
            return Err(refuse(
                "invalid_request",
                format!("{name} is not base64url of at least 128 random bits"),
            ));
        }
    }
    if value("state") == value("nonce") {
        return Err(refuse(
            "invalid_request",
            "state and nonce are the same value".to_owned(),
        ));
    }
    let Some(launch) = find_hint(value("lti_message_hint")).filter(|l| l.flavour == flavour) else {
        return Err(refuse(
            "invalid_request",
            "lti_message_hint is not one this platform sent for this client (echo it byte for byte)"
                .to_owned(),
        ));
    };
    let Some(person) = person(launch.person) else {
        return Err(refuse(
            "invalid_request",
            "lti_message_hint names nobody".to_owned(),
        ));
    };
    if value("login_hint") != person.login_hint(flavour) {
        return Err(refuse(
            "access_denied",
            "login_hint is not the user this launch was started for".to_owned(),
        ));
    }
    Ok(AuthGrant {
        flavour,
        person,
        nonce: value("nonce").to_owned(),
        state: value("state").to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        kind: launch.kind,
    })
}

/// At least 128 bits written in base64url (padding tolerated).
fn is_fresh_random(value: &str) -> bool {
    let trimmed = value.trim_end_matches('=');
    trimmed.len() >= MIN_RANDOM_CHARS
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::people::PEOPLE;

    const REDIRECT: &str = "http://localhost:8080/lti/launch";

    fn good(flavour: Flavour) -> Vec<(String, String)> {
        [
            ("scope", "openid"),
            ("response_type", "id_token"),
            ("response_mode", "form_post"),
            ("prompt", "none"),
            ("client_id", flavour.client_id()),
            ("redirect_uri", REDIRECT),
            ("login_hint", PEOPLE[1].login_hint(flavour)),
            ("lti_message_hint", "hint-1"),
            ("state", "c3RhdGUtc3RhdGUtc3RhdGUtc3RhdGU"),
            ("nonce", "bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2U"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn hints(hint: &str) -> Option<PendingLaunch> {
        (hint == "hint-1").then_some(PendingLaunch {
            flavour: Flavour::Moodle,
            person: 1,
            expires_at: i64::MAX,
            kind: super::super::launches::LaunchKind::ResourceLink,
        })
    }

    fn with(
        mut params: Vec<(String, String)>,
        name: &str,
        value: Option<&str>,
    ) -> Vec<(String, String)> {
        params.retain(|(k, _)| k != name);
        if let Some(value) = value {
            params.push((name.to_owned(), value.to_owned()));
        }
        params
    }

    #[test]
    fn the_expected_request_is_granted() {
        let grant = check_auth_request(&good(Flavour::Moodle), REDIRECT, hints).unwrap();
        assert_eq!(grant.person, &PEOPLE[1]);
        assert_eq!(grant.flavour, Flavour::Moodle);
        assert_eq!(grant.nonce, "bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2U");
    }

    #[test]
    fn each_deviation_has_its_code() {
        let cases: [(&str, Option<&str>, &str); 12] = [
            (
                "redirect_uri",
                Some("http://localhost:8080/lti/launch/"),
                "invalidrequest",
            ),
            ("client_id", Some("someone-else"), "invalidrequest"),
            ("scope", Some("openid profile"), "invalid_scope"),
            ("response_type", Some("code"), "unsupported_response_type"),
            ("response_mode", Some("query"), "invalid_request"),
            ("prompt", None, "invalid_request"),
            ("nonce", None, "invalid_request"),
            ("state", Some("short"), "invalid_request"),
            (
                "iss",
                Some("https://moodle.cairn-demo.invalid"),
                "invalid_request",
            ),
            (
                "lti_storage_target",
                Some("post_message_forwarding"),
                "invalid_request",
            ),
            ("lti_message_hint", Some("hint-2"), "invalid_request"),
            ("login_hint", Some("5"), "access_denied"),
        ];
        for (name, value, code) in cases {
            let params = with(good(Flavour::Moodle), name, value);
            let refusal = check_auth_request(&params, REDIRECT, hints).unwrap_err();
            assert_eq!(refusal.code(), code, "{name} = {value:?}");
        }
    }

    #[test]
    fn a_wrong_redirect_is_never_posted_to() {
        let params = with(
            good(Flavour::Moodle),
            "redirect_uri",
            Some("https://evil.test/"),
        );
        assert!(matches!(
            check_auth_request(&params, REDIRECT, hints),
            Err(AuthRefusal::Page { .. })
        ));
    }

    #[test]
    fn a_hint_of_the_other_flavour_is_refused() {
        let params = with(
            good(Flavour::Canvas),
            "login_hint",
            Some(PEOPLE[1].login_hint(Flavour::Canvas)),
        );
        let refusal = check_auth_request(&params, REDIRECT, hints).unwrap_err();
        assert_eq!(refusal.code(), "invalid_request");
    }

    #[test]
    fn duplicates_and_equal_state_nonce_are_refused() {
        let mut twice = good(Flavour::Moodle);
        twice.push((
            "nonce".to_owned(),
            "bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2V4".to_owned(),
        ));
        assert_eq!(
            check_auth_request(&twice, REDIRECT, hints)
                .unwrap_err()
                .code(),
            "invalid_request"
        );
        let same = with(
            good(Flavour::Moodle),
            "nonce",
            Some("c3RhdGUtc3RhdGUtc3RhdGUtc3RhdGU"),
        );
        assert_eq!(
            check_auth_request(&same, REDIRECT, hints)
                .unwrap_err()
                .code(),
            "invalid_request"
        );
    }
}
