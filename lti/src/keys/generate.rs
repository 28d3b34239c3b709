//! Making one tool key: an RSA 2048 pair from aws-lc-rs, its kid (the RFC 7638 SHA-256 JWK
//! thumbprint, base64url) and its public JWK `{kty, alg, use, kid, n, e}`; then sealing it
//! into a [`ToolKey`] row. The private half stays in PKCS#8 bytes that `Debug` never shows.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{KeyEncryptionKey, KeyError};
use crate::store::{KeyStatus, ToolKey};

/// A freshly generated key pair, before sealing.
pub struct GeneratedKey {
    kid: String,
    pkcs8: Vec<u8>,
    public_jwk: Value,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Drop for GeneratedKey {
    fn drop(&mut self) {
        self.pkcs8.fill(0);
    }
}

/// Generates an RSA 2048 key pair; its kid is the JWK thumbprint of its public key.
pub fn generate() -> Result<GeneratedKey, KeyError> {
    let pair =
        KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Crypto("RSA 2048 generation"))?;
    let pkcs8 = pair
        .as_der()
        .map_err(|_| KeyError::Crypto("PKCS#8 export"))?
        .as_ref()
        .to_vec();
    let public = pair.public_key();
    let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
    let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
    let kid = jwk_thumbprint(&n, &e);
    let public_jwk = json!({
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": kid,
        "n": n,
        "e": e,
    });
    Ok(GeneratedKey {
        kid,
        pkcs8,
        public_jwk,
    })
}

/// The RFC 7638 thumbprint of an RSA public key given as the JWK's base64url `n` and `e`:
/// base64url(SHA-256(`{"e":…,"kty":"RSA","n":…}`)), members in that order, no spaces.
pub fn jwk_thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()))
}

impl GeneratedKey {
    /// The kid.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK.
    pub fn public_jwk(&self) -> &Value {
        &self.public_jwk
    }

    /// The private key, PKCS#8 DER (for sealing; never log it).
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The row to store: the private key sealed with `kek` (the kid bound as associated data).
    pub fn seal(
        &self,
        kek: &KeyEncryptionKey,
        status: KeyStatus,
        now: i64,
    ) -> Result<ToolKey, KeyError> {
        Ok(ToolKey {
            kid: self.kid.clone(),
            status,
            sealed_private_key: kek.seal(&self.kid, &self.pkcs8)?,
            public_jwk: self.public_jwk.to_string(),
            created_at: now,
            status_since: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_jwk_has_the_rs256_shape_and_the_thumbprint_kid() {
        let key = generate().unwrap();
        let jwk = key.public_jwk().as_object().unwrap();
        let mut members: Vec<&str> = jwk.keys().map(String::as_str).collect();
        members.sort_unstable();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["e"], "AQAB");
        let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        assert_eq!(n.len(), 256, "a 2048-bit modulus");
        assert!(n[0] & 0x80 != 0, "no leading zero byte");
        assert_eq!(jwk["kid"], key.kid());
        assert_eq!(
            key.kid(),
            jwk_thumbprint(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
        );
        assert_eq!(key.kid().len(), 43);
        assert_ne!(generate().unwrap().kid(), key.kid());
    }

    #[test]
    fn thumbprint_matches_the_rfc_7638_example() {
        // RFC 7638 §3.1: the example RSA key and its thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(
            jwk_thumbprint(n, "AQAB"),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn sealed_bytes_do_not_contain_the_private_key() {
        let key = generate().unwrap();
        let kek = KeyEncryptionKey::from_secret(&[5u8; 32]).unwrap();
        let row = key.seal(&kek, KeyStatus::Current, 1_700_000_000).unwrap();
        let der = key.pkcs8();
        assert!(der.len() > 1000);
        // Not the DER, nor any 16-byte window of it (the private exponent included).
        assert!(
            der.windows(16)
                .all(|w| !row.sealed_private_key.windows(16).any(|s| s == w))
        );
        assert!(!row.public_jwk.contains("\"d\""), "public JWK only");
        assert_eq!(row.kid, key.kid());
        assert_eq!(
            (row.created_at, row.status_since),
            (1_700_000_000, 1_700_000_000)
        );
        assert_eq!(
            kek.open(&row.kid, &row.sealed_private_key).unwrap().pkcs8(),
            der
        );
        assert!(!format!("{key:?} {row:?}").contains(&URL_SAFE_NO_PAD.encode(&der[..32])));
    }
}
