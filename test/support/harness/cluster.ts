/** A simulated API server and an exporter watching it, for end-to-end tests. */

import type { ExecutionContext } from 'ava';
import type { Config } from '../../../src/config/exporter.js';
import { SimulatedApiServer, type SimulatedApiServerOptions } from '../../../src/demo/simulated-apiserver.js';
import { type ExporterOptions, type RunningExporter, startExporter } from '../../../src/exporter.js';
import type { KindSpec } from '../../../src/kinds/table.js';
import { kubeConfigForServer } from '../../../src/kube/kubeconfig.js';
import { silentLogger } from '../../../src/util/log.js';

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
  /** Kinds the simulated API server serves; default all of the KINDS table. */
  served?: readonly KindSpec[],
  { api: apiOptions, ...exporterOptions }: TestExporterOptions & { api?: SimulatedApiServerOptions } = {},
): Promise<TestCluster> {
  const api = new SimulatedApiServer({ ...apiOptions, kinds: served });
  const apiUrl = await api.start();
  t.teardown(() => api.stop());
  seed(api);
  const exporter = await startReadyExporter(t, apiUrl, config, excludeNamespaces, exporterOptions);
  const get = (path: string) => fetch(`${exporter.url}${path}`);
  return { api, apiUrl, exporter, get, text: async (path) => (await get(path)).text() };
}

/** Exporter options tests may set beyond the flags. */
export type TestExporterOptions = Pick<
  ExporterOptions,
  'watchTimeouts' | 'limits' | 'unreadyAfterMs' | 'tls' | 'auth' | 'sendTimeoutMs'
>;

/** An exporter watching `apiUrl`, stopped at teardown, once every kind has synced. */
export async function startReadyExporter(
  t: ExecutionContext,
  apiUrl: string,
  config: Partial<Config> = {},
  excludeNamespaces: readonly string[] = ['kube-system', 'kube-public'],
  options: TestExporterOptions = {},
): Promise<RunningExporter> {
  const exporter = await startExporter({
    config: { ...config, port: 0, host: '127.0.0.1', leanixExcludeNamespaces: new Set(excludeNamespaces) },
    kubeConfig: kubeConfigForServer(apiUrl),
    log: silentLogger,
    backoff: FAST_BACKOFF,
    ...options,
  });
  t.teardown(() => exporter.stop());
  // Not through /readyz: with TLS or auth a plain fetch would not get through.
  await eventually(() => exporter.watcher.states().every(([, state]) => state.synced), 'exporter synced');
  return exporter;
}

/** Polls until the check passes or the deadline passes; the last failure is thrown. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
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
