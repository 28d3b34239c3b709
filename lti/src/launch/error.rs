//! The errors of login and launch: one [`LaunchError`] variant per code of `spec/lti.md` §4 and
//! one [`LoginError`] variant per login code of §3.1, each with its stable code, its HTTP status
//! and the two plain-language texts of the error page. Never carries a token or a key.

use axum::http::StatusCode;

/// Why a launch (`POST /lti/launch`) was refused, in the order of `spec/lti.md` §4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
    /// 1: the form lacks `id_token` or `state`.
    #[error("the launch form lacks {field}")]
    MalformedRequest {
        /// The missing form field.
        field: &'static str,
    },
    /// 2: the `id_token` is not a compact JWS with JSON header and payload.
    #[error("the id_token is not a compact JWS: {reason}")]
    MalformedJwt {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// 3: the header's `alg` is not `RS256`.
    #[error("the id_token is signed with {alg:?}; only RS256 is accepted")]
    UnsupportedAlg {
        /// The header's `alg` (empty when absent).
        alg: String,
    },
    /// 4: the header has no `kid`.
    #[error("the id_token header has no kid")]
    MissingKid,
    /// 5: no registration for the unverified `iss` and `aud`.
    #[error("no registration for iss {iss:?} and aud {aud:?}")]
    UnknownRegistration {
        /// The unverified `iss` (empty when absent).
        iss: String,
        /// The unverified `aud` entries.
        aud: Vec<String>,
    },
    /// 5b: `azp` names another party, or several audiences and no `azp`.
    #[error("azp does not name this tool's client_id")]
    AzpMismatch,
    /// 6: the header's `kid` is not in the registration's JWKS.
    #[error("kid {kid:?} is not in the platform's key set")]
    UnknownKid {
        /// The header's `kid`.
        kid: String,
    },
    /// 7: the RS256 signature does not verify with the platform's key.
    #[error("the id_token signature does not verify with the platform's key {kid:?}")]
    BadSignature {
        /// The key that was tried.
        kid: String,
    },
    /// 8: `exp` or `iat` is absent or not an integer.
    #[error("exp and iat must be present integers")]
    InvalidTimestamps,
    /// 8b: `exp` is past (beyond the leeway).
    #[error("the id_token expired at {exp} (now {now})")]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The tool's clock.
        now: i64,
    },
    /// 8c: `iat` is in the future (beyond the leeway).
    #[error("the id_token was issued at {iat}, after now ({now})")]
    IatInFuture {
        /// The token's `iat`.
        iat: i64,
        /// The tool's clock.
        now: i64,
    },
    /// 8d: `iat` is older than the maximum token age.
    #[error("the id_token was issued at {iat}, more than the maximum age before now ({now})")]
    TokenTooOld {
        /// The token's `iat`.
        iat: i64,
        /// The tool's clock.
        now: i64,
    },
    /// 9: no `lti:version` claim.
    #[error("the LTI version claim is missing")]
    MissingVersion,
    /// 9: `lti:version` is not `1.3.0`.
    #[error("LTI version {found:?} is not 1.3.0")]
    WrongVersion {
        /// The version sent.
        found: String,
    },
    /// 10: no `lti:message_type` claim.
    #[error("the LTI message_type claim is missing")]
    MissingMessageType,
    /// 10: a message type other than a resource link or deep linking request.
    #[error("message type {found:?} is not accepted at the launch URL")]
    UnsupportedMessageType {
        /// The message type sent.
        found: String,
    },
    /// 11: no `lti:roles` array.
    #[error("the LTI roles claim is missing or not an array")]
    MissingRoles,
    /// 12: `sub` absent, empty, not a string or longer than 255 characters.
    #[error("sub is missing, empty or too long")]
    MissingSub,
    /// 13: no `nonce` claim.
    #[error("the nonce claim is missing")]
    MissingNonce,
    /// 13: the nonce was used already.
    #[error("the nonce was used already (a replayed launch)")]
    NonceReused,
    /// 14: no `lti:deployment_id` (or longer than 255 characters).
    #[error("the deployment_id claim is missing or too long")]
    MissingDeploymentId,
    /// 14: the deployment is not known for this registration.
    #[error("deployment {deployment_id:?} is not registered")]
    UnknownDeployment {
        /// The deployment id sent.
        deployment_id: String,
    },
    /// 15: a resource link launch without `lti:resource_link.id`.
    #[error("the resource_link claim has no id")]
    MissingResourceLinkId,
    /// 15b: no `lti:target_link_uri`.
    #[error("the target_link_uri claim is missing")]
    MissingTargetLinkUri,
    /// 15b: `lti:target_link_uri` is not this tool's launch URL.
    #[error("target_link_uri {found:?} is not this tool's launch URL")]
    TargetLinkUriMismatch {
        /// The URI sent.
        found: String,
    },
    /// 15c: deep linking settings missing or incomplete.
    #[error("the deep linking settings are invalid: {reason}")]
    InvalidDeepLinkingSettings {
        /// What is missing or wrong.
        reason: &'static str,
    },
    /// 16: no unused login state for the form's `state`.
    #[error("the state was not issued by this tool or was used already")]
    StateUnknown,
    /// 16: the login state is older than its TTL.
    #[error("the login state expired")]
    StateExpired,
    /// 16b: the token's nonce is not the login's nonce.
    #[error("the id_token nonce is not the one this login sent")]
    NonceMismatch,
    /// 16c: the login was for another registration or deployment.
    #[error("the login was made for another registration or deployment")]
    LoginMismatch,
    /// 16d: the browser's state cookie holds another value.
    #[error("the state cookie does not match the state")]
    StateMismatch,
}

impl LaunchError {
    /// The stable code of `spec/lti.md` §4, shown on the error page and in logs.
    pub fn code(&self) -> &'static str {
        match self {
            LaunchError::MalformedRequest { .. } => "malformed_request",
            LaunchError::MalformedJwt { .. } => "malformed_jwt",
            LaunchError::UnsupportedAlg { .. } => "unsupported_alg",
            LaunchError::MissingKid => "missing_kid",
            LaunchError::UnknownRegistration { .. } => "unknown_registration",
            LaunchError::AzpMismatch => "azp_mismatch",
            LaunchError::UnknownKid { .. } => "unknown_kid",
            LaunchError::BadSignature { .. } => "bad_signature",
            LaunchError::InvalidTimestamps => "invalid_timestamps",
            LaunchError::Expired { .. } => "expired",
            LaunchError::IatInFuture { .. } => "iat_in_future",
            LaunchError::TokenTooOld { .. } => "token_too_old",
            LaunchError::MissingVersion => "missing_version",
            LaunchError::WrongVersion { .. } => "wrong_version",
            LaunchError::MissingMessageType => "missing_message_type",
            LaunchError::UnsupportedMessageType { .. } => "unsupported_message_type",
            LaunchError::MissingRoles => "missing_roles",
            LaunchError::MissingSub => "missing_sub",
            LaunchError::MissingNonce => "missing_nonce",
            LaunchError::NonceReused => "nonce_reused",
            LaunchError::MissingDeploymentId => "missing_deployment_id",
            LaunchError::UnknownDeployment { .. } => "unknown_deployment",
            LaunchError::MissingResourceLinkId => "missing_resource_link_id",
            LaunchError::MissingTargetLinkUri => "missing_target_link_uri",
            LaunchError::TargetLinkUriMismatch { .. } => "target_link_uri_mismatch",
            LaunchError::InvalidDeepLinkingSettings { .. } => "invalid_deep_linking_settings",
            LaunchError::StateUnknown => "state_unknown",
            LaunchError::StateExpired => "state_expired",
            LaunchError::NonceMismatch => "nonce_mismatch",
            LaunchError::LoginMismatch => "login_mismatch",
            LaunchError::StateMismatch => "state_mismatch",
        }
    }

    /// The HTTP status of `spec/lti.md` §4.
    pub fn status(&self) -> StatusCode {
        match self {
            LaunchError::MalformedRequest { .. }
            | LaunchError::MalformedJwt { .. }
            | LaunchError::MissingVersion
            | LaunchError::WrongVersion { .. }
            | LaunchError::MissingMessageType
            | LaunchError::UnsupportedMessageType { .. }
            | LaunchError::MissingRoles
            | LaunchError::MissingSub
            | LaunchError::MissingDeploymentId
            | LaunchError::MissingResourceLinkId
            | LaunchError::MissingTargetLinkUri
            | LaunchError::TargetLinkUriMismatch { .. }
            | LaunchError::InvalidDeepLinkingSettings { .. } => StatusCode::BAD_REQUEST,
            LaunchError::UnknownDeployment { .. } => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// What happened, for the person who clicked the link (error page, plain words).
    pub fn what_happened(&self) -> &'static str {
        match self {
            LaunchError::MalformedRequest { .. } | LaunchError::MalformedJwt { .. } => {
                "Your course site sent Cairn an incomplete or damaged launch request, so Cairn could not open."
            }
            LaunchError::UnsupportedAlg { .. }
            | LaunchError::MissingKid
            | LaunchError::UnknownKid { .. }
            | LaunchError::BadSignature { .. } => {
                "Cairn could not confirm that the launch really came from your course site, so it did not open."
            }
            LaunchError::UnknownRegistration { .. } | LaunchError::AzpMismatch => {
                "Your course site is not set up to use Cairn yet, so Cairn could not open."
            }
            LaunchError::InvalidTimestamps
            | LaunchError::Expired { .. }
            | LaunchError::IatInFuture { .. }
            | LaunchError::TokenTooOld { .. }
            | LaunchError::StateExpired => {
                "The launch took too long or the clocks disagree, so Cairn refused it. Go back to your course and open Cairn again."
            }
            LaunchError::MissingVersion
            | LaunchError::WrongVersion { .. }
            | LaunchError::MissingMessageType
            | LaunchError::UnsupportedMessageType { .. }
            | LaunchError::MissingRoles
            | LaunchError::MissingSub
            | LaunchError::MissingResourceLinkId
            | LaunchError::MissingTargetLinkUri
            | LaunchError::TargetLinkUriMismatch { .. }
            | LaunchError::InvalidDeepLinkingSettings { .. } => {
                "Your course site sent a launch that is missing information Cairn needs, so Cairn could not open."
            }
            LaunchError::MissingNonce | LaunchError::NonceReused => {
                "This launch was already used once. Go back to your course and open Cairn again."
            }
            LaunchError::MissingDeploymentId | LaunchError::UnknownDeployment { .. } => {
                "Cairn is not enabled for this course or account yet, so it could not open."
            }
            LaunchError::StateUnknown
            | LaunchError::NonceMismatch
            | LaunchError::LoginMismatch
            | LaunchError::StateMismatch => {
                "Cairn could not match this launch to the sign-in that started it. Go back to your course and open Cairn again."
            }
        }
    }

    /// What to tell the admin (error page, plain words; the code is shown beside it).
    pub fn what_to_tell_the_admin(&self) -> &'static str {
        match self {
            LaunchError::MalformedRequest { .. } | LaunchError::MalformedJwt { .. } => {
                "The platform posted a launch without a valid id_token and state to /lti/launch. Check that the tool's redirect URI is Cairn's /lti/launch and that nothing between the platform and Cairn rewrites the form."
            }
            LaunchError::UnsupportedAlg { .. } => {
                "The platform signed the id_token with an algorithm other than RS256. LTI 1.3 requires RS256; check the platform's key settings."
            }
            LaunchError::MissingKid | LaunchError::UnknownKid { .. } => {
                "The id_token names a signing key that is not in the platform's public key set registered in Cairn. Check the registration's JWKS URL; if the platform rotated its keys, launch again."
            }
            LaunchError::BadSignature { .. } => {
                "The id_token signature does not verify with the platform's public key. Check that the registration's JWKS URL belongs to this platform."
            }
            LaunchError::UnknownRegistration { .. } => {
                "No Cairn registration matches the launch's issuer (iss) and client id (aud). Add the registration with `cairn-lti registration add`, with the exact issuer and client id the platform shows."
            }
            LaunchError::AzpMismatch => {
                "The id_token's authorized party (azp) is not Cairn's client id. Check the client id in the platform's tool settings and in Cairn's registration."
            }
            LaunchError::InvalidTimestamps
            | LaunchError::Expired { .. }
            | LaunchError::IatInFuture { .. }
            | LaunchError::TokenTooOld { .. } => {
                "The id_token's times (iat, exp) are missing or outside Cairn's limits. Check that the platform's and Cairn's server clocks are synchronised (NTP)."
            }
            LaunchError::MissingVersion | LaunchError::WrongVersion { .. } => {
                "The launch is not an LTI 1.3.0 message. Configure the tool as LTI 1.3 on the platform."
            }
            LaunchError::MissingMessageType | LaunchError::UnsupportedMessageType { .. } => {
                "The launch's message type is not a resource link or deep linking request. Point only launches and content selection at Cairn's /lti/launch."
            }
            LaunchError::MissingRoles | LaunchError::MissingSub => {
                "The launch carries no user or no roles claim. Cairn needs the user id (sub) and the roles claim; check the platform's privacy settings for the tool."
            }
            LaunchError::MissingNonce | LaunchError::NonceReused => {
                "The id_token's nonce is missing or was already used: the launch was replayed (a browser back button or a resubmitted form can do this)."
            }
            LaunchError::MissingDeploymentId | LaunchError::UnknownDeployment { .. } => {
                "The launch's deployment id is not registered in Cairn for this platform. Add it with `cairn-lti deployment add`, or allow automatic deployments on the registration."
            }
            LaunchError::MissingResourceLinkId => {
                "The resource link launch carries no resource_link id. Check the platform's tool placement."
            }
            LaunchError::MissingTargetLinkUri | LaunchError::TargetLinkUriMismatch { .. } => {
                "The launch's target_link_uri is not Cairn's /lti/launch. Set the tool URL on the platform to Cairn's /lti/launch."
            }
            LaunchError::InvalidDeepLinkingSettings { .. } => {
                "The deep linking request lacks its return URL or accepted types. Check the platform's deep linking (content selection) settings for the tool."
            }
            LaunchError::StateUnknown
            | LaunchError::StateExpired
            | LaunchError::NonceMismatch
            | LaunchError::LoginMismatch
            | LaunchError::StateMismatch => {
                "The launch does not match a login that Cairn started in this browser, or that login expired. Check that the platform's login URL is Cairn's /lti/login; if it happens often, the browser may be blocking cookies in the course frame."
            }
        }
    }
}

/// Why a login initiation (`/lti/login`) was refused (`spec/lti.md` §3.1); all are 400.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// A required parameter (`iss`, `login_hint`, `target_link_uri`) is absent or empty.
    #[error("the login request lacks {param}")]
    MissingParam {
        /// The missing parameter.
        param: &'static str,
    },
    /// No registration (or several, with no `client_id`) for `iss`.
    #[error("no single registration for iss {iss:?} and client_id {client_id:?}")]
    UnknownRegistration {
        /// The `iss` sent.
        iss: String,
        /// The `client_id` sent, if any.
        client_id: Option<String>,
    },
    /// `target_link_uri` is not on Cairn's origin (no open redirect).
    #[error("target_link_uri {found:?} is not on this tool's origin")]
    TargetLinkUriForeign {
        /// The URI sent.
        found: String,
    },
}

impl LoginError {
    /// The stable code of `spec/lti.md` §3.1.
    pub fn code(&self) -> &'static str {
        match self {
            LoginError::MissingParam { .. } => "login_missing_param",
            LoginError::UnknownRegistration { .. } => "login_unknown_registration",
            LoginError::TargetLinkUriForeign { .. } => "login_target_link_uri_foreign",
        }
    }

    /// Always 400 (`spec/lti.md` §3.1).
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    /// What happened, for the person who clicked the link.
    pub fn what_happened(&self) -> &'static str {
        match self {
            LoginError::MissingParam { .. } => {
                "Your course site started a sign-in to Cairn without the information it needs, so Cairn could not open."
            }
            LoginError::UnknownRegistration { .. } => {
                "Your course site is not set up to use Cairn yet, so Cairn could not open."
            }
            LoginError::TargetLinkUriForeign { .. } => {
                "The sign-in asked Cairn to send you to another website, which Cairn never does."
            }
        }
    }

    /// What to tell the admin.
    pub fn what_to_tell_the_admin(&self) -> &'static str {
        match self {
            LoginError::MissingParam { .. } => {
                "The platform's login initiation lacks iss, login_hint or target_link_uri. Check that the tool's login URL is Cairn's /lti/login."
            }
            LoginError::UnknownRegistration { .. } => {
                "No single Cairn registration matches the login's issuer (iss) and client_id. Add it with `cairn-lti registration add`; when one issuer has several registrations, the platform must send client_id."
            }
            LoginError::TargetLinkUriForeign { .. } => {
                "The login's target_link_uri is not on Cairn's public URL (CAIRN_PUBLIC_URL). Set the tool URL on the platform to Cairn's /lti/launch."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_follow_the_spec_table() {
        let cases = [
            (
                LaunchError::MalformedRequest { field: "state" },
                "malformed_request",
                400,
            ),
            (
                LaunchError::UnsupportedAlg { alg: "none".into() },
                "unsupported_alg",
                401,
            ),
            (
                LaunchError::WrongVersion {
                    found: "1.2.0".into(),
                },
                "wrong_version",
                400,
            ),
            (
                LaunchError::MissingDeploymentId,
                "missing_deployment_id",
                400,
            ),
            (
                LaunchError::UnknownDeployment {
                    deployment_id: "9".into(),
                },
                "unknown_deployment",
                403,
            ),
            (LaunchError::NonceReused, "nonce_reused", 401),
            (LaunchError::StateMismatch, "state_mismatch", 401),
        ];
        for (error, code, status) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.status().as_u16(), status, "{code}");
            assert!(!error.what_happened().is_empty());
            assert!(!error.what_to_tell_the_admin().is_empty());
        }
        let login = LoginError::TargetLinkUriForeign {
            found: "https://evil.test".into(),
        };
        assert_eq!(login.code(), "login_target_link_uri_foreign");
        assert_eq!(login.status().as_u16(), 400);
    }
}
