// How the page words things: instants, exact numbers for display, statuses, next steps and
// events. Presentation only: every decision shown here was taken by the core.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-01-26T13:00:00Z` → `26 Jan 2026, 13:00 UTC` (no time zone conversion). */
export function when(instant) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(instant ?? '');
  if (!m) return String(instant ?? '');
  const [, y, mo, d, hh, mm] = m;
  return `${Number(d)} ${MONTHS[Number(mo) - 1]} ${y}, ${hh}:${mm} UTC`;
}

/** `2026-01-26T13:00:00Z` → `26 Jan 2026`. */
export function day(instant) {
  return when(instant).replace(/, \d{2}:\d{2} UTC$/, '');
}

/**
 * A percent as the core reports it (rounded once, half away from zero, to 2 decimals), or a
 * dash when there is none. The page never rounds: every number shown is the core's.
 */
export function percent(reported) {
  return reported === null || reported === undefined ? '—' : `${reported} %`;
}

const MASTERY = {
  mastered: 'Mastered',
  not_yet: 'Not yet',
  in_progress: 'In progress',
  not_started: 'Not started',
};

/** A competency status in words. */
export function masteryStatus(status) {
  return MASTERY[status] ?? status;
}

const CREDENTIAL = {
  not_issued: 'Not issued yet',
  valid: 'Issued and valid',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** A credential status in words. */
export function credentialStatus(status) {
  return CREDENTIAL[status] ?? status;
}

/**
 * An assessment's result in words, with its tone (`good`, `bad`, `neutral`), from the
 * record's `passed`, `kept_percent` and attempts: the latest attempt waiting for a grader
 * reads "Awaiting grading", never "Not attempted".
 */
export function assessmentResult(rec) {
  if (rec.kind === 'formative') return { text: 'Practice', tone: 'neutral' };
  if (rec.passed) return { text: 'Passed', tone: 'good' };
  if (rec.attempts.at(-1)?.pending) return { text: 'Awaiting grading', tone: 'neutral' };
  if (rec.attempts.length === 0) return { text: 'Not attempted', tone: 'neutral' };
  return { text: 'Not passed yet', tone: 'bad' };
}

/** A PLAR method in words. */
export function plarMethod(method) {
  return String(method ?? '').replaceAll('_', ' ');
}

/** What the learner can do next on an assessment, from the core's `next` step. */
export function nextStep(next) {
  if (!next) return '';
  switch (next.step) {
    case 'attempt': {
      const left = next.attempts_left === null || next.attempts_left === undefined
        ? 'unlimited attempts'
        : `${next.attempts_left} more after this one`;
      const deadline = next.deadline ? `; deadline ${when(next.deadline)}` : '';
      return `An attempt is open from ${when(next.opens_at)} (${left}${deadline})`;
    }
    case 'wait_for_feedback':
      return `Feedback on attempt ${next.attempt} comes first, then a retry opens`;
    case 'wait_for_grading':
      return `Attempt ${next.attempt} is waiting for a grader`;
    case 'no_attempt_left':
      return `No attempt left (limit ${next.max})`;
    case 'deadline_passed':
      return `The completion window closed on ${when(next.deadline)}`;
    case 'passed':
      return 'Passed';
    default:
      return String(next.step ?? '');
  }
}

/** Points per part as `P-HEAD 20 · P-ORDER 10`. */
function parts(scores) {
  return Object.entries(scores).map(([part, points]) => `${part} ${points}`).join(' · ');
}

/** One event in words, using the definitions' titles. */
export function describeEvent(event, names) {
  const title = (id) => names.get(id) ?? id;
  switch (event.type) {
    case 'enrolled':
      return `Enrolled in ${title(event.credential)}`;
    case 'attempt_submitted': {
      const route = event.route && event.route !== 'course' ? ` (${plarMethod(event.route)})` : '';
      const score = event.part_scores ? parts(event.part_scores) : event.score ?? 'awaiting a grader';
      return `Attempt on ${title(event.assessment)}${route}: ${score}`;
    }
    case 'feedback_released':
      return `Feedback released on ${title(event.assessment)}`;
    case 'attempt_scored':
      return `Attempt ${event.attempt} on ${title(event.assessment)} scored: ${event.part_scores ? parts(event.part_scores) : event.score}`;
    case 'score_overridden':
      return `Attempt ${event.attempt} on ${title(event.assessment)} re-scored (${event.reason ?? 'no reason'})`;
    case 'plar_granted':
      return `Prior learning recognised (${plarMethod(event.method)}): ${title(event.competency ?? event.component)}`;
    case 'plar_denied':
      return `Prior learning not recognised (${plarMethod(event.method)}): ${title(event.competency ?? event.component)}`;
    case 'credential_presented':
      return `Presented ${title(event.credential)} from ${event.issuer}`;
    case 'credential_applied':
      return `Applied for ${title(event.credential)}`;
    case 'credential_revoked':
      return `${title(event.credential)} revoked`;
    case 'expiry_imposed':
      return `Expiry imposed on ${title(event.credential)}: valid until ${when(event.valid_until)}`;
    case 'equivalency_claimed':
      return `Equivalency claimed: ${title(event.equivalency)}`;
    default:
      return String(event.type);
  }
}
