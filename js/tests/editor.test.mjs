// The credential editor's model under Node with the real core: a stored definition read into
// the editor's state and written back is the same definition; a definition typed from a blank
// state with two competencies and a second-attempt policy validates with no error; the
// criteria builder says the core's rules; CASE items imported by the core become aligned
// competencies; and the generated default badge is the core's SVG.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadCore, repoRoot, sharedDir } from './support.mjs';
import {
  blankAssessment, blankCompetency, blankState, builderOf, competenciesFromCase, definitionOf, ruleOf, stateOf,
} from '../../www/views/instructor/parts/definition_model.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const sample = JSON.parse(readFileSync(join(repoRoot, 'www', 'sample', 'definitions.json'), 'utf8'))[0];
const errors = (defs) => core.validateDefinitions(JSON.stringify(defs)).filter((f) => f.severity === 'error');

/** The editor's state of a credential with two competencies and a second attempt after feedback. */
function typedState() {
  const s = blankState();
  Object.assign(s, { id: 'data-lit', name: 'Data literacy', description: 'Read and question data.' });
  s.issuer = { id: 'https://cairn.example/issuers/demo', name: 'Demo College' };
  s.competencies = [blankCompetency(0), blankCompetency(1)];
  s.competencies[0].statement = 'Read a chart';
  s.competencies[1].statement = 'Question a claim';
  s.assessments = [blankAssessment(0)];
  s.assessments[0].title = 'Chart quiz';
  s.assessments[0].competencies = ['C1', 'C2'];
  s.attempt_policy.max_attempts = '2';
  s.attempt_policy.feedback_required_before_retry = true;
  return s;
}

describe('credential editor model', () => {
  test('a stored definition survives the editor unchanged', () => {
    const back = definitionOf(stateOf(sample));
    for (const key of ['id', 'version', 'name', 'issuer', 'competencies', 'assessments', 'attempt_policy', 'plar', 'criteria']) {
      assert.deepEqual(back[key], sample[key], key);
    }
    assert.deepEqual(errors([back]), []);
    // The core reads both the same way: the same record for the same events.
    const events = JSON.parse(readFileSync(join(repoRoot, 'www', 'sample', 'events.json'), 'utf8'));
    const at = '2026-06-01T00:00:00Z';
    assert.deepEqual(core.fold(JSON.stringify([back]), JSON.stringify(events), at).competencies,
      core.fold(JSON.stringify([sample]), JSON.stringify(events), at).competencies);
  });

  test('two competencies and a second attempt after feedback, typed from blank, are valid', () => {
    const d = definitionOf(typedState());
    assert.deepEqual(d.competencies.map((c) => c.id), ['C1', 'C2']);
    assert.deepEqual(d.attempt_policy, { max_attempts: 2, scoring: 'highest', feedback_required_before_retry: true,
      min_days_between_attempts: 0, resit_cap_percent: null, retry_after_pass: false });
    assert.deepEqual(d.criteria, { all_competencies: true });
    assert.deepEqual(errors([d]), []);
    // A learner who fails, gets feedback and passes on the second attempt earns it.
    const events = [
      { at: '2026-03-01T10:00:00Z', type: 'enrolled', credential: 'data-lit' },
      { at: '2026-03-02T10:00:00Z', type: 'attempt_submitted', assessment: 'A1', score: '40' },
      { at: '2026-03-03T10:00:00Z', type: 'feedback_released', assessment: 'A1' },
      { at: '2026-03-04T10:00:00Z', type: 'attempt_submitted', assessment: 'A1', score: '90' },
    ];
    const record = core.fold(JSON.stringify([d]), JSON.stringify(events), '2026-03-05T00:00:00Z');
    assert.deepEqual(record.errors, []);
    assert.equal(record.credentials['data-lit'].status, 'valid');
    // Without the feedback the core refuses the retry.
    const early = core.fold(JSON.stringify([d]), JSON.stringify(events.filter((e) => e.type !== 'feedback_released')), '2026-03-05T00:00:00Z');
    assert.equal(early.errors.length, 1);
  });

  test('the core finds what the instructor left out, as the page shows it', () => {
    const s = typedState();
    s.competencies.push({ ...blankCompetency(2), statement: 'Never assessed' });
    const found = core.validateDefinitions(JSON.stringify([definitionOf(s)]));
    assert.ok(found.some((f) => f.ref.includes('C3')), JSON.stringify(found));
    const bc = typedState();
    bc.bc_micro_credential = true;
    const missing = core.publishFindings(JSON.stringify([definitionOf(bc)]));
    assert.ok(missing.some((f) => f.code === 'publish_field_missing' && f.severity === 'error'), JSON.stringify(missing));
    for (const key of ['prerequisites', 'learning_resources', 'assessment_type', 'quality_assurance', 'outcome',
      'pathways', 'credit_recognition']) {
      bc.metadata.cis[key] = 'As the program sheet says.';
    }
    Object.assign(bc.metadata.cis, { delivery_mode: 'online', assessment_method: 'competency', supervision: 'onsite_with_id',
      stackability: 'stackable', level: 'year1' });
    const fewer = core.publishFindings(JSON.stringify([definitionOf(bc)]));
    assert.ok(fewer.length < missing.length, 'filling the summary clears findings');
  });

  test('the criteria builder writes and reads the core rules, stacking included', () => {
    const s = typedState();
    s.criteria = { type: 'at_least', k: '1', points: '', leaves: [{ kind: 'competency', id: 'C1' }, { kind: 'assessment', id: 'A1' }], stack: ['other'] };
    const rule = ruleOf(s);
    assert.deepEqual(rule, { all: [{ at_least: 1, of: [{ competency: 'C1' }, { assessment: 'A1' }] }, { credential: 'other' }] });
    assert.deepEqual(builderOf(rule), { ...s.criteria, leaves: s.criteria.leaves.map((l) => ({ ...l, points: '', required: false })) });
    const points = { points: '10', of: [{ rule: { competency: 'C1' }, points: '6', required: true }, { rule: { submitted: 'A1' }, points: '4', required: false }] };
    assert.deepEqual(ruleOf({ ...s, criteria: builderOf(points) }), points);
    const nested = { any: [{ all: [{ competency: 'C1' }] }] };
    assert.equal(builderOf(nested), null, 'a nested rule stays JSON');
    const state = stateOf({ ...sample, criteria: nested });
    assert.deepEqual(ruleOf(state), nested);
  });

  test('CASE items imported by the core become aligned competencies', () => {
    const framework = core.importCase(readFileSync(join(sharedDir, 'fixtures', 'case', 'cairn-minimal-v1p1.json'), 'utf8'));
    assert.equal(framework.items.length, 9);
    const chosen = framework.items.filter((i) => i.depth > 0).map((i) => i.id);
    const rows = competenciesFromCase(framework, chosen, [], '75');
    assert.equal(rows.length, chosen.length);
    for (const row of rows) {
      const item = framework.items.find((i) => i.id === row.id);
      assert.equal(row.statement, item.full_statement);
      assert.equal(row.threshold_percent, '75');
      assert.equal(row.alignment.target_url, item.uri);
      assert.equal(row.alignment.target_type, 'CFItem');
    }
    assert.equal(competenciesFromCase(framework, chosen, rows).length, 0, 'present items are not added twice');
    const s = typedState();
    s.competencies = rows;
    s.assessments[0].competencies = rows.map((r) => r.id);
    assert.deepEqual(errors([definitionOf(s)]), []);
    assert.throws(() => core.importCase('{"CFDocument": 3}'), (e) => typeof e.code === 'string');
  });

  test('the default badge is the core SVG for the name, code and id', () => {
    const svg = core.defaultBadgeSvg('Data literacy', 'DL-1', 'data-lit');
    assert.match(svg, /^<svg[\s>]/);
    assert.ok(svg.includes('Data literacy') && svg.includes('DL-1'));
    assert.notEqual(core.defaultBadgeSvg('Data literacy', 'DL-1', 'other-id'), svg, 'the id picks the colour');
    assert.ok(!core.defaultBadgeSvg('Data literacy', '', 'data-lit').includes('DL-1'));
  });
});
