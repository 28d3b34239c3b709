//! [`EndpointMemo`]: which launches' AGS endpoint claims this process stored recently, so a
//! launch that carries the same claim again does not write it again.
//!
//! Every launch from a Canvas or Moodle link with grading carries the AGS claim, and a
//! course's claim rarely changes: writing it at each launch costs two write transactions (the
//! upsert and the re-queue of parked scores) on the hottest route for nothing. A launch whose
//! claim, placed line item and scope equal one this process stored less than [`MEMO_TTL`] ago
//! skips both:
//!
//! - The endpoint row is already in the database, so no score can have been parked for want
//!   of it since then, and there is nothing to re-queue.
//! - What the skip loses is only the row's `updated_at`, which chooses among a context's rows
//!   when two links carry different claims. That choice may lag by at most [`MEMO_TTL`].
//! - A claim that changes in any field is written at once. Another process's writes are not
//!   seen here; that is safe because each process still writes every claim it has not stored
//!   itself within the TTL.
//!
//! The memo holds at most [`MEMO_CAPACITY`] entries and is emptied when full: a miss only
//! costs the write it would have cost anyway.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::store::RegistrationId;
use crate::store::outbox::AgsEndpointRow;

/// How long a stored claim is trusted to be in the database unchanged.
pub const MEMO_TTL: Duration = Duration::from_secs(600);
/// The most claims kept.
pub const MEMO_CAPACITY: usize = 10_000;

/// What one launch would write: the endpoint claim and its placed line item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Written {
    registration_id: RegistrationId,
    deployment_id: String,
    context_id: String,
    resource_link_id: String,
    lineitems: Option<String>,
    lineitem: Option<String>,
    scopes: Vec<String>,
    placed_assessment: Option<String>,
}

impl Written {
    fn of(row: &AgsEndpointRow, placed_assessment: Option<&str>) -> Written {
        Written {
            registration_id: row.registration_id,
            deployment_id: row.deployment_id.clone(),
            context_id: row.context_id.clone(),
            resource_link_id: row.resource_link_id.clone(),
            lineitems: row.lineitems.clone(),
            lineitem: row.lineitem.clone(),
            scopes: row.scopes.clone(),
            placed_assessment: placed_assessment.map(str::to_owned),
        }
    }
}

/// The claims this process stored, with when (see the module docs).
#[derive(Default)]
pub struct EndpointMemo {
    stored: Mutex<HashMap<Written, Instant>>,
}

impl EndpointMemo {
    /// Whether `row` (with `placed_assessment`) was stored by this process less than
    /// [`MEMO_TTL`] before `now`.
    pub fn is_stored(
        &self,
        row: &AgsEndpointRow,
        placed_assessment: Option<&str>,
        now: Instant,
    ) -> bool {
        let stored = self.stored.lock().unwrap_or_else(PoisonError::into_inner);
        stored
            .get(&Written::of(row, placed_assessment))
            .is_some_and(|at| now.saturating_duration_since(*at) < MEMO_TTL)
    }

    /// Notes that `row` (with `placed_assessment`) was stored at `now`.
    pub fn remember(&self, row: &AgsEndpointRow, placed_assessment: Option<&str>, now: Instant) {
        let mut stored = self.stored.lock().unwrap_or_else(PoisonError::into_inner);
        if stored.len() >= MEMO_CAPACITY {
            stored.clear();
        }
        stored.insert(Written::of(row, placed_assessment), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> AgsEndpointRow {
        AgsEndpointRow {
            registration_id: 7,
            deployment_id: "d1".into(),
            context_id: "c1".into(),
            resource_link_id: "rl1".into(),
            lineitems: Some("https://lms.example/lineitems".into()),
            lineitem: None,
            scopes: vec!["https://purl.imsglobal.org/spec/lti-ags/scope/score".into()],
            updated_at: 1,
        }
    }

    #[test]
    fn a_stored_claim_is_known_until_the_ttl() {
        let memo = EndpointMemo::default();
        let t0 = Instant::now();
        assert!(!memo.is_stored(&row(), None, t0));
        memo.remember(&row(), None, t0);
        assert!(memo.is_stored(&row(), None, t0 + Duration::from_secs(1)));
        // `updated_at` is not part of what is compared: every launch has its own.
        let later = AgsEndpointRow {
            updated_at: 99,
            ..row()
        };
        assert!(memo.is_stored(&later, None, t0 + Duration::from_secs(1)));
        assert!(!memo.is_stored(&row(), None, t0 + MEMO_TTL));
    }

    #[test]
    fn any_changed_field_or_placement_is_a_miss() {
        let memo = EndpointMemo::default();
        let t0 = Instant::now();
        memo.remember(&row(), None, t0);
        let changed = [
            AgsEndpointRow {
                lineitems: None,
                ..row()
            },
            AgsEndpointRow {
                lineitem: Some("https://lms.example/li/1".into()),
                ..row()
            },
            AgsEndpointRow {
                scopes: vec![],
                ..row()
            },
            AgsEndpointRow {
                deployment_id: "d2".into(),
                ..row()
            },
            AgsEndpointRow {
                resource_link_id: "rl2".into(),
                ..row()
            },
            AgsEndpointRow {
                context_id: "c2".into(),
                ..row()
            },
            AgsEndpointRow {
                registration_id: 8,
                ..row()
            },
        ];
        for other in &changed {
            assert!(!memo.is_stored(other, None, t0), "{other:?}");
        }
        assert!(!memo.is_stored(&row(), Some("quiz-1"), t0));
    }

    #[test]
    fn a_full_memo_starts_again() {
        let memo = EndpointMemo::default();
        let t0 = Instant::now();
        for i in 0..MEMO_CAPACITY {
            let filler = AgsEndpointRow {
                context_id: format!("fill-{i}"),
                ..row()
            };
            memo.remember(&filler, None, t0);
        }
        assert_eq!(memo.stored.lock().unwrap().len(), MEMO_CAPACITY);
        memo.remember(&row(), None, t0);
        assert_eq!(memo.stored.lock().unwrap().len(), 1);
        assert!(memo.is_stored(&row(), None, t0));
    }
}
