//! Cairn's LTI 1.3 tool server as a function of its state: [`app`] builds the whole router, so
//! tests drive it with tower's `oneshot` and no port. It runs the OIDC login and the launch
//! ([`launch`] holds the pure checks, [`routes`] the I/O around them), binds each launch to its
//! browser without third-party cookies, hands the page a short-lived API token ([`session`]),
//! publishes the tool's keys ([`keys`]) and serves the tool page (`www/`) under a strict
//! Content-Security-Policy, with `/health`, `/metrics`, the platform configuration pages and the
//! admin API, over a [`store::Store`] (SQLite or PostgreSQL). It makes no domain decision: the
//! pure core (`cairn`) does.

pub mod admin;
pub mod advantage;
pub mod api;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod headers;
pub mod issuer;
pub mod keys;
pub mod launch;
pub mod logging;
pub mod metrics;
pub mod pages;
pub mod platform;
pub mod public;
pub mod random;
pub mod records;
pub mod request_log;
pub mod routes;
pub mod session;
pub mod status_lists;
pub mod store;

use std::fmt;
use std::sync::Arc;

use axum::Router;

use crate::advantage::ags::AgsClient;
use crate::advantage::token::{AssertionSigner, NoSigningKey, StoreSigner, TokenClient};
use crate::clock::{Clock, SystemClock};
use crate::config::ServerConfig;
use crate::keys::KeyEncryptionKey;
use crate::metrics::Metrics;
use crate::pages::index_file::IndexFile;
use crate::platform::jwks_cache::JwksCache;
use crate::store::Store;
use crate::store::records::RecordStore;

/// This server's version, reported by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a request handler may use: a plain struct of shared parts, cheap to clone (one
/// per request). Build it with [`AppState::new`]; parts added later (keys, JWKS cache,
/// metrics) get a field here and a default in `new`, so callers keep compiling.
#[derive(Clone)]
pub struct AppState {
    /// The public URL, the page's folder and the admin token.
    pub config: Arc<ServerConfig>,
    /// The storage (SQLite or PostgreSQL).
    pub store: Arc<dyn Store>,
    /// Records and credentials, on the same pool as `store`.
    pub records: Arc<dyn RecordStore>,
    /// Where handlers read `now` (once per request, passed to the pure checks).
    pub clock: Arc<dyn Clock>,
    /// The counters and histograms of `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The platforms' public keys, cached per JWKS URL (`spec/lti.md` §6.1).
    pub jwks: Arc<JwksCache>,
    /// The key-encryption key that opens the issuers' signing keys; `None` until
    /// [`AppState::with_kek`] (then nothing can be signed).
    pub kek: Option<Arc<KeyEncryptionKey>>,
    /// The records engine's caches and per-learner locks.
    pub engine: Arc<records::Engine>,
    /// The tool page's template (`www/index.html`), kept in memory by modification time.
    pub index_page: Arc<IndexFile>,
    /// The LTI Advantage service token client (AGS, NRPS); signs with the tool's current key
    /// once [`AppState::with_kek`] gave the key-encryption key.
    pub tokens: Arc<TokenClient>,
    /// The Assignment and Grade Services client (on `tokens`).
    pub ags: AgsClient,
    /// Woken when a write queued scores: the outbox worker sends at once.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// The AGS endpoint claims launches stored lately, so an unchanged one is not written
    /// again at every launch.
    pub endpoint_memo: Arc<advantage::endpoint_memo::EndpointMemo>,
}

impl AppState {
    /// The state for a configuration and a store, on the system clock.
    pub fn new(config: ServerConfig, store: Arc<dyn Store>) -> AppState {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let jwks = Arc::new(JwksCache::new(outbound_client(&config), Arc::clone(&clock)));
        let index_page = Arc::new(IndexFile::new(&config.www_dir));
        let signer: Arc<dyn AssertionSigner> = Arc::new(NoSigningKey);
        let http = outbound_client(&config);
        let tokens = Arc::new(TokenClient::new(http.clone(), Arc::clone(&clock), signer));
        AppState {
            config: Arc::new(config),
            records: store.records(),
            store,
            clock,
            metrics: Arc::new(Metrics::new()),
            jwks,
            kek: None,
            engine: Arc::new(records::Engine::default()),
            index_page,
            ags: AgsClient::new(http, Arc::clone(&tokens)),
            tokens,
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
            endpoint_memo: Arc::default(),
        }
    }

    /// The same state with the key-encryption key that seals the issuers' keys (and signs
    /// the service token client's assertions with the tool's current key).
    pub fn with_kek(mut self, kek: Arc<KeyEncryptionKey>) -> AppState {
        let signer = StoreSigner::new(Arc::clone(&self.store), Arc::clone(&kek));
        self.kek = Some(kek);
        self.with_token_signer(Arc::new(signer))
    }

    /// The same state with service token assertions signed by `signer` (tests and the demo
    /// sign with a fixed key); the token cache starts afresh.
    pub fn with_token_signer(mut self, signer: Arc<dyn AssertionSigner>) -> AppState {
        let http = outbound_client(&self.config);
        self.tokens = Arc::new(TokenClient::new(
            http.clone(),
            Arc::clone(&self.clock),
            signer,
        ));
        self.ags = AgsClient::new(http, Arc::clone(&self.tokens));
        self
    }

    /// The same state on another clock (tests replaying recorded tokens); the JWKS cache
    /// starts afresh on that clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> AppState {
        self.jwks = Arc::new(JwksCache::new(
            outbound_client(&self.config),
            Arc::clone(&clock),
        ));
        self.clock = clock;
        let signer = self.tokens.signer();
        self.with_token_signer(signer)
    }

    /// Now, in Unix seconds: read once per request and passed to the pure checks.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// `CAIRN_PUBLIC_URL` as a URL (the origin a login's `target_link_uri` must share).
    pub fn public_url(&self) -> &url::Url {
        self.config.public_url.url()
    }

    /// Whether the tool runs on an `http://` public URL (loopback development only).
    pub fn is_http_tool(&self) -> bool {
        self.public_url().scheme() == "http"
    }

    /// The redirect URI: `<CAIRN_PUBLIC_URL>/lti/launch`.
    pub fn launch_url(&self) -> &url::Url {
        self.config.public_url.launch()
    }
}

/// The client for outbound calls (platform JWKS), with Cairn's User-Agent; a client without
/// it if the builder fails (it only fails when the TLS backend cannot start).
fn outbound_client(config: &ServerConfig) -> reqwest::Client {
    platform::http_client(config.public_url.as_str()).unwrap_or_default()
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .field("store", &self.store.backend())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// The whole application: every route (listed in [`routes::router`]) and the security headers.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}
