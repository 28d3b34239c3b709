//! Competency results: status (README §5.2) and score by the competency's method, cached
//! until an input changes.

use super::learner::Learner;
use crate::definition::CompetencyMethod;
use crate::mastery::{self, MasteryStatus};
use crate::number::Number;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CompResult {
    pub(super) status: MasteryStatus,
    pub(super) score: Option<Number>,
}

/// Reused buffers for evidence sequences: (submission position, percent), then percents.
pub(super) type Scratch = (Vec<(usize, Number)>, Vec<Number>);

/// What is known of a competency since its inputs last changed.
#[derive(Debug, Clone, Default)]
pub(super) struct CompCache {
    pub(super) status: Option<MasteryStatus>,
    pub(super) score: Option<Option<Number>>,
}

impl Learner<'_, '_> {
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
        let with_kept = comp
            .items
            .iter()
            .filter(|&&a| self.kept[a].is_some())
            .count();
        let status = if self.granted_comps[c].is_some() {
            MasteryStatus::Mastered
        } else if with_kept == 0 {
            MasteryStatus::NotStarted
        } else if with_kept < comp.items.len() {
            MasteryStatus::InProgress
        } else if self
            .competency_score(c)
            .is_some_and(|s| s.meets(&comp.threshold))
        {
            MasteryStatus::Mastered
        } else {
            MasteryStatus::NotYet
        };
        self.comp_cache.borrow_mut()[c].status = Some(status);
        status
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

    pub(super) fn compute_score(&self, c: usize) -> Option<Number> {
        let comp = &self.course.comps[c];
        match &comp.method {
            CompetencyMethod::KeptMean => {
                let (mut sum, mut weights) = (Number::zero(), Number::zero());
                for &a in &comp.items {
                    if let Some(percent) = self.item_percent(a, c) {
                        let w = &self.course.asmts[a].weight;
                        sum = sum.add(&w.mul(percent));
                        weights = weights.add(w);
                    }
                }
                if weights.is_zero() {
                    None
                } else {
                    Some(sum.div(&weights))
                }
            }
            CompetencyMethod::Calculated(method) => {
                let mut scratch = self.scratch.borrow_mut();
                let (evidence, scores) = &mut *scratch;
                evidence.clear();
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
                scores.clear();
                scores.extend(evidence.drain(..).map(|e| e.1));
                mastery::calculate(method, scores, &comp.threshold).ok()
            }
        }
    }
}
