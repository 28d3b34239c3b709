//! Registration attribution by offering (REQ-REPORT-09, the funder report): per offering,
//! the learners registered for a definition, those who withdrew (they stay registered), the
//! notional learner hours they bring and the full-time equivalents (FTE) those hours make.
//! A learner is attributed to the offering of their enrolment (`credentials.<id>.offering`
//! in the record, `docs/format.md` §5.5), or to no offering when they registered without one.
//! Every registered learner brings the definition's `hours`; an FTE is `fte_hours` of study,
//! a figure the funder sets (e.g. 900 hours for one full-time student year).

use std::collections::BTreeMap;

use serde::Serialize;

use super::LearnerData;
use crate::definition::CredentialDefinition;
use crate::number::Number;

/// One offering's registrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferingRegistrations {
    /// The offering id; `None` for learners registered without one.
    pub offering: Option<String>,
    /// Learners registered (withdrawn ones included).
    pub registered: u64,
    /// Of them, learners who withdrew.
    pub withdrawn: u64,
    /// `registered × hours`; `None` when the definition declares no hours.
    pub learner_hours: Option<Number>,
    /// `learner_hours ÷ fte_hours`, exact; `None` without hours or with `fte_hours` 0.
    pub fte: Option<Number>,
    /// The FTE rounded to 2 decimals (`"1.50"`).
    pub fte_reported: Option<String>,
}

/// The registrations of `def` per offering, offerings in id order, learners without an
/// offering last.
pub fn registrations(
    def: &CredentialDefinition,
    roster: &[LearnerData<'_>],
    fte_hours: &Number,
) -> Vec<OfferingRegistrations> {
    // Keyed so that `None` sorts last: (no offering?, id).
    let mut counts: BTreeMap<(bool, String), (u64, u64)> = BTreeMap::new();
    for learner in roster.iter().filter(|l| l.registered(def)) {
        let offering = learner
            .record
            .credentials
            .get(&def.id)
            .and_then(|c| c.offering.clone());
        let key = (offering.is_none(), offering.unwrap_or_default());
        let entry = counts.entry(key).or_default();
        entry.0 += 1;
        if learner.withdrew(def) {
            entry.1 += 1;
        }
    }
    counts
        .into_iter()
        .map(|((none, id), (registered, withdrawn))| {
            let learner_hours = def.hours.as_ref().map(|h| {
                h.mul(&Number::from_integer(
                    i64::try_from(registered).unwrap_or(i64::MAX),
                ))
            });
            let fte = learner_hours
                .as_ref()
                .filter(|_| !fte_hours.is_zero())
                .map(|h| h.div(fte_hours));
            OfferingRegistrations {
                offering: (!none).then_some(id),
                registered,
                withdrawn,
                learner_hours,
                fte_reported: fte.as_ref().map(Number::to_reported_string),
                fte,
            }
        })
        .collect()
}
