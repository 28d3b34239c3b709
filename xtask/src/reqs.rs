//! `cargo xtask reqs`: which requirement ids of `../shared/spec/requirements.md` have a test.
//! A requirement has one when a test is named after it (`req_assess_11_…`: a Rust `fn` or a
//! Node `test('req_…')` in `src/`, `tests/`, `lti/`, `js/`, `xtask/`), or when its acceptance
//! column names a scenario (`sc:<id>`) that exists under `../shared/fixtures/scenarios/` or
//! `tests/scenarios/`. Prints both lists and the counts; never fails on a missing test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};

use crate::project_root;

/// The requirement id a test name stands for: `req_assess_11_x` → `REQ-ASSESS-11`.
fn id_of_test(name: &str) -> Option<String> {
    let rest = name.strip_prefix("req_")?;
    let mut area = Vec::new();
    for token in rest.split('_') {
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            if area.is_empty() {
                return None;
            }
            return Some(format!("REQ-{}-{token}", area.join("-").to_uppercase()));
        }
        area.push(token);
    }
    None
}

/// Every `req_…` name in a source text.
fn test_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("req_") {
        let head = &rest[..at];
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        // Only test definitions: a Rust `fn`, or a Node `test('…` / `test("…`.
        if ["fn ", "test('", "test(\""]
            .iter()
            .any(|p| head.ends_with(p))
        {
            names.push(&tail[..end]);
        }
        rest = &tail[end.max(4)..];
    }
    names
}

fn scan(dir: &Path, found: &mut BTreeMap<String, BTreeSet<String>>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "target" | "node_modules" | "pkg") {
                scan(&path, found)?;
            }
            continue;
        }
        // This file's own examples are not tests of requirements.
        if !(name.ends_with(".rs") || name.ends_with(".mjs")) || path.ends_with("xtask/src/reqs.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        for test in test_names(&text) {
            if let Some(id) = id_of_test(test) {
                found.entry(id).or_default().insert(test.to_owned());
            }
        }
    }
    Ok(())
}

/// Prints the requirement ids with a test and those without.
pub fn run() -> Result<()> {
    let root = project_root();
    let spec = root.join("../shared/spec/requirements.md");
    let text = std::fs::read_to_string(&spec).with_context(|| {
        format!(
            "cannot read {}: ../shared must sit beside the checkout",
            spec.display()
        )
    })?;
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for dir in ["src", "tests", "lti", "js", "xtask"] {
        scan(&root.join(dir), &mut found)?;
    }
    let scenario_exists = |id: &str| {
        [
            root.join("../shared/fixtures/scenarios"),
            root.join("tests/scenarios"),
        ]
        .iter()
        .any(|d| d.join(format!("{id}.json")).is_file())
    };
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(id) = cells.get(1).filter(|c| c.starts_with("REQ-")) else {
            continue;
        };
        let acceptance = cells.get(3).copied().unwrap_or("");
        let mut by: Vec<String> = found.get(*id).into_iter().flatten().cloned().collect();
        by.extend(
            acceptance
                .split("sc:")
                .skip(1)
                .map(|s| {
                    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                        .next()
                        .unwrap_or("")
                })
                .filter(|s| !s.is_empty() && scenario_exists(s))
                .map(|s| format!("sc:{s}")),
        );
        if by.is_empty() {
            without.push(id.to_string());
        } else {
            with.push(format!("{id}  {}", by.join(", ")));
        }
    }
    println!("with a test ({}):", with.len());
    for line in &with {
        println!("  {line}");
    }
    println!("without a test ({}):", without.len());
    for id in &without {
        println!("  {id}");
    }
    println!(
        "reqs: {} of {} requirements have a test",
        with.len(),
        with.len() + without.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_map_to_requirement_ids() {
        assert_eq!(
            id_of_test("req_assess_11_either_alternative_gives_mastery").as_deref(),
            Some("REQ-ASSESS-11")
        );
        assert_eq!(id_of_test("req_x").as_deref(), None);
        assert_eq!(
            test_names("fn req_plar_03_a() {}\ntest('req_meta_07_b', …); prereq_x `req_c_01_d`"),
            vec!["req_plar_03_a", "req_meta_07_b"]
        );
    }
}
