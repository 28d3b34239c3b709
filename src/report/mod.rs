//! Reports institutions owe (REQ-REPORT-02/03/04/07/08/09), as pure functions over a
//! roster: each learner's event log and the record folded from it. The server and the page
//! call the same functions, so they show the same figures. One report per file:
//!
//! | file | report |
//! |---|---|
//! | `funnel` | completion funnel of one offering (REQ-REPORT-02) |
//! | `completion` | completion rate by route and by attempt number (REQ-REPORT-03) |
//! | `problems` | problematic competencies and rubric criteria on first attempts (REQ-REPORT-04) |
//! | `review_pack` | the review data pack of one version (REQ-REPORT-07) |
//! | `registrar` | the registrar export, CSV and JSON (REQ-REPORT-08) |
//! | `uptake` | uptake of equivalencies (REQ-REPORT-09) |
//! | `registrations` | registration attribution (FTE) by offering (REQ-REPORT-09) |
//! | `accepted` | credentials accepted elsewhere (REQ-REPORT-09) |
//!
//! A learner is *registered* for a definition when an accepted event enrolled them in it or
//! when they have an accepted attempt on one of its assessments or a PLAR decision on it; a
//! learner who later withdrew stays registered (withdrawals count in every denominator).

mod accepted;
mod completion;
mod funnel;
mod problems;
mod registrar;
mod registrations;
mod review_pack;
mod uptake;

pub use accepted::{Acceptance, AcceptedElsewhere, accepted_elsewhere};
pub use completion::{CompletionReport, completion};
pub use funnel::{Funnel, funnel};
pub use problems::{Problem, ProblemKind, problems};
pub use registrar::{RegistrarRow, registrar_csv, registrar_rows};
pub use registrations::{OfferingRegistrations, registrations};
pub use review_pack::{AlignmentCell, AssessmentStats, PlarStats, ReviewPack, review_pack};
pub use uptake::{EquivalencyUptake, uptake};

use serde::Serialize;

use crate::definition::{AssessmentKind, CredentialDefinition, is_renewal};
use crate::event::{Event, EventKind};
use crate::number::Number;
use crate::record::Record;

/// One learner of the roster: their id, their log as given, and the record folded from it.
#[derive(Debug, Clone, Copy)]
pub struct LearnerData<'a> {
    /// The learner (the institution's id for the registrar export).
    pub learner: &'a str,
    /// The learner's events, in the order the record's error indexes refer to.
    pub events: &'a [Event],
    /// The record folded from those events.
    pub record: &'a Record,
}

impl<'a> LearnerData<'a> {
    /// The accepted events in the fold's order (by `at`, stably), with their log index.
    pub fn accepted(&self) -> Vec<(usize, &'a Event)> {
        let rejected: Vec<usize> = self.record.errors.iter().map(|e| e.event).collect();
        let mut out: Vec<(usize, &'a Event)> = self
            .events
            .iter()
            .enumerate()
            .filter(|(i, _)| !rejected.contains(i))
            .collect();
        out.sort_by_key(|(i, e)| (e.at, *i));
        out
    }

    /// Whether the learner is registered for `def` (module doc).
    pub fn registered(&self, def: &CredentialDefinition) -> bool {
        self.accepted().iter().any(|(_, e)| match &e.kind {
            EventKind::Enrolled { credential, .. } => *credential == def.id,
            EventKind::AttemptSubmitted { assessment, .. } => {
                def.assessments.iter().any(|a| a.id == *assessment)
            }
            EventKind::PlarGranted(d) | EventKind::PlarDenied(d) => d.credential == def.id,
            _ => false,
        })
    }

    /// Whether the learner withdrew from `def` (an accepted `withdrawn`, REQ-COMP-10).
    pub fn withdrew(&self, def: &CredentialDefinition) -> bool {
        self.accepted().iter().any(|(_, e)| {
            matches!(&e.kind, EventKind::Withdrawn { credential, .. } if *credential == def.id)
        })
    }

    /// Whether `def` was ever issued to the learner.
    pub fn awarded(&self, def: &CredentialDefinition) -> bool {
        self.record
            .credentials
            .get(&def.id)
            .is_some_and(|c| !c.issuances.is_empty())
    }
}

/// A count out of a total, with the exact percent and its reported form (2 decimals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rate {
    /// How many.
    pub count: u64,
    /// Out of how many.
    pub of: u64,
    /// `count × 100 / of`, exact; `None` when `of` is 0.
    pub percent: Option<Number>,
    /// The percent rounded to 2 decimals (`"82.50"`).
    pub reported: Option<String>,
}

impl Rate {
    /// `count` of `of`.
    pub fn new(count: u64, of: u64) -> Rate {
        let percent = (of > 0).then(|| {
            Number::from_integer(i64::try_from(count).unwrap_or(i64::MAX))
                .percent_of(&Number::from_integer(i64::try_from(of).unwrap_or(i64::MAX)))
        });
        Rate {
            count,
            of,
            reported: percent.as_ref().map(Number::to_reported_string),
            percent,
        }
    }
}

/// The summative, non-renewal assessments of a definition: the ones a learner must sit.
fn summatives(def: &CredentialDefinition) -> impl Iterator<Item = &crate::definition::Assessment> {
    def.assessments
        .iter()
        .filter(move |a| a.kind == AssessmentKind::Summative && !is_renewal(def, &a.id))
}
