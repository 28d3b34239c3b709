//! Content negotiation of `/credentials/{id}`: an `Accept` header picks the HTML page or the
//! signed credential as JSON. Pure: a header value in, a [`Representation`] out.

/// The JSON media types that get the stored credential byte for byte.
pub const JSON_TYPES: [&str; 4] = [
    "application/vc+ld+json",
    "application/ld+json",
    "application/vc",
    "application/json",
];

/// What a request gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Representation {
    /// The readable page.
    Html,
    /// The signed credential, answered with this media type (one of [`JSON_TYPES`]).
    Json(&'static str),
}

/// One media range of an `Accept` header with its quality (0–1000, as RFC 9110 allows three
/// decimals).
fn ranges(accept: &str) -> impl Iterator<Item = (String, u16)> + '_ {
    accept.split(',').filter_map(|item| {
        let mut parts = item.split(';');
        let range = parts.next()?.trim().to_ascii_lowercase();
        if range.is_empty() {
            return None;
        }
        let mut quality = 1000;
        for param in parts {
            if let Some((name, value)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                quality = parse_quality(value.trim());
            }
        }
        Some((range, quality))
    })
}

/// `q` as thousandths; anything unreadable counts as 0 (not acceptable).
fn parse_quality(text: &str) -> u16 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    match whole {
        "1" if fraction.bytes().all(|b| b == b'0') => 1000,
        "0" => {
            let padded = format!("{fraction:0<3}");
            padded.parse().unwrap_or(0)
        }
        _ => 0,
    }
}

/// The representation for an `Accept` header. The best quality wins; an exact media type
/// beats a wildcard at equal quality, and HTML wins ties (a person's browser). No header, or
/// only `*/*`, gets the page. JSON is chosen only when a JSON type is named.
pub fn negotiate(accept: Option<&str>) -> Representation {
    let Some(accept) = accept else {
        return Representation::Html;
    };
    let mut best_json: Option<(&'static str, u16)> = None;
    let mut best_html: u16 = 0;
    let mut html_named = false;
    for (range, quality) in ranges(accept) {
        if let Some(json) = JSON_TYPES.iter().find(|t| **t == range) {
            if quality > 0 && best_json.is_none_or(|(_, q)| quality > q) {
                best_json = Some((json, quality));
            }
        } else if range == "text/html" || range == "application/xhtml+xml" {
            html_named = true;
            best_html = best_html.max(quality);
        } else if (range == "*/*" || range == "text/*") && !html_named {
            best_html = best_html.max(quality);
        }
    }
    match best_json {
        Some((json, q)) if q > best_html => Representation::Json(json),
        Some((json, _)) if best_html == 0 => Representation::Json(json),
        _ => Representation::Html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_the_page() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(negotiate(Some(firefox)), Representation::Html);
        assert_eq!(negotiate(None), Representation::Html);
        assert_eq!(negotiate(Some("*/*")), Representation::Html);
    }

    #[test]
    fn each_json_type_gets_json_with_its_own_media_type() {
        for media in JSON_TYPES {
            assert_eq!(
                negotiate(Some(media)),
                Representation::Json(media),
                "{media}"
            );
        }
        assert_eq!(
            negotiate(Some("Application/LD+JSON; profile=x")),
            Representation::Json("application/ld+json")
        );
    }

    #[test]
    fn quality_decides() {
        assert_eq!(
            negotiate(Some("text/html;q=0.5, application/json")),
            Representation::Json("application/json")
        );
        assert_eq!(
            negotiate(Some("text/html, application/json;q=0.9")),
            Representation::Html
        );
        assert_eq!(
            negotiate(Some(
                "application/json;q=0.4, application/ld+json;q=0.7, */*;q=0.1"
            )),
            Representation::Json("application/ld+json")
        );
        // q=0 means "not this": the page, the only thing left.
        assert_eq!(
            negotiate(Some("application/json;q=0")),
            Representation::Html
        );
        assert_eq!(
            negotiate(Some("application/json;q=2")),
            Representation::Html
        );
    }

    #[test]
    fn quality_parsing() {
        assert_eq!(parse_quality("1"), 1000);
        assert_eq!(parse_quality("1.000"), 1000);
        assert_eq!(parse_quality("0.25"), 250);
        assert_eq!(parse_quality("0.0001"), 0);
        assert_eq!(parse_quality("1.5"), 0);
        assert_eq!(parse_quality("x"), 0);
    }
}
