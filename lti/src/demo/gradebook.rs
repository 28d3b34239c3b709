//! The demo platform's gradebook: what its AGS endpoints keep (line items per flavour, every
//! score received per line item and user, access tokens) and the rules a real LMS applies to
//! a score (a timestamp not newer than the stored one is refused: Moodle 409, Canvas 400).
//! A switch makes the service endpoints answer 500, 409 or slowly, for tests of the tool's
//! outbox. Kept in memory behind an `Arc`, so the platform's server can be restarted over it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::people::Flavour;

/// How the service endpoints answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Mode {
    /// As a healthy LMS.
    #[default]
    Normal,
    /// Every service call answers 500 (tokens still work).
    Fail500,
    /// Every score answers 409 (an older-timestamp refusal).
    Conflict409,
    /// Every service call waits this long first.
    Slow {
        /// The delay in milliseconds.
        delay_ms: u64,
    },
}

/// A line item the gradebook holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredLineItem {
    /// Its number (in its URL).
    pub number: u64,
    /// The flavour whose URLs it lives under.
    #[serde(serialize_with = "flavour_label")]
    pub flavour: Flavour,
    /// Its JSON (with `id`).
    pub item: Value,
}

fn flavour_label<S: serde::Serializer>(flavour: &Flavour, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(flavour.label())
}

/// One score as received.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReceivedScore {
    /// The score JSON as posted.
    pub score: Value,
    /// Its `timestamp`, parsed (Unix ms).
    pub timestamp_ms: i64,
}

/// Every received score per (line item number, user id), oldest first.
pub type ScoresByItemAndUser = BTreeMap<(u64, String), Vec<ReceivedScore>>;

/// Why a score is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScoreRefusal {
    /// No such line item.
    NoLineItem,
    /// Not a score (missing `userId` or `timestamp`, or a bad timestamp).
    Invalid(String),
    /// The timestamp is not newer than the stored score's.
    OlderTimestamp,
}

#[derive(Debug, Default)]
struct Book {
    next_number: u64,
    line_items: Vec<StoredLineItem>,
    /// Per (line item number, user id): every accepted score, oldest first.
    scores: BTreeMap<(u64, String), Vec<ReceivedScore>>,
    /// Refused posts per (line item, user), for tests.
    refused: u64,
    /// Access tokens → (flavour, expiry Unix seconds, scopes).
    tokens: BTreeMap<String, (Flavour, i64, Vec<String>)>,
}

/// The gradebook. Cheap to clone (one `Arc`).
#[derive(Clone, Debug, Default)]
pub struct Gradebook {
    book: Arc<Mutex<Book>>,
    mode: Arc<Mutex<Mode>>,
}

impl Gradebook {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current answer mode.
    pub fn mode(&self) -> Mode {
        *self.mode.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Switches the answer mode.
    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap_or_else(PoisonError::into_inner) = mode;
    }

    /// The delay the mode asks for.
    pub fn delay(&self) -> Option<Duration> {
        match self.mode() {
            Mode::Slow { delay_ms } => Some(Duration::from_millis(delay_ms)),
            _ => None,
        }
    }

    /// Keeps an access token.
    pub fn add_token(&self, token: String, flavour: Flavour, expires_at: i64, scopes: Vec<String>) {
        self.book()
            .tokens
            .insert(token, (flavour, expires_at, scopes));
    }

    /// Whether `token` is live at `now` for `flavour` and carries `scope`.
    pub fn token_allows(&self, token: &str, flavour: Flavour, scope: &str, now: i64) -> bool {
        self.book()
            .tokens
            .get(token)
            .is_some_and(|(f, expires_at, scopes)| {
                *f == flavour && *expires_at > now && scopes.iter().any(|s| s == scope)
            })
    }

    /// The line items of a flavour, filtered by `resource_id` / `resource_link_id` if given.
    pub fn line_items(
        &self,
        flavour: Flavour,
        resource_id: Option<&str>,
        resource_link_id: Option<&str>,
    ) -> Vec<Value> {
        let matches = |item: &Value, member: &str, wanted: Option<&str>| {
            wanted.is_none_or(|wanted| item[member].as_str() == Some(wanted))
        };
        self.book()
            .line_items
            .iter()
            .filter(|stored| stored.flavour == flavour)
            .filter(|stored| matches(&stored.item, "resourceId", resource_id))
            .filter(|stored| matches(&stored.item, "resourceLinkId", resource_link_id))
            .map(|stored| stored.item.clone())
            .collect()
    }

    /// Creates a line item; `url_of` makes its `id` from its number. Answers its JSON.
    pub fn create_line_item(
        &self,
        flavour: Flavour,
        mut item: Value,
        url_of: impl Fn(u64) -> String,
    ) -> Value {
        let mut book = self.book();
        book.next_number += 1;
        let number = book.next_number;
        item["id"] = Value::String(url_of(number));
        book.line_items.push(StoredLineItem {
            number,
            flavour,
            item: item.clone(),
        });
        item
    }

    /// One line item's JSON.
    pub fn line_item(&self, flavour: Flavour, number: u64) -> Option<Value> {
        self.book()
            .line_items
            .iter()
            .find(|s| s.flavour == flavour && s.number == number)
            .map(|s| s.item.clone())
    }

    /// Accepts a score for line item `number` if its timestamp is newer than the stored one.
    pub fn post_score(
        &self,
        flavour: Flavour,
        number: u64,
        score: Value,
    ) -> Result<(), ScoreRefusal> {
        let mut book = self.book();
        if !book
            .line_items
            .iter()
            .any(|s| s.flavour == flavour && s.number == number)
        {
            return Err(ScoreRefusal::NoLineItem);
        }
        let user = score["userId"]
            .as_str()
            .ok_or_else(|| ScoreRefusal::Invalid("userId is missing".into()))?
            .to_owned();
        let timestamp = score["timestamp"]
            .as_str()
            .ok_or_else(|| ScoreRefusal::Invalid("timestamp is missing".into()))?;
        let timestamp_ms = parse_rfc3339_ms(timestamp).ok_or_else(|| {
            ScoreRefusal::Invalid(format!("timestamp {timestamp:?} is not RFC 3339"))
        })?;
        let key = (number, user);
        let newer = book
            .scores
            .get(&key)
            .and_then(|list| list.last())
            .is_none_or(|last| timestamp_ms > last.timestamp_ms);
        if !newer {
            book.refused += 1;
            return Err(ScoreRefusal::OlderTimestamp);
        }
        book.scores.entry(key).or_default().push(ReceivedScore {
            score,
            timestamp_ms,
        });
        Ok(())
    }

    /// The results of line item `number`: the latest score per user.
    pub fn results(
        &self,
        flavour: Flavour,
        number: u64,
        user: Option<&str>,
    ) -> Vec<(String, ReceivedScore)> {
        let book = self.book();
        let known = book
            .line_items
            .iter()
            .any(|s| s.flavour == flavour && s.number == number);
        if !known {
            return Vec::new();
        }
        book.scores
            .iter()
            .filter(|((n, u), _)| *n == number && user.is_none_or(|user| user == u))
            .filter_map(|((_, u), list)| list.last().map(|last| (u.clone(), last.clone())))
            .collect()
    }

    /// Everything: line items and every received score per (line item number, user).
    pub fn snapshot(&self) -> (Vec<StoredLineItem>, ScoresByItemAndUser) {
        let book = self.book();
        (book.line_items.clone(), book.scores.clone())
    }
}

/// `2026-11-22T18:54:36.736+00:00` (or `Z`, any offset, 0–9 fraction digits) as Unix ms.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let (date_time, offset_seconds) = if let Some(rest) = text.strip_suffix('Z') {
        (rest, 0)
    } else {
        let split = text.len().checked_sub(6)?;
        let (rest, offset) = text.split_at(split);
        let sign = match offset.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hours: i64 = offset.get(1..3)?.parse().ok()?;
        let minutes: i64 = offset.get(4..6)?.parse().ok()?;
        (rest, sign * (hours * 3600 + minutes * 60))
    };
    let (whole, fraction) = match date_time.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (date_time, ""),
    };
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 9 {
        return None;
    }
    let millis: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    let seconds = cairn::time::Timestamp::parse(&format!("{whole}Z"))
        .ok()?
        .unix_seconds();
    Some((seconds - offset_seconds) * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_parse_with_offsets_and_fractions() {
        assert_eq!(
            parse_rfc3339_ms("2026-11-22T18:54:36.736+00:00"),
            Some(1_795_373_676_736)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-22T19:54:36.7+01:00"),
            Some(1_795_373_676_700)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-22T18:54:36Z"),
            Some(1_795_373_676_000)
        );
        assert_eq!(parse_rfc3339_ms("yesterday"), None);
    }

    #[test]
    fn older_timestamps_are_refused_per_line_item_and_user() {
        let book = Gradebook::default();
        let item =
            book.create_line_item(Flavour::Moodle, json!({"label": "A"}), |n| format!("u/{n}"));
        assert_eq!(item["id"], "u/1");
        let score = |user: &str, ts: &str| json!({"userId": user, "timestamp": ts});
        assert!(
            book.post_score(Flavour::Moodle, 1, score("3", "2026-01-01T00:00:00.002Z"))
                .is_ok()
        );
        assert_eq!(
            book.post_score(Flavour::Moodle, 1, score("3", "2026-01-01T00:00:00.002Z")),
            Err(ScoreRefusal::OlderTimestamp)
        );
        assert!(
            book.post_score(Flavour::Moodle, 1, score("4", "2026-01-01T00:00:00.001Z"))
                .is_ok()
        );
        assert_eq!(
            book.post_score(Flavour::Canvas, 1, score("3", "2027-01-01T00:00:00Z")),
            Err(ScoreRefusal::NoLineItem)
        );
        assert_eq!(book.results(Flavour::Moodle, 1, Some("3")).len(), 1);
    }
}
