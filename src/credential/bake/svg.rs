//! SVG baking: a namespaced `credential` element after the root start tag, found by a bounded XML scanner.

use super::*;

/// A baked element found in an SVG.
pub(super) struct Found {
    pub(super) version: BakedVersion,
    /// Byte range of the whole element, start tag to end tag.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) text: String,
    pub(super) verify: Option<String>,
}

/// The root element's start tag and its `openbadges` prefix binding.
pub(super) struct Root {
    pub(super) qname: String,
    /// Offset of `>` (or of `/` in `/>`) closing the start tag.
    pub(super) tag_close: usize,
    /// Offset just after the start tag.
    pub(super) tag_end: usize,
    pub(super) self_closing: bool,
    /// The `xmlns:openbadges` attribute: byte range of its value (inside the quotes) and
    /// its decoded value.
    pub(super) prefix_binding: Option<(usize, usize, String)>,
}

/// What the scanner learned about an SVG document.
pub(super) struct SvgScan {
    pub(super) root: Root,
    pub(super) found: Vec<Found>,
}

/// An open element during the scan.
pub(super) struct Frame {
    pub(super) qname: String,
    /// Prefixes this element declared (popped from the namespace map on close).
    pub(super) declared: Vec<String>,
    /// Index into `found` when this element is a baked element being captured.
    pub(super) capture: Option<usize>,
}

/// Whether `c` is an XML 1.0 `Char`.
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

pub(super) fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

pub(super) fn is_name_byte(b: u8) -> bool {
    !(b.is_ascii_whitespace() || b"/>=<&\"'![]?;".contains(&b))
}

/// XML line-end normalization: CR LF and lone CR become LF.
pub(super) fn normalize_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

pub(super) struct Scanner<'a> {
    pub(super) src: &'a str,
    pub(super) bytes: &'a [u8],
    /// Namespace prefix (`""` = default) → stack of bound URIs.
    pub(super) namespaces: BTreeMap<String, Vec<String>>,
    pub(super) stack: Vec<Frame>,
    pub(super) root: Option<Root>,
    pub(super) found: Vec<Found>,
}

impl<'a> Scanner<'a> {
    pub(super) fn malformed(offset: usize, reason: &'static str) -> BakeError {
        BakeError::SvgMalformed { offset, reason }
    }

    /// Decodes the character data `raw` (which starts at byte `base`), resolving the
    /// predefined entities and character references; appends to `out` when given.
    pub(super) fn decode(
        raw: &str,
        base: usize,
        mut out: Option<&mut String>,
    ) -> Result<(), BakeError> {
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

    pub(super) fn resolve(&self, prefix: &str) -> Option<&str> {
        self.namespaces
            .get(prefix)
            .and_then(|uris| uris.last())
            .map(String::as_str)
    }

    /// Appends captured character data to the element being captured, if the innermost
    /// open element is one.
    pub(super) fn capture(&mut self, text: &str) -> Result<(), BakeError> {
        if let Some(index) = self.stack.last().and_then(|f| f.capture) {
            let found = &mut self.found[index];
            found.text.push_str(&normalize_line_ends(text));
            check_credential_size(found.text.len())?;
        }
        Ok(())
    }

    pub(super) fn scan(mut self) -> Result<SvgScan, BakeError> {
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
    pub(super) fn skip_doctype(bytes: &[u8], pos: usize) -> Result<usize, BakeError> {
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

    pub(super) fn read_name(&self, pos: usize) -> Result<usize, BakeError> {
        let len = self.bytes[pos..]
            .iter()
            .take_while(|&&b| is_name_byte(b))
            .count();
        if len == 0 {
            return Err(Self::malformed(pos, "a name is missing"));
        }
        Ok(pos + len)
    }

    pub(super) fn skip_space(&self, mut pos: usize) -> usize {
        while self.bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        pos
    }

    pub(super) fn end_tag(&mut self, pos: usize) -> Result<usize, BakeError> {
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

    pub(super) fn start_tag(&mut self, pos: usize) -> Result<usize, BakeError> {
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
pub(super) fn scan_svg(svg: &[u8]) -> Result<(SvgScan, &str, usize), BakeError> {
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
pub(super) fn cdata(text: &str) -> String {
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
