import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parseConfig } from '../../src/config/exporter.js';
import type { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { startExporter } from '../../src/exporter.js';
import { NODE } from '../../src/kinds/table.js';
import { kubeConfigForServer } from '../../src/kube/kubeconfig.js';
import { readAccountSecret } from '../../src/report/volunteer.js';
import { UsageError } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/log.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { testConfig } from '../support/builders/config.js';
import { apiNode, NODE_SECRETS_RE } from '../support/builders/nodes.js';
import { eventually } from '../support/harness/cluster.js';
import { NAMESPACE_KIND, startVolunteerCluster } from '../support/harness/volunteer.js';

const nodeKind = NODE;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function seedNodes(withKubeSystem: boolean) {
  return (api: SimulatedApiServer) => {
    if (withKubeSystem) api.create(NAMESPACE_KIND, { metadata: { name: 'kube-system' } });
    api.create(nodeKind, apiNode(1, 'v1.32.0', 'Debian GNU/Linux 12 (bookworm)'));
    api.create(nodeKind, apiNode(2, 'v1.31.4', 'Flatcar Container Linux 4081.2.0'));
  };
}

/** A collector stand-in that answers `failures` times with 503, then 204, and keeps what it was sent. */
async function fakeCollector(t: ExecutionContext, failures: number) {
  const received: unknown[] = [];
  let attempts = 0;
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    attempts += 1;
    if (attempts <= failures) {
      response.writeHead(503).end('database unavailable\n');
      return;
    }
    received.push(JSON.parse(Buffer.concat(chunks).toString()));
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    received,
    attempts: () => attempts,
  };
}

test("/report.json: the kube-system UID as clusterID, each node's capacity and nodeInfo, nothing identifying", async (t) => {
  const { api, exporter } = await startVolunteerCluster(t, {}, seedNodes(true));
  const uid = api.get(NAMESPACE_KIND, undefined, 'kube-system')!.metadata.uid;
  await eventually(
    async () => (await (await fetch(`${exporter.url}/report.json`)).json()).payload.nodes.length === 2,
    'two nodes',
  );
  const response = await fetch(`${exporter.url}/report.json`);
  t.regex(response.headers.get('content-type')!, /application\/json/);
  const text = await response.text();
  const report = JSON.parse(text);
  t.deepEqual(Object.keys(report).sort(), ['metadata', 'payload']);
  t.is(report.payload.clusterID, uid);
  t.regex(report.metadata.timestamp, /^\d{10}$/);
  t.true(Math.abs(Number(report.metadata.timestamp) - Date.now() / 1000) < 60);
  t.deepEqual(report.payload.nodes.map((node: any) => node.status.nodeInfo.kubeletVersion).sort(), [
    'v1.31.4',
    'v1.32.0',
  ]);
  t.deepEqual(report.payload.nodes[0].status.capacity, {
    cpu: '4',
    memory: '16318684Ki',
    pods: '110',
    'ephemeral-storage': '101430960Ki',
  });
  t.notRegex(text, NODE_SECRETS_RE);
});

test('clusterID: --cluster-id wins; without kube-system a random UUID, different per start', async (t) => {
  const flagged = await startVolunteerCluster(t, { clusterId: 'my-cluster' }, seedNodes(true));
  t.is((await (await fetch(`${flagged.exporter.url}/report.json`)).json()).payload.clusterID, 'my-cluster');
  const first = await startVolunteerCluster(t, {}, seedNodes(false));
  const second = await startVolunteerCluster(t, {}, seedNodes(false));
  const firstId = (await (await fetch(`${first.exporter.url}/report.json`)).json()).payload.clusterID;
  const secondId = (await (await fetch(`${second.exporter.url}/report.json`)).json()).payload.clusterID;
  t.regex(firstId, UUID_RE);
  t.regex(secondId, UUID_RE);
  t.not(firstId, secondId);
});

test('an API server that never answers does not hold up the start: /report.json says why until the ID is known', async (t) => {
  const silent = createServer(() => {}); // accepts requests and never answers them
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  silent.on('connection', (socket) => t.teardown(() => socket.destroy()));
  const started = Date.now();
  const exporter = await startExporter({
    config: testConfig({ leanix: { excludeNamespaces: new Set() } }),
    kubeConfig: kubeConfigForServer(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`),
    log: silentLogger,
  });
  t.teardown(() => exporter.stop());
  t.true(Date.now() - started < 2_000, 'listening without waiting for the API server');
  const response = await fetch(`${exporter.url}/report.json`);
  t.is(response.status, 503);
  t.regex((await response.json()).error, /cluster ID is not known yet/);
  t.is((await fetch(`${exporter.url}/healthz`)).status, 200);
});

test('tectonic /report.json never shows the accountSecret', async (t) => {
  const volunteer = { format: 'tectonic' as const, accountId: 'acct-7', accountSecret: 'hunter2' };
  const { exporter } = await startVolunteerCluster(t, volunteer, seedNodes(true));
  await eventually(
    async () => (await (await fetch(`${exporter.url}/report.json`)).json()).payload.kubernetesNodes.length === 2,
    'two nodes',
  );
  const text = await (await fetch(`${exporter.url}/report.json`)).text();
  const report = JSON.parse(text);
  t.deepEqual(Object.keys(report).sort(), ['accountID', 'accountSecret', 'metadata', 'payload']);
  t.is(report.accountID, 'acct-7');
  t.is(report.accountSecret, '');
  t.regex(report.metadata.generated_at, /^\d{10}$/);
  t.false(text.includes('hunter2'));
});

test('reports are POSTed; failures are retried with backoff and counted', async (t) => {
  const collector = await fakeCollector(t, 3);
  const { exporter } = await startVolunteerCluster(t, { url: collector.url, intervalMs: 3_600_000 }, seedNodes(true));
  await eventually(() => collector.received.length === 1, 'report accepted after 3 failures');
  const report = collector.received[0] as any;
  t.is(report.payload.nodes.length, 2);
  t.notRegex(JSON.stringify(report), NODE_SECRETS_RE);
  const series = seriesValues(await (await fetch(`${exporter.url}/metrics`)).text(), 'kube_api_exporter_report');
  t.is(series.get('kube_api_exporter_reports_sent_total'), 1);
  t.is(series.get('kube_api_exporter_reports_failed_total'), 3);
  t.is(collector.attempts(), 4, 'no more attempts before the next interval');
});

test('tectonic reports carry the accountSecret when sent', async (t) => {
  const collector = await fakeCollector(t, 0);
  const volunteer = {
    url: collector.url,
    format: 'tectonic' as const,
    accountId: 'acct-7',
    accountSecret: 'hunter2',
  };
  await startVolunteerCluster(t, volunteer, seedNodes(true));
  await eventually(() => collector.received.length === 1, 'report received');
  const report = collector.received[0] as any;
  t.is(report.accountID, 'acct-7');
  t.is(report.accountSecret, 'hunter2');
  t.is(report.payload.kubernetesNodes.length, 2);
});

test('the report interval: a report per interval', async (t) => {
  const collector = await fakeCollector(t, 0);
  await startVolunteerCluster(t, { url: collector.url, intervalMs: 200 }, seedNodes(true));
  await eventually(() => collector.received.length >= 3, 'three reports');
  t.pass();
});

const config = (argv: string[]) => {
  const parsed = parseConfig(argv, {});
  if (parsed.action !== 'run') throw new Error('expected run');
  return parsed.config.report;
};

test('the accountSecret comes from the environment or a file, never a flag', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'secret');
  writeFileSync(file, 'from-file\n');
  const tectonic = ['--report-format', 'tectonic', '--report-url', 'http://c/api/v1/stats', '--report-account-id', 'a'];
  t.is(readAccountSecret(config(tectonic), { KUBE_API_EXPORTER_REPORT_ACCOUNT_SECRET: 'from-env' }), 'from-env');
  t.is(readAccountSecret(config([...tectonic, '--report-account-secret-file', file]), {}), 'from-file');
  t.throws(() => parseConfig([...tectonic, '--report-account-secret', 'x'], {}), {
    instanceOf: UsageError,
    message: /Unknown option '--report-account-secret'/,
  });
  t.throws(() => readAccountSecret(config(tectonic), {}), {
    instanceOf: UsageError,
    message: /needs --report-account-id and the secret/,
  });
  t.throws(() => readAccountSecret(config([...tectonic, '--report-account-secret-file', join(dir, 'missing')]), {}), {
    instanceOf: UsageError,
    message: /cannot read --report-account-secret-file/,
  });
  t.is(readAccountSecret(config([]), {}), undefined, 'spartakus needs no secret');
});

test('a collector that never answers does not hold up the watches', async (t) => {
  const hanging = createServer(() => {});
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        hanging.close(() => resolve());
        hanging.closeAllConnections();
      }),
  );
  const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/api/v1`;
  const { api, exporter } = await startVolunteerCluster(t, { url }, seedNodes(true));
  const connections = () => new Promise<number>((resolve) => hanging.getConnections((_, count) => resolve(count)));
  await eventually(async () => (await connections()) > 0, 'report POST pending');
  api.create(nodeKind, apiNode(3, 'v1.33.0', 'Debian GNU/Linux 13 (trixie)'));
  await eventually(
    async () => (await (await fetch(`${exporter.url}/report.json`)).json()).payload.nodes.length === 3,
    'the new node in the cache',
  );
  const series = seriesValues(await (await fetch(`${exporter.url}/metrics`)).text(), 'kube_api_exporter_report');
  t.is(series.get('kube_api_exporter_reports_sent_total'), 0);
});

test('without --report-url nothing is sent', async (t) => {
  const { exporter } = await startVolunteerCluster(t, {}, seedNodes(true));
  await eventually(
    async () => (await (await fetch(`${exporter.url}/report.json`)).json()).payload.nodes.length === 2,
    'two nodes',
  );
  const series = seriesValues(await (await fetch(`${exporter.url}/metrics`)).text(), 'kube_api_exporter_report');
  t.is(series.get('kube_api_exporter_reports_sent_total'), 0);
  t.is(series.get('kube_api_exporter_reports_failed_total'), 0);
});
