//! The demo platform's routes, all in one place: the course page (`/`), the OIDC auth
//! endpoint (`/auth`, GET and POST), the JWKS (`/jwks`), Canvas's platform-storage frame
//! (`/post_message_forwarding`), its static script and style, and 501 answers on the
//! service URLs the id_tokens name. Handlers read the clock and hand `now` to pure code.

use axum::Router;
use axum::extract::{Form, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{any, get};
use serde::Deserialize;
use serde_json::json;

use super::DemoPlatform;
use super::auth::{AuthGrant, AuthRefusal, check_auth_request};
use super::claims::{LaunchFacts, id_token_claims};
use super::launches::LaunchKind;
use super::pages::{
    CoursePage, LaunchButton, STORAGE_FRAME, auto_submit_page, course_page, course_page_csp,
    error_page, framed_page_csp, storage_frame_page,
};
use super::people::{CourseRole, Flavour, PEOPLE};
use crate::random::token;

const PLATFORM_JS: &str = include_str!("platform.js");
const PLATFORM_CSS: &str = include_str!("platform.css");

/// The demo platform's whole router.
pub fn platform_app(platform: DemoPlatform) -> Router {
    Router::new()
        .route("/", get(course))
        .route("/auth", get(auth_get).post(auth_post))
        .route("/jwks", get(jwks))
        .route(
            super::deep_linking::RETURN_PATH,
            axum::routing::post(super::deep_linking::deep_links),
        )
        .route(
            "/canvas/api/lti/courses/1/names_and_roles",
            get(super::roster::memberships),
        )
        .route(
            "/moodle/mod/lti/services.php/CourseSection/2/bindings/1/memberships",
            get(super::roster::memberships),
        )
        .route(&format!("/{STORAGE_FRAME}"), get(storage_frame))
        .route("/static/platform.js", get(script))
        .route("/static/platform.css", get(style))
        .merge(super::services::routes())
        .merge(super::registration::routes())
        .route("/canvas/{*rest}", any(not_implemented))
        .route("/moodle/{*rest}", any(not_implemented))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(platform)
}

#[derive(Debug, Deserialize)]
struct CourseQuery {
    flavour: Option<String>,
}

async fn course(
    State(platform): State<DemoPlatform>,
    Query(query): Query<CourseQuery>,
) -> Response {
    let flavour = query
        .flavour
        .as_deref()
        .and_then(Flavour::parse)
        .unwrap_or(Flavour::Canvas);
    let now = platform.now();
    let login_url = platform.tool_login_url();
    let launch_url = platform.tool_launch_url();
    // Every person's launch; the instructor's Deep Linking launch; every person's launch of
    // each placed link.
    let mut wanted: Vec<(usize, LaunchKind, Option<String>)> = (0..PEOPLE.len())
        .map(|i| (i, LaunchKind::ResourceLink, None))
        .collect();
    if let Some(teacher) = PEOPLE.iter().position(|p| p.role == CourseRole::Instructor) {
        wanted.push((
            teacher,
            LaunchKind::DeepLinking,
            Some(format!(
                "Place an assessment (Deep Linking) as {}",
                PEOPLE[teacher].label()
            )),
        ));
    }
    for (link, placed) in platform.placed().of(flavour) {
        for (index, person) in PEOPLE.iter().enumerate() {
            wanted.push((
                index,
                LaunchKind::Placed(link),
                Some(format!(
                    "Open \u{201c}{}\u{201d} as {}",
                    placed.title,
                    person.label()
                )),
            ));
        }
    }
    let mut buttons = Vec::with_capacity(wanted.len());
    for (index, kind, label) in wanted {
        let person = &PEOPLE[index];
        let hint = match platform.launches().issue_kind(flavour, index, kind, now) {
            Ok(hint) => hint,
            Err(err) => {
                tracing::error!(error = %err, "demo platform: cannot mint a launch");
                return (StatusCode::INTERNAL_SERVER_ERROR, "cannot mint a launch").into_response();
            }
        };
        let mut fields = vec![
            ("iss", flavour.issuer().to_owned()),
            ("login_hint", person.login_hint(flavour).to_owned()),
            ("client_id", flavour.client_id().to_owned()),
            ("lti_deployment_id", flavour.deployment_id().to_owned()),
            ("target_link_uri", launch_url.clone()),
            ("lti_message_hint", hint),
        ];
        if flavour == Flavour::Canvas {
            fields.extend([
                ("canvas_environment", "prod".to_owned()),
                ("canvas_region", "not_configured".to_owned()),
                ("lti_storage_target", STORAGE_FRAME.to_owned()),
            ]);
        }
        buttons.push(LaunchButton {
            person,
            fields,
            label,
        });
    }
    let registration = platform.registration(flavour);
    let page = CoursePage {
        flavour,
        tool_origin: platform.tool_origin(),
        login_url: &login_url,
        registration: vec![
            ("Platform ID (iss)", registration.issuer),
            ("Client ID", registration.client_id),
            ("Deployment ID", flavour.deployment_id().to_owned()),
            ("Authentication request URL", registration.auth_endpoint),
            ("Public keyset URL", registration.jwks_url),
            ("Access token URL", registration.token_endpoint),
            ("Tool login URL", login_url.clone()),
            ("Redirection URI", launch_url.clone()),
        ],
        buttons,
        admin_token: platform.admin_token(),
    };
    html(
        StatusCode::OK,
        course_page(&page),
        &course_page_csp(platform.tool_origin()),
    )
}

async fn auth_get(
    State(platform): State<DemoPlatform>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    answer_auth(&platform, &params)
}

async fn auth_post(
    State(platform): State<DemoPlatform>,
    Form(params): Form<Vec<(String, String)>>,
) -> Response {
    answer_auth(&platform, &params)
}

fn answer_auth(platform: &DemoPlatform, params: &[(String, String)]) -> Response {
    let now = platform.now();
    let redirect_uri = platform.tool_launch_url();
    let checked = check_auth_request(params, &redirect_uri, |hint| {
        platform.launches().find(hint, now)
    });
    match checked {
        Ok(grant) => match post_id_token(platform, &grant, now) {
            Ok(response) => response,
            Err(err) => {
                tracing::error!(error = %err, "demo platform: cannot sign the id_token");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "cannot sign the id_token",
                )
                    .into_response()
            }
        },
        Err(AuthRefusal::Page { code, reason }) => {
            tracing::warn!(code, %reason, "demo platform refused an auth request");
            html(
                StatusCode::BAD_REQUEST,
                error_page(code, &reason),
                &framed_page_csp("'none'"),
            )
        }
        Err(AuthRefusal::Redirect {
            error,
            description,
            redirect_uri,
            state,
        }) => {
            tracing::warn!(error, %description, "demo platform answered an auth request with an error");
            let mut fields = vec![
                ("error", error.to_owned()),
                ("error_description", description),
            ];
            if let Some(state) = state {
                fields.push(("state", state));
            }
            let page = auto_submit_page("The platform refused the login", &redirect_uri, &fields);
            html(
                StatusCode::OK,
                page,
                &framed_page_csp(platform.tool_origin()),
            )
        }
    }
}

/// The OIDC form_post of a signed id_token (plus Canvas's extra launch form fields).
fn post_id_token(
    platform: &DemoPlatform,
    grant: &AuthGrant,
    now: i64,
) -> Result<Response, super::signing::SigningError> {
    let facts = LaunchFacts {
        flavour: grant.flavour,
        person: grant.person,
        nonce: &grant.nonce,
        now,
        platform_url: platform.platform_url(),
        target_link_uri: &grant.redirect_uri,
    };
    let mut claims = id_token_claims(&facts);
    match grant.kind {
        LaunchKind::ResourceLink => {}
        LaunchKind::DeepLinking => super::deep_linking::to_deep_linking_request(
            &mut claims,
            platform.platform_url(),
            grant.flavour,
        ),
        LaunchKind::Placed(index) => {
            if let Some(link) = platform.placed().get(index) {
                super::deep_linking::to_placed_link_launch(&mut claims, &link);
            }
        }
    }
    let id_token = platform.key().sign(&claims)?;
    let mut fields = Vec::with_capacity(5);
    if grant.flavour == Flavour::Canvas {
        // Canvas posts these too; a tool must ignore what it does not know.
        fields.push(("utf8", "\u{2713}".to_owned()));
        fields.push(("authenticity_token", token()?));
    }
    fields.push(("id_token", id_token));
    fields.push(("state", grant.state.clone()));
    if grant.flavour == Flavour::Canvas {
        fields.push(("lti_storage_target", STORAGE_FRAME.to_owned()));
    }
    tracing::info!(
        flavour = grant.flavour.as_str(),
        user = grant.person.name,
        "demo platform: launching"
    );
    let heading = format!("Launching Cairn as {}", grant.person.label());
    Ok(html(
        StatusCode::OK,
        auto_submit_page(&heading, &grant.redirect_uri, &fields),
        &framed_page_csp(platform.tool_origin()),
    ))
}

async fn jwks(State(platform): State<DemoPlatform>) -> Response {
    let mut response = Json(platform.jwks()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=300"),
    );
    response
}

async fn storage_frame(State(platform): State<DemoPlatform>) -> Response {
    html(
        StatusCode::OK,
        storage_frame_page(platform.tool_origin()),
        &framed_page_csp("'none'"),
    )
}

async fn script() -> Response {
    static_file(PLATFORM_JS, "text/javascript; charset=utf-8")
}

async fn style() -> Response {
    static_file(PLATFORM_CSS, "text/css; charset=utf-8")
}

async fn not_implemented() -> Response {
    (
        StatusCode::NOT_IMPLEMENTED,
        Json(json!({
            "error": "not_implemented",
            "message": "the demo platform does not serve this LTI Advantage service",
        })),
    )
        .into_response()
}

fn static_file(body: &'static str, media_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// An HTML answer with its own policy; never cached (hints, states and tokens are in it).
fn html(status: StatusCode, body: String, csp: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Headers on every answer; a strict policy where a handler set none. The referrer policy is
/// the browsers' default, as an LMS leaves it (a POST then still carries its `Origin`).
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        ));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    response
}
