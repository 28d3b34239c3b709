//! What an administrator does to registrations and deployments, once, for every door: the
//! `registration`/`deployment` subcommands, the admin API and the demo platform all call these
//! functions. Validation lives here (URLs are https unless the registration allows http);
//! the caller passes `now`. No HTTP and no printing.

use serde::{Deserialize, Serialize};

use crate::store::{
    Deployment, DeploymentOrigin, NewRegistration, PlatformFamily, Registration, Store, StoreError,
};

/// Why an admin action was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A required field is empty or has surrounding whitespace.
    #[error("{field} must be a non-empty value without surrounding spaces (got {value:?})")]
    InvalidField {
        /// The field's name (`client_id`, `deployment_id`, …).
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// A URL field is not an acceptable absolute URL.
    #[error("{field} {value:?} is not acceptable: {reason}")]
    InvalidUrl {
        /// The field's name (`issuer`, `auth_endpoint`, …).
        field: &'static str,
        /// The value given.
        value: String,
        /// Why.
        reason: String,
    },
    /// `(issuer, client_id)` is registered already.
    #[error("a registration for issuer {issuer:?} and client id {client_id:?} exists already")]
    RegistrationExists {
        /// The platform's `iss`.
        issuer: String,
        /// The client id.
        client_id: String,
    },
    /// No registration `(issuer, client_id)`.
    #[error("no registration for issuer {issuer:?} and client id {client_id:?}")]
    UnknownRegistration {
        /// The platform's `iss`.
        issuer: String,
        /// The client id.
        client_id: String,
    },
    /// No such deployment under the registration.
    #[error("no deployment {deployment_id:?} under issuer {issuer:?} and client id {client_id:?}")]
    UnknownDeployment {
        /// The platform's `iss`.
        issuer: String,
        /// The client id.
        client_id: String,
        /// The deployment id.
        deployment_id: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AdminError {
    /// The stable code of the admin API.
    pub fn code(&self) -> &'static str {
        match self {
            AdminError::InvalidField { .. } => "invalid_field",
            AdminError::InvalidUrl { .. } => "invalid_url",
            AdminError::RegistrationExists { .. } => "registration_exists",
            AdminError::UnknownRegistration { .. } => "unknown_registration",
            AdminError::UnknownDeployment { .. } => "unknown_deployment",
            AdminError::Store(_) => "internal_error",
        }
    }
}

/// A registration as an admin enters it (CLI flags or the admin API's JSON body), with the
/// defaults of `spec/lti.md` §2: family `other`, no auto-registered deployments, https only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// The platform's `iss`.
    pub issuer: String,
    /// The client id the platform gave Cairn.
    pub client_id: String,
    /// The platform's OIDC authentication request URL.
    pub auth_endpoint: String,
    /// The platform's OAuth 2 token URL.
    pub token_endpoint: String,
    /// The platform's JWKS URL.
    pub jwks_url: String,
    /// The client assertion's `aud`, when it is not the token URL.
    #[serde(default)]
    pub client_assertion_audience: Option<String>,
    /// Which LMS this is.
    #[serde(default = "other_family")]
    pub platform_family: PlatformFamily,
    /// Whether a launch from an unknown deployment creates it.
    #[serde(default)]
    pub auto_register_deployments: bool,
    /// Whether `http://` URLs are accepted (tests and demos only).
    #[serde(default)]
    pub allow_http: bool,
}

fn other_family() -> PlatformFamily {
    PlatformFamily::Other
}

impl From<RegistrationInput> for NewRegistration {
    fn from(input: RegistrationInput) -> NewRegistration {
        NewRegistration {
            issuer: input.issuer,
            client_id: input.client_id,
            auth_endpoint: input.auth_endpoint,
            token_endpoint: input.token_endpoint,
            jwks_url: input.jwks_url,
            client_assertion_audience: input.client_assertion_audience,
            platform_family: input.platform_family,
            auto_register_deployments: input.auto_register_deployments,
            allow_http: input.allow_http,
        }
    }
}

/// Checks a registration: non-empty ids; issuer and endpoint URLs absolute with a host, no
/// fragment, https unless `allow_http`. The issuer is kept byte for byte (it is compared
/// exactly with `iss`), so it is checked, never rewritten.
pub fn validate_registration(registration: &NewRegistration) -> Result<(), AdminError> {
    let http = registration.allow_http;
    check_url("issuer", &registration.issuer, http)?;
    check_field("client_id", &registration.client_id)?;
    check_url("auth_endpoint", &registration.auth_endpoint, http)?;
    check_url("token_endpoint", &registration.token_endpoint, http)?;
    check_url("jwks_url", &registration.jwks_url, http)?;
    if let Some(audience) = &registration.client_assertion_audience {
        check_field("client_assertion_audience", audience)?;
    }
    Ok(())
}

fn check_field(field: &'static str, value: &str) -> Result<(), AdminError> {
    if value.is_empty() || value.trim() != value || value.len() > 1024 {
        return Err(AdminError::InvalidField {
            field,
            value: value.to_owned(),
        });
    }
    Ok(())
}

fn check_url(field: &'static str, value: &str, allow_http: bool) -> Result<(), AdminError> {
    let refuse = |reason: &str| AdminError::InvalidUrl {
        field,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    check_field(field, value).map_err(|_| refuse("it is empty or has surrounding spaces"))?;
    let url = url::Url::parse(value).map_err(|err| refuse(&format!("not a URL ({err})")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => return Err(refuse("http:// needs allow_http (tests and demos only)")),
        _ => return Err(refuse("the scheme must be https")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("it has no host"));
    }
    if url.fragment().is_some() {
        return Err(refuse("it must not have a #fragment"));
    }
    Ok(())
}

/// Validates and stores a registration.
pub async fn add_registration(
    store: &dyn Store,
    registration: NewRegistration,
    now: i64,
) -> Result<Registration, AdminError> {
    validate_registration(&registration)?;
    match store.add_registration(&registration, now).await {
        Err(StoreError::AlreadyExists(_)) => Err(AdminError::RegistrationExists {
            issuer: registration.issuer,
            client_id: registration.client_id,
        }),
        other => Ok(other?),
    }
}

/// Every registration, ordered by id.
pub async fn registrations(store: &dyn Store) -> Result<Vec<Registration>, AdminError> {
    Ok(store.registrations().await?)
}

/// Removes a registration and everything scoped to it.
pub async fn remove_registration(
    store: &dyn Store,
    issuer: &str,
    client_id: &str,
) -> Result<(), AdminError> {
    if store.remove_registration(issuer, client_id).await? {
        Ok(())
    } else {
        Err(unknown_registration(issuer, client_id))
    }
}

/// The registration `(issuer, client_id)`, or [`AdminError::UnknownRegistration`].
pub async fn find_registration(
    store: &dyn Store,
    issuer: &str,
    client_id: &str,
) -> Result<Registration, AdminError> {
    store
        .registration(issuer, client_id)
        .await?
        .ok_or_else(|| unknown_registration(issuer, client_id))
}

fn unknown_registration(issuer: &str, client_id: &str) -> AdminError {
    AdminError::UnknownRegistration {
        issuer: issuer.to_owned(),
        client_id: client_id.to_owned(),
    }
}

/// Adds a deployment (origin `admin`) to the registration `(issuer, client_id)`; adding one
/// that exists keeps it as it is.
pub async fn add_deployment(
    store: &dyn Store,
    issuer: &str,
    client_id: &str,
    deployment_id: &str,
    now: i64,
) -> Result<Deployment, AdminError> {
    check_field("deployment_id", deployment_id)?;
    let registration = find_registration(store, issuer, client_id).await?;
    Ok(store
        .add_deployment(registration.id, deployment_id, DeploymentOrigin::Admin, now)
        .await?)
}

/// The deployments of the registration `(issuer, client_id)`.
pub async fn deployments(
    store: &dyn Store,
    issuer: &str,
    client_id: &str,
) -> Result<Vec<Deployment>, AdminError> {
    let registration = find_registration(store, issuer, client_id).await?;
    Ok(store.deployments(registration.id).await?)
}

/// Removes one deployment of the registration `(issuer, client_id)`.
pub async fn remove_deployment(
    store: &dyn Store,
    issuer: &str,
    client_id: &str,
    deployment_id: &str,
) -> Result<(), AdminError> {
    let registration = find_registration(store, issuer, client_id).await?;
    if store
        .remove_deployment(registration.id, deployment_id)
        .await?
    {
        Ok(())
    } else {
        Err(AdminError::UnknownDeployment {
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            deployment_id: deployment_id.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canvas() -> NewRegistration {
        NewRegistration {
            issuer: "https://canvas.instructure.com".to_owned(),
            client_id: "10000000000001".to_owned(),
            auth_endpoint: "https://sso.canvaslms.com/api/lti/authorize_redirect".to_owned(),
            token_endpoint: "https://sso.canvaslms.com/login/oauth2/token".to_owned(),
            jwks_url: "https://sso.canvaslms.com/api/lti/security/jwks".to_owned(),
            client_assertion_audience: None,
            platform_family: PlatformFamily::Canvas,
            auto_register_deployments: false,
            allow_http: false,
        }
    }

    #[test]
    fn https_registration_is_valid() {
        assert!(validate_registration(&canvas()).is_ok());
    }

    #[test]
    fn http_needs_allow_http() {
        let mut registration = canvas();
        registration.jwks_url = "http://127.0.0.1:9000/jwks".to_owned();
        let err = validate_registration(&registration).expect_err("http refused");
        assert!(
            matches!(
                err,
                AdminError::InvalidUrl {
                    field: "jwks_url",
                    ..
                }
            ),
            "{err}"
        );
        registration.allow_http = true;
        assert!(validate_registration(&registration).is_ok());
    }

    #[test]
    fn bad_fields_name_the_field() {
        type Spoil = fn(&mut NewRegistration);
        let cases: [(&str, Spoil); 5] = [
            ("issuer", |r| r.issuer = "canvas.instructure.com".to_owned()),
            ("client_id", |r| r.client_id = " 1".to_owned()),
            ("auth_endpoint", |r| {
                r.auth_endpoint = "javascript:alert(1)".to_owned()
            }),
            ("token_endpoint", |r| {
                r.token_endpoint = "https://x.test/t#f".to_owned()
            }),
            ("client_assertion_audience", |r| {
                r.client_assertion_audience = Some(String::new())
            }),
        ];
        for (field, spoil) in cases {
            let mut registration = canvas();
            spoil(&mut registration);
            let err = validate_registration(&registration).expect_err(field);
            let named = match &err {
                AdminError::InvalidUrl { field, .. } | AdminError::InvalidField { field, .. } => {
                    *field
                }
                _ => "",
            };
            assert_eq!(named, field, "{err}");
        }
    }

    #[test]
    fn input_defaults_follow_the_spec() {
        let input: RegistrationInput = serde_json::from_str(
            r#"{"issuer":"https://p.test","client_id":"c","auth_endpoint":"https://p.test/a",
                "token_endpoint":"https://p.test/t","jwks_url":"https://p.test/j"}"#,
        )
        .expect("minimal input");
        let registration = NewRegistration::from(input);
        assert_eq!(registration.platform_family, PlatformFamily::Other);
        assert!(!registration.auto_register_deployments);
        assert!(!registration.allow_http);
        assert!(
            serde_json::from_str::<RegistrationInput>(r#"{"issuer":"x","surprise":1}"#).is_err()
        );
    }
}
