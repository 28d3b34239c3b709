// The instructor views fold each learner on the versions their enrolment pinned, as the
// server does (REQ-LIFE-02, issue 12): the wasm `Roster` given every published version
// (`catalogDefinitions`) gives, learner by learner, the record the server keeps for them (the
// core's fold of every version, which picks the learner's), in the grid, the what-if's
// statuses and the reports; a what-if changes the latest version only and says who stays.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadCore, repoRoot } from './support.mjs';
import { catalogDefinitions, courseDefinitions, courseRoster } from '../../www/views/instructor/parts/course_data.mjs';
import { disagreements } from '../../www/views/instructor/parts/grid.mjs';
import { applyWhatIf, compareStatuses } from '../../www/views/instructor/parts/what_if_edits.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const AT = '2026-03-01T00:00:00Z';
const scenario = JSON.parse(readFileSync(join(repoRoot, 'tests', 'scenarios', 'life-02-enrolled-learner-stays-on-v1.json'), 'utf8'));
/** `fa` 1.0.0 (FA1, FA2) and 2.0.0 (adds FA3 and its practical). */
const [v1, v2] = scenario.definitions;

/** `GET /api/definitions` rows as the server lists them (by id, then creation), a draft too. */
const rows = [
  { definition_id: 'fa', version: '1.0.0', status: 'published', published_at: 100, body: v1 },
  { definition_id: 'fa', version: '2.0.0', status: 'published', published_at: 200, body: v2 },
  { definition_id: 'fa', version: '3.0.0', status: 'draft', published_at: null, body: { ...v2, version: '3.0.0' } },
];

/** A learner who passes FA-P1 (82) and FA-P2 (75), enrolled on `version` (none: unpinned). */
function learner(name, version) {
  const enrolled = { at: '2026-02-02T09:00:00Z', type: 'enrolled', credential: 'fa', ...(version ? { version } : {}) };
  return {
    learner: name,
    events: [
      enrolled,
      { at: '2026-02-10T10:00:00Z', type: 'attempt_submitted', assessment: 'FA-P1', score: '82' },
      { at: '2026-02-17T10:00:00Z', type: 'attempt_submitted', assessment: 'FA-P2', score: '75' },
    ],
  };
}

/** Ada and Cy are pinned to 1.0.0 (the server pins the version published at enrolment). */
const logs = [learner('ada', '1.0.0'), learner('bo', '2.0.0'), learner('cy', '1.0.0'), learner('di', null)];
const data = { catalog: catalogDefinitions(rows), definitions: courseDefinitions(rows), logs };

/**
 * The server's roster entries: each learner's record as the server folds it (the core's fold
 * of every published version, on the learner's own), in the latest course's columns, an entry
 * their version lacks being not started or not issued.
 */
function serverEntries(compIds, credIds) {
  return logs.map((l) => {
    const record = core.fold(JSON.stringify(data.catalog), JSON.stringify(l.events), AT);
    return {
      learner: l.learner,
      summary: {
        competencies: compIds.map((id) => record.competencies[id] ?? { status: 'not_started', score: null }),
        credentials: credIds.map((id) => ({ status: record.credentials[id]?.status ?? 'not_issued' })),
      },
    };
  });
}

describe('the catalog the page folds with', () => {
  test('every published version, per definition oldest first; the latest is the columns', () => {
    assert.deepEqual(data.catalog.map((d) => d.version), ['1.0.0', '2.0.0']);
    assert.deepEqual(data.definitions.map((d) => d.version), ['2.0.0']);
    const mixed = [
      { definition_id: 'b', version: '1.0.0', status: 'published', published_at: 50, body: { id: 'b', version: '1.0.0' } },
      { definition_id: 'a', version: '2.0.0', status: 'published', published_at: 300, body: { id: 'a', version: '2.0.0' } },
      { definition_id: 'a', version: '1.0.0', status: 'published', published_at: 100, body: { id: 'a', version: '1.0.0' } },
      { definition_id: 'a', version: '0.9.0', status: 'archived', published_at: 10, body: { id: 'a', version: '0.9.0' } },
    ];
    assert.deepEqual(catalogDefinitions(mixed).map((d) => `${d.id} ${d.version}`), ['a 1.0.0', 'a 2.0.0', 'b 1.0.0']);
  });
});

describe('a roster with learners pinned to v1', () => {
  test('the grid gives the server\'s answer for every learner', () => {
    const roster = courseRoster(core, data);
    try {
      const summaries = roster.summarize(AT);
      assert.deepEqual(summaries.competencies.ids, ['FA1', 'FA2', 'FA3']);
      assert.deepEqual(summaries.credentials.status, ['valid', 'not_issued', 'valid', 'not_issued'],
        'ada and cy hold fa, issued on v1; bo and di still owe FA3');
      assert.deepEqual(summaries.competencies.status.slice(0, 3), ['mastered', 'mastered', 'not_started']);
      const server = serverEntries(summaries.competencies.ids, summaries.credentials.ids);
      assert.deepEqual(disagreements(summaries, server), []);
      // The statuses the what-if compares are the grid's.
      const statuses = roster.statusesWith(null, AT);
      const names = statuses.credentials.names;
      assert.deepEqual([...statuses.credentials.status].map((b) => names[b]), summaries.credentials.status);
      // The reports count ada and cy as completed (issued on v1), of four registered.
      const funnel = roster.reports('fa', AT).funnel;
      assert.deepEqual([funnel.registered, funnel.completed], [4, 2]);
    } finally {
      roster.free();
    }
  });

  test('folding on the latest version alone (the defect) disagrees with the server on the pinned learners', () => {
    const latestOnly = new core.Roster(JSON.stringify(data.definitions), new TextEncoder().encode(JSON.stringify(logs)));
    try {
      const summaries = latestOnly.summarize(AT);
      const server = serverEntries(summaries.competencies.ids, summaries.credentials.ids);
      assert.deepEqual(disagreements(summaries, server), ['ada', 'cy']);
    } finally {
      latestOnly.free();
    }
  });

  test('a what-if changes the latest version; pinned learners stay and are counted', () => {
    const roster = courseRoster(core, data);
    try {
      assert.deepEqual(roster.earlierVersions(AT), [{ definition: 'fa', version: '1.0.0', learners: 2 }]);
      assert.deepEqual(roster.earlierVersions('2026-01-01T00:00:00Z'), [], 'nobody is pinned before enrolling');
      const before = roster.statusesWith(null, AT);
      // Every threshold of the latest at 80: FA2 (75) is no longer mastered on v2.
      const edited = applyWhatIf(data.definitions, { threshold: { competency: '', value: '80' } });
      const after = roster.statusesWith(JSON.stringify(edited), AT);
      const diff = compareStatuses(before, after);
      assert.deepEqual(diff.moved.map((m) => m.learner), ['bo', 'di']);
      assert.deepEqual(diff.moved[0].competencies, [{ id: 'FA2', before: 'mastered', after: 'not_yet' }]);
      // The full summaries agree with the statuses.
      const full = roster.summarizeWith(JSON.stringify(edited), AT);
      const names = after.competencies.names;
      assert.deepEqual([...after.competencies.status].map((b) => names[b]), full.competencies.status);
    } finally {
      roster.free();
    }
  });
});
