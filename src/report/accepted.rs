//! Credentials accepted elsewhere (REQ-REPORT-09, the pathway report): of the learners
//! awarded a definition, how many had it accepted by another institution (for credit,
//! admission or employment), and by which. Acceptances are not events of a learner's log:
//! the receiving institution reports them and the host passes them in. An acceptance of a
//! credential the learner was never awarded is not counted.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{LearnerData, Rate};
use crate::definition::CredentialDefinition;
use crate::ids::DefinitionId;
use crate::time::Timestamp;

/// One institution's acceptance of a learner's credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The learner (as in the roster).
    pub learner: String,
    /// The definition whose credential was accepted.
    pub credential: DefinitionId,
    /// The accepting institution.
    pub accepted_by: String,
    /// When.
    pub at: Timestamp,
}

/// The credentials of one definition accepted elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptedElsewhere {
    /// Awarded learners with at least one acceptance, of the awarded learners.
    pub accepted: Rate,
    /// Per accepting institution (name order), the awarded learners it accepted.
    pub by_institution: Vec<(String, u64)>,
}

/// How many of `def`'s awarded learners had it accepted elsewhere.
pub fn accepted_elsewhere(
    def: &CredentialDefinition,
    roster: &[LearnerData<'_>],
    acceptances: &[Acceptance],
) -> AcceptedElsewhere {
    let awarded: BTreeSet<&str> = roster
        .iter()
        .filter(|l| l.awarded(def))
        .map(|l| l.learner)
        .collect();
    let mut learners: BTreeSet<&str> = BTreeSet::new();
    let mut by_institution: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in acceptances
        .iter()
        .filter(|a| a.credential == def.id && awarded.contains(a.learner.as_str()))
    {
        learners.insert(a.learner.as_str());
        by_institution
            .entry(a.accepted_by.as_str())
            .or_default()
            .insert(a.learner.as_str());
    }
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    AcceptedElsewhere {
        accepted: Rate::new(count(learners.len()), count(awarded.len())),
        by_institution: by_institution
            .into_iter()
            .map(|(name, l)| (name.to_owned(), count(l.len())))
            .collect(),
    }
}
