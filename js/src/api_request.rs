//! The API client's rules that need no browser (tested natively): which shared body type a
//! route takes (`cairn-api-types`), so a body is checked as the type the server reads it
//! with reads it (a learner's body by one reader of those types' member lists and member
//! types, `learner_body.rs`); when a failed call is tried again and after how long; and how a refusal's
//! `{code, message, details}` is read. The transport is `api_client.rs`.

use cairn_api_types as types;
#[cfg(feature = "instructor")]
use serde::de::DeserializeOwned;

use crate::learner_body::{
    self, ANSWERS, APPLICATION, ENROL, EQUIVALENCY, LearnerBody, PLAR_REQUEST, SUBMISSION,
    WITHDRAWAL,
};

/// The most retries of one call (so at most four tries).
pub const MAX_RETRIES: u32 = 3;

/// The first retry's delay; each next one doubles it.
pub const FIRST_DELAY_MS: u32 = 250;

/// A body that does not fit its route's type, found before anything is sent.
#[derive(Debug, PartialEq)]
pub struct BodyError {
    /// The type's name, e.g. `PlarRequestBody`.
    pub body: &'static str,
    /// serde's message (with the JSON path where it has one).
    pub message: String,
}

/// `json` when it reads as `T` (the type the server reads it with). Only read, not written
/// back: a serializer per body type would cost the page's module bytes for nothing.
#[cfg(feature = "instructor")]
fn through<T: DeserializeOwned>(name: &'static str, json: &str) -> Result<String, BodyError> {
    serde_json::from_str::<T>(json)
        .map(|_| json.to_owned())
        .map_err(|e| BodyError {
            body: name,
            message: e.to_string(),
        })
}

/// `json` when it reads as the learner's `body`: one reader for every learner body
/// ([`crate::learner_body`]), which accepts and refuses what the body's type does.
fn learner(body: LearnerBody, json: &str) -> Result<String, BodyError> {
    learner_body::check(body, json)
        .map(|()| json.to_owned())
        .map_err(|e| BodyError {
            body: body.name,
            message: e.to_string(),
        })
}

/// The path's segments after `/api/`, without a query.
fn segments(path: &str) -> Vec<&str> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.trim_start_matches('/')
        .strip_prefix("api/")
        .map(|rest| rest.split('/').collect())
        .unwrap_or_default()
}

/// The JSON body of `method path`, checked against its route's shared type; a route the
/// table does not name passes its body on unchanged (definitions are the core's own type,
/// checked by the core before the page sends them). The routes only instructors call are
/// checked with the `instructor` feature: the learner's module (built without it, and used
/// by no instructor view) does not carry their types; the server checks every body anyway.
pub fn checked_body(method: &str, path: &str, json: &str) -> Result<String, BodyError> {
    if !method.eq_ignore_ascii_case("POST") {
        return Ok(json.to_owned());
    }
    match segments(path).as_slice() {
        ["me", "enrolments"] | ["learners", _, "enrolments"] => learner(ENROL, json),
        ["me", "withdrawals"] | ["learners", _, "withdrawals"] => learner(WITHDRAWAL, json),
        ["me", "applications"] | ["learners", _, "applications"] => learner(APPLICATION, json),
        ["me", "equivalency-claims"] | ["learners", _, "equivalency-claims"] => {
            learner(EQUIVALENCY, json)
        }
        ["me", "plar-requests"] => learner(PLAR_REQUEST, json),
        ["me", "submissions"] => learner(SUBMISSION, json),
        ["me", "item-sets", _, "answers"] => learner(ANSWERS, json),
        #[cfg(feature = "instructor")]
        segments => instructor_body(segments, json),
        #[cfg(not(feature = "instructor"))]
        _ => Ok(json.to_owned()),
    }
}

/// [`checked_body`] for the routes only instructors call.
#[cfg(feature = "instructor")]
fn instructor_body(segments: &[&str], json: &str) -> Result<String, BodyError> {
    match segments {
        ["learners", _, "results"] => through::<types::ResultBody>("ResultBody", json),
        ["learners", _, "gradings"] => through::<types::GradingBody>("GradingBody", json),
        ["learners", _, "feedback-releases"] => {
            through::<types::FeedbackBody>("FeedbackBody", json)
        }
        ["learners", _, "overrides"] => through::<types::OverrideBody>("OverrideBody", json),
        ["learners", _, "plar-decisions"] => {
            through::<types::PlarDecisionBody>("PlarDecisionBody", json)
        }
        ["learners", _, "presented-credentials"] => {
            through::<types::PresentedBody>("PresentedBody", json)
        }
        ["learners", _, "expiries"] => through::<types::ExpiryBody>("ExpiryBody", json),
        ["imports"] => through::<types::ImportBody>("ImportBody", json),
        _ => Ok(json.to_owned()),
    }
}

/// What ended one try: an answer with its status, or no answer at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered.
    Status(u16),
    /// The request failed before any answer (offline, connection reset, DNS).
    NetworkError,
}

/// Whether a method may be sent twice without doing twice what it does.
fn is_idempotent(method: &str) -> bool {
    ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// The delay before retry number `retry` (0-based) after `outcome`, or `None` to stop.
/// Network errors and 5xx are retried for idempotent methods; a `POST` (which appends an
/// event: an attempt sent twice would count twice) only on 503, where the server says it
/// did nothing.
pub fn retry_delay_ms(method: &str, outcome: Outcome, retry: u32) -> Option<u32> {
    if retry >= MAX_RETRIES {
        return None;
    }
    let worth_retrying = match outcome {
        Outcome::Status(503) => true,
        Outcome::Status(status) if (500..600).contains(&status) => is_idempotent(method),
        Outcome::Status(_) => false,
        Outcome::NetworkError => is_idempotent(method),
    };
    worth_retrying.then(|| FIRST_DELAY_MS << retry)
}

/// A refusal read from an answer's body: the server's `ErrorBody` when it is one, else a
/// generic body naming the status (a proxy's HTML page, an empty 502).
pub fn error_body(status: u16, text: &str) -> types::ErrorBody {
    server_error_body(text).unwrap_or_else(|| types::ErrorBody {
        code: if status >= 500 {
            "server_error"
        } else {
            "http_error"
        }
        .to_owned(),
        message: format!("the server answered HTTP {status}"),
        details: serde_json::Value::Null,
    })
}

/// The server's `{code, message, details}`, other members ignored as `ErrorBody`'s derive
/// does. Read through `Value`, which the module has anyway: the derive's reader cost ~1 KB.
fn server_error_body(text: &str) -> Option<types::ErrorBody> {
    use serde_json::Value;
    let Ok(Value::Object(mut members)) = serde_json::from_str(text) else {
        return None;
    };
    // `take`, not `remove`: a map's removal code would cost more than the derive did.
    let mut take = |name: &str| members.get_mut(name).map(Value::take);
    let details = take("details")?;
    match (take("code")?, take("message")?) {
        (Value::String(code), Value::String(message)) => Some(types::ErrorBody {
            code,
            message,
            details,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_checked_by_its_routes_shared_type() {
        let ok = checked_body(
            "POST",
            "/api/me/plar-requests",
            r#"{"credential":"C1","method":"challenge_exam","competency":"K1","evidence":[{"url":"https://e.test/x"}]}"#,
        )
        .expect("a valid PLAR request");
        assert!(ok.contains("\"method\":\"challenge_exam\""), "{ok}");
        let unknown = checked_body(
            "POST",
            "/api/me/plar-requests",
            r#"{"credential":"C1","method":"challenge_exam","evidence":[],"extra":1}"#,
        );
        assert_eq!(unknown.map_err(|e| e.body), Err("PlarRequestBody"));
    }

    #[cfg(feature = "instructor")]
    #[test]
    fn an_instructors_body_is_checked_by_its_routes_shared_type() {
        let bad_score = checked_body(
            "POST",
            "/api/learners/s1/results",
            r#"{"assessment":"A1","score":"abc","assessor_type":"instructor"}"#,
        );
        assert_eq!(
            bad_score.map_err(|e| e.body),
            Err("ResultBody"),
            "the core's decimal parser refuses it, as the server would"
        );
        let import = checked_body("POST", "/api/imports", r#"{"columns":[]}"#);
        assert_eq!(
            import.map_err(|e| e.body),
            Err("ImportBody"),
            "csv is required"
        );
    }

    #[cfg(not(feature = "instructor"))]
    #[test]
    fn the_learners_module_passes_an_instructors_body_to_the_server() {
        let body = r#"{"assessment":"A1","score":"abc","assessor_type":"instructor"}"#;
        assert_eq!(
            checked_body("POST", "/api/learners/s1/results", body),
            Ok(body.to_owned())
        );
    }

    #[test]
    fn routes_without_a_shared_type_pass_their_body_on() {
        assert_eq!(
            checked_body("POST", "/api/definitions", "{\"x\":1}"),
            Ok("{\"x\":1}".to_owned())
        );
        assert_eq!(
            checked_body("PUT", "/api/me/enrolments", "{}"),
            Ok("{}".to_owned())
        );
    }

    #[test]
    fn retries_back_off_and_never_repeat_a_post_that_may_have_happened() {
        assert_eq!(retry_delay_ms("GET", Outcome::NetworkError, 0), Some(250));
        assert_eq!(retry_delay_ms("GET", Outcome::Status(502), 1), Some(500));
        assert_eq!(retry_delay_ms("GET", Outcome::Status(500), 2), Some(1000));
        assert_eq!(retry_delay_ms("GET", Outcome::Status(500), 3), None);
        assert_eq!(retry_delay_ms("GET", Outcome::Status(404), 0), None);
        assert_eq!(retry_delay_ms("POST", Outcome::Status(500), 0), None);
        assert_eq!(retry_delay_ms("POST", Outcome::NetworkError, 0), None);
        assert_eq!(retry_delay_ms("POST", Outcome::Status(503), 0), Some(250));
    }

    #[test]
    fn a_refusal_keeps_the_servers_code_or_names_the_status() {
        let body = error_body(
            409,
            r#"{"code":"attempt_limit_reached","message":"no attempt left","details":{"max":2}}"#,
        );
        assert_eq!(body.code, "attempt_limit_reached");
        assert_eq!(body.details["max"], 2);
        let extra = error_body(
            400,
            r#"{"code":"invalid_body","message":"m","details":null,"hint":"x"}"#,
        );
        assert_eq!(
            (extra.code.as_str(), extra.details),
            ("invalid_body", serde_json::Value::Null)
        );
        for not_ours in [
            r#"{"code":"c","message":"m"}"#,
            r#"{"code":1,"message":"m","details":null}"#,
            r#"["c","m",null]"#,
        ] {
            assert_eq!(error_body(400, not_ours).code, "http_error", "{not_ours}");
        }
        let proxy = error_body(502, "<html>bad gateway</html>");
        assert_eq!(proxy.code, "server_error");
        assert!(proxy.message.contains("502"));
    }
}
