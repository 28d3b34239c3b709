//! [`record_rows!`]: reading the rows of the records and credentials tables into the
//! [`RecordStore`](super::records::RecordStore) types, expanded per backend inside
//! [`impl_record_store!`](super::sql_records_impl::impl_record_store) (a row type is per backend).

/// Defines `mod row` with one reader per row type for the backend `$db`.
macro_rules! record_rows {
    ($db:ty) => {
        mod row {
            //! Reading rows of this backend into the record store's types.
            use sqlx::Row as _;

            use crate::store::StoreError;
            use crate::store::records::{
                Author, CredentialRow, DefinitionRow, DefinitionStatus, IssuerKeyRow,
                IssuerKeyStatus, IssuerRow, LearnerHead, LearnerScope, StatusListRow,
                StatusPurpose, StoredEvent,
            };
            use crate::store::sql_records as q;

            type DbRow = <$db as sqlx::Database>::Row;

            pub(super) fn definition(row: &DbRow) -> Result<DefinitionRow, StoreError> {
                let registration_id: i64 = row.try_get("registration_id")?;
                let context_id: String = row.try_get("context_id")?;
                let definition_id: String = row.try_get("definition_id")?;
                let version: String = row.try_get("version")?;
                let body = q::json_from_text(row.try_get("body")?, || {
                    q::definition_name(registration_id, &context_id, &definition_id, &version)
                })?;
                Ok(DefinitionRow {
                    body,
                    status: DefinitionStatus::parse(row.try_get::<&str, _>("status")?)?,
                    created_by: row.try_get("created_by")?,
                    created_at: row.try_get("created_at")?,
                    published_at: row.try_get("published_at")?,
                    archived_at: row.try_get("archived_at")?,
                    registration_id,
                    context_id,
                    definition_id,
                    version,
                })
            }

            pub(super) fn event(row: &DbRow) -> Result<StoredEvent, StoreError> {
                let seq: i64 = row.try_get("seq")?;
                let event = q::json_from_text(row.try_get("body")?, || format!("event {seq}"))?;
                let meta =
                    q::json_from_text(row.try_get("meta")?, || format!("meta of event {seq}"))?;
                Ok(StoredEvent {
                    seq,
                    scope: LearnerScope {
                        registration_id: row.try_get("registration_id")?,
                        context_id: row.try_get("context_id")?,
                        learner_sub: row.try_get("learner_sub")?,
                    },
                    event,
                    meta,
                    author: Author {
                        sub: row.try_get("author_sub")?,
                        role: row.try_get("author_role")?,
                        deployment_id: row.try_get("deployment_id")?,
                        request_id: row.try_get("request_id")?,
                    },
                    recorded_at: row.try_get("recorded_at")?,
                })
            }

            pub(super) fn head(row: &DbRow) -> Result<LearnerHead, StoreError> {
                Ok(LearnerHead {
                    last_seq: row.try_get("last_seq")?,
                    event_count: row.try_get("event_count")?,
                })
            }

            pub(super) fn credential(row: &DbRow) -> Result<CredentialRow, StoreError> {
                let id: String = row.try_get("id")?;
                let body = q::json_from_text(row.try_get("body")?, || format!("credential {id}"))?;
                Ok(CredentialRow {
                    scope: LearnerScope {
                        registration_id: row.try_get("registration_id")?,
                        context_id: row.try_get("context_id")?,
                        learner_sub: row.try_get("learner_sub")?,
                    },
                    definition_id: row.try_get("definition_id")?,
                    version: row.try_get("version")?,
                    cycle: row.try_get("cycle")?,
                    issuer: row.try_get("issuer")?,
                    key_id: row.try_get("key_id")?,
                    issued_at: row.try_get("issued_at")?,
                    valid_until: row.try_get("valid_until")?,
                    body,
                    event_seq: row.try_get("event_seq")?,
                    status_list_id: row.try_get("status_list_id")?,
                    status_index: row.try_get("status_index")?,
                    suspension_list_id: row.try_get("suspension_list_id")?,
                    suspension_index: row.try_get("suspension_index")?,
                    revoked_at: row.try_get("revoked_at")?,
                    revoked_reason: row.try_get("revoked_reason")?,
                    revoked_by: row.try_get("revoked_by")?,
                    suspended_at: row.try_get("suspended_at")?,
                    suspended_reason: row.try_get("suspended_reason")?,
                    suspended_by: row.try_get("suspended_by")?,
                    created_at: row.try_get("created_at")?,
                    id,
                })
            }

            pub(super) fn issuer(row: &DbRow) -> Result<IssuerRow, StoreError> {
                let id: String = row.try_get("id")?;
                let profile = q::json_from_text(row.try_get("profile")?, || {
                    format!("profile of issuer {id}")
                })?;
                Ok(IssuerRow {
                    registration_id: row.try_get("registration_id")?,
                    issuer_id: row.try_get("issuer_id")?,
                    profile,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                    id,
                })
            }

            pub(super) fn issuer_key(row: &DbRow) -> Result<IssuerKeyRow, StoreError> {
                Ok(IssuerKeyRow {
                    key_id: row.try_get("key_id")?,
                    issuer: row.try_get("issuer")?,
                    public_key_multibase: row.try_get("public_key_multibase")?,
                    sealed_secret: row.try_get("sealed_secret")?,
                    status: IssuerKeyStatus::parse(row.try_get::<&str, _>("status")?),
                    created_at: row.try_get("created_at")?,
                    retired_at: row.try_get("retired_at")?,
                })
            }

            pub(super) fn status_list(row: &DbRow) -> Result<StatusListRow, StoreError> {
                let id: String = row.try_get("id")?;
                let credential: Option<String> = row.try_get("credential")?;
                let credential = credential
                    .map(|text| {
                        q::json_from_text(&text, || format!("credential of status list {id}"))
                    })
                    .transpose()?;
                Ok(StatusListRow {
                    issuer: row.try_get("issuer")?,
                    purpose: StatusPurpose::parse(row.try_get::<&str, _>("purpose")?)?,
                    size: row.try_get("size")?,
                    credential,
                    generated_at: row.try_get("generated_at")?,
                    created_at: row.try_get("created_at")?,
                    id,
                })
            }
        }
    };
}

pub(super) use record_rows;
