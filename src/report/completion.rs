//! Completion rate by route and by attempt number (REQ-REPORT-03): awarded ÷ registered,
//! withdrawn learners in the denominator.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{LearnerData, Rate, summatives};
use crate::definition::CredentialDefinition;
use crate::event::{EventKind, Route};

/// The completion rates of one definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletionReport {
    /// The definition.
    pub definition: String,
    /// Awarded of registered.
    pub overall: Rate,
    /// Registered learners who withdrew (in every denominator).
    pub withdrawn: u64,
    /// Per route (`course`, `plar`): awarded of registered on that route.
    pub by_route: BTreeMap<&'static str, Rate>,
    /// Per attempt number `n`: course learners awarded on their `n`th attempt, of every
    /// course learner registered.
    pub by_attempt: BTreeMap<u32, Rate>,
}

/// `plar` when the learner took a PLAR route for `def` (a grant or denial, a challenge
/// attempt, or an issuance with PLAR methods), else `course`.
fn route(l: &LearnerData<'_>, def: &CredentialDefinition) -> &'static str {
    let issued_by_plar = l.record.credentials.get(&def.id).is_some_and(|c| {
        c.issuances
            .first()
            .is_some_and(|i| !i.plar_methods_used.is_empty())
    });
    let plar_event = l.accepted().iter().any(|(_, e)| match &e.kind {
        EventKind::PlarGranted(d) | EventKind::PlarDenied(d) => d.credential == def.id,
        EventKind::AttemptSubmitted {
            assessment, route, ..
        } => *route != Route::Course && def.assessments.iter().any(|a| a.id == *assessment),
        _ => false,
    });
    if issued_by_plar || plar_event {
        "plar"
    } else {
        "course"
    }
}

/// The attempt on which the learner was first awarded `def`: the most counted attempts
/// made, up to the issue time, on one of its summatives (at least 1).
fn award_attempt(l: &LearnerData<'_>, def: &CredentialDefinition) -> Option<u32> {
    let issued_at = l
        .record
        .credentials
        .get(&def.id)?
        .issuances
        .first()?
        .issued_at;
    let n = summatives(def)
        .filter_map(|a| l.record.assessments.get(&a.id))
        .map(|r| {
            r.attempts
                .iter()
                .filter(|t| t.counted && t.at <= issued_at)
                .count()
        })
        .max()
        .unwrap_or(0);
    Some(u32::try_from(n).unwrap_or(u32::MAX).max(1))
}

/// The completion rates of `def` over the roster.
pub fn completion(def: &CredentialDefinition, roster: &[LearnerData<'_>]) -> CompletionReport {
    let mut registered = 0;
    let mut withdrawn = 0;
    let mut awarded = 0;
    let mut per_route: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
    let mut course_registered = 0;
    let mut per_attempt: BTreeMap<u32, u64> = BTreeMap::new();
    for l in roster.iter().filter(|l| l.registered(def)) {
        registered += 1;
        if l.withdrew(def) {
            withdrawn += 1;
        }
        let r = route(l, def);
        let entry = per_route.entry(r).or_default();
        entry.1 += 1;
        if r == "course" {
            course_registered += 1;
        }
        if l.awarded(def) {
            awarded += 1;
            entry.0 += 1;
            if r == "course"
                && let Some(n) = award_attempt(l, def)
            {
                *per_attempt.entry(n).or_default() += 1;
            }
        }
    }
    CompletionReport {
        definition: def.id.to_string(),
        overall: Rate::new(awarded, registered),
        withdrawn,
        by_route: per_route
            .into_iter()
            .map(|(k, (a, r))| (k, Rate::new(a, r)))
            .collect(),
        by_attempt: per_attempt
            .into_iter()
            .map(|(n, a)| (n, Rate::new(a, course_registered)))
            .collect(),
    }
}
