// Credentials benchmark, wasm and oracle side (`cargo xtask bench credentials` runs it after
// the native side, which signed the credential and wrote it to target/bench-credentials/):
// verifies that same credential in the WebAssembly build under Node, then runs the
// independent oracle's own benchmark (../shared/oracle/bench.mjs, installed under
// target/shared-oracle/ as the Rust tests install it) on the same unsigned credential, seed
// and `created`, and prints `@metric` lines; the oracle's carry the `oracle_` prefix so the
// dispatcher prints Cairn / oracle ratios. Numbers are printed, never asserted.
//
// The page's wasm build exposes no signing (the issuer key lives only on the server), so
// signing in wasm is timed on a bench-only module, bench-wasm/, which the xtask builds into
// target/bench-wasm/ for speed, as the instructor views' module (it never reaches www/pkg/).

import { spawnSync } from 'node:child_process';
import {
  chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync,
  rmdirSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCore, sharedDir, targetDir } from '../js/tests/support.mjs';

/** Operations per timed round in wasm, rounds (the fastest counts), oracle iterations. */
const WASM_ITERATIONS = 1000;
const ROUNDS = 3;
const ORACLE_ITERATIONS = 200;
/** Inside the credential's validity window (the vectors expire in 2029). */
const NOW = '2026-06-01T00:00:00Z';

const signedPath = join(targetDir, 'bench-credentials', 'signed.json');
if (!existsSync(signedPath)) {
  throw new Error(`${signedPath} is missing: run \`cargo xtask bench credentials\` (the native side writes it)`);
}
const signed = readFileSync(signedPath, 'utf8');

// --- Cairn, wasm ---------------------------------------------------------------------------
const core = await loadCore();
const options = JSON.stringify({ now: NOW });
const first = core.verifyCredential(signed, options);
if (!first.verified) {
  throw new Error(`the native-signed credential does not verify in wasm: ${JSON.stringify(first.errors)}`);
}
for (let i = 0; i < 50; i += 1) core.verifyCredential(signed, options);
let best = Infinity;
for (let round = 0; round < ROUNDS; round += 1) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < WASM_ITERATIONS; i += 1) {
    if (!core.verifyCredential(signed, options).verified) {
      throw new Error('verification failed during the benchmark');
    }
  }
  best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
}
console.log(`wasm: ${WASM_ITERATIONS} verifications x ${ROUNDS} rounds of the ${signed.length}-byte credential, best round`);
console.log(`@metric credential_bytes ${signed.length} B`);
console.log(`@metric verify_per_second ${Math.round(WASM_ITERATIONS / best)} op/s`);
await benchSign();

// --- the oracle (Digital Bazaar jsonld.js + rdf-canonize stack) -----------------------------
const oracle = installedOracle();
const run = spawnSync(process.execPath, [join(oracle, 'bench.mjs'), String(ORACLE_ITERATIONS)], {
  encoding: 'utf8',
});
if (run.status !== 0) {
  throw new Error(`oracle bench.mjs failed (${run.status}): ${run.stderr}`);
}
const figures = JSON.parse(run.stdout.trim().split('\n').at(-1));
console.log(`oracle (${figures.node}): ${JSON.stringify(figures)}`);
console.log(`@metric oracle_sign_per_second ${figures.signPerSec} op/s`);
console.log(`@metric oracle_verify_per_second ${figures.verifyPerSec} op/s`);

/**
 * Times signing in the bench-only module (the page's module has no signing): the same
 * unsigned credential, seed and `created` as the native side and the oracle, parsed once,
 * signed in a loop inside wasm. The proofValue must equal the stored vector's.
 */
async function benchSign() {
  const dir = join(targetDir, 'bench-wasm');
  const glue = join(dir, 'cairn_bench_wasm.js');
  if (!existsSync(glue)) {
    console.log(`wasm: sign not timed: ${glue} is missing (\`cargo xtask bench credentials\` builds it); the page's module exposes no signing`);
    return;
  }
  const bench = await import(pathToFileURL(glue).href);
  bench.initSync({ module: readFileSync(join(dir, 'cairn_bench_wasm_bg.wasm')) });
  const vectors = join(sharedDir, 'vectors', 'project');
  const unsigned = readFileSync(join(vectors, 'ob3-mastery-unsigned.json'), 'utf8');
  const { seedHex } = JSON.parse(readFileSync(join(vectors, 'keys.json'), 'utf8'));
  const expected = JSON.parse(readFileSync(join(vectors, 'ob3-mastery-signed.json'), 'utf8')).proof[0].proofValue;
  const created = '2026-03-02T15:04:05Z';
  const proofValue = bench.benchSign(unsigned, seedHex, created, 50);
  if (proofValue !== expected) {
    throw new Error(`wasm signing gave ${proofValue}, not the vector's ${expected}`);
  }
  let fastest = Infinity;
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = process.hrtime.bigint();
    bench.benchSign(unsigned, seedHex, created, WASM_ITERATIONS);
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e9);
  }
  console.log(`wasm: ${WASM_ITERATIONS} signatures x ${ROUNDS} rounds in the bench-only module (target/bench-wasm/, not the page's), best round; proofValue = the vector's`);
  console.log(`@metric sign_per_second ${Math.round(WASM_ITERATIONS / fastest)} op/s`);
}

/**
 * The oracle, ready to run, installed the way tests/credential_support/mod.rs does it:
 * `CAIRN_ORACLE_DIR` if set (must hold an install), else ../shared/oracle and
 * ../shared/vectors copied side by side into <target>/shared-oracle/ and `npm ci` there,
 * once (stamp `node_modules/.cairn-installed`, redone when the lock file changes; the
 * `.install-lock` directory serialises concurrent installers).
 */
function installedOracle() {
  const given = process.env.CAIRN_ORACLE_DIR;
  if (given) {
    if (!existsSync(join(given, 'bench.mjs')) || !existsSync(join(given, 'node_modules'))) {
      throw new Error(`CAIRN_ORACLE_DIR=${given} does not hold an installed oracle (bench.mjs + node_modules)`);
    }
    return given;
  }
  const root = join(targetDir, 'shared-oracle');
  const dir = join(root, 'oracle');
  const ready = () => existsSync(join(dir, 'node_modules', '.cairn-installed'))
    && existsSync(join(dir, 'package-lock.json'))
    && readFileSync(join(dir, 'package-lock.json')).equals(
      readFileSync(join(sharedDir, 'oracle', 'package-lock.json')),
    );
  if (ready()) return dir;
  mkdirSync(root, { recursive: true });
  const lock = join(root, '.install-lock');
  for (let waited = 0; ; waited += 1) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (waited >= 2400) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
      if (ready()) return dir;
    }
  }
  try {
    console.error('bench: installing the oracle into target/shared-oracle (npm ci)');
    for (const name of ['oracle', 'vectors']) {
      const to = join(root, name);
      if (existsSync(to)) {
        writable(to);
        rmSync(to, { recursive: true, force: true });
      }
      cpSync(join(sharedDir, name), to, {
        recursive: true,
        filter: (src) => !src.split(/[\\/]/).includes('node_modules'),
      });
      writable(to);
    }
    const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (npm.error || npm.status !== 0) {
      throw new Error(`npm ci in ${dir} failed: ${npm.error ?? npm.stderr}`);
    }
    writeFileSync(join(dir, 'node_modules', '.cairn-installed'), 'ok\n');
  } finally {
    rmdirSync(lock);
  }
  return dir;
}

/** Makes a copied tree writable (the shared originals are read-only). */
function writable(path) {
  const info = lstatSync(path);
  if (info.isSymbolicLink()) return;
  const dir = info.isDirectory();
  chmodSync(path, dir ? 0o755 : 0o644);
  if (dir) for (const name of readdirSync(path)) writable(join(path, name));
}
