/**
 * What applying a pod event costs the exporter itself (flatten, store, trim), without the watch stream: the scale's
 * pods upserted into a cache that already holds them, each parsed just before, as the watch stream hands it over. Run by
 * bench.ts in a process of its own on the built code, as the exporter runs: the benchmark's own heap (the simulated
 * cluster) would otherwise slow every garbage collection, and a test-time transpiler would add its own wrappers.
 * Prints pod events per CPU-second, the median over the rounds. Usage: tsx bench/apply-events.ts <scale name>
 */

import { generateCluster, SCALES } from './cluster-generator.js';

const built = async <Module>(name: string) => (await import(new URL(`../dist/${name}`, import.meta.url).href)) as Module;
const { ClusterCache } = await built<typeof import('../src/cache.js')>('cache.js');
const { kindByMetricName } = await built<typeof import('../src/kinds.js')>('kinds.js');

const scale = SCALES.find((candidate) => candidate.name === process.argv[2]);
if (!scale) throw new Error(`usage: apply-events.ts <${SCALES.map((candidate) => candidate.name).join('|')}>`);
const texts = generateCluster(scale)[0][1].map((item) => JSON.stringify(item));
const podKind = kindByMetricName('pod')!;
const cache = new ClusterCache();
for (const text of texts) cache.upsert(podKind, JSON.parse(text));
// Rounds enough for 50,000 events, so that a small scale is measured warmed up too. Pods are parsed a few at a
// time and only the upserts timed: parsed all at once beforehand, they would reach the old generation outside the
// timed region, hiding the cost of keeping them.
const rounds = Math.max(5, Math.ceil(50_000 / texts.length));
const CHUNK = 10;
const rates: number[] = [];
for (let round = 0; round < rounds; round++) {
  let seconds = 0;
  for (let start = 0; start < texts.length; start += CHUNK) {
    const parsed = texts.slice(start, start + CHUNK).map((text) => JSON.parse(text));
    const before = process.cpuUsage();
    for (const object of parsed) cache.upsert(podKind, object);
    const used = process.cpuUsage(before);
    seconds += (used.user + used.system) / 1e6;
  }
  rates.push(texts.length / seconds);
}
console.log(rates.sort((a, b) => a - b)[Math.floor(rounds / 2)].toFixed(0));
