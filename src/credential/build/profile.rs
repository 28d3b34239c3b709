//! The issuer side of a credential: the institution's [`IssuerProfile`] and its OB 3.0
//! `Profile` object (`url` always, `email` and `image` when the institution has them,
//! `spec/badges.md` §1.1), the *issuer base* an `https` issuer is hosted under, and the
//! credential `id` made from it (`<issuer base>/credentials/<uuid>`; `urn:uuid:` for
//! `did:key` test issuers). Pure string work: nothing is fetched.

use serde_json::{Map, Value, json};

use crate::credential::error::CredentialError;

/// The issuing institution's profile (`issuer`). Its `id` must be the definition's issuer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssuerProfile {
    /// `https://<tool>/issuers/<institution>` (D3), or `did:key:…` in tests.
    pub id: String,
    /// The institution's name.
    pub name: String,
    /// Its public web site. Required: building refuses a profile without it
    /// ([`CredentialError::FieldMissing`] naming `issuer.url`).
    pub url: Option<String>,
    /// A contact address.
    pub email: Option<String>,
    /// One line about it.
    pub description: Option<String>,
    /// Its logo (https URL or `data:` URI).
    pub image: Option<String>,
}

impl IssuerProfile {
    /// The OB 3.0 `Profile` object: `id`, `type`, `name` (`fallback_name` when the profile's
    /// own is blank), `url`, and `email`, `description`, `image` when present. Refuses a
    /// profile without `url` (badges.md §1.1: "we always add `name`, `url`, `description`";
    /// OB 2.0 exports and backpacks need it), or with a `url`, `email` or `image` that is
    /// not usable.
    pub fn to_json(&self, fallback_name: &str) -> Result<Value, CredentialError> {
        let url = self
            .url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| CredentialError::FieldMissing {
                field: "issuer.url".into(),
                reason: "every issuer profile names the institution's public web site (badges.md §1.1); set IssuerProfile.url".into(),
            })?;
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || oxrdf::NamedNode::new(url).is_err()
        {
            return Err(CredentialError::field(
                "issuer.url",
                format!("\"{url}\" is not an absolute http(s) URL"),
            ));
        }
        let name = if self.name.trim().is_empty() {
            fallback_name
        } else {
            self.name.as_str()
        };
        let mut profile = Map::new();
        profile.insert("id".into(), json!(self.id));
        profile.insert("type".into(), json!(["Profile"]));
        profile.insert("name".into(), json!(name));
        profile.insert("url".into(), json!(url));
        if let Some(e) = self.email.as_deref().filter(|e| !e.trim().is_empty()) {
            let e = e.trim();
            if !e.contains('@') || e.contains(char::is_whitespace) {
                return Err(CredentialError::field(
                    "issuer.email",
                    format!("\"{e}\" is not an email address"),
                ));
            }
            profile.insert("email".into(), json!(e));
        }
        if let Some(d) = self.description.as_deref().filter(|d| !d.trim().is_empty()) {
            profile.insert("description".into(), json!(d));
        }
        if let Some(i) = self.image.as_deref().filter(|i| !i.trim().is_empty()) {
            if oxrdf::NamedNode::new(i).is_err() {
                return Err(CredentialError::field(
                    "issuer.image",
                    "the logo must be an absolute URL or a data: URI",
                ));
            }
            profile.insert("image".into(), json!({"id": i, "type": "Image"}));
        }
        Ok(Value::Object(profile))
    }
}

/// The *issuer base* of an `https` issuer id: the URL prefix the tool hosts the issuer
/// under, where it also serves credential pages. It is the part of the id before its
/// last `/issuers/` path segment when there is one (`https://tool.example/issuers/inst` →
/// `https://tool.example`; `https://host/lti/issuers/inst` → `https://host/lti`), else the
/// id's origin, `https://` + authority (`https://example.ca/nic/issuer` →
/// `https://example.ca`); the same for a loopback `http` id ([`is_loopback_http`]). `None`
/// for other ids (`did:key:…`).
pub fn issuer_base(issuer_id: &str) -> Option<String> {
    let (scheme, rest) = match issuer_id.strip_prefix("https://") {
        Some(rest) => ("https://", rest),
        None if is_loopback_http(issuer_id) => ("http://", &issuer_id["http://".len()..]),
        None => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.is_empty() {
        return None;
    }
    let path = &rest[end..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let prefix = match path.rfind("/issuers/") {
        Some(i) => &path[..i],
        None => "",
    };
    Some(format!("{scheme}{authority}{prefix}"))
}

/// Whether `url` is on a loopback `http` origin (`http://localhost`, `http://127.0.0.1`, any
/// port): a development server (the demo) issues there, as the server's public URL rule
/// allows; such a credential is only ever seen on the machine that issued it.
pub fn is_loopback_http(url: &str) -> bool {
    ["http://localhost", "http://127.0.0.1"]
        .iter()
        .any(|origin| {
            url.strip_prefix(origin)
                .is_some_and(|rest| rest.starts_with(':') || rest.starts_with('/'))
        })
}

/// The credential `id` (`spec/badges.md` §1.1, issue 8): `<issuer base>/credentials/<uuid>`
/// for an `https` issuer, so that backpacks and LinkedIn's "Credential URL" have a page to
/// open (the server serves it); `urn:uuid:<uuid>` for a `did:key` test issuer. `uuid` is
/// bare or `urn:uuid:`-prefixed; it is written in lowercase.
pub fn credential_id(issuer_id: &str, uuid: &str) -> Result<String, CredentialError> {
    let bare = uuid.strip_prefix("urn:uuid:").unwrap_or(uuid);
    let b = bare.as_bytes();
    let ok = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if !ok {
        return Err(CredentialError::field(
            "credential_uuid",
            format!("\"{uuid}\" is not a UUID (the caller draws a version 4 UUID)"),
        ));
    }
    let bare = bare.to_ascii_lowercase();
    if issuer_id.starts_with("did:key:") {
        return Ok(format!("urn:uuid:{bare}"));
    }
    match issuer_base(issuer_id) {
        Some(base) => Ok(format!("{base}/credentials/{bare}")),
        None => Err(CredentialError::field(
            "issuer.id",
            format!(
                "\"{issuer_id}\" is neither an https issuer nor a did:key test issuer, so no credential id can be made for it"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_base_is_the_prefix_before_issuers_or_the_origin() {
        for (id, base) in [
            (
                "https://tool.example/issuers/inst",
                Some("https://tool.example"),
            ),
            (
                "https://host.example/lti/issuers/inst",
                Some("https://host.example/lti"),
            ),
            ("https://example.ca/nic/issuer", Some("https://example.ca")),
            (
                "https://tool.example:8443/issuers/a",
                Some("https://tool.example:8443"),
            ),
            ("https://tool.example", Some("https://tool.example")),
            ("did:key:z6Mk", None),
            ("http://tool.example/issuers/a", None),
            (
                "http://localhost:8080/issuers/a",
                Some("http://localhost:8080"),
            ),
            ("http://localhost.evil.example/issuers/a", None),
        ] {
            assert_eq!(issuer_base(id).as_deref(), base, "{id}");
        }
    }

    #[test]
    fn credential_ids_are_https_urls_for_https_issuers() {
        let uuid = "6C1F4B0E-1D1A-4C8E-9F00-0000000000AA";
        assert_eq!(
            credential_id("https://tool.example/issuers/ce", uuid).as_deref(),
            Ok("https://tool.example/credentials/6c1f4b0e-1d1a-4c8e-9f00-0000000000aa")
        );
        assert_eq!(
            credential_id("did:key:z6MkX", &format!("urn:uuid:{uuid}")).as_deref(),
            Ok("urn:uuid:6c1f4b0e-1d1a-4c8e-9f00-0000000000aa")
        );
        assert!(credential_id("https://tool.example/issuers/ce", "not-a-uuid").is_err());
        assert!(credential_id("did:web:tool.example", uuid).is_err());
    }

    #[test]
    fn a_profile_without_url_is_refused_naming_the_field() {
        let p = IssuerProfile {
            id: "https://tool.example/issuers/ce".into(),
            name: "College".into(),
            ..IssuerProfile::default()
        };
        let err = p.to_json("x").expect_err("no url");
        assert_eq!(err.code(), "field_missing");
        assert!(
            matches!(&err, CredentialError::FieldMissing { field, .. } if field == "issuer.url")
        );
        let with_url = IssuerProfile {
            url: Some("https://college.example".into()),
            email: Some("badges@college.example".into()),
            image: Some("https://college.example/logo.png".into()),
            ..p
        };
        let v = with_url.to_json("x").expect("profile");
        assert_eq!(v["url"], json!("https://college.example"));
        assert_eq!(v["email"], json!("badges@college.example"));
        assert_eq!(v["image"]["type"], json!("Image"));
        assert!(v.get("description").is_none());
    }
}
