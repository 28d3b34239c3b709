//! Instants and calendar arithmetic: `YYYY-MM-DDTHH:MM:SSZ` in UTC, whole seconds,
//! days of 86,400 seconds and calendar months clamped to the month's last day.
//!
//! Pure: the core never reads a clock; every instant is an argument.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in UTC, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a text is not an instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{text}\" is not a UTC instant: write YYYY-MM-DDTHH:MM:SSZ, such as \"2025-02-14T15:30:00Z\""
)]
pub struct TimestampError {
    /// The offending text.
    pub text: String,
}

const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

impl Timestamp {
    /// The earliest instant the core reads or produces, 0001-01-01T00:00:00Z (README §11).
    pub const MIN: Timestamp = Timestamp(-62_135_596_800);
    /// The latest instant the core reads or produces, 9999-12-31T23:59:59Z (README §11).
    pub const MAX: Timestamp = Timestamp(253_402_300_799);

    /// `seconds` since the epoch, held within [`Timestamp::MIN`]..=[`Timestamp::MAX`]:
    /// arithmetic saturates there, so no produced instant leaves years 0001–9999.
    fn within_range(seconds: i64) -> Self {
        Timestamp(seconds.clamp(Self::MIN.0, Self::MAX.0))
    }

    /// The instant `seconds` after the Unix epoch.
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Timestamp(seconds)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (years 0001–9999, README §11).
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let bad = || TimestampError {
            text: text.to_owned(),
        };
        let b = text.as_bytes();
        if b.len() != 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'Z'
        {
            return Err(bad());
        }
        let num = |from: usize, to: usize| -> Result<u32, TimestampError> {
            let s = &text[from..to];
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        let year = i64::from(year);
        if year == 0
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(bad());
        }
        let days = days_from_civil(year, month, day);
        Ok(Timestamp(
            days * SECONDS_PER_DAY
                + i64::from(hour) * 3600
                + i64::from(minute) * 60
                + i64::from(second),
        ))
    }

    /// This instant plus `days` days of 86,400 seconds (negative goes back), held within
    /// years 0001–9999 ([`Timestamp::MAX`] stands for "after the calendar's end").
    pub fn plus_days(self, days: i64) -> Self {
        Self::within_range(self.0.saturating_add(days.saturating_mul(SECONDS_PER_DAY)))
    }

    /// This instant plus `seconds`, held within years 0001–9999.
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self::within_range(self.0.saturating_add(seconds))
    }

    /// This instant plus `months` calendar months, same time of day; a day that does not
    /// exist in the target month becomes that month's last day (2027-01-31 + 13 months =
    /// 2028-02-29). Held within years 0001–9999.
    pub fn plus_months(self, months: i64) -> Self {
        let days = self.0.div_euclid(SECONDS_PER_DAY);
        let time_of_day = self.0.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let index = (year * 12 + i64::from(month - 1)).saturating_add(months);
        let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
        if year > 9999 {
            return Self::MAX;
        }
        if year < 1 {
            return Self::MIN;
        }
        let day = day.min(days_in_month(year, month));
        Timestamp(days_from_civil(year, month, day) * SECONDS_PER_DAY + time_of_day)
    }

    /// Whole seconds from `earlier` to `self` (negative if `earlier` is later).
    pub fn seconds_since(self, earlier: Timestamp) -> i64 {
        self.0 - earlier.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(SECONDS_PER_DAY);
        let secs = self.0.rem_euclid(SECONDS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Parses an xsd:dateTime with a time zone (as credentials write them): `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`.
/// Returns whole UTC seconds and whether a non-zero fraction followed.
pub fn parse_datetime(s: &str) -> Option<(Timestamp, bool)> {
    let b = s.as_bytes();
    if b.len() < 20 || b[19] != b'.' && b[19] != b'Z' && b[19] != b'+' && b[19] != b'-' {
        return None;
    }
    let base = Timestamp::parse(&format!("{}Z", s.get(..19)?)).ok()?;
    let mut rest = s.get(19..)?;
    let mut fraction = false;
    if let Some(f) = rest.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        fraction = f[..digits].bytes().any(|d| d != b'0');
        rest = &f[digits..];
    }
    let offset = match rest {
        "Z" => 0,
        _ => {
            let ob = rest.as_bytes();
            if ob.len() != 6 || ob[3] != b':' {
                return None;
            }
            let sign = match ob[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hh: i64 = rest.get(1..3)?.parse().ok()?;
            let mm: i64 = rest.get(4..6)?.parse().ok()?;
            if hh > 14 || mm > 59 {
                return None;
            }
            sign * (hh * 3600 + mm * 60)
        }
    };
    Some((base.plus_seconds(-offset), fraction))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_round_trip() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2025-02-14T15:30:00Z",
            "2028-02-29T23:59:59Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert_eq!(t(s).to_string(), s);
        }
        assert_eq!(t("1970-01-02T00:00:01Z").unix_seconds(), 86_401);
    }

    #[test]
    fn refuses_malformed_instants() {
        for bad in [
            "2025-02-30T00:00:00Z",
            "2025-02-14 15:30:00Z",
            "2025-02-14T15:30:00",
            "2025-13-01T00:00:00Z",
            "2025-02-14T24:00:00Z",
            "2025-02-14T15:30:00+00:00",
            "+025-02-14T15:30:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        assert_eq!(
            t("2027-01-31T10:00:00Z").plus_months(13),
            t("2028-02-29T10:00:00Z")
        );
        assert_eq!(
            t("2025-02-14T15:30:00Z").plus_months(24),
            t("2027-02-14T15:30:00Z")
        );
        assert_eq!(
            t("2024-01-10T10:00:00Z").plus_months(60),
            t("2029-01-10T10:00:00Z")
        );
        assert_eq!(
            t("2025-03-31T00:00:00Z").plus_months(-1),
            t("2025-02-28T00:00:00Z")
        );
    }

    #[test]
    fn every_instant_stays_within_years_0001_to_9999() {
        assert_eq!(Timestamp::MIN.to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59Z");
        assert_eq!(t("0001-01-01T00:00:00Z"), Timestamp::MIN);
        assert_eq!(t("9999-12-31T23:59:59Z"), Timestamp::MAX);
        assert!(Timestamp::parse("0000-12-31T23:59:59Z").is_err());
        let now = t("2026-01-01T00:00:00Z");
        // validity.days of u32::MAX gave the year 11761247 before instants were held in range.
        assert_eq!(now.plus_days(i64::from(u32::MAX)), Timestamp::MAX);
        assert_eq!(now.plus_months(i64::from(u32::MAX)), Timestamp::MAX);
        assert_eq!(now.plus_days(-i64::from(u32::MAX)), Timestamp::MIN);
        assert_eq!(now.plus_months(-i64::from(u32::MAX)), Timestamp::MIN);
        assert_eq!(now.plus_seconds(i64::MAX), Timestamp::MAX);
        assert_eq!(now.plus_days(i64::MIN), Timestamp::MIN);
        assert_eq!(
            t("9999-11-30T10:00:00Z").plus_months(1),
            t("9999-12-30T10:00:00Z")
        );
        assert_eq!(t("9999-12-01T00:00:00Z").plus_months(1), Timestamp::MAX);
    }

    #[test]
    fn days_are_86400_seconds() {
        assert_eq!(
            t("2029-01-10T10:00:00Z").plus_days(-90),
            t("2028-10-12T10:00:00Z")
        );
    }
}
