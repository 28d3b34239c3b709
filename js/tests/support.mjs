// Shared helpers of the node tests: where things are, loading the web-target wasm build with
// `initSync`, reading the ../shared fixtures, and exact rational comparison with BigInt.
// Not a test file itself (the runner is given js/tests/*.test.mjs only).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const repoRoot = resolve(here, '..', '..');

/** The shared reference folder, `../shared` from the repository root. */
export const sharedDir = resolve(repoRoot, '..', 'shared');

/** The cargo target directory (`CARGO_TARGET_DIR` or `target/`). */
export const targetDir = (() => {
  const dir = process.env.CARGO_TARGET_DIR;
  if (!dir) return join(repoRoot, 'target');
  return isAbsolute(dir) ? dir : join(repoRoot, dir);
})();

/** The generated package of `cargo xtask wasm`. */
export const pkgDir = join(repoRoot, 'www', 'pkg');

/**
 * Loads the web-target build from www/pkg/ (or from its `folder`, such as `views`)
 * synchronously (Node cannot fetch `file:` URLs, so the module's bytes are handed to
 * `initSync`). Returns the binding's exports.
 */
export async function loadCore(folder = '') {
  const glue = join(pkgDir, folder, 'cairn_wasm.js');
  const wasm = join(pkgDir, folder, 'cairn_wasm_bg.wasm');
  if (!existsSync(glue) || !existsSync(wasm)) {
    throw new Error(`the wasm build is missing (${glue}): run \`cargo xtask wasm\` first`);
  }
  const core = await import(pathToFileURL(glue).href);
  core.initSync({ module: readFileSync(wasm) });
  return core;
}

/**
 * Every scenario, parsed, sorted by file name: ../shared/fixtures/scenarios/, then the
 * repository's own tests/scenarios/ when it exists (as tests/scenario_support does).
 */
export function scenarios() {
  const dirs = [join(sharedDir, 'fixtures', 'scenarios'), join(repoRoot, 'tests', 'scenarios')];
  return dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) => readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => ({ file: name, ...JSON.parse(readFileSync(join(dir, name), 'utf8')) })))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The golden records of `cargo xtask golden`. */
export const goldenDir = join(repoRoot, 'tests', 'golden', 'records');

/** A scenario's golden record (`tests/golden/records/<id>.json`), parsed. */
export function goldenRecord(id) {
  const path = join(goldenDir, `${id}.json`);
  assert.ok(existsSync(path), `${path} is missing: run \`cargo xtask golden\``);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * The scenario's evaluation instant, computed in one place (tests/scenario_support: README §9,
 * `expect.at`, else the latest event `at`) and read here from its golden record's `at`.
 */
export function evaluationInstant(scenario) {
  return goldenRecord(scenario.id).at;
}

/** The mastery vectors file, parsed. */
export function masteryVectors() {
  return JSON.parse(readFileSync(join(sharedDir, 'fixtures', 'mastery', 'vectors.json'), 'utf8'));
}

// ---- exact rationals ----

function gcd(a, b) {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * Parses an exact number: a decimal string (`"18.4"`, `"-2"`) or a fraction `"n/d"`, into
 * `{ n, d }` BigInts in lowest terms with `d > 0`. Anything else throws.
 */
export function rational(text) {
  if (typeof text !== 'string') throw new TypeError(`not an exact number string: ${JSON.stringify(text)}`);
  let m = /^(-?)(\d+)\/(\d+)$/.exec(text);
  let n;
  let d;
  if (m) {
    n = BigInt(m[2]) * (m[1] ? -1n : 1n);
    d = BigInt(m[3]);
  } else {
    m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!m) throw new TypeError(`not an exact number string: ${JSON.stringify(text)}`);
    const frac = m[3] ?? '';
    n = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
    d = 10n ** BigInt(frac.length);
  }
  if (d === 0n) throw new RangeError(`zero denominator in ${text}`);
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/** Whether two exact number strings denote the same rational. */
export function sameRational(a, b) {
  const x = rational(a);
  const y = rational(b);
  return x.n * y.d === y.n * x.d;
}

/** Asserts two exact numbers (or both `null`/absent) are equal as rationals. */
export function assertRational(actual, expected, what) {
  if (expected === null || expected === undefined) {
    assert.ok(actual === null || actual === undefined, `${what}: expected none, got ${JSON.stringify(actual)}`);
    return;
  }
  assert.ok(actual !== null && actual !== undefined, `${what}: expected ${expected}, got none`);
  assert.ok(sameRational(String(actual), String(expected)), `${what}: expected ${expected}, got ${actual}`);
}

/** Asserts two lists are equal as sets of their JSON-stable keys. */
export function assertSameSet(actual, expected, keyOf, what) {
  const a = [...actual].map(keyOf).sort();
  const e = [...expected].map(keyOf).sort();
  assert.deepEqual(a, e, `${what}: sets differ`);
}
