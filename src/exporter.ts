/** Wires cache, watcher and HTTP server together: the exporter as a value that main, the demo and tests start. */

import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from './cache.js';
import { type CardinalityRules, cardinalityProblems, NO_LIMITS, sampleFilter } from './cardinality.js';
import { type Config, UsageError } from './config.js';
import { type DiscoveredResource, resolveKinds } from './kind-selection.js';
import { getJson } from './list.js';
import { type Scope, scopeProblems, UNSCOPED, watchTargets } from './scope.js';
import type { Logger } from './log.js';
import { SelfMetrics } from './self-metrics.js';
import { createApp } from './server.js';
import { ShardedWatcher } from './shard-watch.js';
import { shardingOf } from './sharding.js';
import type { Backoff } from './watch.js';

export interface ExporterOptions {
  readonly config: Pick<Config, 'port' | 'host' | 'leanixExcludeNamespaces'> & Partial<Pick<Config, 'kinds' | keyof Scope | 'shard' | 'totalShards' | 'pod' | 'podNamespace' | 'metricAllowlist' | 'metricDenylist' | 'kindSeriesLimits'>>;
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly backoff?: Backoff;
}

export interface RunningExporter {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly cache: ClusterCache;
  readonly watcher: ShardedWatcher;
  stop(): Promise<void>;
}

export async function startExporter({ config, kubeConfig, log, backoff }: ExporterOptions): Promise<RunningExporter> {
  const kinds = await resolveKinds(config.kinds ?? [], (group, version) => discover(kubeConfig, group, version));
  const scope: Scope = {
    namespaces: config.namespaces ?? UNSCOPED.namespaces,
    namespacesExclude: config.namespacesExclude ?? UNSCOPED.namespacesExclude,
    labelSelectors: config.labelSelectors ?? UNSCOPED.labelSelectors,
    fieldSelectors: config.fieldSelectors ?? UNSCOPED.fieldSelectors,
  };
  const cardinality: CardinalityRules = {
    allow: config.metricAllowlist ?? NO_LIMITS.allow,
    deny: config.metricDenylist ?? NO_LIMITS.deny,
    seriesLimits: config.kindSeriesLimits ?? NO_LIMITS.seriesLimits,
  };
  const [problem] = [...scopeProblems(scope, kinds), ...cardinalityProblems(cardinality, kinds)];
  if (problem) throw new UsageError(problem);
  const sharding = usage(() => shardingOf({ shard: config.shard ?? 0, totalShards: config.totalShards ?? 1, pod: config.pod, podNamespace: config.podNamespace }));
  let watcher: ShardedWatcher | undefined;
  const selfMetrics: SelfMetrics = new SelfMetrics({
    objectCounts: () => kinds.map((kind) => [kind.metricName, cache.count(kind)] as const),
    syncStates: () => watcher?.states().map(([kind, state]) => [kind.metricName, state.synced] as const) ?? [],
    seriesCount: () => cache.metrics.seriesCount,
    shard: () => watcher?.shard,
  });
  const cache = new ClusterCache(sampleFilter(cardinality, (kind, reason, count) => selfMetrics.droppedSeries.inc({ kind: kind.metricName, reason }, count)));
  watcher = new ShardedWatcher({ kubeConfig, kinds, targetsOf: (kind) => watchTargets(kind, scope), cache, selfMetrics, log, backoff }, sharding);
  const app = createApp({
    cache,
    selfMetrics,
    kindStates: () => watcher.states(),
    leanixExcludeNamespaces: config.leanixExcludeNamespaces,
    log,
  });
  const server = await listen(app.callback(), config.port, config.host);
  watcher.start();
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(config.host)}:${port}`;
  log.info('listening', { url, apiServer: kubeConfig.getCurrentCluster()?.server });
  return {
    url,
    cache,
    watcher,
    async stop() {
      await watcher.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function discover(kubeConfig: KubeConfig, group: string, version: string): Promise<readonly DiscoveredResource[]> {
  const server = kubeConfig.getCurrentCluster()!.server.replace(/\/$/, '');
  const list = await getJson<{ resources?: DiscoveredResource[] }>(kubeConfig, new URL(`${server}/apis/${group}/${version}`));
  return list.resources ?? [];
}

async function listen(handler: RequestListener, port: number, host: string): Promise<Server> {
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

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
