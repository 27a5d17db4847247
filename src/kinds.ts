/** The watched kinds, as data. Adding a kind is one entry here (plus its RBAC rule in k8s/). */
import { containerInfoSamples } from './container-info.js';
import type { Sample } from './flatten.js';

export interface KindSpec {
  /** Metric prefix segment and the name used in logs, self-metrics and /readyz: `k8s_<metricName>_...`. */
  readonly metricName: string;
  /** API group; '' is the core group. */
  readonly group: string;
  readonly version: string;
  /** Resource plural as in the URL. */
  readonly plural: string;
  /** `kind` as the API server names it. */
  readonly kind: string;
  readonly namespaced: boolean;
  /** Series beyond the flattened fields, rendered with the object's own and following it in the cache. */
  readonly extraSamples?: (object: unknown) => Sample[];
}

export const KINDS: readonly KindSpec[] = [
  { metricName: 'deployment', group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  { metricName: 'pod', group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, extraSamples: containerInfoSamples },
  { metricName: 'node', group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { metricName: 'service', group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
];

export function apiVersionOf(kind: KindSpec): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}

/** The cluster-wide collection path: `/api/v1/pods`, `/apis/apps/v1/deployments`. */
export function collectionPath(kind: KindSpec): string {
  const base = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  return `${base}/${kind.plural}`;
}

export function kindByMetricName(metricName: string): KindSpec | undefined {
  return KINDS.find((kind) => kind.metricName === metricName);
}
