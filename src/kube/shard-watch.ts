/**
 * The watcher of a sharded replica: a ClusterWatcher keeping only this shard's objects, replaced (cache emptied,
 * everything relisted) whenever the shard changes, which with auto-sharding is when the StatefulSet scales.
 */

import { ClusterCache } from '../cache.js';
import type { KindState } from '../kinds/state.js';
import { type KindSpec, STATEFULSET } from '../kinds/table.js';
import { SelfMetrics } from '../metrics/self-metrics.js';
import { namespacedPath } from './scope.js';
import { keepsObject, type Shard, type Sharding } from './sharding.js';
import { ClusterWatcher, type WatcherOptions } from './watch.js';

export class ShardedWatcher {
  private current: ClusterWatcher | undefined;
  private replicaWatch: ClusterWatcher | undefined;
  private currentShard: Shard | undefined;
  private switching = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly options: Omit<WatcherOptions, 'keeps'>,
    private readonly sharding: Sharding,
  ) {}

  start(): void {
    const { sharding } = this;
    if (sharding.mode === 'static') {
      this.useShard(sharding.shard);
      return;
    }
    this.replicaWatch = watchReplicas({
      ...this.options,
      namespace: sharding.namespace,
      statefulSet: sharding.statefulSet,
      onReplicas: (total) => this.useShard({ shard: sharding.ordinal, total }),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.replicaWatch?.stop();
    await this.switching;
    await this.current?.stop();
  }

  /** Undefined until the shard is known (auto-sharding: until the StatefulSet has been read). */
  get shard(): Shard | undefined {
    return this.currentShard;
  }

  /** The current watcher's states; every kind unsynced while the shard is unknown or changing. */
  states(): ReadonlyArray<readonly [KindSpec, Readonly<KindState>]> {
    return this.current?.states() ?? this.options.kinds.map((kind) => [kind, { synced: false, failures: 0 }] as const);
  }

  private useShard(shard: Shard): void {
    this.switching = this.switching.then(async () => {
      if (this.stopped) return;
      const previous = this.current;
      this.current = undefined;
      if (previous) {
        await previous.stop();
        this.forgetAll();
      }
      this.currentShard = shard;
      this.options.log.info('watching shard', { shard: shard.shard, totalShards: shard.total });
      this.current = new ClusterWatcher({ ...this.options, keeps: keepsObject(shard) });
      this.current.start();
    });
  }

  private forgetAll(): void {
    const { cache, kinds } = this.options;
    for (const kind of kinds) for (const object of [...cache.objects(kind)]) cache.delete(kind, object);
  }
}

/** The exporter's own watch settings (timeouts and backoff included), and the StatefulSet to follow. */
interface ReplicaWatchOptions extends Pick<WatcherOptions, 'kubeConfig' | 'log' | 'backoff' | 'watchTimeouts'> {
  readonly namespace: string;
  readonly statefulSet: string;
  /** Called with spec.replicas when first seen and whenever it changes. */
  readonly onReplicas: (replicas: number) => void;
}

/**
 * Watches one StatefulSet's spec.replicas through the same list+watch machinery as the exported kinds (retries and
 * backoff included), on a cache and self-metrics of its own so it never shows on /metrics.
 */
function watchReplicas({
  kubeConfig,
  namespace,
  statefulSet,
  log,
  backoff,
  watchTimeouts,
  onReplicas,
}: ReplicaWatchOptions): ClusterWatcher {
  const kind = STATEFULSET;
  const cache = new ClusterCache();
  let current: number | undefined;
  cache.onChange((change) => {
    const replicas = (change.object.spec as { replicas?: unknown } | undefined)?.replicas ?? 1;
    if (change.type !== 'upsert' || typeof replicas !== 'number' || replicas < 1 || replicas === current) return;
    current = replicas;
    onReplicas(replicas);
  });
  const selfMetrics = new SelfMetrics(
    { objectCounts: () => [], kindStates: () => [], seriesCount: () => 0 },
    { processMetrics: false },
  );
  const path = namespacedPath(kind, namespace);
  const watcher = new ClusterWatcher({
    kubeConfig,
    kinds: [kind],
    cache,
    selfMetrics,
    log,
    backoff,
    watchTimeouts,
    targetsOf: () => [{ path, fieldSelector: `metadata.name=${statefulSet}` }],
  });
  watcher.start();
  return watcher;
}
