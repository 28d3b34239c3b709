// The page without a launch: what Cairn is and where to go (the sample, the verify page).

import { h } from '../../dom.mjs';

/** Mounts the welcome text. */
export function mount(root, { t }) {
  root.append(h('section', { class: 'card' },
    h('h1', { tabindex: '-1', text: t('public.welcome_title') }),
    h('p', { text: t('public.welcome_text') }),
    h('ul', {},
      h('li', {}, h('a', { href: '/sample/', text: t('public.welcome_sample') })),
      h('li', {}, h('a', { href: '/verify/', text: t('public.welcome_verify') })))));
}
