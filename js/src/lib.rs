//! WebAssembly bindings of Cairn's pure core: a thin translator of types, no domain logic.
//! JSON text goes in (the core's canonical input), plain JS objects come out as JSON text
//! that the engine's own `JSON.parse` turns into objects (one string crosses the boundary,
//! not one call per member), and core errors become JS `Error`s whose `code` is the core's
//! stable code and whose `message` is the core's sentence.
//!
//! One casing: every object the binding returns keeps the core's serde names, which are
//! snake_case (`attempts_counted`, `kept_percent`, `issued_at`), as records, summaries,
//! findings and explanations always were; only the exported function and class names are
//! camelCase, as JavaScript expects. The TypeScript types of what this file returns are
//! written out in `types.rs` (exact numbers and instants are strings).
//!
//! Beside the core: `ApiClient` (`api_client.rs`, wasm32 only), the page's transport to the
//! server's JSON API, whose bodies and errors are the shared types of `cairn-api-types`
//! (`api_request.rs`). The credential verifier, canonicalizer and baker (`credential.rs`)
//! are behind the default feature `verifier`: the views' module is built without them. So is
//! the credential editor's CASE import and default badge (`editor.rs`): only the editor needs
//! them, and it loads the full module for them. What only instructor views call (`Roster`,
//! the editor's validation, the single-rule entry points) is behind `instructor`: the
//! learner's module has neither feature, so it carries the fold and the API client only.

#[cfg(target_arch = "wasm32")]
mod api_client;
pub mod api_request;
#[cfg(feature = "verifier")]
mod credential;
#[cfg(feature = "verifier")]
mod editor;
mod learner_body;
#[cfg(feature = "instructor")]
mod roster;
// The what-if's statuses belong to `Roster`, an instructor entry point.
#[cfg(feature = "instructor")]
mod statuses;
mod types;

use cairn::error::Error;
use serde::Deserialize;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A core error on its way to JavaScript: thrown as an `Error` with a `code` property.
#[derive(Debug)]
pub struct JsCoreError(pub Error);

impl From<Error> for JsCoreError {
    fn from(err: Error) -> Self {
        JsCoreError(err)
    }
}

impl From<JsCoreError> for JsValue {
    fn from(err: JsCoreError) -> JsValue {
        let js = js_sys::Error::new(&message(&err.0));
        // Setting a property on a fresh, extensible Error object cannot fail.
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str("code"), &err.0.code().into());
        js.into()
    }
}

/// The sentence of a core error, its `Display`. The learner's module (neither feature) only
/// reads definitions and events and folds them, so it never meets a credential, badge,
/// status, export or CASE error: naming the errors it can meet one by one, instead of
/// calling `Error`'s own `Display`, leaves the others' sentences (~5 KiB of wasm) out of it.
fn message(err: &Error) -> String {
    #[cfg(not(feature = "instructor"))]
    match err {
        // `Error`'s own words (the test below holds them equal).
        Error::Json { context, message } => format!("{context}: {message}"),
        Error::InvalidEvent { context, message } => format!("{context}: invalid event: {message}"),
        Error::Number(e) => e.to_string(),
        Error::Timestamp(e) => e.to_string(),
        Error::Definition(e) => e.to_string(),
        Error::Mastery(e) => e.to_string(),
        // Not produced by the learner's entry points; the code still says what it was.
        _ => format!("{} (see the error's code)", err.code()),
    }
    #[cfg(feature = "instructor")]
    err.to_string()
}

/// Serializes a result as a plain JS value (objects, arrays, strings, numbers, booleans):
/// written as JSON text by the core's serde names, then parsed by the engine's `JSON.parse`.
/// For a large result (a roster's summaries) this is several times faster than building the
/// objects member by member across the boundary, and it keeps one JSON writer in the module.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsCoreError> {
    let unwritable = |message: String| {
        JsCoreError(Error::Json {
            context: "the result for JavaScript",
            message,
        })
    };
    let json = serde_json::to_string(value).map_err(|e| unwritable(e.to_string()))?;
    // serde_json writes valid JSON, so the engine's parse does not fail on it; were it to,
    // the engine's exception is not formatted (its `Debug` brings a JS value printer into
    // the module and its glue).
    js_sys::JSON::parse(&json).map_err(|_| unwritable("JSON.parse refused it".to_owned()))
}

/// Reads JSON text into a core input type, naming what was read when it does not fit (the
/// learner's fold reads its definitions with it too).
fn from_json<'a, T: Deserialize<'a>>(context: &'static str, json: &'a str) -> Result<T, Error> {
    serde_json::from_str(json).map_err(|e| Error::json(context, e))
}

/// The version of this binding (and of the core it was built from).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Validates credential definitions: `definitionsJson` is a JSON array of definition objects
/// (the scenario `definitions` format; it may hold several versions of one definition).
/// Returns the validator's findings, an array of
/// `{ code, severity, ref, message }` (empty when there is nothing to fix). Throws an `Error`
/// with a `code` when the JSON cannot be read as definitions.
#[cfg(feature = "instructor")]
#[wasm_bindgen(js_name = validateDefinitions, unchecked_return_type = "Finding[]")]
pub fn validate_definitions(
    #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
) -> Result<JsValue, JsCoreError> {
    // Several versions of one definition may be given (REQ-LIFE-02): each is validated.
    let definitions = cairn::definition::parse_definitions(definitions_json)?;
    to_js(&cairn::definition::validate(&definitions))
}

#[wasm_bindgen(typescript_custom_section)]
const TS_FINDING: &str = r#"
/** A finding on a definition: a validator rule (README §10) or a field publishing needs. */
export interface Finding {
  /** The rule's stable code, e.g. `competency_not_assessed` or `publish_field_missing`. */
  code: string;
  /** `error` blocks publishing; `warning` does not. */
  severity: "error" | "warning";
  /** The id of the definition, competency or assessment concerned. */
  ref: string;
  /** A sentence saying what to change. */
  message: string;
}
"#;

/// What blocks publishing the definitions beyond the validator: `definitionsJson` is a JSON
/// array of definition objects. Returns, in definition order, a finding (code
/// `publish_field_missing`, severity `error`) per field a definition needs before it is
/// published: the B.C. Critical Information Summary's core fields, and at least one
/// competency for a micro-credential. A definition is ready to publish when neither this nor
/// [`validate_definitions`] has an `error`. Throws an `Error` with a `code` when the JSON cannot
/// be read as definitions.
#[cfg(feature = "instructor")]
#[wasm_bindgen(js_name = publishFindings, unchecked_return_type = "Finding[]")]
pub fn publish_findings(
    #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
) -> Result<JsValue, JsCoreError> {
    let definitions = cairn::definition::parse_definitions(definitions_json)?;
    let findings: Vec<cairn::definition::Finding> = definitions
        .iter()
        .flat_map(cairn::definition::publish_findings)
        .collect();
    to_js(&findings)
}

/// Reads the fold's three inputs and folds them.
fn fold_record(
    definitions_json: &str,
    events_json: &str,
    at: &str,
) -> Result<cairn::record::Record, JsCoreError> {
    // Several versions of one definition may be given: the learner's pinned one is folded.
    let definitions: Vec<cairn::definition::CredentialDefinition> =
        from_json("definitions", definitions_json)?;
    let events = cairn::event::parse_events(events_json)?;
    let at = cairn::Timestamp::parse(at).map_err(Error::from)?;
    Ok(cairn::record::fold(&definitions, &events, at).map_err(Error::from)?)
}

/// Folds a learner's events into their record as of `at`:
/// `record = fold(definitions, events, at)`. `definitionsJson` is a JSON array of definition
/// objects, `eventsJson` a JSON array of events (the scenario format), `at` an instant
/// `YYYY-MM-DDTHH:MM:SSZ` (events after it are ignored). Returns the record as a plain object:
/// `errors` (rejected events with their codes), `competencies`, `assessments`, `credentials`
/// (with an `explanation` tree each), `equivalencies` and `validation`; exact numbers are
/// strings. Throws an `Error` with a `code` when an input cannot be read.
#[wasm_bindgen(unchecked_return_type = "LearnerRecord")]
pub fn fold(
    #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
    #[wasm_bindgen(js_name = eventsJson)] events_json: &str,
    at: &str,
) -> Result<JsValue, JsCoreError> {
    to_js(&fold_record(definitions_json, events_json, at)?)
}

/// Same as [`fold`], returning the record serialized as JSON text, byte for byte what the
/// native core serializes (the test of native and wasm agreement).
#[wasm_bindgen(js_name = foldJson)]
pub fn fold_json(
    #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
    #[wasm_bindgen(js_name = eventsJson)] events_json: &str,
    at: &str,
) -> Result<String, JsCoreError> {
    let record = fold_record(definitions_json, events_json, at)?;
    serde_json::to_string(&record).map_err(|e| {
        JsCoreError(Error::Json {
            context: "the record",
            message: e.to_string(),
        })
    })
}

/// Evidence-row calculation (`spec/mastery.md` §2–3): `inputJson` is
/// `{ method, params, scale, evidence }`. Returns `{ value, exact, mastered, reason }` with
/// exact numbers as strings (`value` rounded half away from zero to 2 decimals). Throws an
/// `Error` with the method's code (`unknown_method`, `param_out_of_range`, …) when refused.
#[cfg(feature = "instructor")]
#[wasm_bindgen(unchecked_return_type = "CalculationOutcome")]
pub fn calculate(
    #[wasm_bindgen(js_name = inputJson)] input_json: &str,
) -> Result<JsValue, JsCoreError> {
    let input: cairn::mastery::CalculationInput = from_json("calculation input", input_json)?;
    let outcome = cairn::mastery::calculate_evidence(&input).map_err(Error::from)?;
    to_js(&outcome)
}

/// Parent-from-children roll-up (`spec/mastery.md` §4): `inputJson` is
/// `{ rule: { type: "all" } | { type: "points", base_points, children }, children: [{ id,
/// proficient }] }`. Returns `{ proficient, points }`. Throws an `Error` with code
/// `rule_config_invalid` for a rule that cannot be applied.
#[cfg(feature = "instructor")]
#[wasm_bindgen(unchecked_return_type = "RollupOutcome")]
pub fn rollup(
    #[wasm_bindgen(js_name = inputJson)] input_json: &str,
) -> Result<JsValue, JsCoreError> {
    let input: cairn::mastery::RollupInput = from_json("roll-up input", input_json)?;
    let outcome = cairn::mastery::rollup(&input.rule, &input.children).map_err(Error::from)?;
    to_js(&outcome)
}

/// Evaluates an award rule on given facts: `inputJson` is `{ rule, facts, at }` (README §4
/// grammar; facts as in the `criteria` vectors). Returns `{ satisfied, progress: { satisfied,
/// of }, explanation }`, the explanation being the tree of what is met and what is missing.
#[cfg(feature = "instructor")]
#[wasm_bindgen(js_name = evaluateCriteria, unchecked_return_type = "CriteriaOutcome")]
pub fn evaluate_criteria(
    #[wasm_bindgen(js_name = inputJson)] input_json: &str,
) -> Result<JsValue, JsCoreError> {
    let input: cairn::criteria::FactsInput = from_json("criteria input", input_json)?;
    to_js(&cairn::criteria::evaluate_facts(&input))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The learner's module writes some sentences itself (`message`); they are `Error`'s.
    #[test]
    fn an_error_reads_as_the_core_writes_it() {
        let errors = [
            Error::Json {
                context: "definitions",
                message: "expected value at line 1 column 1".into(),
            },
            Error::InvalidEvent {
                context: "events",
                message: "unknown field `x`".into(),
            },
            Error::from(cairn::Number::parse_decimal("1.2.3").unwrap_err()),
            Error::from(cairn::definition::DefinitionError::DuplicateId {
                kind: "competency",
                id: "C1".into(),
            }),
            Error::from(cairn::Timestamp::parse("yesterday").unwrap_err()),
            from_json::<Vec<cairn::definition::CredentialDefinition>>("definitions", "[{}]")
                .unwrap_err(),
        ];
        for err in errors {
            assert_eq!(message(&err), err.to_string());
        }
    }
}
