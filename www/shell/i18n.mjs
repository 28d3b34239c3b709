// The string catalogues: every word the views show comes from `www/i18n/<locale>/<area>.mjs`
// (each exports one flat object; a key is used as `<area>.<key>`). Values are text with
// `{name}` placeholders, or `{one, other}` chosen by the `count` parameter with the locale's
// plural rules. DOM-free apart from the dynamic import (tested under Node).

/** Loads the catalogues of `areas` (plus `shell`) in `locale` and in English (the fallback). */
export async function loadCatalogues(locale, areas) {
  const wanted = [...new Set(['shell', ...areas])];
  const load = async (lang, area) => {
    try {
      return (await import(new URL(`../i18n/${lang}/${area}.mjs`, import.meta.url).href)).default;
    } catch {
      return {};
    }
  };
  const catalogues = {};
  for (const lang of new Set([locale, 'en'])) {
    catalogues[lang] = {};
    const loaded = await Promise.all(wanted.map((area) => load(lang, area)));
    wanted.forEach((area, i) => {
      catalogues[lang][area] = loaded[i];
    });
  }
  return catalogues;
}

/** `text` with each `{name}` replaced by `params[name]` (left as is when absent). */
export function interpolate(text, params = {}) {
  return text.replace(/\{([a-z_][a-z0-9_]*)\}/gi, (whole, name) =>
    params[name] === undefined || params[name] === null ? whole : String(params[name]));
}

/**
 * The translator of `catalogues` (from [`loadCatalogues`]) in `locale`: `t('learner.title')`,
 * `t('learner.attempts', {count: 2})`. A missing key falls back to English, then to the key
 * itself (visible, so a test can find it).
 */
export function translator(catalogues, locale) {
  const plural = new Intl.PluralRules(locale);
  const lookup = (lang, area, key) => catalogues[lang]?.[area]?.[key];
  const t = (key, params = {}) => {
    const dot = key.indexOf('.');
    const area = key.slice(0, dot);
    const rest = key.slice(dot + 1);
    let value = lookup(locale, area, rest) ?? lookup('en', area, rest);
    if (value === undefined) return key;
    if (typeof value === 'object') {
      const form = typeof params.count === 'number' ? plural.select(params.count) : 'other';
      value = value[form] ?? value.other;
    }
    return interpolate(value, params);
  };
  t.locale = locale;
  /** Whether a key exists (in the locale or English). */
  t.has = (key) => {
    const dot = key.indexOf('.');
    const area = key.slice(0, dot);
    const rest = key.slice(dot + 1);
    return (lookup(locale, area, rest) ?? lookup('en', area, rest)) !== undefined;
  };
  /** A core decimal (`"86.67"`) with the locale's decimal sign, never re-rounded. */
  t.decimal = (value) => (value === null || value === undefined ? '—'
    : locale === 'fr' ? String(value).replace('.', ',') : String(value));
  /** A core percent as shown: `86.67 %` / `86,67 %`, or a dash. */
  t.percent = (value) => (value === null || value === undefined ? '—' : `${t.decimal(value)} %`);
  /** A core instant (`2026-03-01T10:00:00Z`) or Unix seconds as a date and time. */
  t.when = (value) => {
    const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    if (Number.isNaN(date.getTime())) return String(value);
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date);
  };
  /** A core instant or Unix seconds as a date. */
  t.day = (value) => {
    const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    if (Number.isNaN(date.getTime())) return String(value);
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  };
  return t;
}
