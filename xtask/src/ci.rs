//! `cargo xtask ci`: every check, one step at a time, stopping at the first failure and naming
//! it, closing on the countable line `ci: N passed, 0 failed`. `.ci/run` runs the full pipeline;
//! `--quick` skips the fuzz runs for local use.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{cargo, has_program, project_root, run_command, wasm};

/// How long each fuzz target runs, in seconds.
const FUZZ_SECONDS: u32 = 20;

/// The seed list of the fuzz targets, from the repository root (its format is in the file).
const FUZZ_SEEDS_FILE: &str = "fuzz/seeds.txt";

/// The seed folders of `target` in [`FUZZ_SEEDS_FILE`] (none when it is not listed).
fn fuzz_seeds(list: &str, target: &str) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (n, line) in list.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, folders)) = line.split_once(':') else {
            bail!(
                "{FUZZ_SEEDS_FILE} line {}: expected `target: folder …`, got {line:?}",
                n + 1
            );
        };
        if name.trim() == target {
            found.extend(folders.split_whitespace().map(str::to_owned));
        }
    }
    Ok(found)
}

/// One CI step: a name people read in the log, and the work.
struct Step {
    name: &'static str,
    work: fn() -> Result<()>,
}

const STEPS: &[Step] = &[
    Step {
        name: "tidy (//! openings, at most 800 lines per source file)",
        work: crate::tidy::check,
    },
    Step {
        name: "fmt",
        work: fmt,
    },
    Step {
        name: "clippy (native)",
        work: clippy_native,
    },
    Step {
        name: "clippy (wasm32)",
        work: clippy_wasm,
    },
    Step {
        name: "cargo test",
        work: cargo_test,
    },
    Step {
        name: "golden records (cargo xtask golden --check)",
        work: crate::golden::check,
    },
    Step {
        name: "wasm build (and the learner module's gzip budget)",
        work: wasm_build,
    },
    Step {
        name: "browser e2e (demo in Chromium)",
        work: crate::e2e::run,
    },
    Step {
        name: "scenario records (native)",
        work: records,
    },
    Step {
        name: "node tests",
        work: node_tests,
    },
    Step {
        name: "fuzz",
        work: fuzz,
    },
];

/// Runs the pipeline; `quick` skips the fuzz step.
pub fn run(quick: bool) -> Result<()> {
    let started = Instant::now();
    let steps: Vec<&Step> = STEPS
        .iter()
        .filter(|s| !(quick && s.name == "fuzz"))
        .collect();
    let total = steps.len();
    let mut passed = 0usize;
    for (i, step) in steps.iter().enumerate() {
        println!("\n== ci [{}/{total}] {}", i + 1, step.name);
        let step_started = Instant::now();
        if let Err(err) = (step.work)() {
            println!("\nci: step \"{}\" failed: {err:#}", step.name);
            println!("ci: {passed} passed, 1 failed");
            bail!("ci stopped at step \"{}\"", step.name);
        }
        passed += 1;
        println!(
            "== ci [{}/{total}] {} ok ({:.0?})",
            i + 1,
            step.name,
            step_started.elapsed()
        );
    }
    if quick {
        println!("\nci: fuzz skipped (--quick)");
    }
    println!("\nci: total time {:.0?}", started.elapsed());
    println!("ci: {passed} passed, 0 failed");
    Ok(())
}

fn fmt() -> Result<()> {
    run_command(cargo().args(["fmt", "--all", "--check"]))
}

fn clippy_native() -> Result<()> {
    run_command(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

fn clippy_wasm() -> Result<()> {
    wasm::ensure_target()?;
    run_command(cargo().args([
        "clippy",
        "--package",
        "cairn",
        "--package",
        "cairn-wasm",
        "--package",
        "cairn-api-types",
        "--target",
        wasm::TARGET,
        "--",
        "-D",
        "warnings",
    ]))?;
    // The learner's and the instructor views' modules leave code out by feature: lint them too.
    for features in ["", "instructor"] {
        run_command(cargo().args([
            "clippy",
            "--package",
            "cairn-wasm",
            "--no-default-features",
            "--features",
            features,
            "--target",
            wasm::TARGET,
            "--",
            "-D",
            "warnings",
        ]))?;
    }
    Ok(())
}

/// The workspace tests, with a throwaway PostgreSQL cluster for the store suite (so its
/// PostgreSQL half never skips here); the cluster is stopped and deleted whatever the outcome.
fn cargo_test() -> Result<()> {
    let cluster = crate::postgres::Cluster::start()?;
    let tested = run_command(
        cargo()
            .args(["test", "--workspace"])
            .env(crate::postgres::URL_VAR, cluster.url()),
    );
    let stopped = cluster.stop();
    tested.and(stopped)
}

/// The wasm build, then the learner module's size against its budget.
fn wasm_build() -> Result<()> {
    wasm::build()?;
    wasm::check_budgets()
}

fn records() -> Result<()> {
    crate::records::write_all()
}

fn node_tests() -> Result<()> {
    if !has_program("node") {
        bail!(
            "node was not found: install Node 20 (for example `apt-get install nodejs`), then rerun"
        );
    }
    let files = crate::npm_tools::node_test_files("js/tests")?;
    let mut node = Command::new("node");
    node.arg("--test").current_dir(project_root()).args(&files);
    run_command(&mut node)
}

/// Runs each target of `fuzz/fuzz_targets/` for [`FUZZ_SECONDS`], installing cargo-fuzz first
/// when it is missing.
pub fn fuzz() -> Result<()> {
    let dir = project_root().join("fuzz").join("fuzz_targets");
    let mut targets: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "rs"))
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect(),
        Err(_) => Vec::new(),
    };
    targets.sort();
    if targets.is_empty() {
        println!("fuzz: no fuzz/fuzz_targets/*.rs yet; nothing to run");
        return Ok(());
    }
    let installed = cargo()
        .args(["fuzz", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        eprintln!("xtask: cargo-fuzz is missing; installing it");
        run_command(cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    // cargo-fuzz needs nightly flags; the pinned stable toolchain accepts them this way.
    run_command(cargo().env("RUSTC_BOOTSTRAP", "1").args(["fuzz", "build"]))?;
    let max_time = format!("-max_total_time={FUZZ_SECONDS}");
    let seeds_path = project_root().join(FUZZ_SEEDS_FILE);
    let seed_list = std::fs::read_to_string(&seeds_path)
        .with_context(|| format!("cannot read {}", seeds_path.display()))?;
    for target in &targets {
        // The first folder is the writable corpus (git-ignored); libFuzzer only reads the rest.
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(project_root().join(&corpus))
            .with_context(|| format!("cannot create {corpus}"))?;
        let seeds: Vec<String> = fuzz_seeds(&seed_list, target)?
            .into_iter()
            .filter(|dir| project_root().join(dir).is_dir())
            .collect();
        let mut cmd = cargo();
        cmd.env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target.as_str(), corpus.as_str()]);
        cmd.args(&seeds).args(["--", max_time.as_str()]);
        run_command(&mut cmd)?;
    }
    println!("fuzz: {} target(s), {FUZZ_SECONDS} s each", targets.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_list_names_every_fuzz_target_and_reads() {
        let list = std::fs::read_to_string(project_root().join(FUZZ_SEEDS_FILE)).unwrap();
        let seeds = fuzz_seeds(&list, "mastery_calculation").unwrap();
        assert_eq!(
            seeds,
            [
                "fuzz/seeds/mastery_calculation",
                "../shared/fixtures/mastery"
            ]
        );
        assert!(fuzz_seeds(&list, "no_such_target").unwrap().is_empty());
        assert!(fuzz_seeds("case_import ../x", "case_import").is_err());
        for entry in std::fs::read_dir(project_root().join("fuzz/fuzz_targets")).unwrap() {
            let path = entry.unwrap().path();
            let target = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                !fuzz_seeds(&list, &target).unwrap().is_empty(),
                "{target} has no seeds"
            );
        }
    }
}
