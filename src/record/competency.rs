//! Competency results: status (README §5.2) and score by the competency's method, cached
//! until an input changes.

use super::course::CompInfo;
use super::kept::Scores;
use super::learner::Learner;
use super::mean::weighted_mean;
use crate::definition::CompetencyMethod;
use crate::mastery::{Accumulator, MasteryStatus};
use crate::number::Number;
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CompResult {
    pub(super) status: MasteryStatus,
    pub(super) score: Option<Number>,
}

/// What is known of a competency since its inputs last changed.
#[derive(Debug, Clone, Default)]
pub(super) struct CompCache {
    pub(super) status: Option<MasteryStatus>,
    pub(super) score: Option<Option<Number>>,
}

/// A calculated competency's evidence (README §5.2): the percents of its items' scored
/// attempts in submission order, kept in an [`Accumulator`] so a decision costs constant
/// work per attempt.
#[derive(Debug, Clone)]
pub(super) struct Evidence {
    pub(super) acc: Accumulator,
    /// Submission position of the latest attempt pushed: a later one is pushed, an earlier
    /// one replays the evidence.
    pub(super) last_position: Option<usize>,
}

impl Evidence {
    /// Empty evidence for a competency with a calculation method; `None` for `kept_mean`.
    pub(super) fn new(comp: &CompInfo) -> Option<Self> {
        match comp.method {
            CompetencyMethod::Calculated(method) => Some(Evidence {
                acc: Accumulator::new(method, comp.threshold.clone()),
                last_position: None,
            }),
            CompetencyMethod::KeptMean => None,
        }
    }

    pub(super) fn clear(&mut self) {
        self.acc.clear();
        self.last_position = None;
    }
}

impl Learner<'_, '_> {
    /// The calculated competencies assessment `a` is an item of.
    fn evidence_of(&self, a: usize) -> impl Iterator<Item = usize> + use<'_> {
        self.course.asmts[a]
            .feeds
            .iter()
            .copied()
            .filter(move |&c| self.evidence[c].is_some())
    }

    /// Pushes attempt `i` of `a`, just taken into the kept result's run (with `capped`, its
    /// scores after the re-sit cap when the cap lowers them), onto each calculated
    /// competency it is evidence for; replays a competency whose evidence is later.
    /// Whether any competency's evidence changed.
    pub(super) fn push_evidence(&mut self, a: usize, i: usize, capped: Option<&Scores>) -> bool {
        let attempt = &self.asmts[a].attempts[i];
        let Some(scores) = capped.or(attempt.scores.as_ref()) else {
            return false;
        };
        let mut changed = false;
        let position = attempt.position;
        let course = self.course;
        let info = &course.asmts[a];
        let mut replay = Vec::new();
        for &c in &info.feeds {
            let Some(evidence) = &mut self.evidence[c] else {
                continue;
            };
            if evidence.last_position.is_some_and(|p| p > position) {
                replay.push(c);
                continue;
            }
            let percent = match info.groups.iter().position(|g| g.0 == c) {
                None => &scores.percent,
                Some(g) => &scores.group_percents[g],
            };
            evidence.acc.push(percent.clone());
            evidence.last_position = Some(position);
            changed = true;
        }
        changed |= !replay.is_empty();
        for c in replay {
            self.rebuild_evidence(c);
        }
        changed
    }

    /// Replays the evidence of every calculated competency `a` is an item of.
    pub(super) fn evidence_changed(&mut self, a: usize) {
        let comps: Vec<usize> = self.evidence_of(a).collect();
        for c in comps {
            self.rebuild_evidence(c);
        }
    }

    /// A calculated competency's evidence from scratch: every item's scored attempts (as
    /// the kept result takes them, after the re-sit cap) in submission order.
    fn rebuild_evidence(&mut self, c: usize) {
        let gathered = self.gather_evidence(c);
        if let Some(evidence) = &mut self.evidence[c] {
            evidence.clear();
            for (position, percent) in gathered {
                evidence.acc.push(percent);
                evidence.last_position = Some(position);
            }
        }
    }

    fn gather_evidence(&self, c: usize) -> Vec<(usize, Number)> {
        let comp = &self.course.comps[c];
        let mut evidence = Vec::new();
        for &a in &comp.items {
            let group = self.course.asmts[a].groups.iter().position(|g| g.0 == c);
            self.for_each_scored(a, |attempt, scores| {
                let percent = match group {
                    None => scores.percent.clone(),
                    Some(g) => scores.group_percents[g].clone(),
                };
                evidence.push((attempt.position, percent));
            });
        }
        evidence.sort_by_key(|e| e.0);
        evidence
    }

    /// Debug builds: the incremental kept result and evidence equal a full rescan.
    #[cfg(debug_assertions)]
    pub(super) fn assert_incremental(&self, a: usize) {
        assert_eq!(self.kept[a], self.compute_kept(a), "kept result of {a}");
        for c in self.evidence_of(a) {
            let comp = &self.course.comps[c];
            let CompetencyMethod::Calculated(method) = &comp.method else {
                continue;
            };
            let scores: Vec<Number> = self.gather_evidence(c).into_iter().map(|e| e.1).collect();
            let want = crate::mastery::calculate(method, &scores, &comp.threshold).ok();
            let acc = self.evidence[c].as_ref().map(|e| &e.acc);
            assert_eq!(
                acc.map(|acc| acc.len()),
                Some(scores.len()),
                "evidence of {c}"
            );
            if scores.len() <= 64 {
                assert_eq!(acc.and_then(|acc| acc.value().ok()), want, "value of {c}");
            }
        }
    }

    /// Debug builds: what stays cached of the competencies `a` feeds after its attempts
    /// changed (only what changed is forgotten) equals a computation from scratch.
    #[cfg(debug_assertions)]
    pub(super) fn assert_cached_feeds(&self, a: usize) {
        for &c in &self.course.asmts[a].feeds {
            let cached = std::mem::take(&mut self.comp_cache.borrow_mut()[c]);
            let fresh = (self.competency_status(c), self.competency_score(c));
            if let Some(status) = cached.status {
                assert_eq!(status, fresh.0, "cached status of {c}");
            }
            if let Some(score) = &cached.score {
                assert_eq!(*score, fresh.1, "cached score of {c}");
            }
            self.comp_cache.borrow_mut()[c] = cached;
        }
    }

    /// Debug builds: after the issuing check at `t`, whether or not it skipped the criteria
    /// (nothing they read changed), no automatic definition never issued has criteria that
    /// hold: the check from scratch.
    #[cfg(debug_assertions)]
    pub(super) fn assert_none_due(&self, t: Timestamp) {
        for (d, def) in self.course.defs.iter().enumerate() {
            let open = def.grant_mode == crate::definition::GrantMode::Automatic
                && self.issuances[d].is_empty()
                && self.withdrawn_at[d].is_none();
            assert!(
                !open || !self.holds(&self.course.def_info[d].criteria, d, t),
                "criteria of {d} hold at {t} but nothing was issued"
            );
        }
    }

    /// Whether definition `d`'s criteria certainly fail now because a competency they
    /// require ([`super::course::DefInfo::gate`]) is not mastered. The competency found is
    /// remembered: until an event touches it, its cached status answers at no cost, where
    /// the criteria would be walked again after every event.
    pub(super) fn gated(&self, d: usize, at: Timestamp) -> bool {
        let gate = &self.course.def_info[d].gate;
        let blocker = &self.blocker[d];
        let known = blocker.get().is_some_and(|c| {
            self.comp_cache.borrow()[c]
                .status
                .is_some_and(|s| s != MasteryStatus::Mastered)
        });
        let gated = known
            || gate.iter().any(|&c| {
                let blocks = self.competency_status(c) != MasteryStatus::Mastered;
                if blocks {
                    blocker.set(Some(c));
                }
                blocks
            });
        // The exact answer: the criteria themselves (debug builds, so every test checks).
        debug_assert!(
            !gated || !self.holds(&self.course.def_info[d].criteria, d, at),
            "gated criteria of {d} hold"
        );
        gated
    }

    /// Forgets what depends on the evidence an assessment gives: the calculated
    /// competencies it is an item of.
    pub(super) fn invalidate_evidence_of(&mut self, a: usize) {
        let cache = self.comp_cache.get_mut();
        for &c in &self.course.asmts[a].feeds {
            if self.evidence[c].is_some() {
                cache[c] = CompCache::default();
            }
        }
    }

    /// Forgets what depends on an assessment's results: the competencies it feeds.
    pub(super) fn invalidate_feeds(&mut self, a: usize) {
        let cache = self.comp_cache.get_mut();
        for &c in &self.course.asmts[a].feeds {
            cache[c] = CompCache::default();
        }
    }

    pub(super) fn competency(&self, c: usize) -> CompResult {
        CompResult {
            status: self.competency_status(c),
            score: self.competency_score(c),
        }
    }

    /// README §5.2 status, computing the score only when every item has a kept result.
    pub(super) fn competency_status(&self, c: usize) -> MasteryStatus {
        if let Some(status) = self.comp_cache.borrow()[c].status {
            return status;
        }
        let comp = &self.course.comps[c];
        // A group of alternatives is one item, with a kept result when any member has one.
        let with_kept = comp
            .units
            .iter()
            .filter(|unit| unit.iter().any(|&a| self.kept[a].is_some()))
            .count();
        let status = if self.granted_comps[c].is_some() {
            MasteryStatus::Mastered
        } else if with_kept == 0 {
            MasteryStatus::NotStarted
        } else if with_kept < comp.units.len() {
            MasteryStatus::InProgress
        } else if self.meets_threshold(c) {
            MasteryStatus::Mastered
        } else {
            MasteryStatus::NotYet
        };
        self.comp_cache.borrow_mut()[c].status = Some(status);
        status
    }

    /// Whether the competency's score meets its threshold; a calculated one decides by its
    /// accumulator, without the exact score.
    fn meets_threshold(&self, c: usize) -> bool {
        let threshold = &self.course.comps[c].threshold;
        match &self.evidence[c] {
            Some(evidence) => evidence.acc.meets(threshold) == Some(true),
            None => self.competency_score(c).is_some_and(|s| s.meets(threshold)),
        }
    }

    pub(super) fn competency_score(&self, c: usize) -> Option<Number> {
        if let Some(score) = &self.comp_cache.borrow()[c].score {
            return score.clone();
        }
        let score = self.compute_score(c);
        self.comp_cache.borrow_mut()[c].score = Some(score.clone());
        score
    }

    pub(super) fn item_percent(&self, a: usize, c: usize) -> Option<&Number> {
        let kept = self.kept_scores(a)?;
        match self.course.asmts[a].groups.iter().position(|g| g.0 == c) {
            None => Some(&kept.percent),
            Some(g) => kept.group_percents.get(g),
        }
    }

    /// The member that stands for a unit (README §5.2 item; REQ-ASSESS-11): its best
    /// passing member, else its best member, by kept percent, ties to the earlier in the
    /// group's order; `None` when no member has a kept result.
    fn chosen_member(&self, unit: &[usize]) -> Option<usize> {
        let mut best: Option<(usize, bool, &Number)> = None;
        for &a in unit {
            let (Some(kept), Some(scores)) = (&self.kept[a], self.kept_scores(a)) else {
                continue;
            };
            let better = best.is_none_or(|(_, passes, percent)| {
                (kept.passes, &scores.percent) > (passes, percent)
            });
            if better {
                best = Some((a, kept.passes, &scores.percent));
            }
        }
        best.map(|b| b.0)
    }

    pub(super) fn compute_score(&self, c: usize) -> Option<Number> {
        let comp = &self.course.comps[c];
        match &comp.method {
            CompetencyMethod::KeptMean => {
                let items = comp.units.iter().filter_map(|unit| {
                    let a = self.chosen_member(unit)?;
                    Some((&self.course.asmts[a].weight, self.item_percent(a, c)?))
                });
                let exact = || {
                    let (mut sum, mut weights) = (Number::zero(), Number::zero());
                    for (w, percent) in items.clone() {
                        sum = sum.add(&w.mul(percent));
                        weights = weights.add(w);
                    }
                    (!weights.is_zero()).then(|| sum.div(&weights))
                };
                let fast = weighted_mean(items.clone());
                // Debug builds check the fast path against the exact one in every test.
                debug_assert!(fast.is_none() || fast == exact(), "kept mean of {c}");
                fast.or_else(exact)
            }
            CompetencyMethod::Calculated(_) => self.evidence[c].as_ref()?.acc.value().ok(),
        }
    }
}
