//! The course roster from NRPS (`spec/lti.md` §9) for instructors: `GET /api/roster/members`
//! lists every member the platform listed (learners who left marked, never dropped), with when
//! it was fetched; the learner grid (`/api/learners`, `reads.rs`) joins the same rows by `sub`
//! for names and enrolment. The fetch itself is `advantage/roster.rs`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
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
