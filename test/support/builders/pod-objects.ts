/** Pods and their status for the real API server tests: created with kubectl or the API, status set through the status subresource. */

/** A pod of two containers (one with a port, env and limits), as a client would create it. */
export function webPod(name: string, namespace: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'web' } },
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
  };
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
