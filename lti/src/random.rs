//! Unguessable values from the operating system's CSPRNG (through aws-lc-rs): login `state`
//! and `nonce`, session ids, API bearer tokens (`spec/lti.md` §2: at least 128 bits, base64url).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Bytes of randomness in every value: 256 bits, twice the spec's floor.
pub const RANDOM_BYTES: usize = 32;

/// The CSPRNG could not be read (the OS refused).
#[derive(Debug, thiserror::Error)]
#[error("the system's random number generator is unavailable")]
pub struct RandomUnavailable;

/// A fresh random value, base64url without padding (43 characters).
pub fn token() -> Result<String, RandomUnavailable> {
    let mut bytes = [0u8; RANDOM_BYTES];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| RandomUnavailable)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a bearer token, hex: what the store keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_url_safe() {
        let a = token().expect("random");
        let b = token().expect("random");
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
