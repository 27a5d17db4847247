/**
 * `npm run bench`: the exporter against (b) a naive prom-client exporter that sets Gauges from a cache on every
 * scrape and (c) the floor, a server writing a pre-built buffer of the same size; same objects, same run.
 * Prints one table per scale with absolute figures and ratios.
 */

import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { SimulatedApiServer } from '../src/demo/simulated-apiserver.js';
import type { KindSpec } from '../src/kinds/table.js';
import { parseLabels } from '../src/metrics/exposition.js';
import { flatten } from '../src/metrics/flatten.js';
import { generateCluster, SCALES, type Scale } from './cluster-generator.js';
import { ExporterFailed, startExporterProcess, waitFor, writeKubeconfig } from './exporter-process.js';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 20);
const scaleNames = (process.env.BENCH_SCALES ?? 'S,M').split(',');
/** Shard counts for the sizing table (README "Large clusters"); "" skips it, BENCH_SHARDS_ONLY=1 runs only it. */
const shardCounts = (process.env.BENCH_SHARDS ?? '1,2,4').split(',').filter(Boolean).map(Number);
const shardsOnly = process.env.BENCH_SHARDS_ONLY === '1';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface ScrapeStats {
  readonly p50: number;
  readonly p99: number;
  readonly bytes: number;
}

const percentile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

/** One GET, body read to the end undecoded; returns milliseconds and bytes on the wire. */
function timedGet(url: string, headers: Record<string, string> = {}): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve({ ms: performance.now() - start, bytes }));
    })
      .on('error', reject)
      .end();
  });
}

async function timeScrapes(
  url: string,
  headers: Record<string, string> = { 'accept-encoding': 'identity' },
): Promise<ScrapeStats> {
  const durations: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i++) {
    const scrape = await timedGet(url, headers);
    durations.push(scrape.ms);
    bytes = scrape.bytes;
  }
  durations.sort((a, b) => a - b);
  return { p50: percentile(durations, 0.5), p99: percentile(durations, 0.99), bytes };
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name, in clock ticks (USER_HZ, 100).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** RSS now, or with VmHWM its peak so far: what a container's memory limit must hold. */
function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** (b): the usual Node exporter: Gauges re-filled from the cached objects on every scrape. */
function naiveExporter(objects: Array<readonly [KindSpec, object[]]>): Server {
  const registry = new Registry();
  const gauges = new Map<string, Gauge>();
  // Samples carry their labels as exposition text: read back once per distinct text, so that (b) pays for
  // prom-client, not for the parsing.
  const labelsOf = new Map<string, Record<string, string>>();
  return createServer(async (_request, response) => {
    registry.resetMetrics();
    for (const [kind, items] of objects) {
      for (const item of items as Array<{ metadata: { name: string; namespace?: string } }>) {
        for (const sample of flatten(`k8s_${kind.metricName}`, item.metadata, item)) {
          let labels = labelsOf.get(sample.labelText);
          if (!labels) {
            labels = Object.fromEntries(parseLabels(sample.labelText));
            labelsOf.set(sample.labelText, labels);
          }
          let gauge = gauges.get(sample.name);
          if (!gauge) {
            gauge = new Gauge({
              name: sample.name,
              help: sample.path,
              labelNames: Object.keys(labels),
              registers: [registry],
            });
            gauges.set(sample.name, gauge);
          }
          gauge.set(labels, sample.value);
        }
      }
    }
    response.setHeader('Content-Type', registry.contentType);
    response.end(await registry.metrics());
  });
}

function floorServer(size: number): Server {
  const body = Buffer.alloc(size, 'k');
  return createServer((_request, response) => response.end(body));
}

/** The exporter's own counters and gauges, read from the cheap /metrics/self. */
async function selfMetrics(exporterUrl: string): Promise<(series: string) => number> {
  const text = await (await fetch(`${exporterUrl}/metrics/self`)).text();
  return (series) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
}

const podEvents = (type: string) => `kube_api_exporter_watch_events_total{kind="pod",type="${type}"}`;
const HEAP_USED = 'kube_api_exporter_nodejs_heap_size_used_bytes';

/** Waits until the exporter has applied at least this many pod events of the type; returns when that was. */
async function podEventsApplied(exporterUrl: string, type: string, count: number): Promise<number> {
  await waitFor(async () => (await selfMetrics(exporterUrl))(podEvents(type)) >= count);
  return performance.now();
}

interface Memory {
  readonly rss: number;
  readonly heap: number;
}

/** RSS and live heap after a full GC (bench/gc-on-signal.mjs), so lazily collected garbage does not pass for growth. */
async function memoryOf(child: ChildProcess, exporterUrl: string): Promise<Memory> {
  child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { rss: rssMiB(child.pid!), heap: (await selfMetrics(exporterUrl))(HEAP_USED) / 2 ** 20 };
}

type PodObject = { metadata: { name: string; namespace: string } };

/** Deletes each pod and creates it anew under the round's name: a new object for the exporter. */
function replacePods(api: SimulatedApiServer, podKind: KindSpec, pods: readonly PodObject[], round: number) {
  return pods.map((item) => {
    api.delete(podKind, item.metadata.namespace, item.metadata.name);
    const next = structuredClone(item);
    next.metadata.name = `${item.metadata.name.replace(/-r\d+$/, '')}-r${round}`;
    api.create(podKind, next);
    return next;
  });
}

/** Pod event apply, measured by bench/apply-events.ts in a process of its own (why, and what `changes` means: see there). */
function applyEvents(scale: Scale, changes: 'series' | 'no-series', metricNames: 'k8s' | 'ksm' = 'k8s'): string {
  const args = ['--import', 'tsx', 'bench/apply-events.ts', scale.name, changes, metricNames];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bench/apply-events.ts failed: ${result.stderr}`);
  const { perCpuSecond, perSecond } = JSON.parse(result.stdout) as { perCpuSecond: number; perSecond: number };
  return `${perSecond} events/s (${perCpuSecond} per CPU-second)`;
}

/** The simulated API server serving the scale's objects, and a kubeconfig file for it. */
async function startClusterOf(scale: Scale) {
  const cluster = generateCluster(scale);
  const api = new SimulatedApiServer();
  const apiUrl = await api.start();
  for (const [kind, items] of cluster) for (const item of items) api.create(kind, item);
  const dir = mkdtempSync(join(tmpdir(), 'kae-bench-'));
  const kubeconfig = writeKubeconfig(dir, apiUrl);
  return {
    cluster,
    api,
    kubeconfig,
    async stop() {
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function benchScale(scale: Scale): Promise<void> {
  // First, while nothing else of the benchmark runs: an exporter process left alive would share the cores.
  const applySeries = applyEvents(scale, 'series');
  const applyNoSeries = applyEvents(scale, 'no-series');
  const applyKsm = applyEvents(scale, 'series', 'ksm');
  const { cluster, api, kubeconfig, stop } = await startClusterOf(scale);
  const started = performance.now();
  const { child, url: exporterUrl } = await startExporterProcess(kubeconfig);
  try {
    const syncSeconds = (performance.now() - started) / 1000;
    const afterSync = await memoryOf(child, exporterUrl);
    const metricsUrl = `${exporterUrl}/metrics`;
    const ours = await timeScrapes(metricsUrl);
    const oursGzip = await timeScrapes(metricsUrl, { 'accept-encoding': 'gzip' });
    const leanix = await timeScrapes(`${exporterUrl}/leanix.json`);
    const leanixV2 = await timeScrapes(`${exporterUrl}/leanix/v2.json`);
    const leanixLdif = await timeScrapes(`${exporterUrl}/leanix/ldif.json`);
    const series = (await selfMetrics(exporterUrl))('kube_api_exporter_series');

    const [podKind, pods] = cluster[0] as readonly [(typeof cluster)[0][0], PodObject[]];
    const touchPod = () =>
      api.update(podKind, pods[0].metadata.namespace, pods[0].metadata.name, (object) => (object.spec.priority += 1));

    // Scrapes right after a change pay the render (and gzip); four at once must share it, not do it four times.
    let updates = (await selfMetrics(exporterUrl))(podEvents('update'));
    const afterChange = async (scrape: () => Promise<unknown>) => {
      touchPod();
      await podEventsApplied(exporterUrl, 'update', ++updates);
      const start = performance.now();
      await scrape();
      return performance.now() - start;
    };
    const gzipped = { 'accept-encoding': 'gzip' };
    const oneAfterChange = await afterChange(() => timedGet(metricsUrl, gzipped));
    const fourAfterChange = await afterChange(() => Promise.all([1, 2, 3, 4].map(() => timedGet(metricsUrl, gzipped))));

    // A MODIFIED storm: every pod changes once; time until the exporter applied them all. Produced in batches with a
    // turn of the event loop between them, so the events stream out while the rest are still being produced.
    const stormStart = performance.now();
    const stormCpuStart = cpuSeconds(child.pid!);
    for (const [index, item] of pods.entries()) {
      api.update(
        podKind,
        item.metadata.namespace,
        item.metadata.name,
        (object) => (object.status.containerStatuses[0].restartCount += 1),
      );
      if (index % 200 === 199) await new Promise(setImmediate);
    }
    updates += pods.length;
    const producedPerSecond = (pods.length / (performance.now() - stormStart)) * 1000;
    const eventsPerSecond =
      (pods.length / ((await podEventsApplied(exporterUrl, 'update', updates)) - stormStart)) * 1000;
    const eventsPerExporterCpuSecond = pods.length / (cpuSeconds(child.pid!) - stormCpuStart);
    const afterStorm = await memoryOf(child, exporterUrl);

    // Full churn: every pod replaced by a new one, ten times over.
    const churnRounds = 10;
    let adds = (await selfMetrics(exporterUrl))(podEvents('add'));
    const churn: Memory[] = [];
    let current = pods;
    for (let round = 1; round <= churnRounds; round++) {
      current = replacePods(api, podKind, current, round);
      adds += pods.length;
      await podEventsApplied(exporterUrl, 'add', adds);
      await timedGet(metricsUrl, gzipped); // a scrape per round, as Prometheus would do
      churn.push(await memoryOf(child, exporterUrl));
    }

    const naive = naiveExporter(cluster);
    const naiveStats = await timeScrapes(await listen(naive));
    naive.close();
    const floor = floorServer(ours.bytes);
    const floorStats = await timeScrapes(await listen(floor));
    floor.close();

    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const mib = (memory: Memory) => `${memory.rss.toFixed(0)} MiB RSS, ${memory.heap.toFixed(0)} MiB heap`;
    const growth = (from: number, to: number) => `${(((to - from) / from) * 100).toFixed(1)}%`;
    console.log(
      `\n## Scale ${scale.name}: ${scale.pods} pods, ${scale.deployments} deployments, ${scale.nodes} nodes, ${scale.services} services; ${series} series`,
    );
    console.log('');
    console.log('| /metrics | p50 | p99 | bytes | this vs (a) (p50) |');
    console.log('| --- | --- | --- | --- | --- |');
    const row = (label: string, stats: ScrapeStats) =>
      console.log(
        `| ${label} | ${ms(stats.p50)} | ${ms(stats.p99)} | ${stats.bytes} | ${(stats.p50 / ours.p50).toFixed(2)}× |`,
      );
    row('(a) kube-api-exporter', ours);
    row('(a) kube-api-exporter, gzip', oursGzip);
    row('(b) naive prom-client Gauges', naiveStats);
    row('(c) floor: pre-built buffer', floorStats);
    console.log('');
    console.log('| measure | value |');
    console.log('| --- | --- |');
    console.log(`| initial sync | ${syncSeconds.toFixed(2)} s |`);
    console.log(`| memory after sync | ${mib(afterSync)} |`);
    console.log(
      `| MODIFIED storm (${pods.length} pod updates) through the watch stream, end to end | ${eventsPerSecond.toFixed(0)} events/s (the simulated API server produced them at ${producedPerSecond.toFixed(0)}/s) |`,
    );
    console.log(
      `| the same storm per CPU-second of the exporter process (HTTP stream, JSON, informer, apply, listeners, self-metrics) | ${eventsPerExporterCpuSecond.toFixed(0)} events/s |`,
    );
    console.log(
      `| pod event apply in the exporter (flatten, store, trim), updates that change a series (restartCount) | ${applySeries} |`,
    );
    console.log(`| the same for updates that change no series (resourceVersion only) | ${applyNoSeries} |`);
    console.log(`| the series-changing updates with --metric-names=ksm (kube-state-metrics' names) | ${applyKsm} |`);
    console.log(`| memory after the storm | ${mib(afterStorm)} |`);
    console.log(
      `| memory after churn round 1 → ${churnRounds} (every pod replaced each round) | ${mib(churn[0])} → ${mib(churn.at(-1)!)}: RSS ${growth(churn[0].rss, churn.at(-1)!.rss)}, heap ${growth(churn[0].heap, churn.at(-1)!.heap)} |`,
    );
    console.log(
      `| gzip scrape right after a change: 1 alone → 4 concurrent (wall time) | ${ms(oneAfterChange)} → ${ms(fourAfterChange)} (${(fourAfterChange / oneAfterChange).toFixed(2)}×) |`,
    );
    for (const [path, stats] of [
      ['/leanix.json', leanix],
      ['/leanix/v2.json', leanixV2],
      ['/leanix/ldif.json', leanixLdif],
    ] as const) {
      console.log(`| ${path} | p50 ${ms(stats.p50)}, p99 ${ms(stats.p99)}, ${stats.bytes} bytes |`);
    }
  } finally {
    child.kill('SIGTERM');
    await stop();
  }
}

/**
 * The sizing table: for each shard count n, n exporters with --shard i --total-shards n sync the same cluster at
 * once; per shard, its pods, memory after sync (after a full GC) and /metrics p50 (the largest over the shards).
 * Then least-squares lines through every shard's (pods, heap) and (pods, RSS), a fixed cost plus a cost per 10k pods
 * in a shard, and through (pods, p50) from the origin (a scrape writes bytes in proportion to the shard's series).
 */
async function benchShards(scale: Scale): Promise<void> {
  const { kubeconfig, stop } = await startClusterOf(scale);
  console.log(
    `\n## Shards at scale ${scale.name}: ${scale.pods} pods (all shards sync concurrently, then each is scraped in turn)`,
  );
  console.log('');
  console.log(
    '| shards | pods per shard | RSS per shard | heap per shard | /metrics p50 per shard | /metrics bytes per shard | initial sync (all shards) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const points: Array<{ pods: number; rss: number; heap: number; p50: number }> = [];
  try {
    for (const total of shardCounts) {
      const started = performance.now();
      const shards = await Promise.all(
        Array.from({ length: total }, (_, shard) =>
          startExporterProcess(kubeconfig, ['--shard', String(shard), '--total-shards', String(total)]),
        ),
      );
      const syncSeconds = (performance.now() - started) / 1000;
      try {
        const rows: Array<{ pods: number; memory: Memory; scrape: ScrapeStats }> = [];
        for (const { child, url } of shards) {
          const pods = (await selfMetrics(url))('kube_api_exporter_cache_objects{kind="pod"}');
          rows.push({ pods, memory: await memoryOf(child, url), scrape: await timeScrapes(`${url}/metrics`) });
        }
        const most = (pick: (row: (typeof rows)[number]) => number) => Math.max(...rows.map(pick));
        console.log(
          `| ${total} | ${most((row) => row.pods)} | ${most((row) => row.memory.rss).toFixed(0)} MiB | ${most((row) => row.memory.heap).toFixed(0)} MiB | ${most((row) => row.scrape.p50).toFixed(1)} ms | ${(most((row) => row.scrape.bytes) / 1e6).toFixed(1)} MB | ${syncSeconds.toFixed(1)} s |`,
        );
        for (const row of rows)
          points.push({ pods: row.pods, rss: row.memory.rss, heap: row.memory.heap, p50: row.scrape.p50 });
      } finally {
        for (const { child } of shards) child.kill('SIGTERM');
      }
    }
    const per10k = (pick: (point: (typeof points)[number]) => number) =>
      points.map((point) => [point.pods / 10_000, pick(point)] as const);
    const heap = fitLine(per10k((point) => point.heap));
    const rss = fitLine(per10k((point) => point.rss));
    const p50 =
      per10k((point) => point.p50).reduce((sum, [x, y]) => sum + x * y, 0) /
      per10k(() => 0).reduce((sum, [x]) => sum + x * x, 0);
    console.log(
      `\nPer shard, least squares over ${points.length} shards: live heap ≈ ${heap.intercept.toFixed(0)} MiB + ${heap.slope.toFixed(0)} MiB per 10k pods; RSS ≈ ${rss.intercept.toFixed(0)} MiB + ${rss.slope.toFixed(0)} MiB per 10k pods; /metrics p50 ≈ ${p50.toFixed(0)} ms per 10k pods.`,
    );
  } finally {
    await stop();
  }
}

/** Issue 21, items 1 and 2: the targets beside the figures. */
const PEAK_RSS_TARGET_MIB = 300;
const AFTER_CHANGE_TARGET = 0.1;
const GZIP_SIZE_TARGET = 1.1;
/** glibc malloc settings the peak run is repeated with (environment of the exporter process). */
const MALLOC_VARIANTS: ReadonlyArray<readonly [string, Readonly<Record<string, string>>]> = [
  ['glibc defaults', {}],
  ['MALLOC_ARENA_MAX=2', { MALLOC_ARENA_MAX: '2' }],
];
/** Each batch of the peak run: four scrapes at once, as Prometheus replicas and people would send them. */
const SCRAPE_BATCH = [
  { 'accept-encoding': 'gzip' },
  { 'accept-encoding': 'identity' },
  { 'accept-encoding': 'gzip' },
  { 'accept-encoding': 'identity' },
];

/** VmHWM (peak RSS) and VmRSS of a process, in MiB. */
function peakAndRssMiB(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
  return { peak: field('VmHWM'), rss: field('VmRSS') };
}

/**
 * The peak RSS an operator's container limit sees, no forced GC: sync, then 10 rounds of churn (every pod replaced),
 * with a batch of four scrapes (gzip and identity) sent while every second round's events are applied: 20 scrapes.
 */
async function peakRssRun(scale: Scale, env: Readonly<Record<string, string>>) {
  const { cluster, api, kubeconfig, stop } = await startClusterOf(scale);
  const { child, url } = await startExporterProcess(kubeconfig, [], { env });
  try {
    const [podKind, pods] = cluster[0] as readonly [KindSpec, PodObject[]];
    const afterSync = peakAndRssMiB(child.pid!);
    let adds = (await selfMetrics(url))(podEvents('add'));
    let current = pods;
    for (let round = 1; round <= 10; round++) {
      current = replacePods(api, podKind, current, round);
      adds += pods.length;
      const scrapes = round % 2 === 0 ? SCRAPE_BATCH.map((headers) => timedGet(`${url}/metrics`, headers)) : [];
      await podEventsApplied(url, 'add', adds);
      await Promise.all(scrapes);
    }
    return { afterSync, atEnd: peakAndRssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await stop();
  }
}

/** One GET's whole body, uncompressed. */
async function identityBodyOf(url: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(url, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Scrapes after a change that are not timed, then the timed ones: the cost of a scrape in steady state. */
const AFTER_CHANGE_WARMUP = 8;
const AFTER_CHANGE_ROUNDS = 30;

/**
 * What a gzip scrape costs right after a one-object change in steady state, against a full re-gzip of the same body
 * in one deflate stream at the same level, in this process (CPU time, as that is); and the sizes. The cost is the
 * exporter's CPU over the scrape, a mean (/proc counts it in 10 ms ticks); its wall time, a median, adds the client in
 * this process reading 4 MB and the loopback, and varies with whatever else the machine does. The first scrapes
 * after the start run code V8 has not optimised yet (the first few take about twice as long), which a replica scraped
 * every 15 s has long left behind: they are not timed.
 */
async function gzipAfterChange(scale: Scale) {
  const { cluster, api, kubeconfig, stop } = await startClusterOf(scale);
  const { child, url } = await startExporterProcess(kubeconfig);
  try {
    const metricsUrl = `${url}/metrics`;
    const [podKind, pods] = cluster[0] as readonly [KindSpec, PodObject[]];
    const identity = await identityBodyOf(metricsUrl);
    const oneStream = () => gzipSync(identity, { level: constants.Z_BEST_SPEED });
    // The fastest of five: what the full re-gzip costs at least, so that a slow moment cannot flatter the ratio.
    const fullGzipMs = Math.min(
      ...[1, 2, 3, 4, 5].map(() => {
        const start = performance.now();
        oneStream();
        return performance.now() - start;
      }),
    );
    const first = await timedGet(metricsUrl, { 'accept-encoding': 'gzip' });
    let updates = (await selfMetrics(url))(podEvents('update'));
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let round = 0; round < AFTER_CHANGE_WARMUP + AFTER_CHANGE_ROUNDS; round++) {
      api.update(podKind, pods[0].metadata.namespace, pods[0].metadata.name, (object) => (object.spec.priority += 1));
      await podEventsApplied(url, 'update', ++updates);
      const cpuBefore = cpuSeconds(child.pid!);
      const start = performance.now();
      await timedGet(metricsUrl, { 'accept-encoding': 'gzip' });
      if (round < AFTER_CHANGE_WARMUP) continue;
      wall.push(performance.now() - start);
      cpu.push((cpuSeconds(child.pid!) - cpuBefore) * 1000);
    }
    return {
      fullGzipMs,
      firstGzipMs: first.ms,
      afterChangeMs: median(wall),
      afterChangeCpuMs: cpu.reduce((total, ms) => total + ms, 0) / cpu.length,
      gzipBytes: first.bytes,
      oneStreamBytes: oneStream().length,
    };
  } finally {
    child.kill('SIGTERM');
    await stop();
  }
}

/** Issue 21 items 1 and 2 at a scale: each target beside the measured figure. */
async function benchMemoryAndGzip(scale: Scale): Promise<void> {
  console.log(`\n## Peak memory and gzip after a change at scale ${scale.name} (issue 21)`);
  console.log('');
  console.log('| measure | value | target |');
  console.log('| --- | --- | --- |');
  for (const [label, env] of MALLOC_VARIANTS) {
    const { afterSync, atEnd } = await peakRssRun(scale, env);
    console.log(
      `| peak RSS (VmHWM), no forced GC: sync, then 10 churn rounds with 20 scrapes, 4 at a time, gzip and identity; ${label} | ${atEnd.peak.toFixed(0)} MiB (after sync: peak ${afterSync.peak.toFixed(0)} MiB; RSS at the end ${atEnd.rss.toFixed(0)} MiB) | < ${PEAK_RSS_TARGET_MIB} MiB |`,
    );
  }
  const gzip = await gzipAfterChange(scale);
  const percentOfFull = (ms: number) => `${((ms / gzip.fullGzipMs) * 100).toFixed(1)}%`;
  console.log(
    `| gzip scrape right after a one-object change, steady state (exporter CPU, mean of ${AFTER_CHANGE_ROUNDS} after ${AFTER_CHANGE_WARMUP} untimed) vs a full re-gzip of the body (one stream, level 1, fastest of 5) | ${gzip.afterChangeCpuMs.toFixed(1)} ms vs ${gzip.fullGzipMs.toFixed(1)} ms: ${percentOfFull(gzip.afterChangeCpuMs)} (wall time, median: ${gzip.afterChangeMs.toFixed(1)} ms, ${percentOfFull(gzip.afterChangeMs)}; first gzip scrape, every block deflated: ${gzip.firstGzipMs.toFixed(0)} ms) | ≤ ${AFTER_CHANGE_TARGET * 100}% |`,
  );
  console.log(
    `| gzip body vs one-stream gzip of the same text (level 1) | ${gzip.gzipBytes} vs ${gzip.oneStreamBytes} bytes: ${((gzip.gzipBytes / gzip.oneStreamBytes - 1) * 100).toFixed(1)}% | ≤ +${((GZIP_SIZE_TARGET - 1) * 100).toFixed(0)}% |`,
  );
}

/** Least-squares line y = intercept + slope·x. */
function fitLine(points: ReadonlyArray<readonly [x: number, y: number]>): { intercept: number; slope: number } {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const slope = variance === 0 ? NaN : covariance / variance;
  return { slope, intercept: meanY - slope * meanX };
}

/**
 * Scale L, and the curve it ends: per scale, one replica (initial sync, its peak RSS, gzip scrapes each right after
 * a pod changed, as Prometheus scrapes a busy cluster, and the peak RSS after them) and 4 shards (the same, per
 * replica); then the first sync's cost with each way of listing (src/kube/initial-list.ts). Peak RSS is VmHWM of the
 * exporter process: no forced GC, what a container's memory limit must hold. At L only these run: the comparison
 * and churn rounds above would take an hour there (the naive exporter alone needs minutes per scrape).
 */
const CURVE_TARGETS = { scale: 'L', syncSeconds: 60, peakMiB: 2560, gzipP99Ms: 2000, shardPeakMiB: 800 };
const CURVE_SHARDS = 4;
/** Gzip scrapes after a change per replica: at L each renders and compresses 8 million series. */
const CURVE_SCRAPES = Number(process.env.BENCH_CURVE_SCRAPES ?? 5);
/** At L, on this shared machine, a sync can take many minutes. */
const CURVE_SYNC_TIMEOUT_MS = 30 * 60_000;
const INITIAL_LIST_WAYS = ['paged', 'watch-cache', 'stream'] as const;

interface CurvePoint {
  readonly scale: Scale;
  readonly series: number;
  readonly syncSeconds: number;
  readonly syncPeak: number;
  /** The first gzip scrape after the sync, which deflates every block; the later ones deflate what changed. */
  readonly firstGzipMs: number;
  readonly gzip: ScrapeStats;
  readonly peak: number;
  readonly shardSyncSeconds: number;
  readonly shardPeak: number;
  readonly shardGzipP99: number;
}

/** Per kind, the series one of its objects renders to: counted on the smallest scale run, as the same at every scale. */
let seriesPerObject: Record<string, number> | undefined;

async function seriesOfEachKind(exporterUrl: string, scale: Scale): Promise<Record<string, number>> {
  const text = await (await fetch(`${exporterUrl}/metrics`)).text();
  const counts: Record<string, number> = { pod: 0, deployment: 0, node: 0, service: 0 };
  for (const line of text.split('\n')) {
    const kind = /^k8s_(pod|deployment|node|service)_/.exec(line)?.[1];
    if (kind) counts[kind] += 1;
  }
  const objects: Record<string, number> = {
    pod: scale.pods,
    deployment: scale.deployments,
    node: scale.nodes,
    service: scale.services,
  };
  return Object.fromEntries(Object.entries(counts).map(([kind, count]) => [kind, count / objects[kind]]));
}

/** Gzip scrapes, each right after a pod changed (so each pays the render and the compression). */
async function gzipScrapesAfterChanges(
  exporterUrl: string,
  api: SimulatedApiServer,
  cluster: ReturnType<typeof generateCluster>,
  count: number,
): Promise<ScrapeStats> {
  const [podKind, pods] = cluster[0] as readonly [(typeof cluster)[0][0], PodObject[]];
  let updates = (await selfMetrics(exporterUrl))(podEvents('update'));
  const durations: number[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const { namespace, name } = pods[i % pods.length].metadata;
    api.update(podKind, namespace, name, (object) => (object.spec.priority += 1));
    await podEventsApplied(exporterUrl, 'update', ++updates);
    const scrape = await timedGet(`${exporterUrl}/metrics`, { 'accept-encoding': 'gzip' });
    durations.push(scrape.ms);
    bytes = scrape.bytes;
  }
  durations.sort((a, b) => a - b);
  return { p50: percentile(durations, 0.5), p99: percentile(durations, 0.99), bytes };
}

async function curvePoint(
  scale: Scale,
  cluster: ReturnType<typeof generateCluster>,
  api: SimulatedApiServer,
  kubeconfig: string,
): Promise<CurvePoint> {
  let started = performance.now();
  const one = await startExporterProcess(kubeconfig, [], { syncTimeoutMs: CURVE_SYNC_TIMEOUT_MS });
  let single: Omit<CurvePoint, 'scale' | 'shardSyncSeconds' | 'shardPeak' | 'shardGzipP99'>;
  try {
    const syncSeconds = (performance.now() - started) / 1000;
    const syncPeak = rssMiB(one.child.pid!, 'VmHWM');
    const series = (await selfMetrics(one.url))('kube_api_exporter_series');
    const firstGzipMs = (await timedGet(`${one.url}/metrics`, { 'accept-encoding': 'gzip' })).ms;
    seriesPerObject ??= await seriesOfEachKind(one.url, scale);
    const gzip = await gzipScrapesAfterChanges(one.url, api, cluster, CURVE_SCRAPES);
    single = { series, syncSeconds, syncPeak, firstGzipMs, gzip, peak: rssMiB(one.child.pid!, 'VmHWM') };
    console.log(`\n(scale ${scale.name}, one replica: ${JSON.stringify(single)})`);
  } finally {
    one.child.kill('SIGTERM');
  }
  started = performance.now();
  const shards = await Promise.all(
    Array.from({ length: CURVE_SHARDS }, (_, shard) =>
      startExporterProcess(kubeconfig, ['--shard', String(shard), '--total-shards', String(CURVE_SHARDS)], {
        syncTimeoutMs: CURVE_SYNC_TIMEOUT_MS,
      }),
    ),
  );
  try {
    const shardSyncSeconds = (performance.now() - started) / 1000;
    let shardGzipP99 = 0;
    // A changed pod is one shard's only: each shard's first scrape pays its whole render and compression.
    for (const { url } of shards)
      shardGzipP99 = Math.max(shardGzipP99, (await timeScrapes(`${url}/metrics`, { 'accept-encoding': 'gzip' })).p99);
    const shardPeak = Math.max(...shards.map(({ child }) => rssMiB(child.pid!, 'VmHWM')));
    const point = { scale, ...single, shardSyncSeconds, shardPeak, shardGzipP99 };
    console.log(
      `(scale ${scale.name}, ${CURVE_SHARDS} shards: ${JSON.stringify({ shardSyncSeconds, shardPeak, shardGzipP99 })})`,
    );
    return point;
  } finally {
    for (const { child } of shards) child.kill('SIGTERM');
  }
}

/** The first sync with each way of listing: its time and the peak RSS it left, or how it failed. */
async function benchInitialLists(scale: Scale, kubeconfig: string): Promise<void> {
  console.log(`\n## Initial sync at scale ${scale.name} by way of listing (--initial-list)`);
  console.log('');
  console.log(
    '| --initial-list | initial sync | CPU of the exporter in it | CPU of the simulated API server in it | peak RSS at sync (VmHWM) | RSS after a full GC | live heap |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const way of INITIAL_LIST_WAYS) {
    const started = performance.now();
    const serverCpuBefore = process.cpuUsage();
    try {
      const { child, url } = await startExporterProcess(kubeconfig, ['--initial-list', way], {
        failOn: 'list/watch failed',
        syncTimeoutMs: CURVE_SYNC_TIMEOUT_MS,
      });
      try {
        const seconds = (performance.now() - started) / 1000;
        const serverCpu = process.cpuUsage(serverCpuBefore);
        const exporterCpu = cpuSeconds(child.pid!);
        const peak = rssMiB(child.pid!, 'VmHWM');
        const after = await memoryOf(child, url);
        console.log(
          `| ${way} | ${seconds.toFixed(1)} s | ${exporterCpu.toFixed(1)} s | ${((serverCpu.user + serverCpu.system) / 1e6).toFixed(1)} s | ${peak.toFixed(0)} MiB | ${after.rss.toFixed(0)} MiB | ${after.heap.toFixed(0)} MiB |`,
        );
      } finally {
        child.kill('SIGTERM');
      }
    } catch (error) {
      if (!(error instanceof ExporterFailed)) throw error;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const logged = (() => {
        try {
          return JSON.parse(error.message).error;
        } catch {
          return error.message;
        }
      })();
      console.log(`| ${way} | fails after ${seconds} s: ${logged} | | | | | |`);
    }
  }
}

async function benchCurve(scale: Scale): Promise<CurvePoint> {
  const started = performance.now();
  const { cluster, api, kubeconfig, stop } = await startClusterOf(scale);
  console.log(
    `\n(scale ${scale.name}: the simulated cluster generated and loaded in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
  try {
    const point = await curvePoint(scale, cluster, api, kubeconfig);
    await benchInitialLists(scale, kubeconfig);
    return point;
  } finally {
    await stop();
  }
}

function printCurve(points: readonly CurvePoint[]): void {
  const mib = (value: number) => `${value.toFixed(0)} MiB`;
  const seconds = (value: number) => `${value.toFixed(1)} s`;
  console.log(
    `\n## Scale curve: one replica, and ${CURVE_SHARDS} shards (peak RSS = VmHWM, no forced GC; a first gzip scrape, then gzip scrapes each right after a pod changed)`,
  );
  console.log('');
  console.log(
    `| scale | pods | series | initial sync | peak RSS at sync | first gzip scrape (every block deflated) | gzip scrape after a change, p50 / max | gzip bytes | peak RSS after ${CURVE_SCRAPES + 1} scrapes | ${CURVE_SHARDS} shards: initial sync | peak RSS, largest shard | gzip p99 (the first scrape), slowest shard |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const point of points) {
    console.log(
      `| ${point.scale.name} | ${point.scale.pods} | ${point.series} | ${seconds(point.syncSeconds)} | ${mib(point.syncPeak)} | ${point.firstGzipMs.toFixed(0)} ms | ${point.gzip.p50.toFixed(0)} / ${point.gzip.p99.toFixed(0)} ms | ${point.gzip.bytes} | ${mib(point.peak)} | ${seconds(point.shardSyncSeconds)} | ${mib(point.shardPeak)} | ${point.shardGzipP99.toFixed(0)} ms |`,
    );
  }
  const t = CURVE_TARGETS;
  console.log(
    `| target at ${t.scale} | | | < ${t.syncSeconds} s | | | p99 < ${t.gzipP99Ms} ms | | < ${mib(t.peakMiB)} | | < ${mib(t.shardPeakMiB)} | |`,
  );
  for (const [from, to] of points.slice(0, -1).map((point, index) => [point, points[index + 1]] as const)) {
    const per10k = (pick: (point: CurvePoint) => number) =>
      ((pick(to) - pick(from)) / (to.scale.pods - from.scale.pods)) * 10_000;
    console.log(
      `\n${from.scale.name} → ${to.scale.name}, per 10k pods more: peak RSS +${per10k((point) => point.peak).toFixed(0)} MiB (one replica), +${per10k((point) => point.shardPeak * CURVE_SHARDS).toFixed(0)} MiB over the ${CURVE_SHARDS} shards; gzip p99 +${per10k((point) => point.gzip.p99).toFixed(0)} ms; sync +${per10k((point) => point.syncSeconds).toFixed(1)} s.`,
    );
  }
  if (points.length >= 2 && seriesPerObject) {
    // Memory taken as a fixed part plus a cost per series (the rendered text dominates): least squares over the
    // scales, then each kind's share through the series one of its objects renders.
    const line = fitLine(points.map((point) => [point.series, point.peak] as const));
    const perObject = (kind: string) => line.slope * (seriesPerObject?.[kind] ?? 0);
    const perPodWithDeployment =
      perObject('pod') + (perObject('deployment') * points[0].scale.deployments) / points[0].scale.pods;
    console.log(
      `\nSeries per object: ${Object.entries(seriesPerObject)
        .map(([kind, count]) => `${kind} ${count.toFixed(1)}`)
        .join(
          ', ',
        )}. Peak RSS of one replica ≈ ${line.intercept.toFixed(0)} MiB + ${(line.slope * 1e6).toFixed(0)} MiB per million series, i.e. ${(perPodWithDeployment * 10_000).toFixed(0)} MiB per 10k pods (with their deployments, 1 per 10 pods) + ${(perObject('node') * 1024).toFixed(2)} KiB per node + ${(perObject('service') * 1024).toFixed(2)} KiB per service.`,
    );
  }
}

const curve: CurvePoint[] = [];
for (const scale of SCALES.filter((candidate) => scaleNames.includes(candidate.name))) {
  if (scale.name !== 'L') {
    if (!shardsOnly) {
      await benchScale(scale);
      await benchMemoryAndGzip(scale);
    }
    if (shardCounts.length > 0) await benchShards(scale);
  }
  curve.push(await benchCurve(scale));
}
printCurve(curve);
console.log(
  `\n${SCRAPES} sequential scrapes per row; node ${process.version}; ${(await import('node:os')).cpus().length} cores.`,
);
