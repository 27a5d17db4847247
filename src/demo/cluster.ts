/**
 * A small, realistic cluster for the demo: the seed documents' helloworld deployment and LeanIX pods, nodes,
 * services, and some life (a rollout, a container restart with a new container ID, a pod replaced).
 */

import { randomBytes } from 'node:crypto';
import { DEPLOYMENT, NODE, POD, SERVICE } from '../kinds/table.js';
import type { SimulatedApiServer } from './simulated-apiserver.js';

const deployment = DEPLOYMENT;
const pod = POD;
const node = NODE;
const service = SERVICE;

const STARTED = '2017-07-18T12:32:01Z';

function condition(type: string, status: string, reason?: string) {
  return { type, status, lastTransitionTime: STARTED, ...(reason ? { reason } : {}) };
}

function runningStatus(name: string, image: string, restartCount = 0) {
  return {
    name,
    state: { running: { startedAt: STARTED } },
    lastState: {},
    ready: true,
    restartCount,
    image,
    imageID: `docker-pullable://${image.split(':')[0]}@sha256:${'ab'.repeat(32)}`,
    containerID: newContainerID(),
  };
}

function newContainerID(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

export function helloworldDeployment(image = 'giantswarm/helloworld:1.0') {
  return {
    metadata: {
      name: 'helloworld',
      namespace: 'default',
      generation: 2,
      labels: { app: 'helloworld' },
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'helloworld' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'helloworld' } },
        spec: {
          containers: [
            {
              name: 'helloworld',
              image,
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
              env: [{ name: 'API_TOKEN', value: 'demo-secret-value' }],
            },
          ],
          terminationGracePeriodSeconds: 30,
        },
      },
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
    },
    status: {
      observedGeneration: 2,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      conditions: [
        condition('Available', 'True', 'MinimumReplicasAvailable'),
        condition('Progressing', 'True', 'NewReplicaSetAvailable'),
      ],
    },
  };
}

function helloworldPod(suffix: string) {
  return {
    metadata: { name: `helloworld-5d8f7c9b6-${suffix}`, namespace: 'default', labels: { app: 'helloworld' } },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'helloworld',
          image: 'giantswarm/helloworld:1.0',
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.11',
      podIP: '10.244.1.7',
      startTime: STARTED,
      qosClass: 'Burstable',
      conditions: [condition('Ready', 'True'), condition('ContainersReady', 'True'), condition('PodScheduled', 'True')],
      containerStatuses: [runningStatus('helloworld', 'giantswarm/helloworld:1.0')],
    },
  };
}

/** The two pods of the LeanIX seed document's example, as the API serves them. */
export const LEANIX_SEED_PODS = [
  {
    metadata: { name: 'demo-2476732077-wr8nb', namespace: 'default' },
    spec: { containers: [{ name: 'demo', image: 'giantswarm/leanix-sexporter', imagePullPolicy: 'Never' }] },
    status: {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'demo',
          state: {
            waiting: {
              reason: 'ErrImageNeverPull',
              message: 'Container image "giantswarm/leanix-sexporter" is not present with pull policy of Never',
            },
          },
          lastState: {},
          ready: false,
          restartCount: 0,
          image: 'giantswarm/leanix-sexporter',
          imageID: '',
        },
      ],
    },
  },
  {
    metadata: { name: 'leanix-exporter-4242224814-6lzll', namespace: 'giantswarm' },
    spec: { containers: [{ name: 'leanix-exporter', image: 'giantswarm/leanix-exporter:latest' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'leanix-exporter',
          state: { running: { startedAt: '2017-07-18T12:32:01Z' } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'giantswarm/leanix-exporter:latest',
          imageID: 'docker://sha256:012b66025e29c5f50abdfa08004d124dbffe90cfc6c216753980ff148781ae3d',
          containerID: 'docker://ca516a6ee65e870883b80e0fa57318600d3ed177ee88e56e9633f4d8e1a92754',
        },
      ],
    },
  },
];

/** A pod whose init container and app container share the name `app`: their series must stay apart. */
const initAndAppPod = {
  metadata: { name: 'worker-7c9d8-x2k4p', namespace: 'default', labels: { app: 'worker' } },
  spec: {
    nodeName: 'node-2',
    initContainers: [{ name: 'app', image: 'worker:migrate', resources: { requests: { cpu: '50m', memory: '32Mi' } } }],
    containers: [
      {
        name: 'app',
        image: 'worker:2.1',
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      },
    ],
  },
  status: {
    phase: 'Running',
    qosClass: 'Burstable',
    startTime: STARTED,
    conditions: [condition('Initialized', 'True'), condition('Ready', 'True')],
    initContainerStatuses: [
      {
        name: 'app',
        state: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            // Written by the container (its termination message file): never served by the exporter.
            message: 'demo termination message: 12 tables migrated',
            startedAt: STARTED,
            finishedAt: STARTED,
          },
        },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: 'worker:migrate',
        imageID: '',
      },
    ],
    containerStatuses: [runningStatus('app', 'worker:2.1')],
  },
};

function demoNode(name: string, unschedulable = false) {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { podCIDR: '10.244.0.0/24', ...(unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: {
        cpu: '4',
        memory: '16393244Ki',
        pods: '110',
        'ephemeral-storage': '101445540Ki',
        'hugepages-2Mi': '0',
      },
      allocatable: {
        cpu: '3800m',
        memory: '15742044Ki',
        pods: '110',
        'ephemeral-storage': '93492209510',
        'hugepages-2Mi': '0',
      },
      conditions: [
        condition('MemoryPressure', 'False'),
        condition('DiskPressure', 'False'),
        condition('PIDPressure', 'False'),
        condition('Ready', 'True', 'KubeletReady'),
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-28-amd64',
        containerRuntimeVersion: 'containerd://1.7.24',
        architecture: 'amd64',
        operatingSystem: 'linux',
        // Identify the machine: never served by the exporter.
        machineID: `demo-machine-id-${name}`,
        systemUUID: `demo-system-uuid-${name}`,
        bootID: `demo-boot-id-${name}`,
      },
    },
  };
}

export function seedDemoCluster(api: SimulatedApiServer): void {
  api.create(deployment, helloworldDeployment());
  api.create(deployment, {
    metadata: { name: 'coredns', namespace: 'kube-system' },
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'coredns', image: 'coredns/coredns:1.11.3' }] } } },
    status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
  });
  api.create(pod, helloworldPod('k7x2q'));
  for (const seedPod of LEANIX_SEED_PODS) api.create(pod, seedPod);
  api.create(pod, initAndAppPod);
  api.create(pod, {
    metadata: { name: 'coredns-6f6b679f8f-abcde', namespace: 'kube-system' },
    spec: {
      containers: [
        { name: 'coredns', image: 'coredns/coredns:1.11.3', resources: { requests: { cpu: '100m', memory: '70Mi' } } },
      ],
    },
    status: { phase: 'Running', containerStatuses: [runningStatus('coredns', 'coredns/coredns:1.11.3')] },
  });
  api.create(node, demoNode('node-1'));
  api.create(node, demoNode('node-2'));
  api.create(node, demoNode('node-3', true));
  api.create(service, {
    metadata: { name: 'helloworld', namespace: 'default' },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.20',
      selector: { app: 'helloworld' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    },
  });
  api.create(service, {
    metadata: { name: 'leanix-exporter', namespace: 'giantswarm' },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.0.30',
      ports: [{ port: 8000, targetPort: 8000, nodePort: 30080, protocol: 'TCP' }],
    },
  });
  api.create(service, {
    metadata: { name: 'kube-dns', namespace: 'kube-system' },
    spec: { type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
  });
}

/** Every tick one change, in turn: a helloworld rollout (two ticks), a container restart, a pod shut down and replaced. */
export function startDemoLife(api: SimulatedApiServer, { intervalMs }: { intervalMs: number }): () => void {
  let tick = 0;
  let release = 1;
  let helloworldPodName = helloworldPod('k7x2q').metadata.name;
  const steps = [
    () => {
      release += 1;
      api.update(deployment, 'default', 'helloworld', (object) => {
        object.spec.template.spec.containers[0].image = `giantswarm/helloworld:1.${release}`;
        object.status.updatedReplicas = 0;
      });
    },
    () =>
      api.update(deployment, 'default', 'helloworld', (object) => {
        object.status.observedGeneration = object.metadata.generation;
        object.status.updatedReplicas = object.spec.replicas;
      }),
    () =>
      api.update(pod, 'default', initAndAppPod.metadata.name, (object) => {
        const status = object.status.containerStatuses[0];
        const finishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        status.lastState = {
          terminated: {
            exitCode: 137,
            reason: 'OOMKilled',
            startedAt: STARTED,
            finishedAt,
            containerID: status.containerID,
          },
        };
        status.containerID = newContainerID();
        status.restartCount += 1;
      }),
    () => {
      api.update(pod, 'default', helloworldPodName, (object) => {
        object.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      });
      api.delete(pod, 'default', helloworldPodName);
      const replacement = helloworldPod(randomBytes(3).toString('hex').slice(0, 5));
      helloworldPodName = replacement.metadata.name;
      api.create(pod, replacement);
    },
  ];
  const timer = setInterval(() => steps[tick++ % steps.length](), intervalMs);
  return () => clearInterval(timer);
}
