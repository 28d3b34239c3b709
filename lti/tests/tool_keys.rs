//! The tool's keys on the real SQLite store (`spec/lti.md` §6.2): first start, the JWKS
//! document, signing and verifying with jsonwebtoken against the published JWK, rotation
//! with its one-hour and 24-hour rules, and the key-encryption key guarding the rows.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cairn_lti::keys::{
    self, EnsureOutcome, KeyEncryptionKey, KeyError, MIN_NEXT_PUBLISHED_SECONDS,
    PREVIOUS_KEPT_SECONDS,
};
use cairn_lti::store::{KeyStatus, Store};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

const T0: i64 = 1_800_000_000;

/// A fresh SQLite database in a temporary folder, removed when dropped.
struct Db {
    dir: PathBuf,
    store: Arc<dyn Store>,
}

impl Db {
    async fn new() -> Db {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cairn-tool-keys-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = cairn_lti::store::open(dir.join("cairn.db").to_str().unwrap())
            .await
            .unwrap();
        Db { dir, store }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn kek() -> KeyEncryptionKey {
    KeyEncryptionKey::from_secret(&[42u8; 32]).unwrap()
}

fn statuses(keys: &[cairn_lti::store::ToolKey]) -> Vec<(String, &'static str)> {
    let mut out: Vec<_> = keys
        .iter()
        .map(|k| (k.kid.clone(), k.status.as_str()))
        .collect();
    out.sort();
    out
}

fn kid_of(keys: &[cairn_lti::store::ToolKey], status: KeyStatus) -> String {
    let found: Vec<_> = keys.iter().filter(|k| k.status == status).collect();
    assert_eq!(found.len(), 1, "one {status:?} key");
    found[0].kid.clone()
}

/// Verifies `token` with the key the JWKS lists under the token header's kid.
fn verify_with_jwks(token: &str, jwks: &Value) -> Result<Value, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.ok_or("no kid in the header")?;
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .ok_or(format!("kid {kid} is not in the JWKS"))?;
    let jwk: Jwk = serde_json::from_value(jwk.clone()).map_err(|e| e.to_string())?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["https://platform.test/token"]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| e.to_string())
}

fn assertion_claims() -> Value {
    json!({
        "iss": "cairn-client-id",
        "sub": "cairn-client-id",
        "aud": "https://platform.test/token",
        "exp": 4_000_000_000u64,
        "jti": "one"
    })
}

#[tokio::test]
async fn first_start_creates_one_current_and_one_next_key() {
    let db = Db::new().await;
    let kek = kek();
    assert_eq!(
        keys::ensure(&*db.store, &kek, T0).await.unwrap(),
        EnsureOutcome::Created
    );
    let stored = db.store.tool_keys().await.unwrap();
    assert_eq!(stored.len(), 2);
    let current = kid_of(&stored, KeyStatus::Current);
    let next = kid_of(&stored, KeyStatus::Next);
    assert_ne!(current, next);
    // A second start changes nothing.
    assert_eq!(
        keys::ensure(&*db.store, &kek, T0 + 60).await.unwrap(),
        EnsureOutcome::Present
    );
    assert_eq!(
        statuses(&db.store.tool_keys().await.unwrap()),
        statuses(&stored)
    );
}

#[tokio::test]
async fn a_token_signed_with_the_signing_key_verifies_with_the_published_jwk() {
    let db = Db::new().await;
    let kek = kek();
    keys::ensure(&*db.store, &kek, T0).await.unwrap();
    let signer = keys::signing_key(&*db.store, &kek).await.unwrap();
    let stored = db.store.tool_keys().await.unwrap();
    assert_eq!(signer.kid, kid_of(&stored, KeyStatus::Current));
    let token = signer.sign(&assertion_claims()).unwrap();
    let jwks = keys::jwks(&*db.store).await.unwrap();
    let claims = verify_with_jwks(&token, &jwks).unwrap();
    assert_eq!(claims["jti"], "one");
    // Tampering is caught by the same verification.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].replace('A', "B");
    assert!(verify_with_jwks(&parts.join("."), &jwks).is_err());
    assert!(!format!("{signer:?}").contains("content"));
}

#[tokio::test]
async fn the_jwks_lists_next_current_and_previous_public_keys_only() {
    let db = Db::new().await;
    let kek = kek();
    keys::ensure(&*db.store, &kek, T0).await.unwrap();
    keys::rotate(&*db.store, &kek, T0 + MIN_NEXT_PUBLISHED_SECONDS)
        .await
        .unwrap();
    let stored = db.store.tool_keys().await.unwrap();
    let jwks = keys::jwks(&*db.store).await.unwrap();
    let listed: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            kid_of(&stored, KeyStatus::Next),
            kid_of(&stored, KeyStatus::Current),
            kid_of(&stored, KeyStatus::Previous),
        ]
    );
    for key in jwks["keys"].as_array().unwrap() {
        let mut members: Vec<&str> = key
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        members.sort_unstable();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(
            (&key["kty"], &key["alg"], &key["use"]),
            (&json!("RSA"), &json!("RS256"), &json!("sig"))
        );
    }
}

#[tokio::test]
async fn rotation_waits_an_hour_then_promotes_next_and_keeps_the_old_key_published() {
    let db = Db::new().await;
    let kek = kek();
    keys::ensure(&*db.store, &kek, T0).await.unwrap();
    let before = db.store.tool_keys().await.unwrap();
    let (old_current, old_next) = (
        kid_of(&before, KeyStatus::Current),
        kid_of(&before, KeyStatus::Next),
    );
    let old_token = keys::signing_key(&*db.store, &kek)
        .await
        .unwrap()
        .sign(&assertion_claims())
        .unwrap();

    let err = keys::rotate(&*db.store, &kek, T0 + MIN_NEXT_PUBLISHED_SECONDS - 1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, KeyError::NextKeyTooNew { ref kid, published_seconds: 3599, needed_seconds: 3600 } if *kid == old_next),
        "{err}"
    );
    assert_eq!(
        statuses(&db.store.tool_keys().await.unwrap()),
        statuses(&before)
    );

    let t1 = T0 + MIN_NEXT_PUBLISHED_SECONDS;
    let new_current = keys::rotate(&*db.store, &kek, t1).await.unwrap();
    assert_eq!(new_current, old_next);
    let after = db.store.tool_keys().await.unwrap();
    assert_eq!(kid_of(&after, KeyStatus::Current), old_next);
    assert_eq!(kid_of(&after, KeyStatus::Previous), old_current);
    let new_next = kid_of(&after, KeyStatus::Next);
    assert!(new_next != old_current && new_next != old_next);

    let signer = keys::signing_key(&*db.store, &kek).await.unwrap();
    assert_eq!(signer.kid, old_next);
    let jwks = keys::jwks(&*db.store).await.unwrap();
    verify_with_jwks(&signer.sign(&assertion_claims()).unwrap(), &jwks).unwrap();
    // A token signed before the rotation still verifies: the previous key is published.
    verify_with_jwks(&old_token, &jwks).unwrap();
}

#[tokio::test]
async fn previous_keys_are_removed_after_24_hours() {
    let db = Db::new().await;
    let kek = kek();
    keys::ensure(&*db.store, &kek, T0).await.unwrap();
    let first = kid_of(&db.store.tool_keys().await.unwrap(), KeyStatus::Current);
    let t1 = T0 + MIN_NEXT_PUBLISHED_SECONDS;
    keys::rotate(&*db.store, &kek, t1).await.unwrap();
    // 24 h after it stopped signing, the first key is still published…
    keys::rotate(&*db.store, &kek, t1 + PREVIOUS_KEPT_SECONDS)
        .await
        .unwrap();
    let stored = db.store.tool_keys().await.unwrap();
    assert!(
        stored
            .iter()
            .any(|k| k.kid == first && k.status == KeyStatus::Previous)
    );
    assert_eq!(stored.len(), 4);
    // …and one second later the next rotation removes it.
    keys::rotate(&*db.store, &kek, t1 + 2 * PREVIOUS_KEPT_SECONDS + 1)
        .await
        .unwrap();
    let stored = db.store.tool_keys().await.unwrap();
    assert!(stored.iter().all(|k| k.kid != first), "{stored:?}");
    assert_eq!(stored.len(), 3, "{stored:?}");
    let jwks = keys::jwks(&*db.store).await.unwrap();
    assert!(!jwks.to_string().contains(&first));
}

#[tokio::test]
async fn a_wrong_kek_cannot_open_the_stored_keys() {
    let db = Db::new().await;
    keys::ensure(&*db.store, &kek(), T0).await.unwrap();
    let other = KeyEncryptionKey::from_secret(&[43u8; 32]).unwrap();
    let err = keys::signing_key(&*db.store, &other).await.unwrap_err();
    assert!(matches!(err, KeyError::WrongKek { .. }), "{err}");
    // The stored rows hold no private key in clear.
    for key in db.store.tool_keys().await.unwrap() {
        let opened = kek().open(&key.kid, &key.sealed_private_key).unwrap();
        let der = opened.pkcs8();
        assert!(
            der.windows(32)
                .all(|w| !key.sealed_private_key.windows(32).any(|s| s == w))
        );
        assert!(!key.public_jwk.contains("\"d\""));
    }
}

#[tokio::test]
async fn an_interrupted_start_is_completed() {
    let db = Db::new().await;
    let kek = kek();
    // Rotation needs a current and a next key; it writes nothing without them.
    let err = keys::rotate_unchecked(&*db.store, &kek, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, KeyError::NoCurrentKey), "{err}");
    assert!(db.store.tool_keys().await.unwrap().is_empty());
    // A start interrupted after the next key was stored.
    let next = keys::generate()
        .unwrap()
        .seal(&kek, KeyStatus::Next, T0)
        .unwrap();
    db.store.insert_tool_key(&next).await.unwrap();
    let err = keys::rotate(&*db.store, &kek, T0 + 7200).await.unwrap_err();
    assert!(matches!(err, KeyError::NoCurrentKey), "{err}");
    let stored = db.store.tool_keys().await.unwrap();
    assert_eq!(stored.len(), 1);
    let only_next = kid_of(&stored, KeyStatus::Next);
    assert_eq!(
        keys::ensure(&*db.store, &kek, T0 + 1).await.unwrap(),
        EnsureOutcome::Completed
    );
    let stored = db.store.tool_keys().await.unwrap();
    assert_eq!(kid_of(&stored, KeyStatus::Current), only_next);
    kid_of(&stored, KeyStatus::Next);
    keys::signing_key(&*db.store, &kek).await.unwrap();
}

#[tokio::test]
async fn a_start_interrupted_before_the_next_key_is_completed() {
    let db = Db::new().await;
    let kek = kek();
    let current = keys::generate()
        .unwrap()
        .seal(&kek, KeyStatus::Current, T0)
        .unwrap();
    db.store.insert_tool_key(&current).await.unwrap();
    let err = keys::rotate_unchecked(&*db.store, &kek, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, KeyError::NoNextKey), "{err}");
    assert_eq!(
        keys::ensure(&*db.store, &kek, T0 + 1).await.unwrap(),
        EnsureOutcome::Completed
    );
    let stored = db.store.tool_keys().await.unwrap();
    assert_eq!(kid_of(&stored, KeyStatus::Current), current.kid);
    kid_of(&stored, KeyStatus::Next);
}
