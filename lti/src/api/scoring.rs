//! Auto-scored item sets, pure: an instructor's items with their answer key
//! ([`ItemSet`]), the learner's view with no key ([`ItemSet::for_learner`]), the check of a
//! set against its assessment ([`ItemSet::check`]: item points add up to the assessment's
//! maximum, parts named when it has parts) and the scoring of a learner's answers
//! ([`ItemSet::score`]) into the `score` or `part_scores` of an `attempt_submitted`. The
//! answer key never leaves this module except to instructors.

use std::collections::BTreeSet;

use cairn::SortedMap;
use cairn::definition::Assessment;
use cairn::event::PartScores;
use cairn::ids::PartId;
use cairn::number::Number;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Most items in one set.
pub const MAX_ITEMS: usize = 500;

/// An assessment's items with their answer key, as the instructor saves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemSet {
    /// The items, in the order shown.
    pub items: Vec<Item>,
}

/// One question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Unique within the set.
    pub id: String,
    /// The question, as plain text.
    pub prompt: String,
    /// Points for a correct answer (decimal string).
    #[schema(value_type = String, example = "2")]
    pub points: Number,
    /// The rubric part it scores, when the assessment has parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The choices, for choice items (empty for free text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// The answer key.
    pub key: Key,
}

/// A choice of a choice item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Unique within the item.
    pub id: String,
    /// What the learner sees.
    pub text: String,
}

/// What counts as correct.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Key {
    /// Exactly this choice.
    SingleChoice {
        /// The correct choice's id.
        choice: String,
    },
    /// Exactly these choices, no others.
    MultipleChoice {
        /// The correct choices' ids.
        choices: Vec<String>,
    },
    /// One of these texts, compared after trimming and ignoring ASCII case.
    Text {
        /// Accepted answers.
        accepted: Vec<String>,
    },
    /// A number within a tolerance of the value (decimals).
    Numeric {
        /// The correct value.
        #[schema(value_type = String)]
        value: Number,
        /// Largest accepted distance.
        #[schema(value_type = String)]
        tolerance: Number,
    },
}

/// An item as a learner sees it: the key is gone.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct LearnerItem {
    /// The item's id.
    pub id: String,
    /// The question.
    pub prompt: String,
    /// Points.
    #[schema(value_type = String)]
    pub points: Number,
    /// `single_choice`, `multiple_choice`, `text` or `numeric`: how to answer.
    pub answer_type: &'static str,
    /// The choices (choice items).
    pub choices: Vec<Choice>,
}

pub use cairn_api_types::Answer;

/// What is wrong with an item set, or with answers to it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ItemSetError {
    /// No items, or too many.
    #[error("an item set has 1 to {MAX_ITEMS} items, this one has {0}")]
    Count(usize),
    /// Two items (or two choices of one item) share an id.
    #[error("the id {0:?} is used twice")]
    DuplicateId(String),
    /// A key names a choice the item does not have, or a choice item has no choices.
    #[error("item {item:?}: {message}")]
    BadKey {
        /// The item.
        item: String,
        /// What is wrong.
        message: String,
    },
    /// Item points do not add up to the assessment's (or a part's) maximum.
    #[error("the items' points add up to {got} for {what}, whose maximum is {max}")]
    PointsMismatch {
        /// The assessment or part.
        what: String,
        /// Their sum.
        got: String,
        /// The maximum.
        max: String,
    },
    /// An item names no part (or a part the assessment lacks), or names one on an assessment
    /// without parts.
    #[error("item {item:?}: {message}")]
    BadPart {
        /// The item.
        item: String,
        /// What is wrong.
        message: String,
    },
    /// An answer names an item the set does not have.
    #[error("there is no item {0:?}")]
    UnknownItem(String),
}

impl ItemSetError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ItemSetError::UnknownItem(_) => "unknown_item",
            _ => "invalid_item_set",
        }
    }
}

impl ItemSet {
    /// Checks the set on its own and against its assessment: ids unique, keys naming real
    /// choices, points positive and adding up to the assessment's maximum (per part when it
    /// has parts).
    pub fn check(&self, assessment: &Assessment) -> Result<(), ItemSetError> {
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return Err(ItemSetError::Count(self.items.len()));
        }
        let mut ids = BTreeSet::new();
        for item in &self.items {
            if !ids.insert(item.id.as_str()) {
                return Err(ItemSetError::DuplicateId(item.id.clone()));
            }
            item.check_key()?;
        }
        let bad_part = |item: &Item, message: String| ItemSetError::BadPart {
            item: item.id.clone(),
            message,
        };
        if assessment.parts.is_empty() {
            if let Some(item) = self.items.iter().find(|i| i.part.is_some()) {
                return Err(bad_part(item, "the assessment has no parts".into()));
            }
            let total = sum(self.items.iter().map(|i| &i.points));
            let max = assessment.total_max();
            if total != max {
                return Err(ItemSetError::PointsMismatch {
                    what: format!("assessment {}", assessment.id),
                    got: total.to_exact_string(),
                    max: max.to_exact_string(),
                });
            }
            return Ok(());
        }
        for item in &self.items {
            match &item.part {
                None => return Err(bad_part(item, "the assessment has parts: name one".into())),
                Some(p) if !assessment.parts.iter().any(|ap| ap.id.as_str() == p) => {
                    return Err(bad_part(item, format!("the assessment has no part {p:?}")));
                }
                Some(_) => {}
            }
        }
        for part in &assessment.parts {
            let total = sum(self
                .items
                .iter()
                .filter(|i| i.part.as_deref() == Some(part.id.as_str()))
                .map(|i| &i.points));
            if total != part.max_points {
                return Err(ItemSetError::PointsMismatch {
                    what: format!("part {}", part.id),
                    got: total.to_exact_string(),
                    max: part.max_points.to_exact_string(),
                });
            }
        }
        Ok(())
    }

    /// The items without their key.
    pub fn for_learner(&self) -> Vec<LearnerItem> {
        self.items
            .iter()
            .map(|item| LearnerItem {
                id: item.id.clone(),
                prompt: item.prompt.clone(),
                points: item.points.clone(),
                answer_type: match item.key {
                    Key::SingleChoice { .. } => "single_choice",
                    Key::MultipleChoice { .. } => "multiple_choice",
                    Key::Text { .. } => "text",
                    Key::Numeric { .. } => "numeric",
                },
                choices: item.choices.clone(),
            })
            .collect()
    }

    /// Scores answers (item id → answer; a missing answer scores 0): the points of the
    /// correct items, as a `score`, or as `part_scores` per part when the items name parts.
    pub fn score(&self, answers: &SortedMap<String, Answer>) -> Result<Scored, ItemSetError> {
        if let Some(unknown) = answers
            .keys()
            .find(|id| !self.items.iter().any(|i| &i.id == *id))
        {
            return Err(ItemSetError::UnknownItem(unknown.clone()));
        }
        let correct: Vec<bool> = self
            .items
            .iter()
            .map(|item| answers.get(&item.id).is_some_and(|a| item.is_correct(a)))
            .collect();
        let earned = |item: &Item, ok: bool| {
            if ok {
                item.points.clone()
            } else {
                Number::zero()
            }
        };
        if self.items.iter().all(|i| i.part.is_none()) {
            let total = self
                .items
                .iter()
                .zip(&correct)
                .fold(Number::zero(), |acc, (item, ok)| {
                    acc.add(&earned(item, *ok))
                });
            return Ok(Scored {
                score: Some(total),
                part_scores: None,
                correct: count(&correct),
            });
        }
        let mut parts: Vec<(PartId, Number)> = Vec::new();
        for (item, ok) in self.items.iter().zip(&correct) {
            let part = PartId::new(item.part.as_deref().unwrap_or_default());
            let points = earned(item, *ok);
            match parts.iter_mut().find(|(p, _)| *p == part) {
                Some((_, total)) => *total = total.add(&points),
                None => parts.push((part, points)),
            }
        }
        Ok(Scored {
            score: None,
            part_scores: Some(PartScores::new(parts)),
            correct: count(&correct),
        })
    }
}

/// The outcome of scoring: what goes into `attempt_submitted`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    /// Points (assessment without parts).
    pub score: Option<Number>,
    /// Points per part.
    pub part_scores: Option<PartScores>,
    /// How many items were answered correctly.
    pub correct: usize,
}

impl Item {
    fn check_key(&self) -> Result<(), ItemSetError> {
        let bad = |message: &str| ItemSetError::BadKey {
            item: self.id.clone(),
            message: message.to_owned(),
        };
        if self.points.is_negative() || self.points.is_zero() {
            return Err(bad("points must be above zero"));
        }
        let mut choice_ids = BTreeSet::new();
        for c in &self.choices {
            if !choice_ids.insert(c.id.as_str()) {
                return Err(ItemSetError::DuplicateId(c.id.clone()));
            }
        }
        match &self.key {
            Key::SingleChoice { choice } => {
                if !choice_ids.contains(choice.as_str()) {
                    return Err(bad("the key names a choice the item does not have"));
                }
            }
            Key::MultipleChoice { choices } => {
                if choices.is_empty() || choices.iter().any(|c| !choice_ids.contains(c.as_str())) {
                    return Err(bad("the key names no choice or one the item does not have"));
                }
            }
            Key::Text { accepted } => {
                if accepted.iter().all(|a| a.trim().is_empty()) || !self.choices.is_empty() {
                    return Err(bad("a text item has accepted answers and no choices"));
                }
            }
            Key::Numeric { tolerance, .. } => {
                if tolerance.is_negative() || !self.choices.is_empty() {
                    return Err(bad("a numeric item has a tolerance ≥ 0 and no choices"));
                }
            }
        }
        Ok(())
    }

    fn is_correct(&self, answer: &Answer) -> bool {
        match (&self.key, answer) {
            (Key::SingleChoice { choice }, Answer::One(given)) => given == choice,
            (Key::MultipleChoice { choices }, Answer::Many(given)) => {
                let want: BTreeSet<&str> = choices.iter().map(String::as_str).collect();
                let got: BTreeSet<&str> = given.iter().map(String::as_str).collect();
                want == got && got.len() == given.len()
            }
            (Key::Text { accepted }, Answer::One(given)) => accepted
                .iter()
                .any(|a| a.trim().eq_ignore_ascii_case(given.trim())),
            (Key::Numeric { value, tolerance }, Answer::One(given)) => {
                let given = given.trim();
                let (negative, digits) = match given.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, given),
                };
                Number::parse_decimal(digits).is_ok_and(|n| {
                    let n = if negative { n.neg() } else { n };
                    let distance = n.sub(value);
                    let distance = if distance.is_negative() {
                        distance.neg()
                    } else {
                        distance
                    };
                    distance <= *tolerance
                })
            }
            _ => false,
        }
    }
}

fn sum<'a>(points: impl Iterator<Item = &'a Number>) -> Number {
    points.fold(Number::zero(), |acc, p| acc.add(p))
}

fn count(flags: &[bool]) -> usize {
    flags.iter().filter(|ok| **ok).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assessment(json: &str) -> Assessment {
        serde_json::from_str(json).unwrap()
    }

    fn set() -> ItemSet {
        serde_json::from_value(serde_json::json!({"items": [
            {"id": "q1", "prompt": "2+2?", "points": "2", "key": {"type": "numeric", "value": "4", "tolerance": "0"}},
            {"id": "q2", "prompt": "Pick A", "points": "3", "choices": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
             "key": {"type": "single_choice", "choice": "a"}},
            {"id": "q3", "prompt": "Pick A and B", "points": "5", "choices": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}],
             "key": {"type": "multiple_choice", "choices": ["a", "b"]}},
            {"id": "q4", "prompt": "Capital of France", "points": "10", "key": {"type": "text", "accepted": ["Paris"]}}
        ]}))
        .unwrap()
    }

    #[test]
    fn a_set_scores_the_points_of_its_correct_items() {
        let a = assessment(
            r#"{"id":"EXAM","title":"x","kind":"summative","max_points":"20","pass_percent":"50"}"#,
        );
        let set = set();
        set.check(&a).unwrap();
        let answers: SortedMap<String, Answer> = serde_json::from_value(serde_json::json!(
            {"q1": "4", "q2": "b", "q3": ["b", "a"], "q4": " paris "}
        ))
        .unwrap();
        let scored = set.score(&answers).unwrap();
        assert_eq!(scored.score, Some(Number::from_integer(17)));
        assert_eq!(scored.correct, 3);
        let none = set.score(&SortedMap::new()).unwrap();
        assert_eq!(none.score, Some(Number::zero()));
        let err = set
            .score(&SortedMap::from_iter([(
                "q9".to_owned(),
                Answer::One("x".into()),
            )]))
            .unwrap_err();
        assert_eq!(err.code(), "unknown_item");
    }

    #[test]
    fn the_learners_view_has_no_key() {
        let view = serde_json::to_string(&set().for_learner()).unwrap();
        assert!(!view.contains("key"), "{view}");
        assert!(!view.contains("Paris"), "{view}");
        assert!(view.contains("multiple_choice"));
    }

    #[test]
    fn points_must_add_up_to_the_assessments_maximum() {
        let a = assessment(
            r#"{"id":"EXAM","title":"x","kind":"summative","max_points":"25","pass_percent":"50"}"#,
        );
        let err = set().check(&a).unwrap_err();
        assert!(matches!(err, ItemSetError::PointsMismatch { .. }), "{err}");
        let parts = assessment(
            r#"{"id":"EXAM","title":"x","kind":"summative","pass_percent":"50",
                "parts":[{"id":"K1","competency":"C1","max_points":"5"},{"id":"K2","competency":"C2","max_points":"15"}]}"#,
        );
        assert!(matches!(
            set().check(&parts).unwrap_err(),
            ItemSetError::BadPart { .. }
        ));
        let mut with_parts = set();
        for (i, item) in with_parts.items.iter_mut().enumerate() {
            item.part = Some(if i < 2 { "K1" } else { "K2" }.into());
        }
        with_parts.check(&parts).unwrap();
        let scored = with_parts
            .score(&SortedMap::from_iter([(
                "q2".to_owned(),
                Answer::One("a".into()),
            )]))
            .unwrap();
        let part_scores = scored.part_scores.unwrap();
        assert_eq!(
            part_scores.get(&PartId::new("K1")),
            Some(&Number::from_integer(3))
        );
        assert_eq!(part_scores.get(&PartId::new("K2")), Some(&Number::zero()));
    }

    #[test]
    fn a_key_must_name_real_choices() {
        let a = assessment(
            r#"{"id":"EXAM","title":"x","kind":"summative","max_points":"1","pass_percent":"50"}"#,
        );
        let bad: ItemSet = serde_json::from_value(serde_json::json!({"items": [
            {"id": "q", "prompt": "?", "points": "1", "choices": [{"id": "a", "text": "A"}],
             "key": {"type": "single_choice", "choice": "z"}}]}))
        .unwrap();
        assert!(matches!(
            bad.check(&a).unwrap_err(),
            ItemSetError::BadKey { .. }
        ));
        assert!(matches!(
            ItemSet { items: vec![] }.check(&a).unwrap_err(),
            ItemSetError::Count(0)
        ));
    }
}
