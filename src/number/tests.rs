//! The exact numbers' tests: parsing, rounding, ordering, and the machine-integer fast
//! paths against the big-rational path.

/// The machine-integer path of `to_exact_string` writes what the big-integer path
/// writes, for terminating and repeating values, signs and the i64 edges.
#[test]
fn exact_string_fast_path_equals_the_big_path() {
    use proptest::prelude::*;
    let check = |n: i64, d: i64| {
        let x = Number::from_i128_ratio(i128::from(n), i128::from(d)).expect("d > 0");
        assert_eq!(x.to_exact_string(), x.to_exact_string_big(), "{n}/{d}");
        // Appended after text already there, as the roster's column writer does.
        let mut text = String::from("x");
        x.write_exact(&mut text);
        assert_eq!(text, format!("x{}", x.to_exact_string_big()), "{n}/{d}");
    };
    for (n, d) in [
        (0, 1),
        (1, 3),
        (-7, 8),
        (i64::MAX, 1),
        (i64::MIN + 1, 1),
        (i64::MAX, 1 << 62),
        (-1, 5i64.pow(27)),
        (i64::MAX, 5i64.pow(27)),
    ] {
        check(n, d);
    }
    proptest!(|(n in any::<i64>().prop_filter("not MIN", |n| *n != i64::MIN),
                twos in 0u32..63, fives in 0u32..28, other in prop::sample::select(vec![1i64, 3, 7, 9, 11]))| {
        let d = 2i64.checked_pow(twos)
            .and_then(|t| t.checked_mul(5i64.checked_pow(fives)?))
            .and_then(|t| t.checked_mul(other));
        if let Some(d) = d {
            check(n, d);
        }
    });
}
use super::text::{power_of_five, push_hundredths};
use super::*;
use num_traits::One;

/// The reported text from the small form's fast path is the big path's rounded value,
/// written by `format!`, for any small ratio, the i64 edges included.
#[test]
fn reported_text_fast_path_equals_the_big_path() {
    use proptest::prelude::*;
    let check = |n: i64, d: i64| {
        let x = Number::ratio(n, d);
        let hundredths = x.round2().mul(&Number::HUNDRED).to_big();
        let sign = if hundredths.is_negative() { "-" } else { "" };
        let (whole, frac) = hundredths.numer().abs().div_rem(&BigInt::from(100));
        let want = format!("{sign}{whole}.{:02}", frac.to_u32().unwrap_or(0));
        assert_eq!(x.to_reported_string(), want, "{n}/{d}");
        // The inline form a record carries writes the same text.
        assert_eq!(x.to_reported_text().as_str(), want, "{n}/{d} inline");
    };
    for (n, d) in [
        (0, 1),
        (1, 200),
        (-1, 200),
        (-1, 300),
        (5, 1000),
        (i64::MAX, 1),
        (i64::MIN + 1, 1),
        (i64::MAX, 3),
        (i64::MAX / 100, 7),
        (1, i64::MAX),
    ] {
        check(n, d);
    }
    // Past the small form, and longer than the inline 23 bytes: the builder's heap path.
    for text in [
        "123456789012345678901234567890.125",
        "1/3",
        "98765432109876543210.005",
    ] {
        let x = Number::parse_exact(text).expect("a number");
        assert_eq!(
            x.to_reported_text().as_str(),
            x.to_reported_string(),
            "{text}"
        );
    }
    proptest!(|(n in any::<i64>().prop_filter("not MIN", |n| *n != i64::MIN), d in 1i64..=i64::MAX, small in -100_000i64..100_000, sd in 1i64..1000)| {
        check(n, d);
        check(small, sd);
    });
}

/// The hand-written 2-decimal text is what `format!` writes, at the u64 edges too.
#[test]
fn pushed_hundredths_equal_format() {
    use proptest::prelude::*;
    let check = |negative: bool, h: u64| {
        let sign = if negative { "-" } else { "" };
        // Appended after text already there, as the roster's column writer does.
        let mut text = String::from("x");
        push_hundredths(&mut text, negative, h);
        assert_eq!(
            text,
            format!("x{sign}{}.{:02}", h / 100, h % 100),
            "{negative} {h}"
        );
    };
    for h in [0, 1, 9, 10, 99, 100, 101, 999, 1000, u64::MAX - 1, u64::MAX] {
        check(false, h);
        check(true, h);
    }
    proptest!(|(negative in any::<bool>(), h in any::<u64>(), small in 0u64..100_000)| {
        check(negative, h);
        check(negative, small);
    });
}

fn n(s: &str) -> Number {
    Number::parse_exact(s).unwrap()
}

#[test]
fn decimals_parse_exactly() {
    assert_eq!(n("18.4").mul(&n("100")).div(&n("23")), n("80"));
    assert_eq!(n("240").mul(&n("100")).div(&n("300")), n("80"));
    assert_eq!(n("0.10"), n("0.1"));
}

#[test]
fn malformed_decimals_are_refused() {
    for bad in ["", "-1", "1.", ".5", "1e3", " 1", "1,5", "0x10", "NaN"] {
        assert!(Number::parse_decimal(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn decimals_longer_than_64_characters_are_refused_as_too_long() {
    let longest = format!("1.{}", "5".repeat(MAX_DECIMAL_LEN - 2));
    assert!(Number::parse_decimal(&longest).is_ok());
    let longer = format!("{longest}5");
    let err = Number::parse_decimal(&longer).unwrap_err();
    assert!(
        matches!(
            err,
            NumberError::TooLong {
                len: 65,
                max: 64,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("too long") && message.contains("at most 64"),
        "{message}"
    );
    let json = format!("\"{longer}\"");
    let message = serde_json::from_str::<Number>(&json)
        .unwrap_err()
        .to_string();
    assert!(message.contains("too long"), "{message}");
}

#[test]
fn rounding_is_half_away_from_zero() {
    for (x, want) in [
        ("4.125", "4.13"),
        ("0.125", "0.13"),
        ("1.005", "1.01"),
        ("4.124", "4.12"),
        ("-4.125", "-4.13"),
    ] {
        assert_eq!(n(x).reported(), n(want), "{x}");
        assert_eq!(n(x).round2(), n(want), "{x}");
    }
    assert_eq!(n("260/3").to_reported_string(), "86.67");
    assert_eq!(n("3").to_reported_string(), "3.00");
    for (x, want) in [
        ("-4.125", "-4.13"),
        ("0.004", "0.00"),
        ("-0.005", "-0.01"),
        ("1/7", "0.14"),
        (
            "123456789012345678901234567890.125",
            "123456789012345678901234567890.13",
        ),
        (
            "-123456789012345678901234567890.125",
            "-123456789012345678901234567890.13",
        ),
    ] {
        assert_eq!(n(x).to_reported_string(), want, "{x}");
    }
}

#[test]
fn fast_meets_agrees_with_the_rounded_value() {
    let values = [
        "79.994", "79.995", "80", "18.4", "18.39", "260/3", "200/3", "0", "1/3", "-4.125", "99.999",
    ];
    let thresholds = ["80", "79.99", "50", "66.67", "66.66", "0", "-4.13", "100"];
    for v in values {
        for t in thresholds {
            let (v, t) = (n(v), n(t));
            assert_eq!(v.meets(&t), v.round2() >= t, "{v} meets {t}");
        }
    }
    assert_eq!(n("18.4").percent_of(&n("23")), n("80"));
    assert_eq!(n("260").percent_of(&n("300")), n("260/3"));
}

#[test]
fn ordering_agrees_with_big_rationals() {
    let values = [
        "0",
        "1/3",
        "-1/3",
        "260/3",
        "86.67",
        "86.66",
        "-4.125",
        "9223372036854775807",
        "1/9223372036854775807",
        "2/9223372036854775807",
    ];
    for a in values {
        for b in values {
            let (x, y) = (n(a), n(b));
            assert_eq!(x.cmp(&y), x.to_big().cmp(&y.to_big()), "{a} vs {b}");
        }
    }
}

#[test]
fn exact_strings_round_trip() {
    for s in ["80", "86.5", "260/3", "0.05", "-2.5", "1/7"] {
        assert_eq!(n(s).to_exact_string(), s);
    }
}

#[test]
fn overflow_moves_to_big_and_back() {
    let mut x = Number::one();
    let twenty = n("20");
    for _ in 0..40 {
        x = x.div(&twenty);
    }
    for _ in 0..40 {
        x = x.mul(&twenty);
    }
    assert_eq!(x, Number::one());
    assert!(matches!(x.0, Repr::Small(_)));
}

#[test]
fn json_floats_are_refused() {
    assert!(serde_json::from_str::<Number>("18.4").is_err());
    assert_eq!(serde_json::from_str::<Number>("18").unwrap(), n("18"));
    assert_eq!(
        serde_json::from_str::<Number>("\"18.4\"").unwrap(),
        n("18.4")
    );
}

/// A small-form value: scores and percents as the fold makes them, and the i64 edges where
/// the fast paths overflow to the big path.
fn small_value() -> impl proptest::strategy::Strategy<Value = (i64, i64)> {
    use proptest::prelude::*;
    prop_oneof![
        (0i64..=10_000, Just(100i64)),
        (
            0i64..=400,
            prop::sample::select(vec![1i64, 2, 3, 4, 40, 300])
        ),
        (-1_000i64..=1_000, 1i64..=1_000),
        (any::<i64>(), prop::sample::select(vec![1i64, 2, 3, 7, 100])),
        (
            prop::sample::select(vec![
                i64::MAX,
                i64::MIN + 1,
                i64::MAX - 1,
                1 << 62,
                -(1 << 62)
            ]),
            prop::sample::select(vec![1i64, 2, 3, i64::MAX, 1 << 62]),
        ),
    ]
    .prop_filter("not MIN", |(n, _)| *n != i64::MIN)
}

/// The fast machine-integer paths of `add`, `sub`, `mul`, `cmp` and `meets` give exactly
/// the big-rational results, in the canonical form, overflow edges included.
#[test]
fn fast_arithmetic_equals_the_big_path() {
    use proptest::prelude::*;
    let big = |x: &Number| x.to_big();
    proptest!(|(a in small_value(), b in small_value())| {
        let x = Number::from_i128_ratio(i128::from(a.0), i128::from(a.1)).expect("d > 0");
        let y = Number::from_i128_ratio(i128::from(b.0), i128::from(b.1)).expect("d > 0");
        for (got, want) in [
            (x.add(&y), big(&x) + big(&y)),
            (x.sub(&y), big(&x) - big(&y)),
            (x.mul(&y), big(&x) * big(&y)),
        ] {
            // Equality is structural: the fast result must be the canonical form.
            prop_assert_eq!(&got, &Number::from_big(want));
        }
        prop_assert_eq!(x.cmp(&y), big(&x).cmp(&big(&y)));
        prop_assert_eq!(x.meets(&y), x.round2() >= y);
    });
}

/// `to_exact_string_big` as it was first written (a division per factor 2 and 5, then a
/// division by the denominator): the reference for the product form on big values.
fn exact_string_by_division(x: &BigRational) -> String {
    let (n, d) = (x.numer().clone(), x.denom().clone());
    let mut rest = d.clone();
    let (mut twos, mut fives) = (0usize, 0usize);
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    while (&rest % &two).is_zero() {
        rest /= &two;
        twos += 1;
    }
    while (&rest % &five).is_zero() {
        rest /= &five;
        fives += 1;
    }
    if !rest.is_one() {
        return format!("{n}/{d}");
    }
    let places = twos.max(fives);
    if places == 0 {
        return n.to_string();
    }
    let scaled = n * num_traits::pow(BigInt::from(10), places) / d;
    let sign = if scaled.is_negative() { "-" } else { "" };
    let digits = format!("{:0>width$}", scaled.abs().to_string(), width = places + 1);
    let (whole, frac) = digits.split_at(digits.len() - places);
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

/// Big values (a long decaying average's): the product form writes what the division
/// form writes, terminating or not.
#[test]
fn exact_string_of_big_values_equals_the_division_form() {
    use proptest::prelude::*;
    proptest!(ProptestConfig::with_cases(64), |(
        digits in prop::collection::vec(any::<u32>(), 1..12),
        negative in any::<bool>(),
        twos in 0usize..300,
        fives in 0usize..300,
        other in prop::sample::select(vec![1u32, 3, 7, 125, 1024]),
    )| {
        let magnitude = BigInt::from(num_bigint::BigUint::new(digits));
        let n = if negative { -magnitude } else { magnitude };
        let d = num_traits::pow(BigInt::from(2), twos)
            * num_traits::pow(BigInt::from(5), fives)
            * BigInt::from(other);
        let x = BigRational::new(n, d);
        let number = Number::from_big(x.clone());
        prop_assert_eq!(number.to_exact_string_big(), exact_string_by_division(&x));
    });
}

/// Powers of five are recognised at every size, and their neighbours are not.
#[test]
fn power_of_five_recognises_exactly_the_powers() {
    let mut power = BigInt::one();
    for k in 0..600u64 {
        assert_eq!(power_of_five(&power), Some(k));
        assert_eq!(power_of_five(&(&power * 2)), None, "2·5^{k}");
        assert_eq!(power_of_five(&(&power * 3)), None, "3·5^{k}");
        if k > 0 {
            assert_eq!(power_of_five(&(&power + 1)), None, "5^{k} + 1");
            assert_eq!(power_of_five(&(&power - 1)), None, "5^{k} − 1");
        }
        power *= 5;
    }
}

/// The multiplications without the wasm library call agree with `checked_mul` everywhere:
/// operands of every bit length, signs and the edges (the fits-test's boundary included).
#[test]
fn machine_multiplication_equals_checked_mul() {
    use super::{mul_i64, mul_u64};
    use proptest::prelude::*;
    let edges = [
        0,
        1,
        -1,
        2,
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
        i64::from(i32::MAX),
        i64::from(i32::MIN),
        1 << 31,
        1 << 32,
        (1 << 32) - 1,
        -(1 << 32),
        3_037_000_499,
        3_037_000_500,
        -3_037_000_500,
    ];
    for a in edges {
        for b in edges {
            assert_eq!(mul_i64(a, b), a.checked_mul(b), "{a} × {b}");
            let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
            assert_eq!(mul_u64(ua, ub), ua.checked_mul(ub), "{ua} × {ub}");
        }
    }
    proptest!(|(a in any::<i64>(), b in any::<i64>(), sa in 0u32..64, sb in 0u32..64)| {
        // Shifts spread the operands over every bit length.
        let (a, b) = (a >> sa, b >> sb);
        prop_assert_eq!(mul_i64(a, b), a.checked_mul(b));
        let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
        prop_assert_eq!(mul_u64(ua, ub), ua.checked_mul(ub));
    });
}

/// `percent_of` past 128 bits: a score and a maximum of 19 significant digits (decimals the
/// input rules allow) made the 128-bit product overflow, which wrapped in release builds.
/// The big path answers, exactly.
#[test]
fn percent_of_past_128_bits_is_exact() {
    let n = |t: &str| Number::parse_exact(t).expect("a number");
    for (x, max) in [
        ("9.223372036854775807", "9.223372036854775807"),
        ("9.223372036854775806", "9.223372036854775807"),
        ("9223372036854775807", "1/9223372036854775807"),
        ("-9223372036854775807", "1/9223372036854775807"),
    ] {
        let (x, max) = (n(x), n(max));
        let want =
            Number::from_big(x.to_big() * BigRational::from_integer(100.into()) / max.to_big());
        assert_eq!(x.percent_of(&max), want, "{x} of {max}");
    }
    assert_eq!(
        n("9.223372036854775807").percent_of(&n("9.223372036854775807")),
        n("100")
    );
}
