//! Building the `OpenBadgeCredential` Cairn issues (`spec/badges.md` §1–§3) from a credential
//! definition, the learner's issuance and record, the issuer profile, the recipient and the
//! issue time: every required field, the metadata items of requirements.md META, the CIS
//! items of §2 (as `cis*` terms under the inline CIS context), a hashed-email recipient by
//! default, NFC-normalised text and the definition version. Ids, salts, status indexes and
//! times are caller inputs (D6): nothing random, no clock. Signing is [`super::proof::sign`];
//! [`issue`] does both.
//!
//! | part | owns |
//! |---|---|
//! | [`input`] | [`BuildInput`] and its recipients, results, evidence; `from_record` |
//! | [`profile`] | the issuer `Profile` object, the issuer base and the credential `id` |
//! | [`kind`] | `achievementType` from the definition's `kind` |
//! | [`narrative`] | the criteria narrative from the award rule |
//! | this file | the credential JSON, CIS items, NFC, signing |
//!
//! A definition without an image gets the default badge of [`crate::credential::image`].

use serde_json::{Map, Value, json};
use unicode_normalization::UnicodeNormalization;

use super::contexts::{CIS_CONTEXT_JSON, OB_EXTENSIONS, OB_V3P0_3_0_3, VC_V2};
use super::error::CredentialError;
use super::image::default_badge_image;
use super::keys::IssuerKey;
use super::proof::{Finding, Signed, sign};
use super::status::{self, StatusPurpose};
use super::verify::identity_hash;
use crate::definition::{CredentialDefinition, CriticalInformationSummary};
use crate::number::Number;

pub mod input;
pub mod kind;
pub mod narrative;
pub mod profile;

pub use input::{BuildInput, CompetencyResult, EvidenceItem, Recipient};
pub use kind::{ACHIEVEMENT_TYPES, achievement_type, achievement_type_of_kind};
pub use narrative::criteria_narrative;
pub use profile::{IssuerProfile, credential_id, issuer_base};

/// The 1EdTech JSON Schema every issued credential names (`credentialSchema`).
pub const OB_SCHEMA_URL: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// A built (unsigned) credential.
#[derive(Debug, Clone)]
pub struct Built {
    /// The credential JSON, without `proof`.
    pub credential: Value,
    /// Interoperability notes.
    pub warnings: Vec<Finding>,
}

/// Warning code: a number whose JavaScript canonical form differs from its exact decimal.
pub const NUMBER_FORM_DIVERGENCE: &str = "number_form_divergence";

/// Percent-encodes a path segment or fragment (RFC 3986 unreserved kept).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn nonempty(field: &str, value: &str) -> Result<(), CredentialError> {
    if value.trim().is_empty() {
        return Err(CredentialError::field(field, "must not be empty"));
    }
    Ok(())
}

/// An absolute `https` URL or a DID; a loopback `http` URL too
/// ([`profile::is_loopback_http`]: the demo's origin).
fn check_https(field: &str, url: &str) -> Result<(), CredentialError> {
    let ok =
        (url.starts_with("https://") || url.starts_with("did:") || profile::is_loopback_http(url))
            && oxrdf::NamedNode::new(url).is_ok();
    if ok {
        Ok(())
    } else {
        Err(CredentialError::field(
            field,
            format!("\"{url}\" is not an absolute https URL"),
        ))
    }
}

/// A JSON number for an exact [`Number`], and whether JavaScript stacks canonicalize it
/// differently from its exact decimal (then a warning is due).
fn json_number(n: &Number) -> Result<(Value, bool), CredentialError> {
    let text = n.to_exact_string();
    if text.contains('/') {
        return Err(CredentialError::field(
            "credits",
            format!("{text} has no finite decimal form; use a decimal value"),
        ));
    }
    let v: f64 = text
        .parse()
        .map_err(|_| CredentialError::field("credits", format!("{text} is not a number")))?;
    if let Some(i) = n
        .to_i64()
        .filter(|i| i.unsigned_abs() <= super::jsonld::MAX_SAFE_INTEGER)
    {
        return Ok((Value::from(i), false));
    }
    let (js, _) = super::jsonld::js_number_lexical(v, false);
    let mantissa: String = js
        .split('E')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let exact: String = text.chars().filter(char::is_ascii_digit).collect();
    let diverges = mantissa.trim_start_matches('0').trim_end_matches('0')
        != exact.trim_start_matches('0').trim_end_matches('0');
    let number = serde_json::Number::from_f64(v)
        .ok_or_else(|| CredentialError::field("credits", format!("{text} is not finite")))?;
    Ok((Value::Number(number), diverges))
}

fn cis_properties(
    cis: &CriticalInformationSummary,
    def: &CredentialDefinition,
) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
            m.insert(k.to_owned(), Value::from(v.clone()));
        }
    };
    put("cisDeliveryMode", &cis.delivery_mode);
    put("cisPrerequisites", &cis.prerequisites);
    put("cisLearningResources", &cis.learning_resources);
    put("cisAssessmentType", &cis.assessment_type);
    put("cisAssessmentMethod", &cis.assessment_method);
    put("cisSupervision", &cis.supervision);
    put("cisQualityAssurance", &cis.quality_assurance);
    put("cisOutcome", &cis.outcome);
    put("cisStackability", &cis.stackability);
    put("cisPathways", &cis.pathways);
    put("cisCreditRecognition", &cis.credit_recognition);
    put("cisLevel", &cis.level);
    put(
        "cisInstructorQualifications",
        &cis.instructor_qualifications,
    );
    put("cisFurtherInformation", &cis.further_information);
    put(
        "cisContinuingEducationUnits",
        &def.ceu.as_ref().map(Number::to_exact_string),
    );
    if let Some(e) = &cis.effort_hours {
        for (term, hours) in [
            ("cisEffortHoursContact", &e.contact),
            ("cisEffortHoursPeer", &e.peer),
            ("cisEffortHoursAsync", &e.asynchronous),
            ("cisEffortHoursAssessment", &e.assessment),
        ] {
            m.insert(term.to_owned(), Value::from(hours.to_exact_string()));
        }
    }
    m
}

/// NFC-normalises every string of a JSON value (keys are ASCII terms).
fn nfc(value: &mut Value) {
    match value {
        Value::String(s) if !unicode_normalization::is_nfc(s) => {
            *s = s.nfc().collect();
        }
        Value::Array(items) => items.iter_mut().for_each(nfc),
        Value::Object(map) => map.values_mut().for_each(nfc),
        _ => {}
    }
}

/// An email address as Cairn hashes it: trimmed, NFC-normalised, lowercased. Issuance
/// uses it; a native host passes a claimed email through it before the verifier's
/// recipient check.
pub fn normalized_email(email: &str) -> String {
    nfc_str(email.trim()).to_lowercase()
}

fn nfc_str(s: &str) -> String {
    s.nfc().collect()
}

/// Builds the unsigned credential (§1): contexts, types, issuer, dates, subject with
/// recipient identifiers, achievement (criteria, image, tags, alignments, result
/// descriptions, credits, version, creator, CIS), results, evidence, status and schema.
pub fn build(input: &BuildInput<'_>) -> Result<Built, CredentialError> {
    let def = input.definition;
    let issuer = input.issuer;
    let mut warnings = Vec::new();
    check_https("issuer.id", &issuer.id)?;
    let credential_id = credential_id(&issuer.id, &input.credential_uuid)?;
    if issuer.id != def.issuer.id {
        return Err(CredentialError::field(
            "issuer.id",
            format!(
                "the definition names the issuer \"{}\", but the profile given is \"{}\"",
                def.issuer.id, issuer.id
            ),
        ));
    }
    nonempty("definition.name", &def.name)?;
    nonempty("definition.description", &def.description)?;
    let base = input.base_url.trim_end_matches('/');
    check_https("base_url", base)?;
    let def_path = format!("{base}/achievements/{}", encode_segment(def.id.as_str()));
    let achievement_id = format!("{def_path}/versions/{}", encode_segment(&def.version));
    let criteria_id = format!("{def_path}/criteria");

    // Issuer profile.
    let profile = issuer.to_json(&def.issuer.name)?;
    let issuer_name = profile["name"].clone();

    // Achievement.
    let meta = &def.metadata;
    let mut achievement = Map::new();
    achievement.insert("id".into(), json!(achievement_id));
    achievement.insert("type".into(), json!(["Achievement"]));
    achievement.insert("achievementType".into(), json!(achievement_type(def)));
    achievement.insert("name".into(), json!(def.name));
    achievement.insert("description".into(), json!(def.description));
    let narrative = criteria_narrative(def, input.related);
    achievement.insert(
        "criteria".into(),
        json!({"id": criteria_id, "narrative": narrative}),
    );
    // Every credential has an image: the definition's, else the default badge.
    let (image_id, caption) = match &meta.image {
        Some(img) if !img.id.trim().is_empty() => (img.id.clone(), img.caption.clone()),
        _ => (
            default_badge_image(def),
            Some(format!("Badge of {}", def.name.trim())),
        ),
    };
    let mut image = Map::new();
    image.insert("id".into(), json!(image_id));
    image.insert("type".into(), json!("Image"));
    if let Some(c) = caption {
        image.insert("caption".into(), json!(c));
    }
    achievement.insert("image".into(), Value::Object(image));
    if !meta.tags.is_empty() {
        achievement.insert("tag".into(), json!(meta.tags));
    }
    let alignments: Vec<Value> = def
        .competencies
        .iter()
        .map(|c| {
            let mut a = Map::new();
            a.insert("type".into(), json!(["Alignment"]));
            a.insert("targetName".into(), json!(c.statement));
            match &c.alignment {
                Some(al) => {
                    a.insert("targetUrl".into(), json!(al.target_url));
                    a.insert(
                        "targetType".into(),
                        json!(al.target_type.clone().unwrap_or_else(|| "CFItem".into())),
                    );
                    if let Some(code) = &al.target_code {
                        a.insert("targetCode".into(), json!(code));
                    }
                    if let Some(fw) = &al.target_framework {
                        a.insert("targetFramework".into(), json!(fw));
                    }
                }
                None => {
                    a.insert(
                        "targetUrl".into(),
                        json!(format!("{criteria_id}#{}", encode_segment(c.id.as_str()))),
                    );
                    a.insert("targetCode".into(), json!(c.id.as_str()));
                }
            }
            Value::Object(a)
        })
        .collect();
    if !alignments.is_empty() {
        achievement.insert("alignment".into(), Value::Array(alignments));
    }
    let rd_id = |c: &str| format!("{achievement_id}#result-{}", encode_segment(c));
    let descriptions: Vec<Value> = def
        .competencies
        .iter()
        .map(|c| {
            json!({
                "id": rd_id(c.id.as_str()),
                "type": ["ResultDescription"],
                "name": format!("Mastery: {}", c.statement),
                "resultType": "Percent",
                "valueMin": "0",
                "valueMax": "100",
                "requiredValue": c.threshold_percent.to_exact_string(),
            })
        })
        .collect();
    let mut descriptions = descriptions;
    let level_id = |name: &str| format!("{achievement_id}#level-{}", encode_segment(name));
    if !def.levels.is_empty() {
        // REQ-ASSESS-12: the levels above pass, as OB 3.0 rubric criterion levels.
        let levels: Vec<Value> = def
            .levels
            .iter()
            .map(|l| json!({"id": level_id(&l.name), "type": ["RubricCriterionLevel"], "name": l.name}))
            .collect();
        descriptions.push(json!({
            "id": format!("{achievement_id}#result-level"),
            "type": ["ResultDescription"],
            "name": "Achievement level",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": levels,
        }));
    }
    if !descriptions.is_empty() {
        achievement.insert("resultDescription".into(), Value::Array(descriptions));
    }
    if let Some(code) = &meta.human_code {
        achievement.insert("humanCode".into(), json!(code));
    }
    achievement.insert("version".into(), json!(def.version));
    if let Some(lang) = &meta.language {
        achievement.insert("inLanguage".into(), json!(lang));
    }
    let credits = match &def.credits {
        Some(c) => {
            let (n, diverges) = json_number(c)?;
            if diverges {
                warnings.push(Finding {
                    code: NUMBER_FORM_DIVERGENCE,
                    message: format!(
                        "credits {} canonicalize as JavaScript writes the double ({}); verifiers that canonicalize exact decimals compute another hash (badges.md P9)",
                        c.to_exact_string(),
                        super::jsonld::js_number_lexical(n.as_f64().unwrap_or(0.0), false).0
                    ),
                });
            }
            achievement.insert("creditsAvailable".into(), n.clone());
            Some(n)
        }
        None => None,
    };
    if let Some(d) = &meta.department {
        achievement.insert(
            "creator".into(),
            json!({
                "id": d.id,
                "type": ["Profile"],
                "name": d.name,
                "parentOrg": {"id": issuer.id, "type": ["Profile"], "name": issuer_name},
            }),
        );
    }
    let cis = meta
        .cis
        .as_ref()
        .map(|c| cis_properties(c, def))
        .unwrap_or_default();
    let with_cis = !cis.is_empty();
    achievement.extend(cis);

    // Subject.
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["AchievementSubject"]));
    let hashed = |kind: &str, value: &str, salt: &str| -> Result<Value, CredentialError> {
        nonempty("recipient.salt", salt)?;
        Ok(json!({
            "type": "IdentityObject",
            "identityType": kind,
            "hashed": true,
            "identityHash": identity_hash(value, salt),
            "salt": salt,
        }))
    };
    let email_value = |e: &str| normalized_email(e);
    let identifiers: Vec<Value> = match &input.recipient {
        Recipient::HashedEmail { email, salt } => {
            nonempty("recipient.email", email)?;
            vec![hashed("emailAddress", &email_value(email), salt)?]
        }
        Recipient::PlainEmail { email } => {
            nonempty("recipient.email", email)?;
            vec![
                json!({"type": "IdentityObject", "identityType": "emailAddress", "hashed": false, "identityHash": email_value(email)}),
            ]
        }
        Recipient::HashedLtiUser {
            sub,
            salt,
            platform,
        } => {
            nonempty("recipient.sub", sub)?;
            let mut v = vec![hashed("ltiUserId", sub, salt)?];
            if let Some(p) = platform {
                v.push(json!({"type": "IdentityObject", "identityType": "ltiPlatformId", "hashed": false, "identityHash": p}));
            }
            v
        }
        Recipient::Did { did, email } => {
            if !did.starts_with("did:") || oxrdf::NamedNode::new(did.as_str()).is_err() {
                return Err(CredentialError::field(
                    "recipient.did",
                    format!("\"{did}\" is not a DID"),
                ));
            }
            subject.insert("id".into(), json!(did));
            match email {
                Some((e, salt)) => vec![hashed("emailAddress", &email_value(e), salt)?],
                None => Vec::new(),
            }
        }
    };
    let mut identifiers = identifiers;
    if let Some(name) = input
        .recipient_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && meta.show_recipient_name)
    {
        // badges.md §3 "Plain name": in clear, only where the definition allows it.
        identifiers.push(json!({"type": "IdentityObject", "identityType": "name", "hashed": false, "identityHash": name}));
    }
    if !identifiers.is_empty() {
        subject.insert("identifier".into(), Value::Array(identifiers));
    }
    subject.insert("achievement".into(), Value::Object(achievement));
    let known: Vec<&str> = def.competencies.iter().map(|c| c.id.as_str()).collect();
    let mut results = Vec::new();
    for r in &input.results {
        if !known.contains(&r.competency.as_str()) {
            return Err(CredentialError::field(
                "results",
                format!("\"{}\" is not a competency of \"{}\"", r.competency, def.id),
            ));
        }
        results.push(json!({
            "type": ["Result"],
            "resultDescription": rd_id(&r.competency),
            "value": r.value,
            "status": "Completed",
        }));
    }
    if let Some(level) = &input.level {
        if !def.levels.iter().any(|l| l.name == *level) {
            return Err(CredentialError::field(
                "level",
                format!("\"{level}\" is not an achievement level of \"{}\"", def.id),
            ));
        }
        results.push(json!({
            "type": ["Result"],
            "resultDescription": format!("{achievement_id}#result-level"),
            "achievedLevel": level_id(level),
            "status": "Completed",
        }));
    }
    if !results.is_empty() {
        subject.insert("result".into(), Value::Array(results));
    }
    if meta.show_plar_route && !input.plar_route.is_empty() {
        // REQ-PLAR-05: only on the issuer's option; otherwise the route stays internal.
        let methods: Vec<&str> = input.plar_route.iter().map(|m| m.as_str()).collect();
        subject.insert(
            "narrative".into(),
            json!(format!(
                "Earned through prior learning assessment and recognition ({}).",
                methods.join(", ").replace('_', " ")
            )),
        );
    }
    if let Some((start, end)) = input.activity {
        subject.insert("activityStartDate".into(), json!(start.to_string()));
        subject.insert("activityEndDate".into(), json!(end.to_string()));
    }
    if let Some(n) = credits {
        subject.insert("creditsEarned".into(), n);
    }

    // Credential.
    let mut contexts = vec![json!(VC_V2), json!(OB_V3P0_3_0_3), json!(OB_EXTENSIONS)];
    if with_cis {
        let cis_ctx: Value = serde_json::from_str(CIS_CONTEXT_JSON).map_err(|e| {
            CredentialError::context_invalid(format!("the CIS context constant: {e}"))
        })?;
        contexts.push(cis_ctx);
    }
    let mut c = Map::new();
    c.insert("@context".into(), Value::Array(contexts));
    c.insert("id".into(), json!(credential_id));
    c.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential"]),
    );
    c.insert("issuer".into(), profile);
    c.insert("validFrom".into(), json!(input.issued_at.to_string()));
    let valid_until = input
        .valid_until
        .or_else(|| def.validity.map(|v| v.valid_until(input.issued_at)));
    if let Some(u) = valid_until {
        if u < input.issued_at {
            return Err(CredentialError::field(
                "valid_until",
                format!("{u} is before the issue time {}", input.issued_at),
            ));
        }
        c.insert("validUntil".into(), json!(u.to_string()));
    }
    c.insert(
        "awardedDate".into(),
        json!(input.awarded_at.unwrap_or(input.issued_at).to_string()),
    );
    c.insert("name".into(), json!(def.name));
    c.insert("description".into(), json!(def.description));
    c.insert("image".into(), json!({"id": image_id, "type": "Image"}));
    c.insert("credentialSubject".into(), Value::Object(subject));
    if !input.evidence.is_empty() {
        let ev: Vec<Value> = input
            .evidence
            .iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("id".into(), json!(e.id));
                m.insert("type".into(), json!(["Evidence"]));
                m.insert("name".into(), json!(e.name));
                if let Some(n) = &e.narrative {
                    m.insert("narrative".into(), json!(n));
                }
                if let Some(g) = &e.genre {
                    m.insert("genre".into(), json!(g));
                }
                Value::Object(m)
            })
            .collect();
        c.insert("evidence".into(), Value::Array(ev));
    }
    let mut entries = Vec::new();
    if let Some((list, index)) = &input.status {
        check_https("status list", list)?;
        entries.push(status::status_entry(
            list,
            *index,
            StatusPurpose::Revocation,
        ));
    }
    if let Some((list, index)) = &input.suspension {
        check_https("suspension status list", list)?;
        entries.push(status::status_entry(
            list,
            *index,
            StatusPurpose::Suspension,
        ));
    }
    // One entry stays a bare object (the form of badges.md §7 and of existing vectors); two
    // are an array (VC 2.0 `credentialStatus` takes either).
    match entries.len() {
        0 => {}
        1 => {
            c.insert("credentialStatus".into(), entries.remove(0));
        }
        _ => {
            c.insert("credentialStatus".into(), Value::Array(entries));
        }
    }
    c.insert(
        "credentialSchema".into(),
        json!([{"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]),
    );
    let mut credential = Value::Object(c);
    nfc(&mut credential);
    Ok(Built {
        credential,
        warnings,
    })
}

/// The key id for an issuer (D3): `<issuer id>#z6Mk…` for `https` issuers, the `did:key`
/// method for `did:key` issuers.
pub fn key_id(issuer_id: &str, key: &IssuerKey) -> String {
    let public = key.public();
    if issuer_id.starts_with("did:key:") {
        public.did_key_method()
    } else {
        public.https_method(issuer_id)
    }
}

/// Builds and signs (`created` = the issue time): the credential the server stores and
/// the warnings to record in the issuance log.
pub fn issue(input: &BuildInput<'_>, key: &IssuerKey) -> Result<Signed, CredentialError> {
    let built = build(input)?;
    if input.issuer.id.starts_with("did:key:") && input.issuer.id != key.public().did_key() {
        return Err(CredentialError::field(
            "issuer.id",
            "a did:key issuer must be the signing key's did:key",
        ));
    }
    let mut signed = sign(
        &built.credential,
        key,
        &key_id(&input.issuer.id, key),
        input.issued_at,
    )?;
    let mut warnings = built.warnings;
    warnings.append(&mut signed.warnings);
    signed.warnings = warnings;
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::check_https;

    #[test]
    fn https_dids_and_loopback_http_are_issuer_urls_other_http_is_not() {
        for ok in [
            "https://college.example/issuers/x",
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "http://localhost:8080/issuers/x",
            "http://127.0.0.1:9/credentials/c",
        ] {
            assert!(check_https("issuer.id", ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://college.example/issuers/x",
            "http://localhost.evil.example/issuers/x",
            "ftp://localhost/x",
        ] {
            assert!(check_https("issuer.id", refused).is_err(), "{refused}");
        }
    }
}
