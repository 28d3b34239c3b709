//! `cargo xtask tidy`: the repository's layout rules, checked on every source file (`.rs`,
//! `.mjs`, `.js`) outside build output. Reads files only; never rewrites them.
//!
//! 1. Every `.rs` file opens with a `//!` line saying what it owns.
//! 2. No source file is longer than [`MAX_LINES`] lines (one job per file: a longer file is
//!    split by the jobs it holds). Exempt: JSON-LD contexts (files under a `contexts/`
//!    folder, kept verbatim) and generated files (a `@generated` marker in the first five
//!    lines; `www/pkg/` and `target/` are not searched at all). Files still waiting for
//!    their split are listed in [`AWAITING_SPLIT`]; tidy fails once one of them fits, so
//!    the list only shrinks.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::project_root;

/// The longest a source file may be, in lines.
pub const MAX_LINES: usize = 800;

/// Source files over [`MAX_LINES`] whose split is under way (issue 7), by path from the
/// repository root. Remove an entry when its split lands; tidy says when one is stale.
const AWAITING_SPLIT: &[&str] = &[];

/// Directory names never searched: build output, dependencies, VCS data.
const SKIPPED_DIRS: &[&str] = &[
    "target",
    ".git",
    "node_modules",
    "pkg",
    "corpus",
    "artifacts",
];

/// Extensions of the source files the length rule covers.
const SOURCE_EXTENSIONS: &[&str] = &["rs", "mjs", "js"];

/// Fails listing every file that breaks a rule of the module doc.
pub fn check() -> Result<()> {
    let root = project_root();
    let mut files = Vec::new();
    collect_source_files(&root, &mut files)?;
    files.sort();
    let mut problems = Vec::new();
    let mut rust_files = 0usize;
    for file in &files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let shown = relative(&root, file);
        let is_rust = file.extension().is_some_and(|e| e == "rs");
        if is_rust {
            rust_files += 1;
            if !text
                .lines()
                .next()
                .is_some_and(|line| line.starts_with("//!"))
            {
                problems.push(format!(
                    "{shown}: does not open with a `//!` line saying what it owns"
                ));
            }
        }
        if is_exempt(&root, file, &text) {
            continue;
        }
        let lines = text.lines().count();
        let awaiting = AWAITING_SPLIT.contains(&shown.as_str());
        if lines > MAX_LINES && !awaiting {
            problems.push(format!(
                "{shown}: {lines} lines, over the limit of {MAX_LINES}: split it by the jobs it holds"
            ));
        } else if lines <= MAX_LINES && awaiting {
            problems.push(format!(
                "{shown}: {lines} lines now fits; remove it from AWAITING_SPLIT in xtask/src/tidy.rs"
            ));
        }
    }
    for listed in AWAITING_SPLIT {
        if !files.iter().any(|f| relative(&root, f) == *listed) {
            problems.push(format!(
                "{listed}: gone; remove it from AWAITING_SPLIT in xtask/src/tidy.rs"
            ));
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} tidy problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    println!(
        "tidy: {rust_files} .rs files open with `//!`; {} source files within {MAX_LINES} lines ({} awaiting a split)",
        files.len(),
        AWAITING_SPLIT.len()
    );
    Ok(())
}

/// The path from the repository root, with `/` separators.
fn relative(root: &Path, file: &Path) -> String {
    let path = file.strip_prefix(root).unwrap_or(file);
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Contexts and generated files are exempt from the length rule.
fn is_exempt(root: &Path, file: &Path, text: &str) -> bool {
    let in_contexts = file
        .strip_prefix(root)
        .unwrap_or(file)
        .components()
        .any(|c| c.as_os_str() == "contexts");
    in_contexts || text.lines().take(5).any(|line| line.contains("@generated"))
}

fn collect_source_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let file_type = entry.file_type()?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if file_type.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_ref()) {
                collect_source_files(&path, out)?;
            }
        } else if file_type.is_file()
            && path
                .extension()
                .is_some_and(|ext| SOURCE_EXTENSIONS.iter().any(|s| ext == *s))
        {
            out.push(path);
        }
    }
    Ok(())
}
