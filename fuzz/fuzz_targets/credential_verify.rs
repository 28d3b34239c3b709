//! Fuzz target: arbitrary bytes, read as UTF-8 (lossily), into `credential::verify` at a
//! fixed evaluation time; the input's length picks the mode (auto, Open Badge, proof only)
//! so every rule set sees every input shape. Verification never fails: any panic is a crash,
//! and so is a report that contradicts itself (verified with errors, an error no failed
//! check names, a report that does not serialize for the wasm binding).
#![no_main]

use cairn::Timestamp;
use cairn::credential::verify::{CheckId, Outcome, VerificationReport, VerifyMode};
use cairn::credential::{VerifyOptions, verify};
use libfuzzer_sys::fuzz_target;

/// Inside the validity window of the project and 1EdTech vectors (they expire in 2029).
const NOW: &str = "2026-06-01T00:00:00Z";

/// The report's own consistency, shared in spirit with `badge_image_verify`.
fn check_report(report: &VerificationReport) {
    assert_eq!(report.verified, report.errors.is_empty(), "{report:?}");
    assert!(!report.checks.is_empty(), "a report lists its checks");
    if report.mode == VerifyMode::Auto {
        // The rules are only unknown when the input did not parse (V1).
        assert!(
            report
                .checks
                .iter()
                .any(|c| c.id == CheckId::V1 && c.outcome == Outcome::Failed),
            "rules left undecided past V1: {report:?}"
        );
    }
    let failed = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .count();
    assert_eq!(failed == 0, report.verified, "{report:?}");
    for error in &report.errors {
        assert!(!error.code.is_empty() && !error.message.is_empty());
        assert!(
            report
                .checks
                .iter()
                .any(|c| c.outcome == Outcome::Failed && c.code == Some(error.code)),
            "error {} has no failed check: {report:?}",
            error.code
        );
    }
    serde_json::to_string(report).expect("a report serializes for the wasm binding");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let now = Timestamp::parse(NOW).expect("a valid instant");
    let mode = match data.len() % 3 {
        0 => VerifyMode::Auto,
        1 => VerifyMode::OpenBadge,
        _ => VerifyMode::ProofOnly,
    };
    let options = VerifyOptions {
        mode,
        ..VerifyOptions::at(now)
    };
    check_report(&verify(&text, &options));
});
