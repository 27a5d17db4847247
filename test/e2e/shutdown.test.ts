/**
 * SIGTERM on the built command (tsc output, run by node as in the image): it stops accepting connections, finishes
 * the response in flight, closes its watches and exits 0 within a few seconds. SIGHUP does the same; SIGUSR1 opens
 * no inspector.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { SimulatedApiServer } from '../../src/demo/simulated-apiserver.js';
import { DEFAULT_KINDS, KINDS } from '../../src/kinds/table.js';
import { expositionProblems } from '../support/assertions/exposition.js';
import { eventually } from '../support/harness/cluster.js';
import { portOpen } from '../support/harness/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pod = KINDS.find((kind) => kind.metricName === 'pod')!;

let built: string | undefined;
test.after.always(() => built && rmSync(built, { recursive: true, force: true }));

/** Compiles src/ the way `npm run build` does, into a directory under node_modules so that imports resolve; once per file. */
function build(): string {
  if (built) return built;
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'kae-build-'));
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      outDir,
    ],
    { encoding: 'utf8' },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
  built = outDir;
  return outDir;
}

function kubeconfigFor(dir: string, server: string): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );
}

test.serial(
  'SIGTERM: stop accepting, finish the response in flight, close watches, exit 0 within seconds',
  async (t) => {
    const outDir = build();
    const api = new SimulatedApiServer();
    const apiUrl = await api.start();
    t.teardown(() => api.stop());
    // Enough series that /metrics cannot fit in socket buffers: the response stays in flight while it is not read.
    const containerStatuses = Array.from({ length: 20 }, (_, index) => ({
      name: `c${index}`,
      restartCount: index,
      ready: true,
    }));
    for (let index = 0; index < 2000; index++)
      api.create(pod, { metadata: { name: `pod-${index}`, namespace: 'default' }, status: { containerStatuses } });
    const child = spawn(
      process.execPath,
      [join(outDir, 'main.js'), '--kubeconfig', kubeconfigFor(outDir, apiUrl), '--port', '0', '--host', '127.0.0.1'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    t.teardown(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await eventually(() => /"msg":"listening"/.test(stderr), 'listening', 30_000);
    const url = JSON.parse(stderr.split('\n').find((line) => line.includes('"listening"'))!).url as string;
    await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, `ready (${stderr})`, 30_000);
    t.is(api.openWatches(), DEFAULT_KINDS.length);

    const inFlight = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      request(`${url}/metrics`, resolve).on('error', reject).end(),
    );
    inFlight.pause();
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await eventually(() => stderr.includes('"msg":"shutting down"'), 'shutdown logged');
    await eventually(async () => {
      try {
        await fetch(`${url}/healthz`);
        return false;
      } catch {
        return true;
      }
    }, 'new connections refused');
    await new Promise((resolve) => setTimeout(resolve, 500));
    t.is(child.exitCode, null, 'still running while the response is in flight');
    let body = '';
    inFlight.setEncoding('utf8');
    inFlight.on('data', (chunk) => (body += chunk));
    await new Promise((resolve) => inFlight.on('end', resolve).resume());
    t.deepEqual(expositionProblems(body), [], 'the response in flight finished whole');
    t.true(
      body.includes(
        'k8s_pod_status_containerStatuses_restartCount{name="pod-1999",namespace="default",container="c19"} 19',
      ),
    );
    t.is(await exited(child), 0);
    t.true(Date.now() - signalledAt < 8000, `exited after ${Date.now() - signalledAt} ms`);
    t.is(api.openWatches(), 0, 'watches closed');
    t.regex(stderr, /"msg":"stopped"/);
  },
);

test.serial(
  'SIGUSR1 opens no inspector and is only logged; SIGHUP stops gracefully like SIGTERM, exit 0',
  async (t) => {
    const outDir = build();
    const api = new SimulatedApiServer();
    const apiUrl = await api.start();
    t.teardown(() => api.stop());
    const child = spawn(
      process.execPath,
      [join(outDir, 'main.js'), '--kubeconfig', kubeconfigFor(outDir, apiUrl), '--port', '0', '--host', '127.0.0.1'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    t.teardown(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await eventually(() => /"msg":"listening"/.test(stderr), 'listening', 30_000);
    const url = JSON.parse(stderr.split('\n').find((line) => line.includes('"listening"'))!).url as string;
    await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, `ready (${stderr})`, 30_000);
    if (await portOpen(9229)) return t.fail('127.0.0.1:9229 is already in use: cannot tell whether SIGUSR1 opens it');

    child.kill('SIGUSR1');
    await eventually(() => stderr.includes('SIGUSR1 ignored'), 'SIGUSR1 logged');
    await new Promise((resolve) => setTimeout(resolve, 500));
    t.false(await portOpen(9229), 'no inspector on 127.0.0.1:9229');
    t.is((await fetch(`${url}/healthz`)).status, 200, 'still serving');

    child.kill('SIGHUP');
    t.is(await exited(child), 0);
    t.regex(stderr, /"msg":"shutting down","signal":"SIGHUP"/);
    t.regex(stderr, /"msg":"stopped"/);
    t.is(api.openWatches(), 0, 'watches closed');
  },
);
