//! `POST /lti/deep-linking/response` (`spec/lti.md` §7): the picker's form. The launch's API
//! token (a form field: the picker is a plain form) names a session that must be an active Deep
//! Linking launch by an instructor. The chosen items are checked against the request's settings
//! and the course's published definitions ([`deep_linking::select`]), recorded as placements,
//! and returned as an `LtiDeepLinkingResponse` signed with the tool's current key (RS256,
//! `kid`), in a form that submits itself to `deep_link_return_url`. A refused selection is
//! answered to the platform too, with `errormsg` and no items; "Cancel" sends no items.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::advantage::deep_linking::{self, DeepLinkRequest, Parties};
use crate::advantage::picker;
use crate::launch::MessageType;
use crate::pages::error::ErrorPage;
use crate::routes::login::internal_error_page;
use crate::store::Session;
use crate::store::advantage_rows::PlacementRow;

/// The picker's form, decoded.
#[derive(Debug, Default)]
struct PickerForm {
    token: String,
    items: Vec<String>,
    cancel: bool,
}

fn read_form(body: &[u8]) -> PickerForm {
    let mut form = PickerForm::default();
    for (name, value) in url::form_urlencoded::parse(body) {
        match name.as_ref() {
            "token" if form.token.is_empty() => form.token = value.into_owned(),
            "item" => form.items.push(value.into_owned()),
            "action" => form.cancel = value == "cancel",
            _ => {}
        }
    }
    form
}

fn refused(code: &'static str, status: StatusCode, what_happened: &'static str) -> Response {
    tracing::warn!(code, "deep linking response refused");
    ErrorPage {
        code,
        status,
        what_happened,
        what_to_tell_the_admin: "Open Cairn again from your course's \"add an activity\" or \
            \"external tool\" picker and choose again.",
    }
    .render()
}

/// `POST /lti/deep-linking/response`.
pub async fn respond(State(state): State<AppState>, body: Bytes) -> Response {
    let form = read_form(&body);
    let session = match deep_linking_session(&state, &form.token).await {
        Ok(session) => session,
        Err(response) => return *response,
    };
    match answer(&state, &session, &form).await {
        Ok(response) => response,
        Err(why) => {
            tracing::error!(code = "internal_error", error = %why, "deep linking response failed");
            internal_error_page()
        }
    }
}

/// The session behind the form's token, if it is an active instructor's Deep Linking launch.
async fn deep_linking_session(state: &AppState, token: &str) -> Result<Session, Box<Response>> {
    let unknown = || {
        Box::new(refused(
            "invalid_token",
            StatusCode::UNAUTHORIZED,
            "This choice does not belong to a current Cairn launch (it may have expired).",
        ))
    };
    if token.is_empty() {
        return Err(unknown());
    }
    let session = match state
        .store
        .session_by_token(&crate::random::token_hash(token))
        .await
    {
        Ok(Some(session)) => session,
        Ok(None) => return Err(unknown()),
        Err(error) => {
            tracing::error!(error = %error, "deep linking: store");
            return Err(Box::new(internal_error_page()));
        }
    };
    let now = state.now();
    if session.pending || session.token_expires_at <= now || session.expires_at <= now {
        return Err(unknown());
    }
    let is_deep_linking = session.claims["message_type"].as_str()
        == Some(MessageType::LtiDeepLinkingRequest.as_str());
    if !is_deep_linking || !session.roles.iter().any(|r| r == "instructor") {
        return Err(Box::new(refused(
            "not_a_deep_linking_launch",
            StatusCode::FORBIDDEN,
            "Only an instructor's content-selection launch can add Cairn items to a course.",
        )));
    }
    Ok(session)
}

/// Builds, records and signs the answer.
async fn answer(
    state: &AppState,
    session: &Session,
    form: &PickerForm,
) -> Result<Response, String> {
    let request: DeepLinkRequest =
        serde_json::from_value(session.claims["deep_linking"].clone())
            .map_err(|e| format!("the session's deep_linking settings: {e}"))?;
    let registration = state
        .store
        .registration_by_id(session.registration_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the session's registration is gone")?;
    let now = state.now();
    let definitions = match &session.context_id {
        Some(context) => state
            .records
            .published_definitions(session.registration_id, context)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|row| row.body)
            .collect(),
        None => Vec::new(),
    };
    let available = deep_linking::placeables(&definitions);
    let values: &[String] = if form.cancel { &[] } else { &form.items };
    let parties = Parties {
        client_id: &registration.fields.client_id,
        platform_issuer: &registration.fields.issuer,
        deployment_id: &session.deployment_id,
    };
    let nonce = crate::random::token().map_err(|e| e.to_string())?;
    let claims = match deep_linking::select(&request, &available, values) {
        Ok(chosen) => {
            let launch_url = state.launch_url().to_string();
            let mut items = Vec::with_capacity(chosen.len());
            let mut rows = Vec::with_capacity(chosen.len());
            for placeable in &chosen {
                let id = crate::random::token().map_err(|e| e.to_string())?;
                items.push(deep_linking::content_item(
                    &request,
                    placeable,
                    &id,
                    &launch_url,
                ));
                let (definition_id, assessment_id) = match &placeable.choice {
                    deep_linking::Choice::Assessment {
                        definition_id,
                        assessment_id,
                    } => (definition_id.clone(), Some(assessment_id.clone())),
                    deep_linking::Choice::Progress { definition_id } => {
                        (definition_id.clone(), None)
                    }
                };
                rows.push(PlacementRow {
                    id,
                    registration_id: session.registration_id,
                    deployment_id: session.deployment_id.clone(),
                    context_id: session.context_id.clone().unwrap_or_default(),
                    definition_id,
                    assessment_id,
                    title: placeable.title.clone(),
                    created_by: session.user_sub.clone(),
                    created_at: now,
                    resource_link_id: None,
                });
            }
            state
                .store
                .advantage()
                .insert_placements(&rows)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(items = items.len(), "deep linking response");
            deep_linking::response_claims(&request, &parties, items, now, &nonce)
        }
        Err(error) => {
            tracing::warn!(code = error.code(), %error, "deep linking selection refused");
            deep_linking::error_claims(&request, &parties, &error, now, &nonce)
        }
    };
    let kek = state
        .kek
        .as_deref()
        .ok_or("no key-encryption key: the tool's key cannot be opened")?;
    let key = crate::keys::signing_key(state.store.as_ref(), kek)
        .await
        .map_err(|e| e.to_string())?;
    let jwt = key.sign(&claims).map_err(|e| e.to_string())?;
    Ok(picker::return_form(&request.return_url, &jwt))
}
