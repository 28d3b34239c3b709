//! The score outbox's store (`store/outbox.rs`, migration 0006) on SQLite (a file per test)
//! and PostgreSQL (a database per test in the cluster `CAIRN_TEST_POSTGRES_URL` names;
//! `cargo xtask postgres -- cargo test -p cairn-lti --test outbox_store`): rows written with
//! their event and only with it, once per state, timestamps strictly increasing per key,
//! claims exclusive and in order under a lease, parked rows listed and replayed, rows parked
//! for want of an AGS endpoint re-queued per context (latest state only), AGS endpoints and
//! line items kept.

#[path = "store_support/backends.rs"]
mod backends;
#[path = "store_support/learners.rs"]
mod learners;

use std::collections::BTreeSet;
use std::sync::Arc;

use cairn::event::{Event, EventKind};
use cairn::ids::DefinitionId;
use cairn::time::Timestamp;
use cairn_lti::store::Store;
use cairn_lti::store::outbox::{AgsEndpointRow, Finish, NewScore, OutboxRow};
use cairn_lti::store::records::{
    AppendOutcome, Author, LearnerHead, LearnerScope, NewEvent, RecordStore,
};
use learners::{registration, scope};
use serde_json::json;

backends::stories!(
    scores_are_queued_with_their_event_once_per_state,
    a_lost_race_queues_nothing,
    claims_are_exclusive_ordered_and_leased,
    parked_rows_are_listed_replayed_and_counted,
    endpoints_and_line_items_are_kept,
    rows_parked_for_want_of_an_endpoint_are_requeued_per_context,
    rows_ended_together_end_as_each_would_alone,
);

fn score(assessment: &str, state: &str, now_ms: i64) -> NewScore {
    NewScore {
        assessment_id: assessment.into(),
        state_key: state.into(),
        payload: json!({ "state": state }),
        now_ms,
    }
}

/// Appends an enrolment at `at` with `scores`.
async fn append(
    records: &dyn RecordStore,
    scope: &LearnerScope,
    expected: Option<LearnerHead>,
    at: i64,
    scores: &[NewScore],
) -> AppendOutcome {
    let event = Event {
        at: Timestamp::from_unix_seconds(at),
        kind: EventKind::Enrolled {
            credential: DefinitionId::new("spt"),
            offering: None,
            version: None,
        },
    };
    let meta = json!({});
    let author = Author {
        sub: "t".into(),
        role: "instructor".into(),
        deployment_id: "d1".into(),
        request_id: None,
    };
    let new = NewEvent {
        event: &event,
        meta: &meta,
        author: &author,
    };
    records
        .append_scored(scope, expected, Some(new), &[], scores, at)
        .await
        .expect("append")
}

/// Appends on the learner's current head.
async fn append_next(
    records: &dyn RecordStore,
    scope: &LearnerScope,
    at: i64,
    scores: &[NewScore],
) -> i64 {
    let head = records.learner_head(scope).await.unwrap();
    match append(records, scope, head, at, scores).await {
        AppendOutcome::Appended { seq } => seq,
        other => panic!("{other:?}"),
    }
}

fn of<'a>(rows: &'a [OutboxRow], state: &str) -> &'a OutboxRow {
    rows.iter()
        .find(|r| r.state_key == state)
        .unwrap_or_else(|| panic!("no row for {state}: {rows:?}"))
}

async fn scores_are_queued_with_their_event_once_per_state(store: &Arc<dyn Store>) {
    let (records, outbox) = (store.records(), store.outbox());
    let reg = registration(store.as_ref()).await;
    let ana = scope(reg, "ana");
    let seq = append_next(
        &*records,
        &ana,
        100,
        &[score("a1", "s1", 100_000), score("a2", "t1", 100_000)],
    )
    .await;
    let rows = outbox.learner_scores(reg, "course-1", "ana").await.unwrap();
    assert_eq!(rows.len(), 2);
    let s1 = of(&rows, "s1");
    assert_eq!((s1.status.as_str(), s1.event_seq), ("pending", seq));
    assert_eq!(s1.payload, json!({"state": "s1"}));
    assert_eq!(
        (s1.timestamp_ms, s1.next_try_ms, s1.tries),
        (100_000, 100_000, 0)
    );

    // The same state again (another event that changed nothing for a1): no new row.
    append_next(&*records, &ana, 101, &[score("a1", "s1", 101_000)]).await;
    let rows = outbox.learner_scores(reg, "course-1", "ana").await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");

    // A new state supersedes the unsent row; its timestamp is above the last even when the
    // clock went back.
    append_next(&*records, &ana, 102, &[score("a1", "s2", 50_000)]).await;
    let rows = outbox.learner_scores(reg, "course-1", "ana").await.unwrap();
    assert_eq!(of(&rows, "s1").status, "superseded");
    assert_eq!(of(&rows, "s1").reason.as_deref(), Some("newer_state"));
    assert_eq!(of(&rows, "s2").status, "pending");
    assert_eq!(of(&rows, "s2").timestamp_ms, 100_001);
    // Another assessment's row is untouched.
    assert_eq!(of(&rows, "t1").status, "pending");
    // Another learner's key is another sequence.
    let ben = scope(reg, "ben");
    append_next(&*records, &ben, 103, &[score("a1", "s1", 90_000)]).await;
    let ben_rows = outbox.learner_scores(reg, "course-1", "ben").await.unwrap();
    assert_eq!(of(&ben_rows, "s1").timestamp_ms, 90_000);
}

async fn a_lost_race_queues_nothing(store: &Arc<dyn Store>) {
    let (records, outbox) = (store.records(), store.outbox());
    let reg = registration(store.as_ref()).await;
    let ana = scope(reg, "ana");
    let head = records.learner_head(&ana).await.unwrap();
    append_next(&*records, &ana, 100, &[score("a1", "s1", 1)]).await;
    // A write folded on the old head loses: its event and its scores roll back together.
    let lost = append(&*records, &ana, head, 101, &[score("a1", "s2", 2)]).await;
    assert_eq!(lost, AppendOutcome::HeadMoved);
    let rows = outbox.learner_scores(reg, "course-1", "ana").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state_key, "s1");
    assert_eq!(rows[0].status, "pending");
}

async fn claims_are_exclusive_ordered_and_leased(store: &Arc<dyn Store>) {
    let (records, outbox) = (store.records(), store.outbox());
    let reg = registration(store.as_ref()).await;
    for (i, learner) in ["l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7"]
        .iter()
        .enumerate()
    {
        let at = 100 + i64::try_from(i).unwrap();
        append_next(
            &*records,
            &scope(reg, learner),
            at,
            &[score("a1", "s1", 1_000 + at)],
        )
        .await;
    }
    // Not yet due.
    assert!(
        outbox
            .claim_scores(999, 5_000, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // Two workers at once take disjoint rows, together all of them.
    let (a, b) = tokio::join!(
        outbox.claim_scores(2_000, 5_000, 5),
        outbox.claim_scores(2_000, 5_000, 5)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids_a: BTreeSet<i64> = a.iter().map(|r| r.id).collect();
    let ids_b: BTreeSet<i64> = b.iter().map(|r| r.id).collect();
    assert!(ids_a.is_disjoint(&ids_b), "{ids_a:?} {ids_b:?}");
    assert_eq!(ids_a.len() + ids_b.len(), 8);
    assert!(
        a.iter()
            .chain(&b)
            .all(|r| r.status == "sending" && r.tries == 1)
    );
    let sorted: Vec<i64> = a.iter().map(|r| r.timestamp_ms).collect();
    assert!(
        sorted.windows(2).all(|w| w[0] <= w[1]),
        "oldest first: {sorted:?}"
    );
    // Held rows are not claimed again until the lease runs out.
    assert!(
        outbox
            .claim_scores(4_999, 9_000, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let first = a[0].clone();
    assert!(
        outbox
            .finish_score(first.id, &Finish::Sent { now: 3 })
            .await
            .unwrap()
    );
    let again = outbox.claim_scores(5_000, 9_000, 100).await.unwrap();
    assert_eq!(
        again.len(),
        7,
        "expired leases come back, the sent row does not"
    );
    assert!(again.iter().all(|r| r.tries == 2));
    // The first holder's late answer is refused: the row is someone else's now.
    let second = again[0].clone();
    let late = outbox
        .finish_score(second.id, &Finish::Sent { now: 4 })
        .await;
    assert!(late.unwrap(), "the current holder ends it");
    assert!(
        !outbox
            .finish_score(second.id, &Finish::Sent { now: 5 })
            .await
            .unwrap()
    );
    assert!(
        !outbox
            .finish_score(first.id, &Finish::Sent { now: 5 })
            .await
            .unwrap()
    );

    // In order per key: a newer state waits while the older one is being sent.
    let ana = scope(reg, "ana");
    append_next(&*records, &ana, 200, &[score("a1", "s1", 10_000)]).await;
    let held = outbox.claim_scores(20_000, 30_000, 100).await.unwrap();
    let held = held
        .iter()
        .find(|r| r.learner_sub == "ana")
        .unwrap()
        .clone();
    append_next(&*records, &ana, 201, &[score("a1", "s2", 10_000)]).await;
    let rows = outbox.learner_scores(reg, "course-1", "ana").await.unwrap();
    assert_eq!(
        of(&rows, "s1").status,
        "sending",
        "a row in flight is not superseded"
    );
    let claimed = outbox.claim_scores(20_000, 30_000, 100).await.unwrap();
    assert!(
        claimed.iter().all(|r| r.learner_sub != "ana"),
        "{claimed:?}"
    );
    // Retried later: still blocks the newer one until it is due and sent.
    let retry = Finish::Retry {
        next_try_ms: 25_000,
        detail: "HTTP 503".into(),
    };
    assert!(outbox.finish_score(held.id, &retry).await.unwrap());
    assert!(
        outbox
            .claim_scores(24_000, 40_000, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let claimed = outbox.claim_scores(25_000, 40_000, 100).await.unwrap();
    assert_eq!(
        claimed
            .iter()
            .map(|r| r.state_key.as_str())
            .collect::<Vec<_>>(),
        ["s1"]
    );
    assert_eq!(claimed[0].tries, 2);
    assert!(
        outbox
            .finish_score(claimed[0].id, &Finish::Sent { now: 6 })
            .await
            .unwrap()
    );
    let s2 = outbox.claim_scores(25_000, 40_000, 100).await.unwrap();
    assert_eq!(
        s2.iter().map(|r| r.state_key.as_str()).collect::<Vec<_>>(),
        ["s2"]
    );
    assert!(s2[0].timestamp_ms > 10_000);
}

async fn parked_rows_are_listed_replayed_and_counted(store: &Arc<dyn Store>) {
    let (records, outbox) = (store.records(), store.outbox());
    let reg = registration(store.as_ref()).await;
    let stats = outbox.outbox_stats().await.unwrap();
    assert_eq!(
        (stats.depth, stats.parked, stats.oldest_pending_created_at),
        (0, 0, None)
    );
    append_next(&*records, &scope(reg, "ana"), 100, &[score("a1", "s1", 1)]).await;
    append_next(&*records, &scope(reg, "ben"), 150, &[score("a1", "s1", 1)]).await;
    let stats = outbox.outbox_stats().await.unwrap();
    assert_eq!(
        (stats.depth, stats.oldest_pending_created_at),
        (2, Some(100))
    );
    let claimed = outbox.claim_scores(10, 1_000, 100).await.unwrap();
    let park = Finish::Park {
        reason: "not_gradable_user".into(),
        detail: "HTTP 400: Incorrect score received".into(),
    };
    assert!(outbox.finish_score(claimed[0].id, &park).await.unwrap());
    let stats = outbox.outbox_stats().await.unwrap();
    assert_eq!((stats.depth, stats.parked), (1, 1));
    let parked = outbox.parked_scores(0, 10).await.unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].reason.as_deref(), Some("not_gradable_user"));
    assert!(
        parked[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("Incorrect score")
    );
    assert!(
        outbox
            .parked_scores(parked[0].id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Replay: pending again, due at the given instant, tries reset; only parked rows replay.
    assert!(outbox.replay_score(parked[0].id, 5_000).await.unwrap());
    assert!(!outbox.replay_score(parked[0].id, 5_000).await.unwrap());
    assert!(!outbox.replay_score(claimed[1].id, 5_000).await.unwrap());
    let row = outbox.score_row(parked[0].id).await.unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.tries, row.next_try_ms),
        ("pending", 0, 5_000)
    );
    assert_eq!(row.reason, None);
    assert!(outbox.score_row(999_999).await.unwrap().is_none());
    let stats = outbox.outbox_stats().await.unwrap();
    assert_eq!((stats.depth, stats.parked), (2, 0));
    // A bump moves the timestamp and makes the row due again.
    let bump = Finish::Bump {
        timestamp_ms: 7_777,
        next_try_ms: 6_000,
        detail: "HTTP 409".into(),
    };
    assert!(outbox.finish_score(claimed[1].id, &bump).await.unwrap());
    let row = outbox.score_row(claimed[1].id).await.unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.timestamp_ms, row.next_try_ms),
        ("pending", 7_777, 6_000)
    );
    assert_eq!(row.detail.as_deref(), Some("HTTP 409"));
}

async fn endpoints_and_line_items_are_kept(store: &Arc<dyn Store>) {
    let outbox = store.outbox();
    let reg = registration(store.as_ref()).await;
    assert!(
        outbox
            .ags_endpoint(reg, "course-1")
            .await
            .unwrap()
            .is_none()
    );
    let mut row = AgsEndpointRow {
        registration_id: reg,
        deployment_id: "d1".into(),
        context_id: "course-1".into(),
        resource_link_id: "rl-1".into(),
        lineitems: Some("https://lms.test/ags/lineitems?type_id=1".into()),
        lineitem: None,
        scopes: vec!["https://purl.imsglobal.org/spec/lti-ags/scope/score".into()],
        updated_at: 10,
    };
    outbox.put_ags_endpoint(&row).await.unwrap();
    assert_eq!(
        outbox.ags_endpoint(reg, "course-1").await.unwrap(),
        Some(row.clone())
    );
    // The latest launch wins; one without a container is not chosen.
    let mut newer = row.clone();
    newer.resource_link_id = "rl-2".into();
    newer.lineitems = Some("https://lms.test/ags/other".into());
    newer.updated_at = 20;
    outbox.put_ags_endpoint(&newer).await.unwrap();
    let mut bare = row.clone();
    bare.resource_link_id = "rl-3".into();
    bare.lineitems = None;
    bare.updated_at = 30;
    outbox.put_ags_endpoint(&bare).await.unwrap();
    assert_eq!(
        outbox.ags_endpoint(reg, "course-1").await.unwrap(),
        Some(newer)
    );
    row.updated_at = 40;
    outbox.put_ags_endpoint(&row).await.unwrap();
    assert_eq!(
        outbox.ags_endpoint(reg, "course-1").await.unwrap(),
        Some(row)
    );
    assert!(
        outbox
            .ags_endpoint(reg, "course-2")
            .await
            .unwrap()
            .is_none()
    );

    assert_eq!(outbox.line_item(reg, "course-1", "a1").await.unwrap(), None);
    let url = "https://lms.test/ags/lineitems/11/lineitem?type_id=1";
    outbox
        .put_line_item(reg, "course-1", "a1", url, 5)
        .await
        .unwrap();
    assert_eq!(
        outbox
            .line_item(reg, "course-1", "a1")
            .await
            .unwrap()
            .as_deref(),
        Some(url)
    );
    outbox
        .put_line_item(reg, "course-1", "a1", "https://x.test/2", 6)
        .await
        .unwrap();
    assert_eq!(
        outbox
            .line_item(reg, "course-1", "a1")
            .await
            .unwrap()
            .as_deref(),
        Some("https://x.test/2")
    );
    outbox
        .forget_line_item(reg, "course-1", "a1")
        .await
        .unwrap();
    assert_eq!(outbox.line_item(reg, "course-1", "a1").await.unwrap(), None);
}

/// Parks every claimable row of the store with `reason`.
async fn park_all(store: &Arc<dyn Store>, now_ms: i64, reason: &str) -> Vec<OutboxRow> {
    let outbox = store.outbox();
    let claimed = outbox
        .claim_scores(now_ms, now_ms + 1_000, 100)
        .await
        .unwrap();
    for row in &claimed {
        let park = Finish::Park {
            reason: reason.into(),
            detail: "no launch carried an AGS endpoint".into(),
        };
        assert!(outbox.finish_score(row.id, &park).await.unwrap());
    }
    claimed
}

async fn rows_parked_for_want_of_an_endpoint_are_requeued_per_context(store: &Arc<dyn Store>) {
    let (records, outbox) = (store.records(), store.outbox());
    let reg = registration(store.as_ref()).await;
    let other_course = LearnerScope {
        context_id: "course-2".into(),
        ..scope(reg, "ana")
    };
    // ana: two states of a1 parked one after the other (the older first), one of a2; ben's a1
    // parked for another reason; ana's a1 in course-2 parked for want of an endpoint too.
    append_next(&*records, &scope(reg, "ana"), 100, &[score("a1", "s1", 1)]).await;
    park_all(store, 10, "no_ags_endpoint").await;
    append_next(
        &*records,
        &scope(reg, "ana"),
        110,
        &[score("a1", "s2", 20), score("a2", "s1", 20)],
    )
    .await;
    append_next(&*records, &other_course, 120, &[score("a1", "s1", 20)]).await;
    park_all(store, 30, "no_ags_endpoint").await;
    append_next(&*records, &scope(reg, "ben"), 130, &[score("a1", "s1", 40)]).await;
    park_all(store, 50, "not_gradable_user").await;
    assert_eq!(outbox.outbox_stats().await.unwrap().parked, 5);

    let requeued = outbox
        .requeue_parked(reg, "course-1", "no_ags_endpoint", 9_000)
        .await
        .unwrap();
    assert_eq!(requeued, 2, "ana's latest a1 and her a2");
    let ana = outbox.learner_scores(reg, "course-1", "ana").await.unwrap();
    let a1: Vec<_> = ana.iter().filter(|r| r.assessment_id == "a1").collect();
    assert_eq!(
        a1.iter()
            .map(|r| (r.state_key.as_str(), r.status.as_str()))
            .collect::<Vec<_>>(),
        [("s1", "superseded"), ("s2", "pending")]
    );
    assert_eq!(a1[0].reason.as_deref(), Some("newer_state"));
    let fresh = a1[1];
    assert_eq!((fresh.tries, fresh.next_try_ms), (0, 9_000));
    assert_eq!((fresh.reason.as_ref(), fresh.detail.as_ref()), (None, None));
    let a2 = ana.iter().find(|r| r.assessment_id == "a2").unwrap();
    assert_eq!(a2.status, "pending");
    // Another context and another reason stay parked.
    let elsewhere = outbox.learner_scores(reg, "course-2", "ana").await.unwrap();
    assert_eq!(elsewhere[0].status, "parked");
    let ben = outbox.learner_scores(reg, "course-1", "ben").await.unwrap();
    assert_eq!(ben[0].reason.as_deref(), Some("not_gradable_user"));
    let stats = outbox.outbox_stats().await.unwrap();
    assert_eq!((stats.depth, stats.parked), (2, 2));
    // Nothing left to re-queue; the re-queued rows are claimable again.
    assert_eq!(
        outbox
            .requeue_parked(reg, "course-1", "no_ags_endpoint", 9_000)
            .await
            .unwrap(),
        0
    );
    let claimed = outbox.claim_scores(9_000, 10_000, 100).await.unwrap();
    assert_eq!(claimed.len(), 2);
}

/// [`finish_scores`](cairn_lti::store::outbox::OutboxStore::finish_scores) ends several
/// claimed rows in one transaction, each as `finish_score` would: parked with its reason,
/// sent; a row no longer `sending` is answered false and left as it is.
async fn rows_ended_together_end_as_each_would_alone(store: &Arc<dyn Store>) {
    let (records, outbox) = (store.records(), store.outbox());
    let reg = registration(store.as_ref()).await;
    for learner in ["ana", "ben", "cy"] {
        append_next(
            &*records,
            &scope(reg, learner),
            100,
            &[score("a1", "s1", 1)],
        )
        .await;
    }
    let claimed = outbox.claim_scores(10, 1_000, 100).await.unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(
        outbox
            .finish_score(claimed[2].id, &Finish::Sent { now: 5 })
            .await
            .unwrap()
    );
    let park = Finish::Park {
        reason: "no_ags_endpoint".into(),
        detail: "no line item container".into(),
    };
    let ended = outbox
        .finish_scores(&[
            (claimed[0].id, park.clone()),
            (claimed[1].id, Finish::Sent { now: 6 }),
            (claimed[2].id, park),
        ])
        .await
        .unwrap();
    assert_eq!(ended, vec![true, true, false]);
    let parked = outbox.parked_scores(0, 10).await.unwrap();
    assert_eq!(
        parked.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![claimed[0].id]
    );
    assert_eq!(parked[0].reason.as_deref(), Some("no_ags_endpoint"));
    let stats = outbox.outbox_stats().await.unwrap();
    assert_eq!((stats.depth, stats.parked), (0, 1));
}
