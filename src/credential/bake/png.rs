//! PNG baking: one uncompressed `iTXt` chunk after `IHDR`, every chunk CRC-checked on extract.

use super::*;

/// One baked `iTXt` chunk of a PNG file, CRC already checked.
pub(super) struct Chunk<'a> {
    /// Offset of the chunk's length field.
    pub(super) start: usize,
    /// Offset just after its CRC.
    pub(super) end: usize,
    /// The keyword: `openbadgecredential` or `openbadges`.
    pub(super) keyword: &'a [u8],
    /// The chunk data.
    pub(super) data: &'a [u8],
}

/// A walked PNG: its baked `iTXt` chunks in file order, and where `IHDR` ends.
/// Only baked chunks are kept, so memory does not grow with the number of chunks.
pub(super) struct Png<'a> {
    pub(super) baked: Vec<Chunk<'a>>,
    pub(super) ihdr_end: usize,
}

/// The most baked chunks (`openbadgecredential` or `openbadges`) one image may carry.
pub(super) const MAX_BAKED_CHUNKS: usize = 16;

pub(super) fn chunk_name(kind: &[u8]) -> String {
    kind.escape_ascii().to_string()
}

pub(super) fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let slice = bytes.get(at..at.checked_add(4)?)?;
    let array: [u8; 4] = slice.try_into().ok()?;
    Some(u32::from_be_bytes(array))
}

/// Walks the chunks of a PNG: size cap, signature, chunk lengths, types and CRCs, `IHDR`
/// first and `IEND` last. Bytes after `IEND` are not read.
pub(super) fn walk_png(png: &[u8]) -> Result<Png<'_>, BakeError> {
    check_image_size(png)?;
    if png.get(..8) != Some(&PNG_SIGNATURE[..]) {
        return Err(BakeError::PngSignature);
    }
    let mut baked = Vec::new();
    let mut ihdr_end = None;
    let mut pos = 8;
    loop {
        if pos == png.len() {
            return Err(BakeError::PngMalformed {
                offset: pos,
                reason: "the image ends without an IEND chunk; it is probably truncated",
            });
        }
        let (Some(len), Some(kind)) = (read_u32(png, pos), png.get(pos + 4..pos + 8)) else {
            let chunk = png
                .get(pos + 4..)
                .map_or_else(|| "?".to_string(), chunk_name);
            return Err(BakeError::PngTruncated { chunk, offset: pos });
        };
        if len > 0x7fff_ffff {
            return Err(BakeError::PngMalformed {
                offset: pos,
                reason: "a chunk length exceeds 2^31-1 bytes",
            });
        }
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(BakeError::PngMalformed {
                offset: pos,
                reason: "a chunk type is not four ASCII letters",
            });
        }
        let data_end = pos + 8 + len as usize;
        let Some(stored_crc) = read_u32(png, data_end) else {
            return Err(BakeError::PngTruncated {
                chunk: chunk_name(kind),
                offset: pos,
            });
        };
        if crate::credential::crc32::hash(&png[pos + 4..data_end]) != stored_crc {
            return Err(BakeError::PngCrcMismatch {
                chunk: chunk_name(kind),
                offset: pos,
            });
        }
        if ihdr_end.is_none() && (kind != b"IHDR" || len != 13) {
            return Err(BakeError::PngMalformed {
                offset: pos,
                reason: "the first chunk is not a 13-byte IHDR",
            });
        }
        let end = data_end + 4;
        ihdr_end.get_or_insert(end);
        let data = &png[pos + 8..data_end];
        if kind == b"iTXt"
            && let Some(keyword) = itxt_keyword(data).filter(|k| is_baked_keyword(k))
        {
            if baked.len() == MAX_BAKED_CHUNKS {
                return Err(BakeError::PngMalformed {
                    offset: pos,
                    reason: "the image carries more than 16 baked credential chunks",
                });
            }
            baked.push(Chunk {
                start: pos,
                end,
                keyword,
                data,
            });
        }
        pos = end;
        if kind == b"IEND" {
            return Ok(Png {
                baked,
                ihdr_end: ihdr_end.unwrap_or(end),
            });
        }
    }
}

/// The keyword of an `iTXt` chunk's data (bytes before the first NUL), if it has one.
pub(super) fn itxt_keyword(data: &[u8]) -> Option<&[u8]> {
    let nul = data.iter().take(80).position(|&b| b == 0)?;
    Some(&data[..nul])
}

pub(super) fn is_baked_keyword(keyword: &[u8]) -> bool {
    keyword == PNG_KEYWORD.as_bytes() || keyword == PNG_KEYWORD_OB2.as_bytes()
}

/// Reads the text of a baked `iTXt` chunk.
pub(super) fn itxt_text(chunk: &Chunk<'_>) -> Result<String, BakeError> {
    let malformed = |reason| BakeError::PngMalformed {
        offset: chunk.start,
        reason,
    };
    let rest = &chunk.data[chunk.keyword.len() + 1..];
    let (&flag, rest) = rest
        .split_first()
        .ok_or(malformed("an iTXt chunk ends early"))?;
    let (&method, rest) = rest
        .split_first()
        .ok_or(malformed("an iTXt chunk ends early"))?;
    match flag {
        0 => {}
        1 => return Err(BakeError::CompressedCredential),
        _ => return Err(malformed("an iTXt compression flag is neither 0 nor 1")),
    }
    if method != 0 {
        return Err(malformed("an iTXt compression method is not 0"));
    }
    let language_end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or(malformed("an iTXt chunk lacks its language tag separator"))?;
    let rest = &rest[language_end + 1..];
    let translated_end = rest.iter().position(|&b| b == 0).ok_or(malformed(
        "an iTXt chunk lacks its translated keyword separator",
    ))?;
    let text = &rest[translated_end + 1..];
    check_credential_size(text.len())?;
    String::from_utf8(text.to_vec()).map_err(|_| BakeError::CredentialNotUtf8)
}

/// Extracts the baked credential from a PNG: every chunk's CRC is checked; the first
/// `openbadgecredential` `iTXt` chunk wins, else the first `openbadges` one (OB 2.0).
pub fn extract_png(png: &[u8]) -> Result<Extracted, BakeError> {
    let walked = walk_png(png)?;
    let pick = |keyword: &str, version| {
        walked
            .baked
            .iter()
            .find(|c| c.keyword == keyword.as_bytes())
            .map(|chunk| {
                itxt_text(chunk).map(|text| Extracted {
                    image: ImageKind::Png,
                    version,
                    text,
                })
            })
    };
    pick(PNG_KEYWORD, BakedVersion::Ob3)
        .or_else(|| pick(PNG_KEYWORD_OB2, BakedVersion::Ob2))
        .unwrap_or(Err(BakeError::NoCredential))
}

/// Bakes `credential_json` into a PNG: one uncompressed `iTXt` chunk with keyword
/// `openbadgecredential` right after `IHDR`. Earlier baked chunks (`openbadgecredential`,
/// or OB 2.0 `openbadges`) are dropped; every other chunk, and any bytes after `IEND`, is
/// copied byte for byte.
pub fn bake_png(png: &[u8], credential_json: &str) -> Result<Vec<u8>, BakeError> {
    check_credential_text(credential_json)?;
    let walked = walk_png(png)?;
    let mut data = Vec::with_capacity(PNG_KEYWORD.len() + 5 + credential_json.len());
    data.extend_from_slice(PNG_KEYWORD.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(credential_json.as_bytes());
    let mut hasher = crate::credential::crc32::Crc32::new();
    hasher.update(b"iTXt");
    hasher.update(&data);
    let crc = hasher.finalize();
    let len = u32::try_from(data.len()).map_err(|_| BakeError::CredentialTooLarge {
        size: credential_json.len(),
        limit: MAX_CREDENTIAL_BYTES,
    })?;

    let mut out = Vec::with_capacity(png.len() + data.len() + 12);
    out.extend_from_slice(&png[..walked.ihdr_end]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b"iTXt");
    out.extend_from_slice(&data);
    out.extend_from_slice(&crc.to_be_bytes());
    // Everything after IHDR, less the earlier baked chunks, then what follows IEND.
    let mut cursor = walked.ihdr_end;
    for chunk in &walked.baked {
        out.extend_from_slice(&png[cursor..chunk.start]);
        cursor = chunk.end;
    }
    out.extend_from_slice(&png[cursor..]);
    check_image_size(&out)?;
    Ok(out)
}
