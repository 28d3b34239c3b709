//! The one implementation of [`Store`](super::Store) that both backends share: every SQL
//! statement is written once here (`$1` placeholders, `TRUE`/`FALSE`, `ON CONFLICT`,
//! `RETURNING`, which SQLite and PostgreSQL both read), and [`impl_store!`] expands the trait
//! impl for a backend's pool type, so the two backends cannot drift apart. It holds no
//! connection setup (that is `sqlite.rs` and `postgres.rs`) and never reads a clock.

use super::{Session, StoreError};

/// The columns every registration query returns (read by name in `row::registration`).
macro_rules! registration_columns {
    () => {
        "id, issuer, client_id, auth_endpoint, token_endpoint, jwks_url, \
         client_assertion_audience, platform_family, auto_register_deployments, allow_http, \
         created_at"
    };
}

/// The columns of a session.
macro_rules! session_columns {
    () => {
        "id, token_hash, token_expires_at, registration_id, deployment_id, context_id, user_sub, \
         roles, claims, pending, created_at, expires_at"
    };
}

pub(super) const INSERT_REGISTRATION: &str = concat!(
    "INSERT INTO registrations (issuer, client_id, auth_endpoint, token_endpoint, jwks_url, \
     client_assertion_audience, platform_family, auto_register_deployments, allow_http, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
    registration_columns!()
);
pub(super) const UPDATE_REGISTRATION: &str = concat!(
    "UPDATE registrations SET auth_endpoint = $3, token_endpoint = $4, jwks_url = $5, \
     client_assertion_audience = $6, platform_family = $7, auto_register_deployments = $8, \
     allow_http = $9 WHERE issuer = $1 AND client_id = $2 RETURNING ",
    registration_columns!()
);
pub(super) const SELECT_REGISTRATIONS: &str = concat!(
    "SELECT ",
    registration_columns!(),
    " FROM registrations ORDER BY id"
);
pub(super) const SELECT_REGISTRATIONS_FOR_ISSUER: &str = concat!(
    "SELECT ",
    registration_columns!(),
    " FROM registrations WHERE issuer = $1 ORDER BY id"
);
pub(super) const SELECT_REGISTRATION: &str = concat!(
    "SELECT ",
    registration_columns!(),
    " FROM registrations WHERE issuer = $1 AND client_id = $2"
);
pub(super) const SELECT_REGISTRATION_BY_ID: &str = concat!(
    "SELECT ",
    registration_columns!(),
    " FROM registrations WHERE id = $1"
);
// Deployments, login states, nonces and sessions go with it (ON DELETE CASCADE).
pub(super) const DELETE_REGISTRATION: &str =
    "DELETE FROM registrations WHERE issuer = $1 AND client_id = $2";

pub(super) const INSERT_DEPLOYMENT: &str = "INSERT INTO deployments \
     (registration_id, deployment_id, origin, created_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (registration_id, deployment_id) DO NOTHING";
pub(super) const SELECT_DEPLOYMENTS: &str = "SELECT registration_id, deployment_id, origin, \
     created_at FROM deployments WHERE registration_id = $1 ORDER BY deployment_id";
pub(super) const SELECT_DEPLOYMENT: &str = "SELECT registration_id, deployment_id, origin, \
     created_at FROM deployments WHERE registration_id = $1 AND deployment_id = $2";
pub(super) const DELETE_DEPLOYMENT: &str =
    "DELETE FROM deployments WHERE registration_id = $1 AND deployment_id = $2";

pub(super) const INSERT_LOGIN_STATE: &str = "INSERT INTO login_states (state, nonce, \
     registration_id, deployment_id, target_link_uri, login_hint, lti_message_hint, client_id, \
     binding, created_at, used) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub(super) const SELECT_LOGIN_STATE: &str = "SELECT state, nonce, registration_id, \
     deployment_id, target_link_uri, login_hint, lti_message_hint, client_id, binding, \
     created_at, used FROM login_states WHERE state = $1";
// The guard `used = FALSE` makes the claim atomic: of two launches with one state, one updates.
pub(super) const MARK_LOGIN_STATE_USED: &str =
    "UPDATE login_states SET used = TRUE WHERE state = $1 AND used = FALSE";

pub(super) const INSERT_NONCE: &str = "INSERT INTO used_nonces (registration_id, nonce, \
     keep_until) VALUES ($1, $2, $3) ON CONFLICT (registration_id, nonce) DO NOTHING";

pub(super) const INSERT_SESSION: &str = concat!(
    "INSERT INTO sessions (",
    session_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
);
pub(super) const SELECT_SESSION: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id = $1"
);
pub(super) const SELECT_SESSION_BY_TOKEN: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE token_hash = $1"
);
pub(super) const ACTIVATE_SESSION: &str =
    "UPDATE sessions SET pending = FALSE WHERE id = $1 AND pending = TRUE";

pub(super) const SELECT_TOOL_KEYS: &str = "SELECT kid, status, sealed_private_key, public_jwk, \
     created_at, status_since FROM tool_keys ORDER BY created_at DESC, kid DESC";
pub(super) const INSERT_TOOL_KEY: &str = "INSERT INTO tool_keys (kid, status, \
     sealed_private_key, public_jwk, created_at, status_since) VALUES ($1, $2, $3, $4, $5, $6)";
pub(super) const DROP_OLD_PREVIOUS_KEYS: &str =
    "DELETE FROM tool_keys WHERE status = 'previous' AND status_since < $1";
pub(super) const RETIRE_CURRENT_KEY: &str =
    "UPDATE tool_keys SET status = 'previous', status_since = $1 WHERE status = 'current'";
pub(super) const PROMOTE_NEXT_KEY: &str =
    "UPDATE tool_keys SET status = 'current', status_since = $1 WHERE status = 'next'";

pub(super) const PURGE_LOGIN_STATES: &str = "DELETE FROM login_states WHERE created_at <= $1";
pub(super) const PURGE_NONCES: &str = "DELETE FROM used_nonces WHERE keep_until < $1";
pub(super) const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at < $1";

/// Maps a unique-key violation to [`StoreError::AlreadyExists`] naming the row (`taken`) and a
/// missing parent row to [`StoreError::NotFound`] naming the parent (`parent`); other errors
/// pass through.
pub(super) fn classify(
    err: sqlx::Error,
    taken: impl FnOnce() -> String,
    parent: impl FnOnce() -> String,
) -> StoreError {
    match err.as_database_error().map(|db| db.kind()) {
        Some(sqlx::error::ErrorKind::UniqueViolation) => StoreError::AlreadyExists(taken()),
        Some(sqlx::error::ErrorKind::ForeignKeyViolation) => StoreError::NotFound(parent()),
        _ => StoreError::Database(err),
    }
}

/// A registration removal the records' `RESTRICT` keys refused, as [`StoreError::InUse`].
pub(super) fn refused_removal(err: sqlx::Error, issuer: &str, client_id: &str) -> StoreError {
    // SQLite reports an `ON DELETE RESTRICT` refusal as a constraint of kind "trigger" (1811).
    let restricted = err.as_database_error().is_some_and(|db| {
        db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
            || db.message().contains("FOREIGN KEY constraint failed")
    });
    if restricted {
        StoreError::InUse(format!(
            "{} cannot be removed: it has learner records, credentials or an issuer, which are \
             never deleted (credentials must keep verifying)",
            registration_name(issuer, client_id)
        ))
    } else {
        StoreError::Database(err)
    }
}

/// Reads the stored JSON array of product roles.
pub(super) fn roles_from_text(text: &str, session: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text)
        .map_err(|err| StoreError::Corrupt(format!("roles of session {session}: {err}")))
}

/// Reads the stored claims JSON.
pub(super) fn claims_from_text(text: &str, session: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text)
        .map_err(|err| StoreError::Corrupt(format!("claims of session {session}: {err}")))
}

/// The JSON text a session's roles are stored as.
pub(super) fn roles_to_text(session: &Session) -> String {
    serde_json::Value::from(session.roles.clone()).to_string()
}

/// Names a registration in errors.
pub(super) fn registration_name(issuer: &str, client_id: &str) -> String {
    format!("registration (issuer {issuer:?}, client_id {client_id:?})")
}

/// Implements [`Store`](super::Store) for `$store` (a struct with a `pool: sqlx::Pool<$db>`)
/// with the statements above. Expanded once per backend, so the compiler checks each.
macro_rules! impl_store {
    ($store:ident, $db:ty, $backend:literal) => {
        /// The [`Store`](crate::store::Store) trait for this backend, from `store/sql.rs`.
        mod sql_store {
            use super::$store;
            use crate::store::{
                Deployment, DeploymentOrigin, KeyStatus, LoginState, NewRegistration, PoolState,
                Registration, RegistrationId, Session, Store, StoreError, ToolKey, sql,
            };

            mod row {
                //! Reading rows of this backend into the store's types.
                use sqlx::Row as _;

                use crate::store::{
                    BindingMode, Deployment, DeploymentOrigin, KeyStatus, LoginState,
                    NewRegistration, PlatformFamily, Registration, Session, StoreError, ToolKey,
                    sql,
                };

                type DbRow = <$db as sqlx::Database>::Row;

                pub(super) fn registration(row: &DbRow) -> Result<Registration, StoreError> {
                    Ok(Registration {
                        id: row.try_get("id")?,
                        fields: NewRegistration {
                            issuer: row.try_get("issuer")?,
                            client_id: row.try_get("client_id")?,
                            auth_endpoint: row.try_get("auth_endpoint")?,
                            token_endpoint: row.try_get("token_endpoint")?,
                            jwks_url: row.try_get("jwks_url")?,
                            client_assertion_audience: row.try_get("client_assertion_audience")?,
                            platform_family: PlatformFamily::parse(
                                row.try_get::<&str, _>("platform_family")?,
                            ),
                            auto_register_deployments: row.try_get("auto_register_deployments")?,
                            allow_http: row.try_get("allow_http")?,
                        },
                        created_at: row.try_get("created_at")?,
                    })
                }

                pub(super) fn deployment(row: &DbRow) -> Result<Deployment, StoreError> {
                    Ok(Deployment {
                        registration_id: row.try_get("registration_id")?,
                        deployment_id: row.try_get("deployment_id")?,
                        origin: DeploymentOrigin::parse(row.try_get::<&str, _>("origin")?),
                        created_at: row.try_get("created_at")?,
                    })
                }

                pub(super) fn login_state(row: &DbRow) -> Result<LoginState, StoreError> {
                    Ok(LoginState {
                        state: row.try_get("state")?,
                        nonce: row.try_get("nonce")?,
                        registration_id: row.try_get("registration_id")?,
                        deployment_id: row.try_get("deployment_id")?,
                        target_link_uri: row.try_get("target_link_uri")?,
                        login_hint: row.try_get("login_hint")?,
                        lti_message_hint: row.try_get("lti_message_hint")?,
                        client_id: row.try_get("client_id")?,
                        binding: BindingMode::parse(row.try_get::<&str, _>("binding")?),
                        created_at: row.try_get("created_at")?,
                        used: row.try_get("used")?,
                    })
                }

                pub(super) fn session(row: &DbRow) -> Result<Session, StoreError> {
                    let id: String = row.try_get("id")?;
                    let roles = sql::roles_from_text(row.try_get("roles")?, &id)?;
                    let claims = sql::claims_from_text(row.try_get("claims")?, &id)?;
                    Ok(Session {
                        token_hash: row.try_get("token_hash")?,
                        token_expires_at: row.try_get("token_expires_at")?,
                        registration_id: row.try_get("registration_id")?,
                        deployment_id: row.try_get("deployment_id")?,
                        context_id: row.try_get("context_id")?,
                        user_sub: row.try_get("user_sub")?,
                        roles,
                        claims,
                        pending: row.try_get("pending")?,
                        created_at: row.try_get("created_at")?,
                        expires_at: row.try_get("expires_at")?,
                        id,
                    })
                }

                pub(super) fn tool_key(row: &DbRow) -> Result<ToolKey, StoreError> {
                    Ok(ToolKey {
                        kid: row.try_get("kid")?,
                        status: KeyStatus::parse(row.try_get::<&str, _>("status")?),
                        sealed_private_key: row.try_get("sealed_private_key")?,
                        public_jwk: row.try_get("public_jwk")?,
                        created_at: row.try_get("created_at")?,
                        status_since: row.try_get("status_since")?,
                    })
                }
            }

            #[async_trait::async_trait]
            impl Store for $store {
                fn backend(&self) -> &'static str {
                    $backend
                }

                async fn add_registration(
                    &self,
                    registration: &NewRegistration,
                    now: i64,
                ) -> Result<Registration, StoreError> {
                    let r = registration;
                    let found = sqlx::query(sql::INSERT_REGISTRATION)
                        .bind(&r.issuer)
                        .bind(&r.client_id)
                        .bind(&r.auth_endpoint)
                        .bind(&r.token_endpoint)
                        .bind(&r.jwks_url)
                        .bind(&r.client_assertion_audience)
                        .bind(r.platform_family.as_str())
                        .bind(r.auto_register_deployments)
                        .bind(r.allow_http)
                        .bind(now)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || sql::registration_name(&r.issuer, &r.client_id),
                                String::new,
                            )
                        })?;
                    row::registration(&found)
                }

                async fn update_registration(
                    &self,
                    registration: &NewRegistration,
                ) -> Result<Registration, StoreError> {
                    let r = registration;
                    let found = sqlx::query(sql::UPDATE_REGISTRATION)
                        .bind(&r.issuer)
                        .bind(&r.client_id)
                        .bind(&r.auth_endpoint)
                        .bind(&r.token_endpoint)
                        .bind(&r.jwks_url)
                        .bind(&r.client_assertion_audience)
                        .bind(r.platform_family.as_str())
                        .bind(r.auto_register_deployments)
                        .bind(r.allow_http)
                        .fetch_optional(&self.pool)
                        .await?;
                    match found {
                        Some(found) => row::registration(&found),
                        None => Err(StoreError::NotFound(sql::registration_name(
                            &r.issuer,
                            &r.client_id,
                        ))),
                    }
                }

                async fn registrations(&self) -> Result<Vec<Registration>, StoreError> {
                    sqlx::query(sql::SELECT_REGISTRATIONS)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::registration)
                        .collect()
                }

                async fn registrations_for_issuer(
                    &self,
                    issuer: &str,
                ) -> Result<Vec<Registration>, StoreError> {
                    sqlx::query(sql::SELECT_REGISTRATIONS_FOR_ISSUER)
                        .bind(issuer)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::registration)
                        .collect()
                }

                async fn registration(
                    &self,
                    issuer: &str,
                    client_id: &str,
                ) -> Result<Option<Registration>, StoreError> {
                    sqlx::query(sql::SELECT_REGISTRATION)
                        .bind(issuer)
                        .bind(client_id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::registration)
                        .transpose()
                }

                async fn registration_by_id(
                    &self,
                    id: RegistrationId,
                ) -> Result<Option<Registration>, StoreError> {
                    sqlx::query(sql::SELECT_REGISTRATION_BY_ID)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::registration)
                        .transpose()
                }

                async fn remove_registration(
                    &self,
                    issuer: &str,
                    client_id: &str,
                ) -> Result<bool, StoreError> {
                    let done = sqlx::query(sql::DELETE_REGISTRATION)
                        .bind(issuer)
                        .bind(client_id)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| sql::refused_removal(err, issuer, client_id))?;
                    Ok(done.rows_affected() > 0)
                }

                async fn add_deployment(
                    &self,
                    registration_id: RegistrationId,
                    deployment_id: &str,
                    origin: DeploymentOrigin,
                    now: i64,
                ) -> Result<Deployment, StoreError> {
                    let name = || format!("registration {registration_id}");
                    sqlx::query(sql::INSERT_DEPLOYMENT)
                        .bind(registration_id)
                        .bind(deployment_id)
                        .bind(origin.as_str())
                        .bind(now)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| sql::classify(err, name, name))?;
                    match self.deployment(registration_id, deployment_id).await? {
                        Some(found) => Ok(found),
                        // Removed between the insert and the read.
                        None => Err(StoreError::NotFound(format!(
                            "deployment {deployment_id:?} of registration {registration_id}"
                        ))),
                    }
                }

                async fn deployments(
                    &self,
                    registration_id: RegistrationId,
                ) -> Result<Vec<Deployment>, StoreError> {
                    sqlx::query(sql::SELECT_DEPLOYMENTS)
                        .bind(registration_id)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::deployment)
                        .collect()
                }

                async fn deployment(
                    &self,
                    registration_id: RegistrationId,
                    deployment_id: &str,
                ) -> Result<Option<Deployment>, StoreError> {
                    sqlx::query(sql::SELECT_DEPLOYMENT)
                        .bind(registration_id)
                        .bind(deployment_id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::deployment)
                        .transpose()
                }

                async fn remove_deployment(
                    &self,
                    registration_id: RegistrationId,
                    deployment_id: &str,
                ) -> Result<bool, StoreError> {
                    let done = sqlx::query(sql::DELETE_DEPLOYMENT)
                        .bind(registration_id)
                        .bind(deployment_id)
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected() > 0)
                }

                async fn put_login_state(&self, login: &LoginState) -> Result<(), StoreError> {
                    sqlx::query(sql::INSERT_LOGIN_STATE)
                        .bind(&login.state)
                        .bind(&login.nonce)
                        .bind(login.registration_id)
                        .bind(&login.deployment_id)
                        .bind(&login.target_link_uri)
                        .bind(&login.login_hint)
                        .bind(&login.lti_message_hint)
                        .bind(&login.client_id)
                        .bind(login.binding.as_str())
                        .bind(login.created_at)
                        .bind(login.used)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || format!("login state {:?}", login.state),
                                || format!("registration {}", login.registration_id),
                            )
                        })?;
                    Ok(())
                }

                async fn login_state(&self, state: &str) -> Result<Option<LoginState>, StoreError> {
                    sqlx::query(sql::SELECT_LOGIN_STATE)
                        .bind(state)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::login_state)
                        .transpose()
                }

                async fn use_nonce(
                    &self,
                    registration_id: RegistrationId,
                    nonce: &str,
                    keep_until: i64,
                ) -> Result<bool, StoreError> {
                    let done = sqlx::query(sql::INSERT_NONCE)
                        .bind(registration_id)
                        .bind(nonce)
                        .bind(keep_until)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            let name = || format!("registration {registration_id}");
                            sql::classify(err, name, name)
                        })?;
                    Ok(done.rows_affected() == 1)
                }

                async fn use_nonce_and_read_state(
                    &self,
                    registration_id: RegistrationId,
                    nonce: &str,
                    keep_until: i64,
                    state: &str,
                ) -> Result<(bool, Option<LoginState>), StoreError> {
                    let mut conn = self.pool.acquire().await?;
                    let done = sqlx::query(sql::INSERT_NONCE)
                        .bind(registration_id)
                        .bind(nonce)
                        .bind(keep_until)
                        .execute(&mut *conn)
                        .await
                        .map_err(|err| {
                            let name = || format!("registration {registration_id}");
                            sql::classify(err, name, name)
                        })?;
                    if done.rows_affected() != 1 {
                        return Ok((false, None));
                    }
                    let login = sqlx::query(sql::SELECT_LOGIN_STATE)
                        .bind(state)
                        .fetch_optional(&mut *conn)
                        .await?
                        .as_ref()
                        .map(row::login_state)
                        .transpose()?;
                    Ok((true, login))
                }

                async fn start_session(
                    &self,
                    state: &str,
                    session: &Session,
                ) -> Result<(), StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let marked = sqlx::query(sql::MARK_LOGIN_STATE_USED)
                        .bind(state)
                        .execute(&mut *tx)
                        .await?;
                    if marked.rows_affected() != 1 {
                        // Dropping `tx` rolls back: nothing is written.
                        drop(tx);
                        return Err(match self.login_state(state).await? {
                            Some(_) => StoreError::AlreadyExists(format!(
                                "a session for login state {state:?}"
                            )),
                            None => StoreError::NotFound(format!("login state {state:?}")),
                        });
                    }
                    sqlx::query(sql::INSERT_SESSION)
                        .bind(&session.id)
                        .bind(&session.token_hash)
                        .bind(session.token_expires_at)
                        .bind(session.registration_id)
                        .bind(&session.deployment_id)
                        .bind(&session.context_id)
                        .bind(&session.user_sub)
                        .bind(sql::roles_to_text(session))
                        .bind(session.claims.to_string())
                        .bind(session.pending)
                        .bind(session.created_at)
                        .bind(session.expires_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(|err| {
                            sql::classify(
                                err,
                                || format!("session {:?}", session.id),
                                || {
                                    format!(
                                        "deployment {:?} of registration {}",
                                        session.deployment_id, session.registration_id
                                    )
                                },
                            )
                        })?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn session(&self, id: &str) -> Result<Option<Session>, StoreError> {
                    sqlx::query(sql::SELECT_SESSION)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::session)
                        .transpose()
                }

                async fn session_by_token(
                    &self,
                    token_hash: &str,
                ) -> Result<Option<Session>, StoreError> {
                    sqlx::query(sql::SELECT_SESSION_BY_TOKEN)
                        .bind(token_hash)
                        .fetch_optional(&self.pool)
                        .await?
                        .as_ref()
                        .map(row::session)
                        .transpose()
                }

                async fn activate_session(&self, id: &str) -> Result<bool, StoreError> {
                    let done = sqlx::query(sql::ACTIVATE_SESSION)
                        .bind(id)
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn tool_keys(&self) -> Result<Vec<ToolKey>, StoreError> {
                    sqlx::query(sql::SELECT_TOOL_KEYS)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(row::tool_key)
                        .collect()
                }

                async fn rotate_tool_keys(
                    &self,
                    new_next: &ToolKey,
                    now: i64,
                    drop_previous_before: i64,
                ) -> Result<(), StoreError> {
                    let mut tx = self.pool.begin().await?;
                    // Drop first, so the key retired below is kept whatever the cut-off.
                    sqlx::query(sql::DROP_OLD_PREVIOUS_KEYS)
                        .bind(drop_previous_before)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(sql::RETIRE_CURRENT_KEY)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(sql::PROMOTE_NEXT_KEY)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(sql::INSERT_TOOL_KEY)
                        .bind(&new_next.kid)
                        .bind(KeyStatus::Next.as_str())
                        .bind(&new_next.sealed_private_key)
                        .bind(&new_next.public_jwk)
                        .bind(new_next.created_at)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(|err| {
                            let name = || format!("tool key {:?}", new_next.kid);
                            sql::classify(err, name, name)
                        })?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn insert_tool_key(&self, key: &ToolKey) -> Result<(), StoreError> {
                    sqlx::query(sql::INSERT_TOOL_KEY)
                        .bind(&key.kid)
                        .bind(key.status.as_str())
                        .bind(&key.sealed_private_key)
                        .bind(&key.public_jwk)
                        .bind(key.created_at)
                        .bind(key.status_since)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| {
                            let name = || format!("tool key {:?}", key.kid);
                            sql::classify(err, name, name)
                        })?;
                    Ok(())
                }

                async fn purge_expired(&self, now: i64) -> Result<u64, StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let states = sqlx::query(sql::PURGE_LOGIN_STATES)
                        .bind(now - crate::launch::STATE_TTL_SECONDS)
                        .execute(&mut *tx)
                        .await?;
                    let nonces = sqlx::query(sql::PURGE_NONCES)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let sessions = sqlx::query(sql::PURGE_SESSIONS)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(states.rows_affected() + nonces.rows_affected() + sessions.rows_affected())
                }

                fn pool_state(&self) -> PoolState {
                    let size = self.pool.size();
                    let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
                    PoolState { size, idle }
                }

                fn api_rows(&self) -> std::sync::Arc<dyn crate::store::api_rows::ApiStore> {
                    std::sync::Arc::new(self.clone())
                }

                fn advantage(
                    &self,
                ) -> std::sync::Arc<dyn crate::store::advantage_rows::AdvantageStore> {
                    std::sync::Arc::new(self.clone())
                }

                fn records(&self) -> std::sync::Arc<dyn crate::store::records::RecordStore> {
                    std::sync::Arc::new(self.clone())
                }

                fn outbox(&self) -> std::sync::Arc<dyn crate::store::outbox::OutboxStore> {
                    std::sync::Arc::new(self.clone())
                }
            }
        }
    };
}

pub(super) use impl_store;
