import test from 'ava';
import { isSameJson } from '../../src/objects/kube-object.js';

/** Nested `levels` deep: { a: { a: ... { value } } }. */
function nested(levels: number, value: unknown): unknown {
  let object: unknown = { value };
  for (let level = 0; level < levels; level++) object = { a: object };
  return object;
}

const cases: ReadonlyArray<readonly [string, unknown, unknown, boolean]> = [
  ['equal scalars', 1, 1, true],
  ['different numbers', 1, 2, false],
  ['a number and its string', 1, '1', false],
  ['null and an empty object', null, {}, false],
  ['null and null', null, null, true],
  ['equal objects, keys in another order', { a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
  ['a value deep in a list differs', { a: [{ b: [1, 2] }] }, { a: [{ b: [1, 3] }] }, false],
  ['a key missing', { a: 1, b: 2 }, { a: 1, c: 2 }, false],
  ['one key more', { a: 1 }, { a: 1, b: 2 }, false],
  ['a key present as undefined is not a missing key', { a: undefined }, {}, false],
  ['a list and an object with index keys', [1], { 0: 1 }, false],
  ['lists of different lengths', [1, 2], [1, 2, 3], false],
  ['an empty list and an empty object', [], {}, false],
  ['booleans', { ok: true }, { ok: false }, false],
  ['50,000 levels deep, equal', nested(50_000, 1), nested(50_000, 1), true],
  ['50,000 levels deep, differing at the bottom', nested(50_000, 1), nested(50_000, 2), false],
];

for (const [name, a, b, same] of cases) {
  test(`isSameJson: ${name}`, (t) => {
    t.is(isSameJson(a, b), same);
    t.is(isSameJson(b, a), same, 'either way round');
  });
}
