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

use serde::Serialize;

use crate::definition::CredentialDefinition;
use crate::ids::{AssessmentId, DefinitionId};
use crate::policy::PolicyError;
use crate::time::Timestamp;

/// One offering of a definition version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

crate::read_object!(Offering {
    id, definition, version, mode, starts_at = default(), ends_at = default(),
    status = default(), release_dates = default(),
});

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseDate {
    /// A summative of the offering's definition.
    pub assessment: AssessmentId,
    /// Attempts before this instant are refused.
    pub opens_at: Timestamp,
}

crate::read_object!(ReleaseDate {
    assessment,
    opens_at
});

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

#[cfg(test)]
mod tests {
    use super::{Offering, OfferingMode, OfferingStatus};

    #[test]
    fn an_offering_is_read_member_by_member_with_its_defaults() {
        let json = r#"{"id": "2026-fall", "definition": "D1", "version": "1", "mode": "cohort",
            "release_dates": [{"assessment": "A1", "opens_at": "2026-09-01T00:00:00Z"}]}"#;
        let offering: Offering = serde_json::from_str(json).unwrap();
        assert_eq!(offering.mode, OfferingMode::Cohort);
        assert_eq!(offering.status, OfferingStatus::Planned);
        assert_eq!(
            (offering.starts_at, offering.release_dates.len()),
            (None, 1)
        );
        let again: Offering =
            serde_json::from_str(&serde_json::to_string(&offering).unwrap()).unwrap();
        assert_eq!(again, offering);
        let unknown = serde_json::from_str::<Offering>(&json.replace("\"mode\"", "\"kind\""));
        let message = unknown.unwrap_err().to_string();
        assert!(message.starts_with("unknown field `kind`"), "{message}");
        let no_date = json.replace(r#", "opens_at": "2026-09-01T00:00:00Z""#, "");
        let message = serde_json::from_str::<Offering>(&no_date)
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("missing field `opens_at`"), "{message}");
    }
}
