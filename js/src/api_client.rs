//! `ApiClient`, the page's transport to the JSON API (`ctx.api` in `www/shell/api.mjs`): the
//! bearer token on every call, bodies checked by the shared API types
//! ([`crate::api_request::checked_body`]), retries with doubling delays
//! ([`crate::api_request::retry_delay_ms`]), and refusals thrown as a JS `Error` carrying the
//! server's `code`, `details` and the HTTP `status`. Built on `web-sys`'s `fetch` (the same
//! calls `lti-storage` uses) and `gloo-timers` for the delays; no gloo-net, whose extra
//! layers would only cost bytes here. Holds no domain rule.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::api_request::{Outcome, checked_body, error_body, retry_delay_ms};

/// A client of one session's API.
#[wasm_bindgen]
pub struct ApiClient {
    token: String,
    origin: String,
}

/// A JS `Error` with the API's `code`, `details` and `status`.
fn api_error(status: u16, code: &str, message: &str, details: &JsValue) -> JsValue {
    let error = js_sys::Error::new(message);
    let set = |key: &str, value: &JsValue| {
        // Setting a property on a fresh, extensible Error object cannot fail.
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), value);
    };
    set("code", &JsValue::from_str(code));
    set("details", details);
    set("status", &JsValue::from(status));
    error.into()
}

/// One try: the answer's status and text, or `Err` when no answer came.
async fn send(
    method: &str,
    url: &str,
    token: &str,
    body: &JsValue,
    content_type: Option<&str>,
) -> Result<(u16, String), JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new()?;
    headers.set("Accept", "application/json")?;
    if !token.is_empty() {
        headers.set("Authorization", &format!("Bearer {token}"))?;
    }
    if let Some(content_type) = content_type {
        headers.set("Content-Type", content_type)?;
    }
    init.set_headers(&headers);
    if !body.is_undefined() && !body.is_null() {
        init.set_body(body);
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let answer: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await?
        .dyn_into()?;
    let text = JsFuture::from(answer.text()?).await?;
    Ok((answer.status(), text.as_string().unwrap_or_default()))
}

#[wasm_bindgen]
impl ApiClient {
    /// A client sending `token` (empty: none, for public routes) to `origin`'s API.
    #[wasm_bindgen(constructor)]
    pub fn new(token: String, origin: String) -> ApiClient {
        ApiClient { token, origin }
    }

    /// Sends `method path` with `body` (JSON text, a `Uint8Array`, or `undefined`) of
    /// `contentType`.
    /// Resolves with the parsed JSON answer (`null` when empty); rejects with an `Error`
    /// whose `code`, `message` and `details` are the server's and `status` the HTTP status
    /// (`invalid_body` with status 0 when the body does not fit the route's shared type,
    /// `network_error` with status 0 when no answer came after the retries).
    pub fn request(
        &self,
        method: String,
        path: String,
        body: JsValue,
        #[wasm_bindgen(js_name = contentType)] content_type: Option<String>,
    ) -> Promise {
        let token = self.token.clone();
        let url = format!("{}{}", self.origin.trim_end_matches('/'), path);
        future_to_promise(async move {
            let body = match body.as_string() {
                Some(json) if content_type.as_deref() == Some("application/json") => {
                    match checked_body(&method, &path, &json) {
                        Ok(json) => JsValue::from_str(&json),
                        Err(e) => {
                            return Err(api_error(
                                0,
                                "invalid_body",
                                &format!(
                                    "the page built a {} the API does not read: {}",
                                    e.body, e.message
                                ),
                                &JsValue::NULL,
                            ));
                        }
                    }
                }
                _ => body,
            };
            let mut retry = 0;
            loop {
                let outcome = send(&method, &url, &token, &body, content_type.as_deref()).await;
                let (status, text) = match outcome {
                    Ok(answer) => answer,
                    Err(_) => {
                        if let Some(ms) = retry_delay_ms(&method, Outcome::NetworkError, retry) {
                            gloo_timers::future::TimeoutFuture::new(ms).await;
                            retry += 1;
                            continue;
                        }
                        return Err(api_error(
                            0,
                            "network_error",
                            "the server could not be reached",
                            &JsValue::NULL,
                        ));
                    }
                };
                if (200..300).contains(&status) {
                    if text.trim().is_empty() {
                        return Ok(JsValue::NULL);
                    }
                    return js_sys::JSON::parse(&text).map_err(|_| {
                        api_error(
                            status,
                            "invalid_answer",
                            "the server's answer is not JSON",
                            &JsValue::NULL,
                        )
                    });
                }
                if let Some(ms) = retry_delay_ms(&method, Outcome::Status(status), retry) {
                    gloo_timers::future::TimeoutFuture::new(ms).await;
                    retry += 1;
                    continue;
                }
                let refusal = error_body(status, &text);
                let details = serde_json::to_string(&refusal.details)
                    .ok()
                    .and_then(|json| js_sys::JSON::parse(&json).ok())
                    .unwrap_or(JsValue::NULL);
                return Err(api_error(status, &refusal.code, &refusal.message, &details));
            }
        })
    }
}
