// The verify page's DOM-free parts (tested under Node): what a dropped file is (a baked PNG
// or SVG, else JSON text) and the verifier's report in words. The verdict and every reason
// are the verifier's; only the labels are the catalogue's.

/** A file's bytes as the verifier's input: `{kind: 'image', bytes}` or `{kind: 'json', text}`. */
export function readInput(bytes) {
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (isPng) return { kind: 'image', bytes };
  const text = new TextDecoder().decode(bytes);
  const start = text.trimStart().slice(0, 512);
  if (start.startsWith('<') && /<svg[\s>]/i.test(text)) return { kind: 'image', bytes };
  return { kind: 'json', text };
}

/** The report in words: a headline, the failing reasons, warnings, and every check. */
export function reportWords(t, report) {
  const checks = report.checks.map((c) => ({
    id: c.id,
    outcome: c.outcome,
    name: t.has(`public.check_${c.id}`) ? t(`public.check_${c.id}`) : c.name,
    outcome_words: t(`public.outcome_${c.outcome}`),
    reason: c.reason,
  }));
  return {
    headline: t(report.verified ? 'public.verify_ok' : 'public.verify_failed'),
    reasons: report.errors.map((e) => e.message),
    warnings: report.warnings.map((w) => w.message),
    checks,
  };
}
