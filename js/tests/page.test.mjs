// The tool page's DOM-free modules under Node: its display rounding agrees with the core's
// reported values on every scenario, and its "what if" edits are plain data edits that the
// core then folds (a raised threshold, an added attempt with feedback released first).

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { evaluationInstant, loadCore, repoRoot, scenarios } from './support.mjs';
import { twoDecimals } from '../../www/words.mjs';
import { applyAttempts, applyThresholds, lastInstant, plusDaysLocal, toInstant } from '../../www/whatif.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const sample = {
  definitions: JSON.parse(readFileSync(join(repoRoot, 'www', 'sample', 'definitions.json'), 'utf8')),
  events: JSON.parse(readFileSync(join(repoRoot, 'www', 'sample', 'events.json'), 'utf8')),
};

describe('tool page modules', () => {
  test('display rounding equals the core reported values on every scenario', () => {
    let compared = 0;
    for (const s of scenarios()) {
      const record = core.fold(JSON.stringify(s.definitions), JSON.stringify(s.events ?? []), evaluationInstant(s));
      for (const c of Object.values(record.competencies)) {
        if (c.score === null) continue;
        assert.equal(twoDecimals(c.score), c.reported, `${s.id}: ${c.score}`);
        compared += 1;
      }
      for (const a of Object.values(record.assessments)) {
        if (a.kept_percent === null) continue;
        assert.equal(twoDecimals(a.kept_percent), a.kept_reported, `${s.id}: ${a.kept_percent}`);
        compared += 1;
      }
    }
    assert.ok(compared > 50, `only ${compared} values compared`);
  });

  test('display rounding is half away from zero on exact fractions', () => {
    assert.equal(twoDecimals('260/3'), '86.67');
    assert.equal(twoDecimals('1.005'), '1.01');
    assert.equal(twoDecimals('79.994'), '79.99');
    assert.equal(twoDecimals('79.995'), '80.00');
    assert.equal(twoDecimals('-2.345'), '-2.35');
    assert.equal(twoDecimals(null), '—');
  });

  test('a raised threshold is a copy with one field changed, and the core re-decides', () => {
    const change = { kind: 'threshold', target: { type: 'competency', id: 'C-STRUCT' }, value: '75' };
    const edited = applyThresholds(sample.definitions, [change]);
    assert.equal(sample.definitions[0].competencies[0].threshold_percent, '70', 'the sample is not mutated');
    assert.equal(edited[0].competencies.find((c) => c.id === 'C-STRUCT').threshold_percent, '75');
    const at = lastInstant(sample.events);
    const before = core.fold(JSON.stringify(sample.definitions), JSON.stringify(sample.events), at);
    const after = core.fold(JSON.stringify(edited), JSON.stringify(sample.events), at);
    assert.equal(before.competencies['C-STRUCT'].status, 'mastered');
    assert.equal(after.competencies['C-STRUCT'].status, 'not_yet');
  });

  test('an added attempt with feedback first is accepted and completes the credential', () => {
    const at = toInstant(plusDaysLocal(lastInstant(sample.events), 7));
    assert.equal(at, '2026-02-16T16:00:00Z');
    const change = { kind: 'attempt', assessment: 'ADD-REMEDIATE', score: '40', at, feedback: true };
    const { events, added } = applyAttempts(sample.events, [change]);
    assert.deepEqual([...added], [sample.events.length, sample.events.length + 1]);
    assert.equal(events.at(-2).type, 'feedback_released');
    const record = core.fold(JSON.stringify(sample.definitions), JSON.stringify(events), lastInstant(events));
    assert.deepEqual(record.errors, []);
    assert.equal(record.credentials['accessible-docs'].status, 'valid');
    assert.equal(record.credentials['accessible-docs'].issued_at, at);
  });

  test('without feedback the same attempt is rejected by the core, naming the rule', () => {
    const at = '2026-02-16T16:00:00Z';
    const change = { kind: 'attempt', assessment: 'ADD-REMEDIATE', score: '40', at, feedback: false };
    const { events } = applyAttempts(sample.events, [change]);
    const record = core.fold(JSON.stringify(sample.definitions), JSON.stringify(events), at);
    assert.deepEqual(record.errors.map((e) => [e.event, e.code]), [[events.length - 1, 'feedback_not_released']]);
  });

  test('datetime-local values become UTC instants', () => {
    assert.equal(toInstant('2026-02-16T16:00'), '2026-02-16T16:00:00Z');
    assert.equal(toInstant('2026-02-16T16:00:05'), '2026-02-16T16:00:05Z');
    assert.equal(toInstant(''), null);
  });
});
