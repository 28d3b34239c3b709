// The credential editor: a definition typed section by section (or competencies imported from
// a CASE file by the core), validated by the core as the instructor types
// (`validateDefinitions` with the course's other published definitions, and
// `publishFindings`), saved as a draft (`POST /api/definitions` or `PUT …/{id}/{version}`)
// and published (`POST …/publish`, which the server refuses with the same findings while
// any is an error). A published version never changes: editing it starts a new version.

import { h, fill } from '../../dom.mjs';
import { forget } from './parts/course_cache.mjs';
import { courseDefinitions } from './parts/course_data.mjs';
import { blankState, definitionOf, ruleOf, stateOf } from './parts/definition_model.mjs';
import { assessments, badge, basics, competencies, criteria, policies } from './parts/editor_sections.mjs';
import { card, errorText, field, select, statusLine } from '../parts/ui.mjs';

/** Delay after the last keystroke before the core validates again. */
const VALIDATE_AFTER_MS = 150;

/** Mounts the editor into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const { section, body } = card(t('instructor.editor_title'), 'h1');
  const status = statusLine();
  fill(root, section);
  body.append(h('p', { class: 'hint', text: t('instructor.editor_intro') }), status.el);
  status.busy(t('instructor.editor_loading'));
  let rows;
  let full;
  try {
    // CASE import and the default badge are in the full core (the views' core leaves them out).
    [rows, full] = await Promise.all([ctx.api.get('/api/definitions'), ctx.loadVerifier()]);
    status.done('');
  } catch (error) {
    status.fail(errorText(t, error));
    return;
  }

  const picker = select([['', t('instructor.editor_new')], ...rows.map((r, i) => [String(i),
    t('instructor.editor_pick', { id: r.definition_id, version: r.version, status: t(`instructor.editor_status_${r.status}`) })])], '');
  const open = h('button', { type: 'button', class: 'secondary', text: t('instructor.editor_open') });
  body.append(h('div', { class: 'inline-form' }, field(t('instructor.editor_choose'), picker).wrap, open));
  const editorHost = h('div');
  body.append(editorHost);

  const start = (row) => {
    const state = row ? stateOf(row.body) : blankState();
    const stored = row && row.status === 'draft' ? { id: row.definition_id, version: row.version } : null;
    if (row && row.status !== 'draft') state.version = '';
    renderEditor({ ...ctx, full }, editorHost, state, stored, rows, row, status, async () => {
      rows = await ctx.api.get('/api/definitions');
    });
  };
  open.addEventListener('click', () => start(picker.value === '' ? null : rows[Number(picker.value)]));
  start(null);
}

function renderEditor(ctx, host, state, stored, rows, from, status, reloadRows) {
  const { t } = ctx;
  const listeners = [];
  const findings = h('div', { class: 'findings', 'aria-live': 'polite' });
  const findingsCard = h('section', { class: 'card', 'aria-labelledby': 'editor-findings-title' },
    h('h2', { id: 'editor-findings-title', text: t('instructor.editor_findings') }), findings);
  const others = () => courseDefinitions(rows).filter((d) => d.id !== state.id.trim());
  let timer = null;
  let current = { definition: null, errors: 1 };

  const validate = () => {
    let definition;
    try {
      definition = definitionOf(state);
    } catch (error) {
      fill(findings, h('p', { class: 'notice notice-bad', text: t('instructor.editor_unreadable', { message: error.message }) }));
      current = { definition: null, errors: 1 };
      return;
    }
    let validation;
    let publish;
    try {
      const json = JSON.stringify([...others(), definition]);
      validation = ctx.core.validateDefinitions(json);
      publish = ctx.core.publishFindings(json);
    } catch (error) {
      fill(findings, h('p', { class: 'notice notice-bad', text: t('instructor.editor_core_refused', { code: error.code ?? 'error', message: error.message }) }));
      current = { definition, errors: 1 };
      return;
    }
    const all = [...validation, ...publish];
    const errors = all.filter((f) => f.severity === 'error').length;
    current = { definition, errors };
    renderFindings(t, findings, all);
  };
  const sectionCtx = {
    t, core: ctx.core, full: ctx.full,
    changed: () => {
      clearTimeout(timer);
      timer = setTimeout(() => { validate(); listeners.forEach((f) => f()); }, VALIDATE_AFTER_MS);
    },
    rebuild: (focusOn) => draw(focusOn),
    onChange: (f) => { listeners.push(f); f(); },
    ruleNow: () => ruleOf(state),
  };

  const save = h('button', { type: 'button', text: t('instructor.editor_save') });
  const publishButton = h('button', { type: 'button', class: 'primary', text: t('instructor.editor_publish') });
  const form = h('form', { class: 'editor', 'aria-label': t('instructor.editor_title'), novalidate: true });
  const heading = h('h2', { text: from ? t('instructor.editor_editing', { id: from.definition_id, version: from.version }) : t('instructor.editor_new') });
  const draw = (focusOn) => {
    listeners.length = 0;
    const otherIds = courseDefinitions(rows).map((d) => d.id).filter((id) => id !== state.id.trim());
    fill(form,
      basics(sectionCtx, state),
      competencies(sectionCtx, state),
      assessments(sectionCtx, state),
      policies(sectionCtx, state),
      criteria(sectionCtx, state, otherIds),
      badge(sectionCtx, state),
      h('div', { class: 'buttons editor-actions' }, save, publishButton));
    validate();
    if (focusOn) {
      const rowsOf = form.querySelectorAll('.editor-row');
      const last = [...rowsOf].filter((r) => r.closest('.editor-section')?.querySelector('legend')?.textContent
        === t(focusOn === 'competency' ? 'instructor.editor_competencies' : 'instructor.editor_assessments')).at(-1);
      last?.querySelector('input, textarea, select')?.focus();
    }
  };
  fill(host, h('section', { class: 'card' }, heading, from && from.status !== 'draft'
    ? h('p', { class: 'notice notice-warn', text: t('instructor.editor_new_version_hint', { version: from.version }) }) : null, form), findingsCard);
  draw();

  const persist = async () => {
    validate();
    const definition = current.definition;
    if (!definition) throw Object.assign(new Error(t('instructor.editor_fix_first')), { code: 'unreadable' });
    const same = stored && stored.id === definition.id && stored.version === definition.version;
    const saved = same
      ? await ctx.api.put(`/api/definitions/${encodeURIComponent(definition.id)}/${encodeURIComponent(definition.version)}`, definition)
      : await ctx.api.post('/api/definitions', definition);
    stored = { id: saved.definition_id, version: saved.version };
    await reloadRows();
    heading.textContent = t('instructor.editor_editing', { id: saved.definition_id, version: saved.version });
    return saved;
  };
  save.addEventListener('click', async () => {
    save.disabled = true;
    status.busy(t('instructor.editor_saving'));
    try {
      const saved = await persist();
      status.done(t('instructor.editor_saved', { id: saved.definition_id, version: saved.version }));
    } catch (error) {
      status.fail(errorText(t, error));
    } finally {
      save.disabled = false;
    }
  });
  publishButton.addEventListener('click', async () => {
    validate();
    if (current.errors) {
      status.fail(t('instructor.editor_publish_blocked', { count: current.errors }));
      findingsCard.querySelector('h2')?.setAttribute('tabindex', '-1');
      findingsCard.querySelector('h2')?.focus();
      return;
    }
    publishButton.disabled = true;
    status.busy(t('instructor.editor_publishing'));
    try {
      const saved = await persist();
      const published = await ctx.api.post(`/api/definitions/${encodeURIComponent(saved.definition_id)}/${encodeURIComponent(saved.version)}/publish`, {});
      forget(ctx.api);
      stored = null;
      await reloadRows();
      status.done(t('instructor.editor_published', { id: published.definition_id, version: published.version }));
    } catch (error) {
      status.fail(errorText(t, error));
      if (error.details?.validation || error.details?.publish) {
        renderFindings(t, findings, [...(error.details.validation ?? []), ...(error.details.publish ?? [])]);
      }
    } finally {
      publishButton.disabled = false;
    }
  });
}

/** The core's findings: errors first, each with its code, where, and the core's sentence. */
function renderFindings(t, host, all) {
  if (!all.length) {
    fill(host, h('p', { class: 'notice notice-good', text: t('instructor.editor_no_findings') }));
    return;
  }
  const order = { error: 0, warning: 1, info: 2 };
  const sorted = [...all].sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
  const errors = all.filter((f) => f.severity === 'error').length;
  fill(host,
    h('p', { class: errors ? 'notice notice-bad' : 'notice notice-warn', text: t('instructor.editor_findings_count', { count: all.length, errors }) }),
    h('ul', { class: 'finding-list' }, sorted.map((f) => h('li', {},
      h('span', { class: `chip ${f.severity === 'error' ? 'chip-bad' : 'chip-warn'}`, text: t(`instructor.editor_severity_${f.severity}`) }),
      ' ', h('code', { text: f.code }), ` · ${f.ref} · ${f.message}`))));
}
