//! Bench-only WebAssembly modules (`cargo xtask bench`): builds a workspace crate such as
//! `bench-wasm/` for wasm32 as the instructor views' module is built (the `wasm-speed` profile,
//! then `wasm-opt`'s speed passes, [`wasm::Build::Speed`]), so it times the code those views
//! ship, and generates its bindings into `<target>/bench-wasm/`, never into `www/pkg/`, so what
//! it exposes (signing, for timing) never reaches the page.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::{cargo, run_command, target_dir, wasm};

/// Builds `package` (a cdylib) and returns the folder holding its bindings.
pub fn build(package: &str) -> Result<PathBuf> {
    wasm::ensure_target()?;
    run_command(cargo().args([
        "build",
        "--package",
        package,
        "--target",
        wasm::TARGET,
        "--profile",
        wasm::Build::Speed.profile(),
    ]))?;
    let input = target_dir()
        .join(wasm::TARGET)
        .join(wasm::Build::Speed.profile())
        .join(format!("{}.wasm", package.replace('-', "_")));
    if !input.is_file() {
        bail!("cargo reported success but {} is missing", input.display());
    }
    let out = target_dir().join("bench-wasm");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)
        .context("wasm-bindgen: cannot select the web target")?
        .generate(&out)
        .with_context(|| format!("wasm-bindgen could not generate the bindings of {package}"))?;
    let wasm = out.join(format!("{}_bg.wasm", package.replace('-', "_")));
    crate::wasm_opt::optimize(&wasm, wasm::Build::Speed)?;
    Ok(out)
}
