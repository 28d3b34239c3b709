//! Who acts and where, for the API's handlers: the caller's tenant scope (registration and
//! context, from their session only, never from the request), the learner a route acts on
//! (a learner: themselves; an instructor: a `sub` in the path, within their context), the
//! event's author, and the request id ([`RequestId`]) that the audit history shows.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::api::error::ApiError;
use crate::request_log::REQUEST_ID_HEADER;
use crate::session::Caller;
use crate::store::RegistrationId;
use crate::store::records::{Author, LearnerScope};

/// The most characters of a learner `sub` in a path (LTI caps `sub` at 255).
const MAX_SUB_CHARS: usize = 255;

/// The request id the request middleware put on the request.
#[derive(Clone, Debug)]
pub struct RequestId(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestId(
            parts
                .headers
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        ))
    }
}

/// The caller's tenant: registration and context. A session without a context (a launch
/// from outside a course) reaches no course data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    /// The registration (institution).
    pub registration_id: RegistrationId,
    /// The context (course).
    pub context_id: String,
}

impl Tenant {
    /// The caller's registration and context; 403 `no_context` without a context.
    pub fn of(caller: &Caller) -> Result<Tenant, ApiError> {
        let context_id = caller.session.context_id.clone().ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "no_context",
                "this launch has no course context; launch Cairn from a course",
            )
        })?;
        Ok(Tenant {
            registration_id: caller.session.registration_id,
            context_id,
        })
    }

    /// A learner of this tenant, by `sub` (checked: 1–255 characters).
    pub fn learner(&self, sub: &str) -> Result<LearnerScope, ApiError> {
        if sub.is_empty() || sub.chars().count() > MAX_SUB_CHARS {
            return Err(ApiError::invalid_input(format!(
                "a learner sub has 1 to {MAX_SUB_CHARS} characters"
            )));
        }
        Ok(LearnerScope {
            registration_id: self.registration_id,
            context_id: self.context_id.clone(),
            learner_sub: sub.to_owned(),
        })
    }
}

impl Tenant {
    /// A learner known in this context (launched into it, or with a log there); 404
    /// `learner_not_found` otherwise, so no route reaches a learner of another context.
    pub async fn known_learner(
        &self,
        state: &crate::AppState,
        sub: &str,
    ) -> Result<LearnerScope, ApiError> {
        let scope = self.learner(sub)?;
        // A learner with events is known for good (heads are never deleted): this server's
        // cached log of the same scope, read from the database, says so without a query.
        if state
            .engine
            .cached_log(&scope)
            .is_some_and(|log| log.head.is_some())
        {
            return Ok(scope);
        }
        let known = state
            .store
            .api_rows()
            .learner_known(self.registration_id, &self.context_id, sub)
            .await?;
        if !known {
            return Err(ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "learner_not_found",
                format!("no learner {sub:?} has launched into this course"),
            ));
        }
        Ok(scope)
    }
}

/// The caller's own learner scope (a learner acts on themselves only).
pub fn own_scope(caller: &Caller) -> Result<LearnerScope, ApiError> {
    Tenant::of(caller)?.learner(&caller.session.user_sub)
}

/// The author of an event written by `caller` acting as `role`.
pub fn author(caller: &Caller, role: &str, request_id: &RequestId) -> Author {
    Author {
        sub: caller.session.user_sub.clone(),
        role: role.to_owned(),
        deployment_id: caller.session.deployment_id.clone(),
        request_id: request_id.0.clone(),
    }
}
