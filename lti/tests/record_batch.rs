//! `RecordStore::append_batch` (a gradebook import's confirm) on SQLite and PostgreSQL: every
//! learner's events commit together, each moving that learner's head by compare-and-set; a
//! stale head on any learner rolls back every learner, including those already written in
//! the same transaction.

#[path = "store_support/backends.rs"]
mod backends;
#[path = "store_support/learners.rs"]
mod learners;

use std::sync::Arc;

use cairn::event::Event;
use cairn_lti::store::records::{
    AppendOutcome, Author, BatchOutcome, LearnerHead, LearnerScope, LearnerWrite, NewEvent,
};
use cairn_lti::store::{NewRegistration, PlatformFamily, Store};
use learners::{enrolled, scope};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_batch_is_all_or_nothing() {
    let db = backends::SqliteDb::new("batch_all_or_nothing").await;
    batch_is_all_or_nothing(&db.store).await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_batch_is_all_or_nothing() {
    let Some(db) = backends::PostgresDb::new("batch_all_or_nothing").await else {
        return;
    };
    batch_is_all_or_nothing(&db.store).await;
    db.finish().await;
}

fn write<'a>(
    scope: &'a LearnerScope,
    expected: Option<LearnerHead>,
    events: &'a [Event],
    meta: &'a serde_json::Value,
    author: &'a Author,
) -> LearnerWrite<'a> {
    LearnerWrite {
        scope,
        expected,
        events: events
            .iter()
            .map(|event| NewEvent {
                event,
                meta,
                author,
            })
            .collect(),
        credentials: &[],
        scores: &[],
    }
}

async fn batch_is_all_or_nothing(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = store
        .add_registration(
            &NewRegistration::example("https://canvas.example", "cairn", PlatformFamily::Canvas),
            1,
        )
        .await
        .expect("add a registration")
        .id;
    let (ana, ben) = (scope(reg, "ana"), scope(reg, "ben"));
    let author = Author {
        sub: "teacher-1".into(),
        role: "instructor".into(),
        deployment_id: "d1".into(),
        request_id: Some("req-1".into()),
    };
    let meta = json!({"import": "i1"});
    let first = [enrolled(100)];
    let BatchOutcome::Appended { .. } = records
        .append_batch(&[write(&ana, None, &first, &meta, &author)], 101)
        .await
        .expect("batch")
    else {
        panic!("a batch on the current heads commits")
    };
    let ana_head = records.learner_head(&ana).await.unwrap().expect("a head");

    // Two learners, two events for Ana and one for Ben: all commit, heads move per event.
    let two = [enrolled(200), enrolled(201)];
    let one = [enrolled(202)];
    let outcome = records
        .append_batch(
            &[
                write(&ana, Some(ana_head), &two, &meta, &author),
                write(&ben, None, &one, &meta, &author),
            ],
            203,
        )
        .await
        .expect("batch");
    let BatchOutcome::Appended { seqs } = outcome else {
        panic!("committed: {outcome:?}")
    };
    assert_eq!(seqs.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
    let (ana_log, ana_now) = records.learner_log(&ana).await.unwrap();
    assert_eq!(ana_log.len(), 3);
    assert_eq!(
        ana_now,
        Some(LearnerHead {
            last_seq: seqs[0][1],
            event_count: 3
        })
    );
    let ben_now = records.learner_head(&ben).await.unwrap();
    assert_eq!(ben_now.map(|h| h.last_seq), Some(seqs[1][0]));

    // Ben first on his current head, then Ana on a stale head: Ben's event, written first in
    // the same transaction, is rolled back with Ana's; neither head moves.
    let late = [enrolled(300)];
    let outcome = records
        .append_batch(
            &[
                write(&ben, ben_now, &late, &meta, &author),
                write(&ana, Some(ana_head), &late, &meta, &author),
            ],
            301,
        )
        .await
        .expect("batch");
    assert_eq!(
        outcome,
        BatchOutcome::Conflict {
            learner: 1,
            outcome: AppendOutcome::HeadMoved
        }
    );
    assert_eq!(records.learner_head(&ben).await.unwrap(), ben_now);
    assert_eq!(records.learner_head(&ana).await.unwrap(), ana_now);
    let (ben_log, _) = records.learner_log(&ben).await.unwrap();
    assert_eq!(ben_log.len(), 1, "nothing of the refused batch is stored");
    let (ana_log, _) = records.learner_log(&ana).await.unwrap();
    assert_eq!(ana_log.len(), 3);
}
