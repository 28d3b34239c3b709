//! `cargo xtask bench issue`: the records engine under load (issue 10). Builds `cairn-lti` and
//! its bench client (`lti/examples/bench_issue.rs`) in release and runs attempt submissions
//! through the API from 100 concurrent clients against the server on SQLite and then on a
//! throwaway PostgreSQL cluster ([`crate::postgres::Cluster`]). Prints submissions per second,
//! p50/p99 of the submissions that issue a credential (request to credential committed) and
//! of all submissions, the one-client figures, server CPU per submission and peak RSS, and the
//! goals of issue 10: p99 under 50 ms, at least 2,000 submissions/s on SQLite.

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

/// Runs the benchmark and prints its summary.
pub fn run() -> Result<()> {
    println!(
        "== bench issue: attempt submissions through the API at {CLIENTS} concurrent clients on \
         SQLite and PostgreSQL; a pass signs and commits a credential before the answer"
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
        .args(["--learners-per-client", &LEARNERS_PER_CLIENT.to_string()]);
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
        let mark = |ok: bool| if ok { "met" } else { "NOT met" };
        let mut line = format!(
            "{label}: issuance p99 {p99:.2} ms (goal < 50: {})",
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
    for line in goals {
        println!("goal {line}");
    }
    Ok(())
}
