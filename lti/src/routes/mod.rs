//! Every route of the server, in one place. Handlers live in the files next to this one;
//! anything not routed here is a static file of the tool page.

mod admin;
mod admin_outbox;
mod config_pages;
pub mod cookie;
mod deep_linking;
mod health;
mod jwks;
mod launch;
mod login;
mod register;
mod session;

pub use config_pages::{TOOL_DESCRIPTION, TOOL_TITLE, canvas_developer_key, moodle_values};

use std::sync::OnceLock;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::services::ServeDir;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{AppState, headers, request_log};

/// The router: `/health`, `/metrics`, OIDC login, launch and its confirmation, the tool's JWKS,
/// the config pages, the admin API, then the tool page's files
/// (`/` is `index.html`). Every answer carries the security headers and a request id.
pub fn router(state: AppState) -> Router {
    let page = ServeDir::new(&state.config.www_dir).append_index_html_on_directories(true);
    let admin_api = Router::new()
        .route(
            "/registrations",
            get(admin::list_registrations)
                .post(admin::add_registration)
                .delete(admin::remove_registration),
        )
        .route(
            "/deployments",
            get(admin::list_deployments)
                .post(admin::add_deployment)
                .delete(admin::remove_deployment),
        )
        .route(
            "/issuer",
            get(crate::issuer::routes::show).put(crate::issuer::routes::set),
        )
        .route(
            "/issuer/rotate-key",
            post(crate::issuer::routes::rotate_key),
        )
        .route("/outbox/parked", get(admin_outbox::parked))
        .route("/outbox/{id}/replay", post(admin_outbox::replay))
        .layer(DefaultBodyLimit::max(admin::MAX_BODY_BYTES))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            admin::require_admin,
        ));
    Router::new()
        .route("/health", get(health::health))
        .route("/metrics", get(health::metrics))
        .route("/lti/login", get(login::login_get).post(login::login_post))
        .route("/lti/launch", post(launch::launch))
        .route("/lti/launch/confirm", post(launch::confirm))
        .route(
            crate::advantage::picker::RESPONSE_PATH,
            post(deep_linking::respond),
        )
        .route("/.well-known/jwks.json", get(jwks::tool_jwks))
        .route(
            register::REGISTER_PATH,
            get(register::start).post(register::confirm),
        )
        .route("/lti/config/canvas.json", get(config_pages::canvas))
        .route("/lti/config/moodle", get(config_pages::moodle))
        // The JSON API for the page: each handler's signature names the role it requires
        // (`session::Require<…>`); its routes and its OpenAPI document come from one list.
        .merge(api_routes().split_for_parts().0)
        .nest("/api/admin", admin_api)
        // Credential pages, issuers, status lists and OB 2.0 documents (no login).
        .merge(crate::public::routes())
        .fallback_service(page)
        .layer(axum::middleware::from_fn(headers::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            request_log::log_requests,
        ))
        .with_state(state)
}

/// The session-authenticated `/api` routes with their documentation: the API's
/// ([`crate::api::router`]) and `/api/session`.
pub fn api_routes() -> OpenApiRouter<AppState> {
    crate::api::router()
        .routes(routes!(session::current))
        .merge(crate::public::api_routes())
}

/// The admin API's paths, documented beside their plain routes above (they sit behind the
/// admin-token middleware, not a session).
#[derive(OpenApi)]
#[openapi(paths(
    admin::list_registrations,
    admin::add_registration,
    admin::remove_registration,
    admin::list_deployments,
    admin::add_deployment,
    admin::remove_deployment,
    crate::issuer::routes::show,
    crate::issuer::routes::set,
    crate::issuer::routes::rotate_key,
    admin_outbox::parked,
    admin_outbox::replay
))]
struct AdminDoc;

/// The OpenAPI document of every `/api` route, built once.
pub fn openapi_document() -> &'static serde_json::Value {
    static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = api_routes().into_openapi();
        doc.merge(AdminDoc::openapi());
        serde_json::to_value(&doc).unwrap_or_default()
    })
}
