// The learner's progress: placeholder until the learner view lands.

import { h } from '../../dom.mjs';

/** Mounts the learner's progress. */
export async function mount(root, { t }) {
  root.append(h('section', { class: 'card' }, h('h1', { tabindex: '-1', text: t('learner.title') })));
}
