// Small pieces the instructor and admin views share: a live status line with a progress bar
// for long actions, the API's refusals in words, file downloads and form fields with labels.
// Presentation only.

import { h, fill } from '../../dom.mjs';

let fieldCount = 0;

// The views' stylesheet, once per page (a <link>, which the CSP allows; no inline style).
if (typeof document !== 'undefined' && !document.querySelector('link[data-teach-css]')) {
  document.head.append(h('link', { rel: 'stylesheet', href: new URL('./teach.css', import.meta.url).href, 'data-teach-css': '' }));
}

/** A unique id for a control and its label. */
export function uid(prefix) {
  fieldCount += 1;
  return `${prefix}-${fieldCount}`;
}

/**
 * A status line (`role=status`, polite) with an optional progress bar: `busy(text, done,
 * total)` shows progress (an indeterminate bar when `total` is unknown), `done(text)` and
 * `fail(text)` end it.
 */
export function statusLine() {
  const text = h('span', { class: 'status-text' });
  const bar = h('progress', { class: 'status-progress', hidden: true });
  const el = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' }, text, bar);
  return {
    el,
    busy(message, done = null, total = null) {
      text.textContent = message;
      el.classList.remove('status-error');
      el.setAttribute('aria-busy', 'true');
      bar.hidden = false;
      if (total) {
        bar.max = total;
        bar.value = done ?? 0;
      } else {
        bar.removeAttribute('value');
      }
      bar.setAttribute('aria-label', message);
    },
    done(message) {
      text.textContent = message;
      el.classList.remove('status-error');
      el.removeAttribute('aria-busy');
      bar.hidden = true;
    },
    fail(message) {
      text.textContent = message;
      el.classList.add('status-error');
      el.removeAttribute('aria-busy');
      bar.hidden = true;
    },
  };
}

/** An API or core error in words: the server's (or core's) code and message. */
export function errorText(t, error) {
  const code = error?.code ?? 'error';
  return t('shell.failed', { code, message: error?.message ?? String(error) });
}

/** Offers `text` as a file download named `name`. */
export function download(name, text, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A labelled control: `{wrap, input}`; `control` is an element whose id the label names. */
export function field(label, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const wrap = h('div', { class: 'field' }, h('label', { for: id, text: label }), control, hintEl);
  return { wrap, input: control };
}

/** A `<select>` of `[value, label]` pairs. */
export function select(options, value) {
  const el = h('select', {});
  fill(el, options.map(([v, label]) => h('option', { value: v, text: label, selected: v === value })));
  return el;
}

/** A section with a heading (the view's landmark), returning `{section, body}`. */
export function card(titleText, level = 'h2') {
  const id = uid('title');
  const body = h('div', { class: 'card-body' });
  // The view's h1 takes focus after a navigation (the shell's contract).
  const section = h('section', { class: 'card', 'aria-labelledby': id },
    h(level, { id, text: titleText, tabindex: level === 'h1' ? '-1' : undefined }), body);
  return { section, body };
}

/**
 * A file the API serves as bytes (an uploaded piece of evidence) as a Blob, read with the
 * launch's bearer token (`ctx.api` answers JSON only).
 */
export async function fileBlob(ctx, path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${ctx.launch?.token ?? ''}` } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw Object.assign(new Error(body.message ?? response.statusText), { code: body.code ?? 'http_error' });
  }
  return response.blob();
}

/**
 * A piece of evidence as a control: a URL opens in a new tab; an uploaded file
 * (`sha256:<hex>` or `{file: hex}`) opens from the API in a new tab.
 */
export function evidenceLink(ctx, learner, evidence) {
  let ref = evidence;
  if (typeof evidence === 'object' && evidence) ref = evidence.ref ?? evidence.url ?? (evidence.file ? `sha256:${evidence.file}` : '');
  const kind = typeof evidence === 'object' && evidence?.type ? ` (${evidence.type})` : '';
  if (/^https?:\/\//.test(ref)) {
    return h('a', { href: ref, target: '_blank', rel: 'noopener noreferrer', text: `${ref}${kind}` });
  }
  const sha = /^sha256:([0-9a-f]{64})$/.exec(ref)?.[1];
  if (!sha) return h('span', { text: `${ref}${kind}` });
  const button = h('button', { type: 'button', class: 'secondary', text: ctx.t('instructor.open_file', { name: `${sha.slice(0, 12)}…${kind}` }) });
  button.addEventListener('click', () => ctx.progress(ctx.t('instructor.opening_file'), async () => {
    const blob = await fileBlob(ctx, `/api/learners/${encodeURIComponent(learner)}/evidence-files/${sha}`);
    const url = URL.createObjectURL(blob);
    window.open(url, '_blank', 'noopener');
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }).catch(() => {}));
  return button;
}
