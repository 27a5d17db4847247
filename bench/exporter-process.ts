/** The built exporter as a child process against a simulated API server, as the benchmarks run it. */

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the exporter logged when it failed. */
export class ExporterFailed extends Error {}

/** Polls until the check passes (a throw counts as not yet, but ExporterFailed is thrown on); throws after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const passes = () =>
    check().catch((error) => {
      if (error instanceof ExporterFailed) throw error;
      return false;
    });
  while (!(await passes())) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Writes a kubeconfig for the API server into `dir`; returns its path. */
export function writeKubeconfig(dir: string, apiUrl: string): string {
  const kubeconfig = join(dir, 'kubeconfig.json');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 's', cluster: { server: apiUrl, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'c', context: { cluster: 's', user: 'u' } }],
    }),
  );
  return kubeconfig;
}

export interface ExporterProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The last 2,000 characters the process wrote to stderr. */
  stderrTail(): string;
}

/**
 * dist/main.js with the flags (GC on SIGUSR2) and `env` besides the benchmark's own environment; resolves once /readyz
 * says it has synced (within `syncTimeoutMs`), else kills it and throws, at once if it logs a line containing `failOn`
 * (its log line is the error's message).
 */
export async function startExporterProcess(
  kubeconfig: string,
  args: readonly string[] = [],
  {
    env = {},
    failOn,
    syncTimeoutMs,
  }: { env?: Readonly<Record<string, string>>; failOn?: string; syncTimeoutMs?: number } = {},
): Promise<ExporterProcess> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      './bench/gc-on-signal.mjs',
      'dist/main.js',
      '--kubeconfig',
      kubeconfig,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--log-level',
      'info',
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  let url = '';
  let tail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    url ||= /"url":"([^"]+)"/.exec(chunk.toString())?.[1] ?? '';
    tail = (tail + chunk.toString()).slice(-2000);
  });
  try {
    await waitFor(async () => {
      const failure = failOn === undefined ? undefined : tail.split('\n').find((line) => line.includes(failOn));
      if (failure) throw new ExporterFailed(failure);
      return url !== '' && (await fetch(`${url}/readyz`)).status === 200;
    }, syncTimeoutMs);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { child, url, stderrTail: () => tail };
}
