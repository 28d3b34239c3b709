// Renders a record (the core's fold) into the page: the credential's state, competencies,
// assessments, the criteria explanation tree, the event log and the definition checks.
// Reads the record and the definitions; never computes a result of its own.

import { byId, fill, h } from './dom.mjs';
import { namesOf } from './names.mjs';
import {
  assessmentResult, credentialStatus, day, describeEvent, masteryStatus, nextStep, percent,
  plarMethod, when,
} from './words.mjs';

export { namesOf };

function chip(text, tone) {
  return h('span', { class: `chip chip-${tone}`, text });
}

/** The definition's heading and facts (static for a page load). */
export function renderDefinition(definition) {
  byId('credential-code').textContent = definition.metadata?.human_code ?? definition.id;
  byId('credential-name').textContent = definition.name;
  byId('credential-description').textContent = definition.description;
  const policy = definition.attempt_policy;
  const facts = [
    ['Issuer', definition.issuer?.name],
    ['Version', definition.version],
    ['Learner hours', definition.hours],
    ['Completion window', definition.completion_window_days ? `${definition.completion_window_days} days from enrolment` : null],
    ['Valid for', definition.validity?.months ? `${definition.validity.months} months` : definition.validity?.days ? `${definition.validity.days} days` : 'No expiry'],
    ['Attempts', policy ? [
      policy.max_attempts === null ? 'unlimited' : `${policy.max_attempts} per assessment`,
      `${policy.scoring} kept`,
      policy.feedback_required_before_retry ? 'feedback before a retry' : null,
      policy.min_days_between_attempts ? `${policy.min_days_between_attempts} days between attempts` : null,
    ].filter(Boolean).join(' · ') : null],
    ['Prior learning (PLAR)', definition.plar ? `${definition.plar.methods.map(plarMethod).join(', ')}${definition.plar.max_share_percent ? ` · up to ${definition.plar.max_share_percent} % of competencies` : ''}` : 'Not offered'],
    ['Delivery', definition.metadata?.cis?.delivery_mode?.replaceAll('-', ', ')],
  ];
  fill(byId('credential-facts'), facts.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

function renderCredential(credential) {
  const tone = credential.status === 'valid' ? 'good' : credential.status === 'not_issued' ? 'neutral' : 'bad';
  const lines = [
    h('p', { class: 'credential-status' }, chip(credentialStatus(credential.status), tone),
      ` ${credential.progress.satisfied} of ${credential.progress.of} requirements met`),
  ];
  if (credential.issued_at) {
    const until = credential.valid_until ? `, valid until ${day(credential.valid_until)}` : ', no expiry';
    lines.push(h('p', { text: `Issued ${when(credential.issued_at)}${until}.` }));
  } else if (credential.criteria_met) {
    lines.push(h('p', { text: 'The criteria hold: the credential is issued on application.' }));
  }
  fill(byId('credential-state'), lines);
}

function renderCompetencies(record, definition) {
  const items = (definition.competencies ?? []).map((c) => {
    const rec = record.competencies[c.id];
    if (!rec) return h('li', { text: `${c.id}: not in the record` });
    const score = rec.reported ? Number(rec.reported) : 0; // bar geometry only
    const threshold = Number(rec.threshold_percent);
    const bar = h('div', { class: 'bar', 'aria-hidden': 'true' }, h('div', { class: 'bar-fill' }), h('div', { class: 'bar-mark' }));
    bar.firstChild.style.width = `${Math.max(0, Math.min(100, score))}%`;
    bar.lastChild.style.left = `${Math.max(0, Math.min(100, threshold))}%`;
    const source = rec.source === 'plar'
      ? `recognised prior learning (${plarMethod(rec.plar_method)})`
      : rec.source === 'assessment' ? 'assessments' : null;
    const tone = rec.status === 'mastered' ? 'good' : rec.status === 'not_yet' ? 'bad' : 'neutral';
    return h('li', { class: `competency status-${rec.status}` },
      h('div', { class: 'competency-head' }, h('strong', { text: c.id }), chip(masteryStatus(rec.status), tone)),
      h('p', { class: 'statement', text: c.statement }),
      bar,
      h('p', { class: 'numbers', text: [
        `Score ${percent(rec.reported)}`,
        `threshold ${rec.threshold_percent} %`,
        source ? `mastered through ${source}` : null,
      ].filter(Boolean).join(' · ') }));
  });
  fill(byId('competencies'), items);
}

function renderAssessments(record, definition) {
  const rows = (definition.assessments ?? []).map((a) => {
    const rec = record.assessments[a.id];
    if (!rec) return h('tr', {}, h('td', { colspan: '6', text: `${a.title}: not in the record` }));
    const formative = rec.kind === 'formative';
    const attempts = rec.attempts.map((t) => `#${t.number} ${t.pending ? 'awaiting a grader' : percent(t.reported)}${t.route !== 'course' ? ` (${plarMethod(t.route)})` : ''}`);
    const shown = assessmentResult(rec);
    const result = chip(shown.text, shown.tone);
    return h('tr', {},
      h('th', { scope: 'row' }, h('span', { text: a.title }), h('span', { class: 'muted id', text: ` ${a.id}` })),
      h('td', { text: formative ? '—' : `${a.pass_percent} %` }),
      h('td', {}, h('span', { text: `${rec.attempts_counted} ${formative ? 'accepted' : 'counted'}` }), attempts.length ? h('span', { class: 'muted attempts', text: attempts.join(' · ') }) : null),
      h('td', { text: percent(rec.kept_reported) }),
      h('td', {}, result),
      h('td', { text: nextStep(rec.next) }));
  });
  fill(byId('assessments').tBodies[0], rows);
}

const RULE_WORDS = {
  all: (n) => `All of these (${n.progress.satisfied} of ${n.progress.of} met)`,
  any: (n) => `Any one of these (${n.progress.satisfied} of ${n.progress.of} met)`,
  at_least: (n) => `At least ${n.k} of these (${n.progress.satisfied} met)`,
  points: (n) => `At least ${n.progress.of} points (${n.progress.satisfied} reached)`,
  competency: (n, names) => `Competency ${names.get(n.target) ?? n.target} mastered`,
  all_competencies: () => 'Every competency mastered',
  assessment: (n, names) => `Pass “${names.get(n.target) ?? n.target}”`,
  submitted: (n, names) => `Submit “${names.get(n.target) ?? n.target}”`,
  credential: (n, names) => `Hold the credential “${names.get(n.target) ?? n.target}”`,
};

function explanationNode(node, names, inPoints) {
  const words = (RULE_WORDS[node.rule] ?? ((n) => n.rule))(node, names);
  const extra = inPoints && node.points !== undefined
    ? ` (+${node.points} points${node.required ? ', required' : ''})` : '';
  const item = h('li', { class: node.satisfied ? 'met' : 'missing' },
    h('span', { class: 'mark', 'aria-hidden': 'true', text: node.satisfied ? '✓' : '✗' }),
    h('span', { class: 'visually-hidden', text: node.satisfied ? 'Met: ' : 'Missing: ' }),
    h('span', { text: words + extra }));
  if (!node.satisfied && node.next) item.append(h('p', { class: 'next', text: `Next: ${nextStep(node.next)}` }));
  if (node.children?.length) {
    item.append(h('ul', {}, node.children.map((c) => explanationNode(c, names, node.rule === 'points'))));
  }
  return item;
}

function renderExplanation(credential, names) {
  fill(byId('explanation'), h('ul', { class: 'tree' }, explanationNode(credential.explanation, names, false)));
}

function renderEvents(record, events, added, names) {
  const rejected = new Map(record.errors.map((e) => [e.event, e]));
  const items = events.map((event, index) => {
    const error = rejected.get(index);
    return h('li', { class: [error ? 'rejected' : '', added.has(index) ? 'added' : ''].join(' ').trim() || undefined },
      h('time', { datetime: event.at, text: when(event.at) }),
      h('span', { class: 'what', text: ` ${describeEvent(event, names)}` }),
      added.has(index) ? h('span', { class: 'tag', text: 'what if' }) : null,
      error ? h('p', { class: 'rejection' }, h('strong', { text: `Rejected (${error.code}): ` }), h('span', { text: error.message })) : null);
  });
  fill(byId('events'), items);
}

/**
 * The validator's findings (V1–V10, in the record) and what publishing still needs
 * (`publishFindings`); the definition is ready to publish when no finding is an error.
 */
function renderFindings(record, publish) {
  const findings = [...record.validation, ...publish];
  const items = findings.map((f) => h('li', { class: `finding finding-${f.severity}` },
    chip(f.severity, f.severity === 'error' ? 'bad' : 'warn'),
    h('span', { text: ` ${f.ref}: ${f.message ?? f.code}` }), h('span', { class: 'muted', text: ` (${f.code})` })));
  if (!findings.some((f) => f.severity === 'error')) {
    const verdict = findings.length
      ? 'Only warnings: the definition is ready to publish.'
      : 'No findings: the definition is ready to publish.';
    items.push(h('li', { class: 'muted', text: verdict }));
  }
  fill(byId('findings'), items);
}

/** Renders everything that depends on the record. */
export function renderRecord({ record, publish, definitions, events, added }) {
  const definition = definitions[0];
  const names = namesOf(definitions);
  const credential = record.credentials[definition.id];
  renderCredential(credential);
  renderCompetencies(record, definition);
  renderAssessments(record, definition);
  renderExplanation(credential, names);
  renderEvents(record, events, added, names);
  renderFindings(record, publish);
  const at = byId('record-at');
  at.dateTime = record.at;
  at.textContent = when(record.at);
}
