/**
 * Scoping, sharding and extra kinds against a real kube-apiserver (see README "Testing against a real API server"):
 * the selectors mean what the simulated server says they mean, and the RBAC of k8s/extra-kinds and k8s/sharded is
 * enough for the exporter running as its ServiceAccount.
 */
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type RunningExporter, startExporter } from '../../src/exporter.js';
import { parseKindList } from '../../src/kinds/selection.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { parseKindSelectors, parseLabelSelectors } from '../../src/kube/scope.js';
import { silentLogger } from '../../src/util/log.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { type ConfigOverrides, testConfig } from '../support/builders/config.js';
import { merged, webPod } from '../support/builders/objects.js';
import { eventually, FAST_BACKOFF } from '../support/harness/cluster.js';
import { K8S_DIR } from '../support/harness/manifests.js';
import {
  exporterLists,
  exporterRequests,
  type InstalledCluster,
  sharedCluster,
} from '../support/harness/real-cluster.js';
import { testNeeding } from '../support/harness/tools.js';
import { CONTROL_PLANE_TOOLS } from '../support/servers/kube-apiserver.js';

/** Every test here needs the control plane, and they run in order on the one it shares. */
const serialTest = testNeeding(...CONTROL_PLANE_TOOLS).serial;

const shared = sharedCluster();
const exporters: RunningExporter[] = [];
test.after.always(async () => {
  await Promise.all(exporters.map((exporter) => exporter.stop()));
  await shared.stop();
});

/** The exporter as the manifests' ServiceAccount, with these flags, once ready. */
async function startAsServiceAccount(cluster: InstalledCluster, config: ConfigOverrides): Promise<RunningExporter> {
  const exporter = await startExporter({
    config: testConfig(config, { leanix: { excludeNamespaces: new Set() } }),
    kubeConfig: loadKubeConfig(cluster.exporterKubeconfig, {}),
    log: silentLogger,
    backoff: FAST_BACKOFF,
  });
  exporters.push(exporter);
  await eventually(async () => (await fetch(`${exporter.url}/readyz`)).status === 200, 'exporter ready', 30_000);
  return exporter;
}

const metrics = async (exporter: RunningExporter, prefix = 'k8s_') =>
  seriesValues(await (await fetch(`${exporter.url}/metrics`)).text(), prefix);

function podNames(values: Map<string, number>): string[] {
  const names = new Set<string>();
  for (const series of values.keys()) {
    const match = /^k8s_pod_[^{]*\{name="([^"]+)",namespace="([^"]+)"/.exec(series);
    if (match) names.add(`${match[2]}/${match[1]}`);
  }
  return [...names].sort();
}

let seeded: Promise<void> | undefined;

async function setUp(t: ExecutionContext): Promise<InstalledCluster> {
  t.timeout(180_000);
  const cluster = await shared.get();
  seeded ??= (async () => {
    await cluster.plane.kubectl(['create', 'namespace', 'shop']);
    await cluster.plane.kubectl(['create', 'namespace', 'other']);
    const pods = [
      ['web-1', 'shop', 'web'],
      ['web-2', 'shop', 'web'],
      ['db-1', 'shop', 'db'],
      ['web-3', 'other', 'web'],
      ['web-sys', 'kube-system', 'web'],
    ].map(([name, namespace, app]) => merged(webPod(name, namespace), { metadata: { labels: { app } } }));
    await cluster.plane.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }));
  })();
  await seeded;
  return cluster;
}

serialTest('namespace exclusion and per-kind selectors are sent to and applied by kube-apiserver', async (t) => {
  const cluster = await setUp(t);
  const exporter = await startAsServiceAccount(cluster, {
    scope: {
      namespacesExclude: ['kube-system'],
      labelSelectors: parseLabelSelectors('pod=app in (web)'),
      fieldSelectors: parseKindSelectors('pod=metadata.name!=web-2'),
    },
  });
  t.deepEqual(podNames(await metrics(exporter)), ['other/web-3', 'shop/web-1']);
  const lists = exporterLists(cluster.plane, '/api/v1/pods');
  t.true(lists.length > 0);
  for (const params of lists) {
    t.is(params.get('labelSelector'), 'app in (web)');
    t.is(params.get('fieldSelector'), 'metadata.name!=web-2,metadata.namespace!=kube-system');
  }
  await cluster.plane.kubectl(['-n', 'shop', 'label', 'pod', 'web-1', 'app=retired', '--overwrite']);
  await eventually(
    async () => podNames(await metrics(exporter)).join() === 'other/web-3',
    'a pod relabelled out of the selector is gone',
    20_000,
  );
});

serialTest('--namespaces watches each namespace on its own path', async (t) => {
  const cluster = await setUp(t);
  const exporter = await startAsServiceAccount(cluster, { scope: { namespaces: ['other'] } });
  t.deepEqual(podNames(await metrics(exporter)), ['other/web-3']);
  t.true(exporterRequests(cluster.plane, 'list', '/api/v1/namespaces/other/pods').length > 0);
  t.true(exporterRequests(cluster.plane, 'list', '/apis/apps/v1/namespaces/other/deployments').length > 0);
});

serialTest('three shards export every object of the real cluster exactly once', async (t) => {
  const cluster = await setUp(t);
  const single = await metrics(await startAsServiceAccount(cluster, {}));
  const shards = await Promise.all(
    [0, 1, 2].map(async (shard) =>
      metrics(await startAsServiceAccount(cluster, { sharding: { shard, totalShards: 3 } })),
    ),
  );
  const union = new Map<string, number>();
  let overlap = 0;
  for (const values of shards) {
    for (const [series, value] of values) {
      if (union.has(series)) overlap += 1;
      union.set(series, value);
    }
  }
  t.log(
    `single replica: ${single.size} object series; shards: ${shards.map((values) => values.size).join(' + ')}; overlap ${overlap}`,
  );
  t.is(overlap, 0);
  t.deepEqual([...union.keys()].sort(), [...single.keys()].sort());
});

serialTest('k8s/sharded and k8s/extra-kinds grant what auto-sharding and --kinds need', async (t) => {
  const cluster = await setUp(t);
  // As README "Sharding" says: k8s/sharded instead of the Deployment and its Service.
  await cluster.plane.kubectl([
    'delete',
    '-f',
    join(K8S_DIR, '04-deployment.yaml'),
    '-f',
    join(K8S_DIR, '05-service.yaml'),
  ]);
  await cluster.plane.kubectl(['create', '-f', join(K8S_DIR, 'sharded'), '-f', join(K8S_DIR, 'extra-kinds')]);
  const exporter = await startAsServiceAccount(cluster, {
    sharding: { pod: 'kube-api-exporter-1', podNamespace: 'kube-api-exporter' },
    scope: { kinds: parseKindList('statefulset,daemonset') },
  });
  const total = async () => (await metrics(exporter, 'kube_api_exporter_')).get('kube_api_exporter_total_shards');
  t.is(await total(), 3);
  t.is((await metrics(exporter, 'kube_api_exporter_')).get('kube_api_exporter_shard_ordinal'), 1);
  await cluster.plane.kubectl(['-n', 'kube-api-exporter', 'scale', 'statefulset/kube-api-exporter', '--replicas=2']);
  await eventually(async () => (await total()) === 2, 'the shard count follows the StatefulSet', 20_000);
  await eventually(
    async () => (await fetch(`${exporter.url}/readyz`)).status === 200,
    'ready again after resharding',
    20_000,
  );
  const watches = exporterRequests(cluster.plane, 'watch', '/apis/apps/v1/namespaces/kube-api-exporter/statefulsets');
  t.true(watches.some((params) => params.get('fieldSelector') === 'metadata.name=kube-api-exporter'));
  // StatefulSets carry metadata.generation, and a scale is a spec change (the simulated server does the same).
  const statefulSet = JSON.parse(
    await cluster.plane.kubectl(['-n', 'kube-api-exporter', 'get', 'statefulset/kube-api-exporter', '-o', 'json']),
  );
  t.is(statefulSet.metadata.generation, 2);
  const readiness = await (await fetch(`${exporter.url}/readyz`)).json();
  t.deepEqual(Object.keys(readiness.kinds), ['deployment', 'pod', 'node', 'service', 'statefulset', 'daemonset']);
});
