import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { COLLECTOR_FLAGS, collectorHelpText, parseCollectorConfig } from '../../src/config/collector.js';
import { UsageError } from '../../src/util/errors.js';
import { eventually } from '../support/harness/cluster.js';
import { postJson } from '../support/harness/collector.js';
import { portOpen } from '../support/harness/process.js';
import { testNeeding } from '../support/harness/tools.js';
import { freshDatabase, POSTGRES, stopSharedPostgres } from '../support/servers/postgres.js';

const testWithPostgres = testNeeding(POSTGRES);

test.after.always(stopSharedPostgres);

const runMain = (...args: string[]) =>
  spawnSync(process.execPath, ['--import=tsx', 'src/main.ts', ...args], { encoding: 'utf8' });

/** `kube-api-exporter collector ...` as a child process; resolves with its URL once it logs that it listens. */
async function startCli(
  t: ExecutionContext,
  args: string[],
): Promise<{ url: string; child: ChildProcess; output: () => string; stopped: () => Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ['--import=tsx', 'src/main.ts', 'collector', '--host', '127.0.0.1', '--port', '0', ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let url: string | undefined;
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}: ${output}`);
      const line = output.split('\n').find((entry) => entry.includes('"collector listening"'));
      url = line ? JSON.parse(line).url : undefined;
      return url !== undefined;
    },
    'collector listening',
    60_000,
  );
  return {
    url: url!,
    child,
    output: () => output,
    stopped: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const report = (clusterID: string) => ({
  payload: { clusterID, nodes: [{ status: { nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian' } } }] },
});

test.serial(
  'without --db-url the collector runs an embedded PostgreSQL that keeps its data across restarts',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'collector-embedded-'));
    // As root, the server runs as the `postgres` user, which must be able to reach the data directory.
    chmodSync(dir, 0o755);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const dbDir = join(dir, 'db');

    const first = await startCli(t, ['--db-dir', dbDir]);
    t.is((await postJson(`${first.url}/api/v1`, report('embedded-1'))).status, 204);
    t.like(await (await fetch(`${first.url}/api/v1/summary`)).json(), { clusters: 1, nodes: 1 });
    t.is(await first.stopped(), 0);
    if (process.getuid?.() === 0)
      t.not(statSync(dbDir).uid, 0, 'the data directory belongs to the unprivileged server user');

    const second = await startCli(t, ['--db-dir', dbDir]);
    t.is((await postJson(`${second.url}/api/v1`, report('embedded-2'))).status, 204);
    t.like(await (await fetch(`${second.url}/api/v1/summary`)).json(), { clusters: 2, reports: 2 });
    t.is(await second.stopped(), 0);
  },
);

test('collector flags: defaults, environment, switches', (t) => {
  const run = (argv: string[], env: Record<string, string> = {}) => {
    const parsed = parseCollectorConfig(argv, env);
    if (parsed.action !== 'run') throw new Error('expected run');
    return parsed.config;
  };
  t.like(run([]), {
    port: 8081,
    host: '0.0.0.0',
    dbUrl: undefined,
    dbDir: 'collector-db',
    trustProxy: false,
    maxBodyBytes: 1_048_576,
    reportAuthTokenFile: undefined,
    summaryAuthTokenFile: undefined,
    reportsPerClientMinute: 10,
    reportsPerClusterDay: 100,
    logLevel: 'info',
  });
  t.like(
    run(['--report-auth-token-file', '/run/secrets/report', '--reports-per-cluster-day', '24'], {
      KUBE_API_EXPORTER_COLLECTOR_SUMMARY_AUTH_TOKEN_FILE: '/run/secrets/summary',
      KUBE_API_EXPORTER_COLLECTOR_REPORTS_PER_CLIENT_MINUTE: '2',
    }),
    {
      reportAuthTokenFile: '/run/secrets/report',
      summaryAuthTokenFile: '/run/secrets/summary',
      reportsPerClientMinute: 2,
      reportsPerClusterDay: 24,
    },
  );
  t.true(run(['--trust-proxy']).trustProxy);
  t.true(run([], { KUBE_API_EXPORTER_COLLECTOR_TRUST_PROXY: 'true' }).trustProxy);
  t.is(run([], { KUBE_API_EXPORTER_COLLECTOR_DB_URL: 'postgres://u@h/db' }).dbUrl, 'postgres://u@h/db');
  t.is(
    run(['--db-url', 'postgresql://u@h:5433/db'], { KUBE_API_EXPORTER_COLLECTOR_DB_URL: 'postgres://u@h/db' }).dbUrl,
    'postgresql://u@h:5433/db',
  );
  for (const spec of COLLECTOR_FLAGS) {
    t.regex(spec.env, /^KUBE_API_EXPORTER_COLLECTOR_[A-Z_]+$/);
    t.true(collectorHelpText().includes(`--${spec.flag}`));
    t.true(collectorHelpText().includes(spec.env));
  }
});

const BAD_FLAGS: ReadonlyArray<readonly [string[], Record<string, string>, RegExp]> = [
  [
    ['--db-url', 'mysql://x'],
    {},
    /invalid --db-url "mysql:\/\/x": expected a URL starting with postgres:\/\/ or postgresql:\/\//,
  ],
  [['--max-body-bytes', '0'], {}, /invalid --max-body-bytes "0": expected a whole number above 0/],
  [['--trust-proxy=yes'], {}, /--trust-proxy/],
  [
    [],
    { KUBE_API_EXPORTER_COLLECTOR_TRUST_PROXY: 'maybe' },
    /invalid \$KUBE_API_EXPORTER_COLLECTOR_TRUST_PROXY "maybe": expected true or false/,
  ],
  [['--report-url', 'http://x'], {}, /Unknown option '--report-url'/],
  [
    ['--reports-per-client-minute', '0'],
    {},
    /invalid --reports-per-client-minute "0": expected a whole number above 0/,
  ],
  [
    [],
    { KUBE_API_EXPORTER_COLLECTOR_REPORTS_PER_CLUSTER_DAY: 'many' },
    /invalid \$KUBE_API_EXPORTER_COLLECTOR_REPORTS_PER_CLUSTER_DAY "many": expected a whole number/,
  ],
  [['--report-auth-token-file'], {}, /--report-auth-token-file/],
];

for (const [argv, env, message] of BAD_FLAGS) {
  test(`collector rejects ${JSON.stringify(argv)} ${JSON.stringify(env)}`, (t) => {
    const error = t.throws(() => parseCollectorConfig(argv, env), { instanceOf: UsageError });
    t.regex(error!.message, message);
  });
}

test('the command: `collector --help`, and bad collector flags exit 2 with one line', (t) => {
  const help = runMain('collector', '--help');
  t.is(help.status, 0);
  t.regex(help.stdout, /^Usage: kube-api-exporter collector \[flags\]/);
  t.regex(help.stdout, /--db-url URL/);
  t.regex(help.stdout, /--trust-proxy {2,}/);
  t.regex(runMain('--help').stdout, /kube-api-exporter collector \[flags\]/, "the exporter's help names the collector");
  const bad = runMain('collector', '--port', 'x');
  t.is(bad.status, 2);
  t.regex(bad.stderr, /^kube-api-exporter: invalid --port "x"/);
  t.is(bad.stderr.trim().split('\n').length, 1);
  const noToken = runMain('collector', '--report-auth-token-file', '/nonexistent/token');
  t.is(noToken.status, 2, 'an unreadable token file is a usage error');
  t.is(
    noToken.stderr,
    'kube-api-exporter: cannot read --report-auth-token-file /nonexistent/token: ENOENT (see --help)\n',
  );
});

testWithPostgres.serial(
  'SIGTERM with 50 reports in flight: every one answered or refused, each 204 stored, the rest not, exit 0',
  async (t) => {
    const db = await freshDatabase();
    const collector = await startCli(t, ['--db-url', db.url, '--reports-per-client-minute', '1000']);
    // Warm up: the pool's connections to the database are open before the burst.
    t.is((await postJson(`${collector.url}/api/v1`, report('warm-up'))).status, 204);
    const outcomes = Array.from({ length: 50 }, (_, index) =>
      postJson(`${collector.url}/api/v1`, report(`in-flight-${index}`)).then(
        (response) => String(response.status),
        (error: Error) => `no response (${(error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message})`,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 15));
    const signalledAt = Date.now();
    const code = await collector.stopped();
    const stopMs = Date.now() - signalledAt;
    const results = await Promise.all(outcomes);
    const counts: Record<string, number> = {};
    for (const result of results) counts[result] = (counts[result] ?? 0) + 1;
    t.log(
      `outcomes of 50 POSTs with SIGTERM 15 ms later: ${JSON.stringify(counts)}, exit code ${code} after ${stopMs} ms`,
    );
    t.is(code, 0, 'exits 0 once the database is closed');
    const stored = (await db.query(`SELECT cluster_id FROM reports WHERE cluster_id <> 'warm-up'`)).map(
      (row) => row.cluster_id,
    );
    const acknowledged = results.flatMap((result, index) => (result === '204' ? [`in-flight-${index}`] : []));
    t.deepEqual(stored.sort(), acknowledged.sort(), 'stored exactly the reports answered 204');
    for (const result of results)
      t.true(
        result === '204' ||
          result === '503' ||
          /^no response \((ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)\)$/.test(result),
        result,
      );
    t.true((counts['204'] ?? 0) >= 1, 'requests already received are finished, not dropped');
  },
);

testWithPostgres.serial(
  'SIGUSR1 leaves the inspector closed and the collector running; SIGHUP stops it like SIGTERM, exit 0',
  async (t) => {
    const db = await freshDatabase();
    const collector = await startCli(t, ['--db-url', db.url]);
    if (await portOpen(9229)) return t.fail('127.0.0.1:9229 is already in use: cannot tell whether SIGUSR1 opens it');
    collector.child.kill('SIGUSR1');
    await eventually(() => collector.output().includes('SIGUSR1 ignored'), 'SIGUSR1 logged');
    await new Promise((resolve) => setTimeout(resolve, 500));
    t.false(await portOpen(9229), 'no inspector on 127.0.0.1:9229');
    t.is(collector.child.exitCode, null, 'still running');
    t.is((await postJson(`${collector.url}/api/v1`, report('after-usr1'))).status, 204);
    const exited = new Promise<number | null>((resolve) => collector.child.once('exit', resolve));
    collector.child.kill('SIGHUP');
    t.is(await exited, 0);
    t.regex(collector.output(), /"msg":"shutting down","signal":"SIGHUP"/);
    t.regex(collector.output(), /"msg":"stopped"/);
  },
);
