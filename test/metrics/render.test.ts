/**
 * The render stage as a whole: k8s_pod_container_info under the same limits as the object's own families, no field
 * exporting into it, and label values that stay distinct once written as UTF-8.
 */
import test from 'ava';
import { ClusterCache, InvalidObjectError } from '../../src/cache.js';
import { POD } from '../../src/kinds/table.js';
import { compileDeclared } from '../../src/metrics/declared.js';
import { escapeLabelValue, renderSample } from '../../src/metrics/exposition.js';
import { type Dropped, type FlattenLimits, NO_LIMITS, noneDropped } from '../../src/metrics/flatten.js';
import { renderObject } from '../../src/metrics/render.js';
import { expositionProblems, renderedText } from '../support/assertions/exposition.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';

const INFO = 'k8s_pod_container_info';

/** A pod with `containers` app containers, each with an ID, and the fields given. */
function aPod(containers: number, { name = 'web', image = 'web:1', ...fields }: Record<string, unknown> = {}) {
  const names = Array.from({ length: containers }, (_, index) => `c${index}`);
  return {
    metadata: { name, namespace: 'shop' },
    spec: { nodeName: 'node-1', containers: names.map((container) => ({ name: container, image })) },
    status: {
      containerStatuses: names.map((container) => ({ name: container, containerID: `containerd://${container}` })),
    },
    ...fields,
  };
}

/** No declared fields: these tests count the flattened fields and the info family (test/metrics/declared.test.ts the rest). */
const NO_DECLARATIONS = compileDeclared({});

function render(object: any, limits: Partial<FlattenLimits> = {}): { lines: string[]; dropped: Dropped } {
  const dropped = noneDropped();
  const identity = { name: object.metadata.name, namespace: object.metadata.namespace };
  const samples = renderObject(POD, identity, object, {
    declared: NO_DECLARATIONS,
    limits: { ...NO_LIMITS, ...limits },
    onDropped: (_kind, reason, count) => (dropped[reason] += count),
  });
  return { lines: samples.map((sample) => renderSample(sample).trimEnd()), dropped };
}

const infoLines = (lines: readonly string[]) => lines.filter((line) => line.startsWith(`${INFO}{`));

test('the info series count against --max-series-per-object: a pod of 20,000 containers stays within it', (t) => {
  const { lines, dropped } = render(aPod(20_000), { maxSeriesPerObject: 10_000 });
  t.is(lines.length, 10_000);
  const unlimited = render(aPod(20_000)).lines.length;
  t.is(unlimited, 20_000, 'its fields have no numbers: one info series per container without a limit');
  t.deepEqual(dropped, { ...noneDropped(), series_limit: unlimited - 10_000 });
});

test('the info series follow the fields within the limit: the first ones are kept, the rest counted', (t) => {
  const fields = render(aPod(3)).lines.length - 3;
  const { lines, dropped } = render(aPod(3), { maxSeriesPerObject: fields + 1 });
  t.is(infoLines(lines).length, 1);
  t.true(infoLines(lines)[0].includes('container="c0"'));
  t.deepEqual(dropped, { ...noneDropped(), series_limit: 2 });
});

test('a pod whose name is longer than --max-label-length exports nothing, its info series neither', (t) => {
  const { lines, dropped } = render(aPod(2, { name: 'p'.repeat(600) }), { maxLabelValueLength: 512 });
  t.deepEqual(lines, []);
  t.deepEqual(dropped, { ...noneDropped(), label_length: 1 });
});

test('a container whose image is longer than --max-label-length has no info series; the others keep theirs', (t) => {
  const pod = aPod(2);
  pod.status.containerStatuses[1] = { ...pod.status.containerStatuses[1], image: 'i'.repeat(600 * 1024) } as any;
  const { lines, dropped } = render(pod, { maxLabelValueLength: 512 });
  t.deepEqual(
    infoLines(lines).map((line) => /container="(\w+)"/.exec(line)?.[1]),
    ['c0'],
  );
  t.true(Math.max(...lines.map((line) => line.length)) < 1000, 'no line of 600 KB');
  t.deepEqual(dropped, { ...noneDropped(), label_length: 1 });
});

test('no field of a pod exports into k8s_pod_container_info, whatever its key sanitises from', (t) => {
  const pod = aPod(1, { container: { info: 5 }, 'container.info': 6, container_info: 7, 'container-info': [8] });
  const { lines, dropped } = render(pod);
  t.deepEqual(infoLines(lines), [
    'k8s_pod_container_info{namespace="shop",pod="web",container="c0",container_id="containerd://c0",image="web:1",image_id="",node="node-1",pod_uid="",qos_class="",init_container="false"} 1',
  ]);
  t.false(lines.some((line) => line.startsWith(INFO) && !line.includes('container_id=')));
  t.deepEqual(dropped, { ...noneDropped(), name_taken: 4 });
});

test('other kinds keep such a field: only the kind with the family reserves its name', (t) => {
  const dropped = noneDropped();
  const samples = renderObject(
    { ...POD, metricName: 'crontab', kind: 'CronTab' },
    { name: 'c', namespace: 'shop' },
    { container: { info: 5 } },
    { onDropped: (_kind, reason, count) => (dropped[reason] += count) },
  );
  t.deepEqual(
    samples.map((sample) => sample.name),
    ['k8s_crontab_container_info'],
  );
  t.deepEqual(dropped, noneDropped());
});

const escapeCases: ReadonlyArray<readonly [string, string]> = [
  ['plain', 'plain'],
  ['a"b\\c\nd', 'a\\"b\\\\c\\nd'],
  ['\u{1F600} pair', '\u{1F600} pair'],
  ['lone \uD800 high', 'lone \uFFFD high'],
  ['lone \uDC00 low', 'lone \uFFFD low'],
  ['\uDC00\uD800', '\uFFFD\uFFFD'],
  ['"\uD83D', '\\"\uFFFD'],
];

for (const [value, expected] of escapeCases) {
  test(`escapeLabelValue(${JSON.stringify(value)}) is well-formed`, (t) => {
    t.is(escapeLabelValue(value), expected);
  });
}

test('list elements whose keys differ only in lone surrogates are labelled by index, so never one series', (t) => {
  const cache = new ClusterCache();
  cache.upsert(POD, {
    metadata: { name: 'p', namespace: 'shop' },
    status: {
      conditions: [
        { type: 'A\uD800', status: 'True' },
        { type: 'A\uD801', status: 'False' },
      ],
      containerStatuses: [{ name: 'ok\u{1F600}', restartCount: 1 }],
    },
  });
  const text = renderedText(cache.metrics);
  t.deepEqual(expositionProblems(text), []);
  t.true(text.includes('k8s_pod_status_conditions_status{name="p",namespace="shop",condition="0"} 1\n'));
  t.true(text.includes('k8s_pod_status_conditions_status{name="p",namespace="shop",condition="1"} 0\n'));
  t.true(text.includes('container="ok\u{1F600}"} 1\n'), 'well-formed keys are kept');
});

test('a lone surrogate in a key that is unique after all still labels its element, as U+FFFD', (t) => {
  const { lines } = render({
    metadata: { name: 'p', namespace: 'shop' },
    status: { conditions: [{ type: 'A\uD800', status: 'True' }] },
  });
  t.deepEqual(lines, ['k8s_pod_status_conditions_status{name="p",namespace="shop",condition="A\uFFFD"} 1']);
});

test('info series that would be written alike are written once', (t) => {
  const pod = {
    metadata: { name: 'p', namespace: 'shop' },
    status: {
      containerStatuses: [
        { name: 'a\uD800', containerID: 'containerd://x' },
        { name: 'a\uD801', containerID: 'containerd://x' },
      ],
    },
  };
  const { lines, dropped } = render(pod);
  t.is(infoLines(lines).length, 1);
  t.deepEqual(dropped, { ...noneDropped(), name_taken: 1 });
});

test('an object whose name or namespace has a lone surrogate is invalid: two such names would be one series', (t) => {
  const cache = new ClusterCache();
  t.throws(() => cache.upsert(POD, { metadata: { name: 'p\uD800', namespace: 'shop' } }), {
    instanceOf: InvalidObjectError,
  });
  t.throws(() => cache.upsert(POD, { metadata: { name: 'p', namespace: '\uDC00' } }), {
    instanceOf: InvalidObjectError,
  });
  t.is(cache.count(POD), 0);
});

test('end to end: what the render stage holds back shows in the self-metrics, the family stays the info series only', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(POD, aPod(3, { name: 'reserved', container: { info: 5 } }));
      // Longer than the limit, which the generated uids (36 characters) are not.
      api.create(POD, aPod(1, { name: 'p'.repeat(40) }));
    },
    excludeNamespaces: [],
    config: { limits: { maxLabelValueLength: 36 } },
  });
  // Counted each time the object is rendered: at least once.
  const dropped = (reason: string) =>
    new RegExp(`^kube_api_exporter_flatten_dropped_total\\{kind="pod",reason="${reason}"\\} [1-9]\\d*$`, 'm');
  await eventually(async () => dropped('name_taken').test(await cluster.text('/metrics')), 'name_taken counted');
  const text = await cluster.text('/metrics');
  t.regex(text, dropped('label_length'), 'the long pod name');
  t.deepEqual(
    text
      .split('\n')
      .filter((line) => line.startsWith(`${INFO}{`))
      .map((line) => /pod="([^"]+)"/.exec(line)?.[1]),
    ['reserved', 'reserved', 'reserved'],
  );
});
