//! The Node tools the xtask runs, from npm: binaryen's `wasm-opt` ([`crate::wasm_opt`]), axe-core and
//! `playwright-core` for the browser e2e test ([`crate::e2e`]). The exact versions are pinned by
//! `tools/package.json` and `tools/package-lock.json` (integrity hashes, no registry URLs); this
//! copies both into `<target>/tools/` and runs `npm ci` there when that install is missing or
//! stale. No browser is downloaded: the e2e test drives Debian's `chromium`. Also lists the
//! `*.test.mjs` files that Node's test runner is given ([`node_test_files`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{has_program, project_root, run_command, target_dir};

/// The files of `tools/` that define the install.
const MANIFESTS: &[&str] = &["package.json", "package-lock.json", ".npmrc"];

/// The package folders the install must contain (a check that `npm ci` really installed them).
const PACKAGES: &[&str] = &["axe-core", "binaryen", "playwright-core"];

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

/// The `*.test.mjs` files directly in `dir` (a folder relative to the repository root), sorted,
/// as paths relative to the root (the form `node --test` is given); an error when there are none.
pub fn node_test_files(dir: &str) -> Result<Vec<PathBuf>> {
    test_files_in(&project_root(), dir)
}

fn test_files_in(root: &Path, dir: &str) -> Result<Vec<PathBuf>> {
    let folder = root.join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .with_context(|| format!("cannot list {}", folder.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(".test.mjs"))
        })
        .map(|p| p.strip_prefix(root).map(Path::to_path_buf).unwrap_or(p))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no {dir}/*.test.mjs files");
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_are_listed_sorted_relative_and_only_when_present() {
        let root = std::env::temp_dir().join(format!("xtask-node-tests-{}", std::process::id()));
        let dir = root.join("t");
        std::fs::create_dir_all(dir.join("sub.test.mjs")).unwrap();
        assert!(
            test_files_in(&root, "t").is_err(),
            "a folder named like a test is not one"
        );
        for name in ["b.test.mjs", "a.test.mjs", "support.mjs", "c.test.js"] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let files = test_files_in(&root, "t").unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            files,
            [PathBuf::from("t/a.test.mjs"), PathBuf::from("t/b.test.mjs")]
        );
    }
}
