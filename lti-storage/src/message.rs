//! The platform-storage messages of `spec/lti.md` §3.4 (draft `lti-pm-s` v0.1), as plain data:
//! building a request and reading a reply. No browser here, so every rule is tested natively.

use serde_json::{Value, json};

/// What the page asks the platform's storage frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `lti.capabilities`: which subjects the platform supports.
    Capabilities,
    /// `lti.put_data`: store `value` under `key`.
    PutData {
        /// The key, e.g. `lti_state_<state>`.
        key: String,
        /// The value.
        value: String,
    },
    /// `lti.get_data`: read the value under `key`.
    GetData {
        /// The key.
        key: String,
    },
}

impl Request {
    /// The subject this request is sent with.
    pub fn subject(&self) -> &'static str {
        match self {
            Request::Capabilities => "lti.capabilities",
            Request::PutData { .. } => "lti.put_data",
            Request::GetData { .. } => "lti.get_data",
        }
    }

    /// The message posted to the platform, with its `message_id`.
    pub fn to_json(&self, message_id: &str) -> Value {
        let mut message = json!({ "subject": self.subject(), "message_id": message_id });
        match self {
            Request::Capabilities => {}
            Request::PutData { key, value } => {
                message["key"] = json!(key);
                message["value"] = json!(value);
            }
            Request::GetData { key } => message["key"] = json!(key),
        }
        message
    }
}

/// Why a reply is not the answer the page waited for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyError {
    /// Not a reply to this request: another subject or `message_id`. Keep waiting.
    NotOurs,
    /// The platform answered with `{error: {code, message}}`.
    Refused {
        /// The platform's error code.
        code: String,
        /// The platform's message.
        message: String,
    },
    /// A reply to this request without the member it must carry.
    Malformed(&'static str),
}

/// Reads a reply to `request` sent as `message_id`: the value for `get_data`, the list of
/// supported subjects for `capabilities`, nothing for `put_data`. Replies spelled
/// `org.imsglobal.lti.*` are accepted too (§3.4).
pub fn read_reply(request: &Request, message_id: &str, reply: &Value) -> Result<Reply, ReplyError> {
    let expected = format!("{}.response", request.subject());
    let subject = reply.get("subject").and_then(Value::as_str).unwrap_or("");
    let subject = subject.strip_prefix("org.imsglobal.").unwrap_or(subject);
    if subject != expected || reply.get("message_id").and_then(Value::as_str) != Some(message_id) {
        return Err(ReplyError::NotOurs);
    }
    if let Some(error) = reply.get("error") {
        let text = |name: &str| {
            error
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        return Err(ReplyError::Refused {
            code: text("code"),
            message: text("message"),
        });
    }
    match request {
        Request::PutData { .. } => Ok(Reply::Stored),
        Request::GetData { .. } => reply
            .get("value")
            .and_then(Value::as_str)
            .map(|value| Reply::Value(value.to_owned()))
            .ok_or(ReplyError::Malformed(
                "a get_data reply without a string value",
            )),
        Request::Capabilities => {
            let supported = reply
                .get("supported_messages")
                .and_then(Value::as_array)
                .ok_or(ReplyError::Malformed(
                    "a capabilities reply without supported_messages",
                ))?;
            let subjects = supported
                .iter()
                .filter_map(|entry| {
                    // Entries are `{subject, frame?}` objects; plain strings are read too.
                    entry
                        .get("subject")
                        .and_then(Value::as_str)
                        .or_else(|| entry.as_str())
                })
                .map(|s| s.strip_prefix("org.imsglobal.").unwrap_or(s).to_owned())
                .collect();
            Ok(Reply::Capabilities(subjects))
        }
    }
}

/// A reply that answers the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `put_data` succeeded.
    Stored,
    /// `get_data`'s value.
    Value(String),
    /// The subjects `capabilities` listed, without any `org.imsglobal.` prefix.
    Capabilities(Vec<String>),
}

/// Whether a capabilities list lets the page store and read data.
pub fn supports_storage(subjects: &[String]) -> bool {
    ["lti.put_data", "lti.get_data"]
        .iter()
        .all(|needed| subjects.iter().any(|s| s == needed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_subject_id_and_members() {
        let put = Request::PutData {
            key: "lti_state_abc".into(),
            value: "abc".into(),
        };
        assert_eq!(
            put.to_json("m1"),
            json!({"subject": "lti.put_data", "message_id": "m1", "key": "lti_state_abc", "value": "abc"})
        );
        assert_eq!(
            Request::GetData { key: "k".into() }.to_json("m2"),
            json!({"subject": "lti.get_data", "message_id": "m2", "key": "k"})
        );
        assert_eq!(
            Request::Capabilities.to_json("m3"),
            json!({"subject": "lti.capabilities", "message_id": "m3"})
        );
    }

    #[test]
    fn only_the_reply_with_our_subject_and_id_counts() {
        let get = Request::GetData { key: "k".into() };
        let reply = json!({"subject": "lti.get_data.response", "message_id": "m1", "key": "k", "value": "v"});
        assert_eq!(read_reply(&get, "m1", &reply), Ok(Reply::Value("v".into())));
        assert_eq!(read_reply(&get, "m2", &reply), Err(ReplyError::NotOurs));
        let other = json!({"subject": "lti.put_data.response", "message_id": "m1"});
        assert_eq!(read_reply(&get, "m1", &other), Err(ReplyError::NotOurs));
        let long = json!({"subject": "org.imsglobal.lti.get_data.response", "message_id": "m1", "value": "v"});
        assert_eq!(read_reply(&get, "m1", &long), Ok(Reply::Value("v".into())));
    }

    #[test]
    fn errors_and_missing_members_are_reported() {
        let get = Request::GetData { key: "k".into() };
        let refused = json!({"subject": "lti.get_data.response", "message_id": "m", "error": {"code": "unsupported_subject", "message": "no"}});
        assert_eq!(
            read_reply(&get, "m", &refused),
            Err(ReplyError::Refused {
                code: "unsupported_subject".into(),
                message: "no".into()
            })
        );
        let empty = json!({"subject": "lti.get_data.response", "message_id": "m"});
        assert!(matches!(
            read_reply(&get, "m", &empty),
            Err(ReplyError::Malformed(_))
        ));
    }

    #[test]
    fn capabilities_are_read_in_both_spellings() {
        let reply = json!({"subject": "lti.capabilities.response", "message_id": "c", "supported_messages": [
            {"subject": "lti.put_data", "frame": "post_message_forwarding"},
            {"subject": "org.imsglobal.lti.get_data"},
            "lti.capabilities"
        ]});
        let Ok(Reply::Capabilities(subjects)) = read_reply(&Request::Capabilities, "c", &reply)
        else {
            panic!("capabilities not read");
        };
        assert!(supports_storage(&subjects));
        assert!(!supports_storage(&subjects[..1]));
    }
}
