//! The writes that become core events, one route per event kind: an instructor acting on a
//! learner of their context (`/api/learners/{sub}/…`) or a learner on their own record
//! (`/api/me/…`). Each handler turns its body into the core's [`EventKind`], with the core's
//! own members for the assessor (`{type, id}`, ASSESS-09), the attestation of a supervised
//! attempt (`attested_by`, ASSESS-10), the feedback's text and author (ATTEMPT-04) and the
//! override's author (ATTEMPT-12), and keeps in `meta` only what the core does not read
//! (the recorder's supervision mode, a grading's unreleased feedback, a PLAR request id). It
//! writes through [`write::append`] at the server's now: the core's policy decides. Every
//! author or attester is the session's user, never a member of the body.
//! (`credential_revoked` is written by `POST /api/credentials/{id}/revoke`, with the stored
//! credential's status, so the record and the status list always agree.)

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use cairn::event::{
    AttemptProvenance, EventKind, FeedbackNote, Grading, Override, PlarDecision,
    PresentedCredential,
};
use serde_json::{Value, json};

use crate::AppState;
use crate::api::bodies::{
    ApplicationBody, AssessorType, EnrolBody, EquivalencyBody, ExpiryBody, FeedbackBody,
    GradingBody, OverrideBody, PlarDecisionBody, PlarOutcome, PresentedBody, ResultBody,
    WithdrawalBody,
};
use crate::api::caller::{RequestId, Tenant, author, own_scope};
use crate::api::error::{ApiError, Body, ErrorBody};
use crate::api::write::{self, Written};
use crate::session::{Instructor, Learner, Require, RoleRule};

/// What a write answers.
type WriteResult = Result<(StatusCode, Json<Written>), ApiError>;

/// Most characters of a free-text field (reason, feedback).
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Refuses a text over [`MAX_TEXT_CHARS`].
pub fn check_text(what: &str, text: &str) -> Result<(), ApiError> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::invalid_input(format!(
            "{what} has more than {MAX_TEXT_CHARS} characters"
        )));
    }
    Ok(())
}

/// The caller's `sub`: the author, assessor or attester of what they write.
fn caller_sub<R: RoleRule>(caller: &Require<R>) -> String {
    caller.caller().session.user_sub.clone()
}

/// `attested_by` for a body's `attested`: the caller when `true`.
fn attester<R: RoleRule>(caller: &Require<R>, attested: Option<bool>) -> Option<String> {
    (attested == Some(true)).then(|| caller_sub(caller))
}

/// An instructor writes `kind` on learner `sub` of their context.
async fn on_learner(
    caller: &Require<Instructor>,
    state: &AppState,
    sub: &str,
    request_id: &RequestId,
    kind: EventKind,
    meta: Value,
) -> WriteResult {
    let scope = Tenant::of(caller.caller())?
        .known_learner(state, sub)
        .await?;
    let author = author(caller.caller(), "instructor", request_id);
    write::append(state, &scope, &author, kind, meta).await
}

/// A learner writes `kind` on their own record.
pub async fn on_self(
    caller: &Require<Learner>,
    state: &AppState,
    request_id: &RequestId,
    kind: EventKind,
    meta: Value,
) -> WriteResult {
    let scope = own_scope(caller.caller())?;
    let author = author(caller.caller(), "learner", request_id);
    write::append(state, &scope, &author, kind, meta).await
}

/// Enrols a learner (`enrolled`).
#[utoipa::path(post, path = "/api/learners/{sub}/enrolments", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = EnrolBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn enrol(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<EnrolBody>,
) -> WriteResult {
    let kind = EventKind::Enrolled {
        credential: body.credential,
        offering: body.offering.map(Box::new),
        version: None,
    };
    on_learner(&caller, &state, &sub, &request_id, kind, json!({})).await
}

/// Records a result an instructor or assessor observed (`attempt_submitted`), with the
/// assessor (ASSESS-09) and, when the caller attests it, `attested_by` (ASSESS-10).
#[utoipa::path(post, path = "/api/learners/{sub}/results", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = ResultBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn result(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<ResultBody>,
) -> WriteResult {
    let meta = json!({
        "assessor_type": body.assessor_type,
        "supervision_mode": body.supervision_mode,
    });
    let assessor_id = body.assessor.unwrap_or_else(|| caller_sub(&caller));
    let kind = EventKind::AttemptSubmitted {
        assessment: body.assessment,
        score: body.score,
        part_scores: body.part_scores,
        route: body.route,
        provenance: AttemptProvenance {
            assessor: Some(body.assessor_type.assessor(assessor_id)),
            attested_by: attester(&caller, body.attested),
            ..AttemptProvenance::default()
        }
        .boxed(),
    };
    on_learner(&caller, &state, &sub, &request_id, kind, meta).await
}

/// Scores a pending attempt (`attempt_scored`); the grader is the caller.
#[utoipa::path(post, path = "/api/learners/{sub}/gradings", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = GradingBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn grade(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<GradingBody>,
) -> WriteResult {
    if let Some(feedback) = &body.feedback {
        check_text("feedback", feedback)?;
    }
    let assessor_type = body.assessor_type.unwrap_or(AssessorType::Instructor);
    let meta = json!({
        "assessor_type": assessor_type,
        "feedback": body.feedback,
    });
    let kind = EventKind::AttemptScored(Box::new(Grading {
        assessment: body.assessment,
        attempt: body.attempt,
        score: body.score,
        part_scores: body.part_scores,
        grader: Some(caller_sub(&caller)),
        provenance: AttemptProvenance {
            assessor: Some(assessor_type.assessor(caller_sub(&caller))),
            attested_by: attester(&caller, body.attested),
            ..AttemptProvenance::default()
        },
    }));
    on_learner(&caller, &state, &sub, &request_id, kind, meta).await
}

/// Releases feedback on the latest counted attempt (`feedback_released`).
#[utoipa::path(post, path = "/api/learners/{sub}/feedback-releases", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = FeedbackBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn release_feedback(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<FeedbackBody>,
) -> WriteResult {
    if let Some(feedback) = &body.feedback {
        check_text("feedback", feedback)?;
    }
    let kind = EventKind::FeedbackReleased {
        assessment: body.assessment,
        note: FeedbackNote::boxed(body.feedback, Some(caller_sub(&caller))),
    };
    on_learner(&caller, &state, &sub, &request_id, kind, json!({})).await
}

/// Replaces a scored attempt's score with a reason (`score_overridden`); `by` is the caller.
#[utoipa::path(post, path = "/api/learners/{sub}/overrides", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = OverrideBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn override_score(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<OverrideBody>,
) -> WriteResult {
    check_text("reason", &body.reason)?;
    if body.reason.trim().is_empty() {
        return Err(ApiError::invalid_input("an override needs a reason"));
    }
    let kind = EventKind::ScoreOverridden(Box::new(Override {
        assessment: body.assessment,
        attempt: body.attempt,
        score: body.score,
        part_scores: body.part_scores,
        reason: Some(body.reason),
        by: Some(caller_sub(&caller)),
    }));
    on_learner(&caller, &state, &sub, &request_id, kind, json!({})).await
}

/// Decides on prior learning (`plar_granted` or `plar_denied`).
#[utoipa::path(post, path = "/api/learners/{sub}/plar-decisions", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = PlarDecisionBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn decide_plar(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<PlarDecisionBody>,
) -> WriteResult {
    if let Some(reason) = &body.reason {
        check_text("reason", reason)?;
    }
    let meta = json!({ "request": body.request });
    let decision = Box::new(PlarDecision {
        credential: body.credential,
        method: body.method,
        competency: body.competency,
        component: body.component,
        evidence: body.evidence,
        reason: body.reason,
        assessor: Some(
            body.assessor_type
                .unwrap_or(AssessorType::Instructor)
                .assessor(caller_sub(&caller)),
        ),
        rubric: None,
        case: None,
        role: None,
    });
    let kind = match body.decision {
        PlarOutcome::Granted => EventKind::PlarGranted(decision),
        PlarOutcome::Denied => EventKind::PlarDenied(decision),
    };
    on_learner(&caller, &state, &sub, &request_id, kind, meta).await
}

/// Records a credential the learner presented, as the verifier found it
/// (`credential_presented`; `verified: false` is refused by the core).
#[utoipa::path(post, path = "/api/learners/{sub}/presented-credentials", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = PresentedBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn presented(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<PresentedBody>,
) -> WriteResult {
    let kind = EventKind::CredentialPresented(Box::new(PresentedCredential {
        credential: body.credential,
        issuer: body.issuer,
        issued_at: body.issued_at,
        valid_until: body.valid_until,
        verified: body.verified,
    }));
    on_learner(&caller, &state, &sub, &request_id, kind, json!({})).await
}

/// Applies for a credential on the learner's behalf (`credential_applied`).
#[utoipa::path(post, path = "/api/learners/{sub}/applications", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = ApplicationBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn apply_for(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<ApplicationBody>,
) -> WriteResult {
    let kind = EventKind::CredentialApplied {
        credential: body.credential,
    };
    on_learner(&caller, &state, &sub, &request_id, kind, json!({})).await
}

/// Claims an equivalency on the learner's behalf (`equivalency_claimed`).
#[utoipa::path(post, path = "/api/learners/{sub}/equivalency-claims", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = EquivalencyBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn claim_equivalency_for(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<EquivalencyBody>,
) -> WriteResult {
    let kind = EventKind::EquivalencyClaimed {
        equivalency: body.equivalency,
    };
    on_learner(&caller, &state, &sub, &request_id, kind, json!({})).await
}

/// Imposes an expiry on earlier issuances (`expiry_imposed`).
#[utoipa::path(post, path = "/api/learners/{sub}/expiries", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = ExpiryBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn impose_expiry(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<ExpiryBody>,
) -> WriteResult {
    let kind = EventKind::ExpiryImposed {
        credential: body.credential,
        issued_before: body.issued_before,
        valid_until: body.valid_until,
    };
    on_learner(&caller, &state, &sub, &request_id, kind, json!({})).await
}

/// The learner enrols themselves (`enrolled`).
#[utoipa::path(post, path = "/api/me/enrolments", tag = "me", security(("bearer" = ["learner"])), request_body = EnrolBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn enrol_self(
    caller: Require<Learner>,
    State(state): State<AppState>,
    request_id: RequestId,
    Body(body): Body<EnrolBody>,
) -> WriteResult {
    if body.offering.is_some() {
        return Err(ApiError::invalid_input(
            "a learner enrols without an offering; an instructor enrols a learner in an offering",
        ));
    }
    let kind = EventKind::Enrolled {
        credential: body.credential,
        offering: None,
        version: None,
    };
    on_self(&caller, &state, &request_id, kind, json!({})).await
}

/// Withdraws a learner from a definition (`withdrawn`, REQ-COMP-10).
#[utoipa::path(post, path = "/api/learners/{sub}/withdrawals", tag = "events", security(("bearer" = ["instructor"])),
    params(("sub" = String, Path)), request_body = WithdrawalBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn withdraw(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    request_id: RequestId,
    Path(sub): Path<String>,
    Body(body): Body<WithdrawalBody>,
) -> WriteResult {
    let kind = withdrawal(body)?;
    on_learner(&caller, &state, &sub, &request_id, kind, json!({})).await
}

/// The learner withdraws from a definition (`withdrawn`, REQ-COMP-10).
#[utoipa::path(post, path = "/api/me/withdrawals", tag = "me", security(("bearer" = ["learner"])),
    request_body = WithdrawalBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn withdraw_self(
    caller: Require<Learner>,
    State(state): State<AppState>,
    request_id: RequestId,
    Body(body): Body<WithdrawalBody>,
) -> WriteResult {
    let kind = withdrawal(body)?;
    on_self(&caller, &state, &request_id, kind, json!({})).await
}

fn withdrawal(body: WithdrawalBody) -> Result<EventKind, ApiError> {
    if let Some(reason) = &body.reason {
        check_text("reason", reason)?;
    }
    Ok(EventKind::Withdrawn {
        credential: body.credential,
        reason: body.reason,
    })
}

/// The learner applies for a credential (`credential_applied`).
#[utoipa::path(post, path = "/api/me/applications", tag = "me", security(("bearer" = ["learner"])), request_body = ApplicationBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn apply(
    caller: Require<Learner>,
    State(state): State<AppState>,
    request_id: RequestId,
    Body(body): Body<ApplicationBody>,
) -> WriteResult {
    let kind = EventKind::CredentialApplied {
        credential: body.credential,
    };
    on_self(&caller, &state, &request_id, kind, json!({})).await
}

/// The learner claims an equivalency (`equivalency_claimed`).
#[utoipa::path(post, path = "/api/me/equivalency-claims", tag = "me", security(("bearer" = ["learner"])),
    request_body = EquivalencyBody,
    responses((status = 201, body = Written), (status = "4XX", body = ErrorBody)))]
pub async fn claim_equivalency(
    caller: Require<Learner>,
    State(state): State<AppState>,
    request_id: RequestId,
    Body(body): Body<EquivalencyBody>,
) -> WriteResult {
    let kind = EventKind::EquivalencyClaimed {
        equivalency: body.equivalency,
    };
    on_self(&caller, &state, &request_id, kind, json!({})).await
}
