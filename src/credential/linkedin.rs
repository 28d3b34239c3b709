//! LinkedIn "Add to Profile" for certifications: the URL that opens LinkedIn's "Add license
//! or certification" form pre-filled with a credential. A pure function of its parameters;
//! nothing is sent anywhere. LinkedIn's documented parameters
//! (`https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&…`):
//!
//! | parameter | value |
//! |---|---|
//! | `startTask` | `CERTIFICATION_NAME` (the certification form) |
//! | `name` | the certification's name |
//! | `organizationId` or `organizationName` | the issuer's LinkedIn company id (numeric), or its name when it has none |
//! | `issueYear`, `issueMonth` | when it was issued (month 1–12) |
//! | `expirationYear`, `expirationMonth` | when it expires, if it does |
//! | `certUrl` | the public credential page (the credential `id` of an `https` issuer) |
//! | `certId` | the credential id shown to people |
//!
//! Values are percent-encoded as JavaScript's `encodeURIComponent` does (UTF-8, every byte
//! outside `A–Z a–z 0–9 - _ . ! ~ * ' ( )` as `%XX`), so a space is `%20`.

use crate::time::Timestamp;

/// LinkedIn's add-to-profile endpoint.
pub const ADD_TO_PROFILE: &str = "https://www.linkedin.com/profile/add";

/// Who issued the certification, as LinkedIn knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Organization {
    /// The organisation's LinkedIn company id (links the certification to its page).
    Id(u64),
    /// Its name, when it has no LinkedIn page.
    Name(String),
}

/// What the add-to-profile link pre-fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    /// The certification's name (the achievement name).
    pub name: String,
    /// The issuer.
    pub organization: Organization,
    /// Issue time (`validFrom`): year and month are used.
    pub issued: Timestamp,
    /// Expiry (`validUntil`), if any: year and month are used.
    pub expires: Option<Timestamp>,
    /// The public page of the credential.
    pub url: Option<String>,
    /// The credential id shown to people.
    pub id: Option<String>,
}

/// Percent-encodes like `encodeURIComponent`.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The year and month (1–12) of an instant, from its `YYYY-MM-…` form.
fn year_month(t: Timestamp) -> (String, String) {
    let text = t.to_string();
    let year = text.get(0..4).unwrap_or("").to_owned();
    let month = text
        .get(5..7)
        .and_then(|m| m.parse::<u8>().ok())
        .map_or_else(String::new, |m| m.to_string());
    (year, month)
}

/// The add-to-profile URL for a certification: parameters in the order of the table above,
/// absent ones left out.
pub fn add_to_profile_url(cert: &Certification) -> String {
    let mut params: Vec<(&str, String)> = vec![
        ("startTask", "CERTIFICATION_NAME".to_owned()),
        ("name", cert.name.trim().to_owned()),
    ];
    match &cert.organization {
        Organization::Id(id) => params.push(("organizationId", id.to_string())),
        Organization::Name(name) => params.push(("organizationName", name.trim().to_owned())),
    }
    let (year, month) = year_month(cert.issued);
    params.push(("issueYear", year));
    params.push(("issueMonth", month));
    if let Some(expires) = cert.expires {
        let (year, month) = year_month(expires);
        params.push(("expirationYear", year));
        params.push(("expirationMonth", month));
    }
    if let Some(url) = &cert.url {
        params.push(("certUrl", url.clone()));
    }
    if let Some(id) = &cert.id {
        params.push(("certId", id.clone()));
    }
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    format!("{ADD_TO_PROFILE}?{}", query.join("&"))
}
