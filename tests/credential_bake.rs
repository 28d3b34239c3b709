//! Baking into and extracting from PNG and SVG badge images: exact round trips checked
//! with independent decoders (`png`, `roxmltree`), the 1EdTech baked fixtures, OB 2.0
//! images, and one test per refusal of a malformed or oversized image.

use std::io::Cursor;
use std::path::PathBuf;

use cairn::credential::bake::{
    BakeError, BakedVersion, ImageKind, MAX_CREDENTIAL_BYTES, MAX_IMAGE_BYTES, PNG_KEYWORD,
    SVG_NAMESPACE, bake, bake_png, bake_svg, extract, extract_png, extract_svg,
};
use cairn::credential::{VerifyOptions, verify};
use serde_json::Value;

fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(path)
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(shared(path)).unwrap_or_else(|e| panic!("reading ../shared/{path}: {e}"))
}

fn read_text(path: &str) -> String {
    String::from_utf8(read(path)).expect("fixture is UTF-8")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// A signed credential as issued, kept as its exact text.
fn signed_credential() -> String {
    read_text("vectors/project/ob3-mastery-signed.json")
}

/// A fresh 5×3 RGBA PNG with distinct pixels, written by the `png` crate.
fn fresh_png() -> Vec<u8> {
    let pixels: Vec<u8> = (0..5 * 3 * 4).map(|i| (i * 17 % 251) as u8).collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 5, 3);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("header");
    writer.write_image_data(&pixels).expect("pixels");
    writer.finish().expect("finish");
    out
}

/// Decodes a PNG independently: its pixels and its iTXt chunks (keyword, text).
fn decode_png(bytes: &[u8]) -> (Vec<u8>, Vec<(String, String)>) {
    let mut reader = png::Decoder::new(Cursor::new(bytes))
        .read_info()
        .expect("png decodes");
    let mut pixels = vec![0; reader.output_buffer_size().expect("buffer size")];
    reader.next_frame(&mut pixels).expect("frame");
    reader.finish().expect("finish");
    let texts = reader
        .info()
        .utf8_text
        .iter()
        .map(|chunk| (chunk.keyword.clone(), chunk.get_text().expect("text")))
        .collect();
    (pixels, texts)
}

/// The chunks of a PNG as (type, raw bytes including length and CRC).
fn chunks(png: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < png.len() {
        let len = u32::from_be_bytes(png[pos..pos + 4].try_into().expect("4 bytes")) as usize;
        let kind = String::from_utf8_lossy(&png[pos + 4..pos + 8]).to_string();
        out.push((kind, png[pos..pos + 12 + len].to_vec()));
        pos += 12 + len;
    }
    out
}

/// A raw PNG chunk with a correct CRC.
fn raw_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(kind);
    hasher.update(data);
    chunk.extend_from_slice(&hasher.finalize().to_be_bytes());
    chunk
}

/// `png` with `chunk` inserted right after IHDR.
fn with_chunk_after_ihdr(png: &[u8], chunk: &[u8]) -> Vec<u8> {
    let mut out = png[..33].to_vec();
    out.extend_from_slice(chunk);
    out.extend_from_slice(&png[33..]);
    out
}

fn itxt_data(keyword: &str, compressed: bool, text: &[u8]) -> Vec<u8> {
    let mut data = keyword.as_bytes().to_vec();
    data.extend_from_slice(&[0, u8::from(compressed), 0, 0, 0]);
    data.extend_from_slice(text);
    data
}

const PLAIN_SVG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"#c33\"/></svg>\n";

// ----------------------------------------------------------------------------- PNG

#[test]
fn png_round_trip_is_exact_and_leaves_pixels_untouched() {
    let original = fresh_png();
    let credential = signed_credential();
    let baked = bake_png(&original, &credential).expect("bakes");

    let extracted = extract_png(&baked).expect("extracts");
    assert_eq!(extracted.image, ImageKind::Png);
    assert_eq!(extracted.version, BakedVersion::Ob3);
    assert_eq!(extracted.text.as_bytes(), credential.as_bytes());

    // An independent decoder sees the same pixels and the same uncompressed iTXt text.
    let (before, _) = decode_png(&original);
    let (after, texts) = decode_png(&baked);
    assert_eq!(before, after);
    assert_eq!(texts, vec![(PNG_KEYWORD.to_string(), credential.clone())]);

    // The iTXt chunk sits right after IHDR; every other chunk is byte-identical.
    let baked_chunks = chunks(&baked);
    assert_eq!(baked_chunks[0].0, "IHDR");
    assert_eq!(baked_chunks[1].0, "iTXt");
    let mut others = baked_chunks.clone();
    others.remove(1);
    assert_eq!(others, chunks(&original));
    // Uncompressed: flag and method bytes right after the keyword are zero.
    let data = &baked_chunks[1].1[8..];
    assert_eq!(
        &data[..PNG_KEYWORD.len() + 5],
        itxt_data(PNG_KEYWORD, false, b"").as_slice()
    );
}

#[test]
fn png_rebake_replaces_the_earlier_credential() {
    let credential = signed_credential();
    let first = bake_png(&fresh_png(), &credential).expect("bakes");
    let second_text = read_text("vectors/project/ob3-cis-signed.json");
    let second = bake_png(&first, &second_text).expect("re-bakes");
    let itxt: Vec<_> = chunks(&second)
        .into_iter()
        .filter(|(k, _)| k == "iTXt")
        .collect();
    assert_eq!(itxt.len(), 1);
    assert_eq!(extract(&second).expect("extracts").text, second_text);
}

#[test]
fn png_fixture_extracts_the_published_credential() {
    let image = read("vectors/1edtech-ob3/validator-fixtures/simple-json.png");
    let extracted = extract(&image).expect("extracts");
    assert_eq!(extracted.image, ImageKind::Png);
    assert_eq!(extracted.version, BakedVersion::Ob3);
    assert_is_simple_json_resigned(&json(&extracted.text));
}

/// The baked fixtures carry `simple.json` signed again with another key (see
/// `../shared/vectors/1edtech-ob3/SOURCE.md`): equal to it without `proof`, and with the
/// proof SOURCE.md describes.
fn assert_is_simple_json_resigned(extracted: &Value) {
    let mut expected = json(&read_text(
        "vectors/1edtech-ob3/validator-fixtures/simple.json",
    ));
    let mut extracted = extracted.clone();
    let proof = extracted
        .as_object_mut()
        .and_then(|o| o.remove("proof"))
        .expect("a proof");
    expected
        .as_object_mut()
        .and_then(|o| o.remove("proof"))
        .expect("a proof");
    assert_eq!(extracted, expected);
    assert_eq!(proof[0]["created"], "2024-03-20T14:53:19Z");
    assert_eq!(
        proof[0]["verificationMethod"],
        "https://example.com/issuers/876543#z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x"
    );
}

#[test]
fn png_and_svg_fixtures_carry_the_same_credential() {
    let png = extract(&read(
        "vectors/1edtech-ob3/validator-fixtures/simple-json.png",
    ));
    let svg = extract(&read(
        "vectors/1edtech-ob3/validator-fixtures/simple-json.svg",
    ));
    assert_eq!(json(&png.expect("png").text), json(&svg.expect("svg").text));
}

#[test]
fn png_fixture_rebaked_keeps_its_image_chunks() {
    let image = read("vectors/1edtech-ob3/validator-fixtures/simple-json.png");
    let credential = signed_credential();
    let baked = bake(&image, &credential).expect("bakes");
    assert_eq!(extract(&baked).expect("extracts").text, credential);
    let without_credential = |png: &[u8]| -> Vec<(String, Vec<u8>)> {
        chunks(png)
            .into_iter()
            .filter(|(k, _)| k != "iTXt")
            .collect()
    };
    assert_eq!(without_credential(&baked), without_credential(&image));
    let (before, _) = decode_png(&image);
    let (after, _) = decode_png(&baked);
    assert_eq!(before, after);
}

#[test]
fn png_ob2_keyword_is_read() {
    let assertion = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion"}"#;
    let chunk = raw_chunk(
        b"iTXt",
        &itxt_data("openbadges", false, assertion.as_bytes()),
    );
    let image = with_chunk_after_ihdr(&fresh_png(), &chunk);
    let extracted = extract_png(&image).expect("extracts");
    assert_eq!(extracted.version, BakedVersion::Ob2);
    assert_eq!(extracted.text, assertion);

    // An OB 3.0 credential wins over an OB 2.0 assertion in the same image.
    let both = bake_png(&fresh_png(), &signed_credential()).expect("bakes");
    let both = with_chunk_after_ihdr(&both, &chunk);
    assert_eq!(
        extract_png(&both).expect("extracts").version,
        BakedVersion::Ob3
    );
}

#[test]
fn png_with_bad_signature_is_refused() {
    let mut image = bake_png(&fresh_png(), &signed_credential()).expect("bakes");
    image[1] = b'Q';
    let err = extract(&image).expect_err("refused");
    assert_eq!(err, BakeError::PngSignature);
    assert_eq!(err.code(), "png_signature_invalid");
}

#[test]
fn png_with_crc_mismatch_is_refused() {
    let mut image = bake_png(&fresh_png(), &signed_credential()).expect("bakes");
    // Flip one byte inside the credential text (chunk 1's data).
    let at = 33 + 8 + PNG_KEYWORD.len() + 5 + 10;
    image[at] ^= 0x01;
    let err = extract_png(&image).expect_err("refused");
    assert!(
        matches!(err, BakeError::PngCrcMismatch { ref chunk, offset: 33 } if chunk == "iTXt"),
        "{err:?}"
    );
    assert_eq!(err.code(), "png_crc_mismatch");
}

#[test]
fn truncated_png_is_refused() {
    let image = bake_png(&fresh_png(), &signed_credential()).expect("bakes");
    for cut in [image.len() - 3, 33 + 100, 40, 10] {
        let err = extract_png(&image[..cut]).expect_err("refused");
        assert!(
            matches!(err, BakeError::PngTruncated { .. }),
            "cut at {cut}: {err:?}"
        );
        assert_eq!(err.code(), "png_truncated");
    }
    // Cut exactly at a chunk boundary before IEND: no chunk is cut, but IEND is missing.
    let iend = image.len() - 12;
    let err = extract_png(&image[..iend]).expect_err("refused");
    assert!(matches!(err, BakeError::PngMalformed { .. }), "{err:?}");
}

#[test]
fn compressed_itxt_credential_is_refused() {
    let data = itxt_data(
        PNG_KEYWORD,
        true,
        &miniz_oxide::deflate::compress_to_vec_zlib(b"{}", 6),
    );
    let image = with_chunk_after_ihdr(&fresh_png(), &raw_chunk(b"iTXt", &data));
    let err = extract_png(&image).expect_err("refused");
    assert_eq!(err, BakeError::CompressedCredential);
    assert_eq!(err.code(), "credential_compressed");
}

#[test]
fn png_without_credential_is_refused() {
    let err = extract(&fresh_png()).expect_err("refused");
    assert_eq!(err, BakeError::NoCredential);
    assert_eq!(err.code(), "credential_not_found");
}

#[test]
fn oversized_png_is_refused() {
    let mut image = fresh_png();
    image.resize(MAX_IMAGE_BYTES + 1, 0);
    let err = extract(&image).expect_err("refused");
    assert_eq!(
        err,
        BakeError::ImageTooLarge {
            size: MAX_IMAGE_BYTES + 1,
            limit: MAX_IMAGE_BYTES
        }
    );
    assert_eq!(err.code(), "image_too_large");
}

#[test]
fn oversized_credential_text_is_refused() {
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(MAX_CREDENTIAL_BYTES));
    let err = bake_png(&fresh_png(), &huge).expect_err("refused");
    assert!(
        matches!(err, BakeError::CredentialTooLarge { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "credential_too_large");

    // The same text planted in an image by another tool is refused on extraction.
    let chunk = raw_chunk(b"iTXt", &itxt_data(PNG_KEYWORD, false, huge.as_bytes()));
    let image = with_chunk_after_ihdr(&fresh_png(), &chunk);
    let err = extract_png(&image).expect_err("refused");
    assert_eq!(
        err,
        BakeError::CredentialTooLarge {
            size: huge.len(),
            limit: MAX_CREDENTIAL_BYTES
        }
    );
}

#[test]
fn non_utf8_credential_text_is_refused() {
    let chunk = raw_chunk(
        b"iTXt",
        &itxt_data(PNG_KEYWORD, false, b"{\"name\":\"\xff\"}"),
    );
    let image = with_chunk_after_ihdr(&fresh_png(), &chunk);
    assert_eq!(extract_png(&image), Err(BakeError::CredentialNotUtf8));
}

#[test]
fn baking_text_that_is_not_a_json_object_is_refused() {
    for text in ["not json", "[1, 2]", "{\"a\": 1"] {
        let err = bake_png(&fresh_png(), text).expect_err("refused");
        assert_eq!(err.code(), "credential_not_json", "{text}");
        let err = bake_svg(PLAIN_SVG.as_bytes(), text).expect_err("refused");
        assert_eq!(err.code(), "credential_not_json", "{text}");
    }
}

#[test]
fn unknown_image_format_is_refused() {
    assert_eq!(extract(b"GIF89a...."), Err(BakeError::UnknownImageFormat));
    assert_eq!(bake(b"", "{}"), Err(BakeError::UnknownImageFormat));
}

// ----------------------------------------------------------------------------- SVG

/// Finds the OB 3.0 credential element with an independent XML parser and returns its text.
fn roxml_credential(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    let first = root
        .children()
        .find(|n| n.is_element())
        .expect("a child element");
    assert_eq!(first.tag_name().namespace(), Some(SVG_NAMESPACE));
    assert_eq!(first.tag_name().name(), "credential");
    let count = doc
        .descendants()
        .filter(|n| n.tag_name().namespace() == Some(SVG_NAMESPACE))
        .count();
    assert_eq!(count, 1, "exactly one credential element");
    first.children().filter_map(|n| n.text()).collect()
}

#[test]
fn svg_round_trip_is_exact() {
    let credential = signed_credential();
    let baked = bake_svg(PLAIN_SVG.as_bytes(), &credential).expect("bakes");
    let baked_text = String::from_utf8(baked.clone()).expect("UTF-8");
    assert!(baked_text.contains("xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\""));
    assert!(
        baked_text.contains("fill=\"#c33\"/></svg>"),
        "the drawing is kept: {baked_text}"
    );

    let extracted = extract_svg(&baked).expect("extracts");
    assert_eq!(extracted.image, ImageKind::Svg);
    assert_eq!(extracted.version, BakedVersion::Ob3);
    assert_eq!(extracted.text.as_bytes(), credential.as_bytes());
    assert_eq!(roxml_credential(&baked_text), credential);

    // Re-baking replaces the element rather than adding a second one.
    let other = read_text("vectors/project/ob3-cis-signed.json");
    let rebaked = String::from_utf8(bake_svg(&baked, &other).expect("re-bakes")).expect("UTF-8");
    assert_eq!(roxml_credential(&rebaked), other);
    assert_eq!(rebaked.matches("xmlns:openbadges").count(), 1);
}

#[test]
fn svg_cdata_terminator_in_the_credential_is_split() {
    let mut value = json(&signed_credential());
    value["name"] = Value::String("Tricky ]]> name ]]]]>".into());
    let credential = serde_json::to_string_pretty(&value).expect("serializes");
    let baked = bake_svg(PLAIN_SVG.as_bytes(), &credential).expect("bakes");
    let baked_text = String::from_utf8(baked.clone()).expect("UTF-8");
    // Two `]]>` in the text: three CDATA sections.
    assert_eq!(baked_text.matches("<![CDATA[").count(), 3);
    assert_eq!(extract_svg(&baked).expect("extracts").text, credential);
    assert_eq!(roxml_credential(&baked_text), credential);
}

#[test]
fn svg_self_closing_root_and_bom_are_handled() {
    let svg = "\u{feff}<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
    let credential = signed_credential();
    let baked = bake(svg.as_bytes(), &credential).expect("bakes");
    assert!(baked.starts_with("\u{feff}".as_bytes()));
    let text = std::str::from_utf8(&baked[3..]).expect("UTF-8");
    assert_eq!(roxml_credential(text), credential);
    assert_eq!(extract(&baked).expect("extracts").text, credential);
}

#[test]
fn svg_fixture_extracts_the_published_credential() {
    let image = read("vectors/1edtech-ob3/validator-fixtures/simple-json.svg");
    let extracted = extract(&image).expect("extracts");
    assert_eq!(extracted.image, ImageKind::Svg);
    assert_eq!(extracted.version, BakedVersion::Ob3);
    assert_is_simple_json_resigned(&json(&extracted.text));

    // Re-baked, it carries the new credential, once.
    let credential = signed_credential();
    let baked = bake(&image, &credential).expect("bakes");
    assert_eq!(extract(&baked).expect("extracts").text, credential);
    let baked_text = String::from_utf8(baked).expect("UTF-8");
    assert_eq!(baked_text.matches("<openbadges:credential>").count(), 1);
}

#[test]
fn svg_element_is_found_by_namespace_not_prefix() {
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:ob=\"{SVG_NAMESPACE}\"><ob:credential>{{\"a\":1}}</ob:credential></svg>"
    );
    assert_eq!(
        extract_svg(svg.as_bytes()).expect("extracts").text,
        "{\"a\":1}"
    );

    let decoy = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://example.org/not-badges\"><openbadges:credential>{}</openbadges:credential></svg>";
    assert_eq!(extract_svg(decoy.as_bytes()), Err(BakeError::NoCredential));
    assert_eq!(
        bake_svg(decoy.as_bytes(), "{}"),
        Err(BakeError::SvgPrefixTaken {
            uri: "https://example.org/not-badges".into()
        })
    );
}

#[test]
fn svg_entities_and_line_ends_decode_as_xml_requires() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential>{\"a\":\r\n\"&lt;&#x41;&#66;&amp;\"}</openbadges:credential></svg>";
    assert_eq!(
        extract_svg(svg.as_bytes()).expect("extracts").text,
        "{\"a\":\n\"<AB&\"}"
    );
}

#[test]
fn svg_ob2_assertion_is_read() {
    let hosted = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion verify=\"https://example.org/assertions/1\"></openbadges:assertion><g/></svg>";
    let extracted = extract_svg(hosted.as_bytes()).expect("extracts");
    assert_eq!(extracted.version, BakedVersion::Ob2);
    assert_eq!(extracted.text, "https://example.org/assertions/1");

    // Baking an OB 3.0 credential into it rebinds the prefix and drops the old assertion.
    let credential = signed_credential();
    let baked =
        String::from_utf8(bake_svg(hosted.as_bytes(), &credential).expect("bakes")).expect("UTF-8");
    assert!(!baked.contains("openbadges.org"), "{baked}");
    assert_eq!(roxml_credential(&baked), credential);
    assert!(baked.ends_with("<g/></svg>"));
}

#[test]
fn svg_dtd_internal_subset_is_refused() {
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential>&xxe;</openbadges:credential></svg>";
    let err = extract_svg(xxe.as_bytes()).expect_err("refused");
    assert!(matches!(err, BakeError::SvgDtdSubset { .. }), "{err:?}");
    assert_eq!(err.code(), "svg_dtd_refused");
}

#[test]
fn svg_undefined_entity_is_refused() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential>&xxe;</openbadges:credential></svg>";
    let err = extract_svg(svg.as_bytes()).expect_err("refused");
    assert!(
        matches!(err, BakeError::SvgUndefinedEntity { ref name, .. } if name == "xxe"),
        "{err:?}"
    );
    assert_eq!(err.code(), "svg_entity_undefined");
}

#[test]
fn malformed_svg_is_refused() {
    let cases = [
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><g>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=10></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" a=\"1\" a=\"2\"></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg><svg/>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><![CDATA[never closed</svg>",
        "<html></html>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\u{1}</svg>",
    ];
    for svg in cases {
        let err = extract_svg(svg.as_bytes()).expect_err(svg);
        assert!(
            matches!(err, BakeError::SvgMalformed { .. }),
            "{svg}: {err:?}"
        );
        assert_eq!(err.code(), "svg_malformed");
        let err = bake_svg(svg.as_bytes(), "{}").expect_err(svg);
        assert_eq!(err.code(), "svg_malformed", "{svg}");
    }
}

#[test]
fn svg_with_two_credentials_is_refused() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential>{}</openbadges:credential><openbadges:credential>{}</openbadges:credential></svg>";
    let err = extract_svg(svg.as_bytes()).expect_err("refused");
    assert!(
        matches!(err, BakeError::SvgDuplicateCredential { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "svg_credential_duplicate");
}

#[test]
fn svg_without_credential_or_not_utf8_is_refused() {
    assert_eq!(
        extract_svg(PLAIN_SVG.as_bytes()),
        Err(BakeError::NoCredential)
    );
    let latin1 = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><title>caf\xe9</title></svg>";
    assert_eq!(extract_svg(latin1), Err(BakeError::SvgNotUtf8));
}

#[test]
fn svg_refuses_credential_characters_xml_cannot_carry() {
    let err = bake_svg(PLAIN_SVG.as_bytes(), "{\"a\":\"\u{fffe}\"}").expect_err("refused");
    assert_eq!(err, BakeError::SvgUnsupportedCharacter { code: 0xfffe });
    assert_eq!(err.code(), "svg_character_unsupported");
    // A CR would be turned into LF by every XML parser, breaking the exact round trip.
    let err = bake_svg(PLAIN_SVG.as_bytes(), "{\"a\":1}\r\n").expect_err("refused");
    assert_eq!(err, BakeError::SvgUnsupportedCharacter { code: 0x0d });
}

#[test]
fn svg_rebinding_that_would_misread_is_refused() {
    // An OB 2.0 image whose prefix also names an unrelated `credential` element: rebinding
    // the prefix to OB 3.0 would turn it into a second credential.
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion verify=\"https://example.org/a/1\"/><openbadges:credential>x</openbadges:credential></svg>";
    assert_eq!(
        extract_svg(svg.as_bytes()).expect("extracts").version,
        BakedVersion::Ob2
    );
    let err = bake_svg(svg.as_bytes(), "{}").expect_err("refused");
    assert_eq!(err, BakeError::SvgNamespaceConflict);
    assert_eq!(err.code(), "svg_namespace_conflict");
}

#[test]
fn extracted_credentials_verify() {
    let now = cairn::Timestamp::parse("2026-06-01T00:00:00Z").expect("time");
    let options = VerifyOptions::at(now);
    let credential = signed_credential();
    let png = bake(&fresh_png(), &credential).expect("bakes");
    let svg = bake(PLAIN_SVG.as_bytes(), &credential).expect("bakes");
    let fixtures = [
        read("vectors/1edtech-ob3/validator-fixtures/simple-json.png"),
        read("vectors/1edtech-ob3/validator-fixtures/simple-json.svg"),
    ];
    for image in [&png, &svg, &fixtures[0], &fixtures[1]] {
        let extracted = extract(image).expect("extracts");
        let report = verify(&extracted.text, &options);
        assert!(
            report.verified,
            "{:?}: {:?}",
            extracted.image, report.errors
        );
    }
    // A credential altered inside a baked image (CRC repaired) fails verification.
    let tampered = credential.replacen("Medication", "Medicatiox", 1);
    assert_ne!(tampered, credential);
    let forged = bake(&fresh_png(), &tampered).expect("bakes");
    let report = verify(&extract(&forged).expect("extracts").text, &options);
    assert!(
        report.error_codes().contains(&"signature_invalid"),
        "{:?}",
        report.errors
    );
}

#[test]
fn svg_nested_too_deep_is_refused() {
    let open = "<g>".repeat(300);
    let close = "</g>".repeat(300);
    let svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\">{open}{close}</svg>");
    let err = extract_svg(svg.as_bytes()).expect_err("refused");
    assert!(
        matches!(err, BakeError::SvgMalformed { reason, .. } if reason.contains("nested")),
        "{err:?}"
    );
    // A badge drawing nested a few dozen levels is fine.
    let ok = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\">{}{}</svg>",
        "<g>".repeat(50),
        "</g>".repeat(50)
    );
    assert_eq!(extract_svg(ok.as_bytes()), Err(BakeError::NoCredential));
}

#[test]
fn png_with_too_many_baked_chunks_is_refused() {
    let chunk = raw_chunk(b"iTXt", &itxt_data("openbadges", false, b"{}"));
    let mut image = fresh_png();
    for _ in 0..17 {
        image = with_chunk_after_ihdr(&image, &chunk);
    }
    let err = extract_png(&image).expect_err("refused");
    assert!(matches!(err, BakeError::PngMalformed { .. }), "{err:?}");
    assert_eq!(
        bake_png(&image, "{}").expect_err("refused").code(),
        "png_malformed"
    );
    // Sixteen are read (the first wins) and all replaced on baking.
    let mut image = fresh_png();
    for _ in 0..16 {
        image = with_chunk_after_ihdr(&image, &chunk);
    }
    assert_eq!(
        extract_png(&image).expect("extracts").version,
        BakedVersion::Ob2
    );
    let baked = bake_png(&image, "{\"a\":1}").expect("bakes");
    let itxt = chunks(&baked)
        .into_iter()
        .filter(|(k, _)| k == "iTXt")
        .count();
    assert_eq!(itxt, 1);
}
