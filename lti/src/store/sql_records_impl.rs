//! [`impl_record_store!`]: the [`RecordStore`](super::records::RecordStore) impl for a
//! backend's pool, expanded once per backend from the statements of `sql_records.rs`, so the
//! two backends cannot drift apart. Row reading lives here too (typed per backend).

/// Implements [`RecordStore`](crate::store::records::RecordStore) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` and a `group_writer()`: appends go through it when it is some).
macro_rules! impl_record_store {
    ($store:ident, $db:ty) => {
        /// The [`RecordStore`](crate::store::records::RecordStore) trait for this backend.
        mod sql_record_store {
            use super::$store;
            use crate::store::records::{
                AppendOutcome, BatchOutcome, CredentialRow, DefinitionRow, IssuerKeyRow, IssuerRow,
                LearnerEntry, LearnerHead, LearnerScope, LearnerWrite, NewCredential, NewEvent,
                RecordStore, StatusChange, StatusListRow, StatusPurpose, StoredEvent,
            };
            use crate::store::{RegistrationId, StoreError, sql, sql_records as q};
            use cairn::definition::CredentialDefinition;
            use sqlx::Row as _;

            super::super::sql_records_rows::record_rows!($db);

            impl $store {
                /// A definition row re-read after a change, or `NotFound` when the change
                /// matched nothing.
                async fn definition_after(
                    &self,
                    changed: u64,
                    registration_id: RegistrationId,
                    context_id: &str,
                    definition_id: &str,
                    version: &str,
                    state: &str,
                ) -> Result<DefinitionRow, StoreError> {
                    let name = || {
                        format!(
                            "{state} {}",
                            q::definition_name(registration_id, context_id, definition_id, version)
                        )
                    };
                    if changed == 0 {
                        return Err(StoreError::NotFound(name()));
                    }
                    self.definition(registration_id, context_id, definition_id, version)
                        .await?
                        .ok_or_else(|| StoreError::NotFound(name()))
                }
            }

            #[async_trait::async_trait]
            impl RecordStore for $store {
                async fn insert_definition(&self, d: &DefinitionRow) -> Result<(), StoreError> {
                    sqlx::query(q::INSERT_DEFINITION)
                        .bind(d.registration_id)
                        .bind(&d.context_id)
                        .bind(&d.definition_id)
                        .bind(&d.version)
                        .bind(q::json_to_text(&d.body)?)
                        .bind(d.status.as_str())
                        .bind(&d.created_by)
                        .bind(d.created_at)
                        .bind(d.published_at)
                        .bind(d.archived_at)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || q::definition_row_name(d),
                                || format!("registration {}", d.registration_id),
                            )
                        })?;
                    Ok(())
                }

                async fn update_draft_definition(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    body: &CredentialDefinition,
                ) -> Result<(), StoreError> {
                    let done = sqlx::query(q::UPDATE_DRAFT_DEFINITION)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(body.id.as_str())
                        .bind(&body.version)
                        .bind(q::json_to_text(body)?)
                        .execute(&self.pool)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound(format!(
                            "draft {}",
                            q::definition_name(
                                registration_id,
                                context_id,
                                body.id.as_str(),
                                &body.version
                            )
                        )));
                    }
                    Ok(())
                }

                async fn definitions(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                ) -> Result<Vec<DefinitionRow>, StoreError> {
                    sqlx::query(q::SELECT_DEFINITIONS)
                        .bind(registration_id)
                        .bind(context_id)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::definition)
                        .collect()
                }

                async fn definition(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    definition_id: &str,
                    version: &str,
                ) -> Result<Option<DefinitionRow>, StoreError> {
                    sqlx::query(q::SELECT_DEFINITION)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(definition_id)
                        .bind(version)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::definition)
                        .transpose()
                }

                async fn publish_definition(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    definition_id: &str,
                    version: &str,
                    now: i64,
                ) -> Result<DefinitionRow, StoreError> {
                    let done = sqlx::query(q::PUBLISH_DEFINITION)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(definition_id)
                        .bind(version)
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    self.definition_after(
                        done.rows_affected(),
                        registration_id,
                        context_id,
                        definition_id,
                        version,
                        "draft",
                    )
                    .await
                }

                async fn archive_definition(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    definition_id: &str,
                    version: &str,
                    now: i64,
                ) -> Result<DefinitionRow, StoreError> {
                    let done = sqlx::query(q::ARCHIVE_DEFINITION)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(definition_id)
                        .bind(version)
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    self.definition_after(
                        done.rows_affected(),
                        registration_id,
                        context_id,
                        definition_id,
                        version,
                        "unarchived",
                    )
                    .await
                }

                async fn published_definitions(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                ) -> Result<Vec<DefinitionRow>, StoreError> {
                    sqlx::query(q::SELECT_PUBLISHED_DEFINITIONS)
                        .bind(registration_id)
                        .bind(context_id)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::definition)
                        .collect()
                }

                async fn learner_log(
                    &self,
                    scope: &LearnerScope,
                ) -> Result<(Vec<StoredEvent>, Option<LearnerHead>), StoreError> {
                    // Two plain reads, events first (no transaction: its BEGIN and COMMIT
                    // would be two more round trips, and PostgreSQL's READ COMMITTED gives no
                    // common snapshot anyway). The head read second is at least as new as the
                    // events; a newer one means a write landed between the reads.
                    let events = sqlx::query(q::SELECT_LEARNER_EVENTS)
                        .bind(scope.registration_id)
                        .bind(&scope.context_id)
                        .bind(&scope.learner_sub)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::event)
                        .collect::<Result<Vec<_>, _>>()?;
                    let head = sqlx::query(q::SELECT_HEAD)
                        .bind(scope.registration_id)
                        .bind(&scope.context_id)
                        .bind(&scope.learner_sub)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::head)
                        .transpose()?;
                    // Report the log's own head: the events read are the whole log at it (an
                    // append-only log), and an append made at it fails the head's
                    // compare-and-set when the stored head moved on.
                    let head = match (events.last(), head) {
                        (Some(last), Some(h)) if h.last_seq != last.seq => Some(LearnerHead {
                            last_seq: last.seq,
                            event_count: i64::try_from(events.len()).unwrap_or(i64::MAX),
                        }),
                        // The first event landed after the events were read: no head yet.
                        (None, _) => None,
                        (_, head) => head,
                    };
                    Ok((events, head))
                }

                async fn learner_head(
                    &self,
                    scope: &LearnerScope,
                ) -> Result<Option<LearnerHead>, StoreError> {
                    sqlx::query(q::SELECT_HEAD)
                        .bind(scope.registration_id)
                        .bind(&scope.context_id)
                        .bind(&scope.learner_sub)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::head)
                        .transpose()
                }

                async fn append_scored(
                    &self,
                    scope: &LearnerScope,
                    expected: Option<LearnerHead>,
                    event: Option<NewEvent<'_>>,
                    credentials: &[NewCredential],
                    scores: &[crate::store::outbox::NewScore],
                    now: i64,
                ) -> Result<AppendOutcome, StoreError> {
                    if let Some(writer) = self.group_writer() {
                        return writer
                            .append(scope, expected, event, credentials, scores, now)
                            .await;
                    }
                    let mut tx = self.pool.begin().await?;
                    let seq = match crate::store::sql_records_append::append_in_tx!(
                        tx,
                        scope,
                        expected,
                        event,
                        credentials,
                        scores,
                        now
                    ) {
                        Ok(seq) => seq,
                        Err(conflict) => return Ok(conflict),
                    };
                    tx.commit().await?;
                    Ok(AppendOutcome::Appended { seq })
                }

                async fn append_batch(
                    &self,
                    writes: &[LearnerWrite<'_>],
                    now: i64,
                ) -> Result<BatchOutcome, StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let mut seqs = Vec::with_capacity(writes.len());
                    for (learner, w) in writes.iter().enumerate() {
                        let mut expected = w.expected;
                        let mut written = Vec::with_capacity(w.events.len());
                        for (i, new) in w.events.iter().enumerate() {
                            // The learner's credentials and scores go with their last event.
                            let last = i + 1 == w.events.len();
                            let (credentials, scores) = if last {
                                (w.credentials, w.scores)
                            } else {
                                (&[][..], &[][..])
                            };
                            let event = Some(new.clone());
                            let seq = match crate::store::sql_records_append::append_in_tx!(
                                tx,
                                w.scope,
                                expected,
                                event,
                                credentials,
                                scores,
                                now
                            ) {
                                Ok(seq) => seq,
                                // Dropping `tx` rolls back every learner's writes.
                                Err(outcome) => {
                                    return Ok(BatchOutcome::Conflict { learner, outcome });
                                }
                            };
                            expected = Some(LearnerHead {
                                last_seq: seq,
                                event_count: expected.map_or(0, |h| h.event_count) + 1,
                            });
                            written.push(seq);
                        }
                        seqs.push(written);
                    }
                    tx.commit().await?;
                    Ok(BatchOutcome::Appended { seqs })
                }

                async fn learners(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    after: Option<&str>,
                    limit: i64,
                ) -> Result<Vec<LearnerEntry>, StoreError> {
                    let rows = sqlx::query(q::SELECT_LEARNERS)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(after.unwrap_or(""))
                        .bind(limit.max(0))
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(LearnerEntry {
                                learner_sub: r.try_get("learner_sub")?,
                                head: row::head(r)?,
                            })
                        })
                        .collect()
                }

                async fn learner_claims(
                    &self,
                    registration_id: RegistrationId,
                    learner_sub: &str,
                ) -> Result<Option<serde_json::Value>, StoreError> {
                    let found = sqlx::query(q::SELECT_LEARNER_CLAIMS)
                        .bind(registration_id)
                        .bind(learner_sub)
                        .fetch_optional(&self.pool)
                        .await?;
                    match found {
                        Some(r) => Ok(Some(q::json_from_text(r.try_get("claims")?, || {
                            format!("claims of a session of {learner_sub:?}")
                        })?)),
                        None => Ok(None),
                    }
                }

                async fn contexts_with_learners(
                    &self,
                ) -> Result<Vec<(RegistrationId, String)>, StoreError> {
                    let rows = sqlx::query(q::SELECT_CONTEXTS_WITH_LEARNERS)
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter()
                        .map(|r| Ok((r.try_get("registration_id")?, r.try_get("context_id")?)))
                        .collect()
                }

                async fn credential(&self, id: &str) -> Result<Option<CredentialRow>, StoreError> {
                    sqlx::query(q::SELECT_CREDENTIAL)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::credential)
                        .transpose()
                }

                async fn learner_credentials(
                    &self,
                    scope: &LearnerScope,
                ) -> Result<Vec<CredentialRow>, StoreError> {
                    sqlx::query(q::SELECT_LEARNER_CREDENTIALS)
                        .bind(scope.registration_id)
                        .bind(&scope.context_id)
                        .bind(&scope.learner_sub)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::credential)
                        .collect()
                }

                async fn context_credentials(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    after: Option<&str>,
                    limit: i64,
                ) -> Result<Vec<CredentialRow>, StoreError> {
                    sqlx::query(q::SELECT_CONTEXT_CREDENTIALS)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(after.unwrap_or(""))
                        .bind(limit.max(0))
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::credential)
                        .collect()
                }

                async fn status_list_credentials(
                    &self,
                    list_id: &str,
                ) -> Result<Vec<CredentialRow>, StoreError> {
                    sqlx::query(q::SELECT_STATUS_LIST_CREDENTIALS)
                        .bind(list_id)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::credential)
                        .collect()
                }

                async fn learners_with_expiring_credentials(
                    &self,
                ) -> Result<Vec<LearnerScope>, StoreError> {
                    let rows = sqlx::query(q::SELECT_LEARNERS_WITH_EXPIRING)
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(LearnerScope {
                                registration_id: r.try_get("registration_id")?,
                                context_id: r.try_get("context_id")?,
                                learner_sub: r.try_get("learner_sub")?,
                            })
                        })
                        .collect()
                }

                async fn set_credential_status(
                    &self,
                    id: &str,
                    change: &StatusChange,
                    now: i64,
                ) -> Result<CredentialRow, StoreError> {
                    let done = match change {
                        StatusChange::Revoke { reason, by } => {
                            sqlx::query(q::REVOKE_CREDENTIAL)
                                .bind(id)
                                .bind(now)
                                .bind(reason)
                                .bind(by)
                                .execute(&self.pool)
                                .await
                        }
                        StatusChange::Suspend {
                            reason,
                            by,
                            list_id,
                            index,
                        } => {
                            sqlx::query(q::SUSPEND_CREDENTIAL)
                                .bind(id)
                                .bind(now)
                                .bind(reason)
                                .bind(by)
                                .bind(list_id)
                                .bind(index)
                                .execute(&self.pool)
                                .await
                        }
                        StatusChange::Unsuspend => {
                            sqlx::query(q::UNSUSPEND_CREDENTIAL)
                                .bind(id)
                                .execute(&self.pool)
                                .await
                        }
                    };
                    done.map_err(|err| {
                        sql::classify(
                            err,
                            || format!("the suspension entry asked for credential {id}"),
                            || "the suspension list".to_owned(),
                        )
                    })?;
                    self.credential(id)
                        .await?
                        .ok_or_else(|| StoreError::NotFound(format!("credential {id}")))
                }

                async fn create_issuer(
                    &self,
                    issuer: &IssuerRow,
                    key: &IssuerKeyRow,
                ) -> Result<(), StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let taken = || format!("an issuer for registration {}", issuer.registration_id);
                    let parent = || format!("registration {}", issuer.registration_id);
                    sqlx::query(q::INSERT_ISSUER)
                        .bind(&issuer.id)
                        .bind(issuer.registration_id)
                        .bind(&issuer.issuer_id)
                        .bind(issuer.profile.to_string())
                        .bind(issuer.created_at)
                        .bind(issuer.updated_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(|err| sql::classify(err, taken, parent))?;
                    insert_key(&mut tx, key).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn issuer_for_registration(
                    &self,
                    registration_id: RegistrationId,
                ) -> Result<Option<IssuerRow>, StoreError> {
                    sqlx::query(q::SELECT_ISSUER_FOR_REGISTRATION)
                        .bind(registration_id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::issuer)
                        .transpose()
                }

                async fn issuer(&self, id: &str) -> Result<Option<IssuerRow>, StoreError> {
                    sqlx::query(q::SELECT_ISSUER)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::issuer)
                        .transpose()
                }

                async fn issuer_by_issuer_id(
                    &self,
                    issuer_id: &str,
                ) -> Result<Option<IssuerRow>, StoreError> {
                    sqlx::query(q::SELECT_ISSUER_BY_ISSUER_ID)
                        .bind(issuer_id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::issuer)
                        .transpose()
                }

                async fn update_issuer_profile(
                    &self,
                    id: &str,
                    profile: &serde_json::Value,
                    now: i64,
                ) -> Result<IssuerRow, StoreError> {
                    match sqlx::query(q::UPDATE_ISSUER_PROFILE)
                        .bind(id)
                        .bind(profile.to_string())
                        .bind(now)
                        .fetch_optional(&self.pool)
                        .await?
                    {
                        Some(found) => row::issuer(&found),
                        None => Err(StoreError::NotFound(format!("issuer {id}"))),
                    }
                }

                async fn issuer_keys(&self, issuer: &str) -> Result<Vec<IssuerKeyRow>, StoreError> {
                    sqlx::query(q::SELECT_ISSUER_KEYS)
                        .bind(issuer)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::issuer_key)
                        .collect()
                }

                async fn rotate_issuer_key(
                    &self,
                    issuer: &str,
                    new_key: &IssuerKeyRow,
                    now: i64,
                ) -> Result<(), StoreError> {
                    let mut tx = self.pool.begin().await?;
                    sqlx::query(q::RETIRE_ISSUER_KEY)
                        .bind(issuer)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    insert_key(&mut tx, new_key).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn create_status_list(&self, list: &StatusListRow) -> Result<(), StoreError> {
                    let credential = list.credential.as_ref().map(|c| c.to_string());
                    sqlx::query(q::INSERT_STATUS_LIST)
                        .bind(&list.id)
                        .bind(&list.issuer)
                        .bind(list.purpose.as_str())
                        .bind(list.size)
                        .bind(credential)
                        .bind(list.generated_at)
                        .bind(list.created_at)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || format!("status list {}", list.id),
                                || format!("issuer {}", list.issuer),
                            )
                        })?;
                    Ok(())
                }

                async fn status_list(&self, id: &str) -> Result<Option<StatusListRow>, StoreError> {
                    sqlx::query(q::SELECT_STATUS_LIST)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::status_list)
                        .transpose()
                }

                async fn status_lists(
                    &self,
                    issuer: &str,
                    purpose: StatusPurpose,
                ) -> Result<Vec<StatusListRow>, StoreError> {
                    sqlx::query(q::SELECT_STATUS_LISTS)
                        .bind(issuer)
                        .bind(purpose.as_str())
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::status_list)
                        .collect()
                }

                async fn status_list_used(&self, list_id: &str) -> Result<i64, StoreError> {
                    let found = sqlx::query(q::COUNT_STATUS_LIST_USED)
                        .bind(list_id)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(found.try_get("used")?)
                }

                async fn store_status_list_credential(
                    &self,
                    list_id: &str,
                    credential: &serde_json::Value,
                    now: i64,
                ) -> Result<(), StoreError> {
                    let done = sqlx::query(q::STORE_STATUS_LIST_CREDENTIAL)
                        .bind(list_id)
                        .bind(credential.to_string())
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound(format!("status list {list_id}")));
                    }
                    Ok(())
                }
            }

            /// Inserts an issuer key in a transaction.
            async fn insert_key(
                tx: &mut sqlx::Transaction<'static, $db>,
                key: &IssuerKeyRow,
            ) -> Result<(), StoreError> {
                sqlx::query(q::INSERT_ISSUER_KEY)
                    .bind(&key.key_id)
                    .bind(&key.issuer)
                    .bind(&key.public_key_multibase)
                    .bind(&key.sealed_secret)
                    .bind(key.status.as_str())
                    .bind(key.created_at)
                    .bind(key.retired_at)
                    .execute(&mut **tx)
                    .await
                    .map_err(|err| {
                        sql::classify(
                            err,
                            || format!("issuer key {} (or a second current key)", key.key_id),
                            || format!("issuer {}", key.issuer),
                        )
                    })?;
                Ok(())
            }
        }
    };
}

pub(super) use impl_record_store;
