// The learner's writes: an attempt on an auto-scored item set (the server scores it at once),
// evidence for rubric grading (a link, an uploaded file, or both), and a PLAR request with
// evidence. Each form is labelled, works by keyboard and shows progress; every write goes
// through `ctx.api`, where the server re-checks it with the core. Decides nothing itself.

import { h } from '../../dom.mjs';
import { methodWords } from './words.mjs';

let unique = 0;
/** A fresh id for a label's `for`. */
function fieldId(prefix) {
  unique += 1;
  return `${prefix}-${unique}`;
}

/** A labelled field: `[label, control]` in a `.field`. */
function field(label, control, help) {
  const id = control.id || fieldId('f');
  control.id = id;
  const helpEl = help ? h('p', { class: 'field-help', id: `${id}-help`, text: help }) : null;
  if (helpEl) control.setAttribute('aria-describedby', helpEl.id);
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), control, helpEl);
}

/** The evidence a form names: an uploaded file (when chosen) and a link (when given). */
async function collectEvidence(ctx, urlInput, fileInput) {
  const evidence = [];
  const url = urlInput.value.trim();
  if (url) evidence.push({ url });
  const file = fileInput.files?.[0];
  if (file) {
    ctx.status(ctx.t('learner.uploading', { name: file.name }), 'busy');
    const bytes = new Uint8Array(await file.arrayBuffer());
    const stored = await ctx.api.upload('/api/me/evidence-files', bytes, file.type || 'application/octet-stream');
    evidence.push({ file: stored.sha256 });
  }
  return evidence;
}

function evidenceInputs(ctx) {
  const url = h('input', { type: 'url', name: 'url', autocomplete: 'url', inputmode: 'url', placeholder: 'https://' });
  const file = h('input', { type: 'file', name: 'file' });
  return {
    url,
    file,
    fields: [field(ctx.t('learner.evidence_link'), url, ctx.t('learner.evidence_help')), field(ctx.t('learner.evidence_file'), file)],
  };
}

/** Whether a link or a file is given; says so on the link field when neither is. */
function hasEvidence(ctx, inputs) {
  const given = inputs.url.value.trim() !== '' || inputs.file.files?.length > 0;
  inputs.url.setCustomValidity(given ? '' : ctx.t('learner.evidence_missing'));
  if (!given) inputs.url.reportValidity();
  return given;
}

/** The answer control of one item. */
function itemControl(ctx, item) {
  const name = `item-${item.id}`;
  if (item.answer_type === 'single_choice' || item.answer_type === 'multiple_choice') {
    const type = item.answer_type === 'single_choice' ? 'radio' : 'checkbox';
    return h('div', { class: 'choices' }, item.choices.map((c) => {
      const id = fieldId('choice');
      return h('div', { class: 'checkbox' },
        h('input', { type, id, name, value: c.id, required: type === 'radio' }),
        h('label', { for: id, text: c.text }));
    }));
  }
  const input = h('input', {
    type: 'text', name, autocomplete: 'off', required: true,
    inputmode: item.answer_type === 'numeric' ? 'decimal' : undefined,
  });
  return field(ctx.t('learner.item_answer'), input);
}

/** The item set's form; `done(message)` after the server scored it. */
function itemSetForm(ctx, assessment, set, done) {
  const form = h('form', { class: 'attempt-form', 'data-form': 'items' },
    h('fieldset', {},
      h('legend', { text: ctx.t('learner.items_legend', { title: assessment.title }) }),
      set.items.map((item) => h('fieldset', { class: 'item', 'data-item': item.id },
        h('legend', { text: `${item.prompt} (${ctx.t('learner.item_points', { count: Number(item.points) })})` }),
        itemControl(ctx, item))),
      h('button', { type: 'submit', text: ctx.t('learner.submit_answers') })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answers = {};
    for (const item of set.items) {
      const inputs = [...form.querySelectorAll(`[name="item-${CSS.escape(item.id)}"]`)];
      if (item.answer_type === 'multiple_choice') answers[item.id] = inputs.filter((i) => i.checked).map((i) => i.value);
      else if (item.answer_type === 'single_choice') {
        const chosen = inputs.find((i) => i.checked);
        if (chosen) answers[item.id] = chosen.value;
      } else answers[item.id] = inputs[0].value.trim();
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await ctx.progress(ctx.t('learner.submitting'),
        ctx.api.post(`/api/me/item-sets/${encodeURIComponent(assessment.id)}/answers`, { answers }));
      await done({ assessment: assessment.id });
    } catch {
      button.disabled = false;
    }
  });
  return form;
}

/** The evidence form of a rubric-graded assessment. */
function evidenceForm(ctx, assessment, done) {
  const inputs = evidenceInputs(ctx);
  const form = h('form', { class: 'attempt-form', 'data-form': 'evidence' },
    h('fieldset', {},
      h('legend', { text: ctx.t('learner.evidence_legend', { title: assessment.title }) }),
      inputs.fields,
      h('button', { type: 'submit', text: ctx.t('learner.submit_evidence') })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!hasEvidence(ctx, inputs)) return;
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await ctx.progress(ctx.t('learner.submitting'), async () => {
        const evidence = await collectEvidence(ctx, inputs.url, inputs.file);
        await ctx.api.post('/api/me/submissions', { assessment: assessment.id, evidence });
      });
      await done({ assessment: assessment.id, pending: true });
    } catch {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * The "start an attempt" control of an assessment whose next step (the core's) is an
 * attempt: a disclosure button that loads the item set, or offers the evidence form when
 * the assessment has none.
 */
export function attemptAction(ctx, assessment, rec, done) {
  if (rec.next?.step !== 'attempt') return null;
  const region = h('div', { class: 'attempt-region', id: fieldId('attempt'), hidden: true });
  const button = h('button', {
    type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': region.id,
    'data-start': assessment.id, text: ctx.t('learner.start_attempt', { title: assessment.title }),
  });
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') === 'true';
    button.setAttribute('aria-expanded', String(!open));
    region.hidden = open;
    if (open || region.childElementCount > 0) return;
    let set = null;
    try {
      set = await ctx.progress(ctx.t('shell.loading'), ctx.api.get(`/api/item-sets/${encodeURIComponent(assessment.id)}`).catch((error) => {
        if (error.status === 404) return null;
        throw error;
      }));
    } catch {
      return;
    }
    region.append(set ? itemSetForm(ctx, assessment, set, done) : evidenceForm(ctx, assessment, done));
    region.querySelector('input, select, textarea')?.focus();
  });
  return h('div', { class: 'attempt-action' }, button, region);
}

/** The PLAR section: what the definition offers, the request form, the learner's requests. */
export function plarSection(ctx, definition, requests, done) {
  const t = ctx.t;
  const plar = definition.plar;
  const section = h('section', { class: 'learner-section plar', 'aria-label': t('learner.plar') }, h('h3', { text: t('learner.plar') }));
  if (!plar?.methods?.length) {
    section.append(h('p', { class: 'muted', text: t('learner.plar_none') }));
    return section;
  }
  section.append(h('p', { text: t('learner.plar_offer', { methods: plar.methods.map((m) => methodWords(t, m)).join(', ') }) }));
  const method = h('select', { name: 'method' }, plar.methods.map((m) => h('option', { value: m, text: methodWords(t, m) })));
  const competency = h('select', { name: 'competency' }, (definition.competencies ?? []).map((c) => h('option', { value: c.id, text: `${c.id} — ${c.statement}` })));
  const statement = h('textarea', { name: 'statement', rows: '3' });
  const inputs = evidenceInputs(ctx);
  const form = h('form', { class: 'plar-form', 'data-form': 'plar' },
    field(t('learner.plar_method'), method),
    field(t('learner.plar_competency'), competency),
    inputs.fields,
    field(t('learner.plar_statement'), statement),
    h('button', { type: 'submit', text: t('learner.plar_submit') }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!hasEvidence(ctx, inputs)) return;
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await ctx.progress(t('learner.submitting'), async () => {
        const evidence = await collectEvidence(ctx, inputs.url, inputs.file);
        const body = { credential: definition.id, method: method.value, competency: competency.value, evidence };
        if (statement.value.trim()) body.statement = statement.value.trim();
        await ctx.api.post('/api/me/plar-requests', body);
      });
      await done({ plar: true });
    } catch {
      button.disabled = false;
    }
  });
  section.append(form);
  const mine = requests.filter((r) => r.request?.credential === definition.id);
  if (mine.length) {
    section.append(h('h4', { text: t('learner.plar_requests') }), h('ul', {}, mine.map((r) => h('li', {
      text: t('learner.plar_request_line', {
        method: methodWords(t, r.request.method),
        target: r.request.competency ?? r.request.component ?? definition.name,
        when: t.when(r.created_at),
      }),
    }))));
  }
  return section;
}
