//! The course roster from NRPS (`spec/lti.md` §9) for instructors: `GET /api/roster/members`
//! lists every member the platform listed (learners who left marked, never dropped), with when
//! it was fetched; `POST /api/roster/refresh` reads it from the platform now (an instructor's
//! launch also refreshes it in the background when it is older than the refresh policy). The
//! learner grid (`/api/learners`, `reads.rs`) joins the same rows by `sub` for names and
//! enrolment. The fetch itself is `advantage/roster.rs`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use axum::http::StatusCode;

use crate::AppState;
use crate::advantage::roster::{self, RosterSource};
use crate::api::caller::Tenant;
use crate::api::error::{ApiError, ErrorBody};
use crate::session::{Instructor, Require};
use crate::store::advantage_rows::RosterMember;

/// A member's enrolment as the roster last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Enrolment {
    /// Listed and `Active`.
    Active,
    /// Listed, but `Inactive` (or another status).
    Inactive,
    /// Not listed any more: the member left the course.
    Left,
}

impl Enrolment {
    /// The enrolment of a stored member.
    pub fn of(member: &RosterMember) -> Enrolment {
        if member.left_at.is_some() {
            Enrolment::Left
        } else if member.is_current() {
            Enrolment::Active
        } else {
            Enrolment::Inactive
        }
    }
}

/// One roster member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// The member's `sub` (their Cairn user within the registration).
    pub sub: String,
    /// Display name.
    pub name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Product roles.
    pub roles: Vec<String>,
    /// Active, inactive or left.
    pub enrolment: Enrolment,
    /// When the platform stopped listing them.
    pub left_at: Option<i64>,
}

impl From<&RosterMember> for MemberView {
    fn from(member: &RosterMember) -> MemberView {
        MemberView {
            sub: member.user_sub.clone(),
            name: member.name.clone(),
            given_name: member.given_name.clone(),
            family_name: member.family_name.clone(),
            roles: member.roles.clone(),
            enrolment: Enrolment::of(member),
            left_at: member.left_at,
        }
    }
}

/// The course roster.
#[derive(Debug, Serialize, ToSchema)]
pub struct Members {
    /// When NRPS was last read (`null`: never, the platform offers no NRPS or it failed).
    pub fetched_at: Option<i64>,
    /// The members by `sub`.
    pub members: Vec<MemberView>,
}

/// The course roster as NRPS last listed it (refreshed at launch when due).
#[utoipa::path(get, path = "/api/roster/members", tag = "learners", security(("bearer" = ["instructor"])),
    responses((status = 200, body = Members), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    caller: Require<Instructor>,
    State(state): State<AppState>,
) -> Result<Json<Members>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let (fetch, members) = state
        .store
        .advantage()
        .roster(tenant.registration_id, &tenant.context_id)
        .await?;
    Ok(Json(Members {
        fetched_at: fetch.map(|f| f.fetched_at),
        members: members.iter().map(MemberView::from).collect(),
    }))
}

/// Reads the roster from the platform now (the session's NRPS claim), then lists it.
#[utoipa::path(post, path = "/api/roster/refresh", tag = "learners", security(("bearer" = ["instructor"])),
    responses((status = 200, body = Members), (status = "4XX", body = ErrorBody),
        (status = 502, body = ErrorBody)))]
pub async fn refresh(
    caller: Require<Instructor>,
    State(state): State<AppState>,
) -> Result<Json<Members>, ApiError> {
    let session = &caller.caller().session;
    let tenant = Tenant::of(caller.caller())?;
    let Some(memberships_url) = session.claims["nrps"]["context_memberships_url"]
        .as_str()
        .map(str::to_owned)
    else {
        return Err(ApiError::conflict(
            "nrps_unavailable",
            "this launch carried no Names and Role Provisioning service",
        ));
    };
    let registration = state
        .store
        .registration_by_id(tenant.registration_id)
        .await?
        .ok_or_else(|| ApiError::not_found("the session's registration is gone"))?;
    let source = RosterSource {
        registration,
        context_id: tenant.context_id.clone(),
        memberships_url,
        rlid: None,
    };
    roster::refresh(&state, &source).await.map_err(|error| {
        tracing::warn!(code = error.code(), %error, "nrps roster refresh failed");
        ApiError::new(StatusCode::BAD_GATEWAY, error.code(), error.to_string())
    })?;
    list(caller, State(state)).await
}
