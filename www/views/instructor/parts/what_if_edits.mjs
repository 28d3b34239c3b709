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
 * What a what-if changes, from two `RosterStatuses` of the same roster (the wasm
 * `Roster.statusesWith`: one status byte per learner and id, indexing `names`): per
 * competency how many learners the core calls mastered before and after; per credential how
 * many hold a valid issuance before and after; and each learner whose statuses moved,
 * `{learner, competencies: [{id, before, after}], credentials: [{id, before, after}]}` with
 * the core's status names.
 */
export function compareStatuses(before, after) {
  const n = before.learners.length;
  const side = (kind, wanted) => {
    const b = before[kind];
    const a = after[kind];
    const width = b.ids.length;
    const want = [b.names.indexOf(wanted), a.names.indexOf(wanted)];
    const totals = b.ids.map((id) => ({ id, before: 0, after: 0 }));
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < width; j += 1) {
        if (b.status[i * width + j] === want[0]) totals[j].before += 1;
        if (a.status[i * width + j] === want[1]) totals[j].after += 1;
      }
    }
    return totals;
  };
  const changes = (kind, i) => {
    const b = before[kind];
    const a = after[kind];
    const width = b.ids.length;
    const out = [];
    for (let j = 0; j < width; j += 1) {
      const x = b.names[b.status[i * width + j]];
      const y = a.names[a.status[i * width + j]];
      if (x !== y) out.push({ id: b.ids[j], before: x, after: y });
    }
    return out;
  };
  const moved = [];
  for (let i = 0; i < n; i += 1) {
    const comp = changes('competencies', i);
    const cred = changes('credentials', i);
    if (comp.length || cred.length) moved.push({ learner: before.learners[i], competencies: comp, credentials: cred });
  }
  return { learners: n, competencies: side('competencies', 'mastered'), credentials: side('credentials', 'valid'), moved };
}
