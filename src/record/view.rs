//! A learner seen by one definition's award rule at one instant: the [`Facts`] the one
//! criteria evaluator asks, each leaf answered here and nowhere else.

use super::course::Resolved;
use super::learner::Learner;
use crate::criteria::{Facts, Leaf};
use crate::mastery::MasteryStatus;
use crate::policy::NextStep;
use crate::time::Timestamp;

/// A learner's record seen by one definition's criteria at one instant.
pub(super) struct View<'l, 'c, 'a> {
    pub(super) learner: &'l Learner<'c, 'a>,
    pub(super) owner: usize,
    pub(super) at: Timestamp,
}

impl Facts<Resolved> for View<'_, '_, '_> {
    #[inline]
    fn holds(&self, leaf: &Resolved) -> bool {
        let learner = self.learner;
        let course = learner.course;
        let mastered = |c: usize| learner.competency_status(c) == MasteryStatus::Mastered;
        // Assessment leaves read summative, non-renewal work only.
        let counts = |a: usize| course.asmts[a].summative && !course.asmts[a].renewal;
        match (&leaf.leaf, leaf.index) {
            (Leaf::Competency(_), Some(c)) => mastered(c),
            (Leaf::AllCompetencies, _) => course.def_info[self.owner]
                .comps
                .iter()
                .all(|&c| mastered(c)),
            (Leaf::Assessment(_), Some(a)) => {
                counts(a) && learner.kept[a].as_ref().is_some_and(|k| k.passes)
            }
            (Leaf::Submitted(_), Some(a)) => counts(a) && !learner.asmts[a].attempts.is_empty(),
            (Leaf::Credential(id), defined) => {
                learner.holds_credential(self.owner, id, defined, self.at)
            }
            // Checked definitions resolve every competency and assessment leaf.
            (Leaf::Competency(_) | Leaf::Assessment(_) | Leaf::Submitted(_), None) => false,
        }
    }

    fn next_step(&self, leaf: &Resolved) -> Option<NextStep> {
        match (&leaf.leaf, leaf.index) {
            (Leaf::Assessment(_) | Leaf::Submitted(_), Some(a)) => {
                self.learner.next_step(a, self.at)
            }
            _ => None,
        }
    }
}
