// The learner's progress, per credential of the course: standing, competencies, assessments
// with attempts and what is next, what is left, PLAR, and the earned credential. The record
// is folded in the browser by the core from the same definitions and events as the server's
// and shown only when both agree (`data.mjs`). After every write the view reloads and folds
// again, so a submitted item set shows its result at once. A launch of a placed link brings
// the placed assessment (or credential) into view, marked and focused the first time.

import { fill, h } from '../../dom.mjs';
import { learnerTarget, placementOf } from '../../shell/placement.mjs';
import { enrolledIn, instantOf, loadLearner } from './data.mjs';
import { assessments, competencies, earned, standing, whatIsLeft } from './render.mjs';
import { attemptAction, plarSection } from './actions.mjs';
import { assessmentResult } from './words.mjs';
// From where it lives, not through words.mjs: fetched with this view's other modules, one
// round trip earlier (time to interactive).
import { namesOf } from '../../names.mjs';

/** Mounts the learner's progress into `root`. */
export async function mount(root, ctx) {
  const { t } = ctx;
  const heading = h('h1', { tabindex: '-1', text: t('learner.title') });
  const notice = h('div', { class: 'learner-notice', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'learner-credentials' });
  root.append(heading, notice, body);

  const copy = async (url) => {
    try {
      await navigator.clipboard.writeText(url);
      fill(notice, h('p', { class: 'notice notice-good', text: t('learner.copied') }));
    } catch {
      fill(notice, h('p', { class: 'notice notice-warn', text: t('learner.copy_failed', { url }) }));
    }
  };

  const placement = placementOf(ctx.launch);
  let placementShown = false;
  /** Marks the placed assessment's row (or credential's card); the first time, scrolls it
   * into view, focuses it and says where the link led. */
  const showPlacement = () => {
    const target = placement && body.querySelector(learnerTarget(placement));
    if (!target) return;
    target.classList.add('placed');
    target.dataset.placed = 'true';
    if (placementShown) return;
    placementShown = true;
    target.setAttribute('tabindex', '-1');
    target.scrollIntoView?.({ block: 'center' });
    target.focus({ preventScroll: true });
    notice.prepend(h('p', { class: 'notice notice-good', 'data-placement': placement.view, text: t('learner.placed_opened', { title: placement.title }) }));
  };

  let data;
  const render = (message) => {
    const names = namesOf(data.definitions);
    const enrolled = enrolledIn(data.events);
    fill(notice, message ? h('p', { class: 'notice notice-good', text: message }) : null,
      data.agrees ? null : h('p', { class: 'notice notice-warn', text: t('learner.disagree') }));
    if (data.definitions.length === 0) {
      fill(body, h('p', { class: 'card', text: t('learner.nothing') }));
      return;
    }
    fill(body, data.definitions.map((definition) => {
      const credential = data.record.credentials[definition.id];
      const card = h('article', { class: 'card learner-credential', 'data-credential': definition.id });
      if (!credential) return null;
      card.append(...standing(t, definition, credential));
      if (!enrolled.has(definition.id)) {
        const enrol = h('button', { type: 'button', 'data-enrol': definition.id, text: t('learner.enrol') });
        enrol.addEventListener('click', async () => {
          enrol.disabled = true;
          try {
            await ctx.progress(t('learner.enrolling'), ctx.api.post('/api/me/enrolments', { credential: definition.id }));
            await reload();
          } catch {
            enrol.disabled = false;
          }
        });
        card.append(h('p', { class: 'muted', text: t('learner.not_enrolled') }), enrol);
      }
      for (const issued of data.server.credentials.filter((c) => c.definition_id === definition.id)) {
        card.append(earned(t, issued, copy));
      }
      card.append(
        h('div', { class: 'columns' }, competencies(t, definition, data.record), whatIsLeft(t, credential, names)),
        assessments(t, definition, data.record, (a, rec) => attemptAction(ctx, a, rec, afterWrite)),
        plarSection(ctx, definition, data.plarRequests, afterWrite));
      return card;
    }));
    // For the end-to-end test: the record this page shows, and how it folds.
    window.cairnLearner = {
      record: data.record,
      agrees: data.agrees,
      foldMs: data.foldMs,
      /** The page's fold of the same definitions and events at another server instant. */
      foldAt: (seconds) => ctx.core.fold(JSON.stringify(data.definitions), JSON.stringify(data.events), instantOf(seconds)),
    };
    showPlacement();
  };

  const reload = async (message) => {
    data = await ctx.progress(t('learner.loading'), loadLearner(ctx.api, ctx.core));
    render(typeof message === 'function' ? message() : message);
  };

  /** After a write: reload, then say what happened (an item set's result at once). */
  async function afterWrite(what) {
    await reload(() => {
      if (what.plar) return t('learner.plar_sent');
      if (what.pending) return t('learner.submitted_pending');
      const rec = data.record.assessments[what.assessment];
      const last = rec?.attempts.at(-1);
      const title = namesOf(data.definitions).get(what.assessment) ?? what.assessment;
      const result = last && !last.pending
        ? `${t.percent(last.reported)} — ${t(assessmentResult(rec).key)}`
        : t('learner.attempt_pending');
      return t('learner.submitted_result', { title, result });
    });
    heading.focus();
  }

  await reload();
}
