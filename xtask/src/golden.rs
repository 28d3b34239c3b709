//! `cargo xtask golden [--check]`: folds every scenario (`../shared/fixtures/scenarios/`, and
//! `tests/scenarios/` when it exists) natively and writes the whole serialized record to
//! `tests/golden/records/<id>.json`, and the registrar export of every scenario's issuances
//! (REQ-REPORT-08) to `tests/golden/reports/registrar.{csv,json}`. `--check` (a CI step)
//! writes nothing and fails on any file that is missing, stale or without a scenario. Golden files come only from here:
//! review the diff, never edit them by hand.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};

use crate::project_root;
use crate::scenario_support;

/// Every golden file name with the text it must hold, from the scenarios.
fn expected() -> Result<BTreeMap<String, String>> {
    let root = project_root();
    let mut out = BTreeMap::new();
    for path in scenario_support::scenario_files(&root).map_err(|e| anyhow!(e))? {
        let scenario = scenario_support::read(&path).map_err(|e| anyhow!(e))?;
        let id = scenario_support::id(&scenario)
            .map_err(|e| anyhow!("{}: {e}", path.display()))?
            .to_owned();
        let record = scenario_support::fold(&scenario).map_err(|e| anyhow!(e))?;
        let text = scenario_support::golden_text(&record).map_err(|e| anyhow!(e))?;
        if out.insert(format!("{id}.json"), text).is_some() {
            bail!("two scenario files have the id {id:?}");
        }
    }
    Ok(out)
}

fn golden_dir() -> PathBuf {
    project_root().join(scenario_support::GOLDEN_DIR)
}

/// The `.json` files now in the golden folder.
fn present() -> Result<Vec<String>> {
    let dir = golden_dir();
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    Ok(names)
}

/// Writes every golden record and removes those whose scenario is gone.
pub fn write() -> Result<()> {
    let want = expected()?;
    let dir = golden_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for name in present()? {
        if !want.contains_key(&name) {
            let path = dir.join(&name);
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    for (name, text) in &want {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let reports = project_root().join(scenario_support::REPORTS_DIR);
    std::fs::create_dir_all(&reports)
        .with_context(|| format!("cannot create {}", reports.display()))?;
    for (name, text) in
        scenario_support::registrar_golden(&project_root()).map_err(|e| anyhow!(e))?
    {
        let path = reports.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "golden: {} records in {}",
        want.len(),
        scenario_support::GOLDEN_DIR
    );
    Ok(())
}

/// Fails naming every golden file that is missing, stale or without a scenario.
pub fn check() -> Result<()> {
    let want = expected()?;
    let dir = golden_dir();
    let mut problems = Vec::new();
    for (name, text) in &want {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(found) if found == *text => {}
            Ok(_) => problems.push(format!("{name}: stale")),
            Err(_) => problems.push(format!("{name}: missing")),
        }
    }
    for name in present()? {
        if !want.contains_key(&name) {
            problems.push(format!("{name}: no scenario has this id"));
        }
    }
    let reports = project_root().join(scenario_support::REPORTS_DIR);
    for (name, text) in
        scenario_support::registrar_golden(&project_root()).map_err(|e| anyhow!(e))?
    {
        match std::fs::read_to_string(reports.join(&name)) {
            Ok(found) if found == text => {}
            Ok(_) => problems.push(format!("reports/{name}: stale")),
            Err(_) => problems.push(format!("reports/{name}: missing")),
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} golden record(s) out of date in {}:\n  {}\nreview the change, then run `cargo xtask golden`",
            problems.len(),
            scenario_support::GOLDEN_DIR,
            problems.join("\n  ")
        );
    }
    println!("golden: {} records up to date", want.len());
    Ok(())
}
