/**
 * The gzip body from blocks deflated apart (src/http/gzip.ts), read by the readers that matter: a real Prometheus
 * scraping the exporter gets every sample of the uncompressed body, before and after a change that renews only some
 * blocks, and so does curl --compressed. Pods with many containers make a body of several groups of objects.
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { POD } from '../../src/kinds/table.js';
import { GROUP_BYTES } from '../../src/metrics/store.js';
import { manyContainerPod } from '../support/builders/objects.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';
import { PROMETHEUS, testNeeding } from '../support/harness/tools.js';
import { prometheusApi, startPrometheus } from '../support/servers/prometheus.js';

const test = testNeeding(PROMETHEUS);
const run = promisify(execFile);

const PODS = 60;
const CONTAINERS = 150;
/** Prometheus starts, then scrapes a body of several MB every second: generous, for a loaded machine. */
const DEADLINE_MS = 60_000;

/** The object series of a text body: sample lines of k8s_ families, sorted. */
const objectSamples = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('k8s_'))
    .sort();

test('Prometheus and curl --compressed read every sample of the gzip body, before and after a change', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      for (let index = 0; index < PODS; index++) api.create(POD, manyContainerPod(index, CONTAINERS));
    },
  });
  const uncompressed = async () =>
    objectSamples(
      await (await fetch(`${cluster.exporter.url}/metrics`, { headers: { 'accept-encoding': 'identity' } })).text(),
    );
  const before = await uncompressed();
  const bodyBytes = before.reduce((total, line) => total + line.length + 1, 0);
  t.true(bodyBytes > GROUP_BYTES, `objects of more than one group (${bodyBytes} bytes)`);

  const curl = async () =>
    objectSamples(
      (
        await run('curl', ['--compressed', '-sS', `${cluster.exporter.url}/metrics`], {
          encoding: 'utf8',
          maxBuffer: 64 * 2 ** 20,
        })
      ).stdout,
    );
  t.deepEqual(await curl(), before, 'curl --compressed: every sample');

  const prometheus = await startPrometheus(
    t,
    {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'kube-api-exporter',
          honor_labels: true,
          static_configs: [{ targets: [new URL(cluster.exporter.url).host] }],
        },
      ],
    },
    [],
  );
  const query = async (expr: string) => {
    const data = await prometheusApi<{ result: { value: [number, string] }[] }>(
      prometheus,
      `query?query=${encodeURIComponent(expr)}`,
    );
    return data.result.map((sample) => Number(sample.value[1]));
  };
  const objectSeries = 'count({__name__=~"k8s_.+", job="kube-api-exporter"})';
  const restarts = 'sum(k8s_pod_status_containerStatuses_restartCount{job="kube-api-exporter"})';
  await eventually(
    async () => (await query(objectSeries))[0] === before.length,
    'Prometheus scraped every series',
    DEADLINE_MS,
  );
  t.deepEqual(await query('up{job="kube-api-exporter"}'), [1]);
  t.deepEqual(await query(restarts), [0]);

  cluster.api.update(POD, 'shop', 'big-7', (pod) => {
    for (const status of pod.status.containerStatuses) status.restartCount = 3;
  });
  await eventually(
    async () => (await query(restarts))[0] === 3 * CONTAINERS,
    'Prometheus scraped the change',
    DEADLINE_MS,
  );
  const after = await uncompressed();
  t.is(after.length, before.length);
  // Eventually: on a loaded machine a scrape can exceed its 1 s timeout, and its series read as stale until the next.
  await eventually(
    async () => (await query(objectSeries))[0] === after.length,
    'every series still, after a change that renewed some blocks',
    DEADLINE_MS,
  );
  t.deepEqual(await curl(), after, 'curl --compressed: every sample after the change');
});
