/**
 * The kinds the exporter knows by name, as data. Adding a kind is one entry here (plus its RBAC rule in
 * k8s/extra-kinds/). The first four are watched by default; `--kinds` adds others, and custom resources (src/kind-selection.ts).
 */
import { containerInfoSamples } from '../metrics/container-info.js';
import type { Sample } from '../metrics/flatten.js';

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
  { metricName: 'job', group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true },
  { metricName: 'cronjob', group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', namespaced: true },
  { metricName: 'daemonset', group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { metricName: 'statefulset', group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { metricName: 'replicaset', group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { metricName: 'replicationcontroller', group: '', version: 'v1', plural: 'replicationcontrollers', kind: 'ReplicationController', namespaced: true },
  { metricName: 'namespace', group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { metricName: 'persistentvolumeclaim', group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
];

/** Watched unless configured otherwise: the original exporter's four. */
export const DEFAULT_KINDS: readonly KindSpec[] = KINDS.slice(0, 4);

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
