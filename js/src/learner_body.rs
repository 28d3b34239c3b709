//! One reader that checks every learner body (`POST /api/me/…`) before the API client sends
//! it: a body type's member names and which are required come from its own `read_object!`
//! lists (`READ_NAMES`, `READ_MEMBERS` of `cairn-api-types`), and a member's value is read
//! with the type its field has (the test below builds every body from these types, so a
//! field that changes type or is added stops it compiling). Reading each body with its own
//! type gave each one its own member reader, object wrapper, drop and `from_str` in the
//! learner's module; this one reader accepts and refuses the same texts with the same
//! messages (the test compares them with the types' own readers).

use std::fmt;

use cairn::SortedMap;
use cairn::definition::PlarMethod;
use cairn::definition::read::{duplicate, next_member};
use cairn::event::Route;
use cairn::ids::{AssessmentId, CompetencyId, DefinitionId, EquivalencyId};
use cairn::offering::Offering;
use cairn::provenance::EvidenceType;
use cairn_api_types as types;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// A learner body type: its name and its members, as its `read_object!` reads them.
#[derive(Clone, Copy, Debug)]
pub struct LearnerBody {
    /// The type's name, e.g. `PlarRequestBody`.
    pub name: &'static str,
    names: &'static [&'static str],
    members: &'static [(&'static str, bool)],
}

macro_rules! learner_body {
    ($ty:ident) => {
        LearnerBody {
            name: stringify!($ty),
            names: types::$ty::READ_NAMES,
            members: types::$ty::READ_MEMBERS,
        }
    };
}

/// `EnrolBody`.
pub const ENROL: LearnerBody = learner_body!(EnrolBody);
/// `WithdrawalBody`.
pub const WITHDRAWAL: LearnerBody = learner_body!(WithdrawalBody);
/// `ApplicationBody`.
pub const APPLICATION: LearnerBody = learner_body!(ApplicationBody);
/// `EquivalencyBody`.
pub const EQUIVALENCY: LearnerBody = learner_body!(EquivalencyBody);
/// `PlarRequestBody`.
pub const PLAR_REQUEST: LearnerBody = learner_body!(PlarRequestBody);
/// `SubmissionBody`.
pub const SUBMISSION: LearnerBody = learner_body!(SubmissionBody);
/// `AnswersBody`.
pub const ANSWERS: LearnerBody = learner_body!(AnswersBody);

/// Whether `json` reads as `body`: serde_json's error (with its position) when it does not.
pub fn check(body: LearnerBody, json: &str) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    Reader(body).deserialize(&mut deserializer)?;
    // What `serde_json::from_str` checks after the value: only whitespace follows.
    deserializer.end()
}

/// Reads the value of the member `name` with its field's type (every learner body gives a
/// name one type), and drops it.
fn read_value<'de, A: MapAccess<'de>>(map: &mut A, name: &str) -> Result<(), A::Error> {
    fn take<'de, A: MapAccess<'de>, T: Deserialize<'de>>(map: &mut A) -> Result<(), A::Error> {
        map.next_value::<T>().map(drop)
    }
    match name {
        "credential" => take::<A, DefinitionId>(map),
        "offering" => take::<A, Option<Offering>>(map),
        "reason" | "statement" => take::<A, Option<String>>(map),
        "equivalency" => take::<A, EquivalencyId>(map),
        "method" => take::<A, PlarMethod>(map),
        "competency" => take::<A, Option<CompetencyId>>(map),
        "component" => take::<A, Option<DefinitionId>>(map),
        "evidence" => take::<A, Vec<types::EvidenceRef>>(map),
        "assessment" => take::<A, AssessmentId>(map),
        "evidence_type" => take::<A, Option<EvidenceType>>(map),
        "route" => take::<A, Route>(map),
        "answers" => take::<A, SortedMap<String, types::Answer>>(map),
        // A member a body gained without a reader here: the test below fails first.
        _ => Err(de::Error::custom(format_args!(
            "no reader for the member `{name}`"
        ))),
    }
}

/// The visitor and seed of one body: `read_object!`'s protocol (member names by
/// `next_member`, a member given twice refused before its value is read, then the first
/// required member absent, in the type's order) and messages.
struct Reader(LearnerBody);

impl<'de> DeserializeSeed<'de> for Reader {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Reader {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.0.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let body = self.0;
        // A body has a handful of members: one bit each.
        let mut seen: u32 = 0;
        while let Some(index) = next_member(&mut map, body.names)? {
            if seen & (1 << index) != 0 {
                return Err(duplicate(body.names[index]));
            }
            seen |= 1 << index;
            read_value(&mut map, body.names[index])?;
        }
        let absent = body
            .members
            .iter()
            .enumerate()
            .find(|&(i, &(_, required))| required && seen & (1 << i) == 0);
        match absent {
            Some((_, &(name, _))) => Err(de::Error::missing_field(name)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every learner body built from the types `read_value` reads its members with: a field
    /// that changes type, or a new one, stops this compiling.
    #[allow(dead_code, clippy::too_many_arguments)]
    fn the_readers_types_are_the_fields_types(
        credential: DefinitionId,
        offering: Option<Offering>,
        text: Option<String>,
        equivalency: EquivalencyId,
        method: PlarMethod,
        competency: Option<CompetencyId>,
        component: Option<DefinitionId>,
        evidence: Vec<types::EvidenceRef>,
        assessment: AssessmentId,
        evidence_type: Option<EvidenceType>,
        route: Route,
        answers: SortedMap<String, types::Answer>,
    ) {
        let _ = types::EnrolBody {
            credential: credential.clone(),
            offering,
        };
        let _ = types::WithdrawalBody {
            credential: credential.clone(),
            reason: text.clone(),
        };
        let _ = types::ApplicationBody {
            credential: credential.clone(),
        };
        let _ = types::EquivalencyBody { equivalency };
        let _ = types::PlarRequestBody {
            credential,
            method,
            competency,
            component,
            evidence: evidence.clone(),
            statement: text,
        };
        let _ = types::SubmissionBody {
            assessment,
            evidence,
            evidence_type,
            route,
        };
        let _ = types::AnswersBody { answers, route };
    }

    /// What the body's own type says of `json`: `Ok`, or its reader's message.
    type Own = fn(&str) -> Result<(), String>;

    fn own<T: serde::de::DeserializeOwned>(json: &str) -> Result<(), String> {
        serde_json::from_str::<T>(json)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Each body with its own reader and a text it accepts.
    fn bodies() -> [(LearnerBody, Own, &'static str); 7] {
        [
            (
                ENROL,
                own::<types::EnrolBody>,
                r#"{"credential": "C1", "offering": null}"#,
            ),
            (
                WITHDRAWAL,
                own::<types::WithdrawalBody>,
                r#"{"credential": "C1", "reason": "moving"}"#,
            ),
            (
                APPLICATION,
                own::<types::ApplicationBody>,
                r#"{"credential": "C1"}"#,
            ),
            (
                EQUIVALENCY,
                own::<types::EquivalencyBody>,
                r#"{"equivalency": "E1"}"#,
            ),
            (
                PLAR_REQUEST,
                own::<types::PlarRequestBody>,
                r#"{"credential": "C1", "method": "challenge_exam", "competency": "K1", "component": null, "evidence": [{"url": "https://e.test/x"}], "statement": "s"}"#,
            ),
            (
                SUBMISSION,
                own::<types::SubmissionBody>,
                r#"{"assessment": "A1", "evidence": [{"file": "ab12"}], "evidence_type": "written", "route": "course"}"#,
            ),
            (
                ANSWERS,
                own::<types::AnswersBody>,
                r#"{"answers": {"q1": "b", "q2": ["a", "c"], "q1": "c"}, "route": "challenge_exam"}"#,
            ),
        ]
    }

    /// Texts around `valid`: every member absent, given twice, or replaced by a value of
    /// each JSON kind; members unknown; other kinds of value for the whole body; trailing text.
    fn variants(body: LearnerBody, valid: &str) -> Vec<String> {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(valid).unwrap();
        let mut texts = vec![
            valid.to_owned(),
            format!("{valid} x"),
            format!("  {valid}  "),
            valid.replacen('{', r#"{"extra": 1, "#, 1),
            "{}".to_owned(),
            "[]".to_owned(),
            "null".to_owned(),
            "\"C1\"".to_owned(),
            "{".to_owned(),
            String::new(),
        ];
        let values = [
            "null",
            "1",
            "-2.5",
            "true",
            "\"x\"",
            "\"challenge_exam\"",
            "[]",
            "[\"a\"]",
            "[{\"url\": \"u\"}]",
            "[{\"url\": \"u\", \"file\": \"f\"}]",
            "{}",
            "{\"q\": 1}",
            "{\"starts_at\": 1}",
        ];
        for &name in body.names {
            let without: Vec<String> = object
                .iter()
                .filter(|(k, _)| k.as_str() != name)
                .map(|(k, v)| format!("{}: {v}", serde_json::Value::from(k.as_str())))
                .collect();
            texts.push(format!("{{{}}}", without.join(", ")));
            // Given twice (once more before the valid text's own, when it has one).
            texts.push(valid.replacen('{', &format!("{{\"{name}\": null, "), 1));
            for value in values {
                let mut members = without.clone();
                members.push(format!("\"{name}\": {value}"));
                texts.push(format!("{{{}}}", members.join(", ")));
                members.insert(0, format!("\"{name}\": {value}"));
                texts.push(format!("{{{}}}", members.join(", ")));
            }
        }
        texts
    }

    #[test]
    fn the_one_reader_accepts_and_refuses_what_each_bodys_type_does() {
        let mut compared = 0;
        for (body, own, valid) in bodies() {
            assert_eq!(own(valid), Ok(()), "{}: {valid}", body.name);
            for text in variants(body, valid) {
                let one = check(body, &text).map_err(|e| e.to_string());
                assert_eq!(one, own(&text), "{}: {text}", body.name);
                compared += 1;
            }
        }
        assert!(compared > 300, "{compared}");
    }

    #[test]
    fn every_member_of_a_learner_body_has_a_reader() {
        for (body, _, _) in bodies() {
            assert_eq!(body.names.len(), body.members.len());
            for &name in body.names {
                let text = format!("{{\"{name}\": 1}}");
                let message = check(body, &text).unwrap_err().to_string();
                assert!(!message.contains("no reader"), "{}: {message}", body.name);
            }
        }
    }
}
