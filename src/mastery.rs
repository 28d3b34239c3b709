//! Mastery (`spec/mastery.md` §2–4): the calculation methods and their parameters, why a
//! method gives no value, and the module's errors. The work lives in submodules: the
//! methods' arithmetic in [`calculate`](mod@calculate) (with the exact decaying average in
//! `decaying`), the same kept up to date one score at a time in [`Accumulator`], evidence rows in `evidence`, parent roll-up rules in `rollup`. Exact
//! arithmetic, one rounding at the end. Never reads events or definitions: the fold
//! (`record`) chooses the evidence and calls [`calculate()`]; an LMS import calls
//! [`calculate_evidence`].

mod accumulate;
mod calculate;
mod decaying;
mod evidence;
mod rollup;

pub use accumulate::Accumulator;
pub use calculate::calculate;
pub use evidence::{
    CalculationInput, CalculationOutcome, EvidenceRole, EvidenceRow, Scale, calculate_evidence,
};
pub use rollup::{ChildRating, PointsChild, RollupOutcome, RollupRule, rollup};

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::number::{Number, NumberError};

/// Default `weight_pct` of `weighted_average` (Canvas).
pub const DEFAULT_WEIGHT_PCT: u32 = 65;
/// Default `rate_pct` of `decaying_average` (Canvas).
pub const DEFAULT_RATE_PCT: u32 = 65;
/// Default `n` of `n_mastery` (Canvas).
pub const DEFAULT_N: u32 = 5;

/// A calculation method with its parameters resolved (defaults applied).
///
/// Serializes as `{"method": "weighted_average", "weight_pct": 65}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// `max s_i`.
    Highest,
    /// `s_n`, the newest score.
    Latest,
    /// `s_1`, the oldest score.
    First,
    /// `Σ s_i / n`.
    Average,
    /// n = 1: `s_1`; else `w·s_n + (1−w)·mean(s_1 … s_{n−1})`, `w = weight_pct / 100`.
    WeightedAverage {
        /// Weight of the newest score, percent, 1..=99.
        weight_pct: u32,
    },
    /// `d_1 = s_1`; `d_k = (1−r)·d_{k−1} + r·s_k`; result `d_n`, `r = rate_pct / 100`.
    DecayingAverage {
        /// Weight of each new score, percent, 50..=99.
        rate_pct: u32,
    },
    /// Mean of **all** scores whose reported value meets `mastery_points`, once there are
    /// at least `n` scores and at least `n` of them meet it.
    NMastery {
        /// How many mastering scores are needed, 1..=10.
        n: u32,
    },
}

/// One integer parameter a method takes: its name, range and default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// The key in `method_params` (`"weight_pct"`).
    pub name: &'static str,
    /// Smallest allowed value.
    pub min: u32,
    /// Largest allowed value.
    pub max: u32,
    /// The value when the key is absent or `null`.
    pub default: u32,
}

/// One row of the method table: the name as in definitions and vectors, the parameter it
/// takes, and how a resolved parameter value makes the method.
struct MethodRow {
    name: &'static str,
    param: Option<ParamSpec>,
    make: fn(u32) -> Method,
}

/// The one table of calculation methods, in the order of `spec/mastery.md` §3. Names,
/// parameters and defaults are read from here and nowhere else.
const METHODS: [MethodRow; 7] = [
    MethodRow {
        name: "highest",
        param: None,
        make: |_| Method::Highest,
    },
    MethodRow {
        name: "latest",
        param: None,
        make: |_| Method::Latest,
    },
    MethodRow {
        name: "first",
        param: None,
        make: |_| Method::First,
    },
    MethodRow {
        name: "average",
        param: None,
        make: |_| Method::Average,
    },
    MethodRow {
        name: "weighted_average",
        param: Some(ParamSpec {
            name: "weight_pct",
            min: 1,
            max: 99,
            default: DEFAULT_WEIGHT_PCT,
        }),
        make: |weight_pct| Method::WeightedAverage { weight_pct },
    },
    MethodRow {
        name: "decaying_average",
        param: Some(ParamSpec {
            name: "rate_pct",
            min: 50,
            max: 99,
            default: DEFAULT_RATE_PCT,
        }),
        make: |rate_pct| Method::DecayingAverage { rate_pct },
    },
    MethodRow {
        name: "n_mastery",
        param: Some(ParamSpec {
            name: "n",
            min: 1,
            max: 10,
            default: DEFAULT_N,
        }),
        make: |n| Method::NMastery { n },
    },
];

impl Method {
    /// Every method name [`Method::from_name`] accepts, in the order of `spec/mastery.md` §3.
    pub const NAMES: [&'static str; 7] = {
        let mut names = [""; 7];
        let mut i = 0;
        while i < METHODS.len() {
            names[i] = METHODS[i].name;
            i += 1;
        }
        names
    };

    /// Resolves a method name and its `method_params` object (integers), applying defaults.
    ///
    /// Errors: `unknown_method` (including `kept_mean`, which is the fold's own rule and not a
    /// method of this module), `unexpected_param` (a key the method does not take) and
    /// `param_out_of_range` (outside the range, or not a whole number). A `null` parameter is
    /// treated as absent, as Canvas sends `calculation_int: null`.
    pub fn from_name(
        name: &str,
        params: &BTreeMap<String, serde_json::Value>,
    ) -> Result<Method, MasteryError> {
        let row = METHODS.iter().find(|row| row.name == name).ok_or_else(|| {
            MasteryError::UnknownMethod {
                name: name.to_owned(),
            }
        })?;
        for (key, value) in params {
            let taken = row.param.is_some_and(|s| s.name == key);
            if !taken && !value.is_null() {
                return Err(MasteryError::UnexpectedParam {
                    method: row.name,
                    param: key.clone(),
                });
            }
        }
        let value = match &row.param {
            None => 0,
            Some(s) => match params.get(s.name).filter(|v| !v.is_null()) {
                None => s.default,
                Some(v) => match v.as_u64().and_then(|x| u32::try_from(x).ok()) {
                    Some(x) if (s.min..=s.max).contains(&x) => x,
                    _ => {
                        return Err(MasteryError::ParamOutOfRange {
                            method: row.name,
                            param: s.name,
                            // `to_string` of a `Value` (its `Display`) is the same JSON
                            // through a second writer, compact and pretty, in the page's
                            // modules; writing a `Value` cannot fail.
                            value: serde_json::to_string(v).unwrap_or_default(),
                            min: s.min,
                            max: s.max,
                        });
                    }
                },
            },
        };
        Ok((row.make)(value))
    }

    /// This method's row of the table.
    fn row(&self) -> &'static MethodRow {
        let i = match self {
            Method::Highest => 0,
            Method::Latest => 1,
            Method::First => 2,
            Method::Average => 3,
            Method::WeightedAverage { .. } => 4,
            Method::DecayingAverage { .. } => 5,
            Method::NMastery { .. } => 6,
        };
        &METHODS[i]
    }

    /// The method's name as in definitions and vectors (`"weighted_average"`).
    pub fn name(&self) -> &'static str {
        self.row().name
    }

    /// The parameter this method takes, if any, with its resolved value.
    pub fn param(&self) -> Option<(ParamSpec, u32)> {
        let value = match *self {
            Method::WeightedAverage { weight_pct } => weight_pct,
            Method::DecayingAverage { rate_pct } => rate_pct,
            Method::NMastery { n } => n,
            Method::Highest | Method::Latest | Method::First | Method::Average => 0,
        };
        self.row().param.map(|spec| (spec, value))
    }
}

/// Why a method gave no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoValue {
    /// No (summative, graded) evidence at all: no result, never 0.
    NoEvidence,
    /// `n_mastery`: fewer than `n` scores, or fewer than `n` of them meet mastery.
    FewerThanN,
}

impl NoValue {
    /// The reason code as serialized (`"no_evidence"`, `"fewer_than_n"`).
    pub fn code(&self) -> &'static str {
        match self {
            NoValue::NoEvidence => "no_evidence",
            NoValue::FewerThanN => "fewer_than_n",
        }
    }
}

impl fmt::Display for NoValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a calculation, its input or a roll-up rule was refused. Each variant has a stable
/// [`MasteryError::code`] from `spec/mastery.md` and a message a person can act on.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MasteryError {
    /// The method name is not one of `spec/mastery.md` §3.
    #[error(
        "unknown calculation method \"{name}\": use one of {}",
        Method::NAMES.join(", ")
    )]
    UnknownMethod {
        /// The name as given.
        name: String,
    },
    /// A parameter outside its range, or not a whole number.
    #[error("{method} parameter {param} is {value}: it must be a whole number from {min} to {max}")]
    ParamOutOfRange {
        /// The method.
        method: &'static str,
        /// The parameter.
        param: &'static str,
        /// The value as given (JSON text).
        value: String,
        /// Smallest allowed value.
        min: u32,
        /// Largest allowed value.
        max: u32,
    },
    /// A parameter the method does not take.
    #[error(
        "{method} does not take the parameter \"{param}\": remove it (only weighted_average \
         takes weight_pct, decaying_average rate_pct and n_mastery n)"
    )]
    UnexpectedParam {
        /// The method.
        method: &'static str,
        /// The unexpected key.
        param: String,
    },
    /// A negative score in the evidence.
    #[error("evidence row seq {seq} has a negative score {score}: scores must be 0 or more")]
    NegativeScore {
        /// The row's `seq`.
        seq: u64,
        /// The score as an exact number.
        score: String,
    },
    /// A `possible` (the row's maximum) that is zero or negative.
    #[error("evidence row seq {seq} has possible = {possible}: a row's maximum must be above 0")]
    BadPossible {
        /// The row's `seq`.
        seq: u64,
        /// The maximum as an exact number.
        possible: String,
    },
    /// A scale whose `points_possible` is zero.
    #[error("the scale's points_possible is {points_possible}: it must be above 0")]
    BadScale {
        /// The value given.
        points_possible: String,
    },
    /// A roll-up rule whose configuration cannot be evaluated (`spec/mastery.md` §4).
    #[error("invalid roll-up rule: {reason}")]
    RuleConfigInvalid {
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The same child rated twice in a roll-up.
    #[error("child {id} is rated twice: give each child competency one rating")]
    DuplicateChild {
        /// The child's id.
        id: String,
    },
}

impl MasteryError {
    /// The stable machine-readable code (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            MasteryError::UnknownMethod { .. } => "unknown_method",
            MasteryError::ParamOutOfRange { .. } => "param_out_of_range",
            MasteryError::UnexpectedParam { .. } => "unexpected_param",
            MasteryError::NegativeScore { .. } => "negative_score",
            MasteryError::BadPossible { .. } => "bad_possible",
            MasteryError::BadScale { .. } => "bad_scale",
            MasteryError::RuleConfigInvalid { .. } => "rule_config_invalid",
            MasteryError::DuplicateChild { .. } => "duplicate_child",
        }
    }
}

/// A decimal that may carry a leading minus sign (`"-1"`), or a JSON integer, so that a
/// negative score reaches the `negative_score` check instead of failing to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDecimal(pub Number);

impl<'de> Deserialize<'de> for SignedDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SignedDecimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string such as \"2.35\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SignedDecimal, E> {
                let (negative, body) = match v.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, v),
                };
                let n = Number::parse_decimal(body).map_err(|e| match e {
                    NumberError::TooLong { .. } => E::custom(e),
                    _ => E::custom(NumberError::NotADecimal { text: v.to_owned() }),
                })?;
                Ok(SignedDecimal(if negative { n.neg() } else { n }))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SignedDecimal, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<SignedDecimal, E> {
                Ok(SignedDecimal(Number::from_integer(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<SignedDecimal, E> {
                Err(E::custom(NumberError::FloatingPoint {
                    text: v.to_string(),
                }))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A competency's mastery status (README §5.2), as records report it and as the criteria
/// vectors give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MasteryStatus {
    /// No item has a kept result.
    NotStarted,
    /// Some items have a kept result, not all.
    InProgress,
    /// Every item has a kept result but the score is below the threshold.
    NotYet,
    /// Shown, or granted by PLAR.
    Mastered,
}

/// The input of [`rollup`] as one JSON object: a parent's rule and its children's ratings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RollupInput {
    /// The parent's rule.
    pub rule: RollupRule,
    /// The children's ratings.
    #[serde(default)]
    pub children: Vec<ChildRating>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn method(name: &str, params: serde_json::Value) -> Result<Method, MasteryError> {
        let params: BTreeMap<String, serde_json::Value> = serde_json::from_value(params).unwrap();
        Method::from_name(name, &params)
    }

    #[test]
    fn parameters_are_resolved_with_defaults_and_ranges() {
        assert_eq!(
            method("weighted_average", json!({})).unwrap(),
            Method::WeightedAverage { weight_pct: 65 }
        );
        assert_eq!(
            method("decaying_average", json!({"rate_pct": null})).unwrap(),
            Method::DecayingAverage { rate_pct: 65 }
        );
        assert_eq!(
            method("n_mastery", json!({})).unwrap(),
            Method::NMastery { n: 5 }
        );
        for (name, params) in [
            ("weighted_average", json!({"weight_pct": 0})),
            ("weighted_average", json!({"weight_pct": 65.5})),
            ("weighted_average", json!({"weight_pct": "65"})),
            ("decaying_average", json!({"rate_pct": 49})),
            ("decaying_average", json!({"rate_pct": -60})),
            ("n_mastery", json!({"n": 11})),
            ("n_mastery", json!({"n": 4294967301u64})),
        ] {
            let err = method(name, params.clone()).unwrap_err();
            assert_eq!(err.code(), "param_out_of_range", "{name} {params}");
        }
        assert_eq!(
            method("highest", json!({"n": 2})).unwrap_err().code(),
            "unexpected_param"
        );
        assert_eq!(
            method("n_mastery", json!({"rate_pct": 60}))
                .unwrap_err()
                .code(),
            "unexpected_param"
        );
        assert_eq!(
            method("kept_mean", json!({})).unwrap_err().code(),
            "unknown_method"
        );
        assert_eq!(
            method("Highest", json!({})).unwrap_err().code(),
            "unknown_method"
        );
    }

    #[test]
    fn method_serializes_with_its_name_and_parameter() {
        let m = Method::WeightedAverage { weight_pct: 70 };
        assert_eq!(
            serde_json::to_value(m).unwrap(),
            json!({"method": "weighted_average", "weight_pct": 70})
        );
        for name in Method::NAMES {
            let m = method(name, json!({})).unwrap();
            assert_eq!(m.name(), name);
            // The table's names are the names serde writes.
            assert_eq!(serde_json::to_value(m).unwrap()["method"], json!(name));
            if let Some((spec, value)) = m.param() {
                assert_eq!(value, spec.default, "{name}");
                assert_eq!(
                    method(name, json!({spec.name: spec.max})).unwrap().param(),
                    Some((spec, spec.max))
                );
            }
        }
    }
}
