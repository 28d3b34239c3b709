//! Native throughput of `eddsa-rdfc-2022` sign and verify on the same credential as the
//! oracle's `bench.mjs` (`../shared/vectors/project/ob3-mastery-unsigned.json`, the RFC 8032
//! test key, `created` 2026-03-02T15:04:05Z), in one warm process. Prints one JSON line in
//! the oracle's shape. Usage: `cargo run --release --example bench_credentials [iterations]`.
//! Reads the vector from `../shared` (a host program: the core itself does no I/O).

use std::time::Instant;

use cairn::Timestamp;
use cairn::credential::keys::IssuerKey;
use cairn::credential::{VerifyOptions, sign, verify};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = std::env::args().nth(1).map_or(Ok(2000), |a| a.parse())?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/project");
    let unsigned: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        root.join("ob3-mastery-unsigned.json"),
    )?)?;
    let keys: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("keys.json"))?)?;
    let seed_hex = keys["seedHex"].as_str().ok_or("seedHex")?;
    let mut seed = [0u8; 32];
    for (i, b) in seed.iter_mut().enumerate() {
        *b = u8::from_str_radix(&seed_hex[2 * i..2 * i + 2], 16)?;
    }
    let key = IssuerKey::from_seed(&seed);
    let vm = key.public().did_key_method();
    let created = Timestamp::parse("2026-03-02T15:04:05Z")?;
    let now = Timestamp::parse("2026-06-01T00:00:00Z")?;
    let signed = sign(&unsigned, &key, &vm, created)?.credential.to_string();
    let options = VerifyOptions::at(now);
    for _ in 0..50 {
        sign(&unsigned, &key, &vm, created)?;
        assert!(verify(&signed, &options).verified);
    }
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(sign(std::hint::black_box(&unsigned), &key, &vm, created)?);
    }
    let ts = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for _ in 0..n {
        let report = verify(std::hint::black_box(&signed), &options);
        if !report.verified {
            return Err("verification failed during the benchmark".into());
        }
    }
    let tv = t.elapsed().as_secs_f64();
    println!(
        "{{\"iterations\":{n},\"signPerSec\":{:.1},\"verifyPerSec\":{:.1},\"signMsEach\":{:.4},\"verifyMsEach\":{:.4},\"credentialBytes\":{}}}",
        f64::from(n) / ts,
        f64::from(n) / tv,
        1000.0 * ts / f64::from(n),
        1000.0 * tv / f64::from(n),
        signed.len()
    );
    Ok(())
}
