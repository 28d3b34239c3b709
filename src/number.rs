//! Exact numbers: decimal strings parsed into rationals, arithmetic without rounding,
//! and the one rounding rule of `spec/mastery.md` §1 (half away from zero, 2 decimals).
//!
//! Never touches `f64`. Small values stay in an `i64` ratio (the fast path); any
//! operation that would overflow moves to a big rational, so results are always exact.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::{BigRational, Ratio};
use num_traits::{CheckedAdd, CheckedDiv, CheckedMul, Signed, ToPrimitive, Zero};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An exact rational number: a score, maximum, percent, weight, hour or credit value.
///
/// The representation is canonical (a value that fits the small form is always stored
/// in it), so equality and hashing are structural.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Small(Ratio<i64>),
    Big(Box<BigRational>),
}

/// Why a text is not a number of the expected form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The text is not a plain decimal such as `"80"` or `"18.4"`.
    #[error(
        "\"{text}\" is not a decimal: write digits with an optional fractional part, such as \"80\" or \"18.4\" (no sign, exponent or spaces)"
    )]
    NotADecimal {
        /// The offending text.
        text: String,
    },
    /// The text is neither a decimal nor an exact fraction `n/d`.
    #[error(
        "\"{text}\" is not an exact number: write a decimal such as \"86.5\" or a fraction such as \"260/3\""
    )]
    NotAnExactNumber {
        /// The offending text.
        text: String,
    },
    /// A decimal longer than [`MAX_DECIMAL_LEN`] characters (`fixtures/scenarios/README.md` §11).
    #[error(
        "a decimal of {len} characters is too long: write at most {max} characters (\"{start}…\")"
    )]
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The longest length accepted.
        max: usize,
        /// Its first characters, to find it.
        start: String,
    },
    /// A JSON number with a fraction or exponent: its digits may already be lost.
    #[error(
        "{text} is a JSON floating-point number: write decimals as strings, such as \"{text}\""
    )]
    FloatingPoint {
        /// The number as written.
        text: String,
    },
}

/// Longest decimal text accepted, in characters (`fixtures/scenarios/README.md` §11); keeps
/// hostile input from building huge integers.
pub const MAX_DECIMAL_LEN: usize = 64;

impl Number {
    /// One hundred: percentages are `points × 100 / max`.
    pub const HUNDRED: Number = Number(Repr::Small(Ratio::new_raw(100, 1)));

    /// Zero.
    pub fn zero() -> Self {
        Number(Repr::Small(Ratio::from_integer(0)))
    }

    /// One.
    pub fn one() -> Self {
        Number(Repr::Small(Ratio::from_integer(1)))
    }

    /// The whole number `n`.
    pub fn from_integer(n: i64) -> Self {
        Number(Repr::Small(Ratio::from_integer(n)))
    }

    /// `n / d` reduced. `d` must not be zero.
    pub fn ratio(n: i64, d: i64) -> Self {
        Number(Repr::Small(Ratio::new(n, d)))
    }

    /// Parses a plain decimal (`^[0-9]+(\.[0-9]+)?$`), the only form Cairn's input uses.
    pub fn parse_decimal(text: &str) -> Result<Self, NumberError> {
        let bad = || NumberError::NotADecimal {
            text: text.to_owned(),
        };
        let len = text.chars().count();
        if len > MAX_DECIMAL_LEN {
            return Err(NumberError::TooLong {
                len,
                max: MAX_DECIMAL_LEN,
                start: text.chars().take(16).collect(),
            });
        }
        if text.is_empty() {
            return Err(bad());
        }
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || (text.contains('.') && frac.is_empty())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let digits: String = [whole, frac].concat();
        if let (Ok(n), Some(d)) = (digits.parse::<i64>(), 10i64.checked_pow(frac.len() as u32)) {
            return Ok(Number(Repr::Small(Ratio::new(n, d))));
        }
        let n: BigInt = digits.parse().map_err(|_| bad())?;
        let d = num_traits::pow(BigInt::from(10), frac.len());
        Ok(Number::from_big(BigRational::new(n, d)))
    }

    /// Parses a decimal or an exact fraction `n/d` in lowest terms or not (`"260/3"`),
    /// the form of expected values in fixtures and of [`Number::to_exact_string`].
    pub fn parse_exact(text: &str) -> Result<Self, NumberError> {
        let bad = || NumberError::NotAnExactNumber {
            text: text.to_owned(),
        };
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let value = match body.split_once('/') {
            Some((n, d)) => {
                let n = Number::parse_decimal(n).map_err(|_| bad())?;
                let d = Number::parse_decimal(d).map_err(|_| bad())?;
                if d.is_zero() || !n.is_integer() || !d.is_integer() {
                    return Err(bad());
                }
                n.div(&d)
            }
            None => Number::parse_decimal(body).map_err(|_| bad())?,
        };
        Ok(if negative { value.neg() } else { value })
    }

    /// Numerator and denominator (`> 0`, lowest terms) when the value is in the small form.
    pub(crate) fn small_parts(&self) -> Option<(i64, i64)> {
        match &self.0 {
            Repr::Small(r) => Some((*r.numer(), *r.denom())),
            Repr::Big(_) => None,
        }
    }

    /// The small form of `n / d` already in lowest terms with `d > 0`, as
    /// [`Number::small_parts`] gave it.
    pub(crate) fn from_small_parts((n, d): (i64, i64)) -> Self {
        debug_assert!(d > 0 && n.gcd(&d) == 1, "{n}/{d} is not in lowest terms");
        Number(Repr::Small(Ratio::new_raw(n, d)))
    }

    /// `n / d` reduced (one 128-bit gcd), or `None` when `d` is not above zero.
    pub(crate) fn from_i128_ratio(n: i128, d: i128) -> Option<Self> {
        if d <= 0 || n == i128::MIN {
            return None;
        }
        let g = n.gcd(&d);
        let (n, d) = (n / g, d / g);
        Some(match (i64::try_from(n), i64::try_from(d)) {
            (Ok(n), Ok(d)) => Number(Repr::Small(Ratio::new_raw(n, d))),
            _ => Number(Repr::Big(Box::new(BigRational::new_raw(
                BigInt::from(n),
                BigInt::from(d),
            )))),
        })
    }

    /// A rational the caller has already put in lowest terms (denominator `> 0`).
    pub(crate) fn from_big_reduced(big: BigRational) -> Self {
        Number::from_big(big)
    }

    fn from_big(big: BigRational) -> Self {
        match (big.numer().to_i64(), big.denom().to_i64()) {
            (Some(n), Some(d)) => Number(Repr::Small(Ratio::new_raw(n, d))),
            _ => Number(Repr::Big(Box::new(big))),
        }
    }

    fn to_big(&self) -> BigRational {
        match &self.0 {
            Repr::Small(r) => {
                BigRational::new_raw(BigInt::from(*r.numer()), BigInt::from(*r.denom()))
            }
            Repr::Big(b) => (**b).clone(),
        }
    }

    fn binary(
        &self,
        other: &Number,
        small: impl Fn(&Ratio<i64>, &Ratio<i64>) -> Option<Ratio<i64>>,
        big: impl Fn(BigRational, BigRational) -> BigRational,
    ) -> Number {
        if let (Repr::Small(a), Repr::Small(b)) = (&self.0, &other.0)
            && let Some(r) = small(a, b)
        {
            return Number(Repr::Small(r));
        }
        Number::from_big(big(self.to_big(), other.to_big()))
    }

    /// `self + other`, exact.
    pub fn add(&self, other: &Number) -> Number {
        self.binary(other, small_add, |a, b| a + b)
    }

    /// `self - other`, exact.
    pub fn sub(&self, other: &Number) -> Number {
        self.binary(
            other,
            |a, b| small_add(a, &Ratio::new_raw(b.numer().checked_neg()?, *b.denom())),
            |a, b| a - b,
        )
    }

    /// `self × other`, exact.
    pub fn mul(&self, other: &Number) -> Number {
        self.binary(
            other,
            |a, b| {
                if a.is_integer() && b.is_integer() {
                    return Some(Ratio::from_integer(mul_i64(*a.numer(), *b.numer())?));
                }
                a.checked_mul(b)
            },
            |a, b| a * b,
        )
    }

    /// `self ÷ other`, exact. The caller guarantees `other` is not zero
    /// (maxima and weights are validated positive).
    pub fn div(&self, other: &Number) -> Number {
        assert!(
            !other.is_zero(),
            "division by zero: callers validate divisors"
        );
        self.binary(other, |a, b| a.checked_div(b), |a, b| a / b)
    }

    /// `-self`.
    pub fn neg(&self) -> Number {
        match &self.0 {
            Repr::Small(r) => match r.numer().checked_neg() {
                Some(n) => Number(Repr::Small(Ratio::new_raw(n, *r.denom()))),
                None => Number::from_big(-self.to_big()),
            },
            Repr::Big(b) => Number::from_big(-(**b).clone()),
        }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        match &self.0 {
            Repr::Small(r) => r.is_zero(),
            Repr::Big(b) => b.is_zero(),
        }
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small(r) => r.is_negative(),
            Repr::Big(b) => b.is_negative(),
        }
    }

    /// Whether the value is a whole number.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small(r) => r.is_integer(),
            Repr::Big(b) => b.is_integer(),
        }
    }

    /// The value as a whole number, if it is one and fits.
    pub fn to_i64(&self) -> Option<i64> {
        if !self.is_integer() {
            return None;
        }
        match &self.0 {
            Repr::Small(r) => r.numer().to_i64(),
            Repr::Big(b) => b.numer().to_i64(),
        }
    }

    /// Rounds half away from zero to 2 decimals (`spec/mastery.md` §1): the reported
    /// value that every threshold decision compares.
    pub fn round2(&self) -> Number {
        let big;
        let x = match &self.0 {
            Repr::Big(b) => &**b,
            Repr::Small(_) => {
                big = self.to_big();
                &big
            }
        };
        // Integer division only: a rational product would reduce a large value with a gcd.
        let (n, d) = (x.numer(), x.denom());
        let (mut k, rest) = (n.abs() * 100u32).div_rem(d);
        if rest * 2u32 >= *d {
            k += 1u32;
        }
        if n.is_negative() {
            k = -k;
        }
        Number::from_big(BigRational::new(k, BigInt::from(100)))
    }

    /// Fast [`Number::round2`] for the small form; same result.
    fn round2_small(r: &Ratio<i64>) -> Option<Ratio<i64>> {
        let (n, d) = (*r.numer(), *r.denom());
        let scaled = mul_u64(n.unsigned_abs(), 100)?;
        let d = d.unsigned_abs();
        let (q, rem) = scaled.div_rem(&d);
        let q = if mul_u64(rem, 2)? >= d { q + 1 } else { q };
        let q = i64::try_from(q).ok()?;
        Some(Ratio::new(if n < 0 { -q } else { q }, 100))
    }

    /// The reported value: [`Number::round2`], using the fast path where it can.
    pub fn reported(&self) -> Number {
        if let Repr::Small(r) = &self.0
            && let Some(v) = Number::round2_small(r)
        {
            return Number(Repr::Small(v));
        }
        self.round2()
    }

    /// Whether the reported (rounded) value meets `threshold` (inclusive).
    pub fn meets(&self, threshold: &Number) -> bool {
        if let (Repr::Small(x), Repr::Small(t)) = (&self.0, &threshold.0)
            && let Some(meets) = ratio_meets(*x.numer(), *x.denom(), t)
        {
            return meets;
        }
        self.reported() >= *threshold
    }

    /// [`Number::meets`] of `n / d` (`d > 0`, not necessarily in lowest terms), without
    /// building the number: a fixed-point bound decides with no gcd. `None` when the
    /// threshold is not in the small form or the arithmetic passes i128.
    pub(crate) fn ratio_meets(n: i64, d: i64, threshold: &Number) -> Option<bool> {
        match &threshold.0 {
            Repr::Small(t) if d > 0 => ratio_meets(n, d, t),
            _ => None,
        }
    }

    /// `self × 100 / max`: the percent of a maximum, exact. `max` must not be zero.
    pub fn percent_of(&self, max: &Number) -> Number {
        if let (Repr::Small(x), Repr::Small(m)) = (&self.0, &max.0) {
            // Scores are small: try 64-bit first (a 64-bit gcd is several times cheaper).
            if let (Some(n), Some(d)) = (
                mul_i64(*x.numer(), 100).and_then(|v| mul_i64(v, *m.denom())),
                mul_i64(*x.denom(), *m.numer()),
            ) && d != 0
            {
                return Number(Repr::Small(Ratio::new(n, d)));
            }
            // |numerator · 100 · denominator| reaches 2^133: past i128, the big path answers.
            if let Some(n) = i128::from(*x.numer())
                .checked_mul(100)
                .and_then(|n| n.checked_mul(i128::from(*m.denom())))
            {
                let d = i128::from(*x.denom()) * i128::from(*m.numer());
                let r = Ratio::new(n, d);
                if let (Ok(n), Ok(d)) = (i64::try_from(*r.numer()), i64::try_from(*r.denom())) {
                    return Number(Repr::Small(Ratio::new_raw(n, d)));
                }
            }
        }
        self.mul(&Number::HUNDRED).div(max)
    }

    /// An approximation for display geometry only (progress-bar widths), never for decisions.
    pub fn to_f64_for_display(&self) -> f64 {
        match &self.0 {
            Repr::Small(r) => *r.numer() as f64 / *r.denom() as f64,
            Repr::Big(b) => b.to_f64().unwrap_or(f64::NAN),
        }
    }

    /// The smaller of two numbers.
    pub fn min(self, other: Number) -> Number {
        if other < self { other } else { self }
    }

    /// The larger of two numbers.
    pub fn max(self, other: Number) -> Number {
        if other > self { other } else { self }
    }
}

/// Whether round2(n / d) ≥ t (`d > 0`): round2(x) = k / 100 with k = floor(x·100 + 1/2) for
/// x ≥ 0, sign mirrored; k / 100 ≥ tn / td ⟺ k·td ≥ 100·tn (td > 0). The usual case fits
/// 64 bits (scores and percents are small); i128 otherwise; `None` past that (then the
/// rounded value decides).
fn ratio_meets(n: i64, d: i64, t: &Ratio<i64>) -> Option<bool> {
    if let (Some(twice), Some(two_d)) = (
        mul_u64(n.unsigned_abs(), 200).and_then(|v| v.checked_add(d.unsigned_abs())),
        mul_u64(d.unsigned_abs(), 2),
    ) && let Ok(k) = i64::try_from(twice / two_d)
    {
        let k = if n < 0 { -k } else { k };
        if let (Some(l), Some(r)) = (mul_i64(k, *t.denom()), mul_i64(*t.numer(), 100)) {
            return Some(l >= r);
        }
        return Some(i128::from(k) * i128::from(*t.denom()) >= 100 * i128::from(*t.numer()));
    }
    let (n, d) = (i128::from(n), i128::from(d));
    let k = (200 * n.abs() + d).div_euclid(2 * d);
    let k = if n < 0 { -k } else { k };
    // k reaches 2^70: with a large threshold denominator the product passes i128.
    Some(k.checked_mul(i128::from(*t.denom()))? >= 100 * i128::from(*t.numer()))
}

/// `|round2(n / d)| × 100` (`d > 0`) as [`Number::round2`] rounds, half away from zero,
/// or `None` when `|n| × 100` passes u64.
fn round2_hundredths(n: i64, d: i64) -> Option<u64> {
    let d = d.unsigned_abs();
    let scaled = mul_u64(n.unsigned_abs(), 100)?;
    let (q, rem) = (scaled / d, scaled % d);
    // rem < d ≤ 2^63: twice it fits u64.
    Some(if rem * 2 >= d { q + 1 } else { q })
}

/// `a × b`, or `None` on overflow: [`i64::checked_mul`], but plain multiplication when the
/// operands' bit lengths show the product fits (the usual case: scores, percents, the
/// accumulator's fixed point). wasm32 has no 64-bit multiply-with-overflow, so
/// `checked_mul` there is a 128-bit library call (`__multi3`); two leading-zero counts are
/// instructions.
#[inline]
pub(crate) fn mul_i64(a: i64, b: i64) -> Option<i64> {
    // |a| < 2^(64 - za) and |b| < 2^(64 - zb): za + zb ≥ 65 gives |a·b| < 2^63.
    if a.unsigned_abs().leading_zeros() + b.unsigned_abs().leading_zeros() >= 65 {
        Some(a.wrapping_mul(b))
    } else {
        a.checked_mul(b)
    }
}

/// [`u64::checked_mul`] without the 128-bit library call in wasm, as [`mul_i64`].
#[inline]
pub(crate) fn mul_u64(a: u64, b: u64) -> Option<u64> {
    // a < 2^(64 - za) and b < 2^(64 - zb): za + zb ≥ 64 gives a·b < 2^64.
    if a.leading_zeros() + b.leading_zeros() >= 64 {
        Some(a.wrapping_mul(b))
    } else {
        a.checked_mul(b)
    }
}

/// `a + b` in the small form (both canonical), or `None` on overflow. Scores, percents and
/// sums mostly share a denominator (often 1): then one gcd with the shared denominator,
/// or none, instead of the general lcm-and-reduce; an integer and a fraction need none.
fn small_add(a: &Ratio<i64>, b: &Ratio<i64>) -> Option<Ratio<i64>> {
    let (an, ad, bn, bd) = (*a.numer(), *a.denom(), *b.numer(), *b.denom());
    if an == 0 {
        return Some(*b);
    }
    if bn == 0 {
        return Some(*a);
    }
    if ad == bd {
        let n = an.checked_add(bn)?;
        if ad == 1 {
            return Some(Ratio::new_raw(n, 1));
        }
        // Lowest terms: gcd(0, d) = d gives 0/1.
        let g = n.gcd(&ad);
        return Some(Ratio::new_raw(n / g, ad / g));
    }
    // An integer plus a fraction (a part in points plus a part with a half, say): a/1 + c/d
    // = (a·d + c)/d is in lowest terms, as gcd(a·d + c, d) = gcd(c, d) = 1. No gcd.
    if ad == 1 {
        return Some(Ratio::new_raw(mul_i64(an, bd)?.checked_add(bn)?, bd));
    }
    if bd == 1 {
        return Some(Ratio::new_raw(mul_i64(bn, ad)?.checked_add(an)?, ad));
    }
    a.checked_add(b)
}

impl Default for Number {
    fn default() -> Self {
        Number::zero()
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            // a/b vs c/d with b, d > 0: compare a·d with c·b; i64 products fit in i128.
            (Repr::Small(a), Repr::Small(b)) if a.denom() == b.denom() => a.numer().cmp(b.numer()),
            (Repr::Small(a), Repr::Small(b)) => {
                // 64-bit products first: 128-bit multiplication is a library call in wasm.
                if let (Some(x), Some(y)) = (
                    mul_i64(*a.numer(), *b.denom()),
                    mul_i64(*b.numer(), *a.denom()),
                ) {
                    return x.cmp(&y);
                }
                (i128::from(*a.numer()) * i128::from(*b.denom()))
                    .cmp(&(i128::from(*b.numer()) * i128::from(*a.denom())))
            }
            _ => self.to_big().cmp(&other.to_big()),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_exact_string())
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({})", self.to_exact_string())
    }
}

impl FromStr for Number {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Number::parse_exact(s)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_exact_string())
    }
}

impl<'de> Deserialize<'de> for Number {
    /// Accepts a decimal string (the canonical input form) or a JSON integer.
    /// JSON floats are refused: their digits may already be lost.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string such as \"80\" or \"18.4\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Number, E> {
                Number::parse_decimal(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(match i64::try_from(v) {
                    Ok(v) => Number::from_integer(v),
                    Err(_) => Number::from_big(BigRational::from_integer(BigInt::from(v))),
                })
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number::from_integer(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Number, E> {
                Err(E::custom(NumberError::FloatingPoint {
                    text: v.to_string(),
                }))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

mod text;

#[cfg(test)]
mod tests;
