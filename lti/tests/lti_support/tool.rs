//! The tool and the browser as the HTTP-level LTI tests see them: a [`Tool`] (an [`AppState`]
//! over a real store, on a [`ManualClock`], with its own `www/` folder), a loopback
//! [`PlatformServer`] serving TEST-ONLY JWKS files that a test can switch, a [`CookieJar`]
//! that honours `Set-Cookie`, one-call login and launch requests through tower's `oneshot`,
//! and readers for the pages the tool answers (auth request, tool page, error page).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, Request, StatusCode, header};
use cairn_lti::AppState;
use cairn_lti::clock::ManualClock;
use cairn_lti::config::{PublicUrl, ServerConfig};
use cairn_lti::store::Store;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::mutate::read_fixture;

/// The tool page the tests serve: enough for the launch to inject its banner and data.
const INDEX_HTML: &str = "<!doctype html><html><head><title>Cairn</title></head>\
    <body><main id=\"main\"></main></body></html>";

/// A tool server's state in a temporary folder (removed on drop).
pub struct Tool {
    /// What the handlers get.
    pub state: AppState,
    /// The tool's clock (`advance_clock`).
    pub clock: Arc<ManualClock>,
    /// The SQLite URL, when the store is the folder's SQLite file.
    pub sqlite_url: Option<String>,
    dir: PathBuf,
}

fn temp_folder() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("cairn-lti-tool-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("www")).expect("create the temp www folder");
    std::fs::write(dir.join("www").join("index.html"), INDEX_HTML).expect("write index.html");
    dir
}

impl Tool {
    /// A fresh tool at `public_url` on an empty SQLite file, its clock at `now`.
    pub async fn on_sqlite(public_url: &str, now: i64) -> Tool {
        let dir = temp_folder();
        let url = format!("sqlite://{}", dir.join("cairn.sqlite3").display());
        let store = cairn_lti::store::open(&url)
            .await
            .expect("open the test SQLite store");
        let mut tool = Tool::with_store(dir, store, public_url, now);
        tool.sqlite_url = Some(url);
        tool
    }

    /// A fresh tool at `public_url` over `store` (already empty), its clock at `now`.
    pub fn on_store(store: Arc<dyn Store>, public_url: &str, now: i64) -> Tool {
        Tool::with_store(temp_folder(), store, public_url, now)
    }

    fn with_store(dir: PathBuf, store: Arc<dyn Store>, public_url: &str, now: i64) -> Tool {
        let config = ServerConfig {
            public_url: PublicUrl::parse(public_url).expect("test public URL"),
            www_dir: dir.join("www"),
            admin_token: None,
        };
        let clock = Arc::new(ManualClock::new(now));
        let state = AppState::new(config, store).with_clock(clock.clone());
        Tool {
            state,
            clock,
            sqlite_url: None,
            dir,
        }
    }

    /// `SELECT COUNT(*)` of `sql` on the SQLite file (rows the store API does not list).
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Connection as _;
        let url = self
            .sqlite_url
            .as_deref()
            .expect("counting needs the SQLite store");
        let mut connection = sqlx::SqliteConnection::connect(url)
            .await
            .expect("open the SQLite file");
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&mut connection)
            .await
            .expect("count rows");
        let _ = connection.close().await;
        n
    }
}

impl Drop for Tool {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The platform's JWKS endpoints on 127.0.0.1: `/<name>/jwks` serves the fixture file set for
/// `name`, and counts its requests.
#[derive(Clone)]
pub struct PlatformServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    files: Arc<Mutex<BTreeMap<String, String>>>,
    hits: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl PlatformServer {
    /// Starts the server (it lives as long as the test's runtime).
    pub async fn start() -> PlatformServer {
        let files: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
        let hits: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let (served, counted) = (files.clone(), hits.clone());
        let router = axum::Router::new().route(
            "/{name}/jwks",
            axum::routing::get(move |Path(name): Path<String>| {
                let file = served
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(&name)
                    .cloned();
                *counted
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(name)
                    .or_default() += 1;
                async move {
                    match file {
                        Some(file) => (
                            StatusCode::OK,
                            [(header::CONTENT_TYPE, "application/json")],
                            read_fixture(&file),
                        ),
                        None => (
                            StatusCode::NOT_FOUND,
                            [(header::CONTENT_TYPE, "text/plain")],
                            String::new(),
                        ),
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        PlatformServer {
            base: format!("http://{addr}"),
            files,
            hits,
        }
    }

    /// `name`'s JWKS URL, now serving `file` (a path under `fixtures/lti/`).
    pub fn serve(&self, name: &str, file: &str) -> String {
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), file.to_owned());
        format!("{}/{name}/jwks", self.base)
    }

    /// Requests `name`'s URL has answered.
    pub fn hits(&self, name: &str) -> u64 {
        self.hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .copied()
            .unwrap_or(0)
    }
}

/// A browser's cookies for the tool (one site): `Set-Cookie` adds or replaces, `Max-Age=0`
/// removes.
#[derive(Clone, Debug, Default)]
pub struct CookieJar(pub BTreeMap<String, String>);

impl CookieJar {
    /// Takes in every `Set-Cookie` of an answer.
    pub fn absorb(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let mut parts = text.split(';');
            let Some((name, value)) = parts.next().and_then(|p| p.trim().split_once('=')) else {
                continue;
            };
            let expired = parts.any(|p| p.trim().eq_ignore_ascii_case("max-age=0"));
            if expired {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    /// The `Cookie` header, if any cookie is held.
    pub fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// An answer: status, headers and body text.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// A header's value as text, or "" when it is missing or not text.
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Sends one request through the whole app and reads the answer.
pub async fn send(state: &AppState, request: Request<Body>) -> Answer {
    send_to(cairn_lti::app(state.clone()), request).await
}

/// Sends one request through any router (the tool's, or the demo platform's) and reads the
/// answer.
pub async fn send_to(router: axum::Router, request: Request<Body>) -> Answer {
    let response = router.oneshot(request).await.expect("infallible router");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn encode(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// `POST /lti/login` with a form, or `GET /lti/login?…` when `post` is false.
pub async fn login(state: &AppState, params: &[(String, String)], post: bool) -> Answer {
    let request = if post {
        Request::post("/lti/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(encode(params)))
    } else {
        Request::get(format!("/lti/login?{}", encode(params))).body(Body::empty())
    };
    send(state, request.expect("login request")).await
}

/// `POST /lti/launch` with the form and the jar's cookies (the jar takes the answer's).
pub async fn launch(state: &AppState, form: &[(String, String)], jar: &mut CookieJar) -> Answer {
    let mut request = Request::post("/lti/launch")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = jar.header() {
        request = request.header(header::COOKIE, cookie);
    }
    let answer = send(
        state,
        request
            .body(Body::from(encode(form)))
            .expect("launch request"),
    )
    .await;
    jar.absorb(&answer.headers);
    answer
}

/// Undoes `cairn_lti::pages::escape`.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The text of an attribute `name="…"` inside `tag` (unescaped).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// The JSON of `<script type="application/json" id="<id>">`.
pub fn script_json(page: &str, id: &str) -> Option<Value> {
    let marker = format!("id=\"{id}\">");
    let start = page.find(&marker)? + marker.len();
    let end = start + page[start..].find("</script>")?;
    serde_json::from_str(&page[start..end]).ok()
}

/// The error code shown on an error page.
pub fn error_code(page: &str) -> Option<String> {
    let marker = "<code id=\"error-code\">";
    let start = page.find(marker)? + marker.len();
    let end = start + page[start..].find("</code>")?;
    Some(unescape(&page[start..end]))
}

/// How the login answered with its auth request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthKind {
    /// `302` with a `Location`.
    Redirect,
    /// `200` with an auto-submitting form.
    Form,
    /// `200` with the platform-storage page (`#lti-data` and the form).
    PlatformStorage,
}

/// The auth request a login answered with.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    /// How it came.
    pub kind: AuthKind,
    /// The auth endpoint (URL without the parameters for a redirect, form action otherwise).
    pub endpoint: String,
    /// The parameters, in order.
    pub params: Vec<(String, String)>,
    /// The platform-storage page's `#lti-data`.
    pub lti_data: Option<Value>,
}

impl AuthRequest {
    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the auth request out of a login answer: a 302, or a 200 page with `#lti-auth`.
pub fn auth_request(answer: &Answer) -> Result<AuthRequest, String> {
    if answer.status == StatusCode::FOUND {
        let location = answer
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or("a 302 without Location")?;
        let url = url::Url::parse(location).map_err(|e| format!("Location {location}: {e}"))?;
        let params = url.query_pairs().into_owned().collect();
        let endpoint = location.split('?').next().unwrap_or_default().to_owned();
        return Ok(AuthRequest {
            kind: AuthKind::Redirect,
            endpoint,
            params,
            lti_data: None,
        });
    }
    if answer.status != StatusCode::OK {
        return Err(format!(
            "login answered {} (code {:?})",
            answer.status,
            error_code(&answer.body)
        ));
    }
    let page = &answer.body;
    let start = page
        .find("<form id=\"lti-auth\"")
        .ok_or("a 200 login page without form#lti-auth")?;
    let end = start + page[start..].find("</form>").ok_or("unclosed form")?;
    let form = &page[start..end];
    let open_end = form.find('>').ok_or("unclosed form tag")?;
    let endpoint = attribute(&form[..open_end], "action").ok_or("form without action")?;
    let params = form
        .split("<input ")
        .skip(1)
        .filter_map(|input| {
            let tag = &input[..input.find('>')?];
            Some((attribute(tag, "name")?, attribute(tag, "value")?))
        })
        .collect();
    let lti_data = script_json(page, "lti-data");
    Ok(AuthRequest {
        kind: if lti_data.is_some() {
            AuthKind::PlatformStorage
        } else {
            AuthKind::Form
        },
        endpoint,
        params,
        lti_data,
    })
}

/// Serves `keys/test-only-platform.jwks.json` on 127.0.0.1 and returns its URL.
pub async fn serve_platform_jwks() -> String {
    let jwks = read_fixture("keys/test-only-platform.jwks.json");
    let router = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let jwks = jwks.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], jwks) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}/jwks")
}
