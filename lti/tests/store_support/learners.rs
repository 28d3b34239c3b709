//! A registration, a learner's scope in it and an enrolment event: what the store tests
//! write their rows on.

#![allow(dead_code)] // each test file uses what it needs

use cairn::event::{Event, EventKind};
use cairn::ids::DefinitionId;
use cairn::time::Timestamp;
use cairn_lti::store::records::LearnerScope;
use cairn_lti::store::{NewRegistration, PlatformFamily, Store};

/// Adds a registration (one deployment) and returns its id.
pub async fn registration(store: &dyn Store) -> i64 {
    let example =
        NewRegistration::example("https://canvas.example", "cairn", PlatformFamily::Canvas);
    store
        .add_registration(&example, 1)
        .await
        .expect("add the registration")
        .id
}

/// Learner `sub` in the context `course-1` of the registration.
pub fn scope(registration_id: i64, sub: &str) -> LearnerScope {
    LearnerScope {
        registration_id,
        context_id: "course-1".into(),
        learner_sub: sub.into(),
    }
}

/// An enrolment in `spt` at `at` (Unix seconds).
pub fn enrolled(at: i64) -> Event {
    Event {
        at: Timestamp::from_unix_seconds(at),
        kind: EventKind::Enrolled {
            credential: DefinitionId::new("spt"),
            offering: None,
            version: None,
        },
    }
}
