// The sample page's entry module (`/sample/`, no launch needed): loads Cairn's core
// (WebAssembly, www/pkg/) and the sample credential and learner, folds the events with the
// core, and wires the "what if" forms.
// Holds the page's state (the sample plus the visitor's changes); decides nothing itself.

import init, * as core from './pkg/cairn_wasm.js';
import { byId, fill, h } from './dom.mjs';
import { renderDefinition, renderRecord } from './view.mjs';
import {
  DECIMAL, applyAttempts, applyThresholds, lastInstant, plusDaysLocal, toInstant,
} from './whatif.mjs';
import { when } from './words.mjs';

const state = {
  definitions: [],
  events: [],
  /** The visitor's changes, oldest first. */
  changes: [],
};

function setStatus(text, isError = false) {
  const status = byId('status');
  status.textContent = text;
  status.classList.toggle('status-error', isError);
}

/** Folds the sample with every change applied and renders the record. */
function recompute() {
  const definitions = applyThresholds(state.definitions, state.changes);
  const { events, added } = applyAttempts(state.events, state.changes);
  const at = lastInstant(events);
  const started = performance.now();
  let record;
  let publish;
  try {
    record = core.fold(JSON.stringify(definitions), JSON.stringify(events), at);
    publish = core.publishFindings(JSON.stringify(definitions));
  } catch (error) {
    setStatus(`The core refused the input (${error.code ?? 'error'}): ${error.message}`, true);
    return;
  }
  const ms = performance.now() - started;
  renderRecord({ record, publish, definitions, events, added });
  renderChanges();
  const rejected = record.errors.filter((e) => added.has(e.event)).length;
  setStatus(`Folded ${events.length} events in ${ms.toFixed(1)} ms` +
    (rejected ? ` · ${rejected} of your events rejected: see the event log` : ''));
}

function describeChange(change) {
  if (change.kind === 'threshold') {
    const what = change.target.type === 'competency' ? `Threshold of ${change.target.id}` : `Pass mark of ${change.target.id}`;
    return `${what} set to ${change.value} %`;
  }
  const score = change.partScores
    ? Object.entries(change.partScores).map(([p, v]) => `${p} ${v}`).join(' · ')
    : change.score;
  return `Attempt on ${change.assessment} at ${when(change.at)}: ${score}${change.feedback ? ' (feedback released first)' : ''}`;
}

function renderChanges() {
  fill(byId('changes'), state.changes.map((c) => h('li', { text: describeChange(c) })));
  byId('no-changes').hidden = state.changes.length > 0;
  byId('undo').disabled = state.changes.length === 0;
  byId('reset').disabled = state.changes.length === 0;
}

// ---- threshold form ----

function thresholdTargets() {
  const definition = state.definitions[0];
  return [
    ...(definition.competencies ?? []).map((c) => ({ type: 'competency', id: c.id, value: c.threshold_percent, label: `${c.id} (competency threshold)` })),
    ...(definition.assessments ?? []).filter((a) => a.kind === 'summative')
      .map((a) => ({ type: 'assessment', id: a.id, value: a.pass_percent, label: `${a.title} (pass mark)` })),
  ];
}

function currentThreshold(target) {
  const definitions = applyThresholds(state.definitions, state.changes);
  const definition = definitions[0];
  if (target.type === 'competency') return definition.competencies.find((c) => c.id === target.id)?.threshold_percent;
  return definition.assessments.find((a) => a.id === target.id)?.pass_percent;
}

function setupThresholdForm() {
  const select = byId('threshold-target');
  const input = byId('threshold-value');
  const targets = thresholdTargets();
  fill(select, targets.map((t, i) => h('option', { value: String(i), text: t.label })));
  const selected = () => targets[Number(select.value)];
  const showCurrent = () => {
    input.value = currentThreshold(selected()) ?? '';
    input.setCustomValidity('');
  };
  select.addEventListener('change', showCurrent);
  input.addEventListener('input', () => {
    const value = input.value.trim();
    if (!DECIMAL.test(value)) {
      input.setCustomValidity('Write a decimal such as 75 or 72.5');
      input.reportValidity();
      return;
    }
    input.setCustomValidity('');
    const target = selected();
    const last = state.changes.at(-1);
    const change = { kind: 'threshold', target: { type: target.type, id: target.id }, value };
    // Typing refines the last change on the same target instead of stacking one per key.
    if (last?.kind === 'threshold' && last.target.type === target.type && last.target.id === target.id) {
      state.changes[state.changes.length - 1] = change;
    } else {
      state.changes.push(change);
    }
    recompute();
  });
  byId('threshold-form').addEventListener('submit', (e) => e.preventDefault());
  showCurrent();
  return showCurrent;
}

// ---- attempt form ----

function setupAttemptForm() {
  const definition = state.definitions[0];
  const assessments = (definition.assessments ?? []).filter((a) => a.kind === 'summative');
  const select = byId('attempt-assessment');
  fill(select, assessments.map((a) => h('option', { value: a.id, text: a.title })));
  const scores = byId('attempt-scores');
  const at = byId('attempt-at');

  const scoreField = (id, label, max) => {
    const inputId = `attempt-score-${id}`;
    return h('div', { class: 'score-field' },
      h('label', { for: inputId, text: `${label}, of ${max}` }),
      h('input', { id: inputId, name: id, type: 'text', inputmode: 'decimal', required: true, autocomplete: 'off', pattern: '[0-9]+([.][0-9]+)?' }));
  };
  const showFields = () => {
    const a = assessments.find((x) => x.id === select.value);
    if (!a) return;
    fill(scores, a.parts?.length
      ? a.parts.map((p) => scoreField(p.id, `${p.id} · ${p.competency}`, p.max_points))
      : [scoreField('score', 'Score', a.max_points)]);
  };
  const defaultInstant = () => {
    const { events } = applyAttempts(state.events, state.changes);
    at.value = plusDaysLocal(lastInstant(events), 7);
  };
  select.addEventListener('change', showFields);
  byId('attempt-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const a = assessments.find((x) => x.id === select.value);
    const instant = toInstant(at.value);
    if (!a || !instant) {
      at.setCustomValidity('Pick a date and time');
      at.reportValidity();
      return;
    }
    at.setCustomValidity('');
    const values = {};
    for (const input of scores.querySelectorAll('input')) {
      const value = input.value.trim();
      if (!DECIMAL.test(value)) {
        input.setCustomValidity('Write points as a decimal such as 34 or 34.5');
        input.reportValidity();
        return;
      }
      input.setCustomValidity('');
      values[input.name] = value;
    }
    const change = { kind: 'attempt', assessment: a.id, at: instant, feedback: byId('attempt-feedback').checked };
    if (a.parts?.length) change.partScores = values;
    else change.score = values.score;
    state.changes.push(change);
    recompute();
    defaultInstant();
  });
  showFields();
  defaultInstant();
  return defaultInstant;
}

async function main() {
  await init({ module_or_path: new URL('./pkg/cairn_wasm_bg.wasm', import.meta.url) });
  byId('core-version').textContent = core.version();
  const [definitions, events] = await Promise.all([
    fetch(new URL('./sample/definitions.json', import.meta.url)).then((r) => r.json()),
    fetch(new URL('./sample/events.json', import.meta.url)).then((r) => r.json()),
  ]);
  state.definitions = definitions;
  state.events = events;
  renderDefinition(definitions[0]);
  const resetThreshold = setupThresholdForm();
  const resetInstant = setupAttemptForm();
  byId('undo').addEventListener('click', () => {
    state.changes.pop();
    recompute();
    resetThreshold();
    resetInstant();
  });
  byId('reset').addEventListener('click', () => {
    state.changes = [];
    recompute();
    resetThreshold();
    resetInstant();
  });
  recompute();
}

main().catch((error) => {
  setStatus(`Cairn could not start: ${error.message}. Build the core with \`cargo xtask wasm\` and reload.`, true);
});
