// The instructor area's first view (a placeholder of the shell; the instructor views replace it).

import { h } from '../../dom.mjs';

/** Mounts the placeholder. */
export function mount(root, { t }) {
  root.append(h('section', { class: 'card' },
    h('h1', { tabindex: '-1', text: t('instructor.title') })));
}
