//! The two pages of Deep Linking (`spec/lti.md` §7): the picker the instructor sees in the tool
//! page after an `LtiDeepLinkingRequest` (a plain HTML form, no script: it posts the choice to
//! `/lti/deep-linking/response` with the launch's API token), and the answer to that post, a
//! form with the single field `JWT` that `/lti/autosubmit.mjs` submits to
//! `deep_link_return_url` (the page's `form-action` allows that URL only, besides this origin).

use axum::http::StatusCode;
use axum::response::Response;

use super::deep_linking::{DeepLinkRequest, Placeable};
use crate::pages::{csp, document, escape, html_response};

/// The path the picker posts to.
pub const RESPONSE_PATH: &str = "/lti/deep-linking/response";

/// The picker's `<section>` for the tool page: every placeable item grouped by credential, a
/// checkbox each when the platform accepts several items, else a radio button; "Add" and
/// "Cancel" (an empty answer). `token` is the launch's API token, which authenticates the post.
pub fn section(request: &DeepLinkRequest, placeables: &[Placeable], token: &str) -> String {
    let mut html = String::from(
        "<section class=\"card deep-linking\" id=\"deep-linking\" aria-labelledby=\"dl-title\">\
         <h2 id=\"dl-title\">Add Cairn to your course</h2>",
    );
    html.push_str(&format!(
        "<form method=\"post\" action=\"{RESPONSE_PATH}\" id=\"dl-form\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">",
        escape(token)
    ));
    let placeable = request.accepts_resource_links() && !placeables.is_empty();
    if !request.accepts_resource_links() {
        html.push_str(
            "<p class=\"dl-note\">Your learning platform does not accept Cairn's links here \
             (no <code>ltiResourceLink</code> in its accepted types). Cancel to go back.</p>",
        );
    } else if placeables.is_empty() {
        html.push_str(
            "<p class=\"dl-note\">No credential of this course is published yet. Publish one in \
             Cairn, then add its assessments here.</p>",
        );
    } else {
        let input = if request.accept_multiple {
            "checkbox"
        } else {
            "radio"
        };
        let mut credential: Option<&str> = None;
        for item in placeables {
            if credential != Some(item.credential.as_str()) {
                if credential.is_some() {
                    html.push_str("</fieldset>");
                }
                html.push_str(&format!(
                    "<fieldset><legend>{}</legend>",
                    escape(&item.credential)
                ));
                credential = Some(&item.credential);
            }
            let points = item
                .line_item
                .as_ref()
                .map(|l| format!(" · out of {}", l.score_maximum))
                .unwrap_or_default();
            html.push_str(&format!(
                "<label class=\"dl-item\"><input type=\"{input}\" name=\"item\" value=\"{value}\"> \
                 <strong>{title}</strong> <span class=\"dl-text\">{text}{points}</span></label>",
                value = escape(&item.choice.value()),
                title = escape(&item.title),
                text = escape(&item.text),
                points = escape(&points),
            ));
        }
        html.push_str("</fieldset>");
    }
    if placeable {
        html.push_str(
            "<button type=\"submit\" name=\"action\" value=\"place\" id=\"dl-place\">Add to \
             course</button> ",
        );
    }
    html.push_str(
        "<button type=\"submit\" name=\"action\" value=\"cancel\" id=\"dl-cancel\">Cancel</button>\
         </form></section>",
    );
    html
}

/// The answer to the picker: the signed response in a form that submits itself to the
/// platform's `deep_link_return_url` (a visible button for a browser without scripts).
pub fn return_form(return_url: &str, jwt: &str) -> Response {
    let body = format!(
        "<form id=\"dl-return\" method=\"post\" action=\"{action}\" data-autosubmit>\n\
         <input type=\"hidden\" name=\"JWT\" value=\"{jwt}\">\n\
         <p>Sending your choice to your learning platform…</p>\n\
         <button type=\"submit\">Continue</button>\n</form>",
        action = escape(return_url),
        jwt = escape(jwt),
    );
    html_response(
        StatusCode::OK,
        &csp(&[return_url]),
        document("Adding to your course", &body, &["/lti/autosubmit.mjs"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advantage::deep_linking::{Choice, LineItem};

    fn request(multiple: bool) -> DeepLinkRequest {
        DeepLinkRequest {
            return_url: "https://lms.example/dl?x=1".into(),
            accept_types: vec!["ltiResourceLink".into()],
            accept_multiple: multiple,
            ..DeepLinkRequest::default()
        }
    }

    fn item(title: &str) -> Placeable {
        Placeable {
            choice: Choice::Progress {
                definition_id: "d\"1".into(),
            },
            title: title.into(),
            text: "t".into(),
            credential: "Cred <A>".into(),
            line_item: Some(LineItem {
                score_maximum: 50.0,
                label: title.into(),
                resource_id: "a".into(),
                tag: "summative".into(),
            }),
        }
    }

    #[test]
    fn the_picker_escapes_values_and_uses_radios_unless_multiple() {
        let single = section(&request(false), &[item("<b>x</b>")], "tok\"en");
        assert!(single.contains("type=\"radio\""));
        assert!(!single.contains("<b>x</b>"));
        assert!(single.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(single.contains("Cred &lt;A&gt;"));
        assert!(single.contains("value=\"tok&quot;en\""));
        assert!(single.contains("id=\"dl-place\""));
        let multiple = section(&request(true), &[item("x")], "t");
        assert!(multiple.contains("type=\"checkbox\""));
    }

    #[test]
    fn without_resource_links_or_items_only_cancel_is_offered() {
        let mut links_only = request(true);
        links_only.accept_types = vec!["link".into()];
        let html = section(&links_only, &[item("x")], "t");
        assert!(!html.contains("dl-place"));
        assert!(html.contains("dl-cancel"));
        let empty = section(&request(true), &[], "t");
        assert!(!empty.contains("dl-place"));
        assert!(empty.contains("No credential"));
    }

    #[test]
    fn the_return_form_posts_jwt_to_the_return_url_only() {
        let response = return_form("https://lms.example/dl?x=1", "a.b.c");
        let policy = response
            .headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains("form-action 'self' https://lms.example/dl"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
