//! The exact decaying average in time linear in its scores' size: scaled integers sharing
//! one denominator, no gcd per step, one cheap reduction at the end.
//!
//! With `q = 100 − rate_pct`, `L` the lcm of the scores' denominators and `c_k = s_k·L`,
//! `E_k = d_k · 100^(k−1) · L` is an integer: `E_1 = c_1`, `E_k = q·E_(k−1) + p·c_k·100^(k−2)`.
//! Reducing `E_n / (100^(n−1)·L)` needs no general gcd: the denominator's factors are 2, 5
//! and `L`'s. A rational per step instead reduces a number that grows by ~7 bits a step with
//! a gcd each time (26 s for 5,000 attempts).

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::number::Number;

/// `d_n` of `scores` (oldest first, at least one) at `rate_pct`, or `None` when a score is
/// not in the small form or the common denominator overflows `u64` (the caller then takes
/// the general rational path).
pub(super) fn decaying_average(scores: &[Number], rate_pct: u32) -> Option<Number> {
    let mut lcm: u64 = 1;
    for s in scores {
        let (_, d) = s.small_parts()?;
        let d = d.unsigned_abs();
        lcm = lcm.checked_mul(d / lcm.gcd(&d))?;
    }
    let p = i64::from(rate_pct);
    let q = 100 - p;
    let scaled = |s: &Number| -> Option<i128> {
        let (n, d) = s.small_parts()?;
        Some(i128::from(n) * i128::from(lcm / d.unsigned_abs()))
    };
    let (first, rest) = scores.split_first()?;
    if let Some(value) = in_i128(scaled(first)?, rest, &scaled, p, q, lcm) {
        return Some(value);
    }
    let mut e = BigInt::from(scaled(first)?);
    let mut power = BigInt::one(); // 100^(k−2) at step k
    for s in rest {
        e *= q;
        e += BigInt::from(scaled(s)?) * p * &power;
        power *= 100u32;
    }
    // After the loop `power` is 100^(n−1): the denominator is 100^(n−1)·L = 2^a·5^b·r.
    let steps = u64::try_from(scores.len() - 1).ok()?;
    Some(reduce(e, 2 * steps, 2 * steps, lcm))
}

/// The same recurrence in `i128` (a dozen scores or so: the usual competency), or `None` on
/// overflow; one gcd at the end.
fn in_i128(
    first: i128,
    rest: &[Number],
    scaled: &impl Fn(&Number) -> Option<i128>,
    p: i64,
    q: i64,
    lcm: u64,
) -> Option<Number> {
    let (p, q) = (i128::from(p), i128::from(q));
    let mut e = first;
    let mut power: i128 = 1;
    for s in rest {
        e = e
            .checked_mul(q)?
            .checked_add(scaled(s)?.checked_mul(p)?.checked_mul(power)?)?;
        power = power.checked_mul(100)?;
    }
    Number::from_i128_ratio(e, power.checked_mul(i128::from(lcm))?)
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
