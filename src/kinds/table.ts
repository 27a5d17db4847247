/**
 * The kinds the exporter knows by name, as data. Adding a kind is one entry here (plus its RBAC rule in
 * k8s/extra-kinds/). The first four are watched by default; `--kinds` adds others, and custom resources (src/kinds/selection.ts).
 */

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
}

export const DEPLOYMENT: KindSpec = {
  metricName: 'deployment',
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  kind: 'Deployment',
  namespaced: true,
};
export const POD: KindSpec = {
  metricName: 'pod',
  group: '',
  version: 'v1',
  plural: 'pods',
  kind: 'Pod',
  namespaced: true,
};
export const NODE: KindSpec = {
  metricName: 'node',
  group: '',
  version: 'v1',
  plural: 'nodes',
  kind: 'Node',
  namespaced: false,
};
export const SERVICE: KindSpec = {
  metricName: 'service',
  group: '',
  version: 'v1',
  plural: 'services',
  kind: 'Service',
  namespaced: true,
};
export const JOB: KindSpec = {
  metricName: 'job',
  group: 'batch',
  version: 'v1',
  plural: 'jobs',
  kind: 'Job',
  namespaced: true,
};
export const CRONJOB: KindSpec = {
  metricName: 'cronjob',
  group: 'batch',
  version: 'v1',
  plural: 'cronjobs',
  kind: 'CronJob',
  namespaced: true,
};
export const DAEMONSET: KindSpec = {
  metricName: 'daemonset',
  group: 'apps',
  version: 'v1',
  plural: 'daemonsets',
  kind: 'DaemonSet',
  namespaced: true,
};
export const STATEFULSET: KindSpec = {
  metricName: 'statefulset',
  group: 'apps',
  version: 'v1',
  plural: 'statefulsets',
  kind: 'StatefulSet',
  namespaced: true,
};
export const REPLICASET: KindSpec = {
  metricName: 'replicaset',
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
  kind: 'ReplicaSet',
  namespaced: true,
};
export const REPLICATIONCONTROLLER: KindSpec = {
  metricName: 'replicationcontroller',
  group: '',
  version: 'v1',
  plural: 'replicationcontrollers',
  kind: 'ReplicationController',
  namespaced: true,
};
export const NAMESPACE: KindSpec = {
  metricName: 'namespace',
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};
export const PERSISTENTVOLUMECLAIM: KindSpec = {
  metricName: 'persistentvolumeclaim',
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  namespaced: true,
};

export const KINDS: readonly KindSpec[] = [
  DEPLOYMENT,
  POD,
  NODE,
  SERVICE,
  JOB,
  CRONJOB,
  DAEMONSET,
  STATEFULSET,
  REPLICASET,
  REPLICATIONCONTROLLER,
  NAMESPACE,
  PERSISTENTVOLUMECLAIM,
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
