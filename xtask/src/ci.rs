//! `cargo xtask ci`: every check, one step at a time, stopping at the first failure and naming
//! it, closing on the countable line `ci: N passed, 0 failed`. `.ci/run` runs the full pipeline;
//! `--quick` skips the fuzz runs for local use.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{cargo, has_program, project_root, run_command, wasm};

/// How long each fuzz target runs, in seconds.
const FUZZ_SECONDS: u32 = 20;

/// Read-only seed corpora per fuzz target (paths from the repository root, as in
/// `fuzz/README.md`); a target not listed starts from its writable corpus alone, and a
/// missing folder is skipped.
const FUZZ_SEEDS: &[(&str, &[&str])] = &[
    ("case_import", &["../shared/fixtures/case"]),
    (
        "mastery_calculation",
        &[
            "fuzz/seeds/mastery_calculation",
            "../shared/fixtures/mastery",
        ],
    ),
    ("definitions_json", &["../shared/fixtures/scenarios"]),
    ("events_json", &["../shared/fixtures/scenarios"]),
    (
        "extract_png",
        &["../shared/vectors/1edtech-ob3/validator-fixtures"],
    ),
    (
        "extract_svg",
        &["../shared/vectors/1edtech-ob3/validator-fixtures"],
    ),
    (
        "status_list_decode",
        &["../shared/vectors/1edtech-ob3/validator-fixtures"],
    ),
    ("credential_verify", CREDENTIAL_SEEDS),
    ("credential_canonicalize", CREDENTIAL_SEEDS),
    (
        "badge_image_verify",
        &["../shared/vectors/1edtech-ob3/validator-fixtures"],
    ),
];

/// Signed and unsigned credentials of every vector family (seeds of the credential targets).
const CREDENTIAL_SEEDS: &[&str] = &[
    "../shared/vectors/project",
    "../shared/vectors/1edtech-ob3/validator-fixtures",
    "../shared/vectors/1edtech-ob3/impl-guide",
    "../shared/vectors/w3c-vc-di-eddsa/eddsa-rdfc-2022",
];

/// One CI step: a name people read in the log, and the work.
struct Step {
    name: &'static str,
    work: fn() -> Result<()>,
}

const STEPS: &[Step] = &[
    Step {
        name: "tidy (every .rs file opens with //!)",
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
        name: "wasm build",
        work: wasm_build,
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
        "--target",
        wasm::TARGET,
        "--",
        "-D",
        "warnings",
    ]))
}

fn cargo_test() -> Result<()> {
    run_command(cargo().args(["test", "--workspace"]))
}

fn wasm_build() -> Result<()> {
    wasm::build()
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
    let dir = project_root().join("js").join("tests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".test.mjs"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no js/tests/*.test.mjs files");
    }
    let mut node = Command::new("node");
    node.arg("--test").current_dir(project_root());
    for file in &files {
        node.arg(file.strip_prefix(project_root()).unwrap_or(file));
    }
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
    for target in &targets {
        // The first folder is the writable corpus (git-ignored); libFuzzer only reads the rest.
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(project_root().join(&corpus))
            .with_context(|| format!("cannot create {corpus}"))?;
        let seeds = FUZZ_SEEDS
            .iter()
            .find(|(name, _)| name == target)
            .map_or(&[][..], |(_, seeds)| *seeds)
            .iter()
            .filter(|dir| project_root().join(dir).is_dir());
        let mut cmd = cargo();
        cmd.env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target.as_str(), corpus.as_str()]);
        cmd.args(seeds).args(["--", max_time.as_str()]);
        run_command(&mut cmd)?;
    }
    println!("fuzz: {} target(s), {FUZZ_SECONDS} s each", targets.len());
    Ok(())
}
