/** Synthetic clusters at several scales, shaped like real API objects (several containers, init containers, conditions). */

import { kindByMetricName, type KindSpec } from '../src/kinds.js';

export interface Scale {
  readonly name: string;
  readonly pods: number;
  readonly deployments: number;
  readonly nodes: number;
  readonly services: number;
}

export const SCALES: readonly Scale[] = [
  { name: 'S', pods: 1_000, deployments: 100, nodes: 50, services: 200 },
  { name: 'M', pods: 10_000, deployments: 1_000, nodes: 500, services: 2_000 },
];

const TIME = '2024-05-01T10:00:00Z';
const condition = (type: string, status = 'True') => ({ type, status, lastProbeTime: null, lastTransitionTime: TIME });
const resources = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu: '1', memory: '512Mi' } });

function pod(index: number, scale: Scale) {
  const app = `app-${index % scale.deployments}`;
  const containers = ['main', 'sidecar', 'proxy'].map((name, c) => ({
    name,
    image: `registry.example/${app}/${name}:1.${c}`,
    ports: [{ name: `p${c}`, containerPort: 8080 + c, protocol: 'TCP' }],
    resources: resources(`${100 + c * 50}m`, `${64 * (c + 1)}Mi`),
  }));
  const status = (name: string, image: string) => ({
    name,
    state: { running: { startedAt: TIME } },
    lastState: {},
    ready: true,
    restartCount: index % 7,
    image,
    imageID: `${image}@sha256:${'0'.repeat(64)}`,
    containerID: `containerd://${index.toString(16).padStart(64, '0')}`,
    started: true,
  });
  return {
    metadata: { name: `${app}-pod-${index}`, namespace: `ns-${index % 50}`, labels: { app }, creationTimestamp: TIME, generation: 1 },
    spec: {
      nodeName: `node-${index % scale.nodes}`,
      initContainers: [{ name: 'init', image: 'busybox', resources: resources('10m', '16Mi') }],
      containers,
      priority: 0,
      terminationGracePeriodSeconds: 30,
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: '10.1.0.1',
      startTime: TIME,
      qosClass: 'Burstable',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => condition(type)),
      initContainerStatuses: [{ ...status('init', 'busybox'), state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: TIME, finishedAt: TIME } } }],
      containerStatuses: containers.map((container) => status(container.name, container.image)),
    },
  };
}

function deployment(index: number) {
  return {
    metadata: { name: `app-${index}`, namespace: `ns-${index % 50}`, generation: 3 },
    spec: {
      replicas: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { spec: { containers: [{ name: 'main', image: 'x', resources: resources('100m', '64Mi') }], terminationGracePeriodSeconds: 30 } },
      progressDeadlineSeconds: 600,
    },
    status: { observedGeneration: 3, replicas: 10, updatedReplicas: 10, readyReplicas: 10, availableReplicas: 10, conditions: [condition('Available'), condition('Progressing')] },
  };
}

function node(index: number) {
  return {
    metadata: { name: `node-${index}` },
    spec: { podCIDR: '10.244.0.0/24' },
    status: {
      capacity: { cpu: '16', memory: '65843092Ki', pods: '110', 'ephemeral-storage': '101445540Ki' },
      allocatable: { cpu: '15800m', memory: '64000000Ki', pods: '110', 'ephemeral-storage': '93492209510' },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => condition(type, 'False')).concat([condition('Ready')]),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      images: Array.from({ length: 10 }, (_, i) => ({ names: [`image-${i}`], sizeBytes: 1e8 + i })),
    },
  };
}

function service(index: number) {
  return {
    metadata: { name: `svc-${index}`, namespace: `ns-${index % 50}` },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'grpc', port: 9090, targetPort: 9090 }] },
  };
}

/** Every object of the scale, per kind. */
export function generateCluster(scale: Scale): Array<readonly [KindSpec, object[]]> {
  const range = (count: number) => Array.from({ length: count }, (_, index) => index);
  return [
    [kindByMetricName('pod')!, range(scale.pods).map((index) => pod(index, scale))],
    [kindByMetricName('deployment')!, range(scale.deployments).map(deployment)],
    [kindByMetricName('node')!, range(scale.nodes).map(node)],
    [kindByMetricName('service')!, range(scale.services).map(service)],
  ];
}
