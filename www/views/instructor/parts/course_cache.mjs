// One load of the course per API client, shared by the instructor views for a short while
// (each needs every learner's log); `forget` drops it after a write so the next view reloads,
// and a load older than `FRESH_MS` is read again (learners may have submitted since).

import { loadCourse } from './course_data.mjs';

/** How long a loaded course is reused across views. */
const FRESH_MS = 30_000;

const loads = new WeakMap();

/** The course (`loadCourse`), loaded once per `api` until `forget(api)` or it is stale. */
export function course(api, progress) {
  const kept = loads.get(api);
  if (!kept || performance.now() - kept.at > FRESH_MS) {
    const load = loadCourse(api, progress);
    load.catch(() => loads.delete(api));
    loads.set(api, { load, at: performance.now() });
  }
  return loads.get(api).load;
}

/** Forgets the loaded course (after a write changed it). */
export function forget(api) {
  loads.delete(api);
}

/**
 * Reads one learner's log again after a write on them, and updates the loaded course in
 * place (the other learners' logs did not change).
 */
export async function refreshLearner(api, data, sub) {
  const history = await api.get(`/api/learners/${encodeURIComponent(sub)}/history`);
  const log = data.logs.find((l) => l.learner === sub);
  if (log) log.events = history.map((entry) => entry.event);
  return history;
}

/** The course for a view, its loading progress shown on the view's `status` line. */
export function courseShowing(ctx, status) {
  const { t } = ctx;
  return course(ctx.api, (done, total) => status.busy(
    total ? t('instructor.roster_loading_logs', { done, total }) : t('instructor.roster_loading_roster', { done }), done, total));
}
