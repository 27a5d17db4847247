/**
 * Text a container or a node writes never leaves the exporter: secrets planted in every string field they write
 * (container state messages, node machine IDs, status and condition messages) are looked for on every endpoint,
 * while the objects themselves are shown to be there.
 */
import test from 'ava';
import { KINDS } from '../../src/kinds/table.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';
import { openEventStream } from '../support/harness/sse.js';

const kind = (name: string) => KINDS.find((spec) => spec.metricName === name)!;

/** One planted secret per field, so that a leak names its field. */
const secret = (field: string) => `planted-secret-${field}`;

const terminated = (field: string) => ({
  terminated: { exitCode: 3, reason: 'Error', message: secret(field), startedAt: '2026-01-01T10:00:00Z' },
});

function leakyPod() {
  return {
    metadata: { name: 'leaky', namespace: 'default', uid: 'uid-leaky' },
    spec: {
      nodeName: 'node-1',
      terminationMessagePolicy: 'FallbackToLogsOnError',
      initContainers: [{ name: 'init', image: 'init:1' }],
      containers: [
        { name: 'app', image: 'app:1' },
        { name: 'waits', image: 'waits:1' },
      ],
    },
    status: {
      phase: 'Running',
      message: secret('pod-status-message'),
      reason: 'Evicted',
      podIP: '10.0.0.9',
      conditions: [{ type: 'Ready', status: 'False', message: secret('pod-condition-message') }],
      initContainerStatuses: [
        {
          name: 'init',
          state: terminated('init-state-terminated-message'),
          lastState: terminated('init-lastState-terminated-message'),
          restartCount: 0,
          image: 'init:1',
          imageID: '',
          containerID: 'containerd://init',
        },
      ],
      containerStatuses: [
        {
          name: 'app',
          state: terminated('app-state-terminated-message'),
          // A message that reads as a timestamp would even have been a series.
          lastState: {
            terminated: { exitCode: 1, message: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T10:00:00Z' },
          },
          restartCount: 5,
          image: 'app:1',
          imageID: '',
          containerID: 'containerd://app',
        },
        {
          name: 'waits',
          state: { waiting: { reason: 'CreateContainerError', message: secret('waits-state-waiting-message') } },
          lastState: terminated('waits-lastState-terminated-message'),
          restartCount: 1,
          image: 'waits:1',
          imageID: '',
          containerID: 'containerd://waits',
        },
      ],
      ephemeralContainerStatuses: [
        { name: 'debug', state: terminated('debug-state-terminated-message'), lastState: {}, restartCount: 0 },
      ],
    },
  };
}

function leakyNode() {
  return {
    metadata: { name: 'node-1', uid: 'uid-node-1' },
    status: {
      capacity: { cpu: '4', memory: '16Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: secret('node-condition-message') },
      ],
      config: { error: secret('node-config-error') },
      nodeInfo: {
        machineID: secret('machineID'),
        systemUUID: secret('systemUUID'),
        bootID: secret('bootID'),
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: 'v1.32.0',
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.1.0-28-amd64',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

test('no endpoint serves text that a container or a node wrote', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(kind('node'), leakyNode());
      api.create(kind('pod'), leakyPod());
    },
    excludeNamespaces: [],
    config: { report: { clusterId: 'leak-test' } },
  });
  const events = await openEventStream(t, `${cluster.exporter.url}/events?lastEventId=0`);
  await eventually(() => events.frames.length > 0, 'pod events replayed');
  events.close();
  const served = new Map<string, string>([['/events', events.frames.map((frame) => JSON.stringify(frame)).join('\n')]]);
  for (const path of [
    '/',
    '/metrics',
    '/metrics/self',
    '/leanix.json',
    '/leanix/v2.json',
    '/leanix/ldif.json',
    '/report.json',
    '/healthz',
    '/readyz',
  ]) {
    const response = await cluster.get(path);
    t.is(response.status, 200, path);
    served.set(path, await response.text());
  }
  // The objects are there, with the fields around the dropped ones.
  t.regex(
    served.get('/metrics')!,
    /k8s_pod_status_containerStatuses_restartCount\{name="leaky",namespace="default",container="app"\} 5/,
  );
  t.regex(served.get('/metrics')!, /k8s_pod_container_info\{[^}]*container_id="containerd:\/\/waits"/);
  t.regex(served.get('/leanix.json')!, /"reason":"CreateContainerError"/);
  t.regex(served.get('/leanix/v2.json')!, /"exitCode":3/);
  t.regex(served.get('/leanix/ldif.json')!, /"kubeletVersion":"v1.32.0"/);
  t.regex(served.get('/report.json')!, /"kubeletVersion":"v1.32.0"/);
  t.regex(served.get('/events')!, /"podName":"leaky"/);
  for (const [path, body] of served) {
    t.false(body.includes('planted-secret'), `${path} serves ${/planted-secret-[\w-]+/.exec(body)?.[0]}`);
    t.false(body.includes('_message'), `${path} has a message series`);
    t.false(/machineID|systemUUID|bootID/.test(body), `${path} names a machine ID field`);
  }
});
