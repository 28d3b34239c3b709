//! The key-encryption key (KEK): 32 bytes from `CAIRN_KEY_ENCRYPTION_KEY` (base64url or hex)
//! or from a key file created once with mode 0600, and the AES-256-GCM sealing of the tool's
//! PKCS#8 private keys with it (random 96-bit nonce stored with the ciphertext, the kid as
//! associated data, so a sealed key moved to another row does not open). Never prints the key.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::KeyError;

/// The environment variable that carries the KEK.
pub const KEK_ENV: &str = "CAIRN_KEY_ENCRYPTION_KEY";

/// The KEK's length in bytes (AES-256).
const KEK_LEN: usize = 32;

/// The first byte of every sealed key: the format (AES-256-GCM, nonce, ciphertext + tag).
const SEALED_FORMAT_V1: u8 = 1;

/// The AES-GCM tag length.
const TAG_LEN: usize = 16;

/// Where the KEK came from, for the start-up log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KekOrigin {
    /// `CAIRN_KEY_ENCRYPTION_KEY`.
    Environment,
    /// A key file that already existed.
    ExistingFile,
    /// A key file created by this call.
    NewFile,
}

/// The key that seals the tool's private keys at rest. `Debug` shows only its origin.
pub struct KeyEncryptionKey {
    aead: RandomizedNonceKey,
    origin: KekOrigin,
}

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEncryptionKey")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl KeyEncryptionKey {
    /// The KEK from `env_value` (the value of `CAIRN_KEY_ENCRYPTION_KEY`, if set) or else from
    /// the file at `path` (normally `./data/key-encryption.key`), which is created with 32
    /// random bytes and mode 0600 when absent. An existing file that group or others may
    /// access is refused ([`KeyError::KekFileTooOpen`]).
    pub fn from_env_or_file(env_value: Option<&str>, path: &Path) -> Result<Self, KeyError> {
        match env_value {
            Some(text) => Self::parse(text),
            None => Self::from_file(path),
        }
    }

    /// The KEK from text: 32 bytes as base64url (padded or not) or as hex.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::KekEnvEmpty);
        }
        let mut bytes = decode_key_text(text)?;
        let key = Self::from_bytes(&bytes, KekOrigin::Environment);
        bytes.fill(0);
        key
    }

    /// The KEK from its 32 raw bytes (tests and tools).
    pub fn from_secret(bytes: &[u8; KEK_LEN]) -> Result<Self, KeyError> {
        Self::from_bytes(bytes, KekOrigin::Environment)
    }

    fn from_bytes(bytes: &[u8], origin: KekOrigin) -> Result<Self, KeyError> {
        let aead = RandomizedNonceKey::new(&AES_256_GCM, bytes)
            .map_err(|_| KeyError::Crypto("AES-256-GCM key setup"))?;
        Ok(KeyEncryptionKey { aead, origin })
    }

    /// Reads the key file, or creates it when it does not exist.
    fn from_file(path: &Path) -> Result<Self, KeyError> {
        match File::open(path) {
            Ok(file) => read_key_file(file, path),
            Err(err) if err.kind() == ErrorKind::NotFound => match create_key_file(path) {
                Ok(key) => Ok(key),
                // Another process created it between our open and our create: use theirs.
                Err(KeyError::KekFileAccess { source, .. })
                    if source.kind() == ErrorKind::AlreadyExists =>
                {
                    let file = File::open(path).map_err(|source| access(path, source))?;
                    read_key_file(file, path)
                }
                Err(err) => Err(err),
            },
            Err(source) => Err(access(path, source)),
        }
    }

    /// Where this key came from.
    pub fn origin(&self) -> KekOrigin {
        self.origin
    }

    /// Seals `plaintext` (a PKCS#8 private key) for the key `kid`:
    /// `[format 1][96-bit random nonce][ciphertext][128-bit tag]`.
    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut in_out = plaintext.to_vec();
        let nonce = self
            .aead
            .seal_in_place_append_tag(Aad::from(kid.as_bytes()), &mut in_out)
            .map_err(|_| KeyError::Crypto("AES-256-GCM sealing"))?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + in_out.len());
        sealed.push(SEALED_FORMAT_V1);
        sealed.extend_from_slice(nonce.as_ref());
        sealed.extend_from_slice(&in_out);
        Ok(sealed)
    }

    /// Opens what [`KeyEncryptionKey::seal`] sealed for `kid`. A different KEK, kid or a
    /// changed byte gives [`KeyError::WrongKek`].
    pub fn open(&self, kid: &str, sealed: &[u8]) -> Result<OpenedKey, KeyError> {
        let format_error = || KeyError::SealedFormat {
            kid: kid.to_owned(),
        };
        let (format, rest) = sealed.split_first().ok_or_else(format_error)?;
        if *format != SEALED_FORMAT_V1 || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(format_error());
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| format_error())?;
        let mut in_out = ciphertext.to_vec();
        let opened = self
            .aead
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut in_out);
        match opened {
            Ok(plaintext) => {
                let len = plaintext.len();
                in_out.truncate(len);
                Ok(OpenedKey(in_out))
            }
            Err(_) => {
                in_out.fill(0);
                Err(KeyError::WrongKek {
                    kid: kid.to_owned(),
                })
            }
        }
    }
}

/// An opened private key (PKCS#8 DER). Overwritten when dropped; `Debug` prints nothing of it.
pub struct OpenedKey(Vec<u8>);

impl OpenedKey {
    /// The PKCS#8 DER bytes.
    pub fn pkcs8(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for OpenedKey {
    fn drop(&mut self) {
        self.0.fill(0);
    }
}

impl std::fmt::Debug for OpenedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpenedKey(..)")
    }
}

/// Decodes 64 hex digits or base64url (with or without `=` padding) into 32 bytes.
fn decode_key_text(text: &str) -> Result<Vec<u8>, KeyError> {
    if text.len() == 2 * KEK_LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(decode_hex(text));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| KeyError::KekEnvFormat {
            reason: format!(
                "{} characters that are neither 64 hex digits nor base64url",
                text.len()
            ),
        })?;
    if bytes.len() != KEK_LEN {
        return Err(KeyError::KekEnvFormat {
            reason: format!("base64url of {} bytes", bytes.len()),
        });
    }
    Ok(bytes)
}

/// Hex to bytes; the caller has checked that every character is a hex digit.
fn decode_hex(text: &str) -> Vec<u8> {
    fn nibble(b: u8) -> u8 {
        match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => b.to_ascii_lowercase() - b'a' + 10,
        }
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| (nibble(pair[0]) << 4) | nibble(pair[1]))
        .collect()
}

fn access(path: &Path, source: std::io::Error) -> KeyError {
    KeyError::KekFileAccess {
        path: path.to_owned(),
        source,
    }
}

/// Checks the opened file's mode (on the open handle, so a swap after the check cannot
/// matter), then reads exactly 32 bytes.
fn read_key_file(mut file: File, path: &Path) -> Result<KeyEncryptionKey, KeyError> {
    let meta = file.metadata().map_err(|source| access(path, source))?;
    if !meta.is_file() {
        return Err(access(
            path,
            std::io::Error::new(ErrorKind::InvalidInput, "not a regular file"),
        ));
    }
    check_private_mode(&meta, path)?;
    if meta.len() != KEK_LEN as u64 {
        return Err(KeyError::KekFileFormat {
            path: path.to_owned(),
            len: meta.len(),
        });
    }
    let mut bytes = [0u8; KEK_LEN];
    file.read_exact(&mut bytes)
        .map_err(|source| access(path, source))?;
    let key = KeyEncryptionKey::from_bytes(&bytes, KekOrigin::ExistingFile);
    bytes.fill(0);
    key
}

/// Creates the key file (and its folder) with 32 bytes from the CSPRNG, whole or not at all:
/// the bytes go to a private temporary file beside it, synced, which is then hard-linked at
/// `path`. Linking fails when `path` exists, so two processes starting on one data folder at
/// once never read a half-written key (a plain create-then-write let the other process read 0
/// bytes) and never replace each other's. Fails with `AlreadyExists` inside
/// [`KeyError::KekFileAccess`] if the file appeared meanwhile.
fn create_key_file(path: &Path) -> Result<KeyEncryptionKey, KeyError> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|source| access(dir, source))?;
    }
    let mut bytes = [0u8; KEK_LEN];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| KeyError::Crypto("random key bytes"))?;
    let mut suffix = [0u8; 8];
    aws_lc_rs::rand::fill(&mut suffix).map_err(|_| KeyError::Crypto("random file name"))?;
    let name = path.file_name().map_or_else(
        || "key-encryption.key".into(),
        |name| name.to_string_lossy(),
    );
    let temporary = path.with_file_name(format!(".{name}.{:016x}.tmp", u64::from_le_bytes(suffix)));
    let written = create_private(&temporary).and_then(|mut file| {
        file.write_all(&bytes)?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    // The temporary name goes either way: linked, the key lives on at `path`.
    let _ = std::fs::remove_file(&temporary);
    linked.map_err(|source| access(path, source))?;
    // The new name itself durable (best effort: not every platform syncs a folder).
    if let Some(dir) = dir {
        let _ = File::open(dir).and_then(|dir| dir.sync_all());
    }
    let key = KeyEncryptionKey::from_bytes(&bytes, KekOrigin::NewFile);
    bytes.fill(0);
    key
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn check_private_mode(meta: &std::fs::Metadata, path: &Path) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyError::KekFileTooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private_mode(_meta: &std::fs::Metadata, _path: &Path) -> Result<(), KeyError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let mut random = [0u8; 8];
        aws_lc_rs::rand::fill(&mut random).unwrap();
        let dir = std::env::temp_dir().join(format!("cairn-kek-{name}-{}", to_hex(&random)));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn to_hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hex_and_base64url_give_the_same_key() {
        let raw: [u8; 32] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        let hex = to_hex(&raw);
        let b64 = URL_SAFE_NO_PAD.encode(raw);
        assert_eq!(decode_key_text(&hex).unwrap(), raw);
        assert_eq!(decode_key_text(&hex.to_uppercase()).unwrap(), raw);
        assert_eq!(decode_key_text(&b64).unwrap(), raw);
        assert_eq!(decode_key_text(&format!("{b64}=")).unwrap(), raw);
        // A key sealed under the hex spelling opens under the base64url one.
        let sealed = KeyEncryptionKey::parse(&hex)
            .unwrap()
            .seal("k", b"secret")
            .unwrap();
        let opened = KeyEncryptionKey::parse(&format!("  {b64}\n"))
            .unwrap()
            .open("k", &sealed)
            .unwrap();
        assert_eq!(opened.pkcs8(), b"secret");
    }

    #[test]
    fn bad_env_values_are_typed_errors_that_do_not_echo_the_value() {
        assert!(matches!(
            KeyEncryptionKey::from_env_or_file(Some(""), Path::new("unused")),
            Err(KeyError::KekEnvEmpty)
        ));
        let short = URL_SAFE_NO_PAD.encode([9u8; 16]);
        let err = KeyEncryptionKey::parse(&short).unwrap_err();
        assert!(matches!(err, KeyError::KekEnvFormat { .. }), "{err}");
        assert!(err.to_string().contains("16 bytes"), "{err}");
        assert!(!err.to_string().contains(&short), "{err}");
        let err = KeyEncryptionKey::parse("not a key!").unwrap_err();
        assert!(matches!(err, KeyError::KekEnvFormat { .. }), "{err}");
        assert!(!err.to_string().contains("not a key!"), "{err}");
    }

    #[test]
    fn sealing_round_trips_and_binds_the_kid() {
        let kek = KeyEncryptionKey::from_secret(&[1u8; 32]).unwrap();
        let sealed = kek.seal("kid-a", b"private bytes").unwrap();
        assert_eq!(sealed[0], SEALED_FORMAT_V1);
        assert_eq!(
            sealed.len(),
            1 + NONCE_LEN + b"private bytes".len() + TAG_LEN
        );
        assert_eq!(
            kek.open("kid-a", &sealed).unwrap().pkcs8(),
            b"private bytes"
        );
        // Same plaintext twice: different nonces, different bytes.
        assert_ne!(sealed, kek.seal("kid-a", b"private bytes").unwrap());
        assert!(
            matches!(kek.open("kid-b", &sealed), Err(KeyError::WrongKek { kid }) if kid == "kid-b")
        );
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(
            kek.open("kid-a", &flipped),
            Err(KeyError::WrongKek { .. })
        ));
        assert!(matches!(
            kek.open("kid-a", &sealed[..10]),
            Err(KeyError::SealedFormat { .. })
        ));
        let mut other_format = sealed.clone();
        other_format[0] = 2;
        assert!(matches!(
            kek.open("kid-a", &other_format),
            Err(KeyError::SealedFormat { .. })
        ));
    }

    #[test]
    fn a_wrong_kek_fails_with_a_typed_error() {
        let sealed = KeyEncryptionKey::from_secret(&[1u8; 32])
            .unwrap()
            .seal("kid", b"pkcs8")
            .unwrap();
        let other = KeyEncryptionKey::from_secret(&[2u8; 32]).unwrap();
        let err = other.open("kid", &sealed).unwrap_err();
        assert!(
            matches!(err, KeyError::WrongKek { ref kid } if kid == "kid"),
            "{err}"
        );
    }

    #[test]
    fn debug_prints_no_key_material() {
        let kek = KeyEncryptionKey::from_secret(&[0xAB; 32]).unwrap();
        let text = format!("{kek:?}");
        assert!(
            !text.to_lowercase().contains("ab, ab") && !text.contains("171"),
            "{text}"
        );
        assert!(text.contains("Environment"), "{text}");
        let opened = kek.open("k", &kek.seal("k", b"xyz").unwrap()).unwrap();
        assert_eq!(format!("{opened:?}"), "OpenedKey(..)");
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_created_0600_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("create");
        let path = dir.join("data").join("key-encryption.key");
        let first = KeyEncryptionKey::from_env_or_file(None, &path).unwrap();
        assert_eq!(first.origin(), KekOrigin::NewFile);
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(meta.len(), 32);
        let sealed = first.seal("kid", b"payload").unwrap();
        let second = KeyEncryptionKey::from_env_or_file(None, &path).unwrap();
        assert_eq!(second.origin(), KekOrigin::ExistingFile);
        assert_eq!(second.open("kid", &sealed).unwrap().pkcs8(), b"payload");
        // The environment wins over the file.
        let env = KeyEncryptionKey::from_env_or_file(Some(&"00".repeat(32)), &path).unwrap();
        assert_eq!(env.origin(), KekOrigin::Environment);
        assert!(matches!(
            env.open("kid", &sealed),
            Err(KeyError::WrongKek { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Two servers started at once on a fresh data folder: every one gets the same key, none
    /// reads a half-written file, and no temporary file is left.
    #[test]
    fn processes_starting_at_once_share_one_whole_key_file() {
        for round in 0..20 {
            let dir = temp_dir(&format!("race{round}"));
            let path = dir.join("data").join("key-encryption.key");
            let keys: Vec<KeyEncryptionKey> = std::thread::scope(|scope| {
                let starts: Vec<_> = (0..8)
                    .map(|_| scope.spawn(|| KeyEncryptionKey::from_env_or_file(None, &path)))
                    .collect();
                starts
                    .into_iter()
                    .map(|start| start.join().unwrap().expect("every start gets the key"))
                    .collect()
            });
            let created = keys
                .iter()
                .filter(|k| k.origin() == KekOrigin::NewFile)
                .count();
            assert_eq!(created, 1, "one start created the file");
            let sealed = keys[0].seal("kid", b"payload").unwrap();
            for key in &keys {
                assert_eq!(key.open("kid", &sealed).unwrap().pkcs8(), b"payload");
            }
            let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
                .unwrap()
                .map(|entry| entry.unwrap().file_name())
                .collect();
            assert_eq!(names, ["key-encryption.key"], "no temporary file left");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_open_to_group_or_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("mode");
        let path = dir.join("key-encryption.key");
        KeyEncryptionKey::from_env_or_file(None, &path).unwrap();
        for mode in [0o640, 0o604, 0o620, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = KeyEncryptionKey::from_env_or_file(None, &path).unwrap_err();
            assert!(
                matches!(err, KeyError::KekFileTooOpen { mode: m, .. } if m == mode),
                "{mode:o}: {err}"
            );
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(
            KeyEncryptionKey::from_env_or_file(None, &path)
                .unwrap()
                .origin(),
            KekOrigin::ExistingFile
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_of_the_wrong_length_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("length");
        let path = dir.join("key-encryption.key");
        std::fs::write(&path, [7u8; 31]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = KeyEncryptionKey::from_env_or_file(None, &path).unwrap_err();
        assert!(
            matches!(err, KeyError::KekFileFormat { len: 31, .. }),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
