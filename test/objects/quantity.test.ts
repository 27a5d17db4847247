import test from 'ava';
import { parseQuantity } from '../../src/objects/quantity.js';

const cases: ReadonlyArray<readonly [string, number | undefined]> = [
  ['0', 0],
  ['4', 4],
  ['250m', 0.25],
  ['300m', 0.3],
  ['100n', 1e-7],
  ['5u', 5e-6],
  ['1k', 1000],
  ['2M', 2e6],
  ['3G', 3e9],
  ['1T', 1e12],
  ['1P', 1e15],
  ['1E', 1e18],
  ['1Ki', 1024],
  ['64Mi', 64 * 2 ** 20],
  ['1Gi', 1073741824],
  ['1.5Gi', 1.5 * 2 ** 30],
  ['16393244Ki', 16393244 * 1024],
  ['1Ti', 2 ** 40],
  ['1Pi', 2 ** 50],
  ['1Ei', 2 ** 60],
  ['1e3', 1000],
  ['1E3', 1000],
  ['0e400', 0],
  ['1e400', Infinity],
  ['12e-3', 0.012],
  ['-2k', -2000],
  ['+3M', 3e6],
  ['.5', 0.5],
  ['5.', 5],
  ['0.1m', 0.0001],
  ['', undefined],
  ['abc', undefined],
  ['25%', undefined],
  ['1.2.3', undefined],
  ['1Ki2', undefined],
  ['1 Gi', undefined],
  ['Gi', undefined],
  ['1gi', undefined],
  ['0x10', undefined],
];

for (const [text, expected] of cases) {
  test(`parseQuantity(${JSON.stringify(text)}) = ${expected}`, (t) => {
    t.is(parseQuantity(text), expected);
  });
}

test('a quantity beyond float range is +Infinity, not an error', (t) => {
  t.is(parseQuantity('1e400'), Infinity);
});
