/** Synthetic clusters at several scales, shaped like real API objects (several containers, init containers, conditions). */

import { DEPLOYMENT, type KindSpec, NODE, POD, SERVICE } from '../src/kinds/table.js';

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
  { name: 'L', pods: 100_000, deployments: 10_000, nodes: 5_000, services: 20_000 },
];

const TIME = '2024-05-01T10:00:00Z';
const condition = (type: string, status = 'True') => ({ type, status, lastProbeTime: null, lastTransitionTime: TIME });
/**
 * What the API server's server-side apply bookkeeping looks like: every field of spec and status named once, as
 * `managedFields[].fieldsV1` does (about as large as the object's skeleton). The exporter must never keep it.
 */
function fieldsV1(value: unknown): unknown {
  if (Array.isArray(value)) {
    return Object.fromEntries(value.map((item, index) => [`k:{"name":"${item?.name ?? index}"}`, fieldsV1(item)]));
  }
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [`f:${key}`, fieldsV1(child)]));
}

function withApiBookkeeping<T extends { metadata: object; spec: object; status?: object }>(object: T): T {
  const entry = (manager: string, operation: string, fields: object, subresource?: string) => ({
    manager,
    operation,
    apiVersion: 'v1',
    time: TIME,
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsV1(fields),
    ...(subresource ? { subresource } : {}),
  });
  const managedFields = [
    entry('kube-controller-manager', 'Update', { spec: object.spec }),
    entry('kubelet', 'Update', { status: object.status ?? {} }, 'status'),
  ];
  return { ...object, metadata: { ...object.metadata, managedFields } };
}

const lastApplied = (object: object) => ({
  'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(object),
});

const resources = (cpu: string, memory: string) => ({
  requests: { cpu, memory },
  limits: { cpu: '1', memory: '512Mi' },
});

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
  return withApiBookkeeping({
    metadata: {
      name: `${app}-pod-${index}`,
      namespace: `ns-${index % 50}`,
      labels: { app },
      creationTimestamp: TIME,
      generation: 1,
    },
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
      initContainerStatuses: [
        {
          ...status('init', 'busybox'),
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: TIME, finishedAt: TIME } },
        },
      ],
      containerStatuses: containers.map((container) => status(container.name, container.image)),
    },
  });
}

function deployment(index: number) {
  const spec = {
    replicas: 10,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      spec: {
        containers: [{ name: 'main', image: 'x', resources: resources('100m', '64Mi') }],
        terminationGracePeriodSeconds: 30,
      },
    },
    progressDeadlineSeconds: 600,
  };
  return withApiBookkeeping({
    metadata: {
      name: `app-${index}`,
      namespace: `ns-${index % 50}`,
      generation: 3,
      annotations: { 'deployment.kubernetes.io/revision': '3', ...lastApplied({ spec }) },
    },
    spec,
    status: {
      observedGeneration: 3,
      replicas: 10,
      updatedReplicas: 10,
      readyReplicas: 10,
      availableReplicas: 10,
      conditions: [condition('Available'), condition('Progressing')],
    },
  });
}

function node(index: number) {
  return withApiBookkeeping({
    metadata: { name: `node-${index}` },
    spec: { podCIDR: '10.244.0.0/24' },
    status: {
      capacity: { cpu: '16', memory: '65843092Ki', pods: '110', 'ephemeral-storage': '101445540Ki' },
      allocatable: { cpu: '15800m', memory: '64000000Ki', pods: '110', 'ephemeral-storage': '93492209510' },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure']
        .map((type) => condition(type, 'False'))
        .concat([condition('Ready')]),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      images: Array.from({ length: 10 }, (_, i) => ({ names: [`image-${i}`], sizeBytes: 1e8 + i })),
    },
  });
}

function service(index: number) {
  const spec = {
    type: 'ClusterIP',
    clusterIP: '10.96.0.1',
    ports: [
      { name: 'http', port: 80, targetPort: 8080 },
      { name: 'grpc', port: 9090, targetPort: 9090 },
    ],
  };
  return withApiBookkeeping({
    metadata: { name: `svc-${index}`, namespace: `ns-${index % 50}`, annotations: lastApplied({ spec }) },
    spec,
  });
}

/** Every object of the scale, per kind. */
export function generateCluster(scale: Scale): Array<readonly [KindSpec, object[]]> {
  const range = (count: number) => Array.from({ length: count }, (_, index) => index);
  return [
    [POD, range(scale.pods).map((index) => pod(index, scale))],
    [DEPLOYMENT, range(scale.deployments).map(deployment)],
    [NODE, range(scale.nodes).map(node)],
    [SERVICE, range(scale.services).map(service)],
  ];
}
