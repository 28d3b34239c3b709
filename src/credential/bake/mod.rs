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

use serde::{Deserialize, Serialize};

mod png;
mod svg;

pub use super::vc::MAX_CREDENTIAL_BYTES;
pub use png::{bake_png, extract_png};
pub use svg::{bake_svg, extract_svg};

/// The largest image accepted for baking or extraction (8 MiB).
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
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

/// The kind of badge image (`"png"` or `"svg"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    /// A PNG image.
    Png,
    /// An SVG image (XML text).
    Svg,
}

/// Which Open Badges version's baking convention the extracted text was found under
/// (`"ob3"` or `"ob2"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BakedVersion {
    /// Open Badges 3.0: PNG keyword `openbadgecredential`, SVG `credential` element.
    Ob3,
    /// Open Badges 2.0: PNG keyword `openbadges`, SVG `assertion` element; the text is a
    /// JSON assertion or the URL of a hosted assertion.
    Ob2,
}

/// What [`extract`] found in a badge image (`{image, version, text}` in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
