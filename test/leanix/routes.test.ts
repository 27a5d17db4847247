import test from 'ava';
import { bodyEtag, matchesIfNoneMatch } from '../../src/leanix/routes.js';

const cases: ReadonlyArray<[string | undefined, boolean]> = [
  [undefined, false],
  ['', false],
  ['"abc"', true],
  ['W/"abc"', true],
  ['"x", "abc"', true],
  ['*', true],
  ['"abd"', false],
  ['abc', false],
];

for (const [header, expected] of cases) {
  test(`If-None-Match ${JSON.stringify(header)} vs "abc" → ${expected}`, (t) => {
    t.is(matchesIfNoneMatch(header, '"abc"'), expected);
  });
}

test('ETag: quoted, the same for the same body, different for another', (t) => {
  t.regex(bodyEtag('{}'), /^"[\w-]{27}"$/);
  t.is(bodyEtag('{"a":1}'), bodyEtag('{"a":1}'));
  t.not(bodyEtag('{"a":1}'), bodyEtag('{"a":2}'));
});
