//! Scenario files as the tests and `cargo xtask records|golden` read them, in one place:
//! where they are, a scenario's evaluation instant (README §9: `expect.at`, else the latest
//! event `at`), its fold, and the golden record text. `tests/scenarios.rs` and
//! `tests/golden.rs` use it as a module; xtask includes this file with `#[path]`.
//! Test-only: reads files.
#![allow(
    dead_code,
    reason = "each user takes the helpers it needs; the others are unused there"
)]

use std::path::{Path, PathBuf};

use cairn::Timestamp;
use cairn::record::Record;
use serde_json::Value;

/// The instant a scenario with neither events nor `expect.at` (validation only) is folded
/// at: nothing in its record depends on it.
pub const NO_EVENTS_AT: Timestamp = Timestamp::from_unix_seconds(0);

/// Where the golden records are, from the repository root.
pub const GOLDEN_DIR: &str = "tests/golden/records";

/// The folders holding scenario files: the shared fixtures, then the repository's own
/// `tests/scenarios/` when it exists.
pub fn scenario_dirs(repo_root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![repo_root.join("../shared/fixtures/scenarios")];
    let own = repo_root.join("tests/scenarios");
    if own.is_dir() {
        dirs.push(own);
    }
    dirs
}

/// Every scenario file (`*.json` of [`scenario_dirs`]), sorted by file name.
pub fn scenario_files(repo_root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for dir in scenario_dirs(repo_root) {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            format!(
                "cannot list {} ({e}): ../shared must sit beside the checkout",
                dir.display()
            )
        })?;
        files.extend(
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "json")),
        );
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    if files.is_empty() {
        return Err("no scenario files found".to_owned());
    }
    Ok(files)
}

/// A scenario file, read as JSON.
pub fn read(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// The scenario's `id` (also its golden file's name).
pub fn id(scenario: &Value) -> Result<&str, String> {
    scenario["id"]
        .as_str()
        .ok_or_else(|| "a scenario has no string `id`".to_owned())
}

/// The evaluation instant (README §9): `expect.at`, else the latest `at` among the events
/// (the maximum, not the list's last entry), else [`NO_EVENTS_AT`].
pub fn evaluation_instant(scenario: &Value) -> Result<Timestamp, String> {
    let parse = |v: &Value, what: &str| -> Result<Timestamp, String> {
        let text = v
            .as_str()
            .ok_or_else(|| format!("{what} is not a string: {v}"))?;
        Timestamp::parse(text).map_err(|e| format!("{what}: {e}"))
    };
    if let Some(at) = scenario["expect"].get("at") {
        return parse(at, "expect.at");
    }
    let mut latest: Option<Timestamp> = None;
    for (i, event) in scenario["events"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = parse(&event["at"], &format!("events[{i}].at"))?;
        latest = latest.max(Some(at));
    }
    Ok(latest.unwrap_or(NO_EVENTS_AT))
}

/// Folds a scenario with the core's readers (`parse_definitions`, `parse_events`) at its
/// evaluation instant.
pub fn fold(scenario: &Value) -> Result<Record, String> {
    let id = id(scenario)?;
    let text = |key: &str| scenario.get(key).map_or("[]".to_owned(), Value::to_string);
    let definitions = cairn::definition::parse_definitions(&text("definitions"))
        .map_err(|e| format!("{id}: definitions: [{}] {e}", e.code()))?;
    let events = cairn::event::parse_events(&text("events"))
        .map_err(|e| format!("{id}: events: [{}] {e}", e.code()))?;
    let at = evaluation_instant(scenario).map_err(|e| format!("{id}: {e}"))?;
    cairn::record::fold(&definitions, &events, at)
        .map_err(|e| format!("{id}: definitions cannot be folded: [{}] {e}", e.code()))
}

/// The golden text of a record: the whole serialized record (explanations and next steps
/// included), pretty-printed so that a change reads as a diff, with a final newline.
pub fn golden_text(record: &Record) -> Result<String, String> {
    serde_json::to_string_pretty(record)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| format!("cannot serialize a record: {e}"))
}

/// Where the golden reports are, from the repository root.
pub const REPORTS_DIR: &str = "tests/golden/reports";

/// The registrar export (REQ-REPORT-08) of a roster made of every scenario, one learner per
/// scenario (the learner's institutional id is the scenario id), each folded with its own
/// definitions: `(file name, text)` for the CSV and the JSON golden files.
pub fn registrar_golden(repo_root: &Path) -> Result<Vec<(String, String)>, String> {
    let mut rows = Vec::new();
    for path in scenario_files(repo_root)? {
        let scenario = read(&path)?;
        let id = id(&scenario)?.to_owned();
        let text = |key: &str| scenario.get(key).map_or("[]".to_owned(), Value::to_string);
        let definitions = cairn::definition::parse_definitions(&text("definitions"))
            .map_err(|e| format!("{id}: {e}"))?;
        let events =
            cairn::event::parse_events(&text("events")).map_err(|e| format!("{id}: {e}"))?;
        let record = fold(&scenario)?;
        let learner = cairn::report::LearnerData {
            learner: &id,
            events: &events,
            record: &record,
        };
        rows.extend(cairn::report::registrar_rows(&definitions, &[learner]));
    }
    let mut json = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
    json.push('\n');
    Ok(vec![
        (
            "registrar.csv".to_owned(),
            cairn::report::registrar_csv(&rows),
        ),
        ("registrar.json".to_owned(), json),
    ])
}

/// A roster of every prefix of one scenario's `events`, longest first (so a shorter log
/// follows a learner who had more state), learners named `<id>-<length>`.
pub fn prefix_roster(id: &str, events: &[cairn::event::Event]) -> Vec<cairn::record::LearnerLog> {
    (0..=events.len())
        .rev()
        .map(|n| cairn::record::LearnerLog {
            learner: cairn::ids::LearnerId::new(format!("{id}-{n}")),
            events: events[..n].to_vec(),
        })
        .collect()
}
