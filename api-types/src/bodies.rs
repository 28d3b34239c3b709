//! The JSON API's request bodies (every one but a definition, which is the core's
//! `CredentialDefinition`): plain structs that deny unknown members. Values the core reads
//! (decimals, ids, times, part scores) are the core's own types, so a body is checked by the
//! same parser as an event, on the server and in the page's client alike. Each body is read by
//! [`cairn::read_object!`] (one member reader, the page's module stays small); its `serde`
//! attributes (`default`, `deny_unknown_fields`) are the OpenAPI schema's and must say what
//! the reader's member list says.

use cairn::SortedMap;
use cairn::definition::PlarMethod;
use cairn::event::{PartScores, Route};
use cairn::ids::{AssessmentId, CompetencyId, DefinitionId, EquivalencyId};
use cairn::number::Number;
use cairn::offering::Offering;
use cairn::provenance::{self, EvidenceType};
/// Who assessed, and how a summative was supervised: the core's own types (ASSESS-09/10).
pub use cairn::provenance::{AssessorType, SupervisionMode};
use cairn::time::Timestamp;
use serde::{Deserialize, Serialize};

use crate::gradebook::{ColumnMapping, GradebookFormat};
use crate::item_set::Answer;

/// `POST /api/learners/{sub}/enrolments` and `POST /api/me/enrolments`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrolBody {
    /// The definition.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credential: DefinitionId,
    /// The offering (intake) joined, as it stands now (REQ-DEF-12): its dates and release
    /// dates. Instructors only; a learner enrolling themselves joins self-paced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub offering: Option<Offering>,
}

cairn::read_object!(EnrolBody { credential, offering = default() });

/// `POST /api/learners/{sub}/withdrawals` and `POST /api/me/withdrawals`: the learner
/// withdraws from a definition (REQ-COMP-10).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawalBody {
    /// The definition.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credential: DefinitionId,
    /// Why, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

cairn::read_object!(WithdrawalBody { credential, reason = default() });

/// `POST /api/learners/{sub}/results`: an instructor or assessor records a result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    /// The assessment.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assessment: AssessmentId,
    /// Points (assessment without parts); omit both for a pending attempt.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub score: Option<Number>,
    /// Points per part.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub part_scores: Option<PartScores>,
    /// `course` (default), `challenge_exam` or `direct_assessment`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub route: Route,
    /// Who assessed it: the core's `assessor.type` (a peer or the learner on a summative is
    /// refused with the core's `assessor_not_allowed`).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema_enums::AssessorTypeSchema))]
    pub assessor_type: AssessorType,
    /// The assessor's id, when not the caller (a workplace assessor the instructor records
    /// for); default the caller.
    #[serde(default)]
    pub assessor: Option<String>,
    /// How it was supervised, as the recorder says (kept with the event; the core applies
    /// the assessment's own `supervision` of the definition).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::schema_enums::SupervisionModeSchema>)
    )]
    pub supervision_mode: Option<SupervisionMode>,
    /// `true`: the caller attests the supervision and identity (`attested_by` = the
    /// caller). Without it a score on a supervised summative stays pending (ASSESS-10).
    #[serde(default)]
    pub attested: Option<bool>,
}

cairn::read_object!(ResultBody {
    assessment, score = default(), part_scores = default(), route = default(), assessor_type,
    assessor = default(), supervision_mode = default(), attested = default(),
});

/// `POST /api/learners/{sub}/gradings`: scores a pending attempt.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GradingBody {
    /// The assessment.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assessment: AssessmentId,
    /// The attempt's 1-based number.
    pub attempt: u32,
    /// Points.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub score: Option<Number>,
    /// Points per part.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub part_scores: Option<PartScores>,
    /// Who assessed it (default instructor); the assessor's id is the caller.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::schema_enums::AssessorTypeSchema>)
    )]
    pub assessor_type: Option<AssessorType>,
    /// `true`: the caller attests the supervision and identity (`attested_by`).
    #[serde(default)]
    pub attested: Option<bool>,
    /// Feedback for the learner, kept with the event (released separately).
    #[serde(default)]
    pub feedback: Option<String>,
}

cairn::read_object!(GradingBody {
    assessment, attempt, score = default(), part_scores = default(), assessor_type = default(),
    attested = default(), feedback = default(),
});

/// `POST /api/learners/{sub}/feedback-releases`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    /// The assessment.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assessment: AssessmentId,
    /// The feedback's text: the core event's `text` (REQ-ATTEMPT-04), written with the
    /// caller as its `author`.
    #[serde(default)]
    pub feedback: Option<String>,
}

cairn::read_object!(FeedbackBody { assessment, feedback = default() });

/// `POST /api/learners/{sub}/overrides`: replaces a scored attempt's score, with a reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    /// The assessment.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assessment: AssessmentId,
    /// The attempt's number.
    pub attempt: u32,
    /// New points.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub score: Option<Number>,
    /// New points per part.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub part_scores: Option<PartScores>,
    /// Why (required, non-empty).
    pub reason: String,
}

cairn::read_object!(OverrideBody {
    assessment, attempt, score = default(), part_scores = default(), reason,
});

/// Granted or denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlarOutcome {
    /// `plar_granted`.
    Granted,
    /// `plar_denied`.
    Denied,
}

/// `POST /api/learners/{sub}/plar-decisions`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlarDecisionBody {
    /// Granted or denied.
    pub decision: PlarOutcome,
    /// The governing definition.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credential: DefinitionId,
    /// How prior learning was assessed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub method: PlarMethod,
    /// The competency.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub competency: Option<CompetencyId>,
    /// The component credential.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub component: Option<DefinitionId>,
    /// Evidence considered (informative).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub evidence: Option<serde_json::Value>,
    /// Why it was denied.
    #[serde(default)]
    pub reason: Option<String>,
    /// The learner's request this decides, if any.
    #[serde(default)]
    pub request: Option<String>,
    /// Who decided (default instructor); the assessor's id is the caller (ASSESS-09).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::schema_enums::AssessorTypeSchema>)
    )]
    pub assessor_type: Option<AssessorType>,
}

cairn::read_object!(PlarDecisionBody {
    decision, credential, method, competency = default(), component = default(),
    evidence = default(), reason = default(), request = default(), assessor_type = default(),
});

/// A piece of evidence: a URL, or an uploaded file by its SHA-256, written `{"url": …}` or
/// `{"file": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum EvidenceRef {
    /// An `https://` (or `http://`) link.
    Url(String),
    /// An uploaded file's hex SHA-256 (`POST /api/me/evidence-files`).
    File(String),
}

/// Read with the core's one-member reader, not serde's derive of an enum (smaller in the
/// page's wasm module).
impl<'de> serde::Deserialize<'de> for EvidenceRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Reader;
        impl<'de> serde::de::Visitor<'de> for Reader {
            type Value = EvidenceRef;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "one member, such as {\"url\": \"https://…\"} or {\"file\": \"<sha256>\"}",
                )
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<EvidenceRef, A::Error> {
                let (kind, text) =
                    cairn::definition::read::one_member(&mut map, &["url", "file"], &self)?;
                Ok(if kind == 0 {
                    EvidenceRef::Url(text)
                } else {
                    EvidenceRef::File(text)
                })
            }
        }
        deserializer.deserialize_map(Reader)
    }
}

impl EvidenceRef {
    /// The core's reference: the URL, or `sha256:<hex>` for an uploaded file (REQ-ASSESS-08).
    pub fn to_core(&self, kind: EvidenceType) -> provenance::EvidenceRef {
        provenance::EvidenceRef {
            reference: match self {
                EvidenceRef::Url(url) => url.clone(),
                EvidenceRef::File(sha256) => format!("sha256:{sha256}"),
            },
            kind,
            segments: Vec::new(),
        }
    }
}

/// `POST /api/me/plar-requests`: a learner asks for recognition of prior learning.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlarRequestBody {
    /// The governing definition.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credential: DefinitionId,
    /// The method asked for.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub method: PlarMethod,
    /// The competency.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub competency: Option<CompetencyId>,
    /// The component credential.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub component: Option<DefinitionId>,
    /// The evidence (1–20 items).
    pub evidence: Vec<EvidenceRef>,
    /// What the learner says about it.
    #[serde(default)]
    pub statement: Option<String>,
}

cairn::read_object!(PlarRequestBody {
    credential, method, competency = default(), component = default(), evidence,
    statement = default(),
});

/// `POST /api/me/submissions`: evidence for rubric grading (a pending attempt).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmissionBody {
    /// The assessment.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assessment: AssessmentId,
    /// The evidence (1–20 items): written into the core event by reference.
    pub evidence: Vec<EvidenceRef>,
    /// The instrument the evidence is (default `written`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub evidence_type: Option<EvidenceType>,
    /// `course` (default) or a PLAR route.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub route: Route,
}

cairn::read_object!(SubmissionBody {
    assessment, evidence, evidence_type = default(), route = default(),
});

/// `POST /api/me/item-sets/{assessment}/answers`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswersBody {
    // A sorted vector read and written as a `BTreeMap` was (a repeated id keeps its last
    // answer), so the page's module carries no tree code for it (not in the doc below: it
    // is the OpenAPI description).
    /// Item id → answer (a choice id, a text, a decimal, or choice ids).
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, Answer>))]
    pub answers: SortedMap<String, Answer>,
    /// `course` (default) or `challenge_exam`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub route: Route,
}

cairn::read_object!(AnswersBody { answers, route = default() });
/// `POST /api/me/applications` and `POST /api/learners/{sub}/applications`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplicationBody {
    /// The definition applied for.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credential: DefinitionId,
}

cairn::read_object!(ApplicationBody { credential });

/// `POST /api/learners/{sub}/presented-credentials`: an instructor records a credential the
/// learner presented, as the verifier found it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PresentedBody {
    /// The credential's definition id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credential: DefinitionId,
    /// Who issued it.
    pub issuer: String,
    /// When it was issued.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub issued_at: Timestamp,
    /// End of its validity.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub valid_until: Option<Timestamp>,
    /// Whether the verifier accepted it.
    pub verified: bool,
}

cairn::read_object!(PresentedBody {
    credential, issuer, issued_at, valid_until = default(), verified,
});

/// `POST /api/me/equivalency-claims` and `POST /api/learners/{sub}/equivalency-claims`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EquivalencyBody {
    /// The equivalency claimed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub equivalency: EquivalencyId,
}

cairn::read_object!(EquivalencyBody { equivalency });

/// `POST /api/learners/{sub}/expiries`: imposes an expiry on earlier issuances.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpiryBody {
    /// The definition.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credential: DefinitionId,
    /// Issuances before this are affected.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub issued_before: Timestamp,
    /// Their new latest end of validity.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub valid_until: Timestamp,
}

cairn::read_object!(ExpiryBody {
    credential,
    issued_before,
    valid_until
});

/// `POST /api/imports`: a gradebook CSV to preview.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    /// The CSV text.
    pub csv: String,
    /// `canvas` or `moodle`; detected from the header when absent.
    #[serde(default)]
    pub format: Option<GradebookFormat>,
    /// The column holding each learner's LTI `sub` (default `ID` / `ID number`).
    #[serde(default)]
    pub learner_column: Option<String>,
    /// Which columns are attempts on which assessments.
    pub columns: Vec<ColumnMapping>,
    /// Who assessed the imported results (default `instructor`).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::schema_enums::AssessorTypeSchema>)
    )]
    pub assessor_type: Option<AssessorType>,
}

cairn::read_object!(ImportBody {
    csv, format = default(), learner_column = default(), columns, assessor_type = default(),
});

#[cfg(test)]
mod reader_tests {
    use super::EvidenceRef;

    #[test]
    fn an_evidence_reference_is_one_member() {
        let url: EvidenceRef = serde_json::from_str(r#"{"url": "https://e.test/x"}"#).unwrap();
        assert_eq!(url, EvidenceRef::Url("https://e.test/x".into()));
        let file: EvidenceRef = serde_json::from_str(r#"{"file": "ab12"}"#).unwrap();
        assert_eq!(serde_json::to_string(&file).unwrap(), r#"{"file":"ab12"}"#);
        for (json, start) in [
            (
                r#"{"link": "x"}"#,
                "unknown field `link`, expected `url` or `file`",
            ),
            (
                r#"{"url": "x", "file": "y"}"#,
                "invalid length 2, expected one member",
            ),
            ("{}", "invalid length 0, expected one member"),
            (
                r#"{"url": 3}"#,
                "invalid type: integer `3`, expected a string",
            ),
        ] {
            let message = serde_json::from_str::<EvidenceRef>(json)
                .unwrap_err()
                .to_string();
            assert!(message.starts_with(start), "{json}: {message}");
        }
    }
}

#[cfg(all(test, feature = "openapi"))]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use utoipa::PartialSchema;

    /// The reader's members and the OpenAPI schema's properties are the same, and so are
    /// the required ones: the schema's `serde` attributes and the `read_object!` lists agree.
    #[test]
    fn each_body_reads_the_members_its_schema_lists() {
        for (name, schema, members) in [
            ("EnrolBody", EnrolBody::schema(), EnrolBody::READ_MEMBERS),
            (
                "WithdrawalBody",
                WithdrawalBody::schema(),
                WithdrawalBody::READ_MEMBERS,
            ),
            ("ResultBody", ResultBody::schema(), ResultBody::READ_MEMBERS),
            (
                "GradingBody",
                GradingBody::schema(),
                GradingBody::READ_MEMBERS,
            ),
            (
                "FeedbackBody",
                FeedbackBody::schema(),
                FeedbackBody::READ_MEMBERS,
            ),
            (
                "OverrideBody",
                OverrideBody::schema(),
                OverrideBody::READ_MEMBERS,
            ),
            (
                "PlarDecisionBody",
                PlarDecisionBody::schema(),
                PlarDecisionBody::READ_MEMBERS,
            ),
            (
                "PlarRequestBody",
                PlarRequestBody::schema(),
                PlarRequestBody::READ_MEMBERS,
            ),
            (
                "SubmissionBody",
                SubmissionBody::schema(),
                SubmissionBody::READ_MEMBERS,
            ),
            (
                "AnswersBody",
                AnswersBody::schema(),
                AnswersBody::READ_MEMBERS,
            ),
            (
                "ApplicationBody",
                ApplicationBody::schema(),
                ApplicationBody::READ_MEMBERS,
            ),
            (
                "PresentedBody",
                PresentedBody::schema(),
                PresentedBody::READ_MEMBERS,
            ),
            (
                "EquivalencyBody",
                EquivalencyBody::schema(),
                EquivalencyBody::READ_MEMBERS,
            ),
            ("ExpiryBody", ExpiryBody::schema(), ExpiryBody::READ_MEMBERS),
            ("ImportBody", ImportBody::schema(), ImportBody::READ_MEMBERS),
            (
                "ColumnMapping",
                ColumnMapping::schema(),
                ColumnMapping::READ_MEMBERS,
            ),
        ] {
            let json = serde_json::to_value(&schema).unwrap();
            let listed: BTreeSet<&str> = json["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{name}: no properties in {json}"))
                .keys()
                .map(String::as_str)
                .collect();
            let required: BTreeSet<&str> = json["required"]
                .as_array()
                .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let read: BTreeSet<&str> = members.iter().map(|(m, _)| *m).collect();
            let needed: BTreeSet<&str> = members
                .iter()
                .filter(|(_, r)| *r)
                .map(|(m, _)| *m)
                .collect();
            assert_eq!(listed, read, "{name}: members");
            assert_eq!(required, needed, "{name}: required members");
            assert_eq!(
                json["additionalProperties"], false,
                "{name}: unknown members"
            );
        }
    }
}
