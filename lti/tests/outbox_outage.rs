//! The score outbox end to end against the demo platform's gradebook on loopback (real AGS
//! and token endpoints; the tool's client assertions verified with the tool's served JWKS):
//! scores land with line items created once per assessment; a parked row is listed and
//! replayed; and the outage story of issue 13: 1,000 scores queued while the gradebook
//! answers 500, 100 of them changed meanwhile, the gradebook and the worker restarted mid
//! stream; afterwards every (line item, user) holds the latest value, each state arrived at
//! most once, timestamps strictly increasing. On SQLite, and on PostgreSQL when
//! `CAIRN_TEST_POSTGRES_URL` names a cluster (`cargo xtask postgres -- cargo test -p
//! cairn-lti --test outbox_outage`).

#[path = "store_support/backends.rs"]
mod backends;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn::event::{Event, EventKind};
use cairn::ids::DefinitionId;
use cairn::time::Timestamp;
use cairn_lti::advantage::outbox::{OutboxWorker, WorkerConfig};
use cairn_lti::advantage::scores::Payload;
use cairn_lti::clock::{Clock, SystemClock};
use cairn_lti::config::{PublicUrl, ServerConfig};
use cairn_lti::demo::gradebook::Mode;
use cairn_lti::demo::people::Flavour;
use cairn_lti::demo::{DemoPlatform, DemoSettings, platform_app, register_with_tool};
use cairn_lti::keys::KeyEncryptionKey;
use cairn_lti::store::Store;
use cairn_lti::store::outbox::{AgsEndpointRow, NewScore};
use cairn_lti::store::records::{AppendOutcome, Author, LearnerScope, NewEvent};
use cairn_lti::{AppState, app};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

const CONTEXT: &str = "course-1";

/// The tool served on loopback, the demo platform on its own port (restartable).
struct Rig {
    state: AppState,
    platform: DemoPlatform,
    platform_addr: SocketAddr,
    platform_server: Option<JoinHandle<()>>,
    registration_id: i64,
}

async fn serve_platform(platform: &DemoPlatform, addr: SocketAddr) -> JoinHandle<()> {
    // The port was ours a moment ago; retry briefly while the old socket closes.
    for _ in 0..50 {
        if let Ok(listener) = tokio::net::TcpListener::bind(addr).await {
            let app = platform_app(platform.clone());
            return tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot bind {addr} again");
}

async fn rig(store: Arc<dyn Store>) -> Rig {
    let tool_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tool_url = format!("http://{}", tool_listener.local_addr().unwrap());
    let platform_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_addr = platform_listener.local_addr().unwrap();
    drop(platform_listener);
    let platform = DemoPlatform::new(DemoSettings {
        platform_url: format!("http://{platform_addr}"),
        tool_url: tool_url.clone(),
    })
    .unwrap();
    let now = SystemClock.now();
    let rows = register_with_tool(store.as_ref(), &platform, now)
        .await
        .unwrap();
    let moodle = rows
        .iter()
        .find(|(r, _)| r.fields.client_id == Flavour::Moodle.client_id())
        .unwrap();
    let kek = Arc::new(KeyEncryptionKey::from_secret(&[7u8; 32]).unwrap());
    cairn_lti::keys::ensure(store.as_ref(), &kek, now)
        .await
        .unwrap();
    let config = ServerConfig {
        public_url: PublicUrl::parse(&tool_url).unwrap(),
        www_dir: std::path::PathBuf::from("www"),
        admin_token: None,
    };
    let state = AppState::new(config, Arc::clone(&store)).with_kek(kek);
    let tool = app(state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(tool_listener, tool).await;
    });
    // What a Moodle launch into the course keeps (routes/launch.rs).
    store
        .outbox()
        .put_ags_endpoint(&AgsEndpointRow {
            registration_id: moodle.0.id,
            deployment_id: "1".into(),
            context_id: CONTEXT.into(),
            resource_link_id: "1".into(),
            lineitems: Some(format!(
                "http://{platform_addr}/moodle/mod/lti/services.php/2/lineitems?type_id=1"
            )),
            lineitem: None,
            scopes: vec![],
            updated_at: now,
        })
        .await
        .unwrap();
    let platform_server = Some(serve_platform(&platform, platform_addr).await);
    Rig {
        state,
        platform,
        platform_addr,
        platform_server,
        registration_id: moodle.0.id,
    }
}

fn fast() -> WorkerConfig {
    WorkerConfig {
        batch: 64,
        lease: Duration::from_secs(5),
        idle_poll: Duration::from_millis(20),
        gather: Duration::from_millis(5),
        backoff_base: Duration::from_millis(20),
        backoff_cap: Duration::from_millis(200),
    }
}

fn worker(rig: &Rig) -> JoinHandle<()> {
    let worker = OutboxWorker::new(
        Arc::clone(&rig.state.store),
        rig.state.ags.clone(),
        Arc::clone(&rig.state.clock),
        Arc::clone(&rig.state.metrics),
        fast(),
    );
    tokio::spawn(worker.run(Arc::clone(&rig.state.outbox_wake)))
}

/// The payload the records engine would queue for `points` out of 10 on `assessment`.
fn payload(assessment: &str, points: i64) -> Value {
    serde_json::to_value(Payload {
        score: serde_json::from_value(json!({
            "userId": "", "scoreGiven": points, "scoreMaximum": 10,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": ""
        }))
        .unwrap(),
        line_item: serde_json::from_value(json!({
            "scoreMaximum": 10, "label": format!("Assessment {assessment}"),
            "resourceId": assessment, "tag": "summative"
        }))
        .unwrap(),
        submitted_at_ms: None,
        new_submission: true,
    })
    .unwrap()
}

/// Appends an event for `learner` with a score of `points` on each of `assessments`.
async fn queue(rig: &Rig, learner: &str, assessments: &[&str], points: i64) {
    let records = rig.state.store.records();
    let scope = LearnerScope {
        registration_id: rig.registration_id,
        context_id: CONTEXT.into(),
        learner_sub: learner.into(),
    };
    let now_ms = SystemClock.now_ms();
    let scores: Vec<NewScore> = assessments
        .iter()
        .map(|a| NewScore {
            assessment_id: (*a).into(),
            state_key: format!("points={points}"),
            payload: payload(a, points),
            now_ms,
        })
        .collect();
    let event = Event {
        at: Timestamp::from_unix_seconds(now_ms / 1000),
        kind: EventKind::Enrolled {
            credential: DefinitionId::new("spt"),
            offering: None,
            version: None,
        },
    };
    let (meta, author) = (
        json!({}),
        Author {
            sub: "t".into(),
            role: "instructor".into(),
            deployment_id: "1".into(),
            request_id: None,
        },
    );
    loop {
        let head = records.learner_head(&scope).await.unwrap();
        let new = NewEvent {
            event: &event,
            meta: &meta,
            author: &author,
        };
        let outcome = records
            .append_scored(&scope, head, Some(new), &[], &scores, now_ms / 1000)
            .await
            .unwrap();
        if matches!(outcome, AppendOutcome::Appended { .. }) {
            break;
        }
    }
    rig.state.outbox_wake.notify_one();
}

async fn drained(rig: &Rig, within: Duration) {
    let started = Instant::now();
    loop {
        let stats = rig.state.store.outbox().outbox_stats().await.unwrap();
        if stats.depth == 0 {
            return;
        }
        assert!(started.elapsed() < within, "outbox not drained: {stats:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Per (line item label, user): every score received.
fn received(rig: &Rig) -> Vec<(String, String, Vec<Value>)> {
    let (items, scores) = rig.platform.gradebook().snapshot();
    scores
        .into_iter()
        .map(|((number, user), list)| {
            let label = items.iter().find(|i| i.number == number).unwrap().item["label"]
                .as_str()
                .unwrap()
                .to_owned();
            (label, user, list.into_iter().map(|r| r.score).collect())
        })
        .collect()
}

async fn scores_land_and_parked_rows_replay(store: &Arc<dyn Store>) {
    let rig = rig(Arc::clone(store)).await;
    let worker = worker(&rig);
    queue(&rig, "3", &["a1", "a2"], 7).await;
    queue(&rig, "4", &["a1"], 9).await;
    drained(&rig, Duration::from_secs(20)).await;
    let got = received(&rig);
    assert_eq!(got.len(), 3, "{got:?}");
    let (items, _) = rig.platform.gradebook().snapshot();
    assert_eq!(items.len(), 2, "one line item per assessment: {items:?}");
    let three = got
        .iter()
        .find(|(l, u, _)| l == "Assessment a1" && u == "3")
        .unwrap();
    assert_eq!(three.2.len(), 1);
    assert_eq!(three.2[0]["scoreGiven"], 7);
    assert_eq!(three.2[0]["scoreMaximum"], 10);
    assert_eq!(three.2[0]["userId"], "3");
    // Moodle flavour: no Canvas extension.
    assert!(
        three.2[0]
            .get("https://canvas.instructure.com/lti/submission")
            .is_none()
    );

    // The platform refuses every score as older (409) for a score that did not land: the
    // row is sent once more with a newer timestamp, then superseded.
    rig.platform.gradebook().set_mode(Mode::Conflict409);
    queue(&rig, "5", &["a1"], 4).await;
    drained(&rig, Duration::from_secs(20)).await;
    let rows = rig
        .state
        .store
        .outbox()
        .learner_scores(rig.registration_id, CONTEXT, "5")
        .await
        .unwrap();
    assert_eq!(rows[0].status, "superseded", "{rows:?}");
    assert_eq!(rows[0].tries, 2);

    // No AGS endpoint for another context: parked with the reason, replayed by the admin.
    rig.platform.gradebook().set_mode(Mode::Normal);
    let records = rig.state.store.records();
    let scope = LearnerScope {
        registration_id: rig.registration_id,
        context_id: "course-2".into(),
        learner_sub: "6".into(),
    };
    let event = Event {
        at: Timestamp::from_unix_seconds(SystemClock.now()),
        kind: EventKind::Enrolled {
            credential: DefinitionId::new("spt"),
            offering: None,
            version: None,
        },
    };
    let author = Author {
        sub: "t".into(),
        role: "instructor".into(),
        deployment_id: "1".into(),
        request_id: None,
    };
    let meta = json!({});
    let new = NewEvent {
        event: &event,
        meta: &meta,
        author: &author,
    };
    let score = NewScore {
        assessment_id: "a1".into(),
        state_key: "k".into(),
        payload: payload("a1", 5),
        now_ms: SystemClock.now_ms(),
    };
    records
        .append_scored(&scope, None, Some(new), &[], &[score], SystemClock.now())
        .await
        .unwrap();
    rig.state.outbox_wake.notify_one();
    let started = Instant::now();
    let parked = loop {
        let parked = rig.state.store.outbox().parked_scores(0, 10).await.unwrap();
        if !parked.is_empty() {
            break parked;
        }
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(parked[0].reason.as_deref(), Some("no_ags_endpoint"));
    let mut endpoint = rig
        .state
        .store
        .outbox()
        .ags_endpoint(rig.registration_id, CONTEXT)
        .await
        .unwrap()
        .unwrap();
    endpoint.context_id = "course-2".into();
    rig.state
        .store
        .outbox()
        .put_ags_endpoint(&endpoint)
        .await
        .unwrap();
    assert!(
        rig.state
            .store
            .outbox()
            .replay_score(parked[0].id, SystemClock.now_ms())
            .await
            .unwrap()
    );
    rig.state.outbox_wake.notify_one();
    drained(&rig, Duration::from_secs(20)).await;
    let row = rig
        .state
        .store
        .outbox()
        .score_row(parked[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "sent");
    worker.abort();
}

async fn outage_loses_nothing_and_sends_each_state_once(store: &Arc<dyn Store>) {
    let mut rig = rig(Arc::clone(store)).await;
    rig.platform.gradebook().set_mode(Mode::Fail500);
    let mut running = worker(&rig);
    // 1,000 scores: 500 learners × 2 assessments, while every service call answers 500.
    let learners: Vec<String> = (0..500).map(|i| format!("learner-{i:03}")).collect();
    for learner in &learners {
        queue(&rig, learner, &["a1", "a2"], 5).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let retried = rig.state.store.outbox().outbox_stats().await.unwrap();
    assert_eq!(retried.depth, 1000, "nothing lands during the outage");
    // 100 learners' a1 changes meanwhile: their unsent rows are superseded.
    for learner in learners.iter().take(100) {
        queue(&rig, learner, &["a1"], 8).await;
    }
    // The gradebook recovers, then its server and the tool's worker restart mid-stream.
    rig.platform.gradebook().set_mode(Mode::Normal);
    tokio::time::sleep(Duration::from_millis(150)).await;
    if let Some(server) = rig.platform_server.take() {
        server.abort();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    running.abort();
    running = worker(&rig);
    for learner in learners.iter().skip(100).take(50) {
        queue(&rig, learner, &["a2"], 9).await;
    }
    rig.platform_server = Some(serve_platform(&rig.platform, rig.platform_addr).await);
    drained(&rig, Duration::from_secs(120)).await;
    running.abort();

    let got = received(&rig);
    assert_eq!(got.len(), 1000, "every (line item, user) has a score");
    for (label, user, scores) in &got {
        let index: usize = user["learner-".len()..].parse().unwrap();
        let latest = match (label.as_str(), index) {
            ("Assessment a1", 0..100) => 8,
            ("Assessment a2", 100..150) => 9,
            _ => 5,
        };
        let values: Vec<i64> = scores
            .iter()
            .map(|s| s["scoreGiven"].as_i64().unwrap())
            .collect();
        assert_eq!(values.last(), Some(&latest), "{label} {user}: {values:?}");
        let mut distinct = values.clone();
        distinct.dedup();
        assert_eq!(distinct, values, "{label} {user}: a state arrived twice");
        let stamps: Vec<i64> = scores
            .iter()
            .map(|s| {
                cairn_lti::demo::gradebook::parse_rfc3339_ms(s["timestamp"].as_str().unwrap())
                    .unwrap()
            })
            .collect();
        assert!(
            stamps.windows(2).all(|w| w[0] < w[1]),
            "{label} {user}: {stamps:?}"
        );
    }
    let stats = rig.state.store.outbox().outbox_stats().await.unwrap();
    assert_eq!((stats.depth, stats.parked), (0, 0));
}

backends::stories!(
    scores_land_and_parked_rows_replay,
    outage_loses_nothing_and_sends_each_state_once,
);
