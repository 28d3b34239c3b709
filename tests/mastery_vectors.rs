//! Runs every `method` and `rollup` vector of `../shared/fixtures/mastery/vectors.json`
//! through `cairn::mastery`, comparing numbers as exact rationals. (Kinds `attempts` and
//! `criteria` belong to the fold's tests.)

use std::path::PathBuf;

use cairn::Number;
use cairn::mastery::{CalculationInput, ChildRating, RollupRule, calculate_evidence, rollup};
use num_bigint::BigInt;
use num_rational::BigRational;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct VectorFile {
    counts: std::collections::BTreeMap<String, usize>,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    id: String,
    kind: String,
    input: Value,
    expected: Value,
}

fn load() -> VectorFile {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/mastery/vectors.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("vectors.json parses")
}

/// Parses an exact number of any length: a decimal with an optional sign, or `n/d`.
/// (`Number::parse_exact` caps decimals at 64 characters; the 40-score decaying average
/// prints 80 digits.) Falls back to `Number::parse_exact` to keep one notion of syntax.
fn exact(text: &str) -> BigRational {
    let parse_decimal = |t: &str| -> BigRational {
        let (negative, body) = t.strip_prefix('-').map_or((false, t), |rest| (true, rest));
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        assert!(
            !whole.is_empty() && format!("{whole}{frac}").bytes().all(|b| b.is_ascii_digit()),
            "not a decimal: {text:?}"
        );
        let digits: BigInt = format!("{whole}{frac}").parse().expect("digits");
        let value = BigRational::new(digits, num_traits::pow(BigInt::from(10), frac.len()));
        if negative { -value } else { value }
    };
    if text.len() <= 64 {
        Number::parse_exact(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
    match text.split_once('/') {
        Some((n, d)) => parse_decimal(n) / parse_decimal(d),
        None => parse_decimal(text),
    }
}

/// Compares an expected number (decimal or `n/d`, or null) with an actual string exactly.
fn same_number(expected: &Value, actual: Option<&str>) -> bool {
    match (expected, actual) {
        (Value::Null, None) => true,
        (Value::String(e), Some(a)) => exact(e) == exact(a),
        _ => false,
    }
}

fn check_method(v: &Vector) -> Result<(), String> {
    let input: CalculationInput = match serde_json::from_value(v.input.clone()) {
        Ok(input) => input,
        Err(e) => return Err(format!("input does not deserialize: {e}")),
    };
    let want_error = v.expected["error"].as_str();
    match (calculate_evidence(&input), want_error) {
        (Err(e), Some(code)) if e.code() == code => Ok(()),
        (Err(e), _) => Err(format!(
            "error {} ({e}), expected {:?}",
            e.code(),
            want_error
        )),
        (Ok(out), Some(code)) => Err(format!("got {out:?}, expected error {code}")),
        (Ok(out), None) => {
            let exp = &v.expected;
            if !same_number(&exp["value"], out.value.as_deref()) {
                return Err(format!("value {:?}, expected {}", out.value, exp["value"]));
            }
            if let Some(value) = &out.value {
                let decimals = value.split_once('.').map(|(_, f)| f.len());
                if decimals != Some(2) {
                    return Err(format!("reported value {value} does not have 2 decimals"));
                }
            }
            if !same_number(&exp["exact"], out.exact.as_deref()) {
                return Err(format!("exact {:?}, expected {}", out.exact, exp["exact"]));
            }
            if exp["mastered"].as_bool() != out.mastered {
                return Err(format!(
                    "mastered {:?}, expected {}",
                    out.mastered, exp["mastered"]
                ));
            }
            let reason = out.reason.map(|r| r.code());
            if exp["reason"].as_str() != reason {
                return Err(format!("reason {reason:?}, expected {}", exp["reason"]));
            }
            Ok(())
        }
    }
}

fn check_rollup(v: &Vector) -> Result<(), String> {
    let rule: RollupRule = serde_json::from_value(v.input["rule"].clone())
        .map_err(|e| format!("rule does not deserialize: {e}"))?;
    let children: Vec<ChildRating> = serde_json::from_value(v.input["children"].clone())
        .map_err(|e| format!("children do not deserialize: {e}"))?;
    let exp = &v.expected;
    match (rollup(&rule, &children), exp["error"].as_str()) {
        (Err(e), Some(code)) if e.code() == code => Ok(()),
        (Err(e), want) => Err(format!("error {} ({e}), expected {want:?}", e.code())),
        (Ok(out), Some(code)) => Err(format!("got {out:?}, expected error {code}")),
        (Ok(out), None) => {
            if exp["proficient"].as_bool() != Some(out.proficient) {
                return Err(format!(
                    "proficient {}, expected {}",
                    out.proficient, exp["proficient"]
                ));
            }
            if exp["points"].as_i64() != out.points {
                return Err(format!(
                    "points {:?}, expected {}",
                    out.points, exp["points"]
                ));
            }
            Ok(())
        }
    }
}

#[test]
fn every_method_and_rollup_vector_passes() {
    let file = load();
    let mut failures = Vec::new();
    let (mut methods, mut rollups) = (0, 0);
    for v in &file.vectors {
        let result = match v.kind.as_str() {
            "method" => {
                methods += 1;
                check_method(v)
            }
            "rollup" => {
                rollups += 1;
                check_rollup(v)
            }
            _ => continue,
        };
        if let Err(why) = result {
            failures.push(format!("{}: {why}", v.id));
        }
    }
    assert_eq!(
        Some(&methods),
        file.counts.get("method"),
        "every method vector was run"
    );
    assert_eq!(
        Some(&rollups),
        file.counts.get("rollup"),
        "every rollup vector was run"
    );
    assert!(methods > 0 && rollups > 0);
    assert!(
        failures.is_empty(),
        "{} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn outcome_serializes_as_the_vector_expected_object() {
    let file = load();
    let v = file
        .vectors
        .iter()
        .find(|v| {
            v.kind == "method" && v.expected["error"].is_null() && v.expected["reason"].is_null()
        })
        .expect("a method vector with a value");
    let input: CalculationInput = serde_json::from_value(v.input.clone()).unwrap();
    let out = serde_json::to_value(calculate_evidence(&input).unwrap()).unwrap();
    for key in ["value", "exact", "mastered", "reason"] {
        assert!(out.get(key).is_some(), "{key} missing from {out}");
    }
    assert!(
        same_number(&v.expected["value"], out["value"].as_str()),
        "{out}"
    );
}
