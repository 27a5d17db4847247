/**
 * Sharding as kube-state-metrics does it: replica `shard` of `total` keeps the objects whose UID hashes to it,
 * FNV-1a 64-bit of the UID modulo `total`, so `total` replicas together export every object exactly once. With
 * auto-sharding the replica is a StatefulSet pod: its ordinal comes from its name (`<statefulset>-<ordinal>`), the
 * total from the StatefulSet's spec.replicas, watched so that a scale changes the shards (src/kube/shard-watch.ts). Pure.
 */

import type { KubeObject } from '../objects/kube-object.js';

export interface Shard {
  /** 0-based. */
  readonly shard: number;
  readonly total: number;
}

export type Sharding =
  | { readonly mode: 'static'; readonly shard: Shard }
  | {
      readonly mode: 'statefulset';
      readonly namespace: string;
      readonly statefulSet: string;
      readonly ordinal: number;
    };

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/** FNV-1a, 64 bits, over the UTF-8 bytes of `text` (Go's hash/fnv New64a). */
export function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return hash;
}

export function shardOf(uid: string, total: number): number {
  return Number(fnv1a64(uid) % BigInt(total));
}

/** Whether the replica keeps the object; everything when there is one shard. */
export function keepsObject(shard: Shard): (object: KubeObject) => boolean {
  if (shard.total === 1) return () => true;
  return (object) => {
    const uid = (object.metadata as { uid?: unknown } | undefined)?.uid;
    return shardOf(typeof uid === 'string' ? uid : '', shard.total) === shard.shard;
  };
}

/** The sharding flags: --shard and --total-shards, or --pod and --pod-namespace for auto-sharding. */
export interface ShardingFlags {
  readonly shard: number;
  readonly totalShards: number;
  readonly pod?: string;
  readonly podNamespace?: string;
}

/** The sharding the flags ask for; throws a plain Error naming the flags when they do not fit together. */
export function shardingOf(config: ShardingFlags): Sharding {
  if (config.pod === undefined) {
    if (config.shard >= config.totalShards)
      throw new Error(`--shard ${config.shard} needs --total-shards above it (got ${config.totalShards})`);
    return { mode: 'static', shard: { shard: config.shard, total: config.totalShards } };
  }
  if (config.shard !== 0 || config.totalShards !== 1)
    throw new Error('--pod (auto-sharding) takes the shard from the pod name: leave --shard and --total-shards unset');
  if (!config.podNamespace) throw new Error('--pod (auto-sharding) needs --pod-namespace');
  const match = /^(.+)-(\d+)$/.exec(config.pod);
  if (!match) throw new Error(`--pod "${config.pod}" is not a StatefulSet pod name (<statefulset>-<ordinal>)`);
  return { mode: 'statefulset', namespace: config.podNamespace, statefulSet: match[1], ordinal: Number(match[2]) };
}
