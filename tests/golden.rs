//! The native core against the golden records of `tests/golden/records/`: for every
//! scenario, the whole serialized record (explanations and next steps included) must equal
//! the file `cargo xtask golden` wrote. The Node tests check wasm against the same files.

mod scenario_support;

use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_scenario_folds_to_its_golden_record() {
    let files = scenario_support::scenario_files(root()).unwrap();
    let mut failures = Vec::new();
    for path in &files {
        let scenario = scenario_support::read(path).unwrap();
        let id = scenario_support::id(&scenario).unwrap();
        let record = scenario_support::fold(&scenario).unwrap();
        let text = scenario_support::golden_text(&record).unwrap();
        let golden_path = root()
            .join(scenario_support::GOLDEN_DIR)
            .join(format!("{id}.json"));
        match std::fs::read_to_string(&golden_path) {
            Ok(golden) if golden == text => {}
            Ok(_) => failures.push(format!("{id}: the record differs from its golden file")),
            Err(e) => failures.push(format!("{id}: {} ({e})", golden_path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(review the change, then run `cargo xtask golden` to rewrite the files)",
        failures.join("\n")
    );
}

#[test]
fn every_golden_record_has_its_scenario() {
    let ids: BTreeSet<String> = scenario_support::scenario_files(root())
        .unwrap()
        .iter()
        .map(|p| {
            let scenario = scenario_support::read(p).unwrap();
            scenario_support::id(&scenario).unwrap().to_owned()
        })
        .collect();
    let dir = root().join(scenario_support::GOLDEN_DIR);
    let stray: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask golden`)", dir.display()))
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let id = name.strip_suffix(".json")?.to_owned();
            (!ids.contains(&id)).then_some(name)
        })
        .collect();
    assert!(
        stray.is_empty(),
        "golden files without a scenario: {stray:?}"
    );
    assert!(
        ids.len() >= 30,
        "expected the scenario fixtures, found {}",
        ids.len()
    );
}
