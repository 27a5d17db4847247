import test from 'ava';
import { type CacheChange, ClusterCache, InvalidObjectError } from '../src/cache.js';
import { NODE, POD } from '../src/kinds/table.js';
import { compileDeclared } from '../src/metrics/declared.js';
import { renderedText } from './support/assertions/exposition.js';
import { restartingPod, scheduledPod } from './support/builders/objects.js';

const pod = POD;
const node = NODE;

const podObject = (name: string, restartCount: number) =>
  restartingPod(name, restartCount, { metadata: { annotations: { secret: 'never kept' } } });

function recordChanges(cache: ClusterCache): string[] {
  const seen: string[] = [];
  cache.onChange((change: CacheChange) => {
    const restarts = (object: any) => object?.status?.containerStatuses?.[0]?.restartCount;
    const previous = change.type === 'upsert' && change.previous ? ` after ${restarts(change.previous)}` : '';
    seen.push(
      `${change.type} ${change.kind.metricName} ${change.object.metadata?.name} ${restarts(change.object)}${previous}`,
    );
  });
  return seen;
}

test('reports every change with the previous object, and nothing for deletes of unknown objects', (t) => {
  const cache = new ClusterCache();
  const seen = recordChanges(cache);
  cache.upsert(pod, podObject('a', 0));
  cache.upsert(pod, podObject('a', 1));
  cache.delete(pod, podObject('b', 0));
  cache.delete(pod, podObject('a', 7));
  t.deepEqual(seen, ['upsert pod a 0', 'upsert pod a 1 after 0', 'delete pod a 1']);
  t.is(cache.count(pod), 0);
  t.is(cache.metrics.seriesCount, 0);
});

test('an update that changes only the resourceVersion renders nothing anew; the cache and its listeners still get it', (t) => {
  const cache = new ClusterCache();
  const seen = recordChanges(cache);
  const version = (resourceVersion: string, restartCount: number) =>
    restartingPod('a', restartCount, { metadata: { resourceVersion, annotations: { secret: 'never kept' } } });
  cache.upsert(pod, version('1', 0));
  const first = cache.metrics.render();
  cache.upsert(pod, version('2', 0));
  t.is(cache.metrics.render(), first, 'the same render: nothing was set in the store');
  t.is((cache.objects(pod).next().value as any).metadata.resourceVersion, '2', 'the cache holds the new version');
  cache.upsert(pod, version('3', 5));
  t.not(cache.metrics.render(), first);
  t.regex(renderedText(cache.metrics), /restartCount\{name="a",namespace="default",container="app"\} 5\n/);
  t.deepEqual(seen, ['upsert pod a 0', 'upsert pod a 0 after 0', 'upsert pod a 5 after 0']);
});

test('an update keeps the unchanged parts of the previous version, and renders and reports what changed', (t) => {
  const cache = new ClusterCache();
  const seen = recordChanges(cache);
  const version = (restartCount: number) =>
    scheduledPod('a', { status: { containerStatuses: [{ name: 'app', restartCount, ready: true }] } });
  cache.upsert(pod, version(0));
  const first = cache.objects(pod).next().value as any;
  cache.upsert(pod, version(3));
  const second = cache.objects(pod).next().value as any;
  t.not(second, first);
  t.is(second.spec.containers, first.spec.containers, "the unchanged containers are the previous version's");
  t.is(second.status.containerStatuses[0].restartCount, 3);
  t.is(first.status.containerStatuses[0].restartCount, 0, 'the previous version stays as it was');
  t.regex(renderedText(cache.metrics), /restartCount\{name="a",namespace="shop",container="app"\} 3\n/);
  t.deepEqual(seen, ['upsert pod a 0', 'upsert pod a 3 after 0']);
});

test('an update is rendered when it changes the resourceVersion a declaration reads, or an annotation asked for', (t) => {
  const readsVersion = new ClusterCache({
    declared: compileDeclared({
      pod: { info: [{ name: 'version', labels: { version: 'metadata.resourceVersion' } }] },
    }),
  });
  const asksAnnotations = new ClusterCache({
    declared: compileDeclared({}, { labels: new Map(), annotations: new Map([['pod', ['team']]]) }),
  });
  for (const [cache, expected] of [
    [readsVersion, /k8s_pod_version\{name="a",namespace="default",version="2"\} 1\n/],
    [asksAnnotations, /k8s_pod_annotations\{name="a",namespace="default",annotation_team="web"\} 1\n/],
  ] as const) {
    cache.upsert(pod, restartingPod('a', 0, { metadata: { resourceVersion: '1', annotations: { team: 'shop' } } }));
    cache.upsert(pod, restartingPod('a', 0, { metadata: { resourceVersion: '2', annotations: { team: 'web' } } }));
    t.regex(renderedText(cache.metrics), expected);
  }
});

test('listeners see trimmed objects and can unsubscribe', (t) => {
  const cache = new ClusterCache();
  const objects: unknown[] = [];
  const unsubscribe = cache.onChange((change) => objects.push(change.object));
  cache.upsert(pod, podObject('a', 0));
  unsubscribe();
  cache.upsert(pod, podObject('b', 0));
  t.is(objects.length, 1);
  t.deepEqual((objects[0] as any).metadata, { name: 'a', namespace: 'default' });
});

test('keys objects by kind, namespace and name; cluster-scoped kinds need no namespace', (t) => {
  const cache = new ClusterCache();
  cache.upsert(node, { metadata: { name: 'n1' } });
  cache.upsert(pod, { metadata: { name: 'n1', namespace: 'a' } });
  cache.upsert(pod, { metadata: { name: 'n1', namespace: 'b' } });
  t.is(cache.count(node), 1);
  t.is(cache.count(pod), 2);
  t.throws(() => cache.upsert(pod, { metadata: { name: 'x' } }), {
    instanceOf: InvalidObjectError,
    message: 'Pod x without metadata.namespace',
  });
  t.throws(() => cache.upsert(node, { metadata: {} }), {
    instanceOf: InvalidObjectError,
    message: 'Node without metadata.name',
  });
});

test('an object nested 50,000 levels deep is cached: walked to the depth limit, trimmed without recursion', (t) => {
  let deep: unknown = { annotations: { secret: 'never kept' }, value: 1 };
  for (let level = 0; level < 50_000; level++) deep = { a: deep };
  const dropped: string[] = [];
  const cache = new ClusterCache({
    limits: { maxDepth: 32, maxSeriesPerObject: 100, maxLabelValueLength: 100 },
    onDropped: (_kind, reason, count) => dropped.push(`${reason} ${count}`),
  });
  cache.upsert(node, { metadata: { name: 'deep' }, status: { capacity: { cpu: '2' } }, deep });
  t.is(cache.count(node), 1);
  t.true(renderedText(cache.metrics).includes('k8s_node_status_capacity_cpu{name="deep"} 2'));
  t.deepEqual(dropped, ['depth 1']);
  let bottom = [...cache.objects(node)][0].deep as { a?: unknown; annotations?: unknown; value?: number };
  while (bottom.a !== undefined) bottom = bottom.a as typeof bottom;
  t.deepEqual(bottom, { value: 1 }, 'annotations trimmed at the bottom');
});
