// The public credential page (/credentials/{id}, rendered by the server): wires the Verify
// button to Cairn's verifier compiled to WebAssembly (www/pkg/). It fetches the signed
// credential and its status lists from this origin, verifies them in the browser at the
// browser's clock, and lists each check. Text goes in through textContent only.

import init, * as core from './pkg/cairn_wasm.js';
import { byId, fill, h } from './dom.mjs';
import { coreInstant, sameOriginStatusLists } from './credential_inputs.mjs';

async function verify(credentialUrl) {
  const result = byId('verify-result');
  fill(result, h('p', { text: 'Checking…' }));
  try {
    const text = await fetch(credentialUrl, { headers: { Accept: 'application/vc+ld+json' } })
      .then((r) => {
        if (!r.ok) throw new Error(`the credential could not be read (HTTP ${r.status})`);
        return r.text();
      });
    const lists = sameOriginStatusLists(JSON.parse(text), window.location.href);
    // The core checks one list per call: each entry's list (revocation, suspension) is
    // checked, and the first failing report is the one shown.
    const statusLists = [];
    for (const url of lists) {
      const r = await fetch(url, { headers: { Accept: 'application/vc+ld+json' } });
      if (r.ok) statusLists.push(await r.text());
    }
    const now = coreInstant(new Date());
    const reports = (statusLists.length > 0 ? statusLists : [undefined]).map((statusList) => {
      const options = { now };
      if (statusList !== undefined) options.status_list = statusList;
      return core.verifyCredential(text, JSON.stringify(options));
    });
    const report = reports.find((r) => !r.verified) ?? reports[0];
    const headline = report.verified
      ? h('p', { class: 'verify-ok', text: 'Verified: the issuer signed this credential and it is in force.' })
      : h('p', { class: 'verify-failed', text: 'Not verified: ' + report.errors.map((e) => e.message).join(' ') });
    const checks = h('ul', { class: 'checks' },
      report.checks.map((c) => h('li', { class: `check check-${c.outcome}` },
        h('strong', { text: `${c.name}: ${c.outcome}` }), c.reason ? ` — ${c.reason}` : '')));
    const warnings = report.warnings.map((w) => h('p', { class: 'verify-warning', text: w.message }));
    fill(result, headline, warnings, checks);
  } catch (error) {
    fill(result, h('p', { class: 'verify-failed', text: `The check could not run: ${error.message}` }));
  }
}

async function main() {
  const page = document.querySelector('main[data-credential]');
  if (!page) return;
  const credentialUrl = new URL(page.dataset.credential, window.location.href);
  const button = byId('verify');
  await init({ module_or_path: new URL('./pkg/cairn_wasm_bg.wasm', import.meta.url) });
  button.disabled = false;
  button.addEventListener('click', () => verify(credentialUrl));
}

main().catch((error) => {
  const result = document.getElementById('verify-result');
  if (result) fill(result, h('p', { class: 'verify-failed', text: `The verifier could not load: ${error.message}` }));
});
