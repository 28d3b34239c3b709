//! One learner's state and the events' rules (README §5–8): enrolment, attempts and their
//! counting, grading and overrides, PLAR (grants: `super::plar`), issuance, revocation, presentations and
//! equivalencies. The learner as the facts their criteria are evaluated against is
//! [`super::view`].

use std::cell::{Cell, RefCell};

use super::cases::PlarCase;
use super::competency::{CompCache, Evidence};
use super::conduct::check_plar_assessor;
use super::conduct::{Conduct, ConductLog};
use super::course::{Course, Resolved};
use super::kept::{Attempt, Kept, Run, read_scores};
use super::output::RejectedEvent;
use super::percents::PercentMemo;
use super::view::View;
use crate::criteria::{Rule, is_held};
use crate::definition::{GrantMode, PlarMethod};
use crate::event::{
    AttemptProvenance, Event, EventKind, Grading, Override, PartScores, PresentedCredential, Route,
};
use crate::ids::{AssessmentId, DefinitionId};
use crate::number::Number;
use crate::offering::Offering;
use crate::policy::{self, CountedState, NextStep, PolicyError};
use crate::time::Timestamp;

#[derive(Debug, Clone, Default)]
pub(super) struct AsmtState {
    pub(super) attempts: Vec<Attempt>,
    pub(super) feedback_after_latest: bool,
    pub(super) course_attempts: u32,
    pub(super) challenge_taken: bool,
    /// The kept result's progress through the current cycle.
    pub(super) run: Run,
    /// Counted attempts: (cycle, count in that cycle, list index of the latest).
    pub(super) counted: (u32, u32, Option<usize>),
}

#[derive(Debug, Clone)]
pub(super) struct Issuance {
    pub(super) issued_at: Timestamp,
    pub(super) valid_until: Option<Timestamp>,
    pub(super) revoked_at: Option<Timestamp>,
    pub(super) plar_methods_used: Vec<PlarMethod>,
    /// The level reached at issue time (REQ-ASSESS-12).
    pub(super) level: Option<String>,
    /// A correction: the index of the issuance it replaces, and why (REQ-ISSUE-06).
    pub(super) reissue_of: Option<(u32, String)>,
    /// First award time, kept through corrections.
    pub(super) awarded_at: Timestamp,
}

#[derive(Debug, Clone)]
pub(super) struct Presentation {
    pub(super) credential: DefinitionId,
    pub(super) issued_at: Timestamp,
    pub(super) valid_until: Option<Timestamp>,
}

/// One learner's state during the fold.
pub(super) struct Learner<'c, 'a> {
    pub(super) course: &'c Course<'a>,
    pub(super) errors: Vec<RejectedEvent>,
    pub(super) enrolled_at: Vec<Option<Timestamp>>,
    pub(super) asmts: Vec<AsmtState>,
    /// Kept result per assessment (current cycle); recomputed when its attempts change.
    pub(super) kept: Vec<Option<Kept>>,
    pub(super) granted_comps: Vec<Option<(PlarMethod, Timestamp)>>,
    pub(super) granted_components: Vec<Vec<(DefinitionId, PlarMethod, Timestamp)>>,
    pub(super) issuances: Vec<Vec<Issuance>>,
    pub(super) presentations: Vec<Presentation>,
    /// The (definition, equivalency) pairs claimed: a handful at most, searched in order.
    pub(super) claimed: Vec<(usize, usize)>,
    pub(super) comp_cache: RefCell<Vec<CompCache>>,
    /// Per definition: a required competency last seen not mastered ([`Learner::gated`]).
    pub(super) blocker: Vec<Cell<Option<usize>>>,
    /// Per competency with a calculation method, its evidence so far (README §5.2).
    pub(super) evidence: Vec<Option<Evidence>>,
    /// Whether anything criteria read (results, grants, issuances, presentations) changed
    /// since the criteria were last checked.
    pub(super) dirty: bool,
    /// Assessors, attestations, evidence, overrides and feedback, for the record only.
    pub(super) conduct: ConductLog,
    /// Whether `conduct` is kept: not for a fold that ends in a summary, which never reads it.
    pub(super) keeps_conduct: bool,
    /// Per definition: the offering joined at enrolment (REQ-DEF-12).
    pub(super) offerings: Vec<Option<Box<Offering>>>,
    /// Per definition: when the learner withdrew (REQ-COMP-10).
    pub(super) withdrawn_at: Vec<Option<Timestamp>>,
    /// PLAR cases, in request order (REQ-PLAR-08).
    pub(super) cases: Vec<PlarCase>,
    /// The replay's order of the events (`super::course`), kept for its memory.
    pub(super) order: Vec<usize>,
    /// Emptied lists of part scores and group percents, kept for their memory.
    pub(super) pool: Vec<Vec<Number>>,
    /// Percents derived so far, kept for the course's next learners.
    pub(super) percents: PercentMemo,
}

impl<'c, 'a> Learner<'c, 'a> {
    pub(super) fn def_index(&self, id: &DefinitionId) -> Result<usize, PolicyError> {
        self.course
            .def_lookup
            .get(id.as_str())
            .ok_or_else(|| PolicyError::UnknownReference {
                kind: "credential definition",
                id: id.to_string(),
            })
    }

    #[inline]
    pub(super) fn asmt_index(&self, id: &AssessmentId) -> Result<usize, PolicyError> {
        self.course
            .asmt_lookup
            .get(id.as_str())
            .ok_or_else(|| PolicyError::UnknownReference {
                kind: "assessment",
                id: id.to_string(),
            })
    }

    /// The current renewal cycle of an assessment: the number of issuances of its
    /// definition for a renewal assessment, else 0.
    pub(super) fn cycle(&self, a: usize) -> u32 {
        let info = &self.course.asmts[a];
        if info.renewal {
            self.issuances[info.def].len() as u32
        } else {
            0
        }
    }

    pub(super) fn apply(&mut self, event: &Event, position: usize) -> Result<(), PolicyError> {
        let t = event.at;
        match &event.kind {
            EventKind::Enrolled {
                credential,
                offering,
                version,
            } => self.enrol(credential, offering.as_deref(), version.as_deref(), t),
            EventKind::AttemptSubmitted {
                assessment,
                score,
                part_scores,
                route,
                provenance,
            } => {
                let conduct = Conduct::new(*route, AttemptProvenance::of(provenance));
                self.submit(assessment, score, part_scores, conduct, t, position)
            }
            EventKind::FeedbackReleased { assessment, note } => {
                let a = self.asmt_index(assessment)?;
                self.asmts[a].feedback_after_latest = true;
                self.keep_feedback(a, t, note.as_deref());
                Ok(())
            }
            EventKind::AttemptScored(grading) => {
                let Grading {
                    assessment,
                    attempt,
                    score,
                    part_scores,
                    provenance,
                    ..
                } = &**grading;
                let a = self.asmt_index(assessment)?;
                let i = self.attempt_slot(a, *attempt)?;
                if self.asmts[a].attempts[i].scores.is_some() {
                    return Err(PolicyError::AlreadyScored { number: *attempt });
                }
                let buffer = self.pooled(a);
                let info = &self.course.asmts[a];
                let (total, parts) = read_scores(info, score, part_scores, true, buffer)?
                    .ok_or_else(|| PolicyError::InvalidEvent {
                        problem: "a score or part_scores is required".into(),
                    })?;
                let conduct = Conduct::new(self.asmts[a].attempts[i].route, provenance);
                self.check_conduct(a, &conduct)?;
                if !self.attested(a, &conduct) {
                    let info = &self.course.asmts[a];
                    return Err(PolicyError::AttestationRequired {
                        assessment: info.id.to_string(),
                        mode: info.supervision.as_str(),
                    });
                }
                self.keep_conduct(a, i, &conduct);
                let buffer = self.pooled(a);
                let scores =
                    self.course
                        .derive_scores_in(a, total, parts, buffer, &mut self.percents);
                self.asmts[a].attempts[i].scores = Some(scores);
                self.attempts_changed(a, t, i, true);
                Ok(())
            }
            EventKind::ScoreOverridden(change) => {
                let Override {
                    assessment,
                    attempt,
                    score,
                    part_scores,
                    reason,
                    by,
                } = &**change;
                let a = self.asmt_index(assessment)?;
                let i = self.attempt_slot(a, *attempt)?;
                if self.asmts[a].attempts[i].scores.is_none() {
                    return Err(PolicyError::AttemptNotScored { number: *attempt });
                }
                let (Some(reason), Some(by)) = (
                    reason.as_deref().filter(|r| !r.trim().is_empty()),
                    by.as_deref().filter(|b| !b.trim().is_empty()),
                ) else {
                    return Err(PolicyError::InvalidEvent {
                        problem: "an override needs a non-empty reason and author (`by`)".into(),
                    });
                };
                let info = &self.course.asmts[a];
                let (total, parts) = read_scores(info, score, part_scores, false, Vec::new())?
                    .ok_or_else(|| PolicyError::InvalidEvent {
                        problem: "a score or part_scores is required".into(),
                    })?;
                self.asmts[a].attempts[i].scores = Some(self.course.derive_scores(a, total, parts));
                self.keep_override(a, i, t, by, reason);
                self.attempts_changed(a, t, i, false);
                Ok(())
            }
            EventKind::PlarGranted(grant) => {
                let d = self.def_index(&grant.credential)?;
                self.plar_target(d, grant.competency.as_ref(), grant.component.as_ref())?;
                check_plar_assessor(grant)?;
                self.check_decision(grant, d)?;
                self.grant(
                    &grant.credential,
                    grant.method,
                    grant.competency.as_ref(),
                    grant.component.as_ref(),
                    t,
                )?;
                self.keep_grant_assessor(grant);
                self.decide_case(grant, true, t);
                Ok(())
            }
            EventKind::PlarDenied(denial) => {
                let d = self.def_index(&denial.credential)?;
                self.plar_target(d, denial.competency.as_ref(), denial.component.as_ref())?;
                check_plar_assessor(denial)?;
                self.check_decision(denial, d)?;
                self.decide_case(denial, false, t);
                Ok(())
            }
            EventKind::CredentialPresented(presented) => {
                let PresentedCredential {
                    credential,
                    issued_at,
                    valid_until,
                    verified,
                    ..
                } = &**presented;
                if !verified {
                    return Err(PolicyError::CredentialNotVerified {
                        credential: credential.to_string(),
                    });
                }
                self.dirty = true;
                self.presentations.push(Presentation {
                    credential: credential.clone(),
                    issued_at: *issued_at,
                    valid_until: *valid_until,
                });
                Ok(())
            }
            EventKind::CredentialApplied { credential } => {
                let d = self.def_index(credential)?;
                if let Some(first) = self.issuances[d].first() {
                    return Err(PolicyError::AlreadyIssued {
                        credential: credential.to_string(),
                        issued_at: first.issued_at,
                    });
                }
                if !self.holds(&self.course.def_info[d].criteria, d, t) {
                    return Err(PolicyError::CriteriaNotMet {
                        credential: credential.to_string(),
                    });
                }
                self.issue(d, t);
                Ok(())
            }
            EventKind::CredentialRevoked { credential, .. } => {
                let d = self.def_index(credential)?;
                let latest =
                    self.issuances[d]
                        .last_mut()
                        .ok_or_else(|| PolicyError::UnknownReference {
                            kind: "issuance of",
                            id: credential.to_string(),
                        })?;
                if latest.revoked_at.is_none() {
                    latest.revoked_at = Some(t);
                }
                self.dirty = true;
                Ok(())
            }
            EventKind::ExpiryImposed {
                credential,
                issued_before,
                valid_until,
            } => {
                let d = self.def_index(credential)?;
                for issuance in self.issuances[d]
                    .iter_mut()
                    .filter(|i| i.issued_at < *issued_before)
                {
                    issuance.valid_until = Some(
                        issuance
                            .valid_until
                            .map_or(*valid_until, |v| v.min(*valid_until)),
                    );
                }
                self.dirty = true;
                Ok(())
            }
            EventKind::EquivalencyClaimed { equivalency } => {
                let (d, e) = *self
                    .course
                    .equiv_by_id
                    .get(equivalency.as_str())
                    .ok_or_else(|| PolicyError::UnknownReference {
                        kind: "equivalency",
                        id: equivalency.to_string(),
                    })?;
                if self.claimed.contains(&(d, e)) {
                    return Err(PolicyError::AlreadyClaimed {
                        equivalency: equivalency.to_string(),
                    });
                }
                if !self.holds(&self.course.def_info[d].equivalencies[e], d, t) {
                    return Err(PolicyError::EquivalencyNotEligible {
                        equivalency: equivalency.to_string(),
                    });
                }
                self.claimed.push((d, e));
                Ok(())
            }
            EventKind::CredentialReissued(reissue) => {
                self.reissue(&reissue.credential, reissue.reason.as_deref(), t)
            }
            EventKind::Withdrawn { credential, .. } => self.withdraw(credential, t),
            EventKind::PlarRequested(request) => self.request_case(request, t),
            EventKind::PlarAssessed(assessment) => self.assess_case(assessment, t),
            EventKind::CreditBankApplied {
                credential,
                entry,
                completed_at,
            } => self.apply_credit(credential, entry, *completed_at, t),
        }
    }

    /// An empty list for part scores or group percents of assessment `a`: from the pool
    /// when it has parts (else no list is ever filled, and an empty one costs nothing).
    pub(super) fn pooled(&mut self, a: usize) -> Vec<Number> {
        if self.course.asmts[a].parts.is_empty() {
            return Vec::new();
        }
        self.pool.pop().unwrap_or_default()
    }

    pub(super) fn attempt_slot(&self, a: usize, number: u32) -> Result<usize, PolicyError> {
        let attempts = &self.asmts[a].attempts;
        let i = (number as usize)
            .checked_sub(1)
            .filter(|&i| i < attempts.len());
        i.ok_or_else(|| PolicyError::UnknownReference {
            kind: "attempt",
            id: format!("{} #{number}", self.course.asmts[a].id),
        })
    }

    pub(super) fn counted_state(&self, a: usize) -> CountedState {
        let state = &self.asmts[a];
        let mut counted = CountedState {
            kept_passes: self.kept[a].as_ref().is_some_and(|k| k.passes),
            feedback_after_latest: state.feedback_after_latest,
            ..CountedState::default()
        };
        if let Some((n, latest)) = self.current_count(a) {
            let attempt = &state.attempts[latest];
            counted.counted = n;
            counted.latest = Some((attempt.number, attempt.at));
            counted.latest_pending = attempt.scores.is_none();
        }
        counted
    }

    /// The current cycle's counted attempts and the list index of the latest, if any.
    fn current_count(&self, a: usize) -> Option<(u32, usize)> {
        match self.asmts[a].counted {
            (c, n, Some(latest)) if c == self.cycle(a) => Some((n, latest)),
            _ => None,
        }
    }

    /// README §9: counted attempts of the current cycle; for formatives, accepted attempts.
    pub(super) fn attempts_counted(&self, a: usize) -> usize {
        if self.course.asmts[a].summative {
            self.current_count(a).map_or(0, |(n, _)| n as usize)
        } else {
            self.asmts[a].attempts.len()
        }
    }

    pub(super) fn deadline(&self, d: usize) -> Option<Timestamp> {
        let window = self.course.defs[d].completion_window_days?;
        Some(self.enrolled_at[d]?.plus_days(i64::from(window)))
    }

    pub(super) fn submit(
        &mut self,
        assessment: &AssessmentId,
        score: &Option<Number>,
        part_scores: &Option<PartScores>,
        conduct: Conduct<'_>,
        t: Timestamp,
        position: usize,
    ) -> Result<(), PolicyError> {
        let a = self.asmt_index(assessment)?;
        let course = self.course;
        let info = &course.asmts[a];
        let route = conduct.route;
        // A supervised summative's score stands only with an attestation (REQ-ASSESS-10):
        // without one the attempt is accepted and stays pending.
        let attested = self.attested(a, &conduct);
        let buffer = self.pooled(a);
        let scores = match read_scores(info, score, part_scores, false, buffer)? {
            Some((total, parts)) if attested => {
                let buffer = self.pooled(a);
                Some(course.derive_scores_in(a, total, parts, buffer, &mut self.percents))
            }
            _ => None,
        };
        self.check_conduct(a, &conduct)?;
        let d = info.def;
        let def = &self.course.defs[d];
        if !info.summative {
            let state = &mut self.asmts[a];
            let number = state.attempts.len() as u32 + 1;
            state.attempts.push(Attempt {
                number,
                position,
                at: t,
                route,
                counted: true,
                cycle: 0,
                scores,
            });
            let i = state.attempts.len() - 1;
            state.count_attempt(0, i);
            self.keep_conduct(a, i, &conduct);
            self.attempts_changed(a, t, i, true);
            return Ok(());
        }
        // Step 2: challenge routes.
        let mut counted = true;
        if let Some(method) = route.plar_method() {
            let plar = def.plar.as_ref().filter(|p| p.methods.contains(&method));
            let Some(plar) = plar else {
                return Err(PolicyError::PlarMethodNotAllowed {
                    method: method.as_str(),
                    credential: def.id.to_string(),
                });
            };
            let state = &self.asmts[a];
            if state.course_attempts > 0 {
                return Err(PolicyError::ChallengeAfterCourseAttempt {
                    course_attempts: state.course_attempts,
                });
            }
            if state.challenge_taken {
                return Err(PolicyError::ChallengeLimitReached);
            }
            counted = plar.challenge_counts_as_attempt;
        }
        // Steps 3a, 3b (`docs/format.md` §5.5): withdrawn, release date.
        self.check_open(a, t)?;
        // Step 3: renewal window.
        if info.renewal {
            self.check_renewal_open(d, t)?;
        } else if let Some(deadline) = self.deadline(d) {
            // Step 4: deadline.
            if t > deadline {
                return Err(PolicyError::DeadlinePassed { deadline });
            }
        }
        // Step 5: counted attempts.
        if counted {
            policy::check_counted_attempt(&info.policy, &self.counted_state(a), t)?;
        }
        let cycle = self.cycle(a);
        let state = &mut self.asmts[a];
        let number = state.attempts.len() as u32 + 1;
        state.attempts.push(Attempt {
            number,
            position,
            at: t,
            route,
            counted,
            cycle,
            scores,
        });
        if route == Route::Course {
            state.course_attempts += 1;
        } else {
            state.challenge_taken = true;
        }
        let i = state.attempts.len() - 1;
        if counted {
            state.feedback_after_latest = false;
            state.count_attempt(cycle, i);
        }
        self.keep_conduct(a, i, &conduct);
        self.attempts_changed(a, t, i, true);
        Ok(())
    }

    pub(super) fn check_renewal_open(&self, d: usize, t: Timestamp) -> Result<(), PolicyError> {
        let def = &self.course.defs[d];
        let opens = def
            .renewal
            .as_ref()
            .map_or(0, |r| r.opens_days_before_expiry);
        let Some(latest) = self.issuances[d].last() else {
            return Err(PolicyError::RenewalNotOpen {
                why: format!("\"{}\" has not been issued", def.id),
            });
        };
        if latest.revoked_at.is_some() {
            return Err(PolicyError::RenewalNotOpen {
                why: format!("the latest issuance of \"{}\" is revoked", def.id),
            });
        }
        let Some(valid_until) = latest.valid_until else {
            return Err(PolicyError::RenewalNotOpen {
                why: format!("the latest issuance of \"{}\" never expires", def.id),
            });
        };
        let opens_at = valid_until.plus_days(-i64::from(opens));
        if t < opens_at {
            return Err(PolicyError::RenewalNotOpen {
                why: format!(
                    "renewal opens at {opens_at}, {opens} day(s) before the credential expires at {valid_until}"
                ),
            });
        }
        Ok(())
    }

    /// Brings an assessment's kept result and the evidence of the competencies it feeds up
    /// to date after attempt `i` changed (`fresh`: newly submitted or newly scored, else
    /// overridden), and issues a renewal when the cycle's kept result newly passes. A fresh
    /// attempt later than those already taken in costs constant work; anything else (an
    /// override, an earlier attempt scored late) replays the assessment's attempts.
    ///
    /// Only what changed is forgotten: an attempt that leaves the kept result as it was
    /// changes only the calculated competencies it is evidence for, and a pending one
    /// changes nothing the criteria read but, the first time, that work was submitted.
    /// The criteria are then re-checked ([`Learner::issue_due`]) only if one of those
    /// changed.
    pub(super) fn attempts_changed(&mut self, a: usize, t: Timestamp, i: usize, fresh: bool) {
        let changed = if fresh && self.kept_extends(a, i) {
            match self.kept_step(a, i) {
                None => Changed::Nothing,
                Some(step) => {
                    let evidence = self.push_evidence(a, i, step.capped.as_deref());
                    match (step.replaced, evidence) {
                        (true, _) => Changed::Kept,
                        (false, true) => Changed::Evidence,
                        (false, false) => Changed::Nothing,
                    }
                }
            }
        } else {
            self.recompute_kept(a);
            self.evidence_changed(a);
            Changed::Kept
        };
        #[cfg(debug_assertions)]
        self.assert_incremental(a);
        match changed {
            Changed::Kept => self.invalidate_feeds(a),
            Changed::Evidence => self.invalidate_evidence_of(a),
            Changed::Nothing => {}
        }
        #[cfg(debug_assertions)]
        self.assert_cached_feeds(a);
        // The first attempt makes a `submitted` leaf hold.
        self.dirty |= changed != Changed::Nothing || self.asmts[a].attempts.len() == 1;
        let info = &self.course.asmts[a];
        if info.renewal && self.kept[a].as_ref().is_some_and(|k| k.passes) {
            let d = info.def;
            self.issue(d, t);
            self.recompute_kept(a);
        }
    }

    pub(super) fn issue(&mut self, d: usize, t: Timestamp) {
        let def = &self.course.defs[d];
        // The PLAR methods used, one bit each: a set of a handful of values, read out in
        // `PlarMethod::ALL`'s order, which is `Ord`'s (README §9 lists them sorted).
        let mut used: u32 = 0;
        for &c in &self.course.def_info[d].comps {
            if let Some((m, at)) = self.granted_comps[c]
                && at <= t
            {
                used |= 1 << m as u32;
            }
        }
        for g in self.granted_components[d].iter().filter(|g| g.2 <= t) {
            used |= 1 << g.1 as u32;
        }
        for &a in &self.course.def_info[d].asmts {
            for attempt in &self.asmts[a].attempts {
                if let Some(m) = attempt.route.plar_method()
                    && attempt.taken_scores().is_some()
                {
                    used |= 1 << m as u32;
                }
            }
        }
        self.dirty = true;
        let level = self.credential_level(d);
        self.issuances[d].push(Issuance {
            issued_at: t,
            valid_until: def.validity.map(|v| v.valid_until(t)),
            revoked_at: None,
            plar_methods_used: PlarMethod::ALL
                .iter()
                .copied()
                .filter(|&m| used & (1 << m as u32) != 0)
                .collect(),
            level,
            reissue_of: None,
            awarded_at: t,
        });
    }

    /// README §6: after an accepted event at `t`, issue every automatic definition never
    /// issued whose criteria hold, until nothing new is issued.
    pub(super) fn issue_due(&mut self, t: Timestamp) {
        let dirty = std::mem::take(&mut self.dirty);
        loop {
            let due = (0..self.course.defs.len()).find(|&d| {
                let (def, info) = (&self.course.defs[d], &self.course.def_info[d]);
                // Criteria without a credential leaf depend on time only through events:
                // when nothing they read changed, their answer cannot have changed.
                def.grant_mode == GrantMode::Automatic
                    && self.issuances[d].is_empty()
                    && self.withdrawn_at[d].is_none()
                    && (dirty || info.reads_time)
                    && !self.gated(d, t)
                    && self.holds(&info.criteria, d, t)
            });
            match due {
                Some(d) => self.issue(d, t),
                None => break,
            }
        }
        #[cfg(debug_assertions)]
        self.assert_none_due(t);
        self.dirty = false;
    }

    /// Whether a resolved rule holds for definition `owner` at `at`.
    pub(super) fn holds(&self, rule: &Rule<Resolved>, owner: usize, at: Timestamp) -> bool {
        rule.holds(&self.view(owner, at))
    }

    /// The learner as the facts of definition `owner`'s criteria at `at`.
    pub(super) fn view<'l>(&'l self, owner: usize, at: Timestamp) -> View<'l, 'c, 'a> {
        View {
            learner: self,
            owner,
            at,
        }
    }

    /// Whether `credential` (definition `defined` of the course, if it is one) is held at
    /// `at`, or granted by PLAR as a component of `owner`.
    pub(super) fn holds_credential(
        &self,
        owner: usize,
        credential: &DefinitionId,
        defined: Option<usize>,
        at: Timestamp,
    ) -> bool {
        if self.granted_components[owner]
            .iter()
            .any(|(id, _, _)| id == credential)
        {
            return true;
        }
        if let Some(d) = defined
            && let Some(latest) = self.issuances[d].last()
            && is_held(latest.issued_at, latest.valid_until, latest.revoked_at, at)
        {
            return true;
        }
        self.presentations
            .iter()
            .any(|p| p.credential == *credential && is_held(p.issued_at, p.valid_until, None, at))
    }

    pub(super) fn next_step(&self, a: usize, at: Timestamp) -> Option<NextStep> {
        let info = &self.course.asmts[a];
        if !info.summative {
            return None;
        }
        if info.renewal && self.check_renewal_open(info.def, at).is_err() {
            return None;
        }
        let deadline = if info.renewal {
            None
        } else {
            self.deadline(info.def)
        };
        let step = policy::next_step(&info.policy, &self.counted_state(a), deadline, at);
        self.within_offering(a, step)
    }
}

/// What an attempt changed, as [`Learner::attempts_changed`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Changed {
    /// The kept result: everything the assessment feeds.
    Kept,
    /// Only the evidence of the calculated competencies it is an item of.
    Evidence,
    /// Nothing a competency or the criteria read.
    Nothing,
}

impl AsmtState {
    /// Counts attempt `i`, counted in `cycle`.
    fn count_attempt(&mut self, cycle: u32, i: usize) {
        let (c, n, _) = self.counted;
        let n = if c == cycle { n + 1 } else { 1 };
        self.counted = (cycle, n, Some(i));
    }
}
