//! The course: credential definitions checked once and indexed for the fold, with criteria
//! resolved to indices, and the replay of one learner's log (or a roster's) against them.

use crate::sorted_map::SortedMap;
use std::borrow::Cow;

use serde::Serialize;

use super::learner::Learner;
use super::lookup::IdTable;
use super::output::{LearnerSummary, Record, RejectedEvent};
use super::percents::scale_keys;
use super::spare::SpareSlot;
use crate::criteria::{Leaf, Rule};
use crate::definition::{
    self, AchievementLevel, AssessmentKind, AttemptPolicy, CompetencyMethod, CredentialDefinition,
    DefinitionError, Finding, RubricRef,
};
use crate::error::Error;
use crate::event::Event;
use crate::ids::{AssessmentId, CompetencyId, DefinitionId, LearnerId, PartId};
use crate::number::Number;
use crate::provenance::SupervisionMode;
use crate::time::Timestamp;

/// Definitions checked and indexed once, to fold many learners' logs (a roster). Borrows
/// the definitions or owns them (`Course<'static>`, e.g. for a long-lived roster).
#[derive(Debug)]
pub struct Course<'a> {
    pub(super) defs: Cow<'a, [CredentialDefinition]>,
    pub(super) def_by_id: SortedMap<String, usize>,
    pub(super) comp_by_id: SortedMap<String, usize>,
    pub(super) equiv_by_id: SortedMap<String, (usize, usize)>,
    /// Fast lookups for the ids every event names.
    pub(super) asmt_lookup: IdTable,
    pub(super) def_lookup: IdTable,
    pub(super) asmts: Vec<AsmtInfo>,
    /// The assessments' flat indices in id order, one per id (the last of a repeated id, as
    /// the id indexes keep): the order the record lists them in.
    pub(super) asmt_order: Vec<usize>,
    pub(super) comps: Vec<CompInfo>,
    /// Per definition: its resolved criteria, competencies (flat indices), assessments,
    /// competency weight sum, component weight sum.
    pub(super) def_info: Vec<DefInfo>,
    pub(super) validation: Vec<Finding>,
    /// A finished fold's buffers, for the next ([`super::spare`]).
    pub(super) spare: SpareSlot,
}

/// A criteria leaf with its id resolved to the course's flat index (none for
/// `all_competencies`, nor for a credential defined outside the course).
#[derive(Debug)]
pub(super) struct Resolved {
    pub(super) leaf: Leaf,
    pub(super) index: Option<usize>,
}

impl AsRef<Leaf> for Resolved {
    fn as_ref(&self) -> &Leaf {
        &self.leaf
    }
}

#[derive(Debug)]
pub(super) struct DefInfo {
    /// The criteria with ids resolved: checked after every event, explained in the record.
    pub(super) criteria: Rule<Resolved>,
    /// Each equivalency's requirements, resolved.
    pub(super) equivalencies: Vec<Rule<Resolved>>,
    /// Whether the criteria name a credential, whose holding changes with time.
    pub(super) reads_time: bool,
    pub(super) comps: Vec<usize>,
    /// Competencies the criteria require mastered whatever else holds: the root's
    /// competency and `all_competencies` leaves when the root is `all` (or such a leaf).
    pub(super) gate: Vec<usize>,
    pub(super) asmts: Vec<usize>,
    pub(super) comp_weight_total: Number,
    pub(super) component_weight_total: Number,
}

#[derive(Debug)]
pub(super) struct AsmtInfo {
    pub(super) def: usize,
    pub(super) id: AssessmentId,
    pub(super) kind: AssessmentKind,
    pub(super) weight: Number,
    pub(super) policy: AttemptPolicy,
    pub(super) max: Number,
    pub(super) pass: Option<Number>,
    pub(super) summative: bool,
    /// How it is supervised (REQ-ASSESS-10).
    pub(super) supervision: SupervisionMode,
    /// The shared rubric version it is scored with now (REQ-ASSESS-06).
    pub(super) rubric_ref: Option<RubricRef>,
    /// Achievement levels above pass (REQ-ASSESS-12).
    pub(super) levels: Vec<AchievementLevel>,
    pub(super) renewal: bool,
    /// Part ids in definition order; empty without parts.
    pub(super) parts: Vec<(PartId, Number)>,
    /// Per fed competency: (flat competency index, part indices, sum of their maxima).
    pub(super) groups: Vec<(usize, Vec<usize>, Number)>,
    /// Which (maximum, threshold) pair its percents are of: `max` and `pass`, then per
    /// group its maximum and its competency's threshold ([`super::percents`]).
    pub(super) total_scale: u32,
    pub(super) group_scales: Vec<u32>,
    /// The re-sit cap in points (assessments without parts).
    pub(super) cap_points: Option<Number>,
    /// Competencies this assessment is an item of (flat indices): exactly those whose
    /// `items` hold it.
    pub(super) feeds: Vec<usize>,
}

#[derive(Debug)]
pub(super) struct CompInfo {
    pub(super) def: usize,
    pub(super) id: CompetencyId,
    pub(super) threshold: Number,
    pub(super) weight: Number,
    pub(super) method: CompetencyMethod,
    /// Summative, non-renewal assessments feeding it (flat indices), with their weights.
    pub(super) items: Vec<usize>,
    /// The items as README §5.2 counts them: one per assessment, except that a group of
    /// alternatives (REQ-ASSESS-11) is one item of its members feeding this competency.
    pub(super) units: Vec<Vec<usize>>,
}

impl Course<'static> {
    /// Reads a JSON array of definitions (the scenario `definitions` format) into a course
    /// that owns them, checking them once.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let definitions: Vec<CredentialDefinition> =
            serde_json::from_str(json).map_err(|e| Error::json("definitions", e))?;
        Ok(Course::new(definitions)?)
    }
}

impl<'a> Course<'a> {
    /// Checks ([`definition::check`]) and indexes the definitions, borrowed (`&defs`) or
    /// owned (a `Vec`).
    pub fn new(defs: impl Into<Cow<'a, [CredentialDefinition]>>) -> Result<Self, DefinitionError> {
        let defs = defs.into();
        definition::check(&defs)?;
        let validation = definition::validate(&defs);
        let mut course = Course {
            defs: Cow::Borrowed(&[]),
            def_by_id: SortedMap::new(),
            comp_by_id: SortedMap::new(),
            equiv_by_id: SortedMap::new(),
            asmt_lookup: IdTable::default(),
            def_lookup: IdTable::default(),
            asmts: Vec::new(),
            asmt_order: Vec::new(),
            comps: Vec::new(),
            def_info: Vec::new(),
            validation,
            spare: SpareSlot::default(),
        };
        // Each id's index, gathered in definition order and sorted once into the maps (a
        // repeated id keeps its last index, as inserting into a map did).
        let mut def_ids: Vec<(String, usize)> = Vec::with_capacity(defs.len());
        let mut comp_ids: Vec<(String, usize)> = Vec::new();
        let mut equiv_ids: Vec<(String, (usize, usize))> = Vec::new();
        let mut asmt_ids: Vec<(String, usize)> = Vec::new();
        for (d, def) in defs.iter().enumerate() {
            def_ids.push((def.id.to_string(), d));
            let mut info = DefInfo {
                criteria: Rule::All(Vec::new()),
                equivalencies: Vec::new(),
                reads_time: false,
                comps: Vec::new(),
                gate: Vec::new(),
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
                comp_ids.push((c.id.to_string(), course.comps.len()));
                info.comps.push(course.comps.len());
                info.comp_weight_total = info.comp_weight_total.add(&c.weight);
                course.comps.push(CompInfo {
                    def: d,
                    id: c.id.clone(),
                    threshold: c.threshold_percent.clone(),
                    weight: c.weight.clone(),
                    method,
                    items: Vec::new(),
                    units: Vec::new(),
                });
            }
            for comp in &def.components {
                info.component_weight_total = info.component_weight_total.add(&comp.weight);
            }
            for (e, eq) in def.equivalencies.iter().enumerate() {
                equiv_ids.push((eq.id.to_string(), (d, e)));
            }
            course.def_info.push(info);
        }
        course.def_by_id = def_ids.into_iter().collect();
        course.comp_by_id = comp_ids.into_iter().collect();
        course.equiv_by_id = equiv_ids.into_iter().collect();
        for (d, def) in defs.iter().enumerate() {
            for a in &def.assessments {
                let policy = a.attempt_policy.as_ref().unwrap_or(&def.attempt_policy);
                let max = a.total_max();
                let parts: Vec<(PartId, Number)> = a
                    .parts
                    .iter()
                    .map(|p| (p.id.clone(), p.max_points.clone()))
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
                    (Some(cap), true) => Some(cap.mul(&max).div(&Number::HUNDRED)),
                    _ => None,
                };
                asmt_ids.push((a.id.to_string(), flat));
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
                    id: a.id.clone(),
                    kind: a.kind,
                    weight: a.weight.clone(),
                    policy: policy.clone(),
                    max,
                    pass: a.pass_percent.clone(),
                    summative,
                    supervision: a.supervision,
                    rubric_ref: a.rubric_ref.clone(),
                    levels: a.levels.clone(),
                    renewal,
                    parts,
                    groups,
                    cap_points,
                    feeds,
                    total_scale: 0,
                    group_scales: Vec::new(),
                });
            }
        }
        let asmt_by_id: SortedMap<String, usize> = asmt_ids.into_iter().collect();
        course.group_items(&defs, &asmt_by_id);
        course.number_scales();
        course.asmt_lookup = IdTable::new(asmt_by_id.iter().map(|(id, i)| (id.as_str(), *i)));
        course.asmt_order = asmt_by_id.values().copied().collect();
        course.def_lookup = IdTable::new(course.def_by_id.iter().map(|(id, i)| (id.as_str(), *i)));
        for (d, def) in defs.iter().enumerate() {
            let mut reads_time = false;
            def.criteria
                .visit_leaves(&mut |leaf| reads_time |= matches!(leaf, Leaf::Credential(_)));
            let criteria = course.resolve(&def.criteria, &asmt_by_id);
            let equivalencies = def
                .equivalencies
                .iter()
                .map(|e| course.resolve(&e.requires, &asmt_by_id))
                .collect();
            let info = &mut course.def_info[d];
            info.gate = gate(&criteria, &info.comps);
            info.criteria = criteria;
            info.equivalencies = equivalencies;
            info.reads_time = reads_time;
        }
        course.defs = defs;
        Ok(course)
    }

    /// Each competency's items as README §5.2 counts them, a group of alternatives as one.
    fn group_items(
        &mut self,
        defs: &[CredentialDefinition],
        asmt_by_id: &SortedMap<String, usize>,
    ) {
        for comp in &mut self.comps {
            let groups = &defs[comp.def].alternatives;
            let mut units: Vec<Vec<usize>> = Vec::with_capacity(comp.items.len());
            let mut unit_of_group: Vec<(usize, usize)> = Vec::new();
            for &a in &comp.items {
                let id = self.asmts[a].id.as_str();
                let group = groups
                    .iter()
                    .position(|g| g.assessments.iter().any(|m| m.as_str() == id));
                match group {
                    None => units.push(vec![a]),
                    Some(g) => match unit_of_group.iter().find(|x| x.0 == g) {
                        Some(&(_, u)) => units[u].push(a),
                        None => {
                            unit_of_group.push((g, units.len()));
                            units.push(vec![a]);
                        }
                    },
                }
            }
            // Members in the group's order of preference.
            for &(g, u) in &unit_of_group {
                let order = |a: &usize| {
                    groups[g]
                        .assessments
                        .iter()
                        .position(|m| asmt_by_id.get(m.as_str()) == Some(a))
                };
                units[u].sort_by_key(order);
            }
            comp.units = units;
        }
    }

    /// Numbers the (maximum, threshold) pairs percents are derived for, so that a
    /// learner's [`super::percents::PercentMemo`] serves every assessment sharing one.
    fn number_scales(&mut self) {
        let mut pairs = Vec::new();
        for info in &self.asmts {
            pairs.push((&info.max, info.pass.as_ref()));
            for (c, _, max) in &info.groups {
                pairs.push((max, Some(&self.comps[*c].threshold)));
            }
        }
        let mut keys = scale_keys(pairs).into_iter();
        for info in &mut self.asmts {
            info.total_scale = keys.next().unwrap_or(u32::MAX);
            info.group_scales = info
                .groups
                .iter()
                .map(|_| keys.next().unwrap_or(u32::MAX))
                .collect();
        }
    }

    /// Resolves a rule's ids to flat indices ([`definition::check`] made them resolve).
    fn resolve(&self, rule: &Rule, asmt_by_id: &SortedMap<String, usize>) -> Rule<Resolved> {
        let Ok(resolved) = rule.map_leaves(&mut |leaf| {
            let index = match leaf {
                Leaf::Competency(c) => self.comp_by_id.get(c.as_str()).copied(),
                Leaf::AllCompetencies => None,
                Leaf::Assessment(a) | Leaf::Submitted(a) => asmt_by_id.get(a.as_str()).copied(),
                Leaf::Credential(d) => self.def_by_id.get(d.as_str()).copied(),
            };
            Ok::<_, std::convert::Infallible>(Resolved {
                leaf: leaf.clone(),
                index,
            })
        });
        resolved
    }

    /// The checked definitions.
    pub fn definitions(&self) -> &[CredentialDefinition] {
        &self.defs
    }

    /// The definitions' validator findings (README §10).
    pub fn validation(&self) -> &[Finding] {
        &self.validation
    }

    /// Folds one learner's events as of `at`.
    pub fn fold(&self, events: &[Event], at: Timestamp) -> Record {
        let mut learner = self.replay(events, at);
        let record = learner.record(at);
        learner.recycle();
        record
    }

    /// Folds one learner's events as of `at` into the compact summary a roster-wide view
    /// needs (the mastery grid, "what if" across a class): the same fold as [`Course::fold`]
    /// without explanations, attempt lists or messages. Entries follow
    /// [`Course::competency_ids`], [`Course::assessment_ids`] and [`Course::definition_ids`].
    pub fn summarize(&self, events: &[Event], at: Timestamp) -> LearnerSummary {
        let mut learner = Learner::summarizing(self);
        self.replay_into(&mut learner, events, at);
        let summary = learner.summary(at);
        learner.recycle();
        summary
    }

    /// [`Course::summarize`] for every learner of a roster, reusing one learner's working
    /// memory from log to log.
    pub fn summarize_all(&self, logs: &[LearnerLog], at: Timestamp) -> Vec<LearnerSummary> {
        let mut learner = Learner::summarizing(self);
        let summaries = logs
            .iter()
            .map(|log| {
                learner.reset();
                self.replay_into(&mut learner, &log.events, at);
                learner.summary(at)
            })
            .collect();
        learner.recycle();
        summaries
    }

    /// Competency ids in summary order.
    pub fn competency_ids(&self) -> Vec<&CompetencyId> {
        self.comps.iter().map(|c| &c.id).collect()
    }

    /// Assessment ids in summary order.
    pub fn assessment_ids(&self) -> Vec<&AssessmentId> {
        self.asmts.iter().map(|a| &a.id).collect()
    }

    /// Definition ids in summary order.
    pub fn definition_ids(&self) -> Vec<&DefinitionId> {
        self.defs.iter().map(|d| &d.id).collect()
    }

    fn replay(&self, events: &[Event], at: Timestamp) -> Learner<'_, 'a> {
        let mut learner = Learner::new(self);
        self.replay_into(&mut learner, events, at);
        learner
    }

    pub(super) fn replay_into(
        &self,
        learner: &mut Learner<'_, 'a>,
        events: &[Event],
        at: Timestamp,
    ) {
        // The learner's buffer, for its memory: grown by a filter, a new one would
        // reallocate several times per learner.
        let mut order = std::mem::take(&mut learner.order);
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
        learner.order = order;
    }
}

/// The competencies `criteria` (of a definition with competencies `comps`) require
/// mastered: if one is not, the criteria cannot hold.
fn gate(criteria: &Rule<Resolved>, comps: &[usize]) -> Vec<usize> {
    let required = |rule: &Rule<Resolved>| match rule {
        Rule::Leaf(Resolved {
            leaf: Leaf::AllCompetencies,
            ..
        }) => comps.to_vec(),
        Rule::Leaf(Resolved {
            leaf: Leaf::Competency(_),
            index: Some(c),
        }) => vec![*c],
        _ => Vec::new(),
    };
    let mut gate: Vec<usize> = match criteria {
        Rule::All(children) => children.iter().flat_map(required).collect(),
        leaf => required(leaf),
    };
    gate.dedup();
    gate
}

/// One learner's log: the unit a roster is made of.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct LearnerLog {
    /// The learner.
    pub learner: LearnerId,
    /// Their events (read into a list of exactly their number: a roster holds many).
    #[serde(deserialize_with = "crate::event::read_events")]
    pub events: Vec<Event>,
}
