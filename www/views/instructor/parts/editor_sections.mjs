// The credential editor's form, section by section, bound to the editor's plain state
// (`definition_model.mjs`): every input writes its field and calls `changed()`, which
// re-validates with the core; adding or removing a row calls `rebuild()`. Presentation only.

import { h, fill } from '../../../dom.mjs';
import { field, select, uid } from '../../parts/ui.mjs';
import { CIS_FIELDS, EFFORT_FIELDS, METHOD_PARAM, blankAssessment, blankCompetency, competenciesFromCase } from './definition_model.mjs';

const PLAR_METHODS = ['challenge_exam', 'course_based', 'credit_bank', 'direct_assessment', 'portfolio'];
const SCORING = ['highest', 'latest', 'first', 'average'];
/** Largest uploaded badge image (the definition body is limited to 512 KiB). */
export const MAX_IMAGE_BYTES = 256 * 1024;

/** An input bound to `obj[key]` (`type` text by default; `checkbox` binds a boolean). */
function bound(ctx, obj, key, props = {}) {
  const tag = props.tag ?? 'input';
  const attrs = { ...props };
  delete attrs.tag;
  if (tag === 'input' && !attrs.type) attrs.type = 'text';
  if (attrs.type === 'text' || attrs.type === 'url' || tag === 'textarea') attrs.autocomplete = 'off';
  const el = h(tag, attrs);
  if (attrs.type === 'checkbox') {
    el.checked = Boolean(obj[key]);
    el.addEventListener('change', () => { obj[key] = el.checked; ctx.changed(); });
  } else {
    el.value = obj[key] ?? '';
    el.addEventListener('input', () => { obj[key] = el.value; ctx.changed(); });
  }
  return el;
}

/** A `<select>` bound to `obj[key]`; `after` runs after a change (e.g. a rebuild). */
function boundSelect(ctx, obj, key, options, after) {
  const el = select(options, obj[key]);
  el.addEventListener('change', () => { obj[key] = el.value; ctx.changed(); after?.(); });
  return el;
}

/** Bytes as base64 (for a `data:` URI). */
function base64(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function check(el, label) {
  return h('label', { class: 'check' }, el, ` ${label}`);
}

function fieldset(legend, ...children) {
  return h('fieldset', { class: 'editor-section' }, h('legend', { text: legend }), ...children);
}

function removeButton(ctx, label, onRemove) {
  const b = h('button', { type: 'button', class: 'secondary', text: ctx.t('instructor.editor_remove'), 'aria-label': label });
  b.addEventListener('click', onRemove);
  return b;
}

/** Basics: id, version, name, description, issuer, kind, mode, hours. */
export function basics(ctx, s) {
  const { t } = ctx;
  return fieldset(t('instructor.editor_basics'),
    field(t('instructor.editor_id'), bound(ctx, s, 'id', { required: true, pattern: '[A-Za-z0-9._:-]+' }), t('instructor.editor_id_hint')).wrap,
    field(t('instructor.editor_version'), bound(ctx, s, 'version', { required: true })).wrap,
    field(t('instructor.editor_name'), bound(ctx, s, 'name', { required: true })).wrap,
    field(t('instructor.editor_description'), bound(ctx, s, 'description', { tag: 'textarea', rows: '3', required: true })).wrap,
    field(t('instructor.editor_issuer_id'), bound(ctx, s.issuer, 'id', { type: 'url', required: true }), t('instructor.editor_issuer_id_hint')).wrap,
    field(t('instructor.editor_issuer_name'), bound(ctx, s.issuer, 'name', { required: true })).wrap,
    field(t('instructor.editor_kind'), boundSelect(ctx, s, 'kind', ['micro_credential', 'badge', 'certificate', 'course']
      .map((k) => [k, t(`instructor.editor_kind_${k}`)]))).wrap,
    field(t('instructor.editor_mode'), boundSelect(ctx, s, 'mode', [['competency_based', t('instructor.editor_mode_competency_based')],
      ['outcome_based', t('instructor.editor_mode_outcome_based')]])).wrap,
    field(t('instructor.editor_hours'), bound(ctx, s, 'hours', { inputmode: 'decimal' })).wrap,
    check(bound(ctx, s, 'bc_micro_credential', { type: 'checkbox' }), t('instructor.editor_bc')));
}

/** Competencies: rows, add, and import from a CASE file through the core. */
export function competencies(ctx, s) {
  const { t } = ctx;
  const rows = s.competencies.map((c, i) => {
    const param = METHOD_PARAM[c.method];
    const label = t('instructor.editor_competency_n', { n: i + 1 });
    return h('fieldset', { class: 'editor-row', 'data-row': `competency-${i}` }, h('legend', { text: label }),
      field(t('instructor.editor_competency_id'), bound(ctx, c, 'id', { required: true })).wrap,
      field(t('instructor.editor_statement'), bound(ctx, c, 'statement', { tag: 'textarea', rows: '2', required: true })).wrap,
      field(t('instructor.editor_threshold'), bound(ctx, c, 'threshold_percent', { inputmode: 'decimal', required: true })).wrap,
      field(t('instructor.whatif_method'), boundSelect(ctx, c, 'method', Object.keys(METHOD_PARAM)
        .map((m) => [m, t(`instructor.method_${m}`)]), () => ctx.rebuild())).wrap,
      param ? field(t(`instructor.editor_param_${param}`), bound(ctx, c, 'param', { inputmode: 'numeric' }), t('instructor.editor_param_hint')).wrap : null,
      c.alignment ? h('p', { class: 'hint', text: t('instructor.editor_aligned', { url: c.alignment.target_url }) }) : null,
      removeButton(ctx, t('instructor.editor_remove_label', { what: label }), () => { s.competencies.splice(i, 1); ctx.rebuild(); }));
  });
  const add = h('button', { type: 'button', text: t('instructor.editor_add_competency') });
  add.addEventListener('click', () => { s.competencies.push(blankCompetency(s.competencies.length)); ctx.rebuild('competency'); });
  return fieldset(t('instructor.editor_competencies'), ...rows, h('div', { class: 'buttons' }, add), caseImport(ctx, s));
}

/** The CASE import: a file, the core's import, a checklist of items, then "add". */
function caseImport(ctx, s) {
  const { t } = ctx;
  const file = h('input', { type: 'file', accept: '.json,application/json' });
  const out = h('div', { class: 'case-import', 'aria-live': 'polite' });
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    let framework;
    try {
      framework = ctx.full.importCase(await chosen.text());
    } catch (error) {
      fill(out, h('p', { class: 'notice notice-bad', text: t('instructor.editor_case_refused', { code: error.code ?? 'error', message: error.message }) }));
      return;
    }
    const boxes = framework.items.map((item) => {
      const box = h('input', { type: 'checkbox', value: item.id, checked: item.depth > 0 || framework.items.length === 1 });
      const indent = h('span', { class: `depth depth-${Math.min(item.depth, 4)}` });
      return { box, el: h('li', {}, indent, check(box, `${item.human_coding_scheme ?? item.id}: ${item.full_statement}`)) };
    });
    const addAll = h('button', { type: 'button', class: 'primary', text: t('instructor.editor_case_add') });
    addAll.addEventListener('click', () => {
      const selected = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
      s.competencies.push(...competenciesFromCase(framework, selected, s.competencies));
      ctx.rebuild('competency');
    });
    fill(out,
      h('p', { text: t('instructor.editor_case_read', { title: framework.document.title, count: framework.items.length }) }),
      framework.warnings.length ? h('ul', { class: 'hint' }, framework.warnings.map((w) => h('li', { text: `${w.code}: ${w.message}` }))) : null,
      h('ul', { class: 'case-items', 'aria-label': t('instructor.editor_case_items') }, boxes.map((b) => b.el)),
      addAll);
  });
  return h('div', { class: 'case' }, field(t('instructor.editor_case_file'), file, t('instructor.editor_case_hint')).wrap, out);
}

/** Assessments: rows with kind, points or rubric parts and levels, pass mark, competencies. */
export function assessments(ctx, s) {
  const { t } = ctx;
  const compOptions = s.competencies.map((c) => [c.id, c.id]);
  const rows = s.assessments.map((a, i) => {
    const label = t('instructor.editor_assessment_n', { n: i + 1 });
    const parts = a.parts.map((p, j) => h('div', { class: 'inline-form', 'data-part': String(j) },
      field(t('instructor.editor_part_id'), bound(ctx, p, 'id', { required: true })).wrap,
      field(t('instructor.editor_part_competency'), boundSelect(ctx, p, 'competency', compOptions)).wrap,
      field(t('instructor.editor_part_max'), bound(ctx, p, 'max_points', { inputmode: 'decimal', required: true })).wrap,
      removeButton(ctx, t('instructor.editor_remove_label', { what: p.id || t('instructor.editor_part_n', { n: j + 1 }) }),
        () => { a.parts.splice(j, 1); ctx.rebuild(); })));
    const levels = a.levels.map((l, j) => h('div', { class: 'inline-form', 'data-level': String(j) },
      field(t('instructor.editor_level_name'), bound(ctx, l, 'name', { required: true })).wrap,
      a.parts.map((p) => field(t('instructor.editor_level_points', { part: p.id }), bound(ctx, l.points, p.id, { inputmode: 'decimal' })).wrap),
      removeButton(ctx, t('instructor.editor_remove_label', { what: l.name || t('instructor.editor_level_n', { n: j + 1 }) }),
        () => { a.levels.splice(j, 1); ctx.rebuild(); })));
    const addPart = h('button', { type: 'button', class: 'secondary', text: t('instructor.editor_add_part') });
    addPart.addEventListener('click', () => {
      a.parts.push({ id: `P${a.parts.length + 1}`, competency: s.competencies[0]?.id ?? '', max_points: '10' });
      ctx.rebuild();
    });
    const addLevel = h('button', { type: 'button', class: 'secondary', text: t('instructor.editor_add_level') });
    addLevel.addEventListener('click', () => { a.levels.push({ name: '', points: {} }); ctx.rebuild(); });
    const compChecks = s.competencies.map((c) => {
      const box = h('input', { type: 'checkbox', checked: a.competencies.includes(c.id) });
      box.addEventListener('change', () => {
        a.competencies = box.checked ? [...a.competencies, c.id] : a.competencies.filter((x) => x !== c.id);
        ctx.changed();
      });
      return check(box, c.id);
    });
    return h('fieldset', { class: 'editor-row', 'data-row': `assessment-${i}` }, h('legend', { text: label }),
      field(t('instructor.editor_assessment_id'), bound(ctx, a, 'id', { required: true })).wrap,
      field(t('instructor.editor_assessment_title'), bound(ctx, a, 'title', { required: true })).wrap,
      field(t('instructor.editor_assessment_kind'), boundSelect(ctx, a, 'kind', [['summative', t('instructor.editor_summative')],
        ['formative', t('instructor.editor_formative')]], () => ctx.rebuild())).wrap,
      a.kind === 'summative' ? field(t('instructor.editor_pass'), bound(ctx, a, 'pass_percent', { inputmode: 'decimal', required: true })).wrap : null,
      a.parts.length ? null : field(t('instructor.editor_max_points'), bound(ctx, a, 'max_points', { inputmode: 'decimal', required: true })).wrap,
      a.parts.length ? null : h('fieldset', {}, h('legend', { text: t('instructor.editor_feeds') }), h('div', { class: 'checks' }, compChecks)),
      h('fieldset', {}, h('legend', { text: t('instructor.editor_rubric') }),
        h('p', { class: 'hint', text: t('instructor.editor_rubric_hint') }),
        ...parts, h('div', { class: 'buttons' }, addPart),
        a.parts.length ? [...levels, h('div', { class: 'buttons' }, addLevel)] : null),
      removeButton(ctx, t('instructor.editor_remove_label', { what: label }), () => { s.assessments.splice(i, 1); ctx.rebuild(); }));
  });
  const add = h('button', { type: 'button', text: t('instructor.editor_add_assessment') });
  add.addEventListener('click', () => {
    const a = blankAssessment(s.assessments.length);
    a.competencies = s.competencies.map((c) => c.id);
    s.assessments.push(a);
    ctx.rebuild('assessment');
  });
  return fieldset(t('instructor.editor_assessments'), ...rows, h('div', { class: 'buttons' }, add));
}

/** The attempt policy and the PLAR policy. */
export function policies(ctx, s) {
  const { t } = ctx;
  const p = s.attempt_policy;
  const methods = PLAR_METHODS.map((m) => {
    const box = h('input', { type: 'checkbox', checked: s.plar.methods.includes(m) });
    box.addEventListener('change', () => {
      s.plar.methods = box.checked ? [...s.plar.methods, m] : s.plar.methods.filter((x) => x !== m);
      ctx.changed();
    });
    return check(box, t(`instructor.plar_${m}`));
  });
  return h('div', {},
    fieldset(t('instructor.whatif_attempts_legend'),
      field(t('instructor.policy_max_attempts'), bound(ctx, p, 'max_attempts', { type: 'number', min: '1', step: '1' }), t('instructor.policy_max_attempts_hint')).wrap,
      field(t('instructor.policy_scoring'), boundSelect(ctx, p, 'scoring', SCORING.map((x) => [x, t(`instructor.scoring_${x}`)]))).wrap,
      check(bound(ctx, p, 'feedback_required_before_retry', { type: 'checkbox' }), t('instructor.policy_feedback_required')),
      field(t('instructor.policy_min_days'), bound(ctx, p, 'min_days_between_attempts', { type: 'number', min: '0', step: '1' })).wrap,
      field(t('instructor.policy_resit_cap'), bound(ctx, p, 'resit_cap_percent', { inputmode: 'decimal' }), t('instructor.policy_resit_cap_hint')).wrap,
      check(bound(ctx, p, 'retry_after_pass', { type: 'checkbox' }), t('instructor.policy_retry_after_pass'))),
    fieldset(t('instructor.whatif_plar_legend'),
      h('div', { class: 'checks', role: 'group', 'aria-label': t('instructor.plar_methods') }, methods),
      check(bound(ctx, s.plar, 'challenge_counts_as_attempt', { type: 'checkbox' }), t('instructor.plar_counts_as_attempt')),
      field(t('instructor.plar_max_share'), bound(ctx, s.plar, 'max_share_percent', { inputmode: 'decimal' }), t('instructor.plar_max_share_hint')).wrap));
}

/** Award criteria: a rule over leaves, stacking of other credentials, or typed JSON. */
export function criteria(ctx, s, otherCredentials) {
  const { t } = ctx;
  if (s.criteria_json !== null) {
    const area = h('textarea', { rows: '8', class: 'code' });
    area.value = s.criteria_json;
    area.addEventListener('input', () => { s.criteria_json = area.value; ctx.changed(); });
    return fieldset(t('instructor.editor_criteria'),
      h('p', { class: 'hint', text: t('instructor.editor_criteria_json_hint') }),
      field(t('instructor.editor_criteria_json'), area).wrap);
  }
  const c = s.criteria;
  const leafOptions = [
    ...s.competencies.map((x) => [`competency:${x.id}`, t('instructor.editor_leaf_competency', { id: x.id })]),
    ...s.assessments.map((x) => [`assessment:${x.id}`, t('instructor.editor_leaf_assessment', { id: x.id })]),
    ...s.assessments.map((x) => [`submitted:${x.id}`, t('instructor.editor_leaf_submitted', { id: x.id })]),
    ...otherCredentials.map((id) => [`credential:${id}`, t('instructor.editor_leaf_credential', { id })]),
  ];
  const leaves = c.type === 'all_competencies' ? [] : c.leaves.map((l, i) => {
    const holder = { value: `${l.kind}:${l.id}` };
    const sel = boundSelect(ctx, holder, 'value', leafOptions);
    sel.addEventListener('change', () => {
      const [kind, ...id] = holder.value.split(':');
      l.kind = kind;
      l.id = id.join(':');
      ctx.changed();
    });
    return h('div', { class: 'inline-form' },
      field(t('instructor.editor_leaf_n', { n: i + 1 }), sel).wrap,
      c.type === 'points' ? field(t('instructor.editor_leaf_points'), bound(ctx, l, 'points', { inputmode: 'decimal', required: true })).wrap : null,
      c.type === 'points' ? check(bound(ctx, l, 'required', { type: 'checkbox' }), t('instructor.editor_leaf_required')) : null,
      removeButton(ctx, t('instructor.editor_remove_label', { what: t('instructor.editor_leaf_n', { n: i + 1 }) }), () => { c.leaves.splice(i, 1); ctx.rebuild(); }));
  });
  const add = h('button', { type: 'button', class: 'secondary', text: t('instructor.editor_add_leaf'), disabled: !leafOptions.length });
  add.addEventListener('click', () => {
    const [kind, ...id] = (leafOptions[0]?.[0] ?? 'competency:').split(':');
    c.leaves.push({ kind, id: id.join(':'), points: '', required: false });
    ctx.rebuild();
  });
  const stack = otherCredentials.map((id) => {
    const box = h('input', { type: 'checkbox', checked: c.stack.includes(id) });
    box.addEventListener('change', () => {
      c.stack = box.checked ? [...c.stack, id] : c.stack.filter((x) => x !== id);
      ctx.changed();
    });
    return check(box, id);
  });
  const typeSel = boundSelect(ctx, c, 'type', ['all_competencies', 'all', 'any', 'at_least', 'points']
    .map((x) => [x, t(`instructor.editor_rule_${x}`)]), () => ctx.rebuild());
  const asJson = h('button', { type: 'button', class: 'secondary', text: t('instructor.editor_criteria_edit_json') });
  asJson.addEventListener('click', () => {
    s.criteria_json = JSON.stringify(JSON.parse(JSON.stringify(ctx.ruleNow())), null, 2);
    ctx.rebuild();
  });
  return fieldset(t('instructor.editor_criteria'),
    field(t('instructor.editor_rule'), typeSel).wrap,
    c.type === 'at_least' ? field(t('instructor.editor_rule_k'), bound(ctx, c, 'k', { type: 'number', min: '1', step: '1', required: true })).wrap : null,
    c.type === 'points' ? field(t('instructor.editor_rule_points_needed'), bound(ctx, c, 'points', { inputmode: 'decimal', required: true })).wrap : null,
    ...leaves,
    c.type === 'all_competencies' ? null : h('div', { class: 'buttons' }, add),
    otherCredentials.length
      ? h('fieldset', {}, h('legend', { text: t('instructor.editor_stack') }), h('p', { class: 'hint', text: t('instructor.editor_stack_hint') }), h('div', { class: 'checks' }, stack))
      : null,
    h('div', { class: 'buttons' }, asJson));
}

/** Expiry (validity), the badge image and the metadata and CIS fields. */
export function badge(ctx, s) {
  const { t } = ctx;
  const m = s.metadata;
  const preview = h('img', { class: 'badge-preview', alt: '', width: '128', height: '128' });
  const showPreview = () => {
    if (m.image) {
      preview.src = m.image;
      preview.alt = m.image_caption || t('instructor.editor_image_uploaded');
    } else {
      // The core's generated default, exactly what the server bakes without an image.
      const svg = ctx.full.defaultBadgeSvg(s.name || s.id || '?', m.human_code ?? '', s.id || '?');
      preview.src = `data:image/svg+xml;base64,${base64(new TextEncoder().encode(svg))}`;
      preview.alt = t('instructor.editor_image_default_alt');
    }
  };
  ctx.onChange(showPreview);
  const upload = h('input', { type: 'file', accept: 'image/png,image/svg+xml' });
  const note = h('p', { class: 'hint', 'aria-live': 'polite' });
  upload.addEventListener('change', async () => {
    const file = upload.files?.[0];
    if (!file) return;
    if (file.size > MAX_IMAGE_BYTES) {
      note.textContent = t('instructor.editor_image_too_big', { kib: MAX_IMAGE_BYTES / 1024 });
      upload.value = '';
      return;
    }
    m.image = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    note.textContent = t('instructor.editor_image_set', { name: file.name });
    ctx.changed();
  });
  const useDefault = h('button', { type: 'button', class: 'secondary', text: t('instructor.editor_image_use_default') });
  useDefault.addEventListener('click', () => { m.image = null; upload.value = ''; note.textContent = ''; ctx.changed(); });
  const unit = boundSelect(ctx, s.validity, 'unit', [['none', t('instructor.editor_validity_none')],
    ['months', t('instructor.editor_validity_months')], ['days', t('instructor.editor_validity_days')]], () => ctx.rebuild());
  const cisId = uid('cis');
  return h('div', {},
    fieldset(t('instructor.editor_validity'),
      field(t('instructor.editor_validity_unit'), unit).wrap,
      s.validity.unit === 'none' ? null : field(t('instructor.editor_validity_count'), bound(ctx, s.validity, 'count', { type: 'number', min: '1', step: '1', required: true })).wrap),
    fieldset(t('instructor.editor_image'),
      h('div', { class: 'badge-row' }, preview, h('div', {},
        field(t('instructor.editor_image_upload'), upload, t('instructor.editor_image_hint')).wrap, note, useDefault)),
      field(t('instructor.editor_image_caption'), bound(ctx, m, 'image_caption')).wrap),
    fieldset(t('instructor.editor_metadata'),
      field(t('instructor.editor_human_code'), bound(ctx, m, 'human_code')).wrap,
      field(t('instructor.editor_achievement_type'), bound(ctx, m, 'achievement_type'), t('instructor.editor_achievement_type_hint')).wrap,
      field(t('instructor.editor_language'), bound(ctx, m, 'language'), t('instructor.editor_language_hint')).wrap,
      field(t('instructor.editor_tags'), bound(ctx, m, 'tags'), t('instructor.editor_tags_hint')).wrap,
      field(t('instructor.editor_narrative'), bound(ctx, m, 'criteria_narrative', { tag: 'textarea', rows: '4' })).wrap),
    h('fieldset', { class: 'editor-section', 'aria-describedby': cisId }, h('legend', { text: t('instructor.editor_cis') }),
      h('p', { class: 'hint', id: cisId, text: t('instructor.editor_cis_hint') }),
      CIS_FIELDS.map((k) => field(t(`instructor.editor_cis_${k}`), bound(ctx, m.cis, k)).wrap),
      h('div', { class: 'inline-form' }, EFFORT_FIELDS.map((k) =>
        field(t(`instructor.editor_effort_${k}`), bound(ctx, m.cis, `effort_${k}`, { inputmode: 'decimal' })).wrap))));
}
