//! `cargo xtask records`: folds every scenario natively with the core and writes
//! `target/scenario-records/<id>.json` exactly as the wasm binding's `foldJson` serializes it
//! (`serde_json::to_string`), so the node tests can check that the wasm build serializes
//! byte-identical records. Reading, the evaluation instant and the fold are
//! `tests/scenario_support`'s. Reads the fixtures; never changes them.

use anyhow::{Context, Result, anyhow};

use crate::scenario_support;
use crate::{project_root, target_dir};

/// Writes `target/scenario-records/<id>.json` for every scenario.
pub fn write_all() -> Result<()> {
    let out_dir = target_dir().join("scenario-records");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let files = scenario_support::scenario_files(&project_root()).map_err(|e| anyhow!(e))?;
    for file in &files {
        let scenario = scenario_support::read(file).map_err(|e| anyhow!(e))?;
        let id = scenario_support::id(&scenario).map_err(|e| anyhow!(e))?;
        let record = scenario_support::fold(&scenario).map_err(|e| anyhow!(e))?;
        let json =
            serde_json::to_string(&record).with_context(|| format!("{id}: cannot serialize"))?;
        let path = out_dir.join(format!("{id}.json"));
        std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "records: {} scenario records in {}",
        files.len(),
        out_dir.display()
    );
    Ok(())
}
