// How the learner view words the core's decisions, DOM-free (tested under Node): statuses,
// each assessment's result, the core's next step and the criteria explanation tree, through
// the catalogue (`learner.*`). Presentation only: every decision worded here is the core's.

export { namesOf } from '../../names.mjs';

/** An assessment record's result: `{key, tone}` (tone `good`, `bad`, `neutral`). */
export function assessmentResult(rec) {
  if (rec.kind === 'formative') return { key: 'learner.result_practice', tone: 'neutral' };
  if (rec.passed) return { key: 'learner.result_passed', tone: 'good' };
  if (rec.attempts.at(-1)?.pending) return { key: 'learner.result_awaiting', tone: 'neutral' };
  if (rec.attempts.length === 0) return { key: 'learner.result_not_attempted', tone: 'neutral' };
  return { key: 'learner.result_not_passed', tone: 'bad' };
}

/** The tone of a competency status. */
export function masteryTone(status) {
  return status === 'mastered' ? 'good' : status === 'not_yet' ? 'bad' : 'neutral';
}

/** The core's next step (`record.assessments[id].next`) in words. */
export function nextWords(t, next) {
  if (!next) return '';
  switch (next.step) {
    case 'attempt': {
      const parts = [t('learner.next_attempt', { opens: t.when(next.opens_at) })];
      parts.push(next.attempts_left === null || next.attempts_left === undefined
        ? t('learner.next_unlimited')
        : t('learner.next_left', { count: next.attempts_left }));
      if (next.deadline) parts.push(t('learner.next_deadline', { deadline: t.when(next.deadline) }));
      return parts.join(' ');
    }
    case 'wait_for_feedback':
    case 'wait_for_grading':
      return t(`learner.next_${next.step}`, { attempt: next.attempt });
    case 'no_attempt_left':
      return t('learner.next_no_attempt_left', { max: next.max });
    case 'deadline_passed':
      return t('learner.next_deadline_passed', { deadline: t.when(next.deadline) });
    case 'passed':
      return t('learner.next_passed');
    default:
      return String(next.step ?? '');
  }
}

/** One node of the criteria explanation tree in words (without its children). */
export function ruleWords(t, node, names, inPoints) {
  const target = names.get(node.target) ?? node.target;
  const progress = node.progress ?? {};
  const base = t(`learner.rule_${node.rule}`, {
    satisfied: progress.satisfied, of: progress.of, k: node.k, target,
  });
  if (!inPoints || node.points === undefined) return base;
  const extra = t('learner.rule_points_extra', { points: node.points });
  return node.required ? `${base} ${extra}, ${t('learner.rule_required')}` : `${base} ${extra}`;
}

/** A PLAR method in words. */
export function methodWords(t, method) {
  return t(`learner.method_${method}`);
}
