/** A simulated API server and an exporter watching it, for end-to-end tests. */

import type { ExecutionContext } from 'ava';
import type { Config } from '../../src/config.js';
import { type ExporterOptions, startExporter, type RunningExporter } from '../../src/exporter.js';
import { kubeConfigForServer } from '../../src/kubeconfig.js';
import { silentLogger } from '../../src/log.js';
import { SimulatedApiServer, type SimulatedApiServerOptions } from '../../src/simulated-apiserver.js';

export const FAST_BACKOFF = { initialMs: 50, maxMs: 500 };

export interface TestCluster {
  readonly api: SimulatedApiServer;
  readonly apiUrl: string;
  readonly exporter: RunningExporter;
  get(path: string): Promise<Response>;
  text(path: string): Promise<string>;
}

export async function startTestCluster(
  t: ExecutionContext,
  seed: (api: SimulatedApiServer) => void = () => {},
  excludeNamespaces: readonly string[] = ['kube-system', 'kube-public'],
  config: Partial<Config> = {},
  options: Pick<ExporterOptions, 'watchTimeouts' | 'limits' | 'unreadyAfterMs' | 'tls' | 'auth'> & { api?: SimulatedApiServerOptions } = {},
): Promise<TestCluster> {
  const { api: apiOptions, ...exporterOptions } = options;
  const api = new SimulatedApiServer(apiOptions);
  const apiUrl = await api.start();
  t.teardown(() => api.stop());
  seed(api);
  const exporter = await startExporter({
    config: { ...config, port: 0, host: '127.0.0.1', leanixExcludeNamespaces: new Set(excludeNamespaces) },
    kubeConfig: kubeConfigForServer(apiUrl),
    log: silentLogger,
    backoff: FAST_BACKOFF,
    ...exporterOptions,
  });
  t.teardown(() => exporter.stop());
  const get = (path: string) => fetch(`${exporter.url}${path}`);
  const cluster: TestCluster = { api, apiUrl, exporter, get, text: async (path) => (await get(path)).text() };
  await eventually(() => exporter.watcher.states().every(([, state]) => state.synced), 'exporter synced');
  return cluster;
}

/** Polls until the check passes or the deadline passes; the last failure is thrown. */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
