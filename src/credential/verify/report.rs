//! The verification report: the fourteen checks of §6 as [`CheckId`], their outcomes, and
//! the reporter the stages write into.

use serde::Serialize;

use super::VerifyMode;
use crate::credential::proof::Finding;

/// The checks of `spec/badges.md` §6, in the order they run. Serialized as `"V1"` … `"V14"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum CheckId {
    /// Parse and size.
    V1,
    /// Contexts pinned and in order.
    V2,
    /// Strict expansion (P1, P2, P15).
    V3,
    /// Credential types.
    V4,
    /// Required fields.
    V5,
    /// Proof selection.
    V6,
    /// Key resolution.
    V7,
    /// Key authorization (controller = issuer).
    V8,
    /// Signature.
    V9,
    /// Refresh service.
    V10,
    /// Status (revocation, suspension).
    V11,
    /// Validity period.
    V12,
    /// Recipient claim.
    V13,
    /// Embedded credentials: endorsements (failures warn) and a CLR's nested credentials
    /// (failures fail).
    V14,
}

impl CheckId {
    /// Every check, in order.
    pub const ALL: [CheckId; 14] = [
        CheckId::V1,
        CheckId::V2,
        CheckId::V3,
        CheckId::V4,
        CheckId::V5,
        CheckId::V6,
        CheckId::V7,
        CheckId::V8,
        CheckId::V9,
        CheckId::V10,
        CheckId::V11,
        CheckId::V12,
        CheckId::V13,
        CheckId::V14,
    ];

    /// `V1` … `V14`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::V1 => "V1",
            CheckId::V2 => "V2",
            CheckId::V3 => "V3",
            CheckId::V4 => "V4",
            CheckId::V5 => "V5",
            CheckId::V6 => "V6",
            CheckId::V7 => "V7",
            CheckId::V8 => "V8",
            CheckId::V9 => "V9",
            CheckId::V10 => "V10",
            CheckId::V11 => "V11",
            CheckId::V12 => "V12",
            CheckId::V13 => "V13",
            CheckId::V14 => "V14",
        }
    }

    /// The short name (`parse`, `contexts`, `signature`, …).
    pub fn name(self) -> &'static str {
        match self {
            CheckId::V1 => "parse",
            CheckId::V2 => "contexts",
            CheckId::V3 => "strict_expansion",
            CheckId::V4 => "types",
            CheckId::V5 => "required_fields",
            CheckId::V6 => "proof",
            CheckId::V7 => "key_resolution",
            CheckId::V8 => "key_authorization",
            CheckId::V9 => "signature",
            CheckId::V10 => "refresh_service",
            CheckId::V11 => "status",
            CheckId::V12 => "validity_period",
            CheckId::V13 => "recipient",
            CheckId::V14 => "embedded_credentials",
        }
    }

    /// The check named `V1` … `V14`, if any.
    pub fn parse(id: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|c| c.as_str() == id)
    }
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The check passed.
    Passed,
    /// The check failed; `verified` is false.
    Failed,
    /// The check passed with a warning.
    Warned,
    /// The check did not apply or could not run.
    Skipped,
}

/// One check of §6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `V1` … `V14`.
    pub id: CheckId,
    /// Short name (`parse`, `contexts`, `signature`, …).
    pub name: &'static str,
    /// What happened.
    pub outcome: Outcome,
    /// The stable code of a failure or warning.
    pub code: Option<&'static str>,
    /// A sentence a person can read.
    pub reason: String,
}

/// The result of [`verify`](super::verify()).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationReport {
    /// No check failed.
    pub verified: bool,
    /// The rules applied (`open_badge` or `proof_only`).
    pub mode: VerifyMode,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// The failures.
    pub errors: Vec<Finding>,
    /// Notes that do not change `verified`.
    pub warnings: Vec<Finding>,
}

impl VerificationReport {
    /// The codes of the errors, in order.
    pub fn error_codes(&self) -> Vec<&'static str> {
        self.errors.iter().map(|f| f.code).collect()
    }

    /// The codes of the warnings, in order.
    pub fn warning_codes(&self) -> Vec<&'static str> {
        self.warnings.iter().map(|f| f.code).collect()
    }
}

/// Collects the checks, errors and warnings as the stages run.
#[derive(Default)]
pub(super) struct Reporter {
    checks: Vec<Check>,
    errors: Vec<Finding>,
    warnings: Vec<Finding>,
}

impl Reporter {
    fn push(&mut self, id: CheckId, outcome: Outcome, code: Option<&'static str>, reason: String) {
        match (outcome, code) {
            (Outcome::Failed, Some(c)) => self.errors.push(Finding {
                code: c,
                message: reason.clone(),
            }),
            (Outcome::Warned, Some(c)) => self.warnings.push(Finding {
                code: c,
                message: reason.clone(),
            }),
            _ => {}
        }
        self.checks.push(Check {
            id,
            name: id.name(),
            outcome,
            code,
            reason,
        });
    }
    pub(super) fn pass(&mut self, id: CheckId, reason: impl Into<String>) {
        self.push(id, Outcome::Passed, None, reason.into());
    }
    pub(super) fn fail(&mut self, id: CheckId, code: &'static str, reason: impl Into<String>) {
        self.push(id, Outcome::Failed, Some(code), reason.into());
    }
    pub(super) fn warn(&mut self, id: CheckId, code: &'static str, reason: impl Into<String>) {
        self.push(id, Outcome::Warned, Some(code), reason.into());
    }
    pub(super) fn skip(&mut self, id: CheckId, reason: impl Into<String>) {
        self.push(id, Outcome::Skipped, None, reason.into());
    }
    pub(super) fn note(&mut self, code: &'static str, message: impl Into<String>) {
        self.warnings.push(Finding {
            code,
            message: message.into(),
        });
    }
    /// Skips every check after the first `done`, then finishes.
    pub(super) fn finish_skipping(mut self, done: usize, mode: VerifyMode) -> VerificationReport {
        for id in CheckId::ALL.into_iter().skip(done) {
            self.skip(id, "not run: an earlier check failed");
        }
        self.finish(mode)
    }
    pub(super) fn finish(self, mode: VerifyMode) -> VerificationReport {
        VerificationReport {
            verified: self.errors.is_empty(),
            mode,
            checks: self.checks,
            errors: self.errors,
            warnings: self.warnings,
        }
    }
}
