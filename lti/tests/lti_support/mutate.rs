//! The token- and form-level mutation ops of `fixtures/lti/README.md`, applied mechanically:
//! a claim set plus a case's `mutation` list becomes the launch form (`id_token`, `state`, …),
//! signed with the TEST-ONLY keys. Ops that act on the login, cookies, clock, store or JWKS
//! server are handed back untouched for the harness that runs them.

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Map, Value, json};

/// The LTI fixtures folder (`../shared/fixtures/lti` from the worktree root).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/lti"
    ))
}

/// Reads a fixture file as text.
pub fn read_fixture(relative: &str) -> String {
    let path = fixtures_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Reads a fixture file as JSON.
pub fn read_json(relative: &str) -> Value {
    serde_json::from_str(&read_fixture(relative)).expect("fixture is JSON")
}

/// A claim set split into the payload to sign and its `_fixture` member.
pub fn load_claims(name: &str) -> (Map<String, Value>, Value) {
    let mut doc = read_json(&format!("claims/{name}.json"));
    let object = doc.as_object_mut().expect("a claim set is an object");
    let fixture = object.remove("_fixture").expect("a claim set has _fixture");
    (object.clone(), fixture)
}

/// The kid of a named TEST-ONLY key (`platform`, `platform-rotated`, `other-issuer`, `attacker`, `tool`).
pub fn kid_of(key: &str) -> String {
    match key {
        "platform" => "test-only-platform-1".into(),
        "platform-rotated" => "test-only-platform-2".into(),
        other => format!("test-only-{other}-1"),
    }
}

/// The README's standard substitutions: `iat` = now, `exp` = now + lifetime, `nonce`, and
/// `target_link_uri` (when present) = the tool's launch URL.
pub fn standard_payload(
    claims: &Map<String, Value>,
    fixture: &Value,
    now: i64,
    nonce: &str,
    tool_launch_url: &str,
) -> Map<String, Value> {
    let lifetime = fixture["exp_minus_iat"].as_i64().expect("exp_minus_iat");
    let mut payload = claims.clone();
    payload.insert("iat".into(), json!(now));
    payload.insert("exp".into(), json!(now + lifetime));
    payload.insert("nonce".into(), json!(nonce));
    let target = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
    if payload.contains_key(target) {
        payload.insert(target.into(), json!(tool_launch_url));
    }
    payload
}

/// The ops this engine applies; all others go back to the harness.
pub const TOKEN_OPS: [&str; 12] = [
    "remove_claim",
    "set_claim",
    "replace_payload",
    "raw_payload",
    "set_header",
    "sign_with",
    "sign_hs256",
    "corrupt_signature",
    "set_claim_after_signing",
    "raw_id_token",
    "omit_form_field",
    "set_form_field",
];

/// The seconds of all `advance_clock` ops (the harness moves its clock before building).
pub fn advance_seconds(ops: &[Value]) -> i64 {
    ops.iter()
        .filter(|op| op["op"] == "advance_clock")
        .filter_map(|op| op["seconds"].as_i64())
        .sum()
}

/// A built launch: the form to post, and the ops left for the harness.
#[derive(Clone, Debug)]
pub struct BuiltLaunch {
    /// The launch form's fields, in order.
    pub form: Vec<(String, String)>,
    /// The payload as signed (after `set_claim`/`remove_claim`; `None` for a raw payload).
    pub payload: Option<Value>,
    /// Harness ops (login, cookies, clock, store, JWKS server), in order.
    pub harness_ops: Vec<Value>,
}

impl BuiltLaunch {
    /// A form field's value.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn eval_expr(expr: &str, now: i64, payload: &Value) -> i64 {
    let split = expr.find(['+', '-']).unwrap_or(expr.len());
    let (base, offset) = expr.split_at(split);
    let base = match base {
        "now" => now,
        "iat" | "exp" => payload[base]
            .as_i64()
            .expect("iat/exp is an integer for expr"),
        other => panic!("bad expr base {other:?}"),
    };
    let offset: i64 = if offset.is_empty() {
        0
    } else {
        offset.parse().expect("expr offset")
    };
    base + offset
}

/// The JSON member a `claim` + `path?` op names: `(parent object, key)`.
fn target<'a>(payload: &'a mut Value, op: &Value) -> Option<(&'a mut Map<String, Value>, String)> {
    let claim = op["claim"].as_str().expect("op claim").to_owned();
    let path: Vec<String> = op["path"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut keys = std::iter::once(claim).chain(path).collect::<Vec<_>>();
    let last = keys.pop()?;
    let mut node = payload;
    for key in keys {
        node = node.as_object_mut()?.get_mut(&key)?;
    }
    Some((node.as_object_mut()?, last))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn rs256(input: &str, key: &str) -> String {
    let pem = read_fixture(&format!("keys/test-only-{key}.private.pem"));
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("test key PEM");
    jsonwebtoken::crypto::sign(input.as_bytes(), &encoding, Algorithm::RS256).expect("sign")
}

enum Signer {
    Rs256(String),
    Hs256(Vec<u8>),
}

/// Applies `ops` to `payload` (already substituted) and signs: default RS256 with the platform
/// key and header `{"alg":"RS256","typ":"JWT","kid":"test-only-platform-1"}`. `now` is the
/// clock for `expr`; `state` the form's default state.
pub fn build_launch(
    payload: Map<String, Value>,
    ops: &[Value],
    now: i64,
    state: &str,
) -> BuiltLaunch {
    let mut payload = Value::Object(payload);
    let mut raw_payload: Option<Vec<u8>> = None;
    let mut header = json!({"alg": "RS256", "typ": "JWT", "kid": kid_of("platform")});
    let mut signer = Signer::Rs256("platform".into());
    let mut corrupt = false;
    let mut after_signing: Vec<&Value> = Vec::new();
    let mut raw_id_token: Option<String> = None;
    let mut form_edits: Vec<&Value> = Vec::new();
    let mut harness_ops = Vec::new();
    for op in ops {
        match op["op"].as_str().expect("op name") {
            "remove_claim" => {
                if let Some((parent, key)) = target(&mut payload, op) {
                    parent.remove(&key);
                }
            }
            "set_claim" => {
                let value = match op.get("expr").and_then(Value::as_str) {
                    Some(expr) => json!(eval_expr(expr, now, &payload)),
                    None => op["value"].clone(),
                };
                let (parent, key) = target(&mut payload, op).expect("set_claim path exists");
                parent.insert(key, value);
            }
            "replace_payload" => payload = op["value"].clone(),
            "raw_payload" => {
                raw_payload = Some(op["utf8"].as_str().expect("utf8").as_bytes().to_vec());
            }
            "set_header" => {
                for (name, value) in op.as_object().expect("op object") {
                    if name == "op" {
                        continue;
                    }
                    let header = header.as_object_mut().expect("header object");
                    if value.is_null() {
                        header.remove(name);
                    } else {
                        header.insert(name.clone(), value.clone());
                    }
                }
            }
            "sign_with" => {
                let key = op["key"].as_str().expect("key");
                header["kid"] = json!(kid_of(key));
                signer = Signer::Rs256(key.to_owned());
            }
            "sign_hs256" => {
                let secret = op["secret"].as_str().expect("secret");
                let key = secret
                    .strip_prefix("public_pem:")
                    .expect("public_pem:<key>");
                let pem = read_fixture(&format!("keys/test-only-{key}.public.pem"));
                header["alg"] = json!("HS256");
                signer = Signer::Hs256(pem.into_bytes());
            }
            "corrupt_signature" => corrupt = true,
            "set_claim_after_signing" => after_signing.push(op),
            "raw_id_token" => {
                raw_id_token = Some(op["value"].as_str().expect("value").to_owned());
            }
            "omit_form_field" | "set_form_field" => form_edits.push(op),
            _ => harness_ops.push(op.clone()),
        }
    }
    let header_b64 = b64(header.to_string().as_bytes());
    let payload_bytes = raw_payload
        .clone()
        .unwrap_or_else(|| payload.to_string().into_bytes());
    let input = format!("{header_b64}.{}", b64(&payload_bytes));
    let mut signature = if header["alg"] == "none" {
        String::new()
    } else {
        match &signer {
            Signer::Rs256(key) => rs256(&input, key),
            Signer::Hs256(secret) => jsonwebtoken::crypto::sign(
                input.as_bytes(),
                &EncodingKey::from_secret(secret).expect("hmac key"),
                Algorithm::HS256,
            )
            .expect("hmac"),
        }
    };
    if corrupt {
        let mut bytes = URL_SAFE_NO_PAD.decode(&signature).expect("signature b64");
        bytes[0] ^= 0x01;
        signature = b64(&bytes);
    }
    let mut payload_segment = input
        .split_once('.')
        .map(|(_, p)| p.to_owned())
        .unwrap_or_default();
    if !after_signing.is_empty() {
        for op in after_signing {
            let claim = op["claim"].as_str().expect("claim");
            payload[claim] = op["value"].clone();
        }
        payload_segment = b64(payload.to_string().as_bytes());
    }
    let id_token =
        raw_id_token.unwrap_or_else(|| format!("{header_b64}.{payload_segment}.{signature}"));
    let mut form = vec![
        ("id_token".to_owned(), id_token),
        ("state".to_owned(), state.to_owned()),
    ];
    for op in form_edits {
        let field = op["field"].as_str().expect("field").to_owned();
        if op["op"] == "omit_form_field" {
            form.retain(|(k, _)| *k != field);
        } else {
            let value = op["value"].as_str().expect("value").to_owned();
            match form.iter_mut().find(|(k, _)| *k == field) {
                Some(slot) => slot.1 = value,
                None => form.push((field, value)),
            }
        }
    }
    BuiltLaunch {
        form,
        payload: raw_payload.is_none().then_some(payload),
        harness_ops,
    }
}
