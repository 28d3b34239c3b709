//! Cairn's dev tasks, run as `cargo xtask <task>`: the wasm build, the CI pipeline, the demo,
//! the browser e2e test, benchmarks, the native scenario records and the golden records. Needs
//! only cargo (and Node for the JS tests); a missing tool is installed by the task itself where
//! it can be. Never part of the product.

mod bench;
mod bench_issue;
mod bench_lti;
mod bench_outbox;
mod bench_wasm;
mod ci;
mod demo;
mod e2e;
mod golden;
mod npm_tools;
mod postgres;
mod records;
mod reqs;
#[path = "../../tests/scenario_support/mod.rs"]
mod scenario_support;
mod tidy;
mod wasm;
mod wasm_opt;
mod wasm_sizes;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const HELP: &str = "\
cargo xtask <task>

tasks:
  wasm                       build cairn-wasm for wasm32 and generate bindings into www/pkg/
  wasm-sizes [learner|views|full]
                                where a page module's code bytes go, by owner (the core's
                                module or the crate) and the largest functions
  ci [--quick]               every check, stopping at the first failure (--quick skips fuzz)
  demo [--port N]            build the wasm, serve Cairn on localhost:N and the demo platform
                             on 127.0.0.1:N+1 (default 8080), print the demo course URL
  bench <core|credentials|all> [--learners N]
                                native and wasm benchmarks in one run, with ratios
                                (--learners: a smaller core course, for a shared machine)
  bench lti                     the LTI server: login + launch round trips at 100 clients
                                on SQLite and PostgreSQL, next to pylti1p3
  bench issue                   the records engine: attempt submissions through the API at
                                100 clients on SQLite and PostgreSQL (p50/p99 to the signed
                                credential committed, submissions/s), closed loop (saturation)
                                and paced at 2,000/s (latency from the scheduled send)
  bench outbox                  the score outbox: scores/s to the demo gradebook over AGS and
                                write-to-landed p50/p99, on SQLite and PostgreSQL
  records                    fold every scenario natively into target/scenario-records/
  golden [--check]           write tests/golden/records/ from every scenario (--check: fail on a diff)
  fuzz                       run each fuzz target briefly (installs cargo-fuzz if missing)
  e2e                        the demo launched in Chromium with third-party cookies blocked
                                (after `cargo xtask wasm`; installs chromium and playwright-core)
  postgres -- <command…>     run a command with a throwaway PostgreSQL cluster on loopback, its
                                URL in CAIRN_TEST_POSTGRES_URL (installs postgresql if missing)
  tidy                       every .rs file opens with `//!`; no source file over 800 lines
  reqs                       requirement ids with and without a test (test names, sc: scenarios)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    let task = args.first().map(String::as_str);
    let rest = args.get(1..).unwrap_or_default();
    match task {
        Some("wasm") => {
            no_extra_args("wasm", rest)?;
            wasm::build()
        }
        Some("wasm-sizes") => match rest {
            [] => wasm_sizes::run("learner"),
            [module] => wasm_sizes::run(module),
            _ => bail!("usage: cargo xtask wasm-sizes [learner|views|full]"),
        },
        Some("ci") => {
            let quick = match rest {
                [] => false,
                [flag] if flag == "--quick" => true,
                _ => bail!("usage: cargo xtask ci [--quick]"),
            };
            ci::run(quick)
        }
        Some("demo") => {
            let port = match rest {
                [] => demo::DEFAULT_PORT,
                [flag, value] if flag == "--port" => value
                    .parse()
                    .with_context(|| format!("--port expects a number 1-65535, got {value:?}"))?,
                _ => bail!("usage: cargo xtask demo [--port N]"),
            };
            demo::run(port)
        }
        Some("bench") => match rest {
            [suite] => bench::run(suite, None),
            [suite, flag, value] if flag == "--learners" => bench::run(
                suite,
                Some(value.parse().with_context(|| {
                    format!("--learners expects a whole number, got {value:?}")
                })?),
            ),
            _ => bail!("usage: cargo xtask bench <core|credentials|all|lti|issue> [--learners N]"),
        },
        Some("records") => {
            no_extra_args("records", rest)?;
            records::write_all()
        }
        Some("reqs") => {
            no_extra_args("reqs", rest)?;
            reqs::run()
        }
        Some("golden") => match rest {
            [] => golden::write(),
            [flag] if flag == "--check" => golden::check(),
            _ => bail!("usage: cargo xtask golden [--check]"),
        },
        Some("fuzz") => {
            no_extra_args("fuzz", rest)?;
            ci::fuzz()
        }
        Some("e2e") => {
            no_extra_args("e2e", rest)?;
            e2e::run()
        }
        Some("postgres") => match rest {
            [dashes, command @ ..] if dashes == "--" => postgres::run(command),
            command => postgres::run(command),
        },
        Some("tidy") => {
            no_extra_args("tidy", rest)?;
            tidy::check()
        }
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => bail!("unknown task {other:?}\n\n{HELP}"),
    }
}

fn no_extra_args(task: &str, rest: &[String]) -> Result<()> {
    if rest.is_empty() {
        Ok(())
    } else {
        bail!("`cargo xtask {task}` takes no arguments, got {rest:?}")
    }
}

/// The repository root (the parent of `xtask/`).
pub fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The shared reference folder, `../shared` from the repository root.
pub fn shared_dir() -> PathBuf {
    project_root().join("..").join("shared")
}

/// The cargo target directory (`CARGO_TARGET_DIR` or `target/`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                project_root().join(dir)
            }
        }
        None => project_root().join("target"),
    }
}

/// A `cargo` command (the one running this xtask, via `$CARGO`), in the repository root.
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(project_root());
    cmd
}

/// Whether a program answers `--version` (is installed and on PATH).
pub fn has_program(program: impl AsRef<OsStr>) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a command to completion, echoing it first; fails naming the command on a non-zero exit.
pub fn run_command(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    eprintln!("$ {shown}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}` (is it installed and on PATH?)"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// A command as a person would type it.
pub fn show(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}
