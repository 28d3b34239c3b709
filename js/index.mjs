// A friendly Node entry to Cairn's core in WebAssembly: loads the web-target build of
// `cargo xtask wasm` (www/pkg/) synchronously and lets callers pass plain objects where the
// binding takes JSON text. Translation only; every result is the core's, with the core's
// snake_case member names, typed in www/pkg/cairn_wasm.d.ts.

import { readFileSync } from 'node:fs';

import * as binding from '../www/pkg/cairn_wasm.js';

const asJson = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Verify options as JSON text; a `status_list` given as an object becomes the text the binding reads. */
const verifyOptions = (options) => {
  if (typeof options === 'string' || options?.status_list === undefined) return asJson(options);
  return JSON.stringify({ ...options, status_list: asJson(options.status_list) });
};

let ready = false;

/** Instantiates the module once (Node cannot fetch `file:` URLs, so its bytes are read). */
export function load() {
  if (!ready) {
    binding.initSync({ module: readFileSync(new URL('../www/pkg/cairn_wasm_bg.wasm', import.meta.url)) });
    ready = true;
  }
  return api;
}

/** The core's API with objects or JSON text accepted for every input. */
export const api = Object.freeze({
  /** The binding's version. */
  version: () => binding.version(),
  /** Validator findings of credential definitions (array of objects or JSON text).
   * @returns {import('../www/pkg/cairn_wasm.js').Finding[]} */
  validateDefinitions: (definitions) => binding.validateDefinitions(asJson(definitions)),
  /** `record = fold(definitions, events, at)`, the record as a plain object.
   * @returns {import('../www/pkg/cairn_wasm.js').LearnerRecord} */
  fold: (definitions, events, at) => binding.fold(asJson(definitions), asJson(events), at),
  /** The record serialized as the native core serializes it. */
  foldJson: (definitions, events, at) => binding.foldJson(asJson(definitions), asJson(events), at),
  /** A calculation method on evidence rows (`spec/mastery.md` §2–3).
   * @returns {import('../www/pkg/cairn_wasm.js').CalculationOutcome} */
  calculate: (input) => binding.calculate(asJson(input)),
  /** Parent-from-children roll-up (`spec/mastery.md` §4).
   * @returns {import('../www/pkg/cairn_wasm.js').RollupOutcome} */
  rollup: (input) => binding.rollup(asJson(input)),
  /** An award rule on given facts, with progress and an explanation tree.
   * @returns {import('../www/pkg/cairn_wasm.js').CriteriaOutcome} */
  evaluateCriteria: (input) => binding.evaluateCriteria(asJson(input)),
  /**
   * Verifies an Open Badges 3.0 credential (object or JSON text). `options` is
   * `{now, mode?, status_list?, controllers?, no_fragment_key?, recipient?: {identity_type, value}}`
   * (snake_case, like every structure of the binding's own; `status_list` may be an object).
   * Returns `{verified, mode, checks, errors, warnings}`.
   */
  verifyCredential: (credential, options) => binding.verifyCredential(asJson(credential), verifyOptions(options)),
  /** Verifies the credential baked into a PNG or SVG image (bytes), with the same options. */
  verifyBadgeImage: (image, options) => binding.verifyBadgeImage(image, verifyOptions(options)),
  /** Canonical N-Quads of a JSON-LD document: `{nquads, hash, utf16_order_differs}`. */
  canonicalizeCredential: (document) => binding.canonicalizeCredential(asJson(document)),
  /** Bakes a signed credential (object or JSON text) into a PNG or SVG image; returns the bytes. */
  bakeCredential: (image, credential) => binding.bakeCredential(image, asJson(credential)),
  /** The text baked into an image: `{image: 'png'|'svg', version: 'ob3'|'ob2', text}`. */
  extractCredential: (image) => binding.extractCredential(image),
});
