/** Wires cache, watcher and HTTP server together: the exporter as a value that main, the demo and tests start. */

import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterCache } from './cache.js';
import type { Config } from './config/exporter.js';
import { loadFieldsConfig } from './config/fields-config.js';
import { PodEventLog } from './events/event-log.js';
import { EventStream } from './events/event-stream.js';
import { RedisSink } from './events/redis-sink.js';
import { createApp } from './http/app.js';
import type { HttpAuth } from './http/guard.js';
import { closeGracefully, listen, type TlsFiles, urlHost } from './http/listen.js';
import { DECLARED_FIELDS } from './kinds/declared-fields.js';
import { type DiscoveredResource, resolveKinds, unwatchedKindProblems } from './kinds/selection.js';
import { apiUrl, getJson } from './kube/list.js';
import { scopeProblems, watchTargets } from './kube/scope.js';
import { ShardedWatcher } from './kube/shard-watch.js';
import { shardingOf } from './kube/sharding.js';
import { DeploymentHistory } from './leanix/deployment-history.js';
import { LDIF_KINDS, leanixDocuments } from './leanix/documents.js';
import { LDIF_CONNECTOR_VERSION } from './leanix/ldif.js';
import { LeanixPusher } from './leanix/push.js';
import { cardinalityProblems, sampleFilter } from './metrics/cardinality.js';
import { compileDeclared, resolveAllowlist } from './metrics/declared.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import { createVolunteer } from './report/volunteer.js';
import { type Backoff, DEFAULT_BACKOFF } from './util/backoff.js';
import { UsageError } from './util/errors.js';
import type { Logger } from './util/log.js';

/** Pod event messages kept for replay on /events. */
export const EVENT_REPLAY_CAPACITY = 1000;

export interface ExporterOptions {
  /** The flags, grouped (src/config/exporter.ts); defaultConfig() for none. */
  readonly config: Config;
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly backoff?: Backoff;
  /** Serve HTTPS with this certificate and key. */
  readonly tls?: TlsFiles;
  /** Credentials every endpoint but the index and health requires (src/http/app.ts OPEN_PATHS). */
  readonly auth?: HttpAuth;
  /** The tectonic accountSecret for reports (src/report/volunteer.ts readAccountSecret); never a flag. */
  readonly reportAccountSecret?: string;
  /** The collector's bearer token for reports (--report-auth-token-file, read by main). */
  readonly reportAuthToken?: string;
  readonly reportBackoff?: Backoff;
}

export interface RunningExporter {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly cache: ClusterCache;
  readonly watcher: ShardedWatcher;
  readonly events: PodEventLog;
  /** Stops accepting requests and closes the watches; requests in flight get up to `graceMs` (default 5 s) to finish. */
  stop(graceMs?: number): Promise<void>;
}

export async function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const { config, kubeConfig, log, backoff, tls, auth, reportAccountSecret, reportAuthToken, reportBackoff } = options;
  const { scope, cardinality, leanix: leanixConfig, http } = config;
  const kinds = await resolveKinds(scope.kinds, (group, version) => discover(kubeConfig, group, version));
  const { fieldsConfig, labelsAllowlist, annotationsAllowlist } = config.declared;
  const fileFields = fieldsConfig === undefined ? {} : loadFieldsConfig(fieldsConfig);
  const [problem] = [
    ...scopeProblems(scope, kinds),
    ...cardinalityProblems(cardinality, kinds),
    ...unwatchedKindProblems(`--fields-config ${fieldsConfig}`, Object.keys(fileFields), kinds),
  ];
  if (problem) throw new UsageError(problem);
  const declared = usage(() =>
    compileDeclared(
      { ...DECLARED_FIELDS, ...fileFields },
      {
        labels: resolveAllowlist('--metric-labels-allowlist', labelsAllowlist, kinds),
        annotations: resolveAllowlist('--metric-annotations-allowlist', annotationsAllowlist, kinds),
      },
    ),
  );
  const sharding = usage(() => shardingOf(config.sharding));
  let watcher: ShardedWatcher | undefined;
  const selfMetrics: SelfMetrics = new SelfMetrics({
    objectCounts: () => kinds.map((kind) => [kind.metricName, cache.count(kind)] as const),
    kindStates: () => watcher?.states().map(([kind, state]) => [kind.metricName, state] as const) ?? [],
    seriesCount: () => cache.metrics.seriesCount,
    shard: () => watcher?.shard,
  });
  const cache = new ClusterCache({
    limits: config.limits,
    metricNames: config.metricNames,
    declared,
    onDropped: (kind, reason, count) => selfMetrics.flattenDropped.inc({ kind: kind.metricName, reason }, count),
    filterSamples: sampleFilter(cardinality, (kind, reason, count) =>
      selfMetrics.droppedSeries.inc({ kind: kind.metricName, reason }, count),
    ),
  });
  const history = new DeploymentHistory({
    perDeployment: leanixConfig.historyPerDeployment,
    total: leanixConfig.historyMax,
    startedAt: new Date(),
  });
  cache.onChange((change) => history.observe(change));
  const leanix = leanixDocuments({
    cache,
    history,
    filter: { include: leanixConfig.includeNamespaces ?? new Set(), exclude: leanixConfig.excludeNamespaces },
    ldifHeader: { connectorId: leanixConfig.connectorId, connectorVersion: LDIF_CONNECTOR_VERSION },
  });
  const events = new PodEventLog({ capacity: EVENT_REPLAY_CAPACITY, registry: selfMetrics.registry, log });
  events.follow(cache);
  const eventStream = new EventStream(events, { registry: selfMetrics.registry });
  const { redisUrl } = config.events;
  const redis =
    redisUrl === undefined ? undefined : new RedisSink({ url: redisUrl, registry: selfMetrics.registry, log, backoff });
  if (redis) events.subscribe(redis.accept);
  const pusher = leanixConfig.pushUrl
    ? new LeanixPusher({
        url: leanixConfig.pushUrl,
        debounceMs: leanixConfig.pushDebounceMs,
        render: () => JSON.stringify(leanix.ldif()),
        backoff: backoff ?? DEFAULT_BACKOFF,
        log,
        onResult: (result) => selfMetrics.leanixPushes.inc({ result }),
      })
    : undefined;
  if (pusher) {
    cache.onChange((change) => {
      if (LDIF_KINDS.has(change.kind.metricName)) pusher.changed();
    });
  }
  watcher = new ShardedWatcher(
    {
      kubeConfig,
      kinds,
      targetsOf: (kind) => watchTargets(kind, scope),
      sink: cache,
      selfMetrics,
      log,
      backoff,
      watchTimeouts: config.watch,
      initialList: config.watch.initialList,
    },
    sharding,
  );
  const volunteer = createVolunteer({
    config: config.report,
    accountSecret: reportAccountSecret,
    authToken: reportAuthToken,
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
    leanix,
    eventStream,
    report: () => volunteer.shown(),
    log,
    unreadyAfterMs: http.unreadyAfterMs,
    auth,
    maxMetricsResponses: http.maxMetricsResponses,
  });
  const server = await listen(app.callback(), http.port, http.host, tls, {
    sendTimeoutMs: http.sendTimeoutMs,
    onSendTimeout: () => selfMetrics.sendTimeouts.inc(),
  });
  watcher.start();
  volunteer.start();
  const { port } = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${urlHost(http.host)}:${port}`;
  log.info('listening', { url, apiServer: kubeConfig.getCurrentCluster()?.server });
  return {
    url,
    cache,
    watcher,
    events,
    async stop(graceMs = 5000) {
      volunteer.stop();
      // Event streams never finish by themselves: ended first, so that the graceful close waits only for the rest.
      eventStream.closeAll();
      await Promise.all([closeGracefully(server, graceMs), watcher.stop()]);
      await redis?.stop();
      await pusher?.stop();
    },
  };
}

/** Runs a check whose plain Error means the flags do not fit together. */
function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The resources of one API group version, from its discovery document. */
async function discover(
  kubeConfig: KubeConfig,
  group: string,
  version: string,
): Promise<readonly DiscoveredResource[]> {
  const list = await getJson<{ resources?: DiscoveredResource[] }>(
    kubeConfig,
    apiUrl(kubeConfig, `/apis/${group}/${version}`),
  );
  return list.resources ?? [];
}
