//! The tool's keys in the store and their rotation (`spec/lti.md` §6.2): first start makes
//! one current and one next key; a rotation adds a new next, promotes next to current and
//! keeps the old current published as previous for 24 h; the JWKS lists next, current and
//! previous; the current key signs (RS256, its kid in the header).

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::{Value, json};

use super::kek::OpenedKey;
use super::{KeyEncryptionKey, KeyError, generate};
use crate::store::{KeyStatus, Store, StoreError, ToolKey};

/// How long a next key is published before it may sign: the longest platform JWKS cache (1 h).
pub const MIN_NEXT_PUBLISHED_SECONDS: i64 = 3600;

/// How long a previous key stays published after it stops signing (24 h).
pub const PREVIOUS_KEPT_SECONDS: i64 = 24 * 3600;

/// What [`ensure`] had to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnsureOutcome {
    /// A current and a next key existed already.
    Present,
    /// First start: a current and a next key were created.
    Created,
    /// Keys were incomplete (an interrupted start or rotation) and were completed.
    Completed,
}

/// On start: makes sure there is a current key and a next key, creating what is missing.
pub async fn ensure(
    store: &dyn Store,
    kek: &KeyEncryptionKey,
    now: i64,
) -> Result<EnsureOutcome, KeyError> {
    let keys = store.tool_keys().await?;
    let has = |status| keys.iter().any(|key| key.status == status);
    match (has(KeyStatus::Current), has(KeyStatus::Next)) {
        (true, true) => Ok(EnsureOutcome::Present),
        (false, false) => {
            insert_new(store, kek, KeyStatus::Current, now).await?;
            insert_new(store, kek, KeyStatus::Next, now).await?;
            Ok(EnsureOutcome::Created)
        }
        (true, false) => {
            insert_new(store, kek, KeyStatus::Next, now).await?;
            Ok(EnsureOutcome::Completed)
        }
        (false, true) => {
            // Only a next key (an interrupted start): promote it.
            promote(store, kek, now).await?;
            Ok(EnsureOutcome::Completed)
        }
    }
}

/// Generates, seals and inserts one key. If another instance inserted the same role at the
/// same moment, the store's answer `AlreadyExists` is not an error: one of them stands.
async fn insert_new(
    store: &dyn Store,
    kek: &KeyEncryptionKey,
    status: KeyStatus,
    now: i64,
) -> Result<(), KeyError> {
    let row = generate()?.seal(kek, status, now)?;
    match store.insert_tool_key(&row).await {
        Ok(()) | Err(StoreError::AlreadyExists(_)) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Rotates per §6.2 once the next key has been published for at least
/// [`MIN_NEXT_PUBLISHED_SECONDS`]: a new next key, next → current, current → previous, and
/// previous keys older than [`PREVIOUS_KEPT_SECONDS`] removed. Returns the new current kid.
pub async fn rotate(
    store: &dyn Store,
    kek: &KeyEncryptionKey,
    now: i64,
) -> Result<String, KeyError> {
    let keys = store.tool_keys().await?;
    if let Some(next) = keys.iter().find(|key| key.status == KeyStatus::Next) {
        let published_seconds = now - next.status_since;
        if published_seconds < MIN_NEXT_PUBLISHED_SECONDS {
            return Err(KeyError::NextKeyTooNew {
                kid: next.kid.clone(),
                published_seconds,
                needed_seconds: MIN_NEXT_PUBLISHED_SECONDS,
            });
        }
    }
    rotate_unchecked(store, kek, now).await
}

/// [`rotate`] without the one-hour wait (a compromised key must go at once; platforms that
/// cached the old JWKS fail to verify the tool's tokens until they refetch).
pub async fn rotate_unchecked(
    store: &dyn Store,
    kek: &KeyEncryptionKey,
    now: i64,
) -> Result<String, KeyError> {
    // Rotating without both would leave no current key: first start completes them.
    let keys = store.tool_keys().await?;
    current(&keys)?;
    if !keys.iter().any(|key| key.status == KeyStatus::Next) {
        return Err(KeyError::NoNextKey);
    }
    promote(store, kek, now).await
}

/// One store rotation with a freshly generated next key; returns the new current kid.
async fn promote(store: &dyn Store, kek: &KeyEncryptionKey, now: i64) -> Result<String, KeyError> {
    let new_next = generate()?.seal(kek, KeyStatus::Next, now)?;
    store
        .rotate_tool_keys(&new_next, now, now - PREVIOUS_KEPT_SECONDS)
        .await?;
    let keys = store.tool_keys().await?;
    current(&keys).map(|key| key.kid.clone())
}

/// The tool's JWKS document (`/.well-known/jwks.json`): `{"keys": [...]}` with the next,
/// current and previous public keys, in that order (newest first within each).
pub async fn jwks(store: &dyn Store) -> Result<Value, KeyError> {
    let keys = store.tool_keys().await?;
    let mut listed = Vec::with_capacity(keys.len());
    for status in [KeyStatus::Next, KeyStatus::Current, KeyStatus::Previous] {
        for key in keys.iter().filter(|key| key.status == status) {
            listed.push(public_jwk(key)?);
        }
    }
    Ok(json!({ "keys": listed }))
}

/// Reads a stored public JWK, refusing anything with a private member.
fn public_jwk(key: &ToolKey) -> Result<Value, KeyError> {
    let corrupt = |reason: &str| KeyError::Corrupt {
        kid: key.kid.clone(),
        reason: reason.to_owned(),
    };
    let jwk: Value =
        serde_json::from_str(&key.public_jwk).map_err(|_| corrupt("public JWK is not JSON"))?;
    let object = jwk
        .as_object()
        .ok_or_else(|| corrupt("public JWK is not an object"))?;
    if ["d", "p", "q", "dp", "dq", "qi"]
        .iter()
        .any(|member| object.contains_key(*member))
    {
        return Err(corrupt(
            "public JWK holds private members; it is not published",
        ));
    }
    if object.get("kid").and_then(Value::as_str) != Some(key.kid.as_str()) {
        return Err(corrupt("public JWK kid differs from the row's kid"));
    }
    Ok(jwk)
}

/// The newest current key (several only after a race of two first starts).
fn current(keys: &[ToolKey]) -> Result<&ToolKey, KeyError> {
    keys.iter()
        .filter(|key| key.status == KeyStatus::Current)
        .max_by_key(|key| (key.status_since, key.created_at))
        .ok_or(KeyError::NoCurrentKey)
}

/// The current key, opened: what signs client assertions and Deep Linking responses.
pub async fn signing_key(
    store: &dyn Store,
    kek: &KeyEncryptionKey,
) -> Result<ToolSigningKey, KeyError> {
    let keys = store.tool_keys().await?;
    let key = current(&keys)?;
    let opened = kek.open(&key.kid, &key.sealed_private_key)?;
    let encoding = encoding_key(&key.kid, &opened)?;
    Ok(ToolSigningKey {
        kid: key.kid.clone(),
        key: encoding,
    })
}

/// jsonwebtoken wants PKCS#1 or PEM; PKCS#8 goes in as PEM so its own parser unwraps it.
fn encoding_key(kid: &str, opened: &OpenedKey) -> Result<EncodingKey, KeyError> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let body = STANDARD.encode(opened.pkcs8());
    let mut pem = String::with_capacity(body.len() + 80);
    pem.push_str("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 text is ASCII, so each chunk is valid UTF-8.
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| KeyError::Corrupt {
        kid: kid.to_owned(),
        reason: "the opened private key is not an RSA PKCS#8 key".to_owned(),
    });
    // Best effort: do not leave the key's text in freed memory.
    wipe(pem);
    wipe(body);
    key
}

fn wipe(text: String) {
    let mut bytes = text.into_bytes();
    bytes.fill(0);
}

/// The tool's current private key, ready for jsonwebtoken. `Debug` shows the kid only.
#[derive(Clone)]
pub struct ToolSigningKey {
    /// The kid every JWT header signed with this key carries.
    pub kid: String,
    key: EncodingKey,
}

impl std::fmt::Debug for ToolSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolSigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl ToolSigningKey {
    /// A signing key from an RSA private key in PEM (PKCS#8 or PKCS#1) and its kid: keys the
    /// store does not hold (tests signing with `../shared/fixtures/lti/keys/`, the demo).
    pub fn from_pem(kid: &str, pem: &[u8]) -> Result<ToolSigningKey, KeyError> {
        let key = EncodingKey::from_rsa_pem(pem).map_err(|_| KeyError::Corrupt {
            kid: kid.to_owned(),
            reason: "not an RSA private key in PEM".to_owned(),
        })?;
        Ok(ToolSigningKey {
            kid: kid.to_owned(),
            key,
        })
    }

    /// The jsonwebtoken key (RS256).
    pub fn encoding_key(&self) -> &EncodingKey {
        &self.key
    }

    /// The header to sign with: `{"alg":"RS256","typ":"JWT","kid":<kid>}`.
    pub fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header
    }

    /// Signs `claims` as a compact RS256 JWT carrying this key's kid.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, KeyError> {
        Ok(jsonwebtoken::encode(&self.header(), claims, &self.key)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_signed_with_a_generated_key_verifies_with_its_public_jwk() {
        let kek = KeyEncryptionKey::from_secret(&[3u8; 32]).unwrap();
        let generated = generate().unwrap();
        let row = generated.seal(&kek, KeyStatus::Current, 100).unwrap();
        let opened = kek.open(&row.kid, &row.sealed_private_key).unwrap();
        let signer = ToolSigningKey {
            kid: row.kid.clone(),
            key: encoding_key(&row.kid, &opened).unwrap(),
        };
        let token = signer
            .sign(&json!({"iss": "cairn", "aud": "platform", "exp": 4_000_000_000u64}))
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some(row.kid.as_str()));

        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_str(&row.public_jwk).unwrap();
        let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.set_audience(&["platform"]);
        let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap();
        assert_eq!(data.claims["iss"], "cairn");

        // Another key's JWK does not verify it.
        let other: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(generate().unwrap().public_jwk().clone()).unwrap();
        let other = jsonwebtoken::DecodingKey::from_jwk(&other).unwrap();
        assert!(jsonwebtoken::decode::<Value>(&token, &other, &validation).is_err());
        assert!(!format!("{signer:?}").contains("key:"));
    }

    #[test]
    fn a_stored_jwk_with_private_members_is_not_published() {
        let row = ToolKey {
            kid: "k".to_owned(),
            status: KeyStatus::Current,
            sealed_private_key: Vec::new(),
            public_jwk: r#"{"kty":"RSA","kid":"k","n":"x","e":"AQAB","d":"secret"}"#.to_owned(),
            created_at: 0,
            status_since: 0,
        };
        assert!(matches!(public_jwk(&row), Err(KeyError::Corrupt { .. })));
        let wrong_kid = ToolKey {
            public_jwk: r#"{"kty":"RSA","kid":"other","n":"x","e":"AQAB"}"#.to_owned(),
            ..row
        };
        assert!(matches!(
            public_jwk(&wrong_kid),
            Err(KeyError::Corrupt { .. })
        ));
    }
}
