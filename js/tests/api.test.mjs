// The binding's contract as JavaScript sees it: exports with camelCase names and documented
// TypeScript types, core errors thrown as `Error`s with the core's stable `code`, plain
// objects out, and the sample on the tool page folding cleanly.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadCore, pkgDir, repoRoot } from './support.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const EXPORTS = ['version', 'validateDefinitions', 'publishFindings', 'fold', 'foldJson', 'calculate', 'rollup', 'evaluateCriteria'];

/** Calls `fn` expecting a throw; returns the thrown value. */
function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected a throw');
}

const sampleDefinitions = readFileSync(join(repoRoot, 'www', 'sample', 'definitions.json'), 'utf8');
const sampleEvents = readFileSync(join(repoRoot, 'www', 'sample', 'events.json'), 'utf8');

describe('binding API', () => {
  test('every export is a function with a camelCase name', () => {
    for (const name of EXPORTS) assert.equal(typeof core[name], 'function', name);
  });

  test('every export is documented in the generated TypeScript types', () => {
    const dts = readFileSync(join(pkgDir, 'cairn_wasm.d.ts'), 'utf8');
    for (const name of EXPORTS) {
      const doc = new RegExp(`\\*/\\s*export function ${name}\\(`);
      assert.match(dts, doc, `${name} has no doc comment in cairn_wasm.d.ts`);
    }
  });

  test('the generated TypeScript types name what each export returns, never any', () => {
    // `any` as a type (the string literal "any" names the rule kind).
    const ANY = /(:|\||<|\()\s*any\b(?!")/;
    const dts = readFileSync(join(pkgDir, 'cairn_wasm.d.ts'), 'utf8');
    const returns = {
      version: 'string',
      validateDefinitions: 'Finding[]',
      fold: 'LearnerRecord',
      foldJson: 'string',
      calculate: 'CalculationOutcome',
      rollup: 'RollupOutcome',
      evaluateCriteria: 'CriteriaOutcome',
    };
    for (const [name, type] of Object.entries(returns)) {
      const signature = new RegExp(`export function ${name}\\(([^)]*)\\): ([^;]+);`).exec(dts);
      assert.ok(signature, `${name} is declared`);
      assert.equal(signature[2], type, `${name} returns ${type}`);
      assert.doesNotMatch(signature[0], ANY, name);
    }
    assert.match(dts, /summarize\(at: string\): RosterSummaries;/);
    for (const type of ['LearnerRecord', 'Explanation', 'NextStep', 'Finding', 'RosterSummaries', 'CairnError']) {
      assert.match(dts, new RegExp(`export (interface|type) ${type}\\b`), type);
    }
    const declared = dts.slice(dts.indexOf('export type Exact'), dts.indexOf('export interface CriteriaOutcome'));
    assert.doesNotMatch(declared, ANY);
  });

  test('a roster folds every learner as fold does, by column in roster order', () => {
    const events = JSON.parse(sampleEvents);
    const logs = [
      { learner: 'L1', events },
      { learner: 'L2', events: events.slice(0, 3) },
    ];
    const roster = new core.Roster(sampleDefinitions, new TextEncoder().encode(JSON.stringify(logs)));
    assert.equal(roster.learnerCount(), 2);
    const at = '2026-02-10T00:00:00Z';
    const definitions = JSON.parse(sampleDefinitions);
    const out = roster.summarize(at);
    assert.deepEqual(out.learners, ['L1', 'L2']);
    // Ids follow the course's order: definitions, then their competencies and assessments.
    assert.deepEqual(out.competencies.ids, definitions.flatMap((d) => d.competencies.map((c) => c.id)));
    assert.deepEqual(out.credentials.ids, definitions.map((d) => d.id));
    const groups = { competencies: out.competencies, assessments: out.assessments, credentials: out.credentials };
    for (const [name, group] of Object.entries(groups)) {
      for (const [member, column] of Object.entries(group)) {
        if (member !== 'ids') assert.equal(column.length, 2 * group.ids.length, `${name}.${member}`);
      }
    }
    // Learner i's entry for id j is at i * ids.length + j; each equals what fold gives.
    const cell = (group, i, j) => i * group.ids.length + j;
    for (const [i, log] of logs.entries()) {
      const record = core.fold(sampleDefinitions, JSON.stringify(log.events), at);
      assert.equal(out.rejected[i], record.errors.length);
      out.competencies.ids.forEach((id, j) => {
        const k = cell(out.competencies, i, j);
        assert.equal(out.competencies.status[k], record.competencies[id].status, id);
        assert.equal(out.competencies.score[k], record.competencies[id].score, id);
      });
      out.assessments.ids.forEach((id, j) => {
        const k = cell(out.assessments, i, j);
        const a = record.assessments[id];
        assert.deepEqual(
          [out.assessments.attempts_counted[k], out.assessments.kept_percent[k], out.assessments.passed[k]],
          [a.attempts_counted, a.kept_percent, a.passed],
          id,
        );
      });
      out.credentials.ids.forEach((id, j) => {
        const k = cell(out.credentials, i, j);
        assert.equal(out.credentials.status[k], record.credentials[id].status, id);
        assert.equal(out.credentials.issued_at[k], record.credentials[id].issued_at, id);
      });
    }
    const learnerStatuses = (i) => out.competencies.status.slice(cell(out.competencies, i, 0), cell(out.competencies, i + 1, 0));
    assert.notDeepEqual(learnerStatuses(0), learnerStatuses(1), 'the two learners differ');
    assert.equal(thrown(() => roster.summarize('soon')).code, 'invalid_timestamp');
  });

  test('req_report_02_the_page_gets_the_cores_reports_of_a_roster', () => {
    const events = JSON.parse(sampleEvents);
    const logs = [
      { learner: 'L1', events },
      { learner: 'L2', events: events.slice(0, 3) },
      { learner: 'L3', events: [] },
    ];
    const roster = new core.Roster(sampleDefinitions, new TextEncoder().encode(JSON.stringify(logs)));
    const at = '2026-02-10T00:00:00Z';
    const def = JSON.parse(sampleDefinitions)[0];
    const out = roster.reports(def.id, at, 30);
    // The funnel and the completion rate count what each learner's own fold says.
    const records = logs.map((l) => core.fold(sampleDefinitions, JSON.stringify(l.events), at));
    const completed = records.filter((r) => r.credentials[def.id].issuances.length > 0).length;
    assert.equal(out.funnel.definition, def.id);
    assert.equal(out.funnel.seats, 30);
    assert.equal(out.funnel.completed, completed);
    assert.equal(out.completion.overall.count, completed);
    assert.equal(out.completion.overall.of, out.funnel.registered);
    assert.ok(out.funnel.registered >= 1 && out.funnel.registered <= 2, 'L3 has no event: not registered');
    assert.ok(Array.isArray(out.problems) && Array.isArray(out.uptake));
    assert.equal(thrown(() => roster.reports('no-such-definition', at)).code, 'invalid_json');
  });

  test('version is the crate version', () => {
    const cargo = readFileSync(join(repoRoot, 'js', 'Cargo.toml'), 'utf8');
    const version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];
    assert.equal(core.version(), version);
  });

  test('publishFindings names what a B.C. micro-credential lacks, typed in the .d.ts', () => {
    const dts = readFileSync(join(pkgDir, 'cairn_wasm.d.ts'), 'utf8');
    assert.match(dts, /export function publishFindings\(definitionsJson: string\): Finding\[\]/);
    assert.match(dts, /export interface Finding \{/);
    assert.deepEqual(core.publishFindings(sampleDefinitions), []);
    const definition = {
      id: 'bc', version: '1', name: 'Facilities maintenance', description: 'Hands-on tasks',
      issuer: { id: 'https://example.edu/issuers/bc', name: 'Example College' },
      bc_micro_credential: true, hours: '180',
      competencies: [{ id: 'T1', statement: 'Replace a faucet cartridge', threshold_percent: '80' }],
      assessments: [{ id: 'P1', title: 'Practical', kind: 'summative', max_points: '10', pass_percent: '80', competencies: ['T1'] }],
      criteria: { all_competencies: true },
    };
    const findings = core.publishFindings(JSON.stringify([definition]));
    assert.ok(findings.length > 0);
    for (const f of findings) {
      assert.equal(f.code, 'publish_field_missing');
      assert.equal(f.severity, 'error');
      assert.equal(f.ref, 'bc');
    }
    assert.ok(findings.some((f) => /Quality Assurance/.test(f.message)));
    // The validator alone finds nothing to fix here: "ready to publish" needs both.
    assert.deepEqual(core.validateDefinitions(JSON.stringify([definition])), []);
  });

  test('an event with an unknown member throws invalid_event', () => {
    const events = '[{"at": "2026-01-05T09:00:00Z", "type": "enrolled", "credential": "x", "note": "typo"}]';
    const error = thrown(() => core.fold(sampleDefinitions, events, '2026-03-01T00:00:00Z'));
    assert.equal(error.code, 'invalid_event');
    assert.match(error.message, /note/);
  });

  test('malformed definitions JSON throws an Error with code invalid_json', () => {
    const error = thrown(() => core.validateDefinitions('[{"id": '));
    assert.ok(error instanceof Error);
    assert.equal(error.code, 'invalid_json');
    assert.match(error.message, /definitions/);
  });

  test('malformed events JSON throws an Error with code invalid_json', () => {
    const error = thrown(() => core.fold(sampleDefinitions, '{"not": "a list"}', '2026-03-01T00:00:00Z'));
    assert.ok(error instanceof Error);
    assert.equal(error.code, 'invalid_json');
    assert.match(error.message, /events/);
  });

  test('a malformed instant throws an Error with code invalid_timestamp', () => {
    const error = thrown(() => core.fold(sampleDefinitions, sampleEvents, '2026-03-01 00:00'));
    assert.ok(error instanceof Error);
    assert.equal(error.code, 'invalid_timestamp');
  });

  test('an unknown method throws with the method error code', () => {
    const input = { method: 'median', params: {}, scale: { points_possible: '100', mastery_points: '80' }, evidence: [] };
    const error = thrown(() => core.calculate(JSON.stringify(input)));
    assert.ok(error instanceof Error);
    assert.equal(error.code, 'unknown_method');
    assert.match(error.message, /median/);
  });

  test('results are plain JSON-compatible objects', () => {
    const record = core.fold(sampleDefinitions, sampleEvents, '2026-02-10T00:00:00Z');
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
    assert.ok(!(record.competencies instanceof Map));
    assert.deepEqual(JSON.parse(JSON.stringify(record)), record);
    assert.deepEqual(record, JSON.parse(core.foldJson(sampleDefinitions, sampleEvents, '2026-02-10T00:00:00Z')));
  });

  test('the tool page sample folds with no rejected event and no definition finding', () => {
    assert.deepEqual(core.validateDefinitions(sampleDefinitions), []);
    const record = core.fold(sampleDefinitions, sampleEvents, '2026-02-10T00:00:00Z');
    assert.deepEqual(record.errors, []);
    assert.deepEqual(Object.keys(record.competencies).sort(), ['C-ALT', 'C-STRUCT']);
    assert.equal(record.competencies['C-ALT'].source, 'plar');
    assert.ok(record.credentials['accessible-docs'].explanation, 'the credential has an explanation tree');
  });
});

describe('js/index.mjs', () => {
  test('accepts objects as well as JSON text and gives the same results', async () => {
    const { load } = await import('../index.mjs');
    const cairn = load();
    assert.equal(cairn.version(), core.version());
    const at = '2026-02-10T00:00:00Z';
    const fromObjects = cairn.foldJson(JSON.parse(sampleDefinitions), JSON.parse(sampleEvents), at);
    assert.equal(fromObjects, core.foldJson(sampleDefinitions, sampleEvents, at));
    const error = thrown(() => cairn.calculate({ method: 'median', evidence: [] }));
    assert.equal(error.code, 'unknown_method');
  });
});
