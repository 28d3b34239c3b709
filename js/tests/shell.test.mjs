// The page shell's DOM-free decisions under Node: which view a launch opens, which locale its
// strings use, and that every catalogue key exists in both locales with the same placeholders.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { repoRoot } from './support.mjs';
import { chooseLocale, chooseView, hashOf, permittedAreas } from '../../www/shell/route.mjs';
import { interpolate, translator } from '../../www/shell/i18n.mjs';
import { learnerTarget, placedHash, placementOf } from '../../www/shell/placement.mjs';

describe('page shell: routes', () => {
  test('roles open their areas; the instructor area first', () => {
    assert.deepEqual(permittedAreas(['learner', 'instructor']), ['instructor', 'learner']);
    assert.deepEqual(permittedAreas([]), []);
    assert.deepEqual(chooseView({ roles: ['learner'], hash: '' }), { area: 'learner', name: 'home' });
    assert.deepEqual(chooseView({ roles: ['instructor', 'learner'], hash: '' }), { area: 'instructor', name: 'home' });
  });

  test('a hash opens a view only in an area the roles permit', () => {
    assert.deepEqual(chooseView({ roles: ['learner'], hash: '#/instructor/grading' }), { area: 'learner', name: 'home' });
    assert.deepEqual(chooseView({ roles: ['instructor'], hash: '#/instructor/grading' }), { area: 'instructor', name: 'grading' });
    assert.deepEqual(chooseView({ roles: ['instructor'], hash: '#/instructor/../x' }), { area: 'instructor', name: 'home' });
    assert.equal(hashOf({ area: 'learner', name: 'home' }), '#/learner/home');
  });

  test('a page with a fixed view ignores roles; no launch is the welcome view', () => {
    assert.deepEqual(chooseView({ roles: ['learner'], hash: '#/learner/home', fixed: 'public/verify' }), { area: 'public', name: 'verify' });
    assert.deepEqual(chooseView({ roles: [], hash: '' }), { area: 'public', name: 'welcome' });
  });

  test('a placed link opens its assessment: the learner\'s progress, the instructor\'s grading queue', () => {
    const exam = { id: 'p1', view: 'assessment', definition_id: 'first-aid', assessment_id: 'EXAM', title: 'First aid exam' };
    const progress = { id: 'p2', view: 'progress', definition_id: 'first-aid', title: 'Workplace First Aid' };
    assert.equal(placedHash({ roles: ['learner'], placement: exam }), '#/learner/home');
    assert.equal(placedHash({ roles: ['instructor', 'learner'], placement: exam }), '#/instructor/grading');
    assert.equal(placedHash({ roles: ['instructor'], placement: progress }), '#/instructor/home');
    assert.equal(placedHash({ roles: ['admin'], placement: exam }), null);
    assert.equal(placedHash({ roles: ['learner'] }), null);
    assert.equal(placedHash(null), null);
    assert.deepEqual(placementOf({ placement: exam }), { view: 'assessment', definition: 'first-aid', assessment: 'EXAM', title: 'First aid exam' });
    assert.deepEqual(placementOf({ placement: progress }), { view: 'progress', definition: 'first-aid', assessment: null, title: 'Workplace First Aid' });
    assert.equal(placementOf({ placement: { view: 'assessment', assessment_id: 'EXAM' } }), null, 'no credential: not usable');
    assert.equal(learnerTarget(placementOf({ placement: exam })), '[data-credential="first-aid"] [data-assessment="EXAM"]');
    assert.equal(learnerTarget(placementOf({ placement: progress })), '[data-credential="first-aid"]');
    assert.equal(learnerTarget(placementOf({ placement: { ...exam, assessment_id: 'a"b\\' } })), '[data-credential="first-aid"] [data-assessment="a\\"b\\\\"]');
  });

  test('the locale: query, then launch, then browser, then English', () => {
    assert.equal(chooseLocale({ query: null, launch: 'fr-CA', browser: ['en-US'] }), 'fr');
    assert.equal(chooseLocale({ query: 'en', launch: 'fr-CA', browser: [] }), 'en');
    assert.equal(chooseLocale({ query: null, launch: null, browser: ['de-DE', 'fr_BE'] }), 'fr');
    assert.equal(chooseLocale({ query: null, launch: 'es', browser: ['de'] }), 'en');
  });
});

/** Every catalogue: `{locale: {area: object}}`. */
async function catalogues() {
  const dir = join(repoRoot, 'www', 'i18n');
  const all = {};
  for (const locale of readdirSync(dir)) {
    all[locale] = {};
    for (const file of readdirSync(join(dir, locale)).filter((f) => f.endsWith('.mjs'))) {
      all[locale][file.replace(/\.mjs$/, '')] = (await import(pathToFileURL(join(dir, locale, file)).href)).default;
    }
  }
  return all;
}

const placeholders = (value) => [...new Set(
  (typeof value === 'object' ? Object.values(value).join(' ') : value).match(/\{[a-z_][a-z0-9_]*\}/gi) ?? [],
)].sort();

describe('page shell: strings', () => {
  test('every key exists in English and French with the same placeholders', async () => {
    const all = await catalogues();
    assert.deepEqual(Object.keys(all).sort(), ['en', 'fr']);
    assert.deepEqual(Object.keys(all.fr).sort(), Object.keys(all.en).sort(), 'the same areas');
    for (const area of Object.keys(all.en)) {
      assert.deepEqual(Object.keys(all.fr[area]).sort(), Object.keys(all.en[area]).sort(), `${area}: the same keys`);
      for (const key of Object.keys(all.en[area])) {
        assert.deepEqual(placeholders(all.fr[area][key]), placeholders(all.en[area][key]), `${area}.${key}: the same placeholders`);
      }
    }
  });

  test('the translator fills placeholders, picks plural forms and falls back to English', () => {
    const t = translator({
      fr: { learner: { attempts: { one: '{count} tentative', other: '{count} tentatives' } } },
      en: { learner: { attempts: { one: '{count} attempt', other: '{count} attempts' }, only_en: 'English {x}' } },
    }, 'fr');
    assert.equal(t('learner.attempts', { count: 1 }), '1 tentative');
    assert.equal(t('learner.attempts', { count: 3 }), '3 tentatives');
    assert.equal(t('learner.only_en', { x: 'y' }), 'English y');
    assert.equal(t('learner.missing'), 'learner.missing');
    assert.equal(t.percent('86.67'), '86,67 %');
    assert.equal(interpolate('{a} and {b}', { a: 1 }), '1 and {b}');
  });
});
