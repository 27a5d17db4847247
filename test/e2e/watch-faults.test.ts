/** Each API server fault on its own, through the real informers: the exporter notices, recovers and loses nothing. */
import test, { type ExecutionContext } from 'ava';
import type { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { DEFAULT_KINDS, KINDS } from '../../src/kinds/table.js';
import { restartingPod } from '../support/builders/objects.js';
import { eventually, startTestCluster, type TestCluster } from '../support/harness/cluster.js';

const pod = KINDS.find((kind) => kind.metricName === 'pod')!;
const aPod = (name: string, restartCount = 0) => restartingPod(name, restartCount, { status: { phase: 'Running' } });
const restarts = (name: string) =>
  `k8s_pod_status_containerStatuses_restartCount{name="${name}",namespace="default",container="app"}`;
/** Stalls are noticed after 2 s of silence; bookmarks every 200 ms keep healthy watches from looking stalled. */
const FAST_WATCH = { config: { watch: { timeoutSeconds: 60, idleTimeoutMs: 2000 } }, api: { bookmarkIntervalMs: 200 } };

/** Starts a cluster and waits until the pod watch is open, so that a fault hits it rather than a list. */
async function watching(t: ExecutionContext, seed: (api: SimulatedApiServer) => void): Promise<TestCluster> {
  const cluster = await startTestCluster(t, { seed, excludeNamespaces: [], ...FAST_WATCH });
  await eventually(() => cluster.api.openWatches(pod) === 1, 'pod watch open');
  return cluster;
}

async function shows(
  cluster: TestCluster,
  series: string,
  value: number,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  await eventually(async () => (await cluster.text('/metrics')).includes(`${series} ${value}\n`), what, timeoutMs);
}

test('a stalled watch is detected by its silence and resumed', async (t) => {
  const cluster = await watching(t, (api) => api.create(pod, aPod('a')));
  cluster.api.stallWatches();
  cluster.api.create(pod, aPod('b', 3));
  await shows(cluster, restarts('b'), 3, 'event sent after the stall');
  t.true(cluster.api.injected.stalledWatch >= 1);
});

test('a watch that stalls from its first byte is detected too', async (t) => {
  const cluster = await watching(t, (api) => api.create(pod, aPod('a')));
  cluster.api.faults.stallNewWatches = true;
  cluster.api.dropWatches();
  cluster.api.create(pod, aPod('b', 1));
  // Every kind's next watch stalls; one more stall means a stall was detected and the watch opened again.
  await eventually(() => cluster.api.injected.stalledWatch > DEFAULT_KINDS.length, 'a stall detected', 20_000);
  cluster.api.faults.stallNewWatches = false;
  await shows(cluster, restarts('b'), 1, 'event after stalled reconnects');
  t.true(cluster.api.injected.stalledWatch > DEFAULT_KINDS.length);
});

test('a truncated event line is not lost: the watch resumes before it', async (t) => {
  const cluster = await watching(t, (api) => api.create(pod, aPod('a')));
  cluster.api.faults.truncateEvents = 1;
  cluster.api.update(pod, 'default', 'a', (object) => {
    object.status.containerStatuses[0].restartCount = 7;
  });
  await shows(cluster, restarts('a'), 7, 'the truncated update');
  t.is(cluster.api.injected.truncatedEvent, 1);
});

test('garbage lines and cuts in the middle of an event lose nothing', async (t) => {
  const cluster = await watching(t, (api) => api.create(pod, aPod('a')));
  cluster.api.faults.garbageLines = 1;
  cluster.api.create(pod, aPod('b', 2));
  await shows(cluster, restarts('b'), 2, 'event after a garbage line');
  cluster.api.faults.dropMidEvent = 1;
  cluster.api.create(pod, aPod('c', 4));
  await shows(cluster, restarts('c'), 4, 'event cut mid-line');
  t.deepEqual([cluster.api.injected.garbageLine, cluster.api.injected.droppedMidEvent], [1, 1]);
});

test('429 with Retry-After: the next attempt waits as long as the server asked', async (t) => {
  const cluster = await watching(t, (api) => api.create(pod, aPod('a')));
  cluster.api.faults.failRequests = { count: DEFAULT_KINDS.length, status: 429, retryAfterSeconds: 2 };
  const cutAt = Date.now();
  cluster.api.dropWatches();
  cluster.api.create(pod, aPod('b', 5));
  await shows(cluster, restarts('b'), 5, 'event after the 429');
  t.true(Date.now() - cutAt >= 1900, `waited ${Date.now() - cutAt} ms`);
  t.is(cluster.api.injected.failedRequest, DEFAULT_KINDS.length, 'one per kind');
});

test('5xx on list and watch are retried', async (t) => {
  const cluster = await watching(t, (api) => api.create(pod, aPod('a')));
  cluster.api.faults.failRequests = { count: 6, status: 503 };
  cluster.api.faults.expireWatches = 1;
  cluster.api.dropWatches();
  cluster.api.create(pod, aPod('b', 6));
  await shows(cluster, restarts('b'), 6, 'event after 503s and a relist');
  t.is(cluster.api.faults.failRequests.count, 0);
});

test('an API server restart with resourceVersions reset: the exporter relists and converges', async (t) => {
  const cluster = await watching(t, (api) => {
    for (const name of ['a', 'b', 'c']) api.create(pod, aPod(name));
    api.update(pod, 'default', 'a', (object) => {
      object.status.containerStatuses[0].restartCount = 1;
    });
  });
  const restarting = cluster.api.restart(300);
  cluster.api.delete(pod, 'default', 'b');
  cluster.api.update(pod, 'default', 'c', (object) => {
    object.status.containerStatuses[0].restartCount = 9;
  });
  await restarting;
  await shows(cluster, restarts('c'), 9, 'change made while the server was down');
  await eventually(async () => !(await cluster.text('/metrics')).includes('name="b"'), 'deletion made while down');
  t.is(cluster.api.injected.restart, 1);
});

test('slow responses and very large objects', async (t) => {
  const cluster = await watching(t, (api) => api.create(pod, aPod('a')));
  cluster.api.faults = { delayMs: 200, inflateBytes: 4_000_000 };
  cluster.api.dropWatches();
  cluster.api.create(pod, aPod('big', 8));
  await shows(cluster, restarts('big'), 8, 'large object through a slow server');
  t.false((await cluster.text('/metrics')).includes('padding'));
});

test('after a restart that reset resourceVersions, a listed object with the resourceVersion the exporter holds still replaces it', async (t) => {
  const cluster = await watching(t, (api) => {
    api.create(pod, aPod('x'));
    api.create(pod, aPod('b', 1));
  });
  t.is(cluster.api.get(pod, 'default', 'b')?.metadata.resourceVersion, '2');
  const restarting = cluster.api.restart(200);
  cluster.api.update(pod, 'default', 'b', (object) => {
    object.status.containerStatuses[0].restartCount = 2;
  });
  await restarting;
  // Renumbered in order: x is 1 again and b is 2 again, but b is a newer version.
  t.is(cluster.api.get(pod, 'default', 'b')?.metadata.resourceVersion, '2');
  await shows(cluster, restarts('b'), 2, 'the newer b');
});

test('a watch the server ends at its timeoutSeconds resumes without a relist', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => api.create(pod, aPod('a')),
    excludeNamespaces: [],
    config: {
      watch: { timeoutSeconds: 1, idleTimeoutMs: 30_000 },
    },
  });
  const listsAfterSync = cluster.api.listsCount(pod);
  const restartsOf = async () =>
    Number(
      /^kube_api_exporter_watch_restarts_total\{kind="pod"\} (\d+)/m.exec(await cluster.text('/metrics/self'))?.[1] ??
        0,
    );
  await eventually(async () => (await restartsOf()) >= 2, 'two watches ended by the server and resumed', 20_000);
  cluster.api.create(pod, aPod('b', 4));
  await shows(cluster, restarts('b'), 4, 'events on the resumed watch');
  t.is(cluster.api.listsCount(pod), listsAfterSync, 'no relist');
  t.false(
    (await cluster.text('/metrics/self')).includes('kube_api_exporter_watch_errors_total{kind="pod"'),
    'not an error',
  );
});
