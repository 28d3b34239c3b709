//! `cargo xtask bench issue`: the records engine under load (issue 10). Builds `cairn-lti` and
//! its bench client (`lti/examples/bench_issue.rs`) in release and runs attempt submissions
//! through the API from 100 concurrent clients against the server on SQLite and then on a
//! throwaway PostgreSQL cluster ([`crate::postgres::Cluster`]), in two modes:
//!
//! - closed loop (the saturation figure): each client sends its next submission as soon as
//!   the last is answered, so the server runs flat out; its latencies are mostly queueing;
//! - paced (open loop, the latency figure at the goal's load, as wrk2 measures it): the
//!   clients together offer [`RATE`] submissions/s on a fixed schedule, each latency timed
//!   from its scheduled send (a send held back by a slow answer counts its wait). A backend
//!   that does not sustain it (under 95 % achieved) is also paced at [`FALLBACK_RATE`].
//!   The paced phases run first, after the warm-up; the closed loop follows.
//!
//! Prints submissions per second, p50/p99 of the submissions that issue a credential (request
//! to credential committed) and of all submissions in each mode, late sends, the one-client
//! figures, server CPU per submission and peak RSS, and the goals of issue 10: p99 under
//! 50 ms (read on the paced figure), at least 2,000 submissions/s on SQLite (the closed loop).
//! For a shorter run, call the client itself (its module doc lists `--seconds`, `--rate`, …).

use std::process::Command;

use anyhow::{Result, bail};

use crate::bench::{Metrics, capture};
use crate::{cargo, project_root, run_command, shared_dir, target_dir};

/// Concurrent clients.
const CLIENTS: usize = 100;
/// Seconds each backend is driven (at most; each client has a fixed set of learners).
const SECONDS: u64 = 15;
/// Learners per client (four submissions each: three quiz attempts and one pass).
const LEARNERS_PER_CLIENT: usize = 100;
/// Submissions per second the paced phase offers: the throughput goal.
const RATE: u32 = 2_000;
/// The paced rate of a backend that does not sustain [`RATE`].
const FALLBACK_RATE: u32 = 1_000;
/// Seconds of each paced phase.
const PACED_SECONDS: u64 = 10;

/// Runs the benchmark and prints its summary.
pub fn run() -> Result<()> {
    println!(
        "== bench issue: attempt submissions through the API at {CLIENTS} concurrent clients on \
         SQLite and PostgreSQL, paced at {RATE}/s then closed loop; a pass signs and commits a \
         credential before the answer"
    );
    run_command(cargo().args([
        "build",
        "--release",
        "--package",
        "cairn-lti",
        "--bin",
        "cairn-lti",
        "--example",
        "bench_issue",
    ]))?;
    let sqlite = run_client("sqlite", None)?;
    let cluster = crate::postgres::Cluster::start()?;
    let postgres = run_client("postgres", Some(&cluster.url()));
    cluster.stop()?;
    summarize(&sqlite, &postgres?)
}

/// Runs the bench client against one backend.
fn run_client(label: &str, database_url: Option<&str>) -> Result<Metrics> {
    let release = target_dir().join("release");
    let mut cmd = Command::new(release.join("examples").join("bench_issue"));
    cmd.current_dir(project_root())
        .arg("--server")
        .arg(release.join("cairn-lti"))
        .arg("--scenarios")
        .arg(shared_dir().join("fixtures").join("scenarios"))
        .args(["--clients", &CLIENTS.to_string()])
        .args(["--seconds", &SECONDS.to_string()])
        .args(["--learners-per-client", &LEARNERS_PER_CLIENT.to_string()])
        .args(["--rate", &RATE.to_string()])
        .args(["--fallback-rate", &FALLBACK_RATE.to_string()])
        .args(["--paced-seconds", &PACED_SECONDS.to_string()]);
    if let Some(url) = database_url {
        cmd.args(["--database-url", url]);
    }
    capture(label, &mut cmd)
}

/// A metric a run printed, or an error naming the run.
pub(crate) fn metric(side: &Metrics, name: &str, label: &str) -> Result<f64> {
    match side.get(name) {
        Some((v, _)) => Ok(*v),
        None => bail!("the {label} run printed no `@metric {name}`"),
    }
}

fn summarize(sqlite: &Metrics, postgres: &Metrics) -> Result<()> {
    println!("== bench issue: summary ({CLIENTS} clients)");
    println!(
        "{:<10} {:>9} {:>17} {:>17} {:>17} {:>11} {:>8}",
        "backend",
        "sub/s",
        "issue p50/p99 ms",
        "submit p50/p99",
        "alone issue p50/99",
        "CPU ms/sub",
        "RSS MB"
    );
    let mut goals = Vec::new();
    let mark = |ok: bool| if ok { "met" } else { "NOT met" };
    for (label, side) in [("sqlite", sqlite), ("postgres", postgres)] {
        let m = |name: &str| metric(side, name, label);
        let rate = m("submissions_per_second")?;
        let p99 = m("issuance_p99_ms")?;
        println!(
            "{label:<10} {rate:>9.1} {:>17} {:>17} {:>17} {:>11.4} {:>8.1}",
            format!("{:.2}/{p99:.2}", m("issuance_p50_ms")?),
            format!(
                "{:.2}/{:.2}",
                m("submission_p50_ms")?,
                m("submission_p99_ms")?
            ),
            format!(
                "{:.2}/{:.2}",
                m("one_client_issuance_p50_ms")?,
                m("one_client_issuance_p99_ms")?
            ),
            m("server_cpu_ms_per_submission")?,
            m("server_peak_rss_bytes")? / 1e6,
        );
        let mut line = format!(
            "{label}: closed loop, issuance p99 {p99:.2} ms (goal < 50: {})",
            mark(p99 < 50.0)
        );
        if label == "sqlite" {
            line.push_str(&format!(
                ", {rate:.0} submissions/s (goal >= 2000: {})",
                mark(rate >= 2000.0)
            ));
        }
        goals.push(line);
    }
    println!(
        "(issue: a passing attempt's request until its answer, which comes after the event and \
         the signed credential are committed; {CLIENTS} clients in a closed loop, so p99 includes \
         queueing; alone: one client. CPU: the cairn-lti process only, not PostgreSQL's.)"
    );
    println!("== paced: {CLIENTS} clients offering a fixed rate, latency from the scheduled send");
    println!(
        "{:<10} {:>9} {:>9} {:>17} {:>17} {:>10} {:>11}",
        "backend", "rate", "sub/s", "issue p50/p99 ms", "submit p50/p99", "late>1ms", "CPU ms/sub"
    );
    for (label, side) in [("sqlite", sqlite), ("postgres", postgres)] {
        for prefix in ["", "fallback_"] {
            if side.get(&format!("{prefix}paced_rate")).is_none() {
                continue;
            }
            let m = |name: &str| metric(side, &format!("{prefix}paced_{name}"), label);
            let p99 = m("issuance_p99_ms")?;
            let rate = m("rate")?;
            let achieved = m("submissions_per_second")?;
            println!(
                "{label:<10} {rate:>9.0} {achieved:>9.1} {:>17} {:>17} {:>10} {:>11.4}",
                format!("{:.2}/{p99:.2}", m("issuance_p50_ms")?),
                format!(
                    "{:.2}/{:.2}",
                    m("submission_p50_ms")?,
                    m("submission_p99_ms")?
                ),
                m("late_sends")?,
                m("server_cpu_ms_per_submission")?,
            );
            let sustained = achieved >= 0.95 * rate;
            goals.push(format!(
                "{label}: paced at {rate:.0}/s, {} ({achieved:.0}/s achieved), issuance p99 \
                 {p99:.2} ms (goal < 50: {})",
                if sustained {
                    "sustained"
                } else {
                    "NOT sustained"
                },
                mark(p99 < 50.0)
            ));
        }
    }
    for line in goals {
        println!("goal {line}");
    }
    Ok(())
}
