/**
 * A quantity of a million digits, through the API server, the informers and HTTP: read in linear time, so the
 * exporter keeps answering (/healthz went unanswered for minutes when the quantity grammar backtracked).
 */
import test from 'ava';
import { POD } from '../../src/kinds/table.js';
import { startTestCluster } from '../support/harness/cluster.js';

test('a pod with 1 MB quantities syncs at once and keeps its other series; /healthz answers', async (t) => {
  const started = Date.now();
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      for (const [index, cpu] of [
        `${'9'.repeat(1 << 20)}x`,
        `${'9'.repeat(1 << 20)}.${'9'.repeat(1 << 20)}m`,
      ].entries())
        api.create(POD, {
          metadata: { name: `big-${index}`, namespace: 'default' },
          spec: { containers: [{ name: 'app', resources: { limits: { cpu, memory: '64Mi' } } }] },
        });
    },
    excludeNamespaces: [],
  });
  const healthz = Date.now();
  t.is((await cluster.get('/healthz')).status, 200);
  const elapsed = Date.now() - healthz;
  t.log(`synced in ${Date.now() - started} ms; /healthz in ${elapsed} ms`);
  // Generous: before the fix the event loop was blocked for hours (20,000 digits alone took a second).
  t.true(elapsed < 5000, `${elapsed} ms`);
  const text = await cluster.text('/metrics');
  for (const name of ['big-0', 'big-1'])
    t.true(
      text.includes(
        `k8s_pod_spec_containers_resources_limits_memory{name="${name}",namespace="default",container="app"} 67108864\n`,
      ),
    );
  t.false(text.includes('resources_limits_cpu'));
});
