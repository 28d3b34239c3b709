// The tool page's views in real Chromium through the demo platform, the tool in a cross-site
// iframe (issue 12 acceptance, the learner and verify parts): the instructor publishes a
// credential with two competencies and a second-attempt policy (through the API, with the
// token the launch gave the instructor's page); Sam enrols, fails the item set in the learner
// view, the instructor releases feedback, Sam passes on the second attempt and holds the
// badge with no further action; Jonas asks for PLAR in the view and is granted it; the badge
// PNG downloads and the verify page accepts it, and refuses a tampered copy with the reason;
// Léa's launch is in French. The instructor places the exam by Deep Linking: the learner's
// launch of the placed link lands on the exam's row (marked, focused, said in words), the
// instructor's on that exam's grading queue, and the demo gradebook holds the learner's score
// on the exam's line item. Every view passes axe-core (no serious or critical violation),
// is photographed at 1280 and 360 px, and for every learner the page's record equals the
// API's. Prints the benchmarks: learner view time to interactive, wasm gzip sizes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, gzipSync } from 'node:zlib';

import { CHROMIUM_FLAGS, ROOT, WAIT_MS, preferences, required, startDemo, stopDemo } from './harness.mjs';

/** The demo's people (lti/src/demo/people.rs) and their Moodle `sub`. */
const PRIYA = { name: 'Priya Natarajan', role: 'instructor', sub: '2' };
const SAM = { name: 'Sam Okafor', role: 'learner', sub: '3' };
const LEA = { name: 'Léa Martin', role: 'learner', sub: '4' };
const JONAS = { name: 'Jonas Berg', role: 'learner', sub: '5' };

const DEFINITION = {
  id: 'first-aid', version: '1.0.0', name: 'Workplace First Aid',
  description: 'Responds to a workplace injury until help arrives.',
  issuer: { id: 'https://college.example/issuers/ce', name: 'Example College' },
  competencies: [
    { id: 'C1', statement: 'Assess a casualty', threshold_percent: '60' },
    { id: 'C2', statement: 'Give first aid', threshold_percent: '60' },
  ],
  assessments: [{ id: 'EXAM', title: 'First aid exam', kind: 'summative', max_points: '10', pass_percent: '60', competencies: ['C1', 'C2'] }],
  attempt_policy: {
    max_attempts: 2, scoring: 'latest', feedback_required_before_retry: true,
    min_days_between_attempts: 0, resit_cap_percent: null, retry_after_pass: false,
  },
  plar: { methods: ['portfolio'], challenge_counts_as_attempt: false, max_share_percent: null },
  criteria: { all_competencies: true },
  grant_mode: 'automatic',
};

const ITEM_SET = {
  items: [1, 2, 3, 4, 5].map((i) => ({
    id: `q${i}`, prompt: `Question ${i}`, points: '2',
    choices: [{ id: 'right', text: 'Right' }, { id: 'wrong', text: 'Wrong' }],
    key: { type: 'single_choice', choice: 'right' },
  })),
};

let workDir;
let outDir;
let demo;
let context;
let page;
let axeSource;
let instructorToken;
const pageErrors = [];
const shared = {};

before(async () => {
  const executablePath = required('CAIRN_CHROMIUM');
  const playwrightDir = required('CAIRN_PLAYWRIGHT_CORE');
  axeSource = readFileSync(required('CAIRN_AXE_CORE'), 'utf8');
  outDir = required('CAIRN_E2E_OUT');
  mkdirSync(outDir, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'cairn-e2e-page-'));
  demo = await startDemo('page', workDir);
  const profile = join(workDir, 'profile');
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify(preferences([])));
  const { chromium } = await import(pathToFileURL(join(playwrightDir, 'index.mjs')).href);
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 1000 },
    acceptDownloads: true,
    timeout: WAIT_MS,
  });
  context.setDefaultTimeout(WAIT_MS);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  await context?.close().catch(() => {});
  if (demo) await stopDemo(demo);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function assertNoPageErrors(what) {
  assert.deepEqual(pageErrors.splice(0), [], `${what}: no uncaught error in the page or its frames`);
}

/** Launches `person` (Moodle flavour) and resolves with the tool frame once its view is ready,
 * and the time to interactive measured in the frame (from its navigation start). `button` names
 * the course page's button (default: the person's plain launch). */
async function launch(person, view, button = { name: `Launch as ${person.name} (${person.role})`, exact: true }) {
  await page.goto(`${demo.courseUrl}?flavour=moodle`);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${demo.toolOrigin}/lti/launch` && r.request().method() === 'POST'),
    page.getByRole('button', button).click(),
  ]);
  assert.equal(response.status(), 200, `${person.name}: the launch answers 200`);
  const frame = await (await page.waitForSelector('iframe[name="cairn"]')).contentFrame();
  try {
    await frame.waitForFunction((v) => document.documentElement.dataset.view === v && document.documentElement.dataset.ready === 'true', view);
  } catch (error) {
    const shown = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '(no document)');
    throw new Error(`${person.name}: the frame never showed ${view}; it shows:\n${shown}\n${demo.log}`, { cause: error });
  }
  const tti = await frame.evaluate(() => performance.getEntriesByName('cairn-interactive').at(-1)?.startTime ?? null);
  return { frame, tti };
}

/** Calls the API from inside the frame (same origin as the tool) with `token`. */
function api(frame, token, method, path, body) {
  return frame.evaluate(async ({ token, method, path, body }) => {
    const answer = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    return { status: answer.status, body: text ? JSON.parse(text) : null };
  }, { token, method, path, body });
}

function tokenOf(frame) {
  return frame.evaluate(() => JSON.parse(document.getElementById('cairn-launch').textContent).token);
}

/** axe-core in the frame: no serious or critical WCAG 2.x A/AA violation. */
async function axe(frame, what) {
  await frame.evaluate(axeSource);
  const violations = await frame.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${what}: axe-core finds no serious or critical violation`);
}

/** Full-page screenshots at 1280 and 360 px wide; the tool's frame, if any, is made as tall
 * as its document first, so the whole view shows. */
async function screenshots(target, name, frame) {
  for (const width of [1280, 360]) {
    await target.setViewportSize({ width, height: 900 });
    if (frame) {
      const height = await frame.evaluate(() => document.documentElement.scrollHeight);
      await target.evaluate((h) => {
        document.querySelector('iframe[name="cairn"]').style.height = `${h + 20}px`;
      }, height);
    }
    await target.screenshot({ path: join(outDir, `${name}-${width}.png`), fullPage: true });
  }
  await target.setViewportSize({ width: 1280, height: 1000 });
}

/** The page's record equals the API's for this learner: the one it shows (folded at the
 * instant of the server's record it loaded), and its fold at the instant of a fresh API read. */
async function assertSameRecord(frame, token, who) {
  const shown = await frame.evaluate(() => ({ record: window.cairnLearner?.record, agrees: window.cairnLearner?.agrees }));
  assert.ok(shown.record, `${who}: the learner view exposes its record`);
  assert.equal(shown.agrees, true, `${who}: the browser's fold equals the server's record it loaded`);
  const server = await api(frame, token, 'GET', '/api/me/record');
  assert.equal(server.status, 200);
  const folded = await frame.evaluate((at) => window.cairnLearner.foldAt(at), server.body.at);
  assert.deepEqual(folded, server.body.record, `${who}: the page's fold equals the API's record at its instant`);
  assert.equal(shown.record.credentials['first-aid']?.status, server.body.record.credentials['first-aid']?.status, `${who}: the same standing`);
}

/** Answers the item set with `right` correct answers and submits it. */
async function answerItems(frame, right) {
  await frame.click('[data-start="EXAM"]');
  await frame.waitForSelector('form[data-form="items"]');
  for (let i = 1; i <= 5; i++) {
    await frame.check(`[data-item="q${i}"] input[value="${i <= right ? 'right' : 'wrong'}"]`);
  }
  const before = await frame.evaluate(() => window.cairnLearner.record.assessments.EXAM.attempts.length);
  await frame.click('form[data-form="items"] button[type="submit"]');
  await frame.waitForFunction((n) => window.cairnLearner?.record.assessments.EXAM.attempts.length === n + 1, before);
  return frame.evaluate(() => document.querySelector('.learner-notice')?.innerText ?? '');
}

test('the instructor publishes a credential with two competencies and a second-attempt policy', async () => {
  const { frame } = await launch(PRIYA, 'instructor/home');
  instructorToken = await tokenOf(frame);
  let answer = await api(frame, instructorToken, 'POST', '/api/definitions', DEFINITION);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  answer = await api(frame, instructorToken, 'POST', '/api/definitions/first-aid/1.0.0/publish', null);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  answer = await api(frame, instructorToken, 'PUT', '/api/item-sets/EXAM', ITEM_SET);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  await axe(frame, 'instructor home');
  await screenshots(page, 'instructor-home', frame);
  assertNoPageErrors('instructor');
});

test('a learner fails, gets feedback, passes on the second attempt and holds the badge', async () => {
  let { frame, tti } = await launch(SAM, 'learner/home');
  shared.tti = tti;
  let token = await tokenOf(frame);
  await axe(frame, 'learner view, before enrolling');
  await frame.click('[data-enrol="first-aid"]');
  await frame.waitForSelector('[data-start="EXAM"]');
  await screenshots(page, 'learner-view', frame);

  const failed = await answerItems(frame, 2);
  assert.match(failed, /40\.00 %/, 'the failed attempt shows its result at once');
  const next = await frame.textContent('[data-assessment="EXAM"] .next-words');
  assert.match(next, /releases feedback on attempt 1/, 'what is left, in plain words');
  await assertSameRecord(frame, token, 'Sam after the failed attempt');
  await axe(frame, 'learner view, after a failed attempt');

  const released = await api(frame, instructorToken, 'POST', `/api/learners/${SAM.sub}/feedback-releases`, { assessment: 'EXAM', feedback: 'Review the recovery position.' });
  assert.equal(released.status, 201, JSON.stringify(released.body));

  ({ frame } = await launch(SAM, 'learner/home'));
  token = await tokenOf(frame);
  const passed = await answerItems(frame, 5);
  assert.match(passed, /100\.00 %/);
  const server = await api(frame, token, 'GET', '/api/me/record');
  assert.equal(server.body.credentials.length, 1, `the server issued the credential: ${JSON.stringify(server.body.credentials)}\n${demo.log.split('\n').filter((l) => /issu|WARN|ERROR/i.test(l)).join('\n')}`);
  await frame.waitForSelector('[data-credential="first-aid"] .earned');
  const status = await frame.textContent('[data-credential="first-aid"] .credential-status');
  assert.match(status, /Earned and valid/, 'the badge, with no further action');
  await assertSameRecord(frame, token, 'Sam after passing');
  await axe(frame, 'learner view with a credential');
  await screenshots(page, 'learner-credential', frame);

  const [download] = await Promise.all([page.waitForEvent('download'), frame.click('[data-download="png"]')]);
  shared.png = join(outDir, 'badge.png');
  await download.saveAs(shared.png);
  const png = readFileSync(shared.png);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG downloads');
  const jsonUrl = await frame.getAttribute('[data-download="json"]', 'href');
  shared.json = await frame.evaluate(async (url) => (await fetch(url, { headers: { Accept: 'application/vc+ld+json' } })).text(), jsonUrl);
  assert.match(shared.json, /Workplace First Aid/);
  assertNoPageErrors('learner');
});

test('another learner asks for PLAR in the view, is granted it and holds the badge', async () => {
  let { frame } = await launch(JONAS, 'learner/home');
  await frame.fill('form[data-form="plar"] input[type="url"]', 'https://portfolio.example/jonas');
  await frame.click('form[data-form="plar"] button[type="submit"]');
  await frame.waitForFunction(() => /sent to your instructor/.test(document.querySelector('.learner-notice')?.innerText ?? ''));
  const requests = await api(frame, instructorToken, 'GET', '/api/plar-requests');
  assert.equal(requests.status, 200);
  const mine = requests.body.filter((r) => r.learner_sub === JONAS.sub);
  assert.equal(mine.length, 1, 'the request reached the instructor');
  for (const competency of ['C1', 'C2']) {
    const decided = await api(frame, instructorToken, 'POST', `/api/learners/${JONAS.sub}/plar-decisions`, {
      decision: 'granted', credential: 'first-aid', method: 'portfolio', competency, request: mine[0].id,
    });
    assert.equal(decided.status, 201, JSON.stringify(decided.body));
  }
  ({ frame } = await launch(JONAS, 'learner/home'));
  const status = await frame.textContent('[data-credential="first-aid"] .credential-status');
  assert.match(status, /Earned and valid/);
  await assertSameRecord(frame, await tokenOf(frame), 'Jonas');
  assertNoPageErrors('PLAR learner');
});

test('a French launch shows the learner view in French', async () => {
  const { frame } = await launch(LEA, 'learner/home');
  const shown = await frame.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.querySelector('#view h1')?.textContent,
    role: document.getElementById('launch-role')?.textContent,
    enrol: document.querySelector('[data-enrol]')?.textContent,
  }));
  assert.deepEqual(shown, { lang: 'fr', title: 'Ma progression', role: 'apprenant', enrol: 'M’inscrire' });
  await assertSameRecord(frame, await tokenOf(frame), 'Léa');
  await axe(frame, 'learner view in French');
  await screenshots(page, 'learner-view-fr', frame);
  assertNoPageErrors('French learner');
});

test('a link placed by Deep Linking opens its assessment for the learner and the instructor', async () => {
  await page.goto(`${demo.courseUrl}?flavour=moodle`);
  await page.getByRole('button', { name: `Place an assessment (Deep Linking) as ${PRIYA.name} (${PRIYA.role})`, exact: true }).click();
  const picker = await (await page.waitForSelector('iframe[name="cairn"]')).contentFrame();
  await picker.waitForSelector('#dl-form');
  await axe(picker, 'Deep Linking picker');
  await picker.check(`input[name="item"][value*='"EXAM"']`);
  const [returned] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${demo.courseUrl}deep_links` && r.request().method() === 'POST'),
    picker.click('#dl-place'),
  ]);
  assert.equal(returned.status(), 200, 'the platform accepts the signed Deep Linking answer');

  const placedButton = (person) => ({ name: new RegExp(`^Open “.+” as ${person.name} \\(${person.role}\\)$`) });
  const { frame } = await launch(SAM, 'learner/home', placedButton(SAM));
  const placement = await frame.evaluate(() => JSON.parse(document.getElementById('cairn-launch').textContent).placement);
  assert.equal(placement?.assessment_id, 'EXAM', 'the launch names the placed exam');
  const row = '[data-credential="first-aid"] [data-assessment="EXAM"]';
  await frame.waitForSelector(`${row}[data-placed="true"]`);
  assert.equal(await frame.evaluate(() => document.activeElement?.dataset.assessment), 'EXAM', 'the exam\'s row has the focus');
  assert.match(await frame.textContent('[data-placement="assessment"]'), /Opened from your course link/);
  await axe(frame, 'learner view opened by a placed link');
  await screenshots(page, 'learner-placed', frame);

  const { frame: teacher } = await launch(PRIYA, 'instructor/grading', placedButton(PRIYA));
  await teacher.waitForSelector('[data-placed-assessment="EXAM"]');
  assert.match(await teacher.textContent('[data-placed-assessment="EXAM"]'), /the assessment this course link opens/);
  await axe(teacher, 'grading queue opened by a placed link');
  await teacher.click('[data-show-all]');
  await teacher.waitForFunction(() => !document.querySelector('[data-placed-assessment]'));

  // The learner's kept score reached the demo gradebook on the exam's line item.
  let book;
  const until = Date.now() + WAIT_MS;
  do {
    book = await (await fetch(`${demo.courseUrl}gradebook.json`)).json();
    if (book.scores.some((s) => s.user_id === SAM.sub)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < until);
  const sam = book.scores.find((s) => s.user_id === SAM.sub);
  assert.ok(sam, `a score for Sam in the gradebook: ${JSON.stringify(book)}`);
  const item = book.line_items.find((i) => i.number === sam.line_item);
  assert.equal(item.item.resourceId, 'EXAM');
  const last = sam.scores.at(-1);
  assert.deepEqual([last.scoreGiven, last.scoreMaximum, last.gradingProgress], [10, 10, 'FullyGraded']);
  assertNoPageErrors('placed links');
});

test('the verify page accepts the downloaded badge and refuses a tampered copy with the reason', async () => {
  const tab = await context.newPage();
  tab.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    await tab.goto(`${demo.toolOrigin}/verify/`);
    await tab.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    await axe(tab.mainFrame(), 'verify page');
    await tab.setInputFiles('#verify-file', shared.png);
    await tab.waitForSelector('[data-verified]');
    assert.equal(await tab.getAttribute('[data-verified]', 'data-verified'), 'true', await tab.innerText('#verify-result'));
    await screenshots(tab, 'verify-accepted');

    const tampered = JSON.parse(shared.json);
    tampered.credentialSubject.achievement.name = 'Advanced Surgery';
    const tamperedPath = join(outDir, 'tampered.json');
    writeFileSync(tamperedPath, JSON.stringify(tampered));
    await tab.setInputFiles('#verify-file', tamperedPath);
    await tab.waitForFunction(() => document.querySelector('[data-verified]')?.dataset.verified === 'false');
    const reasons = await tab.$$eval('.verify-reasons li', (items) => items.map((i) => i.textContent));
    assert.ok(reasons.length > 0, 'the refusal says why');
    const signature = await tab.getAttribute('[data-check="V9"]', 'class');
    assert.match(signature, /check-failed/, 'the signature check fails');
    await axe(tab.mainFrame(), 'verify page with a refusal');
    await screenshots(tab, 'verify-refused');

    // The downloaded PNG itself, its baked credential edited and the chunk's CRC made right
    // again (a forger's copy, not a corrupt file): refused by the signature check, not the PNG.
    const tamperedPng = join(outDir, 'tampered.png');
    writeFileSync(tamperedPng, rebakePng(readFileSync(shared.png), (text) => text.replace('Workplace First Aid', 'Advanced Surgery')));
    await tab.setInputFiles('#verify-file', tamperedPng);
    await tab.waitForFunction(() => document.querySelector('[data-verified]')?.dataset.verified === 'false');
    assert.match(await tab.getAttribute('[data-check="V9"]', 'class'), /check-failed/, 'the tampered PNG fails the signature check');
    assert.ok((await tab.$$eval('.verify-reasons li', (items) => items.length)) > 0, 'the refusal of the PNG says why');

    await tab.goto(`${demo.toolOrigin}/verify/?lang=fr`);
    await tab.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    assert.equal(await tab.textContent('#view h1'), 'Vérifier un titre');
    assertNoPageErrors('verify page');
  } finally {
    await tab.close();
  }
});

test('benchmarks: learner view time to interactive and the gzip size of each wasm module', async () => {
  assert.equal(typeof shared.tti, 'number', 'the learner view marked its time to interactive');
  // The story's first launch is one sample with a cold browser cache; five more launches of
  // the same learner give the usual case (the module compiled and cached), as their median.
  const warm = [];
  for (let i = 0; i < 5; i++) {
    const { tti } = await launch(SAM, 'learner/home');
    assert.equal(typeof tti, 'number', 'the learner view marked its time to interactive');
    warm.push(tti);
  }
  warm.sort((a, b) => a - b);
  assertNoPageErrors('learner view, launched again');
  console.log(`bench: learner view time to interactive in the iframe: ${shared.tti.toFixed(1)} ms on the first launch, ${warm[2].toFixed(1)} ms median of 5 more (${warm[0].toFixed(1)}–${warm[4].toFixed(1)}) (goal 300 ms; from the launch page's navigation start)`);
  for (const [module, goal] of [['learner/cairn_wasm_bg.wasm', 150 * 1000], ['views/cairn_wasm_bg.wasm', null], ['cairn_wasm_bg.wasm', null], ['lti-storage/cairn_lti_storage_bg.wasm', null]]) {
    const bytes = readFileSync(join(ROOT, 'www', 'pkg', module));
    const gzip = gzipSync(bytes, { level: 9 }).length;
    console.log(`bench: www/pkg/${module}: ${bytes.length} bytes, ${gzip} bytes gzip (${(gzip / 1024).toFixed(1)} KiB)${goal ? `, goal ≤ ${goal} bytes gzip (${goal / 1000} KB)` : ''}`);
  }
});

/**
 * A copy of a baked PNG whose `openbadgecredential` iTXt text went through `edit`, with the
 * chunk's length and CRC-32 rewritten so the file is a well-formed PNG.
 */
function rebakePng(png, edit) {
  const chunks = [png.subarray(0, 8)];
  let edited = false;
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    const end = at + 12 + length;
    const keyword = 'openbadgecredential\0';
    if (type === 'iTXt' && data.toString('latin1', 0, keyword.length) === keyword) {
      // keyword NUL, compression flag 0, method 0, empty language NUL, empty translated NUL.
      const header = data.subarray(0, keyword.length + 4);
      const text = data.subarray(keyword.length + 4).toString('utf8');
      const changed = edit(text);
      assert.notEqual(changed, text, 'the edit changes the baked credential');
      const body = Buffer.concat([Buffer.from('iTXt', 'latin1'), header, Buffer.from(changed, 'utf8')]);
      const frame = Buffer.alloc(4);
      frame.writeUInt32BE(body.length - 4);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      chunks.push(frame, body, crc);
      edited = true;
    } else {
      chunks.push(png.subarray(at, end));
    }
    at = end;
  }
  assert.ok(edited, 'the PNG carries a baked credential');
  return Buffer.concat(chunks);
}

