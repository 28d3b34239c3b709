//! Who is calling the JSON API: the page's short-lived bearer token, handed over after a launch
//! (`spec/lti.md` §3.4), is looked up by its SHA-256 and turned into a [`Caller`] scoped to one
//! registration, deployment, context, user and role set. Each API route names the product role
//! it needs in its signature with [`Require`] (`Require<Instructor>`, `Require<Learner>`,
//! `Require<Admin>`, or `Require<Launched>` for anyone launched), so the router is the list of
//! who may do what. Every query a handler makes is scoped by the caller's registration and
//! context: one institution never reads another's rows.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header;
use axum::http::request::Parts;

use crate::AppState;
use crate::error::AppError;
use crate::launch::ProductRole;
use crate::store::Session;

/// A launched person calling the API, from a valid, active session.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The session row (registration, deployment, context, `sub`, roles).
    pub session: Session,
}

impl Caller {
    /// Whether the session holds `role`.
    pub fn has(&self, role: ProductRole) -> bool {
        self.session.roles.iter().any(|r| r == role.as_str())
    }
}

/// A product-role rule a route requires.
pub trait RoleRule: Send + Sync + 'static {
    /// The roles that satisfy it; empty means any launched person (even with no product role).
    const ROLES: &'static [ProductRole];
    /// How the rule reads in an error message.
    const DESCRIPTION: &'static str;
}

/// Anyone with an active session, whatever their roles (the read-only landing included).
#[derive(Debug)]
pub struct Launched;
/// Instructors (context Instructor, TA, Administrator, ContentDeveloper).
#[derive(Debug)]
pub struct Instructor;
/// Learners.
#[derive(Debug)]
pub struct Learner;
/// Platform administrators.
#[derive(Debug)]
pub struct Admin;

impl RoleRule for Launched {
    const ROLES: &'static [ProductRole] = &[];
    const DESCRIPTION: &'static str = "a launched session";
}
impl RoleRule for Instructor {
    const ROLES: &'static [ProductRole] = &[ProductRole::Instructor];
    const DESCRIPTION: &'static str = "the instructor role";
}
impl RoleRule for Learner {
    const ROLES: &'static [ProductRole] = &[ProductRole::Learner];
    const DESCRIPTION: &'static str = "the learner role";
}
impl RoleRule for Admin {
    const ROLES: &'static [ProductRole] = &[ProductRole::Admin];
    const DESCRIPTION: &'static str = "the admin role";
}

/// An extractor that admits only callers holding the rule's role.
#[derive(Debug)]
pub struct Require<R: RoleRule>(pub Caller, PhantomData<R>);

impl<R: RoleRule> Require<R> {
    /// The admitted caller.
    pub fn caller(&self) -> &Caller {
        &self.0
    }
}

impl<R: RoleRule> FromRequestParts<AppState> for Require<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = authenticate(parts, state).await?;
        if !R::ROLES.is_empty() && !R::ROLES.iter().any(|role| caller.has(*role)) {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                "forbidden_role",
                format!("this needs {}", R::DESCRIPTION),
            )
            .with_details(serde_json::json!({ "roles": caller.session.roles })));
        }
        Ok(Require(caller, PhantomData))
    }
}

/// The caller behind `Authorization: Bearer <token>`.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, AppError> {
    let unauthorized = |code: &'static str, message: &str| {
        AppError::new(StatusCode::UNAUTHORIZED, code, message.to_owned())
    };
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            unauthorized(
                "missing_token",
                "send the launch's API token as Authorization: Bearer <token>",
            )
        })?;
    let session = state
        .store
        .session_by_token(&crate::random::token_hash(token))
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| {
            unauthorized(
                "invalid_token",
                "this API token is not known; launch Cairn again",
            )
        })?;
    let now = state.now();
    if session.token_expires_at <= now || session.expires_at <= now {
        return Err(unauthorized(
            "token_expired",
            "this API token has expired; launch Cairn again from the course",
        ));
    }
    if session.pending {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "session_pending",
            "this launch is not confirmed yet (platform storage)",
        ));
    }
    Ok(Caller { session })
}
