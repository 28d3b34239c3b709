//! The record store story suite (issue 10): definitions, the event log and its head, issuers
//! and keys, status lists and credentials, on SQLite (a file per test) and on PostgreSQL (a
//! database per test in the cluster `CAIRN_TEST_POSTGRES_URL` names; `cargo xtask postgres --
//! cargo test -p cairn-lti --test record_store`). Every story runs on both backends.

#[path = "store_support/backends.rs"]
mod backends;
#[path = "store_support/issuance_rows.rs"]
mod issuance_rows;
#[path = "store_support/learners.rs"]
mod learners;

use std::sync::Arc;

use cairn::definition::CredentialDefinition;
use cairn_lti::store::records::{
    AppendOutcome, Author, DefinitionRow, DefinitionStatus, IssuerKeyRow, IssuerKeyStatus,
    IssuerRow, LearnerHead, LearnerScope, NewCredential, NewEvent, RecordStore, StatusChange,
    StatusListRow, StatusPurpose,
};
use cairn_lti::store::{NewRegistration, PlatformFamily, Store, StoreError};
use issuance_rows::{issuer, new_credential};
use learners::{enrolled, scope};
use serde_json::json;

backends::stories!(
    definitions_are_immutable_once_published,
    append_moves_the_head_by_compare_and_set,
    concurrent_appends_on_one_head_commit_one_each_round,
    credentials_are_issued_once_with_their_event,
    status_changes_touch_only_the_status_columns,
    issuer_rotation_keeps_old_keys,
    a_registration_with_records_is_not_removed,
    learners_are_paged_and_tenants_kept_apart,
);

const SCENARIO: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/scenarios/spt-01-first-attempt-pass.json"
));

/// The scenario's first definition.
fn definition() -> CredentialDefinition {
    let scenario: serde_json::Value = serde_json::from_str(SCENARIO).expect("scenario JSON");
    serde_json::from_value(scenario["definitions"][0].clone()).expect("a core definition")
}

async fn registration(store: &dyn Store, issuer: &str) -> i64 {
    let added = store
        .add_registration(
            &NewRegistration {
                issuer: issuer.into(),
                client_id: "cairn".into(),
                auth_endpoint: format!("{issuer}/auth"),
                token_endpoint: format!("{issuer}/token"),
                jwks_url: format!("{issuer}/jwks"),
                client_assertion_audience: None,
                platform_family: PlatformFamily::Canvas,
                auto_register_deployments: false,
                allow_http: false,
            },
            1,
        )
        .await
        .expect("add a registration");
    added.id
}

fn author() -> Author {
    Author {
        sub: "teacher-1".into(),
        role: "instructor".into(),
        deployment_id: "d1".into(),
        request_id: Some("req-1".into()),
    }
}

/// Appends an enrolment on `expected`, with no credential.
async fn append_event(
    records: &dyn RecordStore,
    scope: &LearnerScope,
    expected: Option<LearnerHead>,
    at: i64,
) -> AppendOutcome {
    let event = enrolled(at);
    let meta = json!({ "note": at });
    let author = author();
    let new = NewEvent {
        event: &event,
        meta: &meta,
        author: &author,
    };
    records
        .append(scope, expected, Some(new), &[], at + 1)
        .await
        .expect("append")
}

async fn definitions_are_immutable_once_published(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref(), "https://canvas.example").await;
    let mut body = definition();
    let row = DefinitionRow {
        registration_id: reg,
        context_id: "course-1".into(),
        definition_id: body.id.as_str().into(),
        version: body.version.clone(),
        body: body.clone(),
        status: DefinitionStatus::Draft,
        created_by: "teacher-1".into(),
        created_at: 5,
        published_at: None,
        archived_at: None,
    };
    records
        .insert_definition(&row)
        .await
        .expect("insert a draft");
    assert!(matches!(
        records.insert_definition(&row).await,
        Err(StoreError::AlreadyExists(_))
    ));
    body.name = "Safe Patient Transfer (edited)".into();
    records
        .update_draft_definition(reg, "course-1", &body)
        .await
        .expect("a draft is editable");
    assert!(
        records
            .published_definitions(reg, "course-1")
            .await
            .unwrap()
            .is_empty()
    );
    let published = records
        .publish_definition(reg, "course-1", "spt", "1.0.0", 7)
        .await
        .expect("publish");
    assert_eq!(published.status, DefinitionStatus::Published);
    assert_eq!(published.published_at, Some(7));
    assert_eq!(published.body.name, "Safe Patient Transfer (edited)");
    body.name = "changed after publishing".into();
    assert!(matches!(
        records
            .update_draft_definition(reg, "course-1", &body)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        records
            .publish_definition(reg, "course-1", "spt", "1.0.0", 8)
            .await,
        Err(StoreError::NotFound(_))
    ));
    let listed = records
        .published_definitions(reg, "course-1")
        .await
        .unwrap();
    assert_eq!(listed, std::slice::from_ref(&published));
    assert_eq!(
        records.definitions(reg, "course-1").await.unwrap(),
        [published]
    );
    let archived = records
        .archive_definition(reg, "course-1", "spt", "1.0.0", 9)
        .await
        .expect("archive");
    assert_eq!(archived.status, DefinitionStatus::Archived);
    assert_eq!(archived.body.name, "Safe Patient Transfer (edited)");
    assert!(
        records
            .published_definitions(reg, "course-1")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        records
            .definitions(reg, "course-2")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn append_moves_the_head_by_compare_and_set(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref(), "https://canvas.example").await;
    let ana = scope(reg, "ana");
    assert_eq!(records.learner_log(&ana).await.unwrap(), (vec![], None));
    let AppendOutcome::Appended { seq: first } = append_event(&*records, &ana, None, 100).await
    else {
        panic!("the first append on no head commits")
    };
    // A second writer that also saw no head loses.
    assert_eq!(
        append_event(&*records, &ana, None, 101).await,
        AppendOutcome::HeadMoved
    );
    let head = records.learner_head(&ana).await.unwrap().expect("a head");
    assert_eq!(
        head,
        LearnerHead {
            last_seq: first,
            event_count: 1
        }
    );
    let stale = LearnerHead {
        last_seq: first - 1,
        event_count: 1,
    };
    assert_eq!(
        append_event(&*records, &ana, Some(stale), 102).await,
        AppendOutcome::HeadMoved
    );
    let AppendOutcome::Appended { seq: second } =
        append_event(&*records, &ana, Some(head), 103).await
    else {
        panic!("the append on the current head commits")
    };
    assert!(second > first);
    let (log, head) = records.learner_log(&ana).await.unwrap();
    assert_eq!(
        head,
        Some(LearnerHead {
            last_seq: second,
            event_count: 2
        })
    );
    let seqs: Vec<i64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [first, second], "the refused appends left nothing");
    assert_eq!(log[0].event, enrolled(100));
    assert_eq!(log[1].event, enrolled(103));
    assert_eq!(log[1].meta, json!({ "note": 103 }));
    assert_eq!(log[1].author, author());
    assert_eq!(log[1].recorded_at, 104);
    assert_eq!(log[1].scope, ana);
}

async fn concurrent_appends_on_one_head_commit_one_each_round(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref(), "https://canvas.example").await;
    let ana = scope(reg, "ana");
    let mut committed = 0;
    for round in 0..5_i64 {
        let head = records.learner_head(&ana).await.unwrap();
        let tasks: Vec<_> = (0..12)
            .map(|i| {
                let records = Arc::clone(&records);
                let ana = ana.clone();
                tokio::spawn(
                    async move { append_event(&*records, &ana, head, 1_000 * round + i).await },
                )
            })
            .collect();
        let mut won = 0;
        for task in tasks {
            match task.await.expect("the task ends") {
                AppendOutcome::Appended { .. } => won += 1,
                AppendOutcome::HeadMoved => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(won, 1, "round {round}: exactly one writer on one head");
        committed += won;
    }
    let (log, head) = records.learner_log(&ana).await.unwrap();
    assert_eq!(log.len(), committed);
    assert_eq!(head.map(|h| h.event_count), Some(5));
}

async fn credentials_are_issued_once_with_their_event(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref(), "https://canvas.example").await;
    let (_, key, list) = issuer(&*records, reg, "iss1").await;
    let ana = scope(reg, "ana");
    let AppendOutcome::Appended { .. } = append_event(&*records, &ana, None, 100).await else {
        panic!("first event")
    };
    let head = records.learner_head(&ana).await.unwrap();
    let event = enrolled(200);
    let meta = json!({});
    let author = author();
    let with = |credentials: Vec<NewCredential>| {
        let records = Arc::clone(&records);
        let ana = ana.clone();
        let event = event.clone();
        let meta = meta.clone();
        let author = author.clone();
        async move {
            let new = NewEvent {
                event: &event,
                meta: &meta,
                author: &author,
            };
            records
                .append(&ana, head, Some(new), &credentials, 201)
                .await
                .unwrap()
        }
    };
    let AppendOutcome::Appended { seq } =
        with(vec![new_credential("c-1", 0, &key, &list, 17)]).await
    else {
        panic!("event and credential commit together")
    };
    let stored = records.credential("c-1").await.unwrap().expect("stored");
    assert_eq!(stored.event_seq, seq);
    assert_eq!(
        (stored.status_list_id.as_str(), stored.status_index),
        (list.id.as_str(), 17)
    );
    assert_eq!(stored.scope, ana);
    assert_eq!(stored.created_at, 201);
    assert_eq!(stored.revoked_at, None);
    assert_eq!(
        records.learner_credentials(&ana).await.unwrap(),
        std::slice::from_ref(&stored)
    );
    assert_eq!(records.status_list_used(&list.id).await.unwrap(), 1);

    // The issuance key and the status entry are unique; a refused append writes no event.
    let head = records.learner_head(&ana).await.unwrap();
    let event_b = enrolled(300);
    let new = NewEvent {
        event: &event_b,
        meta: &meta,
        author: &author,
    };
    let again = records
        .append(
            &ana,
            head,
            Some(new.clone()),
            &[new_credential("c-2", 0, &key, &list, 18)],
            301,
        )
        .await
        .unwrap();
    assert_eq!(again, AppendOutcome::AlreadyIssued);
    let taken = records
        .append(
            &ana,
            head,
            Some(new),
            &[new_credential("c-3", 1, &key, &list, 17)],
            301,
        )
        .await
        .unwrap();
    assert_eq!(taken, AppendOutcome::StatusIndexTaken);
    assert_eq!(
        records.learner_head(&ana).await.unwrap(),
        head,
        "nothing was written"
    );
    assert_eq!(records.learner_log(&ana).await.unwrap().0.len(), 2);

    // The sweep issues on the head without an event; a moved head refuses it.
    let renewal = [new_credential("c-4", 1, &key, &list, 99)];
    let stale = Some(LearnerHead {
        last_seq: seq - 1,
        event_count: 1,
    });
    assert_eq!(
        records
            .append(&ana, stale, None, &renewal, 400)
            .await
            .unwrap(),
        AppendOutcome::HeadMoved
    );
    assert_eq!(
        records
            .append(&ana, head, None, &renewal, 400)
            .await
            .unwrap(),
        AppendOutcome::Appended { seq }
    );
    let renewed = records.credential("c-4").await.unwrap().expect("stored");
    assert_eq!(renewed.event_seq, seq);
    assert_eq!(records.learner_head(&ana).await.unwrap(), head);
    assert_eq!(
        records.learners_with_expiring_credentials().await.unwrap(),
        std::slice::from_ref(&ana)
    );
    let in_context = records
        .context_credentials(reg, "course-1", None, 10)
        .await
        .unwrap();
    assert_eq!(
        in_context.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["c-1", "c-4"]
    );
    let paged = records
        .context_credentials(reg, "course-1", Some("c-1"), 10)
        .await
        .unwrap();
    assert_eq!(
        paged.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["c-4"]
    );
    assert_eq!(
        records
            .status_list_credentials(&list.id)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(records.credential("c-2").await.unwrap().is_none());
}

async fn status_changes_touch_only_the_status_columns(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref(), "https://canvas.example").await;
    let (issuer_row, key, list) = issuer(&*records, reg, "iss1").await;
    let ana = scope(reg, "ana");
    let event = enrolled(100);
    let (meta, author) = (json!({}), author());
    let new = NewEvent {
        event: &event,
        meta: &meta,
        author: &author,
    };
    let done = records
        .append(
            &ana,
            None,
            Some(new),
            &[new_credential("c-1", 0, &key, &list, 5)],
            101,
        )
        .await
        .unwrap();
    assert!(matches!(done, AppendOutcome::Appended { .. }));
    let issued = records.credential("c-1").await.unwrap().unwrap();

    let suspension = StatusListRow {
        id: "susp-1".into(),
        purpose: StatusPurpose::Suspension,
        ..list.clone()
    };
    records.create_status_list(&suspension).await.unwrap();
    let suspend = StatusChange::Suspend {
        reason: "under review".into(),
        by: "teacher-1".into(),
        list_id: suspension.id.clone(),
        index: 42,
    };
    let suspended = records
        .set_credential_status("c-1", &suspend, 200)
        .await
        .unwrap();
    assert_eq!(suspended.suspended_at, Some(200));
    assert_eq!(suspended.suspension_index, Some(42));
    assert_eq!(suspended.body, issued.body, "the signed body never changes");
    assert_eq!(records.status_list_used(&suspension.id).await.unwrap(), 1);
    let lifted = records
        .set_credential_status("c-1", &StatusChange::Unsuspend, 300)
        .await
        .unwrap();
    assert_eq!(lifted.suspended_at, None);
    assert_eq!(
        lifted.suspension_list_id.as_deref(),
        Some("susp-1"),
        "the entry stays"
    );
    let revoke = StatusChange::Revoke {
        reason: "fraud".into(),
        by: "admin-1".into(),
    };
    let revoked = records
        .set_credential_status("c-1", &revoke, 400)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(400));
    assert_eq!(revoked.revoked_reason.as_deref(), Some("fraud"));
    let again = StatusChange::Revoke {
        reason: "other".into(),
        by: "x".into(),
    };
    let unchanged = records
        .set_credential_status("c-1", &again, 500)
        .await
        .unwrap();
    assert_eq!(
        unchanged.revoked_at,
        Some(400),
        "a second revocation changes nothing"
    );
    assert_eq!(unchanged.revoked_reason.as_deref(), Some("fraud"));
    assert!(matches!(
        records
            .set_credential_status("missing", &StatusChange::Unsuspend, 1)
            .await,
        Err(StoreError::NotFound(_))
    ));

    let signed = json!({ "type": ["VerifiableCredential", "BitstringStatusListCredential"] });
    records
        .store_status_list_credential(&list.id, &signed, 600)
        .await
        .unwrap();
    let stored = records.status_list(&list.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.credential, stored.generated_at),
        (Some(signed), Some(600))
    );
    let lists = records
        .status_lists(&issuer_row.id, StatusPurpose::Revocation)
        .await
        .unwrap();
    assert_eq!(
        lists.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        [list.id.as_str()]
    );
}

async fn issuer_rotation_keeps_old_keys(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref(), "https://canvas.example").await;
    let (issuer_row, key, _) = issuer(&*records, reg, "iss1").await;
    assert_eq!(
        records.issuer_for_registration(reg).await.unwrap(),
        Some(issuer_row.clone())
    );
    assert_eq!(
        records.issuer("iss1").await.unwrap(),
        Some(issuer_row.clone())
    );
    assert_eq!(
        records
            .issuer_by_issuer_id(&issuer_row.issuer_id)
            .await
            .unwrap(),
        Some(issuer_row.clone())
    );
    // One issuer per registration.
    let second = IssuerRow {
        id: "iss2".into(),
        issuer_id: "https://x/issuers/iss2".into(),
        ..issuer_row.clone()
    };
    let second_key = IssuerKeyRow {
        key_id: "k2".into(),
        issuer: "iss2".into(),
        ..key.clone()
    };
    assert!(matches!(
        records.create_issuer(&second, &second_key).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert!(
        records.issuer("iss2").await.unwrap().is_none(),
        "the failed create left nothing"
    );

    let new_key = IssuerKeyRow {
        key_id: format!("{}#z6MkTwo", issuer_row.issuer_id),
        public_key_multibase: "z6MkTwo".into(),
        created_at: 50,
        ..key.clone()
    };
    records
        .rotate_issuer_key("iss1", &new_key, 50)
        .await
        .unwrap();
    let keys = records.issuer_keys("iss1").await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        (keys[0].key_id.as_str(), keys[0].status),
        (new_key.key_id.as_str(), IssuerKeyStatus::Current)
    );
    assert_eq!(
        (keys[1].key_id.as_str(), keys[1].status),
        (key.key_id.as_str(), IssuerKeyStatus::Previous)
    );
    assert_eq!(keys[1].retired_at, Some(50));
    assert_eq!(keys[1].sealed_secret, key.sealed_secret);
    assert!(
        !format!("{:?}", keys[0]).contains("sealed_secret"),
        "Debug hides the secret"
    );

    let profile = json!({ "name": "Renamed Polytechnic", "url": "https://example.edu" });
    let updated = records
        .update_issuer_profile("iss1", &profile, 60)
        .await
        .unwrap();
    assert_eq!((updated.profile, updated.updated_at), (profile, 60));
}

async fn a_registration_with_records_is_not_removed(store: &Arc<dyn Store>) {
    let records = store.records();
    let reg = registration(store.as_ref(), "https://canvas.example").await;
    let ana = scope(reg, "ana");
    assert!(matches!(
        append_event(&*records, &ana, None, 100).await,
        AppendOutcome::Appended { .. }
    ));
    match store
        .remove_registration("https://canvas.example", "cairn")
        .await
    {
        Err(StoreError::InUse(message)) => assert!(message.contains("never deleted"), "{message}"),
        other => panic!("expected InUse, got {other:?}"),
    }
    assert_eq!(records.learner_log(&ana).await.unwrap().0.len(), 1);
    // One without records still goes.
    registration(store.as_ref(), "https://other.example").await;
    assert!(
        store
            .remove_registration("https://other.example", "cairn")
            .await
            .unwrap()
    );
}

async fn learners_are_paged_and_tenants_kept_apart(store: &Arc<dyn Store>) {
    let records = store.records();
    let one = registration(store.as_ref(), "https://one.example").await;
    let two = registration(store.as_ref(), "https://two.example").await;
    for sub in ["cy", "ana", "bo"] {
        assert!(matches!(
            append_event(&*records, &scope(one, sub), None, 1).await,
            AppendOutcome::Appended { .. }
        ));
    }
    // The same sub and context in another tenant is another learner.
    assert!(matches!(
        append_event(&*records, &scope(two, "ana"), None, 1).await,
        AppendOutcome::Appended { .. }
    ));
    let first = records.learners(one, "course-1", None, 2).await.unwrap();
    assert_eq!(
        first
            .iter()
            .map(|l| l.learner_sub.as_str())
            .collect::<Vec<_>>(),
        ["ana", "bo"]
    );
    let rest = records
        .learners(one, "course-1", Some("bo"), 2)
        .await
        .unwrap();
    assert_eq!(
        rest.iter()
            .map(|l| l.learner_sub.as_str())
            .collect::<Vec<_>>(),
        ["cy"]
    );
    assert_eq!(
        records
            .learners(two, "course-1", None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        records
            .learners(one, "course-2", None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        records
            .learner_log(&scope(two, "ana"))
            .await
            .unwrap()
            .0
            .len(),
        1
    );
    let contexts = records.contexts_with_learners().await.unwrap();
    assert_eq!(
        contexts,
        [(one, "course-1".to_owned()), (two, "course-1".to_owned())]
    );
}
