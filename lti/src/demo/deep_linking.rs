//! The demo platform's Deep Linking 2.0 (`spec/lti.md` §7): an instructor's "place an
//! assessment" launch is an `LtiDeepLinkingRequest` (the resource link claims swapped for the
//! deep linking settings, `data` included); the tool's answer comes back to `/deep_links`,
//! whose `JWT` is verified with the tool's published JWKS (RS256, `kid`, `aud` = this
//! platform's issuer, `iss` = the client id, the `data` echoed) before its `ltiResourceLink`
//! items become links of the course; launching a placed link sends its resource link id and
//! custom parameters, as an LMS does.

use std::sync::Mutex;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Map, Value, json};

use super::DemoPlatform;
use super::people::{FLAVOURS, Flavour};

const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
const DL: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/";
/// The path of the return URL.
pub const RETURN_PATH: &str = "/deep_links";

/// A link the instructor placed.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLink {
    /// The flavour it was placed in.
    pub flavour: Flavour,
    /// Its resource link id (made by the platform).
    pub id: String,
    /// The item's title.
    pub title: String,
    /// The item's custom parameters, sent on every launch of the link.
    pub custom: Map<String, Value>,
    /// The item's `lineItem`, as received.
    pub line_item: Option<Value>,
}

/// The placed links, in memory (a demo forgets them at restart).
#[derive(Debug, Default)]
pub struct PlacedLinks(Mutex<Vec<PlacedLink>>);

impl PlacedLinks {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<PlacedLink>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds the items of one response; returns how many.
    pub fn add(&self, flavour: Flavour, items: &[Value]) -> usize {
        let mut links = self.lock();
        let mut added = 0;
        for item in items.iter().filter(|i| i["type"] == "ltiResourceLink") {
            let id = format!("placed-{}-{}", flavour.as_str(), links.len() + 1);
            links.push(PlacedLink {
                flavour,
                id,
                title: item["title"].as_str().unwrap_or("Cairn").to_owned(),
                custom: item["custom"].as_object().cloned().unwrap_or_default(),
                line_item: item.get("lineItem").cloned(),
            });
            added += 1;
        }
        added
    }

    /// The links of a flavour, with their index (what a launch button names).
    pub fn of(&self, flavour: Flavour) -> Vec<(usize, PlacedLink)> {
        self.lock()
            .iter()
            .cloned()
            .enumerate()
            .filter(|(_, l)| l.flavour == flavour)
            .collect()
    }

    /// One link by index.
    pub fn get(&self, index: usize) -> Option<PlacedLink> {
        self.lock().get(index).cloned()
    }
}

/// The opaque `data` the request carries (echoed by the tool).
pub fn request_data(flavour: Flavour) -> String {
    format!("cairn-demo-{}-course-1", flavour.as_str())
}

/// Turns a resource-link payload into an `LtiDeepLinkingRequest` answered at
/// `<platform>/deep_links`.
pub fn to_deep_linking_request(claims: &mut Value, platform_url: &str, flavour: Flavour) {
    let Some(map) = claims.as_object_mut() else {
        return;
    };
    map.insert(format!("{LTI}message_type"), json!("LtiDeepLinkingRequest"));
    map.remove(&format!("{LTI}resource_link"));
    if let Some(ags) = map
        .get_mut("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint")
        .and_then(Value::as_object_mut)
    {
        ags.remove("lineitem");
    }
    map.insert(
        format!("{DL}deep_linking_settings"),
        json!({
            "deep_link_return_url": format!("{platform_url}{RETURN_PATH}"),
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": true,
            "auto_create": true,
            "title": "Cairn",
            "text": "",
            "data": request_data(flavour),
        }),
    );
}

/// Turns a resource-link payload into the launch of `link`: its id, title and custom
/// parameters (added to the platform's own).
pub fn to_placed_link_launch(claims: &mut Value, link: &PlacedLink) {
    let Some(map) = claims.as_object_mut() else {
        return;
    };
    map.insert(
        format!("{LTI}resource_link"),
        json!({"id": link.id, "title": link.title}),
    );
    let custom = map
        .entry(format!("{LTI}custom"))
        .or_insert_with(|| json!({}));
    if let Some(custom) = custom.as_object_mut() {
        for (name, value) in &link.custom {
            custom.insert(name.clone(), value.clone());
        }
    }
    if let Some(ags) = map
        .get_mut("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint")
        .and_then(Value::as_object_mut)
    {
        // The platform made no line item of its own for a placed link yet.
        ags.remove("lineitem");
    }
}

/// Why a response was refused.
fn refused(status: StatusCode, why: &str) -> Response {
    tracing::warn!(why, "demo platform refused a deep linking response");
    (
        status,
        format!("The demo platform refused the Deep Linking response: {why}"),
    )
        .into_response()
}

/// The response's claims, verified with the tool's JWKS, and the flavour it answers.
pub async fn verify(platform: &DemoPlatform, jwt: &str) -> Result<(Flavour, Value), String> {
    let header = decode_header(jwt).map_err(|e| format!("not a JWS: {e}"))?;
    if header.alg != Algorithm::RS256 {
        return Err(format!("alg {:?} is not RS256", header.alg));
    }
    let kid = header.kid.ok_or("the header names no kid")?;
    let jwks: JwkSet = platform
        .http()
        .get(platform.tool_jwks_url())
        .send()
        .await
        .map_err(|e| format!("cannot read the tool's JWKS: {e}"))?
        .json()
        .await
        .map_err(|e| format!("the tool's JWKS is not JSON: {e}"))?;
    let jwk = jwks.find(&kid).ok_or("the kid is not in the tool's JWKS")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    for flavour in FLAVOURS {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[flavour.issuer()]);
        validation.set_issuer(&[flavour.client_id()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        if let Ok(data) = decode::<Value>(jwt, &key, &validation) {
            let claims = data.claims;
            if claims[format!("{LTI}message_type")] != "LtiDeepLinkingResponse" {
                return Err("not an LtiDeepLinkingResponse".into());
            }
            if claims[format!("{LTI}deployment_id")] != flavour.deployment_id() {
                return Err("another deployment".into());
            }
            if claims[format!("{DL}data")] != request_data(flavour).as_str() {
                return Err("the request's data was not echoed".into());
            }
            return Ok((flavour, claims));
        }
    }
    Err("the signature, audience or issuer does not verify".into())
}

/// `POST /deep_links`: the tool's answer (field `JWT`).
pub async fn deep_links(
    State(platform): State<DemoPlatform>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Some(jwt) = fields.iter().find(|(k, _)| k == "JWT").map(|(_, v)| v) else {
        return refused(StatusCode::BAD_REQUEST, "no JWT field");
    };
    let (flavour, claims) = match verify(&platform, jwt).await {
        Ok(verified) => verified,
        Err(why) => return refused(StatusCode::BAD_REQUEST, &why),
    };
    let items = claims[format!("{DL}content_items")]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let added = platform.placed().add(flavour, &items);
    tracing::info!(
        added,
        flavour = flavour.as_str(),
        "demo platform: links placed"
    );
    let message = claims[format!("{DL}errormsg")]
        .as_str()
        .or(claims[format!("{DL}msg")].as_str())
        .unwrap_or("Done")
        .to_owned();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Placed</title>\
         <link rel=\"stylesheet\" href=\"/static/platform.css\"></head><body data-page=\"placed\" \
         data-placed=\"{added}\"><p>{}</p><p>{added} link(s) placed. Reload the course page to \
         launch them.</p></body></html>",
        super::pages::escape_html(&message)
    );
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_swaps_the_resource_link_for_settings_and_a_placed_launch_adds_custom() {
        let mut claims = json!({
            format!("{LTI}message_type"): "LtiResourceLinkRequest",
            format!("{LTI}resource_link"): {"id": "r"},
            format!("{LTI}custom"): {"username": "x"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {"lineitem": "l", "lineitems": "ls"},
        });
        let mut request = claims.clone();
        to_deep_linking_request(&mut request, "http://127.0.0.1:9", Flavour::Moodle);
        assert_eq!(
            request[format!("{LTI}message_type")],
            "LtiDeepLinkingRequest"
        );
        assert!(request.get(format!("{LTI}resource_link")).is_none());
        let settings = &request[format!("{DL}deep_linking_settings")];
        assert_eq!(
            settings["deep_link_return_url"],
            "http://127.0.0.1:9/deep_links"
        );
        assert_eq!(settings["data"], request_data(Flavour::Moodle));

        let placed = PlacedLinks::default();
        let items = [
            json!({"type": "ltiResourceLink", "title": "Exam",
            "custom": {"cairn_placement": "p1"}}),
            json!({"type": "link"}),
        ];
        assert_eq!(placed.add(Flavour::Moodle, &items), 1);
        let (index, link) = placed.of(Flavour::Moodle).pop().unwrap();
        assert_eq!(placed.get(index), Some(link.clone()));
        assert!(placed.of(Flavour::Canvas).is_empty());
        to_placed_link_launch(&mut claims, &link);
        assert_eq!(
            claims[format!("{LTI}resource_link")]["id"],
            link.id.as_str()
        );
        assert_eq!(claims[format!("{LTI}custom")]["cairn_placement"], "p1");
        assert_eq!(claims[format!("{LTI}custom")]["username"], "x");
    }
}
