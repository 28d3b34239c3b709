//! `cargo xtask bench lti`: the LTI tool server's benchmark (issue 9). Builds `cairn-lti` and its
//! bench client (`lti/examples/bench_lti.rs`, which holds the Rust client so that xtask needs no
//! HTTP or JOSE dependency) in release, runs full login + launch round trips from 100 concurrent
//! clients against the server on SQLite and then on a throwaway PostgreSQL cluster
//! ([`crate::postgres::Cluster`]), and in the same run times PyPI `pylti1p3` 2.0.0 validating
//! the id_tokens the SQLite run sent (`benches/lti_pylti1p3.py`, in a virtual environment under
//! `target/pylti1p3-bench/`). Prints each side's figures and the goals of issue 9: server CPU per
//! round trip ≤ 1/10 of pylti1p3's CPU per validation, p99 < 10 ms, peak RSS < 100 MB.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::bench::{Metrics, capture};
use crate::{cargo, project_root, run_command, shared_dir, target_dir};

/// Concurrent clients.
const CLIENTS: usize = 100;
/// Seconds each backend is driven.
const SECONDS: u64 = 15;
/// The cap on round trips per backend (the run stops at whichever comes first).
const MAX_ROUND_TRIPS: u64 = 100_000;
/// The reference's pins, next to its script.
const REQUIREMENTS: &str = "benches/lti_pylti1p3.requirements.txt";
const SCRIPT: &str = "benches/lti_pylti1p3.py";

/// Runs the benchmark and prints its summary.
pub fn run() -> Result<()> {
    println!(
        "== bench lti: login + launch round trips at {CLIENTS} concurrent clients on SQLite and \
         PostgreSQL; pylti1p3 validating the same id_tokens"
    );
    run_command(cargo().args([
        "build",
        "--release",
        "--package",
        "cairn-lti",
        "--bin",
        "cairn-lti",
        "--example",
        "bench_lti",
    ]))?;
    let python = pylti1p3_python()?;
    let out_dir = target_dir().join("bench-lti");
    std::fs::create_dir_all(&out_dir)?;
    let tokens = out_dir.join("tokens-sqlite.json");

    let sqlite = run_client("sqlite", None, Some(&tokens))?;
    let cluster = crate::postgres::Cluster::start()?;
    let postgres = run_client("postgres", Some(&cluster.url()), None);
    cluster.stop()?;
    let postgres = postgres?;
    let reference = capture(
        "pylti1p3",
        Command::new(&python)
            .arg(project_root().join(SCRIPT))
            .arg(&tokens),
    )?;
    let _ = std::fs::remove_file(&tokens);
    summarize(&sqlite, &postgres, &reference)
}

/// Runs the bench client against one backend.
fn run_client(label: &str, database_url: Option<&str>, tokens: Option<&Path>) -> Result<Metrics> {
    let release = target_dir().join("release");
    let mut cmd = Command::new(release.join("examples").join("bench_lti"));
    cmd.current_dir(project_root())
        .arg("--server")
        .arg(release.join("cairn-lti"))
        .arg("--www")
        .arg(project_root().join("www"))
        .arg("--fixtures")
        .arg(shared_dir().join("fixtures").join("lti"))
        .args(["--clients", &CLIENTS.to_string()])
        .args(["--seconds", &SECONDS.to_string()])
        .args(["--max-round-trips", &MAX_ROUND_TRIPS.to_string()]);
    if let Some(url) = database_url {
        cmd.args(["--database-url", url]);
    }
    if let Some(path) = tokens {
        cmd.arg("--tokens-out").arg(path);
    }
    capture(label, &mut cmd)
}

/// The venv's python with the pinned pylti1p3 installed (redone when the pins change).
fn pylti1p3_python() -> Result<PathBuf> {
    let root = target_dir().join("pylti1p3-bench");
    let venv = root.join("venv");
    let python = venv.join("bin").join("python");
    let stamp = root.join(".cairn-installed");
    let requirements = project_root().join(REQUIREMENTS);
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("cannot read {}", requirements.display()))?;
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && python.is_file() {
        return Ok(python);
    }
    if venv.exists() {
        std::fs::remove_dir_all(&venv)?;
    }
    std::fs::create_dir_all(&root)?;
    run_command(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .context("Python 3 with venv is needed for the pylti1p3 side")?;
    run_command(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-r",
            ])
            .arg(&requirements),
    )
    .context("installing pylti1p3 from PyPI failed")?;
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}

fn metric(side: &Metrics, name: &str, label: &str) -> Result<f64> {
    match side.get(name) {
        Some((v, _)) => Ok(*v),
        None => bail!("the {label} run printed no `@metric {name}`"),
    }
}

fn summarize(sqlite: &Metrics, postgres: &Metrics, reference: &Metrics) -> Result<()> {
    let pylti = metric(reference, "pylti1p3_cpu_ms_per_validation", "pylti1p3")?;
    println!("== bench lti: summary ({CLIENTS} clients, {SECONDS} s per backend)");
    println!(
        "{:<10} {:>8} {:>9} {:>9} {:>14} {:>11} {:>9} {:>15}",
        "backend",
        "rt/s",
        "p50 ms",
        "p99 ms",
        "alone p50/p99",
        "CPU ms/rt",
        "RSS MB",
        "CPU / pylti1p3"
    );
    let mut goals = Vec::new();
    for (label, side) in [("sqlite", sqlite), ("postgres", postgres)] {
        let cpu = metric(side, "server_cpu_ms_per_round_trip", label)?;
        let p99 = metric(side, "latency_p99_ms", label)?;
        let rss = metric(side, "server_peak_rss_bytes", label)? / 1e6;
        let ratio = cpu / pylti;
        let alone = format!(
            "{:.2}/{:.2}",
            metric(side, "one_client_latency_p50_ms", label)?,
            metric(side, "one_client_latency_p99_ms", label)?
        );
        println!(
            "{label:<10} {:>8.1} {:>9.3} {p99:>9.3} {alone:>14} {cpu:>11.4} {rss:>9.1} {ratio:>15.3}",
            metric(side, "round_trips_per_second", label)?,
            metric(side, "latency_p50_ms", label)?,
        );
        let mark = |ok: bool| if ok { "met" } else { "NOT met" };
        goals.push(format!(
            "{label}: CPU ratio {ratio:.3} (goal <= 0.1: {}), p99 {p99:.2} ms (goal < 10: {}), \
             RSS {rss:.1} MB (goal < 100: {})",
            mark(ratio <= 0.1),
            mark(p99 < 10.0),
            mark(rss < 100.0)
        ));
    }
    println!(
        "pylti1p3 2.0.0: {pylti:.4} ms CPU per validation (the whole MessageLaunch.validate() of \
         one launch: state, nonce, registration, signature, deployment, claims; in memory, no \
         HTTP or database)"
    );
    println!(
        "(p50/p99: {CLIENTS} clients in a closed loop, so mostly queueing; alone: one client, \
         one round trip at a time. CPU: the cairn-lti process only, not PostgreSQL's.)"
    );
    // The floor: what the HTTP stack alone spends on a round trip's two exchanges.
    if let Some((bare, _)) = sqlite.get("server_cpu_ms_per_bare_exchange") {
        println!(
            "floor: {bare:.4} ms server CPU per bare HTTP exchange (a route with no database or \
             signature), so {:.4} ms for a round trip's two exchanges = {:.3} of pylti1p3's \
             validation before any LTI work",
            2.0 * bare,
            2.0 * bare / pylti
        );
    }
    for line in goals {
        println!("goal {line}");
    }
    Ok(())
}
