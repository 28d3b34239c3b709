// Install instructions for Canvas and Moodle with the values to copy, all from the server's
// own config pages (`/lti/config/canvas.json`, `/lti/config/moodle?format=json`), so every
// URL is the configured public URL. Moodle's field names stay in English: they are the labels
// of Moodle's own form.

import { h, fill } from '../../../dom.mjs';
import { card } from '../../parts/ui.mjs';
import { publicJson } from './admin_api.mjs';

/** A value with a copy button (the button names what it copies). */
function copyable(t, label, value) {
  const code = h('code', { class: 'copy-value', text: value });
  const button = h('button', { type: 'button', class: 'secondary', text: t('admin.copy'), 'aria-label': t('admin.copy_label', { label }) });
  const said = h('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      said.textContent = t('admin.copied', { label });
    } catch {
      // Clipboard access may be refused inside an iframe: select the text to copy by hand.
      const range = document.createRange();
      range.selectNodeContents(code);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
      said.textContent = t('admin.copy_by_hand', { label });
    }
  });
  return h('div', { class: 'copy-row' }, code, button, said);
}

/** Fills `host` with the two platforms' instructions. */
export async function installSection(ctx, host) {
  const { t } = ctx;
  const { section, body } = card(t('admin.install_title'));
  fill(host, section);
  const canvasUrl = new URL('/lti/config/canvas.json', window.location.origin).href;
  const moodle = await publicJson('/lti/config/moodle?format=json');
  const values = (pairs) => h('dl', { class: 'copy-list' }, pairs.flatMap(([label, value]) => [
    h('dt', { text: label }), h('dd', {}, copyable(t, label, value))]));
  body.append(
    h('h3', { text: 'Canvas' }),
    h('ol', {},
      h('li', { text: t('admin.canvas_step1') }),
      h('li', { text: t('admin.canvas_step2') }),
      h('li', {}, t('admin.canvas_step3'), values([[t('admin.canvas_json_url'), canvasUrl]])),
      h('li', { text: t('admin.canvas_step4') }),
      h('li', { text: t('admin.canvas_step5') })),
    h('h3', { text: 'Moodle' }),
    h('ol', {},
      h('li', { text: t('admin.moodle_step1') }),
      h('li', {}, t('admin.moodle_step2'), values((moodle.fields ?? []).map((f) => [f.field, f.value]))),
      h('li', { text: t('admin.moodle_step3') }),
      h('li', { text: t('admin.canvas_step5') })));
}
