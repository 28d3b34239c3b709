//! The fold: `record = fold(definitions, events, at)`. Replays one learner's event log
//! in time order, accepting or rejecting each event by the rules of README §5–8, and
//! derives per assessment the attempts that count and the kept result, per competency the
//! mastery value and status, per credential its issuances (keyed by definition, version
//! and renewal cycle, with their instants), status, progress and explanation, and per
//! equivalency its status.
//!
//! Pure and deterministic: the evaluation instant is an argument; no clock, no I/O. A
//! rejected event changes nothing but its entry in `errors`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::criteria::{Explanation, Facts, Progress, Rule, is_held};
use crate::definition::{
    self, Assessment, AssessmentKind, AttemptPolicy, CompetencyMethod, CredentialDefinition,
    DefinitionError, Finding, GrantMode, PlarMethod, Scoring,
};
use crate::event::{Event, EventKind, Grading, Override, PartScores, Route};
use crate::ids::{AssessmentId, CompetencyId, DefinitionId, EquivalencyId, IdIndex, PartId};
use crate::mastery;
use crate::number::Number;
use crate::policy::{self, CountedState, NextStep, PolicyError};
use crate::time::Timestamp;

/// Folds one learner's events into a record as of `at`. Events after `at` are ignored.
/// Fails only if the definitions themselves cannot be folded ([`definition::check`]).
pub fn fold(
    definitions: &[CredentialDefinition],
    events: &[Event],
    at: Timestamp,
) -> Result<Record, DefinitionError> {
    Ok(Course::new(definitions)?.fold(events, at))
}

/// Definitions checked and indexed once, to fold many learners' logs (a roster).
#[derive(Debug)]
pub struct Course<'a> {
    defs: &'a [CredentialDefinition],
    def_by_id: BTreeMap<&'a str, usize>,
    asmt_by_id: BTreeMap<&'a str, usize>,
    comp_by_id: BTreeMap<&'a str, usize>,
    equiv_by_id: BTreeMap<&'a str, (usize, usize)>,
    /// Fast lookups for the ids every event names.
    asmt_lookup: IdIndex,
    def_lookup: IdIndex,
    asmts: Vec<AsmtInfo<'a>>,
    comps: Vec<CompInfo>,
    /// Per definition: its competencies (flat indices), assessments, competency weight sum,
    /// component weight sum.
    def_info: Vec<DefInfo>,
    validation: Vec<Finding>,
}

#[derive(Debug)]
struct DefInfo {
    /// The criteria with ids resolved, for the fast check after every event.
    criteria: Check,
    /// Each equivalency's requirements, resolved.
    equivalencies: Vec<Check>,
    /// Whether the criteria name a credential, whose holding changes with time.
    reads_time: bool,
    comps: Vec<usize>,
    asmts: Vec<usize>,
    comp_weight_total: Number,
    component_weight_total: Number,
}

#[derive(Debug)]
struct AsmtInfo<'a> {
    def: usize,
    a: &'a Assessment,
    policy: &'a AttemptPolicy,
    max: Number,
    pass: Option<Number>,
    summative: bool,
    renewal: bool,
    /// Part ids in definition order; empty without parts.
    parts: Vec<(&'a PartId, Number)>,
    /// Per fed competency: (flat competency index, part indices, sum of their maxima).
    groups: Vec<(usize, Vec<usize>, Number)>,
    /// The re-sit cap in points (assessments without parts).
    cap_points: Option<Number>,
    /// Competencies this assessment is an item of (flat indices).
    feeds: Vec<usize>,
}

#[derive(Debug)]
struct CompInfo {
    def: usize,
    id: CompetencyId,
    threshold: Number,
    weight: Number,
    method: CompetencyMethod,
    /// Summative, non-renewal assessments feeding it (flat indices), with their weights.
    items: Vec<usize>,
}

impl<'a> Course<'a> {
    /// Checks and indexes the definitions.
    pub fn new(defs: &'a [CredentialDefinition]) -> Result<Self, DefinitionError> {
        definition::check(defs)?;
        let mut course = Course {
            defs,
            def_by_id: BTreeMap::new(),
            asmt_by_id: BTreeMap::new(),
            comp_by_id: BTreeMap::new(),
            equiv_by_id: BTreeMap::new(),
            asmt_lookup: IdIndex::default(),
            def_lookup: IdIndex::default(),
            asmts: Vec::new(),
            comps: Vec::new(),
            def_info: Vec::new(),
            validation: definition::validate(defs),
        };
        for (d, def) in defs.iter().enumerate() {
            course.def_by_id.insert(def.id.as_str(), d);
            let mut info = DefInfo {
                criteria: Check::Submitted(0),
                equivalencies: Vec::new(),
                reads_time: false,
                comps: Vec::new(),
                asmts: Vec::new(),
                comp_weight_total: Number::zero(),
                component_weight_total: Number::zero(),
            };
            for c in &def.competencies {
                let method = c
                    .resolved_method()
                    .map_err(|source| DefinitionError::Method {
                        definition: def.id.to_string(),
                        competency: c.id.to_string(),
                        source,
                    })?;
                course.comp_by_id.insert(c.id.as_str(), course.comps.len());
                info.comps.push(course.comps.len());
                info.comp_weight_total = info.comp_weight_total.add(&c.weight);
                course.comps.push(CompInfo {
                    def: d,
                    id: c.id.clone(),
                    threshold: c.threshold_percent.clone(),
                    weight: c.weight.clone(),
                    method,
                    items: Vec::new(),
                });
            }
            for comp in &def.components {
                info.component_weight_total = info.component_weight_total.add(&comp.weight);
            }
            for (e, eq) in def.equivalencies.iter().enumerate() {
                course.equiv_by_id.insert(eq.id.as_str(), (d, e));
            }
            course.def_info.push(info);
        }
        let hundred = Number::from_integer(100);
        for (d, def) in defs.iter().enumerate() {
            for a in &def.assessments {
                let policy = a.attempt_policy.as_ref().unwrap_or(&def.attempt_policy);
                let max = a.total_max();
                let parts: Vec<(&PartId, Number)> = a
                    .parts
                    .iter()
                    .map(|p| (&p.id, p.max_points.clone()))
                    .collect();
                let mut groups: Vec<(usize, Vec<usize>, Number)> = Vec::new();
                for (i, p) in a.parts.iter().enumerate() {
                    let c = course.comp_by_id[p.competency.as_str()];
                    match groups.iter_mut().find(|g| g.0 == c) {
                        Some(g) => {
                            g.1.push(i);
                            g.2 = g.2.add(&p.max_points);
                        }
                        None => groups.push((c, vec![i], p.max_points.clone())),
                    }
                }
                let renewal = definition::is_renewal(def, &a.id);
                let summative = a.kind == AssessmentKind::Summative;
                let flat = course.asmts.len();
                if summative && !renewal {
                    for c in definition::fed_competencies(a) {
                        let ci = course.comp_by_id[c.as_str()];
                        course.comps[ci].items.push(flat);
                    }
                }
                let cap_points = match (&policy.resit_cap_percent, a.parts.is_empty()) {
                    (Some(cap), true) => Some(cap.mul(&max).div(&hundred)),
                    _ => None,
                };
                course.asmt_by_id.insert(a.id.as_str(), flat);
                course.def_info[d].asmts.push(flat);
                let feeds = if summative && !renewal {
                    definition::fed_competencies(a)
                        .iter()
                        .map(|c| course.comp_by_id[c.as_str()])
                        .collect()
                } else {
                    Vec::new()
                };
                course.asmts.push(AsmtInfo {
                    def: d,
                    a,
                    policy,
                    max,
                    pass: a.pass_percent.clone(),
                    summative,
                    renewal,
                    parts,
                    groups,
                    cap_points,
                    feeds,
                });
            }
        }
        course.asmt_lookup = IdIndex::new(course.asmt_by_id.iter().map(|(id, i)| (*id, *i)));
        course.def_lookup = IdIndex::new(course.def_by_id.iter().map(|(id, i)| (*id, *i)));
        for (d, def) in defs.iter().enumerate() {
            course.def_info[d].criteria = course.compile(&def.criteria);
            let mut reads_time = false;
            def.criteria
                .visit_leaves(&mut |leaf| reads_time |= matches!(leaf, Rule::Credential(_)));
            course.def_info[d].reads_time = reads_time;
            course.def_info[d].equivalencies = def
                .equivalencies
                .iter()
                .map(|e| course.compile(&e.requires))
                .collect();
        }
        Ok(course)
    }

    /// Scores with their derived percents and pass decision, computed once.
    fn derive_scores(&self, a: usize, total: Number, parts: Vec<Number>) -> Scores {
        let info = &self.asmts[a];
        let percent = total.percent_of(&info.max);
        let group_percents: Vec<Number> = info
            .groups
            .iter()
            .map(|(_, idx, max)| {
                idx.iter()
                    .fold(Number::zero(), |acc, &i| acc.add(&parts[i]))
                    .percent_of(max)
            })
            .collect();
        let passes = info.pass.as_ref().is_some_and(|pass| percent.meets(pass))
            && info
                .groups
                .iter()
                .zip(&group_percents)
                .all(|((c, _, _), p)| p.meets(&self.comps[*c].threshold));
        Scores {
            total,
            parts,
            percent,
            group_percents,
            passes,
        }
    }

    /// The scores after the re-sit cap, if the cap lowers them.
    fn capped(&self, a: usize, scores: &Scores) -> Option<Scores> {
        let cap = self.asmts[a].cap_points.as_ref()?;
        (scores.total > *cap).then(|| self.derive_scores(a, cap.clone(), scores.parts.clone()))
    }

    /// Resolves a rule's ids to indices (references were checked by [`definition::check`]).
    fn compile(&self, rule: &Rule) -> Check {
        let asmt = |id: &AssessmentId| self.asmt_by_id[id.as_str()];
        match rule {
            Rule::All(of) => Check::All(of.iter().map(|r| self.compile(r)).collect()),
            Rule::Any(of) => Check::Any(of.iter().map(|r| self.compile(r)).collect()),
            Rule::AtLeast { k, of } => {
                Check::AtLeast(*k, of.iter().map(|r| self.compile(r)).collect())
            }
            Rule::Points { points, of } => Check::Points(
                points.clone(),
                of.iter()
                    .map(|e| (self.compile(&e.rule), e.points.clone(), e.required))
                    .collect(),
            ),
            Rule::Competency(c) => Check::Competency(self.comp_by_id[c.as_str()]),
            Rule::AllCompetencies => Check::AllCompetencies,
            Rule::Assessment(a) => Check::Assessment(asmt(a)),
            Rule::Submitted(a) => Check::Submitted(asmt(a)),
            Rule::Credential(d) => {
                Check::Credential(d.clone(), self.def_by_id.get(d.as_str()).copied())
            }
        }
    }

    /// The definitions' validator findings (README §10).
    pub fn validation(&self) -> &[Finding] {
        &self.validation
    }

    /// Folds one learner's events as of `at`.
    pub fn fold(&self, events: &[Event], at: Timestamp) -> Record {
        self.replay(events, at).record(at)
    }

    /// Folds one learner's events as of `at` into the compact summary a roster-wide view
    /// needs (the mastery grid, "what if" across a class): the same fold as [`Course::fold`]
    /// without explanations, attempt lists or messages. Entries follow
    /// [`Course::competency_ids`], [`Course::assessment_ids`] and [`Course::definition_ids`].
    pub fn summarize(&self, events: &[Event], at: Timestamp) -> LearnerSummary {
        self.replay(events, at).summary(at)
    }

    /// [`Course::summarize`] for every learner of a roster, reusing one learner's working
    /// memory from log to log.
    pub fn summarize_all(&self, logs: &[LearnerLog], at: Timestamp) -> Vec<LearnerSummary> {
        let mut learner = Learner::new(self);
        let mut order = Vec::new();
        logs.iter()
            .map(|log| {
                learner.reset();
                self.replay_into(&mut learner, &mut order, &log.events, at);
                learner.summary(at)
            })
            .collect()
    }

    /// Competency ids in summary order.
    pub fn competency_ids(&self) -> Vec<&CompetencyId> {
        self.comps.iter().map(|c| &c.id).collect()
    }

    /// Assessment ids in summary order.
    pub fn assessment_ids(&self) -> Vec<&AssessmentId> {
        self.asmts.iter().map(|a| &a.a.id).collect()
    }

    /// Definition ids in summary order.
    pub fn definition_ids(&self) -> Vec<&DefinitionId> {
        self.defs.iter().map(|d| &d.id).collect()
    }

    fn replay(&self, events: &[Event], at: Timestamp) -> Learner<'_, 'a> {
        let mut learner = Learner::new(self);
        self.replay_into(&mut learner, &mut Vec::new(), events, at);
        learner
    }

    fn replay_into(
        &self,
        learner: &mut Learner<'_, 'a>,
        order: &mut Vec<usize>,
        events: &[Event],
        at: Timestamp,
    ) {
        order.clear();
        order.extend((0..events.len()).filter(|&i| events[i].at <= at));
        // Stable: list order breaks ties. Logs are usually stored sorted already.
        if !order.is_sorted_by_key(|&i| events[i].at) {
            order.sort_by_key(|&i| events[i].at);
        }
        for (position, &index) in order.iter().enumerate() {
            let event = &events[index];
            match learner.apply(event, position) {
                Ok(()) => learner.issue_due(event.at),
                Err(err) => learner.errors.push(RejectedEvent {
                    event: index,
                    code: err.code(),
                    message: err.to_string(),
                }),
            }
        }
    }
}

/// One learner's log: the unit a roster is made of.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct LearnerLog {
    /// The learner.
    pub learner: crate::ids::LearnerId,
    /// Their events.
    pub events: Vec<Event>,
}

/// A learner's results in compact form, for roster-wide views.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearnerSummary {
    /// Per competency, in [`Course::competency_ids`] order.
    pub competencies: Vec<CompetencySummary>,
    /// Per assessment, in [`Course::assessment_ids`] order.
    pub assessments: Vec<AssessmentSummary>,
    /// Per definition, in [`Course::definition_ids`] order.
    pub credentials: Vec<CredentialSummary>,
    /// How many events were rejected.
    pub rejected: usize,
}

/// One competency of a [`LearnerSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetencySummary {
    /// Status.
    pub status: MasteryStatus,
    /// Exact score.
    pub score: Option<Number>,
}

/// One assessment of a [`LearnerSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentSummary {
    /// Counted attempts (current cycle).
    pub attempts_counted: u32,
    /// Kept percent, exact.
    pub kept_percent: Option<Number>,
    /// Whether the kept result passes.
    pub passed: bool,
}

/// One credential of a [`LearnerSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialSummary {
    /// Status of the latest issuance.
    pub status: CredentialStatus,
    /// Latest issue time.
    pub issued_at: Option<Timestamp>,
}

// ---------------------------------------------------------------------------------------
// Learner state

#[derive(Debug, Clone)]
struct Scores {
    total: Number,
    parts: Vec<Number>,
    /// `total × 100 / max`.
    percent: Number,
    /// Per fed competency group of a rubric (in `AsmtInfo::groups` order), its percent.
    group_percents: Vec<Number>,
    /// Whether these scores pass the assessment (README §5.1).
    passes: bool,
}

#[derive(Debug, Clone)]
struct Attempt {
    number: u32,
    position: usize,
    at: Timestamp,
    route: Route,
    counted: bool,
    cycle: u32,
    scores: Option<Scores>,
}

#[derive(Debug, Clone, Default)]
struct AsmtState {
    attempts: Vec<Attempt>,
    feedback_after_latest: bool,
    course_attempts: u32,
    challenge_taken: bool,
}

/// The kept result of an assessment: a scored attempt as it stands, or scores computed
/// from several (an average, or an attempt lowered by the re-sit cap).
#[derive(Debug, Clone)]
struct Kept {
    from: KeptFrom,
    passes: bool,
}

#[derive(Debug, Clone)]
enum KeptFrom {
    /// Index of the attempt in the assessment's list.
    Attempt(usize),
    /// Scores computed from attempts.
    Computed(Box<Scores>),
}

#[derive(Debug, Clone)]
struct Issuance {
    issued_at: Timestamp,
    valid_until: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
    plar_methods_used: Vec<PlarMethod>,
}

#[derive(Debug, Clone)]
struct Presentation {
    credential: DefinitionId,
    issued_at: Timestamp,
    valid_until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CompResult {
    status: MasteryStatus,
    score: Option<Number>,
}

/// Reused buffers for evidence sequences: (submission position, percent), then percents.
type Scratch = (Vec<(usize, Number)>, Vec<Number>);

/// What is known of a competency since its inputs last changed.
#[derive(Debug, Clone, Default)]
struct CompCache {
    status: Option<MasteryStatus>,
    score: Option<Option<Number>>,
}

struct Learner<'c, 'a> {
    course: &'c Course<'a>,
    errors: Vec<RejectedEvent>,
    enrolled_at: Vec<Option<Timestamp>>,
    asmts: Vec<AsmtState>,
    /// Kept result per assessment (current cycle); recomputed when its attempts change.
    kept: Vec<Option<Kept>>,
    granted_comps: Vec<Option<(PlarMethod, Timestamp)>>,
    granted_components: Vec<Vec<(DefinitionId, PlarMethod, Timestamp)>>,
    issuances: Vec<Vec<Issuance>>,
    presentations: Vec<Presentation>,
    claimed: BTreeSet<(usize, usize)>,
    comp_cache: RefCell<Vec<CompCache>>,
    /// Whether anything criteria read (results, grants, issuances, presentations) changed
    /// since the criteria were last checked.
    dirty: bool,
    /// Reused buffers for evidence sequences: (submission position, percent), then percents.
    scratch: RefCell<Scratch>,
}

impl<'c, 'a> Learner<'c, 'a> {
    fn new(course: &'c Course<'a>) -> Self {
        let (nd, na, nc) = (course.defs.len(), course.asmts.len(), course.comps.len());
        Learner {
            course,
            errors: Vec::new(),
            enrolled_at: vec![None; nd],
            asmts: vec![AsmtState::default(); na],
            kept: vec![None; na],
            granted_comps: vec![None; nc],
            granted_components: vec![Vec::new(); nd],
            issuances: vec![Vec::new(); nd],
            presentations: Vec::new(),
            claimed: BTreeSet::new(),
            comp_cache: RefCell::new(vec![CompCache::default(); nc]),
            scratch: RefCell::new((Vec::new(), Vec::new())),
            dirty: true,
        }
    }

    /// Back to a learner with no events, keeping the allocated memory.
    fn reset(&mut self) {
        self.errors.clear();
        self.enrolled_at.fill(None);
        for state in &mut self.asmts {
            state.attempts.clear();
            state.feedback_after_latest = false;
            state.course_attempts = 0;
            state.challenge_taken = false;
        }
        self.kept.iter_mut().for_each(|k| *k = None);
        self.granted_comps.fill(None);
        self.granted_components.iter_mut().for_each(Vec::clear);
        self.issuances.iter_mut().for_each(Vec::clear);
        self.presentations.clear();
        self.claimed.clear();
        self.comp_cache
            .get_mut()
            .iter_mut()
            .for_each(|c| *c = CompCache::default());
        self.dirty = true;
    }

    fn def_index(&self, id: &DefinitionId) -> Result<usize, PolicyError> {
        self.course
            .def_lookup
            .get(id.as_str())
            .ok_or_else(|| PolicyError::UnknownReference {
                kind: "credential definition",
                id: id.to_string(),
            })
    }

    fn asmt_index(&self, id: &AssessmentId) -> Result<usize, PolicyError> {
        self.course
            .asmt_lookup
            .get(id.as_str())
            .ok_or_else(|| PolicyError::UnknownReference {
                kind: "assessment",
                id: id.to_string(),
            })
    }

    /// The current renewal cycle of an assessment: the number of issuances of its
    /// definition for a renewal assessment, else 0.
    fn cycle(&self, a: usize) -> u32 {
        let info = &self.course.asmts[a];
        if info.renewal {
            self.issuances[info.def].len() as u32
        } else {
            0
        }
    }

    /// Forgets what depends on an assessment's results: the competencies it feeds.
    fn invalidate_feeds(&mut self, a: usize) {
        let cache = self.comp_cache.get_mut();
        for &c in &self.course.asmts[a].feeds {
            cache[c] = CompCache::default();
        }
    }

    fn apply(&mut self, event: &Event, position: usize) -> Result<(), PolicyError> {
        let t = event.at;
        match &event.kind {
            EventKind::Enrolled { credential } => {
                let d = self.def_index(credential)?;
                if let Some(since) = self.enrolled_at[d] {
                    return Err(PolicyError::AlreadyEnrolled {
                        credential: credential.to_string(),
                        since,
                    });
                }
                self.enrolled_at[d] = Some(t);
                Ok(())
            }
            EventKind::AttemptSubmitted {
                assessment,
                score,
                part_scores,
                route,
            } => self.submit(assessment, score, part_scores, *route, t, position),
            EventKind::FeedbackReleased { assessment } => {
                let a = self.asmt_index(assessment)?;
                self.asmts[a].feedback_after_latest = true;
                Ok(())
            }
            EventKind::AttemptScored(grading) => {
                let Grading {
                    assessment,
                    attempt,
                    score,
                    part_scores,
                    ..
                } = &**grading;
                let a = self.asmt_index(assessment)?;
                let i = self.attempt_slot(a, *attempt)?;
                if self.asmts[a].attempts[i].scores.is_some() {
                    return Err(PolicyError::AlreadyScored { number: *attempt });
                }
                let (total, parts) = read_scores(&self.course.asmts[a], score, part_scores, true)?
                    .ok_or_else(|| PolicyError::InvalidEvent {
                        problem: "a score or part_scores is required".into(),
                    })?;
                self.asmts[a].attempts[i].scores = Some(self.course.derive_scores(a, total, parts));
                self.attempts_changed(a, t);
                Ok(())
            }
            EventKind::ScoreOverridden(change) => {
                let Override {
                    assessment,
                    attempt,
                    score,
                    part_scores,
                    reason,
                    ..
                } = &**change;
                let a = self.asmt_index(assessment)?;
                let i = self.attempt_slot(a, *attempt)?;
                if self.asmts[a].attempts[i].scores.is_none() {
                    return Err(PolicyError::AttemptNotScored { number: *attempt });
                }
                if reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(PolicyError::InvalidEvent {
                        problem: "an override needs a non-empty reason".into(),
                    });
                }
                let info = &self.course.asmts[a];
                check_score_fields(info, score, part_scores)?;
                let (total, parts) =
                    read_scores(info, score, part_scores, false)?.ok_or_else(|| {
                        PolicyError::InvalidEvent {
                            problem: "a score or part_scores is required".into(),
                        }
                    })?;
                self.asmts[a].attempts[i].scores = Some(self.course.derive_scores(a, total, parts));
                self.attempts_changed(a, t);
                Ok(())
            }
            EventKind::PlarGranted(grant) => self.grant(
                &grant.credential,
                grant.method,
                grant.competency.as_ref(),
                grant.component.as_ref(),
                t,
            ),
            EventKind::PlarDenied(denial) => {
                let d = self.def_index(&denial.credential)?;
                self.plar_target(d, denial.competency.as_ref(), denial.component.as_ref())?;
                Ok(())
            }
            EventKind::CredentialPresented {
                credential,
                issued_at,
                valid_until,
                verified,
                ..
            } => {
                if !verified {
                    return Err(PolicyError::CredentialNotVerified {
                        credential: credential.to_string(),
                    });
                }
                self.dirty = true;
                self.presentations.push(Presentation {
                    credential: credential.clone(),
                    issued_at: *issued_at,
                    valid_until: *valid_until,
                });
                Ok(())
            }
            EventKind::CredentialApplied { credential } => {
                let d = self.def_index(credential)?;
                if let Some(first) = self.issuances[d].first() {
                    return Err(PolicyError::AlreadyIssued {
                        credential: credential.to_string(),
                        issued_at: first.issued_at,
                    });
                }
                if !self.holds(&self.course.def_info[d].criteria, d, t) {
                    return Err(PolicyError::CriteriaNotMet {
                        credential: credential.to_string(),
                    });
                }
                self.issue(d, t);
                Ok(())
            }
            EventKind::CredentialRevoked { credential, .. } => {
                let d = self.def_index(credential)?;
                let latest =
                    self.issuances[d]
                        .last_mut()
                        .ok_or_else(|| PolicyError::UnknownReference {
                            kind: "issuance of",
                            id: credential.to_string(),
                        })?;
                if latest.revoked_at.is_none() {
                    latest.revoked_at = Some(t);
                }
                self.dirty = true;
                Ok(())
            }
            EventKind::ExpiryImposed {
                credential,
                issued_before,
                valid_until,
            } => {
                let d = self.def_index(credential)?;
                for issuance in self.issuances[d]
                    .iter_mut()
                    .filter(|i| i.issued_at < *issued_before)
                {
                    issuance.valid_until = Some(
                        issuance
                            .valid_until
                            .map_or(*valid_until, |v| v.min(*valid_until)),
                    );
                }
                self.dirty = true;
                Ok(())
            }
            EventKind::EquivalencyClaimed { equivalency } => {
                let (d, e) = *self
                    .course
                    .equiv_by_id
                    .get(equivalency.as_str())
                    .ok_or_else(|| PolicyError::UnknownReference {
                        kind: "equivalency",
                        id: equivalency.to_string(),
                    })?;
                if self.claimed.contains(&(d, e)) {
                    return Err(PolicyError::AlreadyClaimed {
                        equivalency: equivalency.to_string(),
                    });
                }
                if !self.holds(&self.course.def_info[d].equivalencies[e], d, t) {
                    return Err(PolicyError::EquivalencyNotEligible {
                        equivalency: equivalency.to_string(),
                    });
                }
                self.claimed.insert((d, e));
                Ok(())
            }
        }
    }

    fn attempt_slot(&self, a: usize, number: u32) -> Result<usize, PolicyError> {
        let attempts = &self.asmts[a].attempts;
        let i = (number as usize)
            .checked_sub(1)
            .filter(|&i| i < attempts.len());
        i.ok_or_else(|| PolicyError::UnknownReference {
            kind: "attempt",
            id: format!("{} #{number}", self.course.asmts[a].a.id),
        })
    }

    fn counted_state(&self, a: usize) -> CountedState {
        let cycle = self.cycle(a);
        let state = &self.asmts[a];
        let mut counted = CountedState {
            kept_passes: self.kept[a].as_ref().is_some_and(|k| k.passes),
            feedback_after_latest: state.feedback_after_latest,
            ..CountedState::default()
        };
        for attempt in state
            .attempts
            .iter()
            .filter(|x| x.counted && x.cycle == cycle)
        {
            counted.counted += 1;
            counted.latest = Some((attempt.number, attempt.at));
            counted.latest_pending = attempt.scores.is_none();
        }
        counted
    }

    /// README §9: counted attempts of the current cycle; for formatives, accepted attempts.
    fn attempts_counted(&self, a: usize) -> usize {
        if self.course.asmts[a].summative {
            self.counted_state(a).counted as usize
        } else {
            self.asmts[a].attempts.len()
        }
    }

    fn deadline(&self, d: usize) -> Option<Timestamp> {
        let window = self.course.defs[d].completion_window_days?;
        Some(self.enrolled_at[d]?.plus_days(i64::from(window)))
    }

    fn submit(
        &mut self,
        assessment: &AssessmentId,
        score: &Option<Number>,
        part_scores: &Option<PartScores>,
        route: Route,
        t: Timestamp,
        position: usize,
    ) -> Result<(), PolicyError> {
        let a = self.asmt_index(assessment)?;
        let info = &self.course.asmts[a];
        check_score_fields(info, score, part_scores)?;
        let scores = read_scores(info, score, part_scores, false)?
            .map(|(total, parts)| self.course.derive_scores(a, total, parts));
        let d = info.def;
        let def = &self.course.defs[d];
        if !info.summative {
            let number = self.asmts[a].attempts.len() as u32 + 1;
            self.asmts[a].attempts.push(Attempt {
                number,
                position,
                at: t,
                route,
                counted: true,
                cycle: 0,
                scores,
            });
            self.attempts_changed(a, t);
            return Ok(());
        }
        // Step 2: challenge routes.
        let mut counted = true;
        if let Some(method) = route.plar_method() {
            let plar = def.plar.as_ref().filter(|p| p.methods.contains(&method));
            let Some(plar) = plar else {
                return Err(PolicyError::PlarMethodNotAllowed {
                    method: method.as_str(),
                    credential: def.id.to_string(),
                });
            };
            let state = &self.asmts[a];
            if state.course_attempts > 0 {
                return Err(PolicyError::ChallengeAfterCourseAttempt {
                    course_attempts: state.course_attempts,
                });
            }
            if state.challenge_taken {
                return Err(PolicyError::ChallengeLimitReached);
            }
            counted = plar.challenge_counts_as_attempt;
        }
        // Step 3: renewal window.
        if info.renewal {
            self.check_renewal_open(d, t)?;
        } else if let Some(deadline) = self.deadline(d) {
            // Step 4: deadline.
            if t > deadline {
                return Err(PolicyError::DeadlinePassed { deadline });
            }
        }
        // Step 5: counted attempts.
        if counted {
            policy::check_counted_attempt(info.policy, &self.counted_state(a), t)?;
        }
        let cycle = self.cycle(a);
        let state = &mut self.asmts[a];
        let number = state.attempts.len() as u32 + 1;
        state.attempts.push(Attempt {
            number,
            position,
            at: t,
            route,
            counted,
            cycle,
            scores,
        });
        if route == Route::Course {
            state.course_attempts += 1;
        } else {
            state.challenge_taken = true;
        }
        if counted {
            state.feedback_after_latest = false;
        }
        self.attempts_changed(a, t);
        Ok(())
    }

    fn check_renewal_open(&self, d: usize, t: Timestamp) -> Result<(), PolicyError> {
        let def = &self.course.defs[d];
        let opens = def
            .renewal
            .as_ref()
            .map_or(0, |r| r.opens_days_before_expiry);
        let Some(latest) = self.issuances[d].last() else {
            return Err(PolicyError::RenewalNotOpen {
                why: format!("\"{}\" has not been issued", def.id),
            });
        };
        if latest.revoked_at.is_some() {
            return Err(PolicyError::RenewalNotOpen {
                why: format!("the latest issuance of \"{}\" is revoked", def.id),
            });
        }
        let Some(valid_until) = latest.valid_until else {
            return Err(PolicyError::RenewalNotOpen {
                why: format!("the latest issuance of \"{}\" never expires", def.id),
            });
        };
        let opens_at = valid_until.plus_days(-i64::from(opens));
        if t < opens_at {
            return Err(PolicyError::RenewalNotOpen {
                why: format!(
                    "renewal opens at {opens_at}, {opens} day(s) before the credential expires at {valid_until}"
                ),
            });
        }
        Ok(())
    }

    /// Recomputes an assessment's kept result after its attempts changed, and issues a
    /// renewal when the cycle's kept result newly passes.
    fn attempts_changed(&mut self, a: usize, t: Timestamp) {
        self.kept[a] = self.compute_kept(a);
        self.invalidate_feeds(a);
        self.dirty = true;
        let info = &self.course.asmts[a];
        if info.renewal && self.kept[a].as_ref().is_some_and(|k| k.passes) {
            let d = info.def;
            self.issue(d, t);
            self.kept[a] = self.compute_kept(a);
        }
    }

    /// Calls `f` on each scored attempt of the current cycle, in submission order, with its
    /// scores after the re-sit cap (every scored attempt but the first).
    fn for_each_scored<'s>(&'s self, a: usize, mut f: impl FnMut(&'s Attempt, Cow<'s, Scores>)) {
        let cycle = self.cycle(a);
        let mut first = true;
        for attempt in self.asmts[a].attempts.iter().filter(|x| x.cycle == cycle) {
            let Some(scores) = &attempt.scores else {
                continue;
            };
            if !attempt.counted && !scores.passes {
                continue; // a failed non-counted challenge is kept but never scored
            }
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

    fn compute_kept(&self, a: usize) -> Option<Kept> {
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
                    for (sum, p) in parts.iter_mut().zip(&scores.parts) {
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
    fn kept_scores(&self, a: usize) -> Option<&Scores> {
        match &self.kept[a].as_ref()?.from {
            KeptFrom::Attempt(i) => self.asmts[a].attempts.get(*i)?.scores.as_ref(),
            KeptFrom::Computed(scores) => Some(scores),
        }
    }

    fn plar_target(
        &self,
        d: usize,
        competency: Option<&CompetencyId>,
        component: Option<&DefinitionId>,
    ) -> Result<PlarTarget, PolicyError> {
        let def = &self.course.defs[d];
        match (competency, component) {
            (Some(c), None) => {
                let ci = self
                    .course
                    .comp_by_id
                    .get(c.as_str())
                    .copied()
                    .filter(|&ci| self.course.comps[ci].def == d);
                ci.map(PlarTarget::Competency)
                    .ok_or_else(|| PolicyError::UnknownReference {
                        kind: "competency of the governing definition",
                        id: c.to_string(),
                    })
            }
            (None, Some(k)) => {
                let found = def.components.iter().position(|x| x.credential == *k);
                found
                    .map(PlarTarget::Component)
                    .ok_or_else(|| PolicyError::UnknownReference {
                        kind: "component of the governing definition",
                        id: k.to_string(),
                    })
            }
            _ => Err(PolicyError::InvalidEvent {
                problem: "a PLAR decision names exactly one of competency or component".into(),
            }),
        }
    }

    fn grant(
        &mut self,
        credential: &DefinitionId,
        method: PlarMethod,
        competency: Option<&CompetencyId>,
        component: Option<&DefinitionId>,
        t: Timestamp,
    ) -> Result<(), PolicyError> {
        let d = self.def_index(credential)?;
        let target = self.plar_target(d, competency, component)?;
        let def = &self.course.defs[d];
        let plar = def
            .plar
            .as_ref()
            .filter(|p| p.methods.contains(&method) && !method.is_challenge());
        let Some(plar) = plar else {
            return Err(PolicyError::PlarMethodNotAllowed {
                method: method.as_str(),
                credential: def.id.to_string(),
            });
        };
        let info = &self.course.def_info[d];
        match target {
            PlarTarget::Competency(ci) => {
                if self.granted_comps[ci].is_some() {
                    return Err(PolicyError::AlreadyGranted {
                        target: self.course.comps[ci].id.to_string(),
                    });
                }
                let granted = info
                    .comps
                    .iter()
                    .filter(|&&c| self.granted_comps[c].is_some())
                    .fold(Number::zero(), |acc, &c| {
                        acc.add(&self.course.comps[c].weight)
                    });
                policy::check_plar_share(
                    &granted,
                    &self.course.comps[ci].weight,
                    &info.comp_weight_total,
                    plar.max_share_percent.as_ref(),
                    def.id.as_str(),
                )?;
                self.granted_comps[ci] = Some((method, t));
                self.comp_cache.get_mut()[ci] = CompCache::default();
                self.dirty = true;
            }
            PlarTarget::Component(k) => {
                let component = &def.components[k];
                if self.granted_components[d]
                    .iter()
                    .any(|(id, _, _)| *id == component.credential)
                {
                    return Err(PolicyError::AlreadyGranted {
                        target: component.credential.to_string(),
                    });
                }
                let granted = def
                    .components
                    .iter()
                    .filter(|x| {
                        self.granted_components[d]
                            .iter()
                            .any(|(id, _, _)| *id == x.credential)
                    })
                    .fold(Number::zero(), |acc, x| acc.add(&x.weight));
                policy::check_plar_share(
                    &granted,
                    &component.weight,
                    &info.component_weight_total,
                    plar.max_share_percent.as_ref(),
                    def.id.as_str(),
                )?;
                self.granted_components[d].push((component.credential.clone(), method, t));
                self.dirty = true;
            }
        }
        Ok(())
    }

    fn issue(&mut self, d: usize, t: Timestamp) {
        let def = &self.course.defs[d];
        let mut methods: BTreeSet<PlarMethod> = BTreeSet::new();
        for &c in &self.course.def_info[d].comps {
            if let Some((m, at)) = self.granted_comps[c]
                && at <= t
            {
                methods.insert(m);
            }
        }
        methods.extend(
            self.granted_components[d]
                .iter()
                .filter(|g| g.2 <= t)
                .map(|g| g.1),
        );
        for &a in &self.course.def_info[d].asmts {
            for attempt in &self.asmts[a].attempts {
                if let (Some(m), Some(s)) = (attempt.route.plar_method(), &attempt.scores)
                    && (attempt.counted || s.passes)
                {
                    methods.insert(m);
                }
            }
        }
        self.dirty = true;
        self.issuances[d].push(Issuance {
            issued_at: t,
            valid_until: def.validity.map(|v| v.valid_until(t)),
            revoked_at: None,
            plar_methods_used: methods.into_iter().collect(),
        });
    }

    /// README §6: after an accepted event at `t`, issue every automatic definition never
    /// issued whose criteria hold, until nothing new is issued.
    fn issue_due(&mut self, t: Timestamp) {
        let dirty = std::mem::take(&mut self.dirty);
        loop {
            let due = (0..self.course.defs.len()).find(|&d| {
                let (def, info) = (&self.course.defs[d], &self.course.def_info[d]);
                // Criteria without a credential leaf depend on time only through events:
                // when nothing they read changed, their answer cannot have changed.
                def.grant_mode == GrantMode::Automatic
                    && self.issuances[d].is_empty()
                    && (dirty || info.reads_time)
                    && self.holds(&info.criteria, d, t)
            });
            match due {
                Some(d) => self.issue(d, t),
                None => break,
            }
        }
        self.dirty = false;
    }

    /// Whether a resolved rule holds for definition `owner` at `at` (the fast path of
    /// [`Rule::holds`], same semantics).
    fn holds(&self, check: &Check, owner: usize, at: Timestamp) -> bool {
        match check {
            Check::All(of) => of.iter().all(|c| self.holds(c, owner, at)),
            Check::Any(of) => of.iter().any(|c| self.holds(c, owner, at)),
            Check::AtLeast(k, of) => {
                let mut count = 0;
                for c in of {
                    if self.holds(c, owner, at) {
                        count += 1;
                        if count >= *k {
                            return true;
                        }
                    }
                }
                count >= *k
            }
            Check::Points(needed, of) => {
                let mut sum = Number::zero();
                for (c, points, required) in of {
                    if self.holds(c, owner, at) {
                        sum = sum.add(points);
                    } else if *required {
                        return false;
                    }
                }
                sum >= *needed
            }
            Check::Competency(c) => self.competency_status(*c) == MasteryStatus::Mastered,
            Check::AllCompetencies => self.course.def_info[owner]
                .comps
                .iter()
                .all(|&c| self.competency_status(c) == MasteryStatus::Mastered),
            Check::Assessment(a) => {
                let info = &self.course.asmts[*a];
                info.summative && !info.renewal && self.kept[*a].as_ref().is_some_and(|k| k.passes)
            }
            Check::Submitted(a) => {
                let info = &self.course.asmts[*a];
                info.summative && !info.renewal && !self.asmts[*a].attempts.is_empty()
            }
            Check::Credential(id, d) => self.holds_credential_at(owner, id, *d, at),
        }
    }

    fn view<'l>(&'l self, owner: usize, at: Timestamp) -> View<'l, 'c, 'a> {
        View {
            learner: self,
            owner,
            at,
        }
    }

    fn competency(&self, c: usize) -> CompResult {
        CompResult {
            status: self.competency_status(c),
            score: self.competency_score(c),
        }
    }

    /// README §5.2 status, computing the score only when every item has a kept result.
    fn competency_status(&self, c: usize) -> MasteryStatus {
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

    fn competency_score(&self, c: usize) -> Option<Number> {
        if let Some(score) = &self.comp_cache.borrow()[c].score {
            return score.clone();
        }
        let score = self.compute_score(c);
        self.comp_cache.borrow_mut()[c].score = Some(score.clone());
        score
    }

    fn item_percent(&self, a: usize, c: usize) -> Option<&Number> {
        let kept = self.kept_scores(a)?;
        match self.course.asmts[a].groups.iter().position(|g| g.0 == c) {
            None => Some(&kept.percent),
            Some(g) => kept.group_percents.get(g),
        }
    }

    fn compute_score(&self, c: usize) -> Option<Number> {
        let comp = &self.course.comps[c];
        match &comp.method {
            CompetencyMethod::KeptMean => {
                let (mut sum, mut weights) = (Number::zero(), Number::zero());
                for &a in &comp.items {
                    if let Some(percent) = self.item_percent(a, c) {
                        let w = &self.course.asmts[a].a.weight;
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

    fn holds_credential(&self, owner: usize, credential: &DefinitionId, at: Timestamp) -> bool {
        self.holds_credential_at(
            owner,
            credential,
            self.course.def_by_id.get(credential.as_str()).copied(),
            at,
        )
    }

    fn holds_credential_at(
        &self,
        owner: usize,
        credential: &DefinitionId,
        defined: Option<usize>,
        at: Timestamp,
    ) -> bool {
        if self.granted_components[owner]
            .iter()
            .any(|(id, _, _)| id == credential)
        {
            return true;
        }
        if let Some(d) = defined
            && let Some(latest) = self.issuances[d].last()
            && is_held(latest.issued_at, latest.valid_until, latest.revoked_at, at)
        {
            return true;
        }
        self.presentations
            .iter()
            .any(|p| p.credential == *credential && is_held(p.issued_at, p.valid_until, None, at))
    }

    fn next_step(&self, a: usize, at: Timestamp) -> Option<NextStep> {
        let info = &self.course.asmts[a];
        if !info.summative {
            return None;
        }
        if info.renewal && self.check_renewal_open(info.def, at).is_err() {
            return None;
        }
        let deadline = if info.renewal {
            None
        } else {
            self.deadline(info.def)
        };
        Some(policy::next_step(
            info.policy,
            &self.counted_state(a),
            deadline,
            at,
        ))
    }

    fn summary(&self, at: Timestamp) -> LearnerSummary {
        let course = self.course;
        LearnerSummary {
            competencies: (0..course.comps.len())
                .map(|c| {
                    let r = self.competency(c);
                    CompetencySummary {
                        status: r.status,
                        score: r.score,
                    }
                })
                .collect(),
            assessments: (0..course.asmts.len())
                .map(|a| {
                    let counted = self.attempts_counted(a);
                    let kept = &self.kept[a];
                    AssessmentSummary {
                        attempts_counted: counted as u32,
                        kept_percent: self.kept_scores(a).map(|k| k.percent.clone()),
                        passed: kept.as_ref().is_some_and(|k| k.passes),
                    }
                })
                .collect(),
            credentials: self
                .issuances
                .iter()
                .map(|list| CredentialSummary {
                    status: list
                        .last()
                        .map_or(CredentialStatus::NotIssued, |i| issuance_status(i, at)),
                    issued_at: list.last().map(|i| i.issued_at),
                })
                .collect(),
            rejected: self.errors.len(),
        }
    }

    fn record(self, at: Timestamp) -> Record {
        let course = self.course;
        let mut record = Record {
            at,
            errors: Vec::new(),
            competencies: BTreeMap::new(),
            assessments: BTreeMap::new(),
            credentials: BTreeMap::new(),
            equivalencies: BTreeMap::new(),
            validation: course.validation.clone(),
        };
        for (c, comp) in course.comps.iter().enumerate() {
            let result = self.competency(c);
            let source = (result.status == MasteryStatus::Mastered).then(|| {
                if self.granted_comps[c].is_some() {
                    "plar"
                } else {
                    "assessment"
                }
            });
            record.competencies.insert(
                comp.id.clone(),
                CompetencyRecord {
                    definition: course.defs[comp.def].id.clone(),
                    status: result.status,
                    reported: result.score.as_ref().map(Number::to_reported_string),
                    score: result.score,
                    threshold_percent: comp.threshold.clone(),
                    source,
                    plar_method: self.granted_comps[c].map(|g| g.0),
                },
            );
        }
        for (a, info) in course.asmts.iter().enumerate() {
            let cycle = self.cycle(a);
            let kept = &self.kept[a];
            let mut scored: Vec<u32> = Vec::new();
            self.for_each_scored(a, |x, _| scored.push(x.number));
            let attempts = self.asmts[a]
                .attempts
                .iter()
                .map(|x| AttemptRecord {
                    number: x.number,
                    at: x.at,
                    route: x.route,
                    counted: x.counted,
                    cycle: x.cycle,
                    pending: x.scores.is_none(),
                    scored: scored.contains(&x.number) || (x.cycle != cycle && x.scores.is_some()),
                    percent: x.scores.as_ref().map(|s| s.percent.clone()),
                    reported: x.scores.as_ref().map(|s| s.percent.to_reported_string()),
                })
                .collect();
            let counted = self.attempts_counted(a);
            record.assessments.insert(
                info.a.id.clone(),
                AssessmentRecord {
                    definition: course.defs[info.def].id.clone(),
                    kind: info.a.kind,
                    attempts_counted: counted as u32,
                    kept_percent: self.kept_scores(a).map(|k| k.percent.clone()),
                    kept_reported: self.kept_scores(a).map(|k| k.percent.to_reported_string()),
                    kept_points: self.kept_scores(a).map(|k| k.total.clone()),
                    passed: kept.as_ref().is_some_and(|k| k.passes),
                    cycle,
                    attempts,
                    next: self.next_step(a, at),
                },
            );
        }
        for (d, def) in course.defs.iter().enumerate() {
            let view = self.view(d, at);
            let explanation = def.criteria.explain(&view);
            debug_assert_eq!(
                explanation.satisfied,
                self.holds(&course.def_info[d].criteria, d, at),
                "the resolved criteria and the explanation disagree"
            );
            let issuances: Vec<IssuanceRecord> = self.issuances[d]
                .iter()
                .enumerate()
                .map(|(cycle, i)| IssuanceRecord {
                    definition: def.id.clone(),
                    version: def.version.clone(),
                    cycle: cycle as u32,
                    issued_at: i.issued_at,
                    valid_until: i.valid_until,
                    revoked_at: i.revoked_at,
                    status: issuance_status(i, at),
                    plar_methods_used: i.plar_methods_used.clone(),
                })
                .collect();
            let latest = issuances.last();
            record.credentials.insert(
                def.id.clone(),
                CredentialRecord {
                    version: def.version.clone(),
                    status: latest.map_or(CredentialStatus::NotIssued, |i| i.status),
                    issued_at: latest.map(|i| i.issued_at),
                    valid_until: latest.and_then(|i| i.valid_until),
                    plar_methods_used: latest
                        .map(|i| i.plar_methods_used.clone())
                        .unwrap_or_default(),
                    criteria_met: explanation.satisfied,
                    progress: explanation.progress.clone(),
                    explanation,
                    issuances,
                },
            );
            for (e, eq) in def.equivalencies.iter().enumerate() {
                let status = if self.claimed.contains(&(d, e)) {
                    EquivalencyStatus::Claimed
                } else if self.holds(&course.def_info[d].equivalencies[e], d, at) {
                    EquivalencyStatus::Eligible
                } else {
                    EquivalencyStatus::NotEligible
                };
                record.equivalencies.insert(
                    eq.id.clone(),
                    EquivalencyRecord {
                        definition: def.id.clone(),
                        status,
                        credits: eq.credits.clone(),
                    },
                );
            }
        }
        record.errors = self.errors;
        record
    }
}

/// A rule with its ids resolved to indices: what the fold checks after every event.
#[derive(Debug)]
enum Check {
    All(Vec<Check>),
    Any(Vec<Check>),
    AtLeast(u32, Vec<Check>),
    Points(Number, Vec<(Check, Number, bool)>),
    Competency(usize),
    AllCompetencies,
    Assessment(usize),
    Submitted(usize),
    Credential(DefinitionId, Option<usize>),
}

enum PlarTarget {
    Competency(usize),
    Component(usize),
}

fn check_score_fields(
    info: &AsmtInfo<'_>,
    score: &Option<Number>,
    part_scores: &Option<PartScores>,
) -> Result<(), PolicyError> {
    let invalid = |problem: String| Err(PolicyError::InvalidEvent { problem });
    match (score, part_scores, info.parts.is_empty()) {
        (Some(_), Some(_), _) => invalid("give either score or part_scores, not both".into()),
        (None, Some(_), true) => invalid(format!(
            "assessment \"{}\" has no parts: give score",
            info.a.id
        )),
        (Some(_), None, false) => invalid(format!(
            "assessment \"{}\" is scored by parts: give part_scores",
            info.a.id
        )),
        (None, Some(given), false) => {
            if let Some(extra) = given
                .keys()
                .find(|k| !info.parts.iter().any(|(id, _)| *id == *k))
            {
                return invalid(format!(
                    "part \"{extra}\" is not a part of assessment \"{}\"",
                    info.a.id
                ));
            }
            if let Some((missing, _)) = info.parts.iter().find(|(id, _)| !given.contains_key(id)) {
                return invalid(format!(
                    "part \"{missing}\" of assessment \"{}\" has no score",
                    info.a.id
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Reads scores after [`check_score_fields`]-style checks: `score_out_of_range` for a
/// score above its maximum. With `range_first` (attempt_scored's order) the range is
/// checked before the field shape.
fn read_scores(
    info: &AsmtInfo<'_>,
    score: &Option<Number>,
    part_scores: &Option<PartScores>,
    range_first: bool,
) -> Result<Option<(Number, Vec<Number>)>, PolicyError> {
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
        check_score_fields(info, score, part_scores)?;
    }
    match (score, part_scores) {
        (Some(s), None) => {
            if *s > info.max {
                return Err(PolicyError::ScoreOutOfRange {
                    what: "score".into(),
                    score: s.to_exact_string(),
                    max: info.max.to_exact_string(),
                });
            }
            Ok(Some((s.clone(), Vec::new())))
        }
        (None, Some(given)) => {
            let mut parts = Vec::with_capacity(info.parts.len());
            let mut total = Number::zero();
            for (id, max) in &info.parts {
                let Some(s) = given.get(id) else { continue };
                if s > max {
                    return Err(PolicyError::ScoreOutOfRange {
                        what: format!("part \"{id}\""),
                        score: s.to_exact_string(),
                        max: max.to_exact_string(),
                    });
                }
                total = total.add(s);
                parts.push(s.clone());
            }
            Ok(Some((total, parts)))
        }
        _ => Ok(None),
    }
}

fn issuance_status(i: &Issuance, at: Timestamp) -> CredentialStatus {
    if i.revoked_at.is_some_and(|r| r <= at) {
        CredentialStatus::Revoked
    } else if i.valid_until.is_some_and(|v| at > v) {
        CredentialStatus::Expired
    } else {
        CredentialStatus::Valid
    }
}

struct View<'l, 'c, 'a> {
    learner: &'l Learner<'c, 'a>,
    owner: usize,
    at: Timestamp,
}

impl Facts for View<'_, '_, '_> {
    fn competency_mastered(&self, competency: &CompetencyId) -> bool {
        self.learner
            .course
            .comp_by_id
            .get(competency.as_str())
            .is_some_and(|&c| self.learner.competency_status(c) == MasteryStatus::Mastered)
    }
    fn all_competencies_mastered(&self) -> bool {
        self.learner.course.def_info[self.owner]
            .comps
            .iter()
            .all(|&c| self.learner.competency_status(c) == MasteryStatus::Mastered)
    }
    fn assessment_passed(&self, assessment: &AssessmentId) -> bool {
        self.learner
            .course
            .asmt_by_id
            .get(assessment.as_str())
            .is_some_and(|&a| {
                let info = &self.learner.course.asmts[a];
                info.summative
                    && !info.renewal
                    && self.learner.kept[a].as_ref().is_some_and(|k| k.passes)
            })
    }
    fn assessment_submitted(&self, assessment: &AssessmentId) -> bool {
        self.learner
            .course
            .asmt_by_id
            .get(assessment.as_str())
            .is_some_and(|&a| {
                let info = &self.learner.course.asmts[a];
                info.summative && !info.renewal && !self.learner.asmts[a].attempts.is_empty()
            })
    }
    fn credential_held(&self, credential: &DefinitionId) -> bool {
        self.learner
            .holds_credential(self.owner, credential, self.at)
    }
    fn assessment_next_step(&self, assessment: &AssessmentId) -> Option<NextStep> {
        let a = *self.learner.course.asmt_by_id.get(assessment.as_str())?;
        self.learner.next_step(a, self.at)
    }
}

// ---------------------------------------------------------------------------------------
// The record

/// A learner's record as of an instant: the fold's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// The evaluation instant.
    pub at: Timestamp,
    /// Rejected events, in log order of processing.
    pub errors: Vec<RejectedEvent>,
    /// Per competency.
    pub competencies: BTreeMap<CompetencyId, CompetencyRecord>,
    /// Per assessment.
    pub assessments: BTreeMap<AssessmentId, AssessmentRecord>,
    /// Per credential definition.
    pub credentials: BTreeMap<DefinitionId, CredentialRecord>,
    /// Per equivalency.
    pub equivalencies: BTreeMap<EquivalencyId, EquivalencyRecord>,
    /// The definitions' validator findings.
    pub validation: Vec<Finding>,
}

/// A rejected event: its 0-based index in the log as given, the rule's code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedEvent {
    /// Index in the log as given.
    pub event: usize,
    /// The rule's stable code.
    pub code: &'static str,
    /// What happened, with the numbers.
    pub message: String,
}

/// A competency's mastery status (README §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MasteryStatus {
    /// No item has a kept result.
    NotStarted,
    /// Some items have a kept result, not all.
    InProgress,
    /// Every item has a kept result but the score is below the threshold.
    NotYet,
    /// Shown, or granted by PLAR.
    Mastered,
}

/// One competency in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetencyRecord {
    /// The owning definition.
    pub definition: DefinitionId,
    /// Status.
    pub status: MasteryStatus,
    /// The exact score, or `None` when there is no value.
    pub score: Option<Number>,
    /// The reported score (2 decimals), what decisions compare.
    pub reported: Option<String>,
    /// The competency's threshold.
    pub threshold_percent: Number,
    /// `plar` or `assessment`, when mastered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    /// The PLAR method that granted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plar_method: Option<PlarMethod>,
}

/// One attempt in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptRecord {
    /// 1-based number among the learner's attempts on the assessment.
    pub number: u32,
    /// Submission time.
    pub at: Timestamp,
    /// Route.
    pub route: Route,
    /// Whether it counts toward `max_attempts`.
    pub counted: bool,
    /// Renewal cycle it belongs to (0 for ordinary assessments).
    pub cycle: u32,
    /// Whether it waits for a grader.
    pub pending: bool,
    /// Whether it is a scored attempt (enters the kept result).
    pub scored: bool,
    /// Its percent before any re-sit cap.
    pub percent: Option<Number>,
    /// That percent as reported (2 decimals), for display.
    pub reported: Option<String>,
}

/// One assessment in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRecord {
    /// The owning definition.
    pub definition: DefinitionId,
    /// Summative or formative.
    pub kind: AssessmentKind,
    /// Counted attempts in the current cycle (formative: accepted attempts).
    pub attempts_counted: u32,
    /// The kept result's exact percent.
    pub kept_percent: Option<Number>,
    /// The kept percent as reported (2 decimals).
    pub kept_reported: Option<String>,
    /// The kept result's points (after any re-sit cap).
    pub kept_points: Option<Number>,
    /// Whether the kept result passes.
    pub passed: bool,
    /// The current renewal cycle (0 for ordinary assessments).
    pub cycle: u32,
    /// Every accepted attempt.
    pub attempts: Vec<AttemptRecord>,
    /// What the learner can do next, for summative assessments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextStep>,
}

/// Status of an issuance at an instant (README §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Never issued.
    NotIssued,
    /// Valid.
    Valid,
    /// After `valid_until`.
    Expired,
    /// Revoked at or before the instant.
    Revoked,
}

/// One issuance: the server stores one signed credential per (definition, version, cycle).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuanceRecord {
    /// The definition.
    pub definition: DefinitionId,
    /// The definition version it was earned under.
    pub version: String,
    /// Renewal cycle: 0 for the first issuance, then one per renewal.
    pub cycle: u32,
    /// Issue time.
    pub issued_at: Timestamp,
    /// End of validity.
    pub valid_until: Option<Timestamp>,
    /// Revocation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// Status at the record's instant.
    pub status: CredentialStatus,
    /// PLAR methods in effect at issue time (internal, never badge content).
    pub plar_methods_used: Vec<PlarMethod>,
}

/// One credential definition in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialRecord {
    /// The definition's version.
    pub version: String,
    /// Status of the latest issuance.
    pub status: CredentialStatus,
    /// Latest issue time.
    pub issued_at: Option<Timestamp>,
    /// Latest end of validity.
    pub valid_until: Option<Timestamp>,
    /// PLAR methods of the latest issuance.
    pub plar_methods_used: Vec<PlarMethod>,
    /// Whether the criteria hold at the record's instant.
    pub criteria_met: bool,
    /// Progress of the top rule.
    pub progress: Progress,
    /// Every issuance, in issue order.
    pub issuances: Vec<IssuanceRecord>,
    /// What is met, what is missing, and what the learner can do next.
    pub explanation: Explanation,
}

/// Status of an equivalency (README §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EquivalencyStatus {
    /// Claimed.
    Claimed,
    /// May be claimed.
    Eligible,
    /// Requirements not met.
    NotEligible,
}

/// One equivalency in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EquivalencyRecord {
    /// The owning definition.
    pub definition: DefinitionId,
    /// Status.
    pub status: EquivalencyStatus,
    /// Credits it grants.
    pub credits: Number,
}
