//! Cairn's LTI 1.3 tool server as a function of its state: [`app`] builds the whole router, so
//! tests drive it with tower's `oneshot` and no port. For now it serves the tool page (`www/`,
//! with the wasm core in `www/pkg/`) under a strict Content-Security-Policy, and `/health`.
//! It makes no domain decision: the pure core (`cairn`) does. Launches, the JSON API and
//! storage arrive with the LTI issue.

pub mod clock;
pub mod demo;
pub mod headers;
pub mod launch;
pub mod pages;
pub mod random;
pub mod routes;
pub mod store;

use std::path::PathBuf;

use axum::Router;

/// This server's version, reported by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a request handler may use. Cheap to clone (one per request).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The tool page's folder (`www/`), served as static files.
    pub www_dir: PathBuf,
}

/// The whole application: every route (listed in [`routes::router`]) and the security headers.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}
