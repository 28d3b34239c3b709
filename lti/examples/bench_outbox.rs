//! The score outbox's benchmark (`cargo xtask bench outbox` runs it on SQLite and PostgreSQL):
//! the tool (its router on loopback, for the JWKS the gradebook verifies assertions with) and
//! the demo platform's gradebook in one process. Prints `@metric` lines:
//!
//! - `scores_per_second`: 5,000 queued scores (2,500 learners × 2 assessments) drained by one
//!   worker against the healthy gradebook;
//! - `landed_p50_ms` / `landed_p99_ms`: one write at a time, from the write that queues the
//!   score (the event's transaction) until the gradebook holds it (goal: median under 1 s).
//!
//! Usage: `bench_outbox [--database-url postgres://…]` (default: a SQLite file under the
//! system's temporary folder).

use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn::event::{Event, EventKind};
use cairn::ids::DefinitionId;
use cairn::time::Timestamp;
use cairn_lti::advantage::outbox::{OutboxWorker, WorkerConfig};
use cairn_lti::clock::{Clock, SystemClock};
use cairn_lti::config::{PublicUrl, ServerConfig};
use cairn_lti::demo::people::Flavour;
use cairn_lti::demo::{DemoPlatform, DemoSettings, platform_app, register_with_tool};
use cairn_lti::keys::KeyEncryptionKey;
use cairn_lti::store::outbox::{AgsEndpointRow, NewScore};
use cairn_lti::store::records::{AppendOutcome, Author, LearnerScope, NewEvent};
use cairn_lti::{AppState, app};
use serde_json::json;

const CONTEXT: &str = "bench-course";
const LEARNERS: usize = 2_500;
const LATENCY_SAMPLES: usize = 200;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let database_url = match args.iter().position(|a| a == "--database-url") {
        Some(i) => args.get(i + 1).cloned().unwrap_or_default(),
        None => {
            let file = std::env::temp_dir()
                .join(format!("cairn-bench-outbox-{}.sqlite3", std::process::id()));
            file.to_string_lossy().into_owned()
        }
    };
    let store = cairn_lti::store::open(&database_url).await?;
    let tool_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let tool_url = format!("http://{}", tool_listener.local_addr()?);
    let platform_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let platform = DemoPlatform::new(DemoSettings {
        platform_url: format!("http://{}", platform_listener.local_addr()?),
        tool_url: tool_url.clone(),
    })?;
    let now = SystemClock.now();
    let rows = register_with_tool(store.as_ref(), &platform, now).await?;
    let (moodle, _) = rows
        .iter()
        .find(|(r, _)| r.fields.client_id == Flavour::Moodle.client_id())
        .ok_or_else(|| anyhow::anyhow!("no Moodle registration"))?;
    let kek = Arc::new(KeyEncryptionKey::from_secret(&[9u8; 32])?);
    cairn_lti::keys::ensure(store.as_ref(), &kek, now).await?;
    let config = ServerConfig {
        public_url: PublicUrl::parse(&tool_url)?,
        www_dir: "www".into(),
        admin_token: None,
    };
    let state = AppState::new(config, Arc::clone(&store)).with_kek(kek);
    let tool = app(state.clone());
    tokio::spawn(async move { axum::serve(tool_listener, tool).await });
    let platform_router = platform_app(platform.clone());
    tokio::spawn(async move { axum::serve(platform_listener, platform_router).await });
    store
        .outbox()
        .put_ags_endpoint(&AgsEndpointRow {
            registration_id: moodle.id,
            deployment_id: "1".into(),
            context_id: CONTEXT.into(),
            resource_link_id: "1".into(),
            lineitems: Some(format!(
                "{}/moodle/mod/lti/services.php/2/lineitems?type_id=1",
                platform.platform_url()
            )),
            lineitem: None,
            scopes: vec![],
            updated_at: now,
        })
        .await?;
    let writer = Writer {
        state: state.clone(),
        registration_id: moodle.id,
    };

    // Throughput: queue first, then drain with one worker.
    for i in 0..LEARNERS {
        writer.queue(&format!("t-{i:05}"), &["a1", "a2"], 7).await?;
    }
    let worker = OutboxWorker::new(
        Arc::clone(&state.store),
        state.ags.clone(),
        Arc::clone(&state.clock),
        Arc::clone(&state.metrics),
        WorkerConfig {
            batch: 64,
            ..WorkerConfig::default()
        },
    );
    let started = Instant::now();
    let running = tokio::spawn(worker.run(Arc::clone(&state.outbox_wake)));
    loop {
        let stats = store.outbox().outbox_stats().await?;
        if stats.depth == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let total = LEARNERS * 2;
    println!("{total} scores drained in {seconds:.2} s");
    println!(
        "@metric scores_per_second {:.1} scores/s",
        total as f64 / seconds
    );

    // Latency: one write at a time; the running worker is woken by the write.
    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    for i in 0..LATENCY_SAMPLES {
        let learner = format!("l-{i:05}");
        let started = Instant::now();
        writer.queue(&learner, &["a1"], 9).await?;
        loop {
            let landed = platform
                .gradebook()
                .snapshot()
                .1
                .iter()
                .any(|((_, user), list)| user == &learner && !list.is_empty());
            if landed {
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                anyhow::bail!("a score did not land within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    running.abort();
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!("@metric landed_p50_ms {:.2} ms", at(0.5));
    println!("@metric landed_p99_ms {:.2} ms", at(0.99));
    if !database_url.starts_with("postgres") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{database_url}{suffix}"));
        }
    }
    Ok(())
}

/// Appends events with scores, as the records engine's writes do.
struct Writer {
    state: AppState,
    registration_id: i64,
}

impl Writer {
    async fn queue(&self, learner: &str, assessments: &[&str], points: i64) -> anyhow::Result<()> {
        let records = self.state.store.records();
        let scope = LearnerScope {
            registration_id: self.registration_id,
            context_id: CONTEXT.into(),
            learner_sub: learner.into(),
        };
        let now_ms = SystemClock.now_ms();
        let scores: Vec<NewScore> = assessments
            .iter()
            .map(|a| NewScore {
                assessment_id: (*a).into(),
                state_key: format!("points={points}"),
                payload: json!({
                    "score": {"userId": "", "scoreGiven": points, "scoreMaximum": 10,
                        "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                        "timestamp": ""},
                    "line_item": {"scoreMaximum": 10, "label": format!("Assessment {a}"),
                        "resourceId": a, "tag": "summative"},
                    "submitted_at_ms": null,
                    "new_submission": true,
                }),
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
        let meta = json!({});
        let author = Author {
            sub: "bench".into(),
            role: "instructor".into(),
            deployment_id: "1".into(),
            request_id: None,
        };
        loop {
            let head = records.learner_head(&scope).await?;
            let new = NewEvent {
                event: &event,
                meta: &meta,
                author: &author,
            };
            let outcome = records
                .append_scored(&scope, head, Some(new), &[], &scores, now_ms / 1000)
                .await?;
            if matches!(outcome, AppendOutcome::Appended { .. }) {
                self.state.outbox_wake.notify_one();
                return Ok(());
            }
        }
    }
}
