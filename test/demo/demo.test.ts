/** The demo cluster through the whole exporter: the seed documents' examples must show on its endpoints. */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { seedDemoCluster, startDemoLife } from '../../src/demo/cluster.js';
import { expositionProblems, seriesValues } from '../support/assertions/exposition.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';
import { openEventStream } from '../support/harness/sse.js';

const leanixSeed = JSON.parse(readFileSync(new URL('../fixtures/leanix-seed.json', import.meta.url), 'utf8'));

/** The seed pod as this exporter serves it: container states without their `message` (README "/leanix.json"). */
function withoutStateMessages(seedPod: any): any {
  const pod = structuredClone(seedPod);
  for (const status of pod.ContainerStatuses ?? [])
    for (const states of [status.state, status.lastState])
      for (const state of Object.values(states ?? {})) delete (state as any).message;
  return pod;
}

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
  const cluster = await startTestCluster(t, { seed: seedDemoCluster });
  const text = await cluster.text('/metrics');
  t.deepEqual(expositionProblems(text), []);
  const values = seriesValues(text);
  for (const [path, value] of SEED_SERIES) {
    t.is(values.get(`k8s_deployment_${path}{name="helloworld",namespace="default"}`), value, path);
  }
  t.false(text.includes('demo-secret-value'));

  const inventory = (await (await cluster.get('/leanix.json')).json()) as any;
  t.deepEqual(
    inventory.Namespaces.map((namespace: any) => namespace.Name),
    ['default', 'giantswarm'],
  );
  for (const seedNamespace of leanixSeed.Namespaces) {
    const ours = inventory.Namespaces.find((namespace: any) => namespace.Name === seedNamespace.Name);
    for (const seedPod of seedNamespace.Pods) {
      t.deepEqual(
        ours.Pods.find((p: any) => p.Name === seedPod.Name),
        withoutStateMessages(seedPod),
        seedPod.Name,
      );
    }
  }
});

test('demo life: a rollout bumps generation before observedGeneration catches up; pods are replaced', async (t) => {
  const cluster = await startTestCluster(t, { seed: seedDemoCluster });
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
  await eventually(
    async () => !(await cluster.text('/metrics')).includes('helloworld-5d8f7c9b6-k7x2q'),
    'pod replaced',
  );
  t.regex(
    await cluster.text('/metrics'),
    /k8s_pod_status_containerStatuses_restartCount\{name="worker-7c9d8-x2k4p",namespace="default",container="app"\} [1-9]/,
  );
});

test('demo life on /events and in the container info: a restart brings a new container ID, a replaced pod its events', async (t) => {
  const cluster = await startTestCluster(t, { seed: seedDemoCluster });
  const workerInfo = async () =>
    (await cluster.text('/metrics'))
      .split('\n')
      .filter((line) =>
        line.startsWith('k8s_pod_container_info{namespace="default",pod="worker-7c9d8-x2k4p",container="app"'),
      );
  const [before] = await workerInfo();
  const oldID = /container_id="([^"]+)"/.exec(before)![1];
  const stream = await openEventStream(t, `${cluster.exporter.url}/events`);
  const stop = startDemoLife(cluster.api, { intervalMs: 100 });
  t.teardown(stop);

  const seen = (event: string, podName: string) =>
    stream.frames.some((frame) => frame.data.event === event && frame.data.metadata.podName === podName);
  await eventually(() => seen('pod/delete', 'helloworld-5d8f7c9b6-k7x2q'), 'the helloworld pod deleted');
  t.true(seen('pod/shutdown', 'helloworld-5d8f7c9b6-k7x2q'), 'shut down before it was deleted');
  const replacement = stream.frames.find(
    (frame) => frame.data.event === 'pod/create' && frame.data.metadata.podName !== 'helloworld-5d8f7c9b6-k7x2q',
  );
  t.regex(replacement?.data.metadata.podName ?? '', /^helloworld-5d8f7c9b6-/);
  const restart = stream.frames.find(
    (frame) =>
      frame.data.event === 'pod/running' &&
      frame.data.metadata.podName === 'worker-7c9d8-x2k4p' &&
      frame.data.metadata.name === 'app',
  );
  t.truthy(restart, 'the restarted worker reported running with its new container');
  t.not(restart!.data.metadata.containerID, oldID);
  const after = await workerInfo();
  t.is(after.length, 1);
  t.false(after[0].includes(oldID), 'the old container ID vanished from the info');
});
