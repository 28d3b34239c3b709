// The admin view in real Chromium through the demo platform, the tool in a cross-site iframe
// (issue 12 acceptance, the admin part): the demo's LMS admin (Ines Duarte) launches in both
// flavours (a Canvas account admin opens the admin view; a Moodle site admin, who is also the
// course's Instructor, opens the instructor view and can go to the admin view), connects with
// the run's admin token shown on the course page, sees the demo's registrations and
// deployments as the admin API lists them, reads the install values as the config pages give
// them, renames the Canvas registration's issuer profile and reads the name back through the
// API. A wrong token is refused in words. The Moodle admin's launch is French, and so is the
// view. axe-core on the view in both languages, screenshots at 1280 and 360 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  apiFrom, axeCheck, openBrowser, required, screenshotsAt, startDemo, stopDemo, viewReady,
} from './harness.mjs';

/** The demo's LMS admin (lti/src/demo/people.rs). */
const INES = { name: 'Ines Duarte', role: 'admin' };
/** The demo platform's two registrations (lti/src/demo/people.rs `Flavour`). */
const CANVAS = { issuer: 'https://canvas.cairn-demo.invalid', client_id: '10000000000001', deployment: '1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb' };
const MOODLE = { issuer: 'https://moodle.cairn-demo.invalid', client_id: 'Zq7cAiRnDeMo41m', deployment: '1' };

let workDir;
let outDir;
let demo;
let context;
let page;
let axeSource;
let adminToken;
const pageErrors = [];

before(async () => {
  axeSource = readFileSync(required('CAIRN_AXE_CORE'), 'utf8');
  outDir = required('CAIRN_E2E_OUT');
  mkdirSync(outDir, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'cairn-e2e-admin-'));
  demo = await startDemo('admin', workDir);
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

/** Launches Ines from the course page in `flavour`; resolves with the frame showing `view`. */
async function launchAdmin(flavour, view) {
  await page.goto(`${demo.courseUrl}?flavour=${flavour}`);
  await page.getByRole('button', { name: `Launch as ${INES.name} (${INES.role})`, exact: true }).click();
  const frame = await (await page.waitForSelector('iframe[name="cairn"]')).contentFrame();
  await viewReady(frame, demo, view);
  return frame;
}

/** The launch the tool injected into the frame's page. */
function launchOf(frame) {
  return frame.evaluate(() => JSON.parse(document.getElementById('cairn-launch').textContent));
}

/** Waits for the admin view's status line to say `pattern` (or fails with what it says). */
async function statusSays(frame, pattern) {
  try {
    await frame.waitForFunction((source) => [...document.querySelectorAll('#view .status')]
      .some((s) => new RegExp(source).test(s.textContent)), pattern.source);
  } catch (error) {
    const said = await frame.$$eval('#view .status', (all) => all.map((s) => s.textContent));
    throw new Error(`the status never matched ${pattern}: ${JSON.stringify(said)}`, { cause: error });
  }
}

/** Types `token` into the view's token field and connects. */
async function connect(frame, token) {
  await frame.getByLabel('Admin token').fill(token);
  await frame.getByRole('button', { name: 'Connect', exact: true }).click();
}

/** The registration card of `reg` in the view. */
function card(frame, reg) {
  return frame.locator('article.card').filter({
    has: frame.getByRole('heading', { name: `${reg.issuer} · client ${reg.client_id}`, exact: true }),
  });
}

test('the course page shows the run\'s admin token beside the admin\'s launch, as the demo printed it', async () => {
  await page.goto(`${demo.courseUrl}?flavour=moodle`);
  const item = page.locator('li').filter({
    has: page.getByRole('button', { name: `Launch as ${INES.name} (${INES.role})`, exact: true }),
  });
  adminToken = (await item.locator('#admin-token').textContent()).trim();
  assert.match(adminToken, /^[0-9a-f]{64}$/, 'a random 32-byte token in hex');
  assert.equal(adminToken, demo.adminToken, 'the same token `cairn-lti demo` printed');
});

test('a Canvas account admin opens the admin view; a Moodle site admin is also the course\'s instructor', async () => {
  const canvas = await launchAdmin('canvas', 'admin/home');
  assert.deepEqual((await launchOf(canvas)).roles, ['admin']);
  assertNoPageErrors('Canvas admin launch');

  const moodle = await launchAdmin('moodle', 'instructor/home');
  assert.deepEqual([...(await launchOf(moodle)).roles].sort(), ['admin', 'instructor']);
  await moodle.evaluate(() => { window.location.hash = '#/admin/home'; });
  await viewReady(moodle, demo, 'admin/home');
  assertNoPageErrors('Moodle admin launch');
});

test('the Moodle admin\'s launch is French: the admin view connects in French', async () => {
  const frame = await launchAdmin('moodle', 'instructor/home');
  assert.equal((await launchOf(frame)).locale, 'fr-CA');
  await frame.evaluate(() => { window.location.hash = '#/admin/home'; });
  await viewReady(frame, demo, 'admin/home');
  await frame.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  await frame.getByLabel('Jeton d’administration').fill(adminToken);
  await frame.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await statusSays(frame, /^Connecté\.$/);
  await frame.getByRole('heading', { name: '2 inscriptions', exact: true }).waitFor();
  await frame.getByRole('heading', { name: 'Installer Cairn dans une plateforme' }).waitFor();
  await axeCheck(frame, axeSource, 'admin view (fr)');
  await screenshotsAt(page, outDir, 'admin-home-fr');
  assertNoPageErrors('French admin view');
});

test('a wrong admin token is refused in words and shows no registration', async () => {
  const frame = await launchAdmin('canvas', 'admin/home');
  await connect(frame, 'not-the-token-of-this-run');
  await statusSays(frame, /\(unauthorized\)/);
  assert.equal(await frame.locator('article.card').count(), 0, 'nothing listed without the right token');
  assertNoPageErrors('wrong token');
});

test('the admin connects, sees the registrations and deployments and the install values', async () => {
  const frame = await launchAdmin('canvas', 'admin/home');
  await connect(frame, adminToken);
  await statusSays(frame, /^Connected\.$/);

  const listed = await apiFrom(frame, adminToken, 'GET', '/api/admin/registrations');
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  assert.deepEqual(listed.body.map((r) => r.issuer).sort(), [CANVAS.issuer, MOODLE.issuer]);
  await frame.getByRole('heading', { name: `${listed.body.length} registrations`, exact: true }).waitFor();
  for (const reg of [CANVAS, MOODLE]) {
    const shown = card(frame, reg);
    assert.equal(await shown.count(), 1, `${reg.issuer}: one card`);
    const query = new URLSearchParams({ issuer: reg.issuer, client_id: reg.client_id });
    const deployments = await apiFrom(frame, adminToken, 'GET', `/api/admin/deployments?${query}`);
    assert.equal(deployments.status, 200, JSON.stringify(deployments.body));
    assert.deepEqual(deployments.body.map((d) => d.deployment_id), [reg.deployment]);
    const rows = await shown.locator('tbody th[scope="row"]').allTextContents();
    assert.deepEqual(rows, [reg.deployment], `${reg.issuer}: the page's deployments are the API's`);
  }

  // Install values: the Canvas configuration URL and Moodle's fields, as the config pages say.
  const copied = await frame.locator('.copy-value').allTextContents();
  assert.equal(copied[0], `${demo.toolOrigin}/lti/config/canvas.json`);
  const moodle = await frame.evaluate(async () => (await fetch('/lti/config/moodle?format=json')).json());
  assert.ok(moodle.fields.length > 0, 'Moodle has values to copy');
  assert.deepEqual(copied.slice(1), moodle.fields.map((f) => f.value));
  assert.ok(copied.some((v) => v === `${demo.toolOrigin}/lti/login`), 'the login URL is among them');

  await axeCheck(frame, axeSource, 'admin view');
  await screenshotsAt(page, outDir, 'admin-home');
  assertNoPageErrors('admin view');
});

test('the admin renames the issuer profile and the API stores the name', async () => {
  const frame = await launchAdmin('canvas', 'admin/home');
  await connect(frame, adminToken);
  await statusSays(frame, /^Connected\.$/);
  const profile = card(frame, CANVAS).getByRole('form', { name: 'Issuing institution' });
  const name = 'Cairn Demo College of the North';
  await profile.getByLabel('Name', { exact: true }).fill(name);
  await profile.getByLabel('Web site').fill('https://college.example/');
  await profile.getByRole('button', { name: 'Save the profile' }).click();
  await statusSays(frame, /^Issuer profile saved\.$/);

  const query = new URLSearchParams({ issuer: CANVAS.issuer, client_id: CANVAS.client_id });
  const stored = await apiFrom(frame, adminToken, 'GET', `/api/admin/issuer?${query}`);
  assert.equal(stored.status, 200, JSON.stringify(stored.body));
  assert.equal(stored.body.profile.name, name);
  // The redrawn view shows the stored name, and the other registration keeps its own.
  assert.equal(await card(frame, CANVAS).getByLabel('Name', { exact: true }).inputValue(), name);
  const other = new URLSearchParams({ issuer: MOODLE.issuer, client_id: MOODLE.client_id });
  const moodle = await apiFrom(frame, adminToken, 'GET', `/api/admin/issuer?${other}`);
  assert.notEqual(moodle.body?.profile?.name, name, 'a profile belongs to its registration only');
  assertNoPageErrors('issuer profile');
});
