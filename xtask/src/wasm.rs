//! `cargo xtask wasm`: builds `cairn-wasm` for wasm32 with the `wasm` profile and generates the
//! web-target bindings into `www/pkg/` with wasm-bindgen used as a library (no CLI to install).

use std::io::Write;
use std::process::Command;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::{cargo, project_root, run_command, target_dir};

/// The wasm target triple.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Installs the wasm32 target with rustup when it is missing.
pub fn ensure_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(project_root())
        .output();
    match installed {
        Ok(out) if out.status.success() => {
            if String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim() == TARGET)
            {
                return Ok(());
            }
            eprintln!("xtask: the {TARGET} target is missing; installing it");
            let mut add = Command::new("rustup");
            add.args(["target", "add", TARGET])
                .current_dir(project_root());
            run_command(&mut add)
        }
        _ => bail!(
            "rustup was not found; install Rust with rustup (https://rustup.rs), then run \
             `rustup target add {TARGET}`"
        ),
    }
}

/// Builds the module and its bindings; prints the raw and gzip size of the `.wasm`.
pub fn build() -> Result<()> {
    ensure_target()?;
    run_command(cargo().args([
        "build",
        "--package",
        "cairn-wasm",
        "--target",
        TARGET,
        "--profile",
        "wasm",
    ]))?;

    let input = target_dir()
        .join(TARGET)
        .join("wasm")
        .join("cairn_wasm.wasm");
    if !input.is_file() {
        bail!("cargo reported success but {} is missing", input.display());
    }
    let pkg_dir = project_root().join("www").join("pkg");
    std::fs::create_dir_all(&pkg_dir)
        .with_context(|| format!("cannot create {}", pkg_dir.display()))?;

    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)
        .context("wasm-bindgen: cannot select the web target")?
        .typescript(true)
        .generate(&pkg_dir)
        .context("wasm-bindgen could not generate the bindings")?;

    let wasm_path = pkg_dir.join("cairn_wasm_bg.wasm");
    let bytes = std::fs::read(&wasm_path)
        .with_context(|| format!("cannot read the generated {}", wasm_path.display()))?;
    let gzipped = gzip_len(&bytes)?;
    println!(
        "wasm: {} — {} raw, {} gzip",
        wasm_path
            .strip_prefix(project_root())
            .unwrap_or(&wasm_path)
            .display(),
        kib(bytes.len()),
        kib(gzipped)
    );
    Ok(())
}

/// Length of the bytes gzipped at the best level (what a server would send).
fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn kib(bytes: usize) -> String {
    // Display only; sizes are far below f64's exact integer range.
    format!("{bytes} bytes ({:.1} KiB)", bytes as f64 / 1024.0)
}
