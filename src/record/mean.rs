//! A `kept_mean` competency's score (README §5.2) in machine integers: the weighted mean
//! as one unreduced fraction, reduced once. The fold recomputes it after every result that
//! changes the competency; with exact rationals that cost a gcd per multiplication and per
//! addition, a large share of the fold's work.

use crate::number::{Number, mul_i64};

/// The weighted mean `Σ wᵢ·pᵢ / Σ wᵢ` of `items` (weight, percent), exact: unreduced
/// fractions in 64 bits, one gcd at the end. `None` when a value is not in the small form,
/// the arithmetic overflows or the weights sum to zero: then the exact path answers.
pub(super) fn weighted_mean<'n>(
    items: impl IntoIterator<Item = (&'n Number, &'n Number)>,
) -> Option<Number> {
    // sum = sn / sd, weights = wn / wd; denominators stay > 0.
    let (mut sn, mut sd, mut wn, mut wd) = (0i64, 1i64, 0i64, 1i64);
    for (weight, percent) in items {
        let (a, b) = weight.small_parts()?;
        let (p, q) = percent.small_parts()?;
        let (tn, td) = (mul_i64(a, p)?, mul_i64(b, q)?);
        (sn, sd) = add(sn, sd, tn, td)?;
        (wn, wd) = add(wn, wd, a, b)?;
    }
    // mean = (sn / sd) / (wn / wd) = sn·wd / (sd·wn); weights are validated positive.
    let (n, d) = (mul_i64(sn, wd)?, mul_i64(sd, wn)?);
    (d > 0 && n != i64::MIN).then(|| Number::ratio(n, d))
}

/// `n/d + m/e` unreduced (`d, e > 0`); a shared denominator, the usual case, adds directly.
fn add(n: i64, d: i64, m: i64, e: i64) -> Option<(i64, i64)> {
    if d == e {
        return Some((n.checked_add(m)?, d));
    }
    let n = mul_i64(n, e)?.checked_add(mul_i64(m, d)?)?;
    Some((n, mul_i64(d, e)?))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The exact path: the mean as a [`Number`], rational operations throughout.
    fn exact(items: &[(Number, Number)]) -> Option<Number> {
        let (mut sum, mut weights) = (Number::zero(), Number::zero());
        for (w, p) in items {
            sum = sum.add(&w.mul(p));
            weights = weights.add(w);
        }
        (!weights.is_zero()).then(|| sum.div(&weights))
    }

    /// A numerator or denominator: mostly small, sometimes near the 64-bit edge.
    fn part(small: i64) -> impl Strategy<Value = i64> {
        prop_oneof![
            4 => 1..=small,
            1 => (i64::MAX / 4)..=i64::MAX,
            1 => (1i64 << 31)..=(1i64 << 33),
        ]
    }

    fn number(small: i64) -> impl Strategy<Value = Number> {
        (prop_oneof![Just(0i64), part(small)], part(small)).prop_map(|(n, d)| Number::ratio(n, d))
    }

    proptest! {
        /// When the fast path answers, it is the exact mean, overflow edges included (they
        /// fall back: `None`).
        #[test]
        fn agrees_with_the_exact_mean(items in prop::collection::vec((number(50), number(20_000)), 0..6)) {
            if let Some(mean) = weighted_mean(items.iter().map(|(w, p)| (w, p))) {
                prop_assert_eq!(Some(mean), exact(&items));
            }
        }

        /// Course-sized values (small weights, percents of 2-decimal scores) take the fast
        /// path.
        #[test]
        fn course_sized_values_take_the_fast_path(
            items in prop::collection::vec((1i64..=10, 0i64..=10_000, 1i64..=400), 1..6),
        ) {
            let items: Vec<(Number, Number)> = items
                .into_iter()
                .map(|(w, n, d)| (Number::from_integer(w), Number::ratio(n, d)))
                .collect();
            let fast = weighted_mean(items.iter().map(|(w, p)| (w, p)));
            prop_assert_eq!(fast, exact(&items));
        }
    }
}
