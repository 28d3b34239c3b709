//! Award criteria (README §4): `all`, `any`, `at_least`, `points` over competencies,
//! assessments and other credentials, for stacking and laddering; evaluated against facts
//! the record supplies, with progress and an explanation tree that says what is met and
//! what is missing.
//!
//! Pure: the facts (mastery, kept results, held credentials at an instant) come in
//! through [`Facts`]; this module never looks at events.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::ids::{AssessmentId, CompetencyId, DefinitionId};
use crate::number::Number;
use crate::policy::NextStep;
use crate::time::Timestamp;

/// An award rule (README §4).
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Every child holds (true when empty).
    All(Vec<Rule>),
    /// At least one child holds.
    Any(Vec<Rule>),
    /// At least `k` children hold.
    AtLeast {
        /// How many must hold.
        k: u32,
        /// The children.
        of: Vec<Rule>,
    },
    /// The points of the satisfied entries reach `points`, and every required entry holds.
    Points {
        /// Points needed.
        points: Number,
        /// The weighted entries.
        of: Vec<PointsEntry>,
    },
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

/// One weighted entry of a `points` rule.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsEntry {
    /// The entry's rule.
    pub rule: Rule,
    /// Points it gives when satisfied.
    pub points: Number,
    /// Whether the `points` rule fails without it.
    pub required: bool,
}

impl Rule {
    /// Calls `f` on every leaf (competency, all_competencies, assessment, submitted, credential).
    pub fn visit_leaves<'a>(&'a self, f: &mut dyn FnMut(&'a Rule)) {
        match self {
            Rule::All(of) | Rule::Any(of) | Rule::AtLeast { of, .. } => {
                of.iter().for_each(|r| r.visit_leaves(f))
            }
            Rule::Points { of, .. } => of.iter().for_each(|e| e.rule.visit_leaves(f)),
            leaf => f(leaf),
        }
    }

    /// Whether the rule contains an `assessment`, `competency`, `all_competencies` or
    /// `credential` leaf (rule V9: a micro-credential must be formally assessed).
    pub fn has_assessed_leaf(&self) -> bool {
        let mut found = false;
        self.visit_leaves(&mut |leaf| {
            found |= matches!(
                leaf,
                Rule::Assessment(_)
                    | Rule::Competency(_)
                    | Rule::AllCompetencies
                    | Rule::Credential(_)
            );
        });
        found
    }

    /// Whether the rule holds. The fast path the fold uses after every event.
    pub fn holds(&self, facts: &dyn Facts) -> bool {
        match self {
            Rule::All(of) => of.iter().all(|r| r.holds(facts)),
            Rule::Any(of) => of.iter().any(|r| r.holds(facts)),
            Rule::AtLeast { k, of } => {
                let mut count = 0u32;
                for r in of {
                    if r.holds(facts) {
                        count += 1;
                        if count >= *k {
                            return true;
                        }
                    }
                }
                count >= *k
            }
            Rule::Points { points, of } => {
                let mut sum = Number::zero();
                for e in of {
                    if e.rule.holds(facts) {
                        sum = sum.add(&e.points);
                    } else if e.required {
                        return false;
                    }
                }
                sum >= *points
            }
            Rule::Competency(c) => facts.competency_mastered(c),
            Rule::AllCompetencies => facts.all_competencies_mastered(),
            Rule::Assessment(a) => facts.assessment_passed(a),
            Rule::Submitted(a) => facts.assessment_submitted(a),
            Rule::Credential(d) => facts.credential_held(d),
        }
    }

    /// The full evaluation: whether it holds, its progress, and why, node by node.
    pub fn explain(&self, facts: &dyn Facts) -> Explanation {
        let node = |rule: &'static str,
                    target: Option<String>,
                    children: Vec<Explanation>,
                    satisfied: bool,
                    progress: Progress| Explanation {
            rule,
            target,
            satisfied,
            progress,
            points: None,
            required: None,
            next: None,
            children,
        };
        let count = |children: &[Explanation]| {
            Number::from_integer(children.iter().filter(|c| c.satisfied).count() as i64)
        };
        let leaf = |rule: &'static str, target: String, satisfied: bool, next: Option<NextStep>| {
            Explanation {
                rule,
                target: Some(target),
                satisfied,
                progress: Progress::leaf(satisfied),
                points: None,
                required: None,
                next: if satisfied { None } else { next },
                children: Vec::new(),
            }
        };
        match self {
            Rule::All(of) | Rule::Any(of) => {
                let children: Vec<Explanation> = of.iter().map(|r| r.explain(facts)).collect();
                let satisfied = if matches!(self, Rule::All(_)) {
                    children.iter().all(|c| c.satisfied)
                } else {
                    children.iter().any(|c| c.satisfied)
                };
                let progress = Progress {
                    satisfied: count(&children),
                    of: Number::from_integer(children.len() as i64),
                };
                node(
                    if matches!(self, Rule::All(_)) {
                        "all"
                    } else {
                        "any"
                    },
                    None,
                    children,
                    satisfied,
                    progress,
                )
            }
            Rule::AtLeast { k, of } => {
                let children: Vec<Explanation> = of.iter().map(|r| r.explain(facts)).collect();
                let met = count(&children);
                let satisfied = met >= Number::from_integer(i64::from(*k));
                let progress = Progress {
                    satisfied: met,
                    of: Number::from_integer(children.len() as i64),
                };
                let mut e = node("at_least", None, children, satisfied, progress);
                e.points = Some(Number::from_integer(i64::from(*k)));
                e
            }
            Rule::Points { points, of } => {
                let children: Vec<Explanation> = of
                    .iter()
                    .map(|entry| {
                        let mut e = entry.rule.explain(facts);
                        e.points = Some(entry.points.clone());
                        e.required = Some(entry.required);
                        e
                    })
                    .collect();
                let reached = of
                    .iter()
                    .zip(&children)
                    .filter(|(_, c)| c.satisfied)
                    .fold(Number::zero(), |acc, (e, _)| acc.add(&e.points));
                let required_ok = children
                    .iter()
                    .all(|c| c.satisfied || c.required != Some(true));
                let satisfied = required_ok && reached >= *points;
                node(
                    "points",
                    None,
                    children,
                    satisfied,
                    Progress {
                        satisfied: reached,
                        of: points.clone(),
                    },
                )
            }
            Rule::Competency(c) => leaf(
                "competency",
                c.to_string(),
                facts.competency_mastered(c),
                None,
            ),
            Rule::AllCompetencies => {
                let satisfied = facts.all_competencies_mastered();
                Explanation {
                    rule: "all_competencies",
                    target: None,
                    satisfied,
                    progress: Progress::leaf(satisfied),
                    points: None,
                    required: None,
                    next: None,
                    children: Vec::new(),
                }
            }
            Rule::Assessment(a) => leaf(
                "assessment",
                a.to_string(),
                facts.assessment_passed(a),
                facts.assessment_next_step(a),
            ),
            Rule::Submitted(a) => leaf(
                "submitted",
                a.to_string(),
                facts.assessment_submitted(a),
                facts.assessment_next_step(a),
            ),
            Rule::Credential(d) => {
                leaf("credential", d.to_string(), facts.credential_held(d), None)
            }
        }
    }
}

/// What a rule is evaluated against: one learner's record, for one owning definition, at
/// one instant.
pub trait Facts {
    /// The competency is mastered.
    fn competency_mastered(&self, competency: &CompetencyId) -> bool;
    /// Every competency of the owning definition is mastered.
    fn all_competencies_mastered(&self) -> bool;
    /// The assessment's kept result passes.
    fn assessment_passed(&self, assessment: &AssessmentId) -> bool;
    /// The assessment has an accepted attempt.
    fn assessment_submitted(&self, assessment: &AssessmentId) -> bool;
    /// The credential is held at the evaluation instant, or granted as a component of the
    /// owning definition.
    fn credential_held(&self, credential: &DefinitionId) -> bool;
    /// What the learner can do next on the assessment, and when (for explanations).
    fn assessment_next_step(&self, _assessment: &AssessmentId) -> Option<NextStep> {
        None
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
    /// The id a leaf names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Whether the node holds.
    pub satisfied: bool,
    /// Satisfied children (or points) of the total.
    pub progress: Progress,
    /// For `at_least`, `k`; for an entry of a `points` rule, the points it gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<Number>,
    /// For an entry of a `points` rule, whether it is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// For an unmet assessment leaf, the next step open to the learner.
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
            Rule::Competency(c) => one("competency", Value::String(c.to_string())),
            Rule::AllCompetencies => one("all_competencies", Value::Bool(true)),
            Rule::Assessment(a) => one("assessment", Value::String(a.to_string())),
            Rule::Submitted(a) => one("submitted", Value::String(a.to_string())),
            Rule::Credential(d) => one("credential", Value::String(d.to_string())),
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
            ["competency"] => Ok(Rule::Competency(CompetencyId::from(text(
                &obj["competency"],
                "competency",
            )?))),
            ["all_competencies"] => match obj["all_competencies"] {
                Value::Bool(true) => Ok(Rule::AllCompetencies),
                _ => Err(format!("{path}.all_competencies: must be true")),
            },
            ["assessment"] => Ok(Rule::Assessment(AssessmentId::from(text(
                &obj["assessment"],
                "assessment",
            )?))),
            ["submitted"] => Ok(Rule::Submitted(AssessmentId::from(text(
                &obj["submitted"],
                "submitted",
            )?))),
            ["credential"] => Ok(Rule::Credential(DefinitionId::from(text(
                &obj["credential"],
                "credential",
            )?))),
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
    /// Competency statuses (`mastered`, `not_yet`, …).
    #[serde(default)]
    pub competencies: BTreeMap<CompetencyId, String>,
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

impl Facts for GivenView<'_> {
    fn competency_mastered(&self, c: &CompetencyId) -> bool {
        self.facts
            .competencies
            .get(c)
            .is_some_and(|s| s == "mastered")
    }
    fn all_competencies_mastered(&self) -> bool {
        self.facts
            .definition_competencies
            .iter()
            .all(|c| self.competency_mastered(c))
    }
    fn assessment_passed(&self, a: &AssessmentId) -> bool {
        self.facts.assessments.get(a).is_some_and(|r| r.passed)
    }
    fn assessment_submitted(&self, a: &AssessmentId) -> bool {
        self.facts.assessments.get(a).is_some_and(|r| r.submitted)
    }
    fn credential_held(&self, d: &DefinitionId) -> bool {
        self.facts.granted_components.contains(d)
            || self
                .facts
                .credentials
                .get(d)
                .is_some_and(|c| is_held(c.issued_at, c.valid_until, c.revoked_at, self.at))
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
    debug_assert_eq!(explanation.satisfied, input.rule.holds(&view));
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
}
