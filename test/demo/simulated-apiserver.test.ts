/** The simulated API server's faults, seen from a raw HTTP client: each does what it says, and only when switched on. */
import test from 'ava';
import { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { KINDS } from '../../src/kinds/table.js';
import { pod as podObject } from '../support/builders/objects.js';
import { eventually } from '../support/harness/cluster.js';

const pod = KINDS.find((kind) => kind.metricName === 'pod')!;
const aPod = (name: string) => podObject(name, { status: { phase: 'Running' } });

async function started(t: { teardown(fn: () => unknown): void }) {
  const api = new SimulatedApiServer();
  const url = await api.start();
  t.teardown(() => api.stop());
  api.create(pod, aPod('a'));
  return { api, url };
}

/** Reads a watch stream until it ends, or until `untilLines` lines or `timeoutMs` have passed. */
async function readWatch(
  url: string,
  { untilLines = Infinity, timeoutMs = 2000 } = {},
): Promise<{ lines: string[]; ended: 'end' | 'error' | 'timeout' }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const lines: string[] = [];
  let buffer = '';
  try {
    const response = await fetch(url, { signal: controller.signal });
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
      if (lines.length >= untilLines) {
        controller.abort();
        return { lines, ended: 'end' };
      }
    }
    if (buffer) lines.push(buffer);
    return { lines, ended: 'end' };
  } catch {
    if (buffer) lines.push(buffer);
    return { lines, ended: controller.signal.aborted ? 'timeout' : 'error' };
  } finally {
    clearTimeout(timer);
  }
}

const parses = (line: string) => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

test('failRequests: N requests get the status and Retry-After, then service resumes', async (t) => {
  const { api, url } = await started(t);
  api.faults.failRequests = { count: 2, status: 429, retryAfterSeconds: 3 };
  for (const status of [429, 429, 200]) {
    const response = await fetch(`${url}/api/v1/pods`);
    t.is(response.status, status);
    if (status === 429) t.is(response.headers.get('retry-after'), '3');
  }
  api.faults.failRequests = { count: 1, status: 503 };
  const failed = await fetch(`${url}/api/v1/pods?watch=true`);
  t.is(failed.status, 503);
  t.is(((await failed.json()) as { code: number }).code, 503);
  t.is(api.injected.failedRequest, 3);
  t.deepEqual(api.injectedByKind.get('pod'), { failedRequest: 3 }, 'counted for the kind requested');
});

test('expireWatches: a watch gets 410 Gone whatever its resourceVersion', async (t) => {
  const { api, url } = await started(t);
  api.faults.expireWatches = 1;
  const { lines } = await readWatch(`${url}/api/v1/pods?watch=true&resourceVersion=1`);
  t.like(JSON.parse(lines[0]), { type: 'ERROR', object: { code: 410, reason: 'Expired' } });
  t.is(
    (await readWatch(`${url}/api/v1/pods?watch=true&resourceVersion=1`, { timeoutMs: 300 })).ended,
    'timeout',
    'then watches work',
  );
});

test('stalls: a stalled watch stays open and silent, even past its timeoutSeconds', async (t) => {
  const { api, url } = await started(t);
  api.faults.stallNewWatches = true;
  const watching = readWatch(`${url}/api/v1/pods?watch=true&timeoutSeconds=1&allowWatchBookmarks=true`, {
    timeoutMs: 1800,
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  api.create(pod, aPod('b'));
  t.deepEqual(await watching, { lines: [], ended: 'timeout' });

  api.faults.stallNewWatches = false;
  const live = readWatch(`${url}/api/v1/pods?watch=true&resourceVersion=2`, { timeoutMs: 1500 });
  await eventually(() => api.openWatches(pod) === 1, 'watch open');
  api.stallWatches();
  t.is(api.openWatches(), 0);
  api.create(pod, aPod('c'));
  t.deepEqual(await live, { lines: [], ended: 'timeout' });
  t.is(api.injected.stalledWatch, 2);
});

test('dropMidEvent: the connection is cut inside an event line', async (t) => {
  const { api, url } = await started(t);
  api.faults.dropMidEvent = 1;
  const { lines, ended } = await readWatch(`${url}/api/v1/pods?watch=true`);
  t.is(ended, 'error');
  t.is(lines.length, 1);
  t.false(parses(lines[0]));
  t.true(lines[0].startsWith('{"type":"ADDED"'));
});

test('truncateEvents and garbageLines: the stream goes on after a bad line', async (t) => {
  const { api, url } = await started(t);
  api.create(pod, aPod('b'));
  api.faults.truncateEvents = 1;
  api.faults.garbageLines = 1;
  const { lines } = await readWatch(`${url}/api/v1/pods?watch=true`, { untilLines: 3 });
  t.deepEqual(lines.map(parses), [false, false, true]);
  t.is(JSON.parse(lines[2]).object.metadata.name, 'b');
  t.deepEqual([api.injected.garbageLine, api.injected.truncatedEvent], [1, 1]);
});

test('delayMs and inflateBytes: slow responses, large objects', async (t) => {
  const { api, url } = await started(t);
  api.faults = { delayMs: 300, inflateBytes: 3_000_000 };
  const startedAt = Date.now();
  const list = (await (await fetch(`${url}/api/v1/pods`)).json()) as {
    items: Array<{ metadata: { annotations: Record<string, string> } }>;
  };
  t.true(Date.now() - startedAt >= 290);
  t.is(list.items[0].metadata.annotations['simulated.example/padding'].length, 3_000_000);
  t.is(api.list(pod)[0].metadata.annotations, undefined, 'stored objects are not changed');
});

test('restart: connections cut, resourceVersions start again, old resourceVersions expire', async (t) => {
  const { api, url } = await started(t);
  for (const name of ['b', 'c', 'd']) api.create(pod, aPod(name));
  api.delete(pod, 'default', 'd');
  const watching = readWatch(`${url}/api/v1/pods?watch=true&resourceVersion=5`, { timeoutMs: 3000 });
  await eventually(() => api.openWatches(pod) === 1, 'watch open');
  await api.restart(200);
  t.is((await watching).ended, 'error', 'open watch cut');
  const list = (await (await fetch(`${url}/api/v1/pods`)).json()) as {
    metadata: { resourceVersion: string };
    items: Array<{ metadata: { resourceVersion: string } }>;
  };
  t.deepEqual(
    list.items.map((item) => item.metadata.resourceVersion),
    ['1', '2', '3'],
  );
  t.is(list.metadata.resourceVersion, '3');
  const stale = await readWatch(`${url}/api/v1/pods?watch=true&resourceVersion=2`);
  t.like(JSON.parse(stale.lines[0]), { object: { code: 410 } }, 'a resourceVersion not handed out since the restart');
  const fresh = readWatch(`${url}/api/v1/pods?watch=true&resourceVersion=3`, { untilLines: 1 });
  await eventually(() => api.openWatches(pod) === 1, 'watch open');
  api.create(pod, aPod('e'));
  t.like(JSON.parse((await fresh).lines[0]), {
    type: 'ADDED',
    object: { metadata: { name: 'e', resourceVersion: '4' } },
  });
  api.compact();
  const compacted = await readWatch(`${url}/api/v1/pods?watch=true&resourceVersion=3`);
  t.like(
    JSON.parse(compacted.lines[0]),
    { object: { code: 410 } },
    'compaction still expires resourceVersions handed out',
  );
});

const STREAMING_LIST = 'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';

test('a streaming list: the objects as ADDED, a bookmark annotated as their end, then the events since', async (t) => {
  const { api, url } = await started(t);
  api.create(pod, aPod('b'));
  const reading = readWatch(`${url}/api/v1/pods?${STREAMING_LIST}`, { untilLines: 4, timeoutMs: 10_000 });
  await eventually(() => api.openWatches(pod) === 1, 'the initial events sent');
  api.update(pod, 'default', 'a', (object) => {
    object.status.phase = 'Failed';
  });
  const { lines } = await reading;
  const events = lines.map((line) => JSON.parse(line));
  t.deepEqual(
    events.map((event) => `${event.type} ${event.object.metadata.name ?? ''}`),
    ['ADDED a', 'ADDED b', 'BOOKMARK ', 'MODIFIED a'],
  );
  t.deepEqual(events[2].object.metadata, {
    resourceVersion: '2',
    annotations: { 'k8s.io/initial-events-end': 'true' },
  });
  t.is(events[3].object.metadata.resourceVersion, '3');
});

test('streaming lists refused as kube-apiserver 1.32 refuses them, and LISTs from the watch cache ignore the limit', async (t) => {
  const { url } = await started(t);
  const refusal = await fetch(`${url}/api/v1/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`);
  t.is(refusal.status, 422);
  t.regex(
    (await refusal.json()).message,
    /is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/,
  );
  for (const [watchList, status, answer] of [
    ['forbidden', 422, /forbidden for watch unless the WatchList feature gate is enabled/],
    ['storage-unsupported', 200, /"type":"ERROR".*RequestWatchProgress is disabled.*"code":500/],
  ] as const) {
    const api = new SimulatedApiServer({ watchList });
    const base = await api.start();
    t.teardown(() => api.stop());
    const response = await fetch(`${base}/api/v1/pods?${STREAMING_LIST}`);
    t.is(response.status, status, watchList);
    t.regex(await response.text(), answer, watchList);
  }
  const { api: other, url: otherUrl } = await started(t);
  other.create(pod, aPod('b'));
  const page = async (query: string) => (await (await fetch(`${otherUrl}/api/v1/pods?${query}`)).json()).items.length;
  t.is(await page('limit=1'), 1);
  t.is(await page('limit=1&resourceVersion=0&resourceVersionMatch=NotOlderThan'), 2);
});
