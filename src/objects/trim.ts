/**
 * What the cache keeps of an object for the views (/leanix.json and later ones): the object without what is never
 * exported (secrets in env, free-text annotations, text a container or a machine writes) or only costs memory
 * (managedFields). Trimmed before anything renders the object, so no endpoint can ever serve what is dropped here.
 */

export const NEVER_KEPT_KEYS: ReadonlySet<string> = new Set(['managedFields', 'annotations', 'env', 'envFrom']);

/** A pod's status lists of containers, whose states carry text the container wrote. */
const CONTAINER_STATUS_LISTS = ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses'];

/** A container status's states (`waiting`, `running`, `terminated` under each). */
const CONTAINER_STATES = ['state', 'lastState'];

/** A node's nodeInfo fields that identify the machine and its boot rather than its software. */
const MACHINE_IDS: readonly string[] = ['machineID', 'systemUUID', 'bootID'];

/**
 * Removes NEVER_KEPT_KEYS wherever they appear, and the written text (dropWrittenText), in place, and returns the
 * value. In place on purpose: client-node's informer keeps the very object it hands to the cache, so trimming a
 * copy would leave the full object in memory too.
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
  dropWrittenText(value);
  return value;
}

/**
 * Text the API serves as it was written on a machine, never by the cluster's users or controllers:
 * - a container state's `message` (`status.containerStatuses[].state.terminated.message`, `lastState`, init and
 *   ephemeral containers, `waiting` and any other state): the container writes it (its termination message file
 *   or, with `terminationMessagePolicy: FallbackToLogsOnError`, the tail of its logs), and so may a secret;
 * - a node's `status.nodeInfo` `machineID`, `systemUUID` and `bootID`, which identify the machine.
 * By shape, whatever the kind says it is: a custom resource with a pod-like status loses the same fields.
 */
function dropWrittenText(object: unknown): void {
  const status = mapOf(mapOf(object)?.status);
  if (status === undefined) return;
  for (const listKey of CONTAINER_STATUS_LISTS) {
    const list = status[listKey];
    if (!Array.isArray(list)) continue;
    for (const container of list) {
      for (const stateKey of CONTAINER_STATES) {
        const states = mapOf(mapOf(container)?.[stateKey]);
        if (states === undefined) continue;
        for (const name in states) delete mapOf(states[name])?.message;
      }
    }
  }
  const nodeInfo = mapOf(status.nodeInfo);
  if (nodeInfo !== undefined) for (const key of MACHINE_IDS) delete nodeInfo[key];
}

function mapOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
