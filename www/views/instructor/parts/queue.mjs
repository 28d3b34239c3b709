// The grading queue's items, DOM-free: each learner's log folded by the core, every attempt
// the core holds as pending (to score) and every assessment whose core next step is
// `wait_for_feedback` (feedback to release). The core decides what waits; this lists it.

/**
 * Queue items, oldest attempt first: `{learner, kind: 'grade' | 'release', assessment,
 * definition, attempt, at, evidence}` where `assessment` is the definition's assessment,
 * `attempt` the core's attempt record (its number, instant and evidence). `fold(definitions,
 * events, at)` is the core's (`ctx.core.fold` with JSON text).
 */
export function gradingQueue(fold, definitions, logs, at) {
  const definitionsJson = JSON.stringify(definitions);
  const byId = new Map();
  for (const d of definitions) for (const a of d.assessments ?? []) byId.set(a.id, { definition: d, assessment: a });
  const items = [];
  for (const log of logs) {
    if (!log.events.length) continue;
    const record = fold(definitionsJson, JSON.stringify(log.events), at);
    for (const [id, result] of Object.entries(record.assessments)) {
      const known = byId.get(id);
      if (!known) continue;
      const item = (kind, attempt) => ({
        learner: log.learner, kind, assessment: known.assessment, definition: known.definition,
        attempt, at: attempt?.at ?? '',
      });
      // Every attempt the core holds as pending waits for a score, whatever comes next.
      for (const attempt of result.attempts ?? []) if (attempt.pending) items.push(item('grade', attempt));
      if (result.next?.step === 'wait_for_feedback') {
        items.push(item('release', result.attempts.find((a) => a.number === result.next.attempt) ?? null));
      }
    }
  }
  return items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.learner < b.learner ? -1 : 1));
}

/**
 * The grading body's points from a rubric choice: per part, the chosen level's points for
 * that part, or the typed points where the grader typed some. `choices` maps part id to
 * `{level, points}` (`level` a level index or -1). Returns `{part_scores}` or `{score}`.
 */
export function gradingPoints(assessment, choices) {
  const parts = assessment.parts ?? [];
  if (!parts.length) return { score: (choices.score?.points ?? '').trim() };
  const levels = assessment.rubric?.levels ?? [];
  const partScores = {};
  for (const part of parts) {
    const choice = choices[part.id] ?? {};
    const typed = (choice.points ?? '').trim();
    partScores[part.id] = typed || (levels[choice.level]?.points?.[part.id] ?? '');
  }
  return { part_scores: partScores };
}
