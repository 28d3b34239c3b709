//! The one implementation of [`ApiStore`](super::api_rows::ApiStore) for both backends: the
//! statements on migration 0004's tables, written once (`$n` placeholders read by SQLite and
//! PostgreSQL alike), and [`impl_api_store!`] expanding the impl for a backend's pool.

pub(super) const UPSERT_ITEM_SET: &str = "INSERT INTO item_sets (registration_id, context_id, \
     assessment_id, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (registration_id, context_id, assessment_id) DO UPDATE SET body = $4, \
     updated_by = $5, updated_at = $6";
pub(super) const SELECT_ITEM_SET: &str = "SELECT assessment_id, body, updated_by, updated_at \
     FROM item_sets WHERE registration_id = $1 AND context_id = $2 AND assessment_id = $3";
pub(super) const INSERT_EVIDENCE: &str = "INSERT INTO evidence_files (registration_id, \
     context_id, learner_sub, sha256, media_type, size, content, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (registration_id, context_id, learner_sub, sha256) DO NOTHING";
pub(super) const SELECT_EVIDENCE: &str = "SELECT sha256, media_type, size, content, created_at \
     FROM evidence_files WHERE registration_id = $1 AND context_id = $2 AND learner_sub = $3 \
     AND sha256 = $4";
pub(super) const INSERT_IMPORT: &str = "INSERT INTO imports (id, registration_id, context_id, \
     created_by, created_at, plan, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)";
pub(super) const SELECT_IMPORT: &str = "SELECT id, created_by, created_at, plan, confirmed_at \
     FROM imports WHERE registration_id = $1 AND context_id = $2 AND id = $3";
// The guard `confirmed_at IS NULL` makes the claim atomic: of two confirms, one updates.
pub(super) const CLAIM_IMPORT: &str = "UPDATE imports SET confirmed_at = $4 \
     WHERE registration_id = $1 AND context_id = $2 AND id = $3 AND confirmed_at IS NULL";
pub(super) const RELEASE_IMPORT: &str = "UPDATE imports SET confirmed_at = NULL \
     WHERE registration_id = $1 AND context_id = $2 AND id = $3";
pub(super) const INSERT_PLAR_REQUEST: &str = "INSERT INTO plar_requests (id, registration_id, \
     context_id, learner_sub, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
pub(super) const SELECT_PLAR_REQUESTS: &str = "SELECT id, learner_sub, body, created_at \
     FROM plar_requests WHERE registration_id = $1 AND context_id = $2 \
     AND ($3 IS NULL OR learner_sub = $3) ORDER BY created_at, id";

// COUNT answers a BIGINT on both backends (an EXISTS would be an integer on one, a boolean
// on the other).
pub(super) const COUNT_KNOWN_LEARNER: &str = "SELECT COUNT(*) AS n FROM (\
     SELECT 1 AS one FROM sessions WHERE registration_id = $1 AND context_id = $2 \
     AND user_sub = $3 \
     UNION ALL SELECT 1 AS one FROM learner_heads WHERE registration_id = $1 \
     AND context_id = $2 AND learner_sub = $3) AS known";

/// Reads stored JSON text.
pub(super) fn json(text: &str, what: &str) -> Result<serde_json::Value, super::StoreError> {
    serde_json::from_str(text).map_err(|err| super::StoreError::Corrupt(format!("{what}: {err}")))
}

/// Implements [`ApiStore`](crate::store::api_rows::ApiStore) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>`). Expanded once per backend, so the compiler checks each.
macro_rules! impl_api_store {
    ($store:ident, $db:ty) => {
        /// The [`ApiStore`](crate::store::api_rows::ApiStore) trait for this backend.
        mod sql_api_store {
            use sqlx::Row as _;

            use super::$store;
            use crate::store::api_rows::{
                ApiStore, EvidenceFile, ImportRow, ItemSetRow, PlarRequestRow,
            };
            use crate::store::{RegistrationId, StoreError, sql, sql_api};

            #[async_trait::async_trait]
            impl ApiStore for $store {
                async fn put_item_set(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    row: &ItemSetRow,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql_api::UPSERT_ITEM_SET)
                        .bind(registration)
                        .bind(context)
                        .bind(&row.assessment_id)
                        .bind(row.body.to_string())
                        .bind(&row.updated_by)
                        .bind(row.updated_at)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || format!("item set {:?}", row.assessment_id),
                                || format!("registration {registration}"),
                            )
                        })?;
                    Ok(())
                }

                async fn item_set(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    assessment: &str,
                ) -> Result<Option<ItemSetRow>, StoreError> {
                    let row = sqlx::query(sql_api::SELECT_ITEM_SET)
                        .bind(registration)
                        .bind(context)
                        .bind(assessment)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(|row| {
                        Ok(ItemSetRow {
                            assessment_id: row.try_get("assessment_id")?,
                            body: sql_api::json(row.try_get("body")?, "item set body")?,
                            updated_by: row.try_get("updated_by")?,
                            updated_at: row.try_get("updated_at")?,
                        })
                    })
                    .transpose()
                }

                async fn put_evidence(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    learner_sub: &str,
                    file: &EvidenceFile,
                    content: &[u8],
                ) -> Result<(), StoreError> {
                    sqlx::query(sql_api::INSERT_EVIDENCE)
                        .bind(registration)
                        .bind(context)
                        .bind(learner_sub)
                        .bind(&file.sha256)
                        .bind(&file.media_type)
                        .bind(file.size)
                        .bind(content)
                        .bind(file.created_at)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || format!("evidence {:?}", file.sha256),
                                || format!("registration {registration}"),
                            )
                        })?;
                    Ok(())
                }

                async fn evidence(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    learner_sub: &str,
                    sha256: &str,
                ) -> Result<Option<(EvidenceFile, Vec<u8>)>, StoreError> {
                    let row = sqlx::query(sql_api::SELECT_EVIDENCE)
                        .bind(registration)
                        .bind(context)
                        .bind(learner_sub)
                        .bind(sha256)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(|row| {
                        Ok((
                            EvidenceFile {
                                sha256: row.try_get("sha256")?,
                                media_type: row.try_get("media_type")?,
                                size: row.try_get("size")?,
                                created_at: row.try_get("created_at")?,
                            },
                            row.try_get("content")?,
                        ))
                    })
                    .transpose()
                }

                async fn insert_import(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    row: &ImportRow,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql_api::INSERT_IMPORT)
                        .bind(&row.id)
                        .bind(registration)
                        .bind(context)
                        .bind(&row.created_by)
                        .bind(row.created_at)
                        .bind(row.plan.to_string())
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || format!("import {:?}", row.id),
                                || format!("registration {registration}"),
                            )
                        })?;
                    Ok(())
                }

                async fn import(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    id: &str,
                ) -> Result<Option<ImportRow>, StoreError> {
                    let row = sqlx::query(sql_api::SELECT_IMPORT)
                        .bind(registration)
                        .bind(context)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(|row| {
                        Ok(ImportRow {
                            id: row.try_get("id")?,
                            created_by: row.try_get("created_by")?,
                            created_at: row.try_get("created_at")?,
                            plan: sql_api::json(row.try_get("plan")?, "import plan")?,
                            confirmed_at: row.try_get("confirmed_at")?,
                        })
                    })
                    .transpose()
                }

                async fn claim_import(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    id: &str,
                    at: i64,
                ) -> Result<bool, StoreError> {
                    let done = sqlx::query(sql_api::CLAIM_IMPORT)
                        .bind(registration)
                        .bind(context)
                        .bind(id)
                        .bind(at)
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn release_import(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    id: &str,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql_api::RELEASE_IMPORT)
                        .bind(registration)
                        .bind(context)
                        .bind(id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn learner_known(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    learner_sub: &str,
                ) -> Result<bool, StoreError> {
                    let row = sqlx::query(sql_api::COUNT_KNOWN_LEARNER)
                        .bind(registration)
                        .bind(context)
                        .bind(learner_sub)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(row.try_get::<i64, _>("n")? > 0)
                }

                async fn insert_plar_request(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    row: &PlarRequestRow,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql_api::INSERT_PLAR_REQUEST)
                        .bind(&row.id)
                        .bind(registration)
                        .bind(context)
                        .bind(&row.learner_sub)
                        .bind(row.body.to_string())
                        .bind(row.created_at)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || format!("PLAR request {:?}", row.id),
                                || format!("registration {registration}"),
                            )
                        })?;
                    Ok(())
                }

                async fn plar_requests(
                    &self,
                    registration: RegistrationId,
                    context: &str,
                    learner_sub: Option<&str>,
                ) -> Result<Vec<PlarRequestRow>, StoreError> {
                    let rows = sqlx::query(sql_api::SELECT_PLAR_REQUESTS)
                        .bind(registration)
                        .bind(context)
                        .bind(learner_sub)
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter()
                        .map(|row| {
                            Ok(PlarRequestRow {
                                id: row.try_get("id")?,
                                learner_sub: row.try_get("learner_sub")?,
                                body: sql_api::json(row.try_get("body")?, "PLAR request")?,
                                created_at: row.try_get("created_at")?,
                            })
                        })
                        .collect()
                }
            }
        }
    };
}

pub(super) use impl_api_store;
