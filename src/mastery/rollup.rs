//! Parent competency roll-up rules (`spec/mastery.md` §4, Moodle's `all` and `points`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::MasteryError;
use crate::ids::CompetencyId;

/// A child's points in a `points` roll-up rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PointsChild {
    /// The child competency.
    pub id: CompetencyId,
    /// Points the child adds when proficient (`≥ 0`).
    pub points: i64,
    /// A required child gates the rule whatever its points.
    #[serde(default)]
    pub required: bool,
}

/// A parent competency's roll-up rule (`spec/mastery.md` §4, Moodle's two rules).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RollupRule {
    /// Every child proficient; a parent without children never matches.
    All,
    /// Every required child proficient and the proficient children's points `≥ base_points`.
    Points {
        /// `P`, at least 1 and at most the sum of the children's points.
        base_points: i64,
        /// The children the rule counts; each must be one of the rated children.
        children: Vec<PointsChild>,
        /// The parent itself, when known: a child may not be the parent.
        #[serde(default)]
        parent: Option<CompetencyId>,
    },
}

/// A child competency's rating: proficient, not proficient, or unrated (`null`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ChildRating {
    /// The child competency.
    pub id: CompetencyId,
    /// `true`, `false`, or `null` (unrated, counts as not proficient).
    pub proficient: Option<bool>,
}

/// The parent's roll-up result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollupOutcome {
    /// Whether the parent is proficient by the rule.
    pub proficient: bool,
    /// For `points`: the sum of points of the proficient listed children; `null` for `all`.
    pub points: Option<i64>,
}

fn invalid(reason: String) -> MasteryError {
    MasteryError::RuleConfigInvalid { reason }
}

/// Checks a `points` rule against the rated children; returns the sum of all points.
fn check_points_rule(
    base_points: i64,
    rule_children: &[PointsChild],
    parent: Option<&CompetencyId>,
    rated: &BTreeMap<&str, bool>,
) -> Result<i64, MasteryError> {
    if base_points < 1 {
        return Err(invalid(format!(
            "base_points is {base_points}: it must be at least 1"
        )));
    }
    let mut seen = BTreeSet::new();
    let mut total: i64 = 0;
    for child in rule_children {
        if child.points < 0 {
            return Err(invalid(format!(
                "child {} has {} points: points must be 0 or more",
                child.id, child.points
            )));
        }
        if !seen.insert(child.id.as_str()) {
            return Err(invalid(format!(
                "child {} is listed twice: list each child once",
                child.id
            )));
        }
        if parent.is_some_and(|p| *p == child.id) {
            return Err(invalid(format!(
                "child {} is the parent itself: a competency cannot count towards itself",
                child.id
            )));
        }
        if !rated.contains_key(child.id.as_str()) {
            return Err(invalid(format!(
                "child {} is not a child of this competency: list only its children",
                child.id
            )));
        }
        total = total.checked_add(child.points).ok_or_else(|| {
            invalid("the children's points overflow: use smaller point values".to_owned())
        })?;
    }
    if base_points > total {
        return Err(invalid(format!(
            "base_points {base_points} is more than the {total} points all children give: \
             the rule could never be met"
        )));
    }
    Ok(total)
}

/// Evaluates a parent's roll-up rule on its children's ratings (`spec/mastery.md` §4).
///
/// `children` are the parent's children with their ratings; an unrated child (`null`) is
/// not proficient. Errors: `rule_config_invalid` (`base_points < 1`, a negative point value,
/// a duplicate or self child, `base_points` above the sum of points, a rule child that is
/// not among `children`) and `duplicate_child` (a child rated twice).
pub fn rollup(rule: &RollupRule, children: &[ChildRating]) -> Result<RollupOutcome, MasteryError> {
    let mut rated: BTreeMap<&str, bool> = BTreeMap::new();
    for c in children {
        if rated
            .insert(c.id.as_str(), c.proficient == Some(true))
            .is_some()
        {
            return Err(MasteryError::DuplicateChild {
                id: c.id.to_string(),
            });
        }
    }
    match rule {
        RollupRule::All => Ok(RollupOutcome {
            proficient: !rated.is_empty() && rated.values().all(|p| *p),
            points: None,
        }),
        RollupRule::Points {
            base_points,
            children: rule_children,
            parent,
        } => {
            check_points_rule(*base_points, rule_children, parent.as_ref(), &rated)?;
            let proficient = |c: &PointsChild| rated.get(c.id.as_str()).copied().unwrap_or(false);
            // Bounded by the checked total above, so this cannot overflow.
            let points: i64 = rule_children
                .iter()
                .filter(|c| proficient(c))
                .map(|c| c.points)
                .sum();
            let required_met = rule_children.iter().filter(|c| c.required).all(proficient);
            Ok(RollupOutcome {
                proficient: required_met && points >= *base_points,
                points: Some(points),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratings(list: &[(&str, Option<bool>)]) -> Vec<ChildRating> {
        list.iter()
            .map(|(id, p)| ChildRating {
                id: CompetencyId::from(*id),
                proficient: *p,
            })
            .collect()
    }

    fn points_rule(base: i64, children: &[(&str, i64, bool)]) -> RollupRule {
        RollupRule::Points {
            base_points: base,
            children: children
                .iter()
                .map(|(id, points, required)| PointsChild {
                    id: CompetencyId::from(*id),
                    points: *points,
                    required: *required,
                })
                .collect(),
            parent: Some(CompetencyId::from("P")),
        }
    }

    #[test]
    fn rollup_points_rejects_bad_configurations() {
        let kids = ratings(&[("A", Some(true)), ("B", Some(true))]);
        for rule in [
            points_rule(1, &[("A", -1, false), ("B", 2, false)]),
            points_rule(1, &[("A", 1, false), ("P", 1, false)]),
            points_rule(1, &[("A", 1, false), ("Z", 1, false)]),
            points_rule(1, &[("A", i64::MAX, false), ("B", i64::MAX, false)]),
        ] {
            assert_eq!(
                rollup(&rule, &kids).unwrap_err().code(),
                "rule_config_invalid",
                "{rule:?}"
            );
        }
        let twice = ratings(&[("A", Some(true)), ("A", Some(false))]);
        assert_eq!(
            rollup(&RollupRule::All, &twice).unwrap_err().code(),
            "duplicate_child"
        );
    }

    #[test]
    fn rollup_points_counts_only_proficient_children() {
        let rule = points_rule(3, &[("A", 2, true), ("B", 1, false), ("C", 1, false)]);
        let out = rollup(
            &rule,
            &ratings(&[("A", Some(true)), ("B", None), ("C", Some(true))]),
        )
        .unwrap();
        assert_eq!(
            out,
            RollupOutcome {
                proficient: true,
                points: Some(3)
            }
        );
    }
}
