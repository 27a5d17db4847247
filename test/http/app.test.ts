/** HTTP hardening: reads of known routes only, request limits, auth, TLS, concurrent scrapes. */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import selfsigned from 'selfsigned';
import { authorized } from '../../src/http/guard.js';
import { loadHttpSecurity } from '../../src/http/security.js';
import { KINDS } from '../../src/kinds/table.js';
import { UsageError } from '../../src/util/errors.js';
import { expositionProblems } from '../support/assertions/exposition.js';
import { restartingPod } from '../support/builders/objects.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';

const pod = KINDS.find((kind) => kind.metricName === 'pod')!;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request (fetch forbids some methods and bodies on GET), over HTTP or, with `ca`, HTTPS. */
function send(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
    ca,
  }: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = (ca ? httpsRequest : httpRequest)(url, { method, headers, ca }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

test('only GET and HEAD on known routes: 404 for unknown paths, 405 with Allow for other methods, 413 for a body', async (t) => {
  const cluster = await startTestCluster(t);
  const base = cluster.exporter.url;
  for (const path of ['/', '/metrics', '/metrics/self', '/leanix.json', '/healthz', '/readyz']) {
    t.is((await send(`${base}${path}`)).status, 200, `GET ${path}`);
    t.is((await send(`${base}${path}`, { method: 'HEAD' })).status, 200, `HEAD ${path}`);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE']) {
      const answer = await send(`${base}${path}`, { method });
      t.is(answer.status, 405, `${method} ${path}`);
      t.is(answer.headers.allow, 'GET, HEAD');
    }
  }
  for (const path of ['/nope', '/metrics/', '/metrics/x', '/../etc/passwd', '/leanix.json.bak']) {
    t.is((await send(`${base}${path}`)).status, 404, path);
    t.is((await send(`${base}${path}`, { method: 'POST' })).status, 404, `POST ${path}`);
  }
  t.is(
    (
      await send(`${base}/metrics`, {
        headers: { 'Content-Type': 'text/plain', 'Content-Length': '100' },
        body: 'x'.repeat(100),
      })
    ).status,
    413,
  );
});

test('request limits: oversized headers get 431', async (t) => {
  const cluster = await startTestCluster(t);
  t.is((await send(`${cluster.exporter.url}/metrics`, { headers: { 'X-Big': 'x'.repeat(20_000) } })).status, 431);
  t.is((await send(`${cluster.exporter.url}/${'a'.repeat(20_000)}`)).status, 431, 'long request line');
  t.is((await send(`${cluster.exporter.url}/healthz`)).status, 200, 'still serving');
});

test('concurrent scrapes while objects change: every response whole and valid', async (t) => {
  // Slots for all 20 concurrent /metrics scrapes: this is about whole responses, the limit has tests of its own.
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      for (let index = 0; index < 200; index++) api.create(pod, restartingPod(`p${index}`, 0));
    },
    config: { http: { maxMetricsResponses: 20 } },
  });
  let changes = 0;
  const churn = setInterval(() => {
    for (let index = 0; index < 20; index++) {
      cluster.api.update(pod, 'default', `p${(changes * 20 + index) % 200}`, (object) => {
        object.status.containerStatuses[0].restartCount += 1;
      });
    }
    changes += 1;
  }, 5);
  t.teardown(() => clearInterval(churn));
  const scrapes = await Promise.all(
    Array.from({ length: 30 }, (_, index) => cluster.text(index % 3 === 0 ? '/leanix.json' : '/metrics')),
  );
  clearInterval(churn);
  t.true(changes > 0, 'objects changed during the scrapes');
  for (const text of scrapes) {
    if (text.startsWith('{'))
      t.is((JSON.parse(text) as { Namespaces: Array<{ Pods: unknown[] }> }).Namespaces[0].Pods.length, 200);
    else t.deepEqual(expositionProblems(text), []);
  }
});

test('bearer token guard: every data endpoint needs the token; the index and health stay open', async (t) => {
  const cluster = await startTestCluster(t, { excludeNamespaces: [], auth: { bearerToken: 's3cret-token' } });
  const base = cluster.exporter.url;
  for (const path of [
    '/metrics',
    '/metrics/self',
    '/leanix.json',
    '/leanix/v2.json',
    '/leanix/ldif.json',
    '/report.json',
  ]) {
    const denied = await send(`${base}${path}`);
    t.is(denied.status, 401, path);
    t.is(denied.headers['www-authenticate'], 'Bearer realm="kube-api-exporter"');
    t.false(denied.body.includes('k8s_'));
    t.is((await send(`${base}${path}`, { headers: { Authorization: 'Bearer wrong' } })).status, 401);
    t.not((await send(`${base}${path}`, { headers: { Authorization: 'Bearer s3cret-token' } })).status, 401);
  }
  t.is((await send(`${base}/events`)).status, 401, '/events');
  for (const path of ['/', '/healthz', '/readyz']) t.is((await send(`${base}${path}`)).status, 200, path);
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const authCases: ReadonlyArray<readonly [string, string, boolean]> = [
  ['right token', 'Bearer tok', true],
  ['wrong token', 'Bearer toke', false],
  ['token prefix', 'Bearer to', false],
  ['no credentials', '', false],
  ['scheme only', 'Bearer', false],
  ['right basic', basic('prom', 'pa:ss'), true],
  ['wrong password', basic('prom', 'pa:sx'), false],
  ['wrong user', basic('prometheus', 'pa:ss'), false],
  ['basic without colon', `Basic ${Buffer.from('prom').toString('base64')}`, false],
  ['token as basic', 'Basic tok', false],
  ['lower-case scheme', 'bearer tok', false],
];

for (const [title, header, expected] of authCases) {
  test(`authorized: ${title}`, (t) => {
    t.is(authorized({ bearerToken: 'tok', basic: { user: 'prom', password: 'pa:ss' } }, header), expected);
  });
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kae-http-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('secrets come from files: token and basic auth read, bad files are usage errors', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'token'), 's3cret\n');
  writeFileSync(join(dir, 'basic'), 'prom:pa:ss\n');
  writeFileSync(join(dir, 'empty'), '\n');
  writeFileSync(join(dir, 'nouser'), 'password-only\n');
  const none = { tlsCert: undefined, tlsKey: undefined, authTokenFile: undefined, basicAuthFile: undefined };
  t.deepEqual(loadHttpSecurity(none), { tls: undefined, auth: undefined });
  t.deepEqual(
    loadHttpSecurity({ ...none, authTokenFile: join(dir, 'token'), basicAuthFile: join(dir, 'basic') }).auth,
    {
      bearerToken: 's3cret',
      basic: { user: 'prom', password: 'pa:ss' },
    },
  );
  for (const [config, message] of [
    [{ ...none, authTokenFile: join(dir, 'missing') }, /cannot read --auth-token-file .*missing: ENOENT/],
    [{ ...none, authTokenFile: join(dir, 'empty') }, /expected one non-empty line/],
    [{ ...none, basicAuthFile: join(dir, 'nouser') }, /expected "user:password"/],
    [{ ...none, tlsCert: join(dir, 'token') }, /--tls-cert and --tls-key go together/],
  ] as const) {
    t.throws(() => loadHttpSecurity(config), { instanceOf: UsageError, message });
  }
});

test('TLS with a self-signed certificate: HTTPS served, plain HTTP refused, basic auth over it', async (t) => {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    notAfterDate: new Date(Date.now() + 86_400_000),
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const dir = tempDir(t);
  for (const [file, text] of [
    ['cert.pem', pems.cert],
    ['key.pem', pems.private],
    ['basic', 'prom:secret'],
  ])
    writeFileSync(join(dir, file), text);
  const security = loadHttpSecurity({
    tlsCert: join(dir, 'cert.pem'),
    tlsKey: join(dir, 'key.pem'),
    authTokenFile: undefined,
    basicAuthFile: join(dir, 'basic'),
  });
  const cluster = await startTestCluster(t, {
    seed: (api) => api.create(pod, restartingPod('tls-pod', 1)),
    excludeNamespaces: [],
    ...security,
  });
  const base = cluster.exporter.url;
  t.regex(base, /^https:\/\/127\.0\.0\.1:\d+$/);
  await eventually(async () => (await send(`${base}/readyz`, { ca: pems.cert })).status === 200, 'ready over HTTPS');
  const metrics = await send(`${base}/metrics`, { ca: pems.cert, headers: { Authorization: basic('prom', 'secret') } });
  t.is(metrics.status, 200);
  t.true(metrics.body.includes('name="tls-pod"'));
  t.is((await send(`${base}/metrics`, { ca: pems.cert })).status, 401);
  await t.throwsAsync(
    send(`${base}/metrics`, { ca: 'not the certificate' }),
    undefined,
    'an unknown certificate is not trusted',
  );
  await t.throwsAsync(send(`${base.replace('https:', 'http:')}/healthz`), undefined, 'no plain HTTP on the TLS port');
});

test('Secrets are never watched: the exporter requests only its four kinds, and the kube-system namespace (cluster ID)', async (t) => {
  const cluster = await startTestCluster(t);
  const paths = cluster.api.requestedPaths();
  t.true(paths.size > 0);
  const expected = /^\/(api\/v1\/(pods|nodes|services|namespaces\/kube-system)|apis\/apps\/v1\/deployments)$/;
  t.deepEqual(
    [...paths].filter((path) => !expected.test(path)),
    [],
  );
  t.false(KINDS.some((kind) => kind.kind === 'Secret' || kind.plural === 'secrets'));
});
