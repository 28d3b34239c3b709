//! The badge images of `/credentials/{id}.png` and `.svg`: the definition's own image when the
//! credential carries it as a `data:` URI of that kind, else a generated default (the core's
//! default SVG; for PNG a disc in the same colour, encoded here), baked with the signed
//! credential by `cairn::credential::bake`. Pure: bytes in, bytes out. An `https` image is
//! never fetched (the server sends nothing outward for a public page).

use base64::Engine as _;
use cairn::credential::bake::{self, BakeError, ImageKind};
use cairn::credential::image::{badge_colour, default_badge_svg};
use serde_json::Value;

/// Size limit of a definition image decoded from a `data:` URI.
const MAX_IMAGE_BYTES: usize = 1024 * 1024;

/// Side of the default PNG, in pixels.
const SIDE: u32 = 256;

/// The bytes of a `data:` URI (`data:<type>[;base64],<data>`), with its media type.
pub fn decode_data_uri(uri: &str) -> Option<(String, Vec<u8>)> {
    let rest = uri.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let mut params = meta.split(';');
    let media = params.next().unwrap_or("").trim().to_ascii_lowercase();
    let is_base64 = params.any(|p| p.trim().eq_ignore_ascii_case("base64"));
    let bytes = if is_base64 {
        base64::engine::general_purpose::STANDARD
            .decode(data.trim().as_bytes())
            .ok()?
    } else {
        percent_decode(data)?
    };
    (bytes.len() <= MAX_IMAGE_BYTES).then_some((media, bytes))
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The credential's achievement image, when it is a `data:` URI of `kind`.
pub fn own_image(credential: &Value, kind: ImageKind) -> Option<Vec<u8>> {
    let image = credential
        .get("credentialSubject")?
        .get("achievement")?
        .get("image")?;
    let id = match image {
        Value::String(id) => id.as_str(),
        other => other.get("id")?.as_str()?,
    };
    let (_, bytes) = decode_data_uri(id)?;
    (bake::sniff(&bytes).ok()? == kind).then_some(bytes)
}

fn achievement_text<'a>(credential: &'a Value, key: &str) -> Option<&'a str> {
    credential
        .get("credentialSubject")?
        .get("achievement")?
        .get(key)?
        .as_str()
}

/// The SVG badge with `credential_json` (the stored signed text) baked in. `seed` picks the
/// default badge's colour (the definition id, as the core's default image does).
pub fn baked_svg(
    credential_json: &str,
    credential: &Value,
    seed: &str,
) -> Result<Vec<u8>, BakeError> {
    let image = own_image(credential, ImageKind::Svg).unwrap_or_else(|| {
        default_badge_svg(
            achievement_text(credential, "name").unwrap_or("Credential"),
            achievement_text(credential, "humanCode"),
            seed,
        )
        .into_bytes()
    });
    bake::bake(&image, credential_json)
}

/// The PNG badge with `credential_json` baked in (the definition's PNG, else a default disc
/// in the colour of `seed`).
pub fn baked_png(
    credential_json: &str,
    credential: &Value,
    seed: &str,
) -> Result<Vec<u8>, BakeError> {
    let image = own_image(credential, ImageKind::Png).unwrap_or_else(|| default_png(seed));
    bake::bake(&image, credential_json)
}

/// `#rrggbb` as bytes (black when unreadable).
fn rgb(colour: &str) -> [u8; 3] {
    let hex = colour.trim_start_matches('#');
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    [byte(0), byte(2), byte(4)]
}

/// The default PNG: a 256 px disc in the badge colour of `seed` with a light ring, on a
/// transparent ground (2-bit indexed colour, stored deflate blocks: about 17 KB).
pub fn default_png(seed: &str) -> Vec<u8> {
    let fill = rgb(&badge_colour(seed));
    // The core's SVG ring is white at 60 % opacity over the fill.
    let ring = fill.map(|c| (f32::from(c) + 0.6 * (255.0 - f32::from(c))).round() as u8);
    let centre = (SIDE as f32 - 1.0) / 2.0;
    let row_bytes = (SIDE / 4) as usize;
    let mut raw = Vec::with_capacity((row_bytes + 1) * SIDE as usize);
    for y in 0..SIDE {
        raw.push(0); // filter: none
        let mut row = vec![0u8; row_bytes];
        for x in 0..SIDE {
            let d = ((x as f32 - centre).powi(2) + (y as f32 - centre).powi(2)).sqrt();
            let index: u8 = if (106.0..=110.0).contains(&d) {
                2
            } else if d <= 124.0 {
                1
            } else {
                0
            };
            row[(x / 4) as usize] |= index << (6 - 2 * (x % 4));
        }
        raw.extend_from_slice(&row);
    }

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&SIDE.to_be_bytes());
    ihdr.extend_from_slice(&SIDE.to_be_bytes());
    ihdr.extend_from_slice(&[2, 3, 0, 0, 0]); // bit depth 2, indexed, deflate, adaptive, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    let mut palette = vec![0, 0, 0];
    palette.extend_from_slice(&fill);
    palette.extend_from_slice(&ring);
    chunk(&mut png, b"PLTE", &palette);
    chunk(&mut png, b"tRNS", &[0, 255, 255]);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

/// zlib framing around stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// CRC-32 (ISO-HDLC, as PNG uses), bit by bit: the default image is small and made rarely.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crc_and_adler_match_known_values() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        let z = zlib_stored(b"Wikipedia");
        assert_eq!(&z[z.len() - 4..], &0x11e6_0398u32.to_be_bytes());
    }

    #[test]
    fn data_uris_decode() {
        let (media, bytes) = decode_data_uri("data:image/svg+xml;base64,PHN2Zy8+").expect("uri");
        assert_eq!(media, "image/svg+xml");
        assert_eq!(bytes, b"<svg/>");
        let (_, bytes) = decode_data_uri("data:image/svg+xml,%3Csvg%2F%3E").expect("uri");
        assert_eq!(bytes, b"<svg/>");
        assert!(decode_data_uri("https://x.example/a.png").is_none());
        assert!(decode_data_uri("data:image/png;base64,!!!").is_none());
    }

    #[test]
    fn the_definitions_own_image_is_used_when_it_is_of_that_kind() {
        let png = default_png("own");
        let uri = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&png)
        );
        let credential =
            json!({"credentialSubject": {"achievement": {"name": "A", "image": {"id": uri}}}});
        assert_eq!(own_image(&credential, ImageKind::Png), Some(png.clone()));
        assert_eq!(
            own_image(&credential, ImageKind::Svg),
            None,
            "a PNG is no SVG"
        );
        // Baked into the definition's PNG (seeded "own"), not the default of seed "other".
        let baked = baked_png("{}", &credential, "other").expect("bake");
        assert_eq!(bake::bake(&png, "{}").expect("bake"), baked);
        assert_ne!(
            bake::bake(&default_png("other"), "{}").expect("bake"),
            baked
        );
    }

    #[test]
    fn default_png_bakes_and_extracts_back() {
        let credential = json!({"credentialSubject": {"achievement": {"name": "A", "image": {"id": "https://x.example/a.png"}}}});
        let text = credential.to_string();
        let png = baked_png(&text, &credential, "def-1").expect("bake");
        let extracted = bake::extract(&png).expect("extract");
        assert_eq!(extracted.image, ImageKind::Png);
        assert_eq!(extracted.text, text);
        let svg = baked_svg(&text, &credential, "def-1").expect("bake");
        assert_eq!(bake::extract(&svg).expect("extract").text, text);
        assert_ne!(
            default_png("a"),
            default_png("b"),
            "the colour follows the seed"
        );
    }
}
