//! The JSON API for the page, under `/api/…`: every route is a handler whose signature names
//! the role it needs (`session::Require<Instructor|Learner|Launched>`) and whose queries are
//! scoped by the caller's registration and context (a learner reaches only their own
//! record). Every write ends as a core event through the engine's write path; every refusal
//! is `{code, message, details}` ([`error::ApiError`]). The OpenAPI document at
//! `GET /api/openapi.json` is generated from the handlers' `#[utoipa::path]` attributes and
//! their types: [`router`] registers each route from its attribute, so the routed paths and
//! the documented ones are the same list.
//!
//! | file | owns |
//! |---|---|
//! | `error` | `ApiError`, stable codes, the size-limited JSON body reader |
//! | `bodies` | every request body type (deny unknown members, size limits) |
//! | `caller` | the caller's tenant, learner scope, author and request id |
//! | `write` | the one write: `records::append`, refusals as 409 |
//! | `definitions` | definitions: versions, findings, publish, archive |
//! | `events` | one route per core event kind (instructor on a learner, learner on self) |
//! | `submissions` | item sets (scored on the server) and evidence uploads |
//! | `plar` | learners' PLAR requests |
//! | `presented` | a learner presents a credential; the server verifies it |
//! | `imports`, `gradebook` | CSV gradebook import (preview, confirm) and its pure parser |
//! | `scoring` | the pure item-set scorer |
//! | `reads` | records, roster summaries, audit history |

pub mod bodies;
pub mod caller;
pub mod definitions;
pub mod error;
pub mod events;
pub mod gradebook;
pub mod imports;
pub mod members;
pub mod plar;
pub mod presented;
pub mod reads;
pub mod scoring;
pub mod submissions;
pub mod write;

pub use error::ApiError;

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The document's fixed parts; the paths come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cairn API",
        description = "The JSON API of Cairn's LTI tool: credential definitions, attempts, \
            grading, PLAR, imports, records and rosters. Authenticate with the bearer token \
            a launch hands the page; errors are {code, message, details}."
    ),
    components(schemas(error::ErrorBody)),
    modifiers(&Security),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// Adds the bearer-token security scheme (and the admin token's).
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the API token a launch hands the page"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the server's admin token (CAIRN_ADMIN_TOKEN)"))
                    .build(),
            ),
        );
    }
}

/// The API's routes with their documentation (the caller adds its own `/api` routes and
/// splits it into the router and the document).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(definitions::list, definitions::create))
        .routes(routes!(definitions::get, definitions::replace))
        .routes(routes!(definitions::findings))
        .routes(routes!(definitions::publish))
        .routes(routes!(definitions::archive))
        .routes(routes!(events::enrol))
        .routes(routes!(events::result))
        .routes(routes!(events::grade))
        .routes(routes!(events::release_feedback))
        .routes(routes!(events::override_score))
        .routes(routes!(events::decide_plar))
        .routes(routes!(events::presented))
        .routes(routes!(events::apply_for))
        .routes(routes!(events::claim_equivalency_for))
        .routes(routes!(events::impose_expiry))
        .routes(routes!(events::enrol_self))
        .routes(routes!(events::apply))
        .routes(routes!(events::claim_equivalency))
        .routes(routes!(events::withdraw))
        .routes(routes!(events::withdraw_self))
        .routes(routes!(presented::present))
        .routes(routes!(submissions::item_set, submissions::put_item_set))
        .routes(routes!(submissions::item_set_with_key))
        .routes(routes!(submissions::answer))
        .routes(routes!(submissions::upload_evidence))
        .routes(routes!(submissions::own_evidence))
        .routes(routes!(submissions::learner_evidence))
        .routes(routes!(submissions::submit))
        .routes(routes!(plar::request, plar::own_requests))
        .routes(routes!(plar::all_requests))
        .routes(routes!(imports::preview))
        .routes(routes!(imports::get))
        .routes(routes!(imports::confirm))
        .routes(routes!(reads::own_record))
        .routes(routes!(reads::own_definitions))
        .routes(routes!(reads::own_history))
        .routes(routes!(reads::learner_record))
        .routes(routes!(reads::learner_history))
        .routes(routes!(reads::roster))
        .routes(routes!(members::list))
        .routes(routes!(members::refresh))
        .routes(routes!(openapi_json))
}

/// This API's OpenAPI 3.1 document (no login needed: it holds no data).
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "the OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<serde_json::Value> {
    Json(crate::routes::openapi_document().clone())
}
