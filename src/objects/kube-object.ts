/** A Kubernetes API object as the exporter receives it: untrusted JSON with, at best, a name and a namespace. */

export interface KubeObject {
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
  readonly [field: string]: unknown;
}

/**
 * Whether a list item or watch event object can be held at all: an object whose `metadata` is an object. The
 * informers read `metadata.name` and `metadata.namespace` of everything they hold, so anything else (null, a string,
 * an object without metadata or with `metadata: null`) is skipped before it reaches them.
 */
export function isKubeObject(item: unknown): item is KubeObject & { readonly metadata: object } {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return false;
  const metadata = (item as KubeObject).metadata;
  return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata);
}
