//! A roster's statuses only: what the what-if panel compares before and after a changed
//! definition. The same fold as [`Course::summarize_all`], reusing one learner's memory from
//! log to log, but it reads only each competency's status and each credential's latest
//! issuance: no scores (a calculated competency decides its status without its exact value),
//! no kept percents, no per-learner vectors.

use super::course::{Course, LearnerLog};
use super::learner::Learner;
use super::output::{IssuanceStatus, issuance_status};
use crate::event::Event;
use crate::mastery::MasteryStatus;
use crate::time::Timestamp;

/// Every learner's competency and credential statuses, learner-major: learner `i`'s
/// status of competency `j` ([`Course::competency_ids`] order) is at
/// `i * competencies_per_learner + j`, and likewise for credentials
/// ([`Course::definition_ids`] order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RosterStatuses {
    /// How many competencies each learner has an entry for.
    pub competencies_per_learner: usize,
    /// How many credentials each learner has an entry for.
    pub credentials_per_learner: usize,
    /// Competency statuses, learner-major.
    pub competencies: Vec<MasteryStatus>,
    /// Status of each credential's latest issuance, learner-major.
    pub credentials: Vec<IssuanceStatus>,
}

impl Course<'_> {
    /// Every learner's statuses as of `at`, equal to the statuses of
    /// [`Course::summarize_all`] (`tests/roster_statuses.rs` checks it).
    pub fn statuses_all(&self, logs: &[LearnerLog], at: Timestamp) -> RosterStatuses {
        self.statuses_of(logs.iter().map(|log| log.events.as_slice()), at)
    }

    /// [`Course::statuses_all`] of some learners' events (a catalog's group of learners on
    /// one choice of versions).
    pub(super) fn statuses_of<'e>(
        &self,
        logs: impl ExactSizeIterator<Item = &'e [Event]>,
        at: Timestamp,
    ) -> RosterStatuses {
        let (nc, nd) = (self.comps.len(), self.defs.len());
        let mut out = RosterStatuses {
            competencies_per_learner: nc,
            credentials_per_learner: nd,
            competencies: Vec::with_capacity(nc * logs.len()),
            credentials: Vec::with_capacity(nd * logs.len()),
        };
        let mut learner = Learner::summarizing(self);
        for events in logs {
            learner.reset();
            self.replay_into(&mut learner, events, at);
            out.competencies
                .extend((0..nc).map(|c| learner.competency_status(c)));
            out.credentials.extend(learner.issuances.iter().map(|list| {
                list.last()
                    .map_or(IssuanceStatus::NotIssued, |i| issuance_status(i, at))
            }));
        }
        out
    }
}
