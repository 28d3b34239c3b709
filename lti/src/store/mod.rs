//! What the server keeps, behind one [`Store`] trait with two backends: SQLite (the default,
//! one file under `./data`) and PostgreSQL (`--database-url postgres://…`); [`open`] picks one
//! by the URL's scheme and wraps it in a [`CachedStore`] (registrations and deployments kept
//! in memory for at most [`CACHE_TTL`]). The rows and their keys are those of `spec/lti.md` §2.
//! Every tenant row hangs off a registration (tenant = registration, never `iss` alone);
//! sessions also carry deployment and context, and users are `(registration, sub)`. Times are
//! Unix seconds (UTC), passed in by the caller: the store never reads a clock for a row, so
//! tests can move time (only the cache's expiry reads the monotonic clock).
//!
//! # Schema
//!
//! One migration set per backend (`lti/migrations/sqlite/`, `lti/migrations/postgres/`),
//! embedded in the binary and run at open. The tables are the same on both; only the column
//! types differ (SQLite `INTEGER` for times and 0/1 flags and `BLOB`; PostgreSQL `BIGINT`,
//! `BOOLEAN` and `BYTEA`). JSON is `TEXT` on both, so every statement (in `sql.rs`) has one
//! text for both backends.
//!
//! | table | key | scoped by | notes |
//! |---|---|---|---|
//! | `registrations` | `id` (surrogate); `UNIQUE (issuer, client_id)` | — (the tenant) | the platform's endpoints, family, `auto_register_deployments`, `allow_http` |
//! | `deployments` | `(registration_id, deployment_id)` | registration, `ON DELETE CASCADE` | `origin`: admin, dynamic_registration, launch |
//! | `login_states` | `state` | registration, `ON DELETE CASCADE` | the login's nonce and parameters, `binding`, `used`; purged [`STATE_TTL_SECONDS`](crate::launch::STATE_TTL_SECONDS) after `created_at` |
//! | `used_nonces` | `(registration_id, nonce)` | registration, `ON DELETE CASCADE` | insert-if-absent; kept until `keep_until` |
//! | `sessions` | `id`; unique index on `token_hash` | `(registration_id, deployment_id)` → deployments, `ON DELETE CASCADE`; `context_id` | `roles` and `claims` as JSON text, `pending`, `expires_at` |
//! | `tool_keys` | `kid` | — (the tool's own) | `status` next/current/previous, sealed PKCS#8, public JWK |
//! | `ags_endpoints`, `ags_line_items`, `score_outbox` | see [`outbox`] (migration 0006) | registration, context | AGS endpoint claims, line item URLs, scores queued with their event |
//! | `placements` | `id` | registration, `ON DELETE CASCADE`; deployment, context | a Deep Linking item: definition, assessment (NULL: progress page), the resource link bound at first launch (migration 0007) |
//! | `roster_members`, `roster_fetches` | `(registration_id, context_id, user_sub)` / `(registration_id, context_id)` | registration, `ON DELETE CASCADE` | NRPS roster; members not listed any more get `left_at`, never deleted |
//!
//! Removing a registration removes its deployments, login states, nonces and (through its
//! deployments) sessions; it is refused ([`StoreError::InUse`]) while events, credentials,
//! definitions or an issuer refer to it (migration 0003, [`records`]). Marking a login state used and creating its session is one
//! transaction, and so is a key rotation.

pub mod advantage_rows;
pub mod api_rows;
mod cached;
pub mod outbox;
mod postgres;
pub mod records;
mod sql;
mod sql_advantage;
mod sql_api;
mod sql_outbox;
mod sql_records;
mod sql_records_append;
mod sql_records_impl;
mod sql_records_rows;
mod sqlite;
mod sqlite_writer;
mod sqlite_writer_trip;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use cached::{CACHE_TTL, CachedStore};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Opens the store `database_url` names: `postgres://` or `postgresql://` → PostgreSQL;
/// `sqlite:` or a plain file path → SQLite (the folder is created). Runs the migrations.
/// The backend comes wrapped in a [`CachedStore`] (registrations and deployments in memory for
/// at most [`CACHE_TTL`]; its docs say when a change made elsewhere is seen).
pub async fn open(database_url: &str) -> Result<Arc<dyn Store>, StoreError> {
    let backend: Arc<dyn Store> = if database_url.starts_with("postgres://")
        || database_url.starts_with("postgresql://")
    {
        Arc::new(PostgresStore::connect(database_url).await?)
    } else if database_url.starts_with("sqlite:") || !has_url_scheme(database_url) {
        Arc::new(SqliteStore::open(database_url).await?)
    } else {
        return Err(StoreError::Database(sqlx::Error::Configuration(
            format!(
                "unsupported database URL scheme in {:?}: use postgres://…, sqlite:… or a file path",
                scheme_of(database_url)
            )
            .into(),
        )));
    };
    Ok(Arc::new(CachedStore::new(backend)))
}

/// The text before `://`, if the string looks like a URL.
fn scheme_of(url: &str) -> Option<&str> {
    url.split_once("://").map(|(scheme, _)| scheme)
}

/// Whether `text` starts with `scheme://` (a URL, not a file path).
fn has_url_scheme(text: &str) -> bool {
    scheme_of(text).is_some_and(|scheme| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// A registration's internal id (the surrogate key every tenant row refers to).
pub type RegistrationId = i64;

/// Which LMS a registration is: switches the quirks of `spec/lti.md` §11.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformFamily {
    /// Instructure Canvas.
    Canvas,
    /// Moodle.
    Moodle,
    /// Any other LTI 1.3 platform.
    Other,
}

impl PlatformFamily {
    /// The stored spelling (`canvas`, `moodle`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformFamily::Canvas => "canvas",
            PlatformFamily::Moodle => "moodle",
            PlatformFamily::Other => "other",
        }
    }

    /// Reads the stored spelling; anything unknown is [`PlatformFamily::Other`].
    pub fn parse(text: &str) -> PlatformFamily {
        match text {
            "canvas" => PlatformFamily::Canvas,
            "moodle" => PlatformFamily::Moodle,
            _ => PlatformFamily::Other,
        }
    }
}

/// A platform registration as an admin enters it, keyed by `(issuer, client_id)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRegistration {
    /// The platform's `iss`.
    pub issuer: String,
    /// The client id the platform gave Cairn.
    pub client_id: String,
    /// The platform's OIDC authentication request URL.
    pub auth_endpoint: String,
    /// The platform's OAuth 2 token URL (LTI Advantage services).
    pub token_endpoint: String,
    /// The platform's JWKS URL.
    pub jwks_url: String,
    /// The client assertion's `aud`, when it is not the token URL.
    pub client_assertion_audience: Option<String>,
    /// Which LMS this is.
    pub platform_family: PlatformFamily,
    /// Whether a launch from an unknown deployment creates it (default false).
    pub auto_register_deployments: bool,
    /// Whether `http://` URLs are accepted (tests and demos only).
    pub allow_http: bool,
}

/// A stored registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The internal id.
    pub id: RegistrationId,
    /// What the admin entered.
    #[serde(flatten)]
    pub fields: NewRegistration,
    /// When it was added.
    pub created_at: i64,
}

impl NewRegistration {
    /// An example registration for tests and fuzz targets (never made by the server): its
    /// endpoints are `<issuer>/auth`, `/token` and `/jwks`, https only, with no deployment
    /// registered by launch.
    pub fn example(issuer: &str, client_id: &str, family: PlatformFamily) -> NewRegistration {
        NewRegistration {
            issuer: issuer.into(),
            client_id: client_id.into(),
            auth_endpoint: format!("{issuer}/auth"),
            token_endpoint: format!("{issuer}/token"),
            jwks_url: format!("{issuer}/jwks"),
            client_assertion_audience: None,
            platform_family: family,
            auto_register_deployments: false,
            allow_http: false,
        }
    }
}

impl Registration {
    /// [`NewRegistration::example`] of an `Other` platform, as stored with `id`.
    pub fn example(id: RegistrationId, issuer: &str, client_id: &str) -> Registration {
        Registration {
            id,
            fields: NewRegistration::example(issuer, client_id, PlatformFamily::Other),
            created_at: 0,
        }
    }
}

/// How a deployment came to be known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentOrigin {
    /// Added by an admin (CLI or admin API).
    Admin,
    /// Returned by Dynamic Registration.
    DynamicRegistration,
    /// Created by a first launch because the registration allows it.
    Launch,
}

impl DeploymentOrigin {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentOrigin::Admin => "admin",
            DeploymentOrigin::DynamicRegistration => "dynamic_registration",
            DeploymentOrigin::Launch => "launch",
        }
    }

    /// Reads the stored spelling; anything unknown is [`DeploymentOrigin::Admin`].
    pub fn parse(text: &str) -> DeploymentOrigin {
        match text {
            "dynamic_registration" => DeploymentOrigin::DynamicRegistration,
            "launch" => DeploymentOrigin::Launch,
            _ => DeploymentOrigin::Admin,
        }
    }
}

/// A deployment, keyed by `(registration, deployment_id)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// The registration it belongs to.
    pub registration_id: RegistrationId,
    /// The platform's `deployment_id`.
    pub deployment_id: String,
    /// How it came to be known.
    pub origin: DeploymentOrigin,
    /// When it was added.
    pub created_at: i64,
}

/// How the browser proves it started a login (`spec/lti.md` §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingMode {
    /// A partitioned `__Host-` cookie per state.
    Cookie,
    /// LTI platform storage (`lti.put_data` over postMessage), plus the cookie.
    PlatformStorage,
}

impl BindingMode {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BindingMode::Cookie => "cookie",
            BindingMode::PlatformStorage => "platform_storage",
        }
    }

    /// Reads the stored spelling; anything unknown is [`BindingMode::Cookie`].
    pub fn parse(text: &str) -> BindingMode {
        match text {
            "platform_storage" => BindingMode::PlatformStorage,
            _ => BindingMode::Cookie,
        }
    }
}

/// A login in flight, keyed by its `state` (TTL 600 s).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginState {
    /// The `state` sent to the platform (≥128 bits from a CSPRNG, base64url).
    pub state: String,
    /// The `nonce` sent to the platform.
    pub nonce: String,
    /// The registration the login was for.
    pub registration_id: RegistrationId,
    /// `lti_deployment_id` from the login, if it was sent.
    pub deployment_id: Option<String>,
    /// `target_link_uri` from the login.
    pub target_link_uri: String,
    /// `login_hint` from the login (kept for the new-window relaunch).
    pub login_hint: String,
    /// `lti_message_hint` from the login, byte for byte.
    pub lti_message_hint: Option<String>,
    /// `client_id` from the login, if it was sent (kept for the relaunch).
    pub client_id: Option<String>,
    /// How the browser is bound to this state.
    pub binding: BindingMode,
    /// When the login arrived.
    pub created_at: i64,
    /// Whether a launch has already used it.
    pub used: bool,
}

/// A launched session: who, where and with which rights (8 h).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Random id (≥128 bits, base64url).
    pub id: String,
    /// SHA-256 (hex) of the short-lived API bearer token handed to the page.
    pub token_hash: String,
    /// When the bearer token stops being accepted.
    pub token_expires_at: i64,
    /// The registration.
    pub registration_id: RegistrationId,
    /// The deployment.
    pub deployment_id: String,
    /// The context (course) id; `None` for a context-free launch.
    pub context_id: Option<String>,
    /// The user's `sub`.
    pub user_sub: String,
    /// The product roles (`instructor`, `learner`, `admin`), as a JSON array of strings.
    pub roles: Vec<String>,
    /// The claims kept for later (name, context title, service endpoints, message type…).
    pub claims: serde_json::Value,
    /// Platform-storage mode: unusable until the page confirms the state.
    pub pending: bool,
    /// When it was created.
    pub created_at: i64,
    /// When it ends.
    pub expires_at: i64,
}

/// Where a tool key stands in rotation (`spec/lti.md` §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// Published, not yet signing.
    Next,
    /// Signing.
    Current,
    /// Published for platforms that cached it, no longer signing.
    Previous,
}

impl KeyStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Next => "next",
            KeyStatus::Current => "current",
            KeyStatus::Previous => "previous",
        }
    }

    /// Reads the stored spelling; anything unknown is [`KeyStatus::Previous`] (published, never signing).
    pub fn parse(text: &str) -> KeyStatus {
        match text {
            "next" => KeyStatus::Next,
            "current" => KeyStatus::Current,
            _ => KeyStatus::Previous,
        }
    }
}

/// One of the tool's RSA keys, its private half sealed (never stored or logged in clear).
#[derive(Clone, PartialEq, Eq)]
pub struct ToolKey {
    /// The JWK `kid`.
    pub kid: String,
    /// Where it stands in rotation.
    pub status: KeyStatus,
    /// The PKCS#8 private key, sealed with the key-encryption key.
    pub sealed_private_key: Vec<u8>,
    /// The public JWK, as JSON text.
    pub public_jwk: String,
    /// When it was generated.
    pub created_at: i64,
    /// When it took its current status.
    pub status_since: i64,
}

impl std::fmt::Debug for ToolKey {
    /// Never prints the sealed key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolKey")
            .field("kid", &self.kid)
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .field("status_since", &self.status_since)
            .finish_non_exhaustive()
    }
}

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed at start.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A row with that key exists already.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// No row with that key.
    #[error("{0} not found")]
    NotFound(String),
    /// A row could not be read back (a stored value is not what this version writes).
    #[error("stored row is unreadable: {0}")]
    Corrupt(String),
    /// The row cannot be removed: rows that are never deleted (events, credentials) refer to it.
    #[error("{0}")]
    InUse(String),
}

/// The server's storage. Both backends pass one story test suite (`lti/tests/store.rs`).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is (`sqlite` or `postgres`), for logs and metrics.
    fn backend(&self) -> &'static str;

    /// Adds a registration; [`StoreError::AlreadyExists`] if `(issuer, client_id)` is taken.
    async fn add_registration(
        &self,
        registration: &NewRegistration,
        now: i64,
    ) -> Result<Registration, StoreError>;
    /// Replaces the fields of the registration `(issuer, client_id)` (e.g. the auto-register policy).
    async fn update_registration(
        &self,
        registration: &NewRegistration,
    ) -> Result<Registration, StoreError>;
    /// All registrations, ordered by id.
    async fn registrations(&self) -> Result<Vec<Registration>, StoreError>;
    /// The registrations of one `iss` (several when one LMS has many client ids).
    async fn registrations_for_issuer(&self, issuer: &str)
    -> Result<Vec<Registration>, StoreError>;
    /// The registration `(issuer, client_id)`.
    async fn registration(
        &self,
        issuer: &str,
        client_id: &str,
    ) -> Result<Option<Registration>, StoreError>;
    /// The registration with this internal id.
    async fn registration_by_id(
        &self,
        id: RegistrationId,
    ) -> Result<Option<Registration>, StoreError>;
    /// Removes a registration and every LTI row scoped to it; false if there was none.
    /// [`StoreError::InUse`] if it has records, credentials or an issuer (never deleted).
    async fn remove_registration(&self, issuer: &str, client_id: &str) -> Result<bool, StoreError>;

    /// Adds a deployment; adding one that exists is not an error and keeps the first origin.
    async fn add_deployment(
        &self,
        registration_id: RegistrationId,
        deployment_id: &str,
        origin: DeploymentOrigin,
        now: i64,
    ) -> Result<Deployment, StoreError>;
    /// The deployments of one registration, ordered by deployment id.
    async fn deployments(
        &self,
        registration_id: RegistrationId,
    ) -> Result<Vec<Deployment>, StoreError>;
    /// One deployment, if known.
    async fn deployment(
        &self,
        registration_id: RegistrationId,
        deployment_id: &str,
    ) -> Result<Option<Deployment>, StoreError>;
    /// Removes a deployment; false if there was none.
    async fn remove_deployment(
        &self,
        registration_id: RegistrationId,
        deployment_id: &str,
    ) -> Result<bool, StoreError>;

    /// Stores a new login state.
    async fn put_login_state(&self, login: &LoginState) -> Result<(), StoreError>;
    /// The login state for `state`, used or not.
    async fn login_state(&self, state: &str) -> Result<Option<LoginState>, StoreError>;

    /// Marks `(registration, nonce)` used: true if this call was the first (an atomic
    /// insert-if-absent, so two server instances can never both accept one nonce).
    /// The row is kept until `keep_until`.
    async fn use_nonce(
        &self,
        registration_id: RegistrationId,
        nonce: &str,
        keep_until: i64,
    ) -> Result<bool, StoreError>;

    /// The launch's step 13 and its login-state read on one pooled connection: marks
    /// `(registration, nonce)` used as [`Store::use_nonce`] does and, only when this call was
    /// the first, reads the login state `state` as [`Store::login_state`] does. One trip
    /// through the pool instead of two (each trip costs sqlx a ping of the connection).
    /// `(false, None)` when the nonce was used already.
    async fn use_nonce_and_read_state(
        &self,
        registration_id: RegistrationId,
        nonce: &str,
        keep_until: i64,
        state: &str,
    ) -> Result<(bool, Option<LoginState>), StoreError>;

    /// In one transaction: marks the login state `state` used and creates the session.
    /// [`StoreError::AlreadyExists`] if the state was used already (nothing is written).
    async fn start_session(&self, state: &str, session: &Session) -> Result<(), StoreError>;
    /// The session with this id.
    async fn session(&self, id: &str) -> Result<Option<Session>, StoreError>;
    /// The session whose bearer token hashes to `token_hash`.
    async fn session_by_token(&self, token_hash: &str) -> Result<Option<Session>, StoreError>;
    /// Makes a pending session usable; false if there was no pending session with that id.
    async fn activate_session(&self, id: &str) -> Result<bool, StoreError>;

    /// The tool's keys, newest first.
    async fn tool_keys(&self) -> Result<Vec<ToolKey>, StoreError>;
    /// In one transaction: the current key becomes previous, the next becomes current,
    /// `new_next` is added as next, and previous keys older than `drop_previous_before`
    /// (by `status_since`) are removed. With no keys at all, `new_next` is stored and
    /// must be followed by another rotation; [`crate::keys`] handles first start.
    async fn rotate_tool_keys(
        &self,
        new_next: &ToolKey,
        now: i64,
        drop_previous_before: i64,
    ) -> Result<(), StoreError>;
    /// Adds a key as it is (first start: one current and one next).
    async fn insert_tool_key(&self, key: &ToolKey) -> Result<(), StoreError>;

    /// Deletes login states older than [`crate::launch::STATE_TTL_SECONDS`], nonces past their
    /// keep time and ended sessions; returns how many rows went.
    async fn purge_expired(&self, now: i64) -> Result<u64, StoreError>;

    /// Connections in use and idle, for `/metrics`.
    fn pool_state(&self) -> PoolState;

    /// The JSON API's own rows on the same pool (`store/api_rows.rs`).
    fn api_rows(&self) -> Arc<dyn api_rows::ApiStore>;

    /// Deep Linking placements and NRPS rosters on the same pool (`store/advantage_rows.rs`).
    fn advantage(&self) -> Arc<dyn advantage_rows::AdvantageStore>;

    /// The records and credentials store on the same pool (`store/records.rs`).
    fn records(&self) -> Arc<dyn records::RecordStore>;

    /// The AGS endpoints, line items and score outbox on the same pool (`store/outbox.rs`).
    fn outbox(&self) -> Arc<dyn outbox::OutboxStore>;

    /// Whether the database answers, for `/health`. The default reads the registrations;
    /// a backend may answer with a cheaper `SELECT 1`.
    async fn ping(&self) -> Result<(), StoreError> {
        self.registrations().await.map(|_| ())
    }
}

/// The database pool's state, for `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolState {
    /// Open connections.
    pub size: u32,
    /// Idle connections.
    pub idle: u32,
}
