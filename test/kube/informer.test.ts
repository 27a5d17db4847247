/** One list+watch kept running on its own, with no cache behind it: what the shard watcher follows a StatefulSet with. */
import type { KubernetesObject } from '@kubernetes/client-node';
import test from 'ava';
import { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { STATEFULSET } from '../../src/kinds/table.js';
import { Informer } from '../../src/kube/informer.js';
import { kubeConfigForServer } from '../../src/kube/kubeconfig.js';
import { namespacedPath } from '../../src/kube/scope.js';
import { silentLogger } from '../../src/util/log.js';
import { eventually, FAST_BACKOFF } from '../support/harness/cluster.js';

test('an Informer follows one object by field selector, through an API server restart, retried with backoff and relisted', async (t) => {
  const api = new SimulatedApiServer();
  const apiUrl = await api.start();
  t.teardown(() => api.stop());
  api.create(STATEFULSET, { metadata: { name: 'kae', namespace: 'monitoring' }, spec: { replicas: 2 } });
  api.create(STATEFULSET, { metadata: { name: 'other', namespace: 'monitoring' }, spec: { replicas: 5 } });
  const seen: string[] = [];
  const failures: unknown[] = [];
  let restarts = 0;
  const informer = new Informer({
    kubeConfig: kubeConfigForServer(apiUrl),
    target: { path: namespacedPath(STATEFULSET, 'monitoring'), fieldSelector: 'metadata.name=kae' },
    name: STATEFULSET.metricName,
    log: silentLogger,
    backoff: FAST_BACKOFF,
    watchTimeouts: { timeoutSeconds: 300, idleTimeoutMs: 5_000 },
    onObject: (type, object: KubernetesObject & { spec?: { replicas?: number } }) =>
      seen.push(`${type} ${object.metadata?.name} ${object.spec?.replicas}`),
    onRestart: () => restarts++,
    onFailure: (error) => failures.push(error),
  });
  t.teardown(() => informer.stop());
  informer.start();
  await eventually(() => informer.state.synced, 'synced');
  t.deepEqual(seen, ['add kae 2']);

  api.update(STATEFULSET, 'monitoring', 'other', (object) => {
    object.spec.replicas = 6;
  });
  api.update(STATEFULSET, 'monitoring', 'kae', (object) => {
    object.spec.replicas = 3;
  });
  await eventually(() => seen.length === 2, 'the update of kae');
  t.deepEqual(seen, ['add kae 2', 'update kae 3']);

  await api.restart(300);
  api.update(STATEFULSET, 'monitoring', 'kae', (object) => {
    object.spec.replicas = 4;
  });
  await eventually(() => seen.at(-1) === 'update kae 4', 'the scale made while the API server was away', 10_000);
  t.true(failures.length > 0 && restarts > 0);
  await eventually(() => informer.state.failures === 0 && informer.state.failingSince === undefined, 'recovered');
  t.true(seen.every((line) => line.includes(' kae ')));
});

for (const initialList of ['stream', 'paged'] as const) {
  test(`listed (${initialList}), the objects an Informer does not keep are cut to their identity on arrival, never trimmed and held whole`, async (t) => {
    const api = new SimulatedApiServer();
    const apiUrl = await api.start();
    t.teardown(() => api.stop());
    for (const name of ['kae', 'other-1', 'other-2'])
      api.create(STATEFULSET, {
        metadata: { name, namespace: 'monitoring', labels: { app: name } },
        spec: { replicas: 1 },
      });
    const trimmed: string[] = [];
    const handedOn: string[] = [];
    const informer = new Informer({
      kubeConfig: kubeConfigForServer(apiUrl),
      target: { path: namespacedPath(STATEFULSET, 'monitoring') },
      name: STATEFULSET.metricName,
      log: silentLogger,
      initialList,
      keeps: (object) => object.metadata?.name === 'kae',
      trimListed: (object) => {
        trimmed.push(object.metadata?.name ?? '');
        return object;
      },
      onObject: (type, object) => handedOn.push(`${type} ${object.metadata?.name}`),
    });
    t.teardown(() => informer.stop());
    informer.start();
    await eventually(() => informer.state.synced, 'synced');
    t.deepEqual(trimmed, ['kae']);
    t.deepEqual(handedOn, ['add kae']);
  });
}
