//! The reader of a definition's JSON objects (README §3): [`read_object!`] gives a type a
//! `Deserialize` that reads its members in one pass over serde's `MapAccess`, a slot per
//! member, with one shared reader of member names ([`next_member`]). Serde's derive gave
//! every type its own name reader (three of them: by string, bytes and index) and a second
//! reader of the whole type as a JSON array, each copied for every JSON reader; the definition
//! readers were the largest part of the learner page's module. The accepted objects and the
//! messages are the derive's: `unknown field` (with the members the object takes),
//! `missing field`, `duplicate field`, `invalid type: …, expected struct Name`. One input the
//! derive also took is refused: a struct written as a JSON array of its members' values,
//! which README §3 never writes.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// The index in `members` of the next member's name, `None` after the last member. A name
/// not in `members` is an `unknown field`; a name given twice (bit `i` of `seen`) is a
/// `duplicate field`.
pub(crate) fn next_member<'de, A: MapAccess<'de>>(
    map: &mut A,
    members: &'static [&'static str],
    seen: &mut u64,
) -> Result<Option<usize>, A::Error> {
    let Some(index) = map.next_key_seed(Name(members))? else {
        return Ok(None);
    };
    let bit = 1u64 << index;
    if *seen & bit != 0 {
        return Err(de::Error::duplicate_field(members[index]));
    }
    *seen |= bit;
    Ok(Some(index))
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

/// Implements `Deserialize` for the struct `$ty` from a JSON object of its members, in the
/// struct's order: `member` is required, `member = default` takes `default` when absent
/// (`default()` is the type's `Default`, serde's `#[serde(default)]`; an `Option` member
/// the derive did not mark takes `None`),
/// `member as "name"` is written `name`. Every member has a slot `Option<T>` of its own type
/// and is read with that type's own reader. At most 64 members.
macro_rules! read_object {
    ($ty:ident { $($member:ident $(as $name:literal)? $(= $default:expr)?),* $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const MEMBERS: &[&str] = &[$($crate::definition::read::member_name!($member $(, $name)?)),*];
                const _: () = assert!(MEMBERS.len() <= 64);
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
                        $(let mut $member = None;)*
                        let mut seen = 0;
                        while let Some(index) =
                            $crate::definition::read::next_member(&mut map, MEMBERS, &mut seen)?
                        {
                            let mut slot = 0usize;
                            $(
                                if index == slot {
                                    $member = Some(map.next_value()?);
                                }
                                slot += 1;
                            )*
                        }
                        Ok($ty {
                            $($member: match $member {
                                Some(value) => value,
                                None => $crate::definition::read::absent!(
                                    $crate::definition::read::member_name!($member $(, $name)?)
                                    $(, $default)?
                                ),
                            },)*
                        })
                    }
                }
                deserializer.deserialize_struct(stringify!($ty), MEMBERS, ObjectVisitor)
            }
        }
    };
}

/// The default of an absent member marked `= default()`.
pub(crate) fn default<T: Default>() -> T {
    T::default()
}

/// A member's JSON name: its own, or the one `as` gives.
macro_rules! member_name {
    ($member:ident) => {
        stringify!($member)
    };
    ($member:ident, $name:literal) => {
        $name
    };
}

/// The value of an absent member: its default, else a `missing field` error.
macro_rules! absent {
    ($name:expr) => {
        return Err(serde::de::Error::missing_field($name))
    };
    ($name:expr, $default:expr) => {
        $default
    };
}

pub(crate) use {absent, member_name, read_object};
