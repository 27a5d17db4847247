/**
 * The exporter against a real kube-apiserver (with etcd, TLS, token auth and RBAC), installed as README says:
 * `kubectl create -f k8s`, then run with its ServiceAccount's token. Objects are created with kubectl and their
 * status set through the status subresource, since no controller runs. One control plane for the file; the tests
 * run in order and build on each other's objects.
 */

import test, { type ExecutionContext } from 'ava';
import _ from 'lodash';
import type { RunningExporter } from '../../src/exporter.js';
import { collectionPath, DEFAULT_KINDS } from '../../src/kinds/table.js';
import { sanitizeName } from '../../src/metrics/flatten.js';
import { parseQuantity } from '../../src/objects/quantity.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { node as nodeObject, runningStatus, webPod } from '../support/builders/objects.js';
import { eventually } from '../support/harness/cluster.js';
import { loadManifests } from '../support/harness/manifests.js';
import {
  EXPORTER_USER,
  exporterRequests,
  type InstalledCluster,
  sharedCluster,
  startExporterAsServiceAccount,
} from '../support/harness/real-cluster.js';
import { loadRuleGroups } from '../support/harness/rules.js';
import { KUBECTL, PROMETHEUS, testNeeding } from '../support/harness/tools.js';
import { CONTROL_PLANE_TOOLS, runStatus } from '../support/servers/kube-apiserver.js';
import { prometheusApi, type RunningServer, startPrometheus } from '../support/servers/prometheus.js';

/** Every test here needs the control plane, and they run in order on the one it shares. */
const serialTest = testNeeding(...CONTROL_PLANE_TOOLS).serial;
const serialTestWithPrometheus = testNeeding(...CONTROL_PLANE_TOOLS, PROMETHEUS).serial;

const shared = sharedCluster();
let exporter: Promise<RunningExporter> | undefined;
test.after.always(async () => {
  await (await exporter?.catch(() => undefined))?.stop();
  await shared.stop();
});

/** The control plane and the exporter watching it as its ServiceAccount. */
async function setUp(t: ExecutionContext): Promise<{ cluster: InstalledCluster; exporter: RunningExporter }> {
  t.timeout(120_000);
  const cluster = await shared.get();
  exporter ??= startExporterAsServiceAccount(cluster);
  return { cluster, exporter: await exporter };
}

const metrics = async (exporter: RunningExporter) =>
  seriesValues(await (await fetch(`${exporter.url}/metrics`)).text(), '');
const labels = (...pairs: [string, string][]) => `{${pairs.map(([name, value]) => `${name}="${value}"`).join(',')}}`;
const unixSeconds = (timestamp: string) => Date.parse(timestamp) / 1000;

async function kubectlJson(cluster: InstalledCluster, ...args: string[]): Promise<any> {
  return JSON.parse(await cluster.plane.kubectl([...args, '-o', 'json']));
}

async function patchStatus(
  cluster: InstalledCluster,
  resource: string,
  namespace: string | undefined,
  status: object,
): Promise<void> {
  const where = namespace ? ['-n', namespace] : [];
  await cluster.plane.kubectl([
    ...where,
    'patch',
    resource,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
}

serialTest(
  'kubectl create -f k8s succeeds in one pass; its ServiceAccount syncs every kind and may do nothing else',
  async (t) => {
    const { cluster, exporter } = await setUp(t);
    const created = cluster.createOutput.trim().split('\n');
    const manifests = loadManifests();
    t.is(created.length, manifests.length, cluster.createOutput);
    for (const [index, { object }] of manifests.entries())
      t.regex(created[index], new RegExp(`^${object.kind.toLowerCase()}[.a-z0-9]*/${object.metadata.name} created$`));

    const values = await metrics(exporter);
    for (const kind of DEFAULT_KINDS)
      t.is(
        values.get(`kube_api_exporter_kind_synced${labels(['kind', kind.metricName])}`),
        1,
        `${kind.metricName} synced`,
      );
    t.is(
      values.get(`kube_api_exporter_watch_errors_total${labels(['kind', 'pod'])}`),
      undefined,
      'no list or watch was refused',
    );
    t.is(
      values.get(
        `k8s_deployment_spec_replicas${labels(['name', 'kube-api-exporter'], ['namespace', 'kube-api-exporter'])}`,
      ),
      1,
      'its own Deployment is seen',
    );

    const canI = async (...args: string[]) => {
      const { code, stdout } = await runStatus(KUBECTL.command, [
        '--kubeconfig',
        cluster.exporterKubeconfig,
        'auth',
        'can-i',
        ...args,
      ]);
      return `${stdout.trim()} (${code})`;
    };
    t.is(
      (
        await cluster.plane.kubectl([
          '--kubeconfig',
          cluster.exporterKubeconfig,
          'auth',
          'whoami',
          '-o',
          'jsonpath={.status.userInfo.username}',
        ])
      ).trim(),
      EXPORTER_USER,
    );
    for (const kind of DEFAULT_KINDS) {
      const resource = kind.group ? `${kind.plural}.${kind.group}` : kind.plural;
      for (const verb of ['get', 'list', 'watch'])
        t.is(await canI(verb, resource, '--all-namespaces'), 'yes (0)', `${verb} ${resource}`);
      for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection'])
        t.is(await canI(verb, resource, '--all-namespaces'), 'no (1)', `${verb} ${resource}`);
      t.is(
        await canI('update', resource, '--subresource=status', '--all-namespaces'),
        'no (1)',
        `update ${resource}/status`,
      );
    }
    for (const verb of ['get', 'list', 'watch'])
      t.is(await canI(verb, 'secrets', '--all-namespaces'), 'no (1)', `${verb} secrets`);
    for (const [verb, resource] of [
      ['get', 'configmaps'],
      ['*', '*'],
    ])
      t.is(await canI(verb, resource, '--all-namespaces'), 'no (1)', `${verb} ${resource}`);
    const denied = await runStatus(KUBECTL.command, [
      '--kubeconfig',
      cluster.exporterKubeconfig,
      'get',
      'secrets',
      '-A',
    ]);
    t.regex(denied.stderr, /forbidden/, 'the server refuses, not only can-i');
  },
);

serialTest(
  'each kind is first asked for a streaming list; where kube-apiserver 1.32 refuses it (on etcd 3.4, until it has found progress notifications), listed in pages',
  async (t) => {
    const { cluster } = await setUp(t);
    for (const kind of DEFAULT_KINDS) {
      const path = collectionPath(kind);
      const streamed = exporterRequests(cluster.plane, 'watch', path).filter(
        (query) => query.get('sendInitialEvents') === 'true',
      );
      t.true(streamed.length >= 1, `${path}: a streaming list`);
      t.is(streamed[0].get('resourceVersionMatch'), 'NotOlderThan');
      t.is(streamed[0].get('allowWatchBookmarks'), 'true');
      const pages = exporterRequests(cluster.plane, 'list', path);
      if (pages.length > 0) t.is(streamed.length, 1, `${path}: refused once, then listed in pages only`);
      t.true(
        pages.every((query) => query.get('limit') === '500'),
        `${path}: pages of 500`,
      );
    }
  },
);

serialTest('nodes, pods and services created with kubectl: series match kubectl get -o json', async (t) => {
  const { cluster, exporter } = await setUp(t);
  const { plane } = cluster;
  await plane.kubectl(['create', 'namespace', 'shop']);
  await plane.kubectl(
    ['create', '-f', '-'],
    JSON.stringify(nodeObject('worker-1', { metadata: { labels: { 'kubernetes.io/os': 'linux' } } })),
  );
  await patchStatus(cluster, 'node/worker-1', undefined, {
    capacity: { cpu: '4', memory: '16393236Ki', pods: '110', 'ephemeral-storage': '102Gi', 'hugepages-2Mi': '0' },
    allocatable: { cpu: '3800m', memory: '15Gi', pods: '110', 'ephemeral-storage': '95Gi', 'hugepages-2Mi': '0' },
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        lastHeartbeatTime: '2026-11-26T07:00:00Z',
        lastTransitionTime: '2026-11-25T08:00:00Z',
      },
      {
        type: 'MemoryPressure',
        status: 'False',
        reason: 'KubeletHasSufficientMemory',
        lastHeartbeatTime: '2026-11-26T07:00:00Z',
        lastTransitionTime: '2026-11-25T08:00:00Z',
      },
    ],
  });
  await plane.kubectl(['create', '-f', '-'], JSON.stringify(webPod('web-1', 'shop')));
  // What the scheduler would do: bind the pod to the node.
  await plane.request('POST', '/api/v1/namespaces/shop/pods/web-1/binding', {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: 'web-1' },
    target: { apiVersion: 'v1', kind: 'Node', name: 'worker-1' },
  });
  await patchStatus(cluster, 'pod/web-1', 'shop', runningStatus('2026-11-26T07:01:02Z', 2));
  await plane.kubectl(['-n', 'shop', 'create', 'service', 'nodeport', 'edge', '--tcp=80:8080', '--tcp=443:8443']);
  await plane.kubectl(['-n', 'shop', 'create', 'service', 'clusterip', 'web', '--tcp=80:http']);

  const node = await kubectlJson(cluster, 'get', 'node', 'worker-1');
  const pod = await kubectlJson(cluster, '-n', 'shop', 'get', 'pod', 'web-1');
  const services = (await kubectlJson(cluster, '-n', 'shop', 'get', 'services')).items;
  const expected = new Map<string, number>();
  const nodeId = labels(['name', 'worker-1']);
  for (const field of ['capacity', 'allocatable']) {
    for (const [resource, quantity] of Object.entries<string>(node.status[field]))
      expected.set(`k8s_node_status_${field}_${sanitizeName(resource)}${nodeId}`, parseQuantity(quantity)!);
  }
  for (const condition of node.status.conditions) {
    const id = labels(['name', 'worker-1'], ['condition', condition.type]);
    expected.set(`k8s_node_status_conditions_status${id}`, condition.status === 'True' ? 1 : 0);
    expected.set(`k8s_node_status_conditions_lastHeartbeatTime${id}`, unixSeconds(condition.lastHeartbeatTime));
  }
  expected.set(`k8s_node_metadata_creationTimestamp${nodeId}`, unixSeconds(node.metadata.creationTimestamp));
  for (const container of pod.spec.containers) {
    const id = [
      ['name', 'web-1'],
      ['namespace', 'shop'],
      ['container', container.name],
    ] as [string, string][];
    for (const bound of ['requests', 'limits']) {
      for (const [resource, quantity] of Object.entries<string>(container.resources[bound] ?? {})) {
        expected.set(
          `k8s_pod_spec_containers_resources_${bound}_${resource}${labels(...id)}`,
          parseQuantity(quantity)!,
        );
      }
    }
    for (const port of container.ports ?? [])
      expected.set(
        `k8s_pod_spec_containers_ports_containerPort${labels(...id, ['port', port.name])}`,
        port.containerPort,
      );
  }
  for (const status of pod.status.containerStatuses) {
    const id = labels(['name', 'web-1'], ['namespace', 'shop'], ['container', status.name]);
    expected.set(`k8s_pod_status_containerStatuses_restartCount${id}`, status.restartCount);
    expected.set(`k8s_pod_status_containerStatuses_ready${id}`, status.ready ? 1 : 0);
    expected.set(
      `k8s_pod_status_containerStatuses_state_running_startedAt${id}`,
      unixSeconds(status.state.running.startedAt),
    );
    const info: [string, string][] = [
      ['namespace', 'shop'],
      ['pod', 'web-1'],
      ['container', status.name],
      ['container_id', status.containerID],
      ['image', status.image],
      ['image_id', status.imageID],
      ['node', pod.spec.nodeName],
      ['pod_uid', pod.metadata.uid],
      ['qos_class', pod.status.qosClass],
      ['init_container', 'false'],
    ];
    expected.set(`k8s_pod_container_info${labels(...info)}`, 1);
  }
  for (const service of services) {
    for (const port of service.spec.ports) {
      const id = labels(['name', service.metadata.name], ['namespace', 'shop'], ['port', port.name]);
      expected.set(`k8s_service_spec_ports_port${id}`, port.port);
      if (typeof port.targetPort === 'number') expected.set(`k8s_service_spec_ports_targetPort${id}`, port.targetPort);
      if (port.nodePort !== undefined) expected.set(`k8s_service_spec_ports_nodePort${id}`, port.nodePort);
    }
  }
  t.is(pod.spec.nodeName, 'worker-1', 'bound through the binding subresource');
  t.is(pod.status.qosClass, 'Burstable', 'the server computed the QoS class');
  t.is(
    services.filter((service: any) => service.spec.ports.some((port: any) => port.nodePort > 0)).length,
    1,
    'the server allocated node ports',
  );

  await eventually(
    async () => {
      const values = await metrics(exporter);
      return [...expected].every(([series, value]) => values.get(series) === value);
    },
    'series as kubectl shows the objects',
    20_000,
  ).catch(() => undefined);
  const values = await metrics(exporter);
  t.deepEqual(
    [...expected.keys()].map((series) => [series, values.get(series)]),
    [...expected],
  );
  t.is(
    values.get(`k8s_pod_metadata_generation${labels(['name', 'web-1'], ['namespace', 'shop'])}`),
    undefined,
    'pods have no generation in 1.32',
  );
  t.is(values.get(`k8s_node_metadata_generation${nodeId}`), undefined, 'nodes have no generation');
  t.false(
    [...values.keys()].some(
      (series) => series.includes('_env_') || series.includes('hunter2') || series.includes('kubernetes_io_os'),
    ),
    'no env, no labels',
  );
});

serialTestWithPrometheus(
  'a rollout through the status subresource: /metrics follows, and the deployment alerts select only the failing deployment',
  async (t) => {
    const { cluster, exporter } = await setUp(t);
    const { plane } = cluster;
    for (const name of ['checkout', 'web']) {
      await plane.kubectl(['-n', 'shop', 'create', 'deployment', name, `--image=shop/${name}:1.0`, '--replicas=3']);
      await patchStatus(cluster, `deployment/${name}`, 'shop', healthyDeployment(1, 3));
    }
    // No controller runs here: the exporter's own Deployment from k8s/ gets the status its controller would give it.
    await patchStatus(cluster, 'deployment/kube-api-exporter', 'kube-api-exporter', healthyDeployment(1, 1));

    const prometheus = await startPrometheus(
      t,
      {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [
          {
            job_name: 'kube-api-exporter',
            honor_labels: true,
            static_configs: [{ targets: [new URL(exporter.url).host] }],
          },
        ],
      },
      [],
    );
    const deploymentRules = loadRuleGroups().find((group) => group.name === 'kube-api-exporter.deployments')!.rules;
    const selected = async () =>
      Object.fromEntries(
        await Promise.all(
          deploymentRules.map(async (rule) => [rule.alert, await selectedObjects(prometheus, rule.expr)] as const),
        ),
      );
    const none = Object.fromEntries(deploymentRules.map((rule) => [rule.alert, []]));
    const checkout = labels(['name', 'checkout'], ['namespace', 'shop']);

    await eventually(
      async () => (await scrapedValue(prometheus, `k8s_deployment_status_availableReplicas${checkout}`)) === 3,
      'healthy checkout scraped',
      30_000,
    );
    t.deepEqual(await selected(), none, 'nothing selected while all deployments are healthy');

    await plane.kubectl(['-n', 'shop', 'set', 'image', 'deployment/checkout', 'checkout=shop/checkout:1.1-broken']);
    const changed = await kubectlJson(cluster, '-n', 'shop', 'get', 'deployment', 'checkout');
    t.is(changed.metadata.generation, 2, 'the image change bumped metadata.generation');
    t.is(changed.status.observedGeneration, 1, 'and observedGeneration lags: no controller saw it');
    await patchStatus(cluster, 'deployment/checkout', 'shop', {
      updatedReplicas: 1,
      readyReplicas: null,
      availableReplicas: null,
      unavailableReplicas: 3,
      conditions: [
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
        { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' },
      ],
    });
    await eventually(
      async () => (await metrics(exporter)).get(`k8s_deployment_status_unavailableReplicas${checkout}`) === 3,
      'failing status exported',
      30_000,
    );
    const failing = await metrics(exporter);
    t.is(failing.get(`k8s_deployment_metadata_generation${checkout}`), 2);
    t.is(failing.get(`k8s_deployment_status_observedGeneration${checkout}`), 1);
    t.is(
      failing.get(`k8s_deployment_status_availableReplicas${checkout}`),
      0,
      'the server drops the field set to null; the exporter declares it 0 (README "Declared fields")',
    );
    t.is(
      failing.get(
        `k8s_deployment_status_conditions_reason${labels(['name', 'checkout'], ['namespace', 'shop'], ['condition', 'Progressing'], ['reason', 'ProgressDeadlineExceeded'])}`,
      ),
      1,
      'why it fails',
    );
    t.is(
      failing.get(
        `k8s_deployment_status_conditions_status${labels(['name', 'checkout'], ['namespace', 'shop'], ['condition', 'Progressing'])}`,
      ),
      0,
    );
    t.is(
      failing.get(`k8s_deployment_metadata_generation${labels(['name', 'web'], ['namespace', 'shop'])}`),
      1,
      'the other deployment untouched',
    );

    const onlyCheckout = {
      ...Object.fromEntries(deploymentRules.map((rule) => [rule.alert, ['shop/checkout']])),
      // The rollout updated a replica within 10 minutes: kubernetes-mixin's guard waits before it pages.
      DeploymentReplicasMismatch: [],
      // No pod of it waits with a failure reason (there are none: no controller runs here).
      DeploymentPodsFailing: [],
    };
    await eventually(
      async () => _.isEqual(await selected(), onlyCheckout),
      'alerts select the failing deployment',
      30_000,
    ).catch(() => undefined);
    t.deepEqual(await selected(), onlyCheckout);

    await patchStatus(cluster, 'deployment/checkout', 'shop', {
      ...healthyDeployment(2, 3),
      unavailableReplicas: null,
    });
    await eventually(async () => _.isEqual(await selected(), none), 'recovered', 30_000).catch(() => undefined);
    t.deepEqual(await selected(), none, 'nothing selected once the rollout completed');
    t.is((await metrics(exporter)).get(`k8s_deployment_status_observedGeneration${checkout}`), 2);
  },
);

serialTest(
  '/leanix.json of real pods matches their kubectl JSON status, timestamps as the server serves them',
  async (t) => {
    const { cluster, exporter } = await setUp(t);
    const { plane } = cluster;
    for (const namespace of ['team-a', 'team-b']) await plane.kubectl(['create', 'namespace', namespace]);
    await plane.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [webPod('api-1', 'team-a'), webPod('batch-1', 'team-a'), webPod('pending-1', 'team-b')],
      }),
    );
    // Fractions of a second are sent; the API serves whole seconds.
    await patchStatus(cluster, 'pod/api-1', 'team-a', runningStatus('2026-11-26T07:01:02.345Z', 0));
    await patchStatus(cluster, 'pod/batch-1', 'team-a', {
      phase: 'Succeeded',
      containerStatuses: ['app', 'sidecar'].map((name) => ({
        name,
        ready: false,
        restartCount: 0,
        image: `shop/${name}:1.0`,
        imageID: `docker-pullable://shop/${name}@sha256:${'ab'.repeat(32)}`,
        containerID: `containerd://${'cd'.repeat(32)}`,
        started: false,
        state: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt: '2026-11-26T06:00:00Z',
            finishedAt: '2026-11-26T06:05:00Z',
          },
        },
        lastState: {},
      })),
    });
    await patchStatus(cluster, 'pod/pending-1', 'team-b', {
      phase: 'Pending',
      containerStatuses: ['app', 'sidecar'].map((name) => ({
        name,
        ready: false,
        restartCount: 0,
        image: `shop/${name}:1.0`,
        imageID: '',
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      })),
    });

    const expectedInventory = async () => {
      const pods = (await kubectlJson(cluster, 'get', 'pods', '--all-namespaces')).items.filter(
        (pod: any) => !['kube-system', 'kube-public'].includes(pod.metadata.namespace),
      );
      const namespaces = [...new Set<string>(pods.map((pod: any) => pod.metadata.namespace))].sort();
      return namespaces.map((namespace) => ({
        Name: namespace,
        Pods: pods
          .filter((pod: any) => pod.metadata.namespace === namespace)
          .sort((a: any, b: any) => a.metadata.name.localeCompare(b.metadata.name))
          .map((pod: any) => ({
            Name: pod.metadata.name,
            Status: pod.status.phase,
            ContainerStatuses: pod.status.containerStatuses ?? [],
          })),
      }));
    };
    const inventory = async () =>
      (await (await fetch(`${exporter.url}/leanix.json`)).json()) as { Namespaces: unknown[]; LastUpdate: string };
    const expected = await expectedInventory();
    await eventually(
      async () => _.isEqual((await inventory()).Namespaces, expected),
      'inventory follows the pods',
      20_000,
    ).catch(() => undefined);
    const body = await inventory();
    t.deepEqual(body.Namespaces, expected);
    t.deepEqual(
      body.Namespaces.map((namespace: any) => namespace.Name),
      ['shop', 'team-a', 'team-b'],
    );
    const api = (body.Namespaces[1] as any).Pods[0];
    t.is(
      api.ContainerStatuses[0].state.running.startedAt,
      '2026-11-26T07:01:02Z',
      'the served timestamp, truncated to seconds by the API',
    );
    t.regex(body.LastUpdate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  },
);

serialTest(
  'bookmarks are asked for and honoured: a quiet kind resumes its watch from the bookmark, not from its last change',
  async (t) => {
    const { cluster } = await setUp(t);
    const { plane } = cluster;
    const lastNodeChange = Number((await kubectlJson(cluster, 'get', 'node', 'worker-1')).metadata.resourceVersion);
    // Writes to another kind move the cluster's resourceVersion past the last node change.
    let advancedTo = 0;
    for (const index of [1, 2, 3]) {
      const created = await plane.request('POST', '/api/v1/namespaces/default/configmaps', {
        metadata: { name: `bookmark-${index}` },
        data: { index: String(index) },
      });
      advancedTo = Number(created.metadata.resourceVersion);
    }
    t.true(advancedTo > lastNodeChange);
    // The server ends each watch after 5-10 s (--min-request-timeout 5) and sends a bookmark just before; the
    // informer then restarts its node watch from there.
    const nodeWatches = () => exporterRequests(plane, 'watch', '/api/v1/nodes');
    await eventually(
      () => nodeWatches().some((params) => Number(params.get('resourceVersion')) >= advancedTo),
      'a node watch resumed from a bookmark',
      40_000,
    ).catch(() => undefined);
    const watches = nodeWatches();
    t.true(watches.length > 0);
    t.true(
      watches.every((params) => params.get('allowWatchBookmarks') === 'true'),
      'every watch asks for bookmarks',
    );
    t.true(
      watches.some((params) => Number(params.get('resourceVersion')) >= advancedTo),
      `a node watch resumed at or after ${advancedTo}; watched from ${watches.map((params) => params.get('resourceVersion')).join(', ')}`,
    );
  },
);

serialTest(
  'kube-apiserver killed: the exporter is unready while it is down, keeps serving what it has, and converges after a restart',
  async (t) => {
    const { cluster, exporter } = await setUp(t);
    const { plane } = cluster;
    const web1 = labels(['name', 'web-1'], ['namespace', 'shop'], ['container', 'app']);
    await plane.killApiServer();
    await eventually(
      async () => (await fetch(`${exporter.url}/readyz`)).status === 503,
      'unready while the API server is down',
      20_000,
    );
    const down = (await (await fetch(`${exporter.url}/readyz`)).json()) as any;
    t.deepEqual([...down.notReady].sort(), DEFAULT_KINDS.map((kind) => kind.metricName).sort());
    // Which error depends on where the connection broke (refused, reset, premature close): any error is named.
    t.regex(down.kinds.pod.lastError, /\w+/);
    t.is(
      (await metrics(exporter)).get(`k8s_pod_status_containerStatuses_restartCount${web1}`),
      2,
      'last known series still served',
    );

    await plane.restartApiServer();
    // web-1 is bound to a node: a graceful delete would wait for a kubelet that does not exist here.
    await plane.kubectl(['-n', 'shop', 'delete', 'pod', 'web-1', '--grace-period=0', '--force']);
    await plane.kubectl(['create', '-f', '-'], JSON.stringify(webPod('web-2', 'shop')));
    await plane.kubectl(['-n', 'shop', 'scale', 'deployment', 'web', '--replicas=5']);
    await eventually(async () => (await fetch(`${exporter.url}/readyz`)).status === 200, 'ready again', 30_000);

    const podNames = async () =>
      (await kubectlJson(cluster, 'get', 'pods', '--all-namespaces')).items
        .map((pod: any) => `${pod.metadata.namespace}/${pod.metadata.name}`)
        .sort();
    const exportedPods = async () =>
      [
        ...new Set(
          [...(await metrics(exporter)).keys()]
            .filter((series) => series.startsWith('k8s_pod_metadata_creationTimestamp'))
            .map((series) => /name="([^"]+)",namespace="([^"]+)"/.exec(series)!.slice(1).reverse().join('/')),
        ),
      ].sort();
    const expectedPods = await podNames();
    await eventually(async () => _.isEqual(await exportedPods(), expectedPods), 'pods converged', 30_000).catch(
      () => undefined,
    );
    t.deepEqual(await exportedPods(), expectedPods);
    t.false(expectedPods.includes('shop/web-1'));
    t.is(
      (await metrics(exporter)).get(`k8s_deployment_spec_replicas${labels(['name', 'web'], ['namespace', 'shop'])}`),
      5,
    );
  },
);

function healthyDeployment(observedGeneration: number, replicas: number) {
  return {
    observedGeneration,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  };
}

/** What a PromQL expression selects in Prometheus now, as sorted `namespace/name`. */
async function selectedObjects(prometheus: RunningServer, expr: string): Promise<string[]> {
  const { result } = await prometheusApi<{ result: { metric: Record<string, string> }[] }>(
    prometheus,
    `query?query=${encodeURIComponent(expr)}`,
  );
  return result.map(({ metric }) => `${metric.namespace}/${metric.name}`).sort();
}

async function scrapedValue(prometheus: RunningServer, selector: string): Promise<number | undefined> {
  const { result } = await prometheusApi<{ result: { value: [number, string] }[] }>(
    prometheus,
    `query?query=${encodeURIComponent(selector)}`,
  );
  return result.length === 0 ? undefined : Number(result[0].value[1]);
}
