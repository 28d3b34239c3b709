//! Verification of Open Badges 3.0 credentials as `spec/badges.md` §6 defines it: checks
//! V1–V14 in that order, each reported with its outcome, stable code and a plain-language
//! reason, plus the `{verified, errors, warnings}` summary the JS oracle prints. The
//! evaluation time, status list, controller documents and recipient claim are arguments:
//! nothing is fetched, no clock is read. Never panics on any input text.

use serde::Serialize;
use serde_json::{Map, Value};

use super::canon::{
    Canonical, MAX_CREDENTIAL_BYTES, canonicalize_value, canonicalize_without, hex, sha256,
};
use super::contexts::{CLR_V2P0_2_0_1, VC_V2};
use super::error::CredentialError;
use super::jsonld::ContextSet;
use super::keys::{self, KeyResolution, KeySource, ResolvedKey};
use super::proof::{
    CRYPTOSUITE, Finding, HashData, PROOF_PURPOSE, PROOF_TYPE, decode_proof_value, proof_config,
};
use super::status;
use crate::time::Timestamp;

/// Which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VerifyMode {
    /// `open_badge` when `type` names an OB, endorsement or CLR credential, else `proof_only`.
    #[default]
    Auto,
    /// Every check of §6 (contexts, shape, key controller = issuer, dates, status, …).
    OpenBadge,
    /// Signature and `assertionMethod` authorisation only (generic VCs such as the W3C
    /// vector, whose issuer is not the key controller by design).
    ProofOnly,
}

/// A recipient claim to check against `credentialSubject` (V13, §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientClaim {
    /// `emailAddress`, `ltiUserId`, `name`, … or `id` to compare with `credentialSubject.id`.
    pub identity_type: String,
    /// The claimed value, NFC-normalised by the host (the server with
    /// [`crate::credential::build::normalized_email`], the page with JavaScript's built-in
    /// `String.prototype.normalize("NFC")`, which keeps Unicode tables out of the wasm
    /// bundle). An email is then trimmed and lowercased before hashing, as at issuance.
    pub value: String,
}

/// The inputs of a verification besides the credential.
#[derive(Debug, Clone)]
pub struct VerifyOptions<'a> {
    /// The evaluation time (V12).
    pub now: Timestamp,
    /// Which rules apply.
    pub mode: VerifyMode,
    /// A `BitstringStatusListCredential` (JSON text) the host fetched from the entry's URL.
    pub status_list: Option<&'a str>,
    /// Controller documents the host trusts (an `https` issuer's profile, a did:web document).
    pub controllers: Vec<Value>,
    /// Disable the `https…#z6Mk…` fragment shortcut (then a controller document is needed).
    pub no_fragment_key: bool,
    /// An optional recipient claim (V13).
    pub recipient: Option<RecipientClaim>,
    /// Contexts other than the pinned set (tests reading third-party vectors).
    pub contexts: Option<&'a ContextSet>,
}

impl VerifyOptions<'_> {
    /// Options evaluating at `now`, every other input absent.
    pub fn at(now: Timestamp) -> Self {
        VerifyOptions {
            now,
            mode: VerifyMode::Auto,
            status_list: None,
            controllers: Vec::new(),
            no_fragment_key: false,
            recipient: None,
            contexts: None,
        }
    }
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The check passed.
    Passed,
    /// The check failed; `verified` is false.
    Failed,
    /// The check passed with a warning.
    Warned,
    /// The check did not apply or could not run.
    Skipped,
}

/// One check of §6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `V1` … `V14`.
    pub id: &'static str,
    /// Short name (`parse`, `contexts`, `signature`, …).
    pub name: &'static str,
    /// What happened.
    pub outcome: Outcome,
    /// The stable code of a failure or warning.
    pub code: Option<&'static str>,
    /// A sentence a person can read.
    pub reason: String,
}

/// The result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationReport {
    /// No check failed.
    pub verified: bool,
    /// The rules applied (`open_badge` or `proof_only`).
    pub mode: VerifyMode,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// The failures.
    pub errors: Vec<Finding>,
    /// Notes that do not change `verified`.
    pub warnings: Vec<Finding>,
}

impl VerificationReport {
    /// The codes of the errors, in order.
    pub fn error_codes(&self) -> Vec<&'static str> {
        self.errors.iter().map(|f| f.code).collect()
    }

    /// The codes of the warnings, in order.
    pub fn warning_codes(&self) -> Vec<&'static str> {
        self.warnings.iter().map(|f| f.code).collect()
    }
}

struct Reporter {
    checks: Vec<Check>,
    errors: Vec<Finding>,
    warnings: Vec<Finding>,
}

impl Reporter {
    fn push(
        &mut self,
        id: &'static str,
        name: &'static str,
        outcome: Outcome,
        code: Option<&'static str>,
        reason: String,
    ) {
        match (outcome, code) {
            (Outcome::Failed, Some(c)) => self.errors.push(Finding {
                code: c,
                message: reason.clone(),
            }),
            (Outcome::Warned, Some(c)) => self.warnings.push(Finding {
                code: c,
                message: reason.clone(),
            }),
            _ => {}
        }
        self.checks.push(Check {
            id,
            name,
            outcome,
            code,
            reason,
        });
    }
    fn pass(&mut self, id: &'static str, name: &'static str, reason: impl Into<String>) {
        self.push(id, name, Outcome::Passed, None, reason.into());
    }
    fn fail(
        &mut self,
        id: &'static str,
        name: &'static str,
        code: &'static str,
        reason: impl Into<String>,
    ) {
        self.push(id, name, Outcome::Failed, Some(code), reason.into());
    }
    fn warn(
        &mut self,
        id: &'static str,
        name: &'static str,
        code: &'static str,
        reason: impl Into<String>,
    ) {
        self.push(id, name, Outcome::Warned, Some(code), reason.into());
    }
    fn skip(&mut self, id: &'static str, name: &'static str, reason: impl Into<String>) {
        self.push(id, name, Outcome::Skipped, None, reason.into());
    }
    fn note(&mut self, code: &'static str, message: impl Into<String>) {
        self.warnings.push(Finding {
            code,
            message: message.into(),
        });
    }
    fn finish(self, mode: VerifyMode) -> VerificationReport {
        VerificationReport {
            verified: self.errors.is_empty(),
            mode,
            checks: self.checks,
            errors: self.errors,
            warnings: self.warnings,
        }
    }
}

const CHECKS: [(&str, &str); 14] = [
    ("V1", "parse"),
    ("V2", "contexts"),
    ("V3", "strict_expansion"),
    ("V4", "types"),
    ("V5", "required_fields"),
    ("V6", "proof"),
    ("V7", "key_resolution"),
    ("V8", "key_authorization"),
    ("V9", "signature"),
    ("V10", "refresh_service"),
    ("V11", "status"),
    ("V12", "validity_period"),
    ("V13", "recipient"),
    ("V14", "endorsements"),
];

fn name_of(id: &str) -> &'static str {
    CHECKS
        .iter()
        .find(|(i, _)| *i == id)
        .map_or("check", |(_, n)| n)
}

/// Verifies a credential given as JSON text. Never fails: every problem is a failed
/// check in the report.
pub fn verify(json: &str, options: &VerifyOptions<'_>) -> VerificationReport {
    verify_at_depth(json, options, 0)
}

/// Verifies the credential baked into a PNG or SVG badge image (§8): extracts it, then
/// [`verify`]. An image without an Open Badges 3.0 credential fails V1 with the extraction's
/// code; an Open Badges 2.0 assertion (hosted verification) fails V1 with `baked_ob2`.
pub fn verify_image(image: &[u8], options: &VerifyOptions<'_>) -> VerificationReport {
    let mut r = Reporter {
        checks: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    match super::bake::extract(image) {
        Ok(x) if x.version == super::bake::BakedVersion::Ob3 => verify(&x.text, options),
        Ok(_) => {
            r.fail(
                "V1",
                "parse",
                "baked_ob2",
                "the image carries an Open Badges 2.0 assertion, which is verified by fetching it from its issuer; Cairn verifies Open Badges 3.0 credentials offline",
            );
            finish_skipping(r, 1, options.mode)
        }
        Err(e) => {
            r.fail(
                "V1",
                "parse",
                e.code(),
                format!("no credential could be read from the image: {e}"),
            );
            finish_skipping(r, 1, options.mode)
        }
    }
}

const OB_TYPES: [&str; 4] = [
    "OpenBadgeCredential",
    "AchievementCredential",
    "EndorsementCredential",
    "ClrCredential",
];

fn types_of(v: &Value) -> Vec<&str> {
    match v.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn verify_at_depth(json: &str, options: &VerifyOptions<'_>, depth: usize) -> VerificationReport {
    let mut r = Reporter {
        checks: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let contexts: &ContextSet = match options.contexts {
        Some(c) => c,
        None => ContextSet::pinned(),
    };

    // V1: parse and size.
    if json.len() > MAX_CREDENTIAL_BYTES {
        r.fail(
            "V1",
            "parse",
            "too_large",
            format!(
                "the credential is {} bytes; the limit is {MAX_CREDENTIAL_BYTES}",
                json.len()
            ),
        );
        return finish_skipping(r, 1, options.mode);
    }
    let parsed: Value = match serde_json::from_str(json) {
        Ok(v) => v,
        Err(e) => {
            r.fail(
                "V1",
                "parse",
                "malformed",
                format!("the text is not JSON: {e}"),
            );
            return finish_skipping(r, 1, options.mode);
        }
    };
    let Some(doc) = parsed.as_object() else {
        r.fail(
            "V1",
            "parse",
            "malformed",
            "a credential must be a JSON object",
        );
        return finish_skipping(r, 1, options.mode);
    };
    let types = types_of(&parsed);
    let mode = match options.mode {
        VerifyMode::Auto if types.iter().any(|t| OB_TYPES.contains(t)) => VerifyMode::OpenBadge,
        VerifyMode::Auto => VerifyMode::ProofOnly,
        m => m,
    };
    r.pass(
        "V1",
        "parse",
        format!("a JSON object of {} bytes", json.len()),
    );

    // V2: contexts.
    match check_contexts(doc, &types, mode, contexts) {
        Ok(()) => r.pass(
            "V2",
            "contexts",
            "every context is pinned and in the expected order",
        ),
        Err(e) => {
            r.fail("V2", "contexts", e.code(), e.to_string());
            return finish_skipping(r, 2, mode);
        }
    }

    // V3: strict expansion (P1, P2, P15) of the document without its proof.
    let document = match canonicalize_without(&parsed, "proof", contexts) {
        Ok(c) => {
            r.pass(
                "V3",
                "strict_expansion",
                "every property is defined by the contexts; no noncharacters or unsafe integers",
            );
            Some(c)
        }
        Err(e) => {
            r.fail("V3", "strict_expansion", e.code(), e.to_string());
            None
        }
    };

    // V4, V5: shape.
    if mode == VerifyMode::OpenBadge {
        check_types(&mut r, &types);
        check_required(&mut r, doc, &types);
    } else {
        r.skip(
            "V4",
            "types",
            "proof-only mode: the credential type is not an Open Badges type",
        );
        r.skip("V5", "required_fields", "proof-only mode");
    }

    // V6: proof selection.
    let proof = select_proof(&mut r, doc);

    // V7, V8: key.
    let key = match &proof {
        Some(p) => resolve_key(&mut r, doc, p, options, mode),
        None => {
            r.skip("V7", "key_resolution", "no usable proof");
            r.skip("V8", "key_authorization", "no usable proof");
            None
        }
    };

    // V9: signature.
    match (&proof, &key, &document) {
        (Some(p), Some(k), Some(d)) => check_signature(&mut r, doc, p, k, d, contexts),
        (_, _, None) => r.skip(
            "V9",
            "signature",
            "the document could not be canonicalized (V3)",
        ),
        _ => r.skip("V9", "signature", "no usable proof or key"),
    }

    // V10: refresh service.
    if doc.contains_key("refreshService") {
        r.warn(
            "V10",
            "refresh_service",
            "refresh_not_followed",
            "the credential names a refreshService; Cairn never follows it offline",
        );
    } else {
        r.skip("V10", "refresh_service", "no refreshService");
    }

    if mode == VerifyMode::OpenBadge {
        check_status(&mut r, &parsed, options, depth);
        check_dates(&mut r, doc, options.now);
        check_recipient(&mut r, doc, options.recipient.as_ref());
        check_endorsements(&mut r, doc, options, depth);
    } else {
        r.skip("V11", "status", "proof-only mode");
        r.skip("V12", "validity_period", "proof-only mode");
        r.skip("V13", "recipient", "proof-only mode");
        r.skip("V14", "endorsements", "proof-only mode");
    }
    r.finish(mode)
}

fn finish_skipping(mut r: Reporter, done: usize, mode: VerifyMode) -> VerificationReport {
    for (id, name) in CHECKS.iter().skip(done) {
        r.skip(id, name, "not run: an earlier check failed");
    }
    r.finish(mode)
}

fn ob_context_url(url: &str, family: &str, major: char) -> bool {
    let prefix = format!("https://purl.imsglobal.org/spec/{family}/context");
    let Some(middle) = url
        .strip_prefix(&prefix)
        .and_then(|m| m.strip_suffix(".json"))
    else {
        return false;
    };
    let b = middle.as_bytes();
    b.len().is_multiple_of(6)
        && b.chunks(6).all(|c| {
            c[0] == b'-'
                && char::from(c[1]) == major
                && c[2] == b'.'
                && c[3].is_ascii_digit()
                && c[4] == b'.'
                && c[5].is_ascii_digit()
        })
}

fn check_contexts(
    doc: &Map<String, Value>,
    types: &[&str],
    mode: VerifyMode,
    contexts: &ContextSet,
) -> Result<(), CredentialError> {
    let ctx = doc
        .get("@context")
        .ok_or_else(|| CredentialError::context_invalid("the credential has no @context"))?;
    let items: Vec<&Value> = match ctx {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    if items.first().and_then(|v| v.as_str()) == Some("https://www.w3.org/2018/credentials/v1") {
        return Err(CredentialError::ContextUnknown {
            url: "https://www.w3.org/2018/credentials/v1 (VC 1.1 credentials are out of scope)"
                .to_owned(),
        });
    }
    if items.first().and_then(|v| v.as_str()) != Some(VC_V2) {
        return Err(CredentialError::context_invalid(format!(
            "the first context must be {VC_V2}"
        )));
    }
    if mode == VerifyMode::OpenBadge {
        if !ctx.is_array() {
            return Err(CredentialError::context_invalid(
                "@context must be an array",
            ));
        }
        let second = items.get(1).and_then(|v| v.as_str()).unwrap_or("");
        let clr = types.contains(&"ClrCredential");
        let ok = if clr {
            ob_context_url(second, "clr/v2p0", '2')
        } else {
            ob_context_url(second, "ob/v3p0", '3')
        };
        if !ok {
            let want = if clr {
                CLR_V2P0_2_0_1
            } else {
                super::contexts::OB_V3P0_3_0_3
            };
            return Err(CredentialError::context_invalid(format!(
                "the second context must be an Open Badges context such as {want}, not \"{second}\""
            )));
        }
    }
    for item in &items {
        match item {
            Value::String(url) if !contexts.knows(url) => {
                return Err(CredentialError::ContextUnknown { url: url.clone() });
            }
            Value::String(_) | Value::Object(_) => {}
            _ => {
                return Err(CredentialError::context_invalid(
                    "each context must be a URL or an object",
                ));
            }
        }
    }
    Ok(())
}

fn check_types(r: &mut Reporter, types: &[&str]) {
    if !types.contains(&"VerifiableCredential") {
        r.fail(
            "V4",
            "types",
            "type_invalid",
            "type must include VerifiableCredential",
        );
    } else if !types.iter().any(|t| OB_TYPES.contains(t)) {
        r.fail("V4", "types", "type_invalid", "type must include OpenBadgeCredential (or AchievementCredential, EndorsementCredential, ClrCredential)");
    } else {
        r.pass("V4", "types", format!("types {}", types.join(", ")));
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    types_of(v).contains(&t)
}

fn nonempty_str(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| !s.is_empty())
}

fn check_required(r: &mut Reporter, doc: &Map<String, Value>, types: &[&str]) {
    let mut missing: Vec<String> = Vec::new();
    let mut invalid: Vec<String> = Vec::new();
    if !nonempty_str(doc.get("id")) {
        missing.push("id".to_owned());
    }
    match doc.get("issuer") {
        Some(Value::Object(p)) => {
            if !nonempty_str(p.get("id")) {
                missing.push("issuer.id".to_owned());
            }
            if !has_type(&Value::Object(p.clone()), "Profile") {
                invalid.push("issuer.type must include Profile".to_owned());
            }
        }
        Some(Value::String(_)) => {
            invalid.push("issuer must be a Profile object with id and type".to_owned())
        }
        _ => missing.push("issuer".to_owned()),
    }
    match doc.get("validFrom").and_then(Value::as_str) {
        None => missing.push("validFrom".to_owned()),
        Some(s) if parse_datetime(s).is_none() => {
            invalid.push(format!("validFrom \"{s}\" is not an xsd:dateTime"))
        }
        Some(_) => {}
    }
    if let Some(v) = doc.get("validUntil")
        && v.as_str().and_then(parse_datetime).is_none()
    {
        invalid.push(format!("validUntil {v} is not an xsd:dateTime"));
    }
    let subjects: Vec<&Value> = match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => {
            missing.push("credentialSubject".to_owned());
            Vec::new()
        }
    };
    let achievement_credential = types
        .iter()
        .any(|t| *t == "OpenBadgeCredential" || *t == "AchievementCredential");
    for s in subjects {
        if achievement_credential {
            if !has_type(s, "AchievementSubject") {
                invalid.push("credentialSubject.type must include AchievementSubject".to_owned());
            }
            let has_identifier = s.get("identifier").is_some_and(|i| match i {
                Value::Array(a) => !a.is_empty(),
                Value::Object(_) => true,
                _ => false,
            });
            if !nonempty_str(s.get("id")) && !has_identifier {
                missing.push("credentialSubject.id or credentialSubject.identifier".to_owned());
            }
            match s.get("achievement") {
                Some(a @ Value::Object(_)) => {
                    for f in ["id", "name", "description"] {
                        if !nonempty_str(a.get(f)) {
                            missing.push(format!("credentialSubject.achievement.{f}"));
                        }
                    }
                    if !has_type(a, "Achievement") {
                        invalid.push(
                            "credentialSubject.achievement.type must include Achievement"
                                .to_owned(),
                        );
                    }
                    match a.get("criteria") {
                        Some(c)
                            if nonempty_str(c.get("id")) || nonempty_str(c.get("narrative")) => {}
                        _ => missing.push(
                            "credentialSubject.achievement.criteria (id or narrative)".to_owned(),
                        ),
                    }
                }
                _ => missing.push("credentialSubject.achievement".to_owned()),
            }
        } else if types.contains(&"EndorsementCredential") && !nonempty_str(s.get("id")) {
            missing.push("credentialSubject.id".to_owned());
        } else if types.contains(&"ClrCredential") && !has_type(s, "ClrSubject") {
            invalid.push("credentialSubject.type must include ClrSubject".to_owned());
        }
    }
    if !missing.is_empty() {
        r.fail(
            "V5",
            "required_fields",
            "field_missing",
            format!("missing required fields: {}", missing.join(", ")),
        );
    } else if !invalid.is_empty() {
        r.fail("V5", "required_fields", "field_invalid", invalid.join("; "));
    } else {
        r.pass(
            "V5",
            "required_fields",
            "every required Open Badges 3.0 field is present",
        );
    }
}

fn select_proof(r: &mut Reporter, doc: &Map<String, Value>) -> Option<Map<String, Value>> {
    let proofs: Vec<&Value> = match doc.get("proof") {
        None | Some(Value::Null) => {
            r.fail(
                "V6",
                "proof",
                "proof_missing",
                "the credential has no proof",
            );
            return None;
        }
        Some(Value::Array(a)) => a.iter().collect(),
        Some(p) => vec![p],
    };
    let chosen = proofs.iter().filter_map(|p| p.as_object()).find(|p| {
        p.get("type").and_then(Value::as_str) == Some(PROOF_TYPE)
            && p.get("cryptosuite").and_then(Value::as_str) == Some(CRYPTOSUITE)
            && p.get("proofPurpose").and_then(Value::as_str) == Some(PROOF_PURPOSE)
    });
    match chosen {
        Some(p) => {
            let vm_ok = nonempty_str(p.get("verificationMethod"));
            let created_ok = p
                .get("created")
                .and_then(Value::as_str)
                .is_none_or(|c| parse_datetime(c).is_some());
            if !vm_ok {
                r.fail(
                    "V6",
                    "proof",
                    "proof_unsupported",
                    "the proof has no verificationMethod",
                );
                None
            } else if !created_ok {
                r.fail(
                    "V6",
                    "proof",
                    "proof_unsupported",
                    "the proof's created is not an xsd:dateTime",
                );
                None
            } else {
                r.pass(
                    "V6",
                    "proof",
                    "a DataIntegrityProof with eddsa-rdfc-2022 for assertionMethod",
                );
                Some(p.clone())
            }
        }
        None => {
            let kinds: Vec<String> = proofs
                .iter()
                .map(|p| {
                    let t = p.get("type").and_then(Value::as_str).unwrap_or("?");
                    match p.get("cryptosuite").and_then(Value::as_str) {
                        Some(c) => format!("{t}/{c}"),
                        None => t.to_owned(),
                    }
                })
                .collect();
            r.fail(
                "V6",
                "proof",
                "proof_unsupported",
                format!(
                    "no DataIntegrityProof with eddsa-rdfc-2022 for assertionMethod (found {})",
                    kinds.join(", ")
                ),
            );
            None
        }
    }
}

fn issuer_id(doc: &Map<String, Value>) -> Option<&str> {
    match doc.get("issuer")? {
        Value::String(s) => Some(s),
        Value::Object(p) => p.get("id")?.as_str(),
        _ => None,
    }
}

fn resolve_key(
    r: &mut Reporter,
    doc: &Map<String, Value>,
    proof: &Map<String, Value>,
    options: &VerifyOptions<'_>,
    mode: VerifyMode,
) -> Option<ResolvedKey> {
    let vm = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let resolved = match keys::resolve(vm, &options.controllers, !options.no_fragment_key) {
        Ok(k) => k,
        Err(KeyResolution::Unresolvable(why)) => {
            r.fail("V7", "key_resolution", "key_unresolvable", why);
            r.skip("V8", "key_authorization", "no key");
            return None;
        }
        Err(KeyResolution::NotAuthorized(why)) => {
            r.pass(
                "V7",
                "key_resolution",
                format!("{vm} resolved through a controller document"),
            );
            r.fail("V8", "key_authorization", "key_not_authorized", why);
            return None;
        }
    };
    let how = match resolved.source {
        KeySource::DidKey => "derived from the did:key",
        KeySource::BareDidKey => "derived from a bare did:key (no #fragment)",
        KeySource::Fragment => "taken from the key id's #fragment",
        KeySource::ControllerDocument => "found in the supplied controller document",
    };
    if resolved.source == KeySource::BareDidKey {
        r.warn("V7", "key_resolution", "bare_did_key", format!("the verification method {vm} has no #fragment; Digital Bazaar verifiers cannot resolve it (badges.md P6)"));
    } else {
        r.pass(
            "V7",
            "key_resolution",
            format!("key {} {how}", resolved.key.to_multibase()),
        );
    }
    if mode == VerifyMode::OpenBadge {
        match issuer_id(doc) {
            Some(issuer) if issuer == resolved.controller => {
                r.pass(
                    "V8",
                    "key_authorization",
                    format!("the key's controller is the issuer {issuer} and may assert"),
                );
            }
            Some(issuer) => {
                r.fail(
                    "V8",
                    "key_authorization",
                    "controller_mismatch",
                    format!(
                        "the key belongs to {}, not to the issuer {issuer}",
                        resolved.controller
                    ),
                );
            }
            None => r.fail(
                "V8",
                "key_authorization",
                "controller_mismatch",
                "the credential has no issuer id to compare with the key's controller",
            ),
        }
    } else {
        r.pass("V8", "key_authorization", format!("the key may assert for its controller {} (proof-only mode: the issuer is not compared)", resolved.controller));
    }
    Some(resolved)
}

fn check_signature(
    r: &mut Reporter,
    doc: &Map<String, Value>,
    proof: &Map<String, Value>,
    key: &ResolvedKey,
    document: &Canonical,
    contexts: &ContextSet,
) {
    let Some(context) = doc.get("@context") else {
        r.skip("V9", "signature", "no @context");
        return;
    };
    let cfg = proof_config(proof, context);
    let proof_canon = match canonicalize_value(&cfg, contexts) {
        Ok(c) => c,
        Err(e) => {
            r.fail(
                "V9",
                "signature",
                e.code(),
                format!("the proof options cannot be canonicalized: {e}"),
            );
            return;
        }
    };
    let data = HashData {
        proof: proof_canon,
        document: document.clone(),
    };
    let Some(sig) = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .and_then(decode_proof_value)
    else {
        r.fail(
            "V9",
            "signature",
            "signature_invalid",
            "proofValue is not z + base58btc of a 64-byte signature",
        );
        return;
    };
    if data.proof.utf16_order_differs || data.document.utf16_order_differs {
        r.note(super::proof::SORT_ORDER_DIVERGENCE, "this credential's canonical N-Quads sort differently by UTF-16 code unit (rdf-canonize 5) than by code point (RDFC-1.0); JavaScript and Rust stacks disagree on its hash (badges.md P14)");
    }
    if key.key.verify_strict(&data.bytes(), &sig) {
        r.pass(
            "V9",
            "signature",
            format!(
                "Ed25519 signature valid over proof hash {} and document hash {}",
                short(&data.proof.hash),
                short(&data.document.hash)
            ),
        );
    } else {
        r.fail("V9", "signature", "signature_invalid", "the signature does not match: the credential was changed after signing, or signed with another key");
    }
}

fn short(hash: &[u8; 32]) -> String {
    let h = hex(hash);
    format!("{}…{}", &h[..8], &h[56..])
}

fn check_status(r: &mut Reporter, credential: &Value, options: &VerifyOptions<'_>, depth: usize) {
    let Some(status) = credential.get("credentialStatus") else {
        r.skip("V11", "status", "no credentialStatus");
        return;
    };
    let entries: Vec<&Value> = match status {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let bitstring = entries
        .iter()
        .any(|e| has_type(e, "BitstringStatusListEntry"));
    if !bitstring {
        let kinds: Vec<&str> = entries.iter().flat_map(|e| types_of(e)).collect();
        r.warn(
            "V11",
            "status",
            "status_unchecked",
            format!("status type {} is not checked offline", kinds.join(", ")),
        );
        return;
    }
    let Some(list_text) = options.status_list else {
        r.warn("V11", "status", "status_unchecked", "the credential has a status list entry but no status list was supplied, so revocation was not checked");
        return;
    };
    if depth > 0 {
        r.warn(
            "V11",
            "status",
            "status_unchecked",
            "status of nested credentials is not checked",
        );
        return;
    }
    // The list's own proof: signature, assertionMethod, and its key controller = its issuer.
    let list_report = verify_at_depth(
        list_text,
        &VerifyOptions {
            mode: VerifyMode::ProofOnly,
            status_list: None,
            recipient: None,
            ..options.clone()
        },
        depth + 1,
    );
    let list: Value = match serde_json::from_str(list_text) {
        Ok(v) => v,
        Err(e) => {
            r.warn(
                "V11",
                "status",
                "status_unchecked",
                format!("the status list is not JSON ({e}); revocation was not checked"),
            );
            return;
        }
    };
    if !list_report.verified {
        r.warn(
            "V11",
            "status",
            "status_unchecked",
            format!(
                "the status list does not verify ({}); revocation was not checked",
                list_report.error_codes().join(", ")
            ),
        );
        return;
    }
    let list_vm = list
        .get("proof")
        .and_then(|p| match p {
            Value::Array(a) => a.first(),
            other => Some(other),
        })
        .and_then(|p| p.get("verificationMethod"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let list_controller = keys::resolve(list_vm, &options.controllers, !options.no_fragment_key)
        .ok()
        .map(|k| k.controller);
    let list_issuer = list.as_object().and_then(issuer_id);
    if list_controller.as_deref() != list_issuer {
        r.warn(
            "V11",
            "status",
            "status_unchecked",
            "the status list is not signed by its own issuer; revocation was not checked",
        );
        return;
    }
    match status::check_credential(credential, &list) {
        Ok(checks) => {
            if let Some(c) = checks
                .iter()
                .find_map(|c| c.code().map(|code| (code, c.index)))
            {
                let (code, index) = c;
                let what = if code == "revoked" {
                    "revoked"
                } else {
                    "suspended"
                };
                r.fail("V11", "status", code, format!("the issuer has {what} this credential (bit {index} of its status list is set)"));
            } else if checks.iter().any(|c| !c.list_id_matches) {
                r.warn(
                    "V11",
                    "status",
                    "status_list_id_mismatch",
                    "not revoked, but the status list's id is not the URL the entry names",
                );
            } else {
                r.pass("V11", "status", "not revoked or suspended");
            }
        }
        Err(e) => r.warn(
            "V11",
            "status",
            "status_unchecked",
            format!("the status list does not apply: {e}"),
        ),
    }
}

/// Parses an xsd:dateTime with a time zone: `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`.
/// Returns whole UTC seconds and whether a non-zero fraction followed.
pub fn parse_datetime(s: &str) -> Option<(Timestamp, bool)> {
    let b = s.as_bytes();
    if b.len() < 20 || b[19] != b'.' && b[19] != b'Z' && b[19] != b'+' && b[19] != b'-' {
        return None;
    }
    let base = Timestamp::parse(&format!("{}Z", s.get(..19)?)).ok()?;
    let mut rest = s.get(19..)?;
    let mut fraction = false;
    if let Some(f) = rest.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        fraction = f[..digits].bytes().any(|d| d != b'0');
        rest = &f[digits..];
    }
    let offset = match rest {
        "Z" => 0,
        _ => {
            let ob = rest.as_bytes();
            if ob.len() != 6 || ob[3] != b':' {
                return None;
            }
            let sign = match ob[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hh: i64 = rest.get(1..3)?.parse().ok()?;
            let mm: i64 = rest.get(4..6)?.parse().ok()?;
            if hh > 14 || mm > 59 {
                return None;
            }
            sign * (hh * 3600 + mm * 60)
        }
    };
    Some((base.plus_seconds(-offset), fraction))
}

fn check_dates(r: &mut Reporter, doc: &Map<String, Value>, now: Timestamp) {
    let from = doc
        .get("validFrom")
        .and_then(Value::as_str)
        .and_then(parse_datetime);
    let until = doc
        .get("validUntil")
        .and_then(Value::as_str)
        .and_then(parse_datetime);
    if let Some((f, frac)) = from
        && (now < f || (now == f && frac))
    {
        r.fail(
            "V12",
            "validity_period",
            "not_yet_valid",
            format!(
                "the credential is valid only from {}; it is now {now}",
                doc["validFrom"].as_str().unwrap_or_default()
            ),
        );
        return;
    }
    if let Some((u, _)) = until
        && now > u
    {
        r.fail(
            "V12",
            "validity_period",
            "expired",
            format!(
                "the credential expired at {}; it is now {now}",
                doc["validUntil"].as_str().unwrap_or_default()
            ),
        );
        return;
    }
    match (from, until) {
        (None, _) => r.skip("V12", "validity_period", "no readable validFrom (see V5)"),
        (Some(_), Some(_)) => r.pass(
            "V12",
            "validity_period",
            format!("valid at {now} (within validFrom … validUntil)"),
        ),
        (Some(_), None) => r.pass(
            "V12",
            "validity_period",
            format!("valid at {now} (no expiry)"),
        ),
    }
}

/// The §3 hash: `sha256$` + lowercase hex of SHA-256(value ‖ salt).
pub fn identity_hash(value: &str, salt: &str) -> String {
    format!(
        "sha256${}",
        hex(&sha256(format!("{value}{salt}").as_bytes()))
    )
}

fn check_recipient(r: &mut Reporter, doc: &Map<String, Value>, claim: Option<&RecipientClaim>) {
    let Some(claim) = claim else {
        r.skip("V13", "recipient", "no recipient claim to check");
        return;
    };
    let subjects: Vec<&Value> = match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    let value = if claim.identity_type == "emailAddress" {
        // Trim and lowercase as issuance does; NFC is the host's (see RecipientClaim).
        claim.value.trim().to_lowercase()
    } else {
        claim.value.clone()
    };
    let matched = subjects.iter().any(|s| {
        if claim.identity_type == "id" {
            return s.get("id").and_then(Value::as_str) == Some(claim.value.as_str());
        }
        let ids: Vec<&Value> = match s.get("identifier") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(o @ Value::Object(_)) => vec![o],
            _ => Vec::new(),
        };
        ids.iter().any(|i| {
            if i.get("identityType").and_then(Value::as_str) != Some(claim.identity_type.as_str()) {
                return false;
            }
            let stored = i
                .get("identityHash")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if i.get("hashed").and_then(Value::as_bool) == Some(true) {
                let salt = i.get("salt").and_then(Value::as_str).unwrap_or_default();
                stored.eq_ignore_ascii_case(&identity_hash(&value, salt))
            } else {
                stored == value
            }
        })
    });
    if matched {
        r.pass(
            "V13",
            "recipient",
            format!("issued to the claimed {}", claim.identity_type),
        );
    } else {
        r.fail(
            "V13",
            "recipient",
            "recipient_mismatch",
            format!(
                "the credential was not issued to this {}",
                claim.identity_type
            ),
        );
    }
}

fn check_endorsements<'d>(
    r: &mut Reporter,
    doc: &'d Map<String, Value>,
    options: &VerifyOptions<'_>,
    depth: usize,
) {
    let mut found: Vec<(&'static str, &'d Value)> = Vec::new();
    let mut collect = |place: &'static str, v: Option<&'d Value>| match v {
        Some(Value::Array(a)) => found.extend(a.iter().map(|e| (place, e))),
        Some(o @ Value::Object(_)) => found.push((place, o)),
        _ => {}
    };
    collect("endorsement", doc.get("endorsement"));
    collect(
        "issuer.endorsement",
        doc.get("issuer").and_then(|i| i.get("endorsement")),
    );
    collect(
        "credentialSubject.achievement.endorsement",
        doc.get("credentialSubject")
            .and_then(|s| s.get("achievement"))
            .and_then(|a| a.get("endorsement")),
    );
    if found.is_empty() {
        r.skip("V14", "endorsements", "no embedded endorsements");
        return;
    }
    if depth > 0 {
        r.skip(
            "V14",
            "endorsements",
            "endorsements of nested credentials are not checked",
        );
        return;
    }
    let mut bad = Vec::new();
    for (i, (place, e)) in found.iter().enumerate() {
        let nested = verify_at_depth(
            &e.to_string(),
            &VerifyOptions {
                mode: VerifyMode::OpenBadge,
                status_list: None,
                recipient: None,
                ..options.clone()
            },
            depth + 1,
        );
        if !nested.verified || !has_type(e, "EndorsementCredential") {
            bad.push(format!(
                "{place}[{i}]: {}",
                if nested.verified {
                    "not an EndorsementCredential".to_owned()
                } else {
                    nested.error_codes().join(", ")
                }
            ));
        }
    }
    if bad.is_empty() {
        r.pass(
            "V14",
            "endorsements",
            format!("{} endorsement(s) verified", found.len()),
        );
    } else {
        r.warn(
            "V14",
            "endorsements",
            "endorsement_invalid",
            format!(
                "endorsements that do not verify (the badge itself is unaffected): {}",
                bad.join("; ")
            ),
        );
    }
}

/// Check names by id (`V1` → `parse`), for hosts that render reports.
pub fn check_name(id: &str) -> &'static str {
    name_of(id)
}
