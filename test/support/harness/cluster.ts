/** A simulated API server and an exporter watching it, for end-to-end tests. */

import type { ExecutionContext } from 'ava';
import { SimulatedApiServer, type SimulatedApiServerOptions } from '../../../src/demo/simulated-apiserver.js';
import { type ExporterOptions, type RunningExporter, startExporter } from '../../../src/exporter.js';
import type { KindSpec } from '../../../src/kinds/table.js';
import { kubeConfigForServer } from '../../../src/kube/kubeconfig.js';
import { silentLogger } from '../../../src/util/log.js';
import { type ConfigOverrides, testConfig } from '../builders/config.js';

export const FAST_BACKOFF = { initialMs: 50, maxMs: 500 };

export interface TestCluster {
  readonly api: SimulatedApiServer;
  readonly apiUrl: string;
  readonly exporter: RunningExporter;
  get(path: string): Promise<Response>;
  text(path: string): Promise<string>;
}

/** How a test's exporter differs from one started with no flags (beside listening on a free port of 127.0.0.1). */
export interface TestExporterOptions extends Pick<ExporterOptions, 'tls' | 'auth'> {
  /** Flags, by group: `{ watch: { timeoutSeconds: 5 } }`. */
  readonly config?: ConfigOverrides;
  /** --leanix-exclude-namespaces, over `config`; else its default (kube-system, kube-public). */
  readonly excludeNamespaces?: readonly string[];
}

export interface TestClusterOptions extends TestExporterOptions {
  /** Creates the objects the API server holds before the exporter starts. */
  readonly seed?: (api: SimulatedApiServer) => void;
  /** Kinds the simulated API server serves; default all of the KINDS table. */
  readonly served?: readonly KindSpec[];
  readonly api?: SimulatedApiServerOptions;
}

export async function startTestCluster(
  t: ExecutionContext,
  { seed, served, api: apiOptions, ...exporterOptions }: TestClusterOptions = {},
): Promise<TestCluster> {
  const api = new SimulatedApiServer({ ...apiOptions, kinds: served });
  const apiUrl = await api.start();
  t.teardown(() => api.stop());
  seed?.(api);
  const exporter = await startReadyExporter(t, { apiUrl, ...exporterOptions });
  const get = (path: string) => fetch(`${exporter.url}${path}`);
  return { api, apiUrl, exporter, get, text: async (path) => (await get(path)).text() };
}

/** An exporter watching `apiUrl`, stopped at teardown, once every kind has synced. */
export async function startReadyExporter(
  t: ExecutionContext,
  { apiUrl, config = {}, excludeNamespaces, ...options }: TestExporterOptions & { readonly apiUrl: string },
): Promise<RunningExporter> {
  const exclusions = excludeNamespaces && { leanix: { excludeNamespaces: new Set(excludeNamespaces) } };
  const exporter = await startExporter({
    config: testConfig(config, exclusions ?? {}),
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
