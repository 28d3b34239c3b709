// The tool page's DOM-free modules under Node: it shows the core's reported numbers (the page
// never rounds), and its "what if" edits are plain data edits that the
// core then folds (a raised threshold, an added attempt with feedback released first).

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadCore, repoRoot } from './support.mjs';
import { assessmentResult, percent } from '../../www/words.mjs';
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
  test('the page shows the core reported percents and never rounds itself', () => {
    assert.equal(percent('86.67'), '86.67 %');
    assert.equal(percent(null), '—');
    const record = core.fold(JSON.stringify(sample.definitions), JSON.stringify(sample.events), '2030-01-01T00:00:00Z');
    const shown = Object.values(record.assessments).filter((a) => a.kept_reported !== null);
    assert.ok(shown.length > 0, 'the sample has kept results');
    for (const a of shown) assert.match(percent(a.kept_reported), /^\d+\.\d{2} %$/);
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

  test('an attempt awaiting a grader reads "Awaiting grading", not "Not attempted"', () => {
    const at = '2026-02-16T16:00:00Z';
    const change = { kind: 'attempt', assessment: 'ADD-REMEDIATE', score: '40', at, feedback: true };
    const { events } = applyAttempts(sample.events, [change]);
    const before = core.fold(JSON.stringify(sample.definitions), JSON.stringify(events.slice(0, -2)), at);
    delete events.at(-1).score; // submitted without a score: a grader scores it later
    const record = core.fold(JSON.stringify(sample.definitions), JSON.stringify(events), at);
    assert.deepEqual(record.errors, []);
    const rec = record.assessments['ADD-REMEDIATE'];
    assert.equal(rec.attempts.at(-1).pending, true);
    assert.equal(rec.kept_percent, before.assessments['ADD-REMEDIATE'].kept_percent);
    assert.deepEqual(assessmentResult(rec), { text: 'Awaiting grading', tone: 'neutral' });
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
