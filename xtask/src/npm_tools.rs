//! The Node tools the xtask runs, from npm: binaryen's `wasm-opt` ([`crate::wasm_opt`]) and
//! `playwright-core` for the browser e2e test ([`crate::e2e`]). The exact versions are pinned by
//! `tools/package.json` and `tools/package-lock.json` (integrity hashes, no registry URLs); this
//! copies both into `<target>/tools/` and runs `npm ci` there when that install is missing or
//! stale. No browser is downloaded: the e2e test drives Debian's `chromium`.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{has_program, project_root, run_command, target_dir};

/// The files of `tools/` that define the install.
const MANIFESTS: &[&str] = &["package.json", "package-lock.json", ".npmrc"];

/// The package folders the install must contain (a check that `npm ci` really installed them).
const PACKAGES: &[&str] = &["binaryen", "playwright-core"];

/// `<target>/tools/node_modules`, installing the pinned tools first when needed.
pub fn node_modules() -> Result<PathBuf> {
    let source = project_root().join("tools");
    let dir = target_dir().join("tools");
    let modules = dir.join("node_modules");
    let complete = PACKAGES
        .iter()
        .all(|package| modules.join(package).join("package.json").is_file());
    let current = complete
        && MANIFESTS.iter().all(|name| {
            let want = std::fs::read(source.join(name));
            let have = std::fs::read(dir.join(name));
            matches!((want, have), (Ok(a), Ok(b)) if a == b)
        });
    if current {
        return Ok(modules);
    }
    if !has_program("npm") || !has_program("node") {
        bail!(
            "the build tools need Node and npm (Node 20 with npm, for example \
             `apt-get install nodejs npm`), then rerun"
        );
    }
    eprintln!(
        "xtask: installing the pinned Node tools ({}) into {}",
        PACKAGES.join(", "),
        dir.display()
    );
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for name in MANIFESTS {
        std::fs::copy(source.join(name), dir.join(name))
            .with_context(|| format!("cannot copy tools/{name} into {}", dir.display()))?;
    }
    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir);
    run_command(&mut npm)?;
    for package in PACKAGES {
        if !modules.join(package).join("package.json").is_file() {
            bail!(
                "npm ci succeeded but {} is missing",
                modules.join(package).display()
            );
        }
    }
    Ok(modules)
}
