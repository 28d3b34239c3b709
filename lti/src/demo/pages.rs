//! The demo platform's HTML: the course page with its "launch as …" forms and the tool's
//! frame, the platform-storage frame, the auto-submitting form_post of the auth answer, and
//! the error page; plus the Content-Security-Policy of each. Pure text building: every value
//! from outside goes through [`escape_html`].

use super::people::{COURSE_TITLE, CourseRole, FLAVOURS, Flavour, Person};

/// The name of the tool's frame (the login form's `target`).
pub const TOOL_FRAME: &str = "cairn";
/// Canvas's platform-storage frame name (`lti_storage_target`).
pub const STORAGE_FRAME: &str = "post_message_forwarding";
/// The `allow` list Canvas puts on a tool's iframe.
pub const IFRAME_ALLOW: &str = "geolocation *; microphone *; camera *; midi *; \
encrypted-media *; autoplay *; clipboard-write *; display-capture *";

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The course page's policy: own script and style only, the tool may be framed and posted
/// to, nobody may frame this page.
pub fn course_page_csp(tool_origin: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         frame-src 'self' {tool_origin}; form-action 'self' {tool_origin}; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The policy of pages shown inside the platform's own frames (auth answer, storage frame,
/// errors): framed only by the platform, forms only to `form_target` (the tool's origin).
pub fn framed_page_csp(form_target: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; form-action {form_target}; \
         frame-ancestors 'self'; base-uri 'none'"
    )
}

/// One "launch as …" button: the login initiation it posts to the tool.
#[derive(Clone, Debug)]
pub struct LaunchButton<'a> {
    /// Who it launches as.
    pub person: &'a Person,
    /// The login initiation fields, in order (`iss`, `login_hint`, …).
    pub fields: Vec<(&'static str, String)>,
    /// What the button says instead of "Launch as <person>" (Deep Linking, placed links).
    pub label: Option<String>,
}

/// What the course page shows besides the buttons.
#[derive(Clone, Debug)]
pub struct CoursePage<'a> {
    /// The flavour shown.
    pub flavour: Flavour,
    /// The tool's origin (`http://localhost:8080`).
    pub tool_origin: &'a str,
    /// The tool's login initiation URL (the forms' action).
    pub login_url: &'a str,
    /// Registration values a person may want to compare: `(label, value)`.
    pub registration: Vec<(&'static str, String)>,
    /// One button per person.
    pub buttons: Vec<LaunchButton<'a>>,
    /// The tool's admin token of this run, shown beside the LMS admin's own launch.
    pub admin_token: Option<&'a str>,
}

/// The course page.
pub fn course_page(page: &CoursePage<'_>) -> String {
    let flavour = page.flavour;
    let mut html = String::new();
    html.push_str(&head(&format!(
        "{COURSE_TITLE} · {} · Cairn demo platform",
        flavour.label()
    )));
    html.push_str(&format!(
        "<body data-page=\"course\" data-tool-origin=\"{}\">\n",
        escape_html(page.tool_origin)
    ));
    html.push_str("<header>\n<p class=\"brand\">Cairn demo platform: a small stand-in LMS</p>\n");
    html.push_str("<nav aria-label=\"Platform flavour\"><span>Plays:</span>");
    for other in FLAVOURS {
        let current = if other == flavour {
            " aria-current=\"page\""
        } else {
            ""
        };
        html.push_str(&format!(
            " <a href=\"/?flavour={}\"{current}>{}</a>",
            other.as_str(),
            escape_html(other.label())
        ));
    }
    html.push_str("</nav>\n</header>\n<main>\n");
    html.push_str(&format!(
        "<h1>{} <span class=\"flavour\">({} flavour)</span></h1>\n",
        escape_html(COURSE_TITLE),
        escape_html(flavour.label())
    ));
    html.push_str(&format!(
        "<p>This page plays <strong>{}</strong>. Each button below runs a real LTI 1.3 launch of \
         Cairn (<code>{}</code>, another site) into the frame further down: OIDC login, then an \
         RS256-signed id_token for the person named.</p>\n",
        escape_html(flavour.label()),
        escape_html(page.tool_origin)
    ));
    html.push_str(
        "<details id=\"whole-loop\">\n<summary>Try the whole loop</summary>\n<ol>\n\
         <li>As the instructor, use the Deep Linking button below to put an exam in the \
         course.</li>\n\
         <li>Reload this page: each person now has a button for the placed link. Use a \
         learner's: Cairn shows that exam.</li>\n\
         <li>Enrol, answer the exam and submit.</li>\n\
         <li>Open the <a href=\"/gradebook\">Gradebook</a>: Cairn's score arrives over AGS.</li>\n\
         </ol>\n</details>\n",
    );
    html.push_str("<section class=\"people\" aria-labelledby=\"people\">\n<h2 id=\"people\">People</h2>\n<ul>\n");
    for button in &page.buttons {
        let label = button.person.label();
        let text = button
            .label
            .clone()
            .unwrap_or_else(|| format!("Launch as {label}"));
        html.push_str(&format!(
            "<li><form method=\"post\" action=\"{}\" target=\"{TOOL_FRAME}\" data-label=\"{}\">\n",
            escape_html(page.login_url),
            escape_html(&format!("{} as {label}", flavour.label()))
        ));
        for (name, value) in &button.fields {
            html.push_str(&hidden(name, value));
        }
        html.push_str(&format!(
            "<button type=\"submit\">{}</button></form>\n",
            escape_html(&text)
        ));
        if let (CourseRole::Admin, None, Some(token)) =
            (button.person.role, &button.label, page.admin_token)
        {
            html.push_str(&format!(
                "<p class=\"admin-token\">Cairn's admin token for this run (its admin view \
                 asks for it): <code id=\"admin-token\">{}</code></p>\n",
                escape_html(token)
            ));
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ul>\n</section>\n");
    html.push_str(
        "<section class=\"tool\" aria-labelledby=\"tool\">\n<h2 id=\"tool\">Cairn</h2>\n",
    );
    html.push_str(
        "<p id=\"now-showing\" aria-live=\"polite\">Nothing launched yet: choose a person above.</p>\n",
    );
    html.push_str(&format!(
        "<iframe name=\"{TOOL_FRAME}\" title=\"Cairn, the LTI tool\" allow=\"{IFRAME_ALLOW}\" \
         allowfullscreen data-lti-launch=\"true\"></iframe>\n</section>\n"
    ));
    html.push_str(
        "<details>\n<summary>Registration (what an admin entered in Cairn)</summary>\n<dl>\n",
    );
    for (label, value) in &page.registration {
        html.push_str(&format!(
            "<dt>{}</dt><dd><code>{}</code></dd>\n",
            escape_html(label),
            escape_html(value)
        ));
    }
    html.push_str("</dl>\n</details>\n");
    html.push_str(
        "<section class=\"platform-admin\" aria-labelledby=\"platform-admin\">\n\
         <h2 id=\"platform-admin\">The platform's side</h2>\n<ul>\n\
         <li><a href=\"/gradebook\">Gradebook</a>: the scores Cairn sent to this course's \
         AGS endpoints.</li>\n\
         <li><a href=\"/registration\">Register a tool by Dynamic Registration</a>: what an \
         admin does to install Cairn with one URL.</li>\n</ul>\n</section>\n</main>\n",
    );
    if flavour == Flavour::Canvas {
        // Canvas answers lti.put_data/lti.get_data in a hidden sibling frame of the tool.
        html.push_str(&format!(
            "<iframe name=\"{STORAGE_FRAME}\" title=\"Platform storage\" src=\"/{STORAGE_FRAME}\" hidden></iframe>\n"
        ));
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// The hidden platform-storage frame (Canvas flavour).
pub fn storage_frame_page(tool_origin: &str) -> String {
    format!(
        "{}<body data-page=\"storage\" data-tool-origin=\"{}\">\n<p>Platform storage for Cairn.</p>\n</body>\n</html>\n",
        head("Platform storage · Cairn demo platform"),
        escape_html(tool_origin)
    )
}

/// A form that submits itself on load (with a button for a browser without script): the
/// OIDC form_post of the auth answer.
pub fn auto_submit_page(heading: &str, action: &str, fields: &[(&str, String)]) -> String {
    let mut html = head(heading);
    html.push_str("<body data-page=\"autosubmit\">\n");
    html.push_str(&format!(
        "<form id=\"autosubmit\" method=\"post\" action=\"{}\">\n",
        escape_html(action)
    ));
    for (name, value) in fields {
        html.push_str(&hidden(name, value));
    }
    html.push_str(&format!(
        "<p>{}</p>\n<button type=\"submit\">Continue</button>\n</form>\n</body>\n</html>\n",
        escape_html(heading)
    ));
    html
}

/// The page shown when the auth request cannot be answered at all.
pub fn error_page(code: &str, reason: &str) -> String {
    format!(
        "{}<body data-page=\"error\">\n<main>\n<h1>The platform refused the login</h1>\n\
         <p>Error <code>{}</code>: {}</p>\n<p>Tell the tool's admin: the tool's auth request must \
         match its registration on this platform exactly.</p>\n</main>\n</body>\n</html>\n",
        head("Login refused · Cairn demo platform"),
        escape_html(code),
        escape_html(reason)
    )
}

fn head(title: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"/static/platform.css\">\n\
         <script src=\"/static/platform.js\" defer></script>\n</head>\n",
        escape_html(title)
    )
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
        escape_html(name),
        escape_html(value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::people::PEOPLE;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn values_from_outside_are_escaped_in_forms() {
        let html = auto_submit_page(
            "Signing in",
            "http://localhost:1/lti/launch?a=1&b=2",
            &[("state", "\"><script>alert(1)</script>".to_owned())],
        );
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("a=1&amp;b=2"));
        let error = error_page("invalidrequest", "<img src=x onerror=alert(1)>");
        assert!(!error.contains("<img"));
    }

    #[test]
    fn the_canvas_page_has_the_storage_frame_and_moodle_has_not() {
        let page = |flavour| CoursePage {
            flavour,
            tool_origin: "http://localhost:8080",
            login_url: "http://localhost:8080/lti/login",
            registration: vec![],
            buttons: PEOPLE
                .iter()
                .map(|person| LaunchButton {
                    person,
                    fields: vec![("iss", "x".to_owned())],
                    label: None,
                })
                .collect(),
            admin_token: None,
        };
        let canvas = course_page(&page(Flavour::Canvas));
        let moodle = course_page(&page(Flavour::Moodle));
        assert!(canvas.contains("name=\"post_message_forwarding\""));
        assert!(!moodle.contains("name=\"post_message_forwarding\""));
        assert_eq!(canvas.matches("target=\"cairn\"").count(), PEOPLE.len());
        assert!(canvas.contains("Launch as Priya Natarajan (instructor)"));
        assert!(moodle.contains("Launch as Jonas Berg (learner)"));
        assert!(moodle.contains("Launch as Ines Duarte (admin)"));
        assert!(
            !moodle.contains("admin-token"),
            "no token given, none shown"
        );
        assert!(canvas.contains(&format!("allow=\"{IFRAME_ALLOW}\"")));
    }

    #[test]
    fn the_admin_token_is_shown_escaped_beside_the_admins_own_launch_only() {
        let admin = PEOPLE
            .iter()
            .find(|p| p.role == CourseRole::Admin)
            .expect("an admin");
        let button = |label: Option<&str>| LaunchButton {
            person: admin,
            fields: vec![],
            label: label.map(str::to_owned),
        };
        let html = course_page(&CoursePage {
            flavour: Flavour::Moodle,
            tool_origin: "http://localhost:8080",
            login_url: "http://localhost:8080/lti/login",
            registration: vec![],
            buttons: vec![button(Some("Open a placed link")), button(None)],
            admin_token: Some("t<0>&k"),
        });
        assert_eq!(html.matches("id=\"admin-token\"").count(), 1);
        let own = html
            .find("Launch as Ines Duarte (admin)")
            .expect("own launch");
        let token = html.find("<code id=\"admin-token\">t&lt;0&gt;&amp;k</code>");
        assert!(
            token.is_some_and(|at| at > own),
            "after the admin's own button"
        );
    }
}
