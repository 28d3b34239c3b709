// The public credential page's DOM-free inputs to the verifier (www/credential_inputs.mjs):
// the clock in the core's format, and which status lists the page may fetch.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { coreInstant, sameOriginStatusLists } from '../../www/credential_inputs.mjs';

describe('credential page inputs', () => {
  test('the clock is written without fractions, in UTC', () => {
    assert.equal(coreInstant(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), '2026-01-02T03:04:05Z');
  });

  test('only status lists on the page origin are fetched', () => {
    const credential = {
      credentialStatus: [
        { type: 'BitstringStatusListEntry', statusListCredential: 'https://tool.test/status/a' },
        { type: 'BitstringStatusListEntry', statusListCredential: 'https://elsewhere.example/status/b' },
        { type: 'BitstringStatusListEntry', statusListCredential: 42 },
        { type: 'BitstringStatusListEntry', statusListCredential: 'http://[bad' },
      ],
    };
    const urls = sameOriginStatusLists(credential, 'https://tool.test/credentials/x');
    assert.deepEqual(urls.map(String), ['https://tool.test/status/a']);
    const single = { credentialStatus: { statusListCredential: '/status/c' } };
    assert.deepEqual(sameOriginStatusLists(single, 'https://tool.test/credentials/x').map(String), ['https://tool.test/status/c']);
    assert.deepEqual(sameOriginStatusLists({}, 'https://tool.test/x'), []);
    assert.deepEqual(sameOriginStatusLists(null, 'https://tool.test/x'), []);
  });
});
