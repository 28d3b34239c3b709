//! Bench-only WebAssembly entry points, timed inside the module so the JS boundary does not
//! count: signing one credential many times (`benches/credentials.mjs`, as
//! `examples/bench_credentials.rs` natively) and folding a course into summaries or full
//! records (`benches/core.mjs`, as `examples/bench_core.rs`). Never part of the page's module
//! (the issuer key lives only on the server): the bench builds it into `target/bench-wasm/`.
//! The test seed comes from `../shared/vectors/project/keys.json` through the script.
//!
//! The logs' JSON stays on the JS side and is read in pieces ([`JsonSource`]), so the
//! module's memory holds the parsed events and never the whole text beside them: its peak
//! is the events' own (`benches/core.mjs` reports it against the text's size).

use cairn::Timestamp;
use cairn::credential::keys::IssuerKey;
use cairn::credential::sign;
use cairn::definition::{CredentialDefinition, parse_definitions};
use cairn::record::{Course, IssuanceStatus, LearnerLog};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The host's monotonic clock in ms (Node and browsers have `performance.now`).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now_ms() -> f64;

    /// JSON text held by the host, read a piece at a time: an object whose
    /// `chunk(offset, length)` returns up to `length` bytes from `offset` (none at the end).
    pub type JsonSource;

    /// Up to `length` bytes of the text from byte `offset`; empty past its end.
    #[wasm_bindgen(method)]
    fn chunk(this: &JsonSource, offset: f64, length: u32) -> Vec<u8>;
}

/// Bytes asked of a [`JsonSource`] at a time.
const CHUNK_BYTES: u32 = 1 << 16;

/// A [`JsonSource`] as a reader: one piece in the module's memory at a time.
struct SourceReader<'a> {
    source: &'a JsonSource,
    /// Offset of the next piece in the text.
    offset: f64,
    piece: Vec<u8>,
    /// Bytes of `piece` already read.
    read: usize,
}

impl std::io::Read for SourceReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.read == self.piece.len() {
            self.piece = self.source.chunk(self.offset, CHUNK_BYTES);
            self.offset += self.piece.len() as f64;
            self.read = 0;
        }
        let n = out.len().min(self.piece.len() - self.read);
        out[..n].copy_from_slice(&self.piece[self.read..self.read + n]);
        self.read += n;
        Ok(n)
    }
}

/// A course and its learners' logs, parsed once and folded repeatedly for timing.
#[wasm_bindgen]
pub struct BenchCourse {
    definitions: Vec<CredentialDefinition>,
    logs: Vec<LearnerLog>,
}

#[wasm_bindgen]
impl BenchCourse {
    /// Reads definitions (JSON text) and logs (`[{"learner": id, "events": [...]}, …]`),
    /// the logs from `logs`, a piece at a time.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
        logs: &JsonSource,
    ) -> Result<BenchCourse, JsError> {
        let definitions =
            parse_definitions(definitions_json).map_err(|e| JsError::new(&e.to_string()))?;
        let reader = SourceReader {
            source: logs,
            offset: 0.0,
            piece: Vec::new(),
            read: 0,
        };
        let mut logs: Vec<LearnerLog> = serde_json::from_reader(reader)?;
        logs.shrink_to_fit();
        Ok(BenchCourse { definitions, logs })
    }

    /// How many events the logs hold.
    #[wasm_bindgen(js_name = eventCount)]
    pub fn event_count(&self) -> usize {
        self.logs.iter().map(|l| l.events.len()).sum()
    }

    /// Folds every learner `runs` times (at least once) as of `at`, into summaries or, with
    /// `full`, whole records with explanations; returns the best run in seconds.
    #[wasm_bindgen(js_name = bestSeconds)]
    pub fn best_seconds(&self, at: &str, full: bool, runs: u32) -> Result<f64, JsError> {
        let at = Timestamp::parse(at).map_err(|e| JsError::new(&e.to_string()))?;
        let course = Course::new(&self.definitions).map_err(|e| JsError::new(&e.to_string()))?;
        let mut best = f64::INFINITY;
        for _ in 0..runs.max(1) {
            let start = now_ms();
            let mut kept = 0usize;
            for l in &self.logs {
                kept += if full {
                    course.fold(&l.events, at).competencies.len()
                } else {
                    course.summarize(&l.events, at).competencies.len()
                };
            }
            best = best.min((now_ms() - start) / 1e3);
            std::hint::black_box(kept);
        }
        Ok(best)
    }

    /// Folds the first learner's first `count` events into a full record `runs` times (at
    /// least once); returns the best run in seconds.
    #[wasm_bindgen(js_name = oneLearnerSeconds)]
    pub fn one_learner_seconds(&self, at: &str, count: usize, runs: u32) -> Result<f64, JsError> {
        let at = Timestamp::parse(at).map_err(|e| JsError::new(&e.to_string()))?;
        let course = Course::new(&self.definitions).map_err(|e| JsError::new(&e.to_string()))?;
        let events = self
            .logs
            .first()
            .map(|l| &l.events[..count.min(l.events.len())])
            .unwrap_or_default();
        let mut best = f64::INFINITY;
        for _ in 0..runs.max(1) {
            let start = now_ms();
            std::hint::black_box(course.fold(events, at));
            best = best.min((now_ms() - start) / 1e3);
        }
        Ok(best)
    }

    /// How many learners hold a valid credential of the first definition as of `at`.
    #[wasm_bindgen(js_name = countValid)]
    pub fn count_valid(&self, at: &str) -> Result<usize, JsError> {
        let at = Timestamp::parse(at).map_err(|e| JsError::new(&e.to_string()))?;
        let course = Course::new(&self.definitions).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(self
            .logs
            .iter()
            .filter(|l| {
                course
                    .summarize(&l.events, at)
                    .credentials
                    .first()
                    .is_some_and(|c| c.status == IssuanceStatus::Valid)
            })
            .count())
    }
}

/// Signs `unsignedJson` (parsed once) `iterations` times (at least once) with the Ed25519
/// key of `seedHex` (64 hex digits), its `did:key` verification method and `created`;
/// returns the last `proofValue`, so the caller can check it against the stored vector.
#[wasm_bindgen(js_name = benchSign)]
pub fn bench_sign(
    #[wasm_bindgen(js_name = unsignedJson)] unsigned_json: &str,
    #[wasm_bindgen(js_name = seedHex)] seed_hex: &str,
    created: &str,
    iterations: u32,
) -> Result<String, JsError> {
    let unsigned: serde_json::Value = serde_json::from_str(unsigned_json)?;
    let key = IssuerKey::from_seed(&seed(seed_hex)?);
    let method = key.public().did_key_method();
    let created = Timestamp::parse(created).map_err(|e| JsError::new(&e.to_string()))?;
    let mut proof_value = String::new();
    for _ in 0..iterations.max(1) {
        proof_value = sign(&unsigned, &key, &method, created)
            .map_err(|e| JsError::new(&e.to_string()))?
            .proof_value;
    }
    Ok(proof_value)
}

/// 32 bytes from 64 hex digits.
fn seed(hex: &str) -> Result<[u8; 32], JsError> {
    let bad = || JsError::new("the seed must be 64 hex digits");
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2).ok_or_else(bad)?;
        *b = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(out)
}
