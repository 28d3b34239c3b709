// The issuance log: the context's credentials (`GET /api/credentials`, paged) with their
// status at the server's now, and revoke, suspend and unsuspend with a reason
// (`POST /api/credentials/{id}/revoke|suspend|unsuspend`; the server re-signs the status
// list in the same request). Revoking asks for confirmation: it cannot be undone.

import { h, fill } from '../../dom.mjs';
import { forget } from './parts/course_cache.mjs';
import { card, errorText, field, statusLine, uid } from '../parts/ui.mjs';

const PAGE = 50;

/** Mounts the log into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const { section, body } = card(t('instructor.issuance_title'), 'h1');
  const status = statusLine();
  const table = h('table', { class: 'issuance' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, text: t('instructor.issuance_more') });
  const dialogHost = h('div');
  fill(root, section);
  body.append(status.el,
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('instructor.issuance_title') }, table),
    more, dialogHost);
  const items = [];
  let next = null;

  const page = async (after) => {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (after) query.set('after', after);
    return ctx.api.get(`/api/credentials?${query}`);
  };
  const draw = () => {
    fill(table,
      h('caption', { class: 'visually-hidden', text: t('instructor.issuance_caption') }),
      h('thead', {}, h('tr', {},
        ['learner', 'credential', 'issued', 'valid_until', 'status', 'actions'].map((c) =>
          h('th', { scope: 'col', text: t(`instructor.issuance_col_${c}`) })))),
      h('tbody', {}, items.map((item) => row(item))));
    more.hidden = !next;
  };
  const row = (item) => {
    const actions = [];
    const act = (kind, label) => {
      const button = h('button', { type: 'button', class: kind === 'revoke' ? 'danger' : 'secondary', text: label,
        'aria-label': t(`instructor.issuance_${kind}_label`, { learner: item.learner_sub, credential: item.definition_id }) });
      button.addEventListener('click', () => openDialog(ctx, dialogHost, item, kind, status, (changed) => {
        const i = items.findIndex((x) => x.id === changed.id);
        if (i >= 0) items[i] = changed;
        forget(ctx.api);
        draw();
        // Focus returns to the changed row's first control.
        table.querySelector(`tr[data-id="${CSS.escape(changed.id)}"] button, tr[data-id="${CSS.escape(changed.id)}"] a`)?.focus();
      }, button));
      actions.push(button);
    };
    if (item.status !== 'revoked') {
      if (item.suspended_at) act('unsuspend', t('instructor.issuance_unsuspend'));
      else act('suspend', t('instructor.issuance_suspend'));
      act('revoke', t('instructor.issuance_revoke'));
    }
    const note = item.revoked_reason ? t('instructor.issuance_revoked_note', { reason: item.revoked_reason, at: t.when(item.revoked_at) })
      : item.suspended_reason ? t('instructor.issuance_suspended_note', { reason: item.suspended_reason, at: t.when(item.suspended_at) })
        : null;
    return h('tr', { 'data-id': item.id, 'data-learner': item.learner_sub, 'data-status': item.status },
      h('th', { scope: 'row', text: item.learner_sub }),
      h('td', {}, h('a', { href: item.url, target: '_blank', rel: 'noopener', text: `${item.definition_id} ${item.version}` })),
      h('td', { text: t.when(item.issued_at) }),
      h('td', { text: item.valid_until ? t.day(item.valid_until) : t('instructor.issuance_no_expiry') }),
      h('td', {}, h('span', { class: `chip ${chipOf(item.status)}`, text: t(`instructor.issuance_status_${item.status}`) }),
        note ? h('span', { class: 'hint block', text: note }) : null),
      h('td', { class: 'buttons' }, actions));
  };
  const load = async (after) => {
    status.busy(t('instructor.issuance_loading'));
    try {
      const answer = await page(after);
      items.push(...answer.items);
      next = answer.next ?? null;
      draw();
      status.done(t('instructor.issuance_loaded', { count: items.length }));
    } catch (error) {
      status.fail(errorText(t, error));
    }
  };
  more.addEventListener('click', () => load(next));
  await load(null);
}

function chipOf(status) {
  if (status === 'valid') return 'chip-good';
  if (status === 'revoked') return 'chip-bad';
  if (status === 'suspended' || status === 'expired') return 'chip-warn';
  return 'chip-neutral';
}

/** A modal dialog asking for the reason (and, to revoke, a confirmation). */
function openDialog(ctx, host, item, kind, status, changed, opener) {
  const { t } = ctx;
  const titleId = uid('dialog');
  const reason = field(t(kind === 'unsuspend' ? 'instructor.issuance_reason_optional' : 'instructor.issuance_reason'),
    h('textarea', { rows: '3', maxlength: '1000', required: kind !== 'unsuspend' }));
  const confirm = h('input', { type: 'checkbox', required: true });
  const submit = h('button', { type: 'submit', class: kind === 'revoke' ? 'danger' : 'primary', text: t(`instructor.issuance_${kind}`) });
  const cancel = h('button', { type: 'button', class: 'secondary', text: t('instructor.cancel') });
  const form = h('form', { method: 'dialog' },
    h('h2', { id: titleId, text: t(`instructor.issuance_${kind}_title`, { learner: item.learner_sub, credential: item.definition_id }) }),
    kind === 'revoke' ? h('p', { class: 'notice notice-warn', text: t('instructor.issuance_revoke_warning') }) : null,
    reason.wrap,
    kind === 'revoke' ? h('label', { class: 'check' }, confirm, ` ${t('instructor.issuance_revoke_confirm')}`) : null,
    h('div', { class: 'buttons' }, submit, cancel));
  const dialog = h('dialog', { 'aria-labelledby': titleId }, form);
  fill(host, dialog);
  const close = () => {
    dialog.close();
    dialog.remove();
    opener.focus();
  };
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    submit.disabled = true;
    status.busy(t('instructor.issuance_saving'));
    try {
      const text = reason.input.value.trim();
      const answer = await ctx.api.post(`/api/credentials/${encodeURIComponent(item.id)}/${kind}`,
        text ? { reason: text } : {});
      dialog.close();
      dialog.remove();
      status.done(t(`instructor.issuance_${kind}_done`, { learner: item.learner_sub, credential: item.definition_id }));
      changed(answer);
    } catch (error) {
      status.fail(errorText(t, error));
      submit.disabled = false;
    }
  });
  dialog.showModal();
  reason.input.focus();
}
