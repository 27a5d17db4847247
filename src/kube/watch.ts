/**
 * The exported kinds' list+watches, feeding the cache: per kind, one Informer (src/kube/informer.ts: retries,
 * relists, state) per watch target, each object applied to the sink and counted in the self-metrics. The sink is
 * the cache (src/cache.ts), or anything that takes upserts and deletes.
 */

import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import _ from 'lodash';
import { InvalidObjectError } from '../cache.js';
import type { KindState } from '../kinds/state.js';
import { collectionPath, type KindSpec } from '../kinds/table.js';
import type { SelfMetrics, WatchEventType } from '../metrics/self-metrics.js';
import type { KubeObject } from '../objects/kube-object.js';
import type { Backoff } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import { errorReason } from './api-error.js';
import { describeError, Informer } from './informer.js';
import type { InitialList } from './initial-list.js';
import type { WatchTarget } from './scope.js';
import type { WatchTimeouts } from './watch-stream.js';

/** Where the watched objects go: the cache. A bad object (no name, no namespace) throws InvalidObjectError. */
export interface ObjectSink {
  /** Trims a listed object as it arrives, before it is upserted (src/cache.ts). */
  trimOnArrival<T extends KubeObject>(kind: KindSpec, object: T): T;
  upsert(kind: KindSpec, object: KubeObject): void;
  delete(kind: KindSpec, object: KubeObject): void;
  count(kind: KindSpec): number;
}

export interface WatcherOptions {
  readonly kubeConfig: KubeConfig;
  readonly kinds: readonly KindSpec[];
  readonly sink: ObjectSink;
  readonly selfMetrics: Pick<SelfMetrics, 'watchEvents' | 'watchErrors' | 'watchRestarts' | 'invalidObjects'>;
  readonly log: Logger;
  readonly backoff?: Backoff;
  readonly watchTimeouts?: WatchTimeouts;
  readonly initialList?: InitialList;
  /** The list+watches of a kind; default one for the whole collection, unfiltered. */
  readonly targetsOf?: (kind: KindSpec) => readonly WatchTarget[];
  /** Objects this exporter keeps (its shard); the others are ignored. Default all. */
  readonly keeps?: (object: KubeObject) => boolean;
}

interface WatchedTarget {
  readonly kind: KindSpec;
  readonly informer: Informer;
}

export class ClusterWatcher {
  private readonly watched: WatchedTarget[];

  constructor(private readonly options: WatcherOptions) {
    const targetsOf = options.targetsOf ?? ((kind) => [{ path: collectionPath(kind) }]);
    this.watched = options.kinds.flatMap((kind) =>
      targetsOf(kind).map((target) => ({ kind, informer: this.watchTarget(kind, target) })),
    );
  }

  start(): void {
    for (const { informer } of this.watched) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.watched.map(({ informer }) => informer.stop()));
  }

  /** Per kind; a kind watched through several targets (namespaces) is synced once all are. */
  states(): ReadonlyArray<readonly [KindSpec, Readonly<KindState>]> {
    return this.options.kinds.map(
      (kind) =>
        [
          kind,
          mergedState(this.watched.filter((watched) => watched.kind === kind).map(({ informer }) => informer.state)),
        ] as const,
    );
  }

  private watchTarget(kind: KindSpec, target: WatchTarget): Informer {
    const { kubeConfig, sink, selfMetrics, log, backoff, watchTimeouts, keeps, initialList } = this.options;
    const labels = { kind: kind.metricName };
    const apply = (type: WatchEventType, object: KubernetesObject) => {
      try {
        if (type === 'delete') sink.delete(kind, object as KubeObject);
        else sink.upsert(kind, object as KubeObject);
        selfMetrics.watchEvents.inc({ ...labels, type });
      } catch (error) {
        // A bad object must never stop the informer (it would silently end the watch): count it and go on.
        selfMetrics.invalidObjects.inc(labels);
        const fields = { ...labels, name: (object as KubeObject)?.metadata?.name, error: describeError(error) };
        if (error instanceof InvalidObjectError) log.warn('skipped invalid object', fields);
        else log.error('failed to apply object', { ...fields, stack: (error as Error)?.stack });
      }
    };
    return new Informer({
      kubeConfig,
      target,
      name: kind.metricName,
      log,
      backoff,
      watchTimeouts,
      initialList,
      keeps,
      onObject: apply,
      onRestart: () => selfMetrics.watchRestarts.inc(labels),
      onFailure: (error) => selfMetrics.watchErrors.inc({ ...labels, reason: errorReason(error) }),
      onInvalid: () => selfMetrics.invalidObjects.inc(labels),
      trimListed: (object) => sink.trimOnArrival(kind, object as KubeObject) as KubernetesObject,
      onSynced: () => log.info('kind synced', { ...labels, objects: sink.count(kind) }),
    });
  }
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
