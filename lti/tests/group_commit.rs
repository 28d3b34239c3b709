//! Appends that arrive together (issue 10's throughput): on SQLite one writer commits them
//! in one transaction (`store/sqlite_writer.rs`), on PostgreSQL each commits alone; on both,
//! a refused append in the crowd leaves the others committed (its scores and credentials
//! too, though the SQLite writer sends them in one query with its event), and concurrent
//! appends to one learner stay a chain. Every story runs on SQLite and on PostgreSQL (`cargo xtask postgres
//! -- cargo test -p cairn-lti --test group_commit`).

#[path = "store_support/backends.rs"]
mod backends;
#[path = "store_support/issuance_rows.rs"]
mod issuance_rows;
#[path = "store_support/learners.rs"]
mod learners;

use std::collections::BTreeSet;
use std::sync::Arc;

use cairn::event::Event;
use cairn_lti::store::Store;
use cairn_lti::store::outbox::NewScore;
use cairn_lti::store::records::{
    AppendOutcome, Author, LearnerHead, LearnerScope, NewCredential, NewEvent, RecordStore,
};
use issuance_rows::{issuer, new_credential};
use learners::{enrolled, registration, scope};
use serde_json::json;

backends::stories!(
    a_refused_append_among_many_leaves_the_others_committed,
    concurrent_appends_to_one_learner_stay_one_chain,
    scores_in_a_crowd_follow_their_event_or_nothing,
);

/// Appends an event noted `note` on `expected` with `credentials`.
async fn append(
    records: &dyn RecordStore,
    scope: &LearnerScope,
    expected: Option<LearnerHead>,
    note: i64,
    credentials: &[NewCredential],
) -> AppendOutcome {
    let (event, meta, author) = noted(note);
    let new = NewEvent {
        event: &event,
        meta: &meta,
        author: &author,
    };
    records
        .append(scope, expected, Some(new), credentials, 1_000)
        .await
        .expect("the store answers")
}

/// The event noted `note`, its meta and its author, as every append here writes them.
fn noted(note: i64) -> (Event, serde_json::Value, Author) {
    let author = Author {
        sub: "teacher-1".into(),
        role: "instructor".into(),
        deployment_id: "d1".into(),
        request_id: Some(format!("req-{note}")),
    };
    (enrolled(100 + note), json!({ "note": note }), author)
}

/// What one of the crowd sends, and what it must get.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Sent {
    /// A first event of a fresh learner, some with a credential: committed.
    Fresh { credential: bool },
    /// A second credential of the same issuance key: refused, nothing written.
    SameKey,
    /// A credential on a status index already taken: refused, nothing written.
    TakenIndex,
    /// An event on a head that moved: refused, nothing written.
    StaleHead,
}

async fn a_refused_append_among_many_leaves_the_others_committed(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref()).await;
    let (_, key, list) = issuer(&*records, reg, "iss1").await;
    // Ana holds the credential at index 7; Ben has two events (his first head is stale).
    let ana = scope(reg, "ana");
    let first = [new_credential("ana-0", 0, &key, &list, 7)];
    assert!(matches!(
        append(&*records, &ana, None, 0, &first).await,
        AppendOutcome::Appended { .. }
    ));
    let ben = scope(reg, "ben");
    assert!(matches!(
        append(&*records, &ben, None, 0, &[]).await,
        AppendOutcome::Appended { .. }
    ));
    let stale = records.learner_head(&ben).await.unwrap();
    assert!(matches!(
        append(&*records, &ben, stale, 1, &[]).await,
        AppendOutcome::Appended { .. }
    ));
    let ana_head = records.learner_head(&ana).await.unwrap();

    // The crowd: sent at once, so the SQLite writer takes many of them in one transaction,
    // the refused ones in the middle.
    let mut crowd = Vec::new();
    for i in 0..40_i64 {
        let sent = match i {
            10 => Sent::SameKey,
            20 => Sent::TakenIndex,
            30 => Sent::StaleHead,
            _ => Sent::Fresh {
                credential: i % 3 == 0,
            },
        };
        let records = Arc::clone(&records);
        let (key, list) = (key.clone(), list.clone());
        let (ana, ben) = (ana.clone(), ben.clone());
        crowd.push(tokio::spawn(async move {
            let got = match sent {
                Sent::Fresh { credential: with } => {
                    let learner = scope(reg, &format!("learner-{i}"));
                    let credentials: Vec<_> = with
                        .then(|| new_credential(&format!("c-{i}"), 0, &key, &list, 100 + i))
                        .into_iter()
                        .collect();
                    append(&*records, &learner, None, i, &credentials).await
                }
                Sent::SameKey => {
                    let again = [new_credential("ana-again", 0, &key, &list, 8)];
                    append(&*records, &ana, ana_head, i, &again).await
                }
                Sent::TakenIndex => {
                    let taken = [new_credential("taken", 0, &key, &list, 7)];
                    append(&*records, &scope(reg, "cleo"), None, i, &taken).await
                }
                Sent::StaleHead => append(&*records, &ben, stale, i, &[]).await,
            };
            (i, sent, got)
        }));
    }
    let mut committed = 0;
    for task in crowd {
        let (i, sent, got) = task.await.expect("the task ends");
        let expected = match sent {
            Sent::Fresh { .. } => {
                committed += 1;
                assert!(
                    matches!(got, AppendOutcome::Appended { .. }),
                    "{i}: {got:?}"
                );
                continue;
            }
            Sent::SameKey => AppendOutcome::AlreadyIssued,
            Sent::TakenIndex => AppendOutcome::StatusIndexTaken,
            Sent::StaleHead => AppendOutcome::HeadMoved,
        };
        assert_eq!(got, expected, "{i} ({sent:?})");
    }
    assert_eq!(committed, 37);

    // Every committed append is there with its credential; the refused wrote nothing.
    for i in (0..40_i64).filter(|i| ![10, 20, 30].contains(i)) {
        let learner = scope(reg, &format!("learner-{i}"));
        let (log, head) = records.learner_log(&learner).await.unwrap();
        assert_eq!(log.len(), 1, "learner-{i}");
        assert_eq!(log[0].meta, json!({ "note": i }));
        assert_eq!(head.map(|h| h.last_seq), Some(log[0].seq));
        let held = records.learner_credentials(&learner).await.unwrap();
        let want: Vec<String> = if i % 3 == 0 {
            vec![format!("c-{i}")]
        } else {
            Vec::new()
        };
        let got: Vec<String> = held.iter().map(|c| c.id.clone()).collect();
        assert_eq!(got, want, "learner-{i}");
        if let Some(c) = held.first() {
            assert_eq!(c.event_seq, log[0].seq);
        }
    }
    assert_eq!(records.learner_log(&ana).await.unwrap().0.len(), 1);
    assert_eq!(records.learner_credentials(&ana).await.unwrap().len(), 1);
    assert_eq!(records.learner_log(&ben).await.unwrap().0.len(), 2);
    let cleo = scope(reg, "cleo");
    assert_eq!(
        records.learner_log(&cleo).await.unwrap(),
        (Vec::new(), None)
    );
    assert!(records.credential("taken").await.unwrap().is_none());
    assert!(records.credential("ana-again").await.unwrap().is_none());
}

async fn concurrent_appends_to_one_learner_stay_one_chain(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref()).await;
    let ana = scope(reg, "ana");
    let writers = 24_i64;
    // Each writer folds the head it reads and appends on it, reading again after a lost race.
    let tasks: Vec<_> = (0..writers)
        .map(|note| {
            let records = Arc::clone(&records);
            let ana = ana.clone();
            tokio::spawn(async move {
                let mut lost = 0;
                loop {
                    let head = records.learner_head(&ana).await.unwrap();
                    match append(&*records, &ana, head, note, &[]).await {
                        AppendOutcome::Appended { seq } => return (seq, head, lost),
                        AppendOutcome::HeadMoved => lost += 1,
                        other => panic!("unexpected {other:?}"),
                    }
                    assert!(lost < 10_000, "writer {note} never won");
                }
            })
        })
        .collect();
    let mut wins = Vec::new();
    for task in tasks {
        wins.push(task.await.expect("the task ends"));
    }
    let (log, head) = records.learner_log(&ana).await.unwrap();
    assert_eq!(log.len(), usize::try_from(writers).unwrap());
    assert_eq!(head.map(|h| h.event_count), Some(writers));
    assert_eq!(head.map(|h| h.last_seq), log.last().map(|e| e.seq));
    // Every writer's event once, in seq order, and each appended on the event before it.
    let notes: BTreeSet<i64> = log
        .iter()
        .map(|e| e.meta["note"].as_i64().expect("note"))
        .collect();
    assert_eq!(notes, (0..writers).collect());
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    for (seq, on, _) in &wins {
        let at = log.iter().position(|e| e.seq == *seq).expect("in the log");
        let before = at.checked_sub(1).map(|b| log[b].seq);
        assert_eq!(
            on.map(|h| h.last_seq),
            before,
            "event {seq} was appended on its head"
        );
    }
}

/// A score for `state` of assessment `quiz`.
fn score(state: &str) -> NewScore {
    NewScore {
        assessment_id: "quiz".into(),
        state_key: state.into(),
        payload: json!({ "scoreGiven": 1 }),
        now_ms: 5_000,
    }
}

async fn scores_in_a_crowd_follow_their_event_or_nothing(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref()).await;
    let (_, key, list) = issuer(&*records, reg, "iss1").await;
    // Dan's first head goes stale: a second event moves it.
    let dan = scope(reg, "dan");
    assert!(matches!(
        append(&*records, &dan, None, 0, &[]).await,
        AppendOutcome::Appended { .. }
    ));
    let stale = records.learner_head(&dan).await.unwrap();
    assert!(matches!(
        append(&*records, &dan, stale, 1, &[]).await,
        AppendOutcome::Appended { .. }
    ));

    // Sent at once, so the SQLite writer takes many in one transaction: each fresh learner
    // with two scores (and every third a credential), Dan on his stale head with a score and
    // a credential in the middle.
    let mut crowd = Vec::new();
    for i in 0..30_i64 {
        let records = Arc::clone(&records);
        let (key, list, dan) = (key.clone(), list.clone(), dan.clone());
        crowd.push(tokio::spawn(async move {
            let (learner, expected, credentials, scores) = if i == 15 {
                let credential = new_credential("dan-c", 0, &key, &list, 500);
                (dan, stale, vec![credential], vec![score("dan-stale")])
            } else {
                let credentials: Vec<_> = (i % 3 == 0)
                    .then(|| new_credential(&format!("c-{i}"), 0, &key, &list, 100 + i))
                    .into_iter()
                    .collect();
                let scores = vec![score(&format!("a-{i}")), score(&format!("b-{i}"))];
                (
                    scope(reg, &format!("learner-{i}")),
                    None,
                    credentials,
                    scores,
                )
            };
            let (event, meta, author) = noted(i);
            let new = NewEvent {
                event: &event,
                meta: &meta,
                author: &author,
            };
            let got = records
                .append_scored(&learner, expected, Some(new), &credentials, &scores, 1_000)
                .await
                .expect("the store answers");
            (i, got)
        }));
    }
    for task in crowd {
        let (i, got) = task.await.expect("the task ends");
        if i == 15 {
            assert_eq!(got, AppendOutcome::HeadMoved);
        } else {
            assert!(
                matches!(got, AppendOutcome::Appended { .. }),
                "{i}: {got:?}"
            );
        }
    }

    let outbox = store.outbox();
    for i in (0..30_i64).filter(|i| *i != 15) {
        let learner = scope(reg, &format!("learner-{i}"));
        let (log, _) = records.learner_log(&learner).await.unwrap();
        assert_eq!(log.len(), 1, "learner-{i}");
        let rows = outbox
            .learner_scores(reg, &learner.context_id, &learner.learner_sub)
            .await
            .unwrap();
        let states: Vec<&str> = rows.iter().map(|r| r.state_key.as_str()).collect();
        assert_eq!(states, [format!("a-{i}"), format!("b-{i}")], "learner-{i}");
        // The second state supersedes the first; both carry their event's seq.
        assert_eq!(rows[0].status, "superseded", "learner-{i}");
        assert_eq!(rows[1].status, "pending", "learner-{i}");
        assert!(
            rows.iter().all(|r| r.event_seq == log[0].seq),
            "learner-{i}"
        );
        let held = records.learner_credentials(&learner).await.unwrap();
        assert_eq!(held.len(), usize::from(i % 3 == 0), "learner-{i}");
        assert!(
            held.iter().all(|c| c.event_seq == log[0].seq),
            "learner-{i}"
        );
    }
    // Dan's refused append left nothing: no third event, no score, no credential.
    assert_eq!(records.learner_log(&dan).await.unwrap().0.len(), 2);
    let dans = outbox
        .learner_scores(reg, &dan.context_id, &dan.learner_sub)
        .await
        .unwrap();
    assert!(dans.is_empty(), "{dans:?}");
    assert!(records.credential("dan-c").await.unwrap().is_none());
}
