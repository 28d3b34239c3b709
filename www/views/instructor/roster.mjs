// The roster mastery grid: learners × competencies, each cell the core's status and reported
// score from the wasm `Roster` folding every learner's log, with filter, sort and CSV export.
// Names and enrolment come from the NRPS roster (learners who left the course are marked).
// The page checks its fold against the server's roster summaries and says so.

import { h, fill } from '../../dom.mjs';
import { courseShowing } from './parts/course_cache.mjs';
import { courseRoster, nowInstant } from './parts/course_data.mjs';
import { disagreements, filterRows, gridRows, sortRows, toCsv } from './parts/grid.mjs';
import { card, download, errorText, field, select, statusLine } from '../parts/ui.mjs';

const STATUSES = ['mastered', 'not_yet', 'in_progress', 'not_started'];

/** Mounts the grid into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const { section, body } = card(t('instructor.roster_title'), 'h1');
  const status = statusLine();
  fill(root, section);
  body.append(status.el);
  status.busy(t('instructor.roster_loading'));
  let data;
  let summaries;
  try {
    data = await courseShowing(ctx, status);
    const started = performance.now();
    const roster = courseRoster(ctx.core, data);
    try {
      summaries = roster.summarize(nowInstant());
    } finally {
      roster.free();
    }
    const ms = performance.now() - started;
    const differ = disagreements(summaries, data.roster);
    status.done(t('instructor.roster_loaded', { learners: summaries.learners.length, ms: t.decimal(ms.toFixed(1)) }));
    body.append(h('p', {
      class: differ.length ? 'notice notice-bad' : 'notice notice-good',
      text: differ.length ? t('instructor.roster_disagree', { learners: differ.join(', ') }) : t('instructor.roster_agree'),
    }));
  } catch (error) {
    status.fail(errorText(t, error));
    return;
  }
  renderGrid(body, ctx, summaries, data.roster);
}

const ENROLMENTS = ['active', 'inactive', 'left'];

function renderGrid(body, ctx, summaries, entries) {
  const { t } = ctx;
  const rows = gridRows(summaries, entries);
  const compIds = summaries.competencies.ids;
  const credIds = summaries.credentials.ids;
  const state = { text: '', competency: '', status: '', sort: 'learner', direction: 'ascending' };

  const text = field(t('instructor.roster_filter_learner'), h('input', { type: 'search', autocomplete: 'off' }));
  const competency = field(t('instructor.roster_filter_competency'),
    select([['', t('instructor.roster_any_competency')], ...compIds.map((id) => [id, id])], ''));
  const statusSel = field(t('instructor.roster_filter_status'),
    select([['', t('instructor.roster_any_status')], ...STATUSES.map((s) => [s, t(`instructor.status_${s}`)])], ''));
  const exportButton = h('button', { type: 'button', text: t('instructor.roster_export') });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('instructor.roster_filters') },
    text.wrap, competency.wrap, statusSel.wrap, h('div', { class: 'field field-action' }, exportButton));
  form.addEventListener('submit', (e) => e.preventDefault());

  const count = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const table = h('table', { class: 'grid' });
  const scroll = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('instructor.roster_title') }, table);
  body.append(form, count, scroll);

  const header = () => {
    const th = (key, label) => {
      const sorted = state.sort === key;
      const button = h('button', {
        type: 'button', class: 'sort', text: label,
        'aria-label': t('instructor.roster_sort_by', { column: label }),
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
      th('learner', t('instructor.roster_learner')),
      h('th', { scope: 'col', text: t('instructor.roster_name') }),
      compIds.map((id) => th(id, id)),
      credIds.map((id) => h('th', { scope: 'col', text: t('instructor.roster_credential', { id }) }))));
  };

  const draw = () => {
    const shown = sortRows(filterRows(rows, state), state.sort, state.direction);
    count.textContent = t('instructor.roster_count', { shown: shown.length, total: rows.length });
    fill(table,
      h('caption', { class: 'visually-hidden', text: t('instructor.roster_caption') }),
      header(),
      h('tbody', {}, shown.map((row) => h('tr', {},
        h('th', { scope: 'row', text: row.learner }),
        h('td', { class: `member${row.enrolment && row.enrolment !== 'active' ? ' member-gone' : ''}`, 'data-enrolment': row.enrolment ?? '' },
          h('span', { text: row.name ?? '—' }),
          row.enrolment && row.enrolment !== 'active'
            ? h('span', { class: 'chip chip-warn', text: t(`instructor.enrolment_${row.enrolment}`) }) : null),
        row.competencies.map((c) => h('td', { class: `cell cell-${c.status}` },
          h('span', { class: 'cell-score', text: t.percent(c.reported) }),
          h('span', { class: 'cell-status', text: t(`instructor.status_${c.status}`) }))),
        row.credentials.map((k) => h('td', { class: `cred cred-${k.status}`, text: t(`instructor.credential_${k.status}`) }))))));
  };

  text.input.addEventListener('input', () => { state.text = text.input.value; draw(); });
  competency.input.addEventListener('change', () => { state.competency = competency.input.value; draw(); });
  statusSel.input.addEventListener('change', () => { state.status = statusSel.input.value; draw(); });
  exportButton.addEventListener('click', () => {
    const shown = sortRows(filterRows(rows, state), state.sort, state.direction);
    download('cairn-roster.csv', toCsv(shown, compIds, credIds,
      (s) => t(STATUSES.includes(s) ? `instructor.status_${s}`
        : ENROLMENTS.includes(s) ? `instructor.enrolment_${s}` : `instructor.credential_${s}`)));
  });
  draw();
}
