//! Credentials benchmark, native side (`cargo xtask bench credentials`): `eddsa-rdfc-2022`
//! sign and verify throughput on the credential the oracle's `bench.mjs` signs
//! (`../shared/vectors/project/ob3-mastery-unsigned.json`, the RFC 8032 test key, `created`
//! 2026-03-02T15:04:05Z), in one warm process, best of three rounds. Prints `@metric` lines.
//!
//! Before timing it checks that the signature equals the stored vector's (the oracle's output
//! for the same input), so all sides work on the same credential, and writes the signed text
//! to `<target>/bench-credentials/signed.json` for the wasm side (`benches/credentials.mjs`).
//! Not a test: numbers are printed, never asserted. Usage: `cargo run --release --example
//! bench_credentials [iterations]`. A host program: the core itself does no I/O.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cairn::Timestamp;
use cairn::credential::keys::IssuerKey;
use cairn::credential::{VerifyOptions, sign, verify};
use serde_json::Value;

/// Timed rounds per operation; the fastest is reported.
const ROUNDS: usize = 3;

fn read_json(path: &Path) -> Result<Value, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// The cargo target directory, as the other benchmark programs find it.
fn target_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d))
}

/// Seconds of the fastest of [`ROUNDS`] rounds of `n` calls.
fn best_of<E>(n: u32, mut op: impl FnMut() -> Result<(), E>) -> Result<f64, E> {
    let mut best = f64::INFINITY;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..n {
            op()?;
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(best)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = std::env::args().nth(1).map_or(Ok(2000), |a| a.parse())?;
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/project");
    let unsigned = read_json(&vectors.join("ob3-mastery-unsigned.json"))?;
    let expected = read_json(&vectors.join("ob3-mastery-signed.json"))?;
    let keys = read_json(&vectors.join("keys.json"))?;
    let seed_hex = keys["seedHex"].as_str().ok_or("keys.json has no seedHex")?;
    let mut seed = [0u8; 32];
    for (i, b) in seed.iter_mut().enumerate() {
        let pair = seed_hex.get(2 * i..2 * i + 2).ok_or("seedHex is short")?;
        *b = u8::from_str_radix(pair, 16)?;
    }
    let key = IssuerKey::from_seed(&seed);
    let vm = key.public().did_key_method();
    let created = Timestamp::parse("2026-03-02T15:04:05Z")?;
    let now = Timestamp::parse("2026-06-01T00:00:00Z")?;

    let signed = sign(&unsigned, &key, &vm, created)?;
    if Some(signed.proof_value.as_str()) != expected["proof"][0]["proofValue"].as_str() {
        return Err(
            "the signature differs from ob3-mastery-signed.json: not the oracle's credential"
                .into(),
        );
    }
    let signed_text = signed.credential.to_string();
    let out = target_dir().join("bench-credentials");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("signed.json"), &signed_text)?;

    let options = VerifyOptions::at(now);
    for _ in 0..50 {
        sign(&unsigned, &key, &vm, created)?;
        if !verify(&signed_text, &options).verified {
            return Err("the signed credential does not verify".into());
        }
    }
    let sign_s = best_of(n, || {
        std::hint::black_box(sign(std::hint::black_box(&unsigned), &key, &vm, created)?);
        Ok::<(), cairn::credential::CredentialError>(())
    })?;
    let verify_s = best_of(n, || {
        if verify(std::hint::black_box(&signed_text), &options).verified {
            Ok(())
        } else {
            Err("verification failed during the benchmark")
        }
    })?;

    let per_second = |s: f64| f64::from(n) / s;
    println!(
        "credential {} bytes signed, proofValue {}; {n} operations x {ROUNDS} rounds, best round",
        signed_text.len(),
        signed.proof_value
    );
    println!("@metric credential_bytes {} B", signed_text.len());
    println!("@metric sign_per_second {:.0} op/s", per_second(sign_s));
    println!("@metric verify_per_second {:.0} op/s", per_second(verify_s));
    Ok(())
}
