//! Working memory kept between one course's folds: every buffer of a learner's state,
//! cleared but still allocated, so that folding learner after learner
//! ([`super::Course::summarize`], [`super::Course::fold`]) does not allocate and free them
//! every time. Also where a learner is made, emptied and handed back.

use std::cell::{Cell, RefCell};
use std::sync::Mutex;

use super::cases::PlarCase;
use super::competency::{CompCache, Evidence};
use super::conduct::ConductLog;
use super::course::{AsmtInfo, Course};
use super::kept::{Kept, Run};
use super::learner::{AsmtState, Issuance, Learner, Presentation};
use super::output::RejectedEvent;
use super::percents::PercentMemo;
use crate::definition::PlarMethod;
use crate::ids::DefinitionId;
use crate::number::Number;
use crate::offering::Offering;
use crate::time::Timestamp;

/// A learner's buffers, emptied ([`Learner::reset`]), waiting for the next fold of the
/// same course: the fields of [`Learner`] but its course and flags.
#[derive(Debug)]
pub(super) struct Spare {
    errors: Vec<RejectedEvent>,
    enrolled_at: Vec<Option<Timestamp>>,
    asmts: Vec<AsmtState>,
    kept: Vec<Option<Kept>>,
    granted_comps: Vec<Option<(PlarMethod, Timestamp)>>,
    granted_components: Vec<Vec<(DefinitionId, PlarMethod, Timestamp)>>,
    issuances: Vec<Vec<Issuance>>,
    presentations: Vec<Presentation>,
    claimed: Vec<(usize, usize)>,
    comp_cache: Vec<CompCache>,
    blocker: Vec<Cell<Option<usize>>>,
    evidence: Vec<Option<Evidence>>,
    conduct: ConductLog,
    offerings: Vec<Option<Box<Offering>>>,
    withdrawn_at: Vec<Option<Timestamp>>,
    cases: Vec<PlarCase>,
    order: Vec<usize>,
    pool: Vec<Vec<Number>>,
    percents: PercentMemo,
}

/// At most one spare per course; a fold that finds it taken (another thread folding)
/// allocates its own.
pub(super) type SpareSlot = Mutex<Option<Spare>>;

impl Spare {
    /// Fresh buffers sized for `course`.
    fn new(course: &Course<'_>) -> Self {
        let (nd, na, nc) = (course.defs.len(), course.asmts.len(), course.comps.len());
        Spare {
            errors: Vec::new(),
            enrolled_at: vec![None; nd],
            asmts: vec![AsmtState::default(); na],
            kept: vec![None; na],
            granted_comps: vec![None; nc],
            granted_components: vec![Vec::new(); nd],
            issuances: vec![Vec::new(); nd],
            presentations: Vec::new(),
            claimed: Vec::new(),
            comp_cache: vec![CompCache::default(); nc],
            blocker: vec![Cell::new(None); nd],
            evidence: course.comps.iter().map(Evidence::new).collect(),
            conduct: ConductLog::default(),
            offerings: vec![None; nd],
            withdrawn_at: vec![None; nd],
            cases: Vec::new(),
            order: Vec::new(),
            pool: Vec::new(),
            percents: PercentMemo::default(),
        }
    }
}

impl Course<'_> {
    /// The spare buffers, emptied, if another fold left them.
    fn take_spare(&self) -> Option<Spare> {
        self.spare.try_lock().ok()?.take()
    }

    /// Keeps a finished learner's emptied buffers for the next fold.
    fn keep_spare(&self, spare: Spare) {
        if let Ok(mut slot) = self.spare.try_lock() {
            *slot = Some(spare);
        }
    }
}

impl<'c, 'a> Learner<'c, 'a> {
    /// A learner with no events, on the course's spare buffers when it has them.
    pub(super) fn new(course: &'c Course<'a>) -> Self {
        let spare = course.take_spare().unwrap_or_else(|| Spare::new(course));
        Learner {
            course,
            errors: spare.errors,
            enrolled_at: spare.enrolled_at,
            asmts: spare.asmts,
            kept: spare.kept,
            granted_comps: spare.granted_comps,
            granted_components: spare.granted_components,
            issuances: spare.issuances,
            presentations: spare.presentations,
            claimed: spare.claimed,
            comp_cache: RefCell::new(spare.comp_cache),
            blocker: spare.blocker,
            evidence: spare.evidence,
            dirty: true,
            conduct: spare.conduct,
            keeps_conduct: true,
            offerings: spare.offerings,
            withdrawn_at: spare.withdrawn_at,
            cases: spare.cases,
            order: spare.order,
            pool: spare.pool,
            percents: spare.percents,
        }
    }

    /// A learner whose fold ends in a summary: what only a record shows (the conduct log) is
    /// not kept.
    pub(super) fn summarizing(course: &'c Course<'a>) -> Self {
        Learner {
            keeps_conduct: false,
            ..Learner::new(course)
        }
    }

    /// Empties the learner and hands its buffers back to the course for its next fold.
    pub(super) fn recycle(&mut self) {
        use std::mem::take;
        self.reset();
        self.course.keep_spare(Spare {
            errors: take(&mut self.errors),
            enrolled_at: take(&mut self.enrolled_at),
            asmts: take(&mut self.asmts),
            kept: take(&mut self.kept),
            granted_comps: take(&mut self.granted_comps),
            granted_components: take(&mut self.granted_components),
            issuances: take(&mut self.issuances),
            presentations: take(&mut self.presentations),
            claimed: take(&mut self.claimed),
            comp_cache: take(self.comp_cache.get_mut()),
            blocker: take(&mut self.blocker),
            evidence: take(&mut self.evidence),
            conduct: take(&mut self.conduct),
            offerings: take(&mut self.offerings),
            withdrawn_at: take(&mut self.withdrawn_at),
            cases: take(&mut self.cases),
            order: take(&mut self.order),
            pool: take(&mut self.pool),
            percents: take(&mut self.percents),
        });
    }

    /// Back to a learner with no events, keeping the allocated memory (and the percents
    /// derived so far, remembered from now on: the buffers serve another log).
    pub(super) fn reset(&mut self) {
        self.errors.clear();
        self.enrolled_at.fill(None);
        clear_asmts(&self.course.asmts, &mut self.asmts, &mut self.pool);
        for evidence in self.evidence.iter_mut().flatten() {
            evidence.clear();
        }
        self.kept.iter_mut().for_each(|k| *k = None);
        self.granted_comps.fill(None);
        self.granted_components.iter_mut().for_each(Vec::clear);
        self.issuances.iter_mut().for_each(Vec::clear);
        self.presentations.clear();
        self.claimed.clear();
        self.conduct.clear();
        self.offerings.fill(None);
        self.withdrawn_at.fill(None);
        self.cases.clear();
        self.comp_cache
            .get_mut()
            .iter_mut()
            .for_each(|c| *c = CompCache::default());
        self.blocker.iter_mut().for_each(|b| *b.get_mut() = None);
        self.percents.enable();
        self.dirty = true;
    }
}

/// Most lists a pool keeps: a learner's part-scored attempts rarely pass it.
const POOL_LIMIT: usize = 1024;

/// Every assessment back to no attempts, keeping the lists' memory, and their scores' lists
/// in `pool`: only an assessment with parts has filled any ([`Learner::pooled`]).
fn clear_asmts(infos: &[AsmtInfo], asmts: &mut [AsmtState], pool: &mut Vec<Vec<Number>>) {
    for (info, state) in infos.iter().zip(asmts) {
        if info.parts.is_empty() {
            state.attempts.clear();
        }
        for attempt in state.attempts.drain(..) {
            if let Some(scores) = attempt.scores {
                for mut list in [scores.parts, scores.group_percents] {
                    if list.capacity() > 0 && pool.len() < POOL_LIMIT {
                        list.clear();
                        pool.push(list);
                    }
                }
            }
        }
        state.feedback_after_latest = false;
        state.course_attempts = 0;
        state.challenge_taken = false;
        state.run = Run::default();
        state.counted = (0, 0, None);
    }
}
