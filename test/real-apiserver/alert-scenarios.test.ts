/**
 * The alerts end to end on a real kube-apiserver, one scenario per cause: objects are created and their status set
 * through the status subresource as kubelets and controllers would; the exporter watches them; a real Prometheus
 * scrapes it with the shipped scrape job and evaluates the shipped rules, time-scaled (a minute of the rules is a
 * second here); a real Alertmanager with the shipped inhibit rules notifies a webhook. Each scenario checks that exactly
 * its expected alerts fire, that the cause alert inhibits its symptoms (they fire in Prometheus, are suppressed in
 * Alertmanager and never reach the webhook), and that everything resolves once the cluster is fixed.
 *
 * The scenarios run concurrently, each on its own namespace or nodes, against one control plane, exporter,
 * Prometheus and Alertmanager.
 */

import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import _ from 'lodash';
import { type RunningExporter, startExporter } from '../../src/exporter.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { silentLogger } from '../../src/util/log.js';
import { testConfig } from '../support/builders/config.js';
import { eventually, FAST_BACKOFF } from '../support/harness/cluster.js';
import { loadInhibitRules, loadRuleGroups, timeScaled } from '../support/harness/rules.js';
import { ALERTMANAGER, PROMETHEUS, testNeeding } from '../support/harness/tools.js';
import {
  CONTROL_PLANE_TOOLS,
  type ControlPlane,
  KUBE_APISERVER,
  startControlPlane,
} from '../support/servers/kube-apiserver.js';
import { prometheusApi, type RunningServer, startAlertingPipeline } from '../support/servers/prometheus.js';
import { type Receiver, startReceiver } from '../support/servers/receiver.js';

const testWithStack = testNeeding(...CONTROL_PLANE_TOOLS, PROMETHEUS, ALERTMANAGER);

/** A minute of the rules lasts a second here: `for: 15m` waits 15 s, `[10m]` windows span 10 s. */
const TIME_SCALE = 60;
const DEADLINE_MS = 90_000;

interface Stack {
  readonly plane: ControlPlane;
  readonly exporter: RunningExporter;
  readonly prometheus: RunningServer;
  readonly alertmanager: RunningServer;
  readonly webhook: Receiver;
}

/** The servers' teardowns, run once every scenario is done (ava's t.teardown would stop them with the first test). */
const teardowns: (() => unknown)[] = [];
const suite = { teardown: (teardown: () => unknown) => teardowns.push(teardown) } as unknown as ExecutionContext;
let stack: Promise<Stack> | undefined;
test.after.always(async () => {
  for (const teardown of teardowns.reverse()) await teardown();
});

async function startStack(): Promise<Stack> {
  const plane = await startControlPlane(KUBE_APISERVER.command);
  teardowns.push(() => plane.stop());
  const exporter = await startExporter({
    config: testConfig({ leanix: { excludeNamespaces: new Set() } }),
    kubeConfig: loadKubeConfig(plane.adminKubeconfig, {}),
    log: silentLogger,
    backoff: FAST_BACKOFF,
  });
  teardowns.push(() => exporter.stop());
  await eventually(async () => (await fetch(`${exporter.url}/readyz`)).status === 200, 'exporter ready', 30_000);
  const webhook = await startReceiver(suite);
  const { prometheus, alertmanager } = await startAlertingPipeline(suite, {
    exporterHost: new URL(exporter.url).host,
    webhookUrl: webhook.url,
    ruleGroups: timeScaled(loadRuleGroups(), TIME_SCALE),
    // Long enough for an inhibiting alert that fires in the same evaluation as its target to reach the inhibitor.
    groupWait: '2s',
    inhibitRules: loadInhibitRules(),
  });
  return { plane, exporter, prometheus, alertmanager, webhook };
}

type Labels = Readonly<Record<string, string>>;

/** An alert as the scenarios compare them: `Alertname namespace/name` (or `Alertname name`, or `Alertname`). */
const alertKey = (labels: Labels) =>
  [labels.alertname, labels.namespace ? `${labels.namespace}/${labels.name}` : labels.name].filter(Boolean).join(' ');

interface Scenario {
  readonly title: string;
  /** Whether an alert is this scenario's: of its namespace, its nodes, or the cluster. */
  readonly owns: (labels: Labels) => boolean;
  readonly breakCluster: (api: Api) => Promise<void>;
  readonly fixCluster: (api: Api) => Promise<void>;
  /** The alerts that fire, sorted. */
  readonly firing: readonly string[];
  /** Those that reach the webhook; the others are inhibited. */
  readonly notified: readonly string[];
  /** Annotations of notified alerts, by alert key, as the webhook receives them. */
  readonly annotations?: Readonly<Record<string, Labels>>;
}

/** The API calls the scenarios make, as admin, JSON in and out. */
class Api {
  constructor(private readonly plane: ControlPlane) {}
  create(path: string, object: object) {
    return this.plane.request('POST', path, object);
  }
  /** A JSON merge patch of an object or of its status subresource (`.../status`). */
  patch(path: string, patch: object) {
    return this.plane.request('PATCH', path, patch, 'application/merge-patch+json');
  }
  /** At once, as `kubectl delete --grace-period=0 --force` (no kubelet here to confirm a graceful one). */
  delete(path: string) {
    return this.plane.request('DELETE', path, { gracePeriodSeconds: 0 });
  }
  namespace(name: string) {
    return this.create('/api/v1/namespaces', { metadata: { name } });
  }
  /** A deployment of one container, with the status its controller would report. */
  async deployment(namespace: string, name: string, replicas: number, image: string, status: object) {
    await this.create(deploymentsPath(namespace), deploymentObject(name, replicas, image));
    await this.deploymentStatus(namespace, name, status);
  }
  deploymentStatus(namespace: string, name: string, status: object) {
    return this.patch(`${deploymentsPath(namespace)}/${name}/status`, { status });
  }
  /** A pod, with the status its kubelet would report. */
  async pod(namespace: string, pod: { metadata: { name: string } }, status: object) {
    await this.create(`/api/v1/namespaces/${namespace}/pods`, pod);
    await this.podStatus(namespace, pod.metadata.name, status);
  }
  podStatus(namespace: string, name: string, status: object) {
    return this.patch(`/api/v1/namespaces/${namespace}/pods/${name}/status`, { status });
  }
  /** A node, with its spec and the status its kubelet (or the node controller) would report. */
  async node(name: string, spec: object, status: object) {
    await this.create('/api/v1/nodes', { metadata: { name }, spec });
    await this.patch(`/api/v1/nodes/${name}/status`, { status });
  }
}

const deploymentsPath = (namespace: string) => `/apis/apps/v1/namespaces/${namespace}/deployments`;

function deploymentObject(name: string, replicas: number, image: string) {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

/** A pod of the deployment's ReplicaSet `<deployment>-<hash>`, named and labelled as the ReplicaSet controller does. */
function replicaSetPod(deployment: string, hash: string, suffix: string, image: string, nodeName = 'node-1') {
  return {
    metadata: {
      name: `${deployment}-${hash}-${suffix}`,
      labels: { app: deployment, 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${deployment}-${hash}`,
          uid: randomUUID(),
          controller: true,
        },
      ],
    },
    spec: { nodeName, containers: [{ name: 'app', image }] },
  };
}

function deploymentStatus(replicas: number, available: number, progressing: 'True' | 'False' = 'True') {
  return {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: available || null,
    availableReplicas: available || null,
    unavailableReplicas: replicas - available || null,
    conditions: [
      available === replicas
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
      progressing === 'True'
        ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }
        : { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' },
    ],
  };
}

/** The status a kubelet reports for a one-container pod: `state` is the container's, `ready` the pod's. */
function podStatus(image: string, state: object, { ready = false, restartCount = 0, phase = 'Running' } = {}) {
  return {
    phase,
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? undefined : 'ContainersNotReady' },
    ],
    containerStatuses: [{ name: 'app', ready, started: ready, restartCount, image, imageID: '', state, lastState: {} }],
  };
}

const running = (image: string) =>
  podStatus(image, { running: { startedAt: '2026-12-07T18:00:00Z' } }, { ready: true });
const waiting = (image: string, reason: string, options: { restartCount?: number; phase?: string } = {}) =>
  podStatus(image, { waiting: { reason, message: `${reason}: details the kubelet writes` } }, options);

const PULL_IMAGE = 'registry.example.com/web:v2';
const PULL_PODS = ['a', 'b'].map((suffix) => replicaSetPod('web', '7d9c5b8f6', suffix, PULL_IMAGE));
const CRASH_IMAGE = 'shop/api:1.2';
const CRASH_POD = replicaSetPod('api', '5f6b7c8d9', 'a', CRASH_IMAGE);
const STUCK_IMAGE = 'shop/shop:2';
const STUCK_POD = replicaSetPod('shop', '6c7d8e9f4', 'a', STUCK_IMAGE);
const BIG_NODES = ['big-1', 'big-2', 'big-3'];
const BATCH_PODS = BIG_NODES.map((node, index) => ({
  metadata: { name: `batch-${index + 1}` },
  spec: {
    nodeName: node,
    containers: [{ name: 'app', image: 'shop/batch:1', resources: { requests: { cpu: '3', memory: '6Gi' } } }],
  },
}));

const PULL_POD_NAMES = PULL_PODS.map((pod) => pod.metadata.name);
const READY = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] };

const SCENARIOS: readonly Scenario[] = [
  {
    title: 'image pull failure: DeploymentPodsFailing names the image and inhibits the replicas and not-ready alerts',
    owns: (labels) => labels.namespace === 'pull',
    async breakCluster(api) {
      await api.namespace('pull');
      await api.deployment('pull', 'web', 2, PULL_IMAGE, deploymentStatus(2, 0));
      for (const [pod, reason] of _.zip(PULL_PODS, ['ErrImagePull', 'ImagePullBackOff']))
        await api.pod('pull', pod!, waiting(PULL_IMAGE, reason!, { phase: 'Pending' }));
      // The kubelet alternates the two reasons between retries: still one cause.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await api.podStatus('pull', PULL_POD_NAMES[0], waiting(PULL_IMAGE, 'ImagePullBackOff', { phase: 'Pending' }));
    },
    async fixCluster(api) {
      for (const name of PULL_POD_NAMES) await api.podStatus('pull', name, running(PULL_IMAGE));
      await api.deploymentStatus('pull', 'web', deploymentStatus(2, 2));
    },
    firing: [
      'DeploymentPodsFailing pull/web',
      'DeploymentReplicasMismatch pull/web',
      'PodNotReady pull/web-7d9c5b8f6-a',
      'PodNotReady pull/web-7d9c5b8f6-b',
    ],
    notified: ['DeploymentPodsFailing pull/web'],
    annotations: {
      'DeploymentPodsFailing pull/web': { summary: `pull/web: 2 pods ImagePullBackOff, image ${PULL_IMAGE}` },
    },
  },
  {
    title: 'crash loop: DeploymentPodsFailing inhibits the crash-loop, not-ready and replicas alerts',
    owns: (labels) => labels.namespace === 'crash',
    async breakCluster(api) {
      await api.namespace('crash');
      await api.deployment('crash', 'api', 1, CRASH_IMAGE, deploymentStatus(1, 0));
      await api.pod('crash', CRASH_POD, waiting(CRASH_IMAGE, 'CrashLoopBackOff', { restartCount: 4 }));
    },
    async fixCluster(api) {
      await api.podStatus('crash', CRASH_POD.metadata.name, running(CRASH_IMAGE));
      await api.deploymentStatus('crash', 'api', deploymentStatus(1, 1));
    },
    firing: [
      'DeploymentPodsFailing crash/api',
      'DeploymentReplicasMismatch crash/api',
      'PodCrashLooping crash/api-5f6b7c8d9-a',
      'PodNotReady crash/api-5f6b7c8d9-a',
    ],
    notified: ['DeploymentPodsFailing crash/api'],
    annotations: {
      'DeploymentPodsFailing crash/api': { summary: `crash/api: 1 pods CrashLoopBackOff, image ${CRASH_IMAGE}` },
    },
  },
  {
    title: 'stuck rollout, a new pod that never gets ready: no cause to name, every symptom notified',
    owns: (labels) => labels.namespace === 'rollout',
    async breakCluster(api) {
      await api.namespace('rollout');
      await api.deployment('rollout', 'shop', 3, STUCK_IMAGE, deploymentStatus(3, 2, 'False'));
      await api.pod('rollout', STUCK_POD, podStatus(STUCK_IMAGE, { running: { startedAt: '2026-12-07T18:00:00Z' } }));
    },
    async fixCluster(api) {
      await api.podStatus('rollout', STUCK_POD.metadata.name, running(STUCK_IMAGE));
      await api.deploymentStatus('rollout', 'shop', deploymentStatus(3, 3));
    },
    firing: [
      'DeploymentReplicasMismatch rollout/shop',
      'DeploymentRolloutStuck rollout/shop',
      'PodNotReady rollout/shop-6c7d8e9f4-a',
    ],
    notified: [
      'DeploymentReplicasMismatch rollout/shop',
      'DeploymentRolloutStuck rollout/shop',
      'PodNotReady rollout/shop-6c7d8e9f4-a',
    ],
  },
  {
    title: 'unreachable node: NodeUnreachable inhibits NodeNotReady',
    owns: (labels) => labels.name === 'edge-1' && labels.namespace === undefined,
    async breakCluster(api) {
      const unreachable = ['NoSchedule', 'NoExecute'].map((effect) => ({
        key: 'node.kubernetes.io/unreachable',
        effect,
      }));
      await api.node(
        'edge-1',
        { taints: unreachable },
        { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] },
      );
    },
    async fixCluster(api) {
      await api.patch('/api/v1/nodes/edge-1', { spec: { taints: null } });
      await api.patch('/api/v1/nodes/edge-1/status', { status: READY });
    },
    firing: ['NodeNotReady edge-1', 'NodeUnreachable edge-1'],
    notified: ['NodeUnreachable edge-1'],
  },
  {
    title: 'overcommitted requests: 9 of 12 cores and 18 of 24 GiB do not fit when a node of 4 fails',
    owns: (labels) => labels.alertname.startsWith('Cluster') || labels.namespace === 'capacity',
    async breakCluster(api) {
      await api.namespace('capacity');
      const resources = { cpu: '4', memory: '8Gi' };
      for (const name of BIG_NODES) await api.node(name, {}, { capacity: resources, allocatable: resources, ...READY });
      for (const pod of BATCH_PODS) await api.pod('capacity', pod, running('shop/batch:1'));
    },
    async fixCluster(api) {
      await api.delete('/api/v1/namespaces/capacity/pods/batch-3');
    },
    firing: ['ClusterCPUOvercommit', 'ClusterMemoryOvercommit'],
    notified: ['ClusterCPUOvercommit', 'ClusterMemoryOvercommit'],
    annotations: {
      ClusterMemoryOvercommit: { summary: "The cluster's memory requests cannot tolerate a node failure" },
    },
  },
];

interface PrometheusAlert {
  readonly labels: Labels;
  readonly state: 'pending' | 'firing';
}

interface AlertmanagerAlert {
  readonly labels: Labels;
  readonly status: { readonly state: string; readonly inhibitedBy: readonly string[] };
}

interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Labels;
  readonly annotations: Labels;
}

for (const scenario of SCENARIOS) {
  testWithStack(scenario.title, async (t) => {
    t.timeout(240_000);
    stack ??= startStack();
    const { plane, prometheus, alertmanager, webhook } = await stack;
    const api = new Api(plane);

    const prometheusAlerts = async (state?: string) =>
      (await prometheusApi<{ alerts: PrometheusAlert[] }>(prometheus, 'alerts')).alerts
        .filter((alert) => scenario.owns(alert.labels) && (state === undefined || alert.state === state))
        .map((alert) => alertKey(alert.labels))
        .sort();
    const alertmanagerAlerts = async () =>
      ((await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as AlertmanagerAlert[]).filter((alert) =>
        scenario.owns(alert.labels),
      );
    const delivered = (status: string) =>
      webhook.requests
        .flatMap((request) => (JSON.parse(request.body) as { alerts: WebhookAlert[] }).alerts)
        .filter((alert) => scenario.owns(alert.labels) && alert.status === status);
    const deliveredKeys = (status: string) => _.uniq(delivered(status).map((alert) => alertKey(alert.labels))).sort();
    const inhibited = _.difference(scenario.firing, scenario.notified);

    await scenario.breakCluster(api);
    await eventually(
      async () => _.isEqual(await prometheusAlerts('firing'), scenario.firing),
      `${scenario.firing.join(', ')} firing`,
      DEADLINE_MS,
    ).catch(() => undefined);
    t.deepEqual(await prometheusAlerts('firing'), scenario.firing, 'exactly the expected alerts fire');

    await eventually(
      () => _.isEqual(deliveredKeys('firing'), scenario.notified),
      'the webhook notified',
      DEADLINE_MS,
    ).catch(() => undefined);
    t.deepEqual(deliveredKeys('firing'), scenario.notified, 'only the cause reaches the webhook');
    for (const [key, annotations] of Object.entries(scenario.annotations ?? {}))
      t.like(delivered('firing').find((alert) => alertKey(alert.labels) === key)?.annotations, annotations, key);
    await eventually(
      async () =>
        (await alertmanagerAlerts()).filter((alert) => alert.status.inhibitedBy.length > 0).length === inhibited.length,
      'symptoms in Alertmanager',
      DEADLINE_MS,
    ).catch(() => undefined);
    t.deepEqual(
      (await alertmanagerAlerts())
        .filter((alert) => alert.status.state === 'suppressed' && alert.status.inhibitedBy.length > 0)
        .map((alert) => alertKey(alert.labels))
        .sort(),
      inhibited,
      'the symptoms are inhibited in Alertmanager',
    );

    await scenario.fixCluster(api);
    await eventually(
      async () => (await prometheusAlerts()).length === 0,
      'alerts resolved in Prometheus',
      DEADLINE_MS,
    ).catch(() => undefined);
    t.deepEqual(await prometheusAlerts(), [], 'nothing fires or is pending once the cluster is fixed');
    await eventually(
      () => _.isEqual(deliveredKeys('resolved'), scenario.notified),
      'the webhook told of the resolution',
      DEADLINE_MS,
    ).catch(() => undefined);
    t.deepEqual(deliveredKeys('resolved'), scenario.notified, 'resolved notifications for what was notified');
    t.deepEqual(deliveredKeys('firing'), scenario.notified, 'the inhibited symptoms never reached the webhook');
  });
}
