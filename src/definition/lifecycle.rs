//! The life of one definition version (REQ-LIFE-01/09/10/11, REQ-DEF-13;
//! `docs/format.md` §3.9): draft → approved → published → retired, an approval chain the
//! institution configures, a next-review date set at publishing with the reviews kept,
//! content expiry, and a teach-out date at retirement. [`Lifecycle::apply`] is the only way
//! a state changes; it refuses an illegal transition with a typed error. The host stores
//! the lifecycle beside the definition (a definition's content never changes: editing a
//! published one makes a new version, REQ-LIFE-02, [`Lifecycle::revise`]).

use serde::{Deserialize, Serialize};

use super::CredentialDefinition;
use super::institution::InstitutionConfig;
use super::publish::publish_findings_in;
use super::revision::{VersionChanges, changes};
use super::validate::{Finding, Severity, validate_in};
use crate::time::Timestamp;

/// Where a definition version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LifecycleState {
    /// Being written; approvals are collected here.
    #[default]
    Draft,
    /// Every body of the approval chain approved it.
    Approved,
    /// Open for offerings and enrolments.
    Published,
    /// Closed to new enrolments; in-progress learners may finish until the teach-out date.
    Retired,
}

crate::unit_names::unit_names!(LifecycleState { Draft => "draft", Approved => "approved", Published => "published", Retired => "retired" });

impl LifecycleState {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleState::Draft => "draft",
            LifecycleState::Approved => "approved",
            LifecycleState::Published => "published",
            LifecycleState::Retired => "retired",
        }
    }
}

/// One approval of the chain: which body, who for it, when (REQ-DEF-13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The approving body (a name of the institution's `approval_chain`).
    pub body: String,
    /// The person who recorded it for the body.
    pub person: String,
    /// When.
    pub at: Timestamp,
}

/// A periodic review of a published definition (REQ-LIFE-10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Who reviewed.
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// What was decided, in words.
    pub outcome: String,
}

/// The lifecycle of one definition version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// The current state.
    pub state: LifecycleState,
    /// Approvals so far, in order.
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
    /// The next periodic review is due at this instant (set at publishing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_review: Option<Timestamp>,
    /// The reviews held, in order.
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// After this instant the content is out of date: no new offering may start
    /// (REQ-LIFE-11). Separate from a competency's reassessment validity and from a
    /// credential's expiry (`validity`): issued credentials stay verifiable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_expires: Option<Timestamp>,
    /// When it was retired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<Timestamp>,
    /// Learners in progress at retirement may finish until this instant (REQ-LIFE-09).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teach_out_until: Option<Timestamp>,
    /// A version whose credit status changed needs, after the chain, the approval of the
    /// institution's credit route (REQ-LIFE-02; [`InstitutionConfig::credit_route_body`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credit_route_approval: bool,
}

/// What an edit of a definition version becomes ([`Lifecycle::revise`], REQ-LIFE-02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// Whether the edited content replaces the current version's (a draft or an approved
    /// version not yet published) or is stored as a new version beside it.
    pub in_place: bool,
    /// The lifecycle the edited content gets.
    pub lifecycle: Lifecycle,
    /// What the edit changes.
    pub changes: VersionChanges,
}

/// What can happen to a lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum LifecycleAction {
    /// The next body of the chain approves the draft.
    Approve {
        /// The approval.
        approval: Approval,
    },
    /// An approved version goes back to draft for changes; its approvals are dropped.
    Reopen,
    /// An approved version is published, with its first review date.
    Publish {
        /// When.
        at: Timestamp,
        /// When the first periodic review is due (after `at`).
        next_review: Timestamp,
        /// When the content expires, if it does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content_expires: Option<Timestamp>,
    },
    /// A published version is reviewed; the next review is set.
    Reviewed {
        /// The review.
        review: Review,
        /// When the next one is due (after the review).
        next_review: Timestamp,
    },
    /// A published version is retired.
    Retire {
        /// When.
        at: Timestamp,
        /// Learners in progress may finish until then (not before `at`).
        teach_out_until: Timestamp,
    },
}

impl LifecycleAction {
    fn name(&self) -> &'static str {
        match self {
            LifecycleAction::Approve { .. } => "approve",
            LifecycleAction::Reopen => "reopen",
            LifecycleAction::Publish { .. } => "publish",
            LifecycleAction::Reviewed { .. } => "reviewed",
            LifecycleAction::Retire { .. } => "retire",
        }
    }
}

/// Why a transition or a use of the definition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The action does not apply in this state.
    #[error("a {state} definition cannot be {action}d: {hint}")]
    IllegalTransition {
        /// The current state.
        state: &'static str,
        /// The refused action.
        action: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// The approval is not from the next body of the chain.
    #[error("the next approval must come from \"{expected}\", not \"{given}\"")]
    ApprovalOutOfOrder {
        /// The body whose approval is due.
        expected: String,
        /// The body given.
        given: String,
    },
    /// The approval has no person.
    #[error("an approval must name the person who recorded it")]
    ApproverMissing,
    /// Publishing is blocked by these findings.
    #[error("publishing is blocked: {}", .0.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; "))]
    PublishBlocked(Vec<Finding>),
    /// A date is before the instant it must follow.
    #[error("{field} ({date}) must be after {after}")]
    DateOrder {
        /// The field.
        field: &'static str,
        /// Its value.
        date: Timestamp,
        /// What it must follow.
        after: Timestamp,
    },
    /// The edit is of another definition.
    #[error(
        "an edit of \"{current}\" cannot have the id \"{edited}\"; a new definition is created, not edited"
    )]
    NotARevision {
        /// The current definition's id.
        current: String,
        /// The edited one's.
        edited: String,
    },
    /// A published (or retired) version was edited without a new version string.
    #[error("version \"{0}\" is published and never changes: give the edit a new version")]
    VersionUnchanged(String),
    /// Not published (or retired): no offering or enrolment.
    #[error("the definition is {state}: it takes no new {what}")]
    NotOpen {
        /// The state.
        state: &'static str,
        /// `offering` or `enrolment`.
        what: &'static str,
    },
    /// The content expired: no new offering.
    #[error("the content expired at {0}: a new version is needed before a new offering")]
    ContentExpired(Timestamp),
}

impl LifecycleError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LifecycleError::IllegalTransition { .. } => "illegal_transition",
            LifecycleError::ApprovalOutOfOrder { .. } => "approval_out_of_order",
            LifecycleError::ApproverMissing => "approver_missing",
            LifecycleError::PublishBlocked(_) => "publish_blocked",
            LifecycleError::DateOrder { .. } => "date_order",
            LifecycleError::NotARevision { .. } => "not_a_revision",
            LifecycleError::VersionUnchanged(_) => "version_unchanged",
            LifecycleError::NotOpen { .. } => "not_open",
            LifecycleError::ContentExpired(_) => "content_expired",
        }
    }
}

fn after(field: &'static str, date: Timestamp, at: Timestamp) -> Result<(), LifecycleError> {
    if date > at {
        Ok(())
    } else {
        Err(LifecycleError::DateOrder {
            field,
            date,
            after: at,
        })
    }
}

impl Lifecycle {
    /// The bodies still to approve, in order (`[""]`-free: empty when none is due).
    /// After the chain, the credit route when [`Lifecycle::credit_route_approval`] is set.
    pub fn approvals_due<'c>(&self, config: &'c InstitutionConfig) -> Vec<&'c str> {
        let credit = self
            .credit_route_approval
            .then(|| config.credit_route_body());
        config
            .approval_chain
            .iter()
            .map(String::as_str)
            .chain(credit)
            .skip(self.approvals.len())
            .collect()
    }

    /// What editing `current` (whose lifecycle this is) into `edited` makes (REQ-LIFE-02):
    /// - a draft is edited in place and stays a draft;
    /// - an approved version is edited in place: a material change sends it back to draft
    ///   with its approvals dropped, another keeps it approved;
    /// - a published or retired version never changes: the edit is a new version (its
    ///   `version` must differ, else `version_unchanged`), under review (a fresh draft that
    ///   the whole chain approves, and the credit route too when credit status changed) when
    ///   the change is material, else approved with the current approvals, ready to publish.
    ///
    /// Learners in progress stay on their version: the host keeps both (`docs/format.md` §5).
    pub fn revise(
        &self,
        current: &CredentialDefinition,
        edited: &CredentialDefinition,
    ) -> Result<Revision, LifecycleError> {
        if current.id != edited.id {
            return Err(LifecycleError::NotARevision {
                current: current.id.to_string(),
                edited: edited.id.to_string(),
            });
        }
        let changes = changes(current, edited);
        let material = changes.is_material();
        let credit = changes.needs_credit_route_approval();
        let (in_place, lifecycle) = match self.state {
            LifecycleState::Draft => (
                true,
                Lifecycle {
                    credit_route_approval: self.credit_route_approval || credit,
                    ..self.clone()
                },
            ),
            LifecycleState::Approved if material => (
                true,
                Lifecycle {
                    state: LifecycleState::Draft,
                    approvals: Vec::new(),
                    credit_route_approval: self.credit_route_approval || credit,
                    ..self.clone()
                },
            ),
            LifecycleState::Approved => (true, self.clone()),
            LifecycleState::Published | LifecycleState::Retired => {
                if current.version == edited.version {
                    return Err(LifecycleError::VersionUnchanged(current.version.clone()));
                }
                let lifecycle = if material {
                    Lifecycle {
                        credit_route_approval: credit,
                        ..Lifecycle::default()
                    }
                } else {
                    Lifecycle {
                        state: LifecycleState::Approved,
                        approvals: self.approvals.clone(),
                        credit_route_approval: self.credit_route_approval,
                        ..Lifecycle::default()
                    }
                };
                (false, lifecycle)
            }
        };
        Ok(Revision {
            in_place,
            lifecycle,
            changes,
        })
    }

    /// The lifecycle after `action`, or why not. Publishing runs the validator and the
    /// publish check of `config` on `def`: any error blocks it.
    pub fn apply(
        &self,
        action: &LifecycleAction,
        def: &CredentialDefinition,
        config: &InstitutionConfig,
    ) -> Result<Lifecycle, LifecycleError> {
        use LifecycleState as S;
        let illegal = |hint| LifecycleError::IllegalTransition {
            state: self.state.as_str(),
            action: action.name(),
            hint,
        };
        let mut next = self.clone();
        match (self.state, action) {
            (S::Draft, LifecycleAction::Approve { approval }) => {
                if approval.person.trim().is_empty() {
                    return Err(LifecycleError::ApproverMissing);
                }
                if let Some(expected) = self.approvals_due(config).first()
                    && *expected != approval.body
                {
                    return Err(LifecycleError::ApprovalOutOfOrder {
                        expected: (*expected).to_owned(),
                        given: approval.body.clone(),
                    });
                }
                next.approvals.push(approval.clone());
                if next.approvals_due(config).is_empty() {
                    next.state = S::Approved;
                }
            }
            (S::Approved, LifecycleAction::Reopen) => {
                next.state = S::Draft;
                next.approvals.clear();
            }
            (
                S::Approved,
                LifecycleAction::Publish {
                    at,
                    next_review,
                    content_expires,
                },
            ) => {
                after("next_review", *next_review, *at)?;
                let blocking: Vec<Finding> = validate_in(std::slice::from_ref(def), config)
                    .into_iter()
                    .chain(publish_findings_in(def, config))
                    .filter(|f| f.severity == Severity::Error)
                    .collect();
                if !blocking.is_empty() {
                    return Err(LifecycleError::PublishBlocked(blocking));
                }
                next.state = S::Published;
                next.published_at = Some(*at);
                next.next_review = Some(*next_review);
                next.content_expires = *content_expires;
            }
            (
                S::Published,
                LifecycleAction::Reviewed {
                    review,
                    next_review,
                },
            ) => {
                after("next_review", *next_review, review.at)?;
                next.reviews.push(review.clone());
                next.next_review = Some(*next_review);
            }
            (
                S::Published,
                LifecycleAction::Retire {
                    at,
                    teach_out_until,
                },
            ) => {
                if teach_out_until < at {
                    return Err(LifecycleError::DateOrder {
                        field: "teach_out_until",
                        date: *teach_out_until,
                        after: *at,
                    });
                }
                next.state = S::Retired;
                next.retired_at = Some(*at);
                next.teach_out_until = Some(*teach_out_until);
            }
            (S::Published, _) => {
                return Err(illegal(
                    "a published version never changes; make a new version (REQ-LIFE-02)",
                ));
            }
            (S::Retired, _) => return Err(illegal("a retired version stays retired")),
            (S::Draft, _) => return Err(illegal("a draft is approved first")),
            (S::Approved, _) => {
                return Err(illegal("an approved version is published or reopened"));
            }
        }
        Ok(next)
    }

    /// Whether a new offering (intake) may start at `at`: published, and the content not
    /// expired (REQ-LIFE-11).
    pub fn check_new_offering(&self, at: Timestamp) -> Result<(), LifecycleError> {
        if self.state != LifecycleState::Published {
            return Err(LifecycleError::NotOpen {
                state: self.state.as_str(),
                what: "offering",
            });
        }
        match self.content_expires {
            Some(e) if at > e => Err(LifecycleError::ContentExpired(e)),
            _ => Ok(()),
        }
    }

    /// Whether a learner may enrol at `at`: only while published (REQ-LIFE-09).
    pub fn check_enrolment(&self, _at: Timestamp) -> Result<(), LifecycleError> {
        if self.state == LifecycleState::Published {
            Ok(())
        } else {
            Err(LifecycleError::NotOpen {
                state: self.state.as_str(),
                what: "enrolment",
            })
        }
    }

    /// Whether a learner enrolled before retirement may still complete (and be issued) at
    /// `at`: always while published; until the teach-out date once retired.
    pub fn may_complete(&self, at: Timestamp) -> bool {
        match self.state {
            LifecycleState::Published => true,
            LifecycleState::Retired => self.teach_out_until.is_some_and(|t| at <= t),
            LifecycleState::Draft | LifecycleState::Approved => false,
        }
    }

    /// Whether the periodic review is overdue at `at` (REQ-LIFE-10).
    pub fn review_overdue(&self, at: Timestamp) -> bool {
        self.state == LifecycleState::Published && self.next_review.is_some_and(|r| at > r)
    }
}

/// The definitions whose review is overdue at `at`, with their due date: the admins'
/// alert list (REQ-LIFE-10).
pub fn review_alerts<'a, K>(
    lifecycles: impl IntoIterator<Item = (K, &'a Lifecycle)>,
    at: Timestamp,
) -> Vec<(K, Timestamp)> {
    lifecycles
        .into_iter()
        .filter(|(_, l)| l.review_overdue(at))
        .filter_map(|(k, l)| l.next_review.map(|r| (k, r)))
        .collect()
}
