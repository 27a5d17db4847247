/** Pod events end to end: simulated API server → real client-node informers → cache → event log. */
import test from 'ava';
import type { EventMessage } from '../../src/events/event-log.js';
import { POD } from '../../src/kinds/table.js';
import { scheduledPod } from '../support/builders/objects.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';

const pod = POD;

const aPod = (name: string, phase: string) =>
  scheduledPod(name, {
    status: {
      phase,
      containerStatuses:
        phase === 'Running' ? [{ name: 'app', containerID: `containerd://${name}`, image: 'web:1' }] : [],
    },
  });

const summary = (messages: readonly EventMessage[]) => messages.map((m) => `${m.event} ${m.metadata.podName}`);

test('a relist after a watch gap emits what was missed, deletes included, and nothing twice', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(pod, aPod('stays', 'Running'));
      api.create(pod, aPod('leaving', 'Running'));
      api.create(pod, aPod('goes', 'Running'));
    },
  });
  const { events } = cluster.exporter;
  // The initial list (served sorted by name) reports every pod as it is.
  t.deepEqual(summary(events.since(0)), [
    'pod/create goes',
    'pod/running goes',
    'pod/create leaving',
    'pod/running leaving',
    'pod/create stays',
    'pod/running stays',
  ]);
  const seen: EventMessage[] = [];
  events.subscribe((message) => seen.push(message));

  // While the watch is away and history is compacted, the informer's only way to learn of these is a relist.
  cluster.api.delete(pod, 'shop', 'goes');
  cluster.api.update(pod, 'shop', 'leaving', (object: any) => {
    object.metadata.deletionTimestamp = '2024-01-01T00:00:30Z';
  });
  cluster.api.create(pod, aPod('new', 'Pending'));
  cluster.api.delete(pod, 'shop', 'stays');
  cluster.api.create(pod, aPod('stays', 'Pending'));
  cluster.api.compact();
  cluster.api.closeWatches();
  await eventually(() => seen.length >= 7, 'missed events after the relist');

  // A resumed watch and a relist with nothing changed must add nothing; a marker pod shows they have happened.
  cluster.api.closeWatches();
  await eventually(async () => (await cluster.get('/readyz')).status === 200, 'watch resumed');
  cluster.api.compact();
  cluster.api.closeWatches();
  cluster.api.create(pod, aPod('marker', 'Pending'));
  await eventually(
    () => seen.some((message) => message.metadata.podName === 'marker' && message.event === 'pod/pending'),
    'marker seen',
  );
  t.deepEqual(summary(seen), [
    'pod/delete goes',
    'pod/shutdown leaving',
    'pod/create new',
    'pod/pending new',
    // Replaced under the same name: the relist shows a new uid, so the old pod is deleted before the new one comes.
    'pod/delete stays',
    'pod/create stays',
    'pod/pending stays',
    'pod/create marker',
    'pod/pending marker',
  ]);
  const [deleted, created] = seen.filter((message) => message.metadata.podName === 'stays');
  t.not(deleted.metadata.podUid, created.metadata.podUid);
});
