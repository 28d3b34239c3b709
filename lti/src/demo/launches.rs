//! The launches the demo platform has offered: each "launch as …" button carries an
//! `lti_message_hint` minted here, and the auth endpoint accepts only hints it minted, for the
//! person they were minted for (as Moodle ties `launchid` to the session and Canvas signs its
//! hint). Kept in memory, bounded, expired by `now` passed in.

use std::collections::BTreeMap;
use std::sync::Mutex;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::people::Flavour;
use super::signing::SigningError;
use crate::random::token;

/// How long a minted hint stays usable (a person may leave the course page open a while).
pub const HINT_LIFETIME: i64 = 3600;
/// At most this many hints are kept; the oldest go first.
pub const MAX_HINTS: usize = 4096;

/// Which message a button launches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LaunchKind {
    /// The course's resource link.
    #[default]
    ResourceLink,
    /// An `LtiDeepLinkingRequest` (the instructor places an assessment).
    DeepLinking,
    /// A link placed by Deep Linking, by its index in the platform's placed links.
    Placed(usize),
}

/// What a minted hint stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingLaunch {
    /// The flavour of the button.
    pub flavour: Flavour,
    /// The person's index in [`super::people::PEOPLE`].
    pub person: usize,
    /// When the hint stops being accepted (Unix seconds).
    pub expires_at: i64,
    /// The message it launches.
    pub kind: LaunchKind,
}

/// The minted hints, shared by the page and the auth endpoint.
pub struct Launches {
    canvas_secret: EncodingKey,
    issued: Mutex<BTreeMap<String, PendingLaunch>>,
}

impl std::fmt::Debug for Launches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Launches").finish_non_exhaustive()
    }
}

impl Launches {
    /// An empty set with a fresh secret for Canvas-shaped hints.
    pub fn new() -> Result<Launches, SigningError> {
        let secret = token()?;
        Ok(Launches {
            canvas_secret: EncodingKey::from_secret(secret.as_bytes())?,
            issued: Mutex::new(BTreeMap::new()),
        })
    }

    /// Mints the `lti_message_hint` for one button: on Canvas an HS256 JWT (opaque to the
    /// tool), on Moodle JSON text `{"cmid":1,"launchid":"ltilaunch1_…"}`.
    pub fn issue(&self, flavour: Flavour, person: usize, now: i64) -> Result<String, SigningError> {
        self.issue_kind(flavour, person, LaunchKind::ResourceLink, now)
    }

    /// [`Launches::issue`] for a given message kind.
    pub fn issue_kind(
        &self,
        flavour: Flavour,
        person: usize,
        kind: LaunchKind,
        now: i64,
    ) -> Result<String, SigningError> {
        let expires_at = now + HINT_LIFETIME;
        let hint = match flavour {
            Flavour::Canvas => {
                let claims = json!({
                    "verifier": token()?,
                    "canvas_domain": "canvas.cairn-demo.invalid",
                    "context_type": "Course",
                    "context_id": 1,
                    "canvas_locale": "en",
                    "include_storage_target": true,
                    "exp": expires_at,
                });
                jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.canvas_secret)?
            }
            Flavour::Moodle => json!({
                "cmid": 1,
                "launchid": format!("ltilaunch1_{}", &token()?[..16]),
            })
            .to_string(),
        };
        let launch = PendingLaunch {
            flavour,
            person,
            expires_at,
            kind,
        };
        let mut issued = self.lock();
        issued.retain(|_, kept| kept.expires_at > now);
        while issued.len() >= MAX_HINTS {
            let oldest = issued
                .iter()
                .min_by_key(|(_, kept)| kept.expires_at)
                .map(|(key, _)| key.clone());
            match oldest {
                Some(key) => issued.remove(&key),
                None => break,
            };
        }
        issued.insert(hint.clone(), launch);
        Ok(hint)
    }

    /// The launch a hint stands for, if this platform minted it and it has not expired.
    /// A hint may be used more than once while it lives (a person relaunching).
    pub fn find(&self, hint: &str, now: i64) -> Option<PendingLaunch> {
        self.lock()
            .get(hint)
            .copied()
            .filter(|launch| launch.expires_at > now)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, PendingLaunch>> {
        // A panic elsewhere cannot leave the map half-written (single inserts), so keep going.
        self.issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_hints_are_found_until_they_expire() {
        let launches = Launches::new().unwrap();
        let canvas = launches.issue(Flavour::Canvas, 0, 1000).unwrap();
        let moodle = launches.issue(Flavour::Moodle, 2, 1000).unwrap();
        assert_eq!(canvas.split('.').count(), 3, "Canvas hint is a JWT");
        let parsed: serde_json::Value = serde_json::from_str(&moodle).unwrap();
        assert_eq!(parsed["cmid"], json!(1));
        assert_eq!(
            launches.find(&moodle, 1000 + HINT_LIFETIME - 1),
            Some(PendingLaunch {
                flavour: Flavour::Moodle,
                person: 2,
                expires_at: 1000 + HINT_LIFETIME,
                kind: LaunchKind::ResourceLink,
            })
        );
        assert_eq!(launches.find(&canvas, 1000 + HINT_LIFETIME), None);
        assert_eq!(launches.find("forged", 1000), None);
    }

    #[test]
    fn the_store_of_hints_is_bounded() {
        let launches = Launches::new().unwrap();
        let first = launches.issue(Flavour::Moodle, 1, 0).unwrap();
        for i in 0..MAX_HINTS {
            launches.issue(Flavour::Moodle, 1, i as i64 + 1).unwrap();
        }
        assert!(launches.lock().len() <= MAX_HINTS);
        assert_eq!(launches.find(&first, 1), None, "the oldest hint went first");
    }
}
