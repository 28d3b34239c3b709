//! The client of `cargo xtask bench lti`: starts a release `cairn-lti serve` on loopback (SQLite
//! in a temporary folder, or `--database-url postgres://…`), registers the recorded Canvas
//! platform through the admin API with its JWKS served here on loopback, then runs full
//! login + launch round trips from `--clients` concurrent tasks for `--seconds` (at most
//! `--max-round-trips`). Each round trip is a browser's: `POST /lti/login` → 302 with state,
//! nonce and state cookie → an id_token built from the recorded Canvas student or teacher claim
//! set, signed RS256 with the TEST-ONLY platform key → `POST /lti/launch` with the cookie → 200
//! with the tool page showing the role. Prints `@metric` lines (see `xtask/src/bench.rs`):
//! round trips per second, p50/p99 latency (the two HTTP exchanges; the client's own signing is
//! not counted), server CPU per round trip (`/proc/<pid>/stat` utime+stime around the timed
//! run) and the server's peak RSS (`VmHWM`), then the floor: server CPU per bare HTTP
//! exchange on a route that does no work of its own, since a round trip is two exchanges.
//! Writes some of the id_tokens it sent, with their state and nonce, to `--tokens-out` for the
//! pylti1p3 comparison. Only loopback traffic.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

const ADMIN_TOKEN: &str = "bench-admin-token-0123456789";
/// Linux's `USER_HZ`: the unit of `utime`/`stime` in `/proc/<pid>/stat` (100 on every arch).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;
const TARGET_LINK_URI: &str = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";

/// The command line: `--name value` pairs.
struct Args {
    server: PathBuf,
    www: PathBuf,
    fixtures: PathBuf,
    database_url: Option<String>,
    clients: usize,
    seconds: u64,
    max_round_trips: u64,
    tokens_out: Option<PathBuf>,
    tokens_kept: usize,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        server: PathBuf::new(),
        www: PathBuf::from("www"),
        fixtures: PathBuf::from("../shared/fixtures/lti"),
        database_url: None,
        clients: 100,
        seconds: 10,
        max_round_trips: 200_000,
        tokens_out: None,
        tokens_kept: 1000,
    };
    let mut rest = std::env::args().skip(1);
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u64>()
                .with_context(|| format!("{flag} expects a whole number, got {v:?}"))
        };
        match flag.as_str() {
            "--server" => args.server = value.into(),
            "--www" => args.www = value.into(),
            "--fixtures" => args.fixtures = value.into(),
            "--database-url" => args.database_url = Some(value),
            "--clients" => args.clients = usize::try_from(number(&value)?)?,
            "--seconds" => args.seconds = number(&value)?,
            "--max-round-trips" => args.max_round_trips = number(&value)?,
            "--tokens-out" => args.tokens_out = Some(value.into()),
            "--tokens-kept" => args.tokens_kept = usize::try_from(number(&value)?)?,
            other => bail!("unknown flag {other:?}"),
        }
    }
    if args.server.as_os_str().is_empty() {
        bail!("--server <path to the cairn-lti binary> is required");
    }
    Ok(args)
}

/// What a round trip needs: the platform's signing key and the two claim sets.
struct Platform {
    key: EncodingKey,
    kid: String,
    claims: Vec<(Map<String, Value>, &'static str)>,
    issuer: String,
    client_id: String,
    deployment_id: String,
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn load_platform(fixtures: &Path) -> Result<(Platform, Value)> {
    let pem = std::fs::read(fixtures.join("keys/test-only-platform.private.pem"))
        .context("cannot read the TEST-ONLY platform key")?;
    let key = EncodingKey::from_rsa_pem(&pem).context("the platform key is not an RSA PEM")?;
    let jwks = read_json(&fixtures.join("keys/test-only-platform.jwks.json"))?;
    let kid = jwks["keys"][0]["kid"]
        .as_str()
        .context("the platform JWKS has no kid")?
        .to_owned();
    let mut claims = Vec::new();
    let mut registration = Value::Null;
    for (name, role) in [
        ("canvas-student", "learner"),
        ("canvas-teacher", "instructor"),
    ] {
        let mut doc = read_json(&fixtures.join(format!("claims/{name}.json")))?;
        let object = doc.as_object_mut().context("a claim set is an object")?;
        let fixture = object.remove("_fixture").context("no _fixture")?;
        if !registration.is_null() && registration != fixture["registration"] {
            bail!("the Canvas claim sets name different registrations");
        }
        registration = fixture["registration"].clone();
        claims.push((object.clone(), role));
    }
    let field = |name: &str| -> Result<String> {
        registration[name]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("the registration has no {name}"))
    };
    let platform = Platform {
        key,
        kid,
        claims,
        issuer: field("iss")?,
        client_id: field("client_id")?,
        deployment_id: field("deployment_id")?,
    };
    Ok((platform, jwks))
}

/// Serves the platform JWKS on 127.0.0.1; returns its URL.
async fn serve_jwks(jwks: Value) -> Result<String> {
    let router = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let jwks = jwks.clone();
            async move { axum::Json(jwks) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(format!("http://{addr}/jwks"))
}

/// The server process; killed and its data folder removed on drop.
struct Server {
    child: Child,
    data: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn start_server(args: &Args, port: u16) -> Result<Server> {
    let data = std::env::temp_dir().join(format!("cairn-bench-lti-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let mut cmd = Command::new(&args.server);
    cmd.arg("serve")
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(&data)
        .arg("--www")
        .arg(&args.www)
        .env("CAIRN_PUBLIC_URL", format!("http://localhost:{port}"))
        .env("CAIRN_ADMIN_TOKEN", ADMIN_TOKEN)
        // The server logs as it would in production (info: one line per request).
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(data.join("server.log"))?));
    if let Some(url) = &args.database_url {
        cmd.arg("--database-url").arg(url);
    }
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", args.server.display()))?;
    Ok(Server { child, data })
}

/// (utime, stime) of a process, in seconds.
fn cpu_seconds(pid: u32) -> Result<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the `(comm)`, which may hold spaces: state is field 3, utime 14, stime 15.
    let after = stat.rsplit_once(')').context("malformed stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64> {
        fields
            .get(i)
            .context("short stat")?
            .parse::<f64>()
            .context("stat field")
    };
    Ok((
        ticks(11)? / CLOCK_TICKS_PER_SECOND,
        ticks(12)? / CLOCK_TICKS_PER_SECOND,
    ))
}

/// The peak resident set (`VmHWM`) of a process, in bytes.
fn peak_rss_bytes(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .context("no VmHWM")?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .context("VmHWM value")?
        .parse()?;
    Ok(kib * 1024)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// One id_token the pylti1p3 side validates again.
#[derive(serde::Serialize)]
struct SentToken {
    id_token: String,
    state: String,
    nonce: String,
}

/// Shared by the client tasks.
struct Run {
    client: reqwest::Client,
    platform: Platform,
    tool: String,
    done: AtomicU64,
    failed: AtomicU64,
    max: u64,
    kept: Mutex<Vec<SentToken>>,
    keep: usize,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// One login + launch; returns the time spent in the two HTTP exchanges.
async fn round_trip(run: &Run, n: u64) -> Result<Duration> {
    let (claims, role) = &run.platform.claims[usize::from(n % 2 == 1)];
    let sub = claims["sub"].as_str().context("sub")?;
    let launch_url = format!("{}/lti/launch", run.tool);
    let started = Instant::now();
    let login = run
        .client
        .post(format!("{}/lti/login", run.tool))
        .form(&[
            ("iss", run.platform.issuer.as_str()),
            ("client_id", &run.platform.client_id),
            ("lti_deployment_id", &run.platform.deployment_id),
            ("login_hint", sub),
            ("lti_message_hint", "bench"),
            ("target_link_uri", &launch_url),
        ])
        .send()
        .await?;
    if login.status() != reqwest::StatusCode::FOUND {
        bail!("login answered {}", login.status());
    }
    let location = login
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("no Location")?;
    let location = url::Url::parse(location)?;
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .with_context(|| format!("no {name} in the auth request"))
    };
    let (state, nonce) = (param("state")?, param("nonce")?);
    let cookie = format!("__Host-lti_state_{state}={state}");
    let login_time = started.elapsed();

    // The platform's part (not timed): the id_token for this nonce.
    let now = unix_now();
    let mut payload = claims.clone();
    payload.insert("iat".into(), json!(now));
    payload.insert("exp".into(), json!(now + 3600));
    payload.insert("nonce".into(), json!(nonce));
    payload.insert(TARGET_LINK_URI.into(), json!(launch_url));
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(run.platform.kid.clone());
    let id_token = jsonwebtoken::encode(&header, &payload, &run.platform.key)?;

    let started = Instant::now();
    let launch = run
        .client
        .post(&launch_url)
        .header(reqwest::header::COOKIE, cookie)
        .form(&[("id_token", id_token.as_str()), ("state", &state)])
        .send()
        .await?;
    let status = launch.status();
    let page = launch.text().await?;
    let elapsed = login_time + started.elapsed();
    if status != reqwest::StatusCode::OK || !page.contains(&format!("id=\"launch-role\">{role}<")) {
        bail!(
            "launch answered {status}: {}",
            page.chars().take(300).collect::<String>()
        );
    }
    let mut kept = run.kept.lock().await;
    if kept.len() < run.keep {
        kept.push(SentToken {
            id_token,
            state,
            nonce,
        });
    }
    Ok(elapsed)
}

/// One client: round trips until the deadline or the global cap; its latencies.
async fn client_task(run: Arc<Run>, deadline: Instant) -> Vec<Duration> {
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        let n = run.done.fetch_add(1, Ordering::Relaxed);
        if n >= run.max {
            break;
        }
        match round_trip(&run, n).await {
            Ok(t) => latencies.push(t),
            Err(e) => {
                if run.failed.fetch_add(1, Ordering::Relaxed) < 3 {
                    eprintln!("round trip failed: {e:#}");
                }
            }
        }
    }
    latencies
}

async fn run_clients(run: &Arc<Run>, clients: usize, seconds: u64) -> Vec<Duration> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(client_task(Arc::clone(run), deadline)))
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap_or_default());
    }
    all
}

/// The floor under a round trip: `clients` tasks fetching a route that does no work of its
/// own (`GET /lti/config/canvas.json`: no database, no signature, a small JSON body) for
/// `seconds`. Returns how many exchanges were answered 200.
async fn bare_exchanges(run: &Arc<Run>, clients: usize, seconds: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let url = format!("{}/lti/config/canvas.json", run.tool);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url) = (run.client.clone(), url.clone());
            tokio::spawn(async move {
                let mut ok = 0u64;
                while Instant::now() < deadline {
                    if let Ok(answer) = client.get(&url).send().await
                        && answer.status().is_success()
                        && answer.bytes().await.is_ok()
                    {
                        ok += 1;
                    }
                }
                ok
            })
        })
        .collect();
    let mut all = 0;
    for task in tasks {
        all += task.await.unwrap_or_default();
    }
    all
}

async fn register(
    client: &reqwest::Client,
    tool: &str,
    platform: &Platform,
    jwks_url: &str,
) -> Result<()> {
    let post = |path: &str, body: Value| {
        client
            .post(format!("{tool}/api/admin/{path}"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
    };
    let issuer = &platform.issuer;
    for (path, body) in [
        (
            "registrations",
            json!({
                "issuer": issuer, "client_id": platform.client_id,
                "auth_endpoint": format!("{issuer}/api/lti/authorize_redirect"),
                "token_endpoint": format!("{issuer}/login/oauth2/token"),
                "jwks_url": jwks_url, "platform_family": "canvas", "allow_http": true,
            }),
        ),
        (
            "deployments",
            json!({"issuer": issuer, "client_id": platform.client_id,
                   "deployment_id": platform.deployment_id}),
        ),
    ] {
        let answer = post(path, body).await?;
        if answer.status() != reqwest::StatusCode::CREATED {
            bail!(
                "admin {path} answered {}: {}",
                answer.status(),
                answer.text().await?
            );
        }
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let (platform, jwks) = load_platform(&args.fixtures)?;
    let jwks_url = serve_jwks(jwks).await?;
    let port = free_port()?;
    let server = start_server(&args, port)?;
    let pid = server.child.id();
    let tool = format!("http://localhost:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let started = Instant::now();
    loop {
        if let Ok(answer) = client.get(format!("{tool}/health")).send().await
            && answer.status().is_success()
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the server did not answer /health; see its log");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    register(&client, &tool, &platform, &jwks_url).await?;
    let run = Arc::new(Run {
        client,
        platform,
        tool,
        done: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        max: 500,
        kept: Mutex::new(Vec::new()),
        keep: 0,
    });
    // Warm-up: connections, the JWKS cache, the database's pages.
    let warm = run_clients(&run, args.clients, 30).await;
    let warm_failed = run.failed.load(Ordering::Relaxed);
    if warm.is_empty() || warm_failed > 0 {
        bail!("the warm-up failed ({warm_failed} of 500 round trips)");
    }
    let mut run = Arc::into_inner(run).context("warm-up tasks still hold the run")?;
    run.done = AtomicU64::new(0);
    run.max = args.max_round_trips;
    run.keep = args.tokens_kept;
    let run = Arc::new(run);

    let backend = if args.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    println!(
        "backend {backend}: {} clients, {} s or {} round trips",
        args.clients, args.seconds, args.max_round_trips
    );
    let cpu_before = cpu_seconds(pid)?;
    let timer = Instant::now();
    let mut latencies = run_clients(&run, args.clients, args.seconds).await;
    let wall = timer.elapsed().as_secs_f64();
    let cpu_after = cpu_seconds(pid)?;
    let (user, system) = (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1);
    let cpu = user + system;
    let rss = peak_rss_bytes(pid)?;
    latencies.sort_unstable();
    let ok = latencies.len() as f64;
    let failed = run.failed.load(Ordering::Relaxed);
    println!(
        "round trips: {} ok, {failed} failed, in {wall:.2} s",
        latencies.len()
    );
    println!("@metric round_trips_per_second {:.1} rt/s", ok / wall);
    println!(
        "@metric latency_p50_ms {:.3} ms",
        percentile(&latencies, 50.0)
    );
    println!(
        "@metric latency_p99_ms {:.3} ms",
        percentile(&latencies, 99.0)
    );
    println!(
        "@metric server_cpu_ms_per_round_trip {:.4} ms",
        cpu * 1000.0 / ok
    );
    println!(
        "@metric server_user_cpu_ms_per_round_trip {:.4} ms",
        user * 1000.0 / ok
    );
    println!(
        "@metric server_system_cpu_ms_per_round_trip {:.4} ms",
        system * 1000.0 / ok
    );
    println!("@metric server_peak_rss_bytes {rss} B");
    println!("@metric failed_round_trips {failed}");
    // The server's own latency, without a queue: one client, one round trip at a time.
    run.done.store(0, Ordering::Relaxed);
    let mut alone = run_clients(&run, 1, 3).await;
    alone.sort_unstable();
    println!("one client: {} round trips in 3 s", alone.len());
    println!(
        "@metric one_client_latency_p50_ms {:.3} ms",
        percentile(&alone, 50.0)
    );
    println!(
        "@metric one_client_latency_p99_ms {:.3} ms",
        percentile(&alone, 99.0)
    );
    // The HTTP stack's own cost, for the goal's floor: a round trip is two such exchanges.
    let cpu_before = cpu_seconds(pid)?;
    let bare = bare_exchanges(&run, args.clients, 5).await;
    let cpu_after = cpu_seconds(pid)?;
    let bare_cpu = (cpu_after.0 - cpu_before.0) + (cpu_after.1 - cpu_before.1);
    println!("bare exchanges (GET /lti/config/canvas.json): {bare} in 5 s");
    if bare > 0 {
        println!(
            "@metric server_cpu_ms_per_bare_exchange {:.4} ms",
            bare_cpu * 1000.0 / bare as f64
        );
    }
    let failed = run.failed.load(Ordering::Relaxed);
    if let Some(path) = &args.tokens_out {
        let kept = run.kept.lock().await;
        let doc = json!({
            "issuer": run.platform.issuer,
            "client_id": run.platform.client_id,
            "deployment_id": run.platform.deployment_id,
            "jwks": serde_json::from_str::<Value>(&std::fs::read_to_string(
                args.fixtures.join("keys/test-only-platform.jwks.json"))?)?,
            "tokens": *kept,
        });
        std::fs::write(path, serde_json::to_vec(&doc)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    drop(server);
    if failed > 0 {
        bail!("{failed} round trips failed");
    }
    Ok(())
}
