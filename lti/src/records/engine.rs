//! The records engine's in-process state, one per server ([`Engine`], in
//! [`AppState`](crate::AppState)): a keyed async mutex that serializes one learner's writes
//! in this process, the per-learner log cache (valid for one head; never the truth: every
//! write compares-and-sets the head in the database, every read checks it), and the per-
//! context course cache (every published version, the core's [`Catalog`], checked once).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use cairn::Timestamp;
use cairn::definition::DefinitionError;
use cairn::event::Event;
use cairn::ids::DefinitionId;
use cairn::record::{Catalog, Course};

use super::issuance::TenantSigner;
use crate::store::RegistrationId;
use crate::store::records::{DefinitionRow, LearnerHead, LearnerScope, StoredEvent};

/// How long a context's course is used before the published definitions are read again (a
/// publish on another server is seen within this and one read, during which the expired
/// entry still serves; this server's publishes invalidate it).
pub const COURSE_TTL: Duration = Duration::from_secs(5);

/// How long a tenant's signer (issuer, opened key, current status list) is reused before it
/// is read again: a key rotated or a list filled on another server is seen within this.
pub const SIGNER_TTL: Duration = Duration::from_secs(5);

/// Logs cached at most; beyond, the cache starts afresh (it is only a speed-up).
const MAX_CACHED_LOGS: usize = 50_000;

/// A stored credential's issuance key as the planner compares it: definition id and renewal
/// cycle (whatever the version, see [`super::issuance::missing`]).
pub type IssuedKey = (String, i64);

/// A learner's log as read at one head.
#[derive(Debug, Clone, Default)]
pub struct CachedLog {
    /// The head the events were read at (`None`: no event yet).
    pub head: Option<LearnerHead>,
    /// The events, in seq order.
    pub events: Vec<StoredEvent>,
    /// The issuance keys of the learner's stored credentials, when known: read once by the
    /// planner, kept with the log and grown by this server's own issuances. A learner with
    /// no event has none (a credential is stored with an event's seq). Never the truth: a
    /// credential stored meanwhile by another server (its sweep) makes the unique issuance
    /// key refuse the commit, and the write forgets this log and reads again.
    pub issued: Option<Vec<IssuedKey>>,
}

/// A context's published definitions, checked and indexed once: the core's
/// [`Catalog`] of every published version, which chooses and caches each learner's course.
#[derive(Debug)]
pub struct CourseEntry {
    /// Every published version, and the course of each choice of versions (REQ-LIFE-02).
    pub catalog: Catalog,
    /// The latest version of each definition id, in the latest course's order.
    pub rows: Vec<DefinitionRow>,
    loaded: Instant,
}

impl CourseEntry {
    /// The entry of `versions`, every published version of the context: per definition id
    /// oldest first, the ids in `definition_id` order (the latest course's columns).
    pub fn new(versions: &[DefinitionRow]) -> Result<Self, DefinitionError> {
        let catalog = Catalog::new(versions.iter().map(|r| r.body.clone()).collect())?;
        let rows = catalog
            .latest()
            .definitions()
            .iter()
            .filter_map(|d| {
                versions
                    .iter()
                    .find(|r| r.definition_id == d.id.as_str() && r.version == d.version)
                    .cloned()
            })
            .collect();
        Ok(CourseEntry {
            catalog,
            rows,
            loaded: Instant::now(),
        })
    }

    /// The course of the latest versions: the roster's columns.
    pub fn course(&self) -> &Arc<Course<'static>> {
        self.catalog.latest()
    }

    /// The course a learner with these events is folded on at `at` (REQ-LIFE-02): the
    /// versions their enrolment pinned, else the latest, as the core chooses them
    /// ([`Catalog::for_learner`]).
    pub fn for_learner(
        &self,
        events: &[Event],
        at: Timestamp,
    ) -> Result<Arc<Course<'static>>, DefinitionError> {
        self.catalog.for_learner(events, at)
    }

    /// The latest published version of `definition`, the one a new enrolment pins.
    pub fn latest_version(&self, definition: &DefinitionId) -> Option<&str> {
        self.rows
            .iter()
            .find(|r| r.definition_id == definition.as_str())
            .map(|r| r.version.as_str())
    }
}

/// A lock held across awaits.
type AsyncLock = tokio::sync::Mutex<()>;

/// Per-server caches and locks of the records engine.
#[derive(Debug, Default)]
pub struct Engine {
    locks: Mutex<HashMap<LearnerScope, Weak<tokio::sync::Mutex<()>>>>,
    logs: Mutex<HashMap<LearnerScope, Arc<CachedLog>>>,
    courses: Mutex<HashMap<(RegistrationId, String), Arc<CourseEntry>>>,
    signers: Mutex<HashMap<RegistrationId, (Instant, Arc<TenantSigner>)>>,
    /// Held while a tenant's signer is prepared, so this server makes one issuer and one
    /// status list where many first issuances arrive at once.
    prepare: tokio::sync::Mutex<()>,
    /// Held while a context's course is read, so when its entry expires under load one
    /// request reads the definitions again while the others go on with the expired entry,
    /// rather than each reading them (that stampede was the 1% slowest passes of `cargo
    /// xtask bench issue`).
    course_loads: Mutex<HashMap<(RegistrationId, String), Weak<AsyncLock>>>,
}

/// Takes a std mutex even if a panicking holder poisoned it (the maps stay usable: every
/// entry is a complete value).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Engine {
    /// Serializes one learner's writes in this process: the caller holds the returned guard
    /// while it folds and appends.
    pub async fn lock_learner(&self, scope: &LearnerScope) -> tokio::sync::OwnedMutexGuard<()> {
        let mutex = {
            let mut locks = lock(&self.locks);
            if let Some(alive) = locks.get(scope).and_then(Weak::upgrade) {
                alive
            } else {
                if locks.len() > 4_096 {
                    locks.retain(|_, weak| weak.strong_count() > 0);
                }
                let fresh = Arc::new(tokio::sync::Mutex::new(()));
                locks.insert(scope.clone(), Arc::downgrade(&fresh));
                fresh
            }
        };
        mutex.lock_owned().await
    }

    /// The cached log of a learner, if any.
    pub fn cached_log(&self, scope: &LearnerScope) -> Option<Arc<CachedLog>> {
        lock(&self.logs).get(scope).cloned()
    }

    /// Caches a learner's log.
    pub fn cache_log(&self, scope: &LearnerScope, log: Arc<CachedLog>) {
        let mut logs = lock(&self.logs);
        if logs.len() >= MAX_CACHED_LOGS {
            logs.clear();
        }
        logs.insert(scope.clone(), log);
    }

    /// Forgets a learner's log (its head moved elsewhere).
    pub fn forget_log(&self, scope: &LearnerScope) {
        lock(&self.logs).remove(scope);
    }

    /// The cached course of a context, if it is younger than [`COURSE_TTL`].
    pub fn cached_course(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
    ) -> Option<Arc<CourseEntry>> {
        let courses = lock(&self.courses);
        courses
            .get(&(registration_id, context_id.to_owned()))
            .filter(|entry| entry.loaded.elapsed() < COURSE_TTL)
            .cloned()
    }

    /// Caches a context's course.
    pub fn cache_course(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
        entry: CourseEntry,
    ) -> Arc<CourseEntry> {
        let entry = Arc::new(entry);
        lock(&self.courses).insert((registration_id, context_id.to_owned()), Arc::clone(&entry));
        entry
    }

    /// Forgets a context's course (after a publish or an archive).
    pub fn forget_course(&self, registration_id: RegistrationId, context_id: &str) {
        lock(&self.courses).remove(&(registration_id, context_id.to_owned()));
    }

    /// The cached signer of a tenant, if younger than [`SIGNER_TTL`].
    pub fn cached_signer(&self, registration_id: RegistrationId) -> Option<Arc<TenantSigner>> {
        lock(&self.signers)
            .get(&registration_id)
            .filter(|(loaded, _)| loaded.elapsed() < SIGNER_TTL)
            .map(|(_, signer)| Arc::clone(signer))
    }

    /// Caches a tenant's signer.
    pub fn cache_signer(&self, registration_id: RegistrationId, signer: Arc<TenantSigner>) {
        lock(&self.signers).insert(registration_id, (Instant::now(), signer));
    }

    /// Forgets a tenant's signer (after a key rotation or when its list filled up).
    pub fn forget_signer(&self, registration_id: RegistrationId) {
        lock(&self.signers).remove(&registration_id);
    }

    /// Serializes signer preparation in this process.
    pub async fn preparing(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.prepare.lock().await
    }

    /// The lock that serializes the reads of one context's course in this process (check
    /// the cache again once it is held).
    pub fn course_load(&self, registration_id: RegistrationId, context_id: &str) -> Arc<AsyncLock> {
        let mut loads = lock(&self.course_loads);
        let key = (registration_id, context_id.to_owned());
        if let Some(alive) = loads.get(&key).and_then(Weak::upgrade) {
            return alive;
        }
        loads.retain(|_, weak| weak.strong_count() > 0);
        let fresh = Arc::new(AsyncLock::new(()));
        loads.insert(key, Arc::downgrade(&fresh));
        fresh
    }

    /// The cached course of a context whatever its age (it serves while another request
    /// reads the course again).
    pub fn expired_course(
        &self,
        registration_id: RegistrationId,
        context_id: &str,
    ) -> Option<Arc<CourseEntry>> {
        lock(&self.courses)
            .get(&(registration_id, context_id.to_owned()))
            .cloned()
    }
}
