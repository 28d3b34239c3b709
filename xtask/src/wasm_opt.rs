//! Binaryen's `wasm-opt` over the bindgen output of `cargo xtask wasm`, from npm's
//! `binaryen` package (never Debian's, whose version 108 writes broken modules; see
//! `../shared/design/toolchain.md`). The exact version is pinned by `tools/package.json` and
//! `tools/package-lock.json` (integrity hashes, no registry URLs); this task copies both into
//! `<target>/tools/` and runs `npm ci` there when that install is missing or stale.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::wasm::gzip_len;
use crate::{has_program, project_root, run_command, target_dir};

/// Size-oriented passes without inlining: Binaryen's inliner shrinks the raw module but makes
/// it compress worse (measured on this module: `-Oz` alone 428 KB gzip from 389 KB; with
/// inlining limited to nothing, 382 KB). The features are the ones rustc's wasm32 target and
/// wasm-bindgen output use.
const PASSES: &[&str] = &[
    "-Oz",
    "--always-inline-max-function-size",
    "0",
    "--flexible-inline-max-function-size",
    "0",
    "--one-caller-inline-max-function-size",
    "0",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The files of `tools/` that define the install.
const MANIFESTS: &[&str] = &["package.json", "package-lock.json", ".npmrc"];

/// Optimizes the module at `wasm` in place and prints its size before and after.
pub fn optimize(wasm: &Path) -> Result<()> {
    let tool = installed()?;
    let before = std::fs::read(wasm).with_context(|| format!("cannot read {}", wasm.display()))?;
    let output = wasm.with_extension("opt.wasm");
    let mut cmd = Command::new("node");
    cmd.arg(&tool)
        .args(PASSES)
        .arg(wasm)
        .arg("-o")
        .arg(&output)
        .current_dir(project_root());
    run_command(&mut cmd)?;
    let after =
        std::fs::read(&output).with_context(|| format!("cannot read {}", output.display()))?;
    std::fs::rename(&output, wasm).with_context(|| format!("cannot replace {}", wasm.display()))?;
    println!(
        "wasm-opt: {} -> {} bytes raw, {} -> {} bytes gzip",
        before.len(),
        after.len(),
        gzip_len(&before)?,
        gzip_len(&after)?
    );
    Ok(())
}

/// The path of the installed `wasm-opt` script, installing it first when needed.
fn installed() -> Result<PathBuf> {
    let source = project_root().join("tools");
    let dir = target_dir().join("tools");
    let tool = dir
        .join("node_modules")
        .join("binaryen")
        .join("bin")
        .join("wasm-opt");
    let current = tool.is_file()
        && MANIFESTS.iter().all(|name| {
            let want = std::fs::read(source.join(name));
            let have = std::fs::read(dir.join(name));
            matches!((want, have), (Ok(a), Ok(b)) if a == b)
        });
    if current {
        return Ok(tool);
    }
    if !has_program("npm") || !has_program("node") {
        bail!(
            "wasm-opt needs Node and npm (Node 20 with npm, for example `apt-get install nodejs npm`), then rerun"
        );
    }
    eprintln!(
        "xtask: installing binaryen (wasm-opt) into {}",
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
    if !tool.is_file() {
        bail!("npm ci succeeded but {} is missing", tool.display());
    }
    Ok(tool)
}
