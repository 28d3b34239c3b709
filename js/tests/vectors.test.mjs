// Runs every vector of ../shared/fixtures/mastery/vectors.json through the wasm build, all four
// kinds: `method` (calculate), `rollup` (rollup), `attempts` (one assessment folded from its
// events) and `criteria` (evaluateCriteria). Numbers compare as exact rationals.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';

import { assertRational, assertSameSet, loadCore, masteryVectors } from './support.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const file = masteryVectors();
const byKind = (kind) => file.vectors.filter((v) => v.kind === kind);

/** Calls `fn`; returns `{ value }` or `{ error }` (the thrown JS Error). */
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

function assertCoreError(result, code, what) {
  assert.ok(result.error, `${what}: expected error ${code}, got ${JSON.stringify(result.value)}`);
  assert.ok(result.error instanceof Error, `${what}: the thrown value is not an Error`);
  assert.equal(result.error.code, code, `${what}: error code (message: ${result.error.message})`);
  assert.ok(result.error.message.length > 0, `${what}: empty message`);
}

function assertNoError(result, what) {
  assert.ok(!result.error, `${what}: unexpected error ${result.error?.code}: ${result.error?.message}`);
}

/**
 * The one-assessment definition an `attempts` vector describes (vectors README, kind
 * `attempts`): definition `D1` owning assessment `A1`, its competencies when it has parts,
 * its PLAR policy and completion window, awarded on passing `A1`.
 */
function attemptsDefinition(input) {
  const competencies = Object.entries(input.competencies ?? {}).map(([id, c]) => ({
    id,
    statement: `Competency ${id}`,
    threshold_percent: c.threshold_percent,
  }));
  return [
    {
      id: 'D1',
      version: '1',
      name: 'Vector definition',
      description: 'One summative assessment replayed through attempt events.',
      issuer: { id: 'https://issuer.example/vectors', name: 'Vectors' },
      competencies,
      assessments: [{ title: `Assessment ${input.assessment.id}`, ...input.assessment }],
      completion_window_days: input.completion_window_days ?? null,
      plar: input.plar ?? null,
      criteria: { assessment: input.assessment.id },
    },
  ];
}

describe('mastery vectors through wasm', () => {
  test('the file holds the four kinds it counts', () => {
    for (const [kind, count] of Object.entries(file.counts)) {
      assert.equal(byKind(kind).length, count, `kind ${kind}`);
    }
    assert.deepEqual(Object.keys(file.counts).sort(), ['attempts', 'criteria', 'method', 'rollup']);
  });

  describe('method', () => {
    for (const v of byKind('method')) {
      test(v.id, () => {
        const result = outcome(() => core.calculate(JSON.stringify(v.input)));
        const want = v.expected;
        if (want.error) {
          assertCoreError(result, want.error, v.id);
          return;
        }
        assertNoError(result, v.id);
        const got = result.value;
        assertRational(got.value, want.value, `${v.id} value`);
        if (want.value !== null) assert.equal(got.value, want.value, `${v.id}: value is reported with 2 decimals`);
        assertRational(got.exact, want.exact, `${v.id} exact`);
        assert.equal(got.mastered ?? null, want.mastered, `${v.id} mastered`);
        assert.equal(got.reason ?? null, want.reason, `${v.id} reason`);
      });
    }
  });

  describe('rollup', () => {
    for (const v of byKind('rollup')) {
      test(v.id, () => {
        const result = outcome(() => core.rollup(JSON.stringify(v.input)));
        const want = v.expected;
        if (want.error) {
          assertCoreError(result, want.error, v.id);
          return;
        }
        assertNoError(result, v.id);
        assert.equal(result.value.proficient, want.proficient, `${v.id} proficient`);
        assert.equal(result.value.points ?? null, want.points, `${v.id} points`);
      });
    }
  });

  describe('attempts', () => {
    for (const v of byKind('attempts')) {
      test(v.id, () => {
        const events = v.input.events;
        const at = events.at(-1)?.at ?? '1970-01-01T00:00:00Z';
        const record = core.fold(JSON.stringify(attemptsDefinition(v.input)), JSON.stringify(events), at);
        const want = v.expected;
        assertSameSet(record.errors, want.errors, (e) => `${e.event}:${e.code}`, `${v.id}: errors`);
        const got = record.assessments[v.input.assessment.id];
        assert.ok(got, `${v.id}: the assessment is missing from the record`);
        assert.equal(got.attempts_counted, want.attempts_counted, `${v.id} attempts_counted`);
        assertRational(got.kept_percent, want.kept_percent, `${v.id} kept_percent`);
        assert.equal(got.kept_reported ?? null, want.kept_reported, `${v.id} kept_reported`);
        assert.equal(got.passed, want.passed, `${v.id} passed`);
      });
    }
  });

  describe('criteria', () => {
    for (const v of byKind('criteria')) {
      test(v.id, () => {
        const result = outcome(() => core.evaluateCriteria(JSON.stringify(v.input)));
        assertNoError(result, v.id);
        const got = result.value;
        assert.equal(got.satisfied, v.expected.satisfied, `${v.id} satisfied`);
        assertRational(got.progress.satisfied, v.expected.progress.satisfied, `${v.id} progress.satisfied`);
        assertRational(got.progress.of, v.expected.progress.of, `${v.id} progress.of`);
        assert.equal(got.explanation.satisfied, got.satisfied, `${v.id}: the explanation's root agrees`);
      });
    }
  });
});
