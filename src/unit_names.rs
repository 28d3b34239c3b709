//! Serde for the core's enums of unit variants (a `route`, an `assessor.type`, a `scoring`
//! rule, …), each written as its snake_case name. serde's derive reads each such enum with
//! its own copy of the reader for every JSON reader; [`unit_names!`] gives every enum the one
//! shared [`read`] (the web page's modules carry it once) with the derive's protocol and
//! messages: `deserialize_enum`, the name or the `{"name": null}` form, `unknown variant`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, VariantAccess, Visitor};

/// Reads a unit variant of the enum `name` whose variants are written `names`: its index in
/// `names`.
pub(crate) fn read<'de, D: Deserializer<'de>>(
    deserializer: D,
    name: &'static str,
    names: &'static [&'static str],
) -> Result<usize, D::Error> {
    deserializer.deserialize_enum(name, names, Names { name, names })
}

/// An enum's name and its variants' names: the visitor of the enum and the seed of its
/// variant's name.
#[derive(Clone, Copy)]
struct Names {
    name: &'static str,
    names: &'static [&'static str],
}

impl<'de> Visitor<'de> for Names {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "enum {}", self.name)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<usize, A::Error> {
        let (index, variant) = data.variant_seed(self)?;
        variant.unit_variant()?;
        Ok(index)
    }
}

impl<'de> DeserializeSeed<'de> for Names {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(Variant(self.names))
    }
}

/// The visitor of a variant's name (or index, as serde's derive accepts).
struct Variant(&'static [&'static str]);

impl Visitor<'_> for Variant {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        usize::try_from(v)
            .ok()
            .filter(|&i| i < self.0.len())
            .ok_or_else(|| {
                E::invalid_value(
                    de::Unexpected::Unsigned(v),
                    &format!("variant index 0 <= i < {}", self.0.len()).as_str(),
                )
            })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|n| *n == v)
            .ok_or_else(|| E::unknown_variant(v, self.0))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<usize, E> {
        self.visit_str(&String::from_utf8_lossy(v))
    }
}

/// `Serialize` and `Deserialize` for a `Copy` enum of unit variants, each written as the
/// given name: `unit_names!(Route { Course => "course", ChallengeExam => "challenge_exam" })`.
/// One list of names for both directions, so they cannot drift; the match is exhaustive, so a
/// new variant must be named.
macro_rules! unit_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let name = match self {
                    $($ty::$variant => $name,)+
                };
                serializer.serialize_unit_variant(stringify!($ty), *self as u32, name)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const NAMES: &[&str] = &[$($name),+];
                const VARIANTS: &[$ty] = &[$($ty::$variant),+];
                let index = $crate::unit_names::read(deserializer, stringify!($ty), NAMES)?;
                Ok(VARIANTS[index])
            }
        }

        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &[$ty] = &[$($ty::$variant),+];
        }
    };
}
pub(crate) use unit_names;

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    use crate::definition::{
        AlternativeKind, AssessmentKind, CreditType, GrantMode, LifecycleState, Mode, PlarMethod,
        RecommendedRoute, Rigour, Scoring,
    };
    use crate::event::{PlarRecommendation, PlarRole, Route};
    use crate::offering::{OfferingMode, OfferingStatus};
    use crate::provenance::{AssessorType, EvidenceType, SupervisionMode};

    /// Each variant is written as a snake_case string and read back as itself, in both forms
    /// serde's derive reads (`"name"` and `{"name": null}`).
    fn round_trips<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(all: &[T]) {
        for v in all {
            let json = serde_json::to_string(v).unwrap();
            let name = json.trim_matches('"');
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{json}"
            );
            assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), v);
            let map = format!("{{{json}: null}}");
            assert_eq!(&serde_json::from_str::<T>(&map).unwrap(), v);
            let value = serde_json::Value::String(name.to_owned());
            assert_eq!(&serde_json::from_value::<T>(value).unwrap(), v);
        }
    }

    #[test]
    fn every_unit_enum_round_trips_by_name() {
        round_trips(Route::ALL);
        round_trips(PlarRecommendation::ALL);
        round_trips(PlarRole::ALL);
        round_trips(AlternativeKind::ALL);
        round_trips(Rigour::ALL);
        round_trips(LifecycleState::ALL);
        round_trips(Mode::ALL);
        round_trips(AssessmentKind::ALL);
        round_trips(Scoring::ALL);
        round_trips(GrantMode::ALL);
        round_trips(PlarMethod::ALL);
        round_trips(CreditType::ALL);
        round_trips(RecommendedRoute::ALL);
        round_trips(AssessorType::ALL);
        round_trips(SupervisionMode::ALL);
        round_trips(EvidenceType::ALL);
        round_trips(OfferingMode::ALL);
        round_trips(OfferingStatus::ALL);
        assert_eq!(
            serde_json::to_string(&AssessorType::SelfAssessment).unwrap(),
            "\"self\""
        );
        assert_eq!(
            serde_json::to_string(&SupervisionMode::OnsiteWithId).unwrap(),
            "\"onsite_with_id\""
        );
    }

    #[test]
    fn an_unknown_name_or_a_value_is_refused_with_the_names() {
        let err = serde_json::from_str::<Scoring>("\"best\"")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "unknown variant `best`, expected one of `highest`, `latest`, `first`, `average`"
            ),
            "{err}"
        );
        assert!(serde_json::from_str::<Scoring>("3").is_err());
        let err = serde_json::from_value::<Scoring>(serde_json::json!(3))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid type: integer `3`"), "{err}");
        let err = serde_json::from_str::<Scoring>(r#"{"latest": 1}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid type"), "{err}");
    }
}
