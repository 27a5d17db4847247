/** Wires cache, watcher and HTTP server together: the exporter as a value that main, the demo and tests start. */

import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from './cache.js';
import type { Config } from './config.js';
import { KINDS } from './kinds.js';
import type { Logger } from './log.js';
import { SelfMetrics } from './self-metrics.js';
import { createApp } from './server.js';
import { createVolunteer, VOLUNTEER_DEFAULTS, type VolunteerConfig } from './volunteer.js';
import { type Backoff, ClusterWatcher } from './watch.js';

export interface ExporterOptions {
  readonly config: Pick<Config, 'port' | 'host' | 'leanixExcludeNamespaces'>;
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly backoff?: Backoff;
  /** Cluster reports (/report.json, --report-url); defaults to VOLUNTEER_DEFAULTS, which send nothing. */
  readonly volunteer?: VolunteerConfig;
  readonly reportBackoff?: Backoff;
}

export interface RunningExporter {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly cache: ClusterCache;
  readonly watcher: ClusterWatcher;
  stop(): Promise<void>;
}

export async function startExporter({ config, kubeConfig, log, backoff, volunteer: volunteerConfig, reportBackoff }: ExporterOptions): Promise<RunningExporter> {
  const cache = new ClusterCache();
  let watcher: ClusterWatcher | undefined;
  const selfMetrics = new SelfMetrics({
    objectCounts: () => KINDS.map((kind) => [kind.metricName, cache.count(kind)] as const),
    syncStates: () => watcher?.states().map(([kind, state]) => [kind.metricName, state.synced] as const) ?? [],
    seriesCount: () => cache.metrics.seriesCount,
  });
  watcher = new ClusterWatcher({ kubeConfig, kinds: KINDS, cache, selfMetrics, log, backoff });
  const volunteer = await createVolunteer({
    config: volunteerConfig ?? VOLUNTEER_DEFAULTS,
    kubeConfig,
    cache,
    nodesSynced: () => watcher.states().some(([kind, state]) => kind.metricName === 'node' && state.synced),
    selfMetrics,
    log,
    backoff: reportBackoff,
  });
  const app = createApp({
    cache,
    selfMetrics,
    kindStates: () => watcher.states(),
    leanixExcludeNamespaces: config.leanixExcludeNamespaces,
    report: () => volunteer.shown(),
    log,
  });
  const server = await listen(app.callback(), config.port, config.host);
  watcher.start();
  volunteer.start();
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(config.host)}:${port}`;
  log.info('listening', { url, apiServer: kubeConfig.getCurrentCluster()?.server });
  return {
    url,
    cache,
    watcher,
    async stop() {
      volunteer.stop();
      await watcher.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function listen(handler: RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
