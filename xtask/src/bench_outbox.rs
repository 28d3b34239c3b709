//! `cargo xtask bench outbox`: the score outbox (issue 13). Builds `cairn-lti`'s bench program
//! (`lti/examples/bench_outbox.rs`) in release and runs it on SQLite and then on a throwaway
//! PostgreSQL cluster ([`crate::postgres::Cluster`]): scores delivered per second to the demo
//! gradebook on loopback, and the time from the write that queues a score to the score in the
//! gradebook (goal: median under 1 s with the platform healthy).

use std::process::Command;

use anyhow::{Result, bail};

use crate::bench::{Metrics, capture};
use crate::{cargo, project_root, run_command, target_dir};

/// Runs the benchmark and prints its summary.
pub fn run() -> Result<()> {
    println!("== bench outbox: scores to the demo gradebook over AGS, SQLite and PostgreSQL");
    run_command(cargo().args([
        "build",
        "--release",
        "--package",
        "cairn-lti",
        "--example",
        "bench_outbox",
    ]))?;
    let sqlite = run_one("sqlite", None)?;
    let cluster = crate::postgres::Cluster::start()?;
    let postgres = run_one("postgres", Some(&cluster.url()));
    cluster.stop()?;
    let postgres = postgres?;
    println!("== bench outbox: summary");
    println!(
        "{:<10} {:>10} {:>18}",
        "backend", "scores/s", "landed p50/p99 ms"
    );
    for (label, side) in [("sqlite", &sqlite), ("postgres", &postgres)] {
        let m = |name: &str| metric(side, name, label);
        let p50 = m("landed_p50_ms")?;
        println!(
            "{label:<10} {:>10.1} {:>18}",
            m("scores_per_second")?,
            format!("{p50:.2}/{:.2}", m("landed_p99_ms")?)
        );
        let mark = if p50 < 1000.0 { "met" } else { "NOT met" };
        println!("goal {label}: write → score landed median {p50:.2} ms (goal < 1000: {mark})");
    }
    Ok(())
}

fn run_one(label: &str, database_url: Option<&str>) -> Result<Metrics> {
    let mut cmd = Command::new(
        target_dir()
            .join("release")
            .join("examples")
            .join("bench_outbox"),
    );
    cmd.current_dir(project_root());
    if let Some(url) = database_url {
        cmd.args(["--database-url", url]);
    }
    capture(label, &mut cmd)
}

fn metric(side: &Metrics, name: &str, label: &str) -> Result<f64> {
    match side.get(name) {
        Some((v, _)) => Ok(*v),
        None => bail!("the {label} run printed no `@metric {name}`"),
    }
}
