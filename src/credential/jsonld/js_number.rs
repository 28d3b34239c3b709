//! Numbers written exactly as jsonld.js writes them (P8, P9).

/// The RDF lexical form jsonld.js 9 gives a JSON number, and whether it is a double:
/// `toExponential(15)` with trailing zeros trimmed when the number prints with a `.` (or is
/// ≥ 1e21, or the datatype is `xsd:double`), else `toFixed(0)`.
pub(crate) fn js_number_lexical(v: f64, force_double: bool) -> (String, bool) {
    if force_double || js_is_double(v) {
        (js_to_exponential_15(v), true)
    } else if v == 0.0 {
        ("0".to_owned(), false)
    } else if v.fract() != 0.0 {
        // Only tiny one-digit values such as 1e-7 get here: toFixed(0) gives 0 or -0.
        (if v < 0.0 { "-0" } else { "0" }.to_owned(), false)
    } else {
        (format!("{v:.0}"), false)
    }
}

/// `String(v)` contains a `.`, or `|v| ≥ 1e21` (jsonld.js `types.isDouble`).
pub(super) fn js_is_double(v: f64) -> bool {
    if v.abs() >= 1e21 {
        return true;
    }
    if v.fract() == 0.0 {
        return false;
    }
    if v.abs() >= 1e-6 {
        return true;
    }
    // Exponential notation: a `.` only with two or more significant digits.
    let shortest = format!("{v:e}");
    let mantissa = shortest.split('e').next().unwrap_or("");
    mantissa.chars().filter(char::is_ascii_digit).count() > 1
}

/// `v.toExponential(15).replace(/(\d)0*e\+?/, '$1E')`, with JavaScript's rounding (ties
/// away from zero; Rust's formatter rounds ties to even).
pub(super) fn js_to_exponential_15(v: f64) -> String {
    let (negative, mut digits, mut exp) = split_exponential(&format!("{v:.15e}"));
    let (_, d17, e17) = split_exponential(&format!("{v:.16e}"));
    if d17.len() == 17 && d17[16] == b'5' {
        let (_, exact, _) = split_exponential(&format!("{v:.767e}"));
        if exact.iter().skip(17).all(|&d| d == b'0') {
            // An exact tie at the 16th digit: round the magnitude up.
            digits = d17[..16].to_vec();
            exp = e17;
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    digits.truncate(16);
                    exp += 1;
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
    }
    let mut fraction: &[u8] = digits.get(1..).unwrap_or(&[]);
    while fraction.len() > 1 && fraction.last() == Some(&b'0') {
        fraction = &fraction[..fraction.len() - 1];
    }
    let mut out = String::with_capacity(24);
    if negative {
        out.push('-');
    }
    out.push(char::from(*digits.first().unwrap_or(&b'0')));
    out.push('.');
    if fraction.is_empty() {
        out.push('0');
    } else {
        out.extend(fraction.iter().map(|&d| char::from(d)));
    }
    out.push('E');
    out.push_str(&exp.to_string());
    out
}

/// Splits Rust's `d.ddde±x` into (negative, digits, exponent).
pub(super) fn split_exponential(s: &str) -> (bool, Vec<u8>, i32) {
    let (negative, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (mantissa, exp) = rest.split_once('e').unwrap_or((rest, "0"));
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    (negative, digits, exp.parse().unwrap_or(0))
}
