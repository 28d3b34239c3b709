// The tool page's shell (`www/index.html`, and `www/verify/index.html` with a fixed view):
// reads the launch the server put in `#cairn-launch` (bearer token, product roles, locale),
// chooses the locale and the view (`shell/route.mjs`; a placed link's view by
// `shell/placement.mjs`), loads the strings, the wasm core and
// the API client, then mounts `views/<area>/<name>.mjs` into `#view` with a context. The
// shell owns navigation, the status line and progress; views own their content. No domain
// rule here: every number a view shows comes from the core or the server.

import { byId, fill, h } from './dom.mjs';
import { apiClient } from './shell/api.mjs';
import { loadCatalogues, translator } from './shell/i18n.mjs';
import { placedHash } from './shell/placement.mjs';
import { chooseLocale, chooseView, hashOf, permittedAreas } from './shell/route.mjs';

/** The launch the server handed this page, or null on a public page. */
function readLaunch() {
  const element = document.getElementById('cairn-launch');
  if (!element) return null;
  try {
    return JSON.parse(element.textContent);
  } catch {
    return null;
  }
}

/** Resolves once a platform-storage launch is confirmed (`<html data-launch>`), or rejects. */
function launchConfirmed(launch) {
  if (!launch?.pending) return Promise.resolve();
  const root = document.documentElement;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (root.dataset.launch === 'confirmed') return resolve(), true;
      if (root.dataset.launch === 'relaunch') return reject(new Error('relaunch')), true;
      return false;
    };
    if (check()) return;
    const observer = new MutationObserver(() => {
      if (check()) observer.disconnect();
    });
    observer.observe(root, { attributes: true, attributeFilter: ['data-launch'] });
  });
}

/**
 * Imports and initialises the wasm-bindgen module in `www/pkg/<folder>`. The `.wasm` is
 * fetched alongside its glue, not after it (time to interactive); the glue compiles the
 * response as it streams in.
 */
async function loadModule(folder) {
  const base = new URL(`./pkg/${folder}`, import.meta.url);
  const bytes = fetch(new URL('cairn_wasm_bg.wasm', base));
  bytes.catch(() => {});
  const module = await import(new URL('cairn_wasm.js', base).href);
  await module.default({ module_or_path: bytes });
  return module;
}

/**
 * The core an area's views use, each module initialised once: the instructor views' (no
 * credential verifier), or for the learner and admin areas the smallest, with only the fold
 * and the API client (`cargo xtask wasm` builds both from the same core code). The
 * instructor views' module carries all the learner's does, so once it is loaded a learner or
 * admin view uses it rather than loading a second module.
 */
const corePromises = new Map();
function loadCore(area) {
  const folder = area === 'instructor' || corePromises.has('views/') ? 'views/' : 'learner/';
  if (!corePromises.has(folder)) corePromises.set(folder, loadModule(folder));
  return corePromises.get(folder);
}

/** The core with the credential verifier (verification, baking), loaded on first use. */
let verifierPromise;
function loadVerifier() {
  verifierPromise ??= loadModule('');
  return verifierPromise;
}

const shell = {
  launch: null,
  t: null,
  api: null,
  core: null,
  /** The mounted view's `unmount`, if it returned one. */
  unmount: null,
  mounting: 0,
};

/** The status line: `text` (empty hides it), `kind` 'info' | 'busy' | 'error' | 'done'. */
function setStatus(text, kind = 'info') {
  const status = byId('status');
  status.textContent = text ?? '';
  status.hidden = !text;
  status.classList.toggle('status-error', kind === 'error');
  status.classList.toggle('status-busy', kind === 'busy');
  status.setAttribute('aria-busy', kind === 'busy' ? 'true' : 'false');
}

/**
 * Runs `work` (a promise or a function returning one) with `label` shown as progress, and
 * shows the failure in the status line (the server's code and message) before rethrowing.
 */
async function progress(label, work) {
  setStatus(label, 'busy');
  try {
    const value = await (typeof work === 'function' ? work() : work);
    setStatus('');
    return value;
  } catch (error) {
    setStatus(shell.t('shell.failed', { message: error.message, code: error.code ?? 'error' }), 'error');
    throw error;
  }
}

/** Rewrites the server's launch banner in the chosen locale (ids kept). */
function translateBanner(t, launch) {
  if (t.locale === 'en' || !launch) return;
  const line = document.querySelector('.launch-banner p');
  const name = document.getElementById('launch-name');
  const role = document.getElementById('launch-role');
  if (!line || !name || !role) return;
  role.textContent = launch.roles.length
    ? launch.roles.map((r) => t(`shell.role_${r}`)).join(t('shell.and'))
    : t('shell.role_none');
  const context = document.getElementById('launch-context');
  fill(line, t('shell.signed_in_as'), ' ', name, ' · ', role, context ? ' · ' : null, context);
}

/** The area switcher (when the roles open several areas) and the area's own views, unless a
 * later navigation (`ticket` no longer current) has taken over. */
async function renderNav(view, ticket) {
  const nav = byId('shell-nav');
  const t = shell.t;
  const areas = permittedAreas(shell.launch?.roles);
  let areaViews = [];
  if (view.area !== 'public') {
    try {
      areaViews = (await import(`./views/${view.area}/nav.mjs`)).default ?? [];
    } catch {
      areaViews = [];
    }
  }
  const links = [];
  if (areas.length > 1) {
    for (const area of areas) {
      links.push({ href: hashOf({ area, name: 'home' }), text: t(`shell.area_${area}`), current: area === view.area && view.name === 'home' });
    }
  }
  for (const item of areaViews) {
    if (item.name === 'home' && areas.length > 1) continue;
    links.push({ href: hashOf({ area: view.area, name: item.name }), text: t(item.label), current: item.name === view.name });
  }
  if (ticket !== shell.mounting) return;
  nav.hidden = links.length === 0;
  fill(nav, h('ul', {}, links.map((l) =>
    h('li', {}, h('a', { href: l.href, 'aria-current': l.current ? 'page' : undefined, text: l.text })))));
}

/** Mounts the view the location names (again on every hash change). */
async function mountCurrent() {
  const ticket = ++shell.mounting;
  const view = chooseView({
    roles: shell.launch?.roles ?? [],
    hash: window.location.hash,
    fixed: document.body.dataset.view,
  });
  const root = byId('view');
  if (typeof shell.unmount === 'function') shell.unmount();
  shell.unmount = null;
  fill(root);
  document.documentElement.dataset.view = `${view.area}/${view.name}`;
  delete document.documentElement.dataset.ready;
  // The navigation renders beside the view's loading, off the way to interactive.
  const [module, core] = await Promise.all([
    import(`./views/${view.area}/${view.name}.mjs`),
    view.area === 'public' ? shell.core : loadCore(view.area),
    renderNav(view, ticket),
  ]);
  if (ticket !== shell.mounting) return;
  const ctx = {
    api: shell.api,
    t: shell.t,
    core,
    loadVerifier,
    launch: shell.launch,
    locale: shell.t.locale,
    view,
    go: (area, name = 'home') => {
      window.location.hash = hashOf({ area, name });
    },
    status: setStatus,
    progress,
  };
  setStatus('');
  shell.unmount = (await module.mount(root, ctx)) ?? null;
  if (ticket !== shell.mounting) return;
  document.documentElement.dataset.ready = 'true';
  performance.mark('cairn-interactive');
  // Focus the view's heading after a navigation (not on the first load, which starts at the top).
  if (shell.navigated) root.querySelector('h1, h2')?.focus?.();
}

async function main() {
  shell.launch = readLaunch();
  // A launch of a placed link opens the placement's view unless the location names one.
  const placed = placedHash(shell.launch);
  if (placed && !window.location.hash.startsWith('#/')) window.history.replaceState(null, '', placed);
  const params = new URLSearchParams(window.location.search);
  const locale = chooseLocale({
    query: params.get('lang'),
    launch: shell.launch?.locale,
    browser: navigator.languages,
  });
  document.documentElement.lang = locale;
  const first = chooseView({ roles: shell.launch?.roles ?? [], hash: window.location.hash, fixed: document.body.dataset.view });
  // Start the core, the first view's module and its area's navigation while the strings load
  // (time to interactive).
  // Public pages (verify) need the verifier, which carries the whole core; views their area's
  // smaller core.
  const corePromise = first.area === 'public' ? loadVerifier() : loadCore(first.area);
  corePromise.catch(() => {});
  import(`./views/${first.area}/${first.name}.mjs`).catch(() => {});
  if (first.area !== 'public') import(`./views/${first.area}/nav.mjs`).catch(() => {});
  const areas = [...new Set([first.area, ...permittedAreas(shell.launch?.roles)])];
  const catalogues = await loadCatalogues(locale, areas);
  shell.t = translator(catalogues, locale);
  translateBanner(shell.t, shell.launch);
  byId('footer-sample').textContent = shell.t('shell.footer_sample');
  byId('footer-verify').textContent = shell.t('shell.footer_verify');
  document.querySelector('.skip-link').textContent = shell.t('shell.skip');
  setStatus(shell.t('shell.loading'), 'busy');
  try {
    await launchConfirmed(shell.launch);
  } catch {
    setStatus(shell.t('shell.relaunch'), 'error');
    return;
  }
  shell.core = await corePromise;
  byId('footer-core').textContent = shell.t('shell.footer_core', { version: shell.core.version() });
  shell.api = apiClient({ token: shell.launch?.token, transport: shell.core.ApiClient });
  window.addEventListener('hashchange', () => {
    // Only `#/area/name` is a route; `#view` (the skip link) and other anchors are not.
    if (!window.location.hash.startsWith('#/')) return;
    shell.navigated = true;
    mountCurrent().catch(showFailure);
  });
  await mountCurrent();
}

function showFailure(error) {
  const text = shell.t
    ? shell.t('shell.failed', { message: error.message, code: error.code ?? 'error' })
    : `Cairn could not start: ${error.message}`;
  setStatus(text, 'error');
  console.error(error);
}

main().catch(showFailure);
