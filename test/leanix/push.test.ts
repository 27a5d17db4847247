import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { POD } from '../../src/kinds/table.js';
import { LeanixPusher, type PushResult } from '../../src/leanix/push.js';
import { silentLogger } from '../../src/util/log.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { eventually, FAST_BACKOFF, startTestCluster } from '../support/harness/cluster.js';
import { startReceiver } from '../support/servers/receiver.js';

const pod = POD;

function pusher(t: any, url: string, render: () => string, debounceMs = 200) {
  const results: PushResult[] = [];
  const instance = new LeanixPusher({
    url,
    debounceMs,
    render,
    backoff: FAST_BACKOFF,
    log: silentLogger,
    onResult: (result) => results.push(result),
  });
  t.teardown(() => instance.stop());
  return { instance, results };
}

test('a burst of changes makes one push of the final state', async (t) => {
  const receiver = await startReceiver(t);
  let version = 0;
  const { instance, results } = pusher(t, receiver.url, () => JSON.stringify({ version }));
  const burst = 1000;
  const started = Date.now();
  for (let change = 1; change <= burst; change += 1) {
    version = change;
    instance.changed();
  }
  const callMs = Date.now() - started;
  await eventually(() => receiver.requests.length === 1, 'one push');
  await delay(600);
  t.is(receiver.requests.length, 1, `${burst} changes → ${receiver.requests.length} push`);
  t.deepEqual(JSON.parse(receiver.requests[0].body), { version: burst });
  t.is(receiver.requests[0].method, 'POST');
  t.is(receiver.requests[0].contentType, 'application/json');
  t.deepEqual(results, ['ok']);
  t.true(receiver.requests[0].at - started >= 200, 'waited for the debounce interval');
  t.log(`${burst} changes in ${callMs} ms → 1 push after ${receiver.requests[0].at - started} ms`);
});

test('5xx and network errors are retried with backoff until delivered; an unchanged document is not re-sent', async (t) => {
  const receiver = await startReceiver(t);
  receiver.statuses.push(503, 500, 502);
  const { instance, results } = pusher(t, receiver.url, () => '{"a":1}', 0);
  instance.changed();
  await eventually(() => results.includes('ok'), 'delivered after retries');
  t.deepEqual(results, ['failed', 'failed', 'failed', 'ok']);
  t.is(receiver.requests.length, 4);
  const gaps = receiver.requests.slice(1).map((request, index) => request.at - receiver.requests[index].at);
  t.true(
    gaps.every((gap) => gap >= 20),
    `backoff between attempts: ${gaps.join(', ')} ms`,
  );
  instance.changed();
  await delay(300);
  t.is(receiver.requests.length, 4, 'same document: no push');

  const refused = pusher(t, `${receiver.url.replace(/\d+\/ldif$/, '1')}/closed`, () => '{}', 0);
  refused.instance.changed();
  await eventually(() => refused.results.length >= 2, 'network error retried');
  t.true(refused.results.every((result) => result === 'failed'));
});

test('a 4xx other than 408/429 is not retried; the next change pushes again', async (t) => {
  const receiver = await startReceiver(t);
  receiver.statuses.push(400);
  let version = 1;
  const { instance, results } = pusher(t, receiver.url, () => JSON.stringify({ version }), 0);
  instance.changed();
  await eventually(() => results.length === 1, 'refused');
  await delay(300);
  t.deepEqual(results, ['failed']);
  version = 2;
  instance.changed();
  await eventually(() => results.length === 2, 'pushed again');
  t.deepEqual(results, ['failed', 'ok']);
  t.deepEqual(JSON.parse(receiver.requests[1].body), { version: 2 });
});

test('through the exporter: the LDIF is pushed on change, a burst of 50 pods makes one push, a slow receiver never delays the views', async (t) => {
  const receiver = await startReceiver(t);
  receiver.statuses.push(503);
  const cluster = await startTestCluster(t, {
    seed: (api) => api.create(pod, { metadata: { name: 'first', namespace: 'default' }, status: { phase: 'Running' } }),
    config: { leanix: { pushUrl: receiver.url, pushDebounceMs: 1000, connectorId: 'test-cluster' } },
  });
  await eventually(() => receiver.requests.length === 2, 'initial inventory pushed after one 503');
  const initial = JSON.parse(receiver.requests[1].body);
  t.is(initial.connectorId, 'test-cluster');
  t.deepEqual(
    initial.content.filter((item: any) => item.type === 'Pod').map((item: any) => item.data.name),
    ['first'],
  );

  receiver.delayMs = 3000;
  const burstStarted = Date.now();
  for (let index = 0; index < 50; index += 1)
    cluster.api.create(pod, {
      metadata: { name: `burst-${index}`, namespace: 'default' },
      status: { phase: 'Pending' },
    });
  await eventually(
    async () => ((await (await cluster.get('/leanix.json')).json()) as any).Namespaces[0].Pods.length === 51,
    'views updated',
  );
  const viewsMs = Date.now() - burstStarted;
  t.true(viewsMs < 2500, `views current after ${viewsMs} ms although the receiver answers after 3 s`);
  await eventually(() => receiver.requests.length === 3, 'burst pushed', 15_000);
  await delay(1500);
  t.is(receiver.requests.length, 3, '50 changes → 1 push');
  t.is(JSON.parse(receiver.requests[2].body).content.filter((item: any) => item.type === 'Pod').length, 51);
  await eventually(
    async () =>
      seriesValues(await cluster.text('/metrics'), 'kube_api_exporter_').get(
        'kube_api_exporter_leanix_pushes_total{result="ok"}',
      ) === 2,
    'ok counted',
    10_000,
  );
  t.is(
    seriesValues(await cluster.text('/metrics'), 'kube_api_exporter_').get(
      'kube_api_exporter_leanix_pushes_total{result="failed"}',
    ),
    1,
  );
  t.log(
    `50 pods created → 1 push, ${receiver.requests[2].at - burstStarted} ms after the burst; views current after ${viewsMs} ms`,
  );
});
