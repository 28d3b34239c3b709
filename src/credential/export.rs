//! Exports of issued Open Badges 3.0 credentials for consumers that cannot read them
//! directly (`spec/badges.md` §9): an Open Badges 2.0 hosted `Assertion` with its
//! `BadgeClass` and issuer `Profile` (Moodle backpacks, Canvas Badges import), and a CLR 2.0
//! `ClrCredential` that bundles a learner's signed credentials with the stacking between
//! them. Pure JSON derivation: it never signs (the CLR is returned unsigned for the signer),
//! never hosts or fetches anything, never reads a clock, and never alters a nested credential.
//!
//! # What each export carries and drops
//!
//! | OB 3.0 credential | OB 2.0 hosted export | CLR 2.0 export |
//! |---|---|---|
//! | whole signed credential (`proof`, `credentialStatus`, everything) | **dropped**: hosted verification trusts the assertion's URL instead of a signature | carried verbatim in `credentialSubject.verifiableCredential[]`, nested proof intact |
//! | `credentialSubject.identifier[]`, `identityType: emailAddress` | `Assertion.recipient` (`type: email`; `hashed`, `salt` and `identity` = `identityHash`, the same `sha256$…` formula) | in the nested credential; the CLR subject's `id`/`identifier` are given by the caller |
//! | other identifiers, subject `id` (DID) | **dropped**; an export without an email identifier is refused | in the nested credential |
//! | `awardedDate` (else `validFrom`), `validUntil` | `issuedOn`, `expires` | in the nested credential |
//! | `evidence[]` (`id`, `name`, `narrative`, `genre`, `description`) | `Assertion.evidence[]` | in the nested credential |
//! | `achievement` `name`, `description`, `criteria` (`id`, `narrative`), `image.id`, `tag[]` | `BadgeClass` `name`, `description`, `criteria`, `image`, `tags` | copied once per achievement into `credentialSubject.achievement[]` |
//! | `achievement.alignment[]` (`targetName`, `targetUrl`, `targetDescription`, `targetFramework`, `targetCode`) | `BadgeClass.alignment[]`; `targetType` **dropped** | in the achievement |
//! | `issuer` `name`, `url`, `email`, `description`, `image.id` | `Profile` (`type: Issuer`) at the caller's issuer URL | in the nested credential; the CLR's own `issuer` is given by the caller |
//! | `credentialStatus` | **dropped**: the server answers HTTP 410 or serves [`ob2_revoked_assertion`] | in the nested credential (the CLR itself carries no status) |
//! | `result[]`, `resultDescription[]`, credits, activity dates, `achievementType`, `humanCode`, `version`, `inLanguage`, `creator`, CIS `cis*` terms, `credentialSchema`, image captions, the credential `id` | **dropped** (OB 2.0 has no term for them) | in the nested credential |
//! | stacking (a credential whose criteria include others) | **dropped** | `credentialSubject.association[]`: `isParentOf` from the stacked achievement to each one it includes |

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::vc::names_learner;

use crate::time::Timestamp;

/// The JSON-LD context of Open Badges 2.0.
pub const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";
/// The JSON-LD contexts of a CLR 2.0 credential, in order (`spec/badges.md` §9).
pub const CLR_CONTEXTS: [&str; 4] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
];

/// The 1EdTech JSON Schema a CLR 2.0 credential names in `credentialSchema`, as the CLR 2.0
/// specification's examples do.
pub const CLR_SCHEMA_URL: &str =
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json";

/// Why an export could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The input lacks a field the export needs.
    #[error("{what} has no `{field}`, which {export} requires")]
    FieldMissing {
        /// Which input (`the credential`, `credential 2 of the bundle`, …).
        what: String,
        /// The JSON path of the missing field.
        field: &'static str,
        /// Which export needs it.
        export: &'static str,
    },
    /// The credential names its learner without an email address.
    #[error(
        "an Open Badges 2.0 assertion needs an email recipient, but the credential identifies its learner otherwise: export it as OB 3.0 or CLR instead"
    )]
    RecipientUnsupported,
    /// A hosting URL is not an absolute http(s) URL.
    #[error("`{url}` is not an absolute https URL: OB 2.0 hosted objects need public URLs")]
    UrlInvalid {
        /// The URL.
        url: String,
    },
    /// The hosted objects are on different origins.
    #[error(
        "`{url}` is not on the issuer's origin `{origin}`: OB 2.0 hosted verification needs the assertion, badge class and issuer on one origin"
    )]
    OriginMismatch {
        /// The offending URL.
        url: String,
        /// The issuer URL's origin.
        origin: String,
    },
    /// A CLR bundle without credentials.
    #[error("a CLR needs at least one credential to bundle")]
    EmptyBundle,
    /// An association names an achievement not in the bundle.
    #[error(
        "the association names the achievement `{id}`, which no credential in the bundle carries: bundle that credential too or drop the association"
    )]
    UnknownAchievement {
        /// The achievement id.
        id: String,
    },
    /// An association from an achievement to itself.
    #[error("the achievement `{id}` cannot be stacked onto itself")]
    SelfAssociation {
        /// The achievement id.
        id: String,
    },
    /// A bundled credential is issued to someone other than the CLR's learner.
    #[error(
        "credential {index} of the bundle is issued to someone other than the CLR's learner (no matching subject id or identifier): a CLR bundles one learner's credentials"
    )]
    LearnerMismatch {
        /// The credential's position in the bundle, from 1.
        index: usize,
    },
}

impl ExportError {
    /// The stable machine-readable code (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::FieldMissing { .. } => "export_field_missing",
            ExportError::RecipientUnsupported => "export_recipient_unsupported",
            ExportError::UrlInvalid { .. } => "export_url_invalid",
            ExportError::OriginMismatch { .. } => "export_origin_mismatch",
            ExportError::EmptyBundle => "export_bundle_empty",
            ExportError::UnknownAchievement { .. } => "export_achievement_unknown",
            ExportError::SelfAssociation { .. } => "export_association_invalid",
            ExportError::LearnerMismatch { .. } => "export_learner_mismatch",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Open Badges 2.0
// ---------------------------------------------------------------------------------------

/// Where the server hosts the three OB 2.0 objects; all on one https origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ob2Hosting {
    /// The public URL of the hosted `Assertion` (its `id`).
    pub assertion_url: String,
    /// The public URL of the `BadgeClass`.
    pub badge_class_url: String,
    /// The public URL of the issuer `Profile`.
    pub issuer_url: String,
}

/// The three hosted objects of an OB 2.0 export.
#[derive(Debug, Clone, PartialEq)]
pub struct Ob2Export {
    /// The hosted `Assertion`.
    pub assertion: Value,
    /// The `BadgeClass` it names.
    pub badge_class: Value,
    /// The issuer `Profile` (`type: Issuer`) the badge class names.
    pub profile: Value,
}

const OB2: &str = "the Open Badges 2.0 export";

/// The origin (`scheme://host[:port]`, lowercased) of an absolute https URL.
fn origin(url: &str) -> Result<String, ExportError> {
    let invalid = || ExportError::UrlInvalid {
        url: url.to_string(),
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(invalid());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains(['@', ' ']) {
        return Err(invalid());
    }
    Ok(format!("https://{}", authority.to_ascii_lowercase()))
}

fn field<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

fn required<'a>(
    value: &'a Value,
    path: &[&str],
    name: &'static str,
    export: &'static str,
) -> Result<&'a Value, ExportError> {
    field(value, path)
        .filter(|v| !v.is_null())
        .ok_or_else(|| ExportError::FieldMissing {
            what: "the credential".into(),
            field: name,
            export,
        })
}

/// The `id` of an OB 3.0 `Image` (an object with `id`, or a bare URL string).
fn image_id(image: &Value) -> Option<&Value> {
    match image {
        Value::String(_) => Some(image),
        Value::Object(object) => object.get("id"),
        _ => None,
    }
}

/// Copies `keys` that are present from `from` into `to`.
fn copy_keys(from: &Value, to: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(value) = from.get(*key) {
            to.insert((*key).to_string(), value.clone());
        }
    }
}

fn ob2_recipient(credential: &Value) -> Result<Value, ExportError> {
    let identifiers = field(credential, &["credentialSubject", "identifier"]);
    let identifiers: Vec<&Value> = match identifiers {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => Vec::new(),
    };
    let email = identifiers
        .into_iter()
        .find(|i| i.get("identityType").and_then(Value::as_str) == Some("emailAddress"))
        .ok_or(ExportError::RecipientUnsupported)?;
    let identity = email
        .get("identityHash")
        .filter(|v| v.is_string())
        .ok_or(ExportError::RecipientUnsupported)?;
    let hashed = email
        .get("hashed")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut recipient = json!({"type": "email", "hashed": hashed, "identity": identity});
    if hashed {
        let salt = email.get("salt").ok_or(ExportError::RecipientUnsupported)?;
        recipient["salt"] = salt.clone();
    }
    Ok(recipient)
}

/// Derives the OB 2.0 hosted `Assertion`, `BadgeClass` and issuer `Profile` from an OB 3.0
/// credential (see the module table for what is carried and dropped). The three URLs must
/// share the issuer URL's https origin, as hosted verification requires.
pub fn ob2_export(credential: &Value, hosting: &Ob2Hosting) -> Result<Ob2Export, ExportError> {
    let issuer_origin = origin(&hosting.issuer_url)?;
    for url in [&hosting.assertion_url, &hosting.badge_class_url] {
        if origin(url)? != issuer_origin {
            return Err(ExportError::OriginMismatch {
                url: url.clone(),
                origin: issuer_origin.clone(),
            });
        }
    }

    let achievement = required(
        credential,
        &["credentialSubject", "achievement"],
        "credentialSubject.achievement",
        OB2,
    )?;
    let issuer = required(credential, &["issuer"], "issuer", OB2)?;
    let issued_on = field(credential, &["awardedDate"])
        .or_else(|| field(credential, &["validFrom"]))
        .ok_or_else(|| ExportError::FieldMissing {
            what: "the credential".into(),
            field: "validFrom",
            export: OB2,
        })?;

    let mut assertion = json!({
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": hosting.assertion_url,
        "recipient": ob2_recipient(credential)?,
        "badge": hosting.badge_class_url,
        "verification": {"type": "hosted"},
        "issuedOn": issued_on,
    });
    if let Some(expires) = credential.get("validUntil") {
        assertion["expires"] = expires.clone();
    }
    if let Some(Value::Array(items)) = credential.get("evidence") {
        let evidence: Vec<Value> = items
            .iter()
            .map(|item| {
                let mut out = Map::new();
                copy_keys(
                    item,
                    &mut out,
                    &["id", "name", "narrative", "genre", "description"],
                );
                Value::Object(out)
            })
            .collect();
        if !evidence.is_empty() {
            assertion["evidence"] = Value::Array(evidence);
        }
    }

    let image = achievement
        .get("image")
        .or_else(|| credential.get("image"))
        .and_then(image_id)
        .ok_or_else(|| ExportError::FieldMissing {
            what: "the credential".into(),
            field: "credentialSubject.achievement.image",
            export: OB2,
        })?;
    let mut badge_class = json!({
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": hosting.badge_class_url,
        "name": required(achievement, &["name"], "credentialSubject.achievement.name", OB2)?,
        "description": required(achievement, &["description"], "credentialSubject.achievement.description", OB2)?,
        "image": image,
        "issuer": hosting.issuer_url,
    });
    let criteria = required(
        achievement,
        &["criteria"],
        "credentialSubject.achievement.criteria",
        OB2,
    )?;
    let mut ob2_criteria = Map::new();
    copy_keys(criteria, &mut ob2_criteria, &["id", "narrative"]);
    badge_class["criteria"] = Value::Object(ob2_criteria);
    if let Some(tags) = achievement.get("tag") {
        badge_class["tags"] = tags.clone();
    }
    if let Some(Value::Array(items)) = achievement.get("alignment") {
        let alignment: Vec<Value> = items
            .iter()
            .map(|item| {
                let mut out = Map::new();
                copy_keys(
                    item,
                    &mut out,
                    &[
                        "targetName",
                        "targetUrl",
                        "targetDescription",
                        "targetFramework",
                        "targetCode",
                    ],
                );
                Value::Object(out)
            })
            .collect();
        badge_class["alignment"] = Value::Array(alignment);
    }

    let mut profile = json!({
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": hosting.issuer_url,
        "name": required(issuer, &["name"], "issuer.name", OB2)?,
        "url": required(issuer, &["url"], "issuer.url", OB2)?,
        "email": required(issuer, &["email"], "issuer.email", OB2)?,
    });
    if let Some(description) = issuer.get("description") {
        profile["description"] = description.clone();
    }
    if let Some(image) = issuer.get("image").and_then(image_id) {
        profile["image"] = image.clone();
    }

    Ok(Ob2Export {
        assertion,
        badge_class,
        profile,
    })
}

/// The hosted OB 2.0 assertion of a revoked credential (`revoked: true`, with the reason
/// when one is given), served instead of the assertion or as the body of an HTTP 410.
pub fn ob2_revoked_assertion(assertion_url: &str, reason: Option<&str>) -> Value {
    let mut assertion = json!({
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url,
        "revoked": true,
    });
    if let Some(reason) = reason {
        assertion["revocationReason"] = Value::String(reason.to_string());
    }
    assertion
}

// ---------------------------------------------------------------------------------------
// CLR 2.0
// ---------------------------------------------------------------------------------------

/// One stacking relation: the achievement `parent` (a stacked credential) includes the
/// achievement `child`. Both are achievement ids of credentials in the bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stacking {
    /// The stacked (larger) credential's achievement id: the association's `sourceId`.
    pub parent: String,
    /// The included credential's achievement id: the association's `targetId`.
    pub child: String,
}

/// What a CLR bundle is made of.
#[derive(Debug, Clone, Copy)]
pub struct ClrInput<'a> {
    /// The CLR's `id` (a `urn:uuid:` chosen by the caller).
    pub id: &'a str,
    /// Its display name (for example "Comprehensive Learner Record").
    pub name: &'a str,
    /// The issuer `Profile` object (the institution signing the CLR).
    pub issuer: &'a Value,
    /// Its `validFrom` (the export time, given by the caller).
    pub valid_from: Timestamp,
    /// The learner: an object whose `id` and/or `identifier` are copied into the
    /// `ClrSubject`.
    pub learner: &'a Value,
    /// The learner's signed OB 3.0 credentials, in display order.
    pub credentials: &'a [Value],
    /// The stacking between their achievements.
    pub stacking: &'a [Stacking],
}

const CLR: &str = "the CLR 2.0 export";

/// Builds the unsigned CLR 2.0 `ClrCredential` bundling `input.credentials` verbatim, their
/// achievements (once per achievement id) and one `isParentOf` association per stacking
/// relation. Sign it with the issuer key before handing it out; the nested proofs stay as
/// they are. Every credential must be issued to `input.learner` by the rule of
/// [`names_learner`] (same subject `id`, or a matching
/// `identifier` entry), else [`ExportError::LearnerMismatch`].
pub fn clr_credential(input: &ClrInput<'_>) -> Result<Value, ExportError> {
    if input.credentials.is_empty() {
        return Err(ExportError::EmptyBundle);
    }
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["ClrSubject"]));
    copy_keys(input.learner, &mut subject, &["id", "identifier"]);
    if !subject.contains_key("id") && !subject.contains_key("identifier") {
        return Err(ExportError::FieldMissing {
            what: "the learner".into(),
            field: "id",
            export: CLR,
        });
    }
    let mut achievements = Vec::new();
    let mut achievement_ids = BTreeSet::new();
    for (index, credential) in input.credentials.iter().enumerate() {
        let achievement = field(credential, &["credentialSubject", "achievement"])
            .filter(|a| a.get("id").and_then(Value::as_str).is_some())
            .ok_or_else(|| ExportError::FieldMissing {
                what: format!("credential {} of the bundle", index + 1),
                field: "credentialSubject.achievement.id",
                export: CLR,
            })?;
        if !names_learner(input.learner, credential) {
            return Err(ExportError::LearnerMismatch { index: index + 1 });
        }
        let id = achievement["id"].as_str().unwrap_or_default().to_string();
        if achievement_ids.insert(id) {
            achievements.push(achievement.clone());
        }
    }

    let mut associations = Vec::new();
    let mut seen = BTreeSet::new();
    for stacking in input.stacking {
        for id in [&stacking.parent, &stacking.child] {
            if !achievement_ids.contains(id) {
                return Err(ExportError::UnknownAchievement { id: id.clone() });
            }
        }
        if stacking.parent == stacking.child {
            return Err(ExportError::SelfAssociation {
                id: stacking.parent.clone(),
            });
        }
        if seen.insert(stacking) {
            associations.push(json!({
                "type": "Association",
                "associationType": "isParentOf",
                "sourceId": stacking.parent,
                "targetId": stacking.child,
            }));
        }
    }

    subject.insert(
        "verifiableCredential".into(),
        Value::Array(input.credentials.to_vec()),
    );
    subject.insert("achievement".into(), Value::Array(achievements));
    if !associations.is_empty() {
        subject.insert("association".into(), Value::Array(associations));
    }

    if input.issuer.get("id").and_then(Value::as_str).is_none() {
        return Err(ExportError::FieldMissing {
            what: "the CLR issuer".into(),
            field: "id",
            export: CLR,
        });
    }
    Ok(json!({
        "@context": CLR_CONTEXTS,
        "id": input.id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": input.issuer,
        "name": input.name,
        "validFrom": input.valid_from.to_string(),
        "credentialSubject": subject,
        "credentialSchema": [{"id": CLR_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }))
}
