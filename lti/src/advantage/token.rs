//! The LTI Advantage service token client (`spec/lti.md` §8.1): OAuth 2 client credentials
//! with a `private_key_jwt` client assertion signed with the tool's current key. One POST per
//! `(token endpoint, client_id, sorted scopes)` until `expires_in − 60 s`, single-flight per
//! key; the granted `scope` of the answer is what the token may do (Moodle narrows it). Every
//! request carries the outbound client's `User-Agent` ([`crate::platform::http_client`]).
//! AGS, NRPS and the outbox all get their bearer tokens here.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::keys::{KeyEncryptionKey, KeyError, ToolSigningKey};
use crate::platform::error_chain;
use crate::random::{self, RandomUnavailable};
use crate::store::{Registration, Store};

/// `client_assertion_type` of a `private_key_jwt` assertion.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How long a client assertion is valid (seconds): `exp = iat + 60`.
pub const ASSERTION_LIFETIME: i64 = 60;
/// A token is reused until this many seconds before its expiry.
pub const EXPIRY_MARGIN: i64 = 60;
/// The lifetime assumed when the answer has no `expires_in` (seconds; short on purpose).
pub const DEFAULT_EXPIRES_IN: i64 = 300;
/// The longest a token request may take.
pub const TOKEN_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest token answer read (bytes).
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// AGS: post scores.
pub const SCOPE_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
/// AGS: create, update and read line items.
pub const SCOPE_LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
/// AGS: read line items.
pub const SCOPE_LINEITEM_READONLY: &str =
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
/// AGS: read results.
pub const SCOPE_RESULT_READONLY: &str =
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
/// NRPS: read the context's memberships.
pub const SCOPE_NRPS: &str =
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// Where and as whom to ask for tokens: a registration's token URL, client id and assertion
/// audience.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokenEndpoint {
    /// The platform's token URL (the POST goes here).
    pub url: String,
    /// The tool's client id (assertion `iss` and `sub`).
    pub client_id: String,
    /// The assertion's `aud` when it is not the token URL.
    pub audience: Option<String>,
}

impl TokenEndpoint {
    /// The token endpoint of a registration (its `client_assertion_audience`, if set, is `aud`).
    pub fn of(registration: &Registration) -> TokenEndpoint {
        TokenEndpoint {
            url: registration.fields.token_endpoint.clone(),
            client_id: registration.fields.client_id.clone(),
            audience: registration.fields.client_assertion_audience.clone(),
        }
    }

    /// The assertion's `aud`: the configured audience, else the token URL.
    pub fn audience(&self) -> &str {
        self.audience.as_deref().unwrap_or(&self.url)
    }
}

/// A bearer token and what it may do. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    token: String,
    /// The granted scopes (the answer's `scope`, else the requested ones).
    pub scopes: Vec<String>,
    /// When it expires (Unix seconds).
    pub expires_at: i64,
}

impl AccessToken {
    /// The token, for an `Authorization: Bearer` header.
    pub fn secret(&self) -> &str {
        &self.token
    }

    /// `Bearer <token>`.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// Whether the platform granted `scope`.
    pub fn grants(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Why no token could be had. Messages name the token URL and never a token or assertion.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The tool's key could not sign the client assertion.
    #[error("the client assertion could not be signed: {0}")]
    Signing(#[from] KeyError),
    /// The CSPRNG gave no `jti`.
    #[error(transparent)]
    Random(#[from] RandomUnavailable),
    /// The request failed before an answer (connection, DNS, TLS).
    #[error("token endpoint {url} could not be reached: {reason}")]
    Network {
        /// The token URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// No complete answer within [`TOKEN_TIMEOUT`].
    #[error("token endpoint {url} did not answer within {} s", TOKEN_TIMEOUT.as_secs())]
    Timeout {
        /// The token URL.
        url: String,
    },
    /// The platform refused (an OAuth error or another non-2xx status).
    #[error(
        "token endpoint {url} answered HTTP {status}{}: check the registration's client id, \
         the tool's JWKS URL at the platform and the scopes the tool is allowed",
        error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
    )]
    Refused {
        /// The token URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code, if the body had one (`invalid_scope`, `invalid_client`…).
        error: Option<String>,
    },
    /// A 2xx answer that is not a usable token.
    #[error("token endpoint {url} answered with no usable token: {reason}")]
    Response {
        /// The token URL.
        url: String,
        /// What is wrong with it.
        reason: TokenResponseError,
    },
    /// The granted scope lacks one this operation needs.
    #[error("token endpoint {url} did not grant scope {scope} (granted: {granted})")]
    ScopeNotGranted {
        /// The token URL.
        url: String,
        /// The missing scope.
        scope: String,
        /// What was granted, space-separated.
        granted: String,
    },
}

impl TokenError {
    /// Whether trying again later may help (network, timeout, 429, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            TokenError::Network { .. } | TokenError::Timeout { .. } => true,
            TokenError::Refused { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Why a token answer's body is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenResponseError {
    /// Larger than [`MAX_TOKEN_RESPONSE_BYTES`].
    #[error("the answer is larger than {MAX_TOKEN_RESPONSE_BYTES} bytes")]
    TooLarge,
    /// Not a JSON object with the expected members.
    #[error("the answer is not a token JSON object: {0}")]
    NotJson(String),
    /// `token_type` is not `Bearer` (any case).
    #[error("token_type is {0:?}, not Bearer")]
    NotBearer(String),
    /// `access_token` is empty.
    #[error("access_token is empty")]
    EmptyToken,
    /// `expires_in` is zero or negative.
    #[error("expires_in is {0}, not positive")]
    BadLifetime(i64),
}

/// The members of a token answer Cairn reads.
#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    token_type: String,
    expires_in: Option<i64>,
    scope: Option<String>,
}

/// Parses a token answer received at `now` for the `requested` scopes: the granted scopes are
/// the answer's `scope` (space-separated) when present, else the requested ones.
pub fn parse_token_response(
    bytes: &[u8],
    requested: &[&str],
    now: i64,
) -> Result<AccessToken, TokenResponseError> {
    if bytes.len() > MAX_TOKEN_RESPONSE_BYTES {
        return Err(TokenResponseError::TooLarge);
    }
    let body: TokenBody = serde_json::from_slice(bytes)
        .map_err(|err| TokenResponseError::NotJson(err.to_string()))?;
    if !body.token_type.eq_ignore_ascii_case("bearer") {
        return Err(TokenResponseError::NotBearer(body.token_type));
    }
    if body.access_token.is_empty() {
        return Err(TokenResponseError::EmptyToken);
    }
    let expires_in = body.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
    if expires_in <= 0 {
        return Err(TokenResponseError::BadLifetime(expires_in));
    }
    let scopes = match body.scope {
        Some(scope) => scope.split_whitespace().map(str::to_owned).collect(),
        None => requested.iter().map(|s| (*s).to_owned()).collect(),
    };
    Ok(AccessToken {
        token: body.access_token,
        scopes,
        expires_at: now.saturating_add(expires_in),
    })
}

/// The claims of a client assertion (`spec/lti.md` §8.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAssertion {
    /// The client id.
    pub iss: String,
    /// The client id.
    pub sub: String,
    /// The token URL or the registration's configured audience.
    pub aud: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// `iat + 60`.
    pub exp: i64,
    /// A fresh random id (256 bits, base64url).
    pub jti: String,
}

impl ClientAssertion {
    /// A fresh assertion for `endpoint` issued at `now`.
    pub fn new(endpoint: &TokenEndpoint, now: i64) -> Result<ClientAssertion, RandomUnavailable> {
        Ok(ClientAssertion {
            iss: endpoint.client_id.clone(),
            sub: endpoint.client_id.clone(),
            aud: endpoint.audience().to_owned(),
            iat: now,
            exp: now + ASSERTION_LIFETIME,
            jti: random::token()?,
        })
    }
}

/// Where the client assertion's key comes from (loaded only when a token is requested).
#[async_trait]
pub trait AssertionSigner: Send + Sync + 'static {
    /// The key that signs the next assertion.
    async fn signing_key(&self) -> Result<ToolSigningKey, KeyError>;
}

#[async_trait]
impl AssertionSigner for ToolSigningKey {
    async fn signing_key(&self) -> Result<ToolSigningKey, KeyError> {
        Ok(self.clone())
    }
}

/// No key yet (a state without the key-encryption key): every token request fails with
/// [`KeyError::NoCurrentKey`].
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSigningKey;

#[async_trait]
impl AssertionSigner for NoSigningKey {
    async fn signing_key(&self) -> Result<ToolSigningKey, KeyError> {
        Err(KeyError::NoCurrentKey)
    }
}

/// The tool's current key from the store, opened with the key-encryption key (what the
/// server uses: a rotation is picked up by the next token request).
pub struct StoreSigner {
    store: Arc<dyn Store>,
    kek: Arc<KeyEncryptionKey>,
}

impl StoreSigner {
    /// Signs with the current key of `store`.
    pub fn new(store: Arc<dyn Store>, kek: Arc<KeyEncryptionKey>) -> StoreSigner {
        StoreSigner { store, kek }
    }
}

#[async_trait]
impl AssertionSigner for StoreSigner {
    async fn signing_key(&self) -> Result<ToolSigningKey, KeyError> {
        crate::keys::signing_key(self.store.as_ref(), &self.kek).await
    }
}

/// The cache key: token URL, client id, audience and the sorted, deduplicated scopes.
type CacheKey = (TokenEndpoint, Vec<String>);

/// The token client: a cache of tokens and the single-flight locks of their refreshes.
pub struct TokenClient {
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    signer: Arc<dyn AssertionSigner>,
    cache: Mutex<BTreeMap<CacheKey, AccessToken>>,
    flights: Mutex<BTreeMap<CacheKey, Arc<tokio::sync::Mutex<()>>>>,
    requests: AtomicU64,
}

impl std::fmt::Debug for TokenClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenClient")
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

impl TokenClient {
    /// A client posting with `http` (build it with [`crate::platform::http_client`] so the
    /// `User-Agent` is set), reading `now` from `clock`, signing with `signer`.
    pub fn new(
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
        signer: Arc<dyn AssertionSigner>,
    ) -> TokenClient {
        TokenClient {
            http,
            clock,
            signer,
            cache: Mutex::new(BTreeMap::new()),
            flights: Mutex::new(BTreeMap::new()),
            requests: AtomicU64::new(0),
        }
    }

    /// The signer of this client's assertions.
    pub fn signer(&self) -> Arc<dyn AssertionSigner> {
        Arc::clone(&self.signer)
    }

    /// How many token requests this client has sent (for tests and metrics).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// A token for `scopes` at `endpoint`: the cached one while it has more than
    /// [`EXPIRY_MARGIN`] left, else a new one (one request in flight per key). Fails with
    /// [`TokenError::ScopeNotGranted`] if the platform granted less than asked.
    pub async fn token(
        &self,
        endpoint: &TokenEndpoint,
        scopes: &[&str],
    ) -> Result<AccessToken, TokenError> {
        let key = cache_key(endpoint, scopes);
        if let Some(token) = self.cached(&key) {
            return Ok(token);
        }
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(flights.entry(key.clone()).or_default())
        };
        let _guard = flight.lock().await;
        if let Some(token) = self.cached(&key) {
            return Ok(token);
        }
        let token = self.request(endpoint, &key.1).await?;
        if let Some(scope) = key.1.iter().find(|scope| !token.grants(scope)) {
            return Err(TokenError::ScopeNotGranted {
                url: endpoint.url.clone(),
                scope: scope.clone(),
                granted: token.scopes.join(" "),
            });
        }
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, token.clone());
        Ok(token)
    }

    /// Drops the cached token for these scopes (a service answered 401 with it).
    pub fn forget(&self, endpoint: &TokenEndpoint, scopes: &[&str]) {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&cache_key(endpoint, scopes));
    }

    fn cached(&self, key: &CacheKey) -> Option<AccessToken> {
        let now = self.clock.now();
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .get(key)
            .filter(|token| token.expires_at - EXPIRY_MARGIN > now)
            .cloned()
    }

    /// One token request: sign a fresh assertion, POST the form, parse the answer.
    async fn request(
        &self,
        endpoint: &TokenEndpoint,
        scopes: &[String],
    ) -> Result<AccessToken, TokenError> {
        let signer = self.signer.signing_key().await?;
        let now = self.clock.now();
        let assertion = signer.sign(&ClientAssertion::new(endpoint, now)?)?;
        let scope = scopes.join(" ");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE),
            ("client_assertion", assertion.as_str()),
            ("scope", scope.as_str()),
        ];
        self.requests.fetch_add(1, Ordering::SeqCst);
        let url = endpoint.url.clone();
        let failed = |err: reqwest::Error| {
            if err.is_timeout() {
                TokenError::Timeout { url: url.clone() }
            } else {
                TokenError::Network {
                    url: url.clone(),
                    reason: error_chain(&err),
                }
            }
        };
        let mut response = self
            .http
            .post(&endpoint.url)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .form(&form)
            .timeout(TOKEN_TIMEOUT)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_TOKEN_RESPONSE_BYTES {
                break;
            }
        }
        if !status.is_success() {
            return Err(TokenError::Refused {
                url,
                status: status.as_u16(),
                error: oauth_error(&body),
            });
        }
        let requested: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let received = self.clock.now();
        parse_token_response(&body, &requested, received)
            .map_err(|reason| TokenError::Response { url, reason })
    }
}

/// The sorted, deduplicated scope list of the cache key.
fn cache_key(endpoint: &TokenEndpoint, scopes: &[&str]) -> CacheKey {
    let mut sorted: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    sorted.sort();
    sorted.dedup();
    (endpoint.clone(), sorted)
}

/// The OAuth `error` member of an error answer, if it is one (at most 64 characters).
fn oauth_error(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?.as_str()?;
    Some(error.chars().take(64).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_gives_the_granted_scopes_and_the_expiry() {
        let body = br#"{"access_token":"SECRET42","token_type":"bearer","expires_in":3600,"scope":"a  b"}"#;
        let token = parse_token_response(body, &["a", "c"], 100).unwrap();
        assert_eq!(token.scopes, ["a", "b"]);
        assert_eq!(token.expires_at, 3700);
        assert!(token.grants("b") && !token.grants("c"));
        assert_eq!(token.secret(), "SECRET42");
        assert!(!format!("{token:?}").contains("SECRET42"));
        let no_scope = br#"{"access_token":"t","token_type":"Bearer"}"#;
        let token = parse_token_response(no_scope, &["a"], 0).unwrap();
        assert_eq!(token.scopes, ["a"]);
        assert_eq!(token.expires_at, DEFAULT_EXPIRES_IN);
    }

    #[test]
    fn unusable_answers_are_typed() {
        type Case = (&'static [u8], fn(&TokenResponseError) -> bool);
        let cases: [Case; 4] = [
            (b"[]", |e| matches!(e, TokenResponseError::NotJson(_))),
            (br#"{"access_token":"t","token_type":"mac"}"#, |e| {
                matches!(e, TokenResponseError::NotBearer(_))
            }),
            (br#"{"access_token":"","token_type":"Bearer"}"#, |e| {
                *e == TokenResponseError::EmptyToken
            }),
            (
                br#"{"access_token":"t","token_type":"Bearer","expires_in":0}"#,
                |e| *e == TokenResponseError::BadLifetime(0),
            ),
        ];
        for (body, expected) in cases {
            let err = parse_token_response(body, &[], 0).unwrap_err();
            assert!(expected(&err), "{err:?}");
        }
        let big = vec![b' '; MAX_TOKEN_RESPONSE_BYTES + 1];
        assert_eq!(
            parse_token_response(&big, &[], 0).unwrap_err(),
            TokenResponseError::TooLarge
        );
    }

    #[test]
    fn scopes_are_one_key_in_any_order() {
        let endpoint = TokenEndpoint {
            url: "https://lms.test/token".into(),
            client_id: "c".into(),
            audience: None,
        };
        assert_eq!(
            cache_key(&endpoint, &["b", "a", "b"]),
            cache_key(&endpoint, &["a", "b"])
        );
        assert_eq!(endpoint.audience(), "https://lms.test/token");
        assert_eq!(
            oauth_error(br#"{"error":"invalid_scope"}"#).as_deref(),
            Some("invalid_scope")
        );
        assert_eq!(oauth_error(b"[]"), None);
    }
}
