//! The exact decaying average with no gcd per step: scaled integers sharing one denominator,
//! summed by binary splitting, and one cheap reduction at the end.
//!
//! With `p = rate_pct`, `q = 100 − p`, both divided by their common factor `g`, and
//! `b = 100 / g` (65 % gives `p = 13`, `q = 7`, `b = 20`), `L` the lcm of the scores'
//! denominators and `c_k = s_k·L`, `E_k = d_k · b^(k−1) · L` is an integer: `E_1 = c_1`,
//! `E_k = q·E_(k−1) + p·c_k·b^(k−2)`. Reducing `E_n / (b^(n−1)·L)` needs no general gcd:
//! the denominator's factors are 2, 5 and `L`'s. A rational per step instead reduces a number that grows by ~7 bits a step with
//! a gcd each time (26 s for 5,000 attempts). Past `i128`, `E_n` is summed by binary
//! splitting ([`split`]), so its cost grows like one large product, not like the square of
//! the number of scores.

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::number::Number;

/// `d_n` of `scores` (oldest first, at least one) at `rate_pct`, or `None` when a score is
/// not in the small form or the common denominator overflows `u64` (the caller then takes
/// the general rational path).
pub(super) fn decaying_average(scores: &[Number], rate_pct: u32) -> Option<Number> {
    let step = Step::new(rate_pct);
    let (first, rest) = scores.split_first()?;
    let running = Running::start(first, step);
    if let Some(value) = rest
        .iter()
        .try_fold(running?, |r, s| r.push(s))
        .and_then(|r| r.value())
    {
        return Some(value);
    }
    let mut lcm: u64 = 1;
    for s in scores {
        let (_, d) = s.small_parts()?;
        let d = d.unsigned_abs();
        lcm = lcm.checked_mul(d / lcm.gcd(&d))?;
    }
    let scaled = |s: &Number| -> Option<i128> {
        let (n, d) = s.small_parts()?;
        Some(i128::from(n) * i128::from(lcm / d.unsigned_abs()))
    };
    let terms = rest
        .iter()
        .map(|s| Some(BigInt::from(scaled(s)?) * step.p))
        .collect::<Option<Vec<_>>>()?;
    let e = if terms.is_empty() {
        BigInt::from(scaled(first)?)
    } else {
        let (sum, q_power, _) = split(&terms, &BigInt::from(step.q), step.base);
        BigInt::from(scaled(first)?) * q_power + sum
    };
    // The denominator is base^(n−1)·L = 2^a·5^b·r.
    let steps = u64::try_from(scores.len() - 1).ok()?;
    Some(reduce(e, step.twos * steps, step.fives * steps, lcm))
}

/// One step `d_k = (q·d_(k−1) + p·s_k) / base`: `rate/100` and `(100 − rate)/100` with their
/// common factor taken out (65 % gives `(7·d + 13·s) / 20`). Without it every step would
/// carry a factor 5 that the reduction at the end strips again, one division per 27 of
/// them over the whole value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    p: i64,
    q: i64,
    /// Divides 100.
    base: u32,
    /// Factors 2 and 5 of `base`.
    twos: u64,
    fives: u64,
}

impl Step {
    pub(super) fn new(rate_pct: u32) -> Step {
        let p = i64::from(rate_pct);
        let q = 100 - p;
        // p + q = 100, so the common factor divides 100 (and is 100 for p = 0 or q = 0).
        let g = p.gcd(&q);
        let base = (100 / g) as u32;
        let factors = |prime: u32| {
            let (mut n, mut k) = (base, 0);
            while n.is_multiple_of(prime) {
                n /= prime;
                k += 1;
            }
            k
        };
        Step {
            p: p / g,
            q: q / g,
            base,
            twos: factors(2),
            fives: factors(5),
        }
    }
}

/// Below this many terms a segment is summed step by step (its numbers are small).
const LEAF_TERMS: usize = 32;

/// Binary splitting of `E_n − c_1·q^(n−1)`. For the terms `x_j = p·c_(j+2)` of a segment,
/// returns `(S, q^len, base^len)` with `S = Σ_j x_j · base^j · q^(len−1−j)` (j from the
/// segment's start). Two halves combine as `S = S_l·q^len_r + S_r·base^len_l`, so the large
/// numbers meet only in balanced products, where num-bigint's Karatsuba and Toom-3 apply:
/// the step-by-step recurrence instead touches the whole growing value at every score,
/// quadratic in the number of scores.
fn split(terms: &[BigInt], q: &BigInt, base: u32) -> (BigInt, BigInt, BigInt) {
    if terms.len() <= LEAF_TERMS {
        let mut sum = BigInt::zero();
        let mut q_power = BigInt::one();
        let mut base_power = BigInt::one();
        for x in terms {
            sum = sum * q + x * &base_power;
            q_power *= q;
            base_power *= base;
        }
        return (sum, q_power, base_power);
    }
    let (left, right) = terms.split_at(terms.len() / 2);
    let (s_l, q_l, b_l) = split(left, q, base);
    let (s_r, q_r, b_r) = split(right, q, base);
    (s_l * &q_r + s_r * &b_l, q_l * q_r, b_l * b_r)
}

/// The recurrence in `i128` over the scores so far (a dozen or so: the usual competency),
/// one score at a time: `E_k`, `b^(k−1)` and `L`, the lcm of the denominators so far. A
/// new denominator rescales `E` (it is linear in `L`), so the value is the same as with
/// the final `L` from the start; one gcd when the value is asked for. `None` on overflow.
#[derive(Debug, Clone, Copy)]
pub(super) struct Running {
    e: i128,
    power: i128,
    lcm: u64,
    step: Step,
}

impl Running {
    /// `d_1 = s_1`; `None` when the score is not in the small form.
    pub(super) fn start(first: &Number, step: Step) -> Option<Running> {
        let (n, d) = first.small_parts()?;
        Some(Running {
            e: i128::from(n),
            power: 1,
            lcm: d.unsigned_abs(),
            step,
        })
    }

    /// `E_k = q·E_(k−1) + p·c_k·b^(k−2)`, after rescaling to the new `L`.
    pub(super) fn push(self, s: &Number) -> Option<Running> {
        let (n, d) = s.small_parts()?;
        let d = d.unsigned_abs();
        // The usual score shares the denominators so far: no gcd.
        let lcm = if self.lcm.is_multiple_of(d) {
            self.lcm
        } else {
            self.lcm.checked_mul(d / self.lcm.gcd(&d))?
        };
        let e = mul(self.e, i128::from(lcm / self.lcm))?;
        let c = i128::from(n) * i128::from(lcm / d);
        let (p, q) = (i128::from(self.step.p), i128::from(self.step.q));
        Some(Running {
            e: mul(e, q)?.checked_add(mul(mul(c, p)?, self.power)?)?,
            power: mul(self.power, i128::from(self.step.base))?,
            lcm,
            step: self.step,
        })
    }

    /// `d_k = E_k / (b^(k−1)·L)`, in lowest terms (a 64-bit gcd while they fit).
    pub(super) fn value(&self) -> Option<Number> {
        let d = mul(self.power, i128::from(self.lcm))?;
        match (i64::try_from(self.e), i64::try_from(d)) {
            (Ok(n), Ok(d)) if n != i64::MIN && d > 0 => Some(Number::ratio(n, d)),
            _ => Number::from_i128_ratio(self.e, d),
        }
    }
}

/// `a·b`, or `None` past `i128`; two values that fit 64 bits multiply without a check.
fn mul(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(a), Ok(b)) => Some(i128::from(a) * i128::from(b)),
        _ => a.checked_mul(b),
    }
}

/// `e / (2^twos · 5^fives · extra)` in lowest terms, dividing out only the denominator's
/// own factors.
fn reduce(e: BigInt, twos: u64, fives: u64, extra: u64) -> Number {
    let (mut twos, mut fives, mut extra) = (twos, fives, extra);
    while extra.is_multiple_of(2) {
        extra /= 2;
        twos += 1;
    }
    while extra.is_multiple_of(5) {
        extra /= 5;
        fives += 1;
    }
    let (sign, mut m) = e.into_parts();
    if m.is_zero() {
        return Number::zero();
    }
    let z = m.trailing_zeros().unwrap_or(0).min(twos);
    m >>= z;
    twos -= z;
    // 5^27 < 2^64: strip fives 27 at a time; a non-zero remainder r mod 5^k has the same
    // number of factors 5 as m (fewer than k), which ends the loop.
    while fives > 0 {
        let k = fives.min(27) as u32;
        let chunk = 5u64.pow(k);
        let r = (&m % chunk).iter_u64_digits().next().unwrap_or(0);
        let mut v = 0u32;
        if r == 0 {
            v = k;
        } else {
            let mut r = r;
            while r.is_multiple_of(5) {
                r /= 5;
                v += 1;
            }
        }
        if v > 0 {
            m /= 5u64.pow(v);
            fives -= u64::from(v);
        }
        if v < k {
            break;
        }
    }
    let g = (&m % extra)
        .iter_u64_digits()
        .next()
        .unwrap_or(0)
        .gcd(&extra);
    if g > 1 {
        m /= g;
        extra /= g;
    }
    let mut d = BigUint::from(extra) * num_traits::pow(BigUint::from(5u32), fives as usize);
    d <<= twos;
    Number::from_big_reduced(BigRational::new_raw(
        BigInt::from_biguint(sign, m),
        BigInt::from(d),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, one exact rational step at a time.
    fn by_definition(scores: &[Number], rate_pct: u32) -> Number {
        let r = Number::ratio(i64::from(rate_pct), 100);
        let keep = Number::one().sub(&r);
        let (first, rest) = scores.split_first().unwrap();
        rest.iter()
            .fold(first.clone(), |d, s| keep.mul(&d).add(&r.mul(s)))
    }

    /// Scores as the fold makes them: 2-decimal percents, thirds, sevenths, zeros, and now
    /// and then a large numerator.
    fn score() -> impl Strategy<Value = Number> {
        prop_oneof![
            (0i64..=10_000).prop_map(|h| Number::ratio(h, 100)),
            (0i64..=300).prop_map(|t| Number::ratio(t, 3)),
            (0i64..=700).prop_map(|t| Number::ratio(t, 7)),
            Just(Number::zero()),
            (0i64..i64::MAX).prop_map(|n| Number::ratio(n, 9_999_991)),
        ]
    }

    proptest! {
        #[test]
        fn scaled_integers_equal_the_definition(
            scores in prop::collection::vec(score(), 1..60),
            rate_pct in prop_oneof![50u32..=99, 0u32..=200],
        ) {
            let fast = decaying_average(&scores, rate_pct).expect("small scores take the fast path");
            prop_assert_eq!(fast, by_definition(&scores, rate_pct));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]
        /// Long runs split many levels deep (a leaf holds 32 terms).
        #[test]
        fn binary_splitting_equals_the_definition_on_long_runs(
            scores in prop::collection::vec(score(), 100..400),
            rate_pct in 50u32..=99,
        ) {
            let fast = decaying_average(&scores, rate_pct).expect("small scores take the fast path");
            prop_assert_eq!(fast, by_definition(&scores, rate_pct));
        }
    }

    #[test]
    fn reference_values_and_long_runs() {
        let n = |s: &str| Number::parse_exact(s).unwrap();
        let s: Vec<Number> = ["1", "2", "3", "4", "5"].iter().map(|x| n(x)).collect();
        assert_eq!(decaying_average(&s, 65), Some(n("4.46961875")));
        // All zeros after a first score: the value is 70·0.35^k, whose reduction strips
        // many factors 5 (more than one 27-at-a-time chunk).
        let mut zeros = vec![n("70")];
        zeros.extend(std::iter::repeat_n(Number::zero(), 120));
        assert_eq!(
            decaying_average(&zeros, 65),
            Some(by_definition(&zeros, 65))
        );
        assert_eq!(
            decaying_average(&[n("0"), n("0")], 65),
            Some(Number::zero())
        );
    }
}
