//! The fold: `record = fold(definitions, events, at)`. Replays one learner's event log
//! in time order, accepting or rejecting each event by the rules of README §5–8, and
//! derives per assessment the attempts that count and the kept result, per competency the
//! mastery value and status, per credential its issuances (keyed by definition, version
//! and renewal cycle, with their instants), status, progress and explanation, and per
//! equivalency its status.
//!
//! Pure and deterministic: the evaluation instant is an argument; no clock, no I/O. A
//! rejected event changes nothing but its entry in `errors`.
//!
//! | file | owns |
//! |---|---|
//! | `course` | [`Course`]: definitions checked and indexed once; replaying a log |
//! | `learner` | one learner's state, the events' rules, the learner as criteria facts |
//! | `lookup` | the id tables events are resolved through: short ids as integer keys |
//! | `kept` | scores, the re-sit cap and the kept result |
//! | `competency` | competency status and score, cached |
//! | `mean` | a `kept_mean` competency's score in machine integers, one gcd |
//! | `conduct` | assessors, attestation, evidence, overrides and feedback, for the record |
//! | `plar` | PLAR grants: target, method, share cap |
//! | `cases` | PLAR cases (requested → assessing → decided) and the credit bank |
//! | `workflow` | offerings and release dates, withdrawal, reissue, the credential's level |
//! | `versions` | which version of each definition a learner is folded on (REQ-LIFE-02) |
//! | `catalog` | [`Catalog`]: every version, a roster folded with each learner on theirs |
//! | `output` | the [`Record`] and [`LearnerSummary`], and building them |
//! | `percents` | percents of a maximum and their pass decisions, remembered across folds |
//! | `statuses` | [`RosterStatuses`]: a roster's statuses only, for the what-if panel |
//! | `spare` | a finished fold's buffers, kept for the course's next fold |

mod cases;
mod catalog;
mod competency;
mod conduct;
mod course;
mod kept;
mod learner;
mod lookup;
mod mean;
mod output;
mod percents;
mod plar;
mod spare;
mod statuses;
mod versions;
mod view;
mod workflow;

/// Defined in [`crate::mastery`]; here too because records carry it.
pub use crate::mastery::MasteryStatus;
pub use cases::{CaseAssessment, CaseDecision, CaseState, PlarCase};
pub use catalog::{Catalog, EarlierVersion};
pub use conduct::{EvidenceLink, FeedbackRecord, OverrideRecord};
pub use course::{Course, LearnerLog};
pub use output::{
    AssessmentRecord, AssessmentSummary, AttemptRecord, CompetencyRecord, CompetencySummary,
    CredentialRecord, CredentialSummary, EquivalencyRecord, EquivalencyStatus, IssuanceRecord,
    IssuanceStatus, LearnerSummary, Record, RejectedEvent,
};
pub use statuses::RosterStatuses;
pub use versions::{chosen_versions, pinned_version, summary_onto, versions_for};

use crate::definition::{CredentialDefinition, DefinitionError};
use crate::event::Event;
use crate::time::Timestamp;

/// Folds one learner's events into a record as of `at`. Events after `at` are ignored.
/// `definitions` may hold several versions of one id, oldest first: the learner is folded
/// on the version their enrolment pinned, else the latest ([`versions_for`]).
/// Fails only if the definitions themselves cannot be folded ([`crate::definition::check`]).
pub fn fold(
    definitions: &[CredentialDefinition],
    events: &[Event],
    at: Timestamp,
) -> Result<Record, DefinitionError> {
    Ok(Course::new(versions_for(definitions, events, at)?)?.fold(events, at))
}
