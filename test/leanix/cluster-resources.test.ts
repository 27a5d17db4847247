import test from 'ava';
import { clusterResources, podRequests } from '../../src/leanix/cluster-resources.js';

const container = (cpu?: string, memory?: string) => ({
  name: 'c',
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
});

const podCases: ReadonlyArray<[string, object, { cpu: number; memory: number }]> = [
  ['no spec', {}, { cpu: 0, memory: 0 }],
  [
    'containers add up',
    { containers: [container('100m', '64Mi'), container('250m', '1Gi')] },
    { cpu: 0.35, memory: 67108864 + 1073741824 },
  ],
  [
    'a larger init container wins per resource',
    { initContainers: [container('1', '1Mi')], containers: [container('100m', '64Mi')] },
    { cpu: 1, memory: 67108864 },
  ],
  [
    'overhead is added',
    { containers: [container('100m')], overhead: { cpu: '50m', memory: '10Mi' } },
    { cpu: 0.15, memory: 10485760 },
  ],
  [
    'containers without requests and bad quantities count 0',
    { containers: [{ name: 'a' }, container('lots', '1x')] },
    { cpu: 0, memory: 0 },
  ],
];

for (const [title, spec, expected] of podCases) {
  test(`pod requests: ${title}`, (t) => {
    t.deepEqual(podRequests({ spec }), expected);
  });
}

test('cluster totals: nodes summed; only bound, unfinished pods request; availability is the difference', (t) => {
  const node = (cpu: string, memory: string) => ({
    metadata: { name: 'n' },
    status: { capacity: { cpu, memory }, allocatable: { cpu, memory: '1Gi' } },
  });
  const pod = (nodeName: string | undefined, phase: string) => ({
    spec: { nodeName, containers: [container('500m', '256Mi')] },
    status: { phase },
  });
  const totals = clusterResources(
    [node('4', '2Gi'), node('2', '2Gi'), { metadata: { name: 'no-status' } }],
    [pod('n', 'Running'), pod('n', 'Pending'), pod(undefined, 'Pending'), pod('n', 'Succeeded'), pod('n', 'Failed')],
  );
  t.deepEqual(totals, {
    nodes: 3,
    capacity: { cpu: 6, memory: 4 * 2 ** 30 },
    allocatable: { cpu: 6, memory: 2 * 2 ** 30 },
    requested: { cpu: 1, memory: 2 ** 29 },
    available: { cpu: 5, memory: 1.5 * 2 ** 30 },
    requestingPods: 2,
  });
});
