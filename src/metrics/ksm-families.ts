/**
 * Our families → kube-state-metrics' (v2.20.0: `internal/store/{deployment,pod,node,service}.go`), as data, for
 * `--metric-names=ksm` (applied by src/metrics/ksm-names.ts). A renamed family takes our series of one family as they
 * are and gives them KSM's name, labels and value convention; a derived family reads, from the object, the facts KSM
 * reports that no single series of ours holds (an IP's family, a container's spec image, a rollout's max surge).
 * README "Compared with kube-state-metrics" lists every KSM family beside ours.
 */

import { isIP } from 'node:net';
import { type Fields, record, records, text } from '../objects/fields.js';
import type { ObjectIdentity } from './flatten.js';

export type Labels = ReadonlyArray<readonly [name: string, value: string]>;

/** What the table reads of an object besides the series' own labels. */
export interface KsmContext {
  readonly metadata: Fields;
  readonly spec: Fields;
  readonly status: Fields;
  /** The condition of this type in status.conditions. */
  condition(type: string): Fields | undefined;
}

export function ksmContext(object: unknown): KsmContext {
  const { metadata, spec, status } = record(object);
  const conditions = records(record(status).conditions);
  return {
    metadata: record(metadata),
    spec: record(spec),
    status: record(status),
    condition: (type) => conditions.find((condition) => condition.type === type),
  };
}

/** Our series of one family (or, `from` ending in `*`, of every family named so, the rest being a resource) → KSM's. */
export interface RenamedFamily {
  readonly from: string;
  readonly to: string;
  readonly help: string;
  /** Only our series with these label values belong to this family; the labels are left out. */
  readonly where?: Readonly<Record<string, string>>;
  /** Our label → KSM's name for it, or null to leave it out. */
  readonly labels?: Readonly<Record<string, string | null>>;
  /** Only these labels (KSM's names) are kept. */
  readonly keep?: readonly string[];
  /** Labels KSM always writes, for when ours is absent (`host_network="false"`). */
  readonly defaults?: Readonly<Record<string, string>>;
  /** Labels from the object. */
  readonly add?: (context: KsmContext, ours: Labels) => Labels;
  /** A series of ours that belongs here but that KSM has no series for (`kube_pod_status_ready_time` of an unready pod). */
  readonly when?: (value: number, context: KsmContext, ours: Labels) => boolean;
  readonly value?: (value: number, labels: Labels) => number;
  /** The label of a condition's status: our 1/0/-1 becomes three series, `true`, `false` and `unknown`. */
  readonly conditionStatus?: string;
}

/** A KSM family read from the object; `replaces` names our families it stands for, left out in this mode. */
export interface DerivedFamily {
  readonly name: string;
  readonly help: string;
  readonly replaces?: readonly string[];
  readonly samples: (object: unknown, context: KsmContext) => ReadonlyArray<readonly [labels: Labels, value: number]>;
}

export interface KsmKind {
  /** KSM's identity labels of the kind (`namespace`, `pod`, `uid`), in its order. */
  readonly identity: (identity: ObjectIdentity, context: KsmContext) => Labels;
  readonly renamed: readonly RenamedFamily[];
  readonly derived: readonly DerivedFamily[];
}

export const CONDITION_STATUSES: ReadonlyArray<readonly [status: string, value: number]> = [
  ['true', 1],
  ['false', 0],
  ['unknown', -1],
];

/** KSM's unit label of a resource (sanitised, as in our metric names and KSM's `resource` label). */
export function resourceUnit(resource: string): string {
  if (resource === 'cpu') return 'core';
  if (['memory', 'storage', 'ephemeral_storage'].includes(resource)) return 'byte';
  if (resource.startsWith('hugepages_') || resource.startsWith('attachable_volumes_')) return 'byte';
  return 'integer';
}

/** KSM writes timestamps as whole unix seconds. */
const seconds = (value: number) => Math.floor(value);
/** A pod's memory and counted resources as KSM reads them, Quantity.Value(): whole units, rounded up. */
const podResourceValue = (value: number, labels: Labels) =>
  labels.some(([name, unit]) => name === 'unit' && unit === 'core') ? value : Math.ceil(value);
const conditionIs = (type: string, status: string) => (_value: number, context: KsmContext) =>
  text(context.condition(type)?.status) === status;

// biome-ignore format: one line per family
const OBJECT_FAMILIES = (kind: string, prefix: string): RenamedFamily[] => [
  { from: `k8s_${kind}_metadata_creationTimestamp`, to: `${prefix}_created`,            help: 'Unix creation timestamp', value: seconds },
  { from: `k8s_${kind}_metadata_deletionTimestamp`, to: `${prefix}_deletion_timestamp`, help: 'Unix deletion timestamp', value: seconds },
  { from: `k8s_${kind}_labels`,                     to: `${prefix}_labels`,             help: 'Kubernetes labels converted to Prometheus labels.' },
  { from: `k8s_${kind}_annotations`,                to: `${prefix}_annotations`,        help: 'Kubernetes annotations converted to Prometheus labels.' },
];

/** Owners as KSM writes them: a series with empty labels for an object without any. */
function noOwner(name: string, help: string): DerivedFamily {
  return {
    name,
    help,
    samples: (_object, context) => (records(context.metadata.ownerReferences).length === 0 ? [[[], 1]] : []),
  };
}

/** The container families of a status list (`containerStatuses`), as KSM's `kube_pod_<what>_...`. */
function containerFamilies(list: string, spec: string, what: string): RenamedFamily[] {
  const from = `k8s_pod_status_${list}`;
  const to = `kube_pod_${what}`;
  const state = (name: string): RenamedFamily => ({
    from: `${from}_state`,
    to: `${to}_status_${name}`,
    help: `Describes whether the ${what.replace('_', ' ')} is currently in ${name} state.`,
    where: { state: name },
  });
  const resources = (which: string): RenamedFamily => ({
    from: `k8s_pod_spec_${spec}_resources_${which}_*`,
    to: `${to}_resource_${which}`,
    help: `The number of requested ${which === 'limits' ? 'limit' : 'request'} resource by a ${what.replace('_', ' ')}.`,
    add: (context) => [['node', text(context.spec.nodeName)]],
    value: podResourceValue,
  });
  // biome-ignore format: one line per family
  return [
    state('running'),
    state('waiting'),
    state('terminated'),
    { from: `${from}_state_waiting_reason`,            to: `${to}_status_waiting_reason`,          help: `Describes the reason the ${what.replace('_', ' ')} is currently in waiting state.` },
    { from: `${from}_state_terminated_reason`,         to: `${to}_status_terminated_reason`,       help: `Describes the reason the ${what.replace('_', ' ')} is currently in terminated state.` },
    { from: `${from}_lastState_terminated_reason`,     to: `${to}_status_last_terminated_reason`,  help: `Describes the last reason the ${what.replace('_', ' ')} was in terminated state.` },
    { from: `${from}_lastState_terminated_exitCode`,   to: `${to}_status_last_terminated_exitcode`, help: `Describes the exit code for the last ${what.replace('_', ' ')} in terminated state.` },
    { from: `${from}_lastState_terminated_finishedAt`, to: `${to}_status_last_terminated_timestamp`, help: `Last terminated time for a pod ${what.replace('_', ' ')} in unix timestamp.`, value: seconds },
    { from: `${from}_ready`,                           to: `${to}_status_ready`,                   help: `Describes whether the ${what.replace('_', ' ')}s readiness check succeeded.` },
    { from: `${from}_restartCount`,                    to: `${to}_status_restarts_total`,          help: `The number of ${what.replace('_', ' ')} restarts per container.` },
    { from: `${from}_state_running_startedAt`,         to: `${to}_state_started`,                  help: `Start time in unix timestamp for a pod ${what.replace('_', ' ')}.`, value: seconds },
    { from: `${from}_state_terminated_startedAt`,      to: `${to}_state_started`,                  help: `Start time in unix timestamp for a pod ${what.replace('_', ' ')}.`, value: seconds },
    resources('requests'),
    resources('limits'),
  ];
}

/** A pod's condition of this type as KSM's kube_pod_status_<name>{condition="true|false|unknown"}. */
const podCondition = (type: string, name: string, help: string): RenamedFamily => ({
  from: 'k8s_pod_status_conditions_status',
  to: `kube_pod_status_${name}`,
  help,
  where: { condition: type },
  conditionStatus: 'condition',
});

/** The time a pod's condition of this type last turned to `status`, as KSM's kube_pod_status_<name>. */
const podConditionTime = (type: string, status: string, name: string, help: string): RenamedFamily => ({
  from: 'k8s_pod_status_conditions_lastTransitionTime',
  to: `kube_pod_status_${name}`,
  help,
  where: { condition: type },
  when: conditionIs(type, status),
  value: seconds,
});

/** Status reasons KSM reports by name (`kube_pod_status_reason`); any other pod status reason is `Other`. */
const POD_STATUS_REASONS = [
  'Evicted',
  'NodeAffinity',
  'NodeLost',
  'PreemptionByScheduler',
  'SchedulingGated',
  'Shutdown',
  'TerminationByKubelet',
  'UnexpectedAdmissionError',
];
const POD_DISRUPTION_REASONS = [
  'PreemptionByScheduler',
  'DeletionByTaintManager',
  'EvictionByEvictionAPI',
  'DeletionByPodGC',
  'TerminationByKubelet',
];
/** Deployment condition reasons KSM reports by name; any other is `unknown`. */
const DEPLOYMENT_REASONS = [
  'ReplicaSetUpdated',
  'ReplicaSetCreateError',
  'NewReplicaSetCreated',
  'FoundNewReplicaSet',
  'NewReplicaSetAvailable',
  'ProgressDeadlineExceeded',
  'DeploymentPaused',
  'DeploymentResumed',
  'MinimumReplicasAvailable',
  'MinimumReplicasUnavailable',
  '',
];

const labelOf = (labels: Labels, name: string) => labels.find(([label]) => label === name)?.[1] ?? '';

/** KSM's reasons of a pod: each known one found in its status, conditions or terminated containers, else `Other`. */
function podStatusReasons(_object: unknown, context: KsmContext): Array<[Labels, number]> {
  const status = text(context.status.reason);
  const found = new Set([
    status,
    ...records(context.status.conditions).map((condition) => text(condition.reason)),
    ...records(context.status.containerStatuses).map((container) =>
      text(record(record(container.state).terminated).reason),
    ),
  ]);
  const reasons = POD_STATUS_REASONS.filter((reason) => found.has(reason));
  if (status !== '' && !POD_STATUS_REASONS.includes(status)) reasons.push('Other');
  return reasons.map((reason) => [[['reason', reason]], 1]);
}

/** Each spec container with a status of its name: KSM's kube_pod_[init_]container_info. */
function containerInfo(specList: string, statusList: string, init: boolean) {
  return (_object: unknown, context: KsmContext): Array<[Labels, number]> =>
    records(context.spec[specList]).flatMap((container) =>
      records(context.status[statusList])
        .filter((status) => text(status.name) === text(container.name))
        .map((status): [Labels, number] => [
          [
            ['container', text(status.name)],
            ['image_spec', text(container.image)],
            ['image', text(status.image)],
            ['image_id', text(status.imageID)],
            ['container_id', text(status.containerID)],
            ...(init ? [['restart_policy', text(container.restartPolicy)] as const] : []),
          ],
          1,
        ]),
    );
}

/** The pod's IPs with their family, `4` or `6` (an IPv4-mapped IPv6 address is IPv4, as KSM unmaps it). */
function podIps(_object: unknown, context: KsmContext): Array<[Labels, number]> {
  return records(context.status.podIPs).flatMap((entry): Array<[Labels, number]> => {
    const ip = text(entry.ip);
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const family = mapped ? isIP(mapped[1]) : isIP(ip);
    return family === 0
      ? []
      : [
          [
            [
              ['ip', ip],
              ['ip_family', String(family)],
            ],
            1,
          ],
        ];
  });
}

/** The pod's volumes backed by a claim, and each claim's read-only flag (ephemeral volumes' claims are never). */
function claimVolumes(readOnly: boolean) {
  return (_object: unknown, context: KsmContext): Array<[Labels, number]> =>
    records(context.spec.volumes).flatMap((volume): Array<[Labels, number]> => {
      const claim = record(volume.persistentVolumeClaim);
      const ephemeral = volume.ephemeral !== undefined && volume.persistentVolumeClaim === undefined;
      if (volume.persistentVolumeClaim === undefined && !ephemeral) return [];
      const claimName = ephemeral ? `${text(context.metadata.name)}-${text(volume.name)}` : text(claim.claimName);
      const labels: Labels = [
        ['volume', text(volume.name)],
        ['persistentvolumeclaim', claimName],
        ['ephemeral', String(ephemeral)],
      ];
      return [[labels, readOnly ? (claim.readOnly === true ? 1 : 0) : 1]];
    });
}

/** DRA claims of the pod spec, their claim names resolved from the status as KSM does. */
function resourceClaims(_object: unknown, context: KsmContext): Array<[Labels, number]> {
  const resolved = new Map(
    records(context.status.resourceClaimStatuses).map((claim) => [text(claim.name), text(claim.resourceClaimName)]),
  );
  return records(context.spec.resourceClaims)
    .filter((claim) => claim.resourceClaimName !== undefined || claim.resourceClaimTemplateName !== undefined)
    .map((claim) => [
      [
        ['claim_name', text(claim.name)],
        ['resourceclaim_name', text(claim.resourceClaimName) || (resolved.get(text(claim.name)) ?? '')],
        ['resourceclaim_template_name', text(claim.resourceClaimTemplateName)],
      ],
      1,
    ]);
}

/** The latest finishedAt of the pod's terminated containers (KSM: kube_pod_completion_time). */
function completionTime(_object: unknown, context: KsmContext): Array<[Labels, number]> {
  const finished = records(context.status.containerStatuses)
    .map((container) => Date.parse(text(record(record(container.state).terminated).finishedAt)) / 1000)
    .filter((time) => time > 0);
  return finished.length === 0 ? [] : [[[], Math.floor(Math.max(...finished))]];
}

/** KSM's identity of pods and services: namespace, name under the kind's label, and the UID. */
const namespacedWithUid =
  (label: string) =>
  ({ name, namespace }: ObjectIdentity, context: KsmContext): Labels => [
    ['namespace', namespace ?? ''],
    [label, name],
    ['uid', text(context.metadata.uid)],
  ];

const POD: KsmKind = {
  identity: namespacedWithUid('pod'),
  // biome-ignore format: one line per family
  renamed: [
    ...OBJECT_FAMILIES('pod', 'kube_pod'),
    { from: 'k8s_pod_info', to: 'kube_pod_info', help: 'Information about pod.', keep: ['host_ip', 'pod_ip', 'node', 'created_by_kind', 'created_by_name', 'priority_class', 'host_network'], defaults: { host_network: 'false' } },
    { from: 'k8s_pod_info', to: 'kube_pod_service_account', help: 'The service account for a pod.', keep: ['service_account'] },
    { from: 'k8s_pod_info', to: 'kube_pod_scheduler', help: 'The scheduler for a pod.', labels: { scheduler: 'name' }, keep: ['name'] },
    { from: 'k8s_pod_info', to: 'kube_pod_runtimeclass_name_info', help: 'The runtimeclass associated with the pod.', labels: { runtime_class: 'runtimeclass_name' }, keep: ['runtimeclass_name'], when: (_value, _context, ours) => labelOf(ours, 'runtime_class') !== '' },
    { from: 'k8s_pod_owner', to: 'kube_pod_owner', help: "Information about the Pod's owner.", defaults: { owner_is_controller: 'false' } },
    { from: 'k8s_pod_status_phase', to: 'kube_pod_status_phase', help: 'The pods current phase.', when: (_value, context) => text(context.status.phase) !== '' },
    { from: 'k8s_pod_status_qosClass', to: 'kube_pod_status_qos_class', help: 'The pods current qosClass.', when: (_value, context) => text(context.status.qosClass) !== '' },
    { from: 'k8s_pod_spec_restartPolicy', to: 'kube_pod_restart_policy', help: 'Describes the restart policy in use by this pod.', labels: { restart_policy: 'type' } },
    { from: 'k8s_pod_status_startTime', to: 'kube_pod_start_time', help: 'Start time in unix timestamp for a pod.', value: seconds },
    { from: 'k8s_pod_spec_overhead_cpu', to: 'kube_pod_overhead_cpu_cores', help: 'The pod overhead in regards to cpu cores associated with running a pod.' },
    { from: 'k8s_pod_spec_overhead_memory', to: 'kube_pod_overhead_memory_bytes', help: 'The pod overhead in regards to memory associated with running a pod.', value: Math.ceil },
    { from: 'k8s_pod_spec_tolerations', to: 'kube_pod_tolerations', help: 'Information about the pod tolerations' },
    podCondition('Ready', 'ready', 'Describes whether the pod is ready to serve requests.'),
    podCondition('PodScheduled', 'scheduled', 'Describes the status of the scheduling process for the pod.'),
    { from: 'k8s_pod_status_conditions_status', to: 'kube_pod_status_unschedulable', help: 'Describes the unschedulable status for the pod.', where: { condition: 'PodScheduled' }, when: (value) => value === 0, value: () => 1 },
    podConditionTime('Ready', 'True', 'ready_time', 'Readiness achieved time in unix timestamp for a pod.'),
    podConditionTime('ContainersReady', 'True', 'container_ready_time', 'Readiness achieved time in unix timestamp for a pod containers.'),
    podConditionTime('Initialized', 'True', 'initialized_time', 'Initialized time in unix timestamp for a pod.'),
    podConditionTime('PodScheduled', 'True', 'scheduled_time', 'Unix timestamp when pod moved into scheduled status'),
    podConditionTime('PodScheduled', 'False', 'unscheduled_time', 'Unix timestamp when pod moved into unscheduled status'),
    { from: 'k8s_pod_status_conditions_reason', to: 'kube_pod_status_disruption_reason', help: 'The pod disruption condition reason', where: { condition: 'DisruptionTarget' }, labels: { reason: null }, add: (_context, ours) => [['reason', POD_DISRUPTION_REASONS.includes(labelOf(ours, 'reason')) ? labelOf(ours, 'reason') : 'Other']] },
    ...containerFamilies('containerStatuses', 'containers', 'container'),
    ...containerFamilies('initContainerStatuses', 'initContainers', 'init_container'),
  ],
  // biome-ignore format: one line per family
  derived: [
    { name: 'kube_pod_status_reason', help: 'The pod status reasons', replaces: ['k8s_pod_status_reason'], samples: podStatusReasons },
    { name: 'kube_pod_completion_time', help: 'Completion time in unix timestamp for a pod.', samples: completionTime },
    { name: 'kube_pod_ips', help: 'Pod IP addresses', samples: podIps },
    { name: 'kube_pod_container_info', help: 'Information about a container in a pod.', replaces: ['k8s_pod_container_info'], samples: containerInfo('containers', 'containerStatuses', false) },
    { name: 'kube_pod_init_container_info', help: 'Information about an init container in a pod.', samples: containerInfo('initContainers', 'initContainerStatuses', true) },
    { name: 'kube_pod_spec_volumes_persistentvolumeclaims_info', help: 'Information about persistentvolumeclaim and ephemeral volumes in a pod.', replaces: ['k8s_pod_spec_volumes_persistentVolumeClaim'], samples: claimVolumes(false) },
    { name: 'kube_pod_spec_volumes_persistentvolumeclaims_readonly', help: 'Describes whether a persistentvolumeclaim is mounted read only.', replaces: ['k8s_pod_spec_volumes_persistentVolumeClaim_readOnly'], samples: claimVolumes(true) },
    { name: 'kube_pod_resourceclaim_info', help: 'Information about a DRA ResourceClaim referenced by a pod.', replaces: ['k8s_pod_spec_resourceClaims'], samples: resourceClaims },
    noOwner('kube_pod_owner', "Information about the Pod's owner."),
  ],
};

const DEPLOYMENT: KsmKind = {
  identity: ({ name, namespace }) => [
    ['namespace', namespace ?? ''],
    ['deployment', name],
  ],
  // biome-ignore format: one line per family
  renamed: [
    ...OBJECT_FAMILIES('deployment', 'kube_deployment'),
    { from: 'k8s_deployment_metadata_generation', to: 'kube_deployment_metadata_generation', help: 'Sequence number representing a specific generation of the desired state.' },
    { from: 'k8s_deployment_owner', to: 'kube_deployment_owner', help: "Information about the Deployment's owner.", labels: { owner_is_controller: null } },
    { from: 'k8s_deployment_spec_paused', to: 'kube_deployment_spec_paused', help: 'Whether the deployment is paused and will not be processed by the deployment controller.' },
    { from: 'k8s_deployment_spec_replicas', to: 'kube_deployment_spec_replicas', help: 'Number of desired pods for a deployment.' },
    { from: 'k8s_deployment_spec_strategy_rollingUpdate_maxSurge', to: 'kube_deployment_spec_strategy_rollingupdate_max_surge', help: 'Maximum number of replicas that can be scheduled above the desired number of replicas during a rolling update of a deployment.' },
    { from: 'k8s_deployment_spec_strategy_rollingUpdate_maxUnavailable', to: 'kube_deployment_spec_strategy_rollingupdate_max_unavailable', help: 'Maximum number of unavailable replicas during a rolling update of a deployment.' },
    { from: 'k8s_deployment_status_replicas', to: 'kube_deployment_status_replicas', help: 'The number of replicas per deployment.' },
    { from: 'k8s_deployment_status_readyReplicas', to: 'kube_deployment_status_replicas_ready', help: 'The number of ready replicas per deployment.' },
    { from: 'k8s_deployment_status_availableReplicas', to: 'kube_deployment_status_replicas_available', help: 'The number of available replicas per deployment.' },
    { from: 'k8s_deployment_status_unavailableReplicas', to: 'kube_deployment_status_replicas_unavailable', help: 'The number of unavailable replicas per deployment.' },
    { from: 'k8s_deployment_status_updatedReplicas', to: 'kube_deployment_status_replicas_updated', help: 'The number of updated replicas per deployment.' },
    { from: 'k8s_deployment_status_terminatingReplicas', to: 'kube_deployment_status_terminating_replicas', help: 'The number of terminating replicas per deployment.' },
    { from: 'k8s_deployment_status_observedGeneration', to: 'kube_deployment_status_observed_generation', help: 'The generation observed by the deployment controller.' },
    { from: 'k8s_deployment_status_conditions_status', to: 'kube_deployment_status_condition', help: 'The current status conditions of a deployment.', conditionStatus: 'status', add: (context, ours) => {
      const reason = text(context.condition(labelOf(ours, 'condition'))?.reason);
      return [['reason', DEPLOYMENT_REASONS.includes(reason) ? reason : 'unknown']];
    } },
  ],
  // biome-ignore format: one line per family
  derived: [
    noOwner('kube_deployment_owner', "Information about the Deployment's owner."),
  ],
};

const NODE: KsmKind = {
  identity: ({ name }) => [['node', name]],
  // biome-ignore format: one line per family
  renamed: [
    ...OBJECT_FAMILIES('node', 'kube_node'),
    { from: 'k8s_node_info', to: 'kube_node_info', help: 'Information about a cluster node.', keep: ['kernel_version', 'os_image', 'container_runtime_version', 'kubelet_version', 'provider_id', 'pod_cidr', 'internal_ip'], add: () => [['kubeproxy_version', 'deprecated']] },
    { from: 'k8s_node_role', to: 'kube_node_role', help: 'The role of a cluster node.' },
    { from: 'k8s_node_spec_taints', to: 'kube_node_spec_taint', help: 'The taint of a cluster node.' },
    { from: 'k8s_node_spec_unschedulable', to: 'kube_node_spec_unschedulable', help: 'Whether a node can schedule new pods.' },
    { from: 'k8s_node_status_addresses', to: 'kube_node_status_addresses', help: 'Node address information.' },
    { from: 'k8s_node_status_allocatable_*', to: 'kube_node_status_allocatable', help: 'The allocatable for different resources of a node that are available for scheduling.' },
    { from: 'k8s_node_status_capacity_*', to: 'kube_node_status_capacity', help: 'The capacity for different resources of a node.' },
    { from: 'k8s_node_status_conditions_status', to: 'kube_node_status_condition', help: 'The condition of a cluster node.', conditionStatus: 'status' },
  ],
  derived: [
    {
      name: 'kube_node_spec_pod_cidrs',
      help: 'The pod CIDRs of a cluster node.',
      samples: (_object, context) =>
        (Array.isArray(context.spec.podCIDRs) ? context.spec.podCIDRs : []).map((cidr) => [
          [['pod_cidr', text(cidr)]],
          1,
        ]),
    },
  ],
};

const SERVICE: KsmKind = {
  identity: namespacedWithUid('service'),
  // biome-ignore format: one line per family
  renamed: [
    ...OBJECT_FAMILIES('service', 'kube_service'),
    { from: 'k8s_service_info', to: 'kube_service_info', help: 'Information about service.', keep: ['cluster_ip', 'external_name', 'load_balancer_ip', 'external_traffic_policy'] },
    { from: 'k8s_service_spec_type', to: 'kube_service_spec_type', help: 'Type about service.', when: (value) => value === 1 },
    { from: 'k8s_service_spec_externalIPs', to: 'kube_service_spec_external_ip', help: 'Service external ips. One series for each ip' },
    { from: 'k8s_service_status_loadBalancer_ingress', to: 'kube_service_status_load_balancer_ingress', help: 'Service load balancer ingress status' },
  ],
  derived: [],
};

/** By kind (metric name): the four kinds kube-state-metrics and this exporter both watch by default. */
export const KSM_FAMILIES: Readonly<Record<string, KsmKind>> = {
  pod: POD,
  deployment: DEPLOYMENT,
  node: NODE,
  service: SERVICE,
};
