//! `GET /issuers/{id}` and `GET /issuers/{id}/did.json` (`spec/badges.md` §4). The issuer's
//! https id serves its controller document (DID v1 + Multikey contexts) with every key,
//! current and previous, as a `Multikey` under `verificationMethod` and `assertionMethod`
//! (old credentials keep verifying), plus the OB 3.0 `Profile` fields (name, url, email,
//! description, image) under the OB context; browsers asking for HTML get a short profile
//! page. `did.json` is the same issuer as a `did:web` DID document (`did:web:<host>:…:issuers:<id>`),
//! with the https id in `alsoKnownAs`.

use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap};
use axum::response::{IntoResponse, Response};
use cairn::credential::contexts::{DID_V1, MULTIKEY_V1, OB_V3P0_3_0_3};
use serde_json::{Map, Value, json};

use super::caching::{self, cached};
use super::credential::{not_found, set};
use super::html::{DATA_CSP, PAGE_CSP, escape, linkable};
use super::negotiate::{Representation, negotiate};
use crate::AppState;
use crate::store::records::{IssuerKeyRow, IssuerRow};

/// The profile fields copied into the controller document.
const PROFILE_FIELDS: [&str; 4] = ["name", "url", "email", "description"];

fn verification_methods(
    controller: &str,
    keys: &[IssuerKeyRow],
    did: bool,
) -> (Vec<Value>, Vec<Value>) {
    let mut methods = Vec::new();
    let mut ids = Vec::new();
    for key in keys {
        let id = if did {
            format!("{controller}#{}", key.public_key_multibase)
        } else {
            key.key_id.clone()
        };
        methods.push(json!({
            "id": id,
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": key.public_key_multibase,
        }));
        ids.push(Value::String(id));
    }
    (methods, ids)
}

fn profile_image(profile: &Value) -> Option<String> {
    match profile.get("image")? {
        Value::String(id) => Some(id.clone()),
        other => other.get("id")?.as_str().map(str::to_owned),
    }
}

/// The controller document at the issuer's https id: keys and profile.
pub fn controller_document(issuer: &IssuerRow, keys: &[IssuerKeyRow]) -> Value {
    let (methods, ids) = verification_methods(&issuer.issuer_id, keys, false);
    let mut doc = Map::new();
    doc.insert(
        "@context".into(),
        json!([DID_V1, MULTIKEY_V1, OB_V3P0_3_0_3]),
    );
    doc.insert("id".into(), json!(issuer.issuer_id));
    doc.insert("type".into(), json!(["Profile"]));
    for key in PROFILE_FIELDS {
        if let Some(value) = issuer.profile.get(key).filter(|v| v.is_string()) {
            doc.insert(key.into(), value.clone());
        }
    }
    if let Some(image) = profile_image(&issuer.profile) {
        doc.insert("image".into(), json!({"id": image, "type": "Image"}));
    }
    doc.insert("verificationMethod".into(), Value::Array(methods));
    doc.insert("assertionMethod".into(), Value::Array(ids));
    Value::Object(doc)
}

/// The `did:web` DID of an https issuer id: `https://host:8443/issuers/x` →
/// `did:web:host%3A8443:issuers:x`. `None` for an id that is not https.
pub fn did_web(issuer_id: &str) -> Option<String> {
    let rest = issuer_id.strip_prefix("https://")?;
    let mut parts = rest.split('/');
    let host = parts.next().filter(|h| !h.is_empty())?.replace(':', "%3A");
    let mut did = format!("did:web:{host}");
    for part in parts.filter(|p| !p.is_empty()) {
        did.push(':');
        did.push_str(part);
    }
    Some(did)
}

/// The `did:web` DID document served at `/issuers/{id}/did.json`.
pub fn did_document(issuer: &IssuerRow, keys: &[IssuerKeyRow]) -> Option<Value> {
    let did = did_web(&issuer.issuer_id)?;
    let (methods, ids) = verification_methods(&did, keys, true);
    Some(json!({
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "alsoKnownAs": [issuer.issuer_id],
        "verificationMethod": methods,
        "assertionMethod": ids,
    }))
}

fn profile_page(issuer: &IssuerRow, keys: &[IssuerKeyRow]) -> String {
    let field = |key: &str| {
        issuer
            .profile
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let name = if field("name").is_empty() {
        issuer.issuer_id.as_str()
    } else {
        field("name")
    };
    let url = field("url");
    let link = if linkable(url) {
        format!(
            "<p><a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a></p>",
            escape(url)
        )
    } else {
        String::new()
    };
    let keys: String = keys
        .iter()
        .map(|k| {
            format!(
                "<li><code>{}</code> ({})</li>",
                escape(&k.public_key_multibase),
                k.status.as_str()
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name}</title><link rel=\"stylesheet\" href=\"/style.css\">\
         <link rel=\"stylesheet\" href=\"/credential.css\"></head><body>\
         <main id=\"main\" class=\"credential-page\"><section class=\"card\"><p class=\"eyebrow\">Credential issuer</p>\
         <h1>{name}</h1><p>{description}</p>{link}<p>Issuer id: <code>{id}</code></p>\
         <h2>Signing keys</h2><ul>{keys}</ul></section></main></body></html>\n",
        name = escape(name),
        description = escape(field("description")),
        id = escape(&issuer.issuer_id),
    )
}

async fn load(state: &AppState, id: &str) -> Result<(IssuerRow, Vec<IssuerKeyRow>), Response> {
    let internal =
        |e: crate::store::StoreError| crate::error::AppError::internal(e).into_response();
    let issuer = state
        .records
        .issuer(id)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found("issuer"))?;
    let keys = state
        .records
        .issuer_keys(&issuer.id)
        .await
        .map_err(internal)?;
    Ok((issuer, keys))
}

fn json_answer(request: &HeaderMap, media: &str, value: &Value) -> Response {
    let mut response = cached(
        request,
        media,
        caching::ISSUER,
        true,
        value.to_string().into_bytes(),
    );
    set(&mut response, header::CONTENT_SECURITY_POLICY, DATA_CSP);
    response
}

/// `GET /issuers/{id}`: the controller document (JSON-LD) or, for a browser, the profile page.
pub async fn issuer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    let (issuer, keys) = match load(&state, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let accept = request.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    match negotiate(accept) {
        Representation::Json(media) => {
            json_answer(&request, media, &controller_document(&issuer, &keys))
        }
        Representation::Html => {
            let mut response = cached(
                &request,
                "text/html; charset=utf-8",
                caching::ISSUER,
                true,
                profile_page(&issuer, &keys).into_bytes(),
            );
            set(&mut response, header::CONTENT_SECURITY_POLICY, PAGE_CSP);
            response
        }
    }
}

/// `GET /issuers/{id}/did.json`: the `did:web` document.
pub async fn did_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    let (issuer, keys) = match load(&state, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match did_document(&issuer, &keys) {
        Some(doc) => json_answer(&request, "application/did+ld+json", &doc),
        None => not_found("did:web issuer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::IssuerKeyStatus;

    fn issuer() -> IssuerRow {
        IssuerRow {
            id: "i1".into(),
            registration_id: Default::default(),
            issuer_id: "https://tool.test:8443/issuers/i1".into(),
            profile: json!({"name": "College <b>", "url": "https://college.example", "email": "a@college.example",
                "description": "d", "image": "https://college.example/logo.png"}),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn keys() -> Vec<IssuerKeyRow> {
        [
            "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
            "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        ]
        .iter()
        .enumerate()
        .map(|(i, mb)| IssuerKeyRow {
            key_id: format!("https://tool.test:8443/issuers/i1#{mb}"),
            issuer: "i1".into(),
            public_key_multibase: (*mb).into(),
            sealed_secret: vec![1, 2, 3],
            status: if i == 0 {
                IssuerKeyStatus::Current
            } else {
                IssuerKeyStatus::Previous
            },
            created_at: 0,
            retired_at: None,
        })
        .collect()
    }

    #[test]
    fn controller_document_lists_every_key_and_is_strict_json_ld() {
        let doc = controller_document(&issuer(), &keys());
        assert_eq!(doc["verificationMethod"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            doc["assertionMethod"][1],
            doc["verificationMethod"][1]["id"]
        );
        assert_eq!(doc["verificationMethod"][0]["controller"], doc["id"]);
        assert!(!doc.to_string().contains("sealed"));
        // Every key is a defined term of the pinned contexts (badges.md P1).
        cairn::credential::canonicalize(&doc.to_string()).expect("strict JSON-LD");
        let did = did_document(&issuer(), &keys()).expect("did:web");
        assert_eq!(did["id"], "did:web:tool.test%3A8443:issuers:i1");
        assert_eq!(
            did["verificationMethod"][0]["id"],
            "did:web:tool.test%3A8443:issuers:i1#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
        );
        cairn::credential::canonicalize(&did.to_string()).expect("strict JSON-LD");
    }

    #[test]
    fn did_web_follows_the_path() {
        assert_eq!(
            did_web("https://h.example/issuers/x").as_deref(),
            Some("did:web:h.example:issuers:x")
        );
        assert_eq!(
            did_web("https://h.example/lti/issuers/x").as_deref(),
            Some("did:web:h.example:lti:issuers:x")
        );
        assert_eq!(did_web("did:key:z6Mk"), None);
    }

    #[test]
    fn profile_page_escapes() {
        let html = profile_page(&issuer(), &keys());
        assert!(html.contains("College &lt;b&gt;"));
        assert!(!html.contains("College <b>"));
    }
}
