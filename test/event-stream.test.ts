import test from 'ava';
import { kindByMetricName } from '../src/kinds.js';
import { eventually, startTestCluster } from './support/cluster.js';
import { openEventStream, type SseFrame } from './support/sse.js';

const pod = kindByMetricName('pod')!;

const aPod = (name: string) => ({
  metadata: { name, namespace: 'shop' },
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'web:1' }] },
  status: { phase: 'Pending', hostIP: '10.0.0.1' },
});

const summary = (frames: readonly SseFrame[]) => frames.map((frame) => `${frame.id} ${frame.data.event} ${frame.data.metadata.podName}`);

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
  t.like(first.data.metadata, { podName: 'web-1', namespace: 'shop', name: 'app', image: 'web:1', nodeName: 'node-1', hostIP: '10.0.0.1', containerID: '' });
});

test('Last-Event-ID replays the kept messages after it, then goes on live; a bad id is a 400', async (t) => {
  const cluster = await startTestCluster(t, (api) => {
    api.create(pod, aPod('a'));
    api.create(pod, aPod('b'));
  });
  const fromHeader = await openEventStream(t, `${cluster.exporter.url}/events`, { 'Last-Event-ID': '2' });
  const fromQuery = await openEventStream(t, `${cluster.exporter.url}/events?lastEventId=3`);
  const liveOnly = await openEventStream(t, `${cluster.exporter.url}/events`);
  await eventually(() => fromHeader.frames.length === 2 && fromQuery.frames.length === 1, 'replay');
  t.deepEqual(summary(fromHeader.frames), ['3 pod/create b', '4 pod/pending b']);
  t.deepEqual(summary(fromQuery.frames), ['4 pod/pending b']);

  cluster.api.delete(pod, 'shop', 'a');
  await eventually(() => fromHeader.frames.length === 3 && fromQuery.frames.length === 2 && liveOnly.frames.length === 1, 'live after replay');
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
  const outcome = await Promise.race([stream.ended.then(() => 'ended'), new Promise((resolve) => setTimeout(resolve, 10_000, 'still open').unref())]);
  t.is(outcome, 'ended');
});
