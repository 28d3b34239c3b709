//! One request to the platform's storage frame and its reply, over `postMessage`, with the
//! origin check and the 1000 ms timeout of `spec/lti.md` §3.4. Nothing here unwraps: a missing
//! frame, a refused message or silence all come back as a [`StorageError`].

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Window};

use crate::message::{Reply, ReplyError, Request, read_reply};

/// How long the page waits for one reply before it falls back to the relaunch.
pub const REPLY_TIMEOUT_MS: u32 = 1000;

/// Why platform storage could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageError {
    /// No window, no parent, or no frame with the target's name.
    NoTarget(String),
    /// `postMessage` threw.
    PostFailed(String),
    /// No reply within [`REPLY_TIMEOUT_MS`].
    Timeout,
    /// The platform refused the message.
    Refused(String),
    /// The reply was not what the protocol says.
    Malformed(&'static str),
    /// The platform does not offer put_data and get_data.
    Unsupported,
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::NoTarget(why) => write!(f, "no platform storage frame: {why}"),
            StorageError::PostFailed(why) => write!(f, "postMessage failed: {why}"),
            StorageError::Timeout => write!(f, "the platform did not answer in time"),
            StorageError::Refused(why) => write!(f, "the platform refused: {why}"),
            StorageError::Malformed(why) => write!(f, "unexpected reply: {why}"),
            StorageError::Unsupported => write!(f, "the platform offers no data storage"),
        }
    }
}

/// The window that answers storage messages: `window.parent.frames[target]`, or the parent
/// itself for `_parent`.
pub fn target_window(target: &str) -> Result<Window, StorageError> {
    let window = web_sys::window().ok_or_else(|| StorageError::NoTarget("no window".into()))?;
    let parent = window
        .parent()
        .ok()
        .flatten()
        .ok_or_else(|| StorageError::NoTarget("the page has no parent window".into()))?;
    if target == "_parent" {
        return Ok(parent);
    }
    let frame = js_sys::Reflect::get(&parent, &JsValue::from_str(target))
        .map_err(|_| StorageError::NoTarget(format!("cannot reach frame {target:?}")))?;
    if frame.is_undefined() || frame.is_null() {
        return Err(StorageError::NoTarget(format!("no frame named {target:?}")));
    }
    Ok(frame.unchecked_into::<Window>())
}

/// A fresh message id (not a secret: it only pairs a reply with its request).
fn message_id() -> String {
    let random = js_sys::Math::random().to_bits();
    format!("cairn-{random:x}-{}", js_sys::Date::now() as u64)
}

/// Sends `request` to `target` (only to `platform_origin`) and waits for its reply from that
/// origin, for at most [`REPLY_TIMEOUT_MS`].
pub async fn exchange(
    target: &Window,
    platform_origin: &str,
    request: &Request,
) -> Result<Reply, StorageError> {
    let window = web_sys::window().ok_or_else(|| StorageError::NoTarget("no window".into()))?;
    let id = message_id();
    let (sender, receiver) = oneshot::channel::<Result<Reply, StorageError>>();
    let sender = Rc::new(RefCell::new(Some(sender)));

    let listener = {
        let sender = Rc::clone(&sender);
        let origin = platform_origin.to_owned();
        let request = request.clone();
        let id = id.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if event.origin() != origin {
                return; // only the platform's auth origin may answer
            }
            let Some(data) = js_sys::JSON::stringify(&event.data())
                .ok()
                .and_then(|text| text.as_string())
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            else {
                return;
            };
            let outcome = match read_reply(&request, &id, &data) {
                Err(ReplyError::NotOurs) => return,
                Err(ReplyError::Refused { code, message }) => {
                    Err(StorageError::Refused(format!("{code}: {message}")))
                }
                Err(ReplyError::Malformed(why)) => Err(StorageError::Malformed(why)),
                Ok(reply) => Ok(reply),
            };
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(outcome);
            }
        })
    };
    // Dropping the gloo timeout cancels it, so a reply in time leaves no timer behind.
    let timeout = {
        let sender = Rc::clone(&sender);
        Timeout::new(REPLY_TIMEOUT_MS, move || {
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(Err(StorageError::Timeout));
            }
        })
    };

    window
        .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .map_err(|e| StorageError::PostFailed(format!("{e:?}")))?;

    let message = js_sys::JSON::parse(&request.to_json(&id).to_string())
        .map_err(|e| StorageError::PostFailed(format!("{e:?}")));
    let sent = message.and_then(|message| {
        target
            .post_message(&message, platform_origin)
            .map_err(|e| StorageError::PostFailed(format!("{e:?}")))
    });
    let outcome = match sent {
        Ok(()) => receiver.await.unwrap_or(Err(StorageError::Timeout)),
        Err(e) => Err(e),
    };

    drop(timeout);
    let _ =
        window.remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    outcome
}
