// PLAR decisions: the learners' requests for recognition of prior learning
// (`GET /api/plar-requests`), each with its evidence, and a decision form that writes the
// core's `plar_granted` or `plar_denied` through `POST /api/learners/{sub}/plar-decisions`
// (naming the request). A request is decided when the learner's history holds a decision
// that names it; the server and the core check the decision (methods allowed, share cap).

import { h, fill } from '../../dom.mjs';
import { forget } from './parts/course_cache.mjs';
import { card, errorText, evidenceLink, field, statusLine, uid } from '../parts/ui.mjs';

/** Mounts the list into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const { section, body } = card(t('instructor.plar_title'), 'h1');
  const status = statusLine();
  const list = h('div', { class: 'plar-requests' });
  fill(root, section);
  body.append(h('p', { class: 'hint', text: t('instructor.plar_intro') }), status.el, list);

  const load = async () => {
    status.busy(t('instructor.plar_loading'));
    const requests = await ctx.api.get('/api/plar-requests');
    const learners = [...new Set(requests.map((r) => r.learner_sub))];
    const decisions = new Map();
    let done = 0;
    for (const sub of learners) {
      const history = await ctx.api.get(`/api/learners/${encodeURIComponent(sub)}/history`);
      for (const entry of history) {
        const type = entry.event?.type;
        if ((type === 'plar_granted' || type === 'plar_denied') && entry.meta?.request) {
          decisions.set(entry.meta.request, { type, at: entry.event.at, by: entry.author_sub, reason: entry.event.reason });
        }
      }
      done += 1;
      status.busy(t('instructor.plar_loading'), done, learners.length);
    }
    return { requests, decisions };
  };

  const draw = async (message) => {
    let data;
    try {
      data = await load();
    } catch (error) {
      status.fail(errorText(t, error));
      return;
    }
    const open = data.requests.filter((r) => !data.decisions.has(r.id));
    const closed = data.requests.filter((r) => data.decisions.has(r.id));
    fill(list,
      h('h2', { text: t('instructor.plar_open', { count: open.length }) }),
      open.length
        ? h('ul', { class: 'queue-items' }, open.map((r) => h('li', {}, requestCard(ctx, r, null, status, draw))))
        : h('p', { class: 'empty', text: t('instructor.plar_none_open') }),
      closed.length ? h('h2', { text: t('instructor.plar_decided', { count: closed.length }) }) : null,
      closed.length
        ? h('ul', { class: 'queue-items' }, closed.map((r) => h('li', {}, requestCard(ctx, r, data.decisions.get(r.id), status, draw))))
        : null);
    status.done(message ?? t('instructor.plar_loaded', { count: data.requests.length }));
  };
  await draw();
}

/** One request: what was asked, the evidence, and the decision (or its form). */
function requestCard(ctx, request, decision, status, redraw) {
  const { t } = ctx;
  const asked = request.request ?? {};
  const titleId = uid('plar');
  const target = asked.competency ?? asked.component ?? '';
  const facts = h('dl', { class: 'facts' },
    h('dt', { text: t('instructor.plar_credential') }), h('dd', { text: asked.credential ?? '' }),
    h('dt', { text: t('instructor.plar_method') }), h('dd', { text: t(`instructor.plar_${asked.method}`) }),
    h('dt', { text: asked.competency ? t('instructor.plar_competency') : t('instructor.plar_component') }), h('dd', { text: target }),
    h('dt', { text: t('instructor.plar_asked_at') }), h('dd', { text: t.when(request.created_at) }));
  const evidence = (asked.evidence ?? []).map((e) => h('li', {}, evidenceLink(ctx, request.learner_sub, e)));
  const parts = [
    h('h3', { id: titleId, text: t('instructor.plar_request_title', { learner: request.learner_sub, target }) }),
    facts,
    asked.statement ? h('blockquote', { class: 'statement', text: asked.statement }) : null,
    evidence.length ? h('ul', { class: 'evidence', 'aria-label': t('instructor.grading_evidence') }, evidence) : null,
  ];
  if (decision) {
    parts.push(h('p', {
      class: `chip ${decision.type === 'plar_granted' ? 'chip-good' : 'chip-bad'}`,
      text: t(decision.type === 'plar_granted' ? 'instructor.plar_was_granted' : 'instructor.plar_was_denied',
        { at: t.when(decision.at), by: decision.by }),
    }));
    if (decision.reason) parts.push(h('p', { text: t('instructor.plar_reason_was', { reason: decision.reason }) }));
  } else {
    parts.push(decisionForm(ctx, request, status, redraw));
  }
  return h('article', { class: 'card queue-item', 'aria-labelledby': titleId, 'data-request': request.id, 'data-learner': request.learner_sub }, parts);
}

function decisionForm(ctx, request, status, redraw) {
  const { t } = ctx;
  const asked = request.request ?? {};
  const name = uid('decision');
  const radio = (value, label) => {
    const input = h('input', { type: 'radio', name, value, required: true });
    return { input, el: h('label', { class: 'check' }, input, ` ${label}`) };
  };
  const grant = radio('granted', t('instructor.plar_grant'));
  const deny = radio('denied', t('instructor.plar_deny'));
  const note = field(t('instructor.plar_evidence_note'), h('textarea', { rows: '3', maxlength: '4000' }),
    t('instructor.plar_evidence_note_hint'));
  const reason = field(t('instructor.plar_reason'), h('textarea', { rows: '2', maxlength: '1000' }),
    t('instructor.plar_reason_hint'));
  const submit = h('button', { type: 'submit', class: 'primary', text: t('instructor.plar_record') });
  const form = h('form', { class: 'grade-form' },
    h('fieldset', {}, h('legend', { text: t('instructor.plar_decision') }), h('div', { class: 'checks' }, grant.el, deny.el)),
    note.wrap, reason.wrap, h('div', { class: 'actions' }, submit));
  const sync = () => {
    reason.input.required = deny.input.checked;
  };
  form.addEventListener('change', sync);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    sync();
    if (!form.reportValidity()) return;
    submit.disabled = true;
    const decision = grant.input.checked ? 'granted' : 'denied';
    const refs = (asked.evidence ?? []).map((e) => e.url ?? (e.file ? `sha256:${e.file}` : '')).filter(Boolean);
    const body = {
      decision,
      credential: asked.credential,
      method: asked.method,
      // What the assessor considered: their note, or the learner's evidence as listed.
      evidence: note.input.value.trim() || refs.join(', ') || null,
      reason: reason.input.value.trim() || null,
      request: request.id,
    };
    if (asked.competency) body.competency = asked.competency;
    if (asked.component) body.component = asked.component;
    status.busy(t('instructor.plar_saving'));
    try {
      await ctx.api.post(`/api/learners/${encodeURIComponent(request.learner_sub)}/plar-decisions`, body);
      forget(ctx.api);
      await redraw(t(decision === 'granted' ? 'instructor.plar_granted_done' : 'instructor.plar_denied_done',
        { learner: request.learner_sub }));
    } catch (error) {
      status.fail(errorText(t, error));
      submit.disabled = false;
    }
  });
  return form;
}
