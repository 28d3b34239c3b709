//! A learner's answer to an auto-scored item (the body of
//! `POST /api/me/item-sets/{assessment}/answers`). The item sets and their scoring are the
//! server's (`lti/src/api/scoring.rs`): the answer key never reaches a browser.

use std::fmt;

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A learner's answer to one item: a string or an array of strings.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    /// A choice id, a text or a decimal string.
    One(String),
    /// Choice ids (multiple choice).
    Many(Vec<String>),
}

/// Read by the JSON value's kind, as the derive of an untagged enum would, without serde's
/// buffering of the value (its `Content` reader is the page module's only use of it); a value
/// of another kind is refused with what an answer may be.
impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnswerVisitor;
        impl<'de> Visitor<'de> for AnswerVisitor {
            type Value = Answer;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an answer: a string, or an array of choice id strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Answer, E> {
                Ok(Answer::One(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Answer, E> {
                Ok(Answer::One(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Answer, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                Ok(Answer::Many(ids))
            }
        }
        deserializer.deserialize_any(AnswerVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_a_string_or_an_array_of_strings() {
        let read = |json: &str| serde_json::from_str::<Answer>(json);
        assert_eq!(read(r#""b""#).unwrap(), Answer::One("b".into()));
        assert_eq!(
            read(r#"["a", "c"]"#).unwrap(),
            Answer::Many(vec!["a".into(), "c".into()])
        );
        for (json, refusal) in [
            ("3", "invalid type: integer `3`, expected an answer"),
            ("{}", "invalid type: map, expected an answer"),
            (
                r#"["a", 1]"#,
                "invalid type: integer `1`, expected a string",
            ),
        ] {
            let message = read(json).unwrap_err().to_string();
            assert!(message.starts_with(refusal), "{json}: {message}");
        }
        // Written back as it was given.
        let many = Answer::Many(vec!["a".into()]);
        assert_eq!(serde_json::to_string(&many).unwrap(), r#"["a"]"#);
    }
}
