import test from 'ava';
import { ClusterCache } from '../../src/cache.js';
import { DEPLOYMENT, POD } from '../../src/kinds/table.js';
import { DeploymentHistory, rolloutOutcome } from '../../src/leanix/deployment-history.js';
import { deployment as deploymentObject } from '../support/builders/objects.js';

const deploymentKind = DEPLOYMENT;
const podKind = POD;
const ALL = { include: new Set<string>(), exclude: new Set<string>() };

function deployment(
  generation: number,
  status: object,
  { name = 'web', namespace = 'shop', image = `web:${generation}`, created = '2026-01-01T00:00:00Z' } = {},
) {
  return deploymentObject(name, {
    metadata: { namespace, uid: `uid-${namespace}-${name}`, generation, creationTimestamp: created },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            {
              name: 'web',
              image,
              resources: { requests: { cpu: '200m' } },
              env: [{ name: 'SECRET', value: 'hidden' }],
            },
          ],
        },
      },
    },
    status,
  });
}
const done = (generation: number) => ({
  observedGeneration: generation,
  replicas: 2,
  updatedReplicas: 2,
  availableReplicas: 2,
});
const deadline = (generation: number) => ({
  observedGeneration: generation,
  replicas: 3,
  updatedReplicas: 1,
  availableReplicas: 2,
  conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
});

const outcomeCases: ReadonlyArray<[string, object, 'completed' | 'failed' | undefined]> = [
  ['all replicas updated and available', done(3), 'completed'],
  ['controller has not seen the generation', { ...done(2) }, undefined],
  ['old replicas still running', { ...done(3), replicas: 3 }, undefined],
  ['not all available', { ...done(3), availableReplicas: 1 }, undefined],
  ['progress deadline exceeded', deadline(3), 'failed'],
  ['deadline condition of an older generation', deadline(2), undefined],
  [
    'Progressing=False for another reason',
    { ...deadline(3), conditions: [{ type: 'Progressing', status: 'False', reason: 'Other' }] },
    undefined,
  ],
  ['no status', {}, undefined],
];

for (const [title, status, expected] of outcomeCases) {
  test(`rollout outcome: ${title}`, (t) => {
    t.is(rolloutOutcome(deployment(3, status)), expected);
  });
}

function setup(options: { perDeployment?: number; total?: number } = {}) {
  let now = new Date('2026-01-01T10:00:00.000Z');
  const history = new DeploymentHistory({
    perDeployment: options.perDeployment ?? 10,
    total: options.total ?? 100,
    startedAt: new Date('2026-01-01T09:00:00.000Z'),
    now: () => now,
  });
  const cache = new ClusterCache();
  cache.onChange((change) => history.observe(change));
  const at = (time: string) => {
    now = new Date(time);
  };
  return { history, cache, at };
}

test("a generation change starts a rollout with that generation's images and requests; completion ends it", (t) => {
  const { history, cache, at } = setup();
  cache.upsert(deploymentKind, deployment(1, done(1)));
  t.deepEqual(history.view(ALL).rollouts, [], 'a deployment that existed before the exporter started is no rollout');
  at('2026-01-01T10:05:00.000Z');
  cache.upsert(deploymentKind, deployment(2, done(1)));
  cache.upsert(deploymentKind, deployment(2, { ...done(2), replicas: 3 }));
  at('2026-01-01T10:06:00.000Z');
  cache.upsert(deploymentKind, deployment(2, done(2)));
  cache.upsert(deploymentKind, deployment(2, { ...done(2), availableReplicas: 1 }));
  t.deepEqual(history.view(ALL).rollouts, [
    {
      namespace: 'shop',
      name: 'web',
      uid: 'uid-shop-web',
      generation: 2,
      observedAt: '2026-01-01T10:05:00.000Z',
      replicas: 2,
      images: ['web:2'],
      containers: [{ name: 'web', image: 'web:2', requests: { cpu: 0.2 }, limits: {} }],
      outcome: 'completed',
      finishedAt: '2026-01-01T10:06:00.000Z',
    },
  ]);
  t.false(JSON.stringify(history.view(ALL)).includes('hidden'));
});

test('failed and superseded rollouts; a deployment created after the start is a rollout; other kinds ignored', (t) => {
  const { history, cache, at } = setup();
  at('2026-01-01T10:00:00.000Z');
  cache.upsert(deploymentKind, deployment(1, {}, { created: '2026-01-01T09:59:59Z' }));
  cache.upsert(deploymentKind, deployment(2, done(1), { created: '2026-01-01T09:59:59Z' }));
  at('2026-01-01T10:10:00.000Z');
  cache.upsert(deploymentKind, deployment(2, deadline(2), { created: '2026-01-01T09:59:59Z' }));
  cache.upsert(deploymentKind, deployment(2, done(2), { created: '2026-01-01T09:59:59Z' }));
  cache.upsert(podKind, { metadata: { name: 'p', namespace: 'shop', generation: 9 } as object });
  t.deepEqual(
    history.view(ALL).rollouts.map((rollout) => [rollout.generation, rollout.outcome, rollout.finishedAt]),
    [
      [1, 'superseded', '2026-01-01T10:00:00.000Z'],
      [2, 'failed', '2026-01-01T10:10:00.000Z'],
    ],
  );
});

test('bounded per deployment and in all; counts per namespace by window say from when they are complete', (t) => {
  const { history, cache, at } = setup({ perDeployment: 2, total: 3 });
  const roll = (name: string, namespace: string, generations: number, time: string, created?: string) => {
    at(time);
    for (let generation = 1; generation <= generations; generation += 1)
      cache.upsert(deploymentKind, deployment(generation, done(generation), { name, namespace, created }));
  };
  roll('a', 'one', 4, '2026-01-01T10:00:00.000Z');
  t.deepEqual(
    history.view(ALL).rollouts.map((rollout) => `${rollout.name}@${rollout.generation}`),
    ['a@3', 'a@4'],
  );
  roll('b', 'two', 2, '2026-01-05T10:00:00.000Z');
  roll('c', 'two', 2, '2026-01-08T09:30:00.000Z', '2026-01-08T09:29:00Z');
  const view = history.view(ALL, new Date('2026-01-08T10:00:00.000Z'));
  t.deepEqual(
    view.rollouts.map((rollout) => `${rollout.name}@${rollout.generation}`),
    ['b@2', 'c@1', 'c@2'],
  );
  t.is(view.countsCompleteSince, '2026-01-01T10:00:00.000Z', 'a@4 was dropped');
  t.deepEqual(view.counts, { two: { '1h': 2, '24h': 2, '7d': 3 } });
  t.deepEqual(view.limits, { perDeployment: 2, total: 3 });
  t.deepEqual(history.view({ include: new Set(['one']), exclude: new Set() }).rollouts, []);
});
