//! Percents of a maximum and their pass decisions, remembered across a course's folds.
//! Scores repeat (points out of a few maxima, in halves or quarters), and deriving one
//! costs a gcd and a rounding test: learner after learner, most are derived already.
//!
//! A memo of one pure function ([`Number::percent_of`] then [`Number::meets`]), keyed by
//! the exact value and a scale: the course numbers each distinct (maximum, threshold) pair
//! once ([`scale_keys`]). Only small-form values are remembered; others are derived.

use crate::number::Number;

/// Slots of the table (a power of two): about 40 bytes each.
const SLOTS: usize = 1024;
/// The key of an empty slot: no course numbers this many scales.
const EMPTY: u32 = u32::MAX;

/// Remembered percents: a direct-mapped table, allocated on first use once enabled.
#[derive(Debug, Clone, Default)]
pub(super) struct PercentMemo {
    slots: Vec<Slot>,
    /// Off for a course's first learner: a one-off fold never pays for the table.
    enabled: bool,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    scale: u32,
    /// The value (lowest terms).
    value: (i64, i64),
    /// Its percent of the scale's maximum (lowest terms).
    percent: (i64, i64),
    /// Whether the percent meets the scale's threshold.
    meets: bool,
}

impl PercentMemo {
    /// Remembers from now on: the learner's buffers serve another log of the course.
    pub(super) fn enable(&mut self) {
        self.enabled = true;
    }

    /// [`derive`] of `value` for the pair (`max`, `threshold`) numbered `scale`:
    /// remembered, else derived. A memo not [enabled](PercentMemo::enable) (a one-off
    /// derivation, a course's first learner) only derives and stays unallocated.
    pub(super) fn get(
        &mut self,
        scale: u32,
        value: &Number,
        (max, threshold): (&Number, Option<&Number>),
    ) -> (Number, bool) {
        let remember = self.enabled && scale != EMPTY;
        let Some(key) = value.small_parts().filter(|_| remember) else {
            return derive(value, max, threshold);
        };
        if self.slots.is_empty() {
            let empty = Slot {
                scale: EMPTY,
                value: (0, 0),
                percent: (0, 1),
                meets: false,
            };
            self.slots = vec![empty; SLOTS];
        }
        // Fibonacci hashing of the key's words folded together.
        let folded = (key.0 as u64) ^ (key.1 as u64).rotate_left(21) ^ u64::from(scale) << 40;
        let i =
            (folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOTS.trailing_zeros())) as usize;
        let Some(slot) = self.slots.get_mut(i) else {
            return derive(value, max, threshold);
        };
        if slot.scale == scale && slot.value == key {
            return (Number::from_small_parts(slot.percent), slot.meets);
        }
        let (percent, meets) = derive(value, max, threshold);
        if let Some(parts) = percent.small_parts() {
            *slot = Slot {
                scale,
                value: key,
                percent: parts,
                meets,
            };
        }
        (percent, meets)
    }
}

/// `value × 100 / max` and whether it meets `threshold` (README §5.1; none is never met).
pub(super) fn derive(value: &Number, max: &Number, threshold: Option<&Number>) -> (Number, bool) {
    let percent = value.percent_of(max);
    let meets = threshold.is_some_and(|t| percent.meets(t));
    (percent, meets)
}

/// Numbers each distinct (maximum, threshold) pair of `pairs`, in first-seen order.
pub(super) fn scale_keys<'n>(
    pairs: impl IntoIterator<Item = (&'n Number, Option<&'n Number>)>,
) -> Vec<u32> {
    let mut distinct: Vec<(&Number, Option<&Number>)> = Vec::new();
    pairs
        .into_iter()
        .map(|pair| {
            let at = distinct.iter().position(|d| *d == pair).unwrap_or_else(|| {
                distinct.push(pair);
                distinct.len() - 1
            });
            u32::try_from(at).unwrap_or(EMPTY)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The scales of the tests: (maximum, threshold).
    fn scales() -> Vec<(Number, Number)> {
        let n = |t: &str| Number::parse_exact(t).expect("a number");
        vec![
            (n("40"), n("70")),
            (n("30"), n("70")),
            (n("7/3"), n("62.5")),
        ]
    }

    /// The derivation written out, and the memo's lookup, for scale `scale`.
    fn expected(scale: u32, value: &Number) -> (Number, bool) {
        let (max, threshold) = &scales()[scale as usize];
        let percent = value.percent_of(max);
        let meets = percent.meets(threshold);
        (percent, meets)
    }

    fn lookup(memo: &mut PercentMemo, scale: u32, value: &Number) -> (Number, bool) {
        let (max, threshold) = &scales()[scale as usize];
        memo.get(scale, value, (max, Some(threshold)))
    }

    /// A value: a score in quarters, a fraction, or past the small form.
    fn value() -> impl Strategy<Value = Number> {
        prop_oneof![
            4 => (0i64..=200).prop_map(|q| Number::ratio(q, 4)),
            2 => (-1_000i64..=1_000, 1i64..=1_000).prop_map(|(n, d)| Number::ratio(n, d)),
            1 => (any::<i64>(), 1i64..=9).prop_map(|(n, d)| Number::ratio(n, d)),
            1 => (1i64..=9).prop_map(|k| Number::from_integer(i64::MAX).mul(&Number::from_integer(k + 1))),
        ]
    }

    proptest! {
        /// Remembered or derived, the answer is the derivation's, on a first and a second
        /// pass (then mostly remembered) and whether or not a value is remembered.
        #[test]
        fn remembers_exactly_what_it_derives(
            values in prop::collection::vec((0u32..3, value(), any::<bool>()), 1..200),
        ) {
            let mut memo = PercentMemo::default();
            memo.enable();
            for _ in 0..2 {
                for (scale, value, remember) in &values {
                    // Not remembered: a memo that was never enabled, as a one-off derivation.
                    let got = if *remember {
                        lookup(&mut memo, *scale, value)
                    } else {
                        lookup(&mut PercentMemo::default(), *scale, value)
                    };
                    prop_assert_eq!(got, expected(*scale, value), "{} of scale {}", value, scale);
                }
            }
        }
    }

    /// More values than slots: colliding keys replace each other, never answer for each
    /// other.
    #[test]
    fn colliding_values_never_answer_for_each_other() {
        let mut memo = PercentMemo::default();
        memo.enable();
        for round in 0..2 {
            for h in 0..(3 * SLOTS as i64) {
                for scale in 0..3 {
                    let value = Number::ratio(h, 100);
                    let got = lookup(&mut memo, scale, &value);
                    assert_eq!(
                        got,
                        expected(scale, &value),
                        "{value} of {scale}, round {round}"
                    );
                }
            }
        }
    }

    #[test]
    fn scale_keys_number_distinct_pairs_in_first_seen_order() {
        let n = |t: &str| Number::parse_exact(t).expect("a number");
        let (forty, seventy, thirty) = (n("40"), n("70"), n("30"));
        let keys = scale_keys([
            (&forty, Some(&seventy)),
            (&thirty, Some(&seventy)),
            (&forty, None),
            (&forty, Some(&seventy)),
            (&n("40.0"), Some(&n("70"))),
        ]);
        assert_eq!(keys, vec![0, 1, 2, 0, 0]);
    }
}
