//! Issuer keys (`spec/badges.md` §4): Ed25519 Multikeys (`publicKeyMultibase` =
//! `z` + base58btc(0xed 0x01 ‖ pk), secret `z` + base58btc(0x80 0x26 ‖ seed)), `did:key`
//! identifiers, `https` key ids `<issuer id>#z6Mk…` (D3), and resolution of a proof's
//! `verificationMethod` to a key and its controller: `did:key` derived locally, the `https`
//! fragment shortcut, or a controller document the caller supplies. Never fetches
//! anything (`did:web` and other URLs resolve only through supplied documents) and never
//! generates keys: seeds are arguments.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde_json::Value;

use super::error::CredentialError;

/// Multicodec prefix of an Ed25519 public key (`ed25519-pub`, varint 0xed).
pub const ED25519_PUB_PREFIX: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 secret seed (`ed25519-priv`, varint 0x1300).
pub const ED25519_PRIV_PREFIX: [u8; 2] = [0x80, 0x26];

/// An Ed25519 public key in Multikey form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Multikey {
    key: VerifyingKey,
}

impl std::fmt::Debug for Multikey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Multikey({})", self.to_multibase())
    }
}

impl Multikey {
    /// From 32 public key bytes; refuses bytes that are not a curve point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, CredentialError> {
        VerifyingKey::from_bytes(bytes)
            .map(|key| Multikey { key })
            .map_err(|_| CredentialError::KeyInvalid {
                reason: "the 32 bytes are not an Ed25519 public key".to_owned(),
            })
    }

    /// Reads a `publicKeyMultibase` (`z6Mk…`): base58btc, 34 bytes, prefix `0xed 0x01`.
    pub fn from_multibase(text: &str) -> Result<Self, CredentialError> {
        let bytes = decode_multibase(text)?;
        match bytes.split_first_chunk::<2>() {
            Some((prefix, rest)) if *prefix == ED25519_PUB_PREFIX && rest.len() == 32 => {
                let mut pk = [0u8; 32];
                pk.copy_from_slice(rest);
                Multikey::from_bytes(&pk)
            }
            _ => Err(CredentialError::KeyInvalid {
                reason: format!(
                    "\"{text}\" is not an Ed25519 Multikey: it must decode to 34 bytes starting 0xed 0x01"
                ),
            }),
        }
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// `publicKeyMultibase`: `z` + base58btc(0xed 0x01 ‖ pk).
    pub fn to_multibase(&self) -> String {
        let mut bytes = Vec::with_capacity(34);
        bytes.extend_from_slice(&ED25519_PUB_PREFIX);
        bytes.extend_from_slice(self.key.as_bytes());
        format!("z{}", bs58::encode(bytes).into_string())
    }

    /// `did:key:z6Mk…`.
    pub fn did_key(&self) -> String {
        format!("did:key:{}", self.to_multibase())
    }

    /// The `did:key` verification method, fragment included: `did:key:z6Mk…#z6Mk…`.
    pub fn did_key_method(&self) -> String {
        let mb = self.to_multibase();
        format!("did:key:{mb}#{mb}")
    }

    /// The key id of an `https` issuer (D3): `<issuer id>#z6Mk…`.
    pub fn https_method(&self, issuer_id: &str) -> String {
        format!("{issuer_id}#{}", self.to_multibase())
    }

    /// Verifies an Ed25519 signature strictly (canonical `S`, no small-order keys).
    pub fn verify_strict(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        self.key.verify_strict(message, &sig).is_ok()
    }

    /// The controller document an `https` issuer hosts at its id (§4): DID v1 + Multikey
    /// contexts, the key as a `Multikey` verification method, listed under `assertionMethod`.
    pub fn controller_document(&self, issuer_id: &str) -> Value {
        let vm = self.https_method(issuer_id);
        serde_json::json!({
            "@context": [super::contexts::DID_V1, super::contexts::MULTIKEY_V1],
            "id": issuer_id,
            "verificationMethod": [{
                "id": vm,
                "type": "Multikey",
                "controller": issuer_id,
                "publicKeyMultibase": self.to_multibase(),
            }],
            "assertionMethod": [vm],
        })
    }
}

/// An issuer's Ed25519 signing key, from a 32-byte seed the host supplies (the core never
/// generates keys). The secret is wiped on drop.
pub struct IssuerKey {
    signing: SigningKey,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuerKey({})", self.public().to_multibase())
    }
}

impl IssuerKey {
    /// From the 32-byte seed (RFC 8032 secret key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        IssuerKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// From a secret Multikey `z3u2…` (`z` + base58btc(0x80 0x26 ‖ seed)).
    pub fn from_secret_multibase(text: &str) -> Result<Self, CredentialError> {
        let bytes = decode_multibase(text)?;
        match bytes.split_first_chunk::<2>() {
            Some((prefix, rest)) if *prefix == ED25519_PRIV_PREFIX && rest.len() == 32 => {
                let mut seed = [0u8; 32];
                seed.copy_from_slice(rest);
                Ok(IssuerKey::from_seed(&seed))
            }
            _ => Err(CredentialError::KeyInvalid {
                reason: "a secret Multikey must decode to 34 bytes starting 0x80 0x26".to_owned(),
            }),
        }
    }

    /// The secret as a Multikey `z3u2…` (for export; handle with care).
    pub fn secret_multibase(&self) -> String {
        let mut bytes = Vec::with_capacity(34);
        bytes.extend_from_slice(&ED25519_PRIV_PREFIX);
        bytes.extend_from_slice(self.signing.as_bytes());
        format!("z{}", bs58::encode(bytes).into_string())
    }

    /// The public key.
    pub fn public(&self) -> Multikey {
        Multikey {
            key: self.signing.verifying_key(),
        }
    }

    /// Ed25519 (RFC 8032, pure) over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// Decodes a base58btc multibase text (`z…`).
pub fn decode_multibase(text: &str) -> Result<Vec<u8>, CredentialError> {
    let body = text
        .strip_prefix('z')
        .ok_or_else(|| CredentialError::KeyInvalid {
            reason: format!("\"{text}\" is not base58btc multibase (it must start with z)"),
        })?;
    bs58::decode(body)
        .into_vec()
        .map_err(|_| CredentialError::KeyInvalid {
            reason: format!("\"{text}\" is not valid base58btc"),
        })
}

/// How a verification method was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// `did:key:z…#z…`, derived locally.
    DidKey,
    /// A bare `did:key:z…` without fragment (P6): accepted, never issued.
    BareDidKey,
    /// `<controller>#z6Mk…`: the key is the fragment (1EdTech validator rule).
    Fragment,
    /// A controller document the caller supplied.
    ControllerDocument,
}

/// A resolved verification method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedKey {
    /// The public key.
    pub key: Multikey,
    /// The controller the key belongs to (compared with `issuer.id`, V8).
    pub controller: String,
    /// How it was found.
    pub source: KeySource,
}

/// Why a verification method does not give a usable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyResolution {
    /// No key can be found for it (`key_unresolvable`).
    Unresolvable(String),
    /// Found, but not listed under `assertionMethod` (`key_not_authorized`).
    NotAuthorized(String),
}

/// Resolves `verification_method` (V7) and checks that it may assert (V8, first half).
/// `controllers` are controller documents the caller trusts (for example the issuer
/// profile it fetched); `fragment_key` enables the `https…#z6Mk…` shortcut.
pub fn resolve(
    verification_method: &str,
    controllers: &[Value],
    fragment_key: bool,
) -> Result<ResolvedKey, KeyResolution> {
    // A supplied controller document wins over every shortcut.
    let base = verification_method
        .split('#')
        .next()
        .unwrap_or(verification_method);
    if let Some(doc) = controllers
        .iter()
        .find(|d| d.get("id").and_then(Value::as_str) == Some(base))
    {
        return from_controller_document(verification_method, doc);
    }
    if let Some(rest) = verification_method.strip_prefix("did:key:") {
        let (id, fragment) = match rest.split_once('#') {
            Some((id, f)) => (id, Some(f)),
            None => (rest, None),
        };
        if let Some(f) = fragment
            && f != id
        {
            return Err(KeyResolution::Unresolvable(format!(
                "the did:key fragment \"{f}\" is not the key \"{id}\""
            )));
        }
        let key =
            Multikey::from_multibase(id).map_err(|e| KeyResolution::Unresolvable(e.to_string()))?;
        return Ok(ResolvedKey {
            key,
            controller: format!("did:key:{id}"),
            source: if fragment.is_some() {
                KeySource::DidKey
            } else {
                KeySource::BareDidKey
            },
        });
    }
    if fragment_key
        && (verification_method.starts_with("https://")
            || crate::credential::build::profile::is_loopback_http(verification_method))
        && let Some((controller, fragment)) = verification_method.split_once('#')
        && fragment.starts_with("z6Mk")
    {
        let key = Multikey::from_multibase(fragment)
            .map_err(|e| KeyResolution::Unresolvable(e.to_string()))?;
        return Ok(ResolvedKey {
            key,
            controller: controller.to_owned(),
            source: KeySource::Fragment,
        });
    }
    Err(KeyResolution::Unresolvable(format!(
        "no key for \"{verification_method}\": Cairn resolves did:key, https (or loopback http) key ids whose fragment is the key (…#z6Mk…), and controller documents passed to it; it never fetches"
    )))
}

fn from_controller_document(vm: &str, doc: &Value) -> Result<ResolvedKey, KeyResolution> {
    let doc_id = doc.get("id").and_then(Value::as_str).unwrap_or_default();
    let methods = doc
        .get("verificationMethod")
        .map(as_list)
        .unwrap_or_default();
    let method = methods
        .iter()
        .find(|m| m.get("id").and_then(Value::as_str) == Some(vm))
        .ok_or_else(|| {
            KeyResolution::Unresolvable(format!(
                "the controller document {doc_id} does not list the verification method {vm}"
            ))
        })?;
    let multibase = method
        .get("publicKeyMultibase")
        .and_then(Value::as_str)
        .ok_or_else(|| KeyResolution::Unresolvable(format!("{vm} has no publicKeyMultibase")))?;
    let key = Multikey::from_multibase(multibase)
        .map_err(|e| KeyResolution::Unresolvable(e.to_string()))?;
    let controller = method
        .get("controller")
        .and_then(Value::as_str)
        .unwrap_or(doc_id)
        .to_owned();
    if controller != doc_id {
        return Err(KeyResolution::Unresolvable(format!(
            "{vm} names controller {controller}, not the document {doc_id}"
        )));
    }
    let authorized = doc
        .get("assertionMethod")
        .map(as_list)
        .unwrap_or_default()
        .iter()
        .any(|a| a.as_str() == Some(vm) || a.get("id").and_then(Value::as_str) == Some(vm));
    if !authorized {
        return Err(KeyResolution::NotAuthorized(format!(
            "the controller document {doc_id} does not list {vm} under assertionMethod"
        )));
    }
    Ok(ResolvedKey {
        key,
        controller,
        source: KeySource::ControllerDocument,
    })
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8032 §7.1 TEST 1 (the project test key).
    const SEED: [u8; 32] = [
        0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c,
        0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae,
        0x7f, 0x60,
    ];

    #[test]
    fn multikey_forms_of_the_rfc8032_key() {
        let k = IssuerKey::from_seed(&SEED);
        let mb = k.public().to_multibase();
        assert_eq!(mb, "z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw");
        assert_eq!(
            Multikey::from_multibase(&mb).map(|m| m.to_bytes()),
            Ok(k.public().to_bytes())
        );
        let secret = k.secret_multibase();
        assert!(secret.starts_with("z3u2"), "{secret}");
        let back = IssuerKey::from_secret_multibase(&secret).map(|k| k.public().to_multibase());
        assert_eq!(back, Ok(mb.clone()));
        assert_eq!(k.public().did_key_method(), format!("did:key:{mb}#{mb}"));
        assert_eq!(
            k.public().https_method("https://c.example/i"),
            format!("https://c.example/i#{mb}")
        );
    }

    #[test]
    fn wrong_multicodec_prefix_is_refused() {
        let secret = IssuerKey::from_seed(&SEED).secret_multibase();
        assert_eq!(
            Multikey::from_multibase(&secret).map_err(|e| e.code()),
            Err("key_invalid")
        );
        assert!(Multikey::from_multibase("6Mk").is_err());
    }

    #[test]
    fn resolution_rules() {
        let mk = IssuerKey::from_seed(&SEED).public();
        let r = resolve(&mk.did_key_method(), &[], true).expect("did:key");
        assert_eq!(
            (r.controller.as_str(), r.source),
            (mk.did_key().as_str(), KeySource::DidKey)
        );
        let r = resolve(&mk.did_key(), &[], true).expect("bare did:key");
        assert_eq!(r.source, KeySource::BareDidKey);
        let vm = mk.https_method("https://c.example/i");
        let r = resolve(&vm, &[], true).expect("fragment");
        assert_eq!(
            (r.controller.as_str(), r.source),
            ("https://c.example/i", KeySource::Fragment)
        );
        assert!(matches!(
            resolve(&vm, &[], false),
            Err(KeyResolution::Unresolvable(_))
        ));
        let doc = mk.controller_document("https://c.example/i");
        let r = resolve(&vm, std::slice::from_ref(&doc), false).expect("controller document");
        assert_eq!(r.source, KeySource::ControllerDocument);
        let mut unauthorized = doc;
        unauthorized["assertionMethod"] = serde_json::json!([]);
        assert!(matches!(
            resolve(&vm, &[unauthorized], true),
            Err(KeyResolution::NotAuthorized(_))
        ));
        assert!(matches!(
            resolve("did:web:c.example", &[], true),
            Err(KeyResolution::Unresolvable(_))
        ));
    }
}
