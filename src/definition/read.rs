//! The reader of a definition's JSON objects (README §3) and of the API's request bodies
//! (`cairn-api-types`): [`read_object!`](crate::read_object) gives a struct a `Deserialize`
//! that reads its members in one pass over serde's `MapAccess`, a slot per member, with one
//! shared reader of member names ([`next_member`]). Serde's derive gave every type its own
//! name reader (by string, bytes and index) and a second reader of the whole type as a JSON
//! array, each copied for every JSON reader: the definition readers were the largest part of
//! the learner page's module. The accepted objects and the messages are the derive's:
//! `unknown field` (with the members the object takes), `missing field`, `duplicate field`,
//! `invalid type: …, expected struct Name`. One input the derive also took is refused: a
//! struct written as a JSON array of its members' values, which no format of Cairn writes.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// The index in `members` of the next member's name, `None` after the last member. A name
/// not in `members` is an `unknown field`.
pub fn next_member<'de, A: MapAccess<'de>>(
    map: &mut A,
    members: &'static [&'static str],
) -> Result<Option<usize>, A::Error> {
    map.next_key_seed(Name(members))
}

/// The error of a member given twice.
#[cold]
pub fn duplicate<E: de::Error>(member: &'static str) -> E {
    E::duplicate_field(member)
}

/// The member names of one object: the seed and visitor of a member's name.
#[derive(Clone, Copy)]
struct Name(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Name {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Name {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|n| *n == v)
            .ok_or_else(|| E::unknown_field(v, self.0))
    }
}

/// The one member of an object written `{"name": value}` (an enum of newtype variants, such
/// as `Validity` or the API's evidence references): the index of its name in `names` and its
/// value. No member, or a second one, is an `invalid length` naming `expected`. Serde's derive
/// of such an enum copied its variant readers for every JSON reader.
pub fn one_member<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    names: &'static [&'static str],
    expected: &dyn de::Expected,
) -> Result<(usize, T), A::Error> {
    let Some(index) = next_member(map, names)? else {
        return Err(de::Error::invalid_length(0, expected));
    };
    let value = map.next_value()?;
    if next_member(map, names)?.is_some() {
        return Err(de::Error::invalid_length(2, expected));
    }
    Ok((index, value))
}

/// `{"days": n}` or `{"months": n}`.
impl<'de> de::Deserialize<'de> for super::Validity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ValidityVisitor)
    }
}

struct ValidityVisitor;

impl<'de> Visitor<'de> for ValidityVisitor {
    type Value = super::Validity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("one member, such as {\"days\": 365} or {\"months\": 12}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (unit, n) = one_member(&mut map, &["days", "months"], &self)?;
        Ok(if unit == 0 {
            super::Validity::Days(n)
        } else {
            super::Validity::Months(n)
        })
    }
}

/// Implements `Deserialize` for the struct `$ty` from a JSON object of its members, in the
/// struct's order: `member` is required, `member = default` takes `default` when absent
/// (`default()` is the type's `Default`, serde's `#[serde(default)]`; an `Option` member
/// the derive did not mark takes `None`),
/// `member as "name"` is written `name`. Every member has a slot of its own type (`Option<T>`
/// for a required one; a defaulted one starts as its default, computed before reading) and
/// is read with that type's own reader; at most 64 members. The invoking crate depends on
/// `serde`.
#[macro_export]
macro_rules! read_object {
    ($ty:ident { $($member:ident $(as $name:literal)? $(= $default:expr)?),* $(,)? }) => {
        impl $ty {
            /// The JSON name of each member this type reads, and whether it is required (the
            /// list a schema of the type must agree with).
            #[doc(hidden)]
            #[allow(dead_code)]
            pub const READ_MEMBERS: &'static [(&'static str, bool)] = &[$((
                $crate::__read_object_member_name!($member $(, $name)?),
                $crate::__read_object_required!($($default)?),
            )),*];

            /// The JSON name of each member this type reads, in its order (the list an
            /// `unknown field` message names).
            #[doc(hidden)]
            #[allow(dead_code)]
            pub const READ_NAMES: &'static [&'static str] =
                &[$($crate::__read_object_member_name!($member $(, $name)?)),*];
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const MEMBERS: &[&str] = $ty::READ_NAMES;
                struct ObjectVisitor;
                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($ty)))
                    }

                    #[allow(unused_assignments, unused_imports)]
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$ty, A::Error> {
                        use $crate::definition::read::default;
                        // A member with a default starts as it, a required one as `None`;
                        // `seen` has a bit per member given (a second one is a duplicate,
                        // a required one without it is missing).
                        $(let mut $member = $crate::__read_object_slot!($($default)?);)*
                        let mut seen: u64 = 0;
                        // Every failure leaves the loop with its error, so the members read
                        // so far are dropped at one place: a return at each failure dropped
                        // them at each one.
                        let mut failure: Option<A::Error> = None;
                        loop {
                            let index =
                                match $crate::definition::read::next_member(&mut map, MEMBERS) {
                                    Ok(Some(index)) => index,
                                    Ok(None) => break,
                                    Err(error) => {
                                        failure = Some(error);
                                        break;
                                    }
                                };
                            let mut slot = 0usize;
                            $(
                                if index == slot {
                                    if seen & (1 << slot) != 0 {
                                        failure = Some($crate::definition::read::duplicate(MEMBERS[slot]));
                                        break;
                                    }
                                    seen |= 1 << slot;
                                    match map.next_value() {
                                        Ok(value) => $crate::__read_object_set!($member, value $(, $default)?),
                                        Err(error) => {
                                            failure = Some(error);
                                            break;
                                        }
                                    }
                                }
                                slot += 1;
                            )*
                        }
                        // The first required member that is absent, found before any
                        // member is moved out: a failure between two moves made the
                        // compiler drop the remaining members at each one.
                        let mut slot = 0usize;
                        $(
                            if failure.is_none()
                                && $crate::__read_object_required!($($default)?)
                                && seen & (1 << slot) == 0
                            {
                                failure = Some(serde::de::Error::missing_field(MEMBERS[slot]));
                            }
                            slot += 1;
                        )*
                        if let Some(error) = failure {
                            return Err(error);
                        }
                        Ok($ty {
                            $($member: $crate::__read_object_take!($member $(, $default)?),)*
                        })
                    }
                }
                // One bit per member in `seen`.
                const _: () = assert!(MEMBERS.len() <= 64);
                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    };
}

/// The value of a required member found absent when the object is built: never reached, as
/// its absence is refused before. One panic site for every member of every type (an
/// `unreachable!` at each was a panic call and a location per member).
#[cold]
#[inline(never)]
pub fn absent() -> ! {
    unreachable!("a required member's absence is refused before the object is built")
}

/// The default of an absent member marked `= default()`.
pub fn default<T: Default>() -> T {
    T::default()
}

/// A member's JSON name: its own, or the one `as` gives.
#[doc(hidden)]
#[macro_export]
macro_rules! __read_object_member_name {
    ($member:ident) => {
        stringify!($member)
    };
    ($member:ident, $name:literal) => {
        $name
    };
}

/// Whether a member without a default is required: it is.
#[doc(hidden)]
#[macro_export]
macro_rules! __read_object_required {
    () => {
        true
    };
    ($default:expr) => {
        false
    };
}

/// A member's slot before it is read: `None` for a required member, else its default.
#[doc(hidden)]
#[macro_export]
macro_rules! __read_object_slot {
    () => {
        None
    };
    ($default:expr) => {
        $default
    };
}

/// Puts a member's value read into its slot.
#[doc(hidden)]
#[macro_export]
macro_rules! __read_object_set {
    ($member:ident, $value:ident) => {
        $member = Some($value)
    };
    ($member:ident, $value:ident, $default:expr) => {
        $member = $value
    };
}

/// A member's value for the object: a required one was found present before.
#[doc(hidden)]
#[macro_export]
macro_rules! __read_object_take {
    ($member:ident) => {
        match $member {
            Some(value) => value,
            None => $crate::definition::read::absent(),
        }
    };
    ($member:ident, $default:expr) => {
        $member
    };
}

#[cfg(test)]
mod tests {
    use super::super::{AttemptPolicy, CreditBankEntry, CreditType, Part, Scoring, Validity};

    fn error<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        serde_json::from_str::<T>(json).unwrap_err().to_string()
    }

    #[test]
    fn members_are_read_into_their_slots_in_any_order() {
        let part: Part =
            serde_json::from_str(r#"{"max_points": "4", "competency": "C1", "id": "K1"}"#).unwrap();
        assert_eq!((part.id.as_str(), part.competency.as_str()), ("K1", "C1"));
        assert_eq!(part.max_points.to_exact_string(), "4");
        // The same reader over serde_json's `Value`.
        let again: Part = serde_json::from_value(
            serde_json::json!({"id": "K1", "competency": "C1", "max_points": 4}),
        )
        .unwrap();
        assert_eq!(again, part);
    }

    #[test]
    fn an_unknown_member_is_refused_with_the_members_the_object_takes() {
        let message =
            error::<Part>(r#"{"id": "K1", "competency": "C1", "max_points": "4", "points": "4"}"#);
        assert!(
            message.starts_with(
                "unknown field `points`, expected one of `id`, `competency`, `max_points`"
            ),
            "{message}"
        );
        let message = serde_json::from_value::<Part>(serde_json::json!({"idd": "K1"}))
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("unknown field `idd`"), "{message}");
    }

    #[test]
    fn a_missing_or_repeated_member_is_named() {
        let message = error::<Part>(r#"{"id": "K1", "max_points": "4"}"#);
        assert!(
            message.starts_with("missing field `competency`"),
            "{message}"
        );
        let message =
            error::<Part>(r#"{"id": "K1", "id": "K2", "competency": "C1", "max_points": "4"}"#);
        assert!(message.starts_with("duplicate field `id`"), "{message}");
        // A member's own error is its reader's, at its place in the text.
        let message = error::<Part>(r#"{"id": "K1", "competency": "C1", "max_points": 4.5}"#);
        assert!(message.contains("line 1 column"), "{message}");
    }

    #[test]
    fn an_attempt_policy_needs_every_key_null_included() {
        let policy: AttemptPolicy = serde_json::from_str(
            r#"{"max_attempts": null, "scoring": "latest", "feedback_required_before_retry": false, "min_days_between_attempts": 2, "retry_after_pass": true, "resit_cap_percent": null}"#,
        )
        .unwrap();
        assert_eq!(policy.max_attempts, None);
        assert_eq!(policy.resit_cap_percent, None);
        assert_eq!(policy.scoring, Scoring::Latest);
        // README §3.3: all keys are required when the object is given; an omitted
        // `max_attempts` must not read as unlimited.
        let message = error::<AttemptPolicy>(
            r#"{"scoring": "latest", "feedback_required_before_retry": false, "min_days_between_attempts": 2, "retry_after_pass": true, "resit_cap_percent": null}"#,
        );
        assert!(
            message.starts_with("missing field `max_attempts`"),
            "{message}"
        );
        let message = error::<AttemptPolicy>(r#"{"max_attempts": 2}"#);
        assert!(message.starts_with("missing field `scoring`"), "{message}");
    }

    #[test]
    fn a_renamed_member_is_read_by_its_json_name_only() {
        let entry = r#"{"id": "e", "provider": "p", "program": "q", "curriculum_version": "1", "credits": "3", "type": "block"}"#;
        let read: CreditBankEntry = serde_json::from_str(entry).unwrap();
        assert_eq!(read.kind, CreditType::Block);
        assert!(read.competencies.is_empty() && read.agreement.is_none());
        let message = error::<CreditBankEntry>(&entry.replace("\"type\"", "\"kind\""));
        assert!(message.starts_with("unknown field `kind`"), "{message}");
    }

    #[test]
    fn only_an_object_is_read() {
        let message = error::<Part>(r#"["K1", "C1", "4"]"#);
        assert!(
            message.starts_with("invalid type: sequence, expected struct Part"),
            "{message}"
        );
        let message = error::<Part>("null");
        assert!(
            message.starts_with("invalid type: null, expected struct Part"),
            "{message}"
        );
    }

    #[test]
    fn a_validity_is_one_unit_and_its_count() {
        let days: Validity = serde_json::from_str(r#"{"days": 365}"#).unwrap();
        assert_eq!(days, Validity::Days(365));
        let months: Validity = serde_json::from_value(serde_json::json!({"months": 12})).unwrap();
        assert_eq!(months, Validity::Months(12));
        assert_eq!(serde_json::to_string(&days).unwrap(), r#"{"days":365}"#);
        let message = error::<Validity>(r#"{"weeks": 2}"#);
        assert!(
            message.starts_with("unknown field `weeks`, expected `days` or `months`"),
            "{message}"
        );
        let message = error::<Validity>(r#"{"days": 1, "months": 2}"#);
        assert!(
            message.starts_with("invalid length 2, expected one member"),
            "{message}"
        );
        let message = error::<Validity>("{}");
        assert!(
            message.starts_with("invalid length 0, expected one member"),
            "{message}"
        );
        assert!(error::<Validity>(r#"{"days": -1}"#).contains("line 1 column"));
        let message = error::<Validity>(r#""days""#);
        assert!(
            message.starts_with("invalid type: string \"days\""),
            "{message}"
        );
    }
}
