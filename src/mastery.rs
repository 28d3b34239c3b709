//! Mastery calculation methods (`spec/mastery.md` §2–3) over evidence, and the parent
//! roll-up rules of §4 (Moodle `all` and `points`). Exact arithmetic, one rounding at
//! the end. Never reads events or definitions: the fold (`record`) chooses the evidence
//! and calls [`calculate`]; an LMS import calls [`calculate_evidence`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::ids::CompetencyId;
use crate::number::{Number, NumberError};
use crate::time::Timestamp;

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
struct ParamSpec {
    name: &'static str,
    min: u32,
    max: u32,
    default: u32,
}

impl Method {
    /// Every method name [`Method::from_name`] accepts, in the order of `spec/mastery.md` §3.
    pub const NAMES: [&'static str; 7] = [
        "highest",
        "latest",
        "first",
        "average",
        "weighted_average",
        "decaying_average",
        "n_mastery",
    ];

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
        let spec = match name {
            "highest" | "latest" | "first" | "average" => None,
            "weighted_average" => Some(ParamSpec {
                name: "weight_pct",
                min: 1,
                max: 99,
                default: DEFAULT_WEIGHT_PCT,
            }),
            "decaying_average" => Some(ParamSpec {
                name: "rate_pct",
                min: 50,
                max: 99,
                default: DEFAULT_RATE_PCT,
            }),
            "n_mastery" => Some(ParamSpec {
                name: "n",
                min: 1,
                max: 10,
                default: DEFAULT_N,
            }),
            _ => {
                return Err(MasteryError::UnknownMethod {
                    name: name.to_owned(),
                });
            }
        };
        for (key, value) in params {
            let taken = spec.as_ref().is_some_and(|s| s.name == key);
            if !taken && !value.is_null() {
                return Err(MasteryError::UnexpectedParam {
                    method: method_name(name),
                    param: key.clone(),
                });
            }
        }
        let value = match &spec {
            None => 0,
            Some(s) => match params.get(s.name).filter(|v| !v.is_null()) {
                None => s.default,
                Some(v) => match v.as_u64().and_then(|x| u32::try_from(x).ok()) {
                    Some(x) if (s.min..=s.max).contains(&x) => x,
                    _ => {
                        return Err(MasteryError::ParamOutOfRange {
                            method: method_name(name),
                            param: s.name,
                            value: v.to_string(),
                            min: s.min,
                            max: s.max,
                        });
                    }
                },
            },
        };
        Ok(match name {
            "highest" => Method::Highest,
            "latest" => Method::Latest,
            "first" => Method::First,
            "average" => Method::Average,
            "weighted_average" => Method::WeightedAverage { weight_pct: value },
            "decaying_average" => Method::DecayingAverage { rate_pct: value },
            _ => Method::NMastery { n: value },
        })
    }

    /// The method's name as in definitions and vectors (`"weighted_average"`).
    pub fn name(&self) -> &'static str {
        match self {
            Method::Highest => "highest",
            Method::Latest => "latest",
            Method::First => "first",
            Method::Average => "average",
            Method::WeightedAverage { .. } => "weighted_average",
            Method::DecayingAverage { .. } => "decaying_average",
            Method::NMastery { .. } => "n_mastery",
        }
    }
}

/// The static name of a known method (for error values); `name` was matched already.
fn method_name(name: &str) -> &'static str {
    Method::NAMES
        .iter()
        .copied()
        .find(|n| *n == name)
        .unwrap_or("unknown")
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

/// Sum of `scores`, exact.
fn sum<'a>(scores: impl IntoIterator<Item = &'a Number>) -> Number {
    scores.into_iter().fold(Number::zero(), |acc, s| acc.add(s))
}

fn count(n: usize) -> Number {
    Number::from_integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Applies `method` to scores ordered oldest first (`s_1 … s_n`). `mastery_points` is used
/// by `n_mastery` membership (`round2(s_i) ≥ mastery_points`). Returns the exact
/// (unrounded) value or why there is none.
///
/// Never sorts, never allocates beyond the arithmetic, never panics, whatever the method's
/// parameters (a [`Method`] built by hand with a parameter outside its range still gives a
/// value, or [`NoValue::FewerThanN`] for `n_mastery` with nothing to average).
pub fn calculate(
    method: &Method,
    scores: &[Number],
    mastery_points: &Number,
) -> Result<Number, NoValue> {
    let (first, rest) = scores.split_first().ok_or(NoValue::NoEvidence)?;
    match *method {
        Method::Highest => Ok(rest
            .iter()
            .fold(first, |max, s| if s > max { s } else { max })
            .clone()),
        Method::Latest => Ok(rest.last().unwrap_or(first).clone()),
        Method::First => Ok(first.clone()),
        Method::Average => Ok(sum(scores).div(&count(scores.len()))),
        Method::WeightedAverage { weight_pct } => match scores.split_last() {
            Some((newest, older)) if !older.is_empty() => {
                let w = Number::ratio(i64::from(weight_pct), 100);
                let mean_older = sum(older).div(&count(older.len()));
                Ok(w.mul(newest).add(&Number::one().sub(&w).mul(&mean_older)))
            }
            _ => Ok(first.clone()),
        },
        Method::DecayingAverage { rate_pct } => {
            let r = Number::ratio(i64::from(rate_pct), 100);
            let keep = Number::one().sub(&r);
            Ok(rest
                .iter()
                .fold(first.clone(), |d, s| keep.mul(&d).add(&r.mul(s))))
        }
        Method::NMastery { n } => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if scores.len() < n {
                return Err(NoValue::FewerThanN);
            }
            let (total, members) = scores
                .iter()
                .filter(|s| s.meets(mastery_points))
                .fold((Number::zero(), 0usize), |(t, k), s| (t.add(s), k + 1));
            if members < n || members == 0 {
                return Err(NoValue::FewerThanN);
            }
            Ok(total.div(&count(members)))
        }
    }
}

/// Why a calculation, its input or a roll-up rule was refused. Each variant has a stable
/// [`MasteryError::code`] from `spec/mastery.md` and a message a person can act on.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MasteryError {
    /// The method name is not one of `spec/mastery.md` §3.
    #[error(
        "unknown calculation method \"{name}\": use one of highest, latest, first, average, \
         weighted_average, decaying_average, n_mastery"
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

/// A child's points in a `points` roll-up rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PointsChild {
    /// The child competency.
    pub id: CompetencyId,
    /// Points the child adds when proficient (`≥ 0`).
    pub points: i64,
    /// A required child gates the rule whatever its points.
    #[serde(default)]
    pub required: bool,
}

/// A parent competency's roll-up rule (`spec/mastery.md` §4, Moodle's two rules).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RollupRule {
    /// Every child proficient; a parent without children never matches.
    All,
    /// Every required child proficient and the proficient children's points `≥ base_points`.
    Points {
        /// `P`, at least 1 and at most the sum of the children's points.
        base_points: i64,
        /// The children the rule counts; each must be one of the rated children.
        children: Vec<PointsChild>,
        /// The parent itself, when known: a child may not be the parent.
        #[serde(default)]
        parent: Option<CompetencyId>,
    },
}

/// A child competency's rating: proficient, not proficient, or unrated (`null`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ChildRating {
    /// The child competency.
    pub id: CompetencyId,
    /// `true`, `false`, or `null` (unrated, counts as not proficient).
    pub proficient: Option<bool>,
}

/// The parent's roll-up result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollupOutcome {
    /// Whether the parent is proficient by the rule.
    pub proficient: bool,
    /// For `points`: the sum of points of the proficient listed children; `null` for `all`.
    pub points: Option<i64>,
}

fn invalid(reason: String) -> MasteryError {
    MasteryError::RuleConfigInvalid { reason }
}

/// Checks a `points` rule against the rated children; returns the sum of all points.
fn check_points_rule(
    base_points: i64,
    rule_children: &[PointsChild],
    parent: Option<&CompetencyId>,
    rated: &BTreeMap<&str, bool>,
) -> Result<i64, MasteryError> {
    if base_points < 1 {
        return Err(invalid(format!(
            "base_points is {base_points}: it must be at least 1"
        )));
    }
    let mut seen = BTreeSet::new();
    let mut total: i64 = 0;
    for child in rule_children {
        if child.points < 0 {
            return Err(invalid(format!(
                "child {} has {} points: points must be 0 or more",
                child.id, child.points
            )));
        }
        if !seen.insert(child.id.as_str()) {
            return Err(invalid(format!(
                "child {} is listed twice: list each child once",
                child.id
            )));
        }
        if parent.is_some_and(|p| *p == child.id) {
            return Err(invalid(format!(
                "child {} is the parent itself: a competency cannot count towards itself",
                child.id
            )));
        }
        if !rated.contains_key(child.id.as_str()) {
            return Err(invalid(format!(
                "child {} is not a child of this competency: list only its children",
                child.id
            )));
        }
        total = total.checked_add(child.points).ok_or_else(|| {
            invalid("the children's points overflow: use smaller point values".to_owned())
        })?;
    }
    if base_points > total {
        return Err(invalid(format!(
            "base_points {base_points} is more than the {total} points all children give: \
             the rule could never be met"
        )));
    }
    Ok(total)
}

/// Evaluates a parent's roll-up rule on its children's ratings (`spec/mastery.md` §4).
///
/// `children` are the parent's children with their ratings; an unrated child (`null`) is
/// not proficient. Errors: `rule_config_invalid` (`base_points < 1`, a negative point value,
/// a duplicate or self child, `base_points` above the sum of points, a rule child that is
/// not among `children`) and `duplicate_child` (a child rated twice).
pub fn rollup(rule: &RollupRule, children: &[ChildRating]) -> Result<RollupOutcome, MasteryError> {
    let mut rated: BTreeMap<&str, bool> = BTreeMap::new();
    for c in children {
        if rated
            .insert(c.id.as_str(), c.proficient == Some(true))
            .is_some()
        {
            return Err(MasteryError::DuplicateChild {
                id: c.id.to_string(),
            });
        }
    }
    match rule {
        RollupRule::All => Ok(RollupOutcome {
            proficient: !rated.is_empty() && rated.values().all(|p| *p),
            points: None,
        }),
        RollupRule::Points {
            base_points,
            children: rule_children,
            parent,
        } => {
            check_points_rule(*base_points, rule_children, parent.as_ref(), &rated)?;
            let proficient = |c: &PointsChild| rated.get(c.id.as_str()).copied().unwrap_or(false);
            // Bounded by the checked total above, so this cannot overflow.
            let points: i64 = rule_children
                .iter()
                .filter(|c| proficient(c))
                .map(|c| c.points)
                .sum();
            let required_met = rule_children.iter().filter(|c| c.required).all(proficient);
            Ok(RollupOutcome {
                proficient: required_met && points >= *base_points,
                points: Some(points),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn n(s: &str) -> Number {
        Number::parse_exact(s).unwrap()
    }

    fn ns(list: &[&str]) -> Vec<Number> {
        list.iter().map(|s| n(s)).collect()
    }

    fn method(name: &str, params: serde_json::Value) -> Result<Method, MasteryError> {
        let params: BTreeMap<String, serde_json::Value> = serde_json::from_value(params).unwrap();
        Method::from_name(name, &params)
    }

    fn run(m: Method, scores: &[&str]) -> Result<Number, NoValue> {
        calculate(&m, &ns(scores), &n("3"))
    }

    #[test]
    fn f64_half_cent_average_rounds_up_exactly() {
        // In f64, (1.00 + 1.01) / 2 = 1.00499999… and rounding gives 1.00.
        let float = (1.00_f64 + 1.01) / 2.0;
        assert_eq!((float * 100.0).round() / 100.0, 1.00);
        let v = run(Method::Average, &["1.00", "1.01"]).unwrap();
        assert_eq!(v, n("1.005"));
        assert_eq!(v.to_reported_string(), "1.01");
    }

    #[test]
    fn f64_traps_2_345_and_decaying_half_cent() {
        let float = (2.34_f64 + 2.35) / 2.0;
        assert_eq!((float * 100.0).round() / 100.0, 2.34);
        assert_eq!(
            run(Method::Average, &["2.34", "2.35"])
                .unwrap()
                .to_reported_string(),
            "2.35"
        );
        let d = run(Method::DecayingAverage { rate_pct: 50 }, &["1.00", "1.01"]).unwrap();
        assert_eq!(d.to_reported_string(), "1.01");
    }

    #[test]
    fn f64_part_scores_give_exactly_80_percent() {
        // 2.2 + 2.4 + 5.3 + 2.1 of 15 is 79.99999999999999 % in f64.
        let float = (2.2_f64 + 2.4 + 5.3 + 2.1) * 100.0 / 15.0;
        assert!(float < 80.0);
        let total = sum(&ns(&["2.2", "2.4", "5.3", "2.1"]));
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
    fn half_to_even_is_not_used() {
        // Python's round(4.125, 2) gives 4.12; the rule is half away from zero.
        let v = run(Method::WeightedAverage { weight_pct: 50 }, &["4", "4.25"]).unwrap();
        assert_eq!(v.to_reported_string(), "4.13");
        assert_eq!(
            run(Method::Average, &["0", "0.25"])
                .unwrap()
                .to_reported_string(),
            "0.13"
        );
    }

    #[test]
    fn canvas_reference_values() {
        let s = ["1", "2", "3", "4", "5"];
        assert_eq!(
            run(Method::WeightedAverage { weight_pct: 65 }, &s).unwrap(),
            n("33/8")
        );
        assert_eq!(
            run(Method::DecayingAverage { rate_pct: 65 }, &s).unwrap(),
            n("4.46961875")
        );
        assert_eq!(run(Method::NMastery { n: 3 }, &s).unwrap(), n("4"));
        assert_eq!(run(Method::NMastery { n: 4 }, &s), Err(NoValue::FewerThanN));
        assert_eq!(run(Method::Highest, &["2", "4", "3"]).unwrap(), n("4"));
        assert_eq!(run(Method::Average, &["2", "4", "3"]).unwrap(), n("3"));
    }

    #[test]
    fn empty_evidence_is_no_value_for_every_method() {
        for name in Method::NAMES {
            let m = method(name, json!({})).unwrap();
            assert_eq!(
                calculate(&m, &[], &n("3")),
                Err(NoValue::NoEvidence),
                "{name}"
            );
        }
    }

    #[test]
    fn n_mastery_membership_uses_the_rounded_score() {
        // 2.995 is shown as 3.00 and so is a mastering score; 2.994 is not.
        let m = Method::NMastery { n: 1 };
        assert_eq!(run(m, &["2.995"]).unwrap(), n("2.995"));
        assert_eq!(run(m, &["2.994"]), Err(NoValue::FewerThanN));
    }

    #[test]
    fn hand_built_out_of_range_methods_do_not_panic() {
        assert_eq!(
            run(Method::NMastery { n: 0 }, &["1"]),
            Err(NoValue::FewerThanN)
        );
        assert_eq!(
            run(Method::NMastery { n: u32::MAX }, &["5"]),
            Err(NoValue::FewerThanN)
        );
        assert!(run(Method::DecayingAverage { rate_pct: 150 }, &["1", "2"]).is_ok());
        assert!(
            run(
                Method::WeightedAverage {
                    weight_pct: u32::MAX
                },
                &["1", "2"]
            )
            .is_ok()
        );
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
            assert_eq!(method(name, json!({})).unwrap().name(), name);
        }
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

    fn ratings(list: &[(&str, Option<bool>)]) -> Vec<ChildRating> {
        list.iter()
            .map(|(id, p)| ChildRating {
                id: CompetencyId::from(*id),
                proficient: *p,
            })
            .collect()
    }

    fn points_rule(base: i64, children: &[(&str, i64, bool)]) -> RollupRule {
        RollupRule::Points {
            base_points: base,
            children: children
                .iter()
                .map(|(id, points, required)| PointsChild {
                    id: CompetencyId::from(*id),
                    points: *points,
                    required: *required,
                })
                .collect(),
            parent: Some(CompetencyId::from("P")),
        }
    }

    #[test]
    fn rollup_points_rejects_bad_configurations() {
        let kids = ratings(&[("A", Some(true)), ("B", Some(true))]);
        for rule in [
            points_rule(1, &[("A", -1, false), ("B", 2, false)]),
            points_rule(1, &[("A", 1, false), ("P", 1, false)]),
            points_rule(1, &[("A", 1, false), ("Z", 1, false)]),
            points_rule(1, &[("A", i64::MAX, false), ("B", i64::MAX, false)]),
        ] {
            assert_eq!(
                rollup(&rule, &kids).unwrap_err().code(),
                "rule_config_invalid",
                "{rule:?}"
            );
        }
        let twice = ratings(&[("A", Some(true)), ("A", Some(false))]);
        assert_eq!(
            rollup(&RollupRule::All, &twice).unwrap_err().code(),
            "duplicate_child"
        );
    }

    #[test]
    fn rollup_points_counts_only_proficient_children() {
        let rule = points_rule(3, &[("A", 2, true), ("B", 1, false), ("C", 1, false)]);
        let out = rollup(
            &rule,
            &ratings(&[("A", Some(true)), ("B", None), ("C", Some(true))]),
        )
        .unwrap();
        assert_eq!(
            out,
            RollupOutcome {
                proficient: true,
                points: Some(3)
            }
        );
    }
}
