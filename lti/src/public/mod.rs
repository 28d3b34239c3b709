//! The public side of issued credentials, readable with no login: the credential page
//! (`/credentials/{id}`, HTML or the signed JSON by content negotiation) and its baked PNG
//! and SVG, the issuer profiles and `did.json`, the status lists, the OB 2.0 hosted documents;
//! plus the two routes that change or gather credentials for a signed-in person: revocation
//! and suspension (`/api/credentials/{id}/…`), the issuance log and the CLR export. Pure
//! rendering lives in [`negotiate`], [`caching`], [`html`], [`view`], [`page`] and [`images`];
//! the handlers around them read the store.

pub mod caching;
pub mod clr;
pub mod credential;
pub mod html;
pub mod images;
pub mod issuer;
pub mod manage;
pub mod negotiate;
pub mod ob2;
pub mod page;
pub mod status;
pub mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The credential routes of the JSON API, with their OpenAPI documentation (merged into
/// `routes::api_routes`, so the document and the tenant walk cover them).
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(manage::revoke))
        .routes(routes!(manage::suspend))
        .routes(routes!(manage::unsuspend))
        .routes(routes!(manage::issuance_log))
        .routes(routes!(clr::clr))
        .layer(DefaultBodyLimit::max(manage::MAX_BODY_BYTES))
}

/// The public routes (no login), merged into the app's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/credentials/{id}", get(credential::credential))
        .route("/issuers/{id}", get(issuer::issuer))
        .route("/issuers/{id}/did.json", get(issuer::did_json))
        .route("/status/{id}", get(status::status_list))
        .route("/ob2/assertions/{id}", get(ob2::assertion))
        .route("/ob2/assertions/{id}/badge", get(ob2::badge_class))
        .route("/ob2/issuers/{id}", get(ob2::issuer))
}
