//! `GET /api/learners/{sub}/clr`: a CLR 2.0 `ClrCredential` bundling a learner's credentials
//! in force (not revoked, not suspended) with the stacking between them, built by the core
//! (`cairn::credential::export::clr_credential`) and signed here with the issuer's current
//! key. For the learner themself or an instructor of their context; never cached.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use cairn::Timestamp;
use cairn::credential::export::{ClrInput, Stacking, clr_credential};
use cairn::criteria::Leaf;
use serde_json::{Value, json};

use super::caching;
use crate::AppState;
use crate::error::AppError;
use crate::launch::ProductRole;
use crate::session::{Launched, Require};
use crate::store::records::{CredentialRow, LearnerScope};

/// A random version 4 UUID (lowercase), as `urn:uuid:…`.
pub fn urn_uuid() -> Result<String, AppError> {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| AppError::internal("the CSPRNG is unavailable"))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// The learner object of the bundle: every identifier entry of the credentials (each was
/// issued with its own salt, so the CLR copies them, as the core's `names_learner` asks), and
/// a subject `id` if the credentials have one.
pub fn learner_of(credentials: &[Value]) -> Value {
    let mut identifiers: Vec<Value> = Vec::new();
    let mut id = None;
    for credential in credentials {
        for subject in cairn::credential::vc::subjects(credential) {
            if id.is_none() {
                id = subject.get("id").and_then(Value::as_str).map(str::to_owned);
            }
            let entries: Vec<&Value> = match subject.get("identifier") {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(one @ Value::Object(_)) => vec![one],
                _ => Vec::new(),
            };
            for entry in entries {
                if !identifiers.contains(entry) {
                    identifiers.push(entry.clone());
                }
            }
        }
    }
    let mut learner = json!({});
    if let Some(id) = id {
        learner["id"] = Value::String(id);
    }
    if !identifiers.is_empty() {
        learner["identifier"] = Value::Array(identifiers);
    }
    learner
}

fn achievement_id(credential: &Value) -> Option<String> {
    credential
        .get("credentialSubject")?
        .get("achievement")?
        .get("id")?
        .as_str()
        .map(str::to_owned)
}

/// The stacking between the bundled credentials: a definition whose award rule requires
/// another definition's credential is its parent.
async fn stacking(state: &AppState, rows: &[CredentialRow]) -> Result<Vec<Stacking>, AppError> {
    let achievements: BTreeMap<&str, String> = rows
        .iter()
        .filter_map(|r| Some((r.definition_id.as_str(), achievement_id(&r.body)?)))
        .collect();
    let mut out = Vec::new();
    for row in rows {
        let Some(parent) = achievements.get(row.definition_id.as_str()) else {
            continue;
        };
        let Some(definition) = state
            .records
            .definition(
                row.scope.registration_id,
                &row.scope.context_id,
                &row.definition_id,
                &row.version,
            )
            .await?
        else {
            continue;
        };
        let mut children = Vec::new();
        let _ = definition.body.criteria.map_leaves(&mut |leaf: &Leaf| {
            if let Leaf::Credential(child) = leaf {
                children.push(child.to_string());
            }
            Ok::<(), ()>(())
        });
        for child in children {
            if let Some(child) = achievements.get(child.as_str())
                && child != parent
            {
                let stack = Stacking {
                    parent: parent.clone(),
                    child: child.clone(),
                };
                if !out.contains(&stack) {
                    out.push(stack);
                }
            }
        }
    }
    Ok(out)
}

/// `GET /api/learners/{sub}/clr`: the signed CLR of a learner's credentials in force (the
/// learner themself, or an instructor of the context).
#[utoipa::path(get, path = "/api/learners/{sub}/clr", tag = "credentials",
    security(("bearer" = [])), params(("sub" = String, Path)),
    responses((status = 200, description = "the signed ClrCredential", content_type = "application/vc+ld+json"),
        (status = "4XX", body = crate::api::error::ErrorBody)))]
pub async fn clr(
    State(state): State<AppState>,
    caller: Require<Launched>,
    Path(sub): Path<String>,
) -> Result<Response, AppError> {
    let now = state.now();
    let caller = caller.caller();
    let session = &caller.session;
    let context = session.context_id.clone().ok_or_else(|| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "no_context",
            "this launch has no course context; launch Cairn from a course",
        )
    })?;
    if session.user_sub != sub && !caller.has(ProductRole::Instructor) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden_role",
            "a learner may export only their own record; an instructor may export any learner's",
        ));
    }
    let scope = LearnerScope {
        registration_id: session.registration_id,
        context_id: context,
        learner_sub: sub,
    };
    let rows: Vec<CredentialRow> = state
        .records
        .learner_credentials(&scope)
        .await?
        .into_iter()
        .filter(|r| r.revoked_at.is_none() && r.suspended_at.is_none())
        .collect();
    let Some(latest) = rows.last() else {
        return Err(AppError::not_found(
            "this learner has no credential in force in this course",
        ));
    };
    let issuer_row = state.records.issuer(&latest.issuer).await?.ok_or_else(|| {
        AppError::internal(format!(
            "issuer {} of a credential is missing",
            latest.issuer
        ))
    })?;
    let (key_id, key) = crate::status_lists::signing_key(&state, &issuer_row)
        .await
        .map_err(AppError::internal)?;
    let issuer = latest.body.get("issuer").cloned().unwrap_or(Value::Null);
    let credentials: Vec<Value> = rows.iter().map(|r| r.body.clone()).collect();
    let learner = learner_of(&credentials);
    let stacks = stacking(&state, &rows).await?;
    let id = urn_uuid()?;
    let unsigned = clr_credential(&ClrInput {
        id: &id,
        name: "Comprehensive Learner Record",
        issuer: &issuer,
        valid_from: Timestamp::from_unix_seconds(now),
        learner: &learner,
        credentials: &credentials,
        stacking: &stacks,
    })
    .map_err(|e| AppError::new(StatusCode::CONFLICT, e.code(), e.to_string()))?;
    let signed =
        cairn::credential::sign(&unsigned, &key, &key_id, Timestamp::from_unix_seconds(now))
            .map_err(AppError::internal)?;
    let mut response = (
        [(header::CONTENT_TYPE, "application/vc+ld+json")],
        signed.credential.to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(caching::PRIVATE),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let a = urn_uuid().expect("uuid");
        let b = urn_uuid().expect("uuid");
        assert_ne!(a, b);
        let bare = a.strip_prefix("urn:uuid:").expect("urn");
        assert!(super::super::credential::is_uuid(bare), "{bare}");
        assert_eq!(&bare[14..15], "4");
        assert!(matches!(&bare[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn the_learner_copies_each_credentials_identifiers() {
        let one = json!({"credentialSubject": {"identifier": [{"identityType": "emailAddress", "hashed": true, "salt": "a", "identityHash": "sha256$1"}]}});
        let two = json!({"credentialSubject": {"identifier": [{"identityType": "emailAddress", "hashed": true, "salt": "b", "identityHash": "sha256$2"}]}});
        let learner = learner_of(&[one.clone(), two.clone(), one.clone()]);
        assert_eq!(learner["identifier"].as_array().map(Vec::len), Some(2));
        assert!(cairn::credential::vc::names_learner(&learner, &one));
        assert!(cairn::credential::vc::names_learner(&learner, &two));
    }
}
