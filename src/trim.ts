/**
 * What the cache keeps of an object for the views (/leanix.json and later ones): the object without the keys that
 * are never exported (secrets in env, free-text annotations) or only cost memory (managedFields).
 */

export const NEVER_KEPT_KEYS: ReadonlySet<string> = new Set(['managedFields', 'annotations', 'env', 'envFrom']);

/**
 * Removes NEVER_KEPT_KEYS wherever they appear, in place, and returns the value. In place on purpose: client-node's
 * informer keeps the very object it hands to the cache, so trimming a copy would leave the full object in memory too.
 */
export function trimInPlace<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) trimInPlace(item);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (NEVER_KEPT_KEYS.has(key)) delete record[key];
      else trimInPlace(record[key]);
    }
  }
  return value;
}
