/** Who controls an object: its controller owner reference, and for a pod of a ReplicaSet, the deployment above it. */

interface OwnerReference {
  readonly kind?: unknown;
  readonly name?: unknown;
  readonly controller?: unknown;
}

interface Owned {
  readonly metadata?: { readonly ownerReferences?: unknown; readonly labels?: Readonly<Record<string, unknown>> };
}

/** The owner reference marked `controller: true`, if any. */
export function controllerOf(object: unknown): { kind: string; name: string } | undefined {
  const references = (object as Owned | undefined)?.metadata?.ownerReferences;
  if (!Array.isArray(references)) return undefined;
  for (const reference of references as OwnerReference[]) {
    if (reference?.controller === true && typeof reference.kind === 'string' && typeof reference.name === 'string')
      return { kind: reference.kind, name: reference.name };
  }
  return undefined;
}

/**
 * The deployment of a pod whose controller is a ReplicaSet made by a deployment, without watching ReplicaSets: the
 * deployment controller names its ReplicaSets `<deployment>-<pod-template-hash>` and labels their pods with that
 * hash. Undefined for any other pod (a bare ReplicaSet's pods carry no `pod-template-hash`, or another one).
 */
export function deploymentOfPod(pod: unknown): string | undefined {
  const controller = controllerOf(pod);
  if (controller?.kind !== 'ReplicaSet') return undefined;
  const hash = (pod as Owned).metadata?.labels?.['pod-template-hash'];
  if (typeof hash !== 'string' || hash === '') return undefined;
  const suffix = `-${hash}`;
  const { name } = controller;
  return name.length > suffix.length && name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
}
