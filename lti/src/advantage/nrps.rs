//! Names and Role Provisioning 2.0 (`spec/lti.md` §9), pure: the first page's URL (`rlid`
//! added when given), one membership container page read into members with Cairn's product
//! roles (the launch's role code, so Moodle's `Learner` and the full URI agree), the RFC 8288
//! `Link: rel="next"` parse (the URL kept verbatim, never rebuilt or lower-cased), and the
//! refresh policy of the cached roster. The HTTP paging loop is `advantage/roster.rs`.

use serde::Deserialize;
use serde_json::Value;

use crate::launch::Roles;

/// The NRPS membership container media type.
pub const MEDIA_TYPE: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";
/// The NRPS scope.
pub const SCOPE: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";
/// The most pages one fetch follows (a loop of `next` links ends here).
pub const MAX_PAGES: usize = 1000;
/// A cached roster younger than this is used as is (seconds).
pub const REFRESH_AFTER_SECONDS: i64 = 15 * 60;

/// One member of a page, roles normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// `user_id`: the `sub` of the member's launches.
    pub user_id: String,
    /// `name`.
    pub name: Option<String>,
    /// `given_name`.
    pub given_name: Option<String>,
    /// `family_name`.
    pub family_name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// Cairn product roles, sorted (`instructor`, `learner`, `admin`).
    pub roles: Vec<String>,
    /// `status` as sent (absent: `Active`, the spec's default).
    pub status: String,
    /// The TestUser role was present.
    pub test_user: bool,
}

impl Member {
    /// Whether the platform lists the member as active.
    pub fn active(&self) -> bool {
        self.status.eq_ignore_ascii_case("active")
    }
}

/// Why a page could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NrpsError {
    /// The body is not a membership container.
    #[error("the membership page is not a membership container: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// More than [`MAX_PAGES`] pages.
    #[error("the roster has more than {MAX_PAGES} pages (a loop of next links?)")]
    TooManyPages,
}

impl NrpsError {
    /// The stable code logs and the API show.
    pub fn code(&self) -> &'static str {
        match self {
            NrpsError::Malformed { .. } => "nrps_malformed_page",
            NrpsError::TooManyPages => "nrps_too_many_pages",
        }
    }
}

#[derive(Deserialize)]
struct RawPage {
    members: Vec<Value>,
}

/// The members of one page's JSON body.
pub fn parse_page(body: &[u8]) -> Result<Vec<Member>, NrpsError> {
    let page: RawPage = serde_json::from_slice(body).map_err(|e| NrpsError::Malformed {
        reason: e.to_string(),
    })?;
    page.members
        .iter()
        .enumerate()
        .map(|(at, raw)| {
            member(raw).ok_or_else(|| NrpsError::Malformed {
                reason: format!("members[{at}] has no string user_id"),
            })
        })
        .collect()
}

fn member(raw: &Value) -> Option<Member> {
    let text = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_owned);
    let user_id = text("user_id").filter(|id| !id.is_empty())?;
    let roles = Roles::parse(
        raw.get("roles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str),
    );
    Some(Member {
        user_id,
        name: text("name"),
        given_name: text("given_name"),
        family_name: text("family_name"),
        email: text("email"),
        roles: roles.product_names(),
        status: text("status").unwrap_or_else(|| "Active".to_owned()),
        test_user: roles.test_user,
    })
}

/// The `rel="next"` target of a `Link` header (RFC 8288), verbatim; `None` when absent.
pub fn next_link(header: &str) -> Option<String> {
    let mut rest = header;
    loop {
        let open = rest.find('<')?;
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let target = &after[..close];
        let (params, used) = link_params(&after[close + 1..]);
        if params
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("rel") && rel_has_next(value))
        {
            return Some(target.to_owned());
        }
        rest = &after[close + 1 + used..];
    }
}

/// The `; name=value` parameters after a link target up to the next link-value (an unquoted
/// comma), and how many bytes they took.
fn link_params(text: &str) -> (Vec<(String, String)>, usize) {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut used = text.len();
    for (at, c) in text.char_indices() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => parts.push(std::mem::take(&mut current)),
            ',' if !quoted => {
                used = at + 1;
                break;
            }
            _ => current.push(c),
        }
    }
    parts.push(current);
    let params = parts
        .iter()
        .filter_map(|part| part.split_once('='))
        .map(|(name, value)| {
            (
                name.trim().to_owned(),
                value.trim().trim_matches('"').to_owned(),
            )
        })
        .collect();
    (params, used)
}

/// `rel` may hold several space-separated relation types.
fn rel_has_next(value: &str) -> bool {
    value
        .split_ascii_whitespace()
        .any(|rel| rel.eq_ignore_ascii_case("next"))
}

/// The first page's URL: the memberships URL as given, with `rlid` added when a resource link
/// is given and the URL does not name one already.
pub fn first_url(memberships_url: &str, rlid: Option<&str>) -> String {
    let Some(rlid) = rlid else {
        return memberships_url.to_owned();
    };
    if let Ok(url) = url::Url::parse(memberships_url)
        && url.query_pairs().any(|(name, _)| name == "rlid")
    {
        return memberships_url.to_owned();
    }
    let encoded: String = url::form_urlencoded::byte_serialize(rlid.as_bytes()).collect();
    let separator = if memberships_url.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{memberships_url}{separator}rlid={encoded}")
}

/// Whether a roster fetched at `fetched_at` (never: `None`) is due for a refresh at `now`.
pub fn needs_refresh(fetched_at: Option<i64>, now: i64) -> bool {
    fetched_at.is_none_or(|at| now - at >= REFRESH_AFTER_SECONDS)
}

#[cfg(test)]
#[path = "nrps_tests.rs"]
mod tests;
