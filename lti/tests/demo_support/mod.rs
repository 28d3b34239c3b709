//! What the demo tests share: a client that follows the demo's pages as a browser would (the
//! course page's forms, the login's state cookie, the auto-submitting auth answer) and readers
//! of the HTML they get back.
#![allow(dead_code)]

use reqwest::header;
use serde_json::Value;

/// `&quot;` and the other escapes of the pages, undone.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `name="…" value="…"` pairs of the hidden (and other) inputs in `html`.
pub fn inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for piece in html.split("<input").skip(1) {
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            piece.find(&marker).map(|at| {
                let start = at + marker.len();
                let end = start + piece[start..].find('"').unwrap_or(0);
                unescape(&piece[start..end])
            })
        };
        if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
            out.push((name, value));
        }
    }
    out
}

/// The first form's `action`.
pub fn form_action(html: &str) -> String {
    let start = html.find("action=\"").expect("a form") + "action=\"".len();
    let end = start + html[start..].find('"').expect("end");
    unescape(&html[start..end])
}

/// The `<li><form …>` of the course page whose button says `label`.
pub fn course_form(page: &str, label: &str) -> Vec<(String, String)> {
    let item = page
        .split("<li>")
        .find(|piece| piece.contains(label))
        .unwrap_or_else(|| panic!("no button {label:?} on the course page"));
    inputs(item)
}

/// A browser stand-in: forms posted, the state cookie carried from login to launch.
pub struct Browser {
    /// The client (no redirects followed, no proxy).
    pub client: reqwest::Client,
}

impl Browser {
    /// A browser that follows no redirect and uses no proxy.
    pub fn new() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .expect("client"),
        }
    }

    /// The body of a successful answer (panics with it otherwise).
    pub async fn text(&self, response: reqwest::Response) -> String {
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status.is_success(), "{status}: {text}");
        text
    }

    /// Login, auth and launch from a course page form; the tool page.
    pub async fn launch(&self, login_url: &str, fields: &[(String, String)]) -> String {
        let login = self
            .client
            .post(login_url)
            .form(fields)
            .send()
            .await
            .expect("login");
        assert_eq!(login.status(), reqwest::StatusCode::FOUND);
        let cookies: Vec<String> = login
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|c| c.split(';').next().map(str::to_owned))
            .collect();
        let location = login.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
        let auth = self.client.get(&location).send().await.expect("auth");
        let auth = self.text(auth).await;
        let launch = self
            .client
            .post(form_action(&auth))
            .header(header::COOKIE, cookies.join("; "))
            .form(&inputs(&auth))
            .send()
            .await
            .expect("launch");
        self.text(launch).await
    }
}

/// The tool page's `#cairn-launch` JSON.
pub fn launch_data(page: &str) -> Value {
    let marker = "id=\"cairn-launch\">";
    let start = page.find(marker).expect("#cairn-launch") + marker.len();
    let end = start + page[start..].find("</script>").expect("end");
    serde_json::from_str(&page[start..end]).expect("JSON")
}
