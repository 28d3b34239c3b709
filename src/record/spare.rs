//! Working memory kept between one course's folds: a learner's per-assessment attempt lists
//! and per-competency evidence, cleared but still allocated, so that folding learner after
//! learner ([`super::Course::summarize`]) does not allocate and free them every time.

use std::sync::Mutex;

use super::competency::Evidence;
use super::course::Course;
use super::kept::Run;
use super::learner::AsmtState;

/// A learner's largest buffers, emptied, waiting for the next fold of the same course.
#[derive(Debug, Default)]
pub(super) struct Spare {
    pub(super) asmts: Vec<AsmtState>,
    pub(super) evidence: Vec<Option<Evidence>>,
}

/// At most one spare per course; a fold that finds it taken (another thread folding)
/// allocates its own.
pub(super) type SpareSlot = Mutex<Option<Spare>>;

impl Course<'_> {
    /// The spare buffers, emptied, if another fold left them.
    pub(super) fn take_spare(&self) -> Option<Spare> {
        self.spare.try_lock().ok()?.take()
    }

    /// Keeps a finished learner's buffers for the next fold, emptied now.
    pub(super) fn keep_spare(&self, mut spare: Spare) {
        clear_asmts(&mut spare.asmts);
        for evidence in spare.evidence.iter_mut().flatten() {
            evidence.clear();
        }
        if let Ok(mut slot) = self.spare.try_lock() {
            *slot = Some(spare);
        }
    }
}

/// Every assessment back to no attempts, keeping the lists' memory.
pub(super) fn clear_asmts(asmts: &mut [AsmtState]) {
    for state in asmts {
        state.attempts.clear();
        state.feedback_after_latest = false;
        state.course_attempts = 0;
        state.challenge_taken = false;
        state.run = Run::default();
        state.counted = (0, 0, None);
    }
}
