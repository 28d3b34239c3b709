//! The one implementation of [`OutboxStore`](super::outbox::OutboxStore) for both backends
//! (statements on migration 0006's tables, `$n` placeholders read by SQLite and PostgreSQL
//! alike; only the claim differs), [`impl_outbox_store!`] expanding it for a backend's pool,
//! and [`insert_scores!`], the outbox rows the event's transaction writes. The worker's bulk
//! writes (a claim, a row's ending) take the backend's write gate first: on SQLite they then
//! queue behind the group writer in this process rather than in SQLite's sleeping busy
//! handler (`sqlite_writer.rs`); PostgreSQL has none.

pub(super) const UPSERT_ENDPOINT: &str = "INSERT INTO ags_endpoints (registration_id, \
     deployment_id, context_id, resource_link_id, lineitems, lineitem, scopes, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (registration_id, deployment_id, \
     context_id, resource_link_id) DO UPDATE SET lineitems = $5, lineitem = $6, scopes = $7, \
     updated_at = $8";
pub(super) const SELECT_ENDPOINT: &str = "SELECT registration_id, deployment_id, context_id, \
     resource_link_id, lineitems, lineitem, scopes, updated_at FROM ags_endpoints \
     WHERE registration_id = $1 AND context_id = $2 AND lineitems IS NOT NULL \
     ORDER BY updated_at DESC, deployment_id, resource_link_id LIMIT 1";
pub(super) const SELECT_LINE_ITEM: &str = "SELECT lineitem FROM ags_line_items \
     WHERE registration_id = $1 AND context_id = $2 AND assessment_id = $3";
pub(super) const UPSERT_LINE_ITEM: &str = "INSERT INTO ags_line_items (registration_id, \
     context_id, assessment_id, lineitem, created_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (registration_id, context_id, assessment_id) DO UPDATE SET lineitem = $4, \
     created_at = $5";
pub(super) const DELETE_LINE_ITEM: &str = "DELETE FROM ags_line_items \
     WHERE registration_id = $1 AND context_id = $2 AND assessment_id = $3";

/// The statements `statements` (each numbering its parameters from `$1`) as one query: each
/// one's parameters numbered on from the ones before, each returning `id` (the row it
/// changed). Made from the constants above only.
pub(super) fn one_query<'s>(statements: impl Iterator<Item = &'s str>) -> String {
    let mut sql = String::new();
    let mut taken = 0;
    for statement in statements {
        if !sql.is_empty() {
            sql.push_str("; ");
        }
        taken += super::sqlite_writer_trip::push_shifted(&mut sql, statement, 0, taken);
        sql.push_str(" RETURNING id");
    }
    sql
}

/// The columns of an [`OutboxRow`](super::outbox::OutboxRow), in `row_of`'s order.
macro_rules! outbox_columns {
    () => {
        "id, registration_id, context_id, learner_sub, assessment_id, state_key, event_seq, \
         score, timestamp_ms, status, tries, next_try_ms, reason, detail, created_at, sent_at"
    };
}

/// The rows a worker may claim: due `pending` rows and `sending` rows whose lease ran out,
/// none while an older row of the same key is unsent; oldest timestamp first.
macro_rules! claimable {
    () => {
        "SELECT o.id FROM score_outbox o WHERE ((o.status = 'pending' AND o.next_try_ms <= $1) \
         OR (o.status = 'sending' AND o.lease_until_ms <= $1)) AND NOT EXISTS (SELECT 1 FROM \
         score_outbox p WHERE p.registration_id = o.registration_id AND p.context_id = \
         o.context_id AND p.assessment_id = o.assessment_id AND p.learner_sub = o.learner_sub \
         AND p.timestamp_ms < o.timestamp_ms AND p.status IN ('pending', 'sending')) \
         ORDER BY o.timestamp_ms, o.id LIMIT $3"
    };
}

/// SQLite: one `UPDATE … RETURNING`; SQLite serializes writers, so two workers never take
/// the same row.
pub(super) const CLAIM_SQLITE: &str = concat!(
    "UPDATE score_outbox SET status = 'sending', lease_until_ms = $2, tries = tries + 1 \
     WHERE id IN (",
    claimable!(),
    ") RETURNING ",
    outbox_columns!()
);
/// PostgreSQL: rows another worker holds are skipped, not waited for.
pub(super) const CLAIM_POSTGRES: &str = concat!(
    "UPDATE score_outbox SET status = 'sending', lease_until_ms = $2, tries = tries + 1 \
     WHERE id IN (",
    claimable!(),
    " FOR UPDATE OF o SKIP LOCKED) RETURNING ",
    outbox_columns!()
);

pub(super) const FINISH_SENT: &str = "UPDATE score_outbox SET status = 'sent', sent_at = $2, \
     lease_until_ms = NULL, reason = NULL, detail = NULL WHERE id = $1 AND status = 'sending'";
pub(super) const FINISH_RETRY: &str = "UPDATE score_outbox SET status = 'pending', \
     next_try_ms = $2, detail = $3, lease_until_ms = NULL WHERE id = $1 AND status = 'sending'";
pub(super) const FINISH_BUMP: &str = "UPDATE score_outbox SET status = 'pending', \
     timestamp_ms = $2, next_try_ms = $3, detail = $4, lease_until_ms = NULL \
     WHERE id = $1 AND status = 'sending'";
pub(super) const FINISH_STOP: &str = "UPDATE score_outbox SET status = $2, reason = $3, \
     detail = $4, lease_until_ms = NULL WHERE id = $1 AND status = 'sending'";
pub(super) const SELECT_PARKED: &str = concat!(
    "SELECT ",
    outbox_columns!(),
    " FROM score_outbox WHERE status = 'parked' AND id > $1 ORDER BY id LIMIT $2"
);
pub(super) const REPLAY: &str = "UPDATE score_outbox SET status = 'pending', next_try_ms = $2, \
     tries = 0, reason = NULL, detail = NULL WHERE id = $1 AND status = 'parked'";
/// Parked rows of a context for `$3` that a newer row of their key makes moot.
pub(super) const SUPERSEDE_PARKED_OLDER: &str = "UPDATE score_outbox SET status = 'superseded', \
     reason = 'newer_state', lease_until_ms = NULL WHERE registration_id = $1 AND context_id = $2 \
     AND status = 'parked' AND reason = $3 AND EXISTS (SELECT 1 FROM score_outbox n WHERE \
     n.registration_id = score_outbox.registration_id AND n.context_id = score_outbox.context_id \
     AND n.assessment_id = score_outbox.assessment_id AND n.learner_sub = \
     score_outbox.learner_sub AND n.timestamp_ms > score_outbox.timestamp_ms \
     AND n.status <> 'superseded')";
/// The remaining parked rows of a context for `$3`, back to `pending` and due at `$4`.
pub(super) const REQUEUE_PARKED: &str = "UPDATE score_outbox SET status = 'pending', \
     next_try_ms = $4, tries = 0, reason = NULL, detail = NULL WHERE registration_id = $1 \
     AND context_id = $2 AND status = 'parked' AND reason = $3";
pub(super) const SELECT_ROW: &str = concat!(
    "SELECT ",
    outbox_columns!(),
    " FROM score_outbox WHERE id = $1"
);
pub(super) const SELECT_LEARNER_ROWS: &str = concat!(
    "SELECT ",
    outbox_columns!(),
    " FROM score_outbox WHERE registration_id = $1 AND context_id = $2 AND learner_sub = $3 \
     ORDER BY id"
);
pub(super) const COUNT_DEPTH: &str =
    "SELECT COUNT(*) AS n FROM score_outbox WHERE status IN ('pending', 'sending')";
pub(super) const COUNT_PARKED: &str =
    "SELECT COUNT(*) AS n FROM score_outbox WHERE status = 'parked'";
pub(super) const OLDEST_UNSENT: &str = "SELECT MIN(created_at) AS oldest FROM score_outbox \
     WHERE status IN ('pending', 'sending')";

// Written in the event's transaction (see `insert_scores!`).
pub(super) const LAST_TIMESTAMP: &str = "SELECT MAX(timestamp_ms) AS last FROM score_outbox \
     WHERE registration_id = $1 AND context_id = $2 AND assessment_id = $3 AND learner_sub = $4";
pub(super) const INSERT_SCORE: &str = "INSERT INTO score_outbox (registration_id, context_id, \
     learner_sub, assessment_id, state_key, event_seq, score, timestamp_ms, status, tries, \
     next_try_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $10) \
     ON CONFLICT (registration_id, context_id, learner_sub, assessment_id, state_key) \
     DO NOTHING RETURNING id";
pub(super) const SUPERSEDE_UNSENT: &str = "UPDATE score_outbox SET status = 'superseded', \
     reason = 'newer_state' WHERE registration_id = $1 AND context_id = $2 AND assessment_id = $3 \
     AND learner_sub = $4 AND status = 'pending' AND id <> $5";

// The same three in one round trip, for the SQLite group writer (two statements in one
// query, `$n` naming the same argument in both; SQLite's two-argument `MAX`): the timestamp
// computed in the insert, and the supersede only when the insert wrote its row
// (`changes() = 1`), every unsent row of the key but that one (`last_insert_rowid()`).
pub(super) const INSERT_SCORE_SUPERSEDING: &str = "INSERT INTO score_outbox (registration_id, \
     context_id, learner_sub, assessment_id, state_key, event_seq, score, timestamp_ms, status, \
     tries, next_try_ms, created_at) SELECT $1, $2, $3, $4, $5, $6, $7, MAX($8, COALESCE(( \
     SELECT MAX(timestamp_ms) + 1 FROM score_outbox WHERE registration_id = $1 \
     AND context_id = $2 AND assessment_id = $4 AND learner_sub = $3), $8)), 'pending', 0, $8, \
     $9 WHERE TRUE ON CONFLICT (registration_id, context_id, learner_sub, assessment_id, \
     state_key) DO NOTHING; \
     UPDATE score_outbox SET status = 'superseded', reason = 'newer_state' \
     WHERE registration_id = $1 AND context_id = $2 AND assessment_id = $4 AND learner_sub = $3 \
     AND status = 'pending' AND id <> last_insert_rowid() AND changes() = 1";

/// Inserts `$scores` (a `&[NewScore]`) for `$scope` and event `$seq` on the open transaction
/// `$tx`: each new state gets `timestamp_ms = max(now_ms, last + 1)` and supersedes the unsent
/// rows of its key; a state already queued is left as it is. With `$one_trip` (the SQLite
/// group writer) each score is one round trip ([`INSERT_SCORE_SUPERSEDING`]), else three.
macro_rules! insert_scores {
    ($tx:ident, $scope:expr, $seq:expr, $scores:expr, $now:expr, $one_trip:expr) => {
        for score in $scores {
            if $one_trip {
                let s = $scope;
                sqlx::query(crate::store::sql_outbox::INSERT_SCORE_SUPERSEDING)
                    .bind(s.registration_id)
                    .bind(&s.context_id)
                    .bind(&s.learner_sub)
                    .bind(&score.assessment_id)
                    .bind(&score.state_key)
                    .bind($seq)
                    .bind(score.payload.to_string())
                    .bind(score.now_ms)
                    .bind($now)
                    .execute(&mut *$tx)
                    .await?;
                continue;
            }
            let s = $scope;
            let last: Option<i64> = sqlx::query_scalar(crate::store::sql_outbox::LAST_TIMESTAMP)
                .bind(s.registration_id)
                .bind(&s.context_id)
                .bind(&score.assessment_id)
                .bind(&s.learner_sub)
                .fetch_one(&mut *$tx)
                .await?;
            let timestamp_ms = last.map_or(score.now_ms, |last| score.now_ms.max(last + 1));
            let inserted: Option<i64> = sqlx::query_scalar(crate::store::sql_outbox::INSERT_SCORE)
                .bind(s.registration_id)
                .bind(&s.context_id)
                .bind(&s.learner_sub)
                .bind(&score.assessment_id)
                .bind(&score.state_key)
                .bind($seq)
                .bind(score.payload.to_string())
                .bind(timestamp_ms)
                .bind(score.now_ms)
                .bind($now)
                .fetch_optional(&mut *$tx)
                .await?;
            if let Some(id) = inserted {
                sqlx::query(crate::store::sql_outbox::SUPERSEDE_UNSENT)
                    .bind(s.registration_id)
                    .bind(&s.context_id)
                    .bind(&score.assessment_id)
                    .bind(&s.learner_sub)
                    .bind(id)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    };
}

pub(super) use insert_scores;

/// Implements [`OutboxStore`](crate::store::outbox::OutboxStore) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>`), claiming with `$claim`; with `$one_query` (SQLite, which takes
/// several statements with arguments in one query) a batch's rows end in one query.
macro_rules! impl_outbox_store {
    ($store:ident, $db:ty, $claim:expr, $one_query:expr) => {
        /// The [`OutboxStore`](crate::store::outbox::OutboxStore) trait for this backend.
        mod sql_outbox_store {
            use sqlx::Row as _;

            use super::$store;
            use crate::store::outbox::{
                AgsEndpointRow, Finish, OutboxRow, OutboxStats, OutboxStore, STATUS_PARKED,
                STATUS_SUPERSEDED,
            };
            use crate::store::{RegistrationId, StoreError, sql_api, sql_outbox as q};

            fn row_of(r: &<$db as sqlx::Database>::Row) -> Result<OutboxRow, StoreError> {
                let payload: String = r.try_get("score")?;
                Ok(OutboxRow {
                    id: r.try_get("id")?,
                    registration_id: r.try_get("registration_id")?,
                    context_id: r.try_get("context_id")?,
                    learner_sub: r.try_get("learner_sub")?,
                    assessment_id: r.try_get("assessment_id")?,
                    state_key: r.try_get("state_key")?,
                    event_seq: r.try_get("event_seq")?,
                    payload: sql_api::json(&payload, "an outbox row's score")?,
                    timestamp_ms: r.try_get("timestamp_ms")?,
                    status: r.try_get("status")?,
                    tries: r.try_get("tries")?,
                    next_try_ms: r.try_get("next_try_ms")?,
                    reason: r.try_get("reason")?,
                    detail: r.try_get("detail")?,
                    created_at: r.try_get("created_at")?,
                    sent_at: r.try_get("sent_at")?,
                })
            }

            /// The statement that ends a row as `finish` says (`$1` the row's id).
            fn finish_statement(finish: &Finish) -> &'static str {
                match finish {
                    Finish::Sent { .. } => q::FINISH_SENT,
                    Finish::Retry { .. } => q::FINISH_RETRY,
                    Finish::Bump { .. } => q::FINISH_BUMP,
                    Finish::Park { .. } | Finish::Superseded { .. } => q::FINISH_STOP,
                }
            }

            /// Binds [`finish_statement`]'s arguments, the row's id first.
            fn bind_finish<'q>(
                query: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
                id: i64,
                finish: &Finish,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
                let query = query.bind(id);
                match finish {
                    Finish::Sent { now } => query.bind(*now),
                    Finish::Retry {
                        next_try_ms,
                        detail,
                    } => query.bind(*next_try_ms).bind(detail.clone()),
                    Finish::Bump {
                        timestamp_ms,
                        next_try_ms,
                        detail,
                    } => query
                        .bind(*timestamp_ms)
                        .bind(*next_try_ms)
                        .bind(detail.clone()),
                    Finish::Park { reason, detail } => query
                        .bind(STATUS_PARKED)
                        .bind(reason.clone())
                        .bind(detail.clone()),
                    Finish::Superseded { reason, detail } => query
                        .bind(STATUS_SUPERSEDED)
                        .bind(reason.clone())
                        .bind(detail.clone()),
                }
            }

            /// The statement that ends row `id` as `finish` says.
            fn finish_query(
                id: i64,
                finish: &Finish,
            ) -> sqlx::query::Query<'_, $db, <$db as sqlx::Database>::Arguments> {
                bind_finish(sqlx::query(finish_statement(finish)), id, finish)
            }

            #[async_trait::async_trait]
            impl OutboxStore for $store {
                async fn put_ags_endpoint(&self, row: &AgsEndpointRow) -> Result<(), StoreError> {
                    let scopes = serde_json::to_string(&row.scopes).map_err(|err| {
                        StoreError::Corrupt(format!("cannot write AGS scopes: {err}"))
                    })?;
                    sqlx::query(q::UPSERT_ENDPOINT)
                        .bind(row.registration_id)
                        .bind(&row.deployment_id)
                        .bind(&row.context_id)
                        .bind(&row.resource_link_id)
                        .bind(&row.lineitems)
                        .bind(&row.lineitem)
                        .bind(scopes)
                        .bind(row.updated_at)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn ags_endpoint(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                ) -> Result<Option<AgsEndpointRow>, StoreError> {
                    let found = sqlx::query(q::SELECT_ENDPOINT)
                        .bind(registration_id)
                        .bind(context_id)
                        .fetch_optional(&self.pool)
                        .await?;
                    let Some(r) = found else { return Ok(None) };
                    let scopes: String = r.try_get("scopes")?;
                    let scopes = serde_json::from_str(&scopes).map_err(|err| {
                        StoreError::Corrupt(format!("AGS scopes of {context_id:?}: {err}"))
                    })?;
                    Ok(Some(AgsEndpointRow {
                        registration_id: r.try_get("registration_id")?,
                        deployment_id: r.try_get("deployment_id")?,
                        context_id: r.try_get("context_id")?,
                        resource_link_id: r.try_get("resource_link_id")?,
                        lineitems: r.try_get("lineitems")?,
                        lineitem: r.try_get("lineitem")?,
                        scopes,
                        updated_at: r.try_get("updated_at")?,
                    }))
                }

                async fn line_item(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    assessment_id: &str,
                ) -> Result<Option<String>, StoreError> {
                    Ok(sqlx::query_scalar(q::SELECT_LINE_ITEM)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(assessment_id)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn put_line_item(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    assessment_id: &str,
                    lineitem: &str,
                    now: i64,
                ) -> Result<(), StoreError> {
                    sqlx::query(q::UPSERT_LINE_ITEM)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(assessment_id)
                        .bind(lineitem)
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn forget_line_item(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    assessment_id: &str,
                ) -> Result<(), StoreError> {
                    sqlx::query(q::DELETE_LINE_ITEM)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(assessment_id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn claim_scores(
                    &self,
                    now_ms: i64,
                    lease_until_ms: i64,
                    limit: i64,
                ) -> Result<Vec<OutboxRow>, StoreError> {
                    // The connection first: the gate is held only while the statement runs,
                    // never while this waits for a busy pool.
                    let mut connection = self.pool.acquire().await?;
                    let _gate = self.write_gate().await;
                    let rows = sqlx::query($claim)
                        .bind(now_ms)
                        .bind(lease_until_ms)
                        .bind(limit.max(0))
                        .fetch_all(&mut *connection)
                        .await?;
                    let mut claimed = rows.iter().map(row_of).collect::<Result<Vec<_>, _>>()?;
                    claimed.sort_by_key(|row| (row.timestamp_ms, row.id));
                    Ok(claimed)
                }

                async fn finish_score(&self, id: i64, finish: &Finish) -> Result<bool, StoreError> {
                    let mut connection = self.pool.acquire().await?;
                    let _gate = self.write_gate().await;
                    Ok(finish_query(id, finish)
                        .execute(&mut *connection)
                        .await?
                        .rows_affected()
                        == 1)
                }

                async fn finish_scores(
                    &self,
                    done: &[(i64, Finish)],
                ) -> Result<Vec<bool>, StoreError> {
                    let mut connection = self.pool.acquire().await?;
                    let _gate = self.write_gate().await;
                    if $one_query && done.len() > 1 {
                        // One query of one statement per row, each returning its row's id
                        // when it ended it: one hand-off to the connection, not one per row.
                        let statements = done.iter().map(|(_, finish)| finish_statement(finish));
                        let sql = q::one_query(statements);
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for (id, finish) in done {
                            query = bind_finish(query, *id, finish);
                        }
                        let mut tx = sqlx::Connection::begin(&mut *connection).await?;
                        let rows = query.fetch_all(&mut *tx).await?;
                        tx.commit().await?;
                        let ended = rows
                            .iter()
                            .map(|r| r.try_get::<i64, _>("id"))
                            .collect::<Result<std::collections::HashSet<i64>, _>>()?;
                        return Ok(done.iter().map(|(id, _)| ended.contains(id)).collect());
                    }
                    let mut tx = sqlx::Connection::begin(&mut *connection).await?;
                    let mut ended = Vec::with_capacity(done.len());
                    for (id, finish) in done {
                        let query = finish_query(*id, finish);
                        ended.push(query.execute(&mut *tx).await?.rows_affected() == 1);
                    }
                    tx.commit().await?;
                    Ok(ended)
                }

                async fn parked_scores(
                    &self,
                    after: i64,
                    limit: i64,
                ) -> Result<Vec<OutboxRow>, StoreError> {
                    let rows = sqlx::query(q::SELECT_PARKED)
                        .bind(after)
                        .bind(limit.max(0))
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter().map(row_of).collect()
                }

                async fn replay_score(&self, id: i64, now_ms: i64) -> Result<bool, StoreError> {
                    let done = sqlx::query(q::REPLAY)
                        .bind(id)
                        .bind(now_ms)
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn requeue_parked(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    reason: &str,
                    now_ms: i64,
                ) -> Result<u64, StoreError> {
                    let mut tx = self.pool.begin().await?;
                    sqlx::query(q::SUPERSEDE_PARKED_OLDER)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(reason)
                        .execute(&mut *tx)
                        .await?;
                    let done = sqlx::query(q::REQUEUE_PARKED)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(reason)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(done.rows_affected())
                }

                async fn score_row(&self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
                    let found = sqlx::query(q::SELECT_ROW)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    found.as_ref().map(row_of).transpose()
                }

                async fn learner_scores(
                    &self,
                    registration_id: RegistrationId,
                    context_id: &str,
                    learner_sub: &str,
                ) -> Result<Vec<OutboxRow>, StoreError> {
                    let rows = sqlx::query(q::SELECT_LEARNER_ROWS)
                        .bind(registration_id)
                        .bind(context_id)
                        .bind(learner_sub)
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter().map(row_of).collect()
                }

                async fn outbox_stats(&self) -> Result<OutboxStats, StoreError> {
                    let depth: i64 = sqlx::query_scalar(q::COUNT_DEPTH)
                        .fetch_one(&self.pool)
                        .await?;
                    let parked: i64 = sqlx::query_scalar(q::COUNT_PARKED)
                        .fetch_one(&self.pool)
                        .await?;
                    let oldest: Option<i64> = sqlx::query_scalar(q::OLDEST_UNSENT)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(OutboxStats {
                        depth,
                        parked,
                        oldest_pending_created_at: oldest,
                    })
                }
            }
        }
    };
}

pub(super) use impl_outbox_store;
