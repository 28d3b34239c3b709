//! The NRPS roster over HTTP (`spec/lti.md` §9): [`fetch`] follows `Link: rel="next"` from
//! the first page (`rlid` added when given) with the membership media type and the service
//! token, at most [`MAX_PAGES`] pages; [`store_roster`] writes what it read as the course's
//! roster, mapped to Cairn users by `(registration, sub)`: members no longer listed are marked
//! left, never deleted; [`refresh`] does both with a service token from the token client, and
//! [`refresh_if_due`] only when the cached roster is older than the refresh policy allows
//! (an instructor's launch starts it in the background). The pure parts are [`super::nrps`].

use axum::http::header;

use super::nrps::{self, MAX_PAGES, MEDIA_TYPE, Member, NrpsError};
use super::token::{SCOPE_NRPS, TokenEndpoint, TokenError};
use crate::AppState;
use crate::store::advantage_rows::{RosterChange, RosterMember};
use crate::store::{Registration, RegistrationId, Store, StoreError};

/// Why the roster could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The platform answered a non-2xx status.
    #[error("the platform answered {status} for {url}: {body}")]
    Status {
        /// The page URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The request did not complete.
    #[error("the roster request to {url} failed: {reason}")]
    Network {
        /// The page URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// A page was not a membership container, or there were too many.
    #[error(transparent)]
    Page(#[from] NrpsError),
    /// The store refused the roster.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No service token for the NRPS scope.
    #[error(transparent)]
    Token(#[from] TokenError),
}

impl RosterError {
    /// The stable code logs and the API show.
    pub fn code(&self) -> &'static str {
        match self {
            RosterError::Status { .. } => "nrps_status",
            RosterError::Network { .. } => "nrps_unreachable",
            RosterError::Page(error) => error.code(),
            RosterError::Store(_) => "internal_error",
            RosterError::Token(_) => "nrps_token",
        }
    }
}

/// Every member of the course, page after page. `bearer` is an access token with the NRPS
/// scope ([`nrps::SCOPE`]).
pub async fn fetch(
    client: &reqwest::Client,
    bearer: &str,
    memberships_url: &str,
    rlid: Option<&str>,
) -> Result<Vec<Member>, RosterError> {
    let mut members = Vec::new();
    let mut next = Some(nrps::first_url(memberships_url, rlid));
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        if pages > MAX_PAGES {
            return Err(NrpsError::TooManyPages.into());
        }
        let network = |e: reqwest::Error| RosterError::Network {
            url: url.clone(),
            reason: e.to_string(),
        };
        let response = client
            .get(&url)
            .header(header::ACCEPT, MEDIA_TYPE)
            .bearer_auth(bearer)
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        next = response
            .headers()
            .get_all(header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(nrps::next_link);
        let body = response.bytes().await.map_err(network)?;
        if !status.is_success() {
            return Err(RosterError::Status {
                url,
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
            });
        }
        members.extend(nrps::parse_page(&body)?);
    }
    Ok(members)
}

/// Writes `members` as the roster of `(registration, context)`: one row per `sub` (the last
/// listing of a `sub` wins), everyone else marked left.
pub async fn store_roster(
    store: &dyn Store,
    registration: RegistrationId,
    context: &str,
    memberships_url: &str,
    members: &[Member],
    now: i64,
) -> Result<RosterChange, StoreError> {
    let mut by_sub = std::collections::BTreeMap::new();
    for member in members {
        by_sub.insert(
            member.user_id.clone(),
            RosterMember {
                user_sub: member.user_id.clone(),
                name: member.name.clone(),
                given_name: member.given_name.clone(),
                family_name: member.family_name.clone(),
                email: member.email.clone(),
                roles: member.roles.clone(),
                status: member.status.clone(),
                first_seen_at: now,
                last_seen_at: now,
                left_at: None,
            },
        );
    }
    let rows: Vec<RosterMember> = by_sub.into_values().collect();
    store
        .advantage()
        .replace_roster(registration, context, memberships_url, &rows, now)
        .await
}

/// Where one course's roster comes from.
#[derive(Clone, Debug)]
pub struct RosterSource {
    /// The registration (tenant) whose token endpoint and client id are used.
    pub registration: Registration,
    /// The course.
    pub context_id: String,
    /// The launch's `context_memberships_url`.
    pub memberships_url: String,
    /// A resource link to filter by, when given.
    pub rlid: Option<String>,
}

/// Fetches and stores the roster now, with a token for the NRPS scope (asked for alone).
pub async fn refresh(state: &AppState, source: &RosterSource) -> Result<RosterChange, RosterError> {
    let endpoint = TokenEndpoint::of(&source.registration);
    let token = state.tokens.token(&endpoint, &[SCOPE_NRPS]).await?;
    let members = match fetch(
        state.ags.http(),
        token.secret(),
        &source.memberships_url,
        source.rlid.as_deref(),
    )
    .await
    {
        // A token the platform no longer honours: forget it and ask once more.
        Err(RosterError::Status { status: 401, .. }) => {
            state.tokens.forget(&endpoint, &[SCOPE_NRPS]);
            let token = state.tokens.token(&endpoint, &[SCOPE_NRPS]).await?;
            fetch(
                state.ags.http(),
                token.secret(),
                &source.memberships_url,
                source.rlid.as_deref(),
            )
            .await?
        }
        other => other?,
    };
    Ok(store_roster(
        state.store.as_ref(),
        source.registration.id,
        &source.context_id,
        &source.memberships_url,
        &members,
        state.now(),
    )
    .await?)
}

/// [`refresh`] when the course's roster is missing or older than
/// [`nrps::REFRESH_AFTER_SECONDS`]; `Ok(None)` when the cached one is fresh enough.
pub async fn refresh_if_due(
    state: &AppState,
    source: &RosterSource,
) -> Result<Option<RosterChange>, RosterError> {
    let (fetch, _) = state
        .store
        .advantage()
        .roster(source.registration.id, &source.context_id)
        .await?;
    if !nrps::needs_refresh(fetch.map(|f| f.fetched_at), state.now()) {
        return Ok(None);
    }
    refresh(state, source).await.map(Some)
}

/// Starts [`refresh_if_due`] in the background for an instructor's launch that carries the
/// NRPS claim in a course (the launch never waits for the platform's roster).
pub fn refresh_after_launch(
    state: &AppState,
    registration: &Registration,
    claims: &crate::launch::LaunchClaims,
    roles: &[String],
) {
    if !roles.iter().any(|r| r == "instructor") {
        return;
    }
    let (Some(service), Some(context)) = (&claims.nrps, &claims.context) else {
        return;
    };
    let source = RosterSource {
        registration: registration.clone(),
        context_id: context.id.clone(),
        memberships_url: service.context_memberships_url.clone(),
        rlid: None,
    };
    let state = state.clone();
    tokio::spawn(async move {
        match refresh_if_due(&state, &source).await {
            Ok(Some(change)) => {
                tracing::info!(
                    listed = change.listed,
                    left = change.left,
                    "nrps roster refreshed"
                );
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(code = error.code(), %error, "nrps roster refresh failed");
            }
        }
    });
}
