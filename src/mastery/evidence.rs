//! Evidence rows and the pure calculation function over them (`spec/mastery.md` §2): rows
//! checked, ungraded and non-summative rows ignored, scores scaled and clamped, ordered by
//! `(at, seq)`, then one method applied.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{MasteryError, Method, NoValue, SignedDecimal, calculate};
use crate::number::Number;
use crate::time::Timestamp;

/// The scale of a calculation (`spec/mastery.md` §2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Scale {
    /// Top of the scale; scaled scores above it are clamped when `clamp` (default `"5"`).
    #[serde(default = "default_points_possible")]
    pub points_possible: Number,
    /// `mastered = round2(value) ≥ mastery_points` (default `"3"`).
    #[serde(default = "default_mastery_points")]
    pub mastery_points: Number,
    /// Clamp scaled scores to `points_possible` (default `true`; `false` keeps extra credit).
    #[serde(default = "default_clamp")]
    pub clamp: bool,
}

fn default_points_possible() -> Number {
    Number::from_integer(5)
}

fn default_mastery_points() -> Number {
    Number::from_integer(3)
}

fn default_clamp() -> bool {
    true
}

impl Default for Scale {
    fn default() -> Self {
        Scale {
            points_possible: default_points_possible(),
            mastery_points: default_mastery_points(),
            clamp: true,
        }
    }
}

/// What an evidence row is for: only summative evidence enters a calculation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceRole {
    /// Counts (the default).
    #[default]
    Summative,
    /// Practice: ignored.
    Formative,
    /// Self-checks and pre-assessments: ignored.
    Diagnostic,
}

/// One graded result aligned to a competency (`spec/mastery.md` §2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EvidenceRow {
    /// Insertion sequence: the tie-break when `at` is equal.
    pub seq: u64,
    /// The order of the evidence (submission order).
    pub at: Timestamp,
    /// The score; `null` (ungraded) is ignored.
    pub score: Option<SignedDecimal>,
    /// The row's own maximum; with it, `scaled = score / possible × points_possible`.
    #[serde(default)]
    pub possible: Option<SignedDecimal>,
    /// Where the evidence came from (`course`, `resit`, `plar`): never changes the arithmetic.
    #[serde(default)]
    pub route: Option<String>,
    /// Summative (default), formative or diagnostic.
    #[serde(default)]
    pub role: EvidenceRole,
}

/// The input of [`calculate_evidence`]: exactly the `input` object of a `method` vector.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CalculationInput {
    /// The method name.
    pub method: String,
    /// The method's integer parameters (`weight_pct`, `rate_pct`, `n`); defaults apply.
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    /// The scale.
    #[serde(default)]
    pub scale: Scale,
    /// The evidence rows, in any order.
    #[serde(default)]
    pub evidence: Vec<EvidenceRow>,
}

/// The result of [`calculate_evidence`], as the vectors' `expected` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalculationOutcome {
    /// The reported value with exactly 2 decimals (`"4.13"`), or `null`.
    pub value: Option<String>,
    /// The exact value (`"33/8"`), or `null`.
    pub exact: Option<String>,
    /// Whether the reported value meets `mastery_points`; `null` without a value.
    pub mastered: Option<bool>,
    /// Why there is no value, or `null`.
    pub reason: Option<NoValue>,
}

/// The pure calculation function over evidence rows (`spec/mastery.md` §2–3), as an LMS
/// import or the page's what-if calls it: resolves the method, checks every row (negative
/// scores, non-positive `possible`), ignores ungraded and non-summative rows, scales by
/// `possible`, clamps, orders by `(at, seq)` and applies the method.
pub fn calculate_evidence(input: &CalculationInput) -> Result<CalculationOutcome, MasteryError> {
    let method = Method::from_name(&input.method, &input.params)?;
    let scale = &input.scale;
    if scale.points_possible.is_zero() || scale.points_possible.is_negative() {
        return Err(MasteryError::BadScale {
            points_possible: scale.points_possible.to_exact_string(),
        });
    }
    let mut rows: Vec<(Timestamp, u64, Number)> = Vec::with_capacity(input.evidence.len());
    for row in &input.evidence {
        if let Some(p) = &row.possible
            && (p.0.is_zero() || p.0.is_negative())
        {
            return Err(MasteryError::BadPossible {
                seq: row.seq,
                possible: p.0.to_exact_string(),
            });
        }
        let Some(score) = &row.score else { continue };
        if score.0.is_negative() {
            return Err(MasteryError::NegativeScore {
                seq: row.seq,
                score: score.0.to_exact_string(),
            });
        }
        if row.role != EvidenceRole::Summative {
            continue;
        }
        let scaled = match &row.possible {
            Some(p) => score.0.mul(&scale.points_possible).div(&p.0),
            None => score.0.clone(),
        };
        let scaled = if scale.clamp {
            scaled.min(scale.points_possible.clone())
        } else {
            scaled
        };
        rows.push((row.at, row.seq, scaled));
    }
    rows.sort_by_key(|(at, seq, _)| (*at, *seq));
    let scores: Vec<Number> = rows.into_iter().map(|(_, _, s)| s).collect();
    Ok(match calculate(&method, &scores, &scale.mastery_points) {
        Ok(v) => CalculationOutcome {
            value: Some(v.to_reported_string()),
            exact: Some(v.to_exact_string()),
            mastered: Some(v.meets(&scale.mastery_points)),
            reason: None,
        },
        Err(reason) => CalculationOutcome {
            value: None,
            exact: None,
            mastered: None,
            reason: Some(reason),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn f64_part_scores_give_exactly_80_percent() {
        // 2.2 + 2.4 + 5.3 + 2.1 of 15 is 79.99999999999999 % in f64.
        let float = (2.2_f64 + 2.4 + 5.3 + 2.1) * 100.0 / 15.0;
        assert!(float < 80.0);
        let total = ["2.2", "2.4", "5.3", "2.1"]
            .iter()
            .map(|s| Number::parse_exact(s).unwrap())
            .fold(Number::zero(), |acc, s| acc.add(&s));
        let input: CalculationInput = serde_json::from_value(json!({
            "method": "latest", "params": {},
            "scale": {"points_possible": "100", "mastery_points": "80"},
            "evidence": [{"seq": 1, "at": "2025-01-06T14:00:00Z",
                          "score": total.to_exact_string(), "possible": "15", "route": "course"}]
        }))
        .unwrap();
        let out = calculate_evidence(&input).unwrap();
        assert_eq!(out.exact.as_deref(), Some("80"));
        assert_eq!(out.mastered, Some(true));
    }

    #[test]
    fn evidence_rows_are_checked() {
        let base = |row: serde_json::Value| -> CalculationInput {
            serde_json::from_value(json!({"method": "latest", "scale": {}, "evidence": [row]}))
                .unwrap()
        };
        let err = |row| calculate_evidence(&base(row)).unwrap_err().code();
        assert_eq!(
            err(json!({"seq": 1, "at": "2025-01-06T14:00:00Z", "score": "-0.5"})),
            "negative_score"
        );
        assert_eq!(
            err(json!({"seq": 1, "at": "2025-01-06T14:00:00Z", "score": -2})),
            "negative_score"
        );
        assert_eq!(
            err(json!({"seq": 1, "at": "2025-01-06T14:00:00Z", "score": "1", "possible": "0"})),
            "bad_possible"
        );
        assert_eq!(
            err(json!({"seq": 1, "at": "2025-01-06T14:00:00Z", "score": "1", "possible": "-4"})),
            "bad_possible"
        );
        let float: Result<CalculationInput, _> = serde_json::from_value(json!({
            "method": "latest", "evidence": [{"seq": 1, "at": "2025-01-06T14:00:00Z", "score": 2.5}]
        }));
        assert!(float.is_err(), "JSON floats are refused");
    }

    #[test]
    fn zero_scale_is_refused() {
        let input: CalculationInput = serde_json::from_value(
            json!({"method": "latest", "scale": {"points_possible": "0"}, "evidence": []}),
        )
        .unwrap();
        assert_eq!(calculate_evidence(&input).unwrap_err().code(), "bad_scale");
    }
}
