//! Enrolment in an offering and its release dates (REQ-DEF-12, REQ-ATTEMPT-09), withdrawal
//! (REQ-COMP-10), corrections by revoke-and-reissue (REQ-ISSUE-06) and the level a
//! credential reaches at issue time (REQ-ASSESS-12). `docs/format.md` §3.7, §5.5, §5.7.

use super::learner::{Issuance, Learner};
use crate::definition::level_reached;
use crate::ids::DefinitionId;
use crate::number::Number;
use crate::offering::Offering;
use crate::policy::{NextStep, PolicyError};
use crate::time::Timestamp;

impl Learner<'_, '_> {
    /// `enrolled`: once per definition; a pinned version must be the one folded (REQ-LIFE-02:
    /// none of the versions given has it otherwise); an offering, when given, must run this
    /// definition version and not be cancelled.
    pub(super) fn enrol(
        &mut self,
        credential: &DefinitionId,
        offering: Option<&Offering>,
        version: Option<&str>,
        t: Timestamp,
    ) -> Result<(), PolicyError> {
        let d = self.def_index(credential)?;
        if let Some(since) = self.enrolled_at[d] {
            return Err(PolicyError::AlreadyEnrolled {
                credential: credential.to_string(),
                since,
            });
        }
        if let Some(version) = version
            && version != self.course.defs[d].version
        {
            return Err(PolicyError::UnknownReference {
                kind: "version of the definition",
                id: version.to_owned(),
            });
        }
        if let Some(offering) = offering {
            offering.check(&self.course.defs[d])?;
        }
        self.enrolled_at[d] = Some(t);
        self.offerings[d] = offering.cloned().map(Box::new);
        Ok(())
    }

    /// Steps 3a and 3b of a summative attempt: refused after the learner withdrew
    /// (`learner_withdrawn`) and, outside renewal, before the cohort's release date
    /// (`not_yet_released`; exactly at it is accepted).
    pub(super) fn check_open(&self, a: usize, t: Timestamp) -> Result<(), PolicyError> {
        let info = &self.course.asmts[a];
        if let Some(since) = self.withdrawn_at[info.def] {
            return Err(PolicyError::LearnerWithdrawn {
                credential: self.course.defs[info.def].id.to_string(),
                since,
            });
        }
        let opens = self.offerings[info.def]
            .as_ref()
            .and_then(|o| o.opens_at(&info.id));
        match opens {
            Some(opens_at) if !info.renewal && t < opens_at => {
                Err(PolicyError::NotYetReleased { opens_at })
            }
            _ => Ok(()),
        }
    }

    /// A summative's next step as the learner's offering and withdrawal leave it: none after
    /// a withdrawal; an attempt opens no earlier than the cohort's release date.
    pub(super) fn within_offering(&self, a: usize, step: NextStep) -> Option<NextStep> {
        let info = &self.course.asmts[a];
        if self.withdrawn_at[info.def].is_some() {
            return None;
        }
        let release = self.offerings[info.def]
            .as_ref()
            .and_then(|o| o.opens_at(&info.id))
            .filter(|_| !info.renewal);
        match (step, release) {
            (
                NextStep::Attempt {
                    opens_at,
                    attempts_left,
                    deadline,
                },
                Some(release),
            ) => Some(NextStep::Attempt {
                opens_at: opens_at.max(release),
                attempts_left,
                deadline,
            }),
            (step, _) => Some(step),
        }
    }

    /// `withdrawn`: once per definition. Results so far stay (mastered competencies stay
    /// mastered); later summative attempts are refused and nothing more is issued
    /// automatically.
    pub(super) fn withdraw(
        &mut self,
        credential: &DefinitionId,
        t: Timestamp,
    ) -> Result<(), PolicyError> {
        let d = self.def_index(credential)?;
        if let Some(since) = self.withdrawn_at[d] {
            return Err(PolicyError::LearnerWithdrawn {
                credential: credential.to_string(),
                since,
            });
        }
        self.withdrawn_at[d] = Some(t);
        Ok(())
    }

    /// `credential_reissued`: revokes the latest issuance (if it is not revoked yet) and
    /// issues a new one at `t` that references it, with the reason. The criteria must hold
    /// at `t`; the correction keeps the first award time and the end of validity.
    pub(super) fn reissue(
        &mut self,
        credential: &DefinitionId,
        reason: Option<&str>,
        t: Timestamp,
    ) -> Result<(), PolicyError> {
        let d = self.def_index(credential)?;
        let Some(reason) = reason.filter(|r| !r.trim().is_empty()) else {
            return Err(PolicyError::InvalidEvent {
                problem: "a reissue needs a non-empty reason".into(),
            });
        };
        let Some(index) = self.issuances[d].len().checked_sub(1) else {
            return Err(PolicyError::UnknownReference {
                kind: "issuance of",
                id: credential.to_string(),
            });
        };
        if !self.holds(&self.course.def_info[d].criteria, d, t) {
            return Err(PolicyError::CriteriaNotMet {
                credential: credential.to_string(),
            });
        }
        let level = self.credential_level(d);
        let latest = &mut self.issuances[d][index];
        if latest.revoked_at.is_none() {
            latest.revoked_at = Some(t);
        }
        let replacement = Issuance {
            issued_at: t,
            valid_until: latest.valid_until,
            revoked_at: None,
            plar_methods_used: latest.plar_methods_used.clone(),
            level,
            reissue_of: Some((index as u32, reason.to_owned())),
            awarded_at: latest.awarded_at,
        };
        self.issuances[d].push(replacement);
        self.dirty = true;
        Ok(())
    }

    /// The definition's level (REQ-ASSESS-12): reached by the weighted mean (competency
    /// weights) of its competencies' scores, when it declares levels and every competency
    /// has a score.
    pub(super) fn credential_level(&self, d: usize) -> Option<String> {
        let levels = &self.course.defs[d].levels;
        let comps = &self.course.def_info[d].comps;
        if levels.is_empty() || comps.is_empty() {
            return None;
        }
        let (mut sum, mut weights) = (Number::zero(), Number::zero());
        for &c in comps {
            let score = self.competency(c).score?;
            let weight = &self.course.comps[c].weight;
            sum = sum.add(&score.mul(weight));
            weights = weights.add(weight);
        }
        if weights.is_zero() {
            return None;
        }
        level_reached(levels, &sum.div(&weights)).map(str::to_owned)
    }
}
