import test from 'ava';
import { Registry } from 'prom-client';
import { ClusterCache } from '../../src/cache.js';
import { adapterMessage, type EventMessage, PodEventLog } from '../../src/events/event-log.js';
import { NODE, POD } from '../../src/kinds/table.js';
import { createLogger, silentLogger } from '../../src/util/log.js';
import { pod as podObject } from '../support/builders/objects.js';

const pod = POD;
const node = NODE;

function aPod(name: string, phase: string, containers = ['app']) {
  return podObject(name, {
    metadata: { namespace: 'shop', uid: `uid-${name}`, resourceVersion: '1' },
    spec: { containers: containers.map((container) => ({ name: container, image: `${container}:1` })) },
    status: {
      phase,
      containerStatuses: containers.map((container) => ({
        name: container,
        containerID: phase === 'Running' ? `c://${name}-${container}` : '',
      })),
    },
  });
}

function setUp(capacity = 100) {
  const cache = new ClusterCache();
  const registry = new Registry();
  let now = 1_700_000_000_123;
  const events = new PodEventLog({ capacity, registry, log: silentLogger, now: () => now++ });
  events.follow(cache);
  const seen: EventMessage[] = [];
  events.subscribe((message) => seen.push(message));
  return { cache, registry, events, seen };
}

const summary = (messages: readonly EventMessage[]) =>
  messages.map((m) => `${m.id} ${m.event} ${m.metadata.podName}/${m.metadata.name}`);

test('pod changes become numbered messages, one per container; other kinds and repeats emit nothing', async (t) => {
  const { cache, registry, seen } = setUp();
  cache.upsert(pod, aPod('a', 'Pending', ['app', 'proxy']));
  cache.upsert(node, { metadata: { name: 'node-1' } });
  cache.upsert(pod, aPod('a', 'Running', ['app', 'proxy']));
  cache.upsert(pod, aPod('a', 'Running', ['app', 'proxy']));
  cache.delete(pod, aPod('a', 'Running'));
  t.deepEqual(summary(seen), [
    '1 pod/create a/app',
    '2 pod/create a/proxy',
    '3 pod/pending a/app',
    '4 pod/pending a/proxy',
    '5 pod/running a/app',
    '6 pod/running a/proxy',
    '7 pod/delete a/app',
    '8 pod/delete a/proxy',
  ]);
  t.is(seen[4].metadata.containerID, 'c://a-app');
  const counted = await registry.getSingleMetricAsString('kube_api_exporter_pod_events_total');
  for (const line of [
    '{event="create"} 1',
    '{event="pending"} 1',
    '{event="running"} 1',
    '{event="shutdown"} 0',
    '{event="delete"} 1',
  ]) {
    t.true(counted.includes(`kube_api_exporter_pod_events_total${line}`), line);
  }
});

test('the adapter message: unix time with fraction, pod/<event>, the metadata JSON', (t) => {
  const { cache, seen } = setUp();
  cache.upsert(pod, aPod('a', 'Pending'));
  t.is(
    adapterMessage(seen[0]),
    '1700000000.123 pod/create {"podUid":"uid-a","containerID":"","image":"app:1","podName":"a","hostIP":"","name":"app","nodeName":"","podIP":"","qosClass":"","startTime":"","namespace":"shop"}',
  );
  t.is(adapterMessage({ ...seen[0], time: 1_700_000_000 }).split(' ')[0], '1700000000.000');
});

test('replay keeps the newest messages up to capacity; an id from before a restart replays all kept', (t) => {
  const { cache, events } = setUp(3);
  for (const name of ['a', 'b', 'c']) cache.upsert(pod, aPod(name, 'Pending'));
  t.deepEqual(summary(events.since(0)), ['4 pod/pending b/app', '5 pod/create c/app', '6 pod/pending c/app']);
  t.deepEqual(summary(events.since(5)), ['6 pod/pending c/app']);
  t.deepEqual(summary(events.since(6)), []);
  t.deepEqual(summary(events.since(99)), ['4 pod/pending b/app', '5 pod/create c/app', '6 pod/pending c/app']);
});

test('a failing sink is logged and neither stops other sinks nor the cache update', (t) => {
  const lines: string[] = [];
  const cache = new ClusterCache();
  const events = new PodEventLog({
    capacity: 10,
    registry: new Registry(),
    log: createLogger('error', (line) => lines.push(line)),
  });
  events.follow(cache);
  events.subscribe(() => {
    throw new Error('sink down');
  });
  const seen: EventMessage[] = [];
  events.subscribe((message) => seen.push(message));
  t.notThrows(() => cache.upsert(pod, aPod('a', 'Pending')));
  t.is(seen.length, 2);
  t.is(cache.count(pod), 1);
  t.regex(lines[0], /"msg":"event sink failed".*"error":"sink down"/);
});
