//! Core benchmark (`cargo xtask bench core`): folds a course of 10,000 learners × 20
//! assessments × up to 3 attempts (about 600,000 events) plus PLAR grants, natively, and
//! prints `@metric` lines. It also writes the course to `target/bench-core/` so the wasm
//! side (`benches/core.mjs`) folds exactly the same data in the same run.
//!
//! Not a test: numbers are printed, never asserted.

use std::time::Instant;

use cairn::Timestamp;
use cairn::definition::CredentialDefinition;
use cairn::record::{Course, IssuanceStatus, LearnerLog};
use serde_json::{Value, json};

const DEFAULT_LEARNERS: usize = 10_000;
const ASSESSMENTS: usize = 20;
const COMPETENCIES: usize = 8;

/// A small deterministic generator (64-bit LCG), so both sides see the same course.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn definition() -> Value {
    let competencies: Vec<Value> = (0..COMPETENCIES)
        .map(|c| {
            let method = match c % 4 {
                0 => json!({"method": "kept_mean"}),
                1 => json!({"method": "decaying_average", "method_params": {"rate_pct": 65}}),
                2 => json!({"method": "highest"}),
                _ => json!({"method": "n_mastery", "method_params": {"n": 2}}),
            };
            let mut c = json!({"id": format!("C{c}"), "statement": format!("Competency {c}"), "threshold_percent": "70"});
            c.as_object_mut().unwrap().extend(method.as_object().unwrap().clone());
            c
        })
        .collect();
    let assessments: Vec<Value> = (0..ASSESSMENTS)
        .map(|a| {
            if a % 4 == 0 {
                json!({"id": format!("A{a}"), "title": format!("Rubric {a}"), "kind": "summative", "pass_percent": "75",
                       "parts": [{"id": "K1", "competency": format!("C{}", a % COMPETENCIES), "max_points": "30"},
                                 {"id": "K2", "competency": format!("C{}", (a + 3) % COMPETENCIES), "max_points": "20"}]})
            } else {
                json!({"id": format!("A{a}"), "title": format!("Exam {a}"), "kind": "summative", "max_points": "40", "pass_percent": "70",
                       "competencies": [format!("C{}", a % COMPETENCIES)]})
            }
        })
        .collect();
    json!([{
        "id": "BENCH", "version": "1", "name": "Benchmark micro-credential", "description": "Generated",
        "issuer": {"id": "https://example.edu/issuers/bench", "name": "Bench"},
        "competencies": competencies, "assessments": assessments,
        "attempt_policy": {"max_attempts": 3, "scoring": "highest", "feedback_required_before_retry": true,
                           "min_days_between_attempts": 1, "resit_cap_percent": null, "retry_after_pass": false},
        "plar": {"methods": ["portfolio", "challenge_exam"], "challenge_counts_as_attempt": false, "max_share_percent": "25"},
        "completion_window_days": 120,
        "criteria": {"all": [{"all_competencies": true}, {"at_least": 15, "of": (0..ASSESSMENTS).map(|a| json!({"assessment": format!("A{a}")})).collect::<Vec<_>>()}]},
        "validity": {"months": 36}
    }])
}

fn learner_events(rng: &mut Lcg) -> Vec<Value> {
    let mut t = Timestamp::parse("2026-01-05T09:00:00Z")
        .unwrap()
        .plus_seconds(rng.next(86_400) as i64);
    let mut events = vec![json!({"at": t.to_string(), "type": "enrolled", "credential": "BENCH"})];
    let ability = 55 + rng.next(40); // percent the learner tends to score
    if rng.next(10) == 0 {
        t = t.plus_seconds(3600);
        events.push(json!({"at": t.to_string(), "type": "plar_granted", "credential": "BENCH", "method": "portfolio",
                           "competency": format!("C{}", rng.next(COMPETENCIES as u64)), "evidence": "portfolio review"}));
    }
    for a in 0..ASSESSMENTS {
        for _attempt in 0..3 {
            t = t.plus_days(2).plus_seconds(rng.next(3600) as i64);
            let percent = (ability + rng.next(30)).saturating_sub(15).min(100);
            let event = if a % 4 == 0 {
                let k1 = 30 * percent / 100;
                let k2 = 20 * percent.min(100) / 100;
                json!({"at": t.to_string(), "type": "attempt_submitted", "assessment": format!("A{a}"),
                       "part_scores": {"K1": k1.to_string(), "K2": format!("{k2}.5").replace("20.5", "20")}})
            } else {
                json!({"at": t.to_string(), "type": "attempt_submitted", "assessment": format!("A{a}"),
                       "score": format!("{}.{}", 40 * percent / 100, rng.next(4) * 25).replace("40.25", "40").replace("40.5", "40").replace("40.75", "40")})
            };
            events.push(event);
            let passed = if a % 4 == 0 {
                percent >= 75
            } else {
                percent >= 70
            };
            if passed {
                break;
            }
            t = t.plus_seconds(3600);
            events.push(json!({"at": t.to_string(), "type": "feedback_released", "assessment": format!("A{a}")}));
        }
    }
    events
}

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn main() {
    let out = std::path::Path::new("target/bench-core");
    if std::env::args().nth(1).as_deref() == Some("--fold") {
        return fold_from_disk(out);
    }
    let mut rng = Lcg(0x5eed_ca1a_u64);
    let learners: usize = std::env::var("CAIRN_BENCH_LEARNERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_LEARNERS);
    let logs_json: Vec<Value> = (0..learners)
        .map(|i| json!({"learner": format!("L{i:05}"), "events": learner_events(&mut rng)}))
        .collect();
    std::fs::create_dir_all(out).unwrap();
    std::fs::write(
        out.join("definitions.json"),
        serde_json::to_string(&definition()).unwrap(),
    )
    .unwrap();
    std::fs::write(
        out.join("logs.json"),
        serde_json::to_string(&logs_json).unwrap(),
    )
    .unwrap();
    drop(logs_json);
    // Measure in a fresh process, so peak memory is the fold's and not the generator's.
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--fold")
        .status()
        .unwrap();
    std::process::exit(status.code().unwrap_or(1));
}

/// Reads the course from disk, folds every learner, prints the metrics.
fn fold_from_disk(out: &std::path::Path) {
    let definitions_text = std::fs::read_to_string(out.join("definitions.json")).unwrap();
    let json_bytes = std::fs::metadata(out.join("logs.json")).unwrap().len();
    let reader = std::io::BufReader::new(std::fs::File::open(out.join("logs.json")).unwrap());
    let logs: Vec<LearnerLog> = serde_json::from_reader(reader).unwrap();
    let definitions: Vec<CredentialDefinition> = serde_json::from_str(&definitions_text).unwrap();
    let events: usize = logs.iter().map(|l| l.events.len()).sum();
    let at = Timestamp::parse("2027-01-01T00:00:00Z").unwrap();
    let course = Course::new(&definitions).unwrap();
    let rss_loaded = peak_rss_bytes();

    // Warm up once, then take the best of a few runs.
    let mut best = f64::INFINITY;
    let mut issued = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let summaries: Vec<_> = logs
            .iter()
            .map(|l| course.summarize(&l.events, at))
            .collect();
        best = best.min(start.elapsed().as_secs_f64());
        issued = summaries
            .iter()
            .filter(|s| s.credentials[0].status == IssuanceStatus::Valid)
            .count();
    }
    let start = Instant::now();
    let mut competencies = 0;
    for l in &logs {
        competencies += course.fold(&l.events, at).competencies.len();
    }
    let full = start.elapsed().as_secs_f64();
    std::hint::black_box(competencies);
    let peak = peak_rss_bytes();

    println!(
        "learners {}, events {events}, valid {issued}, events JSON {json_bytes} bytes",
        logs.len()
    );
    println!("@metric events {events}");
    println!("@metric valid_credentials {issued}");
    println!(
        "@metric fold_events_per_second {:.0} ev/s",
        events as f64 / best
    );
    println!(
        "@metric full_record_events_per_second {:.0} ev/s",
        events as f64 / full
    );
    println!("@metric fold_seconds {best:.4} s");
    println!("@metric events_json_bytes {json_bytes} B");
    println!("@metric loaded_rss_bytes {rss_loaded} B");
    println!("@metric peak_memory_bytes {peak} B");
    println!(
        "@metric peak_over_events_json {:.3}",
        peak as f64 / json_bytes as f64
    );
}
