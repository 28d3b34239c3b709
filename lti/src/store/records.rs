//! The storage contract of records and credentials (issue 10): the [`RecordStore`] trait and
//! its row types, for credential definitions, the append-only event log with its per-learner
//! head, issuers and their Ed25519 keys, status lists and issued credentials. Both backends
//! implement it with the statements of `sql_records.rs`; the schema is migration 0003.
//!
//! Every row is scoped by registration and context; a learner is `(registration, context,
//! sub)` ([`LearnerScope`]). The event log is never updated or deleted: the only statements on
//! `events` are an insert and selects. A credential's body never changes; the only update on
//! `credentials` is [`RecordStore::set_credential_status`] on the status columns.
//!
//! [`RecordStore::append`] is the write path's one transaction (and
//! [`RecordStore::append_batch`] the same for several learners at once, all or nothing): it inserts the event (if any)
//! and the credentials it completes, and moves the learner's head from the `last_seq` the
//! caller folded to the new one (compare-and-set), so two servers can never both append on
//! the same head, and the issuance key `(learner, definition, version, cycle)` is unique.

use async_trait::async_trait;
use cairn::definition::CredentialDefinition;
use cairn::event::Event;
use serde::{Deserialize, Serialize};

use super::{RegistrationId, StoreError};

/// A learner: `(registration, context, sub)`. Every record row is scoped by it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LearnerScope {
    /// The tenant.
    pub registration_id: RegistrationId,
    /// The context (course) id.
    pub context_id: String,
    /// The learner's `sub`.
    pub learner_sub: String,
}

/// Who wrote an event: the session's user, role and deployment, and the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The writer's `sub`.
    pub sub: String,
    /// The writer's product role (`instructor`, `learner`, `admin`, or `system` for the sweep).
    pub role: String,
    /// The deployment of the writer's session.
    pub deployment_id: String,
    /// The request id, when the write came through HTTP.
    pub request_id: Option<String>,
}

/// One stored event of the log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredEvent {
    /// Its place in the log (increasing; per learner, in append order).
    pub seq: i64,
    /// Whose log it is in.
    pub scope: LearnerScope,
    /// The core event (`at` is the server's clock at the write).
    pub event: Event,
    /// Everything that is not core event content: assessor type, supervision mode, evidence
    /// references, feedback text, import id…
    pub meta: serde_json::Value,
    /// Who wrote it.
    pub author: Author,
    /// When it was stored (Unix seconds).
    pub recorded_at: i64,
}

/// A learner's head: the optimistic-concurrency guard of the write path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerHead {
    /// The seq of the learner's last event.
    pub last_seq: i64,
    /// How many events the learner has.
    pub event_count: i64,
}

/// One learner of a context, as listed for rosters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LearnerEntry {
    /// The learner's `sub`.
    pub learner_sub: String,
    /// Their head.
    pub head: LearnerHead,
}

/// Where a definition version stands. Publishing makes it immutable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionStatus {
    /// Editable, not used by the fold.
    Draft,
    /// Immutable, used by the fold.
    Published,
    /// Immutable, no longer used for new work.
    Archived,
}

impl DefinitionStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DefinitionStatus::Draft => "draft",
            DefinitionStatus::Published => "published",
            DefinitionStatus::Archived => "archived",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Result<DefinitionStatus, StoreError> {
        match text {
            "draft" => Ok(DefinitionStatus::Draft),
            "published" => Ok(DefinitionStatus::Published),
            "archived" => Ok(DefinitionStatus::Archived),
            other => Err(StoreError::Corrupt(format!(
                "definition status {other:?} (expected draft, published or archived)"
            ))),
        }
    }
}

/// One version of a credential definition in a context.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DefinitionRow {
    /// The tenant.
    pub registration_id: RegistrationId,
    /// The context.
    pub context_id: String,
    /// The definition's id (`body.id`).
    pub definition_id: String,
    /// The version (`body.version`).
    pub version: String,
    /// The core's definition.
    pub body: CredentialDefinition,
    /// Draft, published or archived.
    pub status: DefinitionStatus,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: i64,
    /// When it was published.
    pub published_at: Option<i64>,
    /// When it was archived.
    pub archived_at: Option<i64>,
}

/// An issuing institution (one per registration).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerRow {
    /// Random id, the last segment of `issuer_id`.
    pub id: String,
    /// The tenant.
    pub registration_id: RegistrationId,
    /// The issuer's https id (`<public url>/issuers/<id>`).
    pub issuer_id: String,
    /// Name, url, email, image, description (JSON object).
    pub profile: serde_json::Value,
    /// When it was created.
    pub created_at: i64,
    /// When the profile last changed.
    pub updated_at: i64,
}

/// Where an issuer key stands. Previous keys stay, so earlier credentials keep verifying.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerKeyStatus {
    /// Signs new credentials (one per issuer).
    Current,
    /// Retired; still published.
    Previous,
}

impl IssuerKeyStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IssuerKeyStatus::Current => "current",
            IssuerKeyStatus::Previous => "previous",
        }
    }

    /// Reads the stored spelling; anything unknown is `Previous` (published, never signing).
    pub fn parse(text: &str) -> IssuerKeyStatus {
        match text {
            "current" => IssuerKeyStatus::Current,
            _ => IssuerKeyStatus::Previous,
        }
    }
}

/// An issuer's Ed25519 key, its secret sealed with the key-encryption key.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuerKeyRow {
    /// `<issuer id>#<publicKeyMultibase>` (badges.md D3).
    pub key_id: String,
    /// The issuer's row id ([`IssuerRow::id`]).
    pub issuer: String,
    /// The public key (`z6Mk…`).
    pub public_key_multibase: String,
    /// The secret key, sealed (AES-256-GCM with the KEK).
    pub sealed_secret: Vec<u8>,
    /// Current or previous.
    pub status: IssuerKeyStatus,
    /// When it was generated.
    pub created_at: i64,
    /// When it stopped signing.
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for IssuerKeyRow {
    /// Never prints the sealed secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKeyRow")
            .field("key_id", &self.key_id)
            .field("issuer", &self.issuer)
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish_non_exhaustive()
    }
}

/// What a status list records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusPurpose {
    /// Revocation (permanent).
    Revocation,
    /// Suspension (reversible).
    Suspension,
}

impl StatusPurpose {
    /// The stored spelling (the BitstringStatusList `statusPurpose`).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Result<StatusPurpose, StoreError> {
        match text {
            "revocation" => Ok(StatusPurpose::Revocation),
            "suspension" => Ok(StatusPurpose::Suspension),
            other => Err(StoreError::Corrupt(format!(
                "status list purpose {other:?} (expected revocation or suspension)"
            ))),
        }
    }
}

/// The smallest status list (16 KiB of bits, the BitstringStatusList minimum for privacy).
pub const MIN_STATUS_LIST_SIZE: i64 = 131_072;

/// A status list of one issuer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusListRow {
    /// Random id, in the URL `/status/{id}`.
    pub id: String,
    /// The issuer's row id.
    pub issuer: String,
    /// Revocation or suspension.
    pub purpose: StatusPurpose,
    /// Entries (≥ [`MIN_STATUS_LIST_SIZE`]).
    pub size: i64,
    /// The last signed BitstringStatusList credential, `None` until generated.
    pub credential: Option<serde_json::Value>,
    /// When it was last generated.
    pub generated_at: Option<i64>,
    /// When it was created.
    pub created_at: i64,
}

/// A credential about to be stored by [`RecordStore::append`] (its event seq comes from the
/// same transaction).
#[derive(Clone, Debug, PartialEq)]
pub struct NewCredential {
    /// The UUID in the credential's id.
    pub id: String,
    /// The definition.
    pub definition_id: String,
    /// The definition version it was earned under.
    pub version: String,
    /// Renewal cycle (0 first).
    pub cycle: i64,
    /// The issuer's row id.
    pub issuer: String,
    /// The signing key's id.
    pub key_id: String,
    /// Issue time.
    pub issued_at: i64,
    /// End of validity.
    pub valid_until: Option<i64>,
    /// The signed credential.
    pub body: serde_json::Value,
    /// The revocation list.
    pub status_list_id: String,
    /// The index in it.
    pub status_index: i64,
    /// The suspension list entry `(list id, index)` the credential carries (its second
    /// `BitstringStatusListEntry`), so a verifier sees a suspension; `None` for credentials
    /// signed without one.
    pub suspension: Option<(String, i64)>,
}

/// A stored credential.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CredentialRow {
    /// The UUID in the credential's id.
    pub id: String,
    /// The learner.
    pub scope: LearnerScope,
    /// The definition.
    pub definition_id: String,
    /// The definition version.
    pub version: String,
    /// Renewal cycle.
    pub cycle: i64,
    /// The issuer's row id.
    pub issuer: String,
    /// The signing key's id.
    pub key_id: String,
    /// Issue time.
    pub issued_at: i64,
    /// End of validity.
    pub valid_until: Option<i64>,
    /// The signed credential JSON (never changed).
    pub body: serde_json::Value,
    /// The event that completed the criteria (for the sweep: the learner's last event).
    pub event_seq: i64,
    /// The revocation list.
    pub status_list_id: String,
    /// The index in it.
    pub status_index: i64,
    /// The suspension list, once one is allocated.
    pub suspension_list_id: Option<String>,
    /// The index in it.
    pub suspension_index: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
    /// Why.
    pub revoked_reason: Option<String>,
    /// By whom (`sub`).
    pub revoked_by: Option<String>,
    /// When it was suspended (None when not suspended now).
    pub suspended_at: Option<i64>,
    /// Why.
    pub suspended_reason: Option<String>,
    /// By whom.
    pub suspended_by: Option<String>,
    /// When the row was written.
    pub created_at: i64,
}

/// The event part of [`RecordStore::append`].
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    /// The core event.
    pub event: &'a Event,
    /// Its meta JSON.
    pub meta: &'a serde_json::Value,
    /// Who writes it.
    pub author: &'a Author,
}

/// What [`RecordStore::append`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppendOutcome {
    /// Committed. `seq` is the new event's (or, with no event, the unchanged head's).
    Appended {
        /// The seq of the appended event, or the head's.
        seq: i64,
    },
    /// The head was not the one expected: another write came first. Nothing was written.
    HeadMoved,
    /// A drawn status index was taken meanwhile. Nothing was written.
    StatusIndexTaken,
    /// A credential with one of the issuance keys exists already. Nothing was written.
    AlreadyIssued,
}

/// One learner's part of [`RecordStore::append_batch`].
#[derive(Clone, Debug)]
pub struct LearnerWrite<'a> {
    /// The learner.
    pub scope: &'a LearnerScope,
    /// The head the caller folded (`None`: no event yet); compared-and-set.
    pub expected: Option<LearnerHead>,
    /// The events, in order.
    pub events: Vec<NewEvent<'a>>,
    /// The credentials the events complete (stored with the last event's seq).
    pub credentials: &'a [NewCredential],
    /// The scores to queue (with the last event's seq).
    pub scores: &'a [super::outbox::NewScore],
}

/// What [`RecordStore::append_batch`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Every learner's events committed: their seqs, per learner in the order given.
    Appended {
        /// The seqs of each learner's events.
        seqs: Vec<Vec<i64>>,
    },
    /// A conflict on one learner: nothing of any learner was written.
    Conflict {
        /// The index of the learner in the batch.
        learner: usize,
        /// Which conflict ([`AppendOutcome::HeadMoved`], …).
        outcome: AppendOutcome,
    },
}

/// A status change on a credential ([`RecordStore::set_credential_status`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusChange {
    /// Revoke (permanent; a second revocation changes nothing).
    Revoke {
        /// Why.
        reason: String,
        /// By whom.
        by: String,
    },
    /// Suspend, on the given suspension list entry (kept for later suspensions).
    Suspend {
        /// Why.
        reason: String,
        /// By whom.
        by: String,
        /// The suspension list (the credential's existing one, or a newly drawn entry).
        list_id: String,
        /// The index in it.
        index: i64,
    },
    /// Lift a suspension (the entry stays allocated).
    Unsuspend,
}

/// The records and credentials store. Both backends pass `lti/tests/record_store.rs`.
#[async_trait]
pub trait RecordStore: Send + Sync + 'static {
    // -- definitions ---------------------------------------------------------------------

    /// Adds a version (as a draft unless `row.status` says otherwise);
    /// [`StoreError::AlreadyExists`] if that version exists.
    async fn insert_definition(&self, row: &DefinitionRow) -> Result<(), StoreError>;
    /// Replaces a draft's body; [`StoreError::NotFound`] if there is no draft with that key
    /// (a published or archived body never changes).
    async fn update_draft_definition(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        body: &CredentialDefinition,
    ) -> Result<(), StoreError>;
    /// Every version in a context, ordered by definition id, then creation.
    async fn definitions(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
    ) -> Result<Vec<DefinitionRow>, StoreError>;
    /// One version.
    async fn definition(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        definition_id: &str,
        version: &str,
    ) -> Result<Option<DefinitionRow>, StoreError>;
    /// Draft → published; [`StoreError::NotFound`] if there is no draft with that key.
    async fn publish_definition(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        definition_id: &str,
        version: &str,
        now: i64,
    ) -> Result<DefinitionRow, StoreError>;
    /// Published (or draft) → archived; [`StoreError::NotFound`] if none or archived already.
    async fn archive_definition(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        definition_id: &str,
        version: &str,
        now: i64,
    ) -> Result<DefinitionRow, StoreError>;
    /// The published versions of a context (what the fold uses), ordered by id and version.
    async fn published_definitions(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
    ) -> Result<Vec<DefinitionRow>, StoreError>;

    // -- the event log -------------------------------------------------------------------

    /// A learner's whole log in seq order, and their head (`None` before the first event).
    async fn learner_log(
        &self,
        scope: &LearnerScope,
    ) -> Result<(Vec<StoredEvent>, Option<LearnerHead>), StoreError>;
    /// A learner's head alone.
    async fn learner_head(&self, scope: &LearnerScope) -> Result<Option<LearnerHead>, StoreError>;
    /// In one transaction: the event (if `event` is some), then `credentials` with that
    /// event's seq (or the head's), moving the head from `expected` (`None`: no event yet)
    /// by compare-and-set. Any conflict rolls everything back and says which.
    async fn append(
        &self,
        scope: &LearnerScope,
        expected: Option<LearnerHead>,
        event: Option<NewEvent<'_>>,
        credentials: &[NewCredential],
        now: i64,
    ) -> Result<AppendOutcome, StoreError> {
        self.append_scored(scope, expected, event, credentials, &[], now)
            .await
    }
    /// [`RecordStore::append`] that also queues `scores` in the score outbox, in the same
    /// transaction (`store/outbox.rs`).
    async fn append_scored(
        &self,
        scope: &LearnerScope,
        expected: Option<LearnerHead>,
        event: Option<NewEvent<'_>>,
        credentials: &[NewCredential],
        scores: &[super::outbox::NewScore],
        now: i64,
    ) -> Result<AppendOutcome, StoreError>;
    /// All or nothing across learners, in one transaction: each learner's events, each
    /// moving that learner's head by compare-and-set from `expected` (then from the event
    /// before), with their credentials and scores. Any conflict rolls every learner back.
    async fn append_batch(
        &self,
        writes: &[LearnerWrite<'_>],
        now: i64,
    ) -> Result<BatchOutcome, StoreError>;
    /// The learners of a context with at least one event, ordered by `sub`, after `after`
    /// (keyset paging), at most `limit`.
    async fn learners(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<LearnerEntry>, StoreError>;
    /// The claims of the learner's latest session in this registration (name, email…), if
    /// any session is kept: the recipient of their credentials.
    async fn learner_claims(
        &self,
        registration_id: RegistrationId,
        learner_sub: &str,
    ) -> Result<Option<serde_json::Value>, StoreError>;
    /// Every `(registration, context)` that has learners (for the sweep).
    async fn contexts_with_learners(&self) -> Result<Vec<(RegistrationId, String)>, StoreError>;

    // -- credentials ---------------------------------------------------------------------

    /// One credential by its id.
    async fn credential(&self, id: &str) -> Result<Option<CredentialRow>, StoreError>;
    /// A learner's credentials, by issue time.
    async fn learner_credentials(
        &self,
        scope: &LearnerScope,
    ) -> Result<Vec<CredentialRow>, StoreError>;
    /// A context's credentials, ordered by id, after `after`, at most `limit`.
    async fn context_credentials(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CredentialRow>, StoreError>;
    /// The credentials with an entry in a status list (revocation or suspension).
    async fn status_list_credentials(
        &self,
        list_id: &str,
    ) -> Result<Vec<CredentialRow>, StoreError>;
    /// The learners that have a credential with a `valid_until` (the sweep's candidates).
    async fn learners_with_expiring_credentials(&self) -> Result<Vec<LearnerScope>, StoreError>;
    /// Applies a status change; the only update on credentials. Returns the changed row;
    /// [`StoreError::NotFound`] if there is none; [`StoreError::AlreadyExists`] if a
    /// suspension entry is taken.
    async fn set_credential_status(
        &self,
        id: &str,
        change: &StatusChange,
        now: i64,
    ) -> Result<CredentialRow, StoreError>;

    // -- issuers and keys ----------------------------------------------------------------

    /// In one transaction: the issuer and its first (current) key;
    /// [`StoreError::AlreadyExists`] if the registration has an issuer already.
    async fn create_issuer(&self, issuer: &IssuerRow, key: &IssuerKeyRow)
    -> Result<(), StoreError>;
    /// The issuer of a registration.
    async fn issuer_for_registration(
        &self,
        registration_id: RegistrationId,
    ) -> Result<Option<IssuerRow>, StoreError>;
    /// An issuer by its row id.
    async fn issuer(&self, id: &str) -> Result<Option<IssuerRow>, StoreError>;
    /// An issuer by its https id.
    async fn issuer_by_issuer_id(&self, issuer_id: &str) -> Result<Option<IssuerRow>, StoreError>;
    /// Replaces an issuer's profile.
    async fn update_issuer_profile(
        &self,
        id: &str,
        profile: &serde_json::Value,
        now: i64,
    ) -> Result<IssuerRow, StoreError>;
    /// An issuer's keys, current first, then newest first.
    async fn issuer_keys(&self, issuer: &str) -> Result<Vec<IssuerKeyRow>, StoreError>;
    /// In one transaction: the current key becomes previous (`retired_at = now`) and `new_key`
    /// becomes current.
    async fn rotate_issuer_key(
        &self,
        issuer: &str,
        new_key: &IssuerKeyRow,
        now: i64,
    ) -> Result<(), StoreError>;

    // -- status lists --------------------------------------------------------------------

    /// Adds a status list.
    async fn create_status_list(&self, list: &StatusListRow) -> Result<(), StoreError>;
    /// One status list.
    async fn status_list(&self, id: &str) -> Result<Option<StatusListRow>, StoreError>;
    /// An issuer's lists of one purpose, oldest first.
    async fn status_lists(
        &self,
        issuer: &str,
        purpose: StatusPurpose,
    ) -> Result<Vec<StatusListRow>, StoreError>;
    /// How many entries of a list are allocated.
    async fn status_list_used(&self, list_id: &str) -> Result<i64, StoreError>;
    /// Stores a list's newly signed BitstringStatusList credential.
    async fn store_status_list_credential(
        &self,
        list_id: &str,
        credential: &serde_json::Value,
        now: i64,
    ) -> Result<(), StoreError>;
}
