//! The login → launch round trip through the whole app (tower `oneshot`, a real SQLite store,
//! the platform JWKS served by a real loopback HTTP server): a recorded Canvas student is
//! launched with a cookie, the replay of the same form is refused as `nonce_reused`, a launch
//! without the cookie but with platform storage is pending until the page confirms it, and the
//! tool's JWKS lists its keys. The student's launch keeps the context's AGS endpoint and
//! re-queues the scores parked there for want of it. The whole negative-case catalogue runs in `launch_catalogue.rs`.

mod app_support;
mod lti_support;

use app_support::{NOW, TestDir, body_bytes, header_of, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cairn_lti::AppState;
use cairn_lti::store::{DeploymentOrigin, NewRegistration, PlatformFamily};
use lti_support::mutate::{build_launch, load_claims, standard_payload};
use lti_support::tool::serve_platform_jwks;

/// Registers the claim set's platform with the loopback JWKS.
async fn register(state: &AppState, fixture: &serde_json::Value, jwks_url: &str) {
    let client_id = fixture["registration"]["client_id"]
        .as_str()
        .expect("client_id");
    register_as(state, fixture, jwks_url, client_id).await;
}

/// Registers the claim set's platform under `client_id` (one LMS, several developer keys).
async fn register_as(
    state: &AppState,
    fixture: &serde_json::Value,
    jwks_url: &str,
    client_id: &str,
) {
    let registration = &fixture["registration"];
    let row = state
        .store
        .add_registration(
            &NewRegistration {
                issuer: registration["iss"].as_str().expect("iss").to_owned(),
                client_id: client_id.to_owned(),
                auth_endpoint: "https://sso.canvaslms.test/api/lti/authorize_redirect".into(),
                token_endpoint: "https://sso.canvaslms.test/login/oauth2/token".into(),
                jwks_url: jwks_url.to_owned(),
                client_assertion_audience: None,
                platform_family: PlatformFamily::Canvas,
                auto_register_deployments: false,
                allow_http: true,
            },
            NOW,
        )
        .await
        .expect("register");
    state
        .store
        .add_deployment(
            row.id,
            registration["deployment_id"].as_str().expect("deployment"),
            DeploymentOrigin::Admin,
            NOW,
        )
        .await
        .expect("deployment");
}

/// A login POST; returns (status, Location or body, Set-Cookie).
async fn login(state: &AppState, params: &[(&str, &str)]) -> (StatusCode, String, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let response = send(
        state,
        Request::post("/lti/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request"),
    )
    .await;
    let status = response.status();
    let location = header_of(&response, header::LOCATION);
    let cookie = header_of(&response, header::SET_COOKIE);
    let text = if location.is_empty() {
        String::from_utf8_lossy(&body_bytes(response).await).into_owned()
    } else {
        location
    };
    (status, text, cookie)
}

/// The API token the tool page carries in `#cairn-launch`.
fn page_token(page: &str) -> String {
    let start = page.find("\"token\":\"").expect("token in the page") + "\"token\":\"".len();
    let end = start + page[start..].find('"').expect("token end");
    page[start..end].to_owned()
}

/// `GET /api/session` with a bearer token; the status and JSON body.
async fn api_session(state: &AppState, token: &str) -> (StatusCode, serde_json::Value) {
    let response = send(
        state,
        Request::get("/api/session")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    app_support::json_of(response).await
}

fn query_value(url: &str, name: &str) -> String {
    let parsed = url::Url::parse(url).expect("auth request URL");
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} missing from {url}"))
}

async fn post_launch(
    state: &AppState,
    form: &[(String, String)],
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request = Request::post("/lti/launch")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = send(state, request.body(Body::from(body)).expect("request")).await;
    let status = response.status();
    (
        status,
        String::from_utf8_lossy(&body_bytes(response).await).into_owned(),
    )
}

/// Queues one score for `sub` in `context` with an enrolment and parks it `no_ags_endpoint`,
/// as the outbox worker does when no launch brought the context's endpoint; its row id.
async fn park_for_want_of_endpoint(
    state: &AppState,
    registration_id: i64,
    context: &str,
    sub: &str,
) -> i64 {
    use cairn::event::{Event, EventKind};
    use cairn_lti::store::outbox::{Finish, NewScore};
    use cairn_lti::store::records::{Author, LearnerScope, NewEvent};
    let scope = LearnerScope {
        registration_id,
        context_id: context.into(),
        learner_sub: sub.into(),
    };
    let event = Event {
        at: cairn::time::Timestamp::from_unix_seconds(NOW - 60),
        kind: EventKind::Enrolled {
            credential: cairn::ids::DefinitionId::new("spt"),
            offering: None,
            version: None,
        },
    };
    let author = Author {
        sub: "teacher".into(),
        role: "instructor".into(),
        deployment_id: "d".into(),
        request_id: None,
    };
    let new = NewEvent {
        event: &event,
        meta: &serde_json::json!({}),
        author: &author,
    };
    let score = NewScore {
        assessment_id: "A1".into(),
        state_key: "s1".into(),
        payload: serde_json::json!({}),
        now_ms: (NOW - 60) * 1000,
    };
    state
        .store
        .records()
        .append_scored(&scope, None, Some(new), &[], &[score], NOW - 60)
        .await
        .expect("append");
    let outbox = state.store.outbox();
    let rows = outbox
        .learner_scores(registration_id, context, sub)
        .await
        .expect("rows");
    let claimed = outbox
        .claim_scores(NOW * 1000, NOW * 1000 + 1_000, 100)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    let park = Finish::Park {
        reason: "no_ags_endpoint".into(),
        detail: "no launch carried it".into(),
    };
    assert!(outbox.finish_score(rows[0].id, &park).await.expect("park"));
    rows[0].id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canvas_student_launches_and_a_replay_is_refused() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let (claims, fixture) = load_claims("canvas-student");
    register(&state, &fixture, &serve_platform_jwks().await).await;
    let registration = &fixture["registration"];
    let sub = claims["sub"].as_str().expect("sub").to_owned();
    let context = claims["https://purl.imsglobal.org/spec/lti/claim/context"]["id"]
        .as_str()
        .expect("context id");
    let registration_id = state.store.registrations().await.expect("registrations")[0].id;
    // Scores queued before any launch brought the context's AGS endpoint were parked.
    let parked_here = park_for_want_of_endpoint(&state, registration_id, context, &sub).await;
    let parked_elsewhere =
        park_for_want_of_endpoint(&state, registration_id, "another-course", &sub).await;

    let (status, location, set_cookie) = login(
        &state,
        &[
            ("iss", registration["iss"].as_str().expect("iss")),
            (
                "client_id",
                registration["client_id"].as_str().expect("client"),
            ),
            (
                "lti_deployment_id",
                registration["deployment_id"].as_str().expect("dep"),
            ),
            ("login_hint", &sub),
            ("lti_message_hint", "fixture"),
            ("target_link_uri", "https://tool.test/lti/launch"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FOUND, "{location}");
    assert!(location.starts_with("https://sso.canvaslms.test/api/lti/authorize_redirect?"));
    assert_eq!(
        query_value(&location, "redirect_uri"),
        "https://tool.test/lti/launch"
    );
    assert_eq!(query_value(&location, "lti_message_hint"), "fixture");
    assert_eq!(query_value(&location, "response_mode"), "form_post");
    let state_value = query_value(&location, "state");
    let nonce = query_value(&location, "nonce");
    assert!(set_cookie.starts_with(&format!("__Host-lti_state_{state_value}={state_value};")));
    assert!(set_cookie.contains("Partitioned"));

    let payload = standard_payload(
        &claims,
        &fixture,
        NOW,
        &nonce,
        "https://tool.test/lti/launch",
    );
    let built = build_launch(payload, &[], NOW, &state_value);
    let cookie = format!("__Host-lti_state_{state_value}={state_value}");
    let (status, page) = post_launch(&state, &built.form, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"launch-role\">learner<"), "{page}");
    assert!(page.contains("\"token\":\""), "the page gets an API token");
    assert!(
        !page.contains(built.field("id_token").expect("id_token")),
        "the id_token never reaches the page"
    );
    // The AGS endpoint claim is kept for the context: the score outbox sends there.
    let ags = &claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"];
    let kept = state
        .store
        .outbox()
        .ags_endpoint(registration_id, context)
        .await
        .expect("read")
        .expect("the launch kept the AGS endpoint");
    assert_eq!(kept.lineitems.as_deref(), ags["lineitems"].as_str());
    assert_eq!(kept.lineitem.as_deref(), ags["lineitem"].as_str());
    assert_eq!(
        kept.deployment_id,
        registration["deployment_id"].as_str().expect("dep")
    );
    assert_eq!(serde_json::json!(kept.scopes), ags["scope"]);
    // It re-queued the context's scores parked for want of it, and only those.
    let outbox = state.store.outbox();
    let row = outbox.score_row(parked_here).await.unwrap().expect("row");
    assert_eq!((row.status.as_str(), row.reason), ("pending", None));
    let row = outbox
        .score_row(parked_elsewhere)
        .await
        .unwrap()
        .expect("row");
    assert_eq!(row.status, "parked");
    assert_eq!(row.reason.as_deref(), Some("no_ags_endpoint"));

    let (status, page) = post_launch(&state, &built.form, Some(&cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        page.contains("<code id=\"error-code\">nonce_reused</code>"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_storage_launch_is_pending_until_confirmed() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let (claims, fixture) = load_claims("canvas-student");
    register(&state, &fixture, &serve_platform_jwks().await).await;
    let registration = &fixture["registration"];
    let (status, page, _cookie) = login(
        &state,
        &[
            ("iss", registration["iss"].as_str().expect("iss")),
            (
                "client_id",
                registration["client_id"].as_str().expect("client"),
            ),
            ("login_hint", "hint"),
            ("lti_message_hint", "fixture"),
            ("target_link_uri", "https://tool.test/lti/launch"),
            ("lti_storage_target", "post_message_forwarding"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "platform storage answers a page, not a 302"
    );
    let data_start = page.find("id=\"lti-data\">").expect("#lti-data") + "id=\"lti-data\">".len();
    let data_end = data_start + page[data_start..].find("</script>").expect("end");
    let data: serde_json::Value = serde_json::from_str(&page[data_start..data_end]).expect("JSON");
    assert_eq!(data["mode"], "login");
    assert_eq!(data["platform_origin"], "https://sso.canvaslms.test");
    let (state_value, nonce) = (
        data["state"].as_str().expect("state").to_owned(),
        data["nonce"].as_str().expect("nonce").to_owned(),
    );

    let payload = standard_payload(
        &claims,
        &fixture,
        NOW,
        &nonce,
        "https://tool.test/lti/launch",
    );
    let mut built = build_launch(payload, &[], NOW, &state_value);
    built.form.push((
        "lti_storage_target".into(),
        "post_message_forwarding".into(),
    ));
    let (status, page) = post_launch(&state, &built.form, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("\"pending\":true"));
    let start = page.find("id=\"lti-data\">").expect("confirm data") + "id=\"lti-data\">".len();
    let end = start + page[start..].find("</script>").expect("end");
    let confirm: serde_json::Value = serde_json::from_str(&page[start..end]).expect("JSON");
    let session = confirm["session"].as_str().expect("session").to_owned();
    let token = page_token(&page);
    let (status, error) = api_session(&state, &token).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("session_pending"))
    );

    let post_confirm = |body: serde_json::Value| {
        Request::post("/lti/launch/confirm")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let wrong = send(
        &state,
        post_confirm(serde_json::json!({"session": session, "state": "forged", "nonce": nonce})),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let stored = state
        .store
        .session(&session)
        .await
        .expect("read")
        .expect("session");
    assert!(stored.pending, "a wrong state leaves the session pending");
    let right = send(
        &state,
        post_confirm(serde_json::json!({"session": session, "state": state_value, "nonce": nonce})),
    )
    .await;
    assert_eq!(right.status(), StatusCode::OK);
    let stored = state
        .store
        .session(&session)
        .await
        .expect("read")
        .expect("session");
    assert!(!stored.pending, "confirmed");
}

#[tokio::test]
async fn the_tool_jwks_lists_public_keys_only() {
    let dir = TestDir::new();
    let state = dir.state().await;
    let kek = cairn_lti::keys::KeyEncryptionKey::from_secret(&[7; 32]).expect("kek");
    cairn_lti::keys::ensure(state.store.as_ref(), &kek, NOW)
        .await
        .expect("keys");
    let response = app_support::get(&state, "/.well-known/jwks.json").await;
    assert_eq!(header_of(&response, header::CACHE_CONTROL), "max-age=300");
    let (status, jwks) = app_support::json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    let keys = jwks["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2, "current and next");
    for key in keys {
        assert_eq!(key["kty"], "RSA");
        assert!(
            key.get("d").is_none() && key.get("p").is_none(),
            "no private member"
        );
    }
}

/// Logs in for `client_id` and launches the claim set (aud = that client id); returns the
/// launch's status and page, and the login's state.
async fn launch_as(
    state: &AppState,
    claims: &serde_json::Map<String, serde_json::Value>,
    fixture: &serde_json::Value,
    login_client_id: &str,
    token_client_id: &str,
) -> (StatusCode, String) {
    let registration = &fixture["registration"];
    let (status, location, _) = login(
        state,
        &[
            ("iss", registration["iss"].as_str().expect("iss")),
            ("client_id", login_client_id),
            ("login_hint", "hint"),
            ("target_link_uri", "https://tool.test/lti/launch"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FOUND, "{location}");
    let (state_value, nonce) = (
        query_value(&location, "state"),
        query_value(&location, "nonce"),
    );
    let mut payload =
        standard_payload(claims, fixture, NOW, &nonce, "https://tool.test/lti/launch");
    payload.insert("aud".into(), serde_json::json!(token_client_id));
    payload.insert("azp".into(), serde_json::json!(token_client_id));
    let built = build_launch(payload, &[], NOW, &state_value);
    let cookie = format!("__Host-lti_state_{state_value}={state_value}");
    post_launch(state, &built.form, Some(&cookie)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_registrations_of_one_issuer_never_share_a_launch_or_a_session() {
    // Hosted Canvas: one `iss` for every institution, one client id per developer key.
    let dir = TestDir::new();
    let state = dir.state().await;
    let (claims, fixture) = load_claims("canvas-student");
    let jwks = serve_platform_jwks().await;
    let first = fixture["registration"]["client_id"]
        .as_str()
        .expect("client")
        .to_owned();
    let second = format!("{first}-other-institution");
    register_as(&state, &fixture, &jwks, &first).await;
    register_as(&state, &fixture, &jwks, &second).await;

    let (status, page_a) = launch_as(&state, &claims, &fixture, &first, &first).await;
    assert_eq!(status, StatusCode::OK, "{page_a}");
    let (status, page_b) = launch_as(&state, &claims, &fixture, &second, &second).await;
    assert_eq!(status, StatusCode::OK, "{page_b}");
    let (_, session_a) = api_session(&state, &page_token(&page_a)).await;
    let (_, session_b) = api_session(&state, &page_token(&page_b)).await;
    assert_eq!(
        session_a["user_sub"], session_b["user_sub"],
        "the same person at both"
    );
    assert_ne!(
        session_a["registration_id"], session_b["registration_id"],
        "same sub, deployment and context, yet two tenants"
    );

    // A login for the first institution cannot complete a token issued to the second.
    let (status, page) = launch_as(&state, &claims, &fixture, &first, &second).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert!(
        page.contains("<code id=\"error-code\">login_mismatch</code>"),
        "{page}"
    );
}
