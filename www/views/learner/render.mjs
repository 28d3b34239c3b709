// The learner view's sections for one credential: its standing, competencies (status and
// mastery value), assessments (attempts, kept result, the core's next step), what is left
// (the criteria explanation tree) and the earned credential's downloads and links. Builds
// DOM from the record; computes nothing.

import { h } from '../../dom.mjs';
import { assessmentResult, masteryTone, methodWords, nextWords, ruleWords } from './words.mjs';

function chip(text, tone) {
  return h('span', { class: `chip chip-${tone}`, text });
}

/** The credential's name, status and progress. */
export function standing(t, definition, credential) {
  const tone = credential.status === 'valid' ? 'good' : credential.status === 'not_issued' ? 'neutral' : 'bad';
  const lines = [
    h('p', { class: 'eyebrow', text: definition.metadata?.human_code ?? definition.id }),
    h('h2', { class: 'credential-title', text: definition.name }),
    h('p', { class: 'credential-status' },
      chip(t(`learner.cred_${credential.status}`), tone), ' ',
      t('learner.progress', { satisfied: credential.progress.satisfied, of: credential.progress.of })),
  ];
  if (credential.issued_at) {
    lines.push(h('p', {
      text: credential.valid_until
        ? t('learner.issued', { when: t.day(credential.issued_at), until: t.day(credential.valid_until) })
        : t('learner.issued_forever', { when: t.day(credential.issued_at) }),
    }));
  }
  return lines;
}

/** Each competency with its status and mastery value. */
export function competencies(t, definition, record) {
  const items = (definition.competencies ?? []).map((c) => {
    const rec = record.competencies[c.id];
    if (!rec) return null;
    const bar = h('div', { class: 'bar', 'aria-hidden': 'true' }, h('div', { class: 'bar-fill' }), h('div', { class: 'bar-mark' }));
    // Bar geometry only; the words below carry the value.
    bar.firstChild.style.width = `${Math.max(0, Math.min(100, Number(rec.reported ?? 0)))}%`;
    bar.lastChild.style.left = `${Math.max(0, Math.min(100, Number(rec.threshold_percent)))}%`;
    const numbers = [t('learner.competency_numbers', { value: t.percent(rec.reported), threshold: t.percent(rec.threshold_percent) })];
    if (rec.source === 'plar') numbers.push(t('learner.through_plar', { method: methodWords(t, rec.plar_method) }));
    return h('li', { class: `competency status-${rec.status}`, 'data-competency': c.id },
      h('div', { class: 'competency-head' }, h('strong', { text: c.id }), chip(t(`learner.status_${rec.status}`), masteryTone(rec.status))),
      h('p', { class: 'statement', text: c.statement }),
      bar,
      h('p', { class: 'numbers', text: numbers.join(' · ') }));
  });
  return h('section', { class: 'learner-section', 'aria-label': t('learner.competencies') },
    h('h3', { text: t('learner.competencies') }),
    h('ul', { class: 'competencies' }, items));
}

/** Words for one attempt. */
function attemptWords(t, attempt) {
  let result = attempt.pending ? t('learner.attempt_pending') : t.percent(attempt.reported);
  if (attempt.route && attempt.route !== 'course') result = t('learner.attempt_route', { result, route: methodWords(t, attempt.route) });
  return t('learner.attempt_line', { number: attempt.number, result });
}

/**
 * The assessments table. `action(assessment, rec)` returns the control that starts an
 * attempt (or null); the view decides which kind from the item set's presence.
 */
export function assessments(t, definition, record, action) {
  const rows = (definition.assessments ?? []).map((a) => {
    const rec = record.assessments[a.id];
    if (!rec) return null;
    const result = assessmentResult(rec);
    const next = nextWords(t, rec.next);
    return h('tr', { 'data-assessment': a.id },
      h('th', { scope: 'row' }, h('span', { text: a.title }),
        a.pass_percent ? h('span', { class: 'muted attempts', text: t('learner.pass_mark', { pass: t.percent(a.pass_percent) }) }) : null),
      h('td', {}, rec.attempts.length
        ? h('ul', { class: 'attempt-list' }, rec.attempts.map((x) => h('li', { text: attemptWords(t, x) })))
        : '—'),
      h('td', { class: 'kept', text: t.percent(rec.kept_reported) }),
      h('td', {}, chip(t(result.key), result.tone)),
      h('td', {}, h('p', { class: 'next-words', text: next }), action(a, rec)));
  });
  return h('section', { class: 'learner-section', 'aria-label': t('learner.assessments') },
    h('h3', { text: t('learner.assessments') }),
    h('div', { class: 'table-scroll' },
      h('table', {},
        h('thead', {}, h('tr', {},
          ['col_assessment', 'col_attempts', 'col_kept', 'col_result', 'col_next'].map((k) => h('th', { scope: 'col', text: t(`learner.${k}`) })))),
        h('tbody', {}, rows))));
}

function explanationNode(t, node, names, inPoints) {
  const item = h('li', { class: node.satisfied ? 'met' : 'missing' },
    h('span', { class: 'mark', 'aria-hidden': 'true', text: node.satisfied ? '✓' : '✗' }),
    h('span', { class: 'visually-hidden', text: `${t(node.satisfied ? 'learner.met' : 'learner.missing')} ` }),
    h('span', { text: ruleWords(t, node, names, inPoints) }));
  if (!node.satisfied && node.next) item.append(h('p', { class: 'next', text: t('learner.next_label', { step: nextWords(t, node.next) }) }));
  if (node.children?.length) {
    item.append(h('ul', {}, node.children.map((c) => explanationNode(t, c, names, node.rule === 'points'))));
  }
  return item;
}

/** What is met and what is missing: the core's explanation tree. */
export function whatIsLeft(t, credential, names) {
  return h('section', { class: 'learner-section', 'aria-label': t('learner.left') },
    h('h3', { text: t('learner.left') }),
    h('ul', { class: 'tree' }, explanationNode(t, credential.explanation, names, false)));
}

/** The earned credential: downloads, public link, LinkedIn. `copy(url)` copies the link. */
export function earned(t, issued, copy) {
  const links = issued.links;
  const items = [
    h('li', {}, h('a', { href: links.png, download: `${issued.definition_id}.png`, 'data-download': 'png', text: t('learner.download_png') })),
    h('li', {}, h('a', { href: links.json, download: `${issued.definition_id}.json`, 'data-download': 'json', text: t('learner.download_json') })),
    h('li', {}, h('a', { href: links.page, target: '_blank', rel: 'noopener', text: t('learner.open_page') })),
    h('li', {}, h('a', { href: links.linkedin, target: '_blank', rel: 'noopener noreferrer', text: t('learner.linkedin') })),
  ];
  const button = h('button', { type: 'button', class: 'secondary', text: t('learner.copy_link') });
  button.addEventListener('click', () => copy(links.page));
  return h('section', { class: 'learner-section earned', 'aria-label': t('learner.earned') },
    h('h3', { text: t('learner.earned') }),
    issued.revoked_at ? h('p', { class: 'notice notice-bad', text: t('learner.revoked_on', { when: t.day(issued.revoked_at) }) }) : null,
    h('ul', { class: 'downloads' }, items),
    h('div', { class: 'buttons' }, button));
}
