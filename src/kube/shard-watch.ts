/**
 * The watcher of a sharded replica: a ClusterWatcher keeping only this shard's objects, replaced (its objects
 * forgotten, everything relisted) whenever the shard changes, which with auto-sharding is when the StatefulSet scales.
 */

import type { KubernetesObject } from '@kubernetes/client-node';
import type { KindState } from '../kinds/state.js';
import { type KindSpec, STATEFULSET } from '../kinds/table.js';
import type { KubeObject } from '../objects/kube-object.js';
import { Informer } from './informer.js';
import { namespacedPath } from './scope.js';
import { keepsObject, type Shard, type Sharding } from './sharding.js';
import { ClusterWatcher, type ObjectSink, type WatcherOptions } from './watch.js';

/** The cache: a sink that also lists what it holds, to forget a shard's objects when the shard changes. */
export interface ShardSink extends ObjectSink {
  objects(kind: KindSpec): Iterable<KubeObject>;
}

export class ShardedWatcher {
  private current: ClusterWatcher | undefined;
  private replicaWatch: Informer | undefined;
  private currentShard: Shard | undefined;
  private switching = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly options: Omit<WatcherOptions, 'keeps' | 'sink'> & { readonly sink: ShardSink },
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
    const { sink, kinds } = this.options;
    for (const kind of kinds) for (const object of [...sink.objects(kind)]) sink.delete(kind, object);
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
 * Watches one StatefulSet (by name, with a field selector) for its spec.replicas, through the same list+watch
 * machinery as the exported kinds: retries, backoff, stall detection. Not in the cache nor the self-metrics.
 */
function watchReplicas({
  kubeConfig,
  namespace,
  statefulSet,
  log,
  backoff,
  watchTimeouts,
  onReplicas,
}: ReplicaWatchOptions): Informer {
  let current: number | undefined;
  const informer = new Informer({
    kubeConfig,
    target: { path: namespacedPath(STATEFULSET, namespace), fieldSelector: `metadata.name=${statefulSet}` },
    name: STATEFULSET.metricName,
    log,
    backoff,
    watchTimeouts,
    onObject: (type, object) => {
      const replicas = specReplicas(object);
      if (type === 'delete' || typeof replicas !== 'number' || replicas < 1 || replicas === current) return;
      current = replicas;
      onReplicas(replicas);
    },
  });
  informer.start();
  return informer;
}

/** spec.replicas, 1 when unset (the API server's default). */
function specReplicas(object: KubernetesObject): unknown {
  return (object as { spec?: { replicas?: unknown } | null }).spec?.replicas ?? 1;
}
