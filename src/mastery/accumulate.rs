//! One competency's calculation kept up to date one score at a time: constant work per new
//! score whatever the method, the exact value only when asked for (`spec/mastery.md` §3).
//!
//! A fold that re-runs [`calculate`](super::calculate()) after every attempt pays for the
//! whole evidence each time; an [`Accumulator`] per competency pays once per score. Its
//! decisions ([`Accumulator::meets`]) are exactly those of the exact value: the decaying
//! average carries a narrow interval and computes the exact value only when the interval
//! straddles a 2-decimal rounding boundary.

use super::decaying::{Running, Step};
use super::{Method, NoValue, calculate};
use crate::number::{Number, mul_i64};

/// Fixed-point scale of the decaying average's interval: 10^12.
const SCALE: i128 = 1_000_000_000_000;

/// One competency's method over the scores pushed so far (oldest first).
#[derive(Debug, Clone)]
pub struct Accumulator {
    method: Method,
    mastery_points: Number,
    /// Decaying average only: every score pushed, for its exact value on demand (the other
    /// methods need no more than the first and the newest).
    scores: Vec<Number>,
    count: usize,
    first: Option<Number>,
    newest: Option<Number>,
    highest: Option<Number>,
    sum: Sum,
    /// `n_mastery`: the mastering scores' sum and count.
    members: (Sum, usize),
    /// Decaying average: `lo / SCALE ≤ d ≤ hi / SCALE`, or `None` once a score or a value
    /// leaves the fixed-point range (then the exact value decides).
    interval: Option<(i128, i128)>,
    /// Decaying average: the exact value's recurrence in `i128`, or `None` before the first
    /// score and once it overflows (then [`calculate`] over `scores` answers).
    running: Option<Running>,
}

impl Accumulator {
    /// An empty accumulator for `method`; `mastery_points` decides `n_mastery` membership
    /// and [`Accumulator::meets`].
    pub fn new(method: Method, mastery_points: Number) -> Self {
        Accumulator {
            method,
            mastery_points,
            scores: Vec::new(),
            count: 0,
            first: None,
            newest: None,
            highest: None,
            sum: Sum::ZERO,
            members: (Sum::ZERO, 0),
            interval: Some((0, 0)),
            running: None,
        }
    }

    /// Forgets every score (a learner's log starts again).
    pub fn clear(&mut self) {
        self.scores.clear();
        self.count = 0;
        self.first = None;
        self.newest = None;
        self.highest = None;
        self.sum = Sum::ZERO;
        self.members = (Sum::ZERO, 0);
        self.interval = Some((0, 0));
        self.running = None;
    }

    /// How many scores were pushed.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no score was pushed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds the newest score.
    pub fn push(&mut self, score: Number) {
        match self.method {
            Method::Highest => {
                if self.highest.as_ref().is_none_or(|h| score > *h) {
                    self.highest = Some(score.clone());
                }
            }
            Method::Average | Method::WeightedAverage { .. } => self.sum.add(&score),
            Method::NMastery { .. } => {
                if score.meets(&self.mastery_points) {
                    self.members.0.add(&score);
                    self.members.1 += 1;
                }
            }
            Method::DecayingAverage { rate_pct } => {
                self.interval = self.interval.and_then(|(lo, hi)| {
                    let (s_lo, s_hi) = fixed_bounds(&score)?;
                    if self.count == 0 {
                        return Some((s_lo, s_hi));
                    }
                    let p = i128::from(rate_pct);
                    let q = 100 - p;
                    if q < 0 {
                        return None; // a hand-built rate above 100: the exact value decides
                    }
                    Some((step(q, lo, p, s_lo, false)?, step(q, hi, p, s_hi, true)?))
                });
                self.running = match self.running {
                    None if self.count == 0 => Running::start(&score, Step::new(rate_pct)),
                    running => running.and_then(|r| r.push(&score)),
                };
            }
            Method::Latest | Method::First => {}
        }
        self.count += 1;
        match self.method {
            Method::DecayingAverage { .. } => self.scores.push(score),
            Method::Latest | Method::WeightedAverage { .. } => {
                if self.first.is_none() {
                    self.first = Some(score.clone());
                }
                self.newest = Some(score);
            }
            _ => {
                if self.first.is_none() {
                    self.first = Some(score);
                }
            }
        }
    }

    /// The exact value over the scores pushed so far, as [`calculate`] gives it.
    pub fn value(&self) -> Result<Number, NoValue> {
        if let Method::DecayingAverage { .. } = self.method {
            if let Some(value) = self.running.as_ref().and_then(Running::value) {
                return Ok(value);
            }
            return calculate(&self.method, &self.scores, &self.mastery_points);
        }
        let first = self.first.as_ref().ok_or(NoValue::NoEvidence)?;
        let newest = self.newest.as_ref().unwrap_or(first);
        let n = self.count;
        let count = |k: usize| Number::from_integer(i64::try_from(k).unwrap_or(i64::MAX));
        match self.method {
            Method::Highest => Ok(self.highest.clone().unwrap_or_else(|| first.clone())),
            Method::Latest => Ok(newest.clone()),
            Method::First => Ok(first.clone()),
            Method::Average => Ok(self.sum.value().div(&count(n))),
            Method::WeightedAverage { weight_pct } if n > 1 => {
                let w = Number::ratio(i64::from(weight_pct), 100);
                let mean_older = self.sum.value().sub(newest).div(&count(n - 1));
                Ok(w.mul(newest).add(&Number::one().sub(&w).mul(&mean_older)))
            }
            Method::WeightedAverage { .. } => Ok(first.clone()),
            Method::NMastery { n: needed } => {
                let (total, members) = self.enough_members(needed)?;
                Ok(total.value().div(&count(members)))
            }
            Method::DecayingAverage { .. } => {
                calculate(&self.method, &self.scores, &self.mastery_points)
            }
        }
    }

    /// `n_mastery`: the members' sum and count, or why there is no value (fewer than `n`
    /// scores, or fewer than `n` members).
    fn enough_members(&self, needed: u32) -> Result<(&Sum, usize), NoValue> {
        let needed = usize::try_from(needed).unwrap_or(usize::MAX);
        let (total, members) = &self.members;
        if self.count < needed || *members < needed || *members == 0 {
            return Err(NoValue::FewerThanN);
        }
        Ok((total, *members))
    }

    /// Whether the value's reported (rounded) form meets `threshold`; `None` without a
    /// value. Exactly `value().meets(threshold)`, without the exact decaying average unless
    /// its interval straddles a rounding boundary, and without the `n_mastery` mean when
    /// `threshold` is the mastery points (it then always meets them).
    pub fn meets(&self, threshold: &Number) -> Option<bool> {
        if let Method::NMastery { n } = self.method
            && *threshold == self.mastery_points
        {
            // Every member meets the mastery points, and the mean is at least the least
            // member: round2 is monotone, so the mean's round2 meets them too.
            return self.enough_members(n).ok().map(|_| true);
        }
        if let (Method::DecayingAverage { .. }, Some((lo, hi)), false) =
            (self.method, self.interval, self.is_empty())
            && let (Ok(lo), Ok(hi), Ok(scale)) =
                (i64::try_from(lo), i64::try_from(hi), i64::try_from(SCALE))
            && let (Some(lo_meets), Some(hi_meets)) = (
                Number::ratio_meets(lo, scale, threshold),
                Number::ratio_meets(hi, scale, threshold),
            )
        {
            // round2 is monotone: lo ≤ d ≤ hi gives round2(lo) ≤ round2(d) ≤ round2(hi).
            if lo_meets {
                return Some(true);
            }
            if !hi_meets {
                return Some(false);
            }
        }
        self.value().ok().map(|v| v.meets(threshold))
    }
}

/// `floor(x · SCALE)` and `ceil(x · SCALE)` of a small-form score; in 64 bits when they
/// fit (percents do: 128-bit division is a library call, slowest in wasm).
fn fixed_bounds(x: &Number) -> Option<(i128, i128)> {
    let (n, d) = x.small_parts()?;
    if let Some(scaled) = i64::try_from(SCALE).ok().and_then(|s| mul_i64(n, s)) {
        let floor = scaled.div_euclid(d);
        let ceil = floor + i64::from(scaled.rem_euclid(d) != 0);
        return Some((i128::from(floor), i128::from(ceil)));
    }
    let scaled = i128::from(n).checked_mul(SCALE)?;
    let d = i128::from(d);
    Some((scaled.div_euclid(d), ceil_div(scaled, d)))
}

/// One step of an interval bound, `(q·v + p·s) / 100` rounded down (or up with `up`), in
/// 64 bits when it fits; `None` on 128-bit overflow.
fn step(q: i128, v: i128, p: i128, s: i128, up: bool) -> Option<i128> {
    if let (Ok(q), Ok(v), Ok(p), Ok(s)) = (
        i64::try_from(q),
        i64::try_from(v),
        i64::try_from(p),
        i64::try_from(s),
    ) && let Some(sum) = mul_i64(q, v).and_then(|a| a.checked_add(mul_i64(p, s)?))
    {
        let floor = sum.div_euclid(100);
        return Some(i128::from(
            floor + i64::from(up && sum.rem_euclid(100) != 0),
        ));
    }
    let sum = q.checked_mul(v)?.checked_add(p.checked_mul(s)?)?;
    Some(if up {
        ceil_div(sum, 100)
    } else {
        sum.div_euclid(100)
    })
}

fn ceil_div(a: i128, b: i128) -> i128 {
    -((-a).div_euclid(b))
}

/// A running sum of exact values kept unreduced, `n / d` in machine integers over a
/// common denominator (scores share a few: adding one is an addition, at most a product),
/// reduced by one gcd only when read; a per-score exact addition costs a gcd or two each.
/// Exact throughout: once a term would overflow, the sum goes on as a [`Number`].
#[derive(Debug, Clone)]
enum Sum {
    Scaled(i64, i64),
    Exact(Number),
}

impl Sum {
    const ZERO: Sum = Sum::Scaled(0, 1);

    fn add(&mut self, x: &Number) {
        if let Sum::Scaled(n, d) = self
            && let Some((xn, xd)) = x.small_parts()
            && let Some((sn, sd)) = scaled_add(*n, *d, xn, xd)
        {
            (*n, *d) = (sn, sd);
            return;
        }
        let exact = self.value().add(x);
        *self = Sum::Exact(exact);
    }

    /// The sum, exact and reduced.
    fn value(&self) -> Number {
        match self {
            Sum::Scaled(n, d) => Number::ratio(*n, *d),
            Sum::Exact(x) => x.clone(),
        }
    }
}

/// `n / d + xn / xd` (`d, xd > 0`) over a common denominator, unreduced; `None` on overflow.
/// 64-bit remainders and products only (128-bit ones are library calls in wasm).
fn scaled_add(n: i64, d: i64, xn: i64, xd: i64) -> Option<(i64, i64)> {
    let (n, d, xn) = if d == xd {
        (n, d, xn)
    } else if d % xd == 0 {
        (n, d, mul_i64(xn, d / xd)?)
    } else if xd % d == 0 {
        (mul_i64(n, xd / d)?, xd, xn)
    } else {
        (mul_i64(n, xd)?, mul_i64(d, xd)?, mul_i64(xn, d)?)
    };
    Some((n.checked_add(xn)?, d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn method() -> impl Strategy<Value = Method> {
        prop_oneof![
            Just(Method::Highest),
            Just(Method::Latest),
            Just(Method::First),
            Just(Method::Average),
            (1u32..=99).prop_map(|weight_pct| Method::WeightedAverage { weight_pct }),
            (50u32..=99).prop_map(|rate_pct| Method::DecayingAverage { rate_pct }),
            (1u32..=10).prop_map(|n| Method::NMastery { n }),
        ]
    }

    /// Percents as the fold makes them, dense around the rounding boundaries of 85.
    fn score() -> impl Strategy<Value = Number> {
        prop_oneof![
            (0i64..=10_000).prop_map(|h| Number::ratio(h, 100)),
            (84_990i64..=85_010).prop_map(|t| Number::ratio(t, 1000)),
            (0i64..=300).prop_map(|t| Number::ratio(t, 3)),
            (0i64..=100).prop_map(Number::from_integer),
            // Denominators whose common multiple passes 64 bits: the sums' exact fallback.
            (
                1i64..=1_000_000,
                prop::sample::select(vec![999_983i64, 1_000_003, 4_611_686_018_427_387_847])
            )
                .prop_map(|(n, d)| Number::ratio(n, d)),
        ]
    }

    proptest! {
        #[test]
        fn every_prefix_agrees_with_calculate(
            method in method(),
            scores in prop::collection::vec(score(), 0..40),
            threshold in prop_oneof![Just("85"), Just("84.99"), Just("70"), Just("3")],
        ) {
            let threshold = Number::parse_exact(threshold).unwrap();
            let mut acc = Accumulator::new(method, threshold.clone());
            for k in 0..=scores.len() {
                let want = calculate(&method, &scores[..k], &threshold);
                prop_assert_eq!(acc.value(), want.clone());
                prop_assert_eq!(acc.meets(&threshold), want.ok().map(|v| v.meets(&threshold)));
                if let Some(s) = scores.get(k) {
                    acc.push(s.clone());
                }
            }
        }
    }

    proptest! {
        /// The decaying average kept one score at a time (its recurrence in `i128`,
        /// rescaled when a new denominator comes) is the definition, one exact rational
        /// step at a time, at every prefix.
        #[test]
        fn a_decaying_value_kept_score_by_score_is_the_definition(
            scores in prop::collection::vec(score(), 1..40),
            rate_pct in 50u32..=99,
        ) {
            let threshold = Number::from_integer(85);
            let mut acc = Accumulator::new(Method::DecayingAverage { rate_pct }, threshold);
            let r = Number::ratio(i64::from(rate_pct), 100);
            let keep = Number::one().sub(&r);
            let mut want: Option<Number> = None;
            for s in &scores {
                acc.push(s.clone());
                want = Some(match want {
                    None => s.clone(),
                    Some(d) => keep.mul(&d).add(&r.mul(s)),
                });
                prop_assert_eq!(acc.value().ok(), want.clone());
            }
        }
    }

    #[test]
    fn a_decaying_value_exactly_on_a_boundary_decides_without_doubt() {
        let t = Number::parse_exact("85").unwrap();
        let mut acc = Accumulator::new(Method::DecayingAverage { rate_pct: 65 }, t.clone());
        for s in ["84.995", "84.995", "84.995"] {
            acc.push(Number::parse_exact(s).unwrap());
        }
        assert_eq!(acc.interval.map(|(lo, hi)| lo == hi), Some(true));
        assert_eq!(acc.meets(&t), Some(true));
        acc.clear();
        assert_eq!(acc.meets(&t), None);
    }
}
