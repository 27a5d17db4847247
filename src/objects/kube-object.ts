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

/**
 * Whether two JSON values (as JSON.parse makes them: null, booleans, numbers, strings, arrays and plain objects) are
 * equal, key order aside. Cheaper than a general deep equality (lodash's isEqual keeps a stack of visited pairs for
 * cycles, which JSON cannot have) on the path every watch event takes; an explicit stack, not recursion, so that an
 * object nested thousands of levels deep cannot overflow the call stack.
 */
export function isSameJson(a: unknown, b: unknown): boolean {
  // Pairs of objects still to compare; differ() compares values that are not both objects at once.
  const pending: object[] = [];
  const differ = (x: unknown, y: unknown) => {
    if (x === y) return false;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return true;
    pending.push(x, y);
    return false;
  };
  if (differ(a, b)) return false;
  while (pending.length > 0) {
    const y = pending.pop()!;
    const x = pending.pop()!;
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
      for (let index = 0; index < x.length; index++) if (differ(x[index], y[index])) return false;
      continue;
    }
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(y, key)) return false;
      if (differ((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key])) return false;
    }
  }
  return true;
}

/** Levels shareEqualParts walks by recursion; deeper, subtrees are compared (isSameJson) but not shared. */
const MAX_SHARE_DEPTH = 32;

/**
 * Whether `next` equals `previous` as JSON, as isSameJson says, and meanwhile: every value below next's own fields
 * (object, list or string) that equals its counterpart in `previous` (same place) is replaced by that counterpart. An
 * update then keeps only what changed as new objects: the rest of it dies young instead of being promoted, and the
 * previous version's unchanged parts live on instead of becoming old garbage. Both versions must be kept unmodified
 * from then on.
 */
export function shareEqualParts(previous: unknown, next: unknown): boolean {
  return shareWithin(previous, next, 0);
}

function shareWithin(x: unknown, y: unknown, depth: number): boolean {
  if (x === y) return true;
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
  if (depth >= MAX_SHARE_DEPTH) return isSameJson(x, y);
  const share = depth > 0;
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y)) return false;
    let same = x.length === y.length;
    for (let index = 0; index < Math.min(x.length, y.length); index++) {
      if (!shareWithin(x[index], y[index], depth + 1)) same = false;
      else if (share) y[index] = x[index];
    }
    return same;
  }
  const xs = x as Record<string, unknown>;
  const ys = y as Record<string, unknown>;
  const keys = Object.keys(ys);
  let same = keys.length === Object.keys(xs).length;
  for (const key of keys) {
    if (!Object.hasOwn(xs, key) || !shareWithin(xs[key], ys[key], depth + 1)) same = false;
    // An own `__proto__` (JSON.parse makes one) would be set as the prototype by an assignment.
    else if (share && key !== '__proto__') ys[key] = xs[key];
  }
  return same;
}
