// The what-if panel's edits as plain data edits on a copy of the course's definitions (a
// threshold, a calculation method, an attempt or PLAR policy), and the comparison of two
// roster summaries the core computed. Nothing here decides a status: the wasm `Roster` folds
// the edited definitions and this module counts what it reports.

/**
 * The definitions with one what-if applied. `change` holds any of:
 * - `threshold: {competency, value}` (`competency` empty: every competency),
 * - `method: {competency, name, params}` (`params` an object of `method_params`),
 * - `attemptPolicy: {definition, …policy keys}` (the definition-level policy),
 * - `plar: {definition, methods, challenge_counts_as_attempt, max_share_percent}` (`null`
 *   removes the PLAR policy).
 */
export function applyWhatIf(definitions, change) {
  const copy = structuredClone(definitions);
  for (const definition of copy) {
    for (const c of definition.competencies ?? []) {
      if (change.threshold && (!change.threshold.competency || change.threshold.competency === c.id)) {
        c.threshold_percent = change.threshold.value;
      }
      if (change.method && (!change.method.competency || change.method.competency === c.id)) {
        c.method = change.method.name;
        if (change.method.params && Object.keys(change.method.params).length) {
          c.method_params = { ...change.method.params };
        } else {
          delete c.method_params;
        }
      }
    }
    if (change.attemptPolicy && change.attemptPolicy.definition === definition.id) {
      const { definition: _, ...policy } = change.attemptPolicy;
      definition.attempt_policy = policy;
    }
    if (change.plar !== undefined && change.plar?.definition === definition.id) {
      const { definition: _, ...policy } = change.plar;
      definition.plar = policy.methods?.length ? policy : null;
    }
  }
  return copy;
}

/**
 * What a what-if changes, from two `RosterSummaries` of the same roster and course: per
 * competency how many learners the core calls mastered before and after; per credential how
 * many hold a valid issuance before and after; and each learner whose statuses moved,
 * `{learner, competencies: [{id, before, after}], credentials: [{id, before, after}]}`.
 */
export function compareSummaries(before, after) {
  const c = before.competencies;
  const k = before.credentials;
  const n = before.learners.length;
  const count = (column, width, j, value) => {
    let total = 0;
    for (let i = 0; i < n; i += 1) if (column[i * width + j] === value) total += 1;
    return total;
  };
  const competencies = c.ids.map((id, j) => ({
    id,
    before: count(c.status, c.ids.length, j, 'mastered'),
    after: count(after.competencies.status, c.ids.length, j, 'mastered'),
  }));
  const credentials = k.ids.map((id, j) => ({
    id,
    before: count(k.status, k.ids.length, j, 'valid'),
    after: count(after.credentials.status, k.ids.length, j, 'valid'),
  }));
  const moved = [];
  for (let i = 0; i < n; i += 1) {
    const comp = [];
    c.ids.forEach((id, j) => {
      const x = c.status[i * c.ids.length + j];
      const y = after.competencies.status[i * c.ids.length + j];
      if (x !== y) comp.push({ id, before: x, after: y });
    });
    const cred = [];
    k.ids.forEach((id, j) => {
      const x = k.status[i * k.ids.length + j];
      const y = after.credentials.status[i * k.ids.length + j];
      if (x !== y) cred.push({ id, before: x, after: y });
    });
    if (comp.length || cred.length) moved.push({ learner: before.learners[i], competencies: comp, credentials: cred });
  }
  return { learners: n, competencies, credentials, moved };
}
