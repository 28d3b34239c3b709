//! The credential page's HTML: what was earned, by whom as the credential shows it, the
//! issuer, the dates, the current standing, the downloads, and a Verify button that
//! `/credential.mjs` wires to the WebAssembly verifier. Every value from the credential is
//! escaped; nothing inline runs (the module and the stylesheet are files of `www/`). Pure.

use std::fmt::Write as _;

use super::html::{escape, linkable};
use super::view::{CredentialView, RecipientView, Standing};

/// The links of one credential's page.
#[derive(Clone, Debug)]
pub struct PageLinks {
    /// The page itself (also the credential's `id`).
    pub page: String,
    /// The signed credential as JSON.
    pub json: String,
    /// The baked PNG.
    pub png: String,
    /// The baked SVG.
    pub svg: String,
    /// The OB 2.0 hosted assertion, when the credential has one.
    pub ob2: Option<String>,
    /// LinkedIn's add-to-profile link.
    pub linkedin: String,
}

/// A date-time of the credential (`YYYY-MM-DDTHH:MM:SSZ`) as `<time>`, showing the day.
fn time(value: &str) -> String {
    let day = value.get(..10).unwrap_or(value);
    format!(
        "<time datetime=\"{}\">{}</time>",
        escape(value),
        escape(day)
    )
}

fn identity_label(identity_type: &str) -> &str {
    match identity_type {
        "emailAddress" => "an email address",
        "ltiUserId" => "their course account",
        "name" => "name",
        "userName" => "a user name",
        "sourcedId" | "sisSourcedId" | "lisSourcedId" | "oneRosterSourcedId" => {
            "a student record id"
        }
        _ => "an identifier",
    }
}

fn recipient_html(recipients: &[RecipientView]) -> String {
    let mut parts = Vec::new();
    for recipient in recipients {
        parts.push(match recipient {
            RecipientView::Plain { value, .. } => format!("<strong>{}</strong>", escape(value)),
            RecipientView::Id(id) => format!("<code>{}</code>", escape(id)),
            RecipientView::Hashed { identity_type } => format!(
                "a holder identified by {} (kept private: the credential holds only its hash)",
                escape(identity_label(identity_type))
            ),
        });
    }
    if parts.is_empty() {
        "not named on the credential".to_owned()
    } else {
        parts.join("; ")
    }
}

fn standing_html(standing: &Standing) -> String {
    let reason = |r: &Option<String>| match r {
        Some(r) if !r.trim().is_empty() => format!(" Reason: {}", escape(r.trim())),
        _ => String::new(),
    };
    let (title, detail) = match standing {
        Standing::Valid => (
            "Valid",
            "The issuer has not revoked or suspended it.".to_owned(),
        ),
        Standing::NotYetValid => ("Not yet valid", "Its validity starts later.".to_owned()),
        Standing::Expired { at } => (
            "Expired",
            format!("It was valid until {}.", time(&at.to_string())),
        ),
        Standing::Revoked { at, reason: r } => (
            "Revoked",
            format!(
                "The issuer revoked it on {}.{}",
                time(&at.to_string()),
                reason(r)
            ),
        ),
        Standing::Suspended { at, reason: r } => (
            "Suspended",
            format!(
                "The issuer suspended it on {}.{}",
                time(&at.to_string()),
                reason(r)
            ),
        ),
    };
    format!(
        "<section class=\"standing standing-{code}\" aria-labelledby=\"standing-title\">\
         <h2 id=\"standing-title\">Status: <span id=\"standing\" data-standing=\"{code}\">{title}</span></h2>\
         <p>{detail}</p></section>",
        code = standing.code()
    )
}

fn fact(out: &mut String, term: &str, value_html: &str) {
    let _ = write!(out, "<dt>{}</dt><dd>{value_html}</dd>", escape(term));
}

/// The whole page.
pub fn render(view: &CredentialView, standing: &Standing, links: &PageLinks) -> String {
    let mut facts = String::new();
    fact(&mut facts, "Earned by", &recipient_html(&view.recipients));
    let issuer = match &view.issuer_url {
        Some(url) if linkable(url) => format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            escape(url),
            escape(&view.issuer_name)
        ),
        _ => escape(&view.issuer_name),
    };
    fact(&mut facts, "Issued by", &issuer);
    if let Some(department) = &view.department {
        fact(&mut facts, "Department", &escape(department));
    }
    if let Some(awarded) = &view.awarded {
        fact(&mut facts, "Awarded", &time(awarded));
    }
    if let Some(from) = &view.valid_from
        && view.awarded.as_deref() != Some(from)
    {
        fact(&mut facts, "Valid from", &time(from));
    }
    if let Some(until) = &view.valid_until {
        fact(&mut facts, "Valid until", &time(until));
    }
    if let Some(kind) = &view.achievement_type {
        fact(&mut facts, "Type", &escape(kind));
    }
    if let Some(credits) = &view.credits {
        fact(&mut facts, "Credits", &escape(credits));
    }

    let mut body = String::new();
    let _ = write!(
        body,
        "<main id=\"main\" class=\"credential-page\" data-credential=\"{json}\">\
         <header class=\"card\"><img class=\"badge\" src=\"{svg}\" alt=\"\" width=\"128\" height=\"128\">\
         <div><p class=\"eyebrow\">{code}</p><h1>{name}</h1>{description}</div></header>",
        json = escape(&links.json),
        svg = escape(&links.svg),
        code = escape(view.code.as_deref().unwrap_or("Credential")),
        name = escape(&view.name),
        description = view
            .description
            .as_deref()
            .map(|d| format!("<p class=\"description\">{}</p>", escape(d)))
            .unwrap_or_default(),
    );
    body.push_str(&standing_html(standing));
    let _ = write!(
        body,
        "<section class=\"card\"><h2>Details</h2><dl class=\"facts\">{facts}</dl></section>"
    );
    if view.criteria.is_some() || !view.skills.is_empty() {
        body.push_str("<section class=\"card\"><h2>What it took</h2>");
        if !view.skills.is_empty() {
            body.push_str("<ul class=\"skills\">");
            for skill in &view.skills {
                let _ = write!(body, "<li>{}</li>", escape(skill));
            }
            body.push_str("</ul>");
        }
        if let Some(criteria) = &view.criteria {
            let _ = write!(body, "<pre class=\"criteria\">{}</pre>", escape(criteria));
        }
        body.push_str("</section>");
    }
    let _ = write!(
        body,
        "<section class=\"card\" aria-labelledby=\"verify-title\"><h2 id=\"verify-title\">Check it yourself</h2>\
         <p>Your browser checks the issuer's signature and the status list with Cairn's verifier; nothing is sent anywhere.</p>\
         <button id=\"verify\" type=\"button\" disabled>Verify</button>\
         <div id=\"verify-result\" role=\"status\" aria-live=\"polite\"></div></section>"
    );
    let _ = write!(
        body,
        "<section class=\"card\"><h2>Download and share</h2><ul class=\"downloads\">\
         <li><a href=\"{png}\" download>Badge image (PNG, with the credential inside)</a></li>\
         <li><a href=\"{svg}\" download>Badge image (SVG, with the credential inside)</a></li>\
         <li><a href=\"{json}\" download>Credential (JSON)</a></li>{ob2}\
         <li><a href=\"{linkedin}\" rel=\"noopener noreferrer\">Add to LinkedIn profile</a></li></ul></section>",
        png = escape(&links.png),
        svg = escape(&links.svg),
        json = escape(&links.json),
        ob2 = links
            .ob2
            .as_deref()
            .map(|u| format!(
                "<li><a href=\"{}\">Open Badges 2.0 assertion (for older backpacks)</a></li>",
                escape(u)
            ))
            .unwrap_or_default(),
        linkedin = escape(&links.linkedin),
    );
    body.push_str("</main>");

    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name} · {issuer}</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/style.css\"><link rel=\"stylesheet\" href=\"/credential.css\">\
         <link rel=\"alternate\" type=\"application/vc+ld+json\" href=\"{json}\">\
         <script type=\"module\" src=\"/credential.mjs\"></script></head><body>{body}</body></html>\n",
        name = escape(&view.name),
        issuer = escape(&view.issuer_name),
        json = escape(&links.json),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn::Timestamp;

    fn links() -> PageLinks {
        PageLinks {
            page: "https://tool.test/credentials/x".into(),
            json: "/credentials/x.json".into(),
            png: "/credentials/x.png".into(),
            svg: "/credentials/x.svg".into(),
            ob2: Some("/ob2/assertions/x".into()),
            linkedin: "https://www.linkedin.com/profile/add?name=a%20b&x=1".into(),
        }
    }

    #[test]
    fn hostile_values_stay_text() {
        let view = CredentialView {
            name: "<script>alert(1)</script>".into(),
            description: Some("\"><img src=x onerror=alert(1)>".into()),
            issuer_name: "College & <b>Co</b>".into(),
            issuer_url: Some("javascript:alert(1)".into()),
            criteria: Some("</pre><script>x</script>".into()),
            skills: vec!["<i>skill</i>".into()],
            ..CredentialView::default()
        };
        let html = render(&view, &Standing::Valid, &links());
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("<i>skill"));
        assert!(html.contains("College &amp; &lt;b&gt;Co&lt;/b&gt;"));
        assert!(
            html.contains("&amp;x=1"),
            "the LinkedIn link's & is escaped in the attribute"
        );
        // The only script is the module file.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains("<script type=\"module\" src=\"/credential.mjs\"></script>"));
        assert!(!html.contains(" style="), "no inline style");
    }

    #[test]
    fn standing_and_reason_are_shown() {
        let view = CredentialView {
            name: "N".into(),
            ..CredentialView::default()
        };
        let revoked = Standing::Revoked {
            at: Timestamp::from_unix_seconds(1_767_225_600),
            reason: Some("Issued <in error>".into()),
        };
        let html = render(&view, &revoked, &links());
        assert!(
            html.contains("data-standing=\"revoked\">Revoked<"),
            "{html}"
        );
        assert!(html.contains("Reason: Issued &lt;in error&gt;"));
        assert!(html.contains("2026-01-01"));
        let html = render(&view, &Standing::Valid, &links());
        assert!(html.contains("data-standing=\"valid\">Valid<"));
    }
}
