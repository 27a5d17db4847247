/**
 * List items and watch event objects that are not objects with an object `metadata` (client-node's informer throws
 * on them, which ended the process): skipped and counted in kube_api_exporter_invalid_objects_total, at the first
 * list, in a watch, and at the relist after a malformed watch line; the other objects are exported throughout.
 */
import test from 'ava';
import { KINDS } from '../../src/kinds/table.js';
import { eventually, startTestCluster, type TestCluster } from '../support/harness/cluster.js';

const pod = KINDS.find((kind) => kind.metricName === 'pod')!;
const aPod = (name: string) => ({
  metadata: { name, namespace: 'default' },
  status: { phase: 'Running', containerStatuses: [{ name: 'app', restartCount: 1 }] },
});
const restarts = (name: string) =>
  `k8s_pod_status_containerStatuses_restartCount{name="${name}",namespace="default",container="app"} 1\n`;

const MALFORMED: readonly unknown[] = [
  null,
  'a string',
  42,
  true,
  [],
  [{ metadata: { name: 'in-a-list', namespace: 'default' } }],
  {},
  { metadata: null },
  { metadata: 'metadata' },
  { metadata: [] },
  { kind: 'Pod', apiVersion: 'v1', metadata: 7, status: { phase: 'Running' } },
];

async function invalidPods(cluster: TestCluster): Promise<number> {
  const match = /^kube_api_exporter_invalid_objects_total\{kind="pod"\} (\d+)$/m.exec(await cluster.text('/metrics'));
  return match ? Number(match[1]) : 0;
}

async function exports(cluster: TestCluster, names: readonly string[]): Promise<boolean> {
  const text = await cluster.text('/metrics');
  return names.every((name) => text.includes(restarts(name)));
}

test('malformed items at the first list, in a watch and at a relist are skipped and counted; the rest is exported', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(pod, aPod('a'));
      api.create(pod, aPod('b'));
      api.faults.malformedItems = MALFORMED;
    },
    excludeNamespaces: [],
  });
  const { api } = cluster;
  // The first list: every malformed item skipped and counted, once per list of the kind.
  t.true(await exports(cluster, ['a', 'b']));
  t.is(api.listsCount(pod), 1);
  t.is(await invalidPods(cluster), MALFORMED.length);
  t.true((await cluster.text('/leanix.json')).includes('"Name":"b"'));

  // In a watch: events carrying them are skipped, and the watch goes on (no relist).
  await eventually(() => api.openWatches(pod) === 1, 'pod watch open');
  api.faults.malformedEvents = 1;
  api.create(pod, aPod('c'));
  await eventually(() => exports(cluster, ['a', 'b', 'c']), 'the pod after the malformed events');
  t.is(await invalidPods(cluster), 2 * MALFORMED.length);
  t.is(api.listsCount(pod), 1);

  // A garbage line ends the watch; the relist serves the malformed items again: skipped and counted again.
  api.faults.garbageLines = 1;
  api.create(pod, aPod('d'));
  await eventually(() => exports(cluster, ['a', 'b', 'c', 'd']), 'the pod after the relist');
  await eventually(
    async () => (await invalidPods(cluster)) === (api.listsCount(pod) + 1) * MALFORMED.length,
    'counted',
  );
  t.true(api.listsCount(pod) >= 2, 'relisted');
  t.is(api.injected.garbageLine, 1);
  t.is((await cluster.get('/healthz')).status, 200);
});
