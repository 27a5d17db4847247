/**
 * `npm run bench`: the exporter against (b) a naive prom-client exporter that sets Gauges from a cache on every
 * scrape and (c) the floor, a server writing a pre-built buffer of the same size; same objects, same run.
 * Prints one table per scale with absolute figures and ratios.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gauge, Registry } from 'prom-client';
import { flatten } from '../src/flatten.js';
import type { KindSpec } from '../src/kinds.js';
import { SimulatedApiServer } from '../src/simulated-apiserver.js';
import { generateCluster, type Scale, SCALES } from './cluster-generator.js';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 20);
const scaleNames = (process.env.BENCH_SCALES ?? 'S,M').split(',');
/** Shard counts for the sizing table (README "Large clusters"); "" skips it. */
const shardCounts = (process.env.BENCH_SHARDS ?? '1,2,4').split(',').filter(Boolean).map(Number);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function timeScrapes(url: string): Promise<{ p50: number; p99: number; bytes: number }> {
  const durations: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i++) {
    const start = performance.now();
    const body = await (await fetch(url)).arrayBuffer();
    durations.push(performance.now() - start);
    bytes = body.byteLength;
  }
  durations.sort((a, b) => a - b);
  const at = (q: number) => durations[Math.min(durations.length - 1, Math.ceil(q * durations.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), bytes };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** (b): the usual Node exporter: Gauges re-filled from the cached objects on every scrape. */
function naiveExporter(objects: Array<readonly [KindSpec, object[]]>): Server {
  const registry = new Registry();
  const gauges = new Map<string, Gauge>();
  return createServer(async (_request, response) => {
    registry.resetMetrics();
    for (const [kind, items] of objects) {
      for (const item of items as Array<{ metadata: { name: string; namespace?: string } }>) {
        for (const sample of flatten(`k8s_${kind.metricName}`, item.metadata, item)) {
          let gauge = gauges.get(sample.name);
          if (!gauge) {
            gauge = new Gauge({ name: sample.name, help: sample.path, labelNames: sample.labels.map(([name]) => name), registers: [registry] });
            gauges.set(sample.name, gauge);
          }
          gauge.set(Object.fromEntries(sample.labels), sample.value);
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

/** The simulated API server serving the scale's objects, and a kubeconfig file for it. */
async function startClusterOf(scale: Scale) {
  const cluster = generateCluster(scale);
  const api = new SimulatedApiServer();
  const apiUrl = await api.start();
  for (const [kind, items] of cluster) for (const item of items) api.create(kind, item);
  const dir = mkdtempSync(join(tmpdir(), 'kae-bench-'));
  const kubeconfig = join(dir, 'kubeconfig.json');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 's', cluster: { server: apiUrl, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: {} }], contexts: [{ name: 'c', context: { cluster: 's', user: 'u' } }],
  }));
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

/** The built exporter as a child process; resolves with its URL once /readyz says it has synced. */
async function startExporterProcess(kubeconfig: string, args: readonly string[] = []) {
  const child = spawn(process.execPath, ['dist/main.js', '--kubeconfig', kubeconfig, '--port', '0', '--host', '127.0.0.1', '--log-level', 'info', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let url = '';
  child.stderr.on('data', (chunk: Buffer) => {
    url ||= /"url":"([^"]+)"/.exec(chunk.toString())?.[1] ?? '';
  });
  try {
    await waitFor(async () => url !== '' && (await fetch(`${url}/readyz`)).status === 200, 600_000);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { child, url };
}

async function benchScale(scale: Scale): Promise<void> {
  const { cluster, api, kubeconfig, stop } = await startClusterOf(scale);
  const started = performance.now();
  let child: ChildProcess | undefined;
  try {
    const exporter = await startExporterProcess(kubeconfig);
    child = exporter.child;
    const exporterUrl = exporter.url;
    const syncSeconds = (performance.now() - started) / 1000;
    const rssAfterSync = rssMiB(child.pid!);
    const ours = await timeScrapes(`${exporterUrl}/metrics`);
    const leanix = await timeScrapes(`${exporterUrl}/leanix.json`);

    const [podKind, pods] = cluster[0];
    const stormStart = performance.now();
    for (const item of pods as Array<{ metadata: { name: string; namespace: string } }>) {
      api.update(podKind, item.metadata.namespace, item.metadata.name, (object) => {
        object.status.containerStatuses[0].restartCount += 1;
      });
    }
    const updates = (text: string) => Number(/kube_api_exporter_watch_events_total\{kind="pod",type="update"\} (\d+)/.exec(text)?.[1] ?? 0);
    await waitFor(async () => updates(await (await fetch(`${exporterUrl}/metrics`)).text()) >= pods.length);
    const eventsPerSecond = pods.length / ((performance.now() - stormStart) / 1000);
    const rssAfterChurn = rssMiB(child.pid!);

    const naive = naiveExporter(cluster);
    const naiveStats = await timeScrapes(await listen(naive));
    naive.close();
    const floor = floorServer(ours.bytes);
    const floorStats = await timeScrapes(await listen(floor));
    floor.close();

    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(`\n## Scale ${scale.name}: ${scale.pods} pods, ${scale.deployments} deployments, ${scale.nodes} nodes, ${scale.services} services`);
    console.log(`initial sync ${syncSeconds.toFixed(2)} s · RSS after sync ${rssAfterSync.toFixed(0)} MiB · after a MODIFIED storm ${rssAfterChurn.toFixed(0)} MiB · ${eventsPerSecond.toFixed(0)} events/s applied (upper bound: includes scrapes polling for completion)`);
    console.log(`/leanix.json p50 ${ms(leanix.p50)} p99 ${ms(leanix.p99)}, ${(leanix.bytes / 1e6).toFixed(2)} MB`);
    console.log('');
    console.log('| /metrics (uncompressed) | p50 | p99 | bytes | ours vs this (p50) |');
    console.log('| --- | --- | --- | --- | --- |');
    const row = (label: string, stats: { p50: number; p99: number; bytes: number }) =>
      console.log(`| ${label} | ${ms(stats.p50)} | ${ms(stats.p99)} | ${stats.bytes} | ${(stats.p50 / ours.p50).toFixed(2)}× |`);
    row('(a) kube-api-exporter', ours);
    row('(b) naive prom-client Gauges', naiveStats);
    row('(c) floor: pre-built buffer', floorStats);
  } finally {
    child?.kill('SIGTERM');
    await stop();
  }
}

/**
 * The sizing table: for each shard count n, n exporters with --shard i --total-shards n sync the same cluster at
 * once; per shard, its pods, RSS after sync and /metrics p50 (the largest over the shards). Then a least-squares
 * line through every shard's (pods, RSS) and (pods, p50): the fixed cost and the cost per 10k pods in a shard.
 */
async function benchShards(scale: Scale): Promise<void> {
  const { kubeconfig, stop } = await startClusterOf(scale);
  console.log(`\n## Shards at scale ${scale.name}: ${scale.pods} pods (all shards sync concurrently, then each is scraped in turn)`);
  console.log('');
  console.log('| shards | pods per shard | RSS per shard | /metrics p50 per shard | /metrics bytes per shard | initial sync (all shards) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  const points: Array<{ pods: number; rss: number; p50: number }> = [];
  try {
    for (const total of shardCounts) {
      const started = performance.now();
      const shards = await Promise.all(Array.from({ length: total }, (_, shard) => startExporterProcess(kubeconfig, ['--shard', String(shard), '--total-shards', String(total)])));
      const syncSeconds = (performance.now() - started) / 1000;
      try {
        const rows: Array<{ pods: number; rss: number; scrape: { p50: number; bytes: number } }> = [];
        for (const { child, url } of shards) {
          const text = await (await fetch(`${url}/metrics`)).text();
          const pods = Number(/kube_api_exporter_cache_objects\{kind="pod"\} (\d+)/.exec(text)?.[1] ?? NaN);
          rows.push({ pods, rss: rssMiB(child.pid!), scrape: await timeScrapes(`${url}/metrics`) });
        }
        const most = (pick: (row: (typeof rows)[number]) => number) => Math.max(...rows.map(pick));
        console.log(
          `| ${total} | ${most((row) => row.pods)} | ${most((row) => row.rss).toFixed(0)} MiB | ${most((row) => row.scrape.p50).toFixed(1)} ms | ${(most((row) => row.scrape.bytes) / 1e6).toFixed(1)} MB | ${syncSeconds.toFixed(1)} s |`,
        );
        for (const row of rows) points.push({ pods: row.pods, rss: row.rss, p50: row.scrape.p50 });
      } finally {
        for (const { child } of shards) child.kill('SIGTERM');
      }
    }
    const rss = fitLine(points.map((point) => [point.pods / 10_000, point.rss]));
    const p50 = fitLine(points.map((point) => [point.pods / 10_000, point.p50]));
    console.log(`\nPer shard: RSS ≈ ${rss.intercept.toFixed(0)} MiB + ${rss.slope.toFixed(0)} MiB per 10k pods; /metrics p50 ≈ ${p50.intercept.toFixed(0)} ms + ${p50.slope.toFixed(0)} ms per 10k pods (least squares over ${points.length} shards).`);
  } finally {
    await stop();
  }
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

for (const scale of SCALES.filter((candidate) => scaleNames.includes(candidate.name))) {
  await benchScale(scale);
  if (shardCounts.length > 0) await benchShards(scale);
}
console.log(`\n${SCRAPES} sequential scrapes per row; node ${process.version}; ${(await import('node:os')).cpus().length} cores.`);
