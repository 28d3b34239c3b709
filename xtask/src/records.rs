//! `cargo xtask records`: folds every scenario of `../shared/fixtures/scenarios/` natively with
//! the core and writes `target/scenario-records/<id>.json`, so the node tests can check that
//! the wasm build serializes byte-identical records. Reads the fixtures; never changes them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use crate::{shared_dir, target_dir};

/// The evaluation instant of a scenario with no events and no `expect.at` (a validation-only
/// scenario): nothing depends on it, so any fixed instant does; the node tests use the same.
pub const NO_EVENTS_AT: &str = "1970-01-01T00:00:00Z";

/// One scenario's core inputs, as the core reads them.
pub struct ScenarioInput {
    /// The scenario id (also the output file name).
    pub id: String,
    /// The `definitions` array, as JSON text.
    pub definitions: String,
    /// The `events` array, as JSON text.
    pub events: String,
    /// The evaluation instant: `expect.at`, else the last event's `at`, else [`NO_EVENTS_AT`].
    pub at: String,
}

/// Reads a scenario file into the core's inputs.
pub fn read_scenario(path: &Path) -> Result<ScenarioInput> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let id = doc["id"]
        .as_str()
        .ok_or_else(|| anyhow!("{} has no string `id`", path.display()))?
        .to_owned();
    let events = doc
        .get("events")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    let last_event_at = events
        .as_array()
        .and_then(|list| list.last())
        .map(|last| &last["at"]);
    let at = match (doc["expect"]["at"].as_str(), last_event_at) {
        (Some(at), _) => at.to_owned(),
        (None, Some(at)) => at
            .as_str()
            .ok_or_else(|| anyhow!("{}: the last event has no string `at`", path.display()))?
            .to_owned(),
        (None, None) => NO_EVENTS_AT.to_owned(),
    };
    let definitions = doc
        .get("definitions")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    Ok(ScenarioInput {
        id,
        definitions: serde_json::to_string(&definitions)?,
        events: serde_json::to_string(&events)?,
        at,
    })
}

/// Every scenario file, sorted by name.
pub fn scenario_files() -> Result<Vec<PathBuf>> {
    let dir = shared_dir().join("fixtures").join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {} (is ../shared present?)", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no scenario files in {}", dir.display());
    }
    Ok(files)
}

/// Folds one scenario with the native core and serializes the record exactly as the wasm
/// binding's `foldJson` does (`serde_json::to_string`).
pub fn fold_to_json(input: &ScenarioInput) -> Result<String> {
    let definitions = cairn::definition::parse_definitions(&input.definitions)
        .map_err(|e| anyhow!("{}: definitions: [{}] {e}", input.id, e.code()))?;
    let events = cairn::event::parse_events(&input.events)
        .map_err(|e| anyhow!("{}: events: [{}] {e}", input.id, e.code()))?;
    let at = cairn::Timestamp::parse(&input.at)
        .map_err(|e| anyhow!("{}: at {:?}: {e}", input.id, input.at))?;
    let record = cairn::record::fold(&definitions, &events, at).map_err(|e| {
        anyhow!(
            "{}: definitions cannot be folded: [{}] {e}",
            input.id,
            e.code()
        )
    })?;
    serde_json::to_string(&record).with_context(|| format!("{}: cannot serialize", input.id))
}

/// Writes `target/scenario-records/<id>.json` for every scenario.
pub fn write_all() -> Result<()> {
    let out_dir = target_dir().join("scenario-records");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let files = scenario_files()?;
    for file in &files {
        let input = read_scenario(file)?;
        let json = fold_to_json(&input)?;
        let path = out_dir.join(format!("{}.json", input.id));
        std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "records: {} scenario records in {}",
        files.len(),
        out_dir.display()
    );
    Ok(())
}
