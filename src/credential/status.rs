//! Revocation and suspension with the W3C Bitstring Status List (`spec/badges.md` §7): the
//! bitstring and its `encodedList` form, the unsigned `BitstringStatusListCredential`, the
//! `BitstringStatusListEntry` a credential carries, and the check of an entry against a
//! list. Pure: it never fetches a list, never picks an index (the server allocates indexes
//! at random among free ones), never reads a clock, and never verifies the list's proof
//! (the verifier does that before calling [`check_entry`]).
//!
//! `encodedList` = `"u"` + base64url (no padding) of GZIP(bitstring); bit `i` is byte
//! `i / 8` under mask `0x80 >> (i % 8)`. Lists hold at least [`MIN_LIST_BITS`] entries
//! (herd privacy) and at most `8 ×` [`MAX_LIST_BYTES`]; decoding refuses anything else
//! before allocating more than the cap.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Value, json};

use super::vc::{has_type, issuer_id};
use super::{CredentialError, IssuerKey, sign};
use crate::time::Timestamp;

/// The smallest list: 131,072 entries (16 KiB), as the W3C specification requires.
pub const MIN_LIST_BITS: usize = 131_072;
/// The largest decompressed list accepted (2 MiB, 16,777,216 entries).
pub const MAX_LIST_BYTES: usize = 2 * 1024 * 1024;
/// The longest `encodedList` text accepted (3 MiB): room for an incompressible
/// [`MAX_LIST_BYTES`] list.
pub const MAX_ENCODED_LIST_CHARS: usize = 3 * 1024 * 1024;
/// The JSON-LD context of status list credentials (VC 2.0 defines every term).
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

/// Writes base64url without padding; reads it with or without padding.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What a status list entry is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusPurpose {
    /// A set bit means the credential is revoked, for good.
    Revocation,
    /// A set bit means the credential is suspended, possibly for a while.
    Suspension,
}

impl StatusPurpose {
    /// The `statusPurpose` value.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }

    /// Reads a `statusPurpose` value; `refresh` and `message` are not supported.
    pub fn parse(text: &str) -> Result<Self, StatusError> {
        match text {
            "revocation" => Ok(StatusPurpose::Revocation),
            "suspension" => Ok(StatusPurpose::Suspension),
            other => Err(StatusError::PurposeUnsupported {
                purpose: other.to_string(),
            }),
        }
    }
}

/// Why a status list or entry could not be built, read or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// `encodedList` is not multibase base64url of a GZIP stream.
    #[error(
        "the status list's encodedList is malformed ({reason}): the issuer must publish \"u\" + base64url(GZIP(bitstring))"
    )]
    ListMalformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// The list (encoded or decompressed) exceeds the caps.
    #[error(
        "the status list is larger than the {limit}-byte limit Cairn accepts: it is not a credential status list, or the issuer must split it"
    )]
    ListTooLarge {
        /// The cap that was hit, in bytes or characters.
        limit: usize,
    },
    /// The list has fewer entries than the minimum.
    #[error(
        "the status list has {bits} entries, fewer than the {min} the W3C specification requires for privacy: the issuer must publish a longer list"
    )]
    ListTooShort {
        /// Its number of entries.
        bits: usize,
        /// The minimum.
        min: usize,
    },
    /// A new list's size is not a whole number of bytes within the limits.
    #[error(
        "a status list of {bits} entries cannot be built: use a multiple of 8 between {min} and {max}"
    )]
    ListSizeInvalid {
        /// The requested number of entries.
        bits: usize,
        /// The minimum.
        min: usize,
        /// The maximum.
        max: usize,
    },
    /// `statusListIndex` is not a non-negative integer.
    #[error(
        "the credential's statusListIndex `{value}` is not a non-negative integer: the credential is malformed"
    )]
    IndexInvalid {
        /// The value as found.
        value: String,
    },
    /// The index does not fit in the list.
    #[error(
        "the credential's statusListIndex {index} is outside the status list of {len} entries: the credential or the list is wrong"
    )]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// The list's number of entries.
        len: usize,
    },
    /// An unsupported `statusPurpose`.
    #[error(
        "the status purpose `{purpose}` is not supported: Cairn checks `revocation` and `suspension`"
    )]
    PurposeUnsupported {
        /// The purpose as found.
        purpose: String,
    },
    /// The entry's purpose is not the list's.
    #[error(
        "the credential's status entry is for `{entry}` but the status list is for `{list}`: fetch the list its statusListCredential names"
    )]
    PurposeMismatch {
        /// The entry's purpose.
        entry: String,
        /// The list's purpose(s).
        list: String,
    },
    /// The entry or list credential lacks a field or has the wrong type.
    #[error("{what} is malformed: {reason}")]
    Malformed {
        /// Which object (`the status entry`, `the status list credential`).
        what: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The credential has no entry for the list given.
    #[error(
        "the credential has no BitstringStatusListEntry this status list (`{list}`) can answer: fetch the list its statusListCredential names"
    )]
    EntryMissing {
        /// The id of the list given.
        list: String,
    },
    /// The list is issued by someone else than the credential.
    #[error(
        "the status list is issued by `{list}` but the credential by `{credential}`: only the credential's issuer may revoke it"
    )]
    IssuerMismatch {
        /// The list's issuer id.
        list: String,
        /// The credential's issuer id.
        credential: String,
    },
}

impl StatusError {
    /// The stable machine-readable code (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            StatusError::ListMalformed { .. } => "status_list_malformed",
            StatusError::ListTooLarge { .. } => "status_list_too_large",
            StatusError::ListTooShort { .. } => "status_list_too_short",
            StatusError::ListSizeInvalid { .. } => "status_list_size_invalid",
            StatusError::IndexInvalid { .. } => "status_index_invalid",
            StatusError::IndexOutOfRange { .. } => "status_index_out_of_range",
            StatusError::PurposeUnsupported { .. } => "status_purpose_unsupported",
            StatusError::PurposeMismatch { .. } => "status_purpose_mismatch",
            StatusError::Malformed { .. } => "status_malformed",
            StatusError::EntryMissing { .. } => "status_entry_missing",
            StatusError::IssuerMismatch { .. } => "status_issuer_mismatch",
        }
    }
}

/// A bitstring of status entries, one bit each, index 0 = the most significant bit of the
/// first byte.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = self
            .bytes
            .iter()
            .map(|b| b.count_ones() as usize)
            .sum::<usize>();
        write!(
            f,
            "StatusList {{ entries: {}, set: {set} }}",
            self.entries()
        )
    }
}

impl StatusList {
    /// A list of `entries` clear bits: a multiple of 8 from [`MIN_LIST_BITS`] to
    /// `8 ×` [`MAX_LIST_BYTES`].
    pub fn new(entries: usize) -> Result<Self, StatusError> {
        let max = MAX_LIST_BYTES * 8;
        if entries < MIN_LIST_BITS || entries > max || !entries.is_multiple_of(8) {
            return Err(StatusError::ListSizeInvalid {
                bits: entries,
                min: MIN_LIST_BITS,
                max,
            });
        }
        Ok(StatusList {
            bytes: vec![0; entries / 8],
        })
    }

    /// The number of entries (bits).
    pub fn entries(&self) -> usize {
        self.bytes.len() * 8
    }

    /// The raw bitstring.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn position(&self, index: usize) -> Result<(usize, u8), StatusError> {
        if index >= self.entries() {
            return Err(StatusError::IndexOutOfRange {
                index,
                len: self.entries(),
            });
        }
        Ok((index / 8, 0x80 >> (index % 8)))
    }

    /// Whether entry `index` is set (revoked or suspended, by the list's purpose).
    pub fn get(&self, index: usize) -> Result<bool, StatusError> {
        let (byte, mask) = self.position(index)?;
        Ok(self.bytes[byte] & mask != 0)
    }

    /// Sets or clears entry `index`.
    pub fn set(&mut self, index: usize, value: bool) -> Result<(), StatusError> {
        let (byte, mask) = self.position(index)?;
        if value {
            self.bytes[byte] |= mask;
        } else {
            self.bytes[byte] &= !mask;
        }
        Ok(())
    }

    /// The `encodedList` text: `"u"` + base64url (no padding) of GZIP(bitstring). The
    /// GZIP header is fixed (no name, mtime 0, OS 255), so the same list gives the same text.
    pub fn encode(&self) -> String {
        let deflated = miniz_oxide::deflate::compress_to_vec(&self.bytes, 9);
        let mut gzip = Vec::with_capacity(deflated.len() + 18);
        gzip.extend_from_slice(&[GZIP_MAGIC[0], GZIP_MAGIC[1], 8, 0, 0, 0, 0, 0, 0, 0xff]);
        gzip.extend_from_slice(&deflated);
        gzip.extend_from_slice(&super::crc32::hash(&self.bytes).to_le_bytes());
        // ISIZE is the length modulo 2^32; lists are far smaller.
        gzip.extend_from_slice(&(self.bytes.len() as u32).to_le_bytes());
        format!("u{}", BASE64URL.encode(gzip))
    }

    /// Reads an `encodedList`: checks the multibase prefix, base64url (padding tolerated),
    /// the GZIP header, CRC-32 and length, the size caps and the minimum length.
    pub fn decode(encoded: &str) -> Result<Self, StatusError> {
        if encoded.len() > MAX_ENCODED_LIST_CHARS {
            return Err(StatusError::ListTooLarge {
                limit: MAX_ENCODED_LIST_CHARS,
            });
        }
        let malformed = |reason| StatusError::ListMalformed { reason };
        let body = encoded
            .strip_prefix('u')
            .ok_or(malformed("it does not start with the multibase prefix `u`"))?;
        let gzip = BASE64URL
            .decode(body)
            .map_err(|_| malformed("it is not base64url"))?;
        let bytes = gunzip(&gzip)?;
        if bytes.len() * 8 < MIN_LIST_BITS {
            return Err(StatusError::ListTooShort {
                bits: bytes.len() * 8,
                min: MIN_LIST_BITS,
            });
        }
        Ok(StatusList { bytes })
    }
}

/// Decompresses one GZIP member (RFC 1952) into at most [`MAX_LIST_BYTES`].
fn gunzip(gzip: &[u8]) -> Result<Vec<u8>, StatusError> {
    let malformed = |reason| StatusError::ListMalformed { reason };
    if gzip.len() < 18 || gzip[..2] != GZIP_MAGIC {
        return Err(malformed("it is not GZIP data"));
    }
    if gzip[2] != 8 {
        return Err(malformed("its GZIP compression method is not deflate"));
    }
    let flags = gzip[3];
    if flags & 0xe0 != 0 {
        return Err(malformed("its GZIP header has reserved flags set"));
    }
    let trailer_start = gzip.len() - 8;
    let mut pos = 10;
    if flags & 0x04 != 0 {
        let extra = gzip
            .get(pos..pos + 2)
            .ok_or(malformed("its GZIP header is cut off"))?;
        pos += 2 + usize::from(u16::from_le_bytes([extra[0], extra[1]]));
    }
    for flag in [0x08, 0x10] {
        if flags & flag != 0 {
            let nul = gzip
                .get(pos..trailer_start)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
                .ok_or(malformed("its GZIP header is cut off"))?;
            pos += nul + 1;
        }
    }
    if flags & 0x02 != 0 {
        pos += 2;
    }
    let deflated = gzip
        .get(pos..trailer_start)
        .ok_or(malformed("its GZIP header is cut off"))?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, MAX_LIST_BYTES)
        .map_err(|err| match err.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => StatusError::ListTooLarge {
                limit: MAX_LIST_BYTES,
            },
            _ => malformed("its deflate stream is corrupt"),
        })?;
    let trailer = &gzip[trailer_start..];
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if super::crc32::hash(&bytes) != crc {
        return Err(malformed("its GZIP CRC-32 does not match the data"));
    }
    if size as usize != bytes.len() {
        return Err(malformed("its GZIP length does not match the data"));
    }
    Ok(bytes)
}

/// Encodes a fresh list of `entries` bits with the bits at `set` set.
pub fn encode_list(entries: usize, set: &[usize]) -> Result<String, StatusError> {
    let mut list = StatusList::new(entries)?;
    for &index in set {
        list.set(index, true)?;
    }
    Ok(list.encode())
}

/// The `BitstringStatusListEntry` a credential carries in `credentialStatus`.
pub fn status_entry(list_url: &str, index: usize, purpose: StatusPurpose) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose.as_str(),
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// The unsigned `BitstringStatusListCredential` served at `list_url`, issued by `issuer_id`
/// (the same issuer and key as the credentials it covers). Sign it before publishing.
pub fn status_list_credential(
    list_url: &str,
    issuer_id: &str,
    valid_from: Timestamp,
    purpose: StatusPurpose,
    list: &StatusList,
) -> Value {
    json!({
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": valid_from.to_string(),
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose.as_str(),
            "encodedList": list.encode(),
        },
    })
}

/// The signed `BitstringStatusListCredential`: [`status_list_credential`] signed with
/// `eddsa-rdfc-2022` by the issuer `key` (the same issuer and key as the credentials the
/// list covers) at `now`, which is both `validFrom` and `proof.created`. The key id follows
/// `spec/badges.md` D3: `<issuer id>#<publicKeyMultibase>`, or `did:key:z…#z…` for a
/// did:key issuer. Server-side: the issuer key never reaches a browser.
pub fn signed_status_list_credential(
    list_url: &str,
    issuer_id: &str,
    purpose: StatusPurpose,
    list: &StatusList,
    key: &IssuerKey,
    now: Timestamp,
) -> Result<Value, CredentialError> {
    let unsigned = status_list_credential(list_url, issuer_id, now, purpose, list);
    let public = key.public();
    let method = if issuer_id.starts_with("did:key:") {
        public.did_key_method()
    } else {
        public.https_method(issuer_id)
    };
    Ok(sign(&unsigned, key, &method, now)?.credential)
}

/// The result of checking one status entry against its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCheck {
    /// The entry's purpose.
    pub purpose: StatusPurpose,
    /// The entry's index in the list.
    pub index: usize,
    /// Whether the bit is set.
    pub is_set: bool,
    /// Whether the list's `id` is the URL the entry's `statusListCredential` names. A list
    /// is bound to an entry by the URL the caller fetched it from; a list whose `id` differs
    /// (as in the 1EdTech fixture) is still read, and this flag lets the verifier warn.
    pub list_id_matches: bool,
}

impl StatusCheck {
    /// The verification error code when the bit is set: `revoked` or `suspended`.
    pub fn code(&self) -> Option<&'static str> {
        match (self.is_set, self.purpose) {
            (false, _) => None,
            (true, StatusPurpose::Revocation) => Some("revoked"),
            (true, StatusPurpose::Suspension) => Some("suspended"),
        }
    }
}

fn parse_index(value: Option<&Value>) -> Result<usize, StatusError> {
    let invalid = |value: &Value| StatusError::IndexInvalid {
        value: value.to_string(),
    };
    match value {
        Some(Value::String(text))
            if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) =>
        {
            text.parse()
                .map_err(|_| invalid(&Value::String(text.clone())))
        }
        Some(Value::Number(number)) => number
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| invalid(&Value::Number(number.clone()))),
        Some(other) => Err(invalid(other)),
        None => Err(StatusError::Malformed {
            what: "the status entry",
            reason: "it has no statusListIndex",
        }),
    }
}

/// The purposes a status list credential serves (`statusPurpose`, a string or an array).
fn list_purposes(list_credential: &Value) -> Result<Vec<&str>, StatusError> {
    let bad_list = |reason| StatusError::Malformed {
        what: "the status list credential",
        reason,
    };
    let subject = list_credential
        .get("credentialSubject")
        .filter(|s| has_type(s, "BitstringStatusList"))
        .ok_or(bad_list(
            "its credentialSubject is not a BitstringStatusList",
        ))?;
    match subject.get("statusPurpose") {
        Some(Value::String(p)) => Ok(vec![p.as_str()]),
        Some(Value::Array(ps)) => Ok(ps.iter().filter_map(Value::as_str).collect()),
        _ => Err(bad_list("it has no statusPurpose")),
    }
}

/// The URL of the status list an entry names (`statusListCredential`): the list to fetch.
pub fn entry_list_url(entry: &Value) -> Option<&str> {
    entry.get("statusListCredential").and_then(Value::as_str)
}

/// Checks one `BitstringStatusListEntry` against the status list credential the caller
/// fetched from the entry's [`entry_list_url`] (and whose proof it verified): purposes
/// agree, the index (a decimal string, or a JSON integer as some issuers write it) fits,
/// and the bit is read. A `statusSize` other than 1 is refused.
pub fn check_entry(entry: &Value, list_credential: &Value) -> Result<StatusCheck, StatusError> {
    let bad_entry = |reason| StatusError::Malformed {
        what: "the status entry",
        reason,
    };
    let bad_list = |reason| StatusError::Malformed {
        what: "the status list credential",
        reason,
    };
    if !has_type(entry, "BitstringStatusListEntry") {
        return Err(bad_entry("its type is not BitstringStatusListEntry"));
    }
    let purpose = entry
        .get("statusPurpose")
        .and_then(Value::as_str)
        .ok_or(bad_entry("it has no statusPurpose"))?;
    let purpose = StatusPurpose::parse(purpose)?;
    let index = parse_index(entry.get("statusListIndex"))?;
    let list_url = entry_list_url(entry).ok_or(bad_entry("it has no statusListCredential"))?;
    if entry
        .get("statusSize")
        .is_some_and(|size| size.as_u64() != Some(1))
    {
        return Err(bad_entry("its statusSize is not 1"));
    }

    if !has_type(list_credential, "BitstringStatusListCredential") {
        return Err(bad_list("its type is not BitstringStatusListCredential"));
    }
    let purposes = list_purposes(list_credential)?;
    if !purposes.contains(&purpose.as_str()) {
        return Err(StatusError::PurposeMismatch {
            entry: purpose.as_str().to_string(),
            list: purposes.join(", "),
        });
    }
    let subject = &list_credential["credentialSubject"];
    if subject
        .get("statusSize")
        .is_some_and(|size| size.as_u64() != Some(1))
    {
        return Err(bad_list("its statusSize is not 1"));
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or(bad_list("it has no encodedList"))?;
    let list = StatusList::decode(encoded)?;
    let list_id_matches = list_credential.get("id").and_then(Value::as_str) == Some(list_url);
    Ok(StatusCheck {
        purpose,
        index,
        is_set: list.get(index)?,
        list_id_matches,
    })
}

/// Checks a credential's `credentialStatus` (one entry or an array) against a status list
/// credential the caller fetched and verified. The list's issuer must be the credential's
/// issuer. The entries checked are the `BitstringStatusListEntry`s naming the list's `id`;
/// if none does, those whose purpose the list serves (flagged `list_id_matches: false`).
/// Fails when no entry fits the list.
pub fn check_credential(
    credential: &Value,
    list_credential: &Value,
) -> Result<Vec<StatusCheck>, StatusError> {
    let credential_issuer = issuer_id(credential).ok_or(StatusError::Malformed {
        what: "the credential",
        reason: "it has no issuer id",
    })?;
    let list_issuer = issuer_id(list_credential).ok_or(StatusError::Malformed {
        what: "the status list credential",
        reason: "it has no issuer id",
    })?;
    if credential_issuer != list_issuer {
        return Err(StatusError::IssuerMismatch {
            list: list_issuer.to_string(),
            credential: credential_issuer.to_string(),
        });
    }
    let list_id = list_credential.get("id").and_then(Value::as_str);
    let purposes = list_purposes(list_credential)?;
    let entries: Vec<&Value> = match credential.get("credentialStatus") {
        Some(Value::Array(entries)) => entries.iter().collect(),
        Some(entry) => vec![entry],
        None => Vec::new(),
    };
    let bitstring: Vec<&Value> = entries
        .into_iter()
        .filter(|e| has_type(e, "BitstringStatusListEntry"))
        .collect();
    let named: Vec<&Value> = bitstring
        .iter()
        .copied()
        .filter(|e| list_id.is_some() && entry_list_url(e) == list_id)
        .collect();
    let chosen = if named.is_empty() {
        bitstring
            .into_iter()
            .filter(|e| {
                e.get("statusPurpose")
                    .and_then(Value::as_str)
                    .is_some_and(|p| purposes.contains(&p))
            })
            .collect()
    } else {
        named
    };
    if chosen.is_empty() {
        return Err(StatusError::EntryMissing {
            list: list_id.unwrap_or("(no id)").to_string(),
        });
    }
    chosen
        .into_iter()
        .map(|entry| check_entry(entry, list_credential))
        .collect()
}
