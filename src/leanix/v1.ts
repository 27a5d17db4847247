/**
 * The LeanIX inventory view (`/leanix.json`), in the shape of the original leanix-exporter: namespaces with their
 * pods, each with its phase and the API's containerStatuses as served. Pure: cached pods in, document out.
 */

import _ from 'lodash';
import type { KubeObject } from '../objects/kube-object.js';
import { type NamespaceFilter, visibleObjects } from './namespace-filter.js';

interface LeanixPod {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly containerStatuses: readonly unknown[];
}

export interface LeanixInventory {
  readonly Namespaces: ReadonlyArray<{
    readonly Name: string;
    readonly Pods: ReadonlyArray<{
      readonly Name: string;
      readonly Status: string;
      readonly ContainerStatuses: readonly unknown[];
    }>;
  }>;
  /** RFC 3339 time of the last cache change; null until the first object has been seen. */
  readonly LastUpdate: string | null;
}

function leanixPod(pod: KubeObject): LeanixPod {
  const status = (pod.status ?? {}) as { phase?: unknown; containerStatuses?: unknown };
  return {
    namespace: String(pod.metadata?.namespace ?? ''),
    name: String(pod.metadata?.name ?? ''),
    phase: typeof status.phase === 'string' ? status.phase : '',
    containerStatuses: Array.isArray(status.containerStatuses) ? status.containerStatuses : [],
  };
}

export function renderLeanix(
  pods: Iterable<KubeObject>,
  filter: NamespaceFilter,
  lastUpdate: Date | undefined,
): LeanixInventory {
  const visible = visibleObjects(filter, pods).map(leanixPod);
  const byNamespace = _.groupBy(_.sortBy(visible, 'name'), 'namespace');
  return {
    Namespaces: Object.keys(byNamespace)
      .sort()
      .map((namespace) => ({
        Name: namespace,
        Pods: byNamespace[namespace].map((pod) => ({
          Name: pod.name,
          Status: pod.phase,
          ContainerStatuses: pod.containerStatuses,
        })),
      })),
    LastUpdate: lastUpdate ? lastUpdate.toISOString() : null,
  };
}
