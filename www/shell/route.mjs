// What the shell decides before any view runs, DOM-free (tested under Node): which areas a
// launch may open (from its product roles), which one opens first, which locale the strings
// use, and which view a location hash names. Decides no domain rule: roles come from the
// server's launch, and the server re-checks every call against the session anyway.

/** The views' areas, in the order a launch with several roles prefers them. */
export const AREAS = Object.freeze(['instructor', 'learner', 'admin']);

/** The locales with a catalogue in `www/i18n/`. */
export const LOCALES = Object.freeze(['en', 'fr']);

/** A view's name: lower-case words joined by `-` or `_` (also keeps a hash from naming a path). */
const NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** The areas the launch's product roles open, in preference order. */
export function permittedAreas(roles) {
  const held = new Set(roles ?? []);
  return AREAS.filter((area) => held.has(area));
}

/**
 * The view to mount: `{area, name}`. `hash` is `location.hash` (`#/<area>/<name>`, name
 * optional); `fixed` is a page's own view (`<body data-view="public/verify">`), which wins;
 * otherwise the hash's area when the roles permit it, else the first permitted area's
 * `home`. With no launch and no fixed view: the public `welcome` view.
 */
export function chooseView({ roles, hash, fixed }) {
  if (fixed) {
    const [area, name] = fixed.split('/');
    if (NAME.test(area ?? '') && NAME.test(name ?? '')) return { area, name };
  }
  const areas = permittedAreas(roles);
  const [area, name] = (hash ?? '').replace(/^#\/?/, '').split('/');
  if (areas.includes(area)) return { area, name: NAME.test(name ?? '') ? name : 'home' };
  if (areas.length > 0) return { area: areas[0], name: 'home' };
  return { area: 'public', name: 'welcome' };
}

/** The hash that opens a view. */
export function hashOf({ area, name }) {
  return `#/${area}/${name}`;
}

/**
 * The catalogue's locale: `?lang=` when it names one (public pages), else the launch's
 * `launch_presentation.locale`, else the browser's languages; `en` when none matches.
 * `fr-CA` and `fr_CA` both choose `fr`.
 */
export function chooseLocale({ query, launch, browser }) {
  const candidates = [query, launch, ...(browser ?? [])];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const language = candidate.toLowerCase().split(/[-_]/)[0];
    if (LOCALES.includes(language)) return language;
  }
  return 'en';
}
