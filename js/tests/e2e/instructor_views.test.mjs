// The instructor views in real Chromium through the demo platform, the tool in a cross-site
// iframe (issue 12 acceptance, the instructor part): Priya defines a credential with two
// competencies, a rubric and a second-attempt policy in the editor and publishes it; Sam's
// first rubric attempt is graded with feedback and released in the grading queue, his second
// passes and he holds the badge; Jonas's PLAR requests are granted in the PLAR view; the
// roster grid agrees with the server and exports CSV; the what-if panel recomputes the roster
// for a higher threshold; the issuance log revokes a credential; after a version 1.1.0 is
// published, the grid still agrees with the server and the what-if says who stays on 1.0.0
// (REQ-LIFE-02). axe-core on every view,
// screenshots at 1280 and 360 px, and the what-if recompute of 2,000 learners × 20
// assessments timed in the browser (printed, not asserted).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  apiFrom, axeCheck, launchAs, openBrowser, required, screenshotsAt, startDemo, stopDemo, viewReady,
} from './harness.mjs';

const PRIYA = { name: 'Priya Natarajan', role: 'instructor', sub: '2' };
const SAM = { name: 'Sam Okafor', role: 'learner', sub: '3' };
const JONAS = { name: 'Jonas Berg', role: 'learner', sub: '5' };
const CREDENTIAL = 'safe-lifting';

let workDir;
let outDir;
let demo;
let context;
let page;
let axeSource;
const pageErrors = [];
const tokens = {};

before(async () => {
  axeSource = readFileSync(required('CAIRN_AXE_CORE'), 'utf8');
  outDir = required('CAIRN_E2E_OUT');
  mkdirSync(outDir, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'cairn-e2e-teach-'));
  demo = await startDemo('teach', workDir);
  ({ context, page } = await openBrowser(workDir, pageErrors));
});

after(async () => {
  await context?.close().catch(() => {});
  if (demo) await stopDemo(demo);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function assertNoPageErrors(what) {
  assert.deepEqual(pageErrors.splice(0), [], `${what}: no uncaught error in the page or its frames`);
}

/** Launches `person` into the tool frame, keeps their token and opens `view`. */
async function launch(person, view) {
  const frame = await launchAs(page, demo, person, `${person.role}/home`);
  tokens[person.sub] = await frame.evaluate(() => JSON.parse(document.getElementById('cairn-launch').textContent).token);
  if (view !== `${person.role}/home`) {
    await frame.evaluate((v) => { window.location.hash = `#/${v}`; }, view);
    await viewReady(frame, demo, view);
  }
  return frame;
}

/** Calls the API from inside the frame with `person`'s token. */
function api(frame, person, method, path, body) {
  return apiFrom(frame, tokens[person.sub], method, path, body);
}

const axe = (frame, what) => axeCheck(frame, axeSource, what);
const screenshots = (name) => screenshotsAt(page, outDir, name);

/** Waits for the view's status line to say `pattern` (or fails with what it says). */
async function statusSays(frame, pattern) {
  try {
    await frame.waitForFunction((source) => [...document.querySelectorAll('#view .status')]
      .some((s) => new RegExp(source).test(s.textContent)), pattern.source);
  } catch (error) {
    const said = await frame.$$eval('#view .status', (all) => all.map((s) => s.textContent));
    throw new Error(`the status never matched ${pattern}: ${JSON.stringify(said)}`, { cause: error });
  }
}

async function record(frame, learner) {
  const answer = await api(frame, PRIYA, 'GET', `/api/learners/${learner.sub}/record`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

test('the instructor defines a credential with two competencies and a second-attempt policy in the editor', async () => {
  const frame = await launch(PRIYA, 'instructor/editor');
  const form = frame.locator('form.editor');
  const basics = form.locator('fieldset.editor-section').first();
  await basics.getByLabel('Identifier', { exact: true }).fill(CREDENTIAL);
  await basics.getByLabel('Name', { exact: true }).fill('Safe Lifting');
  await basics.getByLabel('Description').fill('Lifts and moves loads without injury.');
  await basics.getByLabel('Issuer URL').fill('https://college.example/issuers/ce');
  await basics.getByLabel('Issuer name').fill('Example College');
  for (const [i, statement] of ['Plan a lift', 'Carry out a lift'].entries()) {
    await form.getByRole('button', { name: 'Add a competency' }).click();
    await form.locator(`[data-row="competency-${i}"]`).getByLabel('What the learner can do').fill(statement);
  }
  await form.getByRole('button', { name: 'Add an assessment' }).click();
  const assessment = form.locator('[data-row="assessment-0"]');
  await assessment.getByLabel('Identifier', { exact: true }).fill('LIFT');
  await assessment.getByLabel('Title').fill('Observed lift (rubric)');
  for (const [i, competency] of ['C1', 'C2'].entries()) {
    await assessment.getByRole('button', { name: 'Add a part' }).click();
    const part = assessment.locator(`[data-part="${i}"]`);
    await part.getByLabel('Competency').selectOption(competency);
  }
  for (const [i, [name, points]] of [['Beginning', '3'], ['Competent', '9']].entries()) {
    await assessment.getByRole('button', { name: 'Add a level' }).click();
    const level = assessment.locator(`[data-level="${i}"]`);
    await level.getByLabel('Level', { exact: true }).fill(name);
    await level.getByLabel('Points for P1').fill(points);
    await level.getByLabel('Points for P2').fill(points);
  }
  // The second-attempt policy: two attempts, the second after feedback (the defaults, checked).
  assert.equal(await form.getByLabel('Attempts allowed').inputValue(), '2');
  assert.equal(await form.getByLabel('Feedback must be released before a retry').isChecked(), true);
  await form.getByLabel('Portfolio').check();
  await frame.waitForFunction(() => /can be published|\(0 blocking\)/.test(document.querySelector('.findings')?.textContent ?? ''));
  await axe(frame, 'credential editor');
  await screenshots('instructor-editor');
  await form.getByRole('button', { name: 'Publish' }).click();
  await statusSays(frame, /safe-lifting 1\.0\.0 is published/);
  const rows = await api(frame, PRIYA, 'GET', '/api/definitions');
  const published = rows.body.find((r) => r.definition_id === CREDENTIAL);
  assert.equal(published.status, 'published');
  assert.deepEqual(published.body.competencies.map((c) => c.id), ['C1', 'C2']);
  assert.equal(published.body.attempt_policy.max_attempts, 2);
  assert.equal(published.body.attempt_policy.feedback_required_before_retry, true);
  assertNoPageErrors('editor');
});

/** Sam submits evidence for the rubric task (the learner's API). */
async function submitEvidence(n) {
  const frame = await launch(SAM, 'learner/home');
  if (n === 1) assert.equal((await api(frame, SAM, 'POST', '/api/me/enrolments', { credential: CREDENTIAL })).status, 201);
  const answer = await api(frame, SAM, 'POST', '/api/me/submissions', { assessment: 'LIFT', evidence: [{ url: `https://video.example/sam-${n}` }] });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
}

/** Priya grades Sam's pending attempt with `level` on both parts, with feedback, and releases it. */
async function gradeSam(level, feedback) {
  const frame = await launch(PRIYA, 'instructor/grading');
  const item = frame.locator(`article[data-learner="${SAM.sub}"][data-kind="grade"]`);
  await item.waitFor();
  for (const part of ['P1', 'P2']) {
    await item.locator(`[data-part="${part}"]`).getByLabel(new RegExp(`${level}: `)).check({ timeout: 3000 })
      .catch(async (error) => { throw new Error(`no level ${level} on ${part}: ${await item.innerHTML()}`, { cause: error }); });
  }
  await item.getByLabel('Feedback').fill(feedback);
  return { frame, item };
}

test('a rubric attempt is graded with feedback and released; the second attempt passes and earns the badge', async () => {
  await submitEvidence(1);
  let { frame, item } = await gradeSam('Beginning', 'Bend your knees and plan the route first.');
  await axe(frame, 'grading queue');
  await screenshots('instructor-grading');
  await item.getByRole('button', { name: 'Save and release feedback' }).click();
  await statusSays(frame, /Feedback released to 3|Grade saved for 3/);
  let sam = await record(frame, SAM);
  const first = sam.record.assessments.LIFT;
  assert.equal(first.attempts[0].scored, true);
  assert.equal(first.attempts[0].reported, '30.00');
  assert.equal(first.next.step, 'attempt', 'feedback released: the second attempt is open');
  const history = await api(frame, PRIYA, 'GET', `/api/learners/${SAM.sub}/history`);
  assert.ok(history.body.some((e) => e.event.type === 'attempt_scored' && e.meta.feedback === 'Bend your knees and plan the route first.'));
  assert.ok(history.body.some((e) => e.event.type === 'feedback_released'));
  assertNoPageErrors('grading 1');

  await submitEvidence(2);
  ({ frame, item } = await gradeSam('Competent', 'Well planned and carried out.'));
  await item.getByRole('button', { name: 'Save and release feedback' }).click();
  await statusSays(frame, /Feedback released to 3/);
  sam = await record(frame, SAM);
  assert.equal(sam.record.assessments.LIFT.kept_reported, '90.00');
  assert.equal(sam.record.credentials[CREDENTIAL].status, 'valid', 'the badge, with no further action');
  assert.equal(sam.credentials.length, 1);
  assertNoPageErrors('grading 2');
});

test('PLAR requests are decided with evidence in the PLAR view', async () => {
  let frame = await launch(JONAS, 'learner/home');
  assert.equal((await api(frame, JONAS, 'POST', '/api/me/enrolments', { credential: CREDENTIAL })).status, 201);
  for (const competency of ['C1', 'C2']) {
    const asked = await api(frame, JONAS, 'POST', '/api/me/plar-requests', {
      credential: CREDENTIAL, method: 'portfolio', competency,
      evidence: [{ url: `https://portfolio.example/jonas/${competency}` }], statement: 'Ten years in a warehouse.',
    });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
  }
  frame = await launch(PRIYA, 'instructor/plar');
  await frame.locator('article[data-request]').first().waitFor();
  assert.equal(await frame.locator(`article[data-learner="${JONAS.sub}"]`).count(), 2);
  await axe(frame, 'PLAR decisions');
  await screenshots('instructor-plar');
  for (let i = 0; i < 2; i += 1) {
    const open = frame.locator(`article[data-learner="${JONAS.sub}"]:has(form)`).first();
    await open.getByLabel('Grant').check();
    await open.getByLabel('What you considered').fill('Portfolio reviewed against the rubric.');
    await open.getByRole('button', { name: 'Record the decision' }).click();
    await statusSays(frame, /Prior learning granted to 5/);
  }
  assert.equal(await frame.locator(`article[data-learner="${JONAS.sub}"]:has(form)`).count(), 0, 'both decided');
  const jonas = await record(frame, JONAS);
  assert.equal(jonas.record.competencies.C1.source, 'plar');
  assert.equal(jonas.record.credentials[CREDENTIAL].status, 'valid');
  assertNoPageErrors('PLAR');
});

test('the roster grid agrees with the server, filters, sorts and exports CSV', async () => {
  const frame = await launch(PRIYA, 'instructor/home');
  await frame.waitForSelector('table.grid tbody tr');
  const notice = await frame.textContent('#view .notice');
  assert.match(notice, /match the server’s for every learner/);
  const learners = await frame.$$eval('table.grid tbody th[scope="row"]', (all) => all.map((th) => th.textContent));
  assert.ok(learners.includes(SAM.sub) && learners.includes(JONAS.sub), learners.join(','));
  const sam = await record(frame, SAM);
  const cell = await frame.textContent(`table.grid tbody tr:has(th:text-is("${SAM.sub}")) td.cell`);
  assert.ok(cell.includes(sam.record.competencies.C1.reported), `the grid shows the server's ${sam.record.competencies.C1.reported}: ${cell}`);
  await frame.getByLabel('Learner', { exact: true }).fill(JONAS.sub);
  assert.equal(await frame.locator('table.grid tbody tr').count(), 1);
  await frame.getByLabel('Learner', { exact: true }).fill('');
  await frame.getByRole('button', { name: 'Sort by C1' }).click();
  assert.equal(await frame.getAttribute('th[data-key="C1"]', 'aria-sort'), 'ascending');
  const [download] = await Promise.all([page.waitForEvent('download'), frame.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^learner,name,enrolment,C1 score,C1 status,C2 score,C2 status,safe-lifting credential\r\n/);
  // Names and enrolment from the demo platform's NRPS roster (read at the instructor's launch).
  assert.match(csv, new RegExp(`\r\n${SAM.sub},${SAM.name},In the course,`), csv);
  assert.equal(await frame.textContent(`table.grid tbody tr:has(th:text-is("${SAM.sub}")) td.member`), SAM.name);
  assert.equal(csv.trimEnd().split('\r\n').length, learners.length + 1);
  await axe(frame, 'roster grid');
  await screenshots('instructor-roster');
  assertNoPageErrors('roster');
});

test('the what-if panel recomputes the roster for a higher threshold', async () => {
  const frame = await launch(PRIYA, 'instructor/what_if');
  await frame.getByLabel('Change a threshold').check();
  await frame.getByLabel('Threshold (percent)').fill('95');
  await frame.getByRole('button', { name: 'Recompute the roster' }).click();
  await frame.waitForSelector('.whatif-result table');
  const moved = await frame.textContent('.whatif-result');
  assert.match(moved, new RegExp(`${SAM.sub}: C1: Mastered → Not yet`), 'Sam’s 90 % no longer masters at 95 %');
  assert.doesNotMatch(moved, new RegExp(`${JONAS.sub}:`), 'PLAR grants do not move');
  await axe(frame, 'what-if panel');
  await screenshots('instructor-what-if');

  // The benchmark: 2,000 learners × 20 assessments folded again in this browser.
  const ms = await frame.evaluate(async () => {
    const core = await import(new URL('/pkg/views/cairn_wasm.js', window.location.href).href);
    const assessments = Array.from({ length: 20 }, (_, i) => ({
      id: `A${i}`, title: `A${i}`, kind: 'summative', max_points: '100', pass_percent: '60', competencies: [`C${i % 8}`],
    }));
    const definition = {
      id: 'bench', version: '1', name: 'Bench', description: 'Bench', issuer: { id: 'https://x.example/i', name: 'X' },
      competencies: Array.from({ length: 8 }, (_, i) => ({ id: `C${i}`, statement: `C${i}`, threshold_percent: '70' })),
      assessments, criteria: { all_competencies: true },
    };
    const logs = Array.from({ length: 2000 }, (_, l) => ({
      learner: `L${l}`,
      events: [{ at: '2026-01-01T00:00:00Z', type: 'enrolled', credential: 'bench' },
        ...assessments.map((a, i) => ({ at: `2026-01-${String(2 + (i % 20)).padStart(2, '0')}T10:00:00Z`, type: 'attempt_submitted', assessment: a.id, score: String((l * 7 + i * 13) % 101) }))],
    }));
    const roster = new core.Roster(JSON.stringify([definition]), new TextEncoder().encode(JSON.stringify(logs)));
    const edited = JSON.stringify([{ ...definition, competencies: definition.competencies.map((c) => ({ ...c, threshold_percent: '75' })) }]);
    // The panel's call (`statusesWith`), then the full summaries (`summarizeWith`) beside it.
    const best = (call) => {
      let fastest = Infinity;
      for (let run = 0; run < 5; run += 1) {
        const start = performance.now();
        const out = call();
        fastest = Math.min(fastest, performance.now() - start);
        if (out.learners.length !== 2000) throw new Error('what-if: wrong learner count');
      }
      return fastest;
    };
    const statuses = best(() => roster.statusesWith(edited, '2026-06-01T00:00:00Z'));
    const summaries = best(() => roster.summarizeWith(edited, '2026-06-01T00:00:00Z'));
    roster.free();
    return { statuses, summaries };
  });
  console.log(`bench: what-if recompute of 2,000 learners × 20 assessments in the browser: ${ms.statuses.toFixed(1)} ms (goal 50 ms; full summaries ${ms.summaries.toFixed(1)} ms)`);
  assertNoPageErrors('what-if');
});

test('the issuance log lists the credentials and revokes one with a reason', async () => {
  const frame = await launch(PRIYA, 'instructor/issuance');
  await frame.waitForSelector('table.issuance tbody tr');
  assert.equal(await frame.locator('table.issuance tbody tr').count(), 2);
  await axe(frame, 'issuance log');
  await screenshots('instructor-issuance');
  const row = frame.locator(`table.issuance tr[data-learner="${JONAS.sub}"]`);
  await row.getByRole('button', { name: /^Revoke/ }).click();
  const dialog = frame.locator('dialog[open]');
  await dialog.getByLabel('Reason', { exact: true }).fill('Issued in error.');
  await dialog.getByLabel('I understand that this cannot be undone').check();
  await axe(frame, 'revoke dialog');
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await statusSays(frame, /is revoked/);
  assert.equal(await row.getAttribute('data-status'), 'revoked');
  const jonas = await record(frame, JONAS);
  assert.ok(jonas.credentials[0].revoked_at, 'the server says revoked');
  assertNoPageErrors('issuance');
});

test('after a new version is published, the grid and the what-if keep learners on the version they enrolled on', async () => {
  const frame = await launch(PRIYA, 'instructor/home');
  const rows = await api(frame, PRIYA, 'GET', '/api/definitions');
  const v1 = rows.body.find((r) => r.definition_id === CREDENTIAL && r.status === 'published').body;
  // 1.1.0 adds C3 and its practical: on it, Sam (enrolled on 1.0.0) would not hold the badge.
  const v2 = {
    ...v1,
    version: '1.1.0',
    competencies: [...v1.competencies, { id: 'C3', statement: 'Plans a team lift', threshold_percent: '60' }],
    assessments: [...v1.assessments, {
      id: 'P3', title: 'Team lift practical', kind: 'summative', max_points: '10', pass_percent: '60', competencies: ['C3'],
    }],
  };
  const created = await api(frame, PRIYA, 'POST', '/api/definitions', v2);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const published = await api(frame, PRIYA, 'POST', `/api/definitions/${CREDENTIAL}/1.1.0/publish`, null);
  assert.equal(published.status, 200, JSON.stringify(published.body));

  const grid = await launch(PRIYA, 'instructor/home');
  await grid.waitForSelector('table.grid tbody tr');
  assert.match(await grid.textContent('#view .notice'), /match the server’s for every learner/);
  const header = await grid.$$eval('table.grid thead th', (all) => all.map((th) => th.textContent));
  assert.ok(header.includes('C3'), header.join(','));
  const sam = await record(grid, SAM);
  assert.equal(sam.record.credentials[CREDENTIAL].status, 'valid', 'the server keeps Sam on 1.0.0');
  const samCredential = await grid.textContent(`table.grid tbody tr:has(th:text-is("${SAM.sub}")) td.cred`);
  assert.equal(samCredential, 'Issued');

  const whatIf = await launch(PRIYA, 'instructor/what_if');
  await whatIf.waitForSelector('.whatif-earlier');
  // Sam and Jonas enrolled on 1.0.0 (and any other learner the demo enrolled then).
  const earlier = await whatIf.textContent('.whatif-earlier');
  const stay = earlier.match(/^(\d+) learners stay on version 1\.0\.0 of safe-lifting/);
  assert.ok(stay && Number(stay[1]) >= 2, earlier);
  await axe(whatIf, 'what-if panel with learners on an earlier version');
  assertNoPageErrors('versions');
});
