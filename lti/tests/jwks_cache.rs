//! The platform JWKS cache (`spec/lti.md` §6.1) against a real loopback HTTP server: axum on
//! 127.0.0.1:0 serving the JWKS files of `../shared/fixtures/lti/keys/` with chosen
//! `Cache-Control` headers, and a raw TCP server for stalled and oversized answers. Time moves
//! on a `ManualClock`; downloads are counted by the cache and by the server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cairn_lti::clock::{Clock, ManualClock};
use cairn_lti::platform::jwks_cache::{BODY_LIMIT, JwksCache, JwksCacheError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const T0: i64 = 1_800_000_000;
const PUBLIC_URL: &str = "https://cairn.test";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../shared/fixtures/lti/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

const PLATFORM: &str = "test-only-platform.jwks.json";
const AFTER_ROTATION: &str = "test-only-platform-after-rotation.jwks.json";

/// What `/jwks` serves, and what the server saw.
struct Platform {
    serve: Mutex<Serve>,
    hits: AtomicU64,
    user_agents: Mutex<Vec<String>>,
}

struct Serve {
    file: &'static str,
    cache_control: Option<&'static str>,
    delay: Duration,
}

async fn jwks(State(platform): State<Arc<Platform>>, headers: HeaderMap) -> Response {
    platform.hits.fetch_add(1, Ordering::SeqCst);
    if let Some(agent) = headers.get(header::USER_AGENT) {
        let agent = agent.to_str().unwrap_or("<not text>").to_owned();
        platform.user_agents.lock().unwrap().push(agent);
    }
    let (file, cache_control, delay) = {
        let serve = platform.serve.lock().unwrap();
        (serve.file, serve.cache_control, serve.delay)
    };
    tokio::time::sleep(delay).await;
    let mut response = fixture(file).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(value) = cache_control {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// The platform's JWKS padded with spaces to exactly `size` bytes (sent with Content-Length).
async fn sized(Path(size): Path<usize>) -> Vec<u8> {
    let mut body = fixture(PLATFORM);
    body.resize(size, b' ');
    body
}

async fn status(Path(code): Path<u16>) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

struct Server {
    addr: SocketAddr,
    platform: Arc<Platform>,
}

impl Server {
    async fn start() -> Server {
        let platform = Arc::new(Platform {
            serve: Mutex::new(Serve {
                file: PLATFORM,
                cache_control: None,
                delay: Duration::ZERO,
            }),
            hits: AtomicU64::new(0),
            user_agents: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/jwks", get(jwks))
            .route("/sized/{size}", get(sized))
            .route("/status/{code}", get(status))
            .route("/text", get(|| async { "not a key set" }))
            .with_state(Arc::clone(&platform));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Server { addr, platform }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn serve(&self, file: &'static str, cache_control: Option<&'static str>, delay: Duration) {
        *self.platform.serve.lock().unwrap() = Serve {
            file,
            cache_control,
            delay,
        };
    }

    fn hits(&self) -> u64 {
        self.platform.hits.load(Ordering::SeqCst)
    }
}

fn cache(clock: &Arc<ManualClock>) -> Arc<JwksCache> {
    let client = cairn_lti::platform::http_client_builder(PUBLIC_URL)
        .no_proxy()
        .build()
        .unwrap();
    let clock: Arc<dyn Clock> = Arc::clone(clock) as Arc<dyn Clock>;
    Arc::new(JwksCache::new(client, clock))
}

#[tokio::test]
async fn ttl_is_cache_control_max_age_clamped_to_a_minute_and_an_hour() {
    let server = Server::start().await;
    let url = server.url("/jwks");
    let cases: [(Option<&'static str>, i64); 7] = [
        (None, 300),
        (Some("max-age=600"), 600),
        (Some("public, max-age=30"), 60),
        (Some("max-age=86400"), 3600),
        (Some("no-store"), 60),
        (Some("no-cache, max-age=600"), 60),
        (Some("max-age=0, must-revalidate"), 60),
    ];
    for (cache_control, ttl) in cases {
        server.serve(PLATFORM, cache_control, Duration::ZERO);
        let clock = Arc::new(ManualClock::new(T0));
        let cache = cache(&clock);
        cache.key_set(&url).await.unwrap();
        clock.set(T0 + ttl - 1);
        let set = cache.key_set(&url).await.unwrap();
        assert!(set.get("test-only-platform-1").is_some());
        assert_eq!(
            cache.downloads(&url),
            1,
            "{cache_control:?}: fresh until {ttl} s"
        );
        clock.set(T0 + ttl);
        cache.key_set(&url).await.unwrap();
        assert_eq!(
            cache.downloads(&url),
            2,
            "{cache_control:?}: stale at {ttl} s"
        );
    }
}

#[tokio::test]
async fn an_unknown_kid_refetches_exactly_once() {
    let server = Server::start().await;
    let url = server.url("/jwks");
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    cache.key_set(&url).await.unwrap();
    assert_eq!(cache.downloads(&url), 1);
    // The warm-up does not count as a miss-triggered download: the miss downloads once.
    let set = cache
        .key_set_for_kid(&url, "test-only-attacker-1")
        .await
        .unwrap();
    assert!(set.get("test-only-attacker-1").is_none());
    assert_eq!(cache.downloads(&url), 2);
    // A launch whose kid is known causes no download.
    let set = cache
        .key_set_for_kid(&url, "test-only-platform-1")
        .await
        .unwrap();
    assert!(set.get("test-only-platform-1").is_some());
    assert_eq!(cache.downloads(&url), 2);
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_miss_refetch_is_skipped_for_ten_seconds_after_the_last() {
    let server = Server::start().await;
    let url = server.url("/jwks");
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    cache.key_set(&url).await.unwrap();
    cache.refresh_after_miss(&url, "nope").await.unwrap();
    assert_eq!(cache.downloads(&url), 2);
    clock.advance(9);
    let set = cache.key_set_for_kid(&url, "nope").await.unwrap();
    assert!(
        set.get("test-only-platform-1").is_some(),
        "the cached set is returned"
    );
    assert_eq!(
        cache.downloads(&url),
        2,
        "9 s after a miss download: skipped"
    );
    clock.advance(1);
    cache.key_set_for_kid(&url, "nope").await.unwrap();
    assert_eq!(cache.downloads(&url), 3, "10 s after: one more");
    // A scheduled (TTL) download does not hold back the next miss.
    clock.advance(300);
    cache.key_set(&url).await.unwrap();
    assert_eq!(cache.downloads(&url), 4);
    cache.refresh_after_miss(&url, "nope").await.unwrap();
    assert_eq!(
        cache.downloads(&url),
        5,
        "the last miss download was 300 s ago"
    );
    assert_eq!(server.hits(), 5);
}

#[tokio::test]
async fn a_rotated_platform_key_is_found_by_the_miss_refetch() {
    let server = Server::start().await;
    let url = server.url("/jwks");
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    let before = cache.key_set(&url).await.unwrap();
    assert!(before.get("test-only-platform-2").is_none());
    // The platform rotates; the cached set is still fresh (300 s) but lacks the new kid.
    server.serve(AFTER_ROTATION, Some("max-age=3600"), Duration::ZERO);
    clock.advance(5);
    let after = cache
        .key_set_for_kid(&url, "test-only-platform-2")
        .await
        .unwrap();
    assert!(after.get("test-only-platform-2").is_some());
    assert!(
        after.get("test-only-platform-1").is_some(),
        "the old key stays usable"
    );
    assert_eq!(cache.downloads(&url), 2);
    // The new set is what key_set now returns, for its own TTL.
    clock.advance(3599);
    assert!(
        cache
            .key_set(&url)
            .await
            .unwrap()
            .get("test-only-platform-2")
            .is_some()
    );
    assert_eq!(cache.downloads(&url), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_misses_share_one_download() {
    let server = Server::start().await;
    let url = server.url("/jwks");
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    // Cold cache, unknown kid, slow platform: 20 launches at once.
    server.serve(PLATFORM, None, Duration::from_millis(300));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (cache, url) = (Arc::clone(&cache), url.clone());
        tasks.spawn(async move { cache.key_set_for_kid(&url, "test-only-attacker-1").await });
    }
    while let Some(joined) = tasks.join_next().await {
        let set = joined.unwrap().unwrap();
        assert!(set.get("test-only-attacker-1").is_none());
    }
    assert_eq!(
        cache.downloads(&url),
        2,
        "one initial download and one miss-triggered re-download"
    );
    assert_eq!(server.hits(), 2);

    // Warm cache, the platform rotated: 20 launches with the new kid at once.
    clock.advance(60);
    server.serve(AFTER_ROTATION, None, Duration::from_millis(300));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (cache, url) = (Arc::clone(&cache), url.clone());
        tasks.spawn(async move { cache.key_set_for_kid(&url, "test-only-platform-2").await });
    }
    while let Some(joined) = tasks.join_next().await {
        assert!(
            joined
                .unwrap()
                .unwrap()
                .get("test-only-platform-2")
                .is_some()
        );
    }
    assert_eq!(
        cache.downloads(&url),
        3,
        "one re-download for the 20 misses"
    );
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn urls_are_cached_separately() {
    let server = Server::start().await;
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    let (a, b) = (server.url("/jwks"), server.url("/jwks?tenant=b"));
    cache.key_set(&a).await.unwrap();
    cache.key_set(&b).await.unwrap();
    cache.key_set(&a).await.unwrap();
    assert_eq!((cache.downloads(&a), cache.downloads(&b)), (1, 1));
    cache.clear();
    assert_eq!(cache.downloads(&a), 0);
}

#[tokio::test]
async fn every_download_says_who_is_asking() {
    let server = Server::start().await;
    let clock = Arc::new(ManualClock::new(T0));
    cache(&clock).key_set(&server.url("/jwks")).await.unwrap();
    let agents = server.platform.user_agents.lock().unwrap().clone();
    assert_eq!(
        agents,
        [format!("Cairn/{} (+{PUBLIC_URL})", cairn_lti::VERSION)]
    );
}

#[tokio::test]
async fn a_body_over_64_kb_is_refused() {
    let server = Server::start().await;
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    let exact = cache
        .key_set(&server.url(&format!("/sized/{BODY_LIMIT}")))
        .await
        .unwrap();
    assert!(
        exact.get("test-only-platform-1").is_some(),
        "64 KB exactly is fine"
    );
    let url = server.url(&format!("/sized/{}", BODY_LIMIT + 1));
    let err = cache.key_set(&url).await.unwrap_err();
    assert!(matches!(err, JwksCacheError::TooLarge { .. }), "{err}");
    // Without a Content-Length (chunked), the limit holds while reading.
    let raw = raw_server(RawAnswer::ChunkedOverLimit).await;
    let err = cache.key_set(&raw).await.unwrap_err();
    assert!(matches!(err, JwksCacheError::TooLarge { .. }), "{err}");
}

#[tokio::test]
async fn error_answers_are_typed_and_retried_after_ten_seconds() {
    let server = Server::start().await;
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    let url = server.url("/status/503");
    let err = cache.key_set(&url).await.unwrap_err();
    assert!(
        matches!(err, JwksCacheError::Status { status: 503, .. }),
        "{err}"
    );
    // Within 10 s the failure is answered again without a request; then it is retried.
    clock.advance(9);
    let again = cache.key_set(&url).await.unwrap_err();
    assert!(matches!(again, JwksCacheError::Status { status: 503, .. }));
    assert_eq!(cache.downloads(&url), 1);
    clock.advance(1);
    assert!(cache.key_set(&url).await.is_err());
    assert_eq!(cache.downloads(&url), 2, "retried after 10 s");
    let err = cache.key_set(&server.url("/text")).await.unwrap_err();
    assert!(matches!(err, JwksCacheError::Parse { .. }), "{err}");
    assert!(
        !err.to_string().contains("not a key set"),
        "the body is not echoed: {err}"
    );
    // Nothing listens on this port once the listener is dropped.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}/jwks", closed.local_addr().unwrap());
    drop(closed);
    let err = cache.key_set(&closed_url).await.unwrap_err();
    assert!(matches!(err, JwksCacheError::Download { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launches_queued_behind_a_failing_download_share_its_failure() {
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    let url = raw_server(RawAnswer::StallBeforeHeaders).await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (cache, url) = (Arc::clone(&cache), url.clone());
        tasks.spawn(async move { cache.key_set(&url).await });
    }
    while let Some(joined) = tasks.join_next().await {
        let err = joined.unwrap().unwrap_err();
        assert!(matches!(err, JwksCacheError::Timeout { .. }), "{err}");
    }
    assert_eq!(cache.downloads(&url), 1);
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_platform_times_out_in_five_seconds() {
    let clock = Arc::new(ManualClock::new(T0));
    let cache = cache(&clock);
    let no_headers = raw_server(RawAnswer::StallBeforeHeaders).await;
    let half_body = raw_server(RawAnswer::StallInBody).await;
    let timed = |url: String| {
        let cache = Arc::clone(&cache);
        async move {
            let started = Instant::now();
            let result = cache.key_set(&url).await;
            (result, started.elapsed())
        }
    };
    let ((first, first_took), (second, second_took)) =
        tokio::join!(timed(no_headers), timed(half_body));
    for (result, took) in [(first, first_took), (second, second_took)] {
        let err = result.unwrap_err();
        assert!(matches!(err, JwksCacheError::Timeout { .. }), "{err}");
        assert!(
            took >= Duration::from_millis(4_500) && took < Duration::from_millis(7_000),
            "{took:?}"
        );
    }
}

enum RawAnswer {
    /// Reads the request and never answers.
    StallBeforeHeaders,
    /// Sends headers and part of the body, then nothing.
    StallInBody,
    /// Sends a chunked body of 70,000 bytes, no Content-Length.
    ChunkedOverLimit,
}

/// A one-connection-at-a-time HTTP/1.1 server written by hand, for answers axum would not give.
async fn raw_server(answer: RawAnswer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        // Bounded: a test makes at most a few requests.
        for _ in 0..4 {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16_384 {
                match socket.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            match answer {
                RawAnswer::StallBeforeHeaders => {
                    tokio::time::sleep(Duration::from_secs(20)).await;
                }
                RawAnswer::StallInBody => {
                    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"keys\":[";
                    let _ = socket.write_all(head.as_bytes()).await;
                    tokio::time::sleep(Duration::from_secs(20)).await;
                }
                RawAnswer::ChunkedOverLimit => {
                    let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
                    let chunk = vec![b' '; 10_000];
                    for _ in 0..7 {
                        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                        out.extend_from_slice(&chunk);
                        out.extend_from_slice(b"\r\n");
                    }
                    out.extend_from_slice(b"0\r\n\r\n");
                    let _ = socket.write_all(&out).await;
                }
            }
        }
    });
    url
}
