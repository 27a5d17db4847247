/** The LeanIX endpoints through the whole exporter, against the simulated API server. */
import test from 'ava';
import { helloworldDeployment } from '../../src/demo/cluster.js';
import { DEPLOYMENT, POD, SERVICE } from '../../src/kinds/table.js';
import { eventually, startTestCluster, type TestCluster } from '../support/harness/cluster.js';

const deployment = DEPLOYMENT;
const pod = POD;
const service = SERVICE;
const ENDPOINTS = ['/leanix.json', '/leanix/v2.json', '/leanix/ldif.json'];

const json = async (cluster: TestCluster, path: string) => (await cluster.get(path)).json() as Promise<any>;
const rollouts = async (cluster: TestCluster) =>
  (await json(cluster, '/leanix/v2.json')).deploymentHistory.rollouts as any[];

test('a rollout and a failed rollout are recorded with their images, requests and outcome', async (t) => {
  const cluster = await startTestCluster(t, { seed: (api) => api.create(deployment, helloworldDeployment()) });
  t.deepEqual(await rollouts(cluster), [], 'history starts when the exporter starts');

  cluster.api.update(deployment, 'default', 'helloworld', (object) => {
    object.spec.template.spec.containers[0].image = 'giantswarm/helloworld:1.1';
    object.spec.template.spec.containers[0].resources.requests.cpu = '200m';
    object.status.updatedReplicas = 0;
  });
  await eventually(async () => (await rollouts(cluster)).length === 1, 'rollout to generation 3 seen');
  t.is((await rollouts(cluster))[0].outcome, 'progressing');
  cluster.api.update(deployment, 'default', 'helloworld', (object) => {
    object.status.observedGeneration = 3;
    object.status.updatedReplicas = 1;
  });
  await eventually(async () => (await rollouts(cluster))[0].outcome === 'completed', 'rollout completed');

  cluster.api.update(deployment, 'default', 'helloworld', (object) => {
    object.spec.template.spec.containers[0].image = 'giantswarm/helloworld:broken';
    object.status.updatedReplicas = 0;
  });
  await eventually(async () => (await rollouts(cluster)).length === 2, 'rollout to generation 4 seen');
  cluster.api.update(deployment, 'default', 'helloworld', (object) => {
    object.status.observedGeneration = 4;
    object.status.replicas = 2;
    object.status.updatedReplicas = 1;
    object.status.unavailableReplicas = 1;
    object.status.conditions = [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "helloworld-6c7b" has timed out progressing.',
      },
    ];
  });
  await eventually(async () => (await rollouts(cluster))[1].outcome === 'failed', 'rollout failed');

  const [completed, failed] = await rollouts(cluster);
  t.like(completed, {
    namespace: 'default',
    name: 'helloworld',
    generation: 3,
    images: ['giantswarm/helloworld:1.1'],
    outcome: 'completed',
  });
  t.deepEqual(completed.containers[0].requests, { cpu: 0.2, memory: 67108864 });
  t.like(failed, { generation: 4, images: ['giantswarm/helloworld:broken'], outcome: 'failed' });
  for (const rollout of [completed, failed]) t.true(Date.parse(rollout.finishedAt) >= Date.parse(rollout.observedAt));
  const v2 = await json(cluster, '/leanix/v2.json');
  t.deepEqual(v2.deploymentHistory.counts, { default: { '1h': 2, '24h': 2, '7d': 2 } });
  const ldif = await json(cluster, '/leanix/ldif.json');
  const entry = ldif.content.find((item: any) => item.type === 'Deployment');
  t.is(entry.id, cluster.api.get(deployment, 'default', 'helloworld')!.metadata.uid);
  t.deepEqual(
    entry.data.rollouts.map((rollout: any) => rollout.outcome),
    ['completed', 'failed'],
  );
});

test('every LeanIX endpoint: ETag and If-None-Match → 304 until a change; ?since= by change count', async (t) => {
  const cluster = await startTestCluster(t, { seed: (api) => api.create(deployment, helloworldDeployment()) });
  const index = await cluster.text('/');
  for (const path of ENDPOINTS) t.true(index.includes(`href="${path.slice(1)}"`), `index links ${path}`);
  for (const path of ENDPOINTS) {
    const first = await cluster.get(path);
    const etag = first.headers.get('etag')!;
    const count = Number(first.headers.get('x-change-count'));
    t.regex(etag, /^"[\w-]+"$/, path);
    t.true(count >= 1, path);
    t.is((await cluster.get(path)).headers.get('etag'), etag, `${path} is stable`);
    t.is((await fetch(`${cluster.exporter.url}${path}`, { headers: { 'If-None-Match': etag } })).status, 304, path);
    const unchanged = await cluster.get(`${path}?since=${count}`);
    t.is(unchanged.status, 304, `${path}?since=${count}`);
    t.is(await unchanged.text(), '');
    t.is((await cluster.get(`${path}?since=${count - 1}`)).status, 200);
    const bad = await cluster.get(`${path}?since=yesterday`);
    t.is(bad.status, 400);
    t.regex(((await bad.json()) as any).error, /since must be a change count/);
  }
  const etags = await Promise.all(ENDPOINTS.map(async (path) => (await cluster.get(path)).headers.get('etag')));
  cluster.api.create(pod, { metadata: { name: 'new-pod', namespace: 'default' }, status: { phase: 'Pending' } });
  await eventually(async () => (await cluster.text('/leanix.json')).includes('new-pod'), 'new pod seen');
  for (const [index, path] of ENDPOINTS.entries()) {
    const response = await fetch(`${cluster.exporter.url}${path}`, { headers: { 'If-None-Match': etags[index]! } });
    t.is(response.status, 200, `${path} changed`);
    t.not(response.headers.get('etag'), etags[index]);
  }
});

function seedNamespaces(api: TestCluster['api']) {
  for (const namespace of ['shop', 'billing', 'kube-system']) {
    api.create(deployment, { ...helloworldDeployment(), metadata: { ...helloworldDeployment().metadata, namespace } });
    api.create(service, {
      metadata: {
        name: 'web',
        namespace,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"annotation-value"}' },
      },
      spec: { type: 'ClusterIP', clusterIP: '10.0.0.1', ports: [{ port: 80 }] },
    });
    api.create(pod, {
      metadata: { name: 'web-1', namespace, annotations: { note: 'annotation-value' } },
      spec: {
        nodeName: 'n1',
        containers: [
          {
            name: 'web',
            image: 'web:1',
            env: [
              { name: 'PASSWORD', value: 'env-value' },
              { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            ],
            envFrom: [{ secretRef: { name: 'all-secrets' } }],
          },
        ],
      },
      status: { phase: 'Running', containerStatuses: [] },
    });
  }
}

test('include and exclude flags apply to every view; annotations, env values and secrets never appear', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: seedNamespaces,
    excludeNamespaces: ['kube-system'],
    config: {
      leanix: { includeNamespaces: new Set(['shop', 'kube-system']) },
    },
  });
  const v1 = await json(cluster, '/leanix.json');
  const v2 = await json(cluster, '/leanix/v2.json');
  const ldif = await json(cluster, '/leanix/ldif.json');
  t.deepEqual(
    v1.Namespaces.map((namespace: any) => namespace.Name),
    ['shop'],
  );
  t.deepEqual(
    v2.namespaces.map((namespace: any) => namespace.name),
    ['shop'],
  );
  t.deepEqual(
    [
      ...new Set(
        ldif.content.filter((item: any) => item.data.namespace !== undefined).map((item: any) => item.data.namespace),
      ),
    ],
    ['shop'],
  );
  t.deepEqual(ldif.content.map((item: any) => item.type).sort(), ['Cluster', 'Deployment', 'Pod', 'Service']);
  t.is(v2.cluster.requestingPods, 3, 'totals count pods of every namespace');
  for (const path of ENDPOINTS) {
    const body = await cluster.text(path);
    for (const secret of [
      'annotation-value',
      'env-value',
      'PASSWORD',
      'FROM_SECRET',
      'secretKeyRef',
      'all-secrets',
      'demo-secret-value',
      'API_TOKEN',
    ]) {
      t.false(body.includes(secret), `${path} shows ${secret}`);
    }
  }
});
