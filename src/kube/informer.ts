/**
 * One list+watch of one collection (a path and its selectors), kept running: a client-node informer (ListWatch)
 * over our own list (src/kube/list.ts) and watch stream (src/kube/watch-stream.ts), which detects stalled watches
 * and broken streams. ListWatch relists by itself on 410 Gone but stops on any other error; here every stop is
 * retried with capped exponential backoff (or the server's Retry-After, if longer), relisting, and the state
 * (synced, last error, next retry) is kept for /readyz and the self-metrics. What the objects are for is the
 * caller's: the ClusterWatcher puts them in the cache, the shard watcher reads one StatefulSet's replicas.
 */

import { type KubeConfig, type KubernetesObject, ListWatch } from '@kubernetes/client-node';
import _ from 'lodash';
import type { KindState } from '../kinds/state.js';
import type { WatchEventType } from '../metrics/self-metrics.js';
import type { KubeObject } from '../objects/kube-object.js';
import { trimInPlace } from '../objects/trim.js';
import { type Backoff, backoffDelay, DEFAULT_BACKOFF } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import { ApiError } from './api-error.js';
import { CollectionLister, DEFAULT_INITIAL_LIST, type InitialList } from './initial-list.js';
import type { WatchTarget } from './scope.js';
import { StreamWatch, type WatchTimeouts } from './watch-stream.js';

const DEFAULT_WATCH_TIMEOUTS: WatchTimeouts = { timeoutSeconds: 300, idleTimeoutMs: 120_000 };

export interface InformerOptions {
  readonly kubeConfig: KubeConfig;
  readonly target: WatchTarget;
  /** What the logs call the collection: its kind. */
  readonly name: string;
  readonly log: Logger;
  readonly backoff?: Backoff;
  readonly watchTimeouts?: WatchTimeouts;
  /** Objects handed on; the others are kept, as their identity only, for the informer's own bookkeeping. */
  readonly keeps?: (object: KubeObject) => boolean;
  /** Each object listed or watched (a listed one only when new or changed). Must not throw: it would end the watch. */
  readonly onObject: (type: WatchEventType, object: KubernetesObject) => void;
  /** A list or watch started again, after a watch ended or failed. */
  readonly onRestart?: () => void;
  /** A list or watch failed; it is retried after backoff. */
  readonly onFailure?: (error: unknown) => void;
  /** The first list was handed on and the watch is running. */
  readonly onSynced?: () => void;
  /** An item no informer can hold (not an object with an object metadata), listed or watched: logged and skipped. */
  readonly onInvalid?: () => void;
  /** How a listed object is trimmed as it arrives (src/kube/list.ts); else as the cache trims. */
  readonly trimListed?: (object: KubernetesObject) => KubernetesObject;
  /** How the collection is listed (src/kube/initial-list.ts); default a streaming list, falling back to pages. */
  readonly initialList?: InitialList;
}

/**
 * Makes the informer's next start() a full relist, as after 410 Gone. ListWatch (client-node 1.4, pinned ~1.4.0)
 * offers no other way: it relists only when its private resourceVersion is empty.
 */
function relistOnNextStart(informer: ListWatch<KubernetesObject>): void {
  (informer as unknown as { resourceVersion: string }).resourceVersion = '';
}

export class Informer {
  readonly state: KindState = { synced: false, failures: 0 };
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly stream: StreamWatch;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedSinceStart = false;
  private stopped = false;

  constructor(private readonly options: InformerOptions) {
    const { kubeConfig, target, keeps = () => true, onObject, trimListed = trimInPlace } = options;
    const { path, labelSelector, fieldSelector } = target;
    const timeouts = options.watchTimeouts ?? DEFAULT_WATCH_TIMEOUTS;
    const { state } = this;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    const received = () => {
      state.lastEventAt = new Date();
      state.failingSince = undefined;
    };
    const skipped = (item: unknown) => {
      options.onInvalid?.();
      options.log.warn('skipped invalid object', {
        kind: options.name,
        error: `not an object with an object metadata: ${shapeOf(item)}`,
      });
    };
    this.stream = new StreamWatch(kubeConfig, timeouts, received, skipped);
    const handOn = (type: WatchEventType, object: KubernetesObject) => {
      if (keeps(object as KubeObject)) onObject(type, object);
      else reduceToIdentity(object);
    };
    const lister = new CollectionLister({
      kubeConfig,
      stream: this.stream,
      path,
      selectors: { labelSelector, fieldSelector },
      way: options.initialList ?? DEFAULT_INITIAL_LIST,
      pageTimeoutMs: timeouts.idleTimeoutMs,
      onSkipped: skipped,
      // Another shard's objects are cut down as they arrive, not once the whole collection is in: every shard
      // lists every object, and holding them all whole set each shard's peak as high as one replica's.
      trim: (object) => (keeps(object as KubeObject) ? trimListed(object) : reduceToIdentity(object)),
      log: options.log,
      name: options.name,
    });
    const list = async () => {
      const listed = await lister.list();
      received();
      state.lastListAt = state.lastEventAt;
      // ListWatch skips a listed object whose resourceVersion equals the one it holds. After resourceVersions were
      // reset (an etcd restore) an equal one may be a different version, so the caller is given those itself.
      for (const object of listed.items) {
        if (!keeps(object as KubeObject)) continue; // another shard's: kept as its identity only, nothing to compare
        const known = informer.get(object.metadata?.name ?? '', object.metadata?.namespace);
        if (
          known &&
          known.metadata?.resourceVersion === object.metadata?.resourceVersion &&
          !sameContent(known, object)
        ) {
          onObject('update', object);
        }
      }
      return listed;
    };
    const informer = new ListWatch<KubernetesObject>(path, this.stream, list, false, labelSelector, fieldSelector);
    this.informer = informer;
    let connects = 0;
    informer.on('connect', () => {
      if (++connects > 1) options.onRestart?.();
    });
    informer.on('add', (object) => handOn('add', object));
    informer.on('update', (object) => handOn('update', object));
    informer.on('delete', (object) => handOn('delete', object));
    informer.on('error', (error) => this.failed(error));
  }

  start(): void {
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stream.close();
    await this.informer.stop();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    const { state } = this;
    // After any failure, relist rather than resume: whatever was missed meanwhile (events in a broken stream, an API
    // server restarted with resourceVersions reset) cannot stay missed. A watch the server ends cleanly resumes.
    if (this.failedSinceStart) relistOnNextStart(this.informer);
    this.failedSinceStart = false;
    state.nextRetryAt = undefined;
    // start() resolves once the list is applied and the watch request is answered, or after an error was reported.
    await this.informer.start();
    if (this.failedSinceStart || this.stopped) return;
    if (!state.synced) this.options.onSynced?.();
    state.synced = true;
    state.failures = 0;
  }

  private failed(error: unknown): void {
    this.failedSinceStart = true;
    if (this.stopped) return;
    const { state, options } = this;
    state.failures += 1;
    state.lastError = describeError(error);
    state.lastErrorAt = new Date();
    state.failingSince ??= state.lastErrorAt;
    const retryAfterMs = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0;
    const delayMs = Math.max(backoffDelay(this.backoff, state.failures), retryAfterMs);
    state.nextRetryAt = new Date(Date.now() + delayMs);
    options.onFailure?.(error);
    options.log.warn('list/watch failed, retrying', {
      kind: options.name,
      path: options.target.path,
      error: state.lastError,
      retryInMs: delayMs,
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.run(), delayMs);
  }
}

/**
 * An object the caller does not keep (another shard's), cut down in place to what the informer's own cache needs
 * (name, namespace, uid for the shard check, resourceVersion for relists): the informer holds every object it lists.
 */
function reduceToIdentity(object: KubernetesObject): KubernetesObject {
  const { name, namespace, uid, resourceVersion } = object.metadata ?? {};
  for (const key of Object.keys(object))
    if (key !== 'apiVersion' && key !== 'kind') delete (object as Record<string, unknown>)[key];
  object.metadata = { name, namespace, uid, resourceVersion };
  return object;
}

export function describeError(error: unknown): string {
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
    // Too deep to compare (isEqual recurses): hand it on, as a different version.
    return false;
  }
}

/** What a malformed item is, without printing it (it may be huge, or too deep to serialise). */
function shapeOf(item: unknown): string {
  const type = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value);
  return type(item) === 'object' ? `object with metadata ${type((item as KubeObject).metadata)}` : type(item);
}
