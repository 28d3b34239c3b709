//! The default badge image of a credential whose definition has none (issue 8 item 4): a
//! small SVG showing the credential's name and code on a disc whose colour is derived from
//! the definition id (SHA-256, so the same definition always gets the same colour), as a
//! `data:image/svg+xml;base64,` URI that OB 3.0 `Image.id` and OB 2.0 `BadgeClass.image`
//! accept. Deterministic and pure: same inputs, same bytes. Text is XML-escaped.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::definition::CredentialDefinition;

/// Prefix of the data URI the default image is given as.
pub const SVG_DATA_URI_PREFIX: &str = "data:image/svg+xml;base64,";

/// Characters per line of the name, and lines at most (then an ellipsis).
const LINE_CHARS: usize = 18;
const MAX_LINES: usize = 3;

/// The badge colour for a seed (the definition id): `#rrggbb`, a hue from the seed's
/// SHA-256 at fixed saturation and lightness dark enough for white text.
pub fn badge_colour(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let hue = u16::from_be_bytes([digest[0], digest[1]]) % 360;
    let (r, g, b) = hsl_to_rgb(f64::from(hue), 0.55, 0.36);
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn hsl_to_rgb(h: f64, s: f64, l: f64) -> (u8, u8, u8) {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r1, g1, b1) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    (to(r1), to(g1), to(b1))
}

/// Escapes text for XML character data and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; show a space instead.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Wraps `name` into at most [`MAX_LINES`] lines of about [`LINE_CHARS`] characters,
/// breaking at spaces where it can and ending with "…" when it is cut.
fn wrap(name: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in name.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let len = line.chars().count();
            let room = LINE_CHARS.saturating_sub(len + usize::from(len > 0));
            if word.len() <= room {
                if len > 0 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than a line is cut.
            let rest = word.split_off(LINE_CHARS);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        let last = &mut lines[MAX_LINES - 1];
        let mut kept: Vec<char> = last.chars().collect();
        kept.truncate(LINE_CHARS - 1);
        *last = kept.into_iter().collect::<String>().trim_end().to_owned() + "…";
    }
    lines
}

/// The default badge as SVG text: a coloured disc with a ring, the code (if any) above
/// and the name below, centred. About 1 KB.
pub fn default_badge_svg(name: &str, code: Option<&str>, seed: &str) -> String {
    let colour = badge_colour(seed);
    let name = name.trim();
    let lines = wrap(name);
    let mut svg = String::with_capacity(1024);
    svg.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"256\" height=\"256\" viewBox=\"0 0 256 256\" role=\"img\" aria-label=\"{}\">",
        escape(name)
    ));
    svg.push_str(&format!("<title>{}</title>", escape(name)));
    svg.push_str(&format!(
        "<circle cx=\"128\" cy=\"128\" r=\"124\" fill=\"{colour}\"/>"
    ));
    svg.push_str("<circle cx=\"128\" cy=\"128\" r=\"110\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.6\" stroke-width=\"4\"/>");
    svg.push_str("<g fill=\"#ffffff\" font-family=\"sans-serif\" text-anchor=\"middle\">");
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let mut y = 128 - (lines.len() as i32 - 1) * 12 + 7;
    if let Some(code) = code {
        let code: String = code.chars().take(LINE_CHARS).collect();
        svg.push_str(&format!(
            "<text x=\"128\" y=\"{}\" font-size=\"16\" font-weight=\"bold\" letter-spacing=\"1\">{}</text>",
            y - 34,
            escape(&code)
        ));
        y += 8;
    }
    for line in &lines {
        svg.push_str(&format!(
            "<text x=\"128\" y=\"{y}\" font-size=\"20\">{}</text>",
            escape(line)
        ));
        y += 24;
    }
    svg.push_str("</g></svg>");
    svg
}

/// The default image of a definition, as a `data:image/svg+xml;base64,` URI: its name,
/// `metadata.human_code` and a colour from its id.
pub fn default_badge_image(def: &CredentialDefinition) -> String {
    let svg = default_badge_svg(
        &def.name,
        def.metadata.human_code.as_deref(),
        def.id.as_str(),
    );
    let mut uri = String::from(SVG_DATA_URI_PREFIX);
    base64::engine::general_purpose::STANDARD.encode_string(svg.as_bytes(), &mut uri);
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_deterministic_and_varies_with_the_seed() {
        assert_eq!(badge_colour("spt"), badge_colour("spt"));
        let colours: std::collections::BTreeSet<String> =
            ["spt", "haz", "cpr", "fs1", "tdl-b1", "tdl-b2"]
                .iter()
                .map(|s| badge_colour(s))
                .collect();
        assert!(colours.len() >= 5, "{colours:?}");
        for c in &colours {
            assert!(c.len() == 7 && c.starts_with('#'), "{c}");
        }
    }

    #[test]
    fn text_is_escaped_and_wrapped() {
        let svg = default_badge_svg("Fish & <Chips> \"quoted\" it's", Some("CE-<1>"), "x");
        assert!(svg.contains("Fish &amp; &lt;Chips&gt;"), "{svg}");
        assert!(svg.contains("&quot;quoted&quot;"), "{svg}");
        assert!(svg.contains("CE-&lt;1&gt;"), "{svg}");
        assert!(!svg.contains("<Chips>"));
        let long = "A very long credential name that goes on and on beyond three lines of text";
        let lines = wrap(long);
        assert_eq!(lines.len(), MAX_LINES);
        assert!(lines[MAX_LINES - 1].ends_with('…'), "{lines:?}");
        assert!(
            lines.iter().all(|l| l.chars().count() <= LINE_CHARS),
            "{lines:?}"
        );
        assert_eq!(wrap("Supercalifragilisticexpialidocious").len(), 2);
        assert!(default_badge_svg(long, None, "x").len() < 1500);
    }
}
