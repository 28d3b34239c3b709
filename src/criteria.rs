//! Award criteria (README §4): `all`, `any`, `at_least`, `points` over competencies,
//! assessments and other credentials, for stacking and laddering; evaluated against facts
//! the record supplies, with progress and an explanation tree that says what is met and
//! what is missing.
//!
//! One evaluator: the combining rules live in [`verdict`] alone, used lazily by
//! [`Rule::holds`] (no allocation, stops once the answer is settled) and eagerly by
//! [`Rule::explain`]; a leaf is answered by its [`Facts`] source alone. A new combining
//! kind is a variant of [`Rule`] and an arm of [`verdict`]; a new leaf is a variant of
//! [`Leaf`] and its answer in each `Facts` source (plus, for either, its JSON spelling in
//! [`Rule::from_json`] and [`Rule::to_json`]).
//!
//! Pure: the facts (mastery, kept results, held credentials at an instant) come in
//! through [`Facts`]; this module never looks at events.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use smol_str::SmolStr;

use crate::ids::{AssessmentId, CompetencyId, DefinitionId};
use crate::mastery::MasteryStatus;
use crate::number::Number;
use crate::policy::NextStep;
use crate::time::Timestamp;

/// An award rule (README §4) over leaves of type `L`: [`Leaf`] as definitions name them,
/// or any form [`Rule::map_leaves`] turns them into (the fold resolves ids to indices).
#[derive(Debug, Clone, PartialEq)]
pub enum Rule<L = Leaf> {
    /// Every child holds (true when empty).
    All(Vec<Rule<L>>),
    /// At least one child holds.
    Any(Vec<Rule<L>>),
    /// At least `k` children hold.
    AtLeast {
        /// How many must hold.
        k: u32,
        /// The children.
        of: Vec<Rule<L>>,
    },
    /// The points of the satisfied entries reach `points`, and every required entry holds.
    Points {
        /// Points needed.
        points: Number,
        /// The weighted entries.
        of: Vec<PointsEntry<L>>,
    },
    /// A fact about the learner.
    Leaf(L),
}

/// One weighted entry of a `points` rule.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsEntry<L = Leaf> {
    /// The entry's rule.
    pub rule: Rule<L>,
    /// Points it gives when satisfied.
    pub points: Number,
    /// Whether the `points` rule fails without it.
    pub required: bool,
}

/// A leaf of an award rule: one fact about the learner, named by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaf {
    /// The competency is mastered.
    Competency(CompetencyId),
    /// Every competency of the owning definition is mastered (true if it has none).
    AllCompetencies,
    /// The assessment's kept result passes.
    Assessment(AssessmentId),
    /// The assessment has at least one accepted attempt, any score, any route.
    Submitted(AssessmentId),
    /// The learner holds the credential valid at the evaluation instant, or PLAR granted it
    /// as a component of the owning definition.
    Credential(DefinitionId),
}

impl Leaf {
    /// The leaf's name in the rule grammar and in explanations.
    pub fn kind(&self) -> &'static str {
        match self {
            Leaf::Competency(_) => "competency",
            Leaf::AllCompetencies => "all_competencies",
            Leaf::Assessment(_) => "assessment",
            Leaf::Submitted(_) => "submitted",
            Leaf::Credential(_) => "credential",
        }
    }

    /// The id the leaf names, if any.
    pub fn target(&self) -> Option<&str> {
        match self {
            Leaf::Competency(c) => Some(c.as_str()),
            Leaf::AllCompetencies => None,
            Leaf::Assessment(a) | Leaf::Submitted(a) => Some(a.as_str()),
            Leaf::Credential(d) => Some(d.as_str()),
        }
    }
}

impl AsRef<Leaf> for Leaf {
    fn as_ref(&self) -> &Leaf {
        self
    }
}

/// What a rule is evaluated against: one learner's record (or facts given by value), for
/// one owning definition, at one instant. Answers leaves of type `L`.
pub trait Facts<L> {
    /// Whether the leaf holds.
    fn holds(&self, leaf: &L) -> bool;
    /// What the learner can do next toward an unmet leaf, and when (for explanations).
    fn next_step(&self, _leaf: &L) -> Option<NextStep> {
        None
    }
}

impl<L> Rule<L> {
    /// The same rule with every leaf replaced by `f(leaf)`, or the first error `f` gives.
    pub fn map_leaves<M, E>(&self, f: &mut impl FnMut(&L) -> Result<M, E>) -> Result<Rule<M>, E> {
        let list = |of: &[Rule<L>], f: &mut _| -> Result<Vec<Rule<M>>, E> {
            of.iter().map(|r| r.map_leaves(f)).collect()
        };
        Ok(match self {
            Rule::All(of) => Rule::All(list(of, f)?),
            Rule::Any(of) => Rule::Any(list(of, f)?),
            Rule::AtLeast { k, of } => Rule::AtLeast {
                k: *k,
                of: list(of, f)?,
            },
            Rule::Points { points, of } => Rule::Points {
                points: points.clone(),
                of: of
                    .iter()
                    .map(|e| {
                        Ok(PointsEntry {
                            rule: e.rule.map_leaves(f)?,
                            points: e.points.clone(),
                            required: e.required,
                        })
                    })
                    .collect::<Result<_, E>>()?,
            },
            Rule::Leaf(leaf) => Rule::Leaf(f(leaf)?),
        })
    }

    /// Calls `f` on every leaf, in order.
    pub fn visit_leaves<'a>(&'a self, f: &mut dyn FnMut(&'a L)) {
        match self {
            Rule::All(of) | Rule::Any(of) | Rule::AtLeast { of, .. } => {
                of.iter().for_each(|r| r.visit_leaves(f))
            }
            Rule::Points { of, .. } => of.iter().for_each(|e| e.rule.visit_leaves(f)),
            Rule::Leaf(leaf) => f(leaf),
        }
    }

    /// Whether the rule holds. The fast path the fold uses after every event: no
    /// allocation, and it stops as soon as the answer is settled.
    pub fn holds(&self, facts: &impl Facts<L>) -> bool {
        match self {
            Rule::Leaf(leaf) => facts.holds(leaf),
            // A leaf child is asked directly: one call less per leaf on the fold's hot path.
            _ => {
                verdict(self, Mode::Lazy, |child| match child {
                    Rule::Leaf(leaf) => facts.holds(leaf),
                    _ => child.holds(facts),
                })
                .satisfied
            }
        }
    }

    /// The full evaluation: whether it holds, its progress, and why, node by node.
    pub fn explain(&self, facts: &impl Facts<L>) -> Explanation
    where
        L: AsRef<Leaf>,
    {
        let rule = match self {
            Rule::All(_) => "all",
            Rule::Any(_) => "any",
            Rule::AtLeast { .. } => "at_least",
            Rule::Points { .. } => "points",
            Rule::Leaf(leaf) => {
                let named = leaf.as_ref();
                let satisfied = facts.holds(leaf);
                return Explanation {
                    rule: named.kind(),
                    target: named.target().map(SmolStr::new),
                    satisfied,
                    progress: Progress::leaf(satisfied),
                    k: None,
                    points: None,
                    required: None,
                    next: if satisfied {
                        None
                    } else {
                        facts.next_step(leaf)
                    },
                    children: Vec::new(),
                };
            }
        };
        // Every child is explained (eager): the list is allocated once, at its size.
        let width = match self {
            Rule::All(of) | Rule::Any(of) | Rule::AtLeast { of, .. } => of.len(),
            Rule::Points { of, .. } => of.len(),
            Rule::Leaf(_) => 0,
        };
        let mut children = Vec::with_capacity(width);
        let outcome = verdict(self, Mode::Eager, |child| {
            let e = child.explain(facts);
            let satisfied = e.satisfied;
            children.push(e);
            satisfied
        });
        if let Rule::Points { of, .. } = self {
            for (e, entry) in children.iter_mut().zip(of) {
                e.points = Some(entry.points.clone());
                e.required = Some(entry.required);
            }
        }
        Explanation {
            rule,
            target: None,
            satisfied: outcome.satisfied,
            progress: outcome.progress.unwrap_or_else(|| Progress::leaf(false)),
            k: match self {
                Rule::AtLeast { k, .. } => Some(*k),
                _ => None,
            },
            points: None,
            required: None,
            next: None,
            children,
        }
    }
}

impl Rule {
    /// Whether the rule contains an `assessment`, `competency`, `all_competencies` or
    /// `credential` leaf (rule V9: a micro-credential must be formally assessed).
    pub fn has_assessed_leaf(&self) -> bool {
        let mut found = false;
        self.visit_leaves(&mut |leaf| found |= !matches!(leaf, Leaf::Submitted(_)));
        found
    }
}

/// How [`verdict`] visits children.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Stop once the answer is settled; no progress.
    Lazy,
    /// Ask every child; with progress.
    Eager,
}

/// A combining rule's answer.
struct Verdict {
    satisfied: bool,
    /// Progress (README §9), in [`Mode::Eager`].
    progress: Option<Progress>,
}

/// The combining rules (README §4, progress §9), once: folds the children's answers
/// (`child` says whether a child rule holds) into the rule's. Leaves are the caller's.
fn verdict<L>(rule: &Rule<L>, mode: Mode, mut child: impl FnMut(&Rule<L>) -> bool) -> Verdict {
    let lazy = mode == Mode::Lazy;
    let counted = |satisfied: bool, met: usize, of: usize| Verdict {
        satisfied,
        progress: (!lazy).then(|| Progress {
            satisfied: Number::from_integer(met as i64),
            of: Number::from_integer(of as i64),
        }),
    };
    match rule {
        Rule::All(of) => {
            let mut met = 0;
            for r in of {
                if child(r) {
                    met += 1;
                } else if lazy {
                    return counted(false, met, of.len());
                }
            }
            counted(met == of.len(), met, of.len())
        }
        Rule::Any(of) => {
            let mut met = 0;
            for r in of {
                if child(r) {
                    met += 1;
                    if lazy {
                        return counted(true, met, of.len());
                    }
                }
            }
            counted(met > 0, met, of.len())
        }
        Rule::AtLeast { k, of } => {
            let k = *k as usize;
            let mut met = 0;
            for (i, r) in of.iter().enumerate() {
                if child(r) {
                    met += 1;
                }
                // Settled: k reached, or too few children left to reach it.
                if lazy && (met >= k || met + (of.len() - i - 1) < k) {
                    break;
                }
            }
            counted(met >= k, met, of.len())
        }
        Rule::Points { points, of } => {
            let (mut reached, mut required_met) = (Number::zero(), true);
            for entry in of {
                if child(&entry.rule) {
                    reached = reached.add(&entry.points);
                } else if entry.required {
                    required_met = false;
                    if lazy {
                        break;
                    }
                }
            }
            Verdict {
                satisfied: required_met && reached >= *points,
                progress: (!lazy).then(|| Progress {
                    satisfied: reached,
                    of: points.clone(),
                }),
            }
        }
        Rule::Leaf(_) => Verdict {
            satisfied: child(rule),
            progress: None,
        },
    }
}

/// Progress of a rule node (README §9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Satisfied children (or points reached).
    pub satisfied: Number,
    /// Number of children (or points required).
    pub of: Number,
}

impl Progress {
    fn leaf(satisfied: bool) -> Self {
        Progress {
            satisfied: Number::from_integer(i64::from(satisfied)),
            of: Number::one(),
        }
    }
}

/// One node of an explanation tree: what the rule asks, whether it holds, and for unmet
/// assessment leaves what the learner can do next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// `all`, `any`, `at_least`, `points`, `competency`, `all_competencies`, `assessment`,
    /// `submitted` or `credential`.
    pub rule: &'static str,
    /// The id a leaf names (ids are short: held inline, no allocation per leaf).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<SmolStr>,
    /// Whether the node holds.
    pub satisfied: bool,
    /// Satisfied children (or points) of the total.
    pub progress: Progress,
    /// For `at_least`, how many children must hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<u32>,
    /// For an entry of a `points` rule, the points it gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<Number>,
    /// For an entry of a `points` rule, whether it is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// For an unmet leaf (assessments), the next step open to the learner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextStep>,
    /// Child nodes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Explanation>,
}

// ---- JSON form (README §4) ----

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl Rule {
    /// The rule in its JSON form.
    pub fn to_json(&self) -> Value {
        let list = |of: &[Rule]| Value::Array(of.iter().map(Rule::to_json).collect());
        let one = |k: &str, v: Value| Value::Object(Map::from_iter([(k.to_owned(), v)]));
        match self {
            Rule::All(of) => one("all", list(of)),
            Rule::Any(of) => one("any", list(of)),
            Rule::AtLeast { k, of } => Value::Object(Map::from_iter([
                ("at_least".to_owned(), Value::from(*k)),
                ("of".to_owned(), list(of)),
            ])),
            Rule::Points { points, of } => {
                let entries = of
                    .iter()
                    .map(|e| serde_json::json!({ "rule": e.rule.to_json(), "points": e.points.to_exact_string(), "required": e.required }))
                    .collect();
                Value::Object(Map::from_iter([
                    ("points".to_owned(), Value::String(points.to_exact_string())),
                    ("of".to_owned(), Value::Array(entries)),
                ]))
            }
            Rule::Leaf(Leaf::Competency(c)) => one("competency", Value::String(c.to_string())),
            Rule::Leaf(Leaf::AllCompetencies) => one("all_competencies", Value::Bool(true)),
            Rule::Leaf(Leaf::Assessment(a)) => one("assessment", Value::String(a.to_string())),
            Rule::Leaf(Leaf::Submitted(a)) => one("submitted", Value::String(a.to_string())),
            Rule::Leaf(Leaf::Credential(d)) => one("credential", Value::String(d.to_string())),
        }
    }

    /// Reads a rule from its JSON form, with an error that names the offending part.
    pub fn from_json(value: &Value) -> Result<Rule, String> {
        Rule::from_json_at(value, "criteria", 0)
    }

    fn from_json_at(value: &Value, path: &str, depth: usize) -> Result<Rule, String> {
        const MAX_DEPTH: usize = 32;
        if depth > MAX_DEPTH {
            return Err(format!("{path}: rules nest deeper than {MAX_DEPTH} levels"));
        }
        let obj = value.as_object().ok_or_else(|| format!("{path}: a rule is a JSON object such as {{\"all\": [...]}} or {{\"competency\": \"C1\"}}"))?;
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        let list = |v: &Value, key: &str| -> Result<Vec<Rule>, String> {
            let items = v
                .as_array()
                .ok_or_else(|| format!("{path}.{key}: expected an array of rules"))?;
            items
                .iter()
                .enumerate()
                .map(|(i, r)| Rule::from_json_at(r, &format!("{path}.{key}[{i}]"), depth + 1))
                .collect()
        };
        let text = |v: &Value, key: &str| -> Result<String, String> {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{path}.{key}: expected an id string"))
        };
        let number = |v: &Value, key: &str| -> Result<Number, String> {
            match v {
                Value::String(s) => {
                    Number::parse_decimal(s).map_err(|e| format!("{path}.{key}: {e}"))
                }
                Value::Number(n) if n.is_u64() => Ok(Number::from_integer(
                    n.as_u64().unwrap_or(0).min(i64::MAX as u64) as i64,
                )),
                _ => Err(format!(
                    "{path}.{key}: expected a decimal string such as \"3\""
                )),
            }
        };
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        match sorted.as_slice() {
            ["all"] => Ok(Rule::All(list(&obj["all"], "all")?)),
            ["any"] => Ok(Rule::Any(list(&obj["any"], "any")?)),
            ["at_least", "of"] => {
                let k = obj["at_least"]
                    .as_u64()
                    .and_then(|k| u32::try_from(k).ok())
                    .ok_or_else(|| format!("{path}.at_least: expected a whole number"))?;
                Ok(Rule::AtLeast {
                    k,
                    of: list(&obj["of"], "of")?,
                })
            }
            ["of", "points"] => {
                let points = number(&obj["points"], "points")?;
                let items = obj["of"].as_array().ok_or_else(|| format!("{path}.of: expected an array of {{\"rule\", \"points\", \"required\"}} entries"))?;
                let of = items
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        let here = format!("{path}.of[{i}]");
                        let e = e.as_object().ok_or_else(|| {
                            format!("{here}: expected an object with \"rule\" and \"points\"")
                        })?;
                        if let Some(k) = e
                            .keys()
                            .find(|k| !["rule", "points", "required"].contains(&k.as_str()))
                        {
                            return Err(format!("{here}: unknown key \"{k}\""));
                        }
                        let rule = Rule::from_json_at(
                            e.get("rule")
                                .ok_or_else(|| format!("{here}.rule is required"))?,
                            &format!("{here}.rule"),
                            depth + 1,
                        )?;
                        let points = number(
                            e.get("points")
                                .ok_or_else(|| format!("{here}.points is required"))?,
                            "points",
                        )?;
                        let required = match e.get("required") {
                            None => false,
                            Some(Value::Bool(b)) => *b,
                            Some(_) => {
                                return Err(format!("{here}.required: expected true or false"));
                            }
                        };
                        Ok(PointsEntry {
                            rule,
                            points,
                            required,
                        })
                    })
                    .collect::<Result<_, String>>()?;
                Ok(Rule::Points { points, of })
            }
            ["competency"] => Ok(Rule::Leaf(Leaf::Competency(CompetencyId::from(text(
                &obj["competency"],
                "competency",
            )?)))),
            ["all_competencies"] => match obj["all_competencies"] {
                Value::Bool(true) => Ok(Rule::Leaf(Leaf::AllCompetencies)),
                _ => Err(format!("{path}.all_competencies: must be true")),
            },
            ["assessment"] => Ok(Rule::Leaf(Leaf::Assessment(AssessmentId::from(text(
                &obj["assessment"],
                "assessment",
            )?)))),
            ["submitted"] => Ok(Rule::Leaf(Leaf::Submitted(AssessmentId::from(text(
                &obj["submitted"],
                "submitted",
            )?)))),
            ["credential"] => Ok(Rule::Leaf(Leaf::Credential(DefinitionId::from(text(
                &obj["credential"],
                "credential",
            )?)))),
            _ => Err(format!(
                "{path}: {{{}}} is not a rule; use one of all, any, at_least+of, points+of, competency, all_competencies, assessment, submitted, credential",
                keys.join(", ")
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Rule::from_json(&value).map_err(D::Error::custom)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

// ---- The criteria vectors' facts form (fixtures/mastery/README.md, kind `criteria`) ----

/// Criteria input as given directly by facts, not by a record: the shape of the
/// `criteria` vectors and of the page's "what if" questions.
#[derive(Debug, Clone, Deserialize)]
pub struct FactsInput {
    /// The rule.
    pub rule: Rule,
    /// The facts.
    #[serde(default)]
    pub facts: GivenFacts,
    /// The evaluation instant.
    pub at: Timestamp,
}

/// Facts given by value. Missing facts mean not mastered, not passed, not held.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GivenFacts {
    /// Competency statuses (`mastered`, `not_yet`, `in_progress`, `not_started`).
    #[serde(default)]
    pub competencies: BTreeMap<CompetencyId, MasteryStatus>,
    /// The owning definition's competencies (for `all_competencies`).
    #[serde(default)]
    pub definition_competencies: Vec<CompetencyId>,
    /// Assessment results.
    #[serde(default)]
    pub assessments: BTreeMap<AssessmentId, GivenAssessment>,
    /// Credentials: the latest issuance or an accepted presentation of each.
    #[serde(default)]
    pub credentials: BTreeMap<DefinitionId, GivenCredential>,
    /// Components PLAR granted in the owning definition.
    #[serde(default)]
    pub granted_components: Vec<DefinitionId>,
}

/// An assessment's result, given.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GivenAssessment {
    /// The kept result passes.
    #[serde(default)]
    pub passed: bool,
    /// There is an accepted attempt.
    #[serde(default)]
    pub submitted: bool,
}

/// A credential, given by its dates.
#[derive(Debug, Clone, Deserialize)]
pub struct GivenCredential {
    /// When it was issued.
    pub issued_at: Timestamp,
    /// End of validity, if any.
    #[serde(default)]
    pub valid_until: Option<Timestamp>,
    /// When it was revoked, if it was.
    #[serde(default)]
    pub revoked_at: Option<Timestamp>,
}

/// Whether a credential with these dates is held at `at` (README §6): issued, not revoked
/// at or before `at`, and `at ≤ valid_until`.
pub fn is_held(
    issued_at: Timestamp,
    valid_until: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
    at: Timestamp,
) -> bool {
    issued_at <= at && revoked_at.is_none_or(|r| r > at) && valid_until.is_none_or(|v| at <= v)
}

struct GivenView<'a> {
    facts: &'a GivenFacts,
    at: Timestamp,
}

impl GivenView<'_> {
    fn mastered(&self, c: &CompetencyId) -> bool {
        self.facts.competencies.get(c) == Some(&MasteryStatus::Mastered)
    }
}

impl Facts<Leaf> for GivenView<'_> {
    fn holds(&self, leaf: &Leaf) -> bool {
        let facts = self.facts;
        match leaf {
            Leaf::Competency(c) => self.mastered(c),
            Leaf::AllCompetencies => facts
                .definition_competencies
                .iter()
                .all(|c| self.mastered(c)),
            Leaf::Assessment(a) => facts.assessments.get(a).is_some_and(|r| r.passed),
            Leaf::Submitted(a) => facts.assessments.get(a).is_some_and(|r| r.submitted),
            Leaf::Credential(d) => {
                facts.granted_components.contains(d)
                    || facts
                        .credentials
                        .get(d)
                        .is_some_and(|c| is_held(c.issued_at, c.valid_until, c.revoked_at, self.at))
            }
        }
    }
}

/// The outcome of evaluating a rule on given facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriteriaOutcome {
    /// Whether the rule holds.
    pub satisfied: bool,
    /// The top rule's progress.
    pub progress: Progress,
    /// The explanation tree.
    pub explanation: Explanation,
}

/// Evaluates a rule on facts given by value (the `criteria` vectors' shape).
pub fn evaluate_facts(input: &FactsInput) -> CriteriaOutcome {
    let view = GivenView {
        facts: &input.facts,
        at: input.at,
    };
    let explanation = input.rule.explain(&view);
    CriteriaOutcome {
        satisfied: explanation.satisfied,
        progress: explanation.progress.clone(),
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> Result<Rule, String> {
        Rule::from_json(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn rules_round_trip_through_json() {
        let text = r#"{"all":[{"competency":"C1"},{"at_least":2,"of":[{"credential":"B1"},{"assessment":"A1"},{"submitted":"A2"}]},{"points":"3","of":[{"rule":{"all_competencies":true},"points":"2","required":true}]}]}"#;
        let r = rule(text).unwrap();
        assert_eq!(Rule::from_json(&r.to_json()).unwrap(), r);
    }

    #[test]
    fn malformed_rules_name_the_place() {
        let err = rule(r#"{"all":[{"competency":"C1"},{"competence":"C2"}]}"#).unwrap_err();
        assert!(err.contains("criteria.all[1]"), "{err}");
        assert!(rule(r#"{"all_competencies":false}"#).is_err());
        assert!(rule(r#"{"at_least":-1,"of":[]}"#).is_err());
        let deep = format!(
            "{}{{\"competency\":\"C\"}}{}",
            "{\"all\":[".repeat(40),
            "]}".repeat(40)
        );
        assert!(rule(&deep).unwrap_err().contains("deeper"));
    }

    #[test]
    fn held_boundaries_follow_readme_section_6() {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let (issued, until) = (t("2025-01-01T00:00:00Z"), t("2026-01-01T00:00:00Z"));
        assert!(is_held(issued, Some(until), None, until));
        assert!(!is_held(issued, Some(until), None, until.plus_seconds(1)));
        assert!(!is_held(
            issued,
            None,
            Some(t("2025-06-01T00:00:00Z")),
            t("2025-06-01T00:00:00Z")
        ));
        assert!(!is_held(issued, None, None, issued.plus_seconds(-1)));
    }
    /// `holds` (lazy) and `explain` (eager) agree on every combination of leaf facts.
    #[test]
    fn holds_and_explain_agree_on_every_fact_combination() {
        let r = rule(r#"{"any":[{"at_least":2,"of":[{"competency":"C1"},{"assessment":"A1"},{"submitted":"A2"}]},{"points":"3","of":[{"rule":{"competency":"C2"},"points":"2","required":true},{"rule":{"credential":"B1"},"points":"1"},{"rule":{"all_competencies":true},"points":"1"}]}]}"#).unwrap();
        let at = Timestamp::parse("2025-06-01T00:00:00Z").unwrap();
        let (mut met, mut unmet) = (0, 0);
        for bits in 0u32..64 {
            let on = |i: u32| bits & (1 << i) != 0;
            let status = |i| if on(i) { "mastered" } else { "not_yet" };
            let granted: &[&str] = if on(4) { &["B1"] } else { &[] };
            let facts: GivenFacts = serde_json::from_value(serde_json::json!({
                "competencies": {"C1": status(0), "C2": status(1)},
                "definition_competencies": ["C1"],
                "assessments": {"A1": {"passed": on(2), "submitted": on(2)}, "A2": {"submitted": on(3)}},
                "granted_components": granted,
            }))
            .unwrap();
            let view = GivenView { facts: &facts, at };
            let explanation = r.explain(&view);
            assert_eq!(r.holds(&view), explanation.satisfied, "facts {bits:06b}");
            *(if explanation.satisfied {
                &mut met
            } else {
                &mut unmet
            }) += 1;
            let at_least = &explanation.children[0];
            assert_eq!(
                (at_least.rule, at_least.k, &at_least.points),
                ("at_least", Some(2), &None)
            );
        }
        assert!(
            met > 0 && unmet > 0,
            "the rule is neither always nor never met"
        );
    }

    #[test]
    fn competency_states_are_typed() {
        let given = |status: &str| {
            serde_json::from_str::<GivenFacts>(&format!(
                r#"{{"competencies": {{"C1": "{status}"}}}}"#
            ))
        };
        assert!(given("not_yet").is_ok());
        assert!(
            given("Mastered").is_err(),
            "an unknown status is refused, not read as unmet"
        );
    }
}
