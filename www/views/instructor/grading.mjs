// The grading queue: attempts waiting for a score and feedback waiting for release, as the
// core's fold of each learner's log says. Rubric scoring picks a level per part (or types
// points); the server records the grade (`POST /api/learners/{sub}/gradings`) and the
// release (`…/feedback-releases`) and re-checks both with the core. A launch of a link placed
// for one assessment shows that assessment's items only, until the instructor asks for all.

import { h, fill } from '../../dom.mjs';
import { placementOf } from '../../shell/placement.mjs';
import { courseShowing, refreshLearner } from './parts/course_cache.mjs';
import { nowInstant } from './parts/course_data.mjs';
import { gradingPoints, gradingQueue } from './parts/queue.mjs';
import { card, errorText, evidenceLink, field, statusLine, uid } from '../parts/ui.mjs';

/** Mounts the queue into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const { section, body } = card(t('instructor.grading_title'), 'h1');
  const status = statusLine();
  const list = h('div', { class: 'queue' });
  const placement = placementOf(ctx.launch);
  let only = placement?.assessment ?? null;
  const scope = h('div', { class: 'queue-scope' });
  fill(root, section);
  body.append(scope, status.el, list);
  status.busy(t('instructor.roster_loading'));
  let data;
  try {
    data = await courseShowing(ctx, status);
  } catch (error) {
    status.fail(errorText(t, error));
    return;
  }
  const draw = () => {
    let items;
    try {
      items = gradingQueue(ctx.core.fold, data.definitions, data.logs, nowInstant());
    } catch (error) {
      status.fail(errorText(t, error));
      return;
    }
    if (only) {
      items = items.filter((item) => item.assessment.id === only);
      const all = h('button', { type: 'button', class: 'secondary', 'data-show-all': '', text: t('instructor.grading_show_all') });
      all.addEventListener('click', () => {
        only = null;
        draw();
        list.closest('section')?.querySelector('h1')?.focus();
      });
      fill(scope, h('p', { class: 'notice notice-good', 'data-placed-assessment': only, text: t('instructor.grading_placed', { title: placement.title }) }), all);
    } else {
      fill(scope);
    }
    fill(list, items.length
      ? h('ul', { class: 'queue-items' }, items.map((item) => h('li', {}, queueItem(ctx, item, async (message) => {
        status.busy(t('instructor.grading_reloading'));
        try {
          await refreshLearner(ctx.api, data, item.learner);
          draw();
          status.done(message);
        } catch (error) {
          status.fail(errorText(t, error));
        }
      }, status))))
      : h('p', { class: 'empty', text: t('instructor.grading_empty') }));
    if (items.length) status.done(t('instructor.grading_count', { count: items.length }));
    else status.done(t('instructor.grading_empty'));
  };
  draw();
}

/** One item: the learner, the attempt and its evidence, and the form that acts on it. */
function queueItem(ctx, item, written, status) {
  const { t } = ctx;
  const a = item.assessment;
  const titleId = uid('item');
  const heading = h('h2', {
    id: titleId,
    text: t(item.kind === 'grade' ? 'instructor.grading_grade_title' : 'instructor.grading_release_title',
      { learner: item.learner, assessment: a.title, attempt: item.attempt?.number ?? '?' }),
  });
  const evidence = (item.attempt?.evidence ?? []).map((e) => evidenceLink(ctx, item.learner, e));
  const form = h('form', { class: 'grade-form', 'aria-labelledby': titleId });
  const feedbackField = field(t('instructor.grading_feedback'), h('textarea', { rows: '3', maxlength: '4000' }),
    t('instructor.grading_feedback_hint'));
  const send = async (steps, doneKey) => {
    for (const button of form.querySelectorAll('button')) button.disabled = true;
    status.busy(t('instructor.grading_saving'));
    try {
      for (const step of steps) await step();
      await written(t(doneKey, { learner: item.learner }));
    } catch (error) {
      status.fail(errorText(t, error));
      for (const button of form.querySelectorAll('button')) button.disabled = false;
    }
  };
  const sub = encodeURIComponent(item.learner);
  const release = () => ctx.api.post(`/api/learners/${sub}/feedback-releases`, {
    assessment: a.id, feedback: feedbackField.input.value.trim() || null,
  });
  if (item.kind === 'grade') {
    const scoring = scoringFields(t, a);
    const grade = () => ctx.api.post(`/api/learners/${sub}/gradings`, {
      assessment: a.id,
      attempt: item.attempt.number,
      ...gradingPoints(a, scoring.choices()),
      feedback: feedbackField.input.value.trim() || null,
    });
    const save = h('button', { type: 'submit', text: t('instructor.grading_save') });
    const saveRelease = h('button', { type: 'button', class: 'primary', text: t('instructor.grading_save_release') });
    form.append(scoring.el, feedbackField.wrap, h('div', { class: 'actions' }, saveRelease, save));
    form.addEventListener('submit', (e) => { e.preventDefault(); send([grade], 'instructor.grading_saved'); });
    saveRelease.addEventListener('click', () => {
      if (form.reportValidity()) send([grade, release], 'instructor.grading_released');
    });
  } else {
    const button = h('button', { type: 'submit', class: 'primary', text: t('instructor.grading_release') });
    form.append(feedbackField.wrap, h('div', { class: 'actions' }, button));
    form.addEventListener('submit', (e) => { e.preventDefault(); send([release], 'instructor.grading_released'); });
  }
  return h('article', { class: 'card queue-item', 'aria-labelledby': titleId, 'data-learner': item.learner, 'data-assessment': a.id, 'data-kind': item.kind },
    heading,
    h('p', { class: 'hint', text: t('instructor.grading_submitted', { at: t.when(item.at), definition: item.definition.name }) }),
    evidence.length ? h('ul', { class: 'evidence', 'aria-label': t('instructor.grading_evidence') }, evidence.map((e) => h('li', {}, e))) : null,
    form);
}

/** Per part a radio group of rubric levels and a points field, or one points field. */
function scoringFields(t, assessment) {
  const parts = assessment.parts ?? [];
  const levels = assessment.rubric?.levels ?? [];
  if (!parts.length) {
    const points = field(t('instructor.grading_points_of', { max: assessment.max_points ?? '?' }), h('input', {
      type: 'text', inputmode: 'decimal', required: true, autocomplete: 'off', pattern: '[0-9]+([.][0-9]+)?',
    }));
    return { el: points.wrap, choices: () => ({ score: { points: points.input.value } }) };
  }
  const groups = parts.map((part) => {
    const name = uid('part');
    const radios = levels.map((level, i) => {
      const input = h('input', { type: 'radio', name, value: String(i) });
      return { input, el: h('label', { class: 'check' }, input,
        ` ${t('instructor.grading_level', { level: level.name, points: level.points?.[part.id] ?? '—' })}`) };
    });
    const typed = field(t('instructor.grading_part_points', { part: part.id, max: part.max_points }), h('input', {
      type: 'text', inputmode: 'decimal', autocomplete: 'off', pattern: '[0-9]+([.][0-9]+)?',
    }), levels.length ? t('instructor.grading_part_points_hint') : null);
    if (!levels.length) typed.input.required = true;
    const el = h('fieldset', { class: 'rubric-part', 'data-part': part.id },
      h('legend', { text: t('instructor.grading_part', { part: part.id, competency: part.competency, max: part.max_points }) }),
      levels.length ? h('div', { class: 'checks' }, radios.map((r) => r.el)) : null,
      typed.wrap);
    return {
      el,
      part,
      choice: () => ({
        level: radios.findIndex((r) => r.input.checked),
        points: typed.input.value,
      }),
      radios,
      typed,
    };
  });
  // Each part needs a level or typed points before the grade can be sent.
  const check = () => {
    for (const g of groups) {
      const ok = g.radios.some((r) => r.input.checked) || g.typed.input.value.trim() !== '';
      g.typed.input.setCustomValidity(ok ? '' : t('instructor.grading_part_missing'));
    }
  };
  const el = h('div', { class: 'rubric' }, groups.map((g) => g.el));
  el.addEventListener('input', check);
  el.addEventListener('change', check);
  check();
  return {
    el,
    choices: () => Object.fromEntries(groups.map((g) => [g.part.id, g.choice()])),
  };
}
