import test from 'ava';
import { buildReport } from '../../src/report/report.js';
import { apiNode, NODE_SECRETS_RE } from '../support/builders/nodes.js';

const NOW = new Date('2015-07-17T23:11:55.123Z');
const CLUSTER = '612e0f99-1912-4647-831d-ba4c3d918b66';

const reportedNode = (kubeletVersion: string, osImage: string) => ({
  status: {
    capacity: { cpu: '4', memory: '16318684Ki', pods: '110', 'ephemeral-storage': '101430960Ki' },
    nodeInfo: {
      osImage,
      kernelVersion: '6.1.0-28-amd64',
      kubeletVersion,
      containerRuntimeVersion: 'containerd://1.7.24',
      kubeProxyVersion: kubeletVersion,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  },
});

test('spartakus shape: metadata.timestamp in unix seconds, payload.clusterID and nodes', (t) => {
  const report = buildReport(
    [apiNode(1, 'v1.32.0', 'Debian 12'), apiNode(2, 'v1.31.4', 'Flatcar')],
    { clusterID: CLUSTER, format: 'spartakus' },
    NOW,
  );
  t.deepEqual(report, {
    metadata: { timestamp: '1437174715' },
    payload: { clusterID: CLUSTER, nodes: [reportedNode('v1.32.0', 'Debian 12'), reportedNode('v1.31.4', 'Flatcar')] },
  });
});

test('tectonic shape: accountID, accountSecret, metadata.generated_at, payload.kubernetesNodes', (t) => {
  const identity = { clusterID: CLUSTER, format: 'tectonic' as const, accountID: 'acct-1', accountSecret: 's3cret' };
  t.deepEqual(buildReport([apiNode(1, 'v1.32.0', 'Debian 12')], identity, NOW), {
    accountID: 'acct-1',
    accountSecret: 's3cret',
    metadata: { generated_at: '1437174715' },
    payload: { clusterID: CLUSTER, kubernetesNodes: [reportedNode('v1.32.0', 'Debian 12')] },
  });
});

test('nothing identifies a node: no names, addresses, labels, annotations, machine, system or boot IDs', (t) => {
  const nodes = [1, 2, 3].map((index) => apiNode(index, 'v1.32.0', 'Debian 12'));
  for (const format of ['spartakus', 'tectonic'] as const) {
    const text = JSON.stringify(
      buildReport(nodes, { clusterID: CLUSTER, format, accountID: 'a', accountSecret: 'b' }, NOW),
    );
    t.notRegex(text, NODE_SECRETS_RE, format);
    t.notRegex(text, /"(name|labels|annotations|addresses|spec|allocatable)"/, format);
  }
});

const partialNodes: ReadonlyArray<readonly [string, unknown, unknown]> = [
  ['no status', { metadata: { name: 'n' } }, { status: { capacity: {}, nodeInfo: {} } }],
  ['null', null, { status: { capacity: {}, nodeInfo: {} } }],
  [
    'non-string values are dropped',
    { status: { capacity: { cpu: 4, pods: '110' }, nodeInfo: { kubeletVersion: ['v1'], osImage: 'x' } } },
    { status: { capacity: { pods: '110' }, nodeInfo: { osImage: 'x' } } },
  ],
];

for (const [name, node, expected] of partialNodes) {
  test(`partial node: ${name}`, (t) => {
    const report = buildReport([node], { clusterID: CLUSTER, format: 'spartakus' }, NOW);
    t.deepEqual(report.payload, { clusterID: CLUSTER, nodes: [expected] });
  });
}

test('an empty cluster reports no nodes', (t) => {
  t.deepEqual(buildReport([], { clusterID: CLUSTER, format: 'spartakus' }, NOW).payload, {
    clusterID: CLUSTER,
    nodes: [],
  });
});
