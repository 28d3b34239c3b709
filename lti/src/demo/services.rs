//! The demo platform's LTI Advantage endpoints for grades, in each flavour's URL shapes: the
//! OAuth 2 token endpoint (client credentials with a `private_key_jwt` assertion, verified
//! against the tool's published JWKS), AGS line items, scores and results over the
//! [`Gradebook`], the gradebook page (`/gradebook`), its JSON (`/gradebook.json`) and the test
//! switch (`POST /gradebook/mode`: normal, 500, 409 or slow).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Value, json};

use super::DemoPlatform;
use super::gradebook::{Mode, ScoreRefusal};
use super::pages::escape_html;
use super::people::Flavour;
use crate::advantage::token::{
    CLIENT_ASSERTION_TYPE, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_NRPS,
    SCOPE_RESULT_READONLY, SCOPE_SCORE,
};

/// Canvas's line item container path (course 1).
const CANVAS_ITEMS: &str = "/canvas/api/lti/courses/1/line_items";
/// Moodle's line item container path (tool type 2).
const MOODLE_ITEMS: &str = "/moodle/mod/lti/services.php/2/lineitems";
/// The scopes the demo grants.
const GRANTABLE: [&str; 5] = [
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    SCOPE_NRPS,
];

/// The routes of this file, to merge into the platform's router.
pub fn routes() -> Router<DemoPlatform> {
    Router::new()
        .route("/canvas/login/oauth2/token", post(canvas_token))
        .route("/moodle/mod/lti/token.php", post(moodle_token))
        .route(CANVAS_ITEMS, get(canvas_list).post(canvas_create))
        .route(&format!("{CANVAS_ITEMS}/{{n}}"), get(canvas_item))
        .route(&format!("{CANVAS_ITEMS}/{{n}}/scores"), post(canvas_score))
        .route(
            &format!("{CANVAS_ITEMS}/{{n}}/results"),
            get(canvas_results),
        )
        .route(MOODLE_ITEMS, get(moodle_list).post(moodle_create))
        .route(&format!("{MOODLE_ITEMS}/{{n}}/lineitem"), get(moodle_item))
        .route(
            &format!("{MOODLE_ITEMS}/{{n}}/lineitem/scores"),
            post(moodle_score),
        )
        .route(
            &format!("{MOODLE_ITEMS}/{{n}}/lineitem/results"),
            get(moodle_results),
        )
        .route("/gradebook", get(page))
        .route("/gradebook.json", get(snapshot))
        .route("/gradebook/mode", post(set_mode))
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": code, "error_description": message})),
    )
        .into_response()
}

// -- tokens ------------------------------------------------------------------------------

async fn canvas_token(
    State(p): State<DemoPlatform>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    token(&p, Flavour::Canvas, &f).await
}

async fn moodle_token(
    State(p): State<DemoPlatform>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    token(&p, Flavour::Moodle, &f).await
}

/// Verifies the client assertion with the tool's JWKS and grants the requested scopes the
/// demo allows (an empty grant is `invalid_scope`, as Moodle answers).
async fn token(
    platform: &DemoPlatform,
    flavour: Flavour,
    form: &BTreeMap<String, String>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials"
        || field("client_assertion_type") != CLIENT_ASSERTION_TYPE
    {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client credentials with a JWT assertion only",
        );
    }
    if let Err(reason) = verify_assertion(platform, flavour, field("client_assertion")).await {
        return error(StatusCode::UNAUTHORIZED, "invalid_client", &reason);
    }
    let granted: Vec<String> = field("scope")
        .split_whitespace()
        .filter(|scope| GRANTABLE.contains(scope))
        .map(str::to_owned)
        .collect();
    if granted.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "no requested scope is allowed",
        );
    }
    let Ok(access_token) = crate::random::token() else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "no randomness",
        );
    };
    let expires_in = 3600;
    platform.gradebook().add_token(
        access_token.clone(),
        flavour,
        platform.now() + expires_in,
        granted.clone(),
    );
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": granted.join(" "),
    }))
    .into_response()
}

async fn verify_assertion(
    platform: &DemoPlatform,
    flavour: Flavour,
    assertion: &str,
) -> Result<(), String> {
    let header =
        jsonwebtoken::decode_header(assertion).map_err(|e| format!("assertion header: {e}"))?;
    let kid = header.kid.ok_or("the assertion has no kid")?;
    let url = format!("{}/.well-known/jwks.json", platform.tool_url());
    let keys: JwkSet = platform
        .http()
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("tool JWKS {url}: {e}"))?
        .json()
        .await
        .map_err(|e| format!("tool JWKS {url}: {e}"))?;
    let jwk = keys
        .find(&kid)
        .ok_or_else(|| format!("kid {kid} is not in the tool's JWKS"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("tool key {kid}: {e}"))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[platform.token_endpoint(flavour)]);
    validation.set_issuer(&[flavour.client_id()]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "sub", "aud", "jti"]);
    let data = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
        .map_err(|e| format!("assertion: {e}"))?;
    if data.claims["sub"] != flavour.client_id() {
        return Err("sub is not the client id".into());
    }
    Ok(())
}

// -- line items, scores, results ---------------------------------------------------------

/// The service preamble: the mode's delay or 500, then the bearer token's scope.
async fn guard(
    platform: &DemoPlatform,
    flavour: Flavour,
    headers: &HeaderMap,
    scopes: &[&str],
) -> Option<Response> {
    let book = platform.gradebook();
    if let Some(delay) = book.delay() {
        tokio::time::sleep(delay).await;
    }
    if book.mode() == Mode::Fail500 {
        return Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the gradebook is down (test switch)",
        ));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let now = platform.now();
    if scopes
        .iter()
        .any(|scope| book.token_allows(token, flavour, scope, now))
    {
        None
    } else {
        Some(error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "a bearer token with the scope is needed",
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    resource_id: Option<String>,
    resource_link_id: Option<String>,
    user_id: Option<String>,
}

fn item_url(platform: &DemoPlatform, flavour: Flavour, number: u64) -> String {
    match flavour {
        Flavour::Canvas => format!("{}{CANVAS_ITEMS}/{number}", platform.platform_url()),
        Flavour::Moodle => format!(
            "{}{MOODLE_ITEMS}/{number}/lineitem?type_id=1",
            platform.platform_url()
        ),
    }
}

async fn list(
    platform: &DemoPlatform,
    flavour: Flavour,
    headers: &HeaderMap,
    query: &ListQuery,
) -> Response {
    if let Some(refused) = guard(
        platform,
        flavour,
        headers,
        &[SCOPE_LINEITEM_READONLY, SCOPE_LINEITEM],
    )
    .await
    {
        return refused;
    }
    let items = platform.gradebook().line_items(
        flavour,
        query.resource_id.as_deref(),
        query.resource_link_id.as_deref(),
    );
    typed(
        Json(items).into_response(),
        "application/vnd.ims.lis.v2.lineitemcontainer+json",
    )
}

async fn create(
    platform: &DemoPlatform,
    flavour: Flavour,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if let Some(refused) = guard(platform, flavour, headers, &[SCOPE_LINEITEM]).await {
        return refused;
    }
    let item: Value = match serde_json::from_slice(body) {
        Ok(item @ Value::Object(_)) => item,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "a line item JSON object",
            );
        }
    };
    if !item["scoreMaximum"].is_number() || !item["label"].is_string() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "scoreMaximum and label are required",
        );
    }
    let created = platform
        .gradebook()
        .create_line_item(flavour, item, |n| item_url(platform, flavour, n));
    typed(
        (StatusCode::CREATED, Json(created)).into_response(),
        "application/vnd.ims.lis.v2.lineitem+json",
    )
}

async fn item(
    platform: &DemoPlatform,
    flavour: Flavour,
    headers: &HeaderMap,
    number: u64,
) -> Response {
    if let Some(refused) = guard(
        platform,
        flavour,
        headers,
        &[SCOPE_LINEITEM_READONLY, SCOPE_LINEITEM],
    )
    .await
    {
        return refused;
    }
    match platform.gradebook().line_item(flavour, number) {
        Some(item) => typed(
            Json(item).into_response(),
            "application/vnd.ims.lis.v2.lineitem+json",
        ),
        None => error(StatusCode::NOT_FOUND, "not_found", "no such line item"),
    }
}

async fn score(
    platform: &DemoPlatform,
    flavour: Flavour,
    headers: &HeaderMap,
    number: u64,
    body: &[u8],
) -> Response {
    if let Some(refused) = guard(platform, flavour, headers, &[SCOPE_SCORE]).await {
        return refused;
    }
    let book = platform.gradebook();
    if book.mode() == Mode::Conflict409 {
        return (StatusCode::CONFLICT, Json(json!([]))).into_response();
    }
    let score: Value = match serde_json::from_slice(body) {
        Ok(score @ Value::Object(_)) => score,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "a score JSON object",
            );
        }
    };
    if score.get("scoreGiven").is_some() && score.get("scoreMaximum").is_none() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "scoreMaximum is required with scoreGiven",
        );
    }
    match book.post_score(flavour, number, score) {
        Ok(()) => {
            Json(json!({"resultUrl": format!("{}/results", item_url(platform, flavour, number))}))
                .into_response()
        }
        Err(ScoreRefusal::NoLineItem) => {
            error(StatusCode::NOT_FOUND, "not_found", "no such line item")
        }
        Err(ScoreRefusal::Invalid(reason)) => {
            error(StatusCode::BAD_REQUEST, "invalid_request", &reason)
        }
        // As each LMS answers an older timestamp (spec/lti.md §11).
        Err(ScoreRefusal::OlderTimestamp) => match flavour {
            Flavour::Moodle => (StatusCode::CONFLICT, Json(json!([]))).into_response(),
            Flavour::Canvas => error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "score timestamp not after the current result's",
            ),
        },
    }
}

async fn results(
    platform: &DemoPlatform,
    flavour: Flavour,
    headers: &HeaderMap,
    number: u64,
    query: &ListQuery,
) -> Response {
    if let Some(refused) = guard(platform, flavour, headers, &[SCOPE_RESULT_READONLY]).await {
        return refused;
    }
    let line_item = item_url(platform, flavour, number);
    let list: Vec<Value> = platform
        .gradebook()
        .results(flavour, number, query.user_id.as_deref())
        .into_iter()
        .map(|(user, received)| {
            json!({
                "id": format!("{line_item}#result-{user}"),
                "userId": user,
                "resultScore": received.score.get("scoreGiven"),
                "resultMaximum": received.score.get("scoreMaximum"),
                "comment": received.score.get("comment"),
                "scoreOf": line_item,
            })
        })
        .collect();
    typed(
        Json(list).into_response(),
        "application/vnd.ims.lis.v2.resultcontainer+json",
    )
}

fn typed(mut response: Response, media_type: &'static str) -> Response {
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(media_type),
    );
    response
}

async fn canvas_list(
    State(p): State<DemoPlatform>,
    h: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    list(&p, Flavour::Canvas, &h, &q).await
}
async fn moodle_list(
    State(p): State<DemoPlatform>,
    h: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    list(&p, Flavour::Moodle, &h, &q).await
}
async fn canvas_create(
    State(p): State<DemoPlatform>,
    h: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    create(&p, Flavour::Canvas, &h, &body).await
}
async fn moodle_create(
    State(p): State<DemoPlatform>,
    h: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    create(&p, Flavour::Moodle, &h, &body).await
}
async fn canvas_item(State(p): State<DemoPlatform>, h: HeaderMap, Path(n): Path<u64>) -> Response {
    item(&p, Flavour::Canvas, &h, n).await
}
async fn moodle_item(State(p): State<DemoPlatform>, h: HeaderMap, Path(n): Path<u64>) -> Response {
    item(&p, Flavour::Moodle, &h, n).await
}
async fn canvas_score(
    State(p): State<DemoPlatform>,
    h: HeaderMap,
    Path(n): Path<u64>,
    body: axum::body::Bytes,
) -> Response {
    score(&p, Flavour::Canvas, &h, n, &body).await
}
async fn moodle_score(
    State(p): State<DemoPlatform>,
    h: HeaderMap,
    Path(n): Path<u64>,
    body: axum::body::Bytes,
) -> Response {
    score(&p, Flavour::Moodle, &h, n, &body).await
}
async fn canvas_results(
    State(p): State<DemoPlatform>,
    h: HeaderMap,
    Path(n): Path<u64>,
    Query(q): Query<ListQuery>,
) -> Response {
    results(&p, Flavour::Canvas, &h, n, &q).await
}
async fn moodle_results(
    State(p): State<DemoPlatform>,
    h: HeaderMap,
    Path(n): Path<u64>,
    Query(q): Query<ListQuery>,
) -> Response {
    results(&p, Flavour::Moodle, &h, n, &q).await
}

// -- the gradebook page, its JSON and the switch -----------------------------------------

async fn snapshot(State(platform): State<DemoPlatform>) -> Response {
    let (items, scores) = platform.gradebook().snapshot();
    let scores: Vec<Value> = scores
        .into_iter()
        .map(|((number, user), received)| {
            json!({"line_item": number, "user_id": user, "scores": received.iter().map(|r| &r.score).collect::<Vec<_>>()})
        })
        .collect();
    Json(json!({"mode": platform.gradebook().mode(), "line_items": items, "scores": scores}))
        .into_response()
}

async fn set_mode(State(platform): State<DemoPlatform>, Json(mode): Json<ModeBody>) -> Response {
    let mode = match (mode.mode.as_str(), mode.delay_ms) {
        ("normal", _) => Mode::Normal,
        ("fail500", _) => Mode::Fail500,
        ("conflict409", _) => Mode::Conflict409,
        ("slow", Some(delay_ms)) => Mode::Slow { delay_ms },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "mode: normal, fail500, conflict409 or slow with delay_ms",
            );
        }
    };
    platform.gradebook().set_mode(mode);
    Json(json!({"mode": mode})).into_response()
}

/// `POST /gradebook/mode` body.
#[derive(Debug, Deserialize)]
struct ModeBody {
    mode: String,
    delay_ms: Option<u64>,
}

async fn page(State(platform): State<DemoPlatform>) -> Response {
    let (items, scores) = platform.gradebook().snapshot();
    let mut rows = String::new();
    for ((number, user), received) in &scores {
        let Some(last) = received.last() else {
            continue;
        };
        let label = items
            .iter()
            .find(|i| i.number == *number)
            .map(|i| {
                format!(
                    "{} ({})",
                    i.item["label"].as_str().unwrap_or("?"),
                    i.flavour.label()
                )
            })
            .unwrap_or_default();
        let value = match (last.score.get("scoreGiven"), last.score.get("scoreMaximum")) {
            (Some(given), Some(max)) => format!("{given} / {max}"),
            _ => last.score["gradingProgress"]
                .as_str()
                .unwrap_or("—")
                .to_owned(),
        };
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&label),
            escape_html(user),
            escape_html(&value),
            escape_html(last.score["timestamp"].as_str().unwrap_or_default()),
            received.len()
        ));
    }
    if rows.is_empty() {
        rows.push_str(
            "<tr><td colspan=\"5\">No grades yet: launch as a learner and submit.</td></tr>",
        );
    }
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Demo gradebook</title>\
         <link rel=\"stylesheet\" href=\"/static/platform.css\"></head><body><main>\
         <h1>Demo gradebook</h1><p><a href=\"/\">Back to the course</a></p>\
         <table><thead><tr><th>Line item</th><th>User</th><th>Score</th><th>Timestamp</th>\
         <th>Scores received</th></tr></thead><tbody>{rows}</tbody></table></main></body></html>"
    );
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}
