//! What a learner submits in Cairn: answers to an auto-scored item set (the server scores
//! them with the key the learner never sees, and writes `attempt_submitted` with the score),
//! and evidence for rubric grading (URLs or files uploaded by content hash, written as a
//! pending `attempt_submitted` with the evidence by reference in the core event).
//! Instructors save item sets and read the key; anyone launched in the context reads the
//! items without it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn::event::{AttemptProvenance, EventKind};
use cairn::provenance::EvidenceType;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::bodies::{AnswersBody, AssessorType, EvidenceRef, SubmissionBody};
use crate::api::caller::{RequestId, Tenant, own_scope};
use crate::api::error::{ApiError, Body, ErrorBody, read_limited};
use crate::api::events::on_self;
use crate::api::scoring::{ItemSet, LearnerItem};
use crate::api::write::Written;
use crate::session::{Instructor, Launched, Learner, Require};
use crate::store::api_rows::{EvidenceFile, ItemSetRow};

/// The assessor id of an item set's score: the server's scorer (`automated`, ASSESS-09).
pub const ITEM_SET_SCORER: &str = "cairn-item-set";

/// The largest evidence file, in bytes.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// Most evidence items on one submission.
pub const MAX_EVIDENCE_ITEMS: usize = 20;

/// An item set as a learner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LearnerItemSet {
    /// The assessment.
    pub assessment: String,
    /// The items, without their key.
    pub items: Vec<LearnerItem>,
}

/// A stored evidence file.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    /// Hex SHA-256: the file's name in evidence references.
    pub sha256: String,
    /// Its media type.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
}

/// Saves an assessment's item set with its key (the assessment must be in a published
/// definition of the context; item points add up to its maximum).
#[utoipa::path(put, path = "/api/item-sets/{assessment}", tag = "item sets", security(("bearer" = ["instructor"])),
    params(("assessment" = String, Path)), request_body = ItemSet,
    responses((status = 200, body = ItemSet), (status = "4XX", body = ErrorBody)))]
pub async fn put_item_set(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path(assessment): Path<String>,
    Body(set): Body<ItemSet>,
) -> Result<Json<ItemSet>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let published = state
        .records
        .published_definitions(tenant.registration_id, &tenant.context_id)
        .await?;
    let found = published
        .iter()
        .flat_map(|d| d.body.assessments.iter())
        .find(|a| a.id.as_str() == assessment)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no published definition of this course has the assessment {assessment:?}"
            ))
        })?;
    set.check(found)
        .map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.code(), err.to_string()))?;
    let row = ItemSetRow {
        assessment_id: assessment,
        body: serde_json::to_value(&set).map_err(ApiError::internal)?,
        updated_by: caller.caller().session.user_sub.clone(),
        updated_at: state.now(),
    };
    state
        .store
        .api_rows()
        .put_item_set(tenant.registration_id, &tenant.context_id, &row)
        .await?;
    Ok(Json(set))
}

/// An item set with its key (instructors).
#[utoipa::path(get, path = "/api/item-sets/{assessment}/key", tag = "item sets", security(("bearer" = ["instructor"])),
    params(("assessment" = String, Path)),
    responses((status = 200, body = ItemSet), (status = "4XX", body = ErrorBody)))]
pub async fn item_set_with_key(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path(assessment): Path<String>,
) -> Result<Json<ItemSet>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    Ok(Json(load_set(&state, &tenant, &assessment).await?))
}

/// An item set without its key (anyone launched in the context).
#[utoipa::path(get, path = "/api/item-sets/{assessment}", tag = "item sets", security(("bearer" = [])),
    params(("assessment" = String, Path)),
    responses((status = 200, body = LearnerItemSet), (status = "4XX", body = ErrorBody)))]
pub async fn item_set(
    caller: Require<Launched>,
    State(state): State<AppState>,
    Path(assessment): Path<String>,
) -> Result<Json<LearnerItemSet>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let set = load_set(&state, &tenant, &assessment).await?;
    Ok(Json(LearnerItemSet {
        assessment,
        items: set.for_learner(),
    }))
}

/// The learner answers an item set: scored on the server, written as `attempt_submitted`
/// with the score (assessor `automated`).
#[utoipa::path(post, path = "/api/me/item-sets/{assessment}/answers", tag = "me", security(("bearer" = ["learner"])),
    params(("assessment" = String, Path)), request_body = AnswersBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn answer(
    caller: Require<Learner>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(assessment): Path<String>,
    Body(body): Body<AnswersBody>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let set = load_set(&state, &tenant, &assessment).await?;
    let scored = set
        .score(&body.answers)
        .map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.code(), err.to_string()))?;
    let meta = json!({
        "assessor_type": AssessorType::Automated,
        "item_set": { "answers": body.answers, "correct": scored.correct },
    });
    let kind = EventKind::AttemptSubmitted {
        assessment: cairn::ids::AssessmentId::new(&assessment),
        score: scored.score,
        part_scores: scored.part_scores,
        route: body.route,
        provenance: AttemptProvenance {
            assessor: Some(AssessorType::Automated.assessor(ITEM_SET_SCORER)),
            ..AttemptProvenance::default()
        }
        .boxed(),
    };
    on_self(&caller, &state, &request_id, kind, meta).await
}

/// The learner uploads an evidence file (any media type, at most 10 MiB); it is stored
/// under its SHA-256, which names it in a submission.
#[utoipa::path(post, path = "/api/me/evidence-files", tag = "me", security(("bearer" = ["learner"])),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = EvidenceView), (status = "4XX", body = ErrorBody)))]
pub async fn upload_evidence(
    caller: Require<Learner>,
    State(state): State<AppState>,
    request: Request,
) -> Result<(StatusCode, Json<EvidenceView>), ApiError> {
    let scope = own_scope(caller.caller())?;
    let media_type = media_type(request.headers());
    let bytes: Bytes = read_limited(request, MAX_EVIDENCE_BYTES).await?;
    if bytes.is_empty() {
        return Err(ApiError::invalid_input("the evidence file is empty"));
    }
    let file = EvidenceFile {
        sha256: sha256_hex(&bytes),
        media_type,
        size: i64::try_from(bytes.len()).map_err(ApiError::internal)?,
        created_at: state.now(),
    };
    state
        .store
        .api_rows()
        .put_evidence(
            scope.registration_id,
            &scope.context_id,
            &scope.learner_sub,
            &file,
            &bytes,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(EvidenceView {
            sha256: file.sha256,
            media_type: file.media_type,
            size: file.size,
        }),
    ))
}

/// The learner's own evidence file.
#[utoipa::path(get, path = "/api/me/evidence-files/{sha256}", tag = "me", security(("bearer" = ["learner"])),
    params(("sha256" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = "4XX", body = ErrorBody)))]
pub async fn own_evidence(
    caller: Require<Learner>,
    State(state): State<AppState>,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let scope = own_scope(caller.caller())?;
    evidence_download(&state, &scope, &sha256).await
}

/// A learner's evidence file (instructors of the context).
#[utoipa::path(get, path = "/api/learners/{sub}/evidence-files/{sha256}", tag = "learners", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path), ("sha256" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = "4XX", body = ErrorBody)))]
pub async fn learner_evidence(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path((sub, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let scope = Tenant::of(caller.caller())?
        .known_learner(&state, &sub)
        .await?;
    evidence_download(&state, &scope, &sha256).await
}

/// The learner submits evidence for rubric grading: a pending `attempt_submitted` (no score)
/// whose `evidence` names each piece by reference (a URL, or `sha256:<hex>` of a file they
/// uploaded); every uploaded file named must be theirs.
#[utoipa::path(post, path = "/api/me/submissions", tag = "me", security(("bearer" = ["learner"])), request_body = SubmissionBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn submit(
    caller: Require<Learner>,
    State(state): State<AppState>,
    request_id: RequestId,
    Body(body): Body<SubmissionBody>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    let scope = own_scope(caller.caller())?;
    check_evidence(&state, &scope, &body.evidence).await?;
    let kind_of = body.evidence_type.unwrap_or(EvidenceType::Written);
    let kind = EventKind::AttemptSubmitted {
        assessment: body.assessment,
        score: None,
        part_scores: None,
        route: body.route,
        provenance: AttemptProvenance {
            evidence: body.evidence.iter().map(|e| e.to_core(kind_of)).collect(),
            ..AttemptProvenance::default()
        }
        .boxed(),
    };
    on_self(&caller, &state, &request_id, kind, json!({})).await
}

/// Checks evidence references: 1–20, URLs `http(s)://`, files uploaded by this learner.
pub async fn check_evidence(
    state: &AppState,
    scope: &crate::store::records::LearnerScope,
    evidence: &[EvidenceRef],
) -> Result<(), ApiError> {
    if evidence.is_empty() || evidence.len() > MAX_EVIDENCE_ITEMS {
        return Err(ApiError::invalid_input(format!(
            "give 1 to {MAX_EVIDENCE_ITEMS} pieces of evidence"
        )));
    }
    for item in evidence {
        match item {
            EvidenceRef::Url(url) => {
                let parsed = url::Url::parse(url)
                    .map_err(|err| ApiError::invalid_input(format!("{url:?}: {err}")))?;
                if !matches!(parsed.scheme(), "https" | "http") || url.len() > 2048 {
                    return Err(ApiError::invalid_input(format!(
                        "{url:?}: evidence links are http(s) URLs of at most 2048 characters"
                    )));
                }
            }
            EvidenceRef::File(sha256) => {
                let found = state
                    .store
                    .api_rows()
                    .evidence(
                        scope.registration_id,
                        &scope.context_id,
                        &scope.learner_sub,
                        sha256,
                    )
                    .await?;
                if found.is_none() {
                    return Err(ApiError::not_found(format!(
                        "no evidence file {sha256:?} was uploaded by this learner"
                    )));
                }
            }
        }
    }
    Ok(())
}

async fn evidence_download(
    state: &AppState,
    scope: &crate::store::records::LearnerScope,
    sha256: &str,
) -> Result<Response, ApiError> {
    let (file, content) = state
        .store
        .api_rows()
        .evidence(
            scope.registration_id,
            &scope.context_id,
            &scope.learner_sub,
            sha256,
        )
        .await?
        .ok_or_else(|| ApiError::not_found(format!("evidence file {sha256:?} not found")))?;
    // Served as an attachment: an uploaded file never renders as a page of this origin.
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.sha256),
            ),
            (
                header::HeaderName::from_static("x-evidence-media-type"),
                file.media_type,
            ),
        ],
        content,
    )
        .into_response())
}

async fn load_set(
    state: &AppState,
    tenant: &Tenant,
    assessment: &str,
) -> Result<ItemSet, ApiError> {
    let row = state
        .store
        .api_rows()
        .item_set(tenant.registration_id, &tenant.context_id, assessment)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no item set for {assessment:?}")))?;
    serde_json::from_value(row.body).map_err(ApiError::internal)
}

/// The upload's media type, if it is a plausible one; else `application/octet-stream`.
fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|v| {
            v.len() <= 100
                && v.contains('/')
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/.+-_".contains(&b))
        })
        .unwrap_or_else(|| "application/octet-stream".to_owned())
}

/// Lower-case hex SHA-256 of `bytes`: an evidence file's name.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
