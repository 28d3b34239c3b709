//! CSV import of an LMS gradebook export (Canvas or Moodle, [`crate::api::gradebook`]):
//! upload → a preview in which every row is validated by the core (each learner's log plus
//! the row's attempts, folded at the server's now, so a row over the attempt limit shows the
//! core's code) → confirm, which writes the rows. Nothing is written before the confirm; a
//! confirm is refused when the file had errors, when it was confirmed already, or when any
//! learner's log moved since the preview (`import_stale`: preview again). The confirm writes
//! every learner in one transaction ([`records::batch`]): all rows or none.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use cairn::event::{AttemptProvenance, Event, EventKind, Route};
use cairn::ids::AssessmentId;
use cairn::number::Number;
use cairn::provenance::Assessor;
use cairn::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::bodies::{AssessorType, ImportBody};
use crate::api::caller::{RequestId, Tenant, author};
use crate::api::error::{ApiError, Body, ErrorBody, codes};
use crate::api::gradebook::{self, RowError};
use crate::api::write::{IssuedCredential, read_error, write_error};
use crate::records;
use crate::records::batch::{BatchError, LearnerEvents};
use crate::session::{Instructor, Require};
use crate::store::api_rows::ImportRow;

/// An import preview (or a confirmed import).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportPreview {
    /// The import's id (confirm it with `POST /api/imports/{id}/confirm`).
    pub id: String,
    /// `canvas` or `moodle`.
    pub format: String,
    /// Who assessed the results.
    #[schema(value_type = cairn_api_types::schema_enums::AssessorTypeSchema)]
    pub assessor_type: AssessorType,
    /// Per learner: the attempts to write and what the core says of each.
    pub learners: Vec<ImportLearner>,
    /// Rows or cells that did not read.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<Value>,
    /// Whether every row reads and the core accepts every attempt.
    pub ok: bool,
    /// When it was confirmed (Unix s), if it was.
    pub confirmed_at: Option<i64>,
}

type Value = serde_json::Value;

/// One learner's rows.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportLearner {
    /// The learner's `sub`.
    pub learner: String,
    /// The file's line.
    pub line: usize,
    /// The seq of the learner's last event at preview (`null`: no event yet).
    pub last_seq: Option<i64>,
    /// The attempts, in column order.
    pub attempts: Vec<ImportAttempt>,
}

/// One attempt to write.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportAttempt {
    /// The assessment.
    pub assessment: String,
    /// The score (decimal).
    pub score: String,
    /// `null` when the core accepts it; else the core's code.
    pub refused: Option<String>,
    /// The core's message when refused.
    pub message: Option<String>,
}

/// What a confirm wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// The import.
    pub id: String,
    /// Events written.
    pub written: usize,
    /// Credentials the writes issued.
    pub issued: Vec<IssuedCredential>,
}

/// Uploads a gradebook CSV and answers its preview; nothing is written.
#[utoipa::path(post, path = "/api/imports", tag = "imports", security(("bearer" = ["instructor"])), request_body = ImportBody,
    responses((status = 201, body = ImportPreview), (status = "4XX", body = ErrorBody)))]
pub async fn preview(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Body(body): Body<ImportBody>,
) -> Result<(StatusCode, Json<ImportPreview>), ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let book = gradebook::parse(
        &body.csv,
        body.format,
        body.learner_column.as_deref(),
        &body.columns,
    )
    .map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.code(), err.to_string()))?;
    let now = state.now();
    let context = records::course_entry(&state, tenant.registration_id, &tenant.context_id)
        .await
        .map_err(read_error)?;
    // The caller records the results as the assessor type the body names: the preview folds
    // the same events the confirm writes, so a peer on a summative shows the core's code.
    let assessor_type = body.assessor_type.unwrap_or(AssessorType::Instructor);
    let assessor = assessor_type.assessor(caller.caller().session.user_sub.clone());
    let mut learners = Vec::with_capacity(book.rows.len());
    let mut ok = book.errors.is_empty();
    let mut errors: Vec<Value> = book.errors.iter().map(row_error_json).collect();
    for row in &book.rows {
        let scope = tenant.learner(&row.learner)?;
        let known = state
            .store
            .api_rows()
            .learner_known(tenant.registration_id, &tenant.context_id, &row.learner)
            .await?;
        if !known {
            ok = false;
            errors.push(row_error_json(&RowError {
                line: row.line,
                column: None,
                code: "unknown_learner",
                message: format!("no learner {:?} has launched into this course", row.learner),
            }));
            continue;
        }
        let (log, head) = state.records.learner_log(&scope).await?;
        let mut events: Vec<Event> = log.into_iter().map(|e| e.event).collect();
        let first_new = events.len();
        events.extend(
            row.scores
                .iter()
                .map(|(a, s)| attempt(now, a, s, &assessor)),
        );
        // Each learner on their versions (REQ-LIFE-02), as the confirm folds them.
        let at = Timestamp::from_unix_seconds(now);
        let record = context
            .for_learner(&events, at)
            .map_err(|e| read_error(e.into()))?
            .fold(&events, at);
        let attempts: Vec<ImportAttempt> = row
            .scores
            .iter()
            .enumerate()
            .map(|(i, (assessment, score))| {
                let rejected = record.errors.iter().find(|e| e.event == first_new + i);
                ImportAttempt {
                    assessment: assessment.clone(),
                    score: score.to_exact_string(),
                    refused: rejected.map(|e| e.code.to_owned()),
                    message: rejected.map(|e| e.message.clone()),
                }
            })
            .collect();
        ok &= attempts.iter().all(|a| a.refused.is_none());
        learners.push(ImportLearner {
            learner: row.learner.clone(),
            line: row.line,
            last_seq: head.map(|h| h.last_seq),
            attempts,
        });
    }
    let preview = ImportPreview {
        id: crate::random::token().map_err(ApiError::internal)?,
        format: serde_json::to_value(book.format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        assessor_type,
        learners,
        errors,
        ok,
        confirmed_at: None,
    };
    let row = ImportRow {
        id: preview.id.clone(),
        created_by: caller.caller().session.user_sub.clone(),
        created_at: now,
        plan: serde_json::to_value(&preview).map_err(ApiError::internal)?,
        confirmed_at: None,
    };
    state
        .store
        .api_rows()
        .insert_import(tenant.registration_id, &tenant.context_id, &row)
        .await?;
    Ok((StatusCode::CREATED, Json(preview)))
}

/// An import's preview (and whether it was confirmed).
#[utoipa::path(get, path = "/api/imports/{id}", tag = "imports", security(("bearer" = ["instructor"])), params(("id" = String, Path)),
    responses((status = 200, body = ImportPreview), (status = "4XX", body = ErrorBody)))]
pub async fn get(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ImportPreview>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let (row, mut preview) = load(&state, &tenant, &id).await?;
    preview.confirmed_at = row.confirmed_at;
    Ok(Json(preview))
}

/// Writes every attempt of a clean preview in one transaction, if no learner's log moved
/// since (else 409 `import_stale` and nothing is written).
#[utoipa::path(post, path = "/api/imports/{id}/confirm", tag = "imports", security(("bearer" = ["instructor"])),
    params(("id" = String, Path)),
    responses((status = 200, body = ImportResult), (status = "4XX", body = ErrorBody)))]
pub async fn confirm(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(id): Path<String>,
) -> Result<Json<ImportResult>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let (row, preview) = load(&state, &tenant, &id).await?;
    if row.confirmed_at.is_some() {
        return Err(ApiError::conflict(
            codes::IMPORT_CONFIRMED,
            "this import was confirmed already",
        ));
    }
    if !preview.ok {
        return Err(ApiError::conflict(
            codes::IMPORT_HAS_ERRORS,
            "this import has rows that fail; fix the file and upload it again",
        ));
    }
    let api_rows = state.store.api_rows();
    let now = state.now();
    if !api_rows
        .claim_import(tenant.registration_id, &tenant.context_id, &id, now)
        .await?
    {
        return Err(ApiError::conflict(
            codes::IMPORT_CONFIRMED,
            "this import was confirmed already",
        ));
    }
    let author = author(caller.caller(), "instructor", &request_id);
    let assessor = preview.assessor_type.assessor(author.sub.clone());
    let mut batch = Vec::with_capacity(preview.learners.len());
    for learner in &preview.learners {
        let mut events = Vec::with_capacity(learner.attempts.len());
        for a in &learner.attempts {
            let score = Number::parse_decimal(&a.score).map_err(ApiError::internal)?;
            let meta = json!({
                "import": id,
                "line": learner.line,
                "assessor_type": preview.assessor_type,
            });
            events.push((attempt(now, &a.assessment, &score, &assessor).kind, meta));
        }
        batch.push(LearnerEvents {
            scope: tenant.learner(&learner.learner)?,
            expected_seq: learner.last_seq,
            events,
        });
    }
    // All learners in one transaction: a write to any of them since the preview (even one
    // racing this confirm) fails every compare-and-set together, and nothing is written.
    let appended = match records::batch::append_all(&state, &author, &batch).await {
        Ok(appended) => appended,
        Err(error) => {
            api_rows
                .release_import(tenant.registration_id, &tenant.context_id, &id)
                .await?;
            return Err(match error {
                BatchError::Moved(moved) => ApiError::conflict(
                    codes::IMPORT_STALE,
                    "learners' records changed since the preview and nothing was written; \
                     upload the file again to preview it",
                )
                .with_details(json!({ "learners": moved, "written": 0 })),
                BatchError::Write { learner, error } => {
                    write_error(error).with_details(json!({ "learner": learner, "written": 0 }))
                }
            });
        }
    };
    let written = batch.iter().map(|l| l.events.len()).sum();
    let issued = appended
        .iter()
        .flat_map(|a| a.issued.iter().map(IssuedCredential::from))
        .collect();
    Ok(Json(ImportResult {
        id,
        written,
        issued,
    }))
}

fn attempt(now: i64, assessment: &str, score: &Number, assessor: &Assessor) -> Event {
    Event {
        at: Timestamp::from_unix_seconds(now),
        kind: EventKind::AttemptSubmitted {
            assessment: AssessmentId::new(assessment),
            score: Some(score.clone()),
            part_scores: None,
            route: Route::Course,
            provenance: AttemptProvenance {
                assessor: Some(assessor.clone()),
                ..AttemptProvenance::default()
            }
            .boxed(),
        },
    }
}

fn row_error_json(error: &RowError) -> Value {
    serde_json::to_value(error).unwrap_or(Value::Null)
}

async fn load(
    state: &AppState,
    tenant: &Tenant,
    id: &str,
) -> Result<(ImportRow, ImportPreview), ApiError> {
    let row = state
        .store
        .api_rows()
        .import(tenant.registration_id, &tenant.context_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("import {id:?} not found")))?;
    let preview: ImportPreview =
        serde_json::from_value(row.plan.clone()).map_err(ApiError::internal)?;
    Ok((row, preview))
}
