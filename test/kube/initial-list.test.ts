/** The informer's list in each way, against the simulated API server answering streaming lists as real ones do. */
import type { KubernetesObject } from '@kubernetes/client-node';
import test from 'ava';
import { SimulatedApiServer, type SimulatedApiServerOptions } from '../../src/demo/simulated-apiserver.js';
import { collectionPath, POD } from '../../src/kinds/table.js';
import { ApiError } from '../../src/kube/api-error.js';
import { CollectionLister, type InitialList } from '../../src/kube/initial-list.js';
import { kubeConfigForServer } from '../../src/kube/kubeconfig.js';
import { StreamWatch } from '../../src/kube/watch-stream.js';
import { trimInPlace } from '../../src/objects/trim.js';
import { createLogger } from '../../src/util/log.js';

const PODS = 1201; // three LIST pages of 500

async function serve(t: import('ava').ExecutionContext, options: SimulatedApiServerOptions = {}) {
  const api = new SimulatedApiServer(options);
  const url = await api.start();
  t.teardown(() => api.stop());
  for (let index = 0; index < PODS; index++)
    api.create(POD, { metadata: { name: `p${index}`, namespace: 'ns', managedFields: [{ manager: 'kubectl' }] } });
  const logged: string[] = [];
  const kubeConfig = kubeConfigForServer(url);
  const stream = new StreamWatch(kubeConfig, { timeoutSeconds: 60, idleTimeoutMs: 10_000 });
  t.teardown(() => stream.close());
  const lister = (way: InitialList) =>
    new CollectionLister({
      kubeConfig,
      stream,
      path: collectionPath(POD),
      selectors: {},
      way,
      pageTimeoutMs: 10_000,
      onSkipped: () => {},
      trim: trimInPlace as (object: KubernetesObject) => KubernetesObject,
      log: createLogger('info', (line) => logged.push(JSON.parse(line).msg)),
      name: 'pod',
    });
  return { api, lister, logged };
}

/** How each request listed: a streaming list, a LIST page (and its continue), a LIST from the watch cache. */
const requestsOf = (api: SimulatedApiServer) =>
  api.listQueries.map((query) =>
    query.get('sendInitialEvents') === 'true'
      ? 'stream'
      : query.get('resourceVersion') === '0'
        ? 'watch-cache'
        : `page${query.has('continue') ? ` from ${query.get('continue')}` : ''}`,
  );

const PAGES = ['page', 'page from 500', 'page from 1000'];

for (const [way, watchList, firstList, secondList, refusals] of [
  ['stream', 'served', ['stream'], ['stream'], 0],
  // Refused (the WatchList feature gate off; kube-apiserver 1.32 on etcd 3.4): paged, and never streaming again.
  ['stream', 'forbidden', ['stream', ...PAGES], PAGES, 1],
  ['stream', 'storage-unsupported', ['stream', ...PAGES], PAGES, 1],
  ['paged', 'served', PAGES, PAGES, 0],
  // The watch cache ignores the limit: the whole collection in one response.
  ['watch-cache', 'served', ['watch-cache'], ['watch-cache'], 0],
] as const) {
  test(`${way} against a server whose streaming lists are ${watchList}: every object, trimmed, and a resourceVersion to watch from`, async (t) => {
    const { api, lister, logged } = await serve(t, { watchList });
    const informerList = lister(way);
    const listed = await informerList.list();
    t.is(new Set(listed.items.map((item) => item.metadata?.name)).size, PODS);
    t.false(JSON.stringify(listed.items).includes('managedFields'));
    t.is(listed.metadata?.resourceVersion, String(PODS));
    t.deepEqual(requestsOf(api), [...firstList]);
    api.listQueries.length = 0;
    await informerList.list();
    t.deepEqual(requestsOf(api), [...secondList], 'relisted');
    t.is(logged.filter((message) => message.includes('refused a streaming list')).length, refusals);
  });
}

test('a streaming list that fails otherwise (429) is the list failure, with its Retry-After; the next list streams again', async (t) => {
  const { api, lister } = await serve(t);
  const informerList = lister('stream');
  api.faults.failRequests = { count: 1, status: 429, retryAfterSeconds: 3 };
  const error = await t.throwsAsync(informerList.list());
  t.true(error instanceof ApiError);
  t.is((error as ApiError).statusCode, 429);
  t.is((error as ApiError).retryAfterMs, 3000);
  t.is((await informerList.list()).items.length, PODS);
  t.deepEqual(requestsOf(api), ['stream'], 'streamed, not paged (the 429 is answered before a request is routed)');
});

test('objects written while a streaming list is read arrive in the watch that follows, not lost', async (t) => {
  const { api, lister } = await serve(t);
  const listing = lister('stream').list();
  api.create(POD, { metadata: { name: 'during', namespace: 'ns' } });
  const listed = await listing;
  // Taken before or after the write: either in the list, or after the list's resourceVersion.
  const inList = listed.items.some((item) => item.metadata?.name === 'during');
  t.is(inList, Number(listed.metadata?.resourceVersion) >= PODS + 1);
});
