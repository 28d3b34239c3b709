//! What the LTI Advantage services keep (migration `0007_placements_and_rosters.sql`): Deep
//! Linking placements and NRPS rosters. The [`AdvantageStore`] trait is implemented for both
//! backends by `impl_advantage_store!` (`sql_advantage.rs`), on the same pool as
//! [`Store`](super::Store). Every method takes the tenant scope (registration, and context
//! where the row has one), so no row crosses tenants.

use async_trait::async_trait;

use super::{RegistrationId, StoreError};

/// One content item Cairn returned by Deep Linking: what the placed link opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementRow {
    /// Random id, sent as the `cairn_placement` custom parameter.
    pub id: String,
    /// The tenant.
    pub registration_id: RegistrationId,
    /// The deployment of the Deep Linking launch.
    pub deployment_id: String,
    /// The course.
    pub context_id: String,
    /// The credential definition.
    pub definition_id: String,
    /// The assessment; `None` for the credential's progress page.
    pub assessment_id: Option<String>,
    /// The item's title.
    pub title: String,
    /// The instructor's `sub`.
    pub created_by: String,
    /// When (Unix s).
    pub created_at: i64,
    /// The platform's resource link id, recorded at the link's first launch.
    pub resource_link_id: Option<String>,
}

/// A course member as NRPS listed them, mapped to the Cairn user `(registration, sub)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterMember {
    /// `user_id` (the launch `sub`).
    pub user_sub: String,
    /// `name`.
    pub name: Option<String>,
    /// `given_name`.
    pub given_name: Option<String>,
    /// `family_name`.
    pub family_name: Option<String>,
    /// `email` (never used to write to learners without consent).
    pub email: Option<String>,
    /// Cairn product roles (`instructor`, `learner`, `admin`).
    pub roles: Vec<String>,
    /// NRPS `status` (`Active`, `Inactive`, `Deleted`).
    pub status: String,
    /// First listed (Unix s).
    pub first_seen_at: i64,
    /// Last listed (Unix s).
    pub last_seen_at: i64,
    /// When the platform stopped listing them (the member left); `None` while listed.
    pub left_at: Option<i64>,
}

impl RosterMember {
    /// Whether the member is in the course now: listed at the last fetch and `Active`.
    pub fn is_current(&self) -> bool {
        self.left_at.is_none() && self.status.eq_ignore_ascii_case("active")
    }
}

/// A course's last roster fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterFetch {
    /// The membership URL fetched.
    pub memberships_url: String,
    /// When (Unix s).
    pub fetched_at: i64,
    /// How many members it listed.
    pub members: i64,
}

/// What one roster replacement changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RosterChange {
    /// Members listed this time.
    pub listed: u64,
    /// Members newly marked as left (not listed any more).
    pub left: u64,
}

/// Placements and rosters, on both backends.
#[async_trait]
pub trait AdvantageStore: Send + Sync {
    /// Inserts the placements of one Deep Linking response, in one transaction.
    async fn insert_placements(&self, rows: &[PlacementRow]) -> Result<(), StoreError>;
    /// A placement by id, within a registration and context.
    async fn placement(
        &self,
        registration: RegistrationId,
        context: &str,
        id: &str,
    ) -> Result<Option<PlacementRow>, StoreError>;
    /// The placement a resource link was bound to at its first launch.
    async fn placement_for_link(
        &self,
        registration: RegistrationId,
        context: &str,
        resource_link_id: &str,
    ) -> Result<Option<PlacementRow>, StoreError>;
    /// Records the resource link of a placement's first launch; `false` when it already has
    /// one (the first launch wins) or does not exist.
    async fn bind_placement(
        &self,
        registration: RegistrationId,
        id: &str,
        resource_link_id: &str,
    ) -> Result<bool, StoreError>;
    /// The placements of a course, oldest first.
    async fn placements(
        &self,
        registration: RegistrationId,
        context: &str,
    ) -> Result<Vec<PlacementRow>, StoreError>;
    /// Replaces a course's roster with `members` (one transaction): listed members are
    /// inserted or updated (`left_at` cleared), everyone not listed is marked left at `now`
    /// (never deleted), and the fetch is recorded.
    async fn replace_roster(
        &self,
        registration: RegistrationId,
        context: &str,
        memberships_url: &str,
        members: &[RosterMember],
        now: i64,
    ) -> Result<RosterChange, StoreError>;
    /// A course's roster (by `sub`) and its last fetch.
    async fn roster(
        &self,
        registration: RegistrationId,
        context: &str,
    ) -> Result<(Option<RosterFetch>, Vec<RosterMember>), StoreError>;
}
