//! `cargo xtask wasm`: builds `cairn-wasm` for wasm32 and generates the web-target bindings into
//! `www/pkg/` with wasm-bindgen used as a library (no CLI to install), then runs `wasm-opt`
//! ([`crate::wasm_opt`]). Each module is built for size or for speed ([`Build`]).

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

/// What a module is optimized for: its cargo profile (Cargo.toml) and its `wasm-opt` passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// The `wasm` profile (`opt-level = "z"`) and size passes: modules loaded on a page's
    /// first paint, whose work is one learner or one credential.
    Size,
    /// The `wasm-speed` profile (`opt-level = "s"`) and speed passes: modules that fold a whole
    /// roster (the instructor views' what-if), and the bench module that times them.
    Speed,
}

impl Build {
    /// The cargo profile, which is also the folder of its artifacts under `target/<triple>/`.
    pub fn profile(self) -> &'static str {
        match self {
            Build::Size => "wasm",
            Build::Speed => "wasm-speed",
        }
    }
}

/// One module the page loads: the crate, and where its bindings go under `www/pkg/`.
struct PageModule {
    /// The cargo package.
    package: &'static str,
    /// The wasm file cargo writes (the package name with `_`).
    artifact: &'static str,
    /// The folder under `www/pkg/` (empty: `www/pkg/` itself).
    folder: &'static str,
    /// `None`: the package's default features; `Some(list)`: only the listed features (none
    /// for an empty list), without the defaults.
    features: Option<&'static str>,
    /// Optimized for size or for speed.
    build: Build,
    /// The most gzip bytes the module may grow to (`cargo xtask ci` fails above it), if any.
    gzip_budget: Option<usize>,
}

/// The learner module's budget: a guard against growth, not the goal. Issue 12's goal is
/// 150 KB gzip; the module is ~196 KiB (200,553 B) since events are read in one pass
/// (`src/event/read.rs`), definitions and API bodies by one member reader each
/// (`src/definition/read.rs`: failures leave the member loop with their error, defaulted
/// members start as their default, a bit per member given), the learner's seven request
/// bodies by one reader of their member lists (`js/src/learner_body.rs`), the maps that are
/// built once and then only read (the definitions' maps, the record's per-id maps, the course's
/// id maps, the item-set answers) are sorted vectors whose keys sort as `&str`
/// (`src/sorted_map.rs`), the id sets of the definition checks and of the version choice are
/// sorted lists of `&str` too, and the module leaves out the sentences of errors it never
/// meets (`js/src/lib.rs`). Most of the rest is serde's per-type readers (each with its own
/// copy of serde_json's object and array wrappers), the fold itself, `serde_json::Value`
/// (events' evidence, rules, method parameters), formatting and big-number code (`cargo
/// xtask wasm-sizes learner` shows it), so the guard sits ~2% above it.
pub const LEARNER_GZIP_BUDGET: usize = 200 * 1024;

/// The core with the credential verifier (`www/pkg/`: the verify page, the credential page,
/// the credential editor and the Node tests); the instructor views' core without it
/// (`www/pkg/views/`); the learner's and admin's core with only the fold and the API client
/// (`www/pkg/learner/`, the smallest, so the learner view starts fast); and the ~60 KiB
/// platform-storage module of the LTI login and launch pages (so those pages never load the
/// core). Each is the same core code; a smaller module only leaves entry points out.
const MODULES: &[PageModule] = &[
    PageModule {
        package: "cairn-wasm",
        artifact: "cairn_wasm",
        folder: "",
        features: None,
        build: Build::Size,
        gzip_budget: None,
    },
    PageModule {
        package: "cairn-wasm",
        artifact: "cairn_wasm",
        folder: "views",
        features: Some("instructor"),
        build: Build::Speed,
        gzip_budget: None,
    },
    PageModule {
        package: "cairn-wasm",
        artifact: "cairn_wasm",
        folder: "learner",
        features: Some(""),
        build: Build::Size,
        gzip_budget: Some(LEARNER_GZIP_BUDGET),
    },
    PageModule {
        package: "cairn-lti-storage",
        artifact: "cairn_lti_storage",
        folder: "lti-storage",
        features: None,
        build: Build::Size,
        gzip_budget: None,
    },
];

/// Builds every page module and its bindings; prints the raw and gzip size of each `.wasm`.
/// One cargo run per module: two modules of one package differ in features and share the
/// artifact's path, so each is bound before the next build replaces it.
pub fn build() -> Result<()> {
    ensure_target()?;
    for module in MODULES {
        cargo_build(module, cargo(), &target_dir())?;
        bind(module)?;
    }
    Ok(())
}

/// Builds the module of `www/pkg/<folder>` without binding it, into `target/wasm-sizes/` with
/// v0 symbol mangling (whose names keep generic arguments: serde's reader says which type it
/// reads): the path of the `.wasm`, with its `name` section (for `cargo xtask wasm-sizes`).
/// Its own target folder, so the page build's cache is left as it is.
pub fn build_unbound(folder: &str) -> Result<std::path::PathBuf> {
    ensure_target()?;
    let module = MODULES
        .iter()
        .find(|m| m.folder == folder)
        .with_context(|| format!("no page module is built into www/pkg/{folder}"))?;
    let target = target_dir().join("wasm-sizes");
    let mut build = cargo();
    build
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-C symbol-mangling-version=v0");
    cargo_build(module, build, &target)
}

/// Runs `build` (a cargo command) for one module into `target`; returns the `.wasm` it writes.
fn cargo_build(
    module: &PageModule,
    mut build: Command,
    target: &std::path::Path,
) -> Result<std::path::PathBuf> {
    build.args([
        "build",
        "--target",
        TARGET,
        "--profile",
        module.build.profile(),
        "--package",
        module.package,
    ]);
    if let Some(features) = module.features {
        build.arg("--no-default-features");
        if !features.is_empty() {
            build.args(["--features", features]);
        }
    }
    run_command(&mut build)?;
    let artifact = target
        .join(TARGET)
        .join(module.build.profile())
        .join(format!("{}.wasm", module.artifact));
    if !artifact.is_file() {
        bail!(
            "cargo reported success but {} is missing",
            artifact.display()
        );
    }
    Ok(artifact)
}

/// Checks each built module in `www/pkg/` against its gzip budget (`cargo xtask ci`, after
/// [`build`]); names the module, its size and the budget when one is over.
pub fn check_budgets() -> Result<()> {
    for module in MODULES {
        let Some(budget) = module.gzip_budget else {
            continue;
        };
        let path = module_path(module);
        let bytes = std::fs::read(&path)
            .with_context(|| format!("cannot read {}: run `cargo xtask wasm`", path.display()))?;
        let gzipped = gzip_len(&bytes)?;
        over_budget(&path.display().to_string(), gzipped, budget)?;
        println!(
            "wasm: {} is {} gzip, within its budget of {}",
            path.display(),
            kib(gzipped),
            kib(budget)
        );
    }
    Ok(())
}

/// An error naming the module when `gzipped` exceeds `budget`.
fn over_budget(module: &str, gzipped: usize, budget: usize) -> Result<()> {
    if gzipped > budget {
        bail!(
            "{module} is {} gzip, over its budget of {}: the learner view loads it, so keep \
             what only other views call behind cairn-wasm's `instructor` or `verifier` feature, \
             and see where its bytes go with `cargo xtask wasm-sizes learner`",
            kib(gzipped),
            kib(budget)
        );
    }
    Ok(())
}

/// Where [`bind`] writes a module's optimized `.wasm`.
fn module_path(module: &PageModule) -> std::path::PathBuf {
    project_root()
        .join("www")
        .join("pkg")
        .join(module.folder)
        .join(format!("{}_bg.wasm", module.artifact))
}

/// Generates one module's web-target bindings, drops its name section and shrinks it.
fn bind(module: &PageModule) -> Result<()> {
    let input = target_dir()
        .join(TARGET)
        .join(module.build.profile())
        .join(format!("{}.wasm", module.artifact));
    let pkg_dir = project_root().join("www").join("pkg").join(module.folder);
    std::fs::create_dir_all(&pkg_dir)
        .with_context(|| format!("cannot create {}", pkg_dir.display()))?;

    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)
        .context("wasm-bindgen: cannot select the web target")?
        .typescript(true)
        .generate(&pkg_dir)
        .context("wasm-bindgen could not generate the bindings")?;

    let wasm_path = module_path(module);
    let generated = std::fs::read(&wasm_path)
        .with_context(|| format!("cannot read the generated {}", wasm_path.display()))?;
    // The bindings are generated; the function names only cost bytes from here on.
    let bytes = without_custom_section(&generated, "name")
        .with_context(|| format!("{} is not a well-formed wasm module", wasm_path.display()))?;
    std::fs::write(&wasm_path, &bytes)
        .with_context(|| format!("cannot write {}", wasm_path.display()))?;
    crate::wasm_opt::optimize(&wasm_path, module.build)?;
    let bytes = std::fs::read(&wasm_path)
        .with_context(|| format!("cannot read the optimized {}", wasm_path.display()))?;
    let gzipped = gzip_len(&bytes)?;
    let budget = module
        .gzip_budget
        .map(|b| format!(" (budget {})", kib(b)))
        .unwrap_or_default();
    println!(
        "wasm: {} — {} raw, {} gzip{budget}",
        wasm_path
            .strip_prefix(project_root())
            .unwrap_or(&wasm_path)
            .display(),
        kib(bytes.len()),
        kib(gzipped)
    );
    Ok(())
}

/// The module without the custom section called `name` (the section layout is in the
/// WebAssembly core specification, §5.5: an id byte, a LEB128 size, the contents).
fn without_custom_section(module: &[u8], name: &str) -> Result<Vec<u8>> {
    const HEADER: usize = 8;
    if module.len() < HEADER || &module[..4] != b"\0asm" {
        bail!("missing the wasm header");
    }
    let mut out = module[..HEADER].to_vec();
    let mut at = HEADER;
    while at < module.len() {
        let start = at;
        let id = module[at];
        let (size, contents) = read_leb128(module, at + 1)?;
        let end = contents
            .checked_add(size)
            .filter(|&end| end <= module.len());
        let Some(end) = end else {
            bail!("section at byte {start} runs past the end")
        };
        let is_dropped = id == 0 && {
            let (len, text) = read_leb128(module, contents)?;
            module.get(text..text.saturating_add(len)) == Some(name.as_bytes())
        };
        if !is_dropped {
            out.extend_from_slice(&module[start..end]);
        }
        at = end;
    }
    Ok(out)
}

/// Reads an unsigned LEB128 number at `at`; returns it and the index after it.
pub(crate) fn read_leb128(bytes: &[u8], mut at: usize) -> Result<(usize, usize)> {
    let mut value: usize = 0;
    for shift in (0..35).step_by(7) {
        let Some(&byte) = bytes.get(at) else {
            bail!("truncated LEB128 number")
        };
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    bail!("LEB128 number longer than 5 bytes")
}

/// Length of the bytes gzipped at the best level (what a server would send).
pub fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn kib(bytes: usize) -> String {
    // Display only; sizes are far below f64's exact integer range.
    format!("{bytes} bytes ({:.1} KiB)", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::without_custom_section;

    fn custom(name: &str, payload: &[u8]) -> Vec<u8> {
        let mut contents = vec![u8::try_from(name.len()).expect("short name")];
        contents.extend_from_slice(name.as_bytes());
        contents.extend_from_slice(payload);
        let mut section = vec![0, u8::try_from(contents.len()).expect("short section")];
        section.extend(contents);
        section
    }

    #[test]
    fn drops_only_the_named_custom_section() {
        let header = b"\0asm\x01\0\0\0".to_vec();
        let type_section = vec![1, 1, 0]; // a type section with zero types
        let module = [
            header.clone(),
            type_section.clone(),
            custom("name", b"\x01\x02\x03"),
            custom("producers", b"x"),
        ]
        .concat();
        let stripped = without_custom_section(&module, "name").expect("well-formed");
        assert_eq!(
            stripped,
            [header, type_section, custom("producers", b"x")].concat()
        );
    }

    #[test]
    fn a_module_over_its_budget_is_named_with_both_sizes() {
        assert!(super::over_budget("m.wasm", 100, 100).is_ok());
        let err = super::over_budget("m.wasm", 101, 100)
            .expect_err("one byte over")
            .to_string();
        assert!(err.contains("m.wasm is 101 bytes"), "{err}");
        assert!(err.contains("budget of 100 bytes"), "{err}");
    }

    #[test]
    fn refuses_a_truncated_module() {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend_from_slice(&[0, 40, 4, b'n']);
        assert!(without_custom_section(&module, "name").is_err());
        assert!(without_custom_section(b"\0as", "name").is_err());
    }
}
