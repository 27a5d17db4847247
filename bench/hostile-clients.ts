/**
 * `npx tsx bench/hostile-clients.ts` (after `npm run build`): the built exporter, as a child process against the
 * simulated API server with 5,000 pods and churn, under the hostile clients of issue 18:
 *   1. 50 connections that send `GET /metrics` and never read (20 pod updates/s);
 *   2. then also 1,000 `/events` connections that never read (200 pod updates/s, 3 messages each);
 *   3. then, those closed, 25 clients looping on uncompressed `/metrics` while a gzip scrape is timed (10 updates/s).
 * Prints RSS and external memory after a forced GC (bench/gc-on-signal.mjs) against the idle exporter, the
 * exporter's open file descriptors (a connection it closed is one fewer; the paused clients never see the close),
 * and the gzip scrape times.
 * HOSTILE_ARGS adds exporter flags (space-separated); HOSTILE_SECONDS sets the length of phases 1 and 2 (30).
 */

import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SimulatedApiServer } from '../src/demo/simulated-apiserver.js';
import type { KindSpec } from '../src/kinds/table.js';
import { generateCluster } from './cluster-generator.js';
import { startExporterProcess, writeKubeconfig } from './exporter-process.js';

const SCALE = { name: 'hostile', pods: 5_000, deployments: 500, nodes: 250, services: 1_000 };
const PHASE_SECONDS = Number(process.env.HOSTILE_SECONDS ?? 30);
const EXTRA_ARGS = (process.env.HOSTILE_ARGS ?? '').split(' ').filter(Boolean);

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function procStatus(pid: number, field: string): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function selfMetric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics/self`, { signal: AbortSignal.timeout(15_000) })).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

interface Memory {
  readonly rss: number;
  readonly fds: number;
  /** From /metrics/self; undefined when the exporter did not answer within 15 s. */
  readonly external?: number;
  readonly heap?: number;
}

/** After a full GC in the child; undefined when the process is gone. */
async function memoryOf(child: ChildProcess, url: string): Promise<Memory | undefined> {
  if (child.exitCode !== null || child.signalCode !== null) return undefined;
  child.kill('SIGUSR2');
  await sleep(1000);
  try {
    const rss = procStatus(child.pid!, 'VmRSS');
    const fds = readdirSync(`/proc/${child.pid}/fd`).length;
    const [external, heap] = await Promise.all([
      selfMetric(url, 'kube_api_exporter_nodejs_external_memory_bytes'),
      selfMetric(url, 'kube_api_exporter_nodejs_heap_size_used_bytes'),
    ]).catch(() => [undefined, undefined]);
    return {
      rss,
      fds,
      external: external === undefined ? undefined : external / 2 ** 20,
      heap: heap === undefined ? undefined : heap / 2 ** 20,
    };
  } catch {
    return undefined;
  }
}

const show = (memory: Memory | undefined) =>
  memory === undefined
    ? 'process gone'
    : `RSS ${memory.rss.toFixed(0)} MiB, ${memory.fds} fds, ${
        memory.external === undefined
          ? '/metrics/self did not answer within 15 s'
          : `external ${memory.external.toFixed(0)} MiB, heap ${memory.heap!.toFixed(0)} MiB`
      }`;

/** Raw connections that send one request and never read a byte of the answer. */
async function stalledClients(url: string, path: string, count: number, headers = '') {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on('error', () => {});
    socket.pause();
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n${headers}\r\n`);
    sockets.push(socket);
    if (i % 50 === 49) await sleep(10);
  }
  return {
    destroy() {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** One GET, the body read to the end; resolves with the status and milliseconds. */
async function timedGet(url: string, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - start };
}

/**
 * A gzip scrape as Prometheus makes it, timed by curl in a process of its own: timed from here it would wait behind
 * the looping clients of this process.
 */
async function curlGzip(url: string): Promise<{ status: number; ms: number }> {
  const { stdout } = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-m',
    '30',
    '--compressed',
    '-w',
    '%{http_code} %{time_total}',
    url,
  ]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '0 30' }));
  const [status, seconds] = stdout.trim().split(' ');
  return { status: Number(status), ms: Number(seconds) * 1000 };
}

type Pod = { metadata: { name: string; namespace: string } };

/** Pod updates at `perSecond`, each a new containerID (a `pod/running` event, 3 messages); stop() ends them. */
function churn(api: SimulatedApiServer, kind: KindSpec, pods: Pod[], perSecond: number) {
  let next = 0;
  let generation = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perSecond / 10; i++) {
      const pod = pods[next++ % pods.length];
      generation += 1;
      api.update(kind, pod.metadata.namespace, pod.metadata.name, (object) => {
        object.status.containerStatuses[0].containerID = `containerd://${generation.toString(16).padStart(64, 'f')}`;
        object.status.containerStatuses[0].restartCount += 1;
      });
    }
  }, 100);
  return { stop: () => clearInterval(timer) };
}

const cluster = generateCluster(SCALE);
const api = new SimulatedApiServer();
const apiUrl = await api.start();
for (const [kind, items] of cluster) for (const item of items) api.create(kind, item);
const [podKind, pods] = cluster[0] as readonly [KindSpec, Pod[]];
const dir = mkdtempSync(join(tmpdir(), 'kae-hostile-'));
const kubeconfig = writeKubeconfig(dir, apiUrl);
const exporter = await startExporterProcess(kubeconfig, EXTRA_ARGS);
const { child, url } = exporter;
child.on('exit', (code, signal) => console.log(`exporter exited: code ${code}, signal ${signal}`));

try {
  console.log(`\n5,000 pods (${SCALE.deployments} deployments, ${SCALE.nodes} nodes, ${SCALE.services} services)`);
  console.log(`exporter flags: ${EXTRA_ARGS.join(' ') || '(defaults)'}\n`);
  console.log('| phase | measured |');
  console.log('| --- | --- |');
  const rows = {
    push([phase, value]: [string, string]) {
      console.log(`| ${phase} | ${value} |`);
    },
  };

  let updates = churn(api, podKind, pods, 20);
  await fetch(`${url}/metrics`).then((response) => response.arrayBuffer());
  await sleep(5000);
  const idle = await memoryOf(child, url);
  rows.push(['idle, 20 pod updates/s', show(idle)]);

  const metricsReaders = await stalledClients(url, '/metrics', 50, 'Accept-Encoding: identity\r\n');
  await sleep((PHASE_SECONDS * 1000) / 2);
  rows.push([`+ 50 stalled /metrics readers, ${PHASE_SECONDS / 2} s`, show(await memoryOf(child, url))]);
  await sleep((PHASE_SECONDS * 1000) / 2);
  const afterMetrics = await memoryOf(child, url);
  rows.push([`+ 50 stalled /metrics readers, ${PHASE_SECONDS} s`, show(afterMetrics)]);

  updates.stop();
  updates = churn(api, podKind, pods, 200);
  const eventReaders = await stalledClients(url, '/events', 1000);
  await sleep((PHASE_SECONDS * 1000) / 2);
  rows.push([
    `+ 1,000 stalled /events clients, 200 pod updates/s, ${PHASE_SECONDS / 2} s`,
    show(await memoryOf(child, url)),
  ]);
  await sleep((PHASE_SECONDS * 1000) / 2);
  const afterEvents = await memoryOf(child, url);
  rows.push([`+ 1,000 stalled /events clients, 200 pod updates/s, ${PHASE_SECONDS} s`, show(afterEvents)]);
  if (idle && afterEvents)
    rows.push(['RSS over idle with both attacks', `+${(afterEvents.rss - idle.rss).toFixed(0)} MiB`]);
  metricsReaders.destroy();
  eventReaders.destroy();
  updates.stop();

  if (child.exitCode === null && child.signalCode === null) {
    await sleep(2000);
    updates = churn(api, podKind, pods, 10);
    const alone: number[] = [];
    for (let i = 0; i < 4; i++) {
      alone.push((await curlGzip(`${url}/metrics`)).ms);
      await sleep(1000);
    }
    alone.sort((a, b) => a - b);
    rows.push([
      'gzip scrape alone, 10 pod updates/s (4 scrapes)',
      `median ${alone[2].toFixed(0)} ms, max ${alone[3].toFixed(0)} ms`,
    ]);
    let looping = true;
    const loops = Array.from({ length: 25 }, async () => {
      const statuses = new Map<number, number>();
      while (looping) {
        const { status } = await timedGet(`${url}/metrics`, { 'accept-encoding': 'identity' }).catch(() => ({
          status: 0,
        }));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      return statuses;
    });
    await sleep(2000);
    const gzipScrapes: Array<{ status: number; ms: number }> = [];
    for (let i = 0; i < 8; i++) {
      gzipScrapes.push(await curlGzip(`${url}/metrics`));
      await sleep(1000);
    }
    looping = false;
    const identityStatuses = new Map<number, number>();
    for (const statuses of await Promise.all(loops))
      for (const [status, n] of statuses) identityStatuses.set(status, (identityStatuses.get(status) ?? 0) + n);
    updates.stop();
    const times = gzipScrapes.map((scrape) => scrape.ms).sort((a, b) => a - b);
    rows.push([
      'gzip scrape under 25 looping identity clients, 10 pod updates/s (8 scrapes)',
      `median ${times[4].toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms; statuses ${gzipScrapes.map((scrape) => scrape.status).join(',')}`,
    ]);
    rows.push([
      '  identity responses by status',
      [...identityStatuses].map(([status, n]) => `${status}: ${n}`).join(', '),
    ]);
  }

  if (child.exitCode !== null || child.signalCode !== null)
    console.log(`\nexporter stderr, last lines:\n${exporter.stderrTail()}`);
} finally {
  child.kill('SIGTERM');
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}
