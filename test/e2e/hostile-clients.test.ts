/**
 * Clients that stop reading, or ask for too much: issue 18's attacks in a bounded form. Pods with many containers make
 * a /metrics body of about 11 MB, more than loopback socket buffers take from a client that does not read (about 4 MB),
 * so a client that does not read stalls it. Serial: two such clusters at once fill the sockets unevenly.
 */

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import type { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { DEPLOYMENT, POD } from '../../src/kinds/table.js';
import { manyContainerPod } from '../support/builders/objects.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';

const PODS = 100;
const CONTAINERS = 150;
const DEPLOYMENTS = 300;

const seed = (api: SimulatedApiServer) => {
  for (let index = 0; index < PODS; index++) api.create(POD, manyContainerPod(index, CONTAINERS));
};

/** A connection that sends `GET path` and never reads the answer. */
async function stalledClient(t: ExecutionContext, url: string, path: string, encoding = 'identity'): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  t.teardown(() => socket.destroy());
  await once(socket, 'connect');
  socket.pause();
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept-Encoding: ${encoding}\r\n\r\n`);
  return socket;
}

/** A self-metric's value from /metrics/self. */
async function selfMetric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics/self`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return Number(line?.slice(series.length + 1));
}

const identity = { 'accept-encoding': 'identity' };

test.serial('a client that takes nothing of a response has its connection closed after the send timeout', async (t) => {
  const cluster = await startTestCluster(t, { seed, config: { http: { sendTimeoutMs: 2000 } } });
  const url = cluster.exporter.url;
  // As many as there are uncompressed slots (--max-metrics-responses, 2), before any other response could hold one:
  // while they hold them, others get 503.
  await stalledClient(t, url, '/metrics');
  await stalledClient(t, url, '/metrics');
  await eventually(
    async () => (await fetch(`${url}/metrics`, { headers: identity })).status === 503,
    'both slots held by the stalled readers',
  );
  await eventually(
    async () => (await selfMetric(url, 'kube_api_exporter_http_send_timeouts_total')) >= 2,
    'both stalled readers cut off',
    45_000,
  );
  const scrape = await fetch(`${url}/metrics`, { headers: identity });
  t.is(scrape.status, 200, 'their slots are free again');
  const size = (await scrape.arrayBuffer()).byteLength;
  t.true(size > 8 * 2 ** 20, `a reading client gets it all, a body larger than socket buffers take (${size} bytes)`);
});

test.serial(
  'beyond --max-metrics-responses, /metrics answers 503 with Retry-After; gzip scrapes have slots of their own',
  async (t) => {
    const cluster = await startTestCluster(t, { seed, config: { http: { maxMetricsResponses: 2 } } });
    const url = cluster.exporter.url;
    const stalled = [await stalledClient(t, url, '/metrics'), await stalledClient(t, url, '/metrics')];
    let refused: Response | undefined;
    await eventually(async () => {
      refused = await fetch(`${url}/metrics`, { headers: identity });
      return refused.status === 503;
    }, 'both uncompressed slots held by the stalled readers');
    t.is(refused!.headers.get('retry-after'), '1');
    t.regex(await refused!.text(), /too many \/metrics responses \(identity\) in flight/);
    const gzipped = await fetch(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    t.is(gzipped.status, 200, 'a gzip scrape is not starved by uncompressed ones');
    t.is(gzipped.headers.get('content-encoding'), 'gzip');
    t.regex(await gzipped.text(), /^kube_api_exporter_series \d+$/m, 'the whole body, self-metrics included');
    t.true((await selfMetric(url, 'kube_api_exporter_metrics_responses_rejected_total{encoding="identity"}')) >= 1);
    for (const socket of stalled) socket.destroy();
    await eventually(
      async () => (await fetch(`${url}/metrics`, { headers: identity })).status === 200,
      'slots given back when the clients go',
    );
  },
);

/**
 * Reads the whole response to `GET path` slowly, at about `bytesPerSecond`: after every chunk the socket delivers, a
 * pause as long as the chunk takes at that rate (a pause per chunk would make the time depend on the chunks' sizes).
 */
async function slowRead(url: string, path: string, bytesPerSecond: number): Promise<{ bytes: number; ms: number }> {
  const { hostname, port } = new URL(url);
  const startedAt = Date.now();
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    socket.pause();
    setTimeout(() => socket.resume(), (chunk.length / bytesPerSecond) * 1000);
  });
  await once(socket, 'close');
  return { bytes, ms: Date.now() - startedAt };
}

/** Deployments whose templates have the big pods' containers: a LeanIX v2 document larger than socket buffers take. */
function seedBigDeployments(api: SimulatedApiServer) {
  const { containers } = manyContainerPod(0, CONTAINERS).spec;
  for (let index = 0; index < DEPLOYMENTS; index++) {
    const labels = { app: `big-${index}` };
    api.create(DEPLOYMENT, {
      metadata: { name: `big-${index}`, namespace: 'shop', uid: `deployment-uid-${index}` },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers } },
      },
    });
  }
}

test.serial(
  'a client that reads a large document slowly, but steadily, is not cut off by the send timeout',
  async (t) => {
    // The kernel reports a full socket writable again only once about a third of its buffer has drained (about 1 MB
    // here), so progress shows in steps of that size: the timeout must be longer than the reader takes for one step.
    const sendTimeoutMs = 3000;
    const cluster = await startTestCluster(t, {
      seed: (api) => {
        seed(api);
        seedBigDeployments(api);
      },
      config: { http: { sendTimeoutMs } },
    });
    const url = cluster.exporter.url;
    const path = '/leanix/v2.json';
    const expected = (await (await fetch(`${url}${path}`)).arrayBuffer()).byteLength;
    // About 1 MB/s: a body of over 9 MB takes more than twice the send timeout, each step of progress less than it.
    const { bytes, ms } = await slowRead(url, path, 1024 * 1024);
    t.true(ms > 2 * sendTimeoutMs, `read over ${ms} ms, longer than the send timeout`);
    t.true(bytes > expected, `${bytes} bytes read with headers, a body of ${expected}`);
    t.is(await selfMetric(url, 'kube_api_exporter_http_send_timeouts_total'), 0);
  },
);
