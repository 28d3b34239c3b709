//! [`append_in_tx!`]: the write path's statements inside a transaction the caller holds,
//! shared by a single append and by a batch of learners (a gradebook import's confirm), so
//! both take the same compare-and-set on each learner's head and the same unique keys.

/// In the open transaction `$tx`: inserts the event (if `$event` is some) for `$scope`,
/// moves the learner's head from `$expected` by compare-and-set, inserts `$credentials` with
/// the event's seq and queues `$scores`. Evaluates to `Ok(seq)`, or `Err(conflict)` (an
/// [`AppendOutcome`](crate::store::records::AppendOutcome) saying which) when the caller must
/// roll back; store failures return from the enclosing function through `?`.
///
/// `guarded` (the SQLite group writer, which holds the write lock for the whole
/// transaction): the event is inserted only at the expected head and the head moved in the
/// same round trip (one query of two statements), so `HeadMoved` comes before any write; an
/// event whose head then did not move is a store error.
macro_rules! append_in_tx {
    ($tx:ident, $scope:expr, $expected:expr, $event:expr, $credentials:expr, $scores:expr, $now:expr) => {
        crate::store::sql_records_append::append_in_tx!(
            $tx,
            $scope,
            $expected,
            $event,
            $credentials,
            $scores,
            $now,
            false
        )
    };
    ($tx:ident, $scope:expr, $expected:expr, $event:expr, $credentials:expr, $scores:expr, $now:expr, $guarded:expr) => {
        'append: {
            let s: &LearnerScope = $scope;
            let guarded: bool = $guarded;
            let expected: Option<LearnerHead> = $expected;
            let seq = if let Some(new) = $event {
                let body = serde_json::to_value(new.event)
                    .map_err(|err| StoreError::Corrupt(format!("cannot write the event: {err}")))?;
                let statement = match (guarded, expected) {
                    (false, _) => q::INSERT_EVENT,
                    (true, Some(_)) => q::INSERT_EVENT_MOVING_HEAD,
                    (true, None) => q::INSERT_FIRST_EVENT_AND_HEAD,
                };
                let mut insert = crate::store::sql_records::bind_new_event!(
                    sqlx::query(statement),
                    s,
                    new,
                    body,
                    $now
                );
                if let (true, Some(head)) = (guarded, expected) {
                    insert = insert.bind(head.last_seq);
                }
                let classify = |err| {
                    let name = || format!("registration {}", s.registration_id);
                    sql::classify(err, name, name)
                };
                if guarded {
                    // The event and its head move in one round trip: no row when the head
                    // is not the one folded (nothing written), one from each statement.
                    let rows = insert.fetch_all(&mut *$tx).await.map_err(classify)?;
                    match rows.as_slice() {
                        [] => break 'append Err(AppendOutcome::HeadMoved),
                        [event, head]
                            if event.try_get::<i64, _>("seq")?
                                == head.try_get::<i64, _>("seq")? =>
                        {
                            event.try_get::<i64, _>("seq")?
                        }
                        _ => {
                            return Err(StoreError::Corrupt(format!(
                                "the head of {} did not move with its event inside the writer's \
                                 transaction",
                                q::learner_name(s)
                            )));
                        }
                    }
                } else {
                    let inserted = insert.fetch_one(&mut *$tx).await.map_err(classify)?;
                    let seq: i64 = inserted.try_get("seq")?;
                    let moved = match expected {
                        None => sqlx::query(q::INSERT_HEAD)
                            .bind(s.registration_id)
                            .bind(&s.context_id)
                            .bind(&s.learner_sub)
                            .bind(seq)
                            .execute(&mut *$tx)
                            .await?
                            .rows_affected(),
                        Some(head) => sqlx::query(q::MOVE_HEAD)
                            .bind(s.registration_id)
                            .bind(&s.context_id)
                            .bind(&s.learner_sub)
                            .bind(seq)
                            .bind(head.last_seq)
                            .execute(&mut *$tx)
                            .await?
                            .rows_affected(),
                    };
                    if moved != 1 {
                        break 'append Err(AppendOutcome::HeadMoved);
                    }
                    seq
                }
            } else {
                let Some(head) = expected else {
                    return Err(StoreError::NotFound(format!(
                        "events of {}",
                        q::learner_name(s)
                    )));
                };
                let held = sqlx::query(q::CHECK_HEAD)
                    .bind(s.registration_id)
                    .bind(&s.context_id)
                    .bind(&s.learner_sub)
                    .bind(head.last_seq)
                    .execute(&mut *$tx)
                    .await?;
                if held.rows_affected() != 1 {
                    break 'append Err(AppendOutcome::HeadMoved);
                }
                head.last_seq
            };
            for c in $credentials {
                let done = sqlx::query(q::INSERT_CREDENTIAL)
                    .bind(&c.id)
                    .bind(s.registration_id)
                    .bind(&s.context_id)
                    .bind(&s.learner_sub)
                    .bind(&c.definition_id)
                    .bind(&c.version)
                    .bind(c.cycle)
                    .bind(&c.issuer)
                    .bind(&c.key_id)
                    .bind(c.issued_at)
                    .bind(c.valid_until)
                    .bind(c.body.to_string())
                    .bind(seq)
                    .bind(&c.status_list_id)
                    .bind(c.status_index)
                    .bind($now)
                    .bind(c.suspension.as_ref().map(|(list, _)| list))
                    .bind(c.suspension.as_ref().map(|(_, index)| *index))
                    .execute(&mut *$tx)
                    .await;
                match done {
                    Ok(_) => {}
                    Err(err) if q::is_status_index_violation(&err) => {
                        break 'append Err(AppendOutcome::StatusIndexTaken);
                    }
                    Err(err) if q::is_unique_violation(&err) => {
                        break 'append Err(AppendOutcome::AlreadyIssued);
                    }
                    Err(err) => {
                        return Err(sql::classify(
                            err,
                            || format!("credential {}", c.id),
                            || {
                                format!(
                                    "issuer {:?}, key {:?} or status list {:?}",
                                    c.issuer, c.key_id, c.status_list_id
                                )
                            },
                        ));
                    }
                }
            }
            crate::store::sql_outbox::insert_scores!($tx, s, seq, $scores, $now, guarded);
            Ok::<i64, AppendOutcome>(seq)
        }
    };
}

pub(super) use append_in_tx;
