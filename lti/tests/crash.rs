//! Crash safety of the write path (issue 10): a real `cairn-lti serve` gets 1,000 concurrent
//! attempt submissions through the API (`POST /api/learners/{sub}/results`: three quiz
//! attempts and one passing demonstration for each of 250 learners), is sent SIGKILL while
//! they are in flight, and is started again on the same database. Then every submission that
//! got a 2xx is in the log exactly once, no submission is stored twice, and each learner has
//! exactly one credential if their passing attempt was stored and none otherwise; the
//! restarted server takes writes again. On SQLite and on PostgreSQL (`CAIRN_TEST_POSTGRES_URL`,
//! see `cargo xtask postgres`).

mod issue_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cairn_lti::store::records::LearnerScope;
use issue_support::{
    Answer, CONTEXT, DEMO, Server, client, learner, scratch, seed, submission, submit,
};
use sqlx::Connection as _;

const LEARNERS: usize = 250;
const PER_LEARNER: usize = 4;
/// The server is killed once this many answers have arrived.
const KILL_AFTER_ANSWERS: usize = 400;

fn scenarios() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/scenarios"
    ))
}

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_cairn-lti"))
}

fn now() -> i64 {
    cairn_lti::clock::Clock::now(&cairn_lti::clock::SystemClock)
}

/// One submission sent: who, its marker, whether it passes, what came back.
struct Sent {
    sub: String,
    marker: String,
    passing: bool,
    answer: Answer,
}

/// Sends every submission at once and SIGKILLs the server after [`KILL_AFTER_ANSWERS`].
async fn submit_and_kill(server: &mut Server) -> Vec<Sent> {
    let http = client(LEARNERS * PER_LEARNER);
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    // Learner by learner, so passing attempts (slower: they sign) are spread over the run.
    for n in 0..LEARNERS {
        for round in 0..PER_LEARNER {
            let (http, answered, url) =
                (Arc::clone(&http), Arc::clone(&answered), server.url.clone());
            // The passing attempt comes at a different round for different learners.
            let passing = round == n % PER_LEARNER;
            let sub = learner(n);
            let marker = format!("sub-{n}-{round}");
            tasks.push(tokio::spawn(async move {
                let answer = submit(&http, &url, &sub, &submission(passing, &marker)).await;
                answered.fetch_add(1, Ordering::SeqCst);
                Sent {
                    sub,
                    marker,
                    passing,
                    answer,
                }
            }));
        }
    }
    let started = Instant::now();
    while answered.load(Ordering::SeqCst) < KILL_AFTER_ANSWERS
        && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill();
    let mut sent = Vec::new();
    for task in tasks {
        sent.push(task.await.expect("a submission task"));
    }
    sent
}

/// The checks after the restart, through the store.
async fn check(database_url: &str, registration_id: i64, sent: &[Sent]) {
    let store = cairn_lti::store::open(database_url)
        .await
        .expect("reopen the store");
    let records = store.records();
    let stored = sent
        .iter()
        .filter(|s| matches!(s.answer, Answer::Stored { .. }))
        .count();
    let lost = sent
        .iter()
        .filter(|s| matches!(s.answer, Answer::Lost(_)))
        .count();
    let other: Vec<_> = sent
        .iter()
        .filter_map(|s| match &s.answer {
            Answer::Status(code, body) => Some(format!("{code} {body}")),
            _ => None,
        })
        .collect();
    assert!(
        other.is_empty(),
        "answers other than 2xx or a dropped connection: {other:?}"
    );
    assert!(
        stored > 0 && lost > 0,
        "the kill must land mid-flight: {stored} stored, {lost} lost"
    );
    println!("{stored} submissions acknowledged, {lost} lost to the kill");
    let mut by_learner: BTreeMap<&str, Vec<&Sent>> = BTreeMap::new();
    for s in sent {
        by_learner.entry(s.sub.as_str()).or_default().push(s);
    }
    let mut credentials_total = 0;
    for (sub, mine) in by_learner {
        let scope = LearnerScope {
            registration_id,
            context_id: CONTEXT.into(),
            learner_sub: sub.into(),
        };
        let (log, head) = records.learner_log(&scope).await.expect("log");
        assert_eq!(
            head.map_or(0, |h| h.event_count),
            i64::try_from(log.len()).expect("small")
        );
        let mut seen: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for event in &log {
            let body = serde_json::to_value(&event.event).expect("event JSON");
            let marker = body["assessor"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            seen.entry(marker).or_default().push(event.seq);
        }
        for (marker, seqs) in &seen {
            assert_eq!(
                seqs.len(),
                1,
                "{sub}: submission {marker} stored {} times",
                seqs.len()
            );
        }
        for s in &mine {
            if let Answer::Stored { seq, .. } = s.answer {
                assert_eq!(
                    seen.get(&s.marker),
                    Some(&vec![seq]),
                    "{sub}: acknowledged {} missing",
                    s.marker
                );
            }
        }
        let passes = log
            .iter()
            .filter(|e| serde_json::to_value(&e.event).expect("event")["assessment"] == DEMO)
            .count();
        let credentials = records
            .learner_credentials(&scope)
            .await
            .expect("credentials");
        assert_eq!(
            credentials.len(),
            passes,
            "{sub}: {passes} passing attempts stored, credentials {credentials:?}"
        );
        for s in &mine {
            if let Answer::Stored { issued, .. } = &s.answer {
                assert!(
                    s.passing || issued.is_empty(),
                    "{sub}: a quiz attempt issued {issued:?}"
                );
                for id in issued {
                    assert!(
                        credentials.iter().any(|c| &c.id == id),
                        "{sub}: acknowledged credential {id} missing"
                    );
                }
            }
        }
        credentials_total += credentials.len();
    }
    println!("{credentials_total} credentials, one per stored passing attempt");
}

/// The whole story on one database.
async fn crash_story(database_url: &str, data: &Path) {
    let store = cairn_lti::store::open(database_url)
        .await
        .expect("open the store");
    let registration_id = seed(store.as_ref(), &scenarios(), LEARNERS, now()).await;
    drop(store);
    let mut server = Server::start(binary(), database_url, data).await;
    let sent = submit_and_kill(&mut server).await;
    let restarted = Server::start(binary(), database_url, data).await;
    check(database_url, registration_id, &sent).await;
    // The restarted server takes writes and issues.
    let http = client(4);
    let fresh = learner(LEARNERS - 1);
    let again = submit(
        &http,
        &restarted.url,
        &fresh,
        &issue_support::submission(false, "after-restart"),
    )
    .await;
    assert!(
        matches!(again, Answer::Stored { .. }),
        "after the restart: {again:?}"
    );
    drop(restarted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_flight_loses_no_acknowledged_write_on_sqlite() {
    let data = scratch("crash-sqlite");
    let url = format!("sqlite://{}", data.join("cairn.sqlite3").display());
    crash_story(&url, &data).await;
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_flight_loses_no_acknowledged_write_on_postgres() {
    let Ok(admin_url) = std::env::var("CAIRN_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI never skips the PostgreSQL crash test"
        );
        println!(
            "skipped: CAIRN_TEST_POSTGRES_URL is unset (run through `cargo xtask postgres -- …`)"
        );
        return;
    };
    let database = format!("cairn_crash_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{database}\""
    )))
    .execute(&mut admin)
    .await
    .expect("create the database");
    let mut url = url::Url::parse(&admin_url).expect("cluster URL");
    url.set_path(&format!("/{database}"));
    let data = scratch("crash-postgres");
    crash_story(url.as_str(), &data).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE \"{database}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .expect("drop the database");
    let _ = std::fs::remove_dir_all(&data);
}
