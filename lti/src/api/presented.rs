//! A learner presents a credential (`POST /api/me/presented-credentials`): the server runs
//! the core's verifier on the document at its now (with this server's own status list when
//! the credential names one), and writes `credential_presented` with what the document and
//! the verifier say, never what the client claims. A credential Cairn issued names its
//! definition in its achievement id (`…/achievements/{id}/versions/{version}`); another
//! issuer's needs the course's id for it in `credential`. The subject must be the learner
//! (their LTI user id, or their launch email) when the document names either. The verifier's
//! findings and the achievement id go to `meta` for the instructor's review.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use cairn::credential::verify::{RecipientClaim, VerifyOptions, verify};
use cairn::event::{EventKind, PresentedCredential};
use cairn::ids::DefinitionId;
use cairn::time::{Timestamp, parse_datetime};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::caller::RequestId;
use crate::api::error::{ApiBody, ApiError, Body, ErrorBody};
use crate::api::events::on_self;
use crate::api::write::Written;
use crate::session::{Learner, Require};

/// `POST /api/me/presented-credentials`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresentBody {
    /// The signed Open Badges 3.0 credential, as issued.
    #[schema(value_type = Object)]
    pub document: Value,
    /// The course's id for it, when it was not issued by Cairn.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub credential: Option<DefinitionId>,
}
impl ApiBody for PresentBody {
    const MAX_BYTES: usize = 512 * 1024;
}

/// What a presented document says, read before the write.
#[derive(Debug, PartialEq)]
pub struct Presented {
    /// The definition id.
    pub credential: DefinitionId,
    /// The issuer's id.
    pub issuer: String,
    /// `validFrom` (or `issuanceDate`).
    pub issued_at: Timestamp,
    /// `validUntil` (or `expirationDate`).
    pub valid_until: Option<Timestamp>,
    /// `credentialSubject.achievement.id`.
    pub achievement_id: Option<String>,
}

/// Reads what the event needs from a credential document; 400 `invalid_input` naming what
/// is missing.
pub fn read_document(
    document: &Value,
    credential: Option<DefinitionId>,
) -> Result<Presented, ApiError> {
    let issuer = match &document["issuer"] {
        Value::String(id) => id.clone(),
        other => other["id"]
            .as_str()
            .ok_or_else(|| ApiError::invalid_input("the credential names no issuer id"))?
            .to_owned(),
    };
    let date = |names: [&str; 2]| {
        names
            .iter()
            .find_map(|n| document[*n].as_str())
            .map(|text| {
                parse_datetime(text).map(|(t, _)| t).ok_or_else(|| {
                    ApiError::invalid_input(format!("{text:?} is not a date and time"))
                })
            })
            .transpose()
    };
    let issued_at = date(["validFrom", "issuanceDate"])?
        .ok_or_else(|| ApiError::invalid_input("the credential has no validFrom"))?;
    let valid_until = date(["validUntil", "expirationDate"])?;
    let achievement_id = document["credentialSubject"]["achievement"]["id"]
        .as_str()
        .map(str::to_owned);
    let from_cairn = achievement_id.as_deref().and_then(cairn_definition_id);
    let credential = from_cairn.or(credential).ok_or_else(|| {
        ApiError::invalid_input(
            "name the course's id for this credential in `credential` (it was not issued by Cairn)",
        )
    })?;
    Ok(Presented {
        credential,
        issuer,
        issued_at,
        valid_until,
        achievement_id,
    })
}

/// The definition id in a Cairn achievement id `…/achievements/{id}/versions/{version}`.
fn cairn_definition_id(achievement_id: &str) -> Option<DefinitionId> {
    let url = url::Url::parse(achievement_id).ok()?;
    let segments: Vec<&str> = url.path_segments()?.collect();
    let at = segments.iter().rposition(|s| *s == "achievements")?;
    if segments.get(at + 2) != Some(&"versions") {
        return None;
    }
    let id = percent_decode(segments.get(at + 1)?)?;
    (!id.is_empty()).then(|| DefinitionId::new(id))
}

fn percent_decode(segment: &str) -> Option<String> {
    let decoded: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())?;
    String::from_utf8(decoded).ok()
}

/// The learner presents a credential; the server verifies it.
#[utoipa::path(post, path = "/api/me/presented-credentials", tag = "me",
    security(("bearer" = ["learner"])), request_body = PresentBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn present(
    caller: Require<Learner>,
    State(state): State<AppState>,
    request_id: RequestId,
    Body(body): Body<PresentBody>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    let presented = read_document(&body.document, body.credential)?;
    let now = state.now();
    let text = body.document.to_string();
    let own_lists = own_status_lists(&state, &body.document).await?;
    let mut options = VerifyOptions::at(Timestamp::from_unix_seconds(now));
    options.recipient = recipient_claim(&body.document, &caller.caller().session);
    let recipient_checked = options.recipient.is_some();
    // The core checks one list per call: a credential of ours carries a revocation and a
    // suspension entry, so it is checked against each, and the first failing report counts.
    let mut reports = Vec::new();
    for list in &own_lists {
        options.status_list = Some(list);
        reports.push(verify(&text, &options));
    }
    if reports.is_empty() {
        reports.push(verify(&text, &options));
    }
    let at = reports.iter().position(|r| !r.verified).unwrap_or(0);
    let report = reports.swap_remove(at);
    let meta = json!({
        "achievement_id": presented.achievement_id,
        "verification": {
            "verified": report.verified,
            "errors": report.error_codes(),
            "warnings": report.warning_codes(),
            "status_checked": !own_lists.is_empty(),
        },
        // Whether the subject was matched to this learner (their LTI user id or email).
        "recipient_checked": recipient_checked,
    });
    let errors = report.error_codes();
    let kind = EventKind::CredentialPresented(Box::new(PresentedCredential {
        credential: presented.credential,
        issuer: presented.issuer,
        issued_at: presented.issued_at,
        valid_until: presented.valid_until,
        verified: report.verified,
    }));
    on_self(&caller, &state, &request_id, kind, meta)
        .await
        .map_err(|err| {
            if err.status == StatusCode::CONFLICT {
                err.with_details(json!({ "verifier_errors": errors }))
            } else {
                err
            }
        })
}

/// Who the learner is, in the terms the document's subject uses: their LTI user id (as
/// Cairn issues to), else their email from the launch. `None` when the document names
/// neither kind, so the match cannot be checked (the meta says so).
fn recipient_claim(document: &Value, session: &crate::store::Session) -> Option<RecipientClaim> {
    let kinds: Vec<&str> = document["credentialSubject"]["identifier"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|i| i["identityType"].as_str())
                .collect()
        })
        .unwrap_or_default();
    if kinds.contains(&"ltiUserId") {
        return Some(RecipientClaim {
            identity_type: "ltiUserId".to_owned(),
            value: session.user_sub.clone(),
        });
    }
    let email = session.claims["email"].as_str().filter(|e| !e.is_empty())?;
    kinds.contains(&"emailAddress").then(|| RecipientClaim {
        identity_type: "emailAddress".to_owned(),
        value: email.to_owned(),
    })
}

/// This server's status lists the credential's entries name (one entry or an array:
/// revocation and suspension), signed as `/status/{id}` serves them.
async fn own_status_lists(state: &AppState, document: &Value) -> Result<Vec<String>, ApiError> {
    let entries: Vec<&Value> = match &document["credentialStatus"] {
        Value::Array(entries) => entries.iter().collect(),
        entry => vec![entry],
    };
    let prefix = format!(
        "{}/status/",
        state.public_url().as_str().trim_end_matches('/')
    );
    let mut lists = Vec::new();
    for entry in entries {
        let Some(id) = entry["statusListCredential"]
            .as_str()
            .and_then(|url| url.strip_prefix(&prefix))
        else {
            continue;
        };
        let Some(list) = state.records.status_list(id).await? else {
            continue;
        };
        let credential = match list.credential {
            Some(credential) => credential,
            // Not signed since it was made: sign it now, as `/status/{id}` would.
            None => crate::status_lists::regenerate(state, id, state.now())
                .await
                .map_err(ApiError::internal)?,
        };
        lists.push(credential.to_string());
    }
    Ok(lists)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cairn_credential_names_its_definition() {
        let doc = json!({
            "issuer": {"id": "https://tool.test/issuers/1"},
            "validFrom": "2026-01-02T03:04:05Z",
            "credentialSubject": {"achievement": {
                "id": "https://tool.test/achievements/first%20aid/versions/1.0.0"}}
        });
        let read = read_document(&doc, None).unwrap();
        assert_eq!(read.credential.as_str(), "first aid");
        assert_eq!(read.issuer, "https://tool.test/issuers/1");
        assert_eq!(
            read.issued_at,
            Timestamp::parse("2026-01-02T03:04:05Z").unwrap()
        );
        assert_eq!(read.valid_until, None);
    }

    #[test]
    fn another_issuers_credential_needs_the_courses_id() {
        let doc = json!({"issuer": "did:web:other.example", "validFrom": "2026-01-02T03:04:05.5+01:00",
                         "validUntil": "2027-01-02T00:00:00Z",
                         "credentialSubject": {"achievement": {"id": "urn:uuid:1"}}});
        assert_eq!(read_document(&doc, None).unwrap_err().code, "invalid_input");
        let read = read_document(&doc, Some(DefinitionId::new("fsm-cert"))).unwrap();
        assert_eq!(read.credential.as_str(), "fsm-cert");
        assert_eq!(
            read.issued_at,
            Timestamp::parse("2026-01-02T02:04:05Z").unwrap()
        );
        assert!(read.valid_until.is_some());
        let undated = json!({"issuer": "x"});
        assert!(read_document(&undated, Some(DefinitionId::new("a"))).is_err());
    }
}
