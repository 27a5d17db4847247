/** The demo cluster through the whole exporter: the seed documents' examples must show on its endpoints. */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { seedDemoCluster, startDemoLife } from '../src/demo-cluster.js';
import { eventually, startTestCluster } from './support/cluster.js';
import { expositionProblems, seriesValues } from './support/exposition.js';

const leanixSeed = JSON.parse(readFileSync(new URL('fixtures/leanix-seed.json', import.meta.url), 'utf8'));

const SEED_SERIES = [
  ['metadata_generation', 2],
  ['spec_replicas', 1],
  ['spec_strategy_rollingUpdate_maxSurge', 1],
  ['spec_template_spec_terminationGracePeriodSeconds', 30],
  ['status_availableReplicas', 1],
  ['status_observedGeneration', 2],
  ['status_replicas', 1],
  ['status_updatedReplicas', 1],
] as const;

test('the demo shows the seed helloworld series and the seed LeanIX pods', async (t) => {
  const cluster = await startTestCluster(t, seedDemoCluster);
  const text = await cluster.text('/metrics');
  t.deepEqual(expositionProblems(text), []);
  const values = seriesValues(text);
  for (const [path, value] of SEED_SERIES) {
    t.is(values.get(`k8s_deployment_${path}{name="helloworld",namespace="default"}`), value, path);
  }
  t.false(text.includes('demo-secret-value'));

  const inventory = (await (await cluster.get('/leanix.json')).json()) as any;
  t.deepEqual(inventory.Namespaces.map((namespace: any) => namespace.Name), ['default', 'giantswarm']);
  for (const seedNamespace of leanixSeed.Namespaces) {
    const ours = inventory.Namespaces.find((namespace: any) => namespace.Name === seedNamespace.Name);
    for (const seedPod of seedNamespace.Pods) {
      t.deepEqual(ours.Pods.find((p: any) => p.Name === seedPod.Name), seedPod, seedPod.Name);
    }
  }
});

test('demo life: a rollout bumps generation before observedGeneration catches up; pods are replaced', async (t) => {
  const cluster = await startTestCluster(t, seedDemoCluster);
  const stop = startDemoLife(cluster.api, { intervalMs: 100 });
  t.teardown(stop);
  const generation = 'k8s_deployment_metadata_generation{name="helloworld",namespace="default"}';
  const observed = 'k8s_deployment_status_observedGeneration{name="helloworld",namespace="default"}';
  await eventually(async () => {
    const values = seriesValues(await cluster.text('/metrics'));
    return values.get(generation)! > values.get(observed)!;
  }, 'rollout in progress: generation ahead of observedGeneration');
  await eventually(async () => {
    const values = seriesValues(await cluster.text('/metrics'));
    return values.get(generation)! >= 3 && values.get(generation) === values.get(observed);
  }, 'rollout complete');
  await eventually(async () => !(await cluster.text('/metrics')).includes('helloworld-5d8f7c9b6-k7x2q'), 'pod replaced');
  t.regex(await cluster.text('/metrics'), /k8s_pod_status_containerStatuses_restartCount\{name="worker-7c9d8-x2k4p",namespace="default",container="app"\} [1-9]/);
});
