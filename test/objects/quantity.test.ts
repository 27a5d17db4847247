import test from 'ava';
import { ClusterCache } from '../../src/cache.js';
import { kindByMetricName } from '../../src/kinds/table.js';
import { MAX_QUANTITY_LENGTH, parseQuantity } from '../../src/objects/quantity.js';
import { renderedText } from '../support/assertions/exposition.js';

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
  ['9'.repeat(MAX_QUANTITY_LENGTH), Number('9'.repeat(MAX_QUANTITY_LENGTH))],
  [`1${'0'.repeat(MAX_QUANTITY_LENGTH - 3)}Ki`, Number(`1${'0'.repeat(MAX_QUANTITY_LENGTH - 3)}`) * 1024],
  ['9'.repeat(MAX_QUANTITY_LENGTH + 1), undefined],
];

for (const [text, expected] of cases) {
  test(`parseQuantity(${JSON.stringify(text)}) = ${expected}`, (t) => {
    t.is(parseQuantity(text), expected);
  });
}

test('a quantity beyond float range is +Infinity, not an error', (t) => {
  t.is(parseQuantity('1e400'), Infinity);
});

/** Strings shaped to make a backtracking quantity grammar work hard: long runs of digits that end badly. */
function hostileQuantities(length: number): string[] {
  const digits = '9'.repeat(length);
  return [`${digits}x`, digits, `${digits}.${digits}x`, `.${digits}x`, `1e${digits}x`, `${digits}Kx`, `-${digits}.`];
}

test('quantity strings of 1 MB are read in milliseconds, not as quantities', (t) => {
  const started = performance.now();
  for (const text of hostileQuantities(1024 * 1024)) t.is(parseQuantity(text), undefined);
  const elapsed = performance.now() - started;
  t.log(`7 strings of 1 MB: ${elapsed.toFixed(1)} ms`);
  // Before the fix, 20,000 digits alone took about a second (quadratic backtracking); 1 MB would take hours.
  t.true(elapsed < 1000, `${elapsed} ms`);
});

test('a 1 MB quantity in an object goes through the cache in milliseconds, and its other fields are exported', (t) => {
  const cache = new ClusterCache();
  const pod = kindByMetricName('pod')!;
  const started = performance.now();
  hostileQuantities(1024 * 1024).forEach((cpu, index) => {
    cache.upsert(pod, {
      metadata: { name: `p${index}`, namespace: 'default' },
      spec: { containers: [{ name: 'app', resources: { limits: { cpu, memory: '1Gi' } } }] },
    });
  });
  const elapsed = performance.now() - started;
  t.log(`7 pods with a 1 MB limits.cpu: ${elapsed.toFixed(1)} ms`);
  t.true(elapsed < 1000, `${elapsed} ms`);
  const text = renderedText(cache.metrics);
  t.false(text.includes('resources_limits_cpu'));
  t.true(
    text.includes(
      'k8s_pod_spec_containers_resources_limits_memory{name="p0",namespace="default",container="app"} 1073741824',
    ),
  );
});
