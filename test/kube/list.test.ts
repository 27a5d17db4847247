/** LIST of a collection against the simulated API server: every page read, each item trimmed as it arrives. */
import test from 'ava';
import { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { collectionPath, POD } from '../../src/kinds/table.js';
import { kubeConfigForServer } from '../../src/kube/kubeconfig.js';
import { listCollection } from '../../src/kube/list.js';

const pod = POD;

test('reads every page; items arrive trimmed: no managedFields, annotations or env values, labels kept', async (t) => {
  const api = new SimulatedApiServer();
  const url = await api.start();
  t.teardown(() => api.stop());
  const count = 1201; // three pages of 500
  for (let index = 0; index < count; index++) {
    api.create(pod, {
      metadata: {
        name: `p${index}`,
        namespace: 'ns',
        labels: { env: 'prod' },
        annotations: { note: 'secret-annotation' },
        managedFields: [{ manager: 'kubectl' }],
      },
      spec: { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'PASSWORD', value: 'secret-env' }] }] },
    });
  }
  const listed = await listCollection(kubeConfigForServer(url), collectionPath(pod), { pageTimeoutMs: 10_000 });
  t.is(new Set(listed.items.map((item) => item.metadata?.name)).size, count);
  const text = JSON.stringify(listed.items);
  for (const gone of ['managedFields', 'annotations', 'secret-annotation', 'secret-env'])
    t.false(text.includes(gone), gone);
  const last = listed.items.find((item) => item.metadata?.name === 'p1200') as {
    metadata: { labels: object };
    spec: object;
  };
  t.deepEqual(last.metadata.labels, { env: 'prod' });
  t.deepEqual(last.spec, { containers: [{ name: 'app', image: 'app:1' }] });
  t.truthy(listed.metadata?.resourceVersion);
});
