/** End to end: scoped exporters; the API server filters, so objects out of scope never cross the wire. */
import test from 'ava';
import { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { startExporter } from '../../src/exporter.js';
import { kindByMetricName } from '../../src/kinds/table.js';
import { kubeConfigForServer } from '../../src/kube/kubeconfig.js';
import { parseKindSelectors, parseLabelSelectors } from '../../src/kube/scope.js';
import { silentLogger } from '../../src/util/log.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { testConfig } from '../support/builders/config.js';
import { deployment as deploymentObject, node as nodeObject, pod as podObject } from '../support/builders/objects.js';
import { eventually, FAST_BACKOFF, startReadyExporter } from '../support/harness/cluster.js';
import { startRecordingProxy } from '../support/servers/recording-proxy.js';

const [pod, node, deployment] = ['pod', 'node', 'deployment'].map((name) => kindByMetricName(name)!);

const aPod = (name: string, namespace: string, app: string, phase = 'Running') =>
  podObject(name, {
    metadata: { namespace, labels: { app } },
    spec: { containers: [{ name: 'c', image: 'i' }] },
    status: { phase, containerStatuses: [{ name: 'c', restartCount: 7 }] },
  });

async function startApi(t: Parameters<typeof startReadyExporter>[0]) {
  const api = new SimulatedApiServer({ bookmarkIntervalMs: 100 });
  const apiUrl = await api.start();
  t.teardown(() => api.stop());
  api.create(pod, aPod('web-1', 'shop', 'web'));
  api.create(pod, aPod('web-2', 'shop', 'web', 'Pending'));
  api.create(pod, aPod('db-1', 'shop', 'db'));
  api.create(pod, aPod('web-sys', 'kube-system', 'web'));
  api.create(pod, aPod('web-other', 'other', 'web'));
  api.create(deployment, deploymentObject('web', { metadata: { namespace: 'kube-system' }, spec: { replicas: 1 } }));
  api.create(deployment, deploymentObject('web', { metadata: { namespace: 'shop' }, spec: { replicas: 2 } }));
  api.create(node, nodeObject('node-1', { status: { capacity: { cpu: '2' } } }));
  return { api, apiUrl };
}

const podNames = (text: string) =>
  new Set([...seriesValues(text).keys()].filter((key) => key.startsWith('k8s_pod_')).map((key) => podKey(key)));

function podKey(series: string): string {
  const [, name, namespace] = /name="([^"]+)",namespace="([^"]+)"/.exec(series)!;
  return `${namespace}/${name}`;
}

test('excluded namespaces and per-kind selectors are applied by the API server, on list and on watch', async (t) => {
  const { api, apiUrl } = await startApi(t);
  const proxy = await startRecordingProxy(t, apiUrl);
  const exporter = await startReadyExporter(t, {
    apiUrl: proxy.url,
    config: {
      scope: {
        namespacesExclude: ['kube-system'],
        labelSelectors: parseLabelSelectors('pod=app=web'),
        fieldSelectors: parseKindSelectors('pod=status.phase=Running'),
      },
    },
  });
  const metrics = async () => (await fetch(`${exporter.url}/metrics`)).text();
  t.deepEqual([...podNames(await metrics())].sort(), ['other/web-other', 'shop/web-1']);
  const values = seriesValues(await metrics());
  t.is(values.get('k8s_deployment_spec_replicas{name="web",namespace="shop"}'), 2);
  t.false(
    values.has('k8s_deployment_spec_replicas{name="web",namespace="kube-system"}'),
    'exclusion applies to every namespaced kind',
  );
  t.is(values.get('k8s_node_status_capacity_cpu{name="node-1"}'), 2, 'cluster-scoped kinds are unaffected');

  // Watch: a pod entering the selectors is added, one leaving them is deleted.
  api.update(pod, 'shop', 'web-2', (object) => {
    object.status.phase = 'Running';
  });
  api.update(pod, 'shop', 'web-1', (object) => {
    object.metadata.labels.app = 'retired';
  });
  api.create(pod, aPod('web-sys-2', 'kube-system', 'web'));
  api.create(pod, aPod('db-2', 'shop', 'db'));
  await eventually(
    async () => [...podNames(await metrics())].sort().join() === 'other/web-other,shop/web-2',
    'watch follows the selectors',
  );

  const wire = proxy.received();
  for (const name of ['db-1', 'db-2', 'web-sys', 'web-sys-2'])
    t.false(wire.includes(`"name":"${name}"`), `${name} never crossed the wire`);
  t.true(wire.includes('"name":"web-other"'), 'the recording sees what does cross');
  const podRequests = proxy.requests.filter((path) => path.startsWith('/api/v1/pods'));
  t.true(podRequests.length >= 2, 'a list and a watch');
  for (const path of podRequests) {
    const params = new URL(path, 'http://x').searchParams;
    t.is(params.get('labelSelector'), 'app=web');
    t.is(params.get('fieldSelector'), 'status.phase=Running,metadata.namespace!=kube-system');
  }
});

test('--namespaces watches only those namespaces, one list+watch each; nodes stay whole', async (t) => {
  const { api, apiUrl } = await startApi(t);
  const proxy = await startRecordingProxy(t, apiUrl);
  const exporter = await startReadyExporter(t, {
    apiUrl: proxy.url,
    config: { scope: { namespaces: ['shop', 'other'] } },
  });
  const metrics = async () => (await fetch(`${exporter.url}/metrics`)).text();
  t.deepEqual([...podNames(await metrics())].sort(), ['other/web-other', 'shop/db-1', 'shop/web-1', 'shop/web-2']);
  t.true(seriesValues(await metrics()).has('k8s_node_status_capacity_cpu{name="node-1"}'));
  api.create(pod, aPod('late', 'shop', 'x'));
  api.create(pod, aPod('late', 'kube-system', 'x'));
  await eventually(async () => podNames(await metrics()).has('shop/late'), 'watch in a namespace');
  t.false(podNames(await metrics()).has('kube-system/late'));
  t.false(proxy.received().includes('"namespace":"kube-system"'), 'nothing from other namespaces crossed the wire');
  t.true(proxy.requests.some((path) => path.startsWith('/api/v1/namespaces/shop/pods?')));
  t.true(proxy.requests.some((path) => path.startsWith('/apis/apps/v1/namespaces/other/deployments?')));
  const readiness = await (await fetch(`${exporter.url}/readyz`)).json();
  t.deepEqual(
    Object.keys(readiness.kinds),
    ['deployment', 'pod', 'node', 'service'],
    'one readiness entry per kind, not per namespace',
  );
});

test('a field selector the API server rejects shows on /readyz; a selector for an unwatched kind is a usage error', async (t) => {
  const { apiUrl } = await startApi(t);
  await t.throwsAsync(
    startReadyExporter(t, { apiUrl, config: { scope: { labelSelectors: parseLabelSelectors('job=app=x') } } }),
    {
      message: /--label-selector names job, which is not watched/,
    },
  );
  const exporter = await startExporter({
    config: testConfig({
      leanix: { excludeNamespaces: new Set() },
      scope: { fieldSelectors: parseKindSelectors('pod=spec.replicas=1') },
    }),
    kubeConfig: kubeConfigForServer(apiUrl),
    log: silentLogger,
    backoff: FAST_BACKOFF,
  });
  t.teardown(() => exporter.stop());
  await eventually(async () => {
    const response = await fetch(`${exporter.url}/readyz`);
    const body = await response.json();
    return (
      response.status === 503 && /HTTP 400.*field label not supported: spec.replicas/.test(body.kinds.pod.lastError)
    );
  }, 'readyz names the rejected selector');
});
