// The roster mastery grid's data, DOM-free: rows laid out from the core's `RosterSummaries`
// (the wasm `Roster`), filtered, sorted and exported as CSV. Every figure is the core's
// reported value; this module only arranges them (it never rounds or decides a status).

/**
 * One row per learner from the core's column layout: `{learner, name, enrolment, rejected,
 * competencies: [{id, status, reported}], credentials: [{id, status, issued_at}]}`. `name` and
 * `enrolment` (`active`, `inactive`, `left`) come from the NRPS roster the server joins into
 * its entries (`GET /api/learners`, `member`); `null` when the platform never listed them.
 */
export function gridRows(summaries, entries = []) {
  const c = summaries.competencies;
  const k = summaries.credentials;
  const members = new Map(entries.filter((e) => e.member).map((e) => [e.learner, e.member]));
  return summaries.learners.map((learner, i) => ({
    learner,
    name: members.get(learner)?.name ?? null,
    enrolment: members.get(learner)?.enrolment ?? null,
    rejected: summaries.rejected[i],
    competencies: c.ids.map((id, j) => ({
      id,
      status: c.status[i * c.ids.length + j],
      reported: c.reported[i * c.ids.length + j],
    })),
    credentials: k.ids.map((id, j) => ({
      id,
      status: k.status[i * k.ids.length + j],
      issued_at: k.issued_at[i * k.ids.length + j],
    })),
  }));
}

/**
 * The rows matching a filter `{text, competency, status}`: `text` matches part of the learner
 * id or name (case-insensitive); `status` keeps learners whose `competency` (or any competency when
 * `competency` is empty) has that core status.
 */
export function filterRows(rows, { text = '', competency = '', status = '' } = {}) {
  const needle = text.trim().toLowerCase();
  return rows.filter((row) => {
    if (needle && !row.learner.toLowerCase().includes(needle)
      && !(row.name ?? '').toLowerCase().includes(needle)) return false;
    if (!status) return true;
    const cells = competency ? row.competencies.filter((c) => c.id === competency) : row.competencies;
    return cells.some((c) => c.status === status);
  });
}

/** Order of statuses when sorting a column by status (least to most advanced). */
const STATUS_ORDER = ['not_started', 'in_progress', 'not_yet', 'mastered'];

/**
 * The rows sorted by `key` (`learner`, or a competency id) in `direction` (`ascending` or
 * `descending`). A competency sorts by the core's reported score, then status; learners
 * without a score come last either way; ties keep learner order.
 */
export function sortRows(rows, key, direction = 'ascending') {
  const sign = direction === 'descending' ? -1 : 1;
  const byLearner = (a, b) => (a.learner < b.learner ? -1 : a.learner > b.learner ? 1 : 0);
  if (key === 'learner') return [...rows].sort((a, b) => sign * byLearner(a, b));
  const cell = (row) => row.competencies.find((c) => c.id === key);
  return [...rows].sort((a, b) => {
    const x = cell(a);
    const y = cell(b);
    const xs = x?.reported ?? null;
    const ys = y?.reported ?? null;
    if (xs === null && ys !== null) return 1;
    if (ys === null && xs !== null) return -1;
    // Reported values are decimal strings with exactly 2 places: compared as numbers for
    // ordering only, never shown.
    const d = xs === null ? 0 : Number(xs) - Number(ys);
    const s = STATUS_ORDER.indexOf(x?.status) - STATUS_ORDER.indexOf(y?.status);
    return sign * (d || s) || byLearner(a, b);
  });
}

/** A CSV field: quoted when needed, and a leading formula character neutralised. */
export function csvField(value) {
  let text = value === null || value === undefined ? '' : String(value);
  // A spreadsheet would run `=…`, `+…`, `-…`, `@…` as a formula (CSV injection).
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The grid as CSV text (RFC 4180, CRLF): a header of `learner`, `name`, `enrolment` (the NRPS
 * roster's; empty when the platform never listed the learner), then per competency its
 * reported score and status, then per credential its status. `label(status)` words a status
 * or an enrolment (the catalogue's), so the export reads like the screen.
 */
export function toCsv(rows, competencyIds, credentialIds, label = (s) => s) {
  const header = ['learner', 'name', 'enrolment'];
  for (const id of competencyIds) header.push(`${id} score`, `${id} status`);
  for (const id of credentialIds) header.push(`${id} credential`);
  const lines = [header];
  for (const row of rows) {
    const line = [row.learner, row.name ?? '', row.enrolment ? label(row.enrolment) : ''];
    for (const id of competencyIds) {
      const c = row.competencies.find((x) => x.id === id);
      line.push(c?.reported ?? '', c ? label(c.status) : '');
    }
    for (const id of credentialIds) {
      const k = row.credentials.find((x) => x.id === id);
      line.push(k ? label(k.status) : '');
    }
    lines.push(line);
  }
  return `${lines.map((l) => l.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/**
 * Where the browser's fold and the server's summaries (`GET /api/learners`, in the same
 * course order) disagree: the learner ids whose statuses or exact scores differ. Empty when
 * the page shows exactly what the server decided.
 */
export function disagreements(summaries, serverEntries) {
  const server = new Map(serverEntries.map((e) => [e.learner, e.summary]));
  const c = summaries.competencies;
  const k = summaries.credentials;
  const out = [];
  summaries.learners.forEach((learner, i) => {
    const s = server.get(learner);
    if (!s) return;
    const comps = c.ids.some((_, j) => {
      const theirs = s.competencies[j];
      return !theirs || theirs.status !== c.status[i * c.ids.length + j]
        || (theirs.score ?? null) !== (c.score[i * c.ids.length + j] ?? null);
    });
    const creds = k.ids.some((_, j) => s.credentials[j]?.status !== k.status[i * k.ids.length + j]);
    if (comps || creds || s.competencies.length !== c.ids.length) out.push(learner);
  });
  return out;
}
