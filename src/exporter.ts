/** Wires cache, watcher and HTTP server together: the exporter as a value that main, the demo and tests start. */

import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from './cache.js';
import type { FlattenLimits } from './flatten.js';
import type { Config } from './config.js';
import { KINDS } from './kinds.js';
import type { Logger } from './log.js';
import { SelfMetrics } from './self-metrics.js';
import type { HttpAuth } from './http-guard.js';
import { closeGracefully, listen, type TlsFiles } from './http-server.js';
import { createApp } from './server.js';
import { type Backoff, ClusterWatcher } from './watch.js';
import type { WatchTimeouts } from './watch-stream.js';

export interface ExporterOptions {
  readonly config: Pick<Config, 'port' | 'host' | 'leanixExcludeNamespaces'>;
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly backoff?: Backoff;
  readonly watchTimeouts?: WatchTimeouts;
  readonly limits?: FlattenLimits;
  /** See AppOptions.unreadyAfterMs. */
  readonly unreadyAfterMs?: number;
  /** Serve HTTPS with this certificate and key. */
  readonly tls?: TlsFiles;
  /** Credentials /metrics and /leanix.json require. */
  readonly auth?: HttpAuth;
}

export interface RunningExporter {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly cache: ClusterCache;
  readonly watcher: ClusterWatcher;
  /** Stops accepting requests and closes the watches; requests in flight get up to `graceMs` (default 5 s) to finish. */
  stop(graceMs?: number): Promise<void>;
}

export async function startExporter({ config, kubeConfig, log, backoff, watchTimeouts, limits, unreadyAfterMs, tls, auth }: ExporterOptions): Promise<RunningExporter> {
  const cache = new ClusterCache({
    limits,
    onDropped: (kind, reason, count) => selfMetrics.flattenDropped.inc({ kind: kind.metricName, reason }, count),
  });
  let watcher: ClusterWatcher | undefined;
  const selfMetrics = new SelfMetrics({
    objectCounts: () => KINDS.map((kind) => [kind.metricName, cache.count(kind)] as const),
    kindStates: () => watcher?.states().map(([kind, state]) => [kind.metricName, state] as const) ?? [],
    seriesCount: () => cache.metrics.seriesCount,
  });
  watcher = new ClusterWatcher({ kubeConfig, kinds: KINDS, cache, selfMetrics, log, backoff, watchTimeouts });
  const app = createApp({
    cache,
    selfMetrics,
    kindStates: () => watcher.states(),
    leanixExcludeNamespaces: config.leanixExcludeNamespaces,
    log,
    unreadyAfterMs,
    auth,
  });
  const server = await listen(app.callback(), config.port, config.host, tls);
  watcher.start();
  const { port } = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}`;
  log.info('listening', { url, apiServer: kubeConfig.getCurrentCluster()?.server });
  return {
    url,
    cache,
    watcher,
    async stop(graceMs = 5000) {
      await Promise.all([closeGracefully(server, graceMs), watcher.stop()]);
    },
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
