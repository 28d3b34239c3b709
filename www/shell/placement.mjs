// What a launch into a link Cairn placed by Deep Linking opens, DOM-free (tested under Node).
// The server resolves the link and hands the page `placement` in `#cairn-launch`: `view`
// (`assessment` or `progress`), `definition_id`, `assessment_id` (an assessment's link) and
// `title`. A learner lands on their progress with the placed assessment (or credential)
// brought into view and focused; an instructor on the grading queue of that assessment, or
// on the roster grid for a progress link. Decides no domain rule: the server still checks
// every call against the session.

import { permittedAreas } from './route.mjs';

/** The placement of a launch, when it is usable: `{view, definition, assessment, title}`. */
export function placementOf(launch) {
  const p = launch?.placement;
  if (!p || typeof p !== 'object' || typeof p.definition_id !== 'string') return null;
  const assessment = p.view === 'assessment' && typeof p.assessment_id === 'string' ? p.assessment_id : null;
  return {
    view: assessment ? 'assessment' : 'progress',
    definition: p.definition_id,
    assessment,
    title: typeof p.title === 'string' ? p.title : (assessment ?? p.definition_id),
  };
}

/** The hash a placed launch opens when the location names none, or null (not placed, or no
 * area that shows placements). */
export function placedHash(launch) {
  const placement = placementOf(launch);
  if (!placement) return null;
  const area = permittedAreas(launch.roles)[0];
  if (area === 'instructor') return placement.assessment ? '#/instructor/grading' : '#/instructor/home';
  if (area === 'learner') return '#/learner/home';
  return null;
}

/** The CSS selector of what a learner's progress brings into view for a placement: the
 * assessment's row in its credential's card, or the credential's card. */
export function learnerTarget(placement) {
  if (!placement) return null;
  const card = `[data-credential="${cssString(placement.definition)}"]`;
  return placement.assessment ? `${card} [data-assessment="${cssString(placement.assessment)}"]` : card;
}

/** `text` safe inside a double-quoted CSS attribute value. */
function cssString(text) {
  return String(text).replace(/["\\]/g, (c) => `\\${c}`).replace(/[\n\r\f]/g, ' ');
}
