/** End to end: simulated API server → real client-node informers → cache → HTTP. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { startExporter } from '../../src/exporter.js';
import { KINDS } from '../../src/kinds/table.js';
import { kubeConfigForServer } from '../../src/kube/kubeconfig.js';
import { silentLogger } from '../../src/util/log.js';
import { expositionProblems, promtoolProblems, seriesValues } from '../support/assertions/exposition.js';
import { testConfig } from '../support/builders/config.js';
import { deployment as deploymentObject, pod as podObject } from '../support/builders/objects.js';
import { eventually, FAST_BACKOFF, startTestCluster } from '../support/harness/cluster.js';
import { optionalTools, PROMTOOL } from '../support/harness/tools.js';

const [deployment, pod, node, service] = ['deployment', 'pod', 'node', 'service'].map(
  (name) => KINDS.find((kind) => kind.metricName === name)!,
);

const aDeployment = (name: string, replicas: number) =>
  deploymentObject(name, {
    metadata: { annotations: { 'secret.example/token': '12345' } },
    spec: {
      replicas,
      template: {
        spec: { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'PASSWORD', value: '31337' }] }] },
      },
    },
    status: { replicas, availableReplicas: replicas },
  });

const aPod = (name: string, namespace: string, phase: string) =>
  podObject(name, {
    metadata: { namespace },
    spec: { containers: [{ name: 'app', image: 'app:1', resources: { requests: { cpu: '250m', memory: '64Mi' } } }] },
    status: {
      phase,
      containerStatuses: [
        {
          name: 'app',
          ready: phase === 'Running',
          restartCount: 0,
          image: 'app:1',
          imageID: '',
          state: { running: { startedAt: '2024-01-01T00:00:00Z' } },
          lastState: {},
        },
      ],
    },
  });

const series = async (cluster: { text(path: string): Promise<string> }) => seriesValues(await cluster.text('/metrics'));

test('objects appear, change and vanish on /metrics as the API server changes', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(deployment, aDeployment('web', 2));
      api.create(node, {
        metadata: { name: 'node-1' },
        status: { capacity: { cpu: '4', memory: '1Gi' }, conditions: [{ type: 'Ready', status: 'True' }] },
      });
      api.create(service, {
        metadata: { name: 'web', namespace: 'default' },
        spec: { ports: [{ name: 'http', port: 80 }] },
      });
    },
  });
  let values = await series(cluster);
  t.is(values.get('k8s_deployment_spec_replicas{name="web",namespace="default"}'), 2);
  t.is(values.get('k8s_node_status_capacity_memory{name="node-1"}'), 1073741824);
  t.is(values.get('k8s_node_status_conditions_status{name="node-1",condition="Ready"}'), 1);
  t.is(values.get('k8s_service_spec_ports_port{name="web",namespace="default",port="http"}'), 80);

  cluster.api.create(pod, aPod('web-1', 'default', 'Running'));
  await eventually(
    async () =>
      (await series(cluster)).get(
        'k8s_pod_spec_containers_resources_requests_cpu{name="web-1",namespace="default",container="app"}',
      ) === 0.25,
    'pod added',
  );

  cluster.api.update(deployment, 'default', 'web', (object: any) => {
    object.spec.replicas = 5;
  });
  await eventually(
    async () => (await series(cluster)).get('k8s_deployment_spec_replicas{name="web",namespace="default"}') === 5,
    'deployment scaled',
  );
  values = await series(cluster);
  t.is(
    values.get('k8s_deployment_metadata_generation{name="web",namespace="default"}'),
    2,
    'spec change bumped generation',
  );

  cluster.api.delete(deployment, 'default', 'web');
  await eventually(
    async () => ![...(await series(cluster)).keys()].some((key) => key.startsWith('k8s_deployment_')),
    'deployment series gone',
  );
  values = await series(cluster);
  t.true(
    values.has('k8s_pod_spec_containers_resources_requests_cpu{name="web-1",namespace="default",container="app"}'),
    'other kinds untouched',
  );
});

test('/metrics is valid exposition with self-metrics appended, and never carries annotations or env values', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(deployment, aDeployment('web', 1));
      api.create(pod, aPod('web-1', 'default', 'Running'));
    },
  });
  await cluster.get('/metrics'); // a scrape's own duration shows from the next scrape on
  const response = await cluster.get('/metrics');
  t.is(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await response.text();
  t.deepEqual(expositionProblems(text), []);
  if (optionalTools(t, 'promtool check metrics of /metrics', PROMTOOL)) t.deepEqual(promtoolProblems(text), []);
  for (const expected of [
    'kube_api_exporter_cache_objects{kind="pod"} 1',
    'kube_api_exporter_cache_objects{kind="deployment"} 1',
    'kube_api_exporter_kind_synced{kind="node"} 1',
    'kube_api_exporter_watch_events_total{kind="pod",type="add"} 1',
    'kube_api_exporter_process_resident_memory_bytes',
    'kube_api_exporter_scrape_duration_seconds_bucket',
  ]) {
    t.true(text.includes(expected), expected);
  }
  t.false(/31337|12345|PASSWORD|secret\.example/.test(text));
});

test('/leanix.json follows pods: sorted, excluded namespaces left out, deletions vanish', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(pod, aPod('b-pod', 'team-b', 'Pending'));
      api.create(pod, aPod('z-pod', 'team-a', 'Running'));
      api.create(pod, aPod('a-pod', 'team-a', 'Running'));
      api.create(pod, aPod('dns', 'kube-system', 'Running'));
    },
  });
  const inventory = async () => (await cluster.get('/leanix.json')).json() as Promise<any>;
  let body = await inventory();
  t.deepEqual(
    body.Namespaces.map((namespace: any) => [namespace.Name, namespace.Pods.map((p: any) => `${p.Name}:${p.Status}`)]),
    [
      ['team-a', ['a-pod:Running', 'z-pod:Running']],
      ['team-b', ['b-pod:Pending']],
    ],
  );
  t.is(body.Namespaces[0].Pods[0].ContainerStatuses[0].name, 'app');
  t.regex(body.LastUpdate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const before = body.LastUpdate;
  cluster.api.delete(pod, 'team-b', 'b-pod');
  await eventually(async () => (await inventory()).Namespaces.length === 1, 'namespace without pods gone');
  body = await inventory();
  t.true(body.LastUpdate >= before);
});

test('a relist after 410 Gone drops objects deleted while the watch was away', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(pod, aPod('stays', 'default', 'Running'));
      api.create(pod, aPod('goes', 'default', 'Running'));
    },
  });
  t.true((await cluster.text('/metrics')).includes('name="goes"'));
  // The watch is dropped and history compacted: the informer reconnects with an expired resourceVersion, gets
  // 410 Gone and must relist, which is the only way it can learn that "goes" was deleted meanwhile.
  cluster.api.delete(pod, 'default', 'goes');
  cluster.api.create(pod, aPod('new', 'default', 'Running'));
  cluster.api.compact();
  cluster.api.closeWatches();
  await eventually(async () => {
    const text = await cluster.text('/metrics');
    return !text.includes('name="goes"') && text.includes('name="new"');
  }, 'relist converged');
  t.true((await cluster.text('/metrics')).includes('name="stays"'));
});

/** An exporter watching this API server URL, whether or not anything serves it yet; stopped in teardown. */
async function exporterWatching(t: ExecutionContext, apiUrl: string) {
  const exporter = await startExporter({
    config: testConfig({ leanix: { excludeNamespaces: new Set() } }),
    kubeConfig: kubeConfigForServer(apiUrl),
    log: silentLogger,
    backoff: FAST_BACKOFF,
  });
  t.teardown(() => exporter.stop());
  return exporter;
}

test('watches ask for bookmarks: a quiet kind resumes from one after its last change left the history, without a relist', async (t) => {
  const api = new SimulatedApiServer({ bookmarkIntervalMs: 20, historyLimit: 5 });
  const apiUrl = await api.start();
  t.teardown(() => api.stop());
  api.create(node, { metadata: { name: 'quiet' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  const exporter = await exporterWatching(t, apiUrl);
  await eventually(async () => (await fetch(`${exporter.url}/readyz`)).status === 200, 'synced');
  // More pod writes than the history keeps: the node's own last change is no longer resumable.
  for (let index = 0; index < 10; index += 1) api.create(pod, aPod(`busy-${index}`, 'default', 'Running'));
  await eventually(
    async () => (await fetch(`${exporter.url}/metrics`)).text().then((text) => text.includes('name="busy-9"')),
    'pods seen',
  );
  // Bookmarks come every 20 ms; nothing outside the informer shows its resourceVersion, so give it ample time.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  api.closeWatches();
  api.create(node, { metadata: { name: 'late' } });
  await eventually(
    async () => (await fetch(`${exporter.url}/metrics`)).text().then((text) => text.includes('name="late"')),
    'node watch resumed',
  );
  t.is(api.listsCount(node), 1, 'the node watch resumed from a bookmark instead of relisting after 410 Gone');
});

test('an unreachable API server is retried: /readyz says why, then recovers when it comes up', async (t) => {
  const api = new SimulatedApiServer();
  const apiUrl = await api.start();
  const port = Number(new URL(apiUrl).port);
  await api.stop();
  const exporter = await exporterWatching(t, apiUrl);
  await eventually(async () => {
    const body = (await (await fetch(`${exporter.url}/readyz`)).json()) as any;
    return body.kinds.pod.lastError !== undefined;
  }, 'error reported');
  const response = await fetch(`${exporter.url}/readyz`);
  t.is(response.status, 503);
  const body = (await response.json()) as any;
  t.deepEqual(body.notReady, ['deployment', 'pod', 'node', 'service']);
  t.regex(body.kinds.pod.lastError, /ECONNREFUSED/);
  t.true(
    (await (await fetch(`${exporter.url}/metrics`)).text()).includes(
      'kube_api_exporter_watch_errors_total{kind="pod",reason="connection"}',
    ),
  );
  t.is((await fetch(`${exporter.url}/healthz`)).status, 200, 'alive while not ready');

  const revived = new SimulatedApiServer();
  await revived.start(port);
  t.teardown(() => revived.stop());
  revived.create(pod, aPod('late', 'default', 'Running'));
  await eventually(
    async () => (await fetch(`${exporter.url}/readyz`)).status === 200,
    'ready after the API server came up',
  );
  t.true((await (await fetch(`${exporter.url}/metrics`)).text()).includes('name="late"'));
});

/** A GET with exactly these headers and the raw, undecoded response (fetch would decode gzip by itself). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

const objectSeriesOf = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('k8s_'))
    .join('\n');

test('/metrics is gzipped when the client accepts it, and concurrent scrapes all get it whole', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(deployment, aDeployment('web', 2));
      api.create(pod, aPod('web-1', 'default', 'Running'));
    },
    config: { http: { maxMetricsResponses: 4 } },
  });
  const url = `${cluster.exporter.url}/metrics`;
  const plain = await rawGet(url, { 'accept-encoding': 'identity' });
  t.is(plain.headers['content-encoding'], undefined);
  t.is(Number(plain.headers['content-length']), plain.body.length);
  t.regex(plain.body.toString(), /^# HELP k8s_deployment_/);

  const scrapes = await Promise.all([1, 2, 3, 4].map(() => rawGet(url, { 'accept-encoding': 'gzip' })));
  for (const scrape of scrapes) {
    t.is(scrape.headers['content-encoding'], 'gzip');
    t.is(scrape.headers.vary, 'Accept-Encoding');
    t.is(Number(scrape.headers['content-length']), scrape.body.length);
    const text = gunzipSync(scrape.body).toString();
    t.deepEqual(expositionProblems(text), []);
    t.is(objectSeriesOf(text), objectSeriesOf(plain.body.toString()));
  }
});

test("/metrics/self serves only the exporter's own metrics", async (t) => {
  const cluster = await startTestCluster(t, { seed: (api) => api.create(pod, aPod('web-1', 'default', 'Running')) });
  const text = await cluster.text('/metrics/self');
  t.deepEqual(expositionProblems(text), []);
  t.true(text.includes('kube_api_exporter_cache_objects{kind="pod"} 1'));
  t.false(text.includes('k8s_'));
});

test('an API server lost after sync: unready while away, last series still served, relisted after its restart', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(pod, aPod('stays', 'default', 'Running'));
      api.create(pod, aPod('goes', 'default', 'Running'));
    },
    config: { http: { unreadyAfterMs: 0 } },
  });
  const port = Number(new URL(cluster.apiUrl).port);
  await cluster.api.stop();
  await eventually(async () => (await cluster.get('/readyz')).status === 503, 'unready while the API server is away');
  t.deepEqual(((await (await cluster.get('/readyz')).json()) as any).notReady, [
    'deployment',
    'pod',
    'node',
    'service',
  ]);
  t.true((await cluster.text('/metrics')).includes('name="goes"'), 'last known series still served');
  // Changes made meanwhile (through another API server on the same etcd): the restarted server's watch history
  // begins after them, so the exporter's watch gets 410 Gone and only its relist can show them.
  cluster.api.delete(pod, 'default', 'goes');
  cluster.api.create(pod, aPod('new', 'default', 'Running'));
  await cluster.api.start(port);
  await eventually(async () => (await cluster.get('/readyz')).status === 200, 'ready after the restart');
  await eventually(async () => {
    const text = await cluster.text('/metrics');
    return !text.includes('name="goes"') && text.includes('name="new"') && text.includes('name="stays"');
  }, 'relisted');
});

test('HTTP: index, health, unknown routes and methods', async (t) => {
  const cluster = await startTestCluster(t);
  t.regex(await cluster.text('/'), /href="metrics"/);
  t.is(await cluster.text('/healthz'), 'ok\n');
  t.is((await cluster.get('/nope')).status, 404);
  t.is((await fetch(`${cluster.exporter.url}/metrics`, { method: 'POST' })).status, 405);
  t.is((await fetch(`${cluster.exporter.url}/metrics`, { method: 'HEAD' })).status, 200);
});

const runMain = (...args: string[]) =>
  spawnSync(process.execPath, ['--import=tsx', 'src/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '' },
  });

test('bad flags and config exit 2 with one clear line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-config-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
  );
  const fields = join(dir, 'fields.yaml');
  writeFileSync(
    fields,
    'kinds:\n  pod:\n    stateSets:\n      - { path: status.phase, label: phase, values: Running }\n',
  );
  for (const [args, message] of [
    [
      ['--kubeconfig', kubeconfig, '--fields-config', fields],
      /^kube-api-exporter: --fields-config .*fields\.yaml: kinds\.pod\.stateSets\[0\]\.values: must be array \(see --help\)$/m,
    ],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port', 'eighty'], /invalid --port "eighty"/],
    [['--kubeconfig', '/does/not/exist'], /cannot load kubeconfig \(\/does\/not\/exist\): ENOENT/],
  ] as const) {
    const result = runMain(...args);
    t.is(result.status, 2, args.join(' '));
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n').length, 1, 'one line');
  }
  const help = runMain('--help');
  t.is(help.status, 0);
  t.regex(help.stdout, /--kubeconfig FILE/);
});
