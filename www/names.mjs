// Titles of everything an id can name in credential definitions, for people: the sample page
// and the learner view both show assessments and credentials by their titles. DOM-free.

/** Titles of everything an id can name, for people. */
export function namesOf(definitions) {
  const names = new Map();
  for (const d of definitions) {
    names.set(d.id, d.name);
    for (const c of d.competencies ?? []) names.set(c.id, c.id);
    for (const a of d.assessments ?? []) names.set(a.id, a.title);
    for (const e of d.equivalencies ?? []) names.set(e.id, e.title);
  }
  return names;
}
