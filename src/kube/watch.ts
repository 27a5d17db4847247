/**
 * One client-node informer (ListWatch: list + watch) per kind, feeding the cache. ListWatch relists by itself on
 * 410 Gone but stops on any other error; here every stop is retried with capped exponential backoff (or the
 * server's Retry-After, if longer), and each kind's state (synced, last error, next retry) is kept for /readyz and
 * the self-metrics. The watch requests go through StreamWatch, which detects stalled watches and broken streams.
 */

import { type KubeConfig, type KubernetesObject, ListWatch } from '@kubernetes/client-node';
import _ from 'lodash';
import { type ClusterCache, InvalidObjectError } from '../cache.js';
import type { KindState } from '../kinds/state.js';
import { collectionPath, type KindSpec } from '../kinds/table.js';
import type { SelfMetrics, WatchEventType } from '../metrics/self-metrics.js';
import type { KubeObject } from '../objects/kube-object.js';
import { type Backoff, backoffDelay, DEFAULT_BACKOFF } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import { ApiError, errorReason } from './api-error.js';
import { listCollection } from './list.js';
import type { WatchTarget } from './scope.js';
import { StreamWatch, type WatchTimeouts } from './watch-stream.js';

const DEFAULT_WATCH_TIMEOUTS: WatchTimeouts = { timeoutSeconds: 300, idleTimeoutMs: 120_000 };

interface WatchedKind {
  readonly kind: KindSpec;
  readonly target: WatchTarget;
  readonly informer: ListWatch<KubernetesObject>;
  readonly stream: StreamWatch;
  readonly state: KindState;
  retryTimer?: NodeJS.Timeout;
  failedSinceStart: boolean;
}

/**
 * Makes the informer's next start() a full relist, as after 410 Gone. ListWatch (client-node 1.4, pinned ~1.4.0)
 * offers no other way: it relists only when its private resourceVersion is empty.
 */
function relistOnNextStart(informer: ListWatch<KubernetesObject>): void {
  (informer as unknown as { resourceVersion: string }).resourceVersion = '';
}

export interface WatcherOptions {
  readonly kubeConfig: KubeConfig;
  readonly kinds: readonly KindSpec[];
  readonly cache: ClusterCache;
  readonly selfMetrics: SelfMetrics;
  readonly log: Logger;
  readonly backoff?: Backoff;
  readonly watchTimeouts?: WatchTimeouts;
  /** The list+watches of a kind; default one for the whole collection, unfiltered. */
  readonly targetsOf?: (kind: KindSpec) => readonly WatchTarget[];
  /** Objects this exporter keeps (its shard); the others are ignored. Default all. */
  readonly keeps?: (object: KubeObject) => boolean;
}

export class ClusterWatcher {
  private readonly watched: WatchedKind[];
  private readonly backoff: Backoff;
  private stopped = false;

  constructor(private readonly options: WatcherOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    const targetsOf = options.targetsOf ?? ((kind) => [{ path: collectionPath(kind) }]);
    this.watched = options.kinds.flatMap((kind) => targetsOf(kind).map((target) => this.watchKind(kind, target)));
  }

  start(): void {
    for (const watched of this.watched) void this.run(watched);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const watched of this.watched) {
      clearTimeout(watched.retryTimer);
      watched.stream.close();
    }
    await Promise.all(this.watched.map((watched) => watched.informer.stop()));
  }

  /** Per kind; a kind watched through several targets (namespaces) is synced once all are. */
  states(): ReadonlyArray<readonly [KindSpec, Readonly<KindState>]> {
    return this.options.kinds.map(
      (kind) =>
        [kind, mergedState(this.watched.filter((watched) => watched.kind === kind).map(({ state }) => state))] as const,
    );
  }

  private watchKind(kind: KindSpec, target: WatchTarget): WatchedKind {
    const { kubeConfig, cache, selfMetrics, log, keeps = () => true } = this.options;
    const { path, labelSelector, fieldSelector } = target;
    const timeouts = this.options.watchTimeouts ?? DEFAULT_WATCH_TIMEOUTS;
    const state: KindState = { synced: false, failures: 0 };
    const received = () => {
      state.lastEventAt = new Date();
      state.failingSince = undefined;
    };
    const stream = new StreamWatch(kubeConfig, timeouts, received);
    const apply = (type: WatchEventType, object: KubernetesObject) => {
      try {
        if (!keeps(object as KubeObject)) return reduceToIdentity(object);
        if (type === 'delete') cache.delete(kind, object as KubeObject);
        else cache.upsert(kind, object as KubeObject);
        selfMetrics.watchEvents.inc({ kind: kind.metricName, type });
      } catch (error) {
        // A bad object must never stop the informer (it would silently end the watch): count it and go on.
        selfMetrics.invalidObjects.inc({ kind: kind.metricName });
        const fields = {
          kind: kind.metricName,
          name: (object as KubeObject)?.metadata?.name,
          error: describeError(error),
        };
        if (error instanceof InvalidObjectError) log.warn('skipped invalid object', fields);
        else log.error('failed to apply object', { ...fields, stack: (error as Error)?.stack });
      }
    };
    const list = async () => {
      const listed = await listCollection(
        kubeConfig,
        path,
        timeouts.idleTimeoutMs,
        { labelSelector, fieldSelector },
        (item) => {
          cache.trimOnArrival(kind, item as KubeObject);
          return item;
        },
      );
      received();
      state.lastListAt = state.lastEventAt;
      // Listed objects arrive trimmed (keeping the annotations an allow list asks for until they are rendered).
      // ListWatch skips a listed object whose resourceVersion equals the one it holds. After resourceVersions were
      // reset (an etcd restore) an equal one may be a different version, so the cache is given those itself.
      for (const object of listed.items) {
        if (!keeps(object as KubeObject)) continue; // another shard's: kept as its identity only, nothing to compare
        const known = informer.get(object.metadata?.name ?? '', object.metadata?.namespace);
        if (
          known &&
          known.metadata?.resourceVersion === object.metadata?.resourceVersion &&
          !sameContent(known, object)
        ) {
          apply('update', object);
        }
      }
      return listed;
    };
    const informer = new ListWatch<KubernetesObject>(path, stream, list, false, labelSelector, fieldSelector);
    const watched: WatchedKind = { kind, target, informer, stream, state, failedSinceStart: false };
    let connects = 0;
    informer.on('connect', () => {
      if (++connects > 1) selfMetrics.watchRestarts.inc({ kind: kind.metricName });
    });
    informer.on('add', (object) => apply('add', object));
    informer.on('update', (object) => apply('update', object));
    informer.on('delete', (object) => apply('delete', object));
    informer.on('error', (error) => this.failed(watched, error));
    return watched;
  }

  private async run(watched: WatchedKind): Promise<void> {
    if (this.stopped) return;
    // After any failure, relist rather than resume: whatever was missed meanwhile (events in a broken stream, an API
    // server restarted with resourceVersions reset) cannot stay missed. A watch the server ends cleanly resumes.
    if (watched.failedSinceStart) relistOnNextStart(watched.informer);
    watched.failedSinceStart = false;
    watched.state.nextRetryAt = undefined;
    // start() resolves once the list is applied and the watch request is answered, or after an error was reported.
    await watched.informer.start();
    if (watched.failedSinceStart || this.stopped) return;
    if (!watched.state.synced)
      this.options.log.info('kind synced', {
        kind: watched.kind.metricName,
        objects: this.options.cache.count(watched.kind),
      });
    watched.state.synced = true;
    watched.state.failures = 0;
  }

  private failed(watched: WatchedKind, error: unknown): void {
    watched.failedSinceStart = true;
    if (this.stopped) return;
    const { state, kind } = watched;
    state.failures += 1;
    state.lastError = describeError(error);
    state.lastErrorAt = new Date();
    state.failingSince ??= state.lastErrorAt;
    const retryAfterMs = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0;
    const delayMs = Math.max(backoffDelay(this.backoff, state.failures), retryAfterMs);
    state.nextRetryAt = new Date(Date.now() + delayMs);
    this.options.selfMetrics.watchErrors.inc({ kind: kind.metricName, reason: errorReason(error) });
    this.options.log.warn('list/watch failed, retrying', {
      kind: kind.metricName,
      path: watched.target.path,
      error: state.lastError,
      retryInMs: delayMs,
    });
    clearTimeout(watched.retryTimer);
    watched.retryTimer = setTimeout(() => void this.run(watched), delayMs);
  }
}

/**
 * An object another shard exports, cut down in place to what the informer's own cache needs (name, namespace, uid
 * for the shard check, resourceVersion for relists): the informer holds every object it lists, not only ours.
 */
function reduceToIdentity(object: KubernetesObject): void {
  const { name, namespace, uid, resourceVersion } = object.metadata ?? {};
  for (const key of Object.keys(object))
    if (key !== 'apiVersion' && key !== 'kind') delete (object as Record<string, unknown>)[key];
  object.metadata = { name, namespace, uid, resourceVersion };
}

function mergedState(states: readonly KindState[]): KindState {
  if (states.length === 1) return states[0];
  const latestError = _.maxBy(
    states.filter((state) => state.lastErrorAt),
    (state) => state.lastErrorAt!.getTime(),
  );
  const nextRetry = _.minBy(
    states.filter((state) => state.nextRetryAt),
    (state) => state.nextRetryAt!.getTime(),
  );
  return {
    synced: states.every((state) => state.synced),
    failures: _.max(states.map((state) => state.failures)) ?? 0,
    lastError: latestError?.lastError,
    lastErrorAt: latestError?.lastErrorAt,
    nextRetryAt: nextRetry?.nextRetryAt,
    // The kind is as stale as its stalest target, and failing since the earliest of those failing.
    failingSince: _.min(states.map((state) => state.failingSince).filter((date): date is Date => date !== undefined)),
    lastEventAt: states.some((state) => !state.lastEventAt)
      ? undefined
      : _.min(states.map((state) => state.lastEventAt!)),
    lastListAt: states.some((state) => !state.lastListAt) ? undefined : _.min(states.map((state) => state.lastListAt!)),
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' && !error.message.includes(String(status))
      ? `HTTP ${status} ${error.message}`
      : error.message;
  }
  return String(error);
}

/** Watch events carry kind and apiVersion, list items do not: compare the rest (both trimmed, as the cache keeps them). */
function sameContent(a: KubernetesObject, b: KubernetesObject): boolean {
  try {
    return _.isEqual(_.omit(a, ['kind', 'apiVersion']), _.omit(b, ['kind', 'apiVersion']));
  } catch {
    // Too deep to compare (isEqual recurses): apply it, as a different version.
    return false;
  }
}
