/**
 * What applying a pod event costs the exporter itself (flatten, store, trim), without the watch stream: MODIFIED events
 * for the scale's pods, applied to a cache that already holds them, each parsed just before, as the watch stream hands
 * it over. Every event carries a new resourceVersion; with `series` it also changes a series (the first container's
 * restartCount, as the end-to-end storm does), with `no-series` nothing else (what most status and metadata updates
 * look like to the exporter: its rendered series stay as they were).
 * Run by bench.ts in a process of its own on the built code, as the exporter runs: the benchmark's own heap (the
 * simulated cluster) would otherwise slow every garbage collection, and a test-time transpiler would add its own
 * wrappers. Prints `{"perCpuSecond":…,"perSecond":…}`: pod events per CPU-second of the process (all its threads,
 * the garbage collector's helper included) and per second of wall time, the medians over the rounds.
 * With `ksm`, the cache renders kube-state-metrics' names (--metric-names=ksm), to compare the cost with ours.
 * Usage: tsx bench/apply-events.ts <scale name> <series|no-series> [k8s|ksm]
 */

import type { KubeObject } from '../src/objects/kube-object.js';
import { generateCluster, SCALES } from './cluster-generator.js';

const built = async <Module>(name: string) =>
  (await import(new URL(`../dist/${name}`, import.meta.url).href)) as Module;
const { ClusterCache } = await built<typeof import('../src/cache.js')>('cache.js');
const { POD } = await built<typeof import('../src/kinds/table.js')>('kinds/table.js');

const scale = SCALES.find((candidate) => candidate.name === process.argv[2]);
const changesSeries = { series: true, 'no-series': false }[process.argv[3] ?? ''];
const metricNames = process.argv[4] ?? 'k8s';
if (!scale || changesSeries === undefined || (metricNames !== 'k8s' && metricNames !== 'ksm')) {
  throw new Error(
    `usage: apply-events.ts <${SCALES.map((candidate) => candidate.name).join('|')}> <series|no-series> [k8s|ksm]`,
  );
}
const texts = generateCluster(scale)[0][1].map((item) => JSON.stringify(item));
const podKind = POD;
const cache = new ClusterCache({ metricNames });
for (const text of texts) cache.upsert(podKind, JSON.parse(text));

/** The pod as its `round`th MODIFIED event brings it. */
function modified(text: string, round: number): KubeObject {
  const pod = JSON.parse(text);
  pod.metadata.resourceVersion = String(round + 1); // the generated pods have none: this is each round's version
  if (changesSeries) pod.status.containerStatuses[0].restartCount += round + 1;
  return pod;
}

// Rounds enough for 50,000 events, so that a small scale is measured warmed up too. Pods are parsed a few at a
// time and only the upserts timed: parsed all at once beforehand, they would reach the old generation outside the
// timed region, hiding the cost of keeping them.
const rounds = Math.max(5, Math.ceil(50_000 / texts.length));
const CHUNK = 10;
const perCpuSecond: number[] = [];
const perSecond: number[] = [];
for (let round = 0; round < rounds; round++) {
  let cpuSeconds = 0;
  let wallMs = 0;
  for (let start = 0; start < texts.length; start += CHUNK) {
    const pods = texts.slice(start, start + CHUNK).map((text) => modified(text, round));
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    for (const pod of pods) cache.upsert(podKind, pod);
    wallMs += performance.now() - wallBefore;
    const cpu = process.cpuUsage(cpuBefore);
    cpuSeconds += (cpu.user + cpu.system) / 1e6;
  }
  perCpuSecond.push(texts.length / cpuSeconds);
  perSecond.push((texts.length / wallMs) * 1000);
}
const median = (values: number[]) => Math.round(values.sort((a, b) => a - b)[Math.floor(values.length / 2)]);
console.log(JSON.stringify({ perCpuSecond: median(perCpuSecond), perSecond: median(perSecond) }));
