//! `GET /credentials/{id}` and its downloads: the page (HTML) or the signed credential (JSON,
//! byte for byte as stored) by content negotiation, and `{id}.json`, `{id}.png`, `{id}.svg`.
//! An unknown id, or one that is not a UUID, is a plain 404 that says nothing about other
//! tenants: credential ids are random UUIDs, and the page is public by design.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use cairn::Timestamp;
use cairn::credential::export::{Ob2Hosting, ob2_export};
use cairn::credential::linkedin::{Certification, Organization, add_to_profile_url};
use serde_json::Value;

use super::caching::{self, cached};
use super::html::{DATA_CSP, PAGE_CSP};
use super::images;
use super::negotiate::{Representation, negotiate};
use super::page::{PageLinks, render};
use super::view::{CredentialView, StatusColumns, standing};
use crate::AppState;
use crate::store::records::CredentialRow;

/// What a `{id}` path segment asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asked {
    Negotiated,
    Json,
    Png,
    Svg,
}

/// Whether `text` is a UUID in the lowercase form Cairn writes.
pub fn is_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_digit() || (b'a'..=b'f').contains(c)
            }
        })
}

fn split(segment: &str) -> (&str, Asked) {
    for (suffix, asked) in [
        (".json", Asked::Json),
        (".png", Asked::Png),
        (".svg", Asked::Svg),
    ] {
        if let Some(id) = segment.strip_suffix(suffix) {
            return (id, asked);
        }
    }
    (segment, Asked::Negotiated)
}

/// A 404 with no detail (the same for a malformed id, an unknown one, and a failed lookup).
pub fn not_found(what: &str) -> Response {
    let mut response = (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("No {what} has this id.\n"),
    )
        .into_response();
    set(&mut response, header::CACHE_CONTROL, caching::PRIVATE);
    response
}

/// Sets a header from a static value.
pub fn set(response: &mut Response, name: header::HeaderName, value: &'static str) {
    response
        .headers_mut()
        .insert(name, HeaderValue::from_static(value));
}

/// The row of a public credential id, `None` when unknown (a storage failure is logged and
/// answered as unknown: the public side never shows internals).
pub async fn lookup(state: &AppState, id: &str) -> Result<Option<CredentialRow>, Response> {
    if !is_uuid(id) {
        return Ok(None);
    }
    state
        .records
        .credential(id)
        .await
        .map_err(|error| crate::error::AppError::internal(error).into_response())
}

/// The stored credential's JSON text: the stored body, serialised as it was written.
pub fn credential_text(row: &CredentialRow) -> String {
    row.body.to_string()
}

/// The public page URL of a credential: its `id` when that is an https URL (the issuer's
/// base + `/credentials/<uuid>`), else this server's.
pub fn page_url(state: &AppState, row: &CredentialRow) -> String {
    match row.body.get("id").and_then(Value::as_str) {
        Some(id) if id.starts_with("https://") || id.starts_with("http://") => id.to_owned(),
        _ => state
            .config
            .public_url
            .join(&format!("/credentials/{}", row.id)),
    }
}

/// The OB 2.0 URLs of a credential, on this server's origin (as hosted verification needs).
pub fn ob2_hosting(state: &AppState, row: &CredentialRow) -> Ob2Hosting {
    let url = &state.config.public_url;
    Ob2Hosting {
        assertion_url: url.join(&format!("/ob2/assertions/{}", row.id)),
        badge_class_url: url.join(&format!("/ob2/assertions/{}/badge", row.id)),
        issuer_url: url.join(&format!("/ob2/issuers/{}", row.issuer)),
    }
}

fn status_columns(row: &CredentialRow) -> StatusColumns {
    StatusColumns {
        revoked: row.revoked_at.map(|at| (at, row.revoked_reason.clone())),
        suspended: row
            .suspended_at
            .map(|at| (at, row.suspended_reason.clone())),
    }
}

fn linkedin(view: &CredentialView, credential: &Value, page: &str, uuid: &str) -> String {
    let date = |key: &str| {
        credential
            .get(key)
            .and_then(Value::as_str)
            .and_then(|t| Timestamp::parse(t).ok())
    };
    add_to_profile_url(&Certification {
        name: view.name.clone(),
        organization: Organization::Name(view.issuer_name.clone()),
        issued: date("validFrom").unwrap_or(Timestamp::from_unix_seconds(0)),
        expires: date("validUntil"),
        url: Some(page.to_owned()),
        id: Some(uuid.to_owned()),
    })
}

/// Where a learner shares a credential from: its public page, JSON, baked PNG and the
/// LinkedIn add-to-profile link (the tool page's learner view shows them).
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SharingLinks {
    /// The public page (the credential's `id` when it is a URL).
    pub page: String,
    /// The signed JSON, on this origin.
    pub json: String,
    /// The baked PNG, on this origin.
    pub png: String,
    /// LinkedIn's "add license or certification" form, pre-filled.
    pub linkedin: String,
}

/// The sharing links of a stored credential.
pub fn sharing_links(state: &AppState, row: &CredentialRow) -> SharingLinks {
    let view = CredentialView::of(&row.body);
    let page = page_url(state, row);
    SharingLinks {
        linkedin: linkedin(&view, &row.body, &page, &row.id),
        page,
        json: format!("/credentials/{}.json", row.id),
        png: format!("/credentials/{}.png", row.id),
    }
}

/// The page of a credential at `now`.
pub fn page_html(state: &AppState, row: &CredentialRow, now: Timestamp) -> String {
    let view = CredentialView::of(&row.body);
    let shared = sharing_links(state, row);
    let ob2 = ob2_export(&row.body, &ob2_hosting(state, row))
        .ok()
        .map(|_| format!("/ob2/assertions/{}", row.id));
    let links = PageLinks {
        linkedin: shared.linkedin,
        page: shared.page,
        json: shared.json,
        png: shared.png,
        svg: format!("/credentials/{}.svg", row.id),
        ob2,
    };
    render(
        &view,
        &standing(&row.body, &status_columns(row), now),
        &links,
    )
}

/// `GET /credentials/{id}` (and `.json`, `.png`, `.svg`).
pub async fn credential(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    request: HeaderMap,
) -> Response {
    let now = Timestamp::from_unix_seconds(state.now());
    let (id, asked) = split(&segment);
    let row = match lookup(&state, id).await {
        Ok(Some(row)) => row,
        Ok(None) => return not_found("credential"),
        Err(response) => return response,
    };
    let accept = request.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let (mut response, csp) = match (asked, negotiate(accept)) {
        (Asked::Negotiated, Representation::Html) => (
            cached(
                &request,
                "text/html; charset=utf-8",
                caching::PAGE,
                true,
                page_html(&state, &row, now).into_bytes(),
            ),
            PAGE_CSP,
        ),
        (Asked::Negotiated, Representation::Json(media)) => (
            cached(
                &request,
                media,
                caching::DOCUMENT,
                true,
                credential_text(&row).into_bytes(),
            ),
            DATA_CSP,
        ),
        (Asked::Json, _) => (
            cached(
                &request,
                "application/vc+ld+json",
                caching::DOCUMENT,
                false,
                credential_text(&row).into_bytes(),
            ),
            DATA_CSP,
        ),
        (Asked::Png | Asked::Svg, _) => {
            let text = credential_text(&row);
            let (baked, media) = if asked == Asked::Png {
                (
                    images::baked_png(&text, &row.body, &row.definition_id),
                    "image/png",
                )
            } else {
                (
                    images::baked_svg(&text, &row.body, &row.definition_id),
                    "image/svg+xml",
                )
            };
            match baked {
                Ok(bytes) => (
                    cached(&request, media, caching::IMMUTABLE, false, bytes),
                    DATA_CSP,
                ),
                Err(error) => {
                    return crate::error::AppError::internal(format!(
                        "baking credential {}: {error}",
                        row.id
                    ))
                    .into_response();
                }
            }
        }
    };
    set(&mut response, header::CONTENT_SECURITY_POLICY, csp);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_pick_the_download() {
        let id = "0b6f8a4e-3c1d-4f2a-9b7e-5d4c3b2a1f00";
        assert_eq!(split(id), (id, Asked::Negotiated));
        assert_eq!(split(&format!("{id}.png")), (id, Asked::Png));
        assert_eq!(split(&format!("{id}.svg")), (id, Asked::Svg));
        assert_eq!(split(&format!("{id}.json")), (id, Asked::Json));
        assert!(is_uuid(id));
        assert!(!is_uuid(&id.to_uppercase()));
        assert!(!is_uuid("../../etc/passwd"));
        assert!(!is_uuid(""));
    }
}
