//! Placed links at launch time (`spec/lti.md` §7): a Deep Linking launch by an instructor gets
//! the picker of the course's published items; a resource-link launch of a link Cairn placed
//! finds its placement (by the `cairn_placement` custom parameter the platform echoes, or by
//! the resource link id bound at the link's first launch) so the page opens the right
//! assessment or progress page. The launch handler calls these; the rules are in
//! [`super::deep_linking`].

use serde_json::{Value, json};

use super::deep_linking::{self, CUSTOM_PLACEMENT, DeepLinkRequest};
use super::picker;
use crate::AppState;
use crate::launch::{LaunchClaims, MessageType};
use crate::store::advantage_rows::PlacementRow;
use crate::store::{RegistrationId, StoreError};

/// The placement a resource-link launch opens, as the session and the page see it (`null`
/// members never appear: a progress page has no `assessment_id`).
pub fn placement_json(row: &PlacementRow) -> Value {
    let mut value = json!({
        "id": row.id,
        "definition_id": row.definition_id,
        "view": if row.assessment_id.is_some() { "assessment" } else { "progress" },
        "title": row.title,
    });
    if let Some(assessment) = &row.assessment_id {
        value["assessment_id"] = json!(assessment);
    }
    value
}

/// The placement of a resource-link launch, if Cairn placed the link: by its custom
/// `cairn_placement` (binding the resource link id at the first launch), else by the resource
/// link id bound earlier (a platform that dropped the custom parameters on copy).
pub async fn resolve(
    state: &AppState,
    registration: RegistrationId,
    claims: &LaunchClaims,
) -> Result<Option<Value>, StoreError> {
    if claims.message_type != MessageType::LtiResourceLinkRequest {
        return Ok(None);
    }
    let Some(context) = claims.context.as_ref().map(|c| c.id.as_str()) else {
        return Ok(None);
    };
    let link = claims.resource_link.as_ref().and_then(|r| r.id.as_deref());
    let store = state.store.advantage();
    if let Some(id) = claims.custom.get(CUSTOM_PLACEMENT)
        && let Some(row) = store.placement(registration, context, id).await?
    {
        if let (None, Some(link)) = (&row.resource_link_id, link) {
            store.bind_placement(registration, &row.id, link).await?;
        }
        return Ok(Some(placement_json(&row)));
    }
    match link {
        Some(link) => Ok(store
            .placement_for_link(registration, context, link)
            .await?
            .as_ref()
            .map(placement_json)),
        None => Ok(None),
    }
}

/// The picker section for a Deep Linking launch by an instructor in a course, `None` for any
/// other launch (a learner, or no context: the read-only page).
pub async fn picker_for(
    state: &AppState,
    registration: RegistrationId,
    claims: &LaunchClaims,
    roles: &[String],
    token: &str,
) -> Result<Option<String>, StoreError> {
    if claims.message_type != MessageType::LtiDeepLinkingRequest
        || !roles.iter().any(|r| r == "instructor")
    {
        return Ok(None);
    }
    let Some(settings) = &claims.deep_linking_settings else {
        return Ok(None);
    };
    let request = DeepLinkRequest::from_settings(settings);
    let definitions = match &claims.context {
        Some(context) => state
            .records
            .published_definitions(registration, &context.id)
            .await?
            .into_iter()
            .map(|row| row.body)
            .collect(),
        None => Vec::new(),
    };
    let available = deep_linking::placeables(&definitions);
    Ok(Some(picker::section(&request, &available, token)))
}
