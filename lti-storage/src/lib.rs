//! The tool page's side of LTI platform storage (`spec/lti.md` §3.3–3.4), in Rust on `web-sys`
//! as the design asks: it binds a launch to the browser that started the login without any
//! third-party cookie. The server renders two small pages that load this module:
//!
//! - at login, with `lti_storage_target`: [`run`] stores `lti_state_<state>` and
//!   `lti_nonce_<nonce>` in the platform's storage frame, then submits the `#lti-auth` form;
//! - at a launch without the state cookie: [`run`] reads both back and posts
//!   `{session, state, nonce}` to the confirm URL, which activates the pending session.
//!
//! The page's data comes from `<script type="application/json" id="lti-data">` (no inline
//! script, so the page's CSP stays strict). The outcome is set on `<html data-launch=…>`:
//! `submitted`, `confirmed` or `relaunch`; the page shows its "open in a new window" link on
//! `relaunch`. Kept apart from `cairn-wasm` so these pages load a few kilobytes, not the core.

pub mod channel;
pub mod message;

use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::channel::{StorageError, exchange, target_window};
use crate::message::{Reply, Request, supports_storage};

/// What the server put in `#lti-data`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum PageData {
    /// The login page: store state and nonce, then submit `#lti-auth`.
    Login {
        /// `lti_storage_target` from the login.
        target: String,
        /// The origin of the platform's OIDC auth endpoint (the only origin spoken to).
        platform_origin: String,
        /// The login's state.
        state: String,
        /// The login's nonce.
        nonce: String,
    },
    /// The pending launch page: read state and nonce back and confirm the session.
    Confirm {
        /// `lti_storage_target` from the launch form.
        target: String,
        /// The origin of the platform's OIDC auth endpoint.
        platform_origin: String,
        /// The pending session's id.
        session: String,
        /// The state the launch carried.
        state: String,
        /// The nonce the id_token carried.
        nonce: String,
        /// Where to post the confirmation (`/lti/launch/confirm`).
        confirm_url: String,
    },
}

/// The platform-storage key of a login's state.
pub fn state_key(state: &str) -> String {
    format!("lti_state_{state}")
}

/// The platform-storage key of a login's nonce.
pub fn nonce_key(nonce: &str) -> String {
    format!("lti_nonce_{nonce}")
}

/// Reads `#lti-data` and does what it says; resolves to the outcome also set on `<html data-launch>`.
#[wasm_bindgen]
pub async fn run() -> Result<String, JsValue> {
    let data = page_data().map_err(|why| JsValue::from_str(&why))?;
    let outcome = match data {
        PageData::Login {
            target,
            platform_origin,
            state,
            nonce,
        } => {
            if let Err(why) = store_login(&target, &platform_origin, &state, &nonce).await {
                // The cookie was set too, so the launch may still be bound; say why in the console.
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "Cairn: platform storage unavailable ({why}); continuing with the cookie"
                )));
            }
            submit_auth_form()?;
            "submitted"
        }
        PageData::Confirm {
            target,
            platform_origin,
            session,
            state,
            nonce,
            confirm_url,
        } => match confirm(
            &target,
            &platform_origin,
            &session,
            &state,
            &nonce,
            &confirm_url,
        )
        .await
        {
            Ok(()) => "confirmed",
            Err(why) => {
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "Cairn: could not confirm the launch ({why}); offering a new window"
                )));
                "relaunch"
            }
        },
    };
    set_outcome(outcome);
    Ok(outcome.to_owned())
}

fn page_data() -> Result<PageData, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let text = document
        .get_element_by_id("lti-data")
        .and_then(|e| e.text_content())
        .ok_or("the page has no #lti-data")?;
    serde_json::from_str(&text).map_err(|e| format!("#lti-data is not valid: {e}"))
}

async fn store_login(
    target: &str,
    origin: &str,
    state: &str,
    nonce: &str,
) -> Result<(), StorageError> {
    let frame = target_window(target)?;
    probe(&frame, origin).await?;
    for (key, value) in [(state_key(state), state), (nonce_key(nonce), nonce)] {
        let request = Request::PutData {
            key,
            value: value.to_owned(),
        };
        exchange(&frame, origin, &request).await?;
    }
    Ok(())
}

/// `lti.capabilities` first: Canvas sends `lti_storage_target` even from apps that lack storage.
async fn probe(frame: &web_sys::Window, origin: &str) -> Result<(), StorageError> {
    match exchange(frame, origin, &Request::Capabilities).await? {
        Reply::Capabilities(subjects) if supports_storage(&subjects) => Ok(()),
        _ => Err(StorageError::Unsupported),
    }
}

async fn read(frame: &web_sys::Window, origin: &str, key: String) -> Result<String, StorageError> {
    match exchange(frame, origin, &Request::GetData { key }).await? {
        Reply::Value(value) => Ok(value),
        _ => Err(StorageError::Malformed("get_data answered without a value")),
    }
}

async fn confirm(
    target: &str,
    origin: &str,
    session: &str,
    state: &str,
    nonce: &str,
    confirm_url: &str,
) -> Result<(), String> {
    let frame = target_window(target).map_err(|e| e.to_string())?;
    probe(&frame, origin).await.map_err(|e| e.to_string())?;
    let stored_state = read(&frame, origin, state_key(state))
        .await
        .map_err(|e| e.to_string())?;
    let stored_nonce = read(&frame, origin, nonce_key(nonce))
        .await
        .map_err(|e| e.to_string())?;
    let body =
        serde_json::json!({"session": session, "state": stored_state, "nonce": stored_nonce});
    post_json(confirm_url, &body.to_string()).await
}

async fn post_json(url: &str, body: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = web_sys::Headers::new().map_err(|e| format!("{e:?}"))?;
    headers
        .set("Content-Type", "application/json")
        .map_err(|e| format!("{e:?}"))?;
    init.set_headers(&headers);
    let request =
        web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| format!("{e:?}"))?;
    let answer = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| format!("the confirmation request failed: {e:?}"))?;
    let response: web_sys::Response = answer
        .dyn_into()
        .map_err(|_| "the confirmation answer is not a response".to_owned())?;
    if response.ok() {
        Ok(())
    } else {
        Err(format!(
            "the server refused the confirmation ({})",
            response.status()
        ))
    }
}

fn submit_auth_form() -> Result<(), JsValue> {
    let form = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("lti-auth"))
        .ok_or_else(|| JsValue::from_str("the page has no #lti-auth form"))?
        .dyn_into::<web_sys::HtmlFormElement>()
        .map_err(|_| JsValue::from_str("#lti-auth is not a form"))?;
    form.submit()
}

fn set_outcome(outcome: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-launch", outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_data_reads_both_modes() {
        let login: PageData = serde_json::from_str(
            r#"{"mode":"login","target":"post_message_forwarding","platform_origin":"https://sso.canvaslms.com","state":"s","nonce":"n"}"#,
        )
        .expect("login data");
        assert!(
            matches!(login, PageData::Login { ref target, .. } if target == "post_message_forwarding")
        );
        let confirm: Result<PageData, _> = serde_json::from_str(
            r#"{"mode":"confirm","target":"_parent","platform_origin":"https://p","session":"x","state":"s","nonce":"n"}"#,
        );
        assert!(confirm.is_err(), "confirm_url is required");
        assert_eq!(state_key("abc"), "lti_state_abc");
        assert_eq!(nonce_key("n1"), "lti_nonce_n1");
    }
}
