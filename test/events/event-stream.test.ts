import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import Koa from 'koa';
import { Registry } from 'prom-client';
import { ClusterCache } from '../../src/cache.js';
import { PodEventLog } from '../../src/events/event-log.js';
import { EventStream } from '../../src/events/event-stream.js';
import { POD } from '../../src/kinds/table.js';
import { silentLogger } from '../../src/util/log.js';
import { scheduledPod } from '../support/builders/objects.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';
import { openEventStream, type SseFrame } from '../support/harness/sse.js';

const pod = POD;

const aPod = (name: string) => scheduledPod(name, { status: { phase: 'Pending', hostIP: '10.0.0.1' } });

const summary = (frames: readonly SseFrame[]) =>
  frames.map((frame) => `${frame.id} ${frame.data.event} ${frame.data.metadata.podName}`);

test('GET /events streams live messages as SSE frames: id, and data with time, event and metadata', async (t) => {
  const cluster = await startTestCluster(t);
  const stream = await openEventStream(t, `${cluster.exporter.url}/events`);
  t.is(stream.status, 200);
  t.is(stream.contentType, 'text/event-stream; charset=utf-8');
  cluster.api.create(pod, aPod('web-1'));
  await eventually(() => stream.frames.length === 2, 'create and pending');
  t.deepEqual(summary(stream.frames), ['1 pod/create web-1', '2 pod/pending web-1']);
  const [first] = stream.frames;
  t.deepEqual(Object.keys(first.data), ['time', 'event', 'metadata']);
  t.true(Math.abs(first.data.time - Date.now() / 1000) < 60);
  t.like(first.data.metadata, {
    podName: 'web-1',
    namespace: 'shop',
    name: 'app',
    image: 'web:1',
    nodeName: 'node-1',
    hostIP: '10.0.0.1',
    containerID: '',
  });
});

test('Last-Event-ID replays the kept messages after it, then goes on live; a bad id is a 400', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(pod, aPod('a'));
      api.create(pod, aPod('b'));
    },
  });
  const fromHeader = await openEventStream(t, `${cluster.exporter.url}/events`, { 'Last-Event-ID': '2' });
  const fromQuery = await openEventStream(t, `${cluster.exporter.url}/events?lastEventId=3`);
  const liveOnly = await openEventStream(t, `${cluster.exporter.url}/events`);
  await eventually(() => fromHeader.frames.length === 2 && fromQuery.frames.length === 1, 'replay');
  t.deepEqual(summary(fromHeader.frames), ['3 pod/create b', '4 pod/pending b']);
  t.deepEqual(summary(fromQuery.frames), ['4 pod/pending b']);

  cluster.api.delete(pod, 'shop', 'a');
  await eventually(
    () => fromHeader.frames.length === 3 && fromQuery.frames.length === 2 && liveOnly.frames.length === 1,
    'live after replay',
  );
  for (const stream of [fromHeader, fromQuery, liveOnly]) t.is(summary(stream.frames).at(-1), '5 pod/delete a');

  t.is((await fetch(`${cluster.exporter.url}/events`, { method: 'HEAD' })).status, 200);
  const bad = await cluster.get('/events?lastEventId=soon');
  t.is(bad.status, 400);
  t.deepEqual(await bad.json(), { error: 'Last-Event-ID must be a non-negative integer, got "soon"' });
});

test('stopping the exporter ends open event streams', async (t) => {
  const cluster = await startTestCluster(t);
  const stream = await openEventStream(t, `${cluster.exporter.url}/events`);
  await cluster.exporter.stop();
  const outcome = await Promise.race([
    stream.ended.then(() => 'ended'),
    new Promise((resolve) => setTimeout(resolve, 10_000, 'still open').unref()),
  ]);
  t.is(outcome, 'ended');
});

async function serve(t: ExecutionContext, stream: EventStream): Promise<number> {
  const app = new Koa().use((ctx) => stream.handle(ctx));
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    stream.closeAll();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** A raw client that sends the request and then reads only when told to. */
async function rawClient(t: ExecutionContext, port: number) {
  const socket = connect(port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  await once(socket, 'connect');
  socket.write('GET /events HTTP/1.1\r\nHost: test\r\n\r\n');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('utf8')));
  return { socket, received: () => received };
}

function manyContainers(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    name: `c${index}`,
    image: `registry.example.com/team/image-${index}:${'1'.repeat(40)}`,
  }));
}

test('a client that stops reading is disconnected once it is too far behind; the others go on', async (t) => {
  const cache = new ClusterCache();
  const events = new PodEventLog({ capacity: 10, registry: new Registry(), log: silentLogger });
  events.follow(cache);
  const registry = new Registry();
  const stream = new EventStream(events, { registry, maxBehindBytes: 64 * 1024 });
  const port = await serve(t, stream);
  const stalled = await rawClient(t, port);
  stalled.socket.pause();
  await eventually(() => stream.clients === 1, 'client connected');
  const containers = manyContainers(50);
  for (let index = 0; index < 2000 && stream.clients > 0; index++) {
    cache.upsert(pod, {
      metadata: { name: `p${index}`, namespace: 'shop' },
      spec: { containers },
      status: { phase: 'Pending' },
    });
  }
  t.is(stream.clients, 0, 'the stalled client was let go');
  t.is((await registry.getSingleMetric('kube_api_exporter_event_stream_slow_clients_total')!.get()).values[0].value, 1);
  const reader = await rawClient(t, port);
  await eventually(() => stream.clients === 1, 'a new client connects');
  cache.upsert(pod, {
    metadata: { name: 'late', namespace: 'shop' },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: 'Pending' },
  });
  await eventually(() => reader.received().includes('"podName":"late"'), 'the new client reads on');
  t.regex(
    await registry.getSingleMetricAsString('kube_api_exporter_event_stream_clients'),
    /^kube_api_exporter_event_stream_clients 1$/m,
  );
});

test('idle streams get a keep-alive comment', async (t) => {
  const events = new PodEventLog({ capacity: 10, registry: new Registry(), log: silentLogger });
  const port = await serve(t, new EventStream(events, { registry: new Registry(), keepAliveMs: 50 }));
  const client = await rawClient(t, port);
  await eventually(() => client.received().split(': keep-alive\n\n').length > 2, 'two keep-alives');
  t.true(client.received().startsWith('HTTP/1.1 200 OK\r\n'));
  t.true(client.received().includes(': kube-api-exporter pod events\n\n'));
});
