//! Bench-only WebAssembly entry points, for work the page's module does not expose: signs
//! one credential many times inside the module so `benches/credentials.mjs` can time the
//! core's `eddsa-rdfc-2022` signing in wasm, as `examples/bench_credentials.rs` times it
//! natively; and folds a whole roster without building JS objects so `benches/core.mjs` can
//! time the fold, as `examples/bench_core.rs` does. Never part of the page's module (the
//! issuer key lives only on the server): the bench builds it into `target/bench-wasm/`. The
//! test seed comes from `../shared/vectors/project/keys.json` through the script.

use cairn::Timestamp;
use cairn::credential::keys::IssuerKey;
use cairn::credential::sign;
use cairn::record::{Course, IssuanceStatus, LearnerLog};
use wasm_bindgen::prelude::*;

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

/// A course and many learners' logs, read once, folded on demand without building JS
/// objects: the fold alone, for `benches/core.mjs`.
#[wasm_bindgen]
pub struct BenchRoster {
    course: Course<'static>,
    logs: Vec<LearnerLog>,
}

#[wasm_bindgen]
impl BenchRoster {
    /// Reads definitions (JSON text) and learners' logs (UTF-8 JSON bytes of
    /// `[{"learner": id, "events": [...]}, …]`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = definitionsJson)] definitions_json: &str,
        #[wasm_bindgen(js_name = logsJson)] logs_json: &[u8],
    ) -> Result<BenchRoster, JsError> {
        let course =
            Course::from_json(definitions_json).map_err(|e| JsError::new(&e.to_string()))?;
        let logs = serde_json::from_str(std::str::from_utf8(logs_json)?)?;
        Ok(BenchRoster { course, logs })
    }

    /// How many learners the roster holds.
    #[wasm_bindgen(js_name = learnerCount)]
    pub fn learner_count(&self) -> usize {
        self.logs.len()
    }

    /// How many events the roster holds.
    #[wasm_bindgen(js_name = eventCount)]
    pub fn event_count(&self) -> usize {
        self.logs.iter().map(|l| l.events.len()).sum()
    }

    /// Folds every learner as of `at`, one summary at a time as the native bench does, and
    /// counts those holding a valid credential of the first definition.
    #[wasm_bindgen(js_name = countValid)]
    pub fn count_valid(&self, at: &str) -> Result<usize, JsError> {
        let at = Timestamp::parse(at).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(self
            .logs
            .iter()
            .filter(|l| {
                let summary = self.course.summarize(&l.events, at);
                summary
                    .credentials
                    .first()
                    .is_some_and(|c| c.status == IssuanceStatus::Valid)
            })
            .count())
    }
}
