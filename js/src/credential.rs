//! WebAssembly bindings of the credential layer: verification of a credential given as JSON
//! text or baked into a PNG/SVG image (with the evaluation time and an optional status list
//! passed in), canonicalization for diagnostics, and baking/extraction. Signing is never
//! exposed here: the issuer key lives only on the server. A thin translator, no logic.
//!
//! Casing: every structure of the binding's own (the verify options, the report, the
//! canonicalize and extract results) is snake_case, like the records; enums are the core's
//! serde names (`open_badge`, `png`, `ob3`). The credential JSON-LD documents passed through
//! keep the spelling of the specifications (`credentialSubject`, `validFrom`, …).

use cairn::Timestamp;
use cairn::credential::verify::{RecipientClaim, VerifyMode, verify_image};
use cairn::credential::{VerifyOptions, bake, canonicalize, verify};
use cairn::error::Error;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::{JsCoreError, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** The options of `verifyCredential` / `verifyBadgeImage`, passed as JSON text (snake_case). */
export interface VerifyOptions {
    /** The evaluation time, `YYYY-MM-DDTHH:MM:SSZ` (the core reads no clock). */
    now: string;
    /** Which rules apply (default `auto`). */
    mode?: "auto" | "open_badge" | "proof_only";
    /** A `BitstringStatusListCredential` as JSON text, fetched by the page. */
    status_list?: string;
    /** Controller documents to trust. */
    controllers?: object[];
    /** Disable the `https…#z6Mk…` fragment key shortcut. */
    no_fragment_key?: boolean;
    /** A recipient claim to check against the subject (V13). */
    recipient?: { identity_type: string; value: string };
}
/** A finding: a stable code and a sentence. */
export interface Finding { code: string; message: string; }
/** One check of `spec/badges.md` §6. */
export interface Check {
    id: "V1" | "V2" | "V3" | "V4" | "V5" | "V6" | "V7" | "V8" | "V9" | "V10" | "V11" | "V12" | "V13" | "V14";
    name: string;
    outcome: "passed" | "failed" | "warned" | "skipped";
    code: string | null;
    reason: string;
}
/** The result of a verification: `verified` when no check failed. */
export interface VerificationReport {
    verified: boolean;
    mode: "open_badge" | "proof_only";
    checks: Check[];
    errors: Finding[];
    warnings: Finding[];
}
/** Canonical N-Quads of a JSON-LD document and their SHA-256 (hex). */
export interface CanonicalForm { nquads: string; hash: string; utf16_order_differs: boolean; }
/** The text baked into a badge image, and where it was found. */
export interface ExtractedCredential { image: "png" | "svg"; version: "ob3" | "ob2"; text: string; }
"#;

/// The options object of `verifyCredential` / `verifyBadgeImage` (JSON text).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsJson {
    /// Evaluation time, `YYYY-MM-DDTHH:MM:SSZ` (required: the core reads no clock).
    now: String,
    /// `auto` (default), `open_badge` or `proof_only`.
    #[serde(default)]
    mode: VerifyMode,
    /// A `BitstringStatusListCredential` as JSON text, fetched by the page.
    #[serde(default)]
    status_list: Option<String>,
    /// Controller documents to trust.
    #[serde(default)]
    controllers: Vec<serde_json::Value>,
    /// Disable the `https…#z6Mk…` fragment key shortcut.
    #[serde(default)]
    no_fragment_key: bool,
    /// `{identity_type, value}` to check against the subject.
    #[serde(default)]
    recipient: Option<RecipientJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientJson {
    identity_type: String,
    value: String,
}

fn run<F>(options_json: &str, f: F) -> Result<JsValue, JsCoreError>
where
    F: FnOnce(&VerifyOptions<'_>) -> cairn::credential::VerificationReport,
{
    let o: OptionsJson =
        serde_json::from_str(options_json).map_err(|e| Error::json("verify options", e))?;
    let now = Timestamp::parse(&o.now).map_err(Error::from)?;
    let options = VerifyOptions {
        mode: o.mode,
        status_list: o.status_list.as_deref(),
        controllers: o.controllers,
        no_fragment_key: o.no_fragment_key,
        recipient: o.recipient.map(|r| RecipientClaim {
            identity_type: r.identity_type,
            // NFC through the JS engine's own tables, as RecipientClaim asks of hosts.
            value: js_sys::JsString::from(r.value.as_str())
                .normalize("NFC")
                .as_string()
                .unwrap_or(r.value),
        }),
        ..VerifyOptions::at(now)
    };
    to_js(&f(&options))
}

/// Verifies an Open Badges 3.0 credential (`spec/badges.md` §6). `optionsJson` is
/// `{"now": "…Z", "status_list"?: "<json>", "mode"?, "controllers"?, "no_fragment_key"?,
/// "recipient"?: {"identity_type", "value"}}`. Returns the report `{verified, mode, checks,
/// errors, warnings}`; throws only for unreadable options.
#[wasm_bindgen(js_name = verifyCredential, unchecked_return_type = "VerificationReport")]
pub fn verify_credential(
    #[wasm_bindgen(js_name = credentialJson)] credential_json: &str,
    #[wasm_bindgen(js_name = optionsJson)] options_json: &str,
) -> Result<JsValue, JsCoreError> {
    run(options_json, |o| verify(credential_json, o))
}

/// Verifies the credential baked into a PNG or SVG badge image (bytes), with the same
/// options as `verifyCredential`.
#[wasm_bindgen(js_name = verifyBadgeImage, unchecked_return_type = "VerificationReport")]
pub fn verify_badge_image(
    image: &[u8],
    #[wasm_bindgen(js_name = optionsJson)] options_json: &str,
) -> Result<JsValue, JsCoreError> {
    run(options_json, |o| verify_image(image, o))
}

/// The canonical N-Quads and their SHA-256 (hex) of a JSON-LD document, for diagnostics.
#[wasm_bindgen(js_name = canonicalizeCredential, unchecked_return_type = "CanonicalForm")]
pub fn canonicalize_credential(
    #[wasm_bindgen(js_name = documentJson)] document_json: &str,
) -> Result<JsValue, JsCoreError> {
    #[derive(Serialize)]
    struct Out {
        nquads: String,
        hash: String,
        utf16_order_differs: bool,
    }
    let c = canonicalize(document_json).map_err(Error::from)?;
    to_js(&Out {
        hash: c.hash_hex(),
        nquads: c.nquads,
        utf16_order_differs: c.utf16_order_differs,
    })
}

/// Bakes a signed credential (JSON text) into a PNG or SVG image; returns the new image.
#[wasm_bindgen(js_name = bakeCredential)]
pub fn bake_credential(
    image: &[u8],
    #[wasm_bindgen(js_name = credentialJson)] credential_json: &str,
) -> Result<Vec<u8>, JsCoreError> {
    bake::bake(image, credential_json).map_err(|e| JsCoreError(Error::from(e)))
}

/// Extracts the baked text from a PNG or SVG image: `{image: "png"|"svg", version:
/// "ob3"|"ob2", text}`.
#[wasm_bindgen(js_name = extractCredential, unchecked_return_type = "ExtractedCredential")]
pub fn extract_credential(image: &[u8]) -> Result<JsValue, JsCoreError> {
    let x = bake::extract(image).map_err(|e| JsCoreError(Error::from(e)))?;
    to_js(&x)
}
