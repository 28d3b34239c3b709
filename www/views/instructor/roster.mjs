// The roster mastery grid: learners × competencies, each cell the core's status and reported
// score from the wasm `Roster` folding every learner's log, with filter, sort and CSV export.
// The page checks its fold against the server's roster summaries and says so.

import { h, fill } from '../../dom.mjs';
import { course } from './course_cache.mjs';
import { logBytes, nowInstant } from './course_data.mjs';
import { disagreements, filterRows, gridRows, sortRows, toCsv } from './grid.mjs';
import { card, download, errorText, field, select, statusLine } from './ui.mjs';

const STATUSES = ['mastered', 'not_yet', 'in_progress', 'not_started'];

/** Mounts the grid into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const { section, body } = card(t('roster.title'), 'h1');
  const status = statusLine();
  fill(root, section);
  body.append(status.el);
  status.busy(t('roster.loading'));
  let data;
  let summaries;
  try {
    data = await course(ctx.api, (done, total) => status.busy(
      total ? t('roster.loading_logs', { done, total }) : t('roster.loading_roster', { done }), done, total));
    const started = performance.now();
    const roster = new ctx.core.Roster(JSON.stringify(data.definitions), logBytes(data.logs));
    try {
      summaries = roster.summarize(nowInstant());
    } finally {
      roster.free();
    }
    const ms = performance.now() - started;
    const differ = disagreements(summaries, data.roster);
    status.done(t('roster.loaded', { learners: summaries.learners.length, ms: ms.toFixed(1) }));
    body.append(h('p', {
      class: differ.length ? 'note note-error' : 'note',
      text: differ.length ? t('roster.disagree', { learners: differ.join(', ') }) : t('roster.agree'),
    }));
  } catch (error) {
    status.fail(errorText(t, error));
    return;
  }
  renderGrid(body, ctx, summaries);
}

function renderGrid(body, ctx, summaries) {
  const { t } = ctx;
  const rows = gridRows(summaries);
  const compIds = summaries.competencies.ids;
  const credIds = summaries.credentials.ids;
  const state = { text: '', competency: '', status: '', sort: 'learner', direction: 'ascending' };

  const text = field(t('roster.filter_learner'), h('input', { type: 'search', autocomplete: 'off' }));
  const competency = field(t('roster.filter_competency'),
    select([['', t('roster.any_competency')], ...compIds.map((id) => [id, id])], ''));
  const statusSel = field(t('roster.filter_status'),
    select([['', t('roster.any_status')], ...STATUSES.map((s) => [s, t(`status.${s}`)])], ''));
  const exportButton = h('button', { type: 'button', text: t('roster.export') });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('roster.filters') },
    text.wrap, competency.wrap, statusSel.wrap, h('div', { class: 'field field-action' }, exportButton));
  form.addEventListener('submit', (e) => e.preventDefault());

  const count = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const table = h('table', { class: 'grid' });
  const scroll = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('roster.title') }, table);
  body.append(form, count, scroll);

  const header = () => {
    const th = (key, label) => {
      const sorted = state.sort === key;
      const button = h('button', {
        type: 'button', class: 'sort', text: label,
        'aria-label': t('roster.sort_by', { column: label }),
      });
      button.addEventListener('click', () => {
        state.direction = sorted && state.direction === 'ascending' ? 'descending' : 'ascending';
        state.sort = key;
        draw();
        table.querySelector(`th[data-key="${CSS.escape(key)}"] button`)?.focus();
      });
      return h('th', { scope: 'col', 'data-key': key, 'aria-sort': sorted ? state.direction : 'none' }, button);
    };
    return h('thead', {}, h('tr', {},
      th('learner', t('roster.learner')),
      compIds.map((id) => th(id, id)),
      credIds.map((id) => h('th', { scope: 'col', text: t('roster.credential', { id }) }))));
  };

  const draw = () => {
    const shown = sortRows(filterRows(rows, state), state.sort, state.direction);
    count.textContent = t('roster.count', { shown: shown.length, total: rows.length });
    fill(table,
      h('caption', { class: 'visually-hidden', text: t('roster.caption') }),
      header(),
      h('tbody', {}, shown.map((row) => h('tr', {},
        h('th', { scope: 'row', text: row.learner }),
        row.competencies.map((c) => h('td', { class: `cell cell-${c.status}` },
          h('span', { class: 'cell-score', text: c.reported === null ? '—' : `${c.reported} %` }),
          h('span', { class: 'cell-status', text: t(`status.${c.status}`) }))),
        row.credentials.map((k) => h('td', { class: `cred cred-${k.status}`, text: t(`credential.${k.status}`) }))))));
  };

  text.input.addEventListener('input', () => { state.text = text.input.value; draw(); });
  competency.input.addEventListener('change', () => { state.competency = competency.input.value; draw(); });
  statusSel.input.addEventListener('change', () => { state.status = statusSel.input.value; draw(); });
  exportButton.addEventListener('click', () => {
    const shown = sortRows(filterRows(rows, state), state.sort, state.direction);
    download('cairn-roster.csv', toCsv(shown, compIds, credIds,
      (s) => t(STATUSES.includes(s) ? `status.${s}` : `credential.${s}`)));
  });
  draw();
}
