//! A number's text: the exact form (`"86.5"`, `"260/3"`) and the reported form with exactly 2
//! decimals (`"86.50"`), written by hand into the caller's buffer for the values in machine
//! integers, since records and the page's roster columns write thousands of them and the
//! formatting machinery cost several times the fold step.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive};

use super::{Number, Repr, mul_u64, round2_hundredths};

impl Number {
    /// The reported value with exactly 2 decimals, e.g. `"3.00"`, `"86.67"`.
    pub fn to_reported_string(&self) -> String {
        let mut text = String::with_capacity(8);
        self.write_reported(&mut text);
        text
    }

    /// [`Number::to_reported_string`] appended to `out`, with no allocation of its own for
    /// the usual values: for writers of many values, such as the page's roster columns.
    pub fn write_reported(&self, out: &mut String) {
        // The usual case: round2's hundredths straight from the small form, no gcd.
        if let Repr::Small(r) = &self.0
            && let Some(h) = round2_hundredths(*r.numer(), *r.denom())
        {
            return push_hundredths(out, *r.numer() < 0 && h != 0, h);
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
/// `format!("{sign}{}.{:02}", h / 100, h % 100)` writes, by hand, since records write
/// thousands of these and the formatting machinery cost several times the fold step.
/// u64, not u128: keeps 128-bit formatting out of the wasm bundle.
pub(super) fn push_hundredths(out: &mut String, negative: bool, h: u64) {
    // 20 digits of u64, the point and the sign.
    let mut buf = [0u8; 22];
    let mut i = buf.len();
    let mut put = |b: u8| {
        i -= 1;
        buf[i] = b;
    };
    let (mut whole, frac) = (h / 100, h % 100);
    put(b'0' + (frac % 10) as u8);
    put(b'0' + (frac / 10) as u8);
    put(b'.');
    loop {
        put(b'0' + (whole % 10) as u8);
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    if negative {
        put(b'-');
    }
    // ASCII digits: each byte is its own char (no UTF-8 validation pass).
    out.extend(buf[i..].iter().map(|&b| char::from(b)));
}

/// Appends [`Number::to_exact_string`] of `n / d` (lowest terms, `d > 0`) in machine integers,
/// as the roster writes thousands of these; `false`, with nothing appended, when the scaled
/// digits pass `u64`, and the big path answers.
fn push_small_exact(out: &mut String, n: i64, d: i64) -> bool {
    match small_exact(n, d) {
        Some(text) => {
            text.push_to(out);
            true
        }
        None => false,
    }
}

/// The text of [`push_small_exact`], built in a stack buffer: no `format!`, and no 128-bit
/// division (a library call in wasm), since `10^places / d` is a whole number.
fn small_exact(n: i64, d: i64) -> Option<Digits> {
    let d = u64::try_from(d).ok().filter(|d| *d > 0)?;
    let twos = d.trailing_zeros();
    let mut rest = d >> twos;
    let mut fives = 0u32;
    while rest % 5 == 0 {
        rest /= 5;
        fives += 1;
    }
    let mut text = Digits::default();
    if rest != 1 {
        text.signed(n);
        text.push(b'/');
        text.unsigned(d, 0);
        return Some(text);
    }
    let places = twos.max(fives);
    if places == 0 {
        text.signed(n);
        return Some(text);
    }
    // d = 2^twos · 5^fives divides 10^places: the digits are n times the quotient, a product.
    let factor = 2u64
        .checked_pow(places - twos)?
        .checked_mul(5u64.checked_pow(places - fives)?)?;
    let scaled = mul_u64(n.unsigned_abs(), factor)?;
    if n < 0 {
        text.push(b'-');
    }
    text.unsigned(scaled, places);
    Some(text)
}

/// ASCII text built left to right in a fixed buffer. The longest: a sign, then up to 63
/// places after the point (`d` up to 2^63) and a leading zero; or a sign, two u64s and a slash.
struct Digits {
    buf: [u8; 72],
    len: usize,
}

impl Default for Digits {
    fn default() -> Self {
        Digits {
            buf: [0; 72],
            len: 0,
        }
    }
}

impl Digits {
    fn push(&mut self, byte: u8) {
        self.buf[self.len] = byte;
        self.len += 1;
    }

    fn signed(&mut self, n: i64) {
        if n < 0 {
            self.push(b'-');
        }
        self.unsigned(n.unsigned_abs(), 0);
    }

    /// `v / 10^places` in decimal: at least one whole digit, then the point and the
    /// fraction's digits without trailing zeros (none when `places` is 0 or they are all 0).
    fn unsigned(&mut self, mut v: u64, places: u32) {
        // Up to 20 digits of u64, or places + 1 when the value has fewer (padded with zeros).
        let mut rev = [0u8; 70];
        let mut count = 0;
        while v > 0 || count <= places as usize {
            rev[count] = b'0' + (v % 10) as u8;
            v /= 10;
            count += 1;
        }
        let places = places as usize;
        // Trailing zeros of the fraction are the lowest digits: skip them.
        let skip = rev[..places].iter().take_while(|&&b| b == b'0').count();
        for &b in rev[places..count].iter().rev() {
            self.push(b);
        }
        if skip < places {
            self.push(b'.');
            for &b in rev[skip..places].iter().rev() {
                self.push(b);
            }
        }
    }

    fn push_to(&self, out: &mut String) {
        // ASCII digits: each byte is its own char (no UTF-8 validation pass).
        out.extend(self.buf[..self.len].iter().map(|&b| char::from(b)));
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
