// The instructor views' DOM-free modules under Node with the real core: the roster grid
// (rows, filter, sort, CSV, agreement with the server's summaries), the what-if edits
// folded by the wasm `Roster` (`summarizeWith`, and `statusesWith` as the panel compares), the grading queue from the core's next
// steps, rubric points, and the choice of the definitions the server folds with.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadCore, repoRoot } from './support.mjs';
import { csvField, disagreements, filterRows, gridRows, sortRows, toCsv } from '../../www/views/instructor/parts/grid.mjs';
import { applyWhatIf, compareStatuses } from '../../www/views/instructor/parts/what_if_edits.mjs';
import { gradingPoints, gradingQueue } from '../../www/views/instructor/parts/queue.mjs';
import { courseDefinitions, logBytes, nowInstant } from '../../www/views/instructor/parts/course_data.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const definitions = JSON.parse(readFileSync(join(repoRoot, 'www', 'sample', 'definitions.json'), 'utf8'));
const AT = '2026-06-01T00:00:00Z';
const enrolled = { at: '2026-01-12T09:00:00Z', type: 'enrolled', credential: 'accessible-docs' };
const audit = (at, head, order, alt, contrast) => ({
  at, type: 'attempt_submitted', assessment: 'ADD-AUDIT',
  part_scores: { 'P-HEAD': head, 'P-ORDER': order, 'P-ALT': alt, 'P-CONTRAST': contrast },
});
const remediate = (at, score) => ({ at, type: 'attempt_submitted', assessment: 'ADD-REMEDIATE', score });

/** A small class: strong, middling (C-STRUCT 72 %), weak, not started, and one pending. */
const logs = [
  { learner: 'ana', events: [enrolled, audit('2026-02-01T10:00:00Z', '40', '20', '30', '10'), remediate('2026-02-05T10:00:00Z', '50')] },
  { learner: 'ben', events: [enrolled, audit('2026-02-01T10:00:00Z', '30', '13.2', '24', '8'), remediate('2026-02-05T10:00:00Z', '36')] },
  { learner: 'cleo', events: [enrolled, audit('2026-02-01T10:00:00Z', '10', '5', '6', '2')] },
  { learner: 'dev', events: [enrolled] },
  { learner: 'eve', events: [enrolled, { at: '2026-02-01T10:00:00Z', type: 'attempt_submitted', assessment: 'ADD-AUDIT' }] },
];

function summarize(defs = definitions) {
  const roster = new core.Roster(JSON.stringify(defs), logBytes(logs));
  try {
    return roster.summarize(AT);
  } finally {
    roster.free();
  }
}

describe('roster grid', () => {
  test('rows carry the core status and reported score of every competency', () => {
    const summaries = summarize();
    const rows = gridRows(summaries);
    assert.deepEqual(rows.map((r) => r.learner), logs.map((l) => l.learner));
    for (const log of logs) {
      const record = core.fold(JSON.stringify(definitions), JSON.stringify(log.events), AT);
      const row = rows.find((r) => r.learner === log.learner);
      for (const cell of row.competencies) {
        assert.equal(cell.status, record.competencies[cell.id].status, `${log.learner} ${cell.id}`);
        assert.equal(cell.reported, record.competencies[cell.id].reported, `${log.learner} ${cell.id}`);
      }
      for (const cell of row.credentials) assert.equal(cell.status, record.credentials[cell.id].status);
    }
    assert.ok(rows.some((r) => r.competencies.some((c) => c.status === 'mastered')), 'someone masters');
    assert.ok(rows.some((r) => r.competencies.some((c) => c.status !== 'mastered')), 'someone does not');
  });

  test('filter by learner text and by a competency status', () => {
    const rows = gridRows(summarize());
    assert.deepEqual(filterRows(rows, { text: 'E' }).map((r) => r.learner), ['ben', 'cleo', 'dev', 'eve']);
    const mastered = filterRows(rows, { competency: 'C-STRUCT', status: 'mastered' });
    assert.ok(mastered.length > 0 && mastered.length < rows.length);
    for (const row of mastered) assert.equal(row.competencies.find((c) => c.id === 'C-STRUCT').status, 'mastered');
    assert.equal(filterRows(rows, {}).length, rows.length);
  });

  test('sort by a competency puts the highest reported score first, learners without one last', () => {
    const rows = gridRows(summarize());
    const down = sortRows(rows, 'C-STRUCT', 'descending');
    const scores = down.map((r) => r.competencies.find((c) => c.id === 'C-STRUCT').reported);
    const scored = scores.filter((s) => s !== null);
    assert.deepEqual(scored, [...scored].sort((a, b) => Number(b) - Number(a)));
    assert.ok(scores.indexOf(null) === -1 || scores.slice(scores.indexOf(null)).every((s) => s === null));
    const up = sortRows(rows, 'C-STRUCT', 'ascending').map((r) => r.competencies.find((c) => c.id === 'C-STRUCT').reported);
    assert.equal(up.filter((s) => s !== null)[0], scored.at(-1));
    assert.deepEqual(sortRows(rows, 'learner', 'descending').map((r) => r.learner), ['eve', 'dev', 'cleo', 'ben', 'ana']);
  });

  test('names and enrolment come from the NRPS roster; a learner who left is kept and marked', () => {
    const summaries = summarize();
    const entries = [
      { learner: 'ana', member: { sub: 'ana', name: 'Ana Lima', enrolment: 'active' } },
      { learner: 'ben', member: { sub: 'ben', name: 'Ben Ode', enrolment: 'left', left_at: 1 } },
      { learner: 'cleo', member: null },
    ];
    const rows = gridRows(summaries, entries);
    assert.equal(rows.length, logs.length, 'nobody is dropped');
    const by = (id) => rows.find((r) => r.learner === id);
    assert.deepEqual([by('ana').name, by('ana').enrolment], ['Ana Lima', 'active']);
    assert.deepEqual([by('ben').name, by('ben').enrolment], ['Ben Ode', 'left']);
    assert.deepEqual([by('cleo').name, by('cleo').enrolment], [null, null]);
    assert.deepEqual(filterRows(rows, { text: 'lima' }).map((r) => r.learner), ['ana']);
    const csv = toCsv(rows, summaries.competencies.ids, summaries.credentials.ids, (s) => (s === 'left' ? 'Left the course' : s));
    const line = (id) => csv.split('\r\n').find((l) => l.startsWith(`${id},`));
    assert.ok(line('ben').startsWith('ben,Ben Ode,Left the course,'), line('ben'));
    assert.ok(line('cleo').startsWith('cleo,,,'), line('cleo'));
  });

  test('CSV has a header, one line per learner, the reported values and escaped fields', () => {
    const summaries = summarize();
    const rows = gridRows(summaries);
    const csv = toCsv(rows, summaries.competencies.ids, summaries.credentials.ids, (s) => s.toUpperCase());
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, rows.length + 1);
    assert.equal(lines[0], 'learner,name,enrolment,C-STRUCT score,C-STRUCT status,C-ALT score,C-ALT status,accessible-docs credential');
    const ana = rows.find((r) => r.learner === 'ana');
    assert.ok(lines.includes(['ana', '', '', ...ana.competencies.flatMap((c) => [c.reported ?? '', c.status.toUpperCase()]),
      ana.credentials[0].status.toUpperCase()].join(',')));
    assert.equal(csvField('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('-3'), '"\'-3"');
    assert.equal(csvField(null), '');
  });

  test('disagreements name exactly the learners whose server summary differs', () => {
    const summaries = summarize();
    const c = summaries.competencies;
    const k = summaries.credentials;
    const server = summaries.learners.map((learner, i) => ({
      learner,
      summary: {
        competencies: c.ids.map((_, j) => ({ status: c.status[i * c.ids.length + j], score: c.score[i * c.ids.length + j] })),
        credentials: k.ids.map((_, j) => ({ status: k.status[i * k.ids.length + j] })),
      },
    }));
    assert.deepEqual(disagreements(summaries, server), []);
    server[1].summary.competencies[0].status = server[1].summary.competencies[0].status === 'mastered' ? 'not_yet' : 'mastered';
    assert.deepEqual(disagreements(summaries, server), ['ben']);
  });
});

describe('what-if', () => {
  test('summarizeWith on unchanged definitions equals summarize', () => {
    const roster = new core.Roster(JSON.stringify(definitions), logBytes(logs));
    try {
      assert.deepEqual(roster.summarizeWith(JSON.stringify(definitions), AT), roster.summarize(AT));
    } finally {
      roster.free();
    }
  });

  test('statusesWith gives the summaries\' statuses, as bytes into name tables', () => {
    const roster = new core.Roster(JSON.stringify(definitions), logBytes(logs));
    try {
      const edited = applyWhatIf(definitions, { threshold: { competency: '', value: '95' } });
      for (const [json, summaries] of [
        [null, roster.summarize(AT)],
        [JSON.stringify(definitions), roster.summarize(AT)],
        [JSON.stringify(edited), roster.summarizeWith(JSON.stringify(edited), AT)],
      ]) {
        const statuses = roster.statusesWith(json, AT);
        assert.deepEqual(statuses.learners, summaries.learners);
        for (const kind of ['competencies', 'credentials']) {
          const got = statuses[kind];
          assert.ok(got.status instanceof Uint8Array, `${kind}: a typed array`);
          assert.deepEqual(got.ids, summaries[kind].ids);
          assert.deepEqual([...got.status].map((b) => got.names[b]), summaries[kind].status, `${kind} of ${json ? 'edited' : 'own'} definitions`);
        }
      }
      // Not vacuous: the sample roster has mastered and not-yet learners.
      const own = roster.statusesWith(null, AT).competencies;
      const names = new Set([...own.status].map((b) => own.names[b]));
      assert.ok(names.has('mastered') && names.has('not_yet'), [...names].join());
      assert.throws(() => roster.statusesWith(null, 'yesterday'), (e) => e.code === 'invalid_timestamp');
    } finally {
      roster.free();
    }
  });

  test('a raised threshold is folded by the core and moves the middling learner only', () => {
    const edited = applyWhatIf(definitions, { threshold: { competency: 'C-STRUCT', value: '95' } });
    assert.equal(definitions[0].competencies[0].threshold_percent, '70', 'the definitions are not mutated');
    assert.equal(edited[0].competencies.find((c) => c.id === 'C-STRUCT').threshold_percent, '95');
    const roster = new core.Roster(JSON.stringify(definitions), logBytes(logs));
    let diff;
    try {
      diff = compareStatuses(roster.statusesWith(null, AT), roster.statusesWith(JSON.stringify(edited), AT));
    } finally {
      roster.free();
    }
    const struct = diff.competencies.find((c) => c.id === 'C-STRUCT');
    assert.ok(struct.after < struct.before, 'fewer master C-STRUCT at 95 %');
    assert.deepEqual(diff.competencies.find((c) => c.id === 'C-ALT').before, diff.competencies.find((c) => c.id === 'C-ALT').after);
    assert.ok(diff.moved.some((m) => m.learner === 'ben'));
    assert.ok(!diff.moved.some((m) => m.learner === 'ana'), 'a perfect score stays mastered');
  });

  test('method and policy edits reach the definitions as the core reads them', () => {
    const edited = applyWhatIf(definitions, {
      method: { competency: '', name: 'decaying_average', params: { rate_pct: 75 } },
      attemptPolicy: { definition: 'accessible-docs', max_attempts: 3, scoring: 'latest', feedback_required_before_retry: false,
        min_days_between_attempts: 0, resit_cap_percent: null, retry_after_pass: false },
      plar: { definition: 'accessible-docs', methods: [], challenge_counts_as_attempt: false, max_share_percent: null },
    });
    for (const c of edited[0].competencies) {
      assert.equal(c.method, 'decaying_average');
      assert.deepEqual(c.method_params, { rate_pct: 75 });
    }
    assert.equal(edited[0].attempt_policy.max_attempts, 3);
    assert.equal(edited[0].attempt_policy.definition, undefined);
    assert.equal(edited[0].plar, null);
    assert.deepEqual(core.validateDefinitions(JSON.stringify(edited)).filter((f) => f.severity === 'error'), []);
    const roster = new core.Roster(JSON.stringify(definitions), logBytes(logs));
    try {
      const out = roster.summarizeWith(JSON.stringify(edited), AT);
      assert.equal(out.learners.length, logs.length);
      const bad = applyWhatIf(definitions, { method: { competency: '', name: 'n_mastery', params: { n: 99 } } });
      assert.throws(() => roster.summarizeWith(JSON.stringify(bad), AT), (e) => typeof e.code === 'string');
    } finally {
      roster.free();
    }
  });
});

describe('grading queue', () => {
  test('a pending attempt waits for grading; once scored, for feedback', () => {
    // Inside the sample's 90-day completion window, so retries are still open.
    const AT = '2026-03-01T00:00:00Z';
    const queue = gradingQueue(core.fold, definitions, logs, AT);
    const eve = queue.filter((i) => i.learner === 'eve');
    assert.equal(eve.length, 1);
    assert.equal(eve[0].kind, 'grade');
    assert.equal(eve[0].assessment.id, 'ADD-AUDIT');
    assert.equal(eve[0].attempt.number, 1);
    const scored = logs.map((l) => (l.learner !== 'eve' ? l : {
      ...l,
      events: [...l.events, { at: '2026-02-03T10:00:00Z', type: 'attempt_scored', assessment: 'ADD-AUDIT', attempt: 1,
        part_scores: gradingPoints(eve[0].assessment, { 'P-HEAD': { level: 0 }, 'P-ORDER': { level: 0 }, 'P-ALT': { level: 0 }, 'P-CONTRAST': { level: 0 } }).part_scores }],
    }));
    const after = gradingQueue(core.fold, definitions, scored, AT).filter((i) => i.learner === 'eve');
    assert.deepEqual(after.map((i) => i.kind), ['release']);
    // Cleo failed with feedback required before a retry: the core says she waits for feedback.
    assert.ok(queue.some((i) => i.learner === 'cleo' && i.kind === 'release'));
    assert.ok(!queue.some((i) => i.learner === 'ana'), 'nothing waits for a learner who passed');
  });

  test('rubric levels give part points; typed points win', () => {
    const a = definitions[0].assessments.find((x) => x.id === 'ADD-AUDIT');
    const points = gradingPoints(a, { 'P-HEAD': { level: 2 }, 'P-ORDER': { level: 3, points: '17.5' }, 'P-ALT': { level: 0 }, 'P-CONTRAST': { level: 1 } });
    assert.deepEqual(points, { part_scores: { 'P-HEAD': a.rubric.levels[2].points['P-HEAD'], 'P-ORDER': '17.5',
      'P-ALT': a.rubric.levels[0].points['P-ALT'], 'P-CONTRAST': a.rubric.levels[1].points['P-CONTRAST'] } });
    const plain = definitions[0].assessments.find((x) => x.id === 'ADD-REMEDIATE');
    assert.deepEqual(gradingPoints(plain, { score: { points: ' 41 ' } }), { score: '41' });
  });
});

describe('course data', () => {
  test('the latest published version of each definition, drafts and archived left out', () => {
    const body = (v) => ({ ...definitions[0], version: v });
    const rows = [
      { definition_id: 'accessible-docs', version: '1.0.0', status: 'published', published_at: 10, body: body('1.0.0') },
      { definition_id: 'accessible-docs', version: '1.1.0', status: 'published', published_at: 20, body: body('1.1.0') },
      { definition_id: 'accessible-docs', version: '2.0.0', status: 'draft', published_at: null, body: body('2.0.0') },
      { definition_id: 'other', version: '1.0.0', status: 'archived', published_at: 5, body: { id: 'other' } },
    ];
    assert.deepEqual(courseDefinitions(rows).map((d) => d.version), ['1.1.0']);
  });

  test('now is the core instant format', () => {
    assert.equal(nowInstant(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), '2026-01-02T03:04:05Z');
    assert.match(nowInstant(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});

describe('the instructor and admin views’ strings', () => {
  test('every key the views name exists in the catalogue of its area, in English and French', async () => {
    const { readdirSync } = await import('node:fs');
    const files = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.mjs')) files.push(path);
      }
    };
    for (const dir of ['instructor', 'admin', 'parts']) walk(join(repoRoot, 'www', 'views', dir));
    const catalogue = {};
    for (const locale of ['en', 'fr']) {
      for (const area of ['instructor', 'admin', 'shell']) {
        catalogue[`${locale}/${area}`] = (await import(join(repoRoot, 'www', 'i18n', locale, `${area}.mjs`))).default;
      }
    }
    let literal = 0;
    let prefixes = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // t('area.key'): a whole key; t(`area.prefix_${…}`): every key with that prefix must exist.
      for (const [, area, key] of text.matchAll(/\bt\('([a-z]+)\.([a-z0-9_]+)'/g)) {
        literal += 1;
        assert.ok(['instructor', 'admin', 'shell'].includes(area), `${file}: ${area}.${key} is in another area's catalogue`);
        for (const locale of ['en', 'fr']) assert.ok(key in catalogue[`${locale}/${area}`], `${file}: ${locale} lacks ${area}.${key}`);
      }
      for (const [, area, prefix] of text.matchAll(/t\(`([a-z]+)\.([a-z0-9_]+)\$\{/g)) {
        prefixes += 1;
        for (const locale of ['en', 'fr']) {
          assert.ok(Object.keys(catalogue[`${locale}/${area}`]).some((k) => k.startsWith(prefix)), `${file}: ${locale} has no ${area}.${prefix}…`);
        }
      }
    }
    assert.ok(literal > 200 && prefixes > 5, `the scan found the views' keys (${literal} literal, ${prefixes} prefixes)`);
  });
});
