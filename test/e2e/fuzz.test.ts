/**
 * Fuzzer: 100,000 generated hostile objects (FUZZ_OBJECTS, FUZZ_SEED to change) go through the cache in batches of
 * 1,000; every batch's exposition must parse with a Prometheus text parser in-test (every tenth batch also with
 * `promtool check metrics`), carry no duplicate series, and never carry annotations or env values. Nothing may
 * throw but InvalidObjectError.
 */
import test from 'ava';
import { ClusterCache, InvalidObjectError } from '../../src/cache.js';
import { DEFAULT_KINDS, KINDS } from '../../src/kinds/table.js';
import { DROP_REASONS, noneDropped } from '../../src/metrics/flatten.js';
import { expositionProblems, promtoolProblems, renderedText } from '../support/assertions/exposition.js';
import { hostileName, hostileObject } from '../support/builders/hostile.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';
import { seededRandom } from '../support/harness/random.js';
import { optionalTools, PROMTOOL } from '../support/harness/tools.js';

const OBJECTS = Number(process.env.FUZZ_OBJECTS ?? 100_000);
const BATCH = 1000;
const LIMITS = { maxDepth: 12, maxSeriesPerObject: 300, maxLabelValueLength: 256 };
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 6);

const CHUNK = 10_000;
const totals = { objects: 0, series: 0, bytes: 0, promtoolChecked: 0, invalid: 0, dropped: noneDropped() };

// Serial chunks, so that each reports within AVA's timeout and the load stays one chunk at a time.
for (let first = 0; first < OBJECTS; first += CHUNK) {
  const last = Math.min(first + CHUNK, OBJECTS);
  test.serial(
    `hostile objects ${first}-${last - 1} of ${OBJECTS}: no crash, no duplicate series, valid exposition`,
    (t) => {
      const withPromtool = optionalTools(t, 'promtool check metrics of every tenth batch', PROMTOOL);
      const random = seededRandom(FUZZ_SEED + first);
      for (let start = first; start < last; start += BATCH) {
        const cache = new ClusterCache({
          limits: LIMITS,
          onDropped: (_kind, reason, count) => (totals.dropped[reason] += count),
        });
        for (let index = start; index < Math.min(start + BATCH, last); index++) {
          const kind = random.pick(KINDS);
          // Names repeat within a batch, so some objects replace others, and some are deleted again.
          const object = hostileObject(kind, random, hostileName(random, random.int(start, index)));
          try {
            if (random.chance(0.05)) cache.delete(kind, object);
            else cache.upsert(kind, object);
          } catch (error) {
            if (!(error instanceof InvalidObjectError)) throw error;
            totals.invalid += 1;
          }
          totals.objects += 1;
        }
        const text = renderedText(cache.metrics);
        totals.series += cache.metrics.seriesCount;
        totals.bytes += text.length;
        const problems = expositionProblems(text);
        if (problems.length > 0) return t.fail(`batch at ${start}: ${problems.slice(0, 3).join('; ')}`);
        // promtool reads about 1 MB/s: every tenth batch.
        if (withPromtool && (start / BATCH) % 10 === 0) {
          totals.promtoolChecked += BATCH;
          const promtool = promtoolProblems(text, { parseOnly: true });
          if (promtool.length > 0) return t.fail(`batch at ${start}: promtool: ${promtool.slice(0, 3).join('; ')}`);
        }
        if (/never-exported/.test(text)) return t.fail(`batch at ${start}: an annotation or env value was exported`);
      }
      t.pass();
    },
  );
}

test.serial('the fuzzed objects reached every limit', (t) => {
  const { objects, series, bytes, promtoolChecked, invalid, dropped } = totals;
  t.log(
    `${objects} objects, ${series} series, ${(bytes / 1e6).toFixed(1)} MB checked in-test, ${promtoolChecked} objects also by promtool; ` +
      `${invalid} rejected as invalid; dropped ${DROP_REASONS.map((reason) => `${reason} ${dropped[reason]}`).join(', ')}`,
  );
  t.is(objects, OBJECTS);
  t.true(series > objects, 'objects produced series');
  for (const reason of DROP_REASONS) t.true(dropped[reason] > 0, `the ${reason} limit was reached`);
});

test('hostile objects through the API server, the informers and HTTP: the exporter keeps serving valid output', async (t) => {
  const withPromtool = optionalTools(t, 'promtool check metrics of /metrics', PROMTOOL);
  const random = seededRandom(66);
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      for (let index = 0; index < 300; index++) {
        const kind = random.pick(DEFAULT_KINDS);
        const object = hostileObject(kind, random, hostileName(random, index), 500);
        if (!api.get(kind, object.metadata.namespace, object.metadata.name)) api.create(kind, object);
      }
    },
    excludeNamespaces: [],
    config: { limits: LIMITS },
  });
  await eventually(
    async () => (await cluster.text('/metrics')).includes('kube_api_exporter_flatten_dropped_total{kind='),
    'drops counted',
  );
  const text = await cluster.text('/metrics');
  t.deepEqual(expositionProblems(text), []);
  if (withPromtool) t.deepEqual(promtoolProblems(text, { parseOnly: true }), []);
  t.false(/never-exported/.test(text), 'no annotation or env value');
  t.is((await cluster.get('/leanix.json')).status, 200);
  t.false(/never-exported/.test(await cluster.text('/leanix.json')), 'no annotation or env value on /leanix.json');
});
