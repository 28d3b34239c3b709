//! `POST /lti/launch` and `POST /lti/launch/confirm` (`spec/lti.md` §3.3–4). The launch runs the
//! pure checks of [`crate::launch`] around its I/O in the spec's order: peek (1–4), find the
//! registration (5), verify the token with the platform's cached keys, re-downloading them once
//! on an unknown kid (5b–12), consume the nonce atomically (13), then deployment, links, login
//! state and browser binding (14–16). A refusal is one [`LaunchError`]: its page, its status,
//! one log line with its code. An accepted launch creates the session (marking the login state
//! used in the same transaction) and answers the tool page with a short-lived API token.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::launch::{
    Binding, JwkSet, LaunchContext, LaunchError, LaunchForm, VerifiedLaunch, nonce_keep_until,
    peek, select_registration, verify_context, verify_token,
};
use crate::pages::binding;
use crate::pages::error::ErrorPage;
use crate::pages::tool::{LaunchView, PendingLaunch};
use crate::routes::cookie;
use crate::routes::login::{internal_error_page, origin_of};
use crate::store::{DeploymentOrigin, LoginState, Registration, Session, StoreError};

/// How long a session lasts (8 h).
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// How long the page's API bearer token lasts (1 h; the page asks for a new launch after).
pub const API_TOKEN_SECONDS: i64 = 3600;

/// Why a launch got no tool page.
enum Refusal {
    /// A check of §4 failed.
    Launch(LaunchError),
    /// The platform's keys could not be downloaded.
    KeysUnavailable(String),
    /// Cairn could not do its part.
    Internal(String),
}

impl From<LaunchError> for Refusal {
    fn from(error: LaunchError) -> Refusal {
        Refusal::Launch(error)
    }
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Refusal {
        Refusal::Internal(error.to_string())
    }
}

/// `POST /lti/launch`.
pub async fn launch(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let form = LaunchForm::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    match run_launch(&state, &headers, &form).await {
        Ok((response, result)) => {
            tracing::info!(result, "launch");
            state.metrics.record_launch(result, None);
            response
        }
        Err(Refusal::Launch(error)) => {
            tracing::warn!(code = error.code(), %error, "launch refused");
            state.metrics.record_launch("reject", Some(error.code()));
            ErrorPage::from(&error).render()
        }
        Err(Refusal::KeysUnavailable(why)) => {
            tracing::warn!(code = "platform_keys_unavailable", error = %why, "launch refused");
            state
                .metrics
                .record_launch("reject", Some("platform_keys_unavailable"));
            ErrorPage {
                code: "platform_keys_unavailable",
                status: StatusCode::BAD_GATEWAY,
                what_happened: "Cairn could not download your learning platform's public keys, so \
                    it cannot check who you are.",
                what_to_tell_the_admin: "Tell your LMS admin: the platform's keyset URL in Cairn's \
                    registration did not answer with a valid JWKS. Try again in a minute.",
            }
            .render()
        }
        Err(Refusal::Internal(why)) => {
            tracing::error!(code = "internal_error", error = %why, "launch failed");
            state
                .metrics
                .record_launch("reject", Some("internal_error"));
            internal_error_page()
        }
    }
}

async fn run_launch(
    state: &AppState,
    headers: &HeaderMap,
    form: &LaunchForm,
) -> Result<(Response, &'static str), Refusal> {
    let now = state.now();
    // 1–5: nothing in the token is trusted yet; iss and aud only find the registration.
    let token = peek(form)?;
    let candidates = state
        .store
        .registrations_for_issuer(token.iss().unwrap_or_default())
        .await?;
    let registration = select_registration(&token, &candidates)?.clone();
    // 5b–12, signature first, with one re-download on an unknown kid.
    let keys = platform_keys(state, &registration, None).await?;
    let verified = match verify_token(&token, &registration, &keys, now) {
        Err(LaunchError::UnknownKid { .. }) => {
            let keys = platform_keys(state, &registration, Some(token.kid())).await?;
            verify_token(&token, &registration, &keys, now)?
        }
        other => other?,
    };
    // 13: the nonce, once, atomically (after the signature, never before); the login state
    // of 15 is read in the same trip to the database (a read: no check is moved).
    let (first_use, login) = state
        .store
        .use_nonce_and_read_state(
            registration.id,
            &verified.claims.nonce,
            nonce_keep_until(now),
            token.state(),
        )
        .await?;
    if !first_use {
        return Err(LaunchError::NonceReused.into());
    }
    // 14–16 (the deployment comes from the store's cache).
    let deployment_known = match &verified.claims.deployment_id {
        Some(id) => state.store.deployment(registration.id, id).await?.is_some(),
        None => false,
    };
    let cookie_value = cookie::state_cookie(headers, token.state(), state.is_http_tool());
    let decision = verify_context(
        &verified,
        &LaunchContext {
            registration: &registration,
            deployment_known,
            login: login.as_ref(),
            cookie: cookie_value.as_deref(),
            lti_storage_target: form.lti_storage_target.as_deref(),
            launch_url: state.launch_url(),
        },
        now,
    )?;
    let Some(login) = login else {
        return Err(LaunchError::StateUnknown.into());
    };
    let deployment_id = verified.claims.deployment_id.clone().unwrap_or_default();
    if decision.create_deployment {
        state
            .store
            .add_deployment(
                registration.id,
                &deployment_id,
                DeploymentOrigin::Launch,
                now,
            )
            .await?;
    }
    match decision.binding {
        Binding::Relaunch => {
            let url = relaunch_url(state, &registration, &login);
            Ok((binding::relaunch(&url), "relaunch"))
        }
        Binding::Cookie | Binding::PlatformStorage => {
            let pending = decision.binding == Binding::PlatformStorage;
            let placement =
                crate::advantage::placement::resolve(state, registration.id, &verified.claims)
                    .await?;
            let placed_assessment = placed_assessment(placement.as_ref());
            let (session, token) =
                new_session(&verified, &login, &deployment_id, pending, placement, now)?;
            let picker = crate::advantage::placement::picker_for(
                state,
                registration.id,
                &verified.claims,
                &session.roles,
                &token,
            )
            .await?;
            match state.store.start_session(&login.state, &session).await {
                Ok(()) => {}
                // The state was used by a concurrent launch: the same answer as a replay.
                Err(StoreError::AlreadyExists(_)) => return Err(LaunchError::StateUnknown.into()),
                Err(other) => return Err(other.into()),
            }
            crate::advantage::roster::refresh_after_launch(
                state,
                &registration,
                &verified.claims,
                &session.roles,
            );
            keep_ags_endpoint(
                state,
                &verified,
                &deployment_id,
                placed_assessment.as_deref(),
                now,
            )
            .await?;
            let pending_view = pending.then(|| PendingLaunch {
                data: serde_json::json!({
                    "mode": "confirm",
                    "target": form.lti_storage_target.clone().unwrap_or_default(),
                    "platform_origin": origin_of(&registration.fields.auth_endpoint),
                    "session": session.id,
                    "state": login.state,
                    "nonce": login.nonce,
                    "confirm_url": state.config.public_url.join("/lti/launch/confirm"),
                }),
                relaunch_url: relaunch_url(state, &registration, &login),
            });
            let view = LaunchView {
                name: display_name(&verified),
                roles: session.roles.clone(),
                context_title: verified
                    .claims
                    .context
                    .as_ref()
                    .and_then(|c| c.title.clone().or_else(|| c.label.clone())),
                token,
                token_expires_at: session.token_expires_at,
                message_type: verified.claims.message_type.as_str().to_owned(),
                locale: verified
                    .claims
                    .launch_presentation
                    .as_ref()
                    .and_then(|p| p.locale.clone()),
                pending: pending_view,
                placement: session
                    .claims
                    .get("placement")
                    .cloned()
                    .filter(|p| !p.is_null()),
                picker,
            };
            let index = state.index_page.text().await.map_err(|e| {
                Refusal::Internal(format!(
                    "cannot read the tool page {}: {e}",
                    state.index_page.path().display()
                ))
            })?;
            let mut response = crate::pages::tool::render(&index, &view);
            for clear in cookie::clear_state_cookies(&login.state, state.is_http_tool()) {
                if let Ok(value) = HeaderValue::from_str(&clear) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            Ok((response, if pending { "accept_pending" } else { "accept" }))
        }
    }
}

/// The assessment a placed link opens (a Deep Linking placement with the assessment view).
fn placed_assessment(placement: Option<&serde_json::Value>) -> Option<String> {
    let placement = placement?;
    (placement.get("view")?.as_str()? == "assessment")
        .then(|| placement.get("assessment_id")?.as_str().map(str::to_owned))
        .flatten()
}

/// Keeps the launch's AGS endpoint claim for its context: the score outbox sends there
/// (`spec/lti.md` §8). A launch without a context or without the claim keeps nothing. When
/// the launch is of a link placed for an assessment and names its own line item (the column
/// the platform made from the Deep Linking item's `lineItem`), that line item becomes the
/// assessment's: scores then land in the activity's column, not in one Cairn created before
/// the link was placed (seen in Moodle 4.1). A claim with a line item container re-queues the
/// context's scores parked for want of one and wakes the outbox worker. A claim this process
/// stored lately, unchanged, is not written again
/// ([`crate::advantage::endpoint_memo`]).
async fn keep_ags_endpoint(
    state: &AppState,
    launch: &VerifiedLaunch,
    deployment_id: &str,
    placed_assessment: Option<&str>,
    now: i64,
) -> Result<(), Refusal> {
    let claims = &launch.claims;
    let (Some(ags), Some(context)) = (&claims.ags, &claims.context) else {
        return Ok(());
    };
    let row = crate::store::outbox::AgsEndpointRow {
        registration_id: launch.registration_id,
        deployment_id: deployment_id.to_owned(),
        context_id: context.id.clone(),
        resource_link_id: claims
            .resource_link
            .as_ref()
            .and_then(|r| r.id.clone())
            .unwrap_or_default(),
        lineitems: ags.lineitems.clone(),
        lineitem: ags.lineitem.clone(),
        scopes: ags.scope.clone(),
        updated_at: now,
    };
    // The same claim stored lately by this process: nothing to write or re-queue.
    let seen_at = std::time::Instant::now();
    if state
        .endpoint_memo
        .is_stored(&row, placed_assessment, seen_at)
    {
        return Ok(());
    }
    let outbox = state.store.outbox();
    outbox.put_ags_endpoint(&row).await?;
    if let (Some(assessment), Some(lineitem)) = (placed_assessment, &ags.lineitem) {
        outbox
            .put_line_item(
                launch.registration_id,
                &context.id,
                assessment,
                lineitem,
                now,
            )
            .await?;
    }
    // After the line item, so a re-queued score of a placed assessment goes to its column.
    if ags.lineitems.is_some() {
        let requeued = outbox
            .requeue_parked(
                launch.registration_id,
                &context.id,
                crate::advantage::outbox::NO_AGS_ENDPOINT,
                state.clock.now_ms(),
            )
            .await?;
        if requeued > 0 {
            tracing::info!(
                code = "scores_requeued",
                registration_id = launch.registration_id,
                context_id = %context.id,
                requeued,
                "a launch brought the AGS endpoint: parked scores re-queued"
            );
            state.outbox_wake.notify_one();
        }
    }
    state
        .endpoint_memo
        .remember(&row, placed_assessment, seen_at);
    Ok(())
}

/// The platform's keys from the cache; `after_miss` asks for the one re-download of §6.1.
async fn platform_keys(
    state: &AppState,
    registration: &Registration,
    after_miss: Option<&str>,
) -> Result<Arc<JwkSet>, Refusal> {
    let url = &registration.fields.jwks_url;
    let fetched = match after_miss {
        Some(kid) => state.jwks.refresh_after_miss(url, kid).await,
        None => state.jwks.key_set(url).await,
    };
    fetched.map_err(|e| Refusal::KeysUnavailable(e.to_string()))
}

fn display_name(launch: &VerifiedLaunch) -> Option<String> {
    let claims = &launch.claims;
    claims.name.clone().or_else(|| {
        match (claims.given_name.as_deref(), claims.family_name.as_deref()) {
            (Some(given), Some(family)) => Some(format!("{given} {family}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        }
    })
}

/// The session row and the bearer token handed to the page (only its hash is stored).
fn new_session(
    launch: &VerifiedLaunch,
    login: &LoginState,
    deployment_id: &str,
    pending: bool,
    placement: Option<serde_json::Value>,
    now: i64,
) -> Result<(Session, String), Refusal> {
    let claims = &launch.claims;
    let id = crate::random::token().map_err(|e| Refusal::Internal(e.to_string()))?;
    let token = crate::random::token().map_err(|e| Refusal::Internal(e.to_string()))?;
    let kept = serde_json::json!({
        "message_type": claims.message_type.as_str(),
        "name": display_name(launch),
        "email": claims.email,
        "context": claims.context.as_ref().map(|c| serde_json::json!({
            "id": c.id, "label": c.label, "title": c.title, "type": c.r#type,
        })),
        "resource_link": claims.resource_link.as_ref().map(|r| serde_json::json!({"id": r.id, "title": r.title})),
        "custom": claims.custom,
        "test_user": claims.roles.test_user,
        "product_family_code": claims.product_family_code,
        "locale": claims.launch_presentation.as_ref().and_then(|p| p.locale.clone()),
        "return_url": claims.launch_presentation.as_ref().and_then(|p| p.return_url.clone()),
        "ags": claims.ags.as_ref().map(|a| serde_json::json!({"scope": a.scope, "lineitems": a.lineitems, "lineitem": a.lineitem})),
        "nrps": claims.nrps.as_ref().map(|n| serde_json::json!({"context_memberships_url": n.context_memberships_url, "service_versions": n.service_versions})),
        "deep_linking_data": claims.deep_linking_settings.as_ref().and_then(|d| d.data.clone()),
        "deep_link_return_url": claims.deep_linking_settings.as_ref().and_then(|d| d.deep_link_return_url.clone()),
        "deep_linking": claims.deep_linking_settings.as_ref().map(crate::advantage::deep_linking::DeepLinkRequest::from_settings),
        "placement": placement,
        "login_state": login.state,
        "login_nonce": login.nonce,
    });
    let session = Session {
        id,
        token_hash: crate::random::token_hash(&token),
        token_expires_at: now + API_TOKEN_SECONDS,
        registration_id: launch.registration_id,
        deployment_id: deployment_id.to_owned(),
        context_id: claims.context.as_ref().map(|c| c.id.clone()),
        user_sub: claims.sub.clone(),
        roles: claims.roles.product_names(),
        claims: kept,
        pending,
        created_at: now,
        expires_at: now + SESSION_SECONDS,
    };
    Ok((session, token))
}

/// `/lti/login` with the stored login's parameters, minus `lti_storage_target` (§3.3).
fn relaunch_url(state: &AppState, registration: &Registration, login: &LoginState) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    {
        query.append_pair("iss", &registration.fields.issuer);
        query.append_pair("login_hint", &login.login_hint);
        query.append_pair("target_link_uri", &login.target_link_uri);
        query.append_pair("client_id", &registration.fields.client_id);
        if let Some(hint) = &login.lti_message_hint {
            query.append_pair("lti_message_hint", hint);
        }
        if let Some(deployment) = &login.deployment_id {
            query.append_pair("lti_deployment_id", deployment);
        }
    }
    format!("{}?{}", state.config.public_url.login_url(), query.finish())
}

/// The body of `POST /lti/launch/confirm`: what the page read back from platform storage.
#[derive(Debug, Deserialize)]
pub struct Confirm {
    /// The pending session's id.
    pub session: String,
    /// The state value platform storage held.
    pub state: String,
    /// The nonce value platform storage held.
    pub nonce: Option<String>,
}

/// `POST /lti/launch/confirm`: activates a pending session when the page proves it read the
/// login's state (and nonce) from the platform's storage (§3.4).
pub async fn confirm(State(state): State<AppState>, body: Bytes) -> Response {
    let refused = |status: StatusCode, code: &str, message: &str| {
        tracing::warn!(code, "launch confirmation refused");
        (
            status,
            Json(serde_json::json!({"code": code, "message": message, "details": {}})),
        )
            .into_response()
    };
    let Ok(request) = serde_json::from_slice::<Confirm>(&body) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "The body must be JSON {session, state, nonce}.",
        );
    };
    let session = match state.store.session(&request.session).await {
        Ok(Some(session)) if session.pending && session.expires_at > state.now() => session,
        Ok(_) => {
            return refused(
                StatusCode::UNAUTHORIZED,
                "state_unknown",
                "No pending launch has this session.",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "confirm: store");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Cairn could not read the session.",
            );
        }
    };
    let expected_state = session.claims["login_state"].as_str().unwrap_or_default();
    let expected_nonce = session.claims["login_nonce"].as_str().unwrap_or_default();
    if expected_state.is_empty() || request.state != expected_state {
        return refused(
            StatusCode::UNAUTHORIZED,
            "state_mismatch",
            "The state read from platform storage is not this launch's.",
        );
    }
    if request
        .nonce
        .as_deref()
        .is_some_and(|n| n != expected_nonce)
    {
        return refused(
            StatusCode::UNAUTHORIZED,
            "nonce_mismatch",
            "The nonce read from platform storage is not this launch's.",
        );
    }
    match state.store.activate_session(&session.id).await {
        Ok(true) => (
            StatusCode::OK,
            Json(serde_json::json!({"status": "active"})),
        )
            .into_response(),
        Ok(false) => refused(
            StatusCode::UNAUTHORIZED,
            "state_unknown",
            "This launch was already confirmed.",
        ),
        Err(e) => {
            tracing::error!(error = %e, "confirm: store");
            refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Cairn could not activate the session.",
            )
        }
    }
}
