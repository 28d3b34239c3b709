//! `cargo xtask bench <core|credentials|all>`: runs each suite's native release program and its
//! Node (wasm) script in one run, echoes both, and prints the wasm/native ratio of every metric
//! they share. The benchmark bodies live elsewhere (see [`SUITES`]); this file only drives them.
//! `cargo xtask bench lti` (the LTI server under load, not part of `all`) is
//! [`crate::bench_lti`]'s, `cargo xtask bench issue` (the records engine under load,
//! closed loop and paced) [`crate::bench_issue`]'s, and `cargo xtask bench outbox` (scores to the demo gradebook)
//! [`crate::bench_outbox`]'s.
//!
//! # Plugging a benchmark in
//!
//! A suite is a native program, an example of the root package (`examples/bench_<suite>.rs`,
//! built with `--release`), and a Node script (`benches/<suite>.mjs`, run from the repository
//! root after `cargo xtask wasm`, loading `www/pkg/` with `initSync`). Both do the same work
//! and print, besides anything for people, one line per metric:
//!
//! ```text
//! @metric <name> <number> [unit]
//! ```
//!
//! e.g. `@metric events_per_second 23500000 ev/s` or `@metric peak_rss_bytes 81920000 B`.
//! Metrics of the same name are paired and their ratio `wasm / native` printed. A metric named
//! `oracle_<name>` (either side) is a reference implementation's figure for `<name>`: the
//! ratios Cairn / oracle of both sides are printed too.
//!
//! `--learners N` reaches the native program as `CAIRN_BENCH_LEARNERS` (the core suite writes
//! the data both sides fold, so it shrinks both).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::{cargo, project_root, show, target_dir};

/// One benchmark suite: where its native program and its Node script live.
pub struct Suite {
    /// The suite's name on the command line.
    pub name: &'static str,
    /// What it measures, for people.
    pub about: &'static str,
    /// The root package's example that runs the native side (`examples/<name>.rs`).
    pub native_example: &'static str,
    /// The Node script that runs the wasm side, relative to the repository root.
    pub node_script: &'static str,
    /// A bench-only wasm crate the script also loads, built into `<target>/bench-wasm/`
    /// (never `www/pkg/`), for work the page's module does not expose.
    pub bench_module: Option<&'static str>,
}

/// Every suite. Add a row here to add one.
pub const SUITES: &[Suite] = &[
    Suite {
        name: "core",
        about: "fold a 10,000-learner course (~600,000 events): summaries and full records per second, peak memory; the page's roster case (2,000 learners summarized, goal < 50 ms in wasm); one learner with 1,000..5,000 attempts per method (ms per 1,000 attempts flat = linear cost)",
        native_example: "bench_core",
        node_script: "benches/core.mjs",
        bench_module: Some("cairn-bench-wasm"),
    },
    Suite {
        name: "credentials",
        about: "sign and verify one Open Badges 3.0 credential: op/s, native, wasm and the JS oracle (goals: native >= 20x oracle, wasm >= 5x)",
        native_example: "bench_credentials",
        node_script: "benches/credentials.mjs",
        bench_module: Some("cairn-bench-wasm"),
    },
];

/// A metric one side printed: value and unit.
pub(crate) type Metrics = BTreeMap<String, (f64, String)>;

/// Runs the named suite, or every suite for `all`; `learners` sizes the core course.
pub fn run(which: &str, learners: Option<usize>) -> Result<()> {
    // The LTI server's benchmark is a load test, not a native/wasm pair: its own driver.
    if which == "lti" {
        if learners.is_some() {
            bail!("bench lti takes no --learners");
        }
        return crate::bench_lti::run();
    }
    if which == "issue" {
        if learners.is_some() {
            bail!("bench issue takes no --learners");
        }
        return crate::bench_issue::run();
    }
    if which == "outbox" {
        if learners.is_some() {
            bail!("bench outbox takes no --learners");
        }
        return crate::bench_outbox::run();
    }
    let suites: Vec<&Suite> = match which {
        "all" => SUITES.iter().collect(),
        name => match SUITES.iter().find(|s| s.name == name) {
            Some(suite) => vec![suite],
            None => {
                let names: Vec<&str> = SUITES.iter().map(|s| s.name).collect();
                bail!(
                    "unknown suite {name:?}: choose one of {}, all or lti",
                    names.join(", ")
                )
            }
        },
    };
    for suite in &suites {
        check_present(suite)?;
    }
    crate::wasm::build()?;
    for suite in &suites {
        if let Some(package) = suite.bench_module {
            crate::bench_wasm::build(package)?;
        }
    }
    for suite in suites {
        run_suite(suite, learners)?;
    }
    Ok(())
}

fn check_present(suite: &Suite) -> Result<()> {
    let root = project_root();
    let example = root
        .join("examples")
        .join(format!("{}.rs", suite.native_example));
    let script = root.join(suite.node_script);
    let mut missing = Vec::new();
    if !example.is_file() {
        missing.push(format!("examples/{}.rs (native)", suite.native_example));
    }
    if !script.is_file() {
        missing.push(format!("{} (wasm under node)", suite.node_script));
    }
    if !missing.is_empty() {
        bail!(
            "bench {}: not written yet: {} — see the plug-in notes at the top of xtask/src/bench.rs",
            suite.name,
            missing.join(" and ")
        );
    }
    Ok(())
}

fn run_suite(suite: &Suite, learners: Option<usize>) -> Result<()> {
    println!("== bench {}: {}", suite.name, suite.about);
    crate::run_command(cargo().args([
        "build",
        "--release",
        "--package",
        "cairn",
        "--example",
        suite.native_example,
    ]))?;
    let binary: PathBuf = target_dir()
        .join("release")
        .join("examples")
        .join(suite.native_example);
    let mut native = Command::new(&binary);
    native.current_dir(project_root());
    if let Some(n) = learners {
        native.env("CAIRN_BENCH_LEARNERS", n.to_string());
    }
    let native = capture("native", &mut native)?;
    let wasm = capture(
        "wasm",
        Command::new("node")
            .arg(suite.node_script)
            .current_dir(project_root()),
    )?;

    println!("== bench {}: summary (ratio = wasm / native)", suite.name);
    println!(
        "{:<28} {:>18} {:>18} {:>8}",
        "metric", "native", "wasm", "ratio"
    );
    let names: std::collections::BTreeSet<&String> = native.keys().chain(wasm.keys()).collect();
    for name in names {
        let n = native.get(name);
        let w = wasm.get(name);
        let cell = |m: Option<&(f64, String)>| match m {
            Some((v, unit)) => format!("{} {unit}", format_number(*v)),
            None => "-".to_owned(),
        };
        let ratio = match (n, w) {
            (Some((nv, _)), Some((wv, _))) if *nv != 0.0 => format!("{:.2}", wv / nv),
            _ => "-".to_owned(),
        };
        println!("{name:<28} {:>18} {:>18} {ratio:>8}", cell(n), cell(w));
    }
    let references: Vec<(&str, f64)> = native
        .iter()
        .chain(wasm.iter())
        .filter_map(|(name, (v, _))| name.strip_prefix("oracle_").map(|m| (m, *v)))
        .collect();
    if !references.is_empty() {
        println!("== bench {}: Cairn / oracle", suite.name);
        println!("{:<28} {:>18} {:>18}", "metric", "native", "wasm");
        for (name, reference) in references {
            let ratio = |side: &Metrics| match side.get(name) {
                Some((v, _)) if reference != 0.0 => format!("{:.1}x", v / reference),
                _ => "-".to_owned(),
            };
            println!("{name:<28} {:>18} {:>18}", ratio(&native), ratio(&wasm));
        }
    }
    Ok(())
}

/// Runs a benchmark program, echoing its output, and collects its `@metric` lines.
pub(crate) fn capture(side: &str, cmd: &mut Command) -> Result<Metrics> {
    let shown = show(cmd);
    eprintln!("$ {shown}");
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        println!("[{side}] {line}");
    }
    if !out.status.success() {
        bail!("`{shown}` failed ({})", out.status);
    }
    let mut metrics = Metrics::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("@metric") {
            continue;
        }
        let (Some(name), Some(value)) = (words.next(), words.next()) else {
            bail!(
                "[{side}] malformed metric line {line:?}: expected `@metric <name> <number> [unit]`"
            );
        };
        let value: f64 = value
            .parse()
            .with_context(|| format!("[{side}] metric {name}: {value:?} is not a number"))?;
        let unit = words.collect::<Vec<_>>().join(" ");
        metrics.insert(name.to_owned(), (value, unit));
    }
    if metrics.is_empty() {
        bail!("`{shown}` printed no `@metric` line");
    }
    Ok(metrics)
}

fn format_number(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v.fract() == 0.0 {
        format!("{v}")
    } else {
        format!("{v:.3}")
    }
}
