// Core benchmark, wasm side (`cargo xtask bench core` runs it after the native side, which
// wrote the course to target/bench-core/): folds the same 10,000-learner course in
// WebAssembly under Node and prints `@metric` lines. Numbers are printed, never asserted.
//
// Counting without building JS objects is bench-only work, so it runs in the bench-only
// module bench-wasm/ (built by the xtask into target/bench-wasm/ with the page's profile),
// not in the page's module.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { targetDir } from '../js/tests/support.mjs';

const benchDir = join(targetDir, 'bench-wasm');
const glue = join(benchDir, 'cairn_bench_wasm.js');
if (!existsSync(glue)) {
  throw new Error(`${glue} is missing: run \`cargo xtask bench core\` (it builds bench-wasm/)`);
}
const bench = await import(pathToFileURL(glue).href);
// initSync returns the initialised exports: the linear memory is among them.
const exports = bench.initSync({ module: readFileSync(join(benchDir, 'cairn_bench_wasm_bg.wasm')) });
const dir = join(targetDir, 'bench-core');
const definitions = readFileSync(join(dir, 'definitions.json'), 'utf8');
const logs = readFileSync(join(dir, 'logs.json'));
const at = '2027-01-01T00:00:00Z';

const roster = new bench.BenchRoster(definitions, logs);
const events = roster.eventCount();

let best = Infinity;
let valid = 0;
for (let run = 0; run < 5; run += 1) {
  const start = process.hrtime.bigint();
  valid = roster.countValid(at);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  best = Math.min(best, seconds);
}
const memory = wasmMemoryBytes();

console.log(`learners ${roster.learnerCount()}, events ${events}, valid ${valid}, events JSON ${logs.length} bytes`);
console.log(`@metric events ${events}`);
console.log(`@metric valid_credentials ${valid}`);
console.log(`@metric fold_events_per_second ${Math.round(events / best)} ev/s`);
console.log(`@metric fold_seconds ${best.toFixed(4)} s`);
console.log(`@metric events_json_bytes ${logs.length} B`);
console.log(`@metric peak_memory_bytes ${memory} B`);
console.log(`@metric peak_over_events_json ${(memory / logs.length).toFixed(3)}`);

/** The wasm linear memory's size: it only grows, so after the runs it is the peak. */
function wasmMemoryBytes() {
  return exports.memory.buffer.byteLength;
}
