// One load of the course per API client, shared by the roster grid and the what-if panel
// (both need every learner's log); `forget` drops it after a write so the next view reloads.

import { loadCourse } from './course_data.mjs';

const loads = new WeakMap();

/** The course (`loadCourse`), loaded once per `api` until `forget(api)`. */
export function course(api, progress) {
  if (!loads.has(api)) {
    const load = loadCourse(api, progress);
    load.catch(() => loads.delete(api));
    loads.set(api, load);
  }
  return loads.get(api);
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
