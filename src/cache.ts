/**
 * The one in-memory cache the renderers read: per object its rendered series (in the MetricsStore) and its trimmed
 * form (src/objects/trim.ts) for the views, rendered by src/metrics/render.ts. Full API objects are not kept here, nor, once trimmed, in the informers.
 */

import type { KindSpec } from './kinds/table.js';
import { allowedEntries, builtInDeclared } from './metrics/declared.js';
import { isWellFormed } from './metrics/exposition.js';
import type { ObjectIdentity } from './metrics/flatten.js';
import { type RenderOptions, renderObject } from './metrics/render.js';
import { MetricsStore } from './metrics/store.js';
import { type KubeObject, shareEqualParts } from './objects/kube-object.js';
import { trimInPlace } from './objects/trim.js';

export class InvalidObjectError extends Error {}

/** One change to the cache, as views and event sinks see it: objects are the trimmed forms the cache keeps. */
export type CacheChange =
  | {
      readonly type: 'upsert';
      readonly kind: KindSpec;
      readonly object: KubeObject;
      readonly previous: KubeObject | undefined;
    }
  | { readonly type: 'delete'; readonly kind: KindSpec; readonly object: KubeObject };

export type CacheListener = (change: CacheChange) => void;

export class ClusterCache {
  readonly metrics = new MetricsStore();
  private readonly objectsByKind = new Map<string, Map<string, KubeObject>>();
  private changedAt: Date | undefined;
  private changes = 0;
  private readonly listeners = new Set<CacheListener>();

  /** Whether an update that changes only the resourceVersion may skip its render (rendersAsBefore). */
  private readonly versionRendersNothing: boolean;

  constructor(private readonly options: RenderOptions = {}) {
    this.versionRendersNothing = !(options.declared ?? builtInDeclared()).readsResourceVersion;
  }

  /** Calls the listener after every change, synchronously; returns a function that unsubscribes it. */
  onChange(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Adds or replaces an object; throws InvalidObjectError when it has no usable identity. The cache takes the object
   * over and trims it in place (src/objects/trim.ts): callers must not rely on it staying as it was.
   */
  upsert(kind: KindSpec, object: KubeObject): void {
    const identity = identityOf(kind, object);
    const key = objectKey(kind, identity);
    // Trimmed first: what is never kept is never rendered either (a container's message can look like a timestamp);
    // only the annotations --metric-annotations-allowlist asks for stay until the object is rendered.
    const trimmed = this.trimOnArrival(kind, object);
    const objects = this.objectsOf(kind);
    const previous = objects.get(key);
    if (!this.rendersAsBefore(previous, trimmed))
      this.metrics.set(key, renderObject(kind, identity, trimmed, this.options));
    if (trimmed.metadata) delete (trimmed.metadata as { annotations?: unknown }).annotations;
    objects.set(key, trimmed);
    this.changedAt = new Date();
    this.changes += 1;
    this.notify({ type: 'upsert', kind, object: trimmed, previous });
  }

  /**
   * Trims an object that arrives to be upserted later (a listed one) as upsert would, except that the annotations
   * --metric-annotations-allowlist asks for stay until it is rendered; upsert then trims them too.
   */
  trimOnArrival<T extends KubeObject>(kind: KindSpec, object: T): T {
    const allowed = this.options.declared?.allowlists?.annotations.get(kind.metricName);
    const metadata = object?.metadata as { annotations?: unknown } | undefined;
    const kept = allowed === undefined ? undefined : allowedEntries(metadata?.annotations, allowed);
    trimInPlace(object);
    if (kept !== undefined && metadata !== undefined) metadata.annotations = kept;
    return object;
  }

  /**
   * The object, trimmed, would render the samples its previous version rendered: it is the same but for its
   * resourceVersion, which renders nothing (unless a declaration reads it). The render is a pure function of the
   * object, so such an update (a relist, a status write of nothing the cache keeps) need not render at all. (An object
   * that still carries annotations for --metric-annotations-allowlist never compares equal: its previous version no
   * longer has them.) The comparison also hands the object the previous version's unchanged parts
   * (shareEqualParts): cached objects are never modified.
   */
  private rendersAsBefore(previous: KubeObject | undefined, next: KubeObject): boolean {
    const metadata = next.metadata as { resourceVersion?: unknown } | undefined;
    if (previous === undefined || metadata === undefined) return false;
    const version = metadata.resourceVersion;
    const versionBlind = version !== undefined && this.versionRendersNothing;
    if (versionBlind) metadata.resourceVersion = (previous.metadata as typeof metadata)?.resourceVersion;
    try {
      return shareEqualParts(previous, next);
    } finally {
      if (versionBlind) metadata.resourceVersion = version;
    }
  }

  delete(kind: KindSpec, object: KubeObject): void {
    const key = objectKey(kind, identityOf(kind, object));
    this.metrics.delete(key);
    const objects = this.objectsOf(kind);
    const removed = objects.get(key);
    if (!removed) return;
    objects.delete(key);
    this.changedAt = new Date();
    this.changes += 1;
    this.notify({ type: 'delete', kind, object: removed });
  }

  count(kind: KindSpec): number {
    return this.objectsOf(kind).size;
  }

  /** Every cached object of the kind, trimmed. */
  objects(kind: KindSpec): IterableIterator<KubeObject> {
    return this.objectsOf(kind).values();
  }

  /** How many changes the cache has seen: a version number for views that only re-render on change. */
  get changeCount(): number {
    return this.changes;
  }

  /** When the cache last changed; undefined before the first object arrived. */
  get lastChange(): Date | undefined {
    return this.changedAt;
  }

  private notify(change: CacheChange): void {
    for (const listener of this.listeners) listener(change);
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
  // Two names differing only in lone surrogates would render as one (label values are written as UTF-8, which has
  // no lone surrogates); the API server never names an object so.
  if (!isWellFormed(name)) throw new InvalidObjectError(`${kind.kind} with a lone surrogate in metadata.name`);
  if (!kind.namespaced) return { name };
  if (typeof namespace !== 'string' || namespace === '') {
    throw new InvalidObjectError(`${kind.kind} ${name} without metadata.namespace`);
  }
  if (!isWellFormed(namespace))
    throw new InvalidObjectError(`${kind.kind} with a lone surrogate in metadata.namespace`);
  return { name, namespace };
}

/**
 * Keyed by namespace/name, not uid: name and namespace are the series' identity, and client-node's informer cache
 * is keyed the same way, so an object replaced under the same name during a watch gap can never leave two copies.
 */
function objectKey(kind: KindSpec, identity: ObjectIdentity): string {
  return `${kind.metricName}/${identity.namespace ?? ''}/${identity.name}`;
}
