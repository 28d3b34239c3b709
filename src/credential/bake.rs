//! Baking: embeds a signed credential's JSON text into a PNG or SVG badge image and
//! extracts it again (`spec/badges.md` §8). Pure byte and text surgery: it never decodes or
//! re-encodes pixels, never verifies the credential (the verifier does), never fetches a
//! DTD, entity or URL, and never touches files.
//!
//! | image | where the credential goes | on extract |
//! |---|---|---|
//! | PNG | one uncompressed `iTXt` chunk, keyword `openbadgecredential`, right after `IHDR`; an earlier baked chunk (`openbadgecredential` or Open Badges 2.0 `openbadges`) is replaced | every chunk's CRC is checked; the first `openbadgecredential` chunk wins, else the first `openbadges` chunk (OB 2.0) |
//! | SVG | `<openbadges:credential><![CDATA[…]]></openbadges:credential>` directly after the root start tag, prefix bound to `https://purl.imsglobal.org/ob/v3p0` on the root; `]]>` is split across two CDATA sections; earlier baked elements are removed | the element is found by namespace URI, not by prefix; OB 2.0 `<assertion>` in `http://openbadges.org` is read too; a DTD internal subset and undefined entities are refused |
//!
//! Inputs are capped ([`MAX_IMAGE_BYTES`], [`MAX_CREDENTIAL_BYTES`]) so hostile images cost
//! bounded time and memory; every refusal is a [`BakeError`] with a stable code.

use std::collections::{BTreeMap, BTreeSet};

/// The largest image accepted for baking or extraction (8 MiB).
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
/// The largest credential text accepted for baking or extraction (256 KiB, the verifier's cap).
pub const MAX_CREDENTIAL_BYTES: usize = 256 * 1024;
/// The PNG `iTXt` keyword of an Open Badges 3.0 credential.
pub const PNG_KEYWORD: &str = "openbadgecredential";
/// The PNG `iTXt` keyword of an Open Badges 2.0 assertion (read on extract only).
pub const PNG_KEYWORD_OB2: &str = "openbadges";
/// The XML namespace of the SVG `credential` element (Open Badges 3.0).
pub const SVG_NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";
/// The XML namespace of the SVG `assertion` element (Open Badges 2.0, read on extract only).
pub const SVG_NAMESPACE_OB2: &str = "http://openbadges.org";

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
const SVG_PREFIX: &str = "openbadges";
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";
/// The deepest element nesting an SVG may have (badge drawings nest a few levels; the cap
/// bounds the scanner's memory on hostile input).
const MAX_SVG_DEPTH: usize = 256;

/// The kind of badge image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// A PNG image.
    Png,
    /// An SVG image (XML text).
    Svg,
}

/// Which Open Badges version's baking convention the extracted text was found under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BakedVersion {
    /// Open Badges 3.0: PNG keyword `openbadgecredential`, SVG `credential` element.
    Ob3,
    /// Open Badges 2.0: PNG keyword `openbadges`, SVG `assertion` element; the text is a
    /// JSON assertion or the URL of a hosted assertion.
    Ob2,
}

/// What [`extract`] found in a badge image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The image kind it came from.
    pub image: ImageKind,
    /// The baking convention it was found under.
    pub version: BakedVersion,
    /// The baked text exactly as embedded (for SVG: the element's character data, CDATA
    /// sections joined, entities decoded, line ends normalized as XML requires; an empty
    /// element with a `verify` attribute gives that attribute's value).
    pub text: String,
}

/// Why an image could not be baked or its credential extracted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BakeError {
    /// The image exceeds [`MAX_IMAGE_BYTES`].
    #[error(
        "the image is {size} bytes, more than the {limit}-byte limit for badge images: use a smaller image"
    )]
    ImageTooLarge {
        /// The image's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The credential text exceeds [`MAX_CREDENTIAL_BYTES`].
    #[error(
        "the credential text is {size} bytes, more than the {limit}-byte limit: a badge credential is far smaller, so this is not one"
    )]
    CredentialTooLarge {
        /// The text's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Neither a PNG signature nor XML text.
    #[error(
        "the file is neither a PNG image nor an SVG image: badges are baked into PNG or SVG files"
    )]
    UnknownImageFormat,
    /// The first 8 bytes are not the PNG signature.
    #[error(
        "the file does not start with the 8-byte PNG signature: it is not a PNG image, or it was damaged in transfer (for example by a text-mode copy)"
    )]
    PngSignature,
    /// A chunk runs past the end of the file.
    #[error(
        "PNG chunk `{chunk}` at byte {offset} is cut off: the file is truncated; download or export the image again"
    )]
    PngTruncated {
        /// The chunk type (or `?` when even its header is cut off).
        chunk: String,
        /// Where the chunk starts.
        offset: usize,
    },
    /// A chunk's CRC does not match its bytes.
    #[error(
        "PNG chunk `{chunk}` at byte {offset} fails its CRC check: the image is damaged; download or export it again"
    )]
    PngCrcMismatch {
        /// The chunk type.
        chunk: String,
        /// Where the chunk starts.
        offset: usize,
    },
    /// The chunk structure breaks the PNG rules.
    #[error("the PNG image is malformed at byte {offset}: {reason}")]
    PngMalformed {
        /// Where the problem is.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The credential `iTXt` chunk has its compression flag set.
    #[error(
        "the baked credential is compressed (iTXt compression flag set), which Open Badges forbids: re-bake the image with a conforming tool"
    )]
    CompressedCredential,
    /// No baked credential in the image.
    #[error(
        "no baked credential found: the image carries no Open Badges credential (PNG keyword `openbadgecredential` or `openbadges`, SVG element in the Open Badges namespace); ask the issuer for the baked badge or the credential JSON"
    )]
    NoCredential,
    /// The baked text is not UTF-8.
    #[error(
        "the baked credential text is not valid UTF-8: the image was damaged or baked by a faulty tool"
    )]
    CredentialNotUtf8,
    /// The text given to bake is not a JSON object.
    #[error(
        "the text to bake is not a JSON object ({message}): bake the signed credential's JSON text"
    )]
    CredentialNotJson {
        /// What is wrong with it.
        message: String,
    },
    /// The SVG bytes are not UTF-8.
    #[error("the SVG image is not UTF-8 text: save it with UTF-8 encoding")]
    SvgNotUtf8,
    /// The SVG is not well-formed XML (as far as baking needs).
    #[error("the SVG image is malformed XML at byte {offset}: {reason}")]
    SvgMalformed {
        /// Where the problem is.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The SVG has a DTD internal subset (entity declarations).
    #[error(
        "the SVG image declares a DTD internal subset (entity declarations) at byte {offset}, which Cairn refuses for safety: remove the `[…]` part of the DOCTYPE"
    )]
    SvgDtdSubset {
        /// Where the DOCTYPE starts.
        offset: usize,
    },
    /// The SVG uses an entity no DTD may define here.
    #[error(
        "the SVG image uses the undefined entity `&{name};` at byte {offset}: only &lt; &gt; &amp; &apos; &quot; and character references are allowed"
    )]
    SvgUndefinedEntity {
        /// The entity name.
        name: String,
        /// Where the reference is.
        offset: usize,
    },
    /// More than one baked element of the same version.
    #[error(
        "the SVG image carries more than one baked credential (the second at byte {offset}), so which one counts is ambiguous: re-bake the image"
    )]
    SvgDuplicateCredential {
        /// Where the second element starts.
        offset: usize,
    },
    /// The root binds the `openbadges` prefix to a foreign namespace.
    #[error(
        "the SVG root binds the prefix `openbadges` to `{uri}`, not to the Open Badges namespace: rename that prefix in the image before baking"
    )]
    SvgPrefixTaken {
        /// The namespace it is bound to.
        uri: String,
    },
    /// Elements already in the image would be read as baked credentials after baking.
    #[error(
        "the SVG image already uses the Open Badges prefix or namespace for other elements, so the baked credential would not read back unchanged: remove those elements before baking"
    )]
    SvgNamespaceConflict,
    /// The credential text has a character XML cannot carry.
    #[error(
        "the credential text contains U+{code:04X}, which an SVG (XML) cannot carry unchanged, so it cannot be baked into an SVG; bake it into a PNG or remove the character"
    )]
    SvgUnsupportedCharacter {
        /// The code point.
        code: u32,
    },
}

impl BakeError {
    /// The stable machine-readable code (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            BakeError::ImageTooLarge { .. } => "image_too_large",
            BakeError::CredentialTooLarge { .. } => "credential_too_large",
            BakeError::UnknownImageFormat => "image_format_unknown",
            BakeError::PngSignature => "png_signature_invalid",
            BakeError::PngTruncated { .. } => "png_truncated",
            BakeError::PngCrcMismatch { .. } => "png_crc_mismatch",
            BakeError::PngMalformed { .. } => "png_malformed",
            BakeError::CompressedCredential => "credential_compressed",
            BakeError::NoCredential => "credential_not_found",
            BakeError::CredentialNotUtf8 => "credential_not_utf8",
            BakeError::CredentialNotJson { .. } => "credential_not_json",
            BakeError::SvgNotUtf8 => "svg_not_utf8",
            BakeError::SvgMalformed { .. } => "svg_malformed",
            BakeError::SvgDtdSubset { .. } => "svg_dtd_refused",
            BakeError::SvgUndefinedEntity { .. } => "svg_entity_undefined",
            BakeError::SvgDuplicateCredential { .. } => "svg_credential_duplicate",
            BakeError::SvgPrefixTaken { .. } => "svg_prefix_taken",
            BakeError::SvgUnsupportedCharacter { .. } => "svg_character_unsupported",
            BakeError::SvgNamespaceConflict => "svg_namespace_conflict",
        }
    }
}

/// Which image kind `image` is, from its first bytes: the PNG signature (or a damaged one
/// starting with byte 0x89), or XML text starting with `<` after an optional BOM and
/// whitespace.
pub fn sniff(image: &[u8]) -> Result<ImageKind, BakeError> {
    if image.first() == Some(&PNG_SIGNATURE[0]) {
        return Ok(ImageKind::Png);
    }
    let text = image.strip_prefix(UTF8_BOM).unwrap_or(image);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => Ok(ImageKind::Svg),
        _ => Err(BakeError::UnknownImageFormat),
    }
}

/// Bakes `credential_json` into a PNG or SVG image (chosen by [`sniff`]).
pub fn bake(image: &[u8], credential_json: &str) -> Result<Vec<u8>, BakeError> {
    match sniff(image)? {
        ImageKind::Png => bake_png(image, credential_json),
        ImageKind::Svg => bake_svg(image, credential_json),
    }
}

/// Extracts the baked credential text from a PNG or SVG image (chosen by [`sniff`]).
pub fn extract(image: &[u8]) -> Result<Extracted, BakeError> {
    match sniff(image)? {
        ImageKind::Png => extract_png(image),
        ImageKind::Svg => extract_svg(image),
    }
}

fn check_image_size(image: &[u8]) -> Result<(), BakeError> {
    if image.len() > MAX_IMAGE_BYTES {
        return Err(BakeError::ImageTooLarge {
            size: image.len(),
            limit: MAX_IMAGE_BYTES,
        });
    }
    Ok(())
}

fn check_credential_size(size: usize) -> Result<(), BakeError> {
    if size > MAX_CREDENTIAL_BYTES {
        return Err(BakeError::CredentialTooLarge {
            size,
            limit: MAX_CREDENTIAL_BYTES,
        });
    }
    Ok(())
}

/// Checks the text to bake: size cap, then a JSON object.
fn check_credential_text(credential_json: &str) -> Result<(), BakeError> {
    check_credential_size(credential_json.len())?;
    match serde_json::from_str::<serde_json::Value>(credential_json) {
        Ok(value) if value.is_object() => Ok(()),
        Ok(_) => Err(BakeError::CredentialNotJson {
            message: "it is not an object".into(),
        }),
        Err(err) => Err(BakeError::CredentialNotJson {
            message: err.to_string(),
        }),
    }
}

// ---------------------------------------------------------------------------------------
// PNG
// ---------------------------------------------------------------------------------------

/// One baked `iTXt` chunk of a PNG file, CRC already checked.
struct Chunk<'a> {
    /// Offset of the chunk's length field.
    start: usize,
    /// Offset just after its CRC.
    end: usize,
    /// The keyword: `openbadgecredential` or `openbadges`.
    keyword: &'a [u8],
    /// The chunk data.
    data: &'a [u8],
}

/// A walked PNG: its baked `iTXt` chunks in file order, and where `IHDR` ends.
/// Only baked chunks are kept, so memory does not grow with the number of chunks.
struct Png<'a> {
    baked: Vec<Chunk<'a>>,
    ihdr_end: usize,
}

/// The most baked chunks (`openbadgecredential` or `openbadges`) one image may carry.
const MAX_BAKED_CHUNKS: usize = 16;

fn chunk_name(kind: &[u8]) -> String {
    kind.escape_ascii().to_string()
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let slice = bytes.get(at..at.checked_add(4)?)?;
    let array: [u8; 4] = slice.try_into().ok()?;
    Some(u32::from_be_bytes(array))
}

/// Walks the chunks of a PNG: size cap, signature, chunk lengths, types and CRCs, `IHDR`
/// first and `IEND` last. Bytes after `IEND` are not read.
fn walk_png(png: &[u8]) -> Result<Png<'_>, BakeError> {
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
        if super::crc32::hash(&png[pos + 4..data_end]) != stored_crc {
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
fn itxt_keyword(data: &[u8]) -> Option<&[u8]> {
    let nul = data.iter().take(80).position(|&b| b == 0)?;
    Some(&data[..nul])
}

fn is_baked_keyword(keyword: &[u8]) -> bool {
    keyword == PNG_KEYWORD.as_bytes() || keyword == PNG_KEYWORD_OB2.as_bytes()
}

/// Reads the text of a baked `iTXt` chunk.
fn itxt_text(chunk: &Chunk<'_>) -> Result<String, BakeError> {
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
    let mut hasher = super::crc32::Crc32::new();
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

// ---------------------------------------------------------------------------------------
// SVG
// ---------------------------------------------------------------------------------------

/// A baked element found in an SVG.
struct Found {
    version: BakedVersion,
    /// Byte range of the whole element, start tag to end tag.
    start: usize,
    end: usize,
    text: String,
    verify: Option<String>,
}

/// The root element's start tag and its `openbadges` prefix binding.
struct Root {
    qname: String,
    /// Offset of `>` (or of `/` in `/>`) closing the start tag.
    tag_close: usize,
    /// Offset just after the start tag.
    tag_end: usize,
    self_closing: bool,
    /// The `xmlns:openbadges` attribute: byte range of its value (inside the quotes) and
    /// its decoded value.
    prefix_binding: Option<(usize, usize, String)>,
}

/// What the scanner learned about an SVG document.
struct SvgScan {
    root: Root,
    found: Vec<Found>,
}

/// An open element during the scan.
struct Frame {
    qname: String,
    /// Prefixes this element declared (popped from the namespace map on close).
    declared: Vec<String>,
    /// Index into `found` when this element is a baked element being captured.
    capture: Option<usize>,
}

/// Whether `c` is an XML 1.0 `Char`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn is_name_byte(b: u8) -> bool {
    !(b.is_ascii_whitespace() || b"/>=<&\"'![]?;".contains(&b))
}

/// XML line-end normalization: CR LF and lone CR become LF.
fn normalize_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    /// Namespace prefix (`""` = default) → stack of bound URIs.
    namespaces: BTreeMap<String, Vec<String>>,
    stack: Vec<Frame>,
    root: Option<Root>,
    found: Vec<Found>,
}

impl<'a> Scanner<'a> {
    fn malformed(offset: usize, reason: &'static str) -> BakeError {
        BakeError::SvgMalformed { offset, reason }
    }

    /// Decodes the character data `raw` (which starts at byte `base`), resolving the
    /// predefined entities and character references; appends to `out` when given.
    fn decode(raw: &str, base: usize, mut out: Option<&mut String>) -> Result<(), BakeError> {
        let mut rest = raw;
        let mut offset = base;
        while let Some(amp) = rest.find('&') {
            if let Some(out) = out.as_deref_mut() {
                out.push_str(&rest[..amp]);
            }
            let after = &rest[amp + 1..];
            let semi = after
                .bytes()
                .take(40)
                .position(|b| b == b';')
                .ok_or(Self::malformed(
                    offset + amp,
                    "an `&` does not start an entity reference; write &amp;",
                ))?;
            let name = &after[..semi];
            let decoded = match name {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "apos" => '\'',
                "quot" => '"',
                _ if name.starts_with('#') => {
                    let (digits, radix) = match name.strip_prefix("#x") {
                        Some(hex) => (hex, 16),
                        None => (&name[1..], 10),
                    };
                    Some(digits)
                        .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_digit(radix)))
                        .and_then(|d| u32::from_str_radix(d, radix).ok())
                        .and_then(char::from_u32)
                        .filter(|&c| is_xml_char(c))
                        .ok_or(Self::malformed(
                            offset + amp,
                            "an invalid character reference",
                        ))?
                }
                _ => {
                    return Err(BakeError::SvgUndefinedEntity {
                        name: name.to_string(),
                        offset: offset + amp,
                    });
                }
            };
            if let Some(out) = out.as_deref_mut() {
                out.push(decoded);
            }
            let consumed = amp + 1 + semi + 1;
            rest = &rest[consumed..];
            offset += consumed;
        }
        if let Some(out) = out {
            out.push_str(rest);
        }
        Ok(())
    }

    fn resolve(&self, prefix: &str) -> Option<&str> {
        self.namespaces
            .get(prefix)
            .and_then(|uris| uris.last())
            .map(String::as_str)
    }

    /// Appends captured character data to the element being captured, if the innermost
    /// open element is one.
    fn capture(&mut self, text: &str) -> Result<(), BakeError> {
        if let Some(index) = self.stack.last().and_then(|f| f.capture) {
            let found = &mut self.found[index];
            found.text.push_str(&normalize_line_ends(text));
            check_credential_size(found.text.len())?;
        }
        Ok(())
    }

    fn scan(mut self) -> Result<SvgScan, BakeError> {
        let bytes = self.bytes;
        let mut pos = 0;
        let mut seen_doctype = false;
        while pos < bytes.len() {
            if bytes[pos] != b'<' {
                let end = find(bytes, pos, b"<").unwrap_or(bytes.len());
                let text = &self.src[pos..end];
                if self.stack.is_empty() {
                    if !text.bytes().all(|b| b.is_ascii_whitespace()) {
                        return Err(Self::malformed(pos, "text outside the root element"));
                    }
                } else if self.stack.last().is_some_and(|f| f.capture.is_some()) {
                    let mut decoded = String::new();
                    Self::decode(text, pos, Some(&mut decoded))?;
                    self.capture(&decoded)?;
                } else {
                    Self::decode(text, pos, None)?;
                }
                pos = end;
                continue;
            }
            let rest = &bytes[pos..];
            if rest.starts_with(b"<?") {
                let end = find(bytes, pos + 2, b"?>").ok_or(Self::malformed(
                    pos,
                    "a processing instruction is not closed",
                ))?;
                pos = end + 2;
            } else if rest.starts_with(b"<!--") {
                let end = find(bytes, pos + 4, b"-->")
                    .ok_or(Self::malformed(pos, "a comment is not closed"))?;
                pos = end + 3;
            } else if rest.starts_with(b"<![CDATA[") {
                if self.stack.is_empty() {
                    return Err(Self::malformed(
                        pos,
                        "a CDATA section outside the root element",
                    ));
                }
                let end = find(bytes, pos + 9, b"]]>")
                    .ok_or(Self::malformed(pos, "a CDATA section is not closed"))?;
                let text = &self.src[pos + 9..end];
                self.capture(text)?;
                pos = end + 3;
            } else if rest.starts_with(b"<!DOCTYPE") {
                if seen_doctype || self.root.is_some() {
                    return Err(Self::malformed(
                        pos,
                        "a DOCTYPE after the start of the document",
                    ));
                }
                seen_doctype = true;
                pos = Self::skip_doctype(bytes, pos)?;
            } else if rest.starts_with(b"<!") {
                return Err(Self::malformed(pos, "an unknown `<!` markup declaration"));
            } else if rest.starts_with(b"</") {
                pos = self.end_tag(pos)?;
            } else {
                pos = self.start_tag(pos)?;
            }
        }
        if !self.stack.is_empty() {
            return Err(Self::malformed(
                bytes.len(),
                "the document ends inside an open element",
            ));
        }
        let root = self
            .root
            .ok_or(Self::malformed(0, "the document has no root element"))?;
        Ok(SvgScan {
            root,
            found: self.found,
        })
    }

    /// Skips a DOCTYPE declaration starting at `pos`; refuses an internal subset.
    fn skip_doctype(bytes: &[u8], pos: usize) -> Result<usize, BakeError> {
        let mut quote = None;
        for (i, &b) in bytes.iter().enumerate().skip(pos + 9) {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'[') => return Err(BakeError::SvgDtdSubset { offset: pos }),
                (None, b'>') => return Ok(i + 1),
                (None, _) => {}
            }
        }
        Err(Self::malformed(pos, "a DOCTYPE is not closed"))
    }

    fn read_name(&self, pos: usize) -> Result<usize, BakeError> {
        let len = self.bytes[pos..]
            .iter()
            .take_while(|&&b| is_name_byte(b))
            .count();
        if len == 0 {
            return Err(Self::malformed(pos, "a name is missing"));
        }
        Ok(pos + len)
    }

    fn skip_space(&self, mut pos: usize) -> usize {
        while self.bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        pos
    }

    fn end_tag(&mut self, pos: usize) -> Result<usize, BakeError> {
        let name_end = self.read_name(pos + 2)?;
        let close = self.skip_space(name_end);
        if self.bytes.get(close) != Some(&b'>') {
            return Err(Self::malformed(pos, "an end tag is not closed by `>`"));
        }
        let frame = self
            .stack
            .pop()
            .ok_or(Self::malformed(pos, "an end tag without a start tag"))?;
        if frame.qname != self.src[pos + 2..name_end] {
            return Err(Self::malformed(
                pos,
                "an end tag does not match its start tag",
            ));
        }
        for prefix in &frame.declared {
            if let Some(uris) = self.namespaces.get_mut(prefix) {
                uris.pop();
            }
        }
        if let Some(index) = frame.capture {
            self.found[index].end = close + 1;
        }
        Ok(close + 1)
    }

    fn start_tag(&mut self, pos: usize) -> Result<usize, BakeError> {
        if self.stack.is_empty() && self.root.is_some() {
            return Err(Self::malformed(pos, "a second root element"));
        }
        if self.stack.last().is_some_and(|f| f.capture.is_some()) {
            return Err(Self::malformed(
                pos,
                "a baked credential element holds another element",
            ));
        }
        let name_end = self.read_name(pos + 1)?;
        let qname = self.src[pos + 1..name_end].to_string();
        let mut attributes: BTreeMap<String, String> = BTreeMap::new();
        let mut prefix_binding = None;
        let mut cursor = name_end;
        let (tag_close, self_closing, tag_end) = loop {
            let next = self.skip_space(cursor);
            match self.bytes.get(next) {
                None => return Err(Self::malformed(pos, "a start tag is not closed")),
                Some(b'>') => break (next, false, next + 1),
                Some(b'/') if self.bytes.get(next + 1) == Some(&b'>') => {
                    break (next, true, next + 2);
                }
                Some(_) if next == cursor => {
                    return Err(Self::malformed(
                        next,
                        "attributes must be separated by space",
                    ));
                }
                Some(_) => {}
            }
            let attr_end = self.read_name(next)?;
            let attr_name = self.src[next..attr_end].to_string();
            let eq = self.skip_space(attr_end);
            if self.bytes.get(eq) != Some(&b'=') {
                return Err(Self::malformed(eq, "an attribute has no `=` value"));
            }
            let open = self.skip_space(eq + 1);
            let quote = match self.bytes.get(open) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return Err(Self::malformed(open, "an attribute value is not quoted")),
            };
            let close = find(self.bytes, open + 1, &[quote])
                .ok_or(Self::malformed(open, "an attribute value is not closed"))?;
            let raw = &self.src[open + 1..close];
            if raw.contains('<') {
                return Err(Self::malformed(open, "an attribute value contains `<`"));
            }
            let mut value = String::new();
            Self::decode(raw, open + 1, Some(&mut value))?;
            if attr_name == "xmlns:openbadges" {
                prefix_binding = Some((open + 1, close, value.clone()));
            }
            if attributes.insert(attr_name, value).is_some() {
                return Err(Self::malformed(
                    next,
                    "an attribute appears twice in one tag",
                ));
            }
            cursor = close + 1;
        };

        let mut declared = Vec::new();
        for (name, value) in &attributes {
            let prefix = match name.strip_prefix("xmlns") {
                Some("") => "",
                Some(rest) => match rest.strip_prefix(':') {
                    Some(prefix) => prefix,
                    None => continue,
                },
                None => continue,
            };
            self.namespaces
                .entry(prefix.to_string())
                .or_default()
                .push(value.clone());
            declared.push(prefix.to_string());
        }
        let (prefix, local) = qname.split_once(':').unwrap_or(("", qname.as_str()));
        let namespace = self.resolve(prefix).unwrap_or("");
        let version = match (namespace, local) {
            (SVG_NAMESPACE, "credential") => Some(BakedVersion::Ob3),
            (SVG_NAMESPACE_OB2, "assertion") => Some(BakedVersion::Ob2),
            _ => None,
        };
        if self.root.is_none() {
            if local != "svg" {
                return Err(Self::malformed(pos, "the root element is not <svg>"));
            }
            self.root = Some(Root {
                qname: qname.clone(),
                tag_close,
                tag_end,
                self_closing,
                prefix_binding,
            });
        }
        let capture = match version {
            Some(version) => {
                if self.found.iter().any(|f| f.version == version) {
                    return Err(BakeError::SvgDuplicateCredential { offset: pos });
                }
                self.found.push(Found {
                    version,
                    start: pos,
                    end: tag_end,
                    text: String::new(),
                    verify: attributes.get("verify").cloned(),
                });
                Some(self.found.len() - 1)
            }
            None => None,
        };
        let frame = Frame {
            qname,
            declared,
            capture,
        };
        if self_closing {
            for prefix in &frame.declared {
                if let Some(uris) = self.namespaces.get_mut(prefix) {
                    uris.pop();
                }
            }
        } else {
            if self.stack.len() >= MAX_SVG_DEPTH {
                return Err(Self::malformed(
                    pos,
                    "elements are nested more than 256 deep",
                ));
            }
            self.stack.push(frame);
        }
        Ok(tag_end)
    }
}

/// Parses an SVG just enough to find its root start tag and its baked elements.
fn scan_svg(svg: &[u8]) -> Result<(SvgScan, &str, usize), BakeError> {
    check_image_size(svg)?;
    let bom = if svg.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let text = std::str::from_utf8(&svg[bom..]).map_err(|_| BakeError::SvgNotUtf8)?;
    if let Some(bad) = text.chars().find(|&c| !is_xml_char(c)) {
        let offset = text.find(bad).unwrap_or(0) + bom;
        return Err(BakeError::SvgMalformed {
            offset,
            reason: "a character XML does not allow (a control character or U+FFFE/U+FFFF)",
        });
    }
    let scanner = Scanner {
        src: text,
        bytes: text.as_bytes(),
        namespaces: BTreeMap::new(),
        stack: Vec::new(),
        root: None,
        found: Vec::new(),
    };
    Ok((scanner.scan()?, text, bom))
}

/// Extracts the baked credential from an SVG: the `credential` element in the Open Badges
/// 3.0 namespace (whatever its prefix), else the OB 2.0 `assertion` element. Refuses
/// malformed XML, a DTD internal subset, undefined entities and duplicate elements.
pub fn extract_svg(svg: &[u8]) -> Result<Extracted, BakeError> {
    let (scan, _, _) = scan_svg(svg)?;
    let pick = |version| scan.found.iter().find(|f| f.version == version);
    let found = pick(BakedVersion::Ob3)
        .or_else(|| pick(BakedVersion::Ob2))
        .ok_or(BakeError::NoCredential)?;
    let text = match &found.verify {
        Some(url) if found.text.trim().is_empty() => url.clone(),
        _ => found.text.clone(),
    };
    Ok(Extracted {
        image: ImageKind::Svg,
        version: found.version,
        text,
    })
}

/// Wraps `text` in CDATA sections, splitting any `]]>` across two sections.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// Bakes `credential_json` into an SVG: binds `xmlns:openbadges` to the Open Badges 3.0
/// namespace on the root and puts `<openbadges:credential>` with the text in CDATA directly
/// after the root start tag. Earlier baked elements (OB 3.0 or OB 2.0) are removed; an
/// OB 2.0 binding of the prefix is rebound; every other byte is kept.
pub fn bake_svg(svg: &[u8], credential_json: &str) -> Result<Vec<u8>, BakeError> {
    check_credential_text(credential_json)?;
    if let Some(bad) = credential_json
        .chars()
        .find(|&c| !is_xml_char(c) || c == '\r')
    {
        return Err(BakeError::SvgUnsupportedCharacter {
            code: u32::from(bad),
        });
    }
    let (scan, text, bom) = scan_svg(svg)?;
    let root = &scan.root;

    // Edits as (start, end, replacement), applied in order of position.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    match &root.prefix_binding {
        None => edits.push((
            root.tag_close,
            root.tag_close,
            format!(" xmlns:{SVG_PREFIX}=\"{SVG_NAMESPACE}\""),
        )),
        Some((_, _, uri)) if uri == SVG_NAMESPACE => {}
        Some((start, end, uri)) if uri == SVG_NAMESPACE_OB2 => {
            edits.push((*start, *end, SVG_NAMESPACE.to_string()));
        }
        Some((_, _, uri)) => return Err(BakeError::SvgPrefixTaken { uri: uri.clone() }),
    }
    let element = format!(
        "<{SVG_PREFIX}:credential>{}</{SVG_PREFIX}:credential>",
        cdata(credential_json)
    );
    if root.self_closing {
        edits.push((
            root.tag_close,
            root.tag_end,
            format!(">{element}</{}>", root.qname),
        ));
    } else {
        edits.push((root.tag_end, root.tag_end, element));
    }
    let removed: BTreeSet<(usize, usize)> = scan.found.iter().map(|f| (f.start, f.end)).collect();
    edits.extend(
        removed
            .into_iter()
            .map(|(start, end)| (start, end, String::new())),
    );
    edits.sort_by_key(|&(start, end, _)| (start, end));

    let mut out = String::with_capacity(text.len() + credential_json.len() + 128);
    let mut cursor = 0;
    for (start, end, replacement) in edits {
        out.push_str(&text[cursor..start]);
        out.push_str(&replacement);
        cursor = end;
    }
    out.push_str(&text[cursor..]);
    let mut bytes = Vec::with_capacity(bom + out.len());
    bytes.extend_from_slice(&svg[..bom]);
    bytes.extend_from_slice(out.as_bytes());
    check_image_size(&bytes)?;
    // Self-check: rebinding an OB 2.0 prefix could turn other elements into credentials.
    match extract_svg(&bytes) {
        Ok(read) if read.version == BakedVersion::Ob3 && read.text == credential_json => Ok(bytes),
        _ => Err(BakeError::SvgNamespaceConflict),
    }
}
