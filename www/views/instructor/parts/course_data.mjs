// Loads what the instructor views show from the JSON API: the course's definitions, the
// roster (every page of `GET /api/learners`) and each learner's event log, with progress
// reported as it goes. Reads only; the core folds what is loaded.

/** Learners per roster page asked for (the API's largest). */
const PAGE_SIZE = 200;
/** Histories fetched at once: enough to hide latency, few enough to stay polite. */
const PARALLEL = 4;

/** Every definition version of the context (`GET /api/definitions`). */
export function loadDefinitionRows(api) {
  return api.get('/api/definitions');
}

/**
 * The latest versions: per definition id, the most recently published version (the columns
 * of `records::course_entry` on the server; the roster comparison in the grid shows it if
 * the two ever drift). Learners pinned to an earlier version are folded on it
 * (`catalogDefinitions`).
 */
export function courseDefinitions(rows) {
  // The last of each id in the catalog's order: the order decides "latest" in one place.
  const latest = new Map();
  for (const body of catalogDefinitions(rows)) latest.set(body.id, body);
  return [...latest.values()];
}

/**
 * Every published version, as the server's records engine folds with them (REQ-LIFE-02):
 * per definition id oldest first (by `published_at`, then `version`), ids in order, so the
 * last of each id is `courseDefinitions`' and the wasm `Roster` folds each learner on the
 * versions their enrolment pinned.
 */
export function catalogDefinitions(rows) {
  const key = (row) => [row.definition_id, row.published_at, row.version];
  const before = (a, b) => {
    for (let i = 0; i < 3; i += 1) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
  };
  return rows
    .filter((row) => row.status === 'published')
    .sort((a, b) => before(key(a), key(b)))
    .map((row) => row.body);
}

/** Every roster entry (`{learner, event_count, summary}`), following `next` to the end. */
export async function loadRoster(api, progress = () => {}) {
  const entries = [];
  let after = null;
  do {
    const query = new URLSearchParams({ page_size: String(PAGE_SIZE) });
    if (after) query.set('after', after);
    const page = await api.get(`/api/learners?${query}`);
    entries.push(...page.learners);
    after = page.next;
    progress(entries.length, null);
  } while (after);
  return entries;
}

/**
 * Each learner's log as the wasm `Roster` reads it (`[{learner, events}]`, roster order),
 * from `GET /api/learners/{sub}/history`; `progress(done, total)` after each.
 */
export async function loadLogs(api, learners, progress = () => {}) {
  const logs = new Array(learners.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < learners.length) {
      const i = next++;
      const sub = learners[i];
      const history = await api.get(`/api/learners/${encodeURIComponent(sub)}/history`);
      logs[i] = { learner: sub, events: history.map((entry) => entry.event) };
      done += 1;
      progress(done, learners.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, learners.length) }, worker));
  return logs;
}

/**
 * The course as the instructor views need it: `{definitions, catalog, roster, logs}` (the
 * latest published versions, every published version for the wasm `Roster`, the server's
 * roster entries, and every learner's log).
 */
export async function loadCourse(api, progress = () => {}) {
  const [rows, roster] = await Promise.all([loadDefinitionRows(api), loadRoster(api, progress)]);
  const logs = await loadLogs(api, roster.map((e) => e.learner), progress);
  return {
    definitionRows: rows, definitions: courseDefinitions(rows), catalog: catalogDefinitions(rows), roster, logs,
  };
}

/** The wasm `Roster` of a loaded course: every published version and every learner's log. */
export function courseRoster(core, data) {
  return new core.Roster(JSON.stringify(data.catalog), logBytes(data.logs));
}

/** The learners' logs as the UTF-8 JSON bytes the wasm `Roster` constructor takes. */
export function logBytes(logs) {
  return new TextEncoder().encode(JSON.stringify(logs));
}

/** Now as the core's instant (`YYYY-MM-DDTHH:MM:SSZ`, whole seconds). */
export function nowInstant(date = new Date()) {
  return `${date.toISOString().slice(0, 19)}Z`;
}
