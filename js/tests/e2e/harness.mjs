// What the browser e2e tests share (not a test file): the Chromium flags and profile that
// block third-party cookies, the environment `cargo xtask e2e` passes, and starting and
// stopping a real `cairn-lti demo` on free ports with its own store.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Every wait in the e2e tests is bounded by this. */
export const WAIT_MS = 15_000;

/** Launch flags known to work here (../shared/design/toolchain.md "browser e2e"). Without the
 * background-networking ones Chromium floods the closed network with failing connections. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The profile: "Block third-party cookies" (chrome://settings/cookies; cookie_controls_mode 1),
 * and "not allowed to use cookies" for each origin of `noCookies` (a site exception; 2 is
 * Chromium's BLOCK). Measured with Chromium 156: without this profile setting third-party
 * cookies are sent, and the switch --test-third-party-cookie-phaseout changes nothing. */
export function preferences(noCookies) {
  const exceptions = Object.fromEntries(noCookies.map((origin) => [`${origin},*`, { setting: 2 }]));
  return {
    profile: {
      cookie_controls_mode: 1,
      content_settings: { exceptions: { cookies: exceptions } },
    },
  };
}

/** An environment variable `cargo xtask e2e` sets. */
export function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this test with \`cargo xtask e2e\`, which installs and passes it`);
  }
  return value;
}

/** Resolves with what `pattern` matched in `stream`, or rejects after `ms`. */
export function waitForLine(stream, pattern, ms, what) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`no ${what} within ${ms} ms; output so far:\n${seen}`));
    }, ms);
    function onData(chunk) {
      seen += chunk;
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(match);
      }
    }
    stream.setEncoding('utf8');
    stream.on('data', onData);
  });
}

/** Starts `cairn-lti demo` on free ports with its own store under `workDir`; resolves once it
 * printed its URL and admin token, with `{name, log, process, courseUrl, adminToken,
 * toolOrigin}`. */
export async function startDemo(name, workDir) {
  const demo = { name, log: '' };
  demo.process = spawn(
    required('CAIRN_LTI_BIN'),
    [
      'demo',
      '--tool-port', '0',
      '--platform-port', '0',
      '--www', join(ROOT, 'www'),
      '--database-url', join(workDir, `${name}.sqlite3`),
    ],
    { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  demo.process.stderr.setEncoding('utf8');
  demo.process.stderr.on('data', (chunk) => {
    demo.log += chunk;
  });
  const exited = new Promise((_, reject) => {
    demo.process.once('exit', (code) => reject(new Error(`cairn-lti demo exited (${code}):\n${demo.log}`)));
  });
  exited.catch(() => {});
  try {
    const [, url, adminToken] = await Promise.race([
      waitForLine(demo.process.stdout, /Demo course: (\S+)\s+.*\n\s*Admin token: (\S+)/,
        WAIT_MS, 'course URL and admin token from `cairn-lti demo`'),
      exited,
    ]);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    demo.courseUrl = url;
    demo.adminToken = adminToken;
    const course = await fetch(url, { signal: AbortSignal.timeout(WAIT_MS) });
    demo.toolOrigin = (await course.text()).match(/data-tool-origin="([^"]+)"/)?.[1];
    assert.match(demo.toolOrigin ?? '', /^http:\/\/localhost:\d+$/, 'the tool is on another site than the platform');
  } catch (error) {
    // A demo that did not come up is not left running.
    await stopDemo(demo);
    throw error;
  }
  return demo;
}

/** Stops a demo (SIGINT, then SIGKILL after WAIT_MS). */
export async function stopDemo(demo) {
  if (demo.process.exitCode !== null || demo.process.signalCode !== null) return;
  const stopped = new Promise((resolve) => demo.process.once('exit', resolve));
  demo.process.kill('SIGINT');
  const timer = setTimeout(() => demo.process.kill('SIGKILL'), WAIT_MS);
  await stopped;
  clearTimeout(timer);
}

/** Opens Debian's Chromium (Playwright) with the third-party-cookie-blocking profile under
 * `workDir`; resolves with `{context, page}`; uncaught page errors go to `errors`. */
export async function openBrowser(workDir, errors) {
  const profile = join(workDir, 'profile');
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify(preferences([])));
  const { chromium } = await import(pathToFileURL(join(required('CAIRN_PLAYWRIGHT_CORE'), 'index.mjs')).href);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: required('CAIRN_CHROMIUM'),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 1000 },
    acceptDownloads: true,
    timeout: WAIT_MS,
  });
  context.setDefaultTimeout(WAIT_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page };
}

/** Calls the API from inside `frame` (the tool's origin) with `token`: `{status, body}`. */
export function apiFrom(frame, token, method, path, body) {
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

/** axe-core (`source`) in `frame`: asserts no serious or critical WCAG 2.x A/AA violation. */
export async function axeCheck(frame, source, what) {
  await frame.evaluate(source);
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

/** Full-page screenshots of `target` at 1280 and 360 px wide into `outDir`. */
export async function screenshotsAt(target, outDir, name) {
  for (const width of [1280, 360]) {
    await target.setViewportSize({ width, height: 900 });
    await target.screenshot({ path: join(outDir, `${name}-${width}.png`), fullPage: true });
  }
  await target.setViewportSize({ width: 1280, height: 1000 });
}

/** Launches `person` (`{name, role}`) from `demo`'s course page (Moodle flavour) into the tool
 * frame and resolves with the frame once it shows `view` (`area/name`) rendered. */
export async function launchAs(page, demo, person, view) {
  await page.goto(`${demo.courseUrl}?flavour=moodle`);
  await page.getByRole('button', { name: `Launch as ${person.name} (${person.role})`, exact: true }).click();
  const frame = await (await page.waitForSelector('iframe[name="cairn"]')).contentFrame();
  await viewReady(frame, demo, view);
  return frame;
}

/** Waits until `frame` shows `view` rendered; fails with what it shows instead. */
export async function viewReady(frame, demo, view) {
  try {
    await frame.waitForFunction((v) => document.documentElement.dataset.view === v && document.documentElement.dataset.ready === 'true', view);
  } catch (error) {
    const shown = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '(no document)');
    throw new Error(`the frame never showed ${view}; it shows:\n${shown}\n${demo.log}`, { cause: error });
  }
}
