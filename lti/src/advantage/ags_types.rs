//! The JSON of Assignment and Grade Services 2.0 (`spec/lti.md` §8.2–8.3), camelCase as the
//! spec spells it: line items, scores and results; the `/scores` and `/results` URLs of a line
//! item (inserted before its query string); RFC 3339 timestamps with milliseconds.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Media type of a line item container (a list).
pub const LINEITEM_CONTAINER_TYPE: &str = "application/vnd.ims.lis.v2.lineitemcontainer+json";
/// Media type of one line item.
pub const LINEITEM_TYPE: &str = "application/vnd.ims.lis.v2.lineitem+json";
/// Media type of a score.
pub const SCORE_TYPE: &str = "application/vnd.ims.lis.v1.score+json";
/// Media type of a result container.
pub const RESULT_CONTAINER_TYPE: &str = "application/vnd.ims.lis.v2.resultcontainer+json";
/// Canvas's score extension that records a submission attempt.
pub const CANVAS_SUBMISSION: &str = "https://canvas.instructure.com/lti/submission";

/// A line item. Unknown members (Moodle's `ltiLinkId`, Canvas extensions) are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    /// Its URL (absent in a create request); kept verbatim, query string included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The maximum score.
    pub score_maximum: serde_json::Number,
    /// The gradebook column's title.
    pub label: String,
    /// The tool's id of the graded thing: the assessment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// The tool's tag (`summative`, `formative`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The resource link it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_link_id: Option<String>,
}

/// `activityProgress` of a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityProgress {
    /// Not started.
    Initialized,
    /// Started.
    Started,
    /// In progress.
    InProgress,
    /// Submitted, awaiting grading.
    Submitted,
    /// Done.
    Completed,
}

/// `gradingProgress` of a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GradingProgress {
    /// Final grade.
    FullyGraded,
    /// Grade may change.
    Pending,
    /// A person must grade it.
    PendingManual,
    /// Grading failed.
    Failed,
    /// Nothing to grade.
    NotReady,
}

/// A score to post (`POST {lineitem}/scores`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    /// The learner's launch `sub`.
    pub user_id: String,
    /// The points; always with `score_maximum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_given: Option<serde_json::Number>,
    /// The maximum points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_maximum: Option<serde_json::Number>,
    /// Learner-visible feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The learner's progress.
    pub activity_progress: ActivityProgress,
    /// The grading's progress.
    pub grading_progress: GradingProgress,
    /// RFC 3339 with milliseconds and offset; strictly increasing per (line item, user).
    pub timestamp: String,
    /// Canvas's submission extension (Canvas only).
    #[serde(
        rename = "https://canvas.instructure.com/lti/submission",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub canvas_submission: Option<Value>,
}

/// One result read back (`GET {lineitem}/results`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultItem {
    /// The result's URL.
    #[serde(default)]
    pub id: Option<String>,
    /// The learner.
    pub user_id: String,
    /// The current score, if any.
    #[serde(default)]
    pub result_score: Option<f64>,
    /// Its maximum.
    #[serde(default)]
    pub result_maximum: Option<f64>,
    /// The comment, if any.
    #[serde(default)]
    pub comment: Option<String>,
    /// The line item's URL.
    #[serde(default)]
    pub score_of: Option<String>,
}

/// `{lineitem}/<leaf>` with `leaf` inserted before the query string, without a double slash
/// (`…/lineitem?type_id=1` → `…/lineitem/scores?type_id=1`; `…/7/` → `…/7/scores`).
pub fn service_url(lineitem: &str, leaf: &str) -> String {
    let (before_fragment, fragment) = match lineitem.split_once('#') {
        Some((url, fragment)) => (url, Some(fragment)),
        None => (lineitem, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (before_fragment, None),
    };
    let mut url = format!("{}/{leaf}", path.trim_end_matches('/'));
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// `url` with `name=value` appended to its query string (before any fragment), values
/// form-encoded; the rest of the URL is kept verbatim.
pub fn with_query(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let pair: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish();
    let separator = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{separator}{pair}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Unix milliseconds as RFC 3339 with milliseconds and a `+00:00` offset
/// (`2026-11-22T18:54:36.736+00:00`).
pub fn rfc3339_millis(unix_ms: i64) -> String {
    let seconds = unix_ms.div_euclid(1000);
    let millis = unix_ms.rem_euclid(1000);
    let whole = cairn::time::Timestamp::from_unix_seconds(seconds).to_string();
    format!("{}.{millis:03}+00:00", whole.trim_end_matches('Z'))
}

/// The `rel="next"` target of a `Link` header (RFC 8288), verbatim (case kept).
pub fn next_link(header: &str) -> Option<String> {
    for part in split_links(header) {
        let part = part.trim();
        let Some(rest) = part.strip_prefix('<') else {
            continue;
        };
        let Some((target, params)) = rest.split_once('>') else {
            continue;
        };
        let is_next = params.split(';').any(|param| {
            let Some((name, value)) = param.trim().split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.to_owned());
        }
    }
    None
}

/// Splits a `Link` header at the commas between link values (not those inside `<…>` or quotes).
fn split_links(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut in_angle, mut in_quote, mut start) = (false, false, 0);
    for (i, c) in header.char_indices() {
        match c {
            '<' if !in_quote => in_angle = true,
            '>' if !in_quote => in_angle = false,
            '"' if !in_angle => in_quote = !in_quote,
            ',' if !in_angle && !in_quote => {
                parts.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&header[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_milliseconds_and_an_offset() {
        assert_eq!(
            rfc3339_millis(1_795_373_676_736),
            "2026-11-22T18:54:36.736+00:00"
        );
        assert_eq!(
            rfc3339_millis(1_795_373_676_000),
            "2026-11-22T18:54:36.000+00:00"
        );
    }

    #[test]
    fn query_pairs_are_appended_verbatim() {
        assert_eq!(
            with_query("https://m.test/lineitems?type_id=1", "resource_id", "a 1"),
            "https://m.test/lineitems?type_id=1&resource_id=a+1"
        );
        assert_eq!(
            with_query("https://c.test/line_items", "resource_link_id", "x"),
            "https://c.test/line_items?resource_link_id=x"
        );
    }

    #[test]
    fn the_next_link_is_found_among_others_and_kept_verbatim() {
        let header =
            r#"<https://c.test/A?page=1>; rel="current", <https://c.test/A?Page=2>; rel="next""#;
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://c.test/A?Page=2")
        );
        assert_eq!(next_link(r#"<https://c.test/x>; rel="last""#), None);
        assert_eq!(next_link("garbage"), None);
    }
}
