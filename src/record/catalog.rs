//! A context's catalog: every version of its definitions, and a roster folded with each
//! learner on the versions [`chosen_versions`] picks for them (REQ-LIFE-02;
//! `docs/format.md` §5.8). The server's records engine and the page's roster both fold
//! through it, so a learner pinned to an earlier version reads the same everywhere.
//!
//! Learners are grouped by their choice of versions: one checked [`Course`] per distinct
//! choice, made once and reused (the latest choice is made at once). Roster results come
//! back in roster order, laid out in the latest course's order (the roster's columns) as
//! [`summary_onto`](super::summary_onto) lays out one summary.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::course::{Course, LearnerLog};
use super::learner::Learner;
use super::output::{
    AssessmentSummary, CompetencySummary, CredentialSummary, IssuanceStatus, LearnerSummary, Record,
};
use super::statuses::RosterStatuses;
use super::versions::chosen_versions;
use crate::definition::{CredentialDefinition, DefinitionError};
use crate::error::Error;
use crate::event::Event;
use crate::ids::DefinitionId;
use crate::mastery::MasteryStatus;
use crate::time::Timestamp;

/// Every version of a context's definitions (per id oldest first, as the fold takes them),
/// with one checked course per choice of versions, made when first needed.
#[derive(Debug)]
pub struct Catalog {
    versions: Vec<CredentialDefinition>,
    /// The latest version of each id, in the order the ids first appear: the roster's columns.
    latest: Arc<Course<'static>>,
    latest_choice: Vec<usize>,
    /// The courses of earlier choices, by the indices chosen.
    earlier: Mutex<BTreeMap<Vec<usize>, Arc<Course<'static>>>>,
}

/// A course and the roster positions of the learners folded on it.
type Group = (Arc<Course<'static>>, Vec<usize>);

/// Learners of a roster on an earlier version of one definition than its latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlierVersion {
    /// The definition.
    pub definition: DefinitionId,
    /// The earlier version they stay on.
    pub version: String,
    /// How many learners.
    pub learners: usize,
}

impl Catalog {
    /// Checks the latest version of each id as a course. `versions` may hold several
    /// versions of one id, oldest first; one id and version given twice is refused
    /// (`duplicate_id`). An earlier choice is checked when a learner first needs it.
    pub fn new(versions: Vec<CredentialDefinition>) -> Result<Self, DefinitionError> {
        // No events: no pin, so the latest of each id.
        let latest_choice = chosen_versions(&versions, &[], Timestamp::from_unix_seconds(0))?;
        let latest = Course::new(
            latest_choice
                .iter()
                .map(|&i| versions[i].clone())
                .collect::<Vec<_>>(),
        )?;
        Ok(Catalog {
            versions,
            latest: Arc::new(latest),
            latest_choice,
            earlier: Mutex::new(BTreeMap::new()),
        })
    }

    /// [`Catalog::new`] from JSON text: an array of definition objects.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let versions: Vec<CredentialDefinition> =
            serde_json::from_str(json).map_err(|e| Error::json("definitions", e))?;
        Ok(Catalog::new(versions)?)
    }

    /// This catalog with `latest` as the latest versions (the what-if's edited course):
    /// each id of `latest` keeps its earlier versions, so learners pinned to one stay on it;
    /// an id `latest` lacks is left out with all its versions. The latest course follows
    /// `latest`'s order.
    pub fn with_latest(&self, latest: Vec<CredentialDefinition>) -> Result<Self, DefinitionError> {
        let mut versions: Vec<CredentialDefinition> = Vec::new();
        for def in latest {
            let last = self.latest_index(&def.id);
            versions.extend(
                self.versions
                    .iter()
                    .enumerate()
                    .filter(|(i, v)| v.id == def.id && Some(*i) != last)
                    .map(|(_, v)| v.clone()),
            );
            versions.push(def);
        }
        Catalog::new(versions)
    }

    /// Every version, as given.
    pub fn versions(&self) -> &[CredentialDefinition] {
        &self.versions
    }

    /// The course of the latest versions: the roster's columns.
    pub fn latest(&self) -> &Arc<Course<'static>> {
        &self.latest
    }

    /// Whether `course` is the latest course ([`Catalog::latest`]) itself.
    pub fn is_latest(&self, course: &Arc<Course<'static>>) -> bool {
        Arc::ptr_eq(course, &self.latest)
    }

    /// The course the learner of `events` is folded on at `at`: the latest, or a course of
    /// the versions their enrolment pinned, made once per choice. Fails when those versions
    /// do not make a course together.
    pub fn for_learner(
        &self,
        events: &[Event],
        at: Timestamp,
    ) -> Result<Arc<Course<'static>>, DefinitionError> {
        self.course_of(&self.choice(events, at))
    }

    /// The learner's record at `at`, folded on their versions.
    pub fn fold(&self, events: &[Event], at: Timestamp) -> Result<Record, DefinitionError> {
        Ok(self.for_learner(events, at)?.fold(events, at))
    }

    /// The learner's summary at `at`, folded on their versions and laid out in the latest
    /// course's order.
    pub fn summarize(
        &self,
        events: &[Event],
        at: Timestamp,
    ) -> Result<LearnerSummary, DefinitionError> {
        let own = self.for_learner(events, at)?;
        let summary = own.summarize(events, at);
        Ok(if self.is_latest(&own) {
            summary
        } else {
            Layout::new(&own, &self.latest).summary(&summary)
        })
    }

    /// [`Catalog::summarize`] for every learner of a roster, in roster order, reusing one
    /// learner's working memory per choice of versions.
    pub fn summarize_all(
        &self,
        logs: &[LearnerLog],
        at: Timestamp,
    ) -> Result<Vec<LearnerSummary>, DefinitionError> {
        let groups = self.groups(logs, at)?;
        if let [(course, _)] = groups.as_slice()
            && self.is_latest(course)
        {
            return Ok(self.latest.summarize_all(logs, at));
        }
        let mut out: Vec<Option<LearnerSummary>> = vec![None; logs.len()];
        for (course, members) in &groups {
            let layout = (!self.is_latest(course)).then(|| Layout::new(course, &self.latest));
            let mut learner = Learner::summarizing(course);
            for &i in members {
                learner.reset();
                course.replay_into(&mut learner, &logs[i].events, at);
                let summary = learner.summary(at);
                out[i] = Some(match &layout {
                    Some(layout) => layout.summary(&summary),
                    None => summary,
                });
            }
            learner.recycle();
        }
        // Every learner is in exactly one group.
        Ok(out.into_iter().flatten().collect())
    }

    /// Every learner's statuses at `at` ([`Course::statuses_all`]), each folded on their
    /// versions, laid out in the latest course's order: an entry the learner's versions
    /// lack reads `not_started` or `not_issued`.
    pub fn statuses_all(
        &self,
        logs: &[LearnerLog],
        at: Timestamp,
    ) -> Result<RosterStatuses, DefinitionError> {
        let groups = self.groups(logs, at)?;
        if let [(course, _)] = groups.as_slice()
            && self.is_latest(course)
        {
            return Ok(self.latest.statuses_all(logs, at));
        }
        let (nc, nd) = (
            self.latest.competency_ids().len(),
            self.latest.definition_ids().len(),
        );
        let mut out = RosterStatuses {
            competencies_per_learner: nc,
            credentials_per_learner: nd,
            competencies: vec![MasteryStatus::NotStarted; nc * logs.len()],
            credentials: vec![IssuanceStatus::NotIssued; nd * logs.len()],
        };
        for (course, members) in &groups {
            let layout = Layout::new(course, &self.latest);
            let own = course.statuses_of(members.iter().map(|&i| logs[i].events.as_slice()), at);
            for (k, &i) in members.iter().enumerate() {
                let (c, d) = (own.competencies_per_learner, own.credentials_per_learner);
                Layout::place(
                    &layout.competencies,
                    &own.competencies[k * c..(k + 1) * c],
                    &mut out.competencies[i * nc..(i + 1) * nc],
                );
                Layout::place(
                    &layout.credentials,
                    &own.credentials[k * d..(k + 1) * d],
                    &mut out.credentials[i * nd..(i + 1) * nd],
                );
            }
        }
        Ok(out)
    }

    /// Per definition and earlier version, how many learners of the roster are folded on
    /// it at `at` rather than on the latest (definition order, then version order).
    pub fn earlier_versions(&self, logs: &[LearnerLog], at: Timestamp) -> Vec<EarlierVersion> {
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for log in logs {
            for i in self.choice(&log.events, at) {
                if !self.latest_choice.contains(&i) {
                    *counts.entry(i).or_default() += 1;
                }
            }
        }
        counts
            .into_iter()
            .map(|(i, learners)| EarlierVersion {
                definition: self.versions[i].id.clone(),
                version: self.versions[i].version.clone(),
                learners,
            })
            .collect()
    }

    /// The indices of the versions the learner is folded on.
    fn choice(&self, events: &[Event], at: Timestamp) -> Vec<usize> {
        // `chosen_versions` fails only on an id and version given twice, which `new` refused.
        chosen_versions(&self.versions, events, at).unwrap_or_else(|_| self.latest_choice.clone())
    }

    /// The course of a choice of versions: the latest, or one made once and kept.
    fn course_of(&self, choice: &[usize]) -> Result<Arc<Course<'static>>, DefinitionError> {
        if choice == self.latest_choice {
            return Ok(Arc::clone(&self.latest));
        }
        let mut earlier = self.earlier.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(course) = earlier.get(choice) {
            return Ok(Arc::clone(course));
        }
        let defs: Vec<_> = choice.iter().map(|&i| self.versions[i].clone()).collect();
        let course = Arc::new(Course::new(defs)?);
        earlier.insert(choice.to_vec(), Arc::clone(&course));
        Ok(course)
    }

    /// The roster's learners grouped by course, each group in roster order.
    fn groups(&self, logs: &[LearnerLog], at: Timestamp) -> Result<Vec<Group>, DefinitionError> {
        let mut by_choice: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
        for (i, log) in logs.iter().enumerate() {
            by_choice
                .entry(self.choice(&log.events, at))
                .or_default()
                .push(i);
        }
        by_choice
            .into_iter()
            .map(|(choice, members)| Ok((self.course_of(&choice)?, members)))
            .collect()
    }

    fn latest_index(&self, id: &DefinitionId) -> Option<usize> {
        self.latest_choice
            .iter()
            .copied()
            .find(|&i| self.versions[i].id == *id)
    }
}

/// Where each entry of the latest course's order is in another course's order (`None`: the
/// other course lacks it).
pub(super) struct Layout {
    competencies: Vec<Option<usize>>,
    assessments: Vec<Option<usize>>,
    credentials: Vec<Option<usize>>,
}

impl Layout {
    /// The layout of course `from`'s entries in `onto`'s order.
    pub(super) fn new(from: &Course<'_>, onto: &Course<'_>) -> Self {
        fn positions<I: PartialEq>(onto: &[&I], from: &[&I]) -> Vec<Option<usize>> {
            onto.iter()
                .map(|id| from.iter().position(|f| f == id))
                .collect()
        }
        Layout {
            competencies: positions(&onto.competency_ids(), &from.competency_ids()),
            assessments: positions(&onto.assessment_ids(), &from.assessment_ids()),
            credentials: positions(&onto.definition_ids(), &from.definition_ids()),
        }
    }

    /// A summary of `from` laid out in `onto`'s order: entries `from` lacks read as not
    /// started, attempted or issued.
    pub(super) fn summary(&self, summary: &LearnerSummary) -> LearnerSummary {
        fn pick<T: Clone>(positions: &[Option<usize>], values: &[T], empty: &T) -> Vec<T> {
            positions
                .iter()
                .map(|p| p.and_then(|i| values.get(i)).unwrap_or(empty).clone())
                .collect()
        }
        LearnerSummary {
            competencies: pick(
                &self.competencies,
                &summary.competencies,
                &CompetencySummary {
                    status: MasteryStatus::NotStarted,
                    score: None,
                },
            ),
            assessments: pick(
                &self.assessments,
                &summary.assessments,
                &AssessmentSummary {
                    attempts_counted: 0,
                    kept_percent: None,
                    passed: false,
                },
            ),
            credentials: pick(
                &self.credentials,
                &summary.credentials,
                &CredentialSummary {
                    status: IssuanceStatus::NotIssued,
                    issued_at: None,
                },
            ),
            rejected: summary.rejected,
        }
    }

    /// Copies one learner's statuses `from` into `onto`'s slots (slots `from` lacks keep
    /// their value).
    fn place<T: Copy>(positions: &[Option<usize>], from: &[T], onto: &mut [T]) {
        for (slot, p) in onto.iter_mut().zip(positions) {
            if let Some(value) = p.and_then(|i| from.get(i)) {
                *slot = *value;
            }
        }
    }
}
