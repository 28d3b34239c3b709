// The admin view: the server's admin token unlocks registrations and their deployments, each
// registration's issuer profile (name, URL, image, email) and signing-key rotation; the
// tool's own keys (its JWKS) are listed; install values for Canvas and Moodle come from the
// server's config pages, with copy buttons. Writes go to `/api/admin/…`, which checks them.

import { h, fill } from '../../dom.mjs';
import { card, errorText, field, select, statusLine, uid } from '../parts/ui.mjs';
import { adminApi, publicJson } from './parts/admin_api.mjs';
import { installSection } from './parts/install.mjs';

/** Mounts the view into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const { section, body } = card(t('admin.title'), 'h1');
  const status = statusLine();
  const content = h('div', { class: 'admin-content' });
  fill(root, section);
  const token = field(t('admin.token'), h('input', { type: 'password', autocomplete: 'off', required: true, minlength: '16' }),
    t('admin.token_hint'));
  const connect = h('button', { type: 'submit', class: 'primary', text: t('admin.connect') });
  const form = h('form', { class: 'inline-form' }, token.wrap, connect);
  body.append(h('p', { class: 'hint', text: t('admin.intro') }), form, status.el, content);
  const install = h('div');
  const keys = h('div');
  root.append(install, keys);
  installSection(ctx, install).catch((error) => status.fail(errorText(t, error)));
  toolKeys(ctx, keys).catch((error) => status.fail(errorText(t, error)));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const api = adminApi(token.input.value.trim());
    status.busy(t('admin.loading'));
    try {
      await registrations(ctx, api, content, status);
      status.done(t('admin.connected'));
    } catch (error) {
      status.fail(errorText(t, error));
    }
  });
}

/** The tool's public keys (`/.well-known/jwks.json`) and how to rotate them. */
async function toolKeys(ctx, host) {
  const { t } = ctx;
  const { section, body } = card(t('admin.tool_keys_title'));
  fill(host, section);
  const jwks = await publicJson('/.well-known/jwks.json');
  body.append(
    h('p', { class: 'hint', text: t('admin.tool_keys_intro') }),
    h('ul', {}, (jwks.keys ?? []).map((k) => h('li', {}, h('code', { text: k.kid ?? '' }), ` · ${k.alg ?? ''} · ${k.kty ?? ''}`))),
    h('p', { text: t('admin.tool_keys_rotate') }),
    h('pre', {}, h('code', { text: 'cairn-lti keys rotate' })));
}

/** Registrations, each with deployments, issuer profile and key rotation; and the add form. */
async function registrations(ctx, api, host, status) {
  const { t } = ctx;
  const list = await api.get('/api/admin/registrations');
  const redraw = async (message) => {
    try {
      await registrations(ctx, api, host, status);
      status.done(message);
    } catch (error) {
      status.fail(errorText(t, error));
    }
  };
  const items = [];
  for (const reg of list) items.push(await registrationCard(ctx, api, reg, status, redraw));
  fill(host,
    h('h2', { text: t('admin.registrations', { count: list.length }) }),
    items.length ? h('ul', { class: 'queue-items' }, items.map((i) => h('li', {}, i))) : h('p', { text: t('admin.no_registrations') }),
    addRegistrationForm(ctx, api, status, redraw));
}

async function registrationCard(ctx, api, reg, status, redraw) {
  const { t } = ctx;
  const key = { issuer: reg.issuer, client_id: reg.client_id };
  const titleId = uid('reg');
  const deployments = await api.get('/api/admin/deployments', key);
  let issuer = null;
  try {
    issuer = await api.get('/api/admin/issuer', key);
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const guarded = (label, work) => async () => {
    status.busy(label);
    try {
      await redraw(await work());
    } catch (error) {
      status.fail(errorText(t, error));
    }
  };

  const depRows = deployments.map((d) => {
    const remove = h('button', { type: 'button', class: 'secondary',
      text: t('admin.remove'), 'aria-label': t('admin.remove_deployment', { id: d.deployment_id }) });
    remove.addEventListener('click', () => {
      if (!window.confirm(t('admin.remove_deployment_confirm', { id: d.deployment_id }))) return;
      guarded(t('admin.saving'), async () => {
        await api.del('/api/admin/deployments', { ...key, deployment_id: d.deployment_id });
        return t('admin.deployment_removed', { id: d.deployment_id });
      })();
    });
    return h('tr', {}, h('th', { scope: 'row', text: d.deployment_id }), h('td', { text: d.origin ?? '' }),
      h('td', { text: t.when(d.created_at) }), h('td', {}, remove));
  });
  const depId = field(t('admin.deployment_id'), h('input', { type: 'text', required: true, autocomplete: 'off' }));
  const depForm = h('form', { class: 'inline-form' }, depId.wrap, h('button', { type: 'submit', text: t('admin.add_deployment') }));
  depForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!depForm.reportValidity()) return;
    guarded(t('admin.saving'), async () => {
      await api.post('/api/admin/deployments', undefined, { ...key, deployment_id: depId.input.value.trim() });
      return t('admin.deployment_added', { id: depId.input.value.trim() });
    })();
  });

  const profile = issuer?.profile ?? {};
  const pf = (name, type, required = false) => field(t(`admin.issuer_${name}`),
    h(name === 'description' ? 'textarea' : 'input', { type: name === 'description' ? undefined : type, value: name === 'description' ? undefined : profile[name] ?? '', required, autocomplete: 'off' }));
  const name = pf('name', 'text', true);
  const url = pf('url', 'url');
  const email = pf('email', 'email');
  const image = pf('image', 'url');
  const description = pf('description');
  description.input.value = profile.description ?? '';
  const profileForm = h('form', { class: 'grade-form', 'aria-label': t('admin.issuer_title') },
    name.wrap, url.wrap, email.wrap, image.wrap, description.wrap,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', text: t('admin.issuer_save') })));
  profileForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!profileForm.reportValidity()) return;
    const value = (f) => f.input.value.trim() || null;
    guarded(t('admin.saving'), async () => {
      await api.put('/api/admin/issuer', key, {
        name: name.input.value.trim(), url: value(url), email: value(email), image: value(image), description: value(description),
      });
      return t('admin.issuer_saved');
    })();
  });
  const rotate = h('button', { type: 'button', class: 'secondary', text: t('admin.issuer_rotate') });
  rotate.addEventListener('click', () => {
    if (!window.confirm(t('admin.issuer_rotate_confirm'))) return;
    guarded(t('admin.rotating'), async () => {
      const answer = await api.post('/api/admin/issuer/rotate-key', key);
      return t('admin.issuer_rotated', { key: answer.key_id });
    })();
  });
  const removeReg = h('button', { type: 'button', class: 'danger', text: t('admin.remove_registration') });
  removeReg.addEventListener('click', () => {
    if (!window.confirm(t('admin.remove_registration_confirm', { issuer: reg.issuer, client: reg.client_id }))) return;
    guarded(t('admin.saving'), async () => {
      await api.del('/api/admin/registrations', key);
      return t('admin.registration_removed');
    })();
  });

  return h('article', { class: 'card', 'aria-labelledby': titleId },
    h('h3', { id: titleId, text: t('admin.registration_title', { issuer: reg.issuer, client: reg.client_id }) }),
    h('dl', { class: 'facts' },
      h('dt', { text: t('admin.family') }), h('dd', { text: reg.platform_family ?? '' }),
      h('dt', { text: t('admin.auth_endpoint') }), h('dd', { text: reg.auth_endpoint }),
      h('dt', { text: t('admin.token_endpoint') }), h('dd', { text: reg.token_endpoint }),
      h('dt', { text: t('admin.jwks_url') }), h('dd', { text: reg.jwks_url }),
      h('dt', { text: t('admin.auto_deployments') }), h('dd', { text: t(reg.auto_register_deployments ? 'admin.yes' : 'admin.no') })),
    h('h4', { text: t('admin.deployments', { count: deployments.length }) }),
    h('div', { class: 'table-scroll' }, h('table', {},
      h('caption', { class: 'visually-hidden', text: t('admin.deployments', { count: deployments.length }) }),
      h('thead', {}, h('tr', {}, ['deployment_id', 'origin', 'created', 'actions'].map((c) => h('th', { scope: 'col', text: t(`admin.col_${c}`) })))),
      h('tbody', {}, depRows))),
    depForm,
    h('h4', { text: t('admin.issuer_title') }),
    issuer ? null : h('p', { class: 'hint', text: t('admin.issuer_none') }),
    profileForm,
    issuer ? h('ul', {}, (issuer.keys ?? []).map((k) => h('li', {}, h('code', { text: k.key_id }), ` · ${k.status}`))) : null,
    h('div', { class: 'buttons' }, issuer ? rotate : null, removeReg));
}

function addRegistrationForm(ctx, api, status, redraw) {
  const { t } = ctx;
  const input = (type = 'url') => h('input', { type, required: true, autocomplete: 'off' });
  const issuer = field(t('admin.issuer'), input());
  const client = field(t('admin.client_id'), input('text'));
  const auth = field(t('admin.auth_endpoint'), input());
  const token = field(t('admin.token_endpoint'), input());
  const jwks = field(t('admin.jwks_url'), input());
  const family = field(t('admin.family'), select([['canvas', 'Canvas'], ['moodle', 'Moodle'], ['other', t('admin.family_other')]], 'canvas'));
  const autoDep = h('input', { type: 'checkbox' });
  const form = h('form', { class: 'card grade-form', 'aria-labelledby': 'admin-add-title' },
    h('h2', { id: 'admin-add-title', text: t('admin.add_registration') }),
    issuer.wrap, client.wrap, auth.wrap, token.wrap, jwks.wrap, family.wrap,
    h('label', { class: 'check' }, autoDep, ` ${t('admin.auto_deployments')}`),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', text: t('admin.add_registration') })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    status.busy(t('admin.saving'));
    try {
      await api.post('/api/admin/registrations', undefined, {
        issuer: issuer.input.value.trim(),
        client_id: client.input.value.trim(),
        auth_endpoint: auth.input.value.trim(),
        token_endpoint: token.input.value.trim(),
        jwks_url: jwks.input.value.trim(),
        platform_family: family.input.value,
        auto_register_deployments: autoDep.checked,
      });
      await redraw(t('admin.registration_added'));
    } catch (error) {
      status.fail(errorText(t, error));
    }
  });
  return form;
}
