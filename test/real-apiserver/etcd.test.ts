/**
 * The exporter against a real kube-apiserver whose watches read etcd directly (--watch-cache=false), so that etcd
 * compaction reaches the watchers as 410 Gone; and at size, a few thousand pods created through the API. Lists go
 * to etcd with or without the watch cache (paged, no resourceVersion), so the sizes measured here hold for both.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import _ from 'lodash';
import { seriesValues } from '../support/assertions/exposition.js';
import { runningStatus, webPod } from '../support/builders/objects.js';
import { eventually } from '../support/harness/cluster.js';
import { stopChild } from '../support/harness/process.js';
import { exporterLists, sharedCluster, startExporterAsServiceAccount } from '../support/harness/real-cluster.js';
import { testNeeding } from '../support/harness/tools.js';
import { CONTROL_PLANE_TOOLS, run } from '../support/servers/kube-apiserver.js';
import { startTcpProxy } from '../support/servers/tcp-proxy.js';

/** Every test here needs the control plane, and they run in order on the one it shares. */
const serialTest = testNeeding(...CONTROL_PLANE_TOOLS).serial;

const shared = sharedCluster(['--watch-cache=false']);
test.after.always(() => shared.stop());

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCALE_PODS = Number(process.env.REAL_APISERVER_PODS ?? 3000);
const SCALE_NAMESPACES = 10;
const CREATE_CONCURRENCY = 24;

/** The pods of a namespace that have series, by one series every pod has. */
const podsOf = (values: Map<string, number>, namespace: string) =>
  [...values.keys()]
    .filter(
      (series) =>
        series.startsWith('k8s_pod_metadata_creationTimestamp{') && series.includes(`namespace="${namespace}"`),
    )
    .map((series) => /name="([^"]+)"/.exec(series)![1])
    .sort();

serialTest(
  'etcd compaction while the watch is cut off: 410 Gone, a relist, no stale and no missing series',
  async (t) => {
    t.timeout(120_000);
    const cluster = await shared.get();
    const { plane } = cluster;
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(plane.server).port));
    t.teardown(() => proxy.close());
    await plane.kubectl(['create', 'namespace', 'compaction']);
    await plane.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: ['stays', 'goes'].map((name) => webPod(name, 'compaction')),
      }),
    );
    await plane.kubectl([
      '-n',
      'compaction',
      'patch',
      'pod',
      'stays',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: runningStatus('2026-11-26T07:00:00Z', 0) }),
    ]);
    const lastSeen = (await plane.request('GET', '/api/v1/namespaces/compaction/pods/stays')).metadata.resourceVersion;

    const exporter = await startExporterAsServiceAccount(
      cluster,
      plane.writeKubeconfig('exporter-via-proxy', cluster.exporterToken, `https://${proxy.address}`),
    );
    t.teardown(() => exporter.stop());
    const metrics = async () => seriesValues(await (await fetch(`${exporter.url}/metrics`)).text());
    const restarts = '{name="stays",namespace="compaction",container="app"}';
    await eventually(
      async () => (await metrics()).get(`k8s_pod_status_containerStatuses_restartCount${restarts}`) === 0,
      'stays exported',
      30_000,
    );
    t.deepEqual(podsOf(await metrics(), 'compaction'), ['goes', 'stays']);
    const podLists = () => exporterLists(plane, '/api/v1/pods').length;
    const listsBefore = podLists();

    proxy.partition();
    await eventually(
      async () => (await fetch(`${exporter.url}/readyz`)).status === 503,
      'unready while cut off',
      20_000,
    );
    await plane.kubectl(['-n', 'compaction', 'delete', 'pod', 'goes', '--wait=false']);
    await plane.kubectl(['create', '-f', '-'], JSON.stringify(webPod('new', 'compaction')));
    await plane.kubectl([
      '-n',
      'compaction',
      'patch',
      'pod',
      'stays',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: runningStatus('2026-11-26T07:30:00Z', 4) }),
    ]);
    const [{ Status: status }] = JSON.parse(await plane.etcdctl(['endpoint', 'status', '--write-out=json']));
    t.regex(await plane.etcdctl(['compact', String(status.header.revision)]), /compacted revision/);
    const expired = await plane.request('GET', `/api/v1/pods?watch=true&resourceVersion=${lastSeen}&timeoutSeconds=1`);
    t.like(
      expired,
      { type: 'ERROR', object: { code: 410, reason: 'Expired' } },
      'a watch from before the compaction is Gone',
    );

    proxy.heal();
    await eventually(
      async () => _.isEqual(podsOf(await metrics(), 'compaction'), ['new', 'stays']),
      'relist converged',
      30_000,
    ).catch(() => undefined);
    const values = await metrics();
    t.deepEqual(
      podsOf(values, 'compaction'),
      ['new', 'stays'],
      'the pod deleted while away is gone, the one created is there',
    );
    t.is(values.get(`k8s_pod_status_containerStatuses_restartCount${restarts}`), 4, 'and the changed one is current');
    t.true(podLists() > listsBefore, 'the informer relisted after 410 Gone');
    await eventually(async () => (await fetch(`${exporter.url}/readyz`)).status === 200, 'ready again', 30_000);
  },
);

serialTest(
  `size: ${SCALE_PODS} pods created through the API in parallel batches; initial sync time and exporter RSS`,
  async (t) => {
    t.timeout(600_000);
    const cluster = await shared.get();
    const { plane } = cluster;
    const namespaces = _.range(SCALE_NAMESPACES).map((index) => `scale-${index}`);
    for (const namespace of namespaces)
      await plane.request('POST', '/api/v1/namespaces', { metadata: { name: namespace } });
    const createStarted = Date.now();
    await inParallel(_.range(SCALE_PODS), CREATE_CONCURRENCY, async (index) => {
      const namespace = namespaces[index % SCALE_NAMESPACES];
      const name = `web-${index}`;
      await plane.request('POST', `/api/v1/namespaces/${namespace}/pods`, webPod(name, namespace));
      await plane.request(
        'PATCH',
        `/api/v1/namespaces/${namespace}/pods/${name}/status`,
        { status: runningStatus('2026-11-26T07:00:00Z', index % 3) },
        'application/merge-patch+json',
      );
    });
    const createSeconds = (Date.now() - createStarted) / 1000;
    const podCount = (await plane.request('GET', '/api/v1/pods')).items.length;
    t.true(podCount >= SCALE_PODS);

    // The built command in its own process (as `npm start` runs it), so that the RSS is the exporter's own.
    const main = await buildCommand(t);
    const spawned = Date.now();
    const child = spawn(
      process.execPath,
      [main, '--kubeconfig', cluster.exporterKubeconfig, '--port', '0', '--host', '127.0.0.1'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    t.teardown(() => stopChild(child, 'SIGTERM'));
    const url = await listeningUrl(child);
    await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, 'exporter synced', 120_000);
    const syncSeconds = (Date.now() - spawned) / 1000;
    const rssAfterSync = residentBytes(child.pid!);
    const scrapeStarted = Date.now();
    const text = await (await fetch(`${url}/metrics`)).text();
    const scrapeMs = Date.now() - scrapeStarted;
    const self = seriesValues(text, 'kube_api_exporter_');
    t.is(self.get('kube_api_exporter_cache_objects{kind="pod"}'), podCount, 'every pod in the cache');
    for (const namespace of namespaces)
      t.is(podsOf(seriesValues(text), namespace).length, SCALE_PODS / SCALE_NAMESPACES, namespace);
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
    t.log(
      `${SCALE_PODS} pods created in ${createSeconds.toFixed(1)} s (${podCount} in the cluster); exporter start to /readyz 200: ${syncSeconds.toFixed(2)} s; ` +
        `RSS after sync ${mib(rssAfterSync)} MiB; first /metrics ${scrapeMs} ms, ${(text.length / 1e6).toFixed(1)} MB, ${self.get('kube_api_exporter_series')} object series`,
    );
  },
);

/** Compiles src/ (tsconfig.build.json) into a temp dir that resolves the project's node_modules; returns its main.js. */
async function buildCommand(t: ExecutionContext): Promise<string> {
  const cacheDir = join(PROJECT_ROOT, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const outDir = mkdtempSync(join(cacheDir, 'kube-api-exporter-real-apiserver-'));
  t.teardown(() => rmSync(outDir, { recursive: true, force: true }));
  await run(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc'), [
    '-p',
    join(PROJECT_ROOT, 'tsconfig.build.json'),
    '--outDir',
    outDir,
  ]);
  // Under node_modules the project's package.json no longer applies: say again that these are ES modules.
  writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
  return join(outDir, 'main.js');
}

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    _.range(concurrency).map(async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** The URL the exporter logs once it listens (`--port 0` picks a free port). */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /"msg":"listening","url":"([^"]+)"/.exec(output)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`exporter exited with ${code}: ${output}`)));
  });
}

function residentBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}
