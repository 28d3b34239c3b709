//! Binaryen's `wasm-opt` over the bindgen output of `cargo xtask wasm`, from npm's
//! `binaryen` package (never Debian's, whose version 108 writes broken modules; see
//! `../shared/design/toolchain.md`), installed at the pinned version by [`crate::npm_tools`].

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::wasm::{Build, gzip_len};
use crate::{project_root, run_command};

/// Binaryen's inliner off: it shrinks the raw module but makes it compress worse (measured on
/// the full module: `-Oz` alone 428 KB gzip from 389 KB; with inlining limited to nothing,
/// 382 KB; on the views module at `opt-level = "s"`, `-O3` 376 KB against 329 KB), and rustc
/// has already inlined what pays.
const NO_INLINING: &[&str] = &[
    "--always-inline-max-function-size",
    "0",
    "--flexible-inline-max-function-size",
    "0",
    "--one-caller-inline-max-function-size",
    "0",
];

/// The features rustc's wasm32 target and wasm-bindgen output use.
const FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Optimizes the module at `wasm` in place, for size or for speed as `build` says, and prints
/// its size before and after.
pub fn optimize(wasm: &Path, build: Build) -> Result<()> {
    let tool = installed()?;
    let before = std::fs::read(wasm).with_context(|| format!("cannot read {}", wasm.display()))?;
    let output = wasm.with_extension("opt.wasm");
    let mut cmd = Command::new("node");
    let level = match build {
        Build::Size => "-Oz",
        Build::Speed => "-O3",
    };
    cmd.arg(&tool)
        .arg(level)
        .args(NO_INLINING)
        .args(FEATURES)
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

/// The path of the installed `wasm-opt` script, installing the pinned tools first when needed.
fn installed() -> Result<PathBuf> {
    let tool = crate::npm_tools::node_modules()?
        .join("binaryen")
        .join("bin")
        .join("wasm-opt");
    if !tool.is_file() {
        bail!("the binaryen install has no {}", tool.display());
    }
    Ok(tool)
}
