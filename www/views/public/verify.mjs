// The public verify page (`/verify/`): placeholder until the verifier view lands.

import { h } from '../../dom.mjs';

/** Mounts the verify form. */
export function mount(root, { t }) {
  root.append(h('section', { class: 'card' }, h('h1', { tabindex: '-1', text: t('public.verify_title') })));
}
