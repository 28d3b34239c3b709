//! `cargo xtask tidy`: every `.rs` file in the repository (outside build output) opens with a
//! `//!` line saying what it owns. Reads files only; never rewrites them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::project_root;

/// Directory names never searched: build output, dependencies, VCS data.
const SKIPPED_DIRS: &[&str] = &[
    "target",
    ".git",
    "node_modules",
    "pkg",
    "corpus",
    "artifacts",
];

/// Fails listing every `.rs` file whose first line does not start with `//!`.
pub fn check() -> Result<()> {
    let root = project_root();
    let mut files = Vec::new();
    collect_rust_files(&root, &mut files)?;
    files.sort();
    let mut offenders = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        if !text
            .lines()
            .next()
            .is_some_and(|line| line.starts_with("//!"))
        {
            offenders.push(
                file.strip_prefix(&root)
                    .unwrap_or(file)
                    .display()
                    .to_string(),
            );
        }
    }
    if !offenders.is_empty() {
        bail!(
            "{} file(s) do not open with a `//!` line saying what they own:\n  {}",
            offenders.len(),
            offenders.join("\n  ")
        );
    }
    println!("tidy: {} .rs files open with `//!`", files.len());
    Ok(())
}

fn collect_rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
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
                collect_rust_files(&path, out)?;
            }
        } else if file_type.is_file() && name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}
