//! A number's text: the exact form (`"86.5"`, `"260/3"`) and the reported form with exactly 2
//! decimals (`"86.50"`), written by hand into the caller's buffer for the values in machine
//! integers, since records and the page's roster columns write thousands of them and the
//! formatting machinery cost several times the fold step.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive};
use smol_str::SmolStr;

use super::{Number, Repr, mul_u64, round2_hundredths};

impl Number {
    /// The reported value with exactly 2 decimals, e.g. `"3.00"`, `"86.67"`.
    pub fn to_reported_string(&self) -> String {
        let mut text = String::with_capacity(8);
        self.write_reported(&mut text);
        text
    }

    /// [`Number::to_reported_string`] held inline (no allocation for any value of up to 23
    /// characters): what a record carries for each of its many reported values.
    pub fn to_reported_text(&self) -> SmolStr {
        if let Some((negative, h)) = self.small_hundredths() {
            let mut buf = [0u8; HUNDREDTHS_LEN];
            // At most 22 bytes: inline.
            return SmolStr::new_inline(hundredths_text(&mut buf, negative, h));
        }
        SmolStr::new(self.to_reported_string())
    }

    /// The usual case of the reported value: round2's hundredths straight from the small
    /// form, no gcd, with whether a `-` goes first (`None` when the value needs the general
    /// path).
    fn small_hundredths(&self) -> Option<(bool, u64)> {
        let Repr::Small(r) = &self.0 else {
            return None;
        };
        let h = round2_hundredths(*r.numer(), *r.denom())?;
        Some((*r.numer() < 0 && h != 0, h))
    }

    /// [`Number::to_reported_string`] appended to `out`, with no allocation of its own for
    /// the usual values: for writers of many values, such as the page's roster columns.
    pub fn write_reported(&self, out: &mut String) {
        if let Some((negative, h)) = self.small_hundredths() {
            return push_hundredths(out, negative, h);
        }
        // The reported value is k/100 in lowest terms: k = numerator × (100 / denominator),
        // an exact integer division (a rational product would run a big gcd).
        let reported = self.reported();
        if let Repr::Small(r) = &reported.0
            && let Some(h) = mul_u64(r.numer().unsigned_abs(), 100 / r.denom().unsigned_abs())
        {
            return push_hundredths(out, *r.numer() < 0, h);
        }
        let hundredths = match &reported.0 {
            Repr::Small(r) => BigInt::from(*r.numer()) * (100 / *r.denom()),
            Repr::Big(b) => b.numer() * 100u32 / b.denom(),
        };
        let sign = if hundredths.is_negative() { "-" } else { "" };
        let (whole, frac) = hundredths.abs().div_rem(&BigInt::from(100));
        out.push_str(&format!("{sign}{whole}.{:02}", frac.to_u32().unwrap_or(0)));
    }

    /// The exact value as text: a terminating decimal without trailing zeros
    /// (`"80"`, `"86.5"`), otherwise a fraction in lowest terms (`"260/3"`).
    pub fn to_exact_string(&self) -> String {
        let mut text = String::with_capacity(16);
        self.write_exact(&mut text);
        text
    }

    /// [`Number::to_exact_string`] appended to `out`, with no allocation of its own for
    /// values in machine integers (see [`Number::write_reported`]).
    pub fn write_exact(&self, out: &mut String) {
        if let Repr::Small(r) = &self.0
            && push_small_exact(out, *r.numer(), *r.denom())
        {
            return;
        }
        out.push_str(&self.to_exact_string_big());
    }

    /// [`Number::to_exact_string`] in big-integer arithmetic: the path for big values, and
    /// the reference the machine-integer path is tested against.
    pub(super) fn to_exact_string_big(&self) -> String {
        let big = self.to_big();
        let (n, d) = (big.numer(), big.denom());
        // A terminating decimal needs d = 2^twos · 5^fives. Both counts come without a
        // division per factor (a long decaying average has thousands of each).
        let twos = d.trailing_zeros().unwrap_or(0);
        let Some(fives) = power_of_five(&(d >> twos)) else {
            return format!("{n}/{d}");
        };
        let places = twos.max(fives);
        if places == 0 {
            return n.to_string();
        }
        // n / d · 10^places, as a product: d's factors are exactly those of 10^places.
        let scaled = n
            * num_traits::pow(BigInt::from(2), (places - twos) as usize)
            * num_traits::pow(BigInt::from(5), (places - fives) as usize);
        let sign = if scaled.is_negative() { "-" } else { "" };
        let digits = scaled.abs().to_string();
        let places = places as usize;
        let digits = format!("{digits:0>width$}", width = places + 1);
        let (whole, frac) = digits.split_at(digits.len() - places);
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

/// `h` hundredths as text with exactly 2 decimals, `-` first when `negative`: what
/// `format!("{sign}{}.{:02}", h / 100, h % 100)` writes.
pub(super) fn push_hundredths(out: &mut String, negative: bool, h: u64) {
    let mut buf = [0u8; HUNDREDTHS_LEN];
    out.push_str(hundredths_text(&mut buf, negative, h));
}

/// The longest text of [`hundredths_text`]: a sign, the 20 digits of `u64::MAX` and a point.
const HUNDREDTHS_LEN: usize = 22;

/// `h` hundredths as text with exactly 2 decimals, `-` first when `negative`, written from
/// the end of `buf` (digit by digit: no formatting machinery, no push per character).
fn hundredths_text(buf: &mut [u8; HUNDREDTHS_LEN], negative: bool, h: u64) -> &str {
    let (mut whole, frac) = (h / 100, h % 100);
    let mut at = buf.len() - 3;
    buf[at] = b'.';
    buf[at + 1] = b'0' + (frac / 10) as u8;
    buf[at + 2] = b'0' + (frac % 10) as u8;
    // The whole part: at least one digit.
    loop {
        at -= 1;
        buf[at] = b'0' + (whole % 10) as u8;
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    if negative {
        at -= 1;
        buf[at] = b'-';
    }
    // ASCII digits, a point and a sign: always UTF-8.
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// Appends [`Number::to_exact_string`] of `n / d` (lowest terms, `d > 0`) in machine integers,
/// as the roster writes thousands of these; `false`, with nothing appended, when the scaled
/// digits pass `u64`, and the big path answers. No 128-bit division (a library call in wasm):
/// `10^places / d` is a whole number, so the digits are a product.
fn push_small_exact(out: &mut String, n: i64, d: i64) -> bool {
    let Ok(d) = u64::try_from(d) else {
        return false;
    };
    if d == 0 {
        return false;
    }
    let twos = d.trailing_zeros();
    let mut rest = d >> twos;
    let mut fives = 0u32;
    while rest % 5 == 0 {
        rest /= 5;
        fives += 1;
    }
    let places = twos.max(fives);
    if rest != 1 || places == 0 {
        // A fraction in lowest terms, or an integer.
        if n < 0 {
            out.push('-');
        }
        push_decimal(out, n.unsigned_abs(), 0, true);
        if rest != 1 {
            out.push('/');
            push_decimal(out, d, 0, true);
        }
        return true;
    }
    // d = 2^twos · 5^fives divides 10^places.
    let scaled = 2u64
        .checked_pow(places - twos)
        .and_then(|two| two.checked_mul(5u64.checked_pow(places - fives)?))
        .and_then(|factor| mul_u64(n.unsigned_abs(), factor));
    let Some(scaled) = scaled else {
        return false;
    };
    if n < 0 {
        out.push('-');
    }
    push_decimal(out, scaled, places, true);
    true
}

/// Appends `v / 10^places` in decimal, by hand (records and the roster columns write
/// thousands of these, and the formatting machinery cost several times the fold step; u64,
/// not u128, keeps 128-bit formatting out of the wasm bundle): at least one whole digit,
/// then the point and the `places` digits of the fraction, without their trailing zeros when
/// `trim` (and without the point when none is left).
fn push_decimal(out: &mut String, mut v: u64, places: u32, trim: bool) {
    // Up to 20 digits of u64, or places + 1 (up to 64) when the value has fewer: zeros.
    let mut rev = [0u8; 70];
    let places = places as usize;
    let mut count = 0;
    while v > 0 || count <= places {
        rev[count] = b'0' + (v % 10) as u8;
        v /= 10;
        count += 1;
    }
    // The fraction's trailing zeros are the lowest digits.
    let skip = if trim {
        rev[..places].iter().take_while(|&&b| b == b'0').count()
    } else {
        0
    };
    // ASCII digits: each byte is its own char (no UTF-8 validation pass).
    out.extend(rev[places..count].iter().rev().map(|&b| char::from(b)));
    if skip < places {
        out.push('.');
        out.extend(rev[skip..places].iter().rev().map(|&b| char::from(b)));
    }
}

/// `k` when `x = 5^k` (x positive), else `None`. Only the one or two powers of five with
/// `x`'s bit length can equal it, so one comparison decides, with no division per factor.
pub(super) fn power_of_five(x: &BigInt) -> Option<u64> {
    if x.is_one() {
        return Some(0);
    }
    let bits = x.bits();
    // 5^k has floor(k·log2 5) + 1 bits: start just below that k and walk up.
    let mut k = ((bits - 1) as f64 / 5f64.log2()).floor() as u64;
    k = k.saturating_sub(1);
    let mut power = num_traits::pow(BigInt::from(5), k as usize);
    while power.bits() <= bits {
        if &power == x {
            return Some(k);
        }
        power *= 5;
        k += 1;
    }
    None
}
