//! OpenAPI schemas for the core's enums that bodies carry (`AssessorType`,
//! `SupervisionMode`). The bodies use the core's own types, which know nothing of utoipa, so
//! each gets a schema-only stand-in whose values are read from the core's `ALL` and
//! `as_str`: the list of values lives once, in the core.

use std::borrow::Cow;

use cairn::provenance::{AssessorType, SupervisionMode};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema with `values`, described by `about`.
fn string_enum(values: impl IntoIterator<Item = &'static str>, about: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(about))
        .into()
}

/// The schema of the core's `AssessorType` (requirement ASSESS-09).
pub struct AssessorTypeSchema;

impl utoipa::PartialSchema for AssessorTypeSchema {
    fn schema() -> RefOr<Schema> {
        string_enum(
            AssessorType::ALL.iter().map(|t| t.as_str()),
            "Who assessed a result (requirement ASSESS-09).",
        )
    }
}

impl utoipa::ToSchema for AssessorTypeSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AssessorType")
    }
}

/// The schema of the core's `SupervisionMode` (requirement ASSESS-10).
pub struct SupervisionModeSchema;

impl utoipa::PartialSchema for SupervisionModeSchema {
    fn schema() -> RefOr<Schema> {
        string_enum(
            SupervisionMode::ALL.iter().map(|m| m.as_str()),
            "How a summative was supervised and the identity checked (requirement ASSESS-10).",
        )
    }
}

impl utoipa::ToSchema for SupervisionModeSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SupervisionMode")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    /// The schema lists exactly what the core's serde reads and writes.
    #[test]
    fn the_schemas_list_the_core_names() {
        for (schema, names) in [
            (
                AssessorTypeSchema::schema(),
                AssessorType::ALL
                    .iter()
                    .map(|t| serde_json::to_value(t).unwrap())
                    .collect::<Vec<_>>(),
            ),
            (
                SupervisionModeSchema::schema(),
                SupervisionMode::ALL
                    .iter()
                    .map(|m| serde_json::to_value(m).unwrap())
                    .collect::<Vec<_>>(),
            ),
        ] {
            let json = serde_json::to_value(&schema).unwrap();
            assert_eq!(json["type"], "string");
            assert_eq!(json["enum"], serde_json::Value::Array(names));
        }
    }
}
