//! The public side of issued credentials, readable with no login (issue 10, items 5–6): the
//! credential page and its downloads, the issuer documents, the status lists, the OB 2.0
//! hosted documents; and the credential routes of the JSON API (status changes, the issuance
//! log, the CLR export). Nothing here decides a domain rule: the core builds, signs, bakes,
//! exports and verifies; these files render and serve.
//!
//! | file | owns |
//! |---|---|
//! | `negotiate` | `Accept` → the page or the signed JSON (pure) |
//! | `caching` | `ETag`, `304`, the `Cache-Control` of each kind of document (pure) |
//! | `html` | escaping, which URLs may be links, the Content-Security-Policies (pure) |
//! | `view` | the page's facts read from the credential, its standing at `now` (pure) |
//! | `page` | the credential page's HTML (pure) |
//! | `images` | baked PNG/SVG: the definition's image or a default (pure) |
//! | `credential` | `GET /credentials/{id}` (+ `.json`, `.png`, `.svg`) |
//! | `issuer` | `GET /issuers/{id}` (controller document, profile page), `/issuers/{id}/did.json` |
//! | `status` | `GET /status/{id}` |
//! | `ob2` | `GET /ob2/assertions/{id}` (+ `/badge`), `/ob2/issuers/{id}` |
//! | `manage` | `POST /api/credentials/{id}/revoke|suspend|unsuspend`, `GET /api/credentials` |
//! | `reissue` | `POST /api/credentials/{id}/reissue` (revoked → replaced, through the core) |
//! | `clr` | `GET /api/learners/{sub}/clr` |
//!
//! Status lists are signed by [`crate::status_lists`].

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
pub mod reissue;
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
        .routes(routes!(reissue::reissue))
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
