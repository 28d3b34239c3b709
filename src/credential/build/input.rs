//! What a credential is built from ([`BuildInput`]): the definition, the issuer profile, the
//! recipient, the caller's UUID and times, results and evidence; and [`BuildInput::from_record`],
//! which takes them from one issuance of a folded record and refuses a record folded after
//! the issue time. Data and checks only: the JSON is assembled in [`super::build`].

use super::profile::IssuerProfile;
use crate::credential::error::CredentialError;
use crate::definition::{CredentialDefinition, PlarMethod};
use crate::record::{IssuanceRecord, MasteryStatus, Record};
use crate::time::Timestamp;

/// Who receives the credential (§3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// The default: salted SHA-256 of the trimmed, lowercased email.
    HashedEmail {
        /// The email as the LMS gives it.
        email: String,
        /// 32 lowercase hex characters, fresh per credential (caller-supplied).
        salt: String,
    },
    /// The email in clear (only on the learner's opt-in: it exposes the holder).
    PlainEmail {
        /// The email.
        email: String,
    },
    /// The LTI `sub`, hashed (no email available), with the platform `iss` in clear.
    HashedLtiUser {
        /// The LTI `sub`.
        sub: String,
        /// Salt, as for emails.
        salt: String,
        /// The platform issuer (`iss`), if known.
        platform: Option<String>,
    },
    /// A learner DID as `credentialSubject.id`, with a hashed email identifier too when given.
    Did {
        /// `did:key:…` or `did:web:…`.
        did: String,
        /// Optional `(email, salt)` for a hashed identifier beside the DID.
        email: Option<(String, String)>,
    },
}

/// One `evidence[]` item (only when the learner opted in, REQ-META-07).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceItem {
    /// Its public URL.
    pub id: String,
    /// Title.
    pub name: String,
    /// What it shows.
    pub narrative: Option<String>,
    /// `Exam`, `Assignment`, `Portfolio`, …
    pub genre: Option<String>,
}

/// A learner's result on one competency (`credentialSubject.result[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetencyResult {
    /// The competency id of the definition.
    pub competency: String,
    /// The reported percent (`"86.67"`).
    pub value: String,
}

/// Everything a credential is built from.
#[derive(Debug, Clone)]
pub struct BuildInput<'a> {
    /// The definition, at the version the learner earned it under.
    pub definition: &'a CredentialDefinition,
    /// Other definitions the criteria may name (stacked components, assessments and
    /// competencies of sibling definitions): the generated criteria narrative uses their
    /// names. Ids found in none of them are written as they are.
    pub related: &'a [CredentialDefinition],
    /// The issuing institution.
    pub issuer: &'a IssuerProfile,
    /// The recipient.
    pub recipient: Recipient,
    /// The learner's display name (the LTI `name` claim). It is written into the credential
    /// (`identityType: "name"`, in clear) only when the definition's
    /// `metadata.show_recipient_name` allows it; otherwise it is ignored.
    pub recipient_name: Option<String>,
    /// A UUID drawn by the caller (version 4), bare or as `urn:uuid:<uuid>`. The credential
    /// `id` is made from it: see [`super::profile::credential_id`].
    pub credential_uuid: String,
    /// The tool's public base URL (`https://tool.example`): achievement and criteria pages.
    pub base_url: String,
    /// Issue time (`validFrom`).
    pub issued_at: Timestamp,
    /// First award time (`awardedDate`); `None` = `issued_at`. Keep it on re-issue (P12).
    pub awarded_at: Option<Timestamp>,
    /// End of validity; `None` = from the definition's validity (or never).
    pub valid_until: Option<Timestamp>,
    /// `(list URL, index)` of the revocation status list entry (index chosen by the server).
    pub status: Option<(String, usize)>,
    /// `(list URL, index)` of the suspension status list entry (`statusPurpose:
    /// "suspension"`, its own list and index, chosen by the server). With `status` too, the
    /// credential carries both entries as an array, so a verifier sees a suspension.
    pub suspension: Option<(String, usize)>,
    /// Learning period (`activityStartDate`, `activityEndDate`).
    pub activity: Option<(Timestamp, Timestamp)>,
    /// Per-competency results.
    pub results: Vec<CompetencyResult>,
    /// The achievement level reached, one of the definition's `levels` (REQ-ASSESS-12):
    /// written as a `result` with `achievedLevel`.
    pub level: Option<String>,
    /// The PLAR methods the issuance was earned with (the record's `plar_methods_used`).
    /// Written only when the definition's `metadata.show_plar_route` is on (REQ-PLAR-05).
    pub plar_route: Vec<PlarMethod>,
    /// Evidence items (opt-in).
    pub evidence: Vec<EvidenceItem>,
}

impl<'a> BuildInput<'a> {
    /// An input for one issuance of the record: dates and validity from the issuance,
    /// competency results and the learning period from the record. The definition must be
    /// the version the issuance names, and the record must not be later than the issue
    /// time (fold the events at `issuance.issued_at`): a later record could carry results
    /// the learner earned after the credential was issued.
    #[allow(clippy::too_many_arguments)]
    pub fn from_record(
        definition: &'a CredentialDefinition,
        issuance: &IssuanceRecord,
        record: &Record,
        issuer: &'a IssuerProfile,
        recipient: Recipient,
        credential_uuid: impl Into<String>,
        base_url: impl Into<String>,
    ) -> Result<Self, CredentialError> {
        if issuance.definition != definition.id {
            return Err(CredentialError::field(
                "issuance.definition",
                format!(
                    "the issuance is of \"{}\", not of \"{}\"",
                    issuance.definition, definition.id
                ),
            ));
        }
        if issuance.version != definition.version {
            return Err(CredentialError::field(
                "issuance.version",
                format!(
                    "the issuance was earned under version \"{}\"; pass that version of the definition, not \"{}\"",
                    issuance.version, definition.version
                ),
            ));
        }
        if record.at > issuance.issued_at {
            return Err(CredentialError::RecordAfterIssuance {
                record_at: record.at.to_string(),
                issued_at: issuance.issued_at.to_string(),
            });
        }
        let results = definition
            .competencies
            .iter()
            .filter_map(|c| {
                let r = record.competencies.get(&c.id)?;
                if r.status != MasteryStatus::Mastered {
                    return None;
                }
                Some(CompetencyResult {
                    competency: c.id.to_string(),
                    value: r.reported.as_deref()?.to_owned(),
                })
            })
            .collect();
        let first_attempt = definition
            .assessments
            .iter()
            .filter_map(|a| record.assessments.get(&a.id))
            .flat_map(|a| a.attempts.iter().map(|t| t.at))
            .filter(|t| *t <= issuance.issued_at)
            .min();
        Ok(BuildInput {
            definition,
            related: &[],
            issuer,
            recipient,
            recipient_name: None,
            credential_uuid: credential_uuid.into(),
            base_url: base_url.into(),
            issued_at: issuance.issued_at,
            awarded_at: issuance.awarded_at,
            valid_until: issuance.valid_until,
            status: None,
            suspension: None,
            activity: first_attempt.map(|start| (start, issuance.issued_at)),
            results,
            level: issuance.level.clone(),
            plar_route: issuance.plar_methods_used.clone(),
            evidence: Vec::new(),
        })
    }
}
