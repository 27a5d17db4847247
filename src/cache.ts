/**
 * The one in-memory cache the renderers read: per object its rendered series (in the MetricsStore) and its trimmed
 * form (src/trim.ts) for the views. Full API objects are not kept here.
 */

import { flatten, type ObjectIdentity } from './flatten.js';
import type { KindSpec } from './kinds.js';
import { MetricsStore } from './store.js';
import { trimObject } from './trim.js';

export interface KubeObject {
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
  readonly [field: string]: unknown;
}

export class InvalidObjectError extends Error {}

export class ClusterCache {
  readonly metrics = new MetricsStore();
  private readonly objectsByKind = new Map<string, Map<string, KubeObject>>();
  private changedAt: Date | undefined;

  /** Adds or replaces an object; throws InvalidObjectError when it has no usable identity. */
  upsert(kind: KindSpec, object: KubeObject): void {
    const identity = identityOf(kind, object);
    const key = objectKey(kind, identity);
    this.metrics.set(key, flatten(`k8s_${kind.metricName}`, identity, object));
    this.objectsOf(kind).set(key, trimObject(object));
    this.changedAt = new Date();
  }

  delete(kind: KindSpec, object: KubeObject): void {
    const key = objectKey(kind, identityOf(kind, object));
    this.metrics.delete(key);
    if (this.objectsOf(kind).delete(key)) this.changedAt = new Date();
  }

  count(kind: KindSpec): number {
    return this.objectsOf(kind).size;
  }

  /** Every cached object of the kind, trimmed. */
  objects(kind: KindSpec): IterableIterator<KubeObject> {
    return this.objectsOf(kind).values();
  }

  /** When the cache last changed; undefined before the first object arrived. */
  get lastChange(): Date | undefined {
    return this.changedAt;
  }

  private objectsOf(kind: KindSpec): Map<string, KubeObject> {
    let objects = this.objectsByKind.get(kind.metricName);
    if (!objects) {
      objects = new Map();
      this.objectsByKind.set(kind.metricName, objects);
    }
    return objects;
  }
}

function identityOf(kind: KindSpec, object: KubeObject): ObjectIdentity {
  const name = object?.metadata?.name;
  const namespace = object?.metadata?.namespace;
  if (typeof name !== 'string' || name === '') {
    throw new InvalidObjectError(`${kind.kind} without metadata.name`);
  }
  if (!kind.namespaced) return { name };
  if (typeof namespace !== 'string' || namespace === '') {
    throw new InvalidObjectError(`${kind.kind} ${name} without metadata.namespace`);
  }
  return { name, namespace };
}

/**
 * Keyed by namespace/name, not uid: name and namespace are the series' identity, and client-node's informer cache
 * is keyed the same way, so an object replaced under the same name during a watch gap can never leave two copies.
 */
function objectKey(kind: KindSpec, identity: ObjectIdentity): string {
  return `${kind.metricName}/${identity.namespace ?? ''}/${identity.name}`;
}
