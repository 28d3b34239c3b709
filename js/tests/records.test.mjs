// Native and wasm agree byte for byte: for every scenario, wasm's `foldJson` equals the record
// the native core serialized into target/scenario-records/<id>.json (`cargo xtask records`).

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { evaluationInstant, loadCore, scenarios, targetDir } from './support.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const recordsDir = join(targetDir, 'scenario-records');

describe('native and wasm serialize identical records', () => {
  for (const scenario of scenarios()) {
    test(scenario.id, () => {
      const path = join(recordsDir, `${scenario.id}.json`);
      assert.ok(existsSync(path), `${path} is missing: run \`cargo xtask records\` first`);
      const native = readFileSync(path, 'utf8');
      const wasm = core.foldJson(
        JSON.stringify(scenario.definitions),
        JSON.stringify(scenario.events ?? []),
        evaluationInstant(scenario),
      );
      assert.ok(native.length > 2, `${scenario.id}: the native record is empty`);
      if (wasm !== native) {
        let i = 0;
        while (i < wasm.length && wasm[i] === native[i]) i += 1;
        assert.fail(`${scenario.id}: wasm and native records differ from byte ${i}:\n` +
          `  native: …${native.slice(Math.max(0, i - 40), i + 60)}\n` +
          `  wasm:   …${wasm.slice(Math.max(0, i - 40), i + 60)}\n` +
          '(if the core changed since the native records were written, rerun `cargo xtask records`)');
      }
    });
  }
});
