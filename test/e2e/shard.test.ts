/** End to end: n exporters sharding one cluster export every object exactly once, statically and from a StatefulSet. */
import test, { type ExecutionContext } from 'ava';
import { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { type RunningExporter, startExporter } from '../../src/exporter.js';
import { kindByMetricName } from '../../src/kinds/table.js';
import { kubeConfigForServer } from '../../src/kube/kubeconfig.js';
import { silentLogger } from '../../src/util/log.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { type ConfigOverrides, testConfig } from '../support/builders/config.js';
import { eventually, startReadyExporter } from '../support/harness/cluster.js';

const [deployment, pod, node, service, statefulset] = ['deployment', 'pod', 'node', 'service', 'statefulset'].map(
  (name) => kindByMetricName(name)!,
);

async function startSeededApi(t: ExecutionContext): Promise<{ api: SimulatedApiServer; apiUrl: string }> {
  const api = new SimulatedApiServer();
  const apiUrl = await api.start();
  t.teardown(() => api.stop());
  for (let index = 0; index < 90; index++) {
    api.create(pod, {
      metadata: { name: `pod-${index}`, namespace: `ns-${index % 4}` },
      spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m' } } }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: index % 3, ready: true }] },
    });
  }
  for (let index = 0; index < 12; index++) {
    api.create(deployment, {
      metadata: { name: `d-${index}`, namespace: 'ns-0' },
      spec: { replicas: index },
      status: { replicas: index },
    });
    api.create(service, {
      metadata: { name: `s-${index}`, namespace: 'ns-1' },
      spec: { ports: [{ name: 'http', port: 80 + index }] },
    });
  }
  for (let index = 0; index < 6; index++)
    api.create(node, { metadata: { name: `node-${index}` }, status: { capacity: { cpu: String(index + 1) } } });
  return { api, apiUrl };
}

const objectSeries = async (exporter: RunningExporter) =>
  seriesValues(await (await fetch(`${exporter.url}/metrics`)).text());

/** Union and overlap of the shards' object series, compared with the single replica's. */
async function compareShards(single: RunningExporter, shards: readonly RunningExporter[]) {
  const expected = await objectSeries(single);
  const union = new Map<string, number>();
  let overlap = 0;
  const sizes: number[] = [];
  for (const shard of shards) {
    const values = await objectSeries(shard);
    sizes.push(values.size);
    for (const [series, value] of values) {
      if (union.has(series)) overlap += 1;
      union.set(series, value);
    }
  }
  const missing = [...expected.keys()].filter((series) => !union.has(series));
  const extra = [...union.keys()].filter((series) => !expected.has(series));
  const differing = [...expected].filter(([series, value]) => union.has(series) && union.get(series) !== value);
  return { expected: expected.size, union: union.size, overlap, sizes, missing, extra, differing };
}

test('--shard i --total-shards 3: the union of three shards equals the single replica, with no overlap', async (t) => {
  const cluster = await startSeededApi(t);
  const { apiUrl } = cluster;
  const singleReplica = await startReadyExporter(t, { apiUrl });
  const shards = await Promise.all(
    [0, 1, 2].map((shard) => startReadyExporter(t, { apiUrl, config: { sharding: { shard, totalShards: 3 } } })),
  );
  const result = await compareShards(singleReplica, shards);
  t.log(
    `single replica: ${result.expected} object series; shards: ${result.sizes.join(' + ')} = ${result.union}; overlap ${result.overlap}`,
  );
  t.true(result.expected > 400);
  t.deepEqual([result.missing, result.extra, result.differing, result.overlap], [[], [], [], 0]);
  t.is(result.union, result.expected);
  for (const size of result.sizes) t.true(size > result.expected / 6, `every shard has a fair part: ${result.sizes}`);

  // Objects of other shards are kept by the informers only as identities; relists and changes must still work.
  const { api } = cluster;
  for (let index = 0; index < 10; index++) api.delete(pod, `ns-${index % 4}`, `pod-${index}`);
  api.compact();
  api.closeWatches();
  for (let index = 10; index < 20; index++)
    api.update(
      pod,
      `ns-${index % 4}`,
      `pod-${index}`,
      (object) => (object.status.containerStatuses[0].restartCount = 100 + index),
    );
  await eventually(async () => {
    const after = await compareShards(singleReplica, shards);
    const single = await objectSeries(singleReplica);
    const applied =
      ![...single.keys()].some((series) => series.includes('name="pod-0"')) &&
      single.get('k8s_pod_status_containerStatuses_restartCount{name="pod-19",namespace="ns-3",container="c"}') === 119;
    return (
      applied &&
      after.expected < result.expected &&
      after.missing.length + after.extra.length + after.differing.length + after.overlap === 0
    );
  }, 'shards follow deletes and updates across a relist');
  const own = seriesValues(await (await fetch(`${shards[2].url}/metrics`)).text(), 'kube_api_exporter_');
  t.deepEqual([own.get('kube_api_exporter_shard_ordinal'), own.get('kube_api_exporter_total_shards')], [2, 3]);
});

test('auto-sharding from a StatefulSet: shards follow its replicas when it scales', async (t) => {
  const { api, apiUrl } = await startSeededApi(t);
  api.create(statefulset, { metadata: { name: 'kae', namespace: 'monitoring' }, spec: { replicas: 2 } });
  const single = await startReadyExporter(t, { apiUrl });
  const member = (ordinal: number): ConfigOverrides => ({
    sharding: { pod: `kae-${ordinal}`, podNamespace: 'monitoring' },
  });
  const shards = await Promise.all([0, 1].map((ordinal) => startReadyExporter(t, { apiUrl, config: member(ordinal) })));
  let result = await compareShards(single, shards);
  t.deepEqual([result.missing.length, result.extra.length, result.overlap], [0, 0, 0], 'two replicas');

  api.update(statefulset, 'monitoring', 'kae', (object) => {
    object.spec.replicas = 3;
  });
  shards.push(await startReadyExporter(t, { apiUrl, config: member(2) }));
  await eventually(
    async () => {
      result = await compareShards(single, shards);
      return result.missing.length === 0 && result.overlap === 0 && result.extra.length === 0;
    },
    'three shards cover the cluster once',
    20_000,
  );
  t.is(result.union, result.expected);
  const total = seriesValues(await (await fetch(`${shards[0].url}/metrics`)).text(), 'kube_api_exporter_total_shards');
  t.is(total.get('kube_api_exporter_total_shards'), 3);
});

test('auto-sharding waits, not ready, until its StatefulSet exists', async (t) => {
  const { api, apiUrl } = await startSeededApi(t);
  const exporter = await startExporter({
    config: testConfig({
      leanix: { excludeNamespaces: new Set() },
      sharding: { pod: 'kae-1', podNamespace: 'monitoring' },
    }),
    kubeConfig: kubeConfigForServer(apiUrl),
    log: silentLogger,
  });
  t.teardown(() => exporter.stop());
  const ready = async () => (await fetch(`${exporter.url}/readyz`)).status === 200;
  t.false(await ready());
  t.is(
    seriesValues(await (await fetch(`${exporter.url}/metrics`)).text(), 'kube_api_exporter_total_shards').get(
      'kube_api_exporter_total_shards',
    ),
    0,
  );
  api.create(statefulset, { metadata: { name: 'kae', namespace: 'monitoring' }, spec: { replicas: 2 } });
  await eventually(ready, 'ready once the StatefulSet is read');
  t.true((await objectSeries(exporter)).size > 0);
});

test('auto-sharding: a stalled StatefulSet watch is noticed within --watch-idle-timeout, and a scale made meanwhile arrives', async (t) => {
  const { api, apiUrl } = await startSeededApi(t);
  api.create(statefulset, { metadata: { name: 'kae', namespace: 'monitoring' }, spec: { replicas: 2 } });
  const shard = await startReadyExporter(t, {
    apiUrl,
    config: {
      sharding: { pod: 'kae-0', podNamespace: 'monitoring' },
      watch: { idleTimeoutMs: 1000 },
    },
  });
  const totalShards = async () =>
    seriesValues(await (await fetch(`${shard.url}/metrics`)).text(), 'kube_api_exporter_total_shards').get(
      'kube_api_exporter_total_shards',
    );
  t.is(await totalShards(), 2);
  api.stallWatches();
  api.update(statefulset, 'monitoring', 'kae', (object) => {
    object.spec.replicas = 3;
  });
  await eventually(
    async () => (await totalShards()) === 3,
    'the scale arrives once the stalled watch is replaced',
    8_000,
  );
});
