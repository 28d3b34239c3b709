//! [`CachedStore`]: the [`Store`] every server uses ([`super::open`] wraps each backend in it).
//! It keeps the lookups of the login, launch and API hot paths in memory, a registration's
//! rows by `iss`, known deployments and active sessions by bearer-token hash, for at most
//! [`CACHE_TTL`], and passes everything else (and every miss) to the backend.
//!
//! # When a change is seen
//!
//! - A write through this store (the admin API, the CLI's own process, the demo, a launch that
//!   registers its deployment) empties the cache at once: this process sees it immediately.
//! - A write by another process on the same database (`cairn-lti registration remove` while
//!   `serve` runs, or another instance on PostgreSQL) is seen within [`CACHE_TTL`] (10 s). Until
//!   then a removed registration's launches still fail: its login states and nonces went with
//!   it (`ON DELETE CASCADE`), so a launch cannot complete, but it fails as an internal error
//!   rather than `unknown_registration`. After the TTL the removal is a clean refusal.
//! - Only found rows are kept: an unknown `iss` or deployment always asks the database, so a
//!   registration or deployment added anywhere works on the next launch, and the cache can hold
//!   no more entries than there are registrations and deployments.
//!
//! # Sessions
//!
//! Every API request looks its bearer token up ([`Store::session_by_token`]); an active
//! (not pending) session found is kept for [`CACHE_TTL`], at most [`MAX_SESSIONS`] of them.
//! - Expiry needs no cache rule: the caller checks the row's `token_expires_at` and
//!   `expires_at` against its clock on every request, cached row or not.
//! - A session ended in this process (its registration or deployment removed, which deletes
//!   its sessions) stops working at once: those writes empty the cache.
//! - A session ended by another process on the same database (`cairn-lti registration remove`
//!   while `serve` runs, another instance) may still be accepted here for up to [`CACHE_TTL`]
//!   (10 s), the same bound as a removed registration's launches.
//! - A pending session (platform storage, not yet confirmed) is never kept, so its activation
//!   is seen at once.
//!
//! Expiry reads the monotonic clock ([`Instant`]); no LTI check depends on it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::api_rows::ApiStore;
use super::records::RecordStore;
use super::{
    Deployment, DeploymentOrigin, LoginState, NewRegistration, PoolState, Registration,
    RegistrationId, Session, Store, StoreError, ToolKey,
};

/// How long a cached registration or deployment is trusted without asking the database.
pub const CACHE_TTL: Duration = Duration::from_secs(10);

/// Sessions kept at most; beyond, expired entries are dropped, then all (only a speed-up).
pub const MAX_SESSIONS: usize = 100_000;

/// A [`Store`] with registrations and deployments cached in memory (see the module docs).
pub struct CachedStore {
    inner: Arc<dyn Store>,
    ttl: Duration,
    cache: Mutex<Cache>,
}

/// The cached rows and the generation that guards them.
#[derive(Default)]
struct Cache {
    /// Bumped by every local write: a lookup that started before it must not fill the cache
    /// with what it read (it may be the row the write just changed).
    generation: u64,
    by_issuer: HashMap<String, Kept<Vec<Registration>>>,
    deployments: HashMap<(RegistrationId, String), Kept<Deployment>>,
    /// Active sessions by bearer-token hash.
    sessions: HashMap<String, Kept<Session>>,
}

struct Kept<T> {
    value: T,
    until: Instant,
}

impl CachedStore {
    /// `inner` with the cache of [`CACHE_TTL`].
    pub fn new(inner: Arc<dyn Store>) -> CachedStore {
        CachedStore::with_ttl(inner, CACHE_TTL)
    }

    /// `inner` with a cache that keeps rows for `ttl` (tests use a short one).
    pub fn with_ttl(inner: Arc<dyn Store>, ttl: Duration) -> CachedStore {
        CachedStore {
            inner,
            ttl,
            cache: Mutex::new(Cache::default()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // The cache holds no invariant a panic could break halfway: keep using it.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets everything (after a local write to registrations or deployments).
    fn invalidate(&self) {
        let mut cache = self.cache();
        cache.generation = cache.generation.wrapping_add(1);
        cache.by_issuer.clear();
        cache.deployments.clear();
        cache.sessions.clear();
    }
}

impl std::fmt::Debug for CachedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStore")
            .field("backend", &self.inner.backend())
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Store for CachedStore {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn add_registration(
        &self,
        registration: &NewRegistration,
        now: i64,
    ) -> Result<Registration, StoreError> {
        let result = self.inner.add_registration(registration, now).await;
        self.invalidate();
        result
    }

    async fn update_registration(
        &self,
        registration: &NewRegistration,
    ) -> Result<Registration, StoreError> {
        let result = self.inner.update_registration(registration).await;
        self.invalidate();
        result
    }

    async fn registrations(&self) -> Result<Vec<Registration>, StoreError> {
        self.inner.registrations().await
    }

    async fn registrations_for_issuer(
        &self,
        issuer: &str,
    ) -> Result<Vec<Registration>, StoreError> {
        let generation = {
            let cache = self.cache();
            if let Some(kept) = cache.by_issuer.get(issuer)
                && kept.until > Instant::now()
            {
                return Ok(kept.value.clone());
            }
            cache.generation
        };
        let found = self.inner.registrations_for_issuer(issuer).await?;
        if !found.is_empty() {
            let mut cache = self.cache();
            if cache.generation == generation {
                let until = Instant::now() + self.ttl;
                cache.by_issuer.insert(
                    issuer.to_owned(),
                    Kept {
                        value: found.clone(),
                        until,
                    },
                );
            }
        }
        Ok(found)
    }

    async fn registration(
        &self,
        issuer: &str,
        client_id: &str,
    ) -> Result<Option<Registration>, StoreError> {
        self.inner.registration(issuer, client_id).await
    }

    async fn registration_by_id(
        &self,
        id: RegistrationId,
    ) -> Result<Option<Registration>, StoreError> {
        self.inner.registration_by_id(id).await
    }

    async fn remove_registration(&self, issuer: &str, client_id: &str) -> Result<bool, StoreError> {
        let result = self.inner.remove_registration(issuer, client_id).await;
        self.invalidate();
        result
    }

    async fn add_deployment(
        &self,
        registration_id: RegistrationId,
        deployment_id: &str,
        origin: DeploymentOrigin,
        now: i64,
    ) -> Result<Deployment, StoreError> {
        let result = self
            .inner
            .add_deployment(registration_id, deployment_id, origin, now)
            .await;
        self.invalidate();
        result
    }

    async fn deployments(
        &self,
        registration_id: RegistrationId,
    ) -> Result<Vec<Deployment>, StoreError> {
        self.inner.deployments(registration_id).await
    }

    async fn deployment(
        &self,
        registration_id: RegistrationId,
        deployment_id: &str,
    ) -> Result<Option<Deployment>, StoreError> {
        let key = (registration_id, deployment_id.to_owned());
        let generation = {
            let cache = self.cache();
            if let Some(kept) = cache.deployments.get(&key)
                && kept.until > Instant::now()
            {
                return Ok(Some(kept.value.clone()));
            }
            cache.generation
        };
        let found = self
            .inner
            .deployment(registration_id, deployment_id)
            .await?;
        if let Some(deployment) = &found {
            let mut cache = self.cache();
            if cache.generation == generation {
                let until = Instant::now() + self.ttl;
                cache.deployments.insert(
                    key,
                    Kept {
                        value: deployment.clone(),
                        until,
                    },
                );
            }
        }
        Ok(found)
    }

    async fn remove_deployment(
        &self,
        registration_id: RegistrationId,
        deployment_id: &str,
    ) -> Result<bool, StoreError> {
        let result = self
            .inner
            .remove_deployment(registration_id, deployment_id)
            .await;
        self.invalidate();
        result
    }

    async fn put_login_state(&self, login: &LoginState) -> Result<(), StoreError> {
        self.inner.put_login_state(login).await
    }

    async fn login_state(&self, state: &str) -> Result<Option<LoginState>, StoreError> {
        self.inner.login_state(state).await
    }

    async fn use_nonce(
        &self,
        registration_id: RegistrationId,
        nonce: &str,
        keep_until: i64,
    ) -> Result<bool, StoreError> {
        self.inner
            .use_nonce(registration_id, nonce, keep_until)
            .await
    }

    async fn use_nonce_and_read_state(
        &self,
        registration_id: RegistrationId,
        nonce: &str,
        keep_until: i64,
        state: &str,
    ) -> Result<(bool, Option<LoginState>), StoreError> {
        self.inner
            .use_nonce_and_read_state(registration_id, nonce, keep_until, state)
            .await
    }

    async fn start_session(&self, state: &str, session: &Session) -> Result<(), StoreError> {
        self.inner.start_session(state, session).await
    }

    async fn session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        self.inner.session(id).await
    }

    async fn session_by_token(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let generation = {
            let cache = self.cache();
            if let Some(kept) = cache.sessions.get(token_hash)
                && kept.until > Instant::now()
            {
                return Ok(Some(kept.value.clone()));
            }
            cache.generation
        };
        let found = self.inner.session_by_token(token_hash).await?;
        if let Some(session) = found.as_ref().filter(|s| !s.pending) {
            let mut cache = self.cache();
            if cache.generation == generation {
                let now = Instant::now();
                if cache.sessions.len() >= MAX_SESSIONS {
                    cache.sessions.retain(|_, kept| kept.until > now);
                    if cache.sessions.len() >= MAX_SESSIONS {
                        cache.sessions.clear();
                    }
                }
                cache.sessions.insert(
                    token_hash.to_owned(),
                    Kept {
                        value: session.clone(),
                        until: now + self.ttl,
                    },
                );
            }
        }
        Ok(found)
    }

    async fn activate_session(&self, id: &str) -> Result<bool, StoreError> {
        self.inner.activate_session(id).await
    }

    async fn tool_keys(&self) -> Result<Vec<ToolKey>, StoreError> {
        self.inner.tool_keys().await
    }

    async fn rotate_tool_keys(
        &self,
        new_next: &ToolKey,
        now: i64,
        drop_previous_before: i64,
    ) -> Result<(), StoreError> {
        self.inner
            .rotate_tool_keys(new_next, now, drop_previous_before)
            .await
    }

    async fn insert_tool_key(&self, key: &ToolKey) -> Result<(), StoreError> {
        self.inner.insert_tool_key(key).await
    }

    async fn purge_expired(&self, now: i64) -> Result<u64, StoreError> {
        self.inner.purge_expired(now).await
    }

    fn pool_state(&self) -> PoolState {
        self.inner.pool_state()
    }

    fn api_rows(&self) -> Arc<dyn ApiStore> {
        self.inner.api_rows()
    }

    fn advantage(&self) -> Arc<dyn super::advantage_rows::AdvantageStore> {
        self.inner.advantage()
    }

    fn records(&self) -> Arc<dyn RecordStore> {
        self.inner.records()
    }

    fn outbox(&self) -> Arc<dyn super::outbox::OutboxStore> {
        self.inner.outbox()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
}
