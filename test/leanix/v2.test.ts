import test from 'ava';
import type { NamespaceFilter } from '../../src/leanix/namespace-filter.js';
import { deploymentView, nodeView, renderLeanixV2, serviceView } from '../../src/leanix/v2.js';
import { assertGolden } from '../support/assertions/golden.js';
import { DEMO_LAST_UPDATE, DEMO_NOW, demoInventory } from '../support/builders/demo-inventory.js';

const DEFAULT_FILTER: NamespaceFilter = { include: new Set(), exclude: new Set(['kube-system', 'kube-public']) };

function demoV2(filter = DEFAULT_FILTER) {
  const { history, objects } = demoInventory();
  return renderLeanixV2(objects, filter, DEMO_LAST_UPDATE, history.view(filter, DEMO_NOW));
}

test('v2 of the demo cluster matches its golden file', (t) => {
  assertGolden(t, 'leanix-v2-demo.json', demoV2());
});

test('v2 lists services, deployments and pods per visible namespace; totals count every pod', (t) => {
  const all = demoV2({ include: new Set(), exclude: new Set() });
  const filtered = demoV2();
  const names = (doc: typeof all) => doc.namespaces.map((namespace) => namespace.name);
  t.deepEqual(names(all), ['default', 'giantswarm', 'kube-system']);
  t.deepEqual(names(filtered), ['default', 'giantswarm']);
  t.deepEqual(names(demoV2({ include: new Set(['giantswarm', 'kube-system']), exclude: new Set(['kube-system']) })), [
    'giantswarm',
  ]);
  t.deepEqual(filtered.cluster, all.cluster);
  t.deepEqual(filtered.nodes, all.nodes);
  const rendered = JSON.stringify(all);
  for (const secret of [
    'demo-secret-value',
    'API_TOKEN',
    'deployment.kubernetes.io/revision',
    'demo termination message',
    'demo-machine-id',
    'demo-system-uuid',
    'demo-boot-id',
  ])
    t.false(rendered.includes(secret), secret);
});

test('service view: type defaults to ClusterIP, ports keep named target ports, selector sorted', (t) => {
  const view = serviceView({
    metadata: { name: 's', namespace: 'n', uid: 'u', annotations: { a: 'b' } } as any,
    spec: {
      selector: { z: '1', a: '2' },
      ports: [
        { port: 80, targetPort: 'http' },
        { name: 'np', port: 81, targetPort: 8081, nodePort: 30081, protocol: 'UDP' },
      ],
    },
  });
  t.deepEqual(JSON.parse(JSON.stringify(view)), {
    name: 's',
    uid: 'u',
    type: 'ClusterIP',
    clusterIP: '',
    selector: { a: '2', z: '1' },
    ports: [
      { protocol: 'TCP', port: 80, targetPort: 'http' },
      { name: 'np', protocol: 'UDP', port: 81, targetPort: 8081, nodePort: 30081 },
    ],
  });
  t.deepEqual(Object.keys(view.selector), ['a', 'z']);
});

const deploymentCases: ReadonlyArray<[string, object, object]> = [
  [
    'no spec or status: defaults',
    { metadata: { name: 'd' } },
    { replicas: { desired: 1, updated: 0, ready: 0, available: 0 }, images: [], containers: [], conditions: [] },
  ],
  [
    'resources in base units, images deduplicated',
    {
      metadata: { name: 'd', generation: 4 },
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [
              {
                name: 'a',
                image: 'x:1',
                resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1' } },
                env: [{ name: 'K', value: 'v' }],
              },
              { name: 'b', image: 'x:1', resources: { requests: { cpu: 'lots' } } },
            ],
          },
        },
      },
      status: {
        observedGeneration: 3,
        replicas: 3,
        updatedReplicas: 1,
        readyReplicas: 2,
        availableReplicas: 2,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'm' }],
      },
    },
    {
      generation: 4,
      observedGeneration: 3,
      replicas: { desired: 3, updated: 1, ready: 2, available: 2 },
      images: ['x:1'],
      containers: [
        { name: 'a', image: 'x:1', requests: { cpu: 0.25, memory: 1073741824 }, limits: { cpu: 1 } },
        { name: 'b', image: 'x:1', requests: {}, limits: {} },
      ],
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }],
    },
  ],
  [
    'mistyped fields read as absent',
    {
      metadata: { name: 'd', generation: '2' },
      spec: { replicas: 'two', template: { spec: { containers: 'none' } } },
      status: { conditions: {} },
    },
    { replicas: { desired: 1, updated: 0, ready: 0, available: 0 }, images: [], containers: [], conditions: [] },
  ],
];

for (const [title, object, expected] of deploymentCases) {
  test(`deployment view: ${title}`, (t) => {
    const { name, uid, ...rest } = JSON.parse(JSON.stringify(deploymentView(object as any)));
    t.is(name, 'd');
    t.is(uid, '');
    t.deepEqual(rest, expected);
  });
}

test('node view: quantities in base units, nodeInfo strings only', (t) => {
  const view = nodeView({
    metadata: { name: 'n', uid: 'u' } as object,
    spec: { unschedulable: true },
    status: {
      capacity: { cpu: '4', memory: '1Ki', 'hugepages-2Mi': '0' },
      nodeInfo: { kubeletVersion: 'v1', bogus: 3 },
    },
  });
  t.deepEqual(view, {
    name: 'n',
    uid: 'u',
    unschedulable: true,
    capacity: { cpu: 4, memory: 1024, 'hugepages-2Mi': 0 },
    allocatable: {},
    nodeInfo: { kubeletVersion: 'v1' },
  });
});

test('statefulsets and daemonsets, when watched, are listed per namespace with their replica counts', (t) => {
  const template = { spec: { containers: [{ name: 'c', image: 'db:1', resources: { requests: { cpu: '100m' } } }] } };
  const statefulSet = {
    metadata: { name: 'db', namespace: 'data', uid: 'u-db', generation: 2 },
    spec: { replicas: 3, template },
    status: { observedGeneration: 2, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  const daemonSet = {
    metadata: { name: 'agent', namespace: 'ops', uid: 'u-agent' },
    spec: { template },
    status: { desiredNumberScheduled: 5, numberReady: 4, updatedNumberScheduled: 5, numberAvailable: 4 },
  };
  const empty = { services: [], deployments: [], pods: [], nodes: [] };
  const history = {
    since: '',
    countsCompleteSince: '',
    limits: { perDeployment: 1, total: 1 },
    counts: {},
    rollouts: [],
  };
  const inventory = renderLeanixV2(
    { ...empty, statefulSets: [statefulSet], daemonSets: [daemonSet] },
    { include: new Set(), exclude: new Set() },
    undefined,
    history,
  );
  t.deepEqual(
    inventory.namespaces.map(({ name, statefulSets, daemonSets }) => [
      name,
      statefulSets.map((view) => view.name),
      daemonSets.map((view) => view.name),
    ]),
    [
      ['data', ['db'], []],
      ['ops', [], ['agent']],
    ],
  );
  const [db] = inventory.namespaces[0].statefulSets;
  t.deepEqual(db.replicas, { desired: 3, updated: 3, ready: 2, available: 2 });
  t.deepEqual(db.images, ['db:1']);
  t.deepEqual(inventory.namespaces[1].daemonSets[0].replicas, { desired: 5, updated: 5, ready: 4, available: 4 });
  const unwatched = renderLeanixV2(
    { ...empty, statefulSets: [], daemonSets: [] },
    { include: new Set(), exclude: new Set() },
    undefined,
    history,
  );
  t.deepEqual(unwatched.namespaces, []);
});
