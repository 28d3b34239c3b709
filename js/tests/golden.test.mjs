// wasm against the golden records of tests/golden/records/ (`cargo xtask golden`): for every
// scenario, the whole record wasm's `foldJson` serializes (explanations and next steps
// included) equals the golden file, so a change that moves native and wasm alike is caught.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';

import { evaluationInstant, goldenDir, goldenRecord, loadCore, scenarios } from './support.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const all = scenarios();

describe('wasm records equal the golden records', () => {
  test('every scenario has a golden record and every golden record a scenario', () => {
    const ids = all.map((s) => `${s.id}.json`).sort();
    const files = readdirSync(goldenDir).filter((name) => name.endsWith('.json')).sort();
    assert.deepEqual(files, ids);
  });

  for (const scenario of all) {
    test(scenario.id, () => {
      const wasm = core.foldJson(
        JSON.stringify(scenario.definitions),
        JSON.stringify(scenario.events ?? []),
        evaluationInstant(scenario),
      );
      assert.deepStrictEqual(JSON.parse(wasm), goldenRecord(scenario.id),
        `${scenario.id}: wasm's record differs from tests/golden/records/${scenario.id}.json`);
    });
  }
});
