//! The Assignment and Grade Services 2.0 client (`spec/lti.md` §8.2–8.3): line items listed
//! (following `Link: rel="next"`), found by `resource_id` or created; scores posted to the
//! line item's `/scores`; results read back. Each call asks the token client for only the
//! scope it needs, and on a 401 drops that token and tries once more with a new one. Refusals
//! are classified ([`AgsError::failure`]) for the outbox: retry, fix, or park.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LINK, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use super::ags_types::{
    LINEITEM_CONTAINER_TYPE, LINEITEM_TYPE, LineItem, RESULT_CONTAINER_TYPE, ResultItem,
    SCORE_TYPE, Score, next_link, service_url, with_query,
};
use super::token::{
    SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE, TokenClient,
    TokenEndpoint, TokenError,
};
use crate::platform::error_chain;
use crate::store::PlatformFamily;

/// The longest one service call may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);
/// The most pages followed when listing.
pub const MAX_PAGES: usize = 100;
/// The largest answer read (bytes).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// How much of a refusal's body is kept for the admin (characters).
pub const KEPT_BODY_CHARS: usize = 500;

/// Why a service call failed. Messages name the URL and never a token.
#[derive(Debug, thiserror::Error)]
pub enum AgsError {
    /// No token.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The request failed before an answer.
    #[error("{url} could not be reached: {reason}")]
    Network {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The platform answered with a non-2xx status.
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body ([`KEPT_BODY_CHARS`]).
        body: String,
        /// `Retry-After` in seconds, if given.
        retry_after: Option<u64>,
    },
    /// A 2xx answer that is not the expected JSON.
    #[error("{url} answered with unexpected JSON: {reason}")]
    Response {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

/// What the outbox does about a failed score post (`spec/lti.md` §8.4 and the fixture's
/// `handling`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Network, timeout, 429 or 5xx: try again later (`Retry-After` seconds if given).
    Transient(Option<u64>),
    /// The platform holds a newer timestamp (Moodle 409, Canvas 400).
    OlderTimestamp,
    /// The line item is gone (404): find or create it again.
    MissingLineItem,
    /// The user cannot be graded (teacher, test student, not enrolled): permanent.
    NotGradable,
    /// Canvas's attempt limit: the instructor must decide.
    AttemptLimit,
    /// Any other refusal: permanent, shown with the body.
    Permanent,
}

impl Failure {
    /// The stable reason code the outbox stores for a parked row.
    pub fn code(self) -> &'static str {
        match self {
            Failure::Transient(_) => "transient",
            Failure::OlderTimestamp => "older_timestamp",
            Failure::MissingLineItem => "missing_line_item",
            Failure::NotGradable => "not_gradable_user",
            Failure::AttemptLimit => "attempt_limit",
            Failure::Permanent => "refused",
        }
    }
}

impl AgsError {
    /// Classifies a failed call on a platform of `family`.
    pub fn failure(&self, family: PlatformFamily) -> Failure {
        match self {
            AgsError::Token(err) if err.is_transient() => Failure::Transient(None),
            AgsError::Token(_) | AgsError::Response { .. } => Failure::Permanent,
            AgsError::Network { .. } => Failure::Transient(None),
            AgsError::Status {
                status,
                body,
                retry_after,
                ..
            } => classify_status(*status, body, *retry_after, family),
        }
    }
}

/// The status rules of `fixtures/lti/services/ags-scores.json` and `spec/lti.md` §11.
fn classify_status(
    status: u16,
    body: &str,
    retry_after: Option<u64>,
    family: PlatformFamily,
) -> Failure {
    let lower = body.to_ascii_lowercase();
    match status {
        429 | 500..=599 | 408 => Failure::Transient(retry_after),
        409 => Failure::OlderTimestamp,
        404 => Failure::MissingLineItem,
        400 if lower.contains("incorrect score received") => Failure::NotGradable,
        400 if family == PlatformFamily::Canvas || lower.contains("timestamp") => {
            Failure::OlderTimestamp
        }
        422 if lower.contains("maximum number of allowed attempts") => Failure::AttemptLimit,
        422 if lower.contains("not a student") || lower.contains("not found") => {
            Failure::NotGradable
        }
        _ => Failure::Permanent,
    }
}

/// The AGS client: the outbound HTTP client and the token client.
#[derive(Clone, Debug)]
pub struct AgsClient {
    http: reqwest::Client,
    tokens: Arc<TokenClient>,
}

/// One request's description.
struct Call<'a> {
    method: Method,
    url: &'a str,
    scope: &'a str,
    accept: Option<&'a str>,
    body: Option<(&'a str, Vec<u8>)>,
}

impl AgsClient {
    /// A client sending with `http` (with Cairn's `User-Agent`) and tokens from `tokens`.
    pub fn new(http: reqwest::Client, tokens: Arc<TokenClient>) -> AgsClient {
        AgsClient { http, tokens }
    }

    /// The outbound HTTP client (shared with NRPS, so both send the same `User-Agent`).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The token client (shared with NRPS).
    pub fn tokens(&self) -> &Arc<TokenClient> {
        &self.tokens
    }

    /// Every line item of the container, or those with `resource_id` /
    /// `resource_link_id` when given, following `Link: rel="next"` up to [`MAX_PAGES`].
    pub async fn line_items(
        &self,
        endpoint: &TokenEndpoint,
        lineitems: &str,
        resource_id: Option<&str>,
        resource_link_id: Option<&str>,
    ) -> Result<Vec<LineItem>, AgsError> {
        let mut url = lineitems.to_owned();
        if let Some(id) = resource_link_id {
            url = with_query(&url, "resource_link_id", id);
        }
        if let Some(id) = resource_id {
            url = with_query(&url, "resource_id", id);
        }
        self.pages(
            endpoint,
            url,
            SCOPE_LINEITEM_READONLY,
            LINEITEM_CONTAINER_TYPE,
        )
        .await
    }

    /// Creates a line item in the container; answers it with its `id`.
    pub async fn create_line_item(
        &self,
        endpoint: &TokenEndpoint,
        lineitems: &str,
        item: &LineItem,
    ) -> Result<LineItem, AgsError> {
        let body = serde_json::to_vec(item).map_err(|err| AgsError::Response {
            url: lineitems.to_owned(),
            reason: err.to_string(),
        })?;
        let (answer, _) = self
            .send(
                endpoint,
                Call {
                    method: Method::POST,
                    url: lineitems,
                    scope: SCOPE_LINEITEM,
                    accept: Some(LINEITEM_TYPE),
                    body: Some((LINEITEM_TYPE, body)),
                },
            )
            .await?;
        let created: LineItem = parse(lineitems, &answer)?;
        if created.id.as_deref().is_none_or(str::is_empty) {
            return Err(AgsError::Response {
                url: lineitems.to_owned(),
                reason: "the created line item has no id".to_owned(),
            });
        }
        Ok(created)
    }

    /// Posts a score to `{lineitem}/scores`.
    pub async fn post_score(
        &self,
        endpoint: &TokenEndpoint,
        lineitem: &str,
        score: &Score,
    ) -> Result<(), AgsError> {
        let url = service_url(lineitem, "scores");
        let body = serde_json::to_vec(score).map_err(|err| AgsError::Response {
            url: url.clone(),
            reason: err.to_string(),
        })?;
        self.send(
            endpoint,
            Call {
                method: Method::POST,
                url: &url,
                scope: SCOPE_SCORE,
                accept: None,
                body: Some((SCORE_TYPE, body)),
            },
        )
        .await
        .map(|_| ())
    }

    /// The results of a line item (one user's when `user_id` is given), for reconciliation.
    pub async fn results(
        &self,
        endpoint: &TokenEndpoint,
        lineitem: &str,
        user_id: Option<&str>,
    ) -> Result<Vec<ResultItem>, AgsError> {
        let mut url = service_url(lineitem, "results");
        if let Some(user) = user_id {
            url = with_query(&url, "user_id", user);
        }
        self.pages(endpoint, url, SCOPE_RESULT_READONLY, RESULT_CONTAINER_TYPE)
            .await
    }

    /// A container's members over its pages, following `Link: rel="next"` (verbatim) up to
    /// [`MAX_PAGES`].
    async fn pages<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &TokenEndpoint,
        mut url: String,
        scope: &str,
        accept: &str,
    ) -> Result<Vec<T>, AgsError> {
        let mut members = Vec::new();
        for _ in 0..MAX_PAGES {
            let call = Call {
                method: Method::GET,
                url: &url,
                scope,
                accept: Some(accept),
                body: None,
            };
            let (body, link) = self.send(endpoint, call).await?;
            let page: Vec<T> = parse(&url, &body)?;
            members.extend(page);
            match link.as_deref().and_then(next_link) {
                Some(next) if next != url => url = next,
                _ => break,
            }
        }
        Ok(members)
    }

    /// Sends one call; on 401 drops the token and sends once more with a fresh one. Answers
    /// the body and the `Link` header.
    async fn send(
        &self,
        endpoint: &TokenEndpoint,
        call: Call<'_>,
    ) -> Result<(Vec<u8>, Option<String>), AgsError> {
        let mut retried = false;
        loop {
            let token = self.tokens.token(endpoint, &[call.scope]).await?;
            let mut request = self
                .http
                .request(call.method.clone(), call.url)
                .header(AUTHORIZATION, token.authorization())
                .timeout(CALL_TIMEOUT);
            if let Some(accept) = call.accept {
                request = request.header(ACCEPT, accept);
            }
            if let Some((media_type, body)) = &call.body {
                request = request.header(CONTENT_TYPE, *media_type).body(body.clone());
            }
            let network = |err: reqwest::Error| AgsError::Network {
                url: call.url.to_owned(),
                reason: error_chain(&err),
            };
            let mut response = request.send().await.map_err(network)?;
            let status = response.status();
            let link = header_text(&response, LINK);
            let retry_after = header_text(&response, RETRY_AFTER).and_then(|v| v.parse().ok());
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(network)? {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_BODY_BYTES {
                    return Err(AgsError::Response {
                        url: call.url.to_owned(),
                        reason: format!("the answer is larger than {MAX_BODY_BYTES} bytes"),
                    });
                }
            }
            if status == StatusCode::UNAUTHORIZED && !retried {
                self.tokens.forget(endpoint, &[call.scope]);
                retried = true;
                continue;
            }
            if !status.is_success() {
                return Err(AgsError::Status {
                    url: call.url.to_owned(),
                    status: status.as_u16(),
                    body: String::from_utf8_lossy(&body)
                        .chars()
                        .take(KEPT_BODY_CHARS)
                        .collect(),
                    retry_after,
                });
            }
            return Ok((body, link));
        }
    }
}

fn header_text(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn parse<T: serde::de::DeserializeOwned>(url: &str, body: &[u8]) -> Result<T, AgsError> {
    serde_json::from_slice(body).map_err(|err| AgsError::Response {
        url: url.to_owned(),
        reason: err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_classified_per_platform() {
        use PlatformFamily::{Canvas, Moodle};
        assert_eq!(
            classify_status(409, "[]", None, Moodle),
            Failure::OlderTimestamp
        );
        assert_eq!(
            classify_status(400, "", None, Canvas),
            Failure::OlderTimestamp
        );
        assert_eq!(
            classify_status(400, "Incorrect score received", None, Moodle),
            Failure::NotGradable
        );
        assert_eq!(
            classify_status(400, "bad", None, Moodle),
            Failure::Permanent
        );
        assert_eq!(
            classify_status(422, "User not found or not a student", None, Canvas),
            Failure::NotGradable
        );
        assert_eq!(
            classify_status(422, "maximum number of allowed attempts", None, Canvas),
            Failure::AttemptLimit
        );
        assert_eq!(
            classify_status(503, "", Some(7), Canvas),
            Failure::Transient(Some(7))
        );
        assert_eq!(
            classify_status(429, "", None, Moodle),
            Failure::Transient(None)
        );
        assert_eq!(
            classify_status(404, "", None, Moodle),
            Failure::MissingLineItem
        );
    }
}
