// The learner view's and verify page's DOM-free modules under Node: the core's next steps
// and explanation in words (English and French, from the catalogues), the sample's record
// folded by the views' core (www/pkg/views/, no verifier) equal to the full core's, every
// scenario folded by the learner's core (www/pkg/learner/: only the fold and the API client)
// byte for byte as the full core folds it, and what a dropped file is taken for.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { evaluationInstant, loadCore, pkgDir, repoRoot, scenarios } from './support.mjs';
import { translator } from '../../www/shell/i18n.mjs';
import { assessmentResult, nextWords, ruleWords, namesOf } from '../../www/views/learner/words.mjs';
import { instantOf, sameRecord, enrolledIn } from '../../www/views/learner/data.mjs';
import { readInput, reportWords } from '../../www/views/public/verify_words.mjs';
import en from '../../www/i18n/en/learner.mjs';
import fr from '../../www/i18n/fr/learner.mjs';
import enPublic from '../../www/i18n/en/public.mjs';

const sample = {
  definitions: JSON.parse(readFileSync(join(repoRoot, 'www', 'sample', 'definitions.json'), 'utf8')),
  events: JSON.parse(readFileSync(join(repoRoot, 'www', 'sample', 'events.json'), 'utf8')),
};

let core;
before(async () => {
  core = await loadCore();
});

const tEn = translator({ en: { learner: en, public: enPublic } }, 'en');
const tFr = translator({ fr: { learner: fr }, en: { learner: en } }, 'fr');

describe('learner view words', () => {
  test('the core next steps read as plain sentences in both locales', () => {
    const feedback = { step: 'wait_for_feedback', attempt: 1 };
    assert.equal(nextWords(tEn, feedback), 'Your next attempt opens when your instructor releases feedback on attempt 1.');
    assert.match(nextWords(tFr, feedback), /rétroaction sur la tentative 1/);
    const open = { step: 'attempt', opens_at: '2026-03-01T10:00:00Z', attempts_left: 1 };
    assert.match(nextWords(tEn, open), /1 more attempt after this one\.$/);
    assert.match(nextWords(tEn, { ...open, attempts_left: null }), /No limit on attempts/);
    assert.equal(nextWords(tEn, { step: 'no_attempt_left', max: 2 }), 'No attempt left: all 2 are used.');
  });

  test('the sample record is worded from the core fold, never re-decided', () => {
    const at = sample.events.at(-1).at;
    const record = core.fold(JSON.stringify(sample.definitions), JSON.stringify(sample.events), at);
    const names = namesOf(sample.definitions);
    const credential = record.credentials[sample.definitions[0].id];
    const root = ruleWords(tEn, credential.explanation, names, false);
    assert.match(root, /of these/);
    for (const [id, rec] of Object.entries(record.assessments)) {
      const result = assessmentResult(rec);
      assert.ok(tEn.has(result.key), `${id}: ${result.key} is in the catalogue`);
      if (rec.passed) assert.equal(result.key, 'learner.result_passed');
      if (rec.next) assert.notEqual(nextWords(tEn, rec.next), '', `${id}: a next step in words`);
    }
    assert.ok(enrolledIn(sample.events).has(sample.definitions[0].id));
  });

  test('records compare by content, not member order; instants are the core format', () => {
    assert.ok(sameRecord({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }));
    assert.ok(!sameRecord({ a: '86.67' }, { a: '86.68' }));
    assert.equal(instantOf(1767225600), '2026-01-01T00:00:00Z');
  });

  test('the views core (no verifier) folds the sample exactly as the full core', async (t) => {
    const glue = join(pkgDir, 'views', 'cairn_wasm.js');
    if (!existsSync(glue)) {
      assert.fail('www/pkg/views/ is missing: run `cargo xtask wasm` (it builds every module)');
    }
    const views = await import(pathToFileURL(glue).href);
    views.initSync({ module: readFileSync(join(pkgDir, 'views', 'cairn_wasm_bg.wasm')) });
    assert.equal(typeof views.verifyCredential, 'undefined', 'the views core has no verifier');
    assert.equal(typeof views.ApiClient, 'function', 'but it has the API client');
    const at = sample.events.at(-1).at;
    const args = [JSON.stringify(sample.definitions), JSON.stringify(sample.events), at];
    assert.equal(views.foldJson(...args), core.foldJson(...args));
    t.diagnostic(`views core ${readFileSync(join(pkgDir, 'views', 'cairn_wasm_bg.wasm')).length} bytes raw`);
  });
});

describe('the learner core (www/pkg/learner/)', () => {
  let learner;
  before(async () => {
    const glue = join(pkgDir, 'learner', 'cairn_wasm.js');
    if (!existsSync(glue)) {
      assert.fail('www/pkg/learner/ is missing: run `cargo xtask wasm` (it builds every module)');
    }
    learner = await import(pathToFileURL(glue).href);
    learner.initSync({ module: readFileSync(join(pkgDir, 'learner', 'cairn_wasm_bg.wasm')) });
  });

  test('it carries the fold and the API client, not the verifier nor the instructor entry points', () => {
    assert.equal(typeof learner.fold, 'function');
    assert.equal(typeof learner.foldJson, 'function');
    assert.equal(typeof learner.ApiClient, 'function');
    assert.equal(learner.version(), core.version());
    for (const name of ['verifyCredential', 'importCase', 'Roster', 'validateDefinitions', 'publishFindings', 'calculate']) {
      assert.equal(typeof learner[name], 'undefined', `the learner core has no ${name}`);
    }
  });

  test('every scenario and checkpoint folds byte for byte as the full core folds it', () => {
    const all = scenarios();
    assert.ok(all.length > 10, 'the shared scenarios are there');
    let folds = 0;
    for (const scenario of all) {
      const definitions = JSON.stringify(scenario.definitions);
      const instants = [evaluationInstant(scenario), ...(scenario.expect?.checkpoints ?? []).map((c) => c.at)];
      for (const at of instants) {
        const args = [definitions, JSON.stringify(scenario.events ?? []), at];
        assert.equal(learner.foldJson(...args), core.foldJson(...args), `${scenario.file} at ${at}`);
        folds += 1;
      }
    }
    assert.ok(folds >= all.length);
  });

  test('a refused input throws the same code and sentence as the full core', () => {
    const definitions = JSON.stringify(sample.definitions);
    const cases = [
      ['[{"id": 1}]', '[]', '2026-01-01T00:00:00Z'],
      [definitions, '[{"at": "2026-01-01T00:00:00Z", "type": "no_such_event"}]', '2026-01-01T00:00:00Z'],
      [definitions, '[{"at": "2026-01-01T00:00:00Z", "type": "attempt_submitted", "assessment": "X", "score": 1.5}]', '2026-01-01T00:00:00Z'],
      [definitions, '[]', 'yesterday'],
    ];
    for (const args of cases) {
      const thrown = (fold) => {
        try {
          fold(...args);
        } catch (error) {
          return { code: error.code, message: error.message };
        }
        return assert.fail(`${args.join(' | ')} was accepted`);
      };
      const expected = thrown(core.fold);
      assert.ok(expected.code, 'the full core gives a code');
      assert.deepEqual(thrown(learner.fold), expected);
    }
  });
});

describe('verify page', () => {
  test('a dropped file is an image when PNG or SVG, else JSON text', () => {
    assert.equal(readInput(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10])).kind, 'image');
    assert.equal(readInput(new TextEncoder().encode('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>')).kind, 'image');
    const json = readInput(new TextEncoder().encode('{"type":["VerifiableCredential"]}'));
    assert.deepEqual(json, { kind: 'json', text: '{"type":["VerifiableCredential"]}' });
  });

  test('the verifier report is worded check by check, the reasons kept', () => {
    const report = core.verifyCredential('{"not":"a credential"}', JSON.stringify({ now: '2026-01-01T00:00:00Z' }));
    assert.equal(report.verified, false);
    const words = reportWords(tEn, report);
    assert.equal(words.headline, enPublic.verify_failed);
    assert.ok(words.reasons.length > 0, 'the verifier says why');
    assert.ok(words.checks.every((c) => !c.name.startsWith('public.') && !c.outcome_words.startsWith('public.')));
  });
});
