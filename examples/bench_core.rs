//! Core benchmark (`cargo xtask bench core`): folds a course of 10,000 learners × 20
//! assessments × up to 3 attempts (about 600,000 events) plus PLAR grants, natively, and
//! prints `@metric` lines: summaries and full records (with explanations) per second, peak
//! memory, the page's roster case (the first 2,000 learners summarized), and per calculation
//! method one learner with 1,000 … 5,000 attempts (ms per 1,000 attempts, flat when the cost
//! is linear). It writes every input to `target/bench-core/` so the wasm side
//! (`benches/core.mjs`) folds exactly the same data in the same run.
//!
//! `CAIRN_BENCH_LEARNERS` (set by `cargo xtask bench core --learners N`) shrinks the course
//! for a shared machine. `CAIRN_BENCH_ONLY=summaries` (or `full`) with `--fold` runs that loop
//! once and prints nothing, for a profiler. Not a test: numbers are printed, never asserted.

use std::time::Instant;

use cairn::Timestamp;
use cairn::definition::CredentialDefinition;
use cairn::record::{Course, IssuanceStatus, LearnerLog};
use serde_json::{Value, json};

const DEFAULT_LEARNERS: usize = 10_000;
/// The page's roster case: this many learners summarized (`spec`: goal < 50 ms in wasm).
const ROSTER_LEARNERS: usize = 2_000;
/// One learner's attempt counts for the per-method lines.
const METHOD_SIZES: [usize; 5] = [1_000, 2_000, 3_000, 4_000, 5_000];
/// A method whose fold takes longer than this at one size skips the larger sizes.
const METHOD_BUDGET_SECONDS: f64 = 4.0;
/// Every competency method, `kept_mean` (README §5.2) first.
const METHODS: [(&str, &str); 8] = [
    ("kept_mean", "{}"),
    ("highest", "{}"),
    ("latest", "{}"),
    ("first", "{}"),
    ("average", "{}"),
    ("weighted_average", r#"{"weight_pct": 65}"#),
    ("decaying_average", r#"{"rate_pct": 65}"#),
    ("n_mastery", r#"{"n": 5}"#),
];
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

/// One competency with `method`, fed by one exam that allows unlimited attempts, and a
/// threshold no score reaches: the criteria are re-checked after every attempt (the worst
/// case, as for a learner who has not mastered yet).
fn method_definition(method: &str, params: &str) -> Value {
    let params: Value = serde_json::from_str(params).unwrap();
    let mut competency =
        json!({"id": "C", "statement": "Competency", "threshold_percent": "90", "method": method});
    if params.as_object().is_some_and(|p| !p.is_empty()) {
        competency["method_params"] = params;
    }
    json!([{
        "id": "M", "version": "1", "name": "Method benchmark", "description": "Generated",
        "issuer": {"id": "https://example.edu/issuers/bench", "name": "Bench"},
        "competencies": [competency],
        "assessments": [{"id": "A", "title": "Exam", "kind": "summative", "max_points": "100", "pass_percent": "95", "competencies": ["C"]}],
        "attempt_policy": {"max_attempts": null, "scoring": "highest", "feedback_required_before_retry": false,
                           "min_days_between_attempts": 0, "resit_cap_percent": null, "retry_after_pass": true},
        "criteria": {"all_competencies": true}
    }])
}

/// `count` attempts an hour apart, scores 40.00 … 79.99 (two decimals, below every threshold).
fn method_events(count: usize) -> Vec<Value> {
    let mut rng = Lcg(0x00de_ca1d);
    let mut t = Timestamp::parse("2026-01-05T09:00:00Z").unwrap();
    (0..count)
        .map(|_| {
            t = t.plus_seconds(3600);
            let hundredths = 4000 + rng.next(4000);
            json!({"at": t.to_string(), "type": "attempt_submitted", "assessment": "A",
                   "score": format!("{}.{:02}", hundredths / 100, hundredths % 100)})
        })
        .collect()
}

fn main() {
    let out = std::path::Path::new("target/bench-core");
    match std::env::args().nth(1).as_deref() {
        Some("--fold") => return fold_from_disk(out),
        Some("--methods") => return methods_from_disk(out),
        _ => {}
    }
    let mut rng = Lcg(0x5eed_ca1a_u64);
    let learners: usize = std::env::var("CAIRN_BENCH_LEARNERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_LEARNERS);
    let logs_json: Vec<Value> = (0..learners.max(ROSTER_LEARNERS))
        .map(|i| json!({"learner": format!("L{i:05}"), "events": learner_events(&mut rng)}))
        .collect();
    std::fs::create_dir_all(out.join("methods")).unwrap();
    let definitions = serde_json::to_string(&definition()).unwrap();
    std::fs::write(out.join("definitions.json"), &definitions).unwrap();
    std::fs::write(
        out.join("roster.json"),
        serde_json::to_string(&logs_json[..ROSTER_LEARNERS]).unwrap(),
    )
    .unwrap();
    std::fs::write(
        out.join("logs.json"),
        serde_json::to_string(&logs_json[..learners]).unwrap(),
    )
    .unwrap();
    drop(logs_json);
    let events = method_events(METHOD_SIZES[METHOD_SIZES.len() - 1]);
    let mut names = Vec::new();
    for (method, params) in METHODS {
        let file = json!({"method": method, "definitions": method_definition(method, params), "events": events});
        std::fs::write(
            out.join("methods").join(format!("{method}.json")),
            file.to_string(),
        )
        .unwrap();
        names.push(method);
    }
    std::fs::write(
        out.join("methods.json"),
        json!({"methods": names, "sizes": METHOD_SIZES, "budget_seconds": METHOD_BUDGET_SECONDS})
            .to_string(),
    )
    .unwrap();
    // Measure in fresh processes, so peak memory is the fold's and not the generator's.
    for mode in ["--fold", "--methods"] {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .arg(mode)
            .status()
            .unwrap();
        if !status.success() {
            std::process::exit(status.code().unwrap_or(1));
        }
    }
}

/// Reads the course from disk, folds every learner, prints the metrics.
fn fold_from_disk(out: &std::path::Path) {
    let definitions_text = std::fs::read_to_string(out.join("definitions.json")).unwrap();
    let json_bytes = std::fs::metadata(out.join("logs.json")).unwrap().len();
    let reader = std::io::BufReader::new(std::fs::File::open(out.join("logs.json")).unwrap());
    let mut logs: Vec<LearnerLog> = serde_json::from_reader(reader).unwrap();
    // Each log's events are read exactly sized (`LearnerLog`'s reader); the list of logs
    // grew by doubling here.
    logs.shrink_to_fit();
    let definitions: Vec<CredentialDefinition> = serde_json::from_str(&definitions_text).unwrap();
    let events: usize = logs.iter().map(|l| l.events.len()).sum();
    let at = Timestamp::parse("2027-01-01T00:00:00Z").unwrap();
    let course = Course::new(&definitions).unwrap();
    let rss_loaded = peak_rss_bytes();
    // `CAIRN_BENCH_ONLY=summaries|full`: one pass of that loop alone, for a profiler.
    match std::env::var("CAIRN_BENCH_ONLY").as_deref() {
        Ok("summaries") => {
            for l in &logs {
                std::hint::black_box(course.summarize(&l.events, at));
            }
            return;
        }
        Ok("full") => {
            for l in &logs {
                std::hint::black_box(course.fold(&l.events, at));
            }
            return;
        }
        _ => {}
    }

    // Best of a few runs (the first warms up).
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
    let mut full = f64::INFINITY;
    for _ in 0..3 {
        let start = Instant::now();
        let mut competencies = 0;
        for l in &logs {
            competencies += course.fold(&l.events, at).competencies.len();
        }
        full = full.min(start.elapsed().as_secs_f64());
        std::hint::black_box(competencies);
    }
    let roster = &logs[..ROSTER_LEARNERS.min(logs.len())];
    let mut roster_best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let summaries = course.summarize_all(roster, at);
        roster_best = roster_best.min(start.elapsed().as_secs_f64());
        std::hint::black_box(summaries);
    }
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
    println!("@metric full_record_seconds {full:.4} s");
    println!(
        "@metric roster_{}_learners_ms {:.2} ms",
        roster.len(),
        roster_best * 1e3
    );
    println!("@metric events_json_bytes {json_bytes} B");
    println!("@metric loaded_rss_bytes {rss_loaded} B");
    println!("@metric peak_memory_bytes {peak} B");
    println!(
        "@metric peak_over_events_json {:.3}",
        peak as f64 / json_bytes as f64
    );
}

/// One learner per method with 1,000 … 5,000 attempts: ms per 1,000 attempts at each size.
fn methods_from_disk(out: &std::path::Path) {
    let at = Timestamp::parse("2027-01-01T00:00:00Z").unwrap();
    println!("one learner, attempts 1,000 … 5,000: ms per 1,000 attempts (flat = linear cost)");
    for (method, _) in METHODS {
        let text =
            std::fs::read_to_string(out.join("methods").join(format!("{method}.json"))).unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        let definitions: Vec<CredentialDefinition> =
            serde_json::from_value(file["definitions"].clone()).unwrap();
        let events: Vec<cairn::event::Event> =
            serde_json::from_value(file["events"].clone()).unwrap();
        let course = Course::new(&definitions).unwrap();
        let mut cells = Vec::new();
        let mut per_1000 = Vec::new();
        for size in METHOD_SIZES {
            let mut best = f64::INFINITY;
            for run in 0..3 {
                let start = Instant::now();
                let record = course.fold(&events[..size], at);
                best = best.min(start.elapsed().as_secs_f64());
                std::hint::black_box(record);
                if run == 0 && best > METHOD_BUDGET_SECONDS / 4.0 {
                    break;
                }
            }
            let ms = best * 1e3 / (size as f64 / 1000.0);
            cells.push(format!("{}k {ms:.2}", size / 1000));
            per_1000.push(ms);
            println!(
                "@metric attempts_{method}_{}k_ms_per_1000 {ms:.3} ms",
                size / 1000
            );
            if best > METHOD_BUDGET_SECONDS {
                cells.push("(larger sizes skipped: over budget)".to_owned());
                break;
            }
        }
        let growth = per_1000.last().unwrap() / per_1000[0];
        println!("{method:<18} {}  growth {growth:.2}", cells.join("  "));
        println!("@metric attempts_{method}_growth {growth:.3}");
        accumulate_line(method, &file);
    }
}

/// The method alone, kept up to date one score at a time as a fold could
/// ([`cairn::mastery::Accumulator`]: push, then the mastery decision, per attempt).
fn accumulate_line(method: &str, file: &Value) {
    let params: std::collections::BTreeMap<String, Value> = file["definitions"][0]["competencies"]
        [0]
    .get("method_params")
    .map(|p| serde_json::from_value(p.clone()).unwrap())
    .unwrap_or_default();
    let Ok(m) = cairn::mastery::Method::from_name(method, &params) else {
        return; // kept_mean is the fold's own rule, not a method
    };
    let scores: Vec<cairn::Number> = file["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| cairn::Number::parse_decimal(e["score"].as_str().unwrap()).unwrap())
        .collect();
    let threshold = cairn::Number::from_integer(90);
    let mut cells = Vec::new();
    let mut per_1000 = Vec::new();
    let mut exact_ms = 0.0;
    for size in METHOD_SIZES {
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let start = Instant::now();
            let mut acc = cairn::mastery::Accumulator::new(m, threshold.clone());
            let mut met = 0usize;
            for s in &scores[..size] {
                acc.push(s.clone());
                met += usize::from(acc.meets(&threshold) == Some(true));
            }
            best = best.min(start.elapsed().as_secs_f64());
            let start = Instant::now();
            std::hint::black_box((met, acc.value().ok()));
            exact_ms = start.elapsed().as_secs_f64() * 1e3;
        }
        let ms = best * 1e3 / (size as f64 / 1000.0);
        cells.push(format!("{}k {ms:.3}", size / 1000));
        per_1000.push(ms);
    }
    let growth = per_1000.last().unwrap() / per_1000[0];
    println!(
        "  {method} alone (Accumulator: push + decision per attempt): {}  growth {growth:.2}; the exact value once at 5k: {exact_ms:.2} ms",
        cells.join("  ")
    );
    println!(
        "@metric accumulate_{method}_5k_ms_per_1000 {:.4} ms",
        per_1000.last().unwrap()
    );
    println!("@metric accumulate_{method}_growth {growth:.3}");
}
