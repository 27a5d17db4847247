/**
 * What the cache keeps of an object for the views (/leanix.json and later ones): the object without the keys that
 * are never exported (secrets in env, free-text annotations) or only cost memory (managedFields).
 */

export const NEVER_KEPT_KEYS: ReadonlySet<string> = new Set(['managedFields', 'annotations', 'env', 'envFrom']);

/** A deep copy of the JSON value without NEVER_KEPT_KEYS, wherever they appear. */
export function trimObject<T>(value: T): T {
  if (Array.isArray(value)) return value.map(trimObject) as T;
  if (value === null || typeof value !== 'object') return value;
  const trimmed: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!NEVER_KEPT_KEYS.has(key)) trimmed[key] = trimObject(child);
  }
  return trimmed as T;
}
