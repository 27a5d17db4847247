/** The Redis sink against a real redis-server, started by the test on a free port (Debian package redis-server). */
import { Registry } from 'prom-client';
import type { EventMessage } from '../../src/events/event-log.js';
import { EVENTS_CHANNEL, RedisSink } from '../../src/events/redis-sink.js';
import { POD } from '../../src/kinds/table.js';
import { createLogger } from '../../src/util/log.js';
import { scheduledPod } from '../support/builders/objects.js';
import { eventually, FAST_BACKOFF, startTestCluster, type TestCluster } from '../support/harness/cluster.js';
import { REDIS_SERVER, testNeeding } from '../support/harness/tools.js';
import { hasSubscriber, startTestRedis, subscribe } from '../support/servers/redis.js';

/** Every test here needs a redis-server: without one, ava reports them skipped (under CI they fail). */
const test = testNeeding(REDIS_SERVER);

const pod = POD;

const aPod = (name: string) =>
  scheduledPod(name, { status: { phase: 'Pending', hostIP: '10.0.0.11', qosClass: 'BestEffort' } });

const MESSAGE = /^(\d+\.\d{3}) (pod\/[a-z]+) (\{.*\})$/;

function parse(message: string) {
  const match = MESSAGE.exec(message);
  if (!match) throw new Error(`not an adapter message: ${message}`);
  return { time: Number(match[1]), event: match[2], metadata: JSON.parse(match[3]) };
}

const summary = (messages: readonly string[]) =>
  messages.map((message) => `${parse(message).event} ${parse(message).metadata.podName}`);

async function selfMetric(cluster: TestCluster, name: string): Promise<number | undefined> {
  const line = (await cluster.text('/metrics')).split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

test('a pod created, running, shutting down and deleted gives exactly these messages, in order', async (t) => {
  const redis = await startTestRedis(t);
  const messages = await subscribe(redis, EVENTS_CHANNEL);
  const cluster = await startTestCluster(t, { config: { events: { redisUrl: redis.url } } });
  const started = Date.now() / 1000;

  cluster.api.create(pod, aPod('web-1'));
  cluster.api.update(pod, 'shop', 'web-1', (object: any) => {
    object.status.phase = 'Running';
    object.status.podIP = '10.244.1.7';
    object.status.startTime = '2024-01-01T00:00:00Z';
    object.status.containerStatuses = [
      { name: 'app', containerID: 'containerd://c0ffee', image: 'docker.io/library/web:1' },
    ];
  });
  cluster.api.update(pod, 'shop', 'web-1', (object: any) => {
    object.metadata.deletionTimestamp = '2024-01-01T00:01:00Z';
  });
  const { uid } = cluster.api.get(pod, 'shop', 'web-1')!.metadata;
  cluster.api.delete(pod, 'shop', 'web-1');
  cluster.api.create(pod, aPod('marker'));
  await eventually(() => messages.length === 7, 'the marker pod published, create and pending');

  const beforeMarker = messages.slice(
    0,
    messages.findIndex((message) => message.includes('"podName":"marker"')),
  );
  t.deepEqual(summary(beforeMarker), [
    'pod/create web-1',
    'pod/pending web-1',
    'pod/running web-1',
    'pod/shutdown web-1',
    'pod/delete web-1',
  ]);
  const parsed = beforeMarker.map(parse);
  const times = parsed.map((message) => message.time);
  t.deepEqual(times, [...times].sort(), 'times never go back');
  t.true(times[0] >= Math.floor(started) && times[4] <= Date.now() / 1000 + 1, 'unix seconds of now');
  t.deepEqual(parsed[2].metadata, {
    podUid: uid,
    containerID: 'containerd://c0ffee',
    image: 'docker.io/library/web:1',
    podName: 'web-1',
    hostIP: '10.0.0.11',
    name: 'app',
    nodeName: 'node-1',
    podIP: '10.244.1.7',
    qosClass: 'BestEffort',
    startTime: '2024-01-01T00:00:00Z',
    namespace: 'shop',
  });
  t.is(parsed[0].metadata.containerID, '', 'no container yet when created');
  // The count goes up when Redis answers, which may come just after the subscriber got the message.
  await eventually(
    async () => (await selfMetric(cluster, 'kube_api_exporter_redis_published_total')) === 7,
    'all 7 counted',
  );
  t.is(messages.length, 7);
  t.is(await selfMetric(cluster, 'kube_api_exporter_redis_up'), 1);
});

test('Redis killed mid-stream: events are buffered, then delivered in order once it is back', async (t) => {
  const redis = await startTestRedis(t);
  const messages = await subscribe(redis, EVENTS_CHANNEL);
  const cluster = await startTestCluster(t, { config: { events: { redisUrl: redis.url } } });
  cluster.api.create(pod, aPod('before'));
  await eventually(() => messages.length === 2, 'published before the outage');

  await redis.stop();
  await eventually(async () => (await selfMetric(cluster, 'kube_api_exporter_redis_up')) === 0, 'sink sees Redis down');
  for (const name of ['during-1', 'during-2', 'during-3']) cluster.api.create(pod, aPod(name));
  await eventually(
    async () => (await selfMetric(cluster, 'kube_api_exporter_redis_buffered')) === 6,
    'six messages buffered',
  );

  // Back on the socket first: the subscriber is in place before the exporter can reach Redis again over TCP.
  await redis.start({ tcp: false });
  await eventually(() => hasSubscriber(redis, EVENTS_CHANNEL), 'subscriber back');
  await redis.openTcp();
  const reopened = Date.now();
  await eventually(() => messages.length === 8, 'buffered messages delivered');
  const resumedMs = Date.now() - reopened;
  cluster.api.create(pod, aPod('after'));
  await eventually(() => messages.length === 10, 'live again');

  t.deepEqual(summary(messages), [
    'pod/create before',
    'pod/pending before',
    'pod/create during-1',
    'pod/pending during-1',
    'pod/create during-2',
    'pod/pending during-2',
    'pod/create during-3',
    'pod/pending during-3',
    'pod/create after',
    'pod/pending after',
  ]);
  t.is(await selfMetric(cluster, 'kube_api_exporter_redis_dropped_total'), 0);
  await eventually(async () => (await selfMetric(cluster, 'kube_api_exporter_redis_buffered')) === 0, 'buffer empty');
  t.log(
    `6 messages buffered during the outage, all delivered in order ${resumedMs} ms after Redis was reachable again (backoff capped at ${FAST_BACKOFF.maxMs} ms)`,
  );
});

function message(id: number): EventMessage {
  return {
    id,
    time: 1_700_000_000 + id,
    event: 'pod/create',
    metadata: {
      podUid: `u${id}`,
      containerID: '',
      image: 'web:1',
      podName: `p${id}`,
      hostIP: '',
      name: 'app',
      nodeName: '',
      podIP: '',
      qosClass: '',
      startTime: '',
      namespace: 'shop',
    },
  };
}

test('a full buffer while Redis is down drops the oldest, counts them and reports the gap when Redis is back', async (t) => {
  const redis = await startTestRedis(t, { started: false });
  const logLines: string[] = [];
  const registry = new Registry();
  const sink = new RedisSink({
    url: redis.url,
    registry,
    log: createLogger('info', (line) => logLines.push(line)),
    capacity: 3,
    backoff: FAST_BACKOFF,
  });
  t.teardown(() => sink.stop());
  for (let id = 1; id <= 5; id++) sink.accept(message(id));
  const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;
  t.is(await metric('kube_api_exporter_redis_dropped_total'), 2);
  t.is(await metric('kube_api_exporter_redis_buffered'), 3);
  await eventually(() => logLines.some((line) => line.includes('redis unreachable')), 'outage logged');

  await redis.start({ tcp: false });
  const messages = await subscribe(redis, EVENTS_CHANNEL);
  await redis.openTcp();
  await eventually(() => messages.length === 3, 'buffered messages delivered');
  t.deepEqual(
    messages.map((text) => parse(text).metadata.podName),
    ['p3', 'p4', 'p5'],
  );
  t.is(messages[0], `1700000003.000 pod/create ${JSON.stringify(message(3).metadata)}`);
  await eventually(async () => (await metric('kube_api_exporter_redis_published_total')) === 3, 'three published');
  const reconnected = logLines.find((line) => line.includes('"msg":"redis connected"'));
  t.truthy(reconnected);
  t.like(JSON.parse(reconnected!), { buffered: 3, droppedWhileDown: 2, url: `${redis.url}` });
});

test('a burst (the first list of a large cluster) is delivered complete and in order', async (t) => {
  const redis = await startTestRedis(t);
  const messages = await subscribe(redis, EVENTS_CHANNEL);
  const registry = new Registry();
  const sink = new RedisSink({
    url: redis.url,
    registry,
    log: createLogger('error', () => {}),
    backoff: FAST_BACKOFF,
  });
  t.teardown(() => sink.stop());
  await eventually(
    async () => (await registry.getSingleMetric('kube_api_exporter_redis_up')!.get()).values[0]?.value === 1,
    'connected',
  );
  const count = 5000;
  const started = Date.now();
  for (let id = 1; id <= count; id++) sink.accept(message(id));
  await eventually(() => messages.length === count, `${count} messages delivered`, 60_000);
  const seconds = (Date.now() - started) / 1000;
  t.deepEqual(
    messages.map((text) => parse(text).metadata.podName),
    Array.from({ length: count }, (_, index) => `p${index + 1}`),
  );
  t.is((await registry.getSingleMetric('kube_api_exporter_redis_dropped_total')!.get()).values[0].value, 0);
  t.log(
    `${count} messages published in ${seconds.toFixed(2)} s (${Math.round(count / seconds)} messages/s, with the subscriber on the same machine)`,
  );
});
