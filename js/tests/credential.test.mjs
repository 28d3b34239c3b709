// The credential bindings of the wasm build: the oracle-signed project vectors and the 1EdTech
// fixtures verify (JSON text and baked PNG/SVG images), tampering fails with its code, the
// status list revokes, canonicalization reproduces the published N-Quads, and bake/extract
// round-trip. Evaluation times are pinned (the project vectors expire in 2029).

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadCore, pkgDir, sharedDir } from './support.mjs';

let core;
before(async () => {
  core = await loadCore();
});

const vectors = join(sharedDir, 'vectors');
const text = (rel) => readFileSync(join(vectors, rel), 'utf8');
const bytes = (rel) => new Uint8Array(readFileSync(join(vectors, rel)));
const NOW = '2026-06-01T00:00:00Z';
const opts = (extra = {}) => JSON.stringify({ now: NOW, ...extra });

describe('verifyCredential (wasm)', () => {
  for (const name of ['ob3-mastery', 'ob3-mastery-https-issuer', 'ob3-cis']) {
    test(`oracle-signed ${name} verifies`, () => {
      const report = core.verifyCredential(text(`project/${name}-signed.json`), opts());
      assert.equal(report.verified, true, JSON.stringify(report.errors));
      assert.deepEqual(report.checks.map((c) => c.id), Array.from({ length: 14 }, (_, i) => `V${i + 1}`));
      assert.equal(report.checks[8].outcome, 'passed');
    });
  }

  test('1EdTech fixtures: valid, bad signature, expired', () => {
    const v = (f) => core.verifyCredential(text(`1edtech-ob3/validator-fixtures/${f}`), opts());
    assert.equal(v('simple.json').verified, true);
    assert.deepEqual(v('simple-err-proof-value.json').errors.map((e) => e.code), ['signature_invalid']);
    assert.deepEqual(v('simple-err-expired.json').errors.map((e) => e.code), ['expired']);
  });

  test('tampering fails with its code', () => {
    const signed = JSON.parse(text('project/ob3-mastery-signed.json'));
    const cases = [
      ['signature_invalid', (d) => { d.credentialSubject.result[0].value = '96'; }],
      ['undefined_term', (d) => { d.credentialSubject.myCustomField = 'x'; }],
      ['context_unknown', (d) => { d['@context'].push('https://evil.example/ctx.json'); }],
      ['noncharacter', (d) => { d.name = 'x\uFFFF'; }],
      ['proof_missing', (d) => { delete d.proof; }],
    ];
    for (const [code, change] of cases) {
      const doc = structuredClone(signed);
      change(doc);
      const report = core.verifyCredential(JSON.stringify(doc), opts());
      assert.equal(report.verified, false, code);
      assert.equal(report.errors[0].code, code, JSON.stringify(report.errors));
      assert.ok(report.errors[0].message.length > 0);
    }
    const late = core.verifyCredential(JSON.stringify(signed), opts({ now: '2029-03-02T15:04:06Z' }));
    assert.deepEqual(late.errors.map((e) => e.code), ['expired']);
    const atEnd = core.verifyCredential(JSON.stringify(signed), opts({ now: '2029-03-02T15:04:05Z' }));
    assert.equal(atEnd.verified, true);
  });

  test('a supplied status list revokes', () => {
    const cred = text('1edtech-ob3/validator-fixtures/bitstring-credential-status-revoked.json');
    const list = text('1edtech-ob3/validator-fixtures/bitstring-testlist.json');
    const revoked = core.verifyCredential(cred, opts({ status_list: list }));
    assert.deepEqual(revoked.errors.map((e) => e.code), ['revoked']);
    const unchecked = core.verifyCredential(cred, opts());
    assert.equal(unchecked.verified, true);
    assert.ok(unchecked.warnings.some((w) => w.code === 'status_unchecked'));
  });

  test('bad options throw an Error with a code', () => {
    assert.throws(() => core.verifyCredential('{}', '{"now": "yesterday"}'), (e) => e.code === 'invalid_timestamp');
    // The binding's own structures are snake_case: the camelCase spelling is an unknown member.
    assert.throws(() => core.verifyCredential('{}', opts({ statusList: '{}' })), (e) => e.code === 'invalid_json');
    assert.throws(() => core.verifyCredential('{}', opts({ mode: 'openBadge' })), (e) => e.code === 'invalid_json');
    assert.equal(core.verifyCredential('{}', opts({ mode: 'open_badge' })).mode, 'open_badge');
    assert.throws(() => core.verifyCredential('{}', '{"now": "2026-01-01T00:00:00Z", "x": 1}'), (e) => e.code === 'invalid_json');
  });
});

describe('canonicalizeCredential (wasm)', () => {
  test('reproduces the project canonical N-Quads and hash', () => {
    const out = core.canonicalizeCredential(text('project/ob3-cis-unsigned.json'));
    assert.equal(out.nquads, text('project/ob3-cis-canonical-document.nq'));
    assert.equal(out.hash, JSON.parse(text('project/ob3-cis-hashes.json')).docHash);
    assert.equal(out.utf16_order_differs, false);
  });
});

describe('baked images (wasm)', () => {
  test('the 1EdTech PNG and SVG verify', () => {
    for (const f of ['simple-json.png', 'simple-json.svg']) {
      const report = core.verifyBadgeImage(bytes(`1edtech-ob3/validator-fixtures/${f}`), opts());
      assert.equal(report.verified, true, `${f}: ${JSON.stringify(report.errors)}`);
    }
  });

  test('bake, extract and verify round trip', () => {
    const credential = text('project/ob3-mastery-signed.json');
    for (const f of ['simple-json.png', 'simple-json.svg']) {
      const baked = core.bakeCredential(bytes(`1edtech-ob3/validator-fixtures/${f}`), credential);
      const out = core.extractCredential(baked);
      assert.equal(out.version, 'ob3');
      assert.equal(out.image, f.endsWith('.png') ? 'png' : 'svg');
      assert.equal(out.text, credential);
      assert.equal(core.verifyBadgeImage(baked, opts()).verified, true);
    }
  });

  test('an image without a credential fails V1 with the extraction code', () => {
    const report = core.verifyBadgeImage(new Uint8Array([1, 2, 3]), opts());
    assert.equal(report.verified, false);
    assert.equal(report.checks[0].outcome, 'failed');
    assert.ok(report.errors[0].code.length > 0);
  });
});

describe('credential API of js/index.mjs and its types', () => {
  test('objects in, the same snake_case report out; a status list may be an object', async () => {
    const { load } = await import('../index.mjs');
    const cairn = load();
    const cred = text('1edtech-ob3/validator-fixtures/bitstring-credential-status-revoked.json');
    const list = text('1edtech-ob3/validator-fixtures/bitstring-testlist.json');
    const fromText = core.verifyCredential(JSON.stringify(JSON.parse(cred)), opts({ status_list: JSON.stringify(JSON.parse(list)) }));
    const fromObjects = cairn.verifyCredential(JSON.parse(cred), { now: NOW, status_list: JSON.parse(list) });
    assert.deepEqual(fromObjects, fromText);
    assert.deepEqual(fromObjects.errors.map((e) => e.code), ['revoked']);
    const canon = cairn.canonicalizeCredential(JSON.parse(text('project/ob3-cis-unsigned.json')));
    assert.deepEqual(Object.keys(canon).sort(), ['hash', 'nquads', 'utf16_order_differs']);
  });

  test('the generated TypeScript types name the credential results, not any', () => {
    const dts = readFileSync(join(pkgDir, 'cairn_wasm.d.ts'), 'utf8');
    for (const [fn, type] of [
      ['verifyCredential', 'VerificationReport'],
      ['verifyBadgeImage', 'VerificationReport'],
      ['canonicalizeCredential', 'CanonicalForm'],
      ['extractCredential', 'ExtractedCredential'],
    ]) {
      assert.match(dts, new RegExp(`export function ${fn}\\([^)]*\\): ${type};`), fn);
    }
    assert.match(dts, /export interface VerifyOptions \{[^}]*status_list\?: string;/);
  });
});
