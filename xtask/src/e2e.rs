//! `cargo xtask e2e` and the CI step "browser e2e (demo in Chromium)": builds `cairn-lti`, makes
//! sure Debian's `chromium` and the pinned npm `playwright-core` are installed (installing them
//! when missing; never a browser download), then runs `js/tests/e2e/*.test.mjs` with Node's test
//! runner. The test starts the real `cairn-lti demo`, opens the course page with third-party
//! cookies blocked and launches as instructor and learner in both flavours; the page test
//! walks the learner view and the verify page, the admin test the admin view with the demo's
//! admin token; each runs axe-core in its views, and the page test prints the page's
//! benchmarks (time to interactive, wasm sizes). Never skipped: a browser that cannot be
//! installed fails the step with what to do.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, has_program, project_root, run_command, target_dir};

/// Debian's package and program name.
const CHROMIUM: &str = "chromium";

/// The e2e test files, from the repository root.
const TEST_DIR: &str = "js/tests/e2e";

/// Runs the browser e2e tests against a fresh debug build of `cairn-lti` and the page modules
/// already built into `www/pkg/` (by `cargo xtask wasm`, or the CI step before this one).
pub fn run() -> Result<()> {
    for folder in ["views", "learner"] {
        let module = project_root()
            .join("www")
            .join("pkg")
            .join(folder)
            .join("cairn_wasm.js");
        if !module.is_file() {
            bail!(
                "{} is missing: run `cargo xtask wasm` first (the views load it)",
                module.display()
            );
        }
    }
    let storage_module = project_root()
        .join("www")
        .join("pkg")
        .join("lti-storage")
        .join("cairn_lti_storage.js");
    if !storage_module.is_file() {
        bail!(
            "{} is missing: run `cargo xtask wasm` first (the launch pages load it)",
            storage_module.display()
        );
    }
    let chromium = ensure_chromium()?;
    let modules = crate::npm_tools::node_modules()?;
    run_command(cargo().args(["build", "--package", "cairn-lti", "--bin", "cairn-lti"]))?;
    let binary = target_dir().join("debug").join("cairn-lti");
    let out = target_dir().join("e2e");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;

    let files = crate::npm_tools::node_test_files(TEST_DIR)?;
    let mut node = Command::new("node");
    node.arg("--test")
        .arg("--test-concurrency=1")
        // A hung browser step fails its test after 5 minutes instead of holding CI to its limit.
        .arg("--test-timeout=300000")
        .current_dir(project_root())
        .env("CAIRN_LTI_BIN", &binary)
        .env("CAIRN_CHROMIUM", &chromium)
        .env("CAIRN_PLAYWRIGHT_CORE", modules.join("playwright-core"))
        .env(
            "CAIRN_AXE_CORE",
            modules.join("axe-core").join("axe.min.js"),
        )
        .env("CAIRN_E2E_OUT", &out);
    node.args(&files);
    run_command(&mut node)?;
    println!("e2e: screenshots in {}", out.display());
    Ok(())
}

/// The `chromium` program, installing Debian's package with apt-get when it is missing
/// (`apt-get update` first only when the package is unknown to apt).
fn ensure_chromium() -> Result<PathBuf> {
    if let Some(found) = on_path(CHROMIUM) {
        return Ok(found);
    }
    let cannot = |why: &str| {
        anyhow::anyhow!(
            "the browser e2e test needs Debian's chromium, which is not installed, and {why}: \
             run `sudo apt-get install chromium` (as root), then rerun. This step is never skipped."
        )
    };
    if !has_program("apt-get") {
        return Err(cannot("apt-get is not available to install it"));
    }
    if !crate::postgres::is_root()? {
        return Err(cannot("installing it needs root"));
    }
    eprintln!("xtask: chromium is missing; installing Debian's chromium");
    if !apt_knows(CHROMIUM) {
        run_command(Command::new("apt-get").arg("update"))
            .map_err(|e| cannot(&format!("`apt-get update` failed ({e:#})")))?;
    }
    run_command(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", CHROMIUM])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
    .map_err(|e| cannot(&format!("apt-get could not install it ({e:#})")))?;
    on_path(CHROMIUM).ok_or_else(|| cannot("apt-get finished but no `chromium` is on PATH"))
}

/// Whether apt has a candidate version of `package` (its lists know it).
fn apt_knows(package: &str) -> bool {
    Command::new("apt-cache")
        .args(["policy", package])
        .output()
        .is_ok_and(|out| has_candidate(&String::from_utf8_lossy(&out.stdout)))
}

/// Whether `apt-cache policy` output names a candidate version.
fn has_candidate(policy: &str) -> bool {
    policy.lines().any(|line| {
        line.trim()
            .strip_prefix("Candidate:")
            .is_some_and(|v| !matches!(v.trim(), "" | "(none)"))
    })
}

/// The first executable `program` in `PATH`.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_is_found_on_path_only_when_executable() {
        assert!(on_path("sh").is_some(), "sh is on every PATH");
        assert!(on_path("no-such-program-cairn-e2e").is_none());
    }

    #[test]
    fn apt_policy_output_is_read_for_a_candidate() {
        let known = "chromium:\n  Installed: (none)\n  Candidate: 148.0.7778.167-1~deb12u1\n";
        assert!(has_candidate(known));
        assert!(!has_candidate(
            "chromium:\n  Installed: (none)\n  Candidate: (none)\n"
        ));
        // An unknown package prints nothing at all.
        assert!(!has_candidate(""));
    }
}
