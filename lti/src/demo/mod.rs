//! The built-in demo platform: a small LMS stand-in that launches Cairn through the real
//! LTI 1.3 flow, on another site than the tool (tool on `http://localhost:<port>`, platform
//! on `http://127.0.0.1:<port2>`). A course page with "launch as …" buttons posts the
//! third-party login to the tool's `/lti/login` into a cross-site `<iframe name="cairn">`;
//! `/auth` checks the tool's auth request strictly and answers a form_post of an RS256
//! id_token signed with a key generated at start (`/jwks`). Canvas and Moodle flavours differ
//! as the recorded claim sets do; the Canvas flavour also answers platform storage
//! (`lti.put_data`/`lti.get_data`) in its `post_message_forwarding` frame.
//!
//! It registers itself with the tool through [`register_with_tool`] and, when asked, puts the
//! [`sample`] credential in its courses. For grades it serves
//! real AGS endpoints and a token endpoint ([`services`]) over an in-memory [`gradebook`]
//! (`/gradebook` shows it); Deep Linking ([`deep_linking`]: the instructor's "place an
//! assessment" launch, the verified answer, the placed links' launches) and the NRPS roster
//! ([`roster`]) are served too, and an admin's Dynamic Registration start ([`registration`]);
//! other service URLs answer 501. It knows nothing of Cairn's
//! insides: it verifies the tool's client assertions and Deep Linking answers with the tool's
//! published JWKS.

pub mod auth;
pub mod claims;
pub mod deep_linking;
pub mod gradebook;
pub mod launches;
pub mod pages;
pub mod people;
pub mod registration;
pub mod roster;
mod routes;
pub mod run;
pub mod sample;
mod services;
pub mod signing;

use std::sync::Arc;

use serde_json::Value;
use url::Url;

use crate::admin::{self, AdminError};
use crate::clock::{Clock, SystemClock};
use crate::store::{Deployment, NewRegistration, Registration, Store};
use launches::Launches;
use people::{FLAVOURS, Flavour};
use signing::{PlatformKey, SigningError};

pub use routes::platform_app;

/// Where the two sites are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSettings {
    /// The demo platform's base URL (`http://127.0.0.1:8081`).
    pub platform_url: String,
    /// The tool's public base URL (`http://localhost:8080`).
    pub tool_url: String,
}

/// Why the demo platform could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A configured base URL is not an absolute http(s) URL without query or fragment.
    #[error("{what} {url:?} is not a usable base URL: {reason}")]
    InvalidUrl {
        /// Which setting (`platform URL`, `tool URL`).
        what: &'static str,
        /// The value given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The signing key or a random value could not be made.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// Registering with the tool failed.
    #[error("registering the demo platform with the tool failed: {0}")]
    Register(#[from] AdminError),
}

/// The demo platform: its settings, its signing key and the launches it has offered.
/// Cheap to clone (one `Arc`).
#[derive(Clone, Debug)]
pub struct DemoPlatform {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    platform_url: String,
    tool_url: String,
    tool_origin: String,
    clock: Arc<dyn Clock>,
    key: PlatformKey,
    launches: Launches,
    placed: deep_linking::PlacedLinks,
    gradebook: gradebook::Gradebook,
    registrations: registration::DynamicRegistrations,
    http: reqwest::Client,
    /// The tool's admin token for this run, shown beside the LMS admin's launch.
    admin_token: std::sync::OnceLock<String>,
}

impl DemoPlatform {
    /// Checks the two base URLs and generates the platform's RSA key; time from the system.
    pub fn new(settings: DemoSettings) -> Result<DemoPlatform, DemoError> {
        DemoPlatform::with_clock(settings, Arc::new(SystemClock))
    }

    /// As [`DemoPlatform::new`], with time from `clock` (tests move it).
    pub fn with_clock(
        settings: DemoSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<DemoPlatform, DemoError> {
        let (platform_url, _) = base_url("platform URL", &settings.platform_url)?;
        let (tool_url, tool_origin) = base_url("tool URL", &settings.tool_url)?;
        Ok(DemoPlatform {
            inner: Arc::new(Inner {
                platform_url,
                tool_url,
                tool_origin,
                clock,
                key: PlatformKey::generate()?,
                launches: Launches::new()?,
                placed: deep_linking::PlacedLinks::default(),
                gradebook: gradebook::Gradebook::default(),
                registrations: registration::DynamicRegistrations::default(),
                http: crate::platform::http_client_builder(&settings.platform_url)
                    .no_proxy()
                    .build()
                    .unwrap_or_default(),
                admin_token: std::sync::OnceLock::new(),
            }),
        })
    }

    /// Shows `token` (the tool's admin token of this run) on the course page beside the LMS
    /// admin's launch: the demo platform is the local operator's own page. Only the first
    /// token given is kept; returns whether this one was.
    pub fn show_admin_token(&self, token: &str) -> bool {
        self.inner.admin_token.set(token.to_owned()).is_ok()
    }

    /// The admin token the course page shows, if one was given.
    pub fn admin_token(&self) -> Option<&str> {
        self.inner.admin_token.get().map(String::as_str)
    }

    /// The platform's base URL, no trailing slash.
    pub fn platform_url(&self) -> &str {
        &self.inner.platform_url
    }

    /// The tool's base URL, no trailing slash.
    pub fn tool_url(&self) -> &str {
        &self.inner.tool_url
    }

    /// The gradebook its AGS endpoints keep (shared by clones, kept across server restarts).
    pub fn gradebook(&self) -> &gradebook::Gradebook {
        &self.inner.gradebook
    }

    /// The platform's outbound client (the tool's JWKS).
    fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The course page a person opens (`<platform>/`).
    pub fn course_url(&self) -> String {
        format!("{}/", self.inner.platform_url)
    }

    /// The tool's origin (the only origin framed, posted to, and answered by postMessage).
    pub fn tool_origin(&self) -> &str {
        &self.inner.tool_origin
    }

    /// The tool's login initiation URL (`<tool>/lti/login`).
    pub fn tool_login_url(&self) -> String {
        format!("{}/lti/login", self.inner.tool_url)
    }

    /// The tool's launch URL: `target_link_uri` and the one registered `redirect_uri`.
    pub fn tool_launch_url(&self) -> String {
        format!("{}/lti/launch", self.inner.tool_url)
    }

    /// The tool's JWKS URL (`<tool>/.well-known/jwks.json`): what Deep Linking answers are
    /// verified with.
    pub fn tool_jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.inner.tool_url)
    }

    /// The Dynamic Registration tokens issued and the tools registered with them.
    pub fn registrations(&self) -> &registration::DynamicRegistrations {
        &self.inner.registrations
    }

    /// The links placed by Deep Linking.
    pub fn placed(&self) -> &deep_linking::PlacedLinks {
        &self.inner.placed
    }

    /// The OIDC authentication request URL (`<platform>/auth`).
    pub fn auth_endpoint(&self) -> String {
        format!("{}/auth", self.inner.platform_url)
    }

    /// The platform's JWKS URL (`<platform>/jwks`).
    pub fn jwks_url(&self) -> String {
        format!("{}/jwks", self.inner.platform_url)
    }

    /// The OAuth 2 token URL of a flavour.
    pub fn token_endpoint(&self, flavour: Flavour) -> String {
        match flavour {
            Flavour::Canvas => format!("{}/canvas/login/oauth2/token", self.inner.platform_url),
            Flavour::Moodle => format!("{}/moodle/mod/lti/token.php", self.inner.platform_url),
        }
    }

    /// The platform's public keys: `{"keys": [...]}`.
    pub fn jwks(&self) -> Value {
        self.inner.key.jwks()
    }

    /// The registration an admin would enter in Cairn for `flavour` (http allowed: a demo).
    pub fn registration(&self, flavour: Flavour) -> NewRegistration {
        NewRegistration {
            issuer: flavour.issuer().to_owned(),
            client_id: flavour.client_id().to_owned(),
            auth_endpoint: self.auth_endpoint(),
            token_endpoint: self.token_endpoint(flavour),
            jwks_url: self.jwks_url(),
            client_assertion_audience: None,
            platform_family: flavour.family(),
            auto_register_deployments: false,
            allow_http: true,
        }
    }

    /// Now, by the platform's clock (Unix seconds).
    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    fn key(&self) -> &PlatformKey {
        &self.inner.key
    }

    fn launches(&self) -> &Launches {
        &self.inner.launches
    }
}

/// Registers both flavours with the tool's store through the admin's own functions
/// ([`crate::admin::add_registration`], [`crate::admin::add_deployment`]): one registration per
/// flavour (`(issuer, client_id)` of [`Flavour`]; validated, then updated in place if it
/// exists, since the platform's port and key change per start) and its one deployment
/// (origin `admin`). Returns the rows, Canvas first.
pub async fn register_with_tool(
    store: &dyn Store,
    platform: &DemoPlatform,
    now: i64,
) -> Result<Vec<(Registration, Deployment)>, AdminError> {
    let mut rows = Vec::with_capacity(FLAVOURS.len());
    for flavour in FLAVOURS {
        let wanted = platform.registration(flavour);
        let registration = match admin::add_registration(store, wanted.clone(), now).await {
            Ok(registration) => registration,
            Err(AdminError::RegistrationExists { .. }) => {
                admin::validate_registration(&wanted)?;
                store.update_registration(&wanted).await?
            }
            Err(other) => return Err(other),
        };
        let deployment = admin::add_deployment(
            store,
            &wanted.issuer,
            &wanted.client_id,
            flavour.deployment_id(),
            now,
        )
        .await?;
        rows.push((registration, deployment));
    }
    Ok(rows)
}

/// `text` as a base URL without trailing slash, and its origin.
fn base_url(what: &'static str, text: &str) -> Result<(String, String), DemoError> {
    let invalid = |reason: &str| DemoError::InvalidUrl {
        what,
        url: text.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(text).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must have no query or fragment"));
    }
    let base = url.as_str().trim_end_matches('/').to_owned();
    Ok((base, url.origin().ascii_serialization()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_trimmed_and_checked() {
        assert_eq!(
            base_url("tool URL", "http://localhost:8080/").unwrap(),
            (
                "http://localhost:8080".to_owned(),
                "http://localhost:8080".to_owned()
            )
        );
        assert_eq!(
            base_url("tool URL", "https://tool.test/cairn").unwrap(),
            (
                "https://tool.test/cairn".to_owned(),
                "https://tool.test".to_owned()
            )
        );
        for bad in [
            "localhost:8080",
            "ftp://x.test",
            "http://x.test/?a=1",
            "not a url",
        ] {
            assert!(
                matches!(base_url("tool URL", bad), Err(DemoError::InvalidUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn registrations_point_at_the_platform_and_allow_http() {
        let platform = DemoPlatform::new(DemoSettings {
            platform_url: "http://127.0.0.1:8081".to_owned(),
            tool_url: "http://localhost:8080".to_owned(),
        })
        .unwrap();
        for flavour in FLAVOURS {
            let registration = platform.registration(flavour);
            assert_eq!(registration.auth_endpoint, "http://127.0.0.1:8081/auth");
            assert_eq!(registration.jwks_url, "http://127.0.0.1:8081/jwks");
            assert!(registration.allow_http);
            assert!(!registration.auto_register_deployments);
            assert_eq!(registration.platform_family, flavour.family());
        }
        assert_eq!(
            platform.tool_launch_url(),
            "http://localhost:8080/lti/launch"
        );
        assert_eq!(platform.course_url(), "http://127.0.0.1:8081/");
    }
}
