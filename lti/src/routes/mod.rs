//! Every route of the server, in one place. Handlers live in the files next to this one;
//! anything not routed here is a static file of the tool page.

mod health;

use axum::Router;
use axum::routing::get;
use tower_http::services::ServeDir;

use crate::{AppState, headers};

/// The router: `GET /health`, then the tool page's files (`/` is `index.html`).
pub fn router(state: AppState) -> Router {
    let page = ServeDir::new(&state.www_dir).append_index_html_on_directories(true);
    Router::new()
        .route("/health", get(health::health))
        .fallback_service(page)
        .layer(axum::middleware::from_fn(headers::security_headers))
        .with_state(state)
}
