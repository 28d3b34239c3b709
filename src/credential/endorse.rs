//! Endorsements (REQ-META-04's optional field, REQ-ISSUE-07, REQ-ISSUE-09): an Open Badges
//! 3.0 `EndorsementCredential` built from a partner's profile and signed with the
//! partner's key, so that a partner co-signs a program without being its issuer. Its
//! subject is what is endorsed: an achievement (a definition version's id), an issuer
//! profile, or one issued credential. An endorsement is its own credential: attaching it to
//! a credential already signed would break that proof (`spec/badges.md` P12), so it is
//! either served beside what it endorses (the achievement or issuer page, REQ-ISSUE-07:
//! "after issue, without re-issuing") or embedded, with [`attach`], into a credential
//! *before* that credential is signed, where the verifier's V14 checks it.

use serde_json::{Map, Value, json};

use super::build::{IssuerProfile, credential_id, key_id};
use super::contexts::{OB_V3P0_3_0_3, VC_V2};
use super::error::CredentialError;
use super::keys::IssuerKey;
use super::proof::{Signed, sign};
use crate::time::Timestamp;

/// Everything an endorsement is built from.
#[derive(Debug, Clone)]
pub struct EndorsementInput<'a> {
    /// The endorsing partner (its own issuer profile and key).
    pub endorser: &'a IssuerProfile,
    /// The id of what is endorsed: an achievement (a definition version's
    /// `credentialSubject.achievement.id`), an issuer profile or an issued credential.
    pub subject_id: String,
    /// The partner's statement (`endorsementComment`, Markdown).
    pub comment: String,
    /// The endorsement's name, e.g. "Endorsement by the Food Safety Council".
    pub name: String,
    /// A UUID drawn by the caller: the endorsement's id is made from it like a credential's.
    pub credential_uuid: String,
    /// When the partner endorses (`validFrom`, and the proof's `created`).
    pub issued_at: Timestamp,
    /// The end of the endorsement, if it has one.
    pub valid_until: Option<Timestamp>,
}

/// The unsigned `EndorsementCredential`.
pub fn build_endorsement(input: &EndorsementInput<'_>) -> Result<Value, CredentialError> {
    let subject = input.subject_id.trim();
    if subject.is_empty() || oxrdf::NamedNode::new(subject).is_err() {
        return Err(CredentialError::field(
            "endorsement.subject_id",
            "must be the absolute IRI of the endorsed achievement, issuer or credential",
        ));
    }
    for (field, value) in [
        ("endorsement.comment", &input.comment),
        ("endorsement.name", &input.name),
    ] {
        if value.trim().is_empty() {
            return Err(CredentialError::field(field, "must not be empty"));
        }
    }
    if input.endorser.id == subject {
        return Err(CredentialError::field(
            "endorsement.subject_id",
            "an issuer cannot endorse its own profile",
        ));
    }
    let id = credential_id(&input.endorser.id, &input.credential_uuid)?;
    let profile = input.endorser.to_json(&input.endorser.name)?;
    let mut c = Map::new();
    c.insert("@context".into(), json!([VC_V2, OB_V3P0_3_0_3]));
    c.insert("id".into(), json!(id));
    c.insert(
        "type".into(),
        json!(["VerifiableCredential", "EndorsementCredential"]),
    );
    c.insert("issuer".into(), profile);
    c.insert("validFrom".into(), json!(input.issued_at.to_string()));
    if let Some(until) = input.valid_until {
        if until < input.issued_at {
            return Err(CredentialError::field(
                "endorsement.valid_until",
                format!("{until} is before {}", input.issued_at),
            ));
        }
        c.insert("validUntil".into(), json!(until.to_string()));
    }
    c.insert("name".into(), json!(input.name.trim()));
    c.insert(
        "credentialSubject".into(),
        json!({
            "id": subject,
            "type": ["EndorsementSubject"],
            "endorsementComment": input.comment,
        }),
    );
    Ok(Value::Object(c))
}

/// Builds and signs the endorsement with the partner's key (`created` = `issued_at`).
pub fn endorse(input: &EndorsementInput<'_>, key: &IssuerKey) -> Result<Signed, CredentialError> {
    let unsigned = build_endorsement(input)?;
    sign(
        &unsigned,
        key,
        &key_id(&input.endorser.id, key),
        input.issued_at,
    )
}

/// Embeds a signed endorsement into an *unsigned* credential (sign it afterwards): under
/// the achievement or the issuer, whichever the endorsement's subject is. Refuses a signed
/// credential (the proof would break), an endorsement of a credential (it is served beside
/// it) and an endorsement whose subject is not that achievement or issuer.
pub fn attach(credential: &mut Value, endorsement: &Signed) -> Result<(), CredentialError> {
    if credential.get("proof").is_some() {
        return Err(CredentialError::field(
            "credential.proof",
            "the credential is signed: embedding changes it and breaks the proof; serve the endorsement beside it, or embed before signing",
        ));
    }
    let subject = endorsement.credential["credentialSubject"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let achievement_id = credential["credentialSubject"]["achievement"]["id"].as_str();
    let issuer_id = credential["issuer"]["id"].as_str();
    let target = if achievement_id == Some(subject.as_str()) {
        credential
            .get_mut("credentialSubject")
            .and_then(|s| s.get_mut("achievement"))
    } else if issuer_id == Some(subject.as_str()) {
        credential.get_mut("issuer")
    } else {
        None
    };
    let Some(Value::Object(target)) = target else {
        return Err(CredentialError::field(
            "endorsement.credentialSubject.id",
            format!(
                "\"{subject}\" is neither this credential's achievement nor its issuer profile"
            ),
        ));
    };
    let list = target
        .entry("endorsement")
        .or_insert_with(|| Value::Array(Vec::new()));
    match list {
        Value::Array(items) => items.push(endorsement.credential.clone()),
        other => *other = json!([other.clone(), endorsement.credential.clone()]),
    }
    Ok(())
}
