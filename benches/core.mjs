// Core benchmark, wasm side (`cargo xtask bench core` runs it after the native side, which
// wrote every input to target/bench-core/): folds the same course in WebAssembly under Node
// and prints the same `@metric` lines as examples/bench_core.rs. Summaries, full records and
// one learner per method are timed inside the bench-only module (target/bench-wasm/, built
// as the instructor views' module is: for speed), so the JS boundary does not count; the
// roster case goes through the instructor views' own module (www/pkg/views/) and its
// `Roster.summarize` (and the what-if panel's `statusesWith`; the summaries of
// `summarizeWith` beside it), JS values included, as the page pays it. Numbers are
// printed, never asserted.

import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCore, pkgDir, targetDir } from '../js/tests/support.mjs';
import { applyWhatIf } from '../www/views/instructor/parts/what_if_edits.mjs';

const core = await loadCore('views');
// initSync returns the already initialised exports: the linear memory is among them.
const exports = core.initSync({ module: readFileSync(join(pkgDir, 'views', 'cairn_wasm_bg.wasm')) });
const benchDir = join(targetDir, 'bench-wasm');
const bench = await import(pathToFileURL(join(benchDir, 'cairn_bench_wasm.js')).href);
const benchExports = bench.initSync({ module: readFileSync(join(benchDir, 'cairn_bench_wasm_bg.wasm')) });

const dir = join(targetDir, 'bench-core');
const definitions = readFileSync(join(dir, 'definitions.json'), 'utf8');
const logsPath = join(dir, 'logs.json');
const logsBytes = statSync(logsPath).size;
const at = '2027-01-01T00:00:00Z';

// The logs' text is read from the file a piece at a time as the module asks for it
// (bench-wasm/src/lib.rs), as the native side reads it through a buffered reader: neither
// side holds the whole text, so the peak below is the parsed events' and the fold's.
const fileSource = (path) => {
  const fd = openSync(path, 'r');
  const piece = Buffer.alloc(64 * 1024);
  return {
    chunk: (offset, length) => piece.subarray(0, readSync(fd, piece, 0, Math.min(length, piece.length), offset)),
    close: () => closeSync(fd),
  };
};

// A text already in memory, served the same way (the per-method logs are small).
const bufferSource = (buffer) => ({
  chunk: (offset, length) => buffer.subarray(offset, offset + length),
  close: () => {},
});

// Summaries and full records, in the bench-only module.
const source = fileSource(logsPath);
const course = new bench.BenchCourse(definitions, source);
source.close();
const events = course.eventCount();
const valid = course.countValid(at);
const summaries = course.bestSeconds(at, false, 5);
const full = course.bestSeconds(at, true, 3);
course.free();
const memory = benchExports.memory.buffer.byteLength;

// The page's roster case: its own module and class, the returned columns included.
const rosterLogs = readFileSync(join(dir, 'roster.json'));
const roster = new core.Roster(definitions, rosterLogs);
let rosterBest = Infinity;
for (let run = 0; run < 5; run += 1) {
  const start = process.hrtime.bigint();
  const out = roster.summarize(at);
  rosterBest = Math.min(rosterBest, Number(process.hrtime.bigint() - start) / 1e6);
  if (out.learners.length !== roster.learnerCount()) throw new Error('roster: wrong number of summaries');
}
// The what-if panel's case: the same roster folded under edited definitions (every
// competency threshold raised by 5 points), the edit and the returned statuses included;
// then the same through `summarizeWith` (every summary as JS values), for comparison.
const whatIf = applyWhatIf(JSON.parse(definitions), { threshold: { competency: '', value: '75' } });
const timeBest = (call) => {
  let best = Infinity;
  for (let run = 0; run < 5; run += 1) {
    const start = process.hrtime.bigint();
    const out = call();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
    if (out.learners.length !== roster.learnerCount()) throw new Error('what-if: wrong number of learners');
  }
  return best;
};
const whatIfBest = timeBest(() => roster.statusesWith(JSON.stringify(whatIf), at));
const whatIfSummariesBest = timeBest(() => roster.summarizeWith(JSON.stringify(whatIf), at));

console.log(`learners ${JSON.parse(readFileSync(logsPath)).length}, events ${events}, valid ${valid}, events JSON ${logsBytes} bytes`);
console.log(`@metric events ${events}`);
console.log(`@metric valid_credentials ${valid}`);
console.log(`@metric fold_events_per_second ${Math.round(events / summaries)} ev/s`);
console.log(`@metric full_record_events_per_second ${Math.round(events / full)} ev/s`);
console.log(`@metric fold_seconds ${summaries.toFixed(4)} s`);
console.log(`@metric full_record_seconds ${full.toFixed(4)} s`);
console.log(`@metric roster_${roster.learnerCount()}_learners_ms ${rosterBest.toFixed(2)} ms`);
console.log(`@metric what_if_${roster.learnerCount()}_learners_ms ${whatIfBest.toFixed(2)} ms`);
console.log(`@metric what_if_summaries_${roster.learnerCount()}_learners_ms ${whatIfSummariesBest.toFixed(2)} ms`);
console.log(`@metric events_json_bytes ${logsBytes} B`);
// The wasm linear memory only grows, so after the runs its size is the peak. The logs'
// text is read into it a piece at a time, so this is the parsed events and the fold's own.
console.log(`@metric peak_memory_bytes ${memory} B`);
console.log(`@metric peak_over_events_json ${(memory / logsBytes).toFixed(3)}`);
console.log(`@metric page_module_memory_bytes ${exports.memory.buffer.byteLength} B`);

// One learner per method, 1,000 … 5,000 attempts.
const plan = JSON.parse(readFileSync(join(dir, 'methods.json'), 'utf8'));
console.log('one learner, attempts 1,000 … 5,000: ms per 1,000 attempts (flat = linear cost)');
for (const method of plan.methods) {
  const file = JSON.parse(readFileSync(join(dir, 'methods', `${method}.json`), 'utf8'));
  const one = new bench.BenchCourse(
    JSON.stringify(file.definitions),
    bufferSource(Buffer.from(JSON.stringify([{ learner: 'L', events: file.events }]))),
  );
  const cells = [];
  const perThousand = [];
  for (const size of plan.sizes) {
    const first = one.oneLearnerSeconds(at, size, 1);
    const best = first > plan.budget_seconds / 4 ? first : Math.min(first, one.oneLearnerSeconds(at, size, 2));
    const ms = (best * 1e3) / (size / 1000);
    perThousand.push(ms);
    cells.push(`${size / 1000}k ${ms.toFixed(2)}`);
    console.log(`@metric attempts_${method}_${size / 1000}k_ms_per_1000 ${ms.toFixed(3)} ms`);
    if (best > plan.budget_seconds) {
      cells.push('(larger sizes skipped: over budget)');
      break;
    }
  }
  one.free();
  const growth = perThousand[perThousand.length - 1] / perThousand[0];
  console.log(`${method.padEnd(18)} ${cells.join('  ')}  growth ${growth.toFixed(2)}`);
  console.log(`@metric attempts_${method}_growth ${growth.toFixed(3)}`);
}
