/**
 * Kubernetes objects for tests, shaped as a client creates them and the API serves them (apiVersion, kind,
 * metadata), each from a few defaults plus what the test relies on. `overrides` are deep-merged: objects key by key,
 * while lists, strings and numbers replace what was there, so a test states only what it reads.
 */

export interface TestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [field: string]: any };
  readonly [field: string]: any;
}

export type Overrides = { readonly [field: string]: unknown };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `base` with `overrides` deep-merged over it (objects merge, everything else replaces); neither is changed. */
export function merged<T extends object>(base: T, overrides: Overrides): T {
  const result = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? merged(current, value) : value;
  }
  return result as T;
}

function apiObject(apiVersion: string, kind: string, metadata: object, overrides: Overrides): TestObject {
  return merged({ apiVersion, kind, metadata }, overrides) as TestObject;
}

/** A pod in `default`; no spec or status unless given. */
export function pod(name: string, overrides: Overrides = {}): TestObject {
  return apiObject('v1', 'Pod', { name, namespace: 'default' }, overrides);
}

/** A Deployment in `default`; no spec or status unless given. */
export function deployment(name: string, overrides: Overrides = {}): TestObject {
  return apiObject('apps/v1', 'Deployment', { name, namespace: 'default' }, overrides);
}

/** A node (cluster-scoped); no spec or status unless given. */
export function node(name: string, overrides: Overrides = {}): TestObject {
  return apiObject('v1', 'Node', { name }, overrides);
}

/** A Service in `default`; no spec or status unless given. */
export function service(name: string, overrides: Overrides = {}): TestObject {
  return apiObject('v1', 'Service', { name, namespace: 'default' }, overrides);
}

/** A pod with one container status, `app`'s restart count: the smallest pod with a series to watch. */
export function restartingPod(name: string, restartCount: number, overrides: Overrides = {}): TestObject {
  return pod(name, merged({ status: { containerStatuses: [{ name: 'app', restartCount }] } }, overrides));
}

/**
 * A pod of the pod event tests: in `shop`, scheduled to `node-1`, one container `app` of image `web:1`; its status
 * (phase, container statuses) as given.
 */
export function scheduledPod(name: string, overrides: Overrides = {}): TestObject {
  return pod(
    name,
    merged(
      { metadata: { namespace: 'shop' }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'web:1' }] } },
      overrides,
    ),
  );
}

/** A pod of two containers (one with a port, env and limits), as a client would create it. */
export function webPod(name: string, namespace: string): TestObject {
  return pod(name, {
    metadata: { namespace, labels: { app: 'web' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'shop/app:1.0',
          env: [{ name: 'PASSWORD', value: 'hunter2' }],
          ports: [{ name: 'http', containerPort: 8080 }],
          resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
        },
        { name: 'sidecar', image: 'shop/sidecar:1.0', resources: { requests: { cpu: '10m', memory: '16Mi' } } },
      ],
    },
  });
}

/** The status a kubelet would report for webPod once its containers run. */
export function runningStatus(startedAt: string, restartCount: number) {
  return {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: startedAt },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: startedAt },
    ],
    containerStatuses: ['app', 'sidecar'].map((name) => ({
      name,
      ready: true,
      started: true,
      restartCount,
      image: `shop/${name}:1.0`,
      imageID: `docker-pullable://shop/${name}@sha256:${'ef'.repeat(32)}`,
      containerID: `containerd://${name}${'01'.repeat(28)}`,
      state: { running: { startedAt } },
      lastState:
        restartCount > 0
          ? {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                startedAt: '2026-11-26T06:59:00Z',
                finishedAt: '2026-11-26T07:00:59Z',
              },
            }
          : {},
    })),
  };
}

/** A pod with this many containers, each a port and resources: about 1 KB of /metrics text per container. */
export function manyContainerPod(index: number, containerCount: number) {
  const containers = Array.from({ length: containerCount }, (_, c) => ({
    name: `container-${c}`,
    image: `registry.example/team/image-${c}:1.0`,
    ports: [{ name: `p${c}`, containerPort: 8000 + c }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  }));
  return {
    metadata: { name: `big-${index}`, namespace: 'shop', uid: `uid-${index}` },
    spec: { nodeName: 'node-1', containers },
    status: {
      phase: 'Running',
      containerStatuses: containers.map((container) => ({ name: container.name, restartCount: 0, ready: true })),
    },
  };
}
