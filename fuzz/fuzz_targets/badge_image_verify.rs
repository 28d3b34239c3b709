//! Fuzz target: arbitrary bytes as a badge image into `credential::verify::verify_image` at
//! a fixed evaluation time. Any panic is a crash, and so is a report that contradicts itself
//! or, for an image that carries an Open Badges 3.0 credential, one that differs from
//! verifying the extracted text directly.
#![no_main]

use cairn::Timestamp;
use cairn::credential::bake::{BakedVersion, extract};
use cairn::credential::verify::{Outcome, VerificationReport, verify_image};
use cairn::credential::{VerifyOptions, verify};
use libfuzzer_sys::fuzz_target;

/// Inside the validity window of the project and 1EdTech vectors (they expire in 2029).
const NOW: &str = "2026-06-01T00:00:00Z";

fn check_report(report: &VerificationReport) {
    assert_eq!(report.verified, report.errors.is_empty(), "{report:?}");
    assert!(!report.checks.is_empty(), "a report lists its checks");
    for error in &report.errors {
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
    let options = VerifyOptions::at(Timestamp::parse(NOW).expect("a valid instant"));
    let report = verify_image(data, &options);
    check_report(&report);
    match extract(data) {
        Ok(found) if found.version == BakedVersion::Ob3 => {
            assert_eq!(report, verify(&found.text, &options));
        }
        _ => assert!(
            !report.verified,
            "an image without an OB 3.0 credential verified"
        ),
    }
});
