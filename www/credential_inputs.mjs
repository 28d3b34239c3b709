// What the credential page hands the verifier, DOM-free (tested under Node): the browser's
// clock in the core's format, and the status lists the credential names that this page may
// fetch (its own origin only: the page's policy allows no other, and a list elsewhere is
// left unchecked, which the verifier reports).

/** `date` as the core wants it: `YYYY-MM-DDTHH:MM:SSZ` (no fraction). */
export function coreInstant(date) {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The `statusListCredential` URLs of a credential's entries that share `pageUrl`'s origin. */
export function sameOriginStatusLists(credential, pageUrl) {
  const page = new URL(pageUrl);
  const entries = [].concat(credential?.credentialStatus ?? []);
  const urls = [];
  for (const entry of entries) {
    const url = entry?.statusListCredential;
    if (typeof url !== 'string') continue;
    let parsed;
    try {
      parsed = new URL(url, page);
    } catch {
      continue;
    }
    if (parsed.origin === page.origin) urls.push(parsed);
  }
  return urls;
}
