//! The OIDC third-party login initiation's parameters (`spec/lti.md` §3.1), parsed from the
//! decoded query or form pairs: required parameters present, `target_link_uri` on Cairn's
//! origin (no open redirect), and the registration chosen by `iss` and `client_id`. Pure.

use url::Url;

use super::error::LoginError;
use crate::store::Registration;

/// A login initiation that passed §3.1's checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginRequest {
    /// `iss`: the platform.
    pub iss: String,
    /// `login_hint`, echoed unchanged.
    pub login_hint: String,
    /// `target_link_uri`, on Cairn's origin.
    pub target_link_uri: String,
    /// `lti_message_hint`, echoed byte for byte when sent.
    pub lti_message_hint: Option<String>,
    /// `client_id`, when sent.
    pub client_id: Option<String>,
    /// `lti_deployment_id`, when sent (the launch's `deployment_id` must equal it).
    pub lti_deployment_id: Option<String>,
    /// `lti_storage_target`, when sent (Canvas platform storage).
    pub lti_storage_target: Option<String>,
}

impl LoginRequest {
    /// Reads the decoded `(name, value)` pairs of the GET query or POST form. The first of a
    /// repeated name wins; empty values count as absent; unknown names (`canvas_region`, …)
    /// are ignored. `public_url` is `CAIRN_PUBLIC_URL`: `target_link_uri` must share its origin.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        public_url: &Url,
    ) -> Result<LoginRequest, LoginError> {
        let mut slots: [Option<&str>; 7] = [None; 7];
        const NAMES: [&str; 7] = [
            "iss",
            "login_hint",
            "target_link_uri",
            "lti_message_hint",
            "client_id",
            "lti_deployment_id",
            "lti_storage_target",
        ];
        for (name, value) in pairs {
            if let Some(i) = NAMES.iter().position(|n| *n == name)
                && slots[i].is_none()
                && !value.is_empty()
            {
                slots[i] = Some(value);
            }
        }
        let owned = |i: usize| slots[i].map(str::to_owned);
        let required = |i: usize| owned(i).ok_or(LoginError::MissingParam { param: NAMES[i] });
        let request = LoginRequest {
            iss: required(0)?,
            login_hint: required(1)?,
            target_link_uri: required(2)?,
            lti_message_hint: owned(3),
            client_id: owned(4),
            lti_deployment_id: owned(5),
            lti_storage_target: owned(6),
        };
        let same_origin = Url::parse(&request.target_link_uri)
            .is_ok_and(|t| t.origin() == public_url.origin() && t.username().is_empty());
        if !same_origin {
            return Err(LoginError::TargetLinkUriForeign {
                found: request.target_link_uri,
            });
        }
        Ok(request)
    }

    /// The registration this login is for, among the registrations of `iss`: the one with
    /// `client_id` when sent, else the only one.
    pub fn select_registration<'a>(
        &self,
        candidates: &'a [Registration],
    ) -> Result<&'a Registration, LoginError> {
        let mut of_issuer = candidates.iter().filter(|r| r.fields.issuer == self.iss);
        let found = match &self.client_id {
            Some(client_id) => of_issuer.find(|r| &r.fields.client_id == client_id),
            None => match (of_issuer.next(), of_issuer.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            },
        };
        found.ok_or_else(|| LoginError::UnknownRegistration {
            iss: self.iss.clone(),
            client_id: self.client_id.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const CANVAS: &str = include_str!("../../../../shared/fixtures/lti/login/canvas.json");
    const MOODLE: &str = include_str!("../../../../shared/fixtures/lti/login/moodle41.json");

    fn base() -> Url {
        Url::parse("https://tool.test").unwrap()
    }

    fn params(fixture: &str) -> Vec<(String, String)> {
        let doc: Value = serde_json::from_str(fixture).unwrap();
        // The Moodle file holds one parameter set per message type.
        let set = doc.get("params").unwrap_or(&doc["resource_link"]["params"]);
        set.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let v = if k == "target_link_uri" {
                    "https://tool.test/lti/launch".to_owned()
                } else {
                    v.as_str().unwrap().to_owned()
                };
                (k.clone(), v)
            })
            .collect()
    }

    fn parse(pairs: &[(String, String)]) -> Result<LoginRequest, LoginError> {
        LoginRequest::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), &base())
    }

    #[test]
    fn recorded_logins_parse_and_keep_the_hint_byte_for_byte() {
        let canvas = parse(&params(CANVAS)).unwrap();
        assert_eq!(canvas.client_id.as_deref(), Some("10000000000002"));
        assert_eq!(
            canvas.lti_storage_target.as_deref(),
            Some("post_message_forwarding")
        );
        let doc: Value = serde_json::from_str(CANVAS).unwrap();
        assert_eq!(
            canvas.lti_message_hint.as_deref(),
            doc["params"]["lti_message_hint"].as_str()
        );
        let moodle = parse(&params(MOODLE)).unwrap();
        assert_eq!(moodle.lti_storage_target, None);
        assert!(moodle.lti_message_hint.unwrap().starts_with('{'));
    }

    #[test]
    fn each_required_parameter_missing_or_empty_is_named() {
        for param in ["iss", "login_hint", "target_link_uri"] {
            let mut pairs = params(CANVAS);
            pairs.retain(|(k, _)| k != param);
            assert_eq!(parse(&pairs), Err(LoginError::MissingParam { param }));
            pairs.push((param.to_owned(), String::new()));
            assert_eq!(parse(&pairs), Err(LoginError::MissingParam { param }));
        }
    }

    #[test]
    fn target_link_uri_must_be_on_the_tools_origin() {
        for (uri, ok) in [
            ("https://tool.test/lti/launch?x=1", true),
            ("https://tool.test:443/anything", true),
            ("https://evil.test/phish", false),
            ("http://tool.test/lti/launch", false),
            ("https://tool.test:8443/lti/launch", false),
            ("https://tool.test.evil.test/", false),
            ("https://user@tool.test/", false),
            ("/lti/launch", false),
            ("javascript:alert(1)", false),
        ] {
            let mut pairs = params(CANVAS);
            pairs.retain(|(k, _)| k != "target_link_uri");
            pairs.push(("target_link_uri".into(), uri.into()));
            assert_eq!(parse(&pairs).is_ok(), ok, "{uri}");
            if !ok {
                assert_eq!(
                    parse(&pairs).unwrap_err().code(),
                    "login_target_link_uri_foreign"
                );
            }
        }
    }

    #[test]
    fn registration_is_chosen_by_client_id_or_as_the_only_one() {
        let regs = [
            Registration::example(1, "https://canvas.home.russfeld.me", "10000000000002"),
            Registration::example(2, "https://lms.test", "a"),
            Registration::example(3, "https://lms.test", "b"),
        ];
        let canvas = parse(&params(CANVAS)).unwrap();
        assert_eq!(canvas.select_registration(&regs).unwrap().id, 1);
        let mut no_client = canvas.clone();
        no_client.client_id = None;
        assert_eq!(no_client.select_registration(&regs).unwrap().id, 1);
        let mut wrong = canvas.clone();
        wrong.client_id = Some("20000000000099".into());
        assert_eq!(
            wrong.select_registration(&regs).unwrap_err().code(),
            "login_unknown_registration"
        );
        let mut several = canvas.clone();
        several.iss = "https://lms.test".into();
        several.client_id = None;
        assert!(several.select_registration(&regs).is_err());
        several.client_id = Some("b".into());
        assert_eq!(several.select_registration(&regs).unwrap().id, 3);
    }
}
