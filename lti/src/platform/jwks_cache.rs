//! The platform JWKS cache (`spec/lti.md` §6.1): one parsed key set per JWKS URL, kept for
//! the TTL its `Cache-Control` gives (max-age clamped to [60 s, 3600 s]; 300 s when absent;
//! 60 s for `no-store`/`no-cache`). A launch whose kid is unknown causes one re-download,
//! single-flight per URL, skipped only when a miss-triggered re-download of that URL ran in
//! the last 10 s. Downloads are capped at 64 KB and 5 s. Parsing is the key set type's
//! ([`KeySet::parse`], by default the launch checks' [`JwkSet`]); this file does the HTTP,
//! the timing and the counting. A failed download is an error, never a stale set (fail
//! closed); for 10 s after it, callers get the same failure without a new request.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_LENGTH};

use super::error_chain;
use crate::clock::Clock;
use crate::launch::jwks::{JwkSet, JwksError, MAX_JWKS_BYTES};

/// TTL when the answer has no `Cache-Control` max-age (seconds).
pub const DEFAULT_TTL: i64 = 300;
/// The shortest TTL, and the TTL of `no-store`/`no-cache` answers (seconds).
pub const MIN_TTL: i64 = 60;
/// The longest TTL (seconds).
pub const MAX_TTL: i64 = 3600;
/// A miss-triggered re-download of a URL is skipped if one ran less than this ago (seconds).
pub const MISS_REFETCH_INTERVAL: i64 = 10;
/// After a failed download of a URL, callers get that failure (no new request) for this
/// long (seconds): launches queued behind a dead platform do not each wait out a timeout.
pub const FAILED_DOWNLOAD_RETRY: i64 = 10;
/// The largest JWKS document accepted (bytes): the parser's own limit.
pub const BODY_LIMIT: usize = MAX_JWKS_BYTES;
/// The longest a download may take, connection to last byte.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(5);

/// A parsed JWKS document, as the launch checks use it.
pub trait KeySet: Send + Sync + Sized + 'static {
    /// Why a document is refused.
    type Error: std::fmt::Display;
    /// Parses a JWKS document (the bytes as downloaded).
    fn parse(bytes: &[u8]) -> Result<Self, Self::Error>;
    /// Whether the set holds a usable key with this kid.
    fn has_kid(&self, kid: &str) -> bool;
}

impl KeySet for JwkSet {
    type Error = JwksError;

    fn parse(bytes: &[u8]) -> Result<Self, JwksError> {
        JwkSet::parse(bytes)
    }

    fn has_kid(&self, kid: &str) -> bool {
        self.get(kid).is_some()
    }
}

/// Why a platform's JWKS could not be had. Each names the URL; none echoes the body.
#[derive(Clone, Debug, thiserror::Error)]
pub enum JwksCacheError {
    /// The request failed (connection refused, DNS, TLS, too many redirects…).
    #[error("platform JWKS {url} could not be downloaded: {reason}")]
    Download {
        /// The JWKS URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// No complete answer within [`DOWNLOAD_TIMEOUT`].
    #[error("platform JWKS {url} did not answer within {} s", DOWNLOAD_TIMEOUT.as_secs())]
    Timeout {
        /// The JWKS URL.
        url: String,
    },
    /// The platform answered with an error status.
    #[error("platform JWKS {url} answered HTTP {status}")]
    Status {
        /// The JWKS URL.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The document is larger than [`BODY_LIMIT`].
    #[error("platform JWKS {url} is larger than {BODY_LIMIT} bytes")]
    TooLarge {
        /// The JWKS URL.
        url: String,
    },
    /// The document is not a usable JWKS.
    #[error("platform JWKS {url} is not a usable key set: {reason}")]
    Parse {
        /// The JWKS URL.
        url: String,
        /// What the parser said.
        reason: String,
    },
}

/// The TTL (seconds) that a `Cache-Control` value gives, per §6.1.
pub fn ttl_from_cache_control(value: Option<&str>) -> i64 {
    let Some(value) = value else {
        return DEFAULT_TTL;
    };
    let mut max_age: Option<i64> = None;
    for directive in value.split(',') {
        let directive = directive.trim();
        let (name, argument) = match directive.split_once('=') {
            Some((name, argument)) => (name.trim(), Some(argument.trim().trim_matches('"'))),
            None => (directive, None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return MIN_TTL;
        }
        if name.eq_ignore_ascii_case("max-age")
            && let Some(argument) = argument.filter(|a| !a.is_empty())
            && argument.bytes().all(|b| b.is_ascii_digit())
        {
            // Digits beyond i64 mean "very long": the clamp below makes it MAX_TTL.
            max_age = Some(argument.parse().unwrap_or(i64::MAX));
        }
    }
    max_age.map_or(DEFAULT_TTL, |seconds| seconds.clamp(MIN_TTL, MAX_TTL))
}

/// One downloaded set and how long it stays fresh.
struct Cached<T> {
    set: Arc<T>,
    loaded_at: i64,
    ttl: i64,
}

impl<T> Cached<T> {
    fn is_fresh(&self, now: i64) -> bool {
        now < self.loaded_at.saturating_add(self.ttl)
    }
}

/// Held while downloading, so one URL has one download at a time.
#[derive(Default)]
struct Gate {
    /// When the last miss-triggered re-download started.
    last_miss_download: Option<i64>,
    /// The last download's failure and when it ended (cleared by a success).
    last_failure: Option<(i64, JwksCacheError)>,
}

impl Gate {
    /// The failure of a download that ended less than [`FAILED_DOWNLOAD_RETRY`] ago.
    fn recent_failure(&self, now: i64) -> Option<JwksCacheError> {
        self.last_failure
            .as_ref()
            .filter(|(at, _)| now - at < FAILED_DOWNLOAD_RETRY)
            .map(|(_, err)| err.clone())
    }
}

/// Everything kept for one URL.
struct Entry<T> {
    cached: Mutex<Option<Cached<T>>>,
    gate: tokio::sync::Mutex<Gate>,
    downloads: AtomicU64,
}

impl<T> Entry<T> {
    fn new() -> Self {
        Entry {
            cached: Mutex::new(None),
            gate: tokio::sync::Mutex::new(Gate::default()),
            downloads: AtomicU64::new(0),
        }
    }

    /// The cached set and whether it is fresh at `now`.
    fn current(&self, now: i64) -> Option<(Arc<T>, bool)> {
        let cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        cached
            .as_ref()
            .map(|cached| (Arc::clone(&cached.set), cached.is_fresh(now)))
    }
}

/// The platform JWKS cache, shared by every launch (cheap to share behind an `Arc`).
pub struct JwksCache<T: KeySet = JwkSet> {
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    entries: Mutex<BTreeMap<String, Arc<Entry<T>>>>,
}

impl<T: KeySet> std::fmt::Debug for JwksCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let urls: Vec<String> = self.lock_entries().keys().cloned().collect();
        f.debug_struct("JwksCache")
            .field("urls", &urls)
            .finish_non_exhaustive()
    }
}

impl<T: KeySet> JwksCache<T> {
    /// An empty cache downloading with `client` (see [`super::http_client`]) and reading
    /// time from `clock`.
    pub fn new(client: reqwest::Client, clock: Arc<dyn Clock>) -> Self {
        JwksCache {
            client,
            clock,
            entries: Mutex::new(BTreeMap::new()),
        }
    }

    /// The key set of `url`: the cached one while fresh, else a new download (one at a
    /// time per URL; callers arriving meanwhile get its result).
    pub async fn key_set(&self, url: &str) -> Result<Arc<T>, JwksCacheError> {
        let entry = self.entry(url);
        if let Some((set, true)) = entry.current(self.clock.now()) {
            return Ok(set);
        }
        let mut gate = entry.gate.lock().await;
        let now = self.clock.now();
        if let Some((set, true)) = entry.current(now) {
            return Ok(set);
        }
        if let Some(err) = gate.recent_failure(now) {
            return Err(err);
        }
        self.download(url, &entry, &mut gate).await
    }

    /// After a launch's `kid` was not in the set from [`JwksCache::key_set`]: one
    /// re-download of `url`, unless another caller's download meanwhile brought the kid,
    /// or a miss-triggered re-download of `url` ran less than
    /// [`MISS_REFETCH_INTERVAL`] ago (then the cached set is returned as it is). The caller
    /// answers `unknown_kid` if the returned set still lacks the kid.
    pub async fn refresh_after_miss(&self, url: &str, kid: &str) -> Result<Arc<T>, JwksCacheError> {
        let entry = self.entry(url);
        let mut gate = entry.gate.lock().await;
        let now = self.clock.now();
        match entry.current(now) {
            Some((set, true)) if set.has_kid(kid) => return Ok(set),
            Some((set, _))
                if gate
                    .last_miss_download
                    .is_some_and(|at| now - at < MISS_REFETCH_INTERVAL) =>
            {
                return Ok(set);
            }
            _ => {}
        }
        if let Some(err) = gate.recent_failure(now) {
            return Err(err);
        }
        gate.last_miss_download = Some(now);
        self.download(url, &entry, &mut gate).await
    }

    /// The key set of `url` that should hold `kid`: [`JwksCache::key_set`], then
    /// [`JwksCache::refresh_after_miss`] if the kid is not in it.
    pub async fn key_set_for_kid(&self, url: &str, kid: &str) -> Result<Arc<T>, JwksCacheError> {
        let set = self.key_set(url).await?;
        if set.has_kid(kid) {
            return Ok(set);
        }
        self.refresh_after_miss(url, kid).await
    }

    /// How many HTTP requests this cache has sent to `url` (each download attempt counts).
    pub fn downloads(&self, url: &str) -> u64 {
        self.lock_entries()
            .get(url)
            .map_or(0, |entry| entry.downloads.load(Ordering::SeqCst))
    }

    /// Forgets every cached set, miss time and count (fresh tool state in the fixture harness).
    pub fn clear(&self) {
        self.lock_entries().clear();
    }

    fn lock_entries(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<Entry<T>>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn entry(&self, url: &str) -> Arc<Entry<T>> {
        let mut entries = self.lock_entries();
        Arc::clone(
            entries
                .entry(url.to_owned())
                .or_insert_with(|| Arc::new(Entry::new())),
        )
    }

    /// Downloads and parses `url` and caches the set, or notes the failure in the URL's
    /// gate, which the caller holds.
    async fn download(
        &self,
        url: &str,
        entry: &Entry<T>,
        gate: &mut Gate,
    ) -> Result<Arc<T>, JwksCacheError> {
        let result = self.download_once(url, entry).await;
        gate.last_failure = result
            .as_ref()
            .err()
            .map(|err| (self.clock.now(), err.clone()));
        result
    }

    async fn download_once(&self, url: &str, entry: &Entry<T>) -> Result<Arc<T>, JwksCacheError> {
        entry.downloads.fetch_add(1, Ordering::SeqCst);
        let (body, ttl) = match tokio::time::timeout(DOWNLOAD_TIMEOUT, self.fetch(url)).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(JwksCacheError::Timeout {
                    url: url.to_owned(),
                });
            }
        };
        let set = Arc::new(T::parse(&body).map_err(|err| JwksCacheError::Parse {
            url: url.to_owned(),
            reason: err.to_string(),
        })?);
        let mut cached = entry.cached.lock().unwrap_or_else(PoisonError::into_inner);
        *cached = Some(Cached {
            set: Arc::clone(&set),
            loaded_at: self.clock.now(),
            ttl,
        });
        Ok(set)
    }

    /// One GET: the body (at most [`BODY_LIMIT`] bytes) and the TTL its headers give.
    async fn fetch(&self, url: &str) -> Result<(Vec<u8>, i64), JwksCacheError> {
        let request_error = |err: reqwest::Error| {
            if err.is_timeout() {
                JwksCacheError::Timeout {
                    url: url.to_owned(),
                }
            } else {
                JwksCacheError::Download {
                    url: url.to_owned(),
                    reason: error_chain(&err),
                }
            }
        };
        let mut response = self
            .client
            .get(url)
            .header(ACCEPT, "application/json, application/jwk-set+json")
            .timeout(DOWNLOAD_TIMEOUT)
            .send()
            .await
            .map_err(request_error)?;
        let status = response.status();
        if !status.is_success() {
            return Err(JwksCacheError::Status {
                url: url.to_owned(),
                status: status.as_u16(),
            });
        }
        let too_large = || JwksCacheError::TooLarge {
            url: url.to_owned(),
        };
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|len| len > BODY_LIMIT as u64) {
            return Err(too_large());
        }
        let cache_control: Vec<&str> = response
            .headers()
            .get_all(CACHE_CONTROL)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        let ttl = ttl_from_cache_control(
            (!cache_control.is_empty())
                .then(|| cache_control.join(","))
                .as_deref(),
        );
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if body.len() + chunk.len() > BODY_LIMIT {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, ttl))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_is_max_age_clamped_to_a_minute_and_an_hour() {
        assert_eq!(ttl_from_cache_control(None), 300);
        assert_eq!(ttl_from_cache_control(Some("")), 300);
        assert_eq!(ttl_from_cache_control(Some("public")), 300);
        assert_eq!(ttl_from_cache_control(Some("max-age=600")), 600);
        assert_eq!(ttl_from_cache_control(Some("public, Max-Age=900")), 900);
        assert_eq!(ttl_from_cache_control(Some("max-age=\"120\"")), 120);
        assert_eq!(ttl_from_cache_control(Some("max-age=0")), 60);
        assert_eq!(ttl_from_cache_control(Some("max-age=30")), 60);
        assert_eq!(ttl_from_cache_control(Some("max-age=7200")), 3600);
        assert_eq!(
            ttl_from_cache_control(Some("max-age=99999999999999999999999")),
            3600
        );
        assert_eq!(ttl_from_cache_control(Some("max-age=-5")), 300);
        assert_eq!(ttl_from_cache_control(Some("max-age=abc")), 300);
        assert_eq!(ttl_from_cache_control(Some("s-maxage=900")), 300);
    }

    #[test]
    fn no_store_and_no_cache_mean_one_minute() {
        assert_eq!(ttl_from_cache_control(Some("no-store")), 60);
        assert_eq!(ttl_from_cache_control(Some("No-Cache")), 60);
        assert_eq!(ttl_from_cache_control(Some("max-age=3600, no-store")), 60);
        assert_eq!(ttl_from_cache_control(Some("no-cache=\"set-cookie\"")), 60);
    }

    #[test]
    fn freshness_ends_at_loaded_at_plus_ttl() {
        let cached = Cached {
            set: Arc::new(()),
            loaded_at: 1_000,
            ttl: 60,
        };
        assert!(cached.is_fresh(1_059));
        assert!(!cached.is_fresh(1_060));
    }
}
