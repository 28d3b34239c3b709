//! The calculation methods' arithmetic (`spec/mastery.md` §3): one exact value from scores
//! ordered oldest first, or why there is none.

use super::{Method, NoValue};
use crate::number::Number;

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
            if let Some(value) = super::decaying::decaying_average(scores, rate_pct) {
                return Ok(value);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mastery::{MasteryError, Method};
    use serde_json::json;
    use std::collections::BTreeMap;

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
}
