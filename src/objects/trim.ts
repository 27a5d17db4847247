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
  // An explicit stack, not recursion: an object nested thousands of levels deep must not overflow the call stack.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (Array.isArray(current)) {
      for (const item of current) if (item !== null && typeof item === 'object') pending.push(item);
    } else if (current !== null && typeof current === 'object') {
      const record = current as Record<string, unknown>;
      for (const key in record) {
        const child = record[key];
        if (child === null || typeof child !== 'object') continue;
        // Only maps and lists under these keys: a label or field that merely shares the name (`env: prod`) stays.
        if (NEVER_KEPT_KEYS.has(key)) delete record[key];
        else pending.push(child);
      }
    }
  }
  return value;
}
