/** The demo cluster through the whole exporter: every LeanIX endpoint is populated, history included. */
import test from 'ava';
import { seedDemoCluster, startDemoLife } from '../../src/demo/cluster.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';

test('the demo populates /leanix.json, /leanix/v2.json (with a rollout in the history) and /leanix/ldif.json', async (t) => {
  const cluster = await startTestCluster(t, { seed: seedDemoCluster });
  const stop = startDemoLife(cluster.api, { intervalMs: 100 });
  t.teardown(stop);
  const v2 = async () => (await cluster.get('/leanix/v2.json')).json() as Promise<any>;
  await eventually(
    async () => (await v2()).deploymentHistory.rollouts.some((rollout: any) => rollout.outcome === 'completed'),
    'a demo rollout completed',
  );
  stop();

  const inventory = await v2();
  t.deepEqual(
    inventory.namespaces.map((namespace: any) => namespace.name),
    ['default', 'giantswarm'],
  );
  const defaults = inventory.namespaces[0];
  t.deepEqual(
    defaults.services.map((service: any) => service.name),
    ['helloworld'],
  );
  t.deepEqual(
    defaults.deployments.map((deployment: any) => deployment.name),
    ['helloworld'],
  );
  t.true(defaults.pods.length >= 3);
  t.deepEqual(
    inventory.nodes.map((node: any) => node.name),
    ['node-1', 'node-2', 'node-3'],
  );
  t.is(inventory.cluster.allocatable.cpu, 11.4);
  t.true(inventory.cluster.available.cpu > 0 && inventory.cluster.available.cpu < 11.4);
  t.like(inventory.deploymentHistory.rollouts[0], {
    namespace: 'default',
    name: 'helloworld',
    generation: 3,
    images: ['giantswarm/helloworld:1.2'],
  });
  t.true(inventory.deploymentHistory.counts.default['1h'] >= 1);

  const ldif = (await (await cluster.get('/leanix/ldif.json')).json()) as any;
  t.deepEqual(
    [...new Set(ldif.content.map((item: any) => item.type))],
    ['Cluster', 'Node', 'Service', 'Deployment', 'Pod'],
  );
  const v1 = (await (await cluster.get('/leanix.json')).json()) as any;
  t.deepEqual(
    v1.Namespaces.map((namespace: any) => namespace.Name),
    ['default', 'giantswarm'],
  );
  for (const path of ['/leanix.json', '/leanix/v2.json', '/leanix/ldif.json']) {
    const body = await cluster.text(path);
    t.false(body.includes('demo-secret-value'), path);
    t.log(`${path}: ${Buffer.byteLength(body)} bytes`);
  }
});
