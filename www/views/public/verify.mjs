// The public verify page (`/verify/`): paste a link to a credential on this server, or drop
// its JSON or a baked PNG/SVG. Cairn's verifier (the core in WebAssembly) runs in the browser
// at the browser's clock, with each status list the credential names when this origin serves
// it (revocation and suspension: the first failing report is shown), and each check of
// `spec/badges.md` §6 is listed in plain words. Nothing is uploaded.

import { fill, h } from '../../dom.mjs';
import { coreInstant, sameOriginStatusLists } from '../../credential_inputs.mjs';
import { readInput, reportWords } from './verify_words.mjs';

const CREDENTIAL_TYPES = 'application/vc+ld+json, application/ld+json;q=0.9, application/json;q=0.8';

/** The status lists the credential names on this origin, as texts (those that answer). */
async function statusListsFor(credentialText) {
  let credential;
  try {
    credential = JSON.parse(credentialText);
  } catch {
    return [];
  }
  const texts = [];
  for (const url of sameOriginStatusLists(credential, window.location.href)) {
    const answer = await fetch(url, { headers: { Accept: CREDENTIAL_TYPES } }).catch(() => undefined);
    if (answer?.ok) texts.push(await answer.text());
  }
  return texts;
}

/** Mounts the verify page. */
export function mount(root, ctx) {
  const { t } = ctx;
  const result = h('div', { class: 'verify-result', id: 'verify-result', role: 'status', 'aria-live': 'polite' });

  const show = (report, source) => {
    const words = reportWords(t, report);
    fill(result,
      h('h2', { tabindex: '-1', text: t('public.verify_result') }),
      h('p', { class: report.verified ? 'notice notice-good verify-ok' : 'notice notice-bad verify-failed', 'data-verified': String(report.verified), text: words.headline }),
      h('p', { class: 'muted', text: t('public.verify_source', { source }) }),
      words.reasons.length ? h('ul', { class: 'verify-reasons' }, words.reasons.map((r) => h('li', { text: r }))) : null,
      words.warnings.length ? h('ul', { class: 'verify-warnings' }, words.warnings.map((w) => h('li', { class: 'verify-warning', text: w }))) : null,
      h('h3', { text: t('public.verify_checks') }),
      h('ul', { class: 'checks' }, words.checks.map((c) => h('li', { class: `check check-${c.outcome}`, 'data-check': c.id },
        h('strong', { text: `${c.name}: ${c.outcome_words}` }), c.reason ? ` — ${c.reason}` : ''))));
    result.querySelector('h2').focus();
  };

  const verify = async (input, source) => {
    const verifier = await ctx.progress(t('public.verify_loading'), ctx.loadVerifier());
    await ctx.progress(t('public.verify_running'), async () => {
      const now = coreInstant(new Date());
      const credentialText = input.kind === 'json' ? input.text : verifier.extractCredential(input.bytes).text;
      const statusLists = await statusListsFor(credentialText).catch(() => []);
      // The core checks one list per call: one report per list, the first failing one shown.
      const reports = (statusLists.length > 0 ? statusLists : [undefined]).map((statusList) => {
        const options = { now };
        if (statusList !== undefined) options.status_list = statusList;
        return input.kind === 'json'
          ? verifier.verifyCredential(input.text, JSON.stringify(options))
          : verifier.verifyBadgeImage(input.bytes, JSON.stringify(options));
      });
      show(reports.find((r) => !r.verified) ?? reports[0], source);
    }).catch((error) => {
      fill(result, h('p', { class: 'notice notice-bad verify-failed', 'data-verified': 'false', text: t('public.verify_unreadable', { message: error.message }) }));
    });
  };

  // A link to a credential on this server.
  const link = h('input', { type: 'url', id: 'verify-link', name: 'link', autocomplete: 'off', required: true, placeholder: `${window.location.origin}/credentials/…` });
  const linkForm = h('form', { class: 'inline-form', 'data-form': 'link' },
    h('div', { class: 'field' }, h('label', { for: 'verify-link', text: t('public.verify_link') }), link),
    h('button', { type: 'submit', text: t('public.verify_button') }));
  linkForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    let url;
    try {
      url = new URL(link.value.trim(), window.location.href);
    } catch {
      link.setCustomValidity(t('public.verify_bad_link'));
      link.reportValidity();
      return;
    }
    if (url.origin !== window.location.origin) {
      link.setCustomValidity(t('public.verify_other_origin'));
      link.reportValidity();
      return;
    }
    link.setCustomValidity('');
    const text = await ctx.progress(t('public.verify_fetching'), async () => {
      const answer = await fetch(url, { headers: { Accept: CREDENTIAL_TYPES } });
      if (!answer.ok) throw Object.assign(new Error(t('public.verify_fetch_failed', { status: answer.status })), { code: 'http_error' });
      return answer.text();
    }).catch(() => null);
    if (text !== null) await verify({ kind: 'json', text }, url.href);
  });

  // A file: JSON, or a baked PNG or SVG.
  const file = h('input', { type: 'file', id: 'verify-file', name: 'file', accept: '.json,.jsonld,.png,.svg,application/json,application/ld+json,image/png,image/svg+xml' });
  const fromFile = async (chosen) => {
    if (!chosen) return;
    const bytes = new Uint8Array(await chosen.arrayBuffer());
    await verify(readInput(bytes), chosen.name);
  };
  file.addEventListener('change', () => fromFile(file.files?.[0]));
  const drop = h('div', { class: 'dropzone', 'data-dropzone': '' },
    h('p', { text: t('public.verify_drop') }),
    h('div', { class: 'field' }, h('label', { for: 'verify-file', text: t('public.verify_file') }), file));
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('dragging');
    fromFile(event.dataTransfer?.files?.[0]);
  });

  root.append(
    h('section', { class: 'card' },
      h('h1', { tabindex: '-1', text: t('public.verify_title') }),
      h('p', { text: t('public.verify_intro') }),
      linkForm,
      drop),
    h('section', { class: 'card' }, result));
}
