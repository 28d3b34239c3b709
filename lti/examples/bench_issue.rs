//! The client of `cargo xtask bench issue`: seeds a database (SQLite in a temporary folder, or
//! `--database-url postgres://…`) as launches would leave it (spt-01 published, an instructor,
//! learners with sessions), starts a release `cairn-lti serve` over it, and drives it in two
//! modes. Each client takes its learners in turn and submits, for each, three quiz attempts
//! and then the passing demonstration through `POST /api/learners/{sub}/results`; the passing
//! one is answered only after its event and signed credential are committed, so its latency is
//! the time from a qualifying attempt's request to the credential committed.
//!
//! - **Closed loop** (the saturation figure): `--clients` clients each send the next
//!   submission as soon as the last one is answered, for `--seconds` or until their
//!   `--learners-per-client` run out. Its throughput is the most the server takes; its
//!   latencies are mostly queueing (by Little's law the median is about clients / throughput).
//! - **Paced** (open loop, the latency figure at a given load, as wrk2 measures it): the same
//!   clients together offer `--rate` submissions per second for `--paced-seconds`, client `i`
//!   sending its `k`-th at `t0 + i/rate + k·clients/rate`. A latency runs from the scheduled
//!   send, not the actual one, so a send held back by a slow answer counts its wait (no
//!   coordinated omission); sends late by more than 1 ms are counted. When the server does
//!   not sustain the rate (under 95 % of it achieved) and `--fallback-rate` is given, a
//!   second paced phase runs at that rate (`fallback_paced_*` metrics). The paced phases run
//!   first, after the warm-up, so they do not measure the drain of the score outbox's backlog
//!   that the closed loop's saturation leaves behind.
//!
//! Prints `@metric` lines (see `xtask/src/bench.rs`): submissions per second, p50/p99 of all
//! submissions and of the issuing ones, the same with one client alone, server CPU per
//! submission and peak RSS (closed loop); `paced_rate`, achieved submissions per second,
//! p50/p99 of all and of the issuing submissions, late sends and server CPU per submission
//! (paced). Only loopback traffic.

#[path = "../tests/issue_support/mod.rs"]
mod issue_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use issue_support::{Answer, Server, learner, scratch, seed, submission, submit};

/// Linux's `USER_HZ`.
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;
/// Quiz attempts before each learner's passing attempt.
const QUIZZES_PER_LEARNER: usize = 3;

struct Args {
    server: PathBuf,
    scenarios: PathBuf,
    database_url: Option<String>,
    clients: usize,
    seconds: u64,
    learners_per_client: usize,
    rate: f64,
    fallback_rate: Option<f64>,
    paced_seconds: u64,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        server: PathBuf::new(),
        scenarios: PathBuf::from("../shared/fixtures/scenarios"),
        database_url: None,
        clients: 100,
        seconds: 15,
        learners_per_client: 60,
        rate: 2000.0,
        fallback_rate: None,
        paced_seconds: 10,
    };
    let mut rest = std::env::args().skip(1);
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<usize>()
                .with_context(|| format!("{flag} expects a whole number, got {v:?}"))
        };
        let rate = |v: &str| match v.parse::<f64>() {
            Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
            _ => bail!("{flag} expects a positive number of submissions per second, got {v:?}"),
        };
        match flag.as_str() {
            "--server" => args.server = value.into(),
            "--scenarios" => args.scenarios = value.into(),
            "--database-url" => args.database_url = Some(value),
            "--clients" => args.clients = number(&value)?,
            "--seconds" => args.seconds = u64::try_from(number(&value)?)?,
            "--learners-per-client" => args.learners_per_client = number(&value)?,
            "--rate" => args.rate = rate(&value)?,
            "--fallback-rate" => args.fallback_rate = Some(rate(&value)?),
            "--paced-seconds" => args.paced_seconds = u64::try_from(number(&value)?)?,
            other => bail!("unknown flag {other:?}"),
        }
    }
    if args.server.as_os_str().is_empty() {
        bail!("--server <path to the cairn-lti binary> is required");
    }
    Ok(args)
}

fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').context("malformed stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64> {
        Ok(fields.get(i).context("short stat")?.parse::<f64>()? / CLOCK_TICKS_PER_SECOND)
    };
    Ok(ticks(11)? + ticks(12)?)
}

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

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// Latencies one run collected.
#[derive(Default)]
struct Latencies {
    all: Vec<Duration>,
    issuing: Vec<Duration>,
}

struct Run {
    client: Arc<reqwest::Client>,
    url: String,
    failed: AtomicU64,
    /// The next learner to take (learners are used once).
    next_learner: AtomicUsize,
    learners: usize,
}

/// One client: learner after learner until the deadline or the learners run out.
async fn client_task(run: Arc<Run>, deadline: Instant) -> Latencies {
    let mut got = Latencies::default();
    while Instant::now() < deadline {
        let n = run.next_learner.fetch_add(1, Ordering::Relaxed);
        if n >= run.learners {
            break;
        }
        let sub = learner(n);
        for step in 0..=QUIZZES_PER_LEARNER {
            let passing = step == QUIZZES_PER_LEARNER;
            let body = submission(passing, &format!("bench-{n}-{step}"));
            let started = Instant::now();
            let answer = submit(&run.client, &run.url, &sub, &body).await;
            record(&run, &mut got, passing, answer, started.elapsed());
        }
    }
    got
}

async fn run_clients(run: &Arc<Run>, clients: usize, seconds: u64) -> Latencies {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(client_task(Arc::clone(run), deadline)))
        .collect();
    let mut all = Latencies::default();
    for task in tasks {
        let got = task.await.unwrap_or_default();
        all.all.extend(got.all);
        all.issuing.extend(got.issuing);
    }
    all.all.sort_unstable();
    all.issuing.sort_unstable();
    all
}

/// What one paced client saw.
#[derive(Default)]
struct Paced {
    got: Latencies,
    /// Sends later than their schedule by more than [`LATE`].
    late: u64,
    /// How late each send was.
    lag: Vec<Duration>,
    /// When its last answer came.
    last_answer: Option<Instant>,
}

/// A send later than its schedule by more than this counts as late.
const LATE: Duration = Duration::from_millis(1);

/// One paced client: its `k`-th submission is due at `t0 + (index + k·clients) / rate`, sent
/// then (or as soon as the previous one is answered, if later) and timed from the due time.
/// Stops at the first due time at or past `end`, or when the learners run out.
async fn paced_client(
    run: Arc<Run>,
    index: usize,
    clients: usize,
    rate: f64,
    t0: Instant,
    end: Instant,
) -> Paced {
    let mut paced = Paced::default();
    let mut k = 0usize;
    // Client `i`'s first learner starts at step `i mod 4` (skipping quizzes, which a pass
    // does not need), so at any moment a quarter of the sends are passes rather than every
    // client passing in the same wave (the fixed schedule would keep them in step).
    let mut first_step = index % (QUIZZES_PER_LEARNER + 1);
    'learners: loop {
        let n = run.next_learner.fetch_add(1, Ordering::Relaxed);
        if n >= run.learners {
            break;
        }
        let sub = learner(n);
        for step in std::mem::take(&mut first_step)..=QUIZZES_PER_LEARNER {
            let due = t0 + Duration::from_secs_f64((index + k * clients) as f64 / rate);
            if due >= end {
                break 'learners;
            }
            k += 1;
            tokio::time::sleep_until(due.into()).await;
            let lag = due.elapsed();
            if lag > LATE {
                paced.late += 1;
            }
            paced.lag.push(lag);
            let passing = step == QUIZZES_PER_LEARNER;
            let body = submission(passing, &format!("bench-{n}-{step}"));
            let answer = submit(&run.client, &run.url, &sub, &body).await;
            let answered = Instant::now();
            paced.last_answer = Some(answered);
            record(&run, &mut paced.got, passing, answer, answered - due);
        }
    }
    paced
}

/// Files one answer: its latency when stored, a failure otherwise.
fn record(run: &Run, got: &mut Latencies, passing: bool, answer: Answer, elapsed: Duration) {
    match answer {
        Answer::Stored { issued, .. } => {
            got.all.push(elapsed);
            if passing && issued.len() == 1 {
                got.issuing.push(elapsed);
            } else if passing && run.failed.fetch_add(1, Ordering::Relaxed) < 3 {
                eprintln!("a passing attempt issued {issued:?}");
            }
        }
        other => {
            if run.failed.fetch_add(1, Ordering::Relaxed) < 3 {
                eprintln!("submission failed: {other:?}");
            }
        }
    }
}

/// Runs `clients` paced clients offering `rate` submissions/s for `seconds`; prints the
/// phase's metrics, each name prefixed with `prefix`. Answers whether the rate was sustained
/// (at least 95 % of it achieved).
async fn paced_phase(
    run: &Arc<Run>,
    pid: u32,
    prefix: &str,
    clients: usize,
    rate: f64,
    seconds: u64,
) -> Result<bool> {
    let cpu_before = cpu_seconds(pid)?;
    // A little ahead, so every client is waiting for its first send when it is due.
    let t0 = Instant::now() + Duration::from_millis(50);
    let end = t0 + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|i| tokio::spawn(paced_client(Arc::clone(run), i, clients, rate, t0, end)))
        .collect();
    let mut all = Paced::default();
    for task in tasks {
        let got = task.await.unwrap_or_default();
        all.got.all.extend(got.got.all);
        all.got.issuing.extend(got.got.issuing);
        all.late += got.late;
        all.lag.extend(got.lag);
        all.last_answer = all.last_answer.max(got.last_answer);
    }
    let cpu = cpu_seconds(pid)? - cpu_before;
    all.got.all.sort_unstable();
    all.got.issuing.sort_unstable();
    all.lag.sort_unstable();
    let wall = all
        .last_answer
        .map_or(f64::NAN, |last| (last - t0).as_secs_f64());
    let ok = all.got.all.len() as f64;
    let achieved = ok / wall;
    let sustained = achieved >= 0.95 * rate;
    println!(
        "paced at {rate:.0}/s from {clients} clients for {seconds} s: {} stored ({} issuing), \
         {} sends late by more than 1 ms, {}",
        all.got.all.len(),
        all.got.issuing.len(),
        all.late,
        if sustained {
            "sustained"
        } else {
            "NOT sustained (under 95 % of the rate achieved)"
        }
    );
    println!("@metric {prefix}paced_rate {rate:.1} sub/s");
    println!("@metric {prefix}paced_submissions_per_second {achieved:.1} sub/s");
    print_latencies(&format!("{prefix}paced_"), &all.got);
    println!("@metric {prefix}paced_late_sends {}", all.late);
    println!(
        "@metric {prefix}paced_send_lag_p99_ms {:.3} ms",
        percentile(&all.lag, 99.0)
    );
    println!(
        "@metric {prefix}paced_server_cpu_ms_per_submission {:.4} ms",
        cpu * 1000.0 / ok
    );
    Ok(sustained)
}

/// `@metric <prefix>submission_p50_ms` … `<prefix>issuance_p99_ms`.
fn print_latencies(prefix: &str, got: &Latencies) {
    for (what, sorted) in [("submission", &got.all), ("issuance", &got.issuing)] {
        for p in [50.0, 99.0] {
            println!(
                "@metric {prefix}{what}_p{p:.0}_ms {:.3} ms",
                percentile(sorted, p)
            );
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let data = scratch("bench-issue");
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data.join("cairn.sqlite3").display()));
    let backend = if args.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    // Learners for the timed run, a warm-up, the paced phases and the one-client run (a paced
    // client may leave its last learner part done).
    let warm_learners = 100;
    let alone_learners = 400;
    let paced_learners = |rate: f64| {
        (rate * args.paced_seconds as f64 / (QUIZZES_PER_LEARNER + 1) as f64).ceil() as usize
            + args.clients
    };
    let paced = paced_learners(args.rate) + args.fallback_rate.map_or(0, paced_learners);
    let learners = args.clients * args.learners_per_client + warm_learners + paced + alone_learners;
    let seeding = Instant::now();
    {
        let store = cairn_lti::store::open(&database_url)
            .await
            .context("open the database")?;
        let now = cairn_lti::clock::Clock::now(&cairn_lti::clock::SystemClock);
        seed(store.as_ref(), &args.scenarios, learners, now).await;
    }
    println!(
        "seeded {learners} learners in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let server = Server::start(&args.server, &database_url, &data).await;
    let pid = server.child.id();
    let run = Arc::new(Run {
        client: issue_support::client(args.clients),
        url: server.url.clone(),
        failed: AtomicU64::new(0),
        next_learner: AtomicUsize::new(0),
        learners: warm_learners,
    });
    // Warm-up: the issuer, its key and the first status list are made here, not timed.
    let warm = run_clients(&run, 10, 30).await;
    if warm.issuing.is_empty() || run.failed.load(Ordering::Relaxed) > 0 {
        bail!(
            "the warm-up failed; see {}",
            data.join("server.log").display()
        );
    }
    // Paced first, from a warm start: after the closed loop the score outbox would still be
    // draining the backlog that saturation left, and the paced figure is the server's at the
    // goal's load, not its recovery.
    let paced_run = Arc::new(Run {
        client: Arc::clone(&run.client),
        url: run.url.clone(),
        failed: AtomicU64::new(0),
        next_learner: AtomicUsize::new(warm_learners),
        learners: warm_learners + paced,
    });
    let sustained = paced_phase(
        &paced_run,
        pid,
        "",
        args.clients,
        args.rate,
        args.paced_seconds,
    )
    .await?;
    if let (false, Some(rate)) = (sustained, args.fallback_rate) {
        paced_phase(
            &paced_run,
            pid,
            "fallback_",
            args.clients,
            rate,
            args.paced_seconds,
        )
        .await?;
    }
    let paced_failed = paced_run.failed.load(Ordering::Relaxed);
    let run = Arc::new(Run {
        client: Arc::clone(&run.client),
        url: run.url.clone(),
        failed: AtomicU64::new(0),
        next_learner: AtomicUsize::new(paced_run.learners),
        learners: paced_run.learners + args.clients * args.learners_per_client,
    });
    println!(
        "backend {backend}: {} clients, {} s or {} learners x {} submissions",
        args.clients,
        args.seconds,
        args.clients * args.learners_per_client,
        QUIZZES_PER_LEARNER + 1
    );
    let cpu_before = cpu_seconds(pid)?;
    let timer = Instant::now();
    let got = run_clients(&run, args.clients, args.seconds).await;
    let wall = timer.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid)? - cpu_before;
    let ok = got.all.len() as f64;
    let failed = run.failed.load(Ordering::Relaxed);
    println!(
        "submissions: {} stored ({} issuing a credential), {failed} failed, in {wall:.2} s",
        got.all.len(),
        got.issuing.len()
    );
    println!("@metric submissions_per_second {:.1} sub/s", ok / wall);
    println!(
        "@metric credentials_per_second {:.1} cred/s",
        got.issuing.len() as f64 / wall
    );
    print_latencies("", &got);
    println!(
        "@metric server_cpu_ms_per_submission {:.4} ms",
        cpu * 1000.0 / ok
    );
    println!("@metric server_peak_rss_bytes {} B", peak_rss_bytes(pid)?);
    println!("@metric failed_submissions {failed}");
    let failed = failed + paced_failed;
    let alone_run = Arc::new(Run {
        client: Arc::clone(&run.client),
        url: run.url.clone(),
        failed: AtomicU64::new(0),
        next_learner: AtomicUsize::new(run.learners),
        learners: run.learners + alone_learners,
    });
    let alone = run_clients(&alone_run, 1, 3).await;
    println!(
        "one client: {} submissions ({} issuing) in 3 s",
        alone.all.len(),
        alone.issuing.len()
    );
    println!(
        "@metric one_client_submission_p50_ms {:.3} ms",
        percentile(&alone.all, 50.0)
    );
    println!(
        "@metric one_client_issuance_p50_ms {:.3} ms",
        percentile(&alone.issuing, 50.0)
    );
    println!(
        "@metric one_client_issuance_p99_ms {:.3} ms",
        percentile(&alone.issuing, 99.0)
    );
    let failed = failed + alone_run.failed.load(Ordering::Relaxed);
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    if failed > 0 {
        bail!("{failed} submissions failed");
    }
    Ok(())
}
