import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
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
  return (await serveTracked(t, stream)).port;
}

/** Serves the stream; `sockets` are the server's ends of the connections. */
async function serveTracked(t: ExecutionContext, stream: EventStream) {
  const app = new Koa().use((ctx) => stream.handle(ctx));
  const server = createServer(app.callback());
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    stream.closeAll();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, sockets };
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

test('a client that stops reading is disconnected, its socket destroyed, once it falls behind the kept messages; the others go on', async (t) => {
  const cache = new ClusterCache();
  const events = new PodEventLog({ capacity: 500, registry: new Registry(), log: silentLogger });
  events.follow(cache);
  const registry = new Registry();
  const stream = new EventStream(events, { registry });
  const { port, sockets } = await serveTracked(t, stream);
  const stalled = await rawClient(t, port);
  stalled.socket.pause();
  await eventually(() => stream.clients === 1, 'client connected');
  const containers = manyContainers(50);
  // A pod a turn: new messages go out between them, until the stalled client's socket takes no more.
  for (let index = 0; index < 2000 && stream.clients > 0; index++) {
    cache.upsert(pod, {
      metadata: { name: `p${index}`, namespace: 'shop' },
      spec: { containers },
      status: { phase: 'Pending' },
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  t.is(stream.clients, 0, 'the stalled client was let go');
  t.is((await registry.getSingleMetric('kube_api_exporter_event_stream_slow_clients_total')!.get()).values[0].value, 1);
  t.true(
    [...sockets].every((socket) => socket.destroyed),
    'its socket is destroyed, not left holding what was queued for it',
  );
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

test('what waits for stalled clients stays one batch each, however many messages pass', async (t) => {
  const cache = new ClusterCache();
  const events = new PodEventLog({ capacity: 100_000, registry: new Registry(), log: silentLogger });
  events.follow(cache);
  const stream = new EventStream(events, { registry: new Registry() });
  const { port, sockets } = await serveTracked(t, stream);
  const clients = 20;
  for (let index = 0; index < clients; index++) (await rawClient(t, port)).socket.pause();
  await eventually(() => stream.clients === clients, 'clients connected');
  const containers = manyContainers(50);
  let mostQueued = 0;
  // 300 pods × 50 containers × 2 events: about 8 MB for each client, more than loopback buffers take.
  for (let index = 0; index < 300; index++) {
    cache.upsert(pod, {
      metadata: { name: `p${index}`, namespace: 'shop' },
      spec: { containers },
      status: { phase: 'Pending' },
    });
    if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    for (const socket of sockets) mostQueued = Math.max(mostQueued, socket.writableLength);
  }
  t.is(events.newestId, 300 * 50 * 2);
  t.is(stream.clients, clients, 'none fell behind the kept messages');
  t.true(mostQueued <= 64 * 1024, `at most 64 KiB waits in a socket, not ${mostQueued} bytes`);
});
