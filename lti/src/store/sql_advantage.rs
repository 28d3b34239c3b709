//! The one implementation of [`AdvantageStore`](super::advantage_rows::AdvantageStore) for
//! both backends: the statements on migration 0007's tables, written once (`$n` placeholders
//! read by SQLite and PostgreSQL alike), and [`impl_advantage_store!`] expanding the impl for a
//! backend's pool.

/// The columns of a placement.
macro_rules! placement_columns {
    () => {
        "id, registration_id, deployment_id, context_id, definition_id, assessment_id, title, \
         created_by, created_at, resource_link_id"
    };
}

pub(super) const INSERT_PLACEMENT: &str = "INSERT INTO placements (id, registration_id, \
     deployment_id, context_id, definition_id, assessment_id, title, created_by, created_at, \
     resource_link_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
pub(super) const SELECT_PLACEMENT: &str = concat!(
    "SELECT ",
    placement_columns!(),
    " FROM placements WHERE registration_id = $1 AND context_id = $2 AND id = $3"
);
pub(super) const SELECT_PLACEMENT_FOR_LINK: &str = concat!(
    "SELECT ",
    placement_columns!(),
    " FROM placements WHERE registration_id = $1 AND context_id = $2 \
     AND resource_link_id = $3 ORDER BY created_at, id LIMIT 1"
);
pub(super) const SELECT_PLACEMENTS: &str = concat!(
    "SELECT ",
    placement_columns!(),
    " FROM placements WHERE registration_id = $1 AND context_id = $2 ORDER BY created_at, id"
);
// The guard `resource_link_id IS NULL` makes the first launch win atomically.
pub(super) const BIND_PLACEMENT: &str = "UPDATE placements SET resource_link_id = $3 \
     WHERE registration_id = $1 AND id = $2 AND resource_link_id IS NULL";

pub(super) const UPSERT_ROSTER_MEMBER: &str = "INSERT INTO roster_members (registration_id, \
     context_id, user_sub, name, given_name, family_name, email, roles, status, first_seen_at, \
     last_seen_at, left_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, NULL) \
     ON CONFLICT (registration_id, context_id, user_sub) DO UPDATE SET name = $4, \
     given_name = $5, family_name = $6, email = $7, roles = $8, status = $9, \
     last_seen_at = $10, left_at = NULL";
// Everyone this fetch did not list (their last_seen_at is older) is marked, never deleted.
pub(super) const MARK_ROSTER_LEFT: &str = "UPDATE roster_members SET left_at = $3 \
     WHERE registration_id = $1 AND context_id = $2 AND last_seen_at < $3 AND left_at IS NULL";
pub(super) const UPSERT_ROSTER_FETCH: &str = "INSERT INTO roster_fetches (registration_id, \
     context_id, memberships_url, fetched_at, members) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (registration_id, context_id) DO UPDATE SET memberships_url = $3, \
     fetched_at = $4, members = $5";
pub(super) const SELECT_ROSTER_FETCH: &str = "SELECT memberships_url, fetched_at, members \
     FROM roster_fetches WHERE registration_id = $1 AND context_id = $2";
pub(super) const SELECT_ROSTER: &str = "SELECT user_sub, name, given_name, family_name, email, \
     roles, status, first_seen_at, last_seen_at, left_at FROM roster_members \
     WHERE registration_id = $1 AND context_id = $2 ORDER BY user_sub";

/// Product roles as stored (a JSON array of strings).
pub(super) fn roles_text(roles: &[String]) -> String {
    serde_json::to_string(roles).unwrap_or_else(|_| "[]".to_owned())
}

/// Product roles read back.
pub(super) fn roles_of(text: &str) -> Result<Vec<String>, super::StoreError> {
    serde_json::from_str(text)
        .map_err(|err| super::StoreError::Corrupt(format!("roster member roles: {err}")))
}

/// Implements [`AdvantageStore`](crate::store::advantage_rows::AdvantageStore) for `$store` (a
/// struct with a `pool: sqlx::Pool<$db>`). Expanded once per backend.
macro_rules! impl_advantage_store {
    ($store:ident, $db:ty) => {
        /// The [`AdvantageStore`](crate::store::advantage_rows::AdvantageStore) trait for this
        /// backend.
        mod sql_advantage_store {
            use sqlx::Row as _;

            use super::$store;
            use crate::store::advantage_rows::{
                AdvantageStore, PlacementRow, RosterChange, RosterFetch, RosterMember,
            };
            use crate::store::{RegistrationId, StoreError, sql, sql_advantage};

            fn placement(row: &<$db as sqlx::Database>::Row) -> Result<PlacementRow, StoreError> {
                Ok(PlacementRow {
                    id: row.try_get("id")?,
                    registration_id: row.try_get("registration_id")?,
                    deployment_id: row.try_get("deployment_id")?,
                    context_id: row.try_get("context_id")?,
                    definition_id: row.try_get("definition_id")?,
                    assessment_id: row.try_get("assessment_id")?,
                    title: row.try_get("title")?,
                    created_by: row.try_get("created_by")?,
                    created_at: row.try_get("created_at")?,
                    resource_link_id: row.try_get("resource_link_id")?,
                })
            }

            #[async_trait::async_trait]
            impl AdvantageStore for $store {
                async fn insert_placements(&self, rows: &[PlacementRow]) -> Result<(), StoreError> {
                    let mut tx = self.pool.begin().await?;
                    for row in rows {
                        sqlx::query(sql_advantage::INSERT_PLACEMENT)
                            .bind(&row.id)
                            .bind(row.registration_id)
                            .bind(&row.deployment_id)
                            .bind(&row.context_id)
                            .bind(&row.definition_id)
                            .bind(&row.assessment_id)
                            .bind(&row.title)
                            .bind(&row.created_by)
                            .bind(row.created_at)
                            .bind(&row.resource_link_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(|err| {
                                sql::classify(
                                    err,
                                    || format!("placement {:?}", row.id),
                                    || format!("registration {}", row.registration_id),
                                )
                            })?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn placement(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    id: &str,
                ) -> Result<Option<PlacementRow>, StoreError> {
                    sqlx::query(sql_advantage::SELECT_PLACEMENT)
                        .bind(registration)
                        .bind(context)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(placement)
                        .transpose()
                }

                async fn placement_for_link(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    resource_link_id: &str,
                ) -> Result<Option<PlacementRow>, StoreError> {
                    sqlx::query(sql_advantage::SELECT_PLACEMENT_FOR_LINK)
                        .bind(registration)
                        .bind(context)
                        .bind(resource_link_id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(placement)
                        .transpose()
                }

                async fn bind_placement(
                    &self,
                    registration: RegistrationId,
                    id: &str,
                    resource_link_id: &str,
                ) -> Result<bool, StoreError> {
                    let done = sqlx::query(sql_advantage::BIND_PLACEMENT)
                        .bind(registration)
                        .bind(id)
                        .bind(resource_link_id)
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn placements(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                ) -> Result<Vec<PlacementRow>, StoreError> {
                    sqlx::query(sql_advantage::SELECT_PLACEMENTS)
                        .bind(registration)
                        .bind(context)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(placement)
                        .collect()
                }

                async fn replace_roster(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    memberships_url: &str,
                    members: &[RosterMember],
                    now: i64,
                ) -> Result<RosterChange, StoreError> {
                    let mut tx = self.pool.begin().await?;
                    for member in members {
                        sqlx::query(sql_advantage::UPSERT_ROSTER_MEMBER)
                            .bind(registration)
                            .bind(context)
                            .bind(&member.user_sub)
                            .bind(&member.name)
                            .bind(&member.given_name)
                            .bind(&member.family_name)
                            .bind(&member.email)
                            .bind(sql_advantage::roles_text(&member.roles))
                            .bind(&member.status)
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                            .map_err(|err| {
                                sql::classify(
                                    err,
                                    || format!("roster member {:?}", member.user_sub),
                                    || format!("registration {registration}"),
                                )
                            })?;
                    }
                    let left = sqlx::query(sql_advantage::MARK_ROSTER_LEFT)
                        .bind(registration)
                        .bind(context)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    let count = i64::try_from(members.len()).unwrap_or(i64::MAX);
                    sqlx::query(sql_advantage::UPSERT_ROSTER_FETCH)
                        .bind(registration)
                        .bind(context)
                        .bind(memberships_url)
                        .bind(now)
                        .bind(count)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(RosterChange {
                        listed: members.len() as u64,
                        left,
                    })
                }

                async fn roster(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                ) -> Result<(Option<RosterFetch>, Vec<RosterMember>), StoreError> {
                    let fetch = sqlx::query(sql_advantage::SELECT_ROSTER_FETCH)
                        .bind(registration)
                        .bind(context)
                        .fetch_optional(&self.pool)
                        .await?
                        .map(|row| -> Result<RosterFetch, StoreError> {
                            Ok(RosterFetch {
                                memberships_url: row.try_get("memberships_url")?,
                                fetched_at: row.try_get("fetched_at")?,
                                members: row.try_get("members")?,
                            })
                        })
                        .transpose()?;
                    let members = sqlx::query(sql_advantage::SELECT_ROSTER)
                        .bind(registration)
                        .bind(context)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(|row| -> Result<RosterMember, StoreError> {
                            let roles: String = row.try_get("roles")?;
                            Ok(RosterMember {
                                user_sub: row.try_get("user_sub")?,
                                name: row.try_get("name")?,
                                given_name: row.try_get("given_name")?,
                                family_name: row.try_get("family_name")?,
                                email: row.try_get("email")?,
                                roles: sql_advantage::roles_of(&roles)?,
                                status: row.try_get("status")?,
                                first_seen_at: row.try_get("first_seen_at")?,
                                last_seen_at: row.try_get("last_seen_at")?,
                                left_at: row.try_get("left_at")?,
                            })
                        })
                        .collect::<Result<_, _>>()?;
                    Ok((fetch, members))
                }
            }
        }
    };
}

pub(super) use impl_advantage_store;
