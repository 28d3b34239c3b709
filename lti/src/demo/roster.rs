//! The demo platform's Names and Role Provisioning 2.0 service (`spec/lti.md` §9): the course's
//! people as a membership container, paged with `Link: <…>; rel="next"` (`?limit=`, default
//! [`DEFAULT_LIMIT`]; `?page=`), in each flavour's shape: Canvas role URIs, Moodle's short role
//! names with `ext_user_username`. It answers at the `context_memberships_url` the id_tokens
//! name and asks for a bearer token its token endpoint issued with the NRPS scope.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::DemoPlatform;
use super::people::{CourseRole, Flavour, PEOPLE, Person, is_course_member};
use crate::advantage::token::SCOPE_NRPS;

/// Members per page when the tool asks for no `limit` (small, so paging shows).
pub const DEFAULT_LIMIT: usize = 2;
/// The NRPS media type.
const MEDIA_TYPE: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";
const LIS: &str = "http://purl.imsglobal.org/vocab/lis/v2/";

/// The paging query.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Members per page.
    pub limit: Option<usize>,
    /// The page, from 1.
    pub page: Option<usize>,
    /// A resource link filter (accepted; every person sees every link in the demo).
    pub rlid: Option<String>,
}

/// One member in `flavour`'s shape: Canvas's role URIs; Moodle's short role names and
/// `ext_user_username`.
pub fn member(flavour: Flavour, person: &Person) -> Value {
    let role = match person.role {
        CourseRole::Instructor => "Instructor",
        CourseRole::Learner => "Learner",
        // `page` never lists the admin (not enrolled); LIS has a context Administrator role.
        CourseRole::Admin => "Administrator",
    };
    let mut member = json!({
        "status": "Active",
        "user_id": person.sub(flavour),
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
    });
    match flavour {
        Flavour::Canvas => member["roles"] = json!([format!("{LIS}membership#{role}")]),
        Flavour::Moodle => {
            member["roles"] = json!([role]);
            member["ext_user_username"] = json!(person.username);
        }
    }
    member
}

/// One page of the container and the next page's number, if any.
pub fn page(flavour: Flavour, id: &str, limit: usize, page: usize) -> (Value, Option<usize>) {
    let limit = limit.max(1);
    let page = page.max(1);
    let start = (page - 1).saturating_mul(limit);
    // The LMS admin is not enrolled: neither Canvas nor Moodle lists them.
    let enrolled: Vec<&Person> = PEOPLE.iter().filter(|p| is_course_member(p)).collect();
    let members: Vec<Value> = enrolled
        .iter()
        .skip(start)
        .take(limit)
        .map(|person| member(flavour, person))
        .collect();
    let next = (start.saturating_add(limit) < enrolled.len()).then_some(page + 1);
    let body = json!({
        "id": id,
        "context": {"id": "course-1", "label": "CAIRN-101", "title": super::people::COURSE_TITLE},
        "members": members,
    });
    (body, next)
}

/// `GET` at a flavour's memberships URL.
pub async fn memberships(
    State(platform): State<DemoPlatform>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    let flavour = if uri.path().starts_with("/moodle/") {
        Flavour::Moodle
    } else {
        Flavour::Canvas
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let granted = platform
        .gradebook()
        .token_allows(bearer, flavour, SCOPE_NRPS, platform.now());
    if !granted {
        return (
            StatusCode::UNAUTHORIZED,
            "a bearer token from this platform's token endpoint with the NRPS scope is needed",
        )
            .into_response();
    }
    let id = format!("{}{}", platform.platform_url(), uri.path());
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let (body, next) = page(flavour, &id, limit, query.page.unwrap_or(1));
    let mut response = ([(header::CONTENT_TYPE, MEDIA_TYPE)], body.to_string()).into_response();
    if let Some(next) = next {
        let mut url = format!("{id}?limit={limit}&page={next}");
        if let Some(rlid) = &query.rlid {
            let encoded: String = url::form_urlencoded::byte_serialize(rlid.as_bytes()).collect();
            url.push_str(&format!("&rlid={encoded}"));
        }
        if let Ok(value) = format!("<{url}>; rel=\"next\"").parse() {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_everyone_once_and_name_the_next() {
        let mut seen = Vec::new();
        let mut at = Some(1);
        while let Some(number) = at {
            let (body, next) = page(Flavour::Moodle, "x", 3, number);
            for m in body["members"].as_array().unwrap() {
                seen.push(m["user_id"].as_str().unwrap().to_owned());
            }
            at = next;
        }
        let all: Vec<String> = PEOPLE
            .iter()
            .filter(|p| p.role != CourseRole::Admin)
            .map(|p| p.sub(Flavour::Moodle).to_owned())
            .collect();
        assert_eq!(seen, all);
        assert_eq!(seen.len(), PEOPLE.len() - 1, "the LMS admin is not listed");
        let (body, _) = page(Flavour::Moodle, "x", 10, 1);
        assert_eq!(body["members"][0]["roles"], json!(["Instructor"]));
        let (body, next) = page(Flavour::Canvas, "x", 10, 1);
        assert!(next.is_none());
        assert!(
            body["members"][1]["roles"][0]
                .as_str()
                .unwrap()
                .ends_with("#Learner")
        );
    }
}
