import test from 'ava';
import type { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { NODE } from '../../src/kinds/table.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { apiNode, NODE_SECRETS_RE } from '../support/builders/nodes.js';
import { eventually } from '../support/harness/cluster.js';
import { postJson, startTestCollector } from '../support/harness/collector.js';
import { freePort } from '../support/harness/process.js';
import { testNeeding } from '../support/harness/tools.js';
import { NAMESPACE_KIND, startVolunteerCluster } from '../support/harness/volunteer.js';
import {
  freshDatabase,
  POSTGRES,
  startPostgres,
  stopSharedPostgres,
  type TestDatabase,
} from '../support/servers/postgres.js';

const testWithPostgres = testNeeding(POSTGRES);

const nodeKind = NODE;

function seedCluster(nodes: ReadonlyArray<readonly [string, string]>) {
  return (api: SimulatedApiServer) => {
    api.create(NAMESPACE_KIND, { metadata: { name: 'kube-system' } });
    nodes.forEach(([kubelet, os], index) => {
      api.create(nodeKind, apiNode(index + 1, kubelet, os));
    });
  };
}

test.after.always(stopSharedPostgres);

const rows = (db: TestDatabase) => db.query('SELECT * FROM reports ORDER BY id');
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function collectorMetrics(url: string): Promise<Map<string, number>> {
  return seriesValues(await (await fetch(`${url}/metrics`)).text(), 'kube_api_exporter_collector_records');
}

function spartakus(clusterID: string, kubeletVersions: readonly string[], osImage = 'Debian GNU/Linux 12 (bookworm)') {
  return {
    metadata: { timestamp: String(nowSeconds()) },
    payload: {
      clusterID,
      nodes: kubeletVersions.map((kubeletVersion) => ({
        status: { capacity: { cpu: '2' }, nodeInfo: { kubeletVersion, osImage } },
      })),
    },
  };
}

function tectonic(clusterID: string, kubeletVersions: readonly string[], osImage = 'Flatcar Container Linux 4081.2.0') {
  const { payload } = spartakus(clusterID, kubeletVersions, osImage);
  return {
    accountID: 'acct-1',
    accountSecret: 'hunter2',
    metadata: { generated_at: String(nowSeconds()) },
    payload: { clusterID, kubernetesNodes: payload.nodes },
  };
}

testWithPostgres('volunteer → collector → one row with received_at and received_from (spartakus)', async (t) => {
  const db = await freshDatabase();
  const collector = await startTestCollector(t, { dbUrl: db.url });
  const before = nowSeconds();
  const { api } = await startVolunteerCluster(
    t,
    { reportUrl: `${collector.url}/api/v1`, reportIntervalMs: 3_600_000 },
    seedCluster([
      ['v1.32.0', 'Debian GNU/Linux 12 (bookworm)'],
      ['v1.31.4', 'Flatcar Container Linux 4081.2.0'],
    ]),
  );
  await eventually(async () => (await rows(db)).length === 1, 'one row', 20_000);
  const [row] = await rows(db);
  const uid = api.get(NAMESPACE_KIND, undefined, 'kube-system')!.metadata.uid;
  t.is(row.format, 'spartakus');
  t.is(row.cluster_id, uid);
  t.is(row.account_id, null);
  t.is(row.received_from, '127.0.0.1');
  const receivedAt = Math.floor(row.received_at.getTime() / 1000);
  t.true(receivedAt >= before && receivedAt <= nowSeconds(), `received_at ${receivedAt}`);
  t.deepEqual(Object.keys(row.metadata).sort(), ['received_at', 'received_from', 'timestamp']);
  t.is(row.metadata.received_at, String(receivedAt));
  t.is(row.metadata.received_from, '127.0.0.1');
  t.regex(row.metadata.timestamp, /^\d{10}$/);
  t.is(row.payload.clusterID, uid);
  t.deepEqual(row.payload.nodes.map((node: any) => node.status.nodeInfo.kubeletVersion).sort(), ['v1.31.4', 'v1.32.0']);
  t.notRegex(JSON.stringify(row), NODE_SECRETS_RE);
  t.is(
    (await collectorMetrics(collector.url)).get(
      'kube_api_exporter_collector_records_accepted_total{format="spartakus"}',
    ),
    1,
  );
});

testWithPostgres(
  'volunteer → collector, tectonic format on /api/v1/stats: account_id kept, accountSecret never stored',
  async (t) => {
    const db = await freshDatabase();
    const collector = await startTestCollector(t, { dbUrl: db.url });
    const volunteer = {
      reportUrl: `${collector.url}/api/v1/stats`,
      reportIntervalMs: 3_600_000,
      reportFormat: 'tectonic' as const,
      reportAccountId: 'acct-42',
      reportAccountSecret: 'hunter2-secret',
    };
    await startVolunteerCluster(t, volunteer, seedCluster([['v1.30.2', 'Ubuntu 24.04.1 LTS']]));
    await eventually(async () => (await rows(db)).length === 1, 'one row', 20_000);
    const [row] = await rows(db);
    t.is(row.format, 'tectonic');
    t.is(row.account_id, 'acct-42');
    t.deepEqual(Object.keys(row.metadata).sort(), ['generated_at', 'received_at', 'received_from']);
    t.is(row.payload.kubernetesNodes[0].status.nodeInfo.osImage, 'Ubuntu 24.04.1 LTS');
    const everything = JSON.stringify(await db.query('SELECT * FROM reports'));
    t.false(everything.includes('hunter2-secret'));
  },
);

const BAD_INPUTS: ReadonlyArray<readonly [string, string, string | object, number, RegExp]> = [
  ['not JSON', '/api/v1', '{"payload": ', 400, /body is not JSON/],
  ['an array', '/api/v1', [], 400, /body must be object/],
  [
    'missing clusterID',
    '/api/v1',
    { payload: { nodes: [] } },
    400,
    /body\/payload must have required property 'clusterID'/,
  ],
  [
    'empty clusterID',
    '/api/v1',
    { payload: { clusterID: '', nodes: [] } },
    400,
    /body\/payload\/clusterID must NOT have fewer than 1 characters/,
  ],
  [
    'clusterID a number',
    '/api/v1',
    { payload: { clusterID: 42, nodes: [] } },
    400,
    /body\/payload\/clusterID must be string/,
  ],
  [
    'nodes not a list',
    '/api/v1',
    { payload: { clusterID: 'c', nodes: {} } },
    400,
    /body\/payload\/nodes must be array/,
  ],
  [
    'kubeletVersion a number',
    '/api/v1',
    { payload: { clusterID: 'c', nodes: [{ status: { nodeInfo: { kubeletVersion: 1.3 } } }] } },
    400,
    /body\/payload\/nodes\/0\/status\/nodeInfo\/kubeletVersion must be string/,
  ],
  [
    'timestamp not unix seconds',
    '/api/v1',
    { metadata: { timestamp: 'yesterday' }, payload: { clusterID: 'c', nodes: [] } },
    400,
    /body\/metadata\/timestamp must match pattern/,
  ],
  [
    'tectonic without accountSecret',
    '/api/v1/stats',
    { accountID: 'a', payload: { clusterID: 'c', kubernetesNodes: [] } },
    400,
    /must have required property 'accountSecret'/,
  ],
  [
    'spartakus body on the tectonic endpoint',
    '/api/v1/stats',
    { payload: { clusterID: 'c', nodes: [] } },
    400,
    /must have required property 'accountID'/,
  ],
  [
    'oversized body',
    '/api/v1',
    { payload: { clusterID: 'c', nodes: [{ status: { nodeInfo: { osImage: 'x'.repeat(5000) } } }] } },
    413,
    /body larger than 4096 bytes/,
  ],
];

testWithPostgres(
  'bad inputs: 400 (413 when too large) with a clear message, nothing stored, counted as rejected',
  async (t) => {
    const db = await freshDatabase();
    const collector = await startTestCollector(t, { dbUrl: db.url, maxBodyBytes: 4096 });
    for (const [name, path, body, status, message] of BAD_INPUTS) {
      const response = await postJson(`${collector.url}${path}`, body);
      t.is(response.status, status, name);
      t.regex((await response.json()).error, message, name);
    }
    t.is((await rows(db)).length, 0);
    const metrics = await collectorMetrics(collector.url);
    const rejected = [...metrics]
      .filter(([name]) => name.startsWith('kube_api_exporter_collector_records_rejected_total'))
      .reduce((sum, [, value]) => sum + value, 0);
    t.is(rejected, BAD_INPUTS.length);
    t.is(metrics.get('kube_api_exporter_collector_records_rejected_total{format="spartakus",reason="too_large"}'), 1);
    t.is(
      metrics.get('kube_api_exporter_collector_records_rejected_total{format="spartakus",reason="invalid_json"}'),
      1,
    );
    t.is(metrics.get('kube_api_exporter_collector_records_accepted_total{format="spartakus"}') ?? 0, 0);
  },
);

testWithPostgres('received_from: proxy headers are ignored unless --trust-proxy', async (t) => {
  const db = await freshDatabase();
  const plain = await startTestCollector(t, { dbUrl: db.url });
  const proxied = await startTestCollector(t, { dbUrl: db.url, trustProxy: true });
  const forwarded = { 'x-forwarded-for': '192.0.2.145, 10.0.0.1', 'x-real-ip': '192.0.2.200' };
  t.is((await postJson(`${plain.url}/api/v1`, spartakus('plain', []), forwarded)).status, 204);
  t.is((await postJson(`${proxied.url}/api/v1`, spartakus('forwarded', []), forwarded)).status, 204);
  t.is((await postJson(`${proxied.url}/api/v1`, spartakus('real-ip', []), { 'x-real-ip': '192.0.2.200' })).status, 204);
  const spoofed = {
    ...spartakus('spoofed', []),
    metadata: { timestamp: '1437174715', received_at: '1', received_from: '203.0.113.9' },
  };
  t.is((await postJson(`${plain.url}/api/v1`, spoofed)).status, 204);
  const stored = Object.fromEntries((await rows(db)).map((row) => [row.cluster_id, row.received_from]));
  t.deepEqual(stored, { plain: '127.0.0.1', forwarded: '192.0.2.145', 'real-ip': '192.0.2.200', spoofed: '127.0.0.1' });
  const [spoofedRow] = await db.query(`SELECT metadata FROM reports WHERE cluster_id = 'spoofed'`);
  t.is(spoofedRow.metadata.received_from, '127.0.0.1', 'the sender cannot set received_from');
  t.not(spoofedRow.metadata.received_at, '1', 'nor received_at');
});

test('a database that cannot be reached at start: the collector does not start, and says why', async (t) => {
  const port = await freePort();
  const error = await t.throwsAsync(startTestCollector(t, { dbUrl: `postgres://postgres@127.0.0.1:${port}/postgres` }));
  t.regex(error!.message, /^cannot prepare the database: .*ECONNREFUSED/);
});

testWithPostgres(
  'database stopped mid-run: 503 and nothing acknowledged; after recovery the retried report is stored once',
  async (t) => {
    const db = await startPostgres(t);
    const collector = await startTestCollector(t, { dbUrl: db.url });
    t.is((await postJson(`${collector.url}/api/v1`, spartakus('before-outage', ['v1.32.0']))).status, 204);
    await db.stop();
    const direct = await postJson(`${collector.url}/api/v1`, spartakus('during-outage', ['v1.32.0']));
    t.is(direct.status, 503);
    t.is(direct.headers.get('retry-after'), '30');
    t.regex((await direct.json()).error, /database is unavailable; the report was not stored/);
    t.is((await fetch(`${collector.url}/healthz`)).status, 200, 'the collector itself stays alive');

    const { exporter } = await startVolunteerCluster(
      t,
      { reportUrl: `${collector.url}/api/v1`, reportIntervalMs: 3_600_000, clusterId: 'volunteer' },
      seedCluster([['v1.32.0', 'Debian']]),
    );
    const exporterMetrics = async () =>
      seriesValues(await (await fetch(`${exporter.url}/metrics`)).text(), 'kube_api_exporter_reports');
    await eventually(
      async () => ((await exporterMetrics()).get('kube_api_exporter_reports_failed_total') ?? 0) >= 3,
      'the volunteer retried three times',
      20_000,
    );
    const restartCalledAt = Date.now();
    await db.start();
    await eventually(
      async () => (await exporterMetrics()).get('kube_api_exporter_reports_sent_total') === 1,
      'report sent after recovery',
      20_000,
    );
    const recoveryMs = Date.now() - restartCalledAt;
    const failed = (await exporterMetrics()).get('kube_api_exporter_reports_failed_total')!;
    const stored = await db.query('SELECT cluster_id FROM reports ORDER BY id');
    t.deepEqual(
      stored.map((row) => row.cluster_id),
      ['before-outage', 'volunteer'],
      'the report refused during the outage is not there; the retried one once',
    );
    const metrics = seriesValues(
      await (await fetch(`${collector.url}/metrics`)).text(),
      'kube_api_exporter_collector_',
    );
    t.is(metrics.get('kube_api_exporter_collector_store_failures_total{format="spartakus"}'), failed + 1);
    t.is(metrics.get('kube_api_exporter_collector_records_accepted_total{format="spartakus"}'), 2);
    t.log(
      `outage: ${failed} volunteer attempts answered 503, stored ${recoveryMs} ms after the restart began (PostgreSQL start included), exactly once`,
    );
  },
);

testWithPostgres(
  "/api/v1/summary: clusters and nodes by kubelet version and OS image, from each cluster's latest report in the window",
  async (t) => {
    const db = await freshDatabase();
    const collector = await startTestCollector(t, { dbUrl: db.url });
    const post = async (path: string, body: object) =>
      t.is((await postJson(`${collector.url}${path}`, body)).status, 204);
    await post('/api/v1', spartakus('a', ['v1.30.0', 'v1.30.0']));
    await post('/api/v1', spartakus('a', ['v1.31.0', 'v1.31.0', 'v1.31.0'])); // a's latest: replaces the report above
    await post('/api/v1', spartakus('b', ['v1.31.0'], 'Ubuntu 24.04.1 LTS'));
    await post('/api/v1/stats', tectonic('c', ['v1.32.0', 'v1.32.0']));
    await post('/api/v1', spartakus('old', ['v1.20.0']));
    await db.query(`UPDATE reports SET received_at = now() - interval '40 days' WHERE cluster_id = 'old'`);
    await db.query(`UPDATE reports SET received_at = now() - interval '2 days' WHERE cluster_id = 'c'`);

    const summary = async (query: string) => {
      const response = await fetch(`${collector.url}/api/v1/summary${query}`);
      t.is(response.status, 200);
      return response.json();
    };
    const month = await summary('');
    t.like(month, { days: 30, clusters: 3, reports: 4, nodes: 6 });
    t.deepEqual(month.kubeletVersions, { 'v1.31.0': 4, 'v1.32.0': 2 });
    t.deepEqual(month.osImages, {
      'Debian GNU/Linux 12 (bookworm)': 3,
      'Flatcar Container Linux 4081.2.0': 2,
      'Ubuntu 24.04.1 LTS': 1,
    });
    t.true(Math.abs(Date.parse(month.since) - (Date.now() - 30 * 86_400_000)) < 60_000);
    t.like(await summary('?days=1'), { days: 1, clusters: 2, reports: 3, nodes: 4, kubeletVersions: { 'v1.31.0': 4 } });
    t.like(await summary('?days=60'), { clusters: 4, reports: 5, nodes: 7 });
    for (const bad of ['0', '-1', 'x', '1.5', '4000']) {
      const response = await fetch(`${collector.url}/api/v1/summary?days=${bad}`);
      t.is(response.status, 400, bad);
      t.regex((await response.json()).error, /days must be an integer from 1 to 3650/);
    }
  },
);

testWithPostgres('collector endpoints: /healthz, /metrics families, 405 for other methods', async (t) => {
  const db = await freshDatabase();
  const collector = await startTestCollector(t, { dbUrl: db.url });
  t.is(await (await fetch(`${collector.url}/healthz`)).text(), 'ok\n');
  const metrics = await (await fetch(`${collector.url}/metrics`)).text();
  for (const family of ['records_accepted_total', 'records_rejected_total', 'store_failures_total']) {
    t.true(metrics.includes(`# TYPE kube_api_exporter_collector_${family} counter`), family);
  }
  t.is((await fetch(`${collector.url}/api/v1`)).status, 405);
});

testWithPostgres('migrations run once: a second collector on the same database starts and sees the rows', async (t) => {
  const db = await freshDatabase();
  const first = await startTestCollector(t, { dbUrl: db.url });
  t.is((await postJson(`${first.url}/api/v1`, spartakus('x', ['v1.32.0']))).status, 204);
  const second = await startTestCollector(t, { dbUrl: db.url });
  t.like(await (await fetch(`${second.url}/api/v1/summary`)).json(), { clusters: 1 });
  t.deepEqual(await db.query('SELECT version FROM collector_migrations'), [{ version: 1 }]);
});
