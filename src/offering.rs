//! Offerings (intakes) of a credential definition (REQ-DEF-12; `docs/format.md` §5.5): the
//! dates, the delivery (a cohort, or self-paced) and the go/no-go status of one run of a
//! definition version. An offering is not part of the definition: several offerings share
//! one definition version, and changing an offering's dates makes no new version.
//!
//! A learner's `enrolled` event carries the offering joined, as it stood then: the fold
//! keeps its three inputs, and a schedule changed later does not rewrite what a learner
//! was told. A cohort offering may set release dates: a summative attempt before its
//! assessment's date is refused `not_yet_released` (REQ-ATTEMPT-09). A self-paced learner
//! starts a summative when ready, so a self-paced offering sets none.

use serde::{Deserialize, Serialize};

use crate::definition::CredentialDefinition;
use crate::ids::{AssessmentId, DefinitionId};
use crate::policy::PolicyError;
use crate::time::Timestamp;

/// One offering of a definition version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offering {
    /// The offering's id (an intake code, e.g. `2026-fall`).
    pub id: String,
    /// The definition it runs.
    pub definition: DefinitionId,
    /// The definition version it runs.
    pub version: String,
    /// A cohort or self-paced.
    pub mode: OfferingMode,
    /// First day of teaching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<Timestamp>,
    /// Last day of teaching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<Timestamp>,
    /// Whether it runs.
    #[serde(default)]
    pub status: OfferingStatus,
    /// When each summative opens (cohort offerings only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release_dates: Vec<ReleaseDate>,
}

/// How an offering is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferingMode {
    /// A cohort with shared dates; may set release dates.
    Cohort,
    /// Each learner at their own pace; no release dates.
    SelfPaced,
}

crate::unit_names::unit_names!(OfferingMode { Cohort => "cohort", SelfPaced => "self_paced" });

/// The go/no-go status of an offering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OfferingStatus {
    /// Not decided yet.
    #[default]
    Planned,
    /// Runs.
    Go,
    /// Cancelled: nobody may enrol.
    NoGo,
}

crate::unit_names::unit_names!(OfferingStatus { Planned => "planned", Go => "go", NoGo => "no_go" });

/// When an assessment opens in a cohort offering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseDate {
    /// A summative of the offering's definition.
    pub assessment: AssessmentId,
    /// Attempts before this instant are refused.
    pub opens_at: Timestamp,
}

impl Offering {
    /// The release date of an assessment, if the offering sets one.
    pub fn opens_at(&self, assessment: &AssessmentId) -> Option<Timestamp> {
        let date = self
            .release_dates
            .iter()
            .find(|r| r.assessment == *assessment);
        date.map(|r| r.opens_at)
    }

    /// Checks the offering against the definition a learner enrols in: same definition and
    /// version (`invalid_event`), release dates only on a cohort (`invalid_event`) and only
    /// for assessments of that definition (`unknown_reference`), not cancelled
    /// (`offering_not_running`).
    pub fn check(&self, def: &CredentialDefinition) -> Result<(), PolicyError> {
        let invalid = |problem: String| Err(PolicyError::InvalidEvent { problem });
        if self.definition != def.id || self.version != def.version {
            return invalid(format!(
                "offering \"{}\" runs \"{}\" version \"{}\", not \"{}\" version \"{}\"",
                self.id, self.definition, self.version, def.id, def.version
            ));
        }
        if self.mode == OfferingMode::SelfPaced && !self.release_dates.is_empty() {
            return invalid(format!(
                "offering \"{}\" is self-paced: learners start when ready, so it sets no release dates",
                self.id
            ));
        }
        for r in &self.release_dates {
            if !def.assessments.iter().any(|a| a.id == r.assessment) {
                return Err(PolicyError::UnknownReference {
                    kind: "assessment of the offering's definition",
                    id: r.assessment.to_string(),
                });
            }
        }
        if self.status == OfferingStatus::NoGo {
            return Err(PolicyError::OfferingNotRunning {
                offering: self.id.clone(),
            });
        }
        Ok(())
    }
}
