//! A platform's JSON Web Key Set, parsed into RS256 verification keys by `kid` under the
//! acceptance rules of `spec/lti.md` §6.1 (`kty` RSA, `use` absent or `sig`, `alg` absent or
//! RS256, modulus ≥ 2048 bits). Bad keys are skipped with a reason, never fatal. Pure: the
//! HTTP download and its cache live elsewhere.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The largest JWKS document accepted, in bytes (`spec/lti.md` §6.1).
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits (what the RS256 verifier supports).
pub const MAX_RSA_BITS: usize = 8192;

/// Why a document is not a usable JWKS.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwksError {
    /// The body is larger than [`MAX_JWKS_BYTES`].
    #[error("the JWKS is {bytes} bytes, over the {MAX_JWKS_BYTES}-byte limit")]
    TooLarge {
        /// The body's size.
        bytes: usize,
    },
    /// The body is not JSON.
    #[error("the JWKS is not JSON: {0}")]
    NotJson(String),
    /// The JSON is not an object with a `keys` array.
    #[error("the JWKS is not an object with a \"keys\" array")]
    NotAJwks,
}

/// An RSA public key accepted for RS256 verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformKey {
    /// The key's `kid`.
    pub kid: String,
    /// The modulus, big-endian, without leading zero bytes.
    pub modulus: Vec<u8>,
    /// The public exponent, big-endian.
    pub exponent: Vec<u8>,
}

impl PlatformKey {
    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        modulus_bits(&self.modulus)
    }
}

/// A key that was left out, and why (for logs and the admin).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    /// Its `kid`, when it had a string one.
    pub kid: Option<String>,
    /// Why it was skipped.
    pub reason: String,
}

/// The accepted keys of one JWKS document, by `kid`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkSet {
    keys: BTreeMap<String, PlatformKey>,
    skipped: Vec<SkippedKey>,
}

fn modulus_bits(modulus: &[u8]) -> usize {
    match modulus.iter().position(|b| *b != 0) {
        Some(first) => {
            (modulus.len() - first - 1) * 8 + (8 - modulus[first].leading_zeros() as usize)
        }
        None => 0,
    }
}

fn b64_field(key: &serde_json::Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    let text = key
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("no {name} string"))?;
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| format!("{name} is not base64url"))
}

/// Checks one JWK against §6.1; `Err` is the reason to skip it.
fn accept(key: &serde_json::Map<String, Value>, kid: &str) -> Result<PlatformKey, String> {
    if kid.is_empty() {
        return Err("no kid".into());
    }
    match key.get("kty").and_then(Value::as_str) {
        Some("RSA") => {}
        other => return Err(format!("kty {other:?} is not RSA")),
    }
    match key.get("use") {
        None => {}
        Some(Value::String(u)) if u == "sig" => {}
        Some(other) => return Err(format!("use {other} is not sig")),
    }
    match key.get("alg") {
        None => {}
        Some(Value::String(a)) if a == "RS256" => {}
        Some(other) => return Err(format!("alg {other} is not RS256")),
    }
    let mut modulus = b64_field(key, "n")?;
    let exponent = b64_field(key, "e")?;
    let leading = modulus.iter().take_while(|b| **b == 0).count();
    modulus.drain(..leading);
    let bits = modulus_bits(&modulus);
    if bits < MIN_RSA_BITS {
        return Err(format!("modulus of {bits} bits is under {MIN_RSA_BITS}"));
    }
    if bits > MAX_RSA_BITS {
        return Err(format!("modulus of {bits} bits is over {MAX_RSA_BITS}"));
    }
    if exponent.is_empty() || exponent.len() > 8 {
        return Err("exponent is empty or too large".into());
    }
    Ok(PlatformKey {
        kid: kid.to_owned(),
        modulus,
        exponent,
    })
}

impl JwkSet {
    /// Parses a JWKS document, keeping the keys §6.1 accepts and noting the others.
    pub fn parse(bytes: &[u8]) -> Result<JwkSet, JwksError> {
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(JwksError::TooLarge { bytes: bytes.len() });
        }
        let document: Value =
            serde_json::from_slice(bytes).map_err(|e| JwksError::NotJson(e.to_string()))?;
        let Some(keys) = document.get("keys").and_then(Value::as_array) else {
            return Err(JwksError::NotAJwks);
        };
        let mut set = JwkSet::default();
        for key in keys {
            let Some(key) = key.as_object() else {
                set.skipped.push(SkippedKey {
                    kid: None,
                    reason: "not a JSON object".into(),
                });
                continue;
            };
            let kid = key.get("kid").and_then(Value::as_str).map(str::to_owned);
            let result = match &kid {
                Some(kid) if set.keys.contains_key(kid) => Err("duplicate kid".to_owned()),
                Some(kid) => accept(key, kid),
                None => Err("no kid".to_owned()),
            };
            match result {
                Ok(accepted) => {
                    set.keys.insert(accepted.kid.clone(), accepted);
                }
                Err(reason) => set.skipped.push(SkippedKey { kid, reason }),
            }
        }
        Ok(set)
    }

    /// The accepted key with this `kid`.
    pub fn get(&self, kid: &str) -> Option<&PlatformKey> {
        self.keys.get(kid)
    }

    /// The accepted keys' ids, sorted.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// How many keys were accepted.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key was accepted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys left out, with their reasons.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PLATFORM: &str =
        include_str!("../../../../shared/fixtures/lti/keys/test-only-platform.jwks.json");
    const ROTATED: &str = include_str!(
        "../../../../shared/fixtures/lti/keys/test-only-platform-after-rotation.jwks.json"
    );

    fn platform_key() -> Value {
        let set: Value = serde_json::from_str(PLATFORM).unwrap();
        set["keys"][0].clone()
    }

    #[test]
    fn the_fixture_sets_parse_by_kid() {
        let set = JwkSet::parse(PLATFORM.as_bytes()).unwrap();
        let key = set.get("test-only-platform-1").unwrap();
        assert_eq!(key.bits(), 2048);
        assert_eq!(key.exponent, [1, 0, 1]);
        assert!(set.get("test-only-platform-2").is_none());
        let both = JwkSet::parse(ROTATED.as_bytes()).unwrap();
        assert_eq!(
            both.kids().collect::<Vec<_>>(),
            ["test-only-platform-1", "test-only-platform-2"]
        );
        assert!(both.skipped().is_empty());
    }

    #[test]
    fn keys_outside_the_rules_are_skipped_with_a_reason() {
        let good = platform_key();
        let mut variants = Vec::new();
        for (field, value) in [
            ("kty", json!("EC")),
            ("use", json!("enc")),
            ("alg", json!("RS512")),
            ("n", json!("AQAB")),
            ("n", json!("not base64!")),
            ("kid", json!(7)),
        ] {
            let mut key = good.clone();
            key[field] = value;
            key["kid"] = if field == "kid" {
                json!(7)
            } else {
                json!(format!("bad-{field}-{}", variants.len()))
            };
            variants.push(key);
        }
        let mut no_alg_no_use = good.clone();
        no_alg_no_use.as_object_mut().unwrap().remove("alg");
        no_alg_no_use.as_object_mut().unwrap().remove("use");
        no_alg_no_use["kid"] = json!("bare");
        variants.push(no_alg_no_use);
        variants.push(good.clone());
        variants.push(good.clone()); // duplicate kid
        variants.push(json!("not an object"));
        let doc = json!({ "keys": variants });
        let set = JwkSet::parse(doc.to_string().as_bytes()).unwrap();
        assert_eq!(
            set.kids().collect::<Vec<_>>(),
            ["bare", "test-only-platform-1"]
        );
        let reasons: Vec<&str> = set.skipped().iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons.len(), 8, "{reasons:?}");
        assert!(reasons[0].contains("kty"));
        assert!(reasons[1].contains("use"));
        assert!(reasons[2].contains("alg"));
        assert!(reasons[3].contains("under 2048"));
        assert!(reasons[4].contains("base64url"));
        assert_eq!(reasons[5], "no kid");
        assert_eq!(reasons[6], "duplicate kid");
    }

    #[test]
    fn documents_that_are_not_a_jwks_are_typed_errors() {
        assert!(matches!(
            JwkSet::parse(b"<html>"),
            Err(JwksError::NotJson(_))
        ));
        assert_eq!(JwkSet::parse(b"{\"keys\":{}}"), Err(JwksError::NotAJwks));
        assert_eq!(JwkSet::parse(b"[]"), Err(JwksError::NotAJwks));
        let big = vec![b' '; MAX_JWKS_BYTES + 1];
        assert_eq!(
            JwkSet::parse(&big),
            Err(JwksError::TooLarge {
                bytes: MAX_JWKS_BYTES + 1
            })
        );
        let empty = JwkSet::parse(b"{\"keys\":[]}").unwrap();
        assert!(empty.is_empty());
    }
}
