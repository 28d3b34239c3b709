//! The NRPS roster over HTTP (`spec/lti.md` §9): [`fetch`] follows `Link: rel="next"` from
//! the first page (`rlid` added when given) with the membership media type and the service
//! token, at most [`MAX_PAGES`] pages; [`store_roster`] writes what it read as the course's
//! roster, mapped to Cairn users by `(registration, sub)`: members no longer listed are marked
//! left, never deleted. The pure parts are [`super::nrps`].

use axum::http::header;

use super::nrps::{self, MAX_PAGES, MEDIA_TYPE, Member, NrpsError};
use crate::store::advantage_rows::{RosterChange, RosterMember};
use crate::store::{RegistrationId, Store, StoreError};

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
}

impl RosterError {
    /// The stable code logs and the API show.
    pub fn code(&self) -> &'static str {
        match self {
            RosterError::Status { .. } => "nrps_status",
            RosterError::Network { .. } => "nrps_unreachable",
            RosterError::Page(error) => error.code(),
            RosterError::Store(_) => "internal_error",
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
