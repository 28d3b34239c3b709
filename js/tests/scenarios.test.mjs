// Replays every scenario of ../shared/fixtures/scenarios/ through the wasm build and checks the
// record against the scenario's `expect` by the rules of the scenario README §9: errors as a
// set, listed ids and keys only, numbers as exact rationals, checkpoints, validation as a set.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';

import { assertRational, assertSameSet, evaluationInstant, loadCore, scenarios } from './support.mjs';

let core;
before(async () => {
  core = await loadCore();
});

/** Checks the keys every state (final or checkpoint) may list. */
function checkState(record, expected, where) {
  for (const [id, want] of Object.entries(expected.competencies ?? {})) {
    const got = record.competencies[id];
    assert.ok(got, `${where}: competency ${id} missing from the record`);
    if ('status' in want) assert.equal(got.status, want.status, `${where}: competency ${id} status`);
    if ('score' in want) assertRational(got.score, want.score, `${where}: competency ${id} score`);
    if ('source' in want) assert.equal(got.source ?? null, want.source, `${where}: competency ${id} source`);
  }
  for (const [id, want] of Object.entries(expected.assessments ?? {})) {
    const got = record.assessments[id];
    assert.ok(got, `${where}: assessment ${id} missing from the record`);
    if ('attempts_counted' in want) {
      assert.equal(got.attempts_counted, want.attempts_counted, `${where}: assessment ${id} attempts_counted`);
    }
    if ('kept_percent' in want) {
      assertRational(got.kept_percent, want.kept_percent, `${where}: assessment ${id} kept_percent`);
    }
    if ('passed' in want) assert.equal(got.passed, want.passed, `${where}: assessment ${id} passed`);
  }
  for (const [id, want] of Object.entries(expected.credentials ?? {})) {
    const got = record.credentials[id];
    const what = `${where}: credential ${id}`;
    if (!got) {
      // A credential that is only presented need not be defined; only "not issued" fits.
      assert.equal(want.status, 'not_issued', `${what} missing from the record`);
      continue;
    }
    if ('status' in want) assert.equal(got.status, want.status, `${what} status`);
    if ('issued_at' in want) assert.equal(got.issued_at ?? null, want.issued_at, `${what} issued_at`);
    if ('valid_until' in want) assert.equal(got.valid_until ?? null, want.valid_until, `${what} valid_until`);
    if ('plar_methods_used' in want) {
      assert.deepEqual([...got.plar_methods_used].sort(), [...want.plar_methods_used].sort(), `${what} plar_methods_used`);
    }
    if ('progress' in want) {
      assertRational(got.progress.satisfied, want.progress.satisfied, `${what} progress.satisfied`);
      assertRational(got.progress.of, want.progress.of, `${what} progress.of`);
    }
    if ('issuances' in want) {
      const shape = (list) => list.map((i) => ({ issued_at: i.issued_at, valid_until: i.valid_until ?? null, status: i.status }));
      assert.deepEqual(shape(got.issuances), shape(want.issuances), `${what} issuances`);
    }
  }
  for (const [id, want] of Object.entries(expected.equivalencies ?? {})) {
    const got = record.equivalencies[id];
    assert.ok(got, `${where}: equivalency ${id} missing from the record`);
    assert.equal(got.status, want, `${where}: equivalency ${id} status`);
  }
}

const all = scenarios();

describe('scenarios through wasm', () => {
  test('there are scenarios to replay', () => {
    assert.ok(all.length >= 30, `only ${all.length} scenario files found`);
  });

  for (const scenario of all) {
    test(scenario.id, () => {
      const definitions = JSON.stringify(scenario.definitions);
      const events = scenario.events ?? [];
      const expect = scenario.expect;
      const record = core.fold(definitions, JSON.stringify(events), evaluationInstant(scenario));

      assertSameSet(record.errors, expect.errors ?? [], (e) => `${e.event}:${e.code}`, `${scenario.id}: errors`);
      checkState(record, expect, scenario.id);
      if (expect.validation) {
        const key = (f) => `${f.code}|${f.severity}|${f.ref}`;
        assertSameSet(record.validation, expect.validation, key, `${scenario.id}: validation in the record`);
        assertSameSet(core.validateDefinitions(definitions), expect.validation, key, `${scenario.id}: validateDefinitions`);
      }
      for (const checkpoint of expect.checkpoints ?? []) {
        const upTo = events.filter((e) => e.at <= checkpoint.at);
        const state = core.fold(definitions, JSON.stringify(upTo), checkpoint.at);
        checkState(state, checkpoint, `${scenario.id} @ ${checkpoint.at}`);
      }
    });
  }
});
