//! The demo platform's signing key: an RSA 2048 key generated at start with aws-lc-rs, its
//! public JWK for `/jwks`, and RS256 signing of id_tokens with the kid in the header. The
//! private key lives only in memory and is never printed (no `Debug` of it).

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::random::{RandomUnavailable, token};

/// Why the demo platform could not make or use its key.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// aws-lc-rs could not generate or export the RSA key.
    #[error("the demo platform could not generate its RSA key")]
    KeyGeneration,
    /// The system random source failed.
    #[error(transparent)]
    Random(#[from] RandomUnavailable),
    /// jsonwebtoken refused to sign.
    #[error("signing the id_token failed: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// The platform's RSA key: signs id_tokens, publishes its public half.
pub struct PlatformKey {
    kid: String,
    encoding_key: EncodingKey,
    public_jwk: Value,
}

impl std::fmt::Debug for PlatformKey {
    /// Shows the kid only, never the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl PlatformKey {
    /// Generates a fresh RSA 2048 key with a random kid.
    pub fn generate() -> Result<PlatformKey, SigningError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| SigningError::KeyGeneration)?;
        let pkcs8 = pair.as_der().map_err(|_| SigningError::KeyGeneration)?;
        // jsonwebtoken's `from_rsa_der` wants PKCS#1 on aws-lc-rs; its PEM reader takes PKCS#8.
        let pem = pkcs8_pem(pkcs8.as_ref());
        let encoding_key = EncodingKey::from_rsa_pem(pem.as_bytes())?;
        let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let kid = format!("cairn-demo-{}", &token()?[..12]);
        let public_jwk = json!({
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(&components.n),
            "e": URL_SAFE_NO_PAD.encode(&components.e),
        });
        Ok(PlatformKey {
            kid,
            encoding_key,
            public_jwk,
        })
    }

    /// The key id every token header carries.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWKS document served at `/jwks`: `{"keys": [<public JWK>]}`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.public_jwk] })
    }

    /// Signs `claims` as a compact RS256 JWS with header `{"typ":"JWT","alg":"RS256","kid"}`.
    pub fn sign(&self, claims: &Value) -> Result<String, SigningError> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some("JWT".to_owned());
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding_key)?)
    }
}

/// PKCS#8 DER as a `PRIVATE KEY` PEM block (64-character lines).
fn pkcs8_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};

    #[test]
    fn a_signed_token_verifies_with_the_published_jwk() {
        let key = PlatformKey::generate().unwrap();
        let token = key
            .sign(&json!({"sub": "3", "exp": 4_000_000_000_i64}))
            .unwrap();
        assert_eq!(
            decode_header(&token).unwrap().kid.as_deref(),
            Some(key.kid())
        );
        let set: JwkSet = serde_json::from_value(key.jwks()).unwrap();
        let jwk = set.find(key.kid()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        let data =
            decode::<Value>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation).unwrap();
        assert_eq!(data.claims["sub"], json!("3"));
        // 2048-bit modulus: 256 bytes.
        let n = URL_SAFE_NO_PAD
            .decode(key.jwks()["keys"][0]["n"].as_str().unwrap())
            .unwrap();
        assert_eq!(n.len(), 256);
    }

    #[test]
    fn another_key_does_not_verify_it() {
        let key = PlatformKey::generate().unwrap();
        let other = PlatformKey::generate().unwrap();
        assert_ne!(key.kid(), other.kid());
        let token = key.sign(&json!({"exp": 4_000_000_000_i64})).unwrap();
        let set: JwkSet = serde_json::from_value(other.jwks()).unwrap();
        let decoding = DecodingKey::from_jwk(&set.keys[0]).unwrap();
        let result = decode::<Value>(&token, &decoding, &Validation::new(Algorithm::RS256));
        assert!(result.is_err());
    }

    #[test]
    fn debug_never_shows_the_private_key() {
        let key = PlatformKey::generate().unwrap();
        let shown = format!("{key:?}");
        assert!(shown.contains(key.kid()));
        assert!(!shown.contains("PRIVATE"));
    }
}
