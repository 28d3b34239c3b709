// The credential editor's model, DOM-free: a definition as the core reads it (the JSON of
// `../shared/fixtures/scenarios/README.md` §3 and `docs/format.md`), built from the editor's
// plain state and read back from a stored definition. Layout only: the core validates the
// result (`validateDefinitions`, `publishFindings`) and the server re-checks on save.

/** The editor's state for a new credential. */
export function blankState() {
  return {
    id: '', version: '1.0.0', name: '', description: '',
    issuer: { id: '', name: '' },
    kind: 'micro_credential', mode: 'competency_based', hours: '', bc_micro_credential: false,
    competencies: [],
    assessments: [],
    attempt_policy: {
      max_attempts: '2', scoring: 'highest', feedback_required_before_retry: true,
      min_days_between_attempts: '0', resit_cap_percent: '', retry_after_pass: false,
    },
    plar: { methods: [], challenge_counts_as_attempt: false, max_share_percent: '' },
    criteria: { type: 'all_competencies', k: '1', points: '', leaves: [], stack: [] },
    criteria_json: null,
    validity: { unit: 'none', count: '' },
    metadata: {
      achievement_type: '', criteria_narrative: '', image: null, image_caption: '', tags: '',
      human_code: '', language: '', cis: {},
    },
  };
}

/** A blank competency row. */
export function blankCompetency(index) {
  return { id: `C${index + 1}`, statement: '', threshold_percent: '70', method: 'kept_mean', param: '', alignment: null };
}

/** A blank assessment row. */
export function blankAssessment(index) {
  return {
    id: `A${index + 1}`, title: '', kind: 'summative', max_points: '100', pass_percent: '70',
    competencies: [], parts: [], levels: [],
  };
}

/** The one parameter of a calculation method (`spec/mastery.md` §3), or null. */
export const METHOD_PARAM = {
  kept_mean: null, highest: null, latest: null, first: null, average: null,
  weighted_average: 'weight_pct', decaying_average: 'rate_pct', n_mastery: 'n',
};

/** The CIS text fields (`metadata.cis`), in the order the editor shows them. */
export const CIS_FIELDS = [
  'delivery_mode', 'prerequisites', 'learning_resources', 'assessment_type', 'assessment_method',
  'supervision', 'quality_assurance', 'outcome', 'stackability', 'pathways', 'credit_recognition',
  'level', 'instructor_qualifications', 'further_information',
];
/** The four parts of learner effort (`metadata.cis.effort_hours`). */
export const EFFORT_FIELDS = ['contact', 'peer', 'asynchronous', 'assessment'];

const text = (v) => String(v ?? '').trim();
/** A JSON integer from a field, or the text itself when it is not one (the core says why). */
const integer = (v) => (/^\d+$/.test(text(v)) ? Number(text(v)) : text(v));

/** A criteria leaf as the core's rule. */
function leafRule(leaf) {
  return { [leaf.kind]: leaf.id };
}

/** The criteria rule of the builder state (or the typed JSON when the builder cannot say it). */
export function ruleOf(state) {
  if (state.criteria_json !== null) return JSON.parse(state.criteria_json);
  const c = state.criteria;
  const stack = c.stack.filter(Boolean).map((id) => ({ credential: id }));
  let rule;
  if (c.type === 'all_competencies') rule = { all_competencies: true };
  else if (c.type === 'all') rule = { all: c.leaves.map(leafRule) };
  else if (c.type === 'any') rule = { any: c.leaves.map(leafRule) };
  else if (c.type === 'at_least') rule = { at_least: integer(c.k), of: c.leaves.map(leafRule) };
  else {
    rule = {
      points: text(c.points),
      of: c.leaves.map((l) => ({ rule: leafRule(l), points: text(l.points), required: Boolean(l.required) })),
    };
  }
  return stack.length ? { all: [rule, ...stack] } : rule;
}

/** The builder state of a stored rule, or null when the builder cannot show it. */
export function builderOf(rule) {
  const leaf = (r) => {
    const kind = ['competency', 'assessment', 'submitted', 'credential'].find((k) => typeof r?.[k] === 'string');
    return kind ? { kind, id: r[kind], points: '', required: false } : null;
  };
  const top = (r) => {
    if (r?.all_competencies === true) return { type: 'all_competencies', k: '1', points: '', leaves: [] };
    for (const type of ['all', 'any']) {
      if (Array.isArray(r?.[type])) {
        const leaves = r[type].map(leaf);
        return leaves.every(Boolean) ? { type, k: '1', points: '', leaves } : null;
      }
    }
    if (Array.isArray(r?.of) && r.at_least !== undefined) {
      const leaves = r.of.map(leaf);
      return leaves.every(Boolean) ? { type: 'at_least', k: String(r.at_least), points: '', leaves } : null;
    }
    if (Array.isArray(r?.of) && r.points !== undefined) {
      const leaves = r.of.map((e) => {
        const l = leaf(e.rule);
        return l && { ...l, points: String(e.points), required: Boolean(e.required) };
      });
      return leaves.every(Boolean) ? { type: 'points', k: '1', points: String(r.points), leaves } : null;
    }
    return null;
  };
  // `{all: [rule, {credential}…]}` is a rule plus stacked credentials.
  if (Array.isArray(rule?.all) && rule.all.length > 1) {
    const [first, ...rest] = rule.all;
    if (rest.every((r) => typeof r?.credential === 'string' && Object.keys(r).length === 1)) {
      const inner = top(first);
      if (inner && !(inner.type === 'all' && inner.leaves.some((l) => l.kind === 'credential'))) {
        return { ...inner, stack: rest.map((r) => r.credential) };
      }
    }
  }
  const plain = top(rule);
  return plain && { ...plain, stack: [] };
}

/** The definition (core JSON) of the editor's state. */
export function definitionOf(state) {
  const d = {
    id: text(state.id),
    version: text(state.version),
    name: text(state.name),
    description: text(state.description),
    issuer: { id: text(state.issuer.id), name: text(state.issuer.name) },
    kind: text(state.kind) || 'micro_credential',
    mode: state.mode,
  };
  if (text(state.hours)) d.hours = text(state.hours);
  if (state.bc_micro_credential) d.bc_micro_credential = true;
  d.competencies = state.competencies.map((c) => {
    const out = { id: text(c.id), statement: text(c.statement), threshold_percent: text(c.threshold_percent) };
    if (c.method && c.method !== 'kept_mean') out.method = c.method;
    const param = METHOD_PARAM[c.method];
    if (param && text(c.param)) out.method_params = { [param]: integer(c.param) };
    if (c.alignment) out.alignment = c.alignment;
    return out;
  });
  d.assessments = state.assessments.map((a) => {
    const out = { id: text(a.id), title: text(a.title), kind: a.kind };
    if (a.parts.length) {
      out.parts = a.parts.map((p) => ({ id: text(p.id), competency: p.competency, max_points: text(p.max_points) }));
      if (a.levels.length) {
        out.rubric = {
          levels: a.levels.map((l) => ({
            name: text(l.name),
            points: Object.fromEntries(a.parts.map((p) => [text(p.id), text(l.points[p.id] ?? '')])),
          })),
        };
      }
    } else {
      out.max_points = text(a.max_points);
      out.competencies = [...a.competencies];
    }
    if (a.kind === 'summative') out.pass_percent = text(a.pass_percent);
    return out;
  });
  const p = state.attempt_policy;
  d.attempt_policy = {
    max_attempts: text(p.max_attempts) ? integer(p.max_attempts) : null,
    scoring: p.scoring,
    feedback_required_before_retry: Boolean(p.feedback_required_before_retry),
    min_days_between_attempts: integer(p.min_days_between_attempts || '0'),
    resit_cap_percent: text(p.resit_cap_percent) || null,
    retry_after_pass: Boolean(p.retry_after_pass),
  };
  d.plar = state.plar.methods.length ? {
    methods: [...state.plar.methods].sort(),
    challenge_counts_as_attempt: Boolean(state.plar.challenge_counts_as_attempt),
    max_share_percent: text(state.plar.max_share_percent) || null,
  } : null;
  d.criteria = ruleOf(state);
  d.validity = state.validity.unit === 'none' ? null : { [state.validity.unit]: integer(state.validity.count) };
  const m = state.metadata;
  const metadata = {};
  for (const key of ['achievement_type', 'criteria_narrative', 'human_code', 'language']) {
    if (text(m[key])) metadata[key] = text(m[key]);
  }
  if (m.image) metadata.image = text(m.image_caption) ? { id: m.image, caption: text(m.image_caption) } : { id: m.image };
  const tags = text(m.tags).split(',').map((s) => s.trim()).filter(Boolean);
  if (tags.length) metadata.tags = tags;
  const cis = {};
  for (const key of CIS_FIELDS) if (text(m.cis[key])) cis[key] = text(m.cis[key]);
  if (EFFORT_FIELDS.some((k) => text(m.cis[`effort_${k}`]))) {
    cis.effort_hours = Object.fromEntries(EFFORT_FIELDS.map((k) => [k, text(m.cis[`effort_${k}`]) || '0']));
  }
  if (Object.keys(cis).length) metadata.cis = cis;
  if (Object.keys(metadata).length) d.metadata = metadata;
  return d;
}

/** The editor's state of a stored definition (what the editor cannot show stays as JSON). */
export function stateOf(definition) {
  const s = blankState();
  const str = (v) => (v === null || v === undefined ? '' : String(v));
  Object.assign(s, {
    id: str(definition.id), version: str(definition.version), name: str(definition.name),
    description: str(definition.description),
    issuer: { id: str(definition.issuer?.id), name: str(definition.issuer?.name) },
    kind: str(definition.kind || 'micro_credential'), mode: definition.mode ?? 'competency_based',
    hours: str(definition.hours), bc_micro_credential: Boolean(definition.bc_micro_credential),
  });
  s.competencies = (definition.competencies ?? []).map((c) => ({
    id: c.id, statement: c.statement, threshold_percent: str(c.threshold_percent),
    method: c.method ?? 'kept_mean',
    param: str(Object.values(c.method_params ?? {})[0]),
    alignment: c.alignment ?? null,
  }));
  s.assessments = (definition.assessments ?? []).map((a) => ({
    id: a.id, title: a.title, kind: a.kind, max_points: str(a.max_points), pass_percent: str(a.pass_percent),
    competencies: [...(a.competencies ?? [])],
    parts: (a.parts ?? []).map((p) => ({ id: p.id, competency: p.competency, max_points: str(p.max_points) })),
    levels: (a.rubric?.levels ?? []).map((l) => ({ name: l.name, points: Object.fromEntries(Object.entries(l.points).map(([k, v]) => [k, str(v)])) })),
  }));
  const p = definition.attempt_policy;
  if (p) {
    s.attempt_policy = {
      max_attempts: str(p.max_attempts), scoring: p.scoring, feedback_required_before_retry: p.feedback_required_before_retry,
      min_days_between_attempts: str(p.min_days_between_attempts), resit_cap_percent: str(p.resit_cap_percent),
      retry_after_pass: p.retry_after_pass,
    };
  }
  if (definition.plar) {
    s.plar = {
      methods: [...definition.plar.methods], challenge_counts_as_attempt: definition.plar.challenge_counts_as_attempt,
      max_share_percent: str(definition.plar.max_share_percent),
    };
  }
  const builder = builderOf(definition.criteria);
  if (builder) s.criteria = builder;
  else s.criteria_json = JSON.stringify(definition.criteria, null, 2);
  if (definition.validity) {
    const unit = Object.keys(definition.validity)[0];
    s.validity = { unit, count: str(definition.validity[unit]) };
  }
  const m = definition.metadata ?? {};
  s.metadata = {
    achievement_type: str(m.achievement_type), criteria_narrative: str(m.criteria_narrative),
    image: m.image?.id ?? null, image_caption: str(m.image?.caption), tags: (m.tags ?? []).join(', '),
    human_code: str(m.human_code), language: str(m.language), cis: {},
  };
  for (const key of CIS_FIELDS) s.metadata.cis[key] = str(m.cis?.[key]);
  for (const key of EFFORT_FIELDS) s.metadata.cis[`effort_${key}`] = str(m.cis?.effort_hours?.[key]);
  return s;
}

/**
 * Competency rows from a CASE framework the core imported (`importCase`): each item becomes a
 * competency with the core's id, the item's full statement, `threshold` and an alignment to
 * the item (OB `targetUrl`, `targetCode`, `targetFramework`, `targetType: CFItem`).
 * `selected` (item ids) limits the rows; items already present (same id) are skipped.
 */
export function competenciesFromCase(framework, selected, existing, threshold = '70') {
  const have = new Set(existing.map((c) => c.id));
  return framework.items
    .filter((item) => selected.includes(item.id) && !have.has(item.id))
    .map((item) => {
      const alignment = { target_url: item.uri, target_framework: framework.document.title, target_type: 'CFItem' };
      if (item.human_coding_scheme) alignment.target_code = item.human_coding_scheme;
      return {
        id: item.id, statement: item.full_statement, threshold_percent: threshold,
        method: 'kept_mean', param: '', alignment,
      };
    });
}
