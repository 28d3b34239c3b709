//! Scores and the kept result: an attempt's derived percents and pass decision, the re-sit
//! cap, and which scored attempts of the current cycle make the kept result (README §5.1).

use std::borrow::Cow;

use super::course::{AsmtInfo, Course};
use super::learner::Learner;
use super::percents::PercentMemo;
use crate::definition::Scoring;
use crate::event::{PartScores, Route};
use crate::number::Number;
use crate::policy::PolicyError;
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scores {
    pub(super) total: Number,
    pub(super) parts: Vec<Number>,
    /// `total × 100 / max`.
    pub(super) percent: Number,
    /// Per fed competency group of a rubric (in `AsmtInfo::groups` order), its percent.
    pub(super) group_percents: Vec<Number>,
    /// Whether these scores pass the assessment (README §5.1).
    pub(super) passes: bool,
}

/// What [`Learner::kept_step`] did with an attempt that counts.
#[derive(Debug)]
pub(super) struct Step {
    /// The attempt's scores after the re-sit cap, when the cap lowers them (boxed: rare, and
    /// the step is returned for every attempt).
    pub(super) capped: Option<Box<Scores>>,
    /// Whether the kept result was replaced (else it stands as it was).
    pub(super) replaced: bool,
}

/// The current cycle's scored attempts as the kept result has taken them in.
#[derive(Debug, Clone, Default)]
pub(super) struct Run {
    /// The cycle the run belongs to.
    pub(super) cycle: u32,
    /// Scored attempts taken in (the first is never capped).
    pub(super) count: usize,
    /// List index of the latest attempt taken in.
    pub(super) last: Option<usize>,
    /// Scored averaging: the sums of the totals and of each part.
    pub(super) total: Number,
    pub(super) parts: Vec<Number>,
}

#[derive(Debug, Clone)]
pub(super) struct Attempt {
    pub(super) number: u32,
    pub(super) position: usize,
    pub(super) at: Timestamp,
    pub(super) route: Route,
    pub(super) counted: bool,
    pub(super) cycle: u32,
    pub(super) scores: Option<Scores>,
}

impl Attempt {
    /// The scores the kept result takes this attempt in with (before the re-sit cap): none
    /// while it is pending, nor for a failed non-counted challenge, kept but never scored.
    pub(super) fn taken_scores(&self) -> Option<&Scores> {
        self.scores.as_ref().filter(|s| self.counted || s.passes)
    }
}

/// The kept result of an assessment: a scored attempt as it stands, or scores computed
/// from several (an average, or an attempt lowered by the re-sit cap).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Kept {
    pub(super) from: KeptFrom,
    pub(super) passes: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum KeptFrom {
    /// Index of the attempt in the assessment's list.
    Attempt(usize),
    /// Scores computed from attempts.
    Computed(Box<Scores>),
}

impl Course<'_> {
    /// Scores with their derived percents and pass decision, computed once.
    pub(super) fn derive_scores(&self, a: usize, total: Number, parts: Vec<Number>) -> Scores {
        self.derive_scores_in(a, total, parts, Vec::new(), &mut PercentMemo::default())
    }

    /// [`Course::derive_scores`] with the group percents written into `buffer` (emptied
    /// first), a list from the learner's pool rather than a new allocation, and the
    /// percents looked up in `memo` (kept there for the next learners once it is enabled).
    pub(super) fn derive_scores_in(
        &self,
        a: usize,
        total: Number,
        parts: Vec<Number>,
        mut buffer: Vec<Number>,
        memo: &mut PercentMemo,
    ) -> Scores {
        let info = &self.asmts[a];
        let (percent, total_passes) =
            memo.get(info.total_scale, &total, (&info.max, info.pass.as_ref()));
        let mut groups_pass = true;
        buffer.clear();
        for ((c, idx, max), &scale) in info.groups.iter().zip(&info.group_scales) {
            // A group of one part (the usual rubric) is that part's points: no addition.
            let sum = match idx.as_slice() {
                [i] => Cow::Borrowed(&parts[*i]),
                _ => Cow::Owned(sum(idx.iter().map(|&i| &parts[i]))),
            };
            let threshold = &self.comps[*c].threshold;
            let (group_percent, meets) = memo.get(scale, &sum, (max, Some(threshold)));
            groups_pass &= meets;
            buffer.push(group_percent);
        }
        let group_percents = buffer;
        let passes = total_passes && groups_pass;
        Scores {
            total,
            parts,
            percent,
            group_percents,
            passes,
        }
    }

    /// The scores after the re-sit cap, if the cap lowers them.
    pub(super) fn capped(&self, a: usize, scores: &Scores) -> Option<Scores> {
        let cap = self.asmts[a].cap_points.as_ref()?;
        (scores.total > *cap).then(|| self.derive_scores(a, cap.clone(), scores.parts.clone()))
    }
}

impl Learner<'_, '_> {
    /// Calls `f` on each scored attempt of the current cycle, in submission order, with its
    /// scores after the re-sit cap (every scored attempt but the first).
    pub(super) fn for_each_scored<'s>(
        &'s self,
        a: usize,
        mut f: impl FnMut(&'s Attempt, Cow<'s, Scores>),
    ) {
        let cycle = self.cycle(a);
        let mut first = true;
        for attempt in self.asmts[a].attempts.iter().filter(|x| x.cycle == cycle) {
            let Some(scores) = attempt.taken_scores() else {
                continue;
            };
            let scores = if first {
                Cow::Borrowed(scores)
            } else {
                self.course
                    .capped(a, scores)
                    .map_or(Cow::Borrowed(scores), Cow::Owned)
            };
            first = false;
            f(attempt, scores);
        }
    }

    /// The kept result from scratch: every scored attempt of the current cycle, in order.
    pub(super) fn recompute_kept(&mut self, a: usize) {
        let cycle = self.cycle(a);
        let state = &mut self.asmts[a];
        state.run = Run {
            cycle,
            ..Run::default()
        };
        // Cycles never decrease along the list: the current cycle's attempts are a suffix.
        let start = state.attempts.partition_point(|x| x.cycle < cycle);
        self.kept[a] = None;
        for i in start..self.asmts[a].attempts.len() {
            self.kept_step(a, i);
        }
    }

    /// Whether attempt `i`, newly scored or submitted, extends the current cycle's run: the
    /// kept result then follows by [`Learner::kept_step`] alone, without a rescan.
    pub(super) fn kept_extends(&self, a: usize, i: usize) -> bool {
        let state = &self.asmts[a];
        let cycle = self.cycle(a);
        state.run.cycle == cycle
            && state.attempts[i].cycle == cycle
            && state.run.last.is_none_or(|last| i > last)
    }

    /// Adds attempt `i`, later than every scored attempt already in the run, to the kept
    /// result (README §5.1, as [`Learner::for_each_scored`] orders them). `None` when the
    /// attempt does not count (unscored, or a failed non-counted challenge); else what it
    /// did ([`Step`]).
    pub(super) fn kept_step(&mut self, a: usize, i: usize) -> Option<Step> {
        let info = &self.course.asmts[a];
        let state = &self.asmts[a];
        let scores = state.attempts[i].taken_scores()?;
        let first = state.run.count == 0;
        let capped = if first || info.cap_points.is_none() {
            None
        } else {
            self.course.capped(a, scores).map(Box::new)
        };
        let used = capped.as_deref().unwrap_or(scores);
        let keep = match (info.summative, info.policy.scoring) {
            (false, _) | (true, Scoring::Latest) => true,
            (true, Scoring::First) => first,
            (true, Scoring::Highest) => self
                .kept_scores(a)
                .is_none_or(|best| used.total > best.total),
            (true, Scoring::Average) => false,
        };
        let kept = if info.summative && info.policy.scoring == Scoring::Average {
            let run = &state.run;
            let n = run.count + 1;
            let total = run.total.add(&used.total);
            let mut parts = run.parts.clone();
            parts.resize(info.parts.len(), Number::zero());
            for (sum, p) in parts.iter_mut().zip(used.parts.iter()) {
                *sum = sum.add(p);
            }
            let count = Number::from_integer(n as i64);
            let averaged = self.course.derive_scores(
                a,
                total.div(&count),
                parts.iter().map(|p| p.div(&count)).collect(),
            );
            let run = &mut self.asmts[a].run;
            run.total = total;
            run.parts = parts;
            let passes = averaged.passes;
            Some(Kept {
                from: KeptFrom::Computed(Box::new(averaged)),
                passes,
            })
        } else if keep {
            let passes = used.passes;
            Some(Kept {
                from: match &capped {
                    None => KeptFrom::Attempt(i),
                    Some(c) => KeptFrom::Computed(c.clone()),
                },
                passes,
            })
        } else {
            None
        };
        let run = &mut self.asmts[a].run;
        run.count += 1;
        run.last = Some(i);
        let replaced = kept.is_some();
        if let Some(kept) = kept {
            // The kept result passes by the same test as an attempt; formative work never passes.
            self.kept[a] = Some(Kept {
                passes: info.summative && kept.passes,
                ..kept
            });
        }
        Some(Step { capped, replaced })
    }

    /// The kept result by a full rescan (the definition [`Learner::kept_step`] follows).
    #[cfg(debug_assertions)]
    pub(super) fn compute_kept(&self, a: usize) -> Option<Kept> {
        let info = &self.course.asmts[a];
        let average = info.summative && info.policy.scoring == Scoring::Average;
        let mut chosen: Option<(&Attempt, Cow<'_, Scores>)> = None;
        let mut count = 0usize;
        let (mut total, mut parts) = (
            Number::zero(),
            vec![Number::zero(); if average { info.parts.len() } else { 0 }],
        );
        self.for_each_scored(a, |attempt, scores| {
            count += 1;
            let keep = match (info.summative, info.policy.scoring) {
                (false, _) | (true, Scoring::Latest) => true,
                (true, Scoring::First) => chosen.is_none(),
                (true, Scoring::Highest) => chosen
                    .as_ref()
                    .is_none_or(|(_, best)| scores.total > best.total),
                (true, Scoring::Average) => {
                    total = total.add(&scores.total);
                    for (sum, p) in parts.iter_mut().zip(scores.parts.iter()) {
                        *sum = sum.add(p);
                    }
                    false
                }
            };
            if keep {
                chosen = Some((attempt, scores));
            }
        });
        let (from, passes) = if average {
            if count == 0 {
                return None;
            }
            let n = Number::from_integer(count as i64);
            let averaged = self.course.derive_scores(
                a,
                total.div(&n),
                parts.iter().map(|p| p.div(&n)).collect(),
            );
            let passes = averaged.passes;
            (KeptFrom::Computed(Box::new(averaged)), passes)
        } else {
            let (attempt, scores) = chosen?;
            let passes = scores.passes;
            match scores {
                // Attempt numbers count every accepted attempt from 1: the list index + 1.
                Cow::Borrowed(_) => (KeptFrom::Attempt(attempt.number as usize - 1), passes),
                Cow::Owned(capped) => (KeptFrom::Computed(Box::new(capped)), passes),
            }
        };
        // The kept result passes by the same test as an attempt; formative work never passes.
        Some(Kept {
            from,
            passes: info.summative && passes,
        })
    }

    /// The scores of an assessment's kept result.
    pub(super) fn kept_scores(&self, a: usize) -> Option<&Scores> {
        match &self.kept[a].as_ref()?.from {
            KeptFrom::Attempt(i) => self.asmts[a].attempts.get(*i)?.scores.as_ref(),
            KeptFrom::Computed(scores) => Some(scores),
        }
    }
}

/// The sum of points, exact; the first term is taken as it is (adding it to zero would
/// cost a gcd).
fn sum<'n>(points: impl IntoIterator<Item = &'n Number>) -> Number {
    let mut points = points.into_iter();
    let first = points.next().cloned().unwrap_or_else(Number::zero);
    points.fold(first, |acc, p| acc.add(p))
}

/// The shape rules of an attempt's score fields (README §5.4): a score without parts, part
/// scores naming every part and nothing else with parts. Whether the part scores name the
/// parts in definition order (the usual case: [`read_scores`] then takes them as given).
fn check_score_fields(
    info: &AsmtInfo,
    score: &Option<Number>,
    part_scores: &Option<PartScores>,
) -> Result<bool, PolicyError> {
    let invalid = |problem: String| Err(PolicyError::InvalidEvent { problem });
    match (score, part_scores, info.parts.is_empty()) {
        (Some(_), Some(_), _) => invalid("give either score or part_scores, not both".into()),
        (None, Some(_), true) => invalid(format!(
            "assessment \"{}\" has no parts: give score",
            info.id
        )),
        (Some(_), None, false) => invalid(format!(
            "assessment \"{}\" is scored by parts: give part_scores",
            info.id
        )),
        (None, Some(given), false) => {
            // The usual case: every part once, in definition order (ids are unique).
            if given.len() == info.parts.len()
                && given.keys().zip(&info.parts).all(|(k, (id, _))| k == id)
            {
                return Ok(true);
            }
            if let Some(extra) = given
                .keys()
                .find(|k| !info.parts.iter().any(|(id, _)| id == *k))
            {
                return invalid(format!(
                    "part \"{extra}\" is not a part of assessment \"{}\"",
                    info.id
                ));
            }
            if let Some((missing, _)) = info.parts.iter().find(|(id, _)| !given.contains_key(id)) {
                return invalid(format!(
                    "part \"{missing}\" of assessment \"{}\" has no score",
                    info.id
                ));
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// Reads scores, checking the fields' shape ([`check_score_fields`]) and their range
/// (`score_out_of_range` for a score above its maximum). With `range_first`
/// (attempt_scored's order) the range is checked before the field shape.
/// The part scores are written into `buffer` (emptied first), a list from the learner's
/// pool rather than a new allocation.
pub(super) fn read_scores(
    info: &AsmtInfo,
    score: &Option<Number>,
    part_scores: &Option<PartScores>,
    range_first: bool,
    mut buffer: Vec<Number>,
) -> Result<Option<(Number, Vec<Number>)>, PolicyError> {
    buffer.clear();
    if range_first {
        if let Some(s) = score
            && *s > info.max
        {
            return Err(PolicyError::ScoreOutOfRange {
                what: "score".into(),
                score: s.to_exact_string(),
                max: info.max.to_exact_string(),
            });
        }
        if let Some(given) = part_scores {
            for (id, max) in &info.parts {
                if let Some(s) = given.get(id)
                    && s > max
                {
                    return Err(PolicyError::ScoreOutOfRange {
                        what: format!("part \"{id}\""),
                        score: s.to_exact_string(),
                        max: max.to_exact_string(),
                    });
                }
            }
        }
    }
    let in_order = check_score_fields(info, score, part_scores)?;
    match (score, part_scores) {
        (Some(s), None) => {
            if *s > info.max {
                return Err(PolicyError::ScoreOutOfRange {
                    what: "score".into(),
                    score: s.to_exact_string(),
                    max: info.max.to_exact_string(),
                });
            }
            Ok(Some((s.clone(), buffer)))
        }
        (None, Some(given)) => {
            let mut parts = buffer;
            parts.reserve(info.parts.len());
            for (p, (id, max)) in info.parts.iter().enumerate() {
                // In definition order the i-th given is the i-th part: no lookup by id.
                let given = if in_order {
                    given.points_at(p)
                } else {
                    given.get(id)
                };
                let Some(s) = given else { continue };
                if s > max {
                    return Err(PolicyError::ScoreOutOfRange {
                        what: format!("part \"{id}\""),
                        score: s.to_exact_string(),
                        max: max.to_exact_string(),
                    });
                }
                parts.push(s.clone());
            }
            Ok(Some((sum(&parts), parts)))
        }
        _ => Ok(None),
    }
}
