//! The completion funnel of one offering (REQ-REPORT-02): seats, registered, attempted
//! every summative, completed, failed a summative.

use serde::Serialize;

use super::{LearnerData, summatives};
use crate::definition::{Assessment, CredentialDefinition};

/// The funnel's counts. Each learner is counted in every stage they reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Funnel {
    /// The definition.
    pub definition: String,
    /// Seats of the offering, as its host configures them (`None` = unlimited).
    pub seats: Option<u32>,
    /// Registered learners (withdrawn ones included).
    pub registered: u64,
    /// Registered learners who withdrew (still counted as registered).
    pub withdrawn: u64,
    /// Registered learners with an attempt on every summative (an alternative group counts
    /// as attempted when one member is).
    pub attempted_all: u64,
    /// Registered learners who were issued the credential.
    pub completed: u64,
    /// Registered learners not issued it who used up every attempt on a summative without
    /// passing it.
    pub failed_summative: u64,
}

/// The funnel of `def` over the roster (one offering's learners).
pub fn funnel(
    def: &CredentialDefinition,
    seats: Option<u32>,
    roster: &[LearnerData<'_>],
) -> Funnel {
    let mut f = Funnel {
        definition: def.id.to_string(),
        seats,
        registered: 0,
        withdrawn: 0,
        attempted_all: 0,
        completed: 0,
        failed_summative: 0,
    };
    for l in roster.iter().filter(|l| l.registered(def)) {
        f.registered += 1;
        if l.withdrew(def) {
            f.withdrawn += 1;
        }
        let attempted = |a: &Assessment| {
            l.record
                .assessments
                .get(&a.id)
                .is_some_and(|r| !r.attempts.is_empty())
        };
        let all = summatives(def).all(|a| {
            attempted(a)
                || def.alternatives.iter().any(|g| {
                    g.assessments.contains(&a.id)
                        && g.assessments
                            .iter()
                            .filter_map(|m| def.assessments.iter().find(|x| x.id == *m))
                            .any(attempted)
                })
        });
        if all {
            f.attempted_all += 1;
        }
        if l.awarded(def) {
            f.completed += 1;
            continue;
        }
        let exhausted = summatives(def).any(|a| {
            let max = a
                .attempt_policy
                .as_ref()
                .unwrap_or(&def.attempt_policy)
                .max_attempts;
            l.record
                .assessments
                .get(&a.id)
                .is_some_and(|r| !r.passed && max.is_some_and(|m| r.attempts_counted >= m))
        });
        if exhausted {
            f.failed_summative += 1;
        }
    }
    f
}
