/**
 * One client-node informer (list + watch) per kind, feeding the cache. client-node's ListWatch relists by itself on
 * 410 Gone but stops on any other error; here every stop is retried with capped exponential backoff, and each
 * kind's state (synced, last error, next retry) is kept for /readyz and the self-metrics.
 */

import { type Informer, type KubeConfig, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import _ from 'lodash';
import { type ClusterCache, InvalidObjectError, type KubeObject } from './cache.js';
import { collectionPath, type KindSpec } from './kinds.js';
import { listCollection } from './list.js';
import type { Logger } from './log.js';
import type { WatchTarget } from './scope.js';
import type { SelfMetrics, WatchEventType } from './self-metrics.js';

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };

export interface KindState {
  /** True once the first list has been applied to the cache; stays true while later watches are retried. */
  synced: boolean;
  lastError?: string;
  lastErrorAt?: Date;
  nextRetryAt?: Date;
  failures: number;
}

interface WatchedKind {
  readonly kind: KindSpec;
  readonly target: WatchTarget;
  readonly informer: Informer<KubernetesObject>;
  readonly state: KindState;
  retryTimer?: NodeJS.Timeout;
  failedSinceStart: boolean;
}

export interface WatcherOptions {
  readonly kubeConfig: KubeConfig;
  readonly kinds: readonly KindSpec[];
  readonly cache: ClusterCache;
  readonly selfMetrics: SelfMetrics;
  readonly log: Logger;
  readonly backoff?: Backoff;
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
    for (const watched of this.watched) clearTimeout(watched.retryTimer);
    await Promise.all(this.watched.map((watched) => watched.informer.stop()));
  }

  /** Per kind; a kind watched through several targets (namespaces) is synced once all are. */
  states(): ReadonlyArray<readonly [KindSpec, Readonly<KindState>]> {
    return this.options.kinds.map((kind) => [kind, mergedState(this.watched.filter((watched) => watched.kind === kind).map(({ state }) => state))] as const);
  }

  private watchKind(kind: KindSpec, target: WatchTarget): WatchedKind {
    const { kubeConfig, cache, selfMetrics, log, keeps = () => true } = this.options;
    const { path, labelSelector, fieldSelector } = target;
    const list = () => listCollection(kubeConfig, path, { labelSelector, fieldSelector });
    const informer = new ListWatch<KubernetesObject>(path, new BookmarkWatch(kubeConfig), list, false, labelSelector, fieldSelector);
    const watched: WatchedKind = { kind, target, informer, state: { synced: false, failures: 0 }, failedSinceStart: false };

    const apply = (type: WatchEventType, object: KubernetesObject) => {
      try {
        if (!keeps(object as KubeObject)) return reduceToIdentity(object);
        if (type === 'delete') cache.delete(kind, object as KubeObject);
        else cache.upsert(kind, object as KubeObject);
        selfMetrics.watchEvents.inc({ kind: kind.metricName, type });
      } catch (error) {
        // A bad object must never stop the informer (it would silently end the watch): count it and go on.
        selfMetrics.invalidObjects.inc({ kind: kind.metricName });
        const fields = { kind: kind.metricName, name: (object as KubeObject)?.metadata?.name, error: describeError(error) };
        if (error instanceof InvalidObjectError) log.warn('skipped invalid object', fields);
        else log.error('failed to apply object', { ...fields, stack: (error as Error)?.stack });
      }
    };
    informer.on('add', (object) => apply('add', object));
    informer.on('update', (object) => apply('update', object));
    informer.on('delete', (object) => apply('delete', object));
    informer.on('error', (error) => this.failed(watched, error));
    return watched;
  }

  private async run(watched: WatchedKind): Promise<void> {
    if (this.stopped) return;
    watched.failedSinceStart = false;
    watched.state.nextRetryAt = undefined;
    // start() resolves once the list is applied and the watch request is answered, or after an error was reported.
    await watched.informer.start();
    if (watched.failedSinceStart || this.stopped) return;
    if (!watched.state.synced) this.options.log.info('kind synced', { kind: watched.kind.metricName, objects: this.options.cache.count(watched.kind) });
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
    const delayMs = backoffDelay(this.backoff, state.failures);
    state.nextRetryAt = new Date(Date.now() + delayMs);
    this.options.selfMetrics.watchErrors.inc({ kind: kind.metricName });
    this.options.log.warn('list/watch failed, retrying', { kind: kind.metricName, path: watched.target.path, error: state.lastError, retryInMs: delayMs });
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
  for (const key of Object.keys(object)) if (key !== 'apiVersion' && key !== 'kind') delete (object as Record<string, unknown>)[key];
  object.metadata = { name, namespace, uid, resourceVersion };
}

function mergedState(states: readonly KindState[]): KindState {
  if (states.length === 1) return states[0];
  const latestError = _.maxBy(states.filter((state) => state.lastErrorAt), (state) => state.lastErrorAt!.getTime());
  const nextRetry = _.minBy(states.filter((state) => state.nextRetryAt), (state) => state.nextRetryAt!.getTime());
  return {
    synced: states.every((state) => state.synced),
    failures: _.max(states.map((state) => state.failures)) ?? 0,
    lastError: latestError?.lastError,
    lastErrorAt: latestError?.lastErrorAt,
    nextRetryAt: nextRetry?.nextRetryAt,
  };
}

/**
 * client-node's Watch never asks for bookmarks. Without them a quiet kind's resourceVersion stays at its last list
 * while the cluster's moves on, so a watch restart after the API server's history has moved past it (compaction,
 * watch cache window, restart) gets 410 Gone and relists the whole kind; with them it resumes from the bookmark.
 */
class BookmarkWatch extends Watch {
  override watch(...[path, queryParams, callback, done]: Parameters<Watch['watch']>): Promise<AbortController> {
    return super.watch(path, { ...queryParams, allowWatchBookmarks: true }, callback, done);
  }
}

/** Exponential backoff with full jitter in the upper half, capped. */
export function backoffDelay(backoff: Backoff, failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' && !error.message.includes(String(status)) ? `HTTP ${status} ${error.message}` : error.message;
  }
  return String(error);
}
