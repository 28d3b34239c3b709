//! `/api/definitions`: an instructor's credential definitions in their context, by version.
//! Create a draft version (body: the core's `CredentialDefinition`; a draft may name ids
//! that other definitions of the course define, so the fold's check runs at publish),
//! list, get, replace a draft, read the findings (the core's `validate` over the context's
//! published definitions plus this one, and `publish_findings`), publish (refused with the
//! findings while any is an error; from then on the version never changes) and archive.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use cairn::definition::{self, CredentialDefinition, Finding, Severity};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::caller::Tenant;
use crate::api::error::{ApiBody, ApiError, Body, ErrorBody, codes};
use crate::records;
use crate::session::{Instructor, Require};
use crate::store::records::{DefinitionRow, DefinitionStatus};

impl ApiBody for CredentialDefinition {
    const MAX_BYTES: usize = 512 * 1024;
}

/// A stored definition version.
#[derive(Debug, Serialize, ToSchema)]
pub struct DefinitionView {
    /// The definition's id.
    pub definition_id: String,
    /// The version.
    pub version: String,
    /// `draft`, `published` or `archived`.
    pub status: String,
    /// The core's definition.
    #[schema(value_type = Object)]
    pub body: CredentialDefinition,
    /// Who created it.
    pub created_by: String,
    /// When (Unix s).
    pub created_at: i64,
    /// When it was published.
    pub published_at: Option<i64>,
    /// When it was archived.
    pub archived_at: Option<i64>,
}

impl From<DefinitionRow> for DefinitionView {
    fn from(row: DefinitionRow) -> DefinitionView {
        DefinitionView {
            definition_id: row.definition_id,
            version: row.version,
            status: row.status.as_str().to_owned(),
            body: row.body,
            created_by: row.created_by,
            created_at: row.created_at,
            published_at: row.published_at,
            archived_at: row.archived_at,
        }
    }
}

/// The findings on a version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Findings {
    /// The core's validator (README §10) over the context's published definitions and this.
    #[schema(value_type = Vec<Object>)]
    pub validation: Vec<Finding>,
    /// What blocks publishing beyond the fold's rules (`publish_findings`).
    #[schema(value_type = Vec<Object>)]
    pub publish: Vec<Finding>,
    /// Whether no finding is an error (publishing would be accepted).
    pub publishable: bool,
}

/// Adds a version as a draft.
#[utoipa::path(post, path = "/api/definitions", tag = "definitions", security(("bearer" = ["instructor"])),
    request_body(content = Object, description = "the core's CredentialDefinition"),
    responses((status = 201, body = DefinitionView), (status = "4XX", body = ErrorBody)))]
pub async fn create(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Body(body): Body<CredentialDefinition>,
) -> Result<(StatusCode, Json<DefinitionView>), ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let row = DefinitionRow {
        registration_id: tenant.registration_id,
        context_id: tenant.context_id.clone(),
        definition_id: body.id.to_string(),
        version: body.version.clone(),
        body,
        status: DefinitionStatus::Draft,
        created_by: caller.caller().session.user_sub.clone(),
        created_at: state.now(),
        published_at: None,
        archived_at: None,
    };
    state.records.insert_definition(&row).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Every version in the caller's context.
#[utoipa::path(get, path = "/api/definitions", tag = "definitions", security(("bearer" = ["instructor"])),
    responses((status = 200, body = Vec<DefinitionView>), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    caller: Require<Instructor>,
    State(state): State<AppState>,
) -> Result<Json<Vec<DefinitionView>>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let rows = state
        .records
        .definitions(tenant.registration_id, &tenant.context_id)
        .await?;
    Ok(Json(rows.into_iter().map(DefinitionView::from).collect()))
}

/// One version.
#[utoipa::path(get, path = "/api/definitions/{definition_id}/{version}", tag = "definitions", security(("bearer" = ["instructor"])),
    params(("definition_id" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = DefinitionView), (status = "4XX", body = ErrorBody)))]
pub async fn get(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<DefinitionView>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    Ok(Json(load(&state, &tenant, &id, &version).await?.into()))
}

/// Replaces a draft's body (same id and version). A published or archived version never
/// changes: 409 `definition_immutable`.
#[utoipa::path(put, path = "/api/definitions/{definition_id}/{version}", tag = "definitions", security(("bearer" = ["instructor"])),
    params(("definition_id" = String, Path), ("version" = String, Path)),
    request_body(content = Object, description = "the core's CredentialDefinition"),
    responses((status = 200, body = DefinitionView), (status = "4XX", body = ErrorBody)))]
pub async fn replace(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
    Body(body): Body<CredentialDefinition>,
) -> Result<Json<DefinitionView>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let current = load(&state, &tenant, &id, &version).await?;
    if body.id.as_str() != id || body.version != version {
        return Err(ApiError::invalid_input(
            "the body's id and version must be the path's",
        ));
    }
    if current.status != DefinitionStatus::Draft {
        return Err(immutable(&current));
    }
    state
        .records
        .update_draft_definition(tenant.registration_id, &tenant.context_id, &body)
        .await?;
    Ok(Json(load(&state, &tenant, &id, &version).await?.into()))
}

/// The core's findings on a version.
#[utoipa::path(get, path = "/api/definitions/{definition_id}/{version}/findings",
    tag = "definitions", security(("bearer" = ["instructor"])), params(("definition_id" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = Findings), (status = "4XX", body = ErrorBody)))]
pub async fn findings(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<Findings>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let row = load(&state, &tenant, &id, &version).await?;
    Ok(Json(findings_of(&state, &tenant, &row.body).await?))
}

/// Publishes a draft: refused (409 `publish_blocked`, findings in `details`) while any
/// finding is an error, or if the context's published definitions and this one do not fold
/// together.
#[utoipa::path(post, path = "/api/definitions/{definition_id}/{version}/publish",
    tag = "definitions", security(("bearer" = ["instructor"])), params(("definition_id" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = DefinitionView), (status = "4XX", body = ErrorBody)))]
pub async fn publish(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<DefinitionView>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let row = load(&state, &tenant, &id, &version).await?;
    if row.status != DefinitionStatus::Draft {
        return Err(immutable(&row));
    }
    let found = findings_of(&state, &tenant, &row.body).await?;
    if !found.publishable {
        return Err(ApiError::conflict(
            codes::PUBLISH_BLOCKED,
            format!("{id} {version} has error findings; fix them before publishing"),
        )
        .with_details(json!({ "validation": found.validation, "publish": found.publish })));
    }
    let mut course = published_bodies(&state, &tenant).await?;
    course.retain(|d| d.id.as_str() != id);
    course.push(row.body.clone());
    definition::check(&course).map_err(|err| {
        ApiError::conflict(
            codes::PUBLISH_BLOCKED,
            format!("with the published definitions of this course: {err}"),
        )
    })?;
    let published = state
        .records
        .publish_definition(
            tenant.registration_id,
            &tenant.context_id,
            &id,
            &version,
            state.now(),
        )
        .await?;
    records::invalidate_course(&state, tenant.registration_id, &tenant.context_id);
    Ok(Json(published.into()))
}

/// Archives a version: it stays readable (issued credentials name it) but leaves the course.
#[utoipa::path(post, path = "/api/definitions/{definition_id}/{version}/archive",
    tag = "definitions", security(("bearer" = ["instructor"])), params(("definition_id" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = DefinitionView), (status = "4XX", body = ErrorBody)))]
pub async fn archive(
    caller: Require<Instructor>,
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<DefinitionView>, ApiError> {
    let tenant = Tenant::of(caller.caller())?;
    let row = load(&state, &tenant, &id, &version).await?;
    if row.status == DefinitionStatus::Archived {
        return Err(ApiError::conflict(
            codes::CONFLICT,
            format!("{id} {version} is archived already"),
        ));
    }
    let archived = state
        .records
        .archive_definition(
            tenant.registration_id,
            &tenant.context_id,
            &id,
            &version,
            state.now(),
        )
        .await?;
    records::invalidate_course(&state, tenant.registration_id, &tenant.context_id);
    Ok(Json(archived.into()))
}

/// One version of the caller's context, or 404.
async fn load(
    state: &AppState,
    tenant: &Tenant,
    id: &str,
    version: &str,
) -> Result<DefinitionRow, ApiError> {
    state
        .records
        .definition(tenant.registration_id, &tenant.context_id, id, version)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("definition {id} version {version} not found")))
}

/// The bodies of the context's published definitions.
async fn published_bodies(
    state: &AppState,
    tenant: &Tenant,
) -> Result<Vec<CredentialDefinition>, ApiError> {
    Ok(state
        .records
        .published_definitions(tenant.registration_id, &tenant.context_id)
        .await?
        .into_iter()
        .map(|row| row.body)
        .collect())
}

/// The validator over the published definitions (other ids) plus `body`, and its publish
/// findings. Only findings about `body`'s own ids are kept: the others are not this
/// version's to fix.
async fn findings_of(
    state: &AppState,
    tenant: &Tenant,
    body: &CredentialDefinition,
) -> Result<Findings, ApiError> {
    let mut course = published_bodies(state, tenant).await?;
    course.retain(|d| d.id != body.id);
    course.push(body.clone());
    let own_refs = own_refs(body);
    let validation: Vec<Finding> = definition::validate(&course)
        .into_iter()
        .filter(|f| own_refs.contains(&f.reference))
        .collect();
    let publish = definition::publish_findings(body);
    let publishable = validation
        .iter()
        .chain(&publish)
        .all(|f| f.severity != Severity::Error);
    Ok(Findings {
        validation,
        publish,
        publishable,
    })
}

/// The ids a finding about `body` can name: the definition, its competencies, assessments.
fn own_refs(body: &CredentialDefinition) -> Vec<String> {
    let mut refs = vec![body.id.to_string()];
    refs.extend(body.competencies.iter().map(|c| c.id.to_string()));
    refs.extend(body.assessments.iter().map(|a| a.id.to_string()));
    refs
}

fn immutable(row: &DefinitionRow) -> ApiError {
    ApiError::conflict(
        codes::DEFINITION_IMMUTABLE,
        format!(
            "{} {} is {}: a published or archived version never changes; create a new version",
            row.definition_id,
            row.version,
            row.status.as_str()
        ),
    )
}
