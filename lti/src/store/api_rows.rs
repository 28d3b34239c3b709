//! What the JSON API keeps beside the event log (migration `0004_api.sql`): item sets with
//! their answer keys, evidence files by content hash, CSV imports between preview and
//! confirm, and PLAR requests. The [`ApiStore`] trait is implemented for both backends by
//! `impl_api_store!` (`sql_api.rs`), on the same pool as [`Store`](super::Store). Every
//! method takes the tenant scope (registration, context) so no row crosses tenants.

use async_trait::async_trait;
use serde_json::Value;

use super::{RegistrationId, StoreError};

/// An item set of one assessment, answer key included (never sent to a learner).
#[derive(Clone, Debug, PartialEq)]
pub struct ItemSetRow {
    /// The assessment it scores.
    pub assessment_id: String,
    /// The items and their key (`api::scoring::ItemSet` as JSON).
    pub body: Value,
    /// The instructor who saved it.
    pub updated_by: String,
    /// When (Unix s).
    pub updated_at: i64,
}

/// An uploaded evidence file's description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceFile {
    /// Lower-case hex SHA-256 of the content: its name.
    pub sha256: String,
    /// The `Content-Type` it was uploaded with.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// When it was first uploaded (Unix s).
    pub created_at: i64,
}

/// A CSV import: the rows planned at preview, written only on confirm.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRow {
    /// Random id (in the URL).
    pub id: String,
    /// The instructor who uploaded it.
    pub created_by: String,
    /// When (Unix s).
    pub created_at: i64,
    /// The preview: planned events per learner and each learner's log length then.
    pub plan: Value,
    /// When it was confirmed; `None` while a preview.
    pub confirmed_at: Option<i64>,
}

/// A learner's request for prior learning recognition, with evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct PlarRequestRow {
    /// Random id.
    pub id: String,
    /// The learner.
    pub learner_sub: String,
    /// What was asked and the evidence (`api::plar::PlarRequest` as JSON).
    pub body: Value,
    /// When (Unix s).
    pub created_at: i64,
}

/// The API's own rows. Both backends implement it with one set of statements.
#[async_trait]
pub trait ApiStore: Send + Sync + 'static {
    /// Saves (inserts or replaces) the item set of an assessment.
    async fn put_item_set(
        &self,
        registration: RegistrationId,
        context: &str,
        row: &ItemSetRow,
    ) -> Result<(), StoreError>;

    /// The item set of an assessment.
    async fn item_set(
        &self,
        registration: RegistrationId,
        context: &str,
        assessment: &str,
    ) -> Result<Option<ItemSetRow>, StoreError>;

    /// Stores an evidence file under its hash (a second upload of the same bytes is a no-op).
    async fn put_evidence(
        &self,
        registration: RegistrationId,
        context: &str,
        learner_sub: &str,
        file: &EvidenceFile,
        content: &[u8],
    ) -> Result<(), StoreError>;

    /// An evidence file of a learner, with its bytes.
    async fn evidence(
        &self,
        registration: RegistrationId,
        context: &str,
        learner_sub: &str,
        sha256: &str,
    ) -> Result<Option<(EvidenceFile, Vec<u8>)>, StoreError>;

    /// Stores a new import preview.
    async fn insert_import(
        &self,
        registration: RegistrationId,
        context: &str,
        row: &ImportRow,
    ) -> Result<(), StoreError>;

    /// An import of this context.
    async fn import(
        &self,
        registration: RegistrationId,
        context: &str,
        id: &str,
    ) -> Result<Option<ImportRow>, StoreError>;

    /// Marks an import confirmed if it was not: true for the one caller that claims it.
    async fn claim_import(
        &self,
        registration: RegistrationId,
        context: &str,
        id: &str,
        at: i64,
    ) -> Result<bool, StoreError>;

    /// Gives a claimed import back (its confirm was refused before anything was written).
    async fn release_import(
        &self,
        registration: RegistrationId,
        context: &str,
        id: &str,
    ) -> Result<(), StoreError>;

    /// Whether `learner_sub` is known in the context: they launched into it (a session row)
    /// or have a log there. Routes naming a learner answer 404 for anyone else.
    async fn learner_known(
        &self,
        registration: RegistrationId,
        context: &str,
        learner_sub: &str,
    ) -> Result<bool, StoreError>;

    /// Stores a PLAR request.
    async fn insert_plar_request(
        &self,
        registration: RegistrationId,
        context: &str,
        row: &PlarRequestRow,
    ) -> Result<(), StoreError>;

    /// The PLAR requests of a context, of one learner when `learner_sub` is given, oldest first.
    async fn plar_requests(
        &self,
        registration: RegistrationId,
        context: &str,
        learner_sub: Option<&str>,
    ) -> Result<Vec<PlarRequestRow>, StoreError>;
}
