// The what-if panel: the whole roster folded again in the browser, by the wasm `Roster`, for
// a changed threshold, calculation method, attempt policy or PLAR policy. The edits are data
// edits on a copy of the definitions (`what_if_edits.mjs`); the core decides every status and
// this view shows how many moved. Nothing is written: it is a question, not a change.

import { h, fill } from '../../dom.mjs';
import { courseShowing } from './parts/course_cache.mjs';
import { courseRoster, nowInstant } from './parts/course_data.mjs';
import { applyWhatIf, compareStatuses } from './parts/what_if_edits.mjs';
import { card, errorText, field, select, statusLine } from '../parts/ui.mjs';

/** The calculation methods of `spec/mastery.md` §3 and their one parameter, if any. */
const METHODS = [
  ['kept_mean', null], ['highest', null], ['latest', null], ['first', null], ['average', null],
  ['weighted_average', 'weight_pct'], ['decaying_average', 'rate_pct'], ['n_mastery', 'n'],
];
const SCORING = ['highest', 'latest', 'first', 'average'];
const PLAR_METHODS = ['challenge_exam', 'course_based', 'credit_bank', 'direct_assessment', 'portfolio'];
/** Learners listed by name under the counts (the rest are counted). */
const LIST_LIMIT = 50;

/** Mounts the panel into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const { section, body } = card(t('instructor.whatif_title'), 'h1');
  const status = statusLine();
  fill(root, section);
  body.append(h('p', { class: 'hint', text: t('instructor.whatif_intro') }), status.el);
  status.busy(t('instructor.roster_loading'));
  let data;
  let roster;
  let baseline;
  try {
    data = await courseShowing(ctx, status);
    if (!data.definitions.length) {
      status.done(t('instructor.whatif_no_definitions'));
      return;
    }
    // Every published version: each learner is folded on the versions they enrolled on.
    roster = courseRoster(ctx.core, data);
    // Statuses only (no scores): what the comparison reads, as bytes, so a recompute of a
    // large roster costs the fold and little else.
    const now = nowInstant();
    baseline = roster.statusesWith(null, now);
    status.done(t('instructor.whatif_ready', { learners: roster.learnerCount(), events: roster.eventCount() }));
    // The change applies to the latest versions; learners on an earlier one keep it.
    for (const earlier of roster.earlierVersions(now)) {
      body.append(h('p', { class: 'hint whatif-earlier', text: t('instructor.whatif_earlier', {
        count: earlier.learners, version: earlier.version, definition: earlier.definition,
      }) }));
    }
  } catch (error) {
    status.fail(errorText(t, error));
    return;
  }
  const form = whatIfForm(ctx, data.definitions);
  const result = h('div', { class: 'whatif-result', 'aria-live': 'polite' });
  body.append(form.el, result);
  form.el.addEventListener('submit', (event) => {
    event.preventDefault();
    const started = performance.now();
    let after;
    try {
      after = roster.statusesWith(JSON.stringify(applyWhatIf(data.definitions, form.change())), nowInstant());
    } catch (error) {
      status.fail(errorText(t, error));
      fill(result);
      return;
    }
    const ms = performance.now() - started;
    status.done(t('instructor.whatif_recomputed', { learners: baseline.learners.length, ms: t.decimal(ms.toFixed(1)) }));
    renderComparison(result, t, compareStatuses(baseline, after));
  });
  // The wasm roster holds every learner's log: freed when the view goes.
  return () => roster.free();
}

/** The form: one fieldset per kind of change, each with an "apply" checkbox. */
function whatIfForm(ctx, definitions) {
  const { t } = ctx;
  const first = definitions[0];
  const comps = definitions.flatMap((d) => (d.competencies ?? []).map((c) => c.id));
  const defs = definitions.map((d) => [d.id, d.name]);
  const toggle = (label) => {
    const box = h('input', { type: 'checkbox' });
    return { box, el: h('label', { class: 'check' }, box, ` ${label}`) };
  };

  const thr = toggle(t('instructor.whatif_change_threshold'));
  const thrComp = field(t('instructor.whatif_competency'), select([['', t('instructor.whatif_every_competency')], ...comps.map((c) => [c, c])], ''));
  const thrValue = field(t('instructor.whatif_threshold'), h('input', {
    type: 'text', inputmode: 'decimal', value: first.competencies?.[0]?.threshold_percent ?? '70', autocomplete: 'off',
  }), t('instructor.whatif_threshold_hint'));

  const meth = toggle(t('instructor.whatif_change_method'));
  const methComp = field(t('instructor.whatif_competency'), select([['', t('instructor.whatif_every_competency')], ...comps.map((c) => [c, c])], ''));
  const methName = field(t('instructor.whatif_method'), select(METHODS.map(([m]) => [m, t(`instructor.method_${m}`)]), 'kept_mean'));
  const methParam = field(t('instructor.whatif_method_param'), h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off' }),
    t('instructor.whatif_method_param_hint'));

  const pol = toggle(t('instructor.whatif_change_attempts'));
  const policy = first.attempt_policy ?? {};
  const polDef = field(t('instructor.whatif_definition'), select(defs, first.id));
  const maxAttempts = field(t('instructor.policy_max_attempts'), h('input', {
    type: 'number', min: '1', step: '1', value: policy.max_attempts ?? '',
  }), t('instructor.policy_max_attempts_hint'));
  const scoring = field(t('instructor.policy_scoring'), select(SCORING.map((s) => [s, t(`instructor.scoring_${s}`)]), policy.scoring ?? 'highest'));
  const feedback = toggle(t('instructor.policy_feedback_required'));
  feedback.box.checked = policy.feedback_required_before_retry ?? true;
  const minDays = field(t('instructor.policy_min_days'), h('input', {
    type: 'number', min: '0', step: '1', value: policy.min_days_between_attempts ?? 0,
  }));
  const resitCap = field(t('instructor.policy_resit_cap'), h('input', {
    type: 'text', inputmode: 'decimal', value: policy.resit_cap_percent ?? '', autocomplete: 'off',
  }), t('instructor.policy_resit_cap_hint'));
  const retry = toggle(t('instructor.policy_retry_after_pass'));
  retry.box.checked = policy.retry_after_pass ?? false;

  const pl = toggle(t('instructor.whatif_change_plar'));
  const plDef = field(t('instructor.whatif_definition'), select(defs, first.id));
  const plMethods = PLAR_METHODS.map((m) => {
    const box = toggle(t(`instructor.plar_${m}`));
    box.box.value = m;
    box.box.checked = (first.plar?.methods ?? []).includes(m);
    return box;
  });
  const plCounts = toggle(t('instructor.plar_counts_as_attempt'));
  plCounts.box.checked = first.plar?.challenge_counts_as_attempt ?? false;
  const plShare = field(t('instructor.plar_max_share'), h('input', {
    type: 'text', inputmode: 'decimal', value: first.plar?.max_share_percent ?? '', autocomplete: 'off',
  }), t('instructor.plar_max_share_hint'));

  const fieldset = (legend, ...children) => h('fieldset', {}, h('legend', { text: legend }), ...children);
  const el = h('form', { class: 'whatif-form' },
    fieldset(t('instructor.whatif_threshold_legend'), thr.el, thrComp.wrap, thrValue.wrap),
    fieldset(t('instructor.whatif_method_legend'), meth.el, methComp.wrap, methName.wrap, methParam.wrap),
    fieldset(t('instructor.whatif_attempts_legend'), pol.el, polDef.wrap, maxAttempts.wrap, scoring.wrap,
      feedback.el, minDays.wrap, resitCap.wrap, retry.el),
    fieldset(t('instructor.whatif_plar_legend'), pl.el, plDef.wrap,
      h('div', { class: 'checks', role: 'group', 'aria-label': t('instructor.plar_methods') }, plMethods.map((m) => m.el)),
      plCounts.el, plShare.wrap),
    h('button', { type: 'submit', class: 'primary', text: t('instructor.whatif_recompute') }));

  const text = (input) => input.value.trim();
  const change = () => {
    const out = {};
    if (thr.box.checked) out.threshold = { competency: thrComp.input.value, value: text(thrValue.input) };
    if (meth.box.checked) {
      const param = METHODS.find(([m]) => m === methName.input.value)?.[1];
      const value = text(methParam.input);
      out.method = {
        competency: methComp.input.value,
        name: methName.input.value,
        // A parameter is a JSON integer in `method_params`; the core checks its range.
        params: param && value ? { [param]: Number(value) } : {},
      };
    }
    if (pol.box.checked) {
      out.attemptPolicy = {
        definition: polDef.input.value,
        max_attempts: text(maxAttempts.input) ? Number(text(maxAttempts.input)) : null,
        scoring: scoring.input.value,
        feedback_required_before_retry: feedback.box.checked,
        min_days_between_attempts: Number(text(minDays.input) || '0'),
        resit_cap_percent: text(resitCap.input) || null,
        retry_after_pass: retry.box.checked,
      };
    }
    if (pl.box.checked) {
      out.plar = {
        definition: plDef.input.value,
        methods: plMethods.filter((m) => m.box.checked).map((m) => m.box.value),
        challenge_counts_as_attempt: plCounts.box.checked,
        max_share_percent: text(plShare.input) || null,
      };
    }
    return out;
  };
  return { el, change };
}

function renderComparison(root, t, diff) {
  const table = (caption, rows) => h('table', {},
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', text: t('instructor.whatif_item') }),
      h('th', { scope: 'col', text: t('instructor.whatif_before') }),
      h('th', { scope: 'col', text: t('instructor.whatif_after') }))),
    h('tbody', {}, rows.map((r) => h('tr', { class: r.before === r.after ? '' : 'changed' },
      h('th', { scope: 'row', text: r.id }),
      h('td', { text: String(r.before) }),
      h('td', { text: String(r.after) })))));
  const moved = diff.moved.slice(0, LIST_LIMIT).map((m) => h('li', {},
    h('strong', { text: m.learner }), ': ',
    [...m.competencies.map((c) => t('instructor.whatif_moved', { id: c.id, before: t(`instructor.status_${c.before}`), after: t(`instructor.status_${c.after}`) })),
      ...m.credentials.map((c) => t('instructor.whatif_moved', { id: c.id, before: t(`instructor.credential_${c.before}`), after: t(`instructor.credential_${c.after}`) }))]
      .join('; ')));
  fill(root,
    h('div', { class: 'table-scroll' }, table(t('instructor.whatif_mastered_caption', { learners: diff.learners }), diff.competencies)),
    h('div', { class: 'table-scroll' }, table(t('instructor.whatif_valid_caption', { learners: diff.learners }), diff.credentials)),
    h('h2', { text: t('instructor.whatif_moved_title', { count: diff.moved.length }) }),
    diff.moved.length ? h('ul', { class: 'moved' }, moved) : h('p', { text: t('instructor.whatif_nobody_moved') }),
    diff.moved.length > LIST_LIMIT ? h('p', { class: 'hint', text: t('instructor.whatif_more', { count: diff.moved.length - LIST_LIMIT }) }) : null);
}
