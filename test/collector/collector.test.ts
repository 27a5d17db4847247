import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { COLLECTOR_FLAGS } from '../../src/config/collector.js';
import { parseConfig } from '../../src/config/exporter.js';
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
    { url: `${collector.url}/api/v1`, intervalMs: 3_600_000 },
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
      url: `${collector.url}/api/v1/stats`,
      intervalMs: 3_600_000,
      format: 'tectonic' as const,
      accountId: 'acct-42',
      accountSecret: 'hunter2-secret',
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
      { url: `${collector.url}/api/v1`, intervalMs: 3_600_000, clusterId: 'volunteer' },
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

testWithPostgres(
  'a report carrying members the summary does not expect is refused (400); the summary stays 200',
  async (t) => {
    const db = await freshDatabase();
    const collector = await startTestCollector(t, { dbUrl: db.url });
    t.is((await postJson(`${collector.url}/api/v1`, spartakus('good', ['v1.32.0']))).status, 204);
    const poisoned = { ...tectonic('poison', ['v1.32.0']), payload: { ...tectonic('poison', []).payload, nodes: 'x' } };
    const response = await postJson(`${collector.url}/api/v1/stats`, poisoned);
    t.is(response.status, 400);
    t.is((await response.json()).error, 'body/payload must NOT have additional properties (nodes)');
    const summary = await fetch(`${collector.url}/api/v1/summary`);
    t.is(summary.status, 200);
    t.like(await summary.json(), { clusters: 1, nodes: 1 });
  },
);

testWithPostgres(
  'the summary tolerates any stored row: one malformed row never makes it 503, and counts as no nodes',
  async (t) => {
    const db = await freshDatabase();
    const collector = await startTestCollector(t, { dbUrl: db.url });
    t.is((await postJson(`${collector.url}/api/v1`, spartakus('good', ['v1.32.0', 'v1.31.0']))).status, 204);
    t.is((await postJson(`${collector.url}/api/v1/stats`, tectonic('good-tectonic', ['v1.30.0']))).status, 204);
    // Rows as an older, laxer collector (or a hand-written INSERT) may have stored them.
    const bad: ReadonlyArray<readonly [string, string, unknown]> = [
      ['tectonic', 'nodes-beside', { clusterID: 'x', kubernetesNodes: [], nodes: 'x' }],
      ['tectonic', 'tectonic-nodes-string', { clusterID: 'x', kubernetesNodes: 'x' }],
      ['tectonic', 'tectonic-nodes-object', { clusterID: 'x', kubernetesNodes: { a: 1 } }],
      ['spartakus', 'nodes-string', { clusterID: 'x', nodes: 'x' }],
      ['spartakus', 'nodes-missing', { clusterID: 'x' }],
      ['spartakus', 'elements-not-objects', { clusterID: 'x', nodes: ['x', 1, null, [], true] }],
      ['spartakus', 'odd-nodeinfo', { clusterID: 'x', nodes: [{ status: 'x' }, { status: { nodeInfo: ['x'] } }] }],
      ['spartakus', 'odd-versions', { clusterID: 'x', nodes: [{ status: { nodeInfo: { kubeletVersion: 1.3 } } }] }],
    ];
    for (const [format, clusterId, payload] of bad)
      await db.query(
        `INSERT INTO reports (format, cluster_id, received_at, received_from, metadata, payload)
       VALUES ($1, $2, now(), '192.0.2.1', '{}', $3)`,
        [format, clusterId, JSON.stringify(payload)],
      );
    const response = await fetch(`${collector.url}/api/v1/summary`);
    t.is(response.status, 200);
    const summary = await response.json();
    t.like(summary, { clusters: 2 + bad.length, reports: 2 + bad.length, nodes: 3 + 2 + 1 });
    t.deepEqual(summary.kubeletVersions, { 'v1.32.0': 1, 'v1.31.0': 1, 'v1.30.0': 1, '1.3': 1, unknown: 2 });
  },
);

/** Token files in a temp dir, removed in teardown. */
function tokenFiles(t: ExecutionContext, tokens: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'collector-tokens-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return Object.fromEntries(
    Object.entries(tokens).map(([name, token]) => {
      writeFileSync(join(dir, name), `${token}\n`);
      return [name, join(dir, name)];
    }),
  );
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

testWithPostgres(
  '--report-auth-token-file and --summary-auth-token-file: each endpoint wants its own token (401 otherwise)',
  async (t) => {
    const db = await freshDatabase();
    const files = tokenFiles(t, { report: 'report-secret', summary: 'summary-secret' });
    const collector = await startTestCollector(t, {
      dbUrl: db.url,
      reportAuthTokenFile: files.report,
      summaryAuthTokenFile: files.summary,
    });
    const post = (path: string, headers: Record<string, string>) =>
      postJson(
        `${collector.url}${path}`,
        path === '/api/v1' ? spartakus('c', ['v1.32.0']) : tectonic('c', []),
        headers,
      );
    for (const path of ['/api/v1', '/api/v1/stats']) {
      for (const headers of [
        {},
        bearer('wrong'),
        bearer('summary-secret'),
        { authorization: 'Basic cmVwb3J0LXNlY3JldA==' },
      ]) {
        const response = await post(path, headers);
        t.is(response.status, 401, `${path} ${JSON.stringify(headers)}`);
        t.is(response.headers.get('www-authenticate'), 'Bearer realm="kube-api-exporter collector"');
        t.regex((await response.json()).error, /needs the bearer token of --report-auth-token-file/);
      }
    }
    t.is((await db.query('SELECT id FROM reports')).length, 0);
    t.is((await post('/api/v1', bearer('report-secret'))).status, 204);
    t.is((await post('/api/v1/stats', bearer('report-secret'))).status, 204);

    const summary = (headers: Record<string, string>) => fetch(`${collector.url}/api/v1/summary`, { headers });
    t.is((await summary({})).status, 401);
    t.is((await summary(bearer('report-secret'))).status, 401);
    const allowed = await summary(bearer('summary-secret'));
    t.is(allowed.status, 200);
    t.like(await allowed.json(), { clusters: 1, reports: 2 });
    t.is((await fetch(`${collector.url}/healthz`)).status, 200, '/healthz stays open');
    const metrics = await collectorMetrics(collector.url);
    t.is(
      metrics.get('kube_api_exporter_collector_records_rejected_total{format="spartakus",reason="unauthorized"}'),
      4,
    );
    t.is(metrics.get('kube_api_exporter_collector_records_rejected_total{format="tectonic",reason="unauthorized"}'), 4);
  },
);

test('a bad token file stops the collector from starting, naming the flag', async (t) => {
  const files = tokenFiles(t, { empty: '' });
  const missing = await t.throwsAsync(startTestCollector(t, { reportAuthTokenFile: '/nonexistent/token' }));
  t.is(missing!.message, 'cannot read --report-auth-token-file /nonexistent/token: ENOENT');
  const empty = await t.throwsAsync(startTestCollector(t, { summaryAuthTokenFile: files.empty }));
  t.regex(empty!.message, /^--summary-auth-token-file .*: expected one non-empty line$/);
});

testWithPostgres(
  'trust model: a report under a known cluster ID replaces its nodes, so with a report token only its holders can',
  async (t) => {
    const db = await freshDatabase();
    const nodesOf = async (url: string, headers: Record<string, string> = {}) =>
      (await (await fetch(`${url}/api/v1/summary`, { headers })).json()).nodes;
    const open = await startTestCollector(t, { dbUrl: db.url });
    t.is((await postJson(`${open.url}/api/v1`, spartakus('victim', ['v1.32.0', 'v1.32.0']))).status, 204);
    t.is(await nodesOf(open.url), 2);
    t.is((await postJson(`${open.url}/api/v1`, spartakus('victim', []))).status, 204);
    t.is(await nodesOf(open.url), 0, 'without a token, anyone who knows the ID is trusted (README "The collector")');

    const other = await freshDatabase();
    const files = tokenFiles(t, { report: 'report-secret' });
    const guarded = await startTestCollector(t, { dbUrl: other.url, reportAuthTokenFile: files.report });
    const post = (body: object, headers = {}) => postJson(`${guarded.url}/api/v1`, body, headers);
    t.is((await post(spartakus('victim', ['v1.32.0', 'v1.32.0']), bearer('report-secret'))).status, 204);
    t.is((await post(spartakus('victim', []))).status, 401, 'an unauthenticated sender cannot replace it');
    t.is(await nodesOf(guarded.url), 2);
    t.is((await post(spartakus('victim', ['v1.33.0']), bearer('report-secret'))).status, 204);
    t.is(await nodesOf(guarded.url), 1, 'a token holder is trusted: its latest report is the cluster');
  },
);

testWithPostgres(
  '--reports-per-client-minute: 429 with Retry-After beyond the burst, before the body is read; per client',
  async (t) => {
    const db = await freshDatabase();
    const collector = await startTestCollector(t, { dbUrl: db.url, trustProxy: true, reportsPerClientMinute: 3 });
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let index = 0; index < 3; index++)
      t.is((await postJson(`${collector.url}/api/v1`, spartakus(`a-${index}`, []), from('192.0.2.1'))).status, 204);
    const limited = await postJson(`${collector.url}/api/v1`, spartakus('a-3', []), from('192.0.2.1'));
    t.is(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    t.true(retryAfter >= 1 && retryAfter <= 20, `Retry-After ${retryAfter}: one token in 20 s`);
    t.is((await limited.json()).error, 'more than 3 reports a minute from 192.0.2.1');
    const huge = await postJson(`${collector.url}/api/v1`, 'x'.repeat(2_000_000), from('192.0.2.1'));
    t.is(huge.status, 429, 'refused before its body is read (413 otherwise)');
    t.is((await postJson(`${collector.url}/api/v1`, spartakus('b-0', []), from('192.0.2.2'))).status, 204);
    t.deepEqual(
      (await db.query('SELECT cluster_id FROM reports ORDER BY id')).map((row) => row.cluster_id),
      ['a-0', 'a-1', 'a-2', 'b-0'],
    );
    const metrics = await collectorMetrics(collector.url);
    t.is(
      metrics.get('kube_api_exporter_collector_records_rejected_total{format="spartakus",reason="rate_limited"}'),
      2,
    );
  },
);

testWithPostgres(
  '--reports-per-cluster-day: a cluster beyond its cap in 24 hours gets 429 and nothing is stored; others unaffected',
  async (t) => {
    const db = await freshDatabase();
    const collector = await startTestCollector(t, { dbUrl: db.url, reportsPerClusterDay: 2 });
    const post = (path: string, body: object) => postJson(`${collector.url}${path}`, body);
    t.is((await post('/api/v1', spartakus('busy', ['v1.32.0']))).status, 204);
    t.is((await post('/api/v1/stats', tectonic('busy', ['v1.32.0']))).status, 204);
    const capped = await post('/api/v1', spartakus('busy', []));
    t.is(capped.status, 429);
    t.is(capped.headers.get('retry-after'), '3600');
    t.is((await capped.json()).error, 'cluster busy sent 2 reports in the last 24 hours; not stored');
    t.is((await post('/api/v1', spartakus('quiet', []))).status, 204);
    t.like(await (await fetch(`${collector.url}/api/v1/summary`)).json(), { clusters: 2, reports: 3, nodes: 1 });
    await db.query(`UPDATE reports SET received_at = now() - interval '25 hours' WHERE cluster_id = 'busy'`);
    t.is((await post('/api/v1', spartakus('busy', []))).status, 204, 'a day later it may report again');
    const metrics = await collectorMetrics(collector.url);
    t.is(metrics.get('kube_api_exporter_collector_records_rejected_total{format="spartakus",reason="cluster_cap"}'), 1);
  },
);

testWithPostgres(
  '--reports-per-cluster-day holds for reports of one cluster sent at the same instant: exactly the cap is stored',
  async (t) => {
    const db = await freshDatabase();
    const cap = 3;
    const collector = await startTestCollector(t, { dbUrl: db.url, reportsPerClusterDay: cap });
    // Every insert takes 100 ms (a trigger), as a large report's does on a busy database: concurrent reports of one
    // cluster then overlap, each counting before the others are committed.
    await db.query(`CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END $$`);
    await db.query('CREATE TRIGGER slow_insert BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION slow_insert()');
    const report = spartakus('burst', []);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => postJson(`${collector.url}/api/v1`, report)),
    ).then((responses) => responses.map((response) => response.status));
    t.is(statuses.filter((status) => status === 204).length, cap, `statuses: ${statuses.join(' ')}`);
    t.is(statuses.filter((status) => status === 429).length, 20 - cap);
    const [stored] = await db.query(`SELECT count(*)::int AS count FROM reports WHERE cluster_id = 'burst'`);
    t.is(stored.count, cap);
  },
);

testWithPostgres(
  'filling: 8 senders of 20 reports of 0.9 MB each store what the default limits allow, not what they send',
  async (t) => {
    const db = await freshDatabase();
    const limit = (flag: string) => Number(COLLECTOR_FLAGS.find((spec) => spec.flag === flag)!.default);
    const perClient = limit('reports-per-client-minute');
    const collector = await startTestCollector(t, {
      dbUrl: db.url,
      trustProxy: true,
      reportsPerClientMinute: perClient,
      reportsPerClusterDay: limit('reports-per-cluster-day'),
    });
    // Random text, as incompressible as a real attacker would make it.
    const osImage = () => randomBytes(500).toString('hex');
    const nodes = Array.from({ length: 850 }, () => ({
      status: { nodeInfo: { kubeletVersion: 'v1.32.0', osImage: osImage() } },
    }));
    const body = JSON.stringify({ payload: { clusterID: 'filler', nodes } });
    t.true(body.length > 900_000 && body.length < 1_048_576, `${body.length} bytes`);
    const startedAt = Date.now();
    const statuses: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: 8 }, async (_, sender) => {
        for (let index = 0; index < 20; index++) {
          const text = body.replace('"filler"', `"filler-${sender}-${index}"`);
          // A 429 comes before the body is read: the upload may be cut short, which the client sees as an error.
          const status = await postJson(`${collector.url}/api/v1`, text, {
            'x-forwarded-for': `192.0.2.${sender}`,
          }).then(
            async (response) => {
              await response.arrayBuffer();
              return String(response.status);
            },
            () => 'cut',
          );
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const [{ count, bytes }] = await db.query(
      `SELECT count(*)::int AS count, pg_total_relation_size('reports')::bigint AS bytes FROM reports`,
    );
    t.log(
      `8 senders x 20 reports of ${(body.length / 1e6).toFixed(2)} MB in ${seconds.toFixed(1)} s: ${JSON.stringify(statuses)}; ${count} stored, table ${Math.round(Number(bytes) / 1e6)} MB`,
    );
    t.is(statuses['204'], count);
    t.is((statuses['429'] ?? 0) + (statuses.cut ?? 0), 160 - count);
    // Each sender: a burst of perClient, then one more per 60/perClient s.
    t.true(count <= 8 * (perClient + Math.ceil((seconds * perClient) / 60)), `${count} stored`);
  },
);

testWithPostgres(
  "the exporter's --report-auth-token-file: its reports carry the collector's token and are stored; without it, 401",
  async (t) => {
    const db = await freshDatabase();
    const files = tokenFiles(t, { report: 'report-secret' });
    const collector = await startTestCollector(t, { dbUrl: db.url, reportAuthTokenFile: files.report });
    const parsed = parseConfig(['--report-auth-token-file', files.report], {});
    t.is(parsed.action === 'run' ? parsed.config.report.authTokenFile : undefined, files.report);
    const reportUrl = `${collector.url}/api/v1`;
    const { exporter: withToken } = await startVolunteerCluster(
      t,
      { url: reportUrl, intervalMs: 3_600_000, clusterId: 'with-token', authToken: 'report-secret' },
      seedCluster([['v1.32.0', 'Debian']]),
    );
    const { exporter: without } = await startVolunteerCluster(
      t,
      { url: reportUrl, intervalMs: 3_600_000, clusterId: 'without' },
      seedCluster([['v1.32.0', 'Debian']]),
    );
    const reports = async (url: string) =>
      seriesValues(await (await fetch(`${url}/metrics`)).text(), 'kube_api_exporter_reports');
    await eventually(
      async () => (await reports(withToken.url)).get('kube_api_exporter_reports_sent_total') === 1,
      'sent',
      20_000,
    );
    await eventually(
      async () => ((await reports(without.url)).get('kube_api_exporter_reports_failed_total') ?? 0) >= 1,
      'refused',
      20_000,
    );
    t.deepEqual(
      (await db.query('SELECT cluster_id FROM reports')).map((row) => row.cluster_id),
      ['with-token'],
    );
  },
);
