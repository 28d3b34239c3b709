// The demo launched in real Chromium (issue 9 acceptance): starts the real `cairn-lti demo`
// (tool on http://localhost:P, demo platform on http://127.0.0.1:P2, two sites), opens the
// course page in Debian's chromium with THIRD-PARTY COOKIES BLOCKED, proves they are blocked,
// and launches as the instructor and a learner in the Canvas and Moodle flavours into the
// cross-site <iframe name="cairn">. Two demos run side by side: on the first, the browser
// blocks third-party cookies (partitioned ones still work: Moodle binds with its state cookie);
// on the second it blocks every cookie of the tool (a site exception, as Safari does to
// cross-site frames), so the Canvas flavour has only LTI platform storage to bind the launch
// and the Moodle flavour gets the "new window" relaunch page. Run by `cargo xtask e2e` (and
// the CI step "browser e2e"), which sets CAIRN_LTI_BIN, CAIRN_CHROMIUM, CAIRN_PLAYWRIGHT_CORE
// and CAIRN_E2E_OUT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  CHROMIUM_FLAGS, WAIT_MS, preferences, required, startDemo as start, stopDemo,
} from './harness.mjs';

const PEOPLE = [
  { name: 'Priya Natarajan', role: 'instructor' },
  { name: 'Sam Okafor', role: 'learner' },
];

let workDir;
let outDir;
let context;
let page;
/** The demo whose tool only loses third-party cookies. */
let open;
/** The demo whose tool may set no cookie at all. */
let cookieless;
const demos = [];
/** Uncaught errors of the page's frames since the last check. */
const pageErrors = [];

function assertNoPageErrors(what) {
  const errors = pageErrors.splice(0);
  assert.deepEqual(errors, [], `${what}: no uncaught error in the page or its frames`);
}

/** Starts a demo (see harness.mjs) and keeps it for `after` and the failure logs. */
async function startDemo(name) {
  const demo = await start(name, workDir);
  demos.push(demo);
  return demo;
}

before(async () => {
  const executablePath = required('CAIRN_CHROMIUM');
  const playwrightDir = required('CAIRN_PLAYWRIGHT_CORE');
  outDir = required('CAIRN_E2E_OUT');
  mkdirSync(outDir, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'cairn-e2e-'));
  [open, cookieless] = await Promise.all([startDemo('open'), startDemo('cookieless')]);

  const profile = join(workDir, 'profile');
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify(preferences([cookieless.toolOrigin])));
  const { chromium } = await import(pathToFileURL(join(playwrightDir, 'index.mjs')).href);
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 1000 },
    timeout: WAIT_MS,
  });
  context.setDefaultTimeout(WAIT_MS);
  page = context.pages()[0] ?? (await context.newPage());
  // An uncaught error in any frame fails the test that caused it (see assertNoPageErrors).
  page.on('pageerror', (error) => pageErrors.push(`${error.message}`));
});

after(async () => {
  await context?.close().catch(() => {});
  await Promise.all(demos.map(stopDemo));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Every demo's server log, for failure messages. */
function serverLogs() {
  return demos.map((d) => `--- ${d.name} demo ---\n${d.log}`).join('\n');
}

/** The tool's frame, once `ready` holds in it (a previous launch's page does not count). */
async function toolFrame(ready, arg, what) {
  const element = await page.waitForSelector('iframe[name="cairn"]');
  const frame = await element.contentFrame();
  assert.ok(frame, 'the tool frame has a document');
  try {
    await frame.waitForFunction(ready, arg, { timeout: WAIT_MS });
  } catch (error) {
    const shown = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '(no document)');
    throw new Error(`the frame never showed ${what}; it shows:\n${shown}\n\n${serverLogs()}`, { cause: error });
  }
  return frame;
}

/** The tool's frame, once its page shows `person` signed in. */
function launchedFrame(person) {
  return toolFrame(
    ({ name, role }) =>
      document.querySelector('#launch-name')?.textContent === name &&
      document.querySelector('#launch-role')?.textContent === role,
    person,
    `${person.name} as ${person.role}`,
  );
}

/** Calls /api/session from inside the frame, with and without the page's bearer token. */
function sessionFromFrame(frame) {
  return frame.evaluate(async () => {
    const launch = JSON.parse(document.getElementById('cairn-launch').textContent);
    const withToken = await fetch('/api/session', { headers: { Authorization: `Bearer ${launch.token}` } });
    const without = await fetch('/api/session');
    return {
      status: withToken.status,
      body: await withToken.json().catch(() => null),
      statusWithoutToken: without.status,
    };
  });
}

/** Clicks "Launch as …" for `person` on the open course page; resolves with the launch POST
 * (its state cookies) once the tool answered it. */
async function clickLaunch(demo, person) {
  const isLaunch = (url) => url === `${demo.toolOrigin}/lti/launch`;
  const [request, response] = await Promise.all([
    page.waitForRequest((r) => isLaunch(r.url()) && r.method() === 'POST'),
    page.waitForResponse((r) => isLaunch(r.url()) && r.request().method() === 'POST'),
    page.getByRole('button', { name: `Launch as ${person.name} (${person.role})`, exact: true }).click(),
  ]);
  const header = (await request.allHeaders()).cookie ?? '';
  const stateCookies = header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.startsWith('__Host-lti_state_'));
  return { status: response.status(), stateCookies };
}

/** Launches every person of PEOPLE in `flavour` on `demo` and checks the frame; `binding` is
 * how the launch must be bound to this browser: 'cookie' or 'platform storage'. */
async function launchAll(demo, flavour, binding) {
  await page.goto(`${demo.courseUrl}?flavour=${flavour}`);
  for (const person of PEOPLE) {
    const what = `${flavour} ${person.role}`;
    const launch = await clickLaunch(demo, person);
    assert.equal(launch.status, 200, `${what}: the launch answers 200`);
    const frame = await launchedFrame(person);
    assert.equal(new URL(frame.url()).origin, demo.toolOrigin, 'the frame shows the tool, cross-site');
    const pending = await frame.evaluate(
      () => JSON.parse(document.getElementById('cairn-launch').textContent).pending,
    );
    if (binding === 'platform storage') {
      assert.deepEqual(launch.stateCookies, [], `${what}: no state cookie reached the launch`);
      assert.equal(pending, true, `${what}: the session waited for platform storage`);
      // lti.get_data through post_message_forwarding, then POST /lti/launch/confirm.
      await frame.waitForFunction(() => ['confirmed', 'relaunch'].includes(document.documentElement.dataset.launch));
      const outcome = await frame.evaluate(() => document.documentElement.dataset.launch);
      assert.equal(outcome, 'confirmed', `${what}: platform storage confirmed the session`);
    } else {
      // The partitioned state cookie came back in the cross-site frame and bound the launch.
      assert.equal(launch.stateCookies.length, 1, `${what}: one state cookie in the launch`);
      assert.equal(pending, false, `${what}: bound by the cookie, nothing to confirm`);
    }
    const session = await sessionFromFrame(frame);
    assert.equal(session.status, 200, `${what}: /api/session with the page's token`);
    assert.deepEqual(session.body.roles, [person.role]);
    assert.equal(session.body.name, person.name);
    assert.equal(session.statusWithoutToken, 401, `${what}: no token, no session`);
    await page.screenshot({ path: join(outDir, `demo-${flavour}-${person.role}.png`), fullPage: true });
    assertNoPageErrors(what);
  }
}

test('third-party cookies are blocked: a cookie the tool set first-party is not sent in the frame', async () => {
  const tool = open.toolOrigin;
  // First party: the tool's own tab stores and sends an unpartitioned SameSite=None cookie.
  const tab = await context.newPage();
  try {
    await tab.goto(`${tool}/health`);
    const firstParty = await tab.evaluate(() => {
      document.cookie = 'cairn_probe=first-party; SameSite=None; Secure; Path=/';
      return document.cookie;
    });
    assert.match(firstParty, /cairn_probe=first-party/, 'control: first-party cookies work');
    const [reload] = await Promise.all([
      tab.waitForRequest((r) => r.url() === `${tool}/health`),
      tab.reload(),
    ]);
    assert.match((await reload.allHeaders()).cookie ?? '', /cairn_probe=first-party/, 'control: and are sent');
  } finally {
    await tab.close();
  }

  // Third party: the same origin inside the platform's page.
  await page.goto(`${open.courseUrl}?flavour=moodle`);
  await clickLaunch(open, PEOPLE[0]);
  const frame = await launchedFrame(PEOPLE[0]);
  const [sent, seen] = await Promise.all([
    page.waitForRequest((r) => r.url() === `${tool}/health`),
    frame.evaluate(async () => {
      await fetch('/health');
      const before = document.cookie;
      document.cookie = 'cairn_unpartitioned=x; SameSite=None; Secure; Path=/';
      document.cookie = 'cairn_partitioned=y; SameSite=None; Secure; Path=/; Partitioned';
      return { before, after: document.cookie, storageAccess: await document.hasStorageAccess() };
    }),
  ]);
  const header = (await sent.allHeaders()).cookie ?? '';
  assert.doesNotMatch(header, /cairn_probe/, 'the first-party cookie is not sent from the cross-site frame');
  assert.doesNotMatch(seen.before, /cairn_probe/, 'nor visible to the frame');
  assert.doesNotMatch(seen.after, /cairn_unpartitioned/, 'an unpartitioned cookie cannot be set in the frame');
  assert.match(seen.after, /cairn_partitioned=y/, 'a partitioned (CHIPS) cookie can');
  assert.equal(seen.storageAccess, false, 'the frame has no storage access');
});

test('Moodle flavour: instructor and learner launch with the partitioned state cookie', async () => {
  await launchAll(open, 'moodle', 'cookie');
});

test('Canvas flavour, no cookie at all for the tool: instructor and learner launch through platform storage', async () => {
  // Control: this tool really may not set even a partitioned cookie in the frame.
  await page.goto(`${cookieless.courseUrl}?flavour=canvas`);
  await launchAll(cookieless, 'canvas', 'platform storage');
  const frame = page.frame({ name: 'cairn' });
  const written = await frame.evaluate(() => {
    document.cookie = 'cairn_partitioned=y; SameSite=None; Secure; Path=/; Partitioned';
    return document.cookie;
  });
  assert.equal(written, '', 'no cookie at all in this frame');
});

test('Moodle flavour, no cookie at all for the tool: the relaunch page offers a new window', async () => {
  await page.goto(`${cookieless.courseUrl}?flavour=moodle`);
  const launch = await clickLaunch(cookieless, PEOPLE[1]);
  assert.equal(launch.status, 200);
  assert.deepEqual(launch.stateCookies, []);
  const frame = await toolFrame(() => document.querySelector('#lti-relaunch') !== null, undefined, 'the relaunch page');
  const link = await frame.evaluate(() => {
    const a = document.querySelector('#lti-relaunch');
    return { href: a.href, target: a.target };
  });
  assert.equal(link.target, '_blank');
  assert.ok(link.href.startsWith(`${cookieless.toolOrigin}/lti/login?`), link.href);
  assert.ok(!link.href.includes('lti_storage_target'), 'the relaunch drops lti_storage_target');
  await page.screenshot({ path: join(outDir, 'demo-moodle-relaunch.png'), fullPage: true });
  assertNoPageErrors('relaunch');
});
