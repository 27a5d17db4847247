/** Health you can alert on: per-kind self-metrics and /readyz naming a kind that cannot watch. */
import test from 'ava';
import { readiness } from '../../src/http/app.js';
import type { KindState } from '../../src/kinds/state.js';
import { KINDS } from '../../src/kinds/table.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';

const [deployment, pod] = KINDS;
const at = (iso: string) => new Date(iso);

const readinessCases: ReadonlyArray<readonly [string, Array<[typeof pod, KindState]>, string[]]> = [
  [
    'all synced, none failing',
    [
      [pod, { synced: true, failures: 0 }],
      [deployment, { synced: true, failures: 0 }],
    ],
    [],
  ],
  [
    'not synced yet',
    [
      [pod, { synced: false, failures: 0 }],
      [deployment, { synced: true, failures: 0 }],
    ],
    ['pod'],
  ],
  ['failing, but not for long', [[pod, { synced: true, failures: 3, failingSince: at('2026-01-01T00:00:50Z') }]], []],
  [
    'failing for exactly the limit',
    [[pod, { synced: true, failures: 3, failingSince: at('2026-01-01T00:00:00Z') }]],
    ['pod'],
  ],
  [
    'only the failing kind is named',
    [
      [deployment, { synced: true, failures: 0 }],
      [pod, { synced: true, failures: 9, failingSince: at('2025-12-31T00:00:00Z') }],
    ],
    ['pod'],
  ],
];

for (const [title, states, notReady] of readinessCases) {
  test(`readiness: ${title}`, (t) => {
    const result = readiness(states, 60_000, at('2026-01-01T00:01:00Z').getTime());
    t.deepEqual(result.notReady, notReady);
    t.is(result.ready, notReady.length === 0);
  });
}

test('per-kind self-metrics: restarts, errors by reason, time since the last event, last list', async (t) => {
  const cluster = await startTestCluster(t, {
    excludeNamespaces: [],
    config: { watch: { timeoutSeconds: 60, idleTimeoutMs: 1000 } },
  });
  const metrics = () => cluster.text('/metrics/self');
  cluster.api.stallWatches();
  // A stall is an error, then the watch is started again (by a relist).
  await eventually(
    async () => /^kube_api_exporter_watch_restarts_total\{kind="pod"\} [1-9]/m.test(await metrics()),
    'restart counted',
    20_000,
  );
  const text = await metrics();
  t.true(text.includes('kube_api_exporter_watch_errors_total{kind="pod",reason="stalled"}'));
  t.regex(text, /^kube_api_exporter_seconds_since_last_event\{kind="pod"\} \d/m);
  const listedAt = Number(/^kube_api_exporter_last_list_timestamp_seconds\{kind="node"\} (\S+)$/m.exec(text)?.[1]);
  t.true(Math.abs(listedAt - Date.now() / 1000) < 60, `last list at ${listedAt}`);
});

test('/readyz turns 503 naming the kinds that cannot watch for longer than the limit, and recovers', async (t) => {
  const cluster = await startTestCluster(t, { excludeNamespaces: [], config: { http: { unreadyAfterMs: 1000 } } });
  const port = Number(new URL(cluster.apiUrl).port);
  await cluster.api.stop();
  await eventually(async () => (await cluster.get('/readyz')).status === 503, 'unready', 20_000);
  const body = (await (await cluster.get('/readyz')).json()) as {
    notReady: string[];
    kinds: Record<string, { failingSince?: string; lastError?: string }>;
  };
  t.true(body.notReady.includes('pod'));
  t.regex(body.kinds.pod.failingSince ?? '', /^\d{4}-/);
  t.regex(body.kinds.pod.lastError ?? '', /ECONNREFUSED|ECONNRESET|socket hang up/);
  await cluster.api.start(port);
  await eventually(async () => (await cluster.get('/readyz')).status === 200, 'ready again', 20_000);
});
