//! Uptake of equivalencies (REQ-REPORT-09): per equivalency, the learners eligible for it
//! (eligible or already claimed) and those who claimed it.

use serde::Serialize;

use super::{LearnerData, Rate};
use crate::definition::CredentialDefinition;
use crate::record::EquivalencyStatus;

/// One equivalency's uptake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EquivalencyUptake {
    /// The equivalency.
    pub equivalency: String,
    /// The course it stands for.
    pub title: String,
    /// Claimed of eligible.
    pub claimed: Rate,
}

/// The uptake of every equivalency of `def`, in definition order.
pub fn uptake(def: &CredentialDefinition, roster: &[LearnerData<'_>]) -> Vec<EquivalencyUptake> {
    def.equivalencies
        .iter()
        .map(|q| {
            let statuses = roster
                .iter()
                .filter_map(|l| l.record.equivalencies.get(&q.id).map(|r| r.status));
            let (mut eligible, mut claimed) = (0, 0);
            for s in statuses {
                match s {
                    EquivalencyStatus::Claimed => {
                        eligible += 1;
                        claimed += 1;
                    }
                    EquivalencyStatus::Eligible => eligible += 1,
                    EquivalencyStatus::NotEligible => {}
                }
            }
            EquivalencyUptake {
                equivalency: q.id.to_string(),
                title: q.title.clone(),
                claimed: Rate::new(claimed, eligible),
            }
        })
        .collect()
}
