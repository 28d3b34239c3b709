// "What if" changes as plain data edits: a changed threshold edits a copy of the definitions,
// an added attempt appends events. The core then folds the edited inputs; nothing here decides
// whether an attempt is allowed or what a threshold means.

/** A decimal as the core reads it: digits with an optional fractional part. */
export const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

/**
 * The definitions with every threshold change applied. A change is
 * `{ kind: 'threshold', target: { type: 'competency' | 'assessment', id }, value }`.
 */
export function applyThresholds(definitions, changes) {
  const copy = structuredClone(definitions);
  for (const change of changes) {
    if (change.kind !== 'threshold') continue;
    for (const definition of copy) {
      if (change.target.type === 'competency') {
        for (const c of definition.competencies ?? []) {
          if (c.id === change.target.id) c.threshold_percent = change.value;
        }
      } else {
        for (const a of definition.assessments ?? []) {
          if (a.id === change.target.id) a.pass_percent = change.value;
        }
      }
    }
  }
  return copy;
}

/**
 * The events with every attempt change appended. A change is
 * `{ kind: 'attempt', assessment, score?, partScores?, at, feedback }`; with `feedback`, a
 * `feedback_released` on the same assessment at the same instant goes just before it.
 * Returns `{ events, added }`, `added` being the indexes of the appended events.
 */
export function applyAttempts(events, changes) {
  const out = [...events];
  const added = new Set();
  for (const change of changes) {
    if (change.kind !== 'attempt') continue;
    if (change.feedback) {
      added.add(out.length);
      out.push({ at: change.at, type: 'feedback_released', assessment: change.assessment });
    }
    const attempt = { at: change.at, type: 'attempt_submitted', assessment: change.assessment };
    if (change.partScores) attempt.part_scores = { ...change.partScores };
    else attempt.score = change.score;
    added.add(out.length);
    out.push(attempt);
  }
  return { events: out, added };
}

/** The latest instant among the events (instants in one format compare as text). */
export function lastInstant(events) {
  return events.reduce((latest, e) => (e.at > latest ? e.at : latest), '1970-01-01T00:00:00Z');
}

/** `instant` plus whole days, as `YYYY-MM-DDTHH:MM:SS` for a datetime-local field. */
export function plusDaysLocal(instant, days) {
  const t = new Date(instant);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 19);
}

/** A datetime-local value (`2026-02-16T16:00` or with seconds) as the core's UTC instant. */
export function toInstant(local) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?(\.\d+)?$/.exec(local ?? '');
  return m ? `${m[1]}${m[2] ?? ':00'}Z` : null;
}
